import { computed, useModel } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { formatDateTime, formatMoneyExact, noValue } from '../../shared/format.ts';
import { statusWords } from '../calls/view.tsx';
import { formatClock, formatDuration, formatMs, formatOffset, formatQuantity } from '../format.ts';
import { opsApi } from '../ops-api.ts';
import { viewSearch, type Router } from '../router.ts';
import { CodeBlock, TableScroll } from '../scroll-region.tsx';
import type { CallDetail, JsonValue } from '../wire.ts';
import { CallModel, type Call } from './model.ts';
import type { WaterfallRow } from './waterfall.ts';

function createCall(router: Router) {
  const call = computed(() => {
    const route = router.route.value;
    return route.view === 'call' ? { customerId: route.customerId, callId: route.callId } : null;
  });
  return new CallModel({ api: opsApi, call, search: viewSearch(router, 'call') });
}

export function CallPage({ router }: { router: Router }) {
  const model = useModel(() => createCall(router));
  const detail = model.detail.value;
  const error = model.error.value;
  return (
    <>
      <p class="back-link">
        <a href={model.backHref.value}>← Back to calls</a>
      </p>
      {model.loading.value && <p class="muted">Loading the call…</p>}
      {error && (
        <div class="notice notice-error" role="alert">
          <p>{error.message}</p>
        </div>
      )}
      {detail && <CallDetailView detail={detail} model={model} />}
    </>
  );
}

function yesNo(value: boolean | null): string {
  return value === null ? 'unknown' : value ? 'yes' : 'no';
}

function Section({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section aria-labelledby={`${id}-heading`} class="ops-section panel">
      <h3 id={`${id}-heading`}>{title}</h3>
      {children}
    </section>
  );
}

