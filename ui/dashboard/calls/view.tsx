// The customer's own calls: search by call id, filter by status and days, page through, and
// download the same list as CSV. Each row says in plain words why a call did not go well.
import { useModel } from '@preact/signals';
import { formatDateTime, formatDurationWords, formatMoneyExact, noValue, type TimeZoneChoice } from '../../shared/format.ts';
import type { Display } from '../display.ts';
import { ProblemNotice } from '../problem-notice.tsx';
import type { Router } from '../router.ts';
import { ViewHeading } from '../view-heading.tsx';
import { callStatuses, type CustomerCall } from '../wire.ts';
import { statusLabels, type CallFilters } from './call-filters.ts';
import { callsApi } from './calls-api.ts';
import { CallsModel, type Calls } from './model.ts';

function When({ iso, zone }: { iso: string | null; zone: TimeZoneChoice }) {
  if (!iso) return <>{noValue}</>;
  return (
    <time dateTime={iso} title={formatDateTime(iso, 'utc')}>
      {formatDateTime(iso, zone)}
    </time>
  );
}

function CallRow({ call, zone }: { call: CustomerCall; zone: TimeZoneChoice }) {
  return (
    <tr data-call-id={call.call_id}>
      <td data-label="Started">
        <When iso={call.started_at ?? call.ended_at} zone={zone} />
      </td>
      <td data-label="Call ID">
        <code>{call.call_id}</code>
      </td>
      <td data-label="Duration" class="number">
        {formatDurationWords(call.duration_ms)}
      </td>
      <td data-label="Status">
        <span class={`status status-${call.status}`}>{statusLabels[call.status]}</span>
      </td>
      <td data-label="What happened">{call.failure_reason ?? noValue}</td>
      <td data-label="Billed cost" class="number">
        {formatMoneyExact(call.cost_micros)}
      </td>
    </tr>
  );
}

function FilterForm({ model }: { model: Calls }) {
  const filters = model.filters.value;
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    model.apply({ q: text('q'), status: text('status') as CallFilters['status'], from: text('from'), to: text('to') });
  };
  // Keyed by the filters, so the fields show what the URL says after back and forward.
  return (
    <form key={JSON.stringify(filters)} class="filters" role="search" aria-label="Filter calls" onSubmit={onSubmit}>
      <div class="field">
        <label for="calls-q">Call ID contains</label>
        <input id="calls-q" name="q" class="input" type="search" defaultValue={filters.q} maxLength={128} autoComplete="off" spellcheck={false} />
      </div>
      <div class="field">
        <label for="calls-status">Status</label>
        <select id="calls-status" name="status" class="input" defaultValue={filters.status}>
          <option value="">Any status</option>
          {callStatuses.map((status) => (
            <option key={status} value={status}>
              {statusLabels[status]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="calls-from">From day</label>
        <input id="calls-from" name="from" class="input" type="date" defaultValue={filters.from} />
      </div>
      <div class="field">
        <label for="calls-to">To day (included)</label>
        <input id="calls-to" name="to" class="input" type="date" defaultValue={filters.to} />
      </div>
      <div class="filter-actions">
        <button type="submit" class="button button-primary">
          Show calls
        </button>
        {model.filtered.value && (
          <button type="button" class="button" onClick={model.clear}>
            Clear filters
          </button>
        )}
      </div>
    </form>
  );
}

export function CallsView({ model, zone }: { model: Calls; zone: TimeZoneChoice }) {
  const page = model.page.value;
  const rows = page?.data ?? [];
  return (
    <section aria-labelledby="calls-heading">
      <div class="section-head">
        <ViewHeading level={2} id="calls-heading">
          Your calls
        </ViewHeading>
        <a class="button" href={model.csvHref.value} download>
          Download CSV
        </a>
      </div>
      <p class="hint">Newest first. The CSV holds every call this filter shows, up to 10,000, with costs in micro-dollars.</p>
      <FilterForm model={model} />
      <ProblemNotice error={model.error.value} what="your calls" onRetry={model.retry} />
      <div class="calls-status" role="status">
        {model.loading.value ? 'Loading calls…' : page && rows.length === 0 ? (model.filtered.value ? 'No calls match these filters.' : 'No calls yet.') : ''}
      </div>
      {rows.length > 0 && (
        <table class="calls-table" aria-busy={model.loading.value}>
          <caption class="visually-hidden">Your calls, page {model.pageNumber.value}</caption>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Call ID</th>
              <th scope="col" class="number">Duration</th>
              <th scope="col">Status</th>
              <th scope="col">What happened</th>
              <th scope="col" class="number">Billed cost</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((call) => (
              <CallRow key={call.call_id} call={call} zone={zone} />
            ))}
          </tbody>
        </table>
      )}
      {(model.hasPrevious.value || model.hasNext.value) && (
        <nav class="pager" aria-label="Pages of calls">
          <button type="button" class="button" aria-disabled={!model.hasPrevious.value} onClick={model.previous}>
            Previous page
          </button>
          <span>Page {model.pageNumber.value}</span>
          <button type="button" class="button" aria-disabled={!model.hasNext.value} onClick={model.next}>
            Next page
          </button>
        </nav>
      )}
    </section>
  );
}

export function CallsSection({ router, display }: { router: Router; display: Display }) {
  const model = useModel(() => new CallsModel({ api: callsApi, search: router.search, timeZone: display.timeZone, navigate: router.navigate }));
  return <CallsView model={model} zone={display.timeZone.value} />;
}
