import { formatAge, formatClock } from '../format.ts';
import { knownRegions, timeRangeLabels, timeRanges, type Overview } from './model.ts';

/** Region filter and time range, both kept in the URL. */
export function OverviewToolbar({ model }: { model: Overview }) {
  const region = model.region.value;
  const regions = region && !knownRegions.some((r) => r === region) ? [...knownRegions, region] : knownRegions;
  return (
    <div class="toolbar">
      <div class="toolbar-field">
        <label for="region-filter">Region</label>
        <select
          id="region-filter"
          class="input input-inline"
          value={region ?? ''}
          onChange={(event) => model.setRegion(event.currentTarget.value || null)}
        >
          <option value="">All regions</option>
          {regions.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </div>
      <fieldset class="segmented">
        <legend>Time range</legend>
        {timeRanges.map((range) => (
          <label key={range} class="segmented-option">
            <input
              type="radio"
              name="time-range"
              value={range}
              checked={model.range.value === range}
              onChange={() => model.setRange(range)}
            />
            <span>{timeRangeLabels[range]}</span>
          </label>
        ))}
      </fieldset>
      <Freshness model={model} />
    </div>
  );
}

/** How old the live values are; its own component, so the once-a-second tick re-renders only this. */
function Freshness({ model }: { model: Overview }) {
  const connection = model.connection.value;
  const age = model.ageMs.value;
  if (connection === 'connecting' && age === null) return <p class="freshness">Connecting…</p>;
  const text = age === null ? 'No live values yet' : `Updated ${formatAge(age)}`;
  return (
    <p class={model.stale.value ? 'freshness freshness-stale' : 'freshness'} data-testid="freshness">
      <span class="freshness-dot" aria-hidden="true" />
      {text}
      {model.asOfMs.value !== null && <span class="freshness-asof"> (as of {formatClock(model.asOfMs.value)})</span>}
    </p>
  );
}

/** Said once, loudly, when polling fails; the values below stay visible and say how old they are. */
export function ConnectionNotice({ model }: { model: Overview }) {
  const connection = model.connection.value;
  const error = model.lastError.value;
  return (
    <div role="alert">
      {connection === 'lost' && (
        <div class="notice notice-error" data-testid="connection-lost">
          <p>
            <strong>Connection lost.</strong> {error?.message ?? 'The live values could not be fetched.'} Retrying every few
            seconds; the numbers below are from the last successful update.
          </p>
        </div>
      )}
      {connection === 'signed_out' && (
        <div class="notice notice-error">
          <p>
            <strong>Your session has ended.</strong>{' '}
            <a href={`/login?next=${encodeURIComponent(window.location.pathname + window.location.search)}`}>Sign in again</a> to
            keep the dashboard live.
          </p>
        </div>
      )}
    </div>
  );
}