function CallDetailView({ detail, model }: { detail: CallDetail; model: Call }) {
  const m = detail.metadata;
  const start = m.started_at;
  const providers = (['stt', 'llm', 'tts', 'telephony'] as const).map((kind) => `${kind.toUpperCase()} ${m.providers[kind] ?? noValue}`).join(' · ');
  return (
    <article class="call-detail" aria-labelledby="call-heading">
      <header class="call-header">
        <h2 id="call-heading">
          Call <code>{detail.call_id}</code>
        </h2>
        <span class={`status status-${m.status}`}>{statusWords[m.status]}</span>
      </header>
      <div class="two-column">
        <Section id="metadata" title="Metadata">
          <dl class="meta-list">
            <dt>Customer</dt>
            <dd>{m.customer_id}</dd>
            <dt>Agent</dt>
            <dd>
              {m.agent_id ?? noValue}
              {m.agent_version && <span class="muted"> version {m.agent_version}</span>}
            </dd>
            <dt>Region</dt>
            <dd>{m.region ?? noValue}</dd>
            <dt>Direction</dt>
            <dd>
              {m.direction ?? noValue} {m.from && `from ${m.from}`} {m.to && `to ${m.to}`}
            </dd>
            <dt>Providers</dt>
            <dd>{providers}</dd>
            <dt>Trace id</dt>
            <dd>{m.trace_id ? <code>{m.trace_id}</code> : noValue}</dd>
            <dt>Started</dt>
            <dd>{formatDateTime(m.started_at, 'local')}</dd>
            <dt>Ended</dt>
            <dd>{formatDateTime(m.ended_at, 'local')}</dd>
            <dt>Duration</dt>
            <dd>{formatDuration(m.duration_ms)}</dd>
            <dt>Time to first audio</dt>
            <dd>{formatMs(m.ttfa_ms)}</dd>
            <dt>Worst turn</dt>
            <dd>{formatMs(m.latency_ms)}</dd>
            <dt>Escalated · task success · CSAT</dt>
            <dd>
              {yesNo(m.escalated)} · {yesNo(m.task_success)} · {m.csat === null ? noValue : formatQuantity(m.csat)}
            </dd>
          </dl>
        </Section>
        <div>
          <Section id="recording" title="Recording">
            {detail.audio_url ? (
              <audio controls preload="metadata" src={detail.audio_url} class="call-audio" aria-label={`Recording of call ${detail.call_id}`} />
            ) : (
              <p class="muted">No recording was uploaded for this call.</p>
            )}
          </Section>
          <Section id="cost" title="Cost">
            <CostLines detail={detail} />
          </Section>
        </div>
      </div>
      <Section id="waterfall" title="Latency per turn">
        {model.waterfall.value && model.waterfall.value.rows.length > 0 ? (
          <Waterfall rows={model.waterfall.value.rows} scaleMs={model.waterfall.value.scaleMs} />
        ) : (
          <p class="muted">No turns recorded.</p>
        )}
      </Section>
      <Section id="transcript" title="Transcript">
        {detail.transcript.length === 0 ? (
          <p class="muted">No transcript.</p>
        ) : (
          <ol class="transcript">
            {detail.transcript.map((line) => (
              <li key={line.turn} data-turn={line.turn}>
                <p class="transcript-time">
                  <span>Turn {line.turn}</span> <time dateTime={line.ts}>{formatOffset(line.ts, start)}</time>{' '}
                  <span>{formatClock(Date.parse(line.ts))}</span>
                </p>
                {line.user_text !== null && (
                  <p>
                    <span class="speaker">Caller</span> {line.user_text}
                  </p>
                )}
                {line.agent_text !== null && (
                  <p>
                    <span class="speaker">Agent</span> {line.agent_text}
                  </p>
                )}
              </li>
            ))}
          </ol>
        )}
      </Section>
      <Section id="tools" title="Tool calls">
        {detail.tool_calls.length === 0 ? (
          <p class="muted">No tool calls.</p>
        ) : (
          <TableScroll label="Tool calls">
            <table class="data-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Tool</th>
                  <th scope="col">Outcome</th>
                  <th scope="col" class="num">
                    Latency
                  </th>
                  <th scope="col">Arguments</th>
                  <th scope="col">Result or error</th>
                </tr>
              </thead>
              <tbody>
                {detail.tool_calls.map((tool, i) => (
                  <tr key={i}>
                    <td>{formatOffset(tool.ts, start)}</td>
                    <th scope="row">{tool.name}</th>
                    <td>
                      <span class={`badge ${tool.ok ? 'badge-good' : 'badge-bad'}`}>{tool.ok ? 'ok' : 'failed'}</span>
                    </td>
                    <td class="num">{formatMs(tool.latency_ms)}</td>
                    <td>
                      <Json value={tool.arguments} label={`Arguments of ${tool.name}`} />
                    </td>
                    <td>{tool.error ? <span class="tone-text-bad">{tool.error}</span> : <Json value={tool.result} label={`Result of ${tool.name}`} />}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Section>
      <Section id="errors" title="Errors">
        {detail.errors.length === 0 ? (
          <p class="muted">No errors.</p>
        ) : (
          <ul class="error-list">
            {detail.errors.map((e, i) => (
              <li key={i}>
                <p>
                  <span class="badge badge-bad">{e.component}</span> <code>{e.code}</code> {e.message}{' '}
                  <span class="muted">{formatOffset(e.ts, start)}</span>
                </p>
                {e.stack && (
                  <details>
                    <summary>Stack</summary>
                    <CodeBlock label={`Stack of ${e.code}`} text={e.stack} />
                  </details>
                )}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section id="requests" title="Provider requests">
        {detail.provider_requests.length === 0 ? (
          <p class="muted">No provider requests.</p>
        ) : (
          <TableScroll label="Provider requests">
            <table class="data-table">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Outcome</th>
                  <th scope="col" class="num">
                    Latency
                  </th>
                </tr>
              </thead>
              <tbody>
                {detail.provider_requests.map((r, i) => (
                  <tr key={i}>
                    <td>{formatOffset(r.ts, start)}</td>
                    <td>{r.kind.toUpperCase()}</td>
                    <td>{r.provider}</td>
                    <td>{r.ok ? 'ok' : <span class="tone-text-bad">failed{r.error_code ? ` (${r.error_code})` : ''}</span>}</td>
                    <td class="num">{formatMs(r.latency_ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        )}
      </Section>
    </article>
  );
}

function Json({ value, label }: { value: JsonValue | null; label: string }) {
  if (value === null) return <span class="muted">{noValue}</span>;
  return <CodeBlock label={label} text={JSON.stringify(value, null, 2)} />;
}

const partNames: Record<string, string> = { stt: 'STT', llm: 'LLM', tts: 'TTS', e2e: 'End to end' };

function Waterfall({ rows, scaleMs }: { rows: WaterfallRow[]; scaleMs: number }) {
  return (
    <>
      <p class="legend" aria-hidden="true">
        {(['stt', 'llm', 'tts', 'e2e'] as const).map((part) => (
          <span key={part} class="legend-item">
            <span class={`swatch bar-${part}`} /> {partNames[part]}
          </span>
        ))}
        <span class="muted"> · scale {formatMs(scaleMs)}</span>
      </p>
      <TableScroll label="Latency per turn">
        <table class="data-table waterfall">
          <thead>
            <tr>
              <th scope="col">Turn</th>
              <th scope="col" class="num">
                STT
              </th>
              <th scope="col" class="num">
                LLM
              </th>
              <th scope="col" class="num">
                TTS
              </th>
              <th scope="col" class="num">
                End to end
              </th>
              <th scope="col" class="waterfall-bars-head">
                Timeline
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.turn}>
                <th scope="row">
                  Turn {row.turn}
                  {row.interrupted && <span class="muted"> (barge-in)</span>}
                </th>
                {row.bars.map((bar) => (
                  <td key={bar.part} class="num" data-label={partNames[bar.part]}>
                    {formatMs(bar.durationMs)}
                  </td>
                ))}
                <td class="waterfall-bars" aria-hidden="true">
                  {[row.bars.filter((bar) => bar.part !== 'e2e'), row.bars.filter((bar) => bar.part === 'e2e')].map((track, i) => (
                    <span key={i} class="waterfall-track">
                      {track.map((bar) => (
                        <span
                          key={bar.part}
                          class={`bar bar-${bar.part}`}
                          style={{ left: `${bar.leftPct}%`, width: `${Math.max(bar.widthPct, 0.5)}%` }}
                          title={`${partNames[bar.part]} ${formatMs(bar.durationMs)}`}
                        />
                      ))}
                    </span>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

function CostLines({ detail }: { detail: CallDetail }) {
  return (
    <TableScroll label="Cost lines">
      <table class="data-table">
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col">Quantity</th>
            <th scope="col" class="num">
              Provider cost
            </th>
          </tr>
        </thead>
        <tbody>
          {detail.cost_lines.map((line, i) => (
            <tr key={i}>
              <th scope="row">
                {line.component.toUpperCase()} <span class="muted">{line.provider}</span>
              </th>
              <td>
                {formatQuantity(line.quantity)} {line.unit}
              </td>
              <td class="num">
                {line.reconciled_micros === null ? (
                  <>
                    {formatMoneyExact(line.estimated_micros)} <span class="muted sample">estimated</span>
                  </>
                ) : (
                  <>
                    {formatMoneyExact(line.reconciled_micros)}{' '}
                    <span class="muted sample">reconciled (est. {formatMoneyExact(line.estimated_micros)})</span>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Provider cost
            </th>
            <td class="num">{formatMoneyExact(detail.provider_cost_micros)}</td>
          </tr>
          <tr>
            <th scope="row" colSpan={2}>
              Billed to the customer
            </th>
            <td class="num">{formatMoneyExact(detail.cost_micros)}</td>
          </tr>
        </tfoot>
      </table>
    </TableScroll>
  );
}
