import { formatCount } from '../../shared/format.ts';
import { drillDownHref } from '../drill-down.ts';
import { formatAge, formatClock, formatMs, formatPercentOneDecimal } from '../format.ts';
import { openOutage, providerStatusPage } from '../provider-status.ts';
import { TableScroll } from '../scroll-region.tsx';
import { judge } from '../thresholds.ts';
import { providerKinds, type Alert, type ProviderHealth } from '../wire.ts';
import type { Overview, ProviderGroup } from './model.ts';

const kindNames: Record<string, string> = { stt: 'STT', llm: 'LLM', tts: 'TTS', telephony: 'Telephony' };

function kindName(kind: string): string {
  return kindNames[kind] ?? kind;
}

/** Success and latency per provider kind and per provider; an open outage alert is said first. */
export function ProviderPanel({ model }: { model: Overview }) {
  const groups = model.providerGroups.value;
  const alerts = model.openAlerts.value;
  return (
    <section aria-labelledby="providers-heading" class="ops-section panel" id="providers">
      <h2 id="providers-heading">
        Provider health <span class="heading-note">last 5 minutes</span>
      </h2>
      {groups.length === 0 ? (
        <p class="muted">No provider requests in the last 5 minutes.</p>
      ) : (
        groups.map((group) => <ProviderGroupTable key={group.kind} group={group} alerts={alerts} model={model} />)
      )}
    </section>
  );
}

function OutageBanner({ alert, provider, kind, nowMs }: { alert: Alert; provider: string | null; kind: string; nowMs: number }) {
  const statusPage = providerStatusPage(provider);
  const since = nowMs - Date.parse(alert.condition_since);
  return (
    <div class="notice notice-error outage" data-testid="outage-banner">
      <p>
        <strong>Outage detected:</strong> {provider ?? `all ${kindName(kind)} providers`} ({kindName(kind)}), below 50% success
        for 5 minutes, since {formatClock(Date.parse(alert.condition_since))} ({formatAge(since)}).{' '}
        {statusPage && (
          <a href={statusPage} target="_blank" rel="noopener noreferrer">
            {provider} status page
          </a>
        )}
      </p>
    </div>
  );
}

function ProviderGroupTable({ group, alerts, model }: { group: ProviderGroup; alerts: Alert[]; model: Overview }) {
  const rows: ProviderHealth[] = [...(group.total ? [group.total] : []), ...group.providers];
  const outages = rows
    .map((row) => ({ row, alert: openOutage(alerts, row.kind, row.provider) }))
    .filter((entry): entry is { row: ProviderHealth; alert: Alert } => entry.alert !== null);
  const region = model.region.value;
  const liveWindow = model.liveWindow.value;
  const knownKind = providerKinds.find((k) => k === group.kind);
  return (
    <div class="provider-group" id={`providers-${group.kind}`}>
      <h3>{kindName(group.kind)}</h3>
      {outages.map(({ row, alert }) => (
        <OutageBanner key={alert.id} alert={alert} provider={row.provider} kind={row.kind} nowMs={model.clock.value} />
      ))}
      <TableScroll label={`${kindName(group.kind)} providers`}>
        <table class="data-table">
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col" class="num">
                Success
              </th>
              <th scope="col" class="num">
                P95 latency
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const judgement = judge.providerSuccess(row.success_rate.value);
              const statusPage = providerStatusPage(row.provider);
              const name = row.provider ?? `All ${kindName(row.kind)}`;
              return (
                <tr key={row.provider ?? '*'} class={row.provider === null ? 'row-total' : undefined} data-provider={`${row.kind}:${row.provider ?? '*'}`}>
                  <th scope="row">
                    {liveWindow ? (
                      <a
                        href={drillDownHref(liveWindow, region, {
                          sort: '-latency_ms',
                          ...(row.provider !== null && knownKind ? { kind: knownKind, provider: row.provider } : {}),
                        })}
                        aria-label={`Calls using ${name}, last 5 minutes`}
                      >
                        {name}
                      </a>
                    ) : (
                      name
                    )}
                    {statusPage && (
                      <a class="status-page-link" href={statusPage} target="_blank" rel="noopener noreferrer" aria-label={`${row.provider} status page (opens a new tab)`}>
                        status page
                      </a>
                    )}
                  </th>
                  <td class="num">
                    <span class={`tone-text-${judgement.tone}`}>{formatPercentOneDecimal(row.success_rate.value)}</span>{' '}
                    <span class="muted sample">
                      ({formatCount(row.success_rate.numerator)}/{formatCount(row.success_rate.denominator)})
                    </span>{' '}
                    <span class={`badge badge-${judgement.tone}`}>{judgement.word}</span>
                  </td>
                  <td class="num">{formatMs(row.latency_ms.p95)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableScroll>
    </div>
  );
}
