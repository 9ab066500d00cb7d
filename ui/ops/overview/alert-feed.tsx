import { formatDateTime } from '../../shared/format.ts';
import { formatAge } from '../format.ts';
import type { Alert, AlertDelivery } from '../wire.ts';
import type { Overview } from './model.ts';

const recentResolvedShown = 10;

/** Open alerts first (newest first), then the last few resolved ones, each with its deliveries. */
export function AlertFeed({ model }: { model: Overview }) {
  const open = model.openAlerts.value;
  const resolved = model.resolvedAlerts.value.slice(0, recentResolvedShown);
  const error = model.alertsError.value;
  return (
    <section aria-labelledby="alerts-heading" class="ops-section panel">
      <h2 id="alerts-heading">
        Alerts <span class="heading-note">{open.length === 0 ? 'none open' : `${open.length} open`}</span>
      </h2>
      {error && <p class="notice notice-error">The alert feed could not be loaded: {error.message}</p>}
      {open.length === 0 && resolved.length === 0 && !error && <p class="muted">No alerts in the last 7 days.</p>}
      {open.length > 0 && (
        <ul class="alert-list" aria-label="Open alerts">
          {open.map((alert) => (
            <AlertItem key={alert.id} alert={alert} model={model} />
          ))}
        </ul>
      )}
      {resolved.length > 0 && (
        <details class="resolved-alerts">
          <summary>Recently resolved ({resolved.length})</summary>
          <ul class="alert-list" aria-label="Recently resolved alerts">
            {resolved.map((alert) => (
              <AlertItem key={alert.id} alert={alert} model={model} />
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function statusText(alert: Alert, nowMs: number): string {
  if (alert.status === 'resolved' && alert.resolved_at) return `Resolved ${formatAge(nowMs - Date.parse(alert.resolved_at))}`;
  if (alert.status === 'acknowledged') return `Acknowledged${alert.acknowledged_by ? ` by ${alert.acknowledged_by}` : ''}`;
  if (alert.silenced_until) return `Silenced until ${formatDateTime(alert.silenced_until, 'local')}`;
  return 'Triggered';
}

function deliveryText(delivery: AlertDelivery): string {
  const attempts = delivery.attempts.length;
  const last = delivery.attempts.at(-1);
  const tries = `${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`;
  const failure = last && !last.ok ? `, last: ${last.error ?? `HTTP ${last.status_code ?? '?'}`}` : '';
  return `${delivery.action} ${delivery.status} (${tries}${failure})`;
}

function AlertItem({ alert, model }: { alert: Alert; model: Overview }) {
  const nowMs = model.clock.value;
  const names = model.targetNames.value;
  const pending = model.acknowledging.value.includes(alert.id);
  const ackError = model.ackError.value?.alertId === alert.id ? model.ackError.value.error : null;
  return (
    <li class={`alert-item severity-${alert.severity} status-${alert.status}`} data-alert={alert.dedup_key}>
      <div class="alert-head">
        <span class={`badge ${alert.severity === 'critical' ? 'badge-bad' : 'badge-warn'}`}>
          {alert.severity === 'critical' ? 'Critical' : 'Warning'}
        </span>
        <span class="alert-age" title={formatDateTime(alert.triggered_at, 'local')}>
          {formatAge(nowMs - Date.parse(alert.triggered_at))}
        </span>
      </div>
      <p class="alert-summary">{alert.summary}</p>
      <p class="alert-meta">
        {statusText(alert, nowMs)} · <code>{alert.dedup_key}</code>
      </p>
      {alert.deliveries.length > 0 && (
        <ul class="alert-deliveries" aria-label="Deliveries">
          {alert.deliveries.map((delivery) => (
            <li key={delivery.message_id + delivery.target_id}>
              <span class={`delivery-${delivery.status}`}>{names[delivery.target_id] ?? delivery.target_id}</span>: {deliveryText(delivery)}
            </li>
          ))}
        </ul>
      )}
      {alert.status === 'triggered' && (
        <button type="button" class="button button-small" aria-disabled={pending} onClick={() => void model.acknowledge(alert.id)}>
          {pending ? 'Acknowledging…' : 'Acknowledge'}
        </button>
      )}
      {ackError && <p class="notice notice-error">Could not acknowledge: {ackError.message}</p>}
    </li>
  );
}
