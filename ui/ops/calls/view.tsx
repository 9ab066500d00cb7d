import { useModel } from '@preact/signals';
import type { InputHTMLAttributes, JSX } from 'preact';
import { formatDateTime, formatMoney } from '../../shared/format.ts';
import {
  callDetailPath,
  filtersFromForm,
  isoToLocalInput,
  pageSizes,
  sortLabels,
  callSorts,
} from '../call-filters.ts';
import { formatDuration, formatMs } from '../format.ts';
import { opsApi } from '../ops-api.ts';
import { viewSearch, type Router } from '../router.ts';
import { TableScroll } from '../scroll-region.tsx';
import { callStatuses, providerKinds, type CallListRow, type CallStatus } from '../wire.ts';
import { CallsModel, type Calls } from './model.ts';

export const statusWords: Record<CallStatus, string> = {
  completed: 'Completed',
  failed: 'Failed',
  abandoned: 'Abandoned',
  in_progress: 'In progress',
  stale: 'Stale',
};

const wideScreen = '(min-width: 40rem)';

const localZone = new Intl.DateTimeFormat(undefined, { timeZoneName: 'short' }).formatToParts(new Date()).find((part) => part.type === 'timeZoneName')?.value ?? 'local time';

export function CallsPage({ router }: { router: Router }) {
  const model = useModel(() => new CallsModel({ api: opsApi, search: viewSearch(router, 'calls'), navigate: router.navigate }));
  return (
    <>
      <FilterForm model={model} />
      <Results model={model} router={router} />
    </>
  );
}

function Field({ name, label, hint, error, children }: { name: string; label: string; hint?: string; error?: string | undefined; children: JSX.Element }) {
  return (
    <div class="field">
      <label for={`filter-${name}`}>{label}</label>
      {children}
      {hint && (
        <p class="field-hint" id={`filter-${name}-hint`}>
          {hint}
        </p>
      )}
      {error && (
        <p class="field-error" id={`filter-${name}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

function describedBy(name: string, hint: boolean, error: string | undefined): string | undefined {
  const ids = [hint ? `filter-${name}-hint` : '', error ? `filter-${name}-error` : ''].filter(Boolean);
  return ids.length > 0 ? ids.join(' ') : undefined;
}

/** Every filter of GET /api/ops/calls; applying it changes the URL, which reloads the list. */
function FilterForm({ model }: { model: Calls }) {
  const filters = model.filters.value;
  const errors = model.fieldErrors.value;
  const text = (name: 'customer_id' | 'phone' | 'min_latency_ms' | 'region' | 'provider', props: InputHTMLAttributes = {}, hint?: string) => (
    <input
      id={`filter-${name}`}
      name={name}
      class="input"
      defaultValue={filters[name]}
      aria-invalid={errors[name] ? 'true' : undefined}
      aria-describedby={describedBy(name, hint !== undefined, errors[name])}
      {...props}
    />
  );
  const onSubmit = (event: SubmitEvent) => {
    event.preventDefault();
    model.apply(filtersFromForm(new FormData(event.currentTarget as HTMLFormElement)));
  };
  return (
    <form class="filter-form" onSubmit={onSubmit} key={model.listSearch.value} aria-label="Call filters">
      {/* On a phone the filters fold away, so the calls come first; they open again with a tap. */}
      <details class="filter-panel" open={Object.keys(errors).length > 0 || window.matchMedia(wideScreen).matches}>
        <summary>
          Filters{' '}
          <span class="muted">{model.activeFilterCount.value === 0 ? 'none set' : `${model.activeFilterCount.value} set`}</span>
        </summary>
        <div class="filter-grid">
          <Field name="from" label={`From (${localZone})`} error={errors.from}>
            <input
              id="filter-from"
              name="from"
              type="datetime-local"
              step={1}
              class="input"
              defaultValue={isoToLocalInput(filters.from)}
              aria-invalid={errors.from ? 'true' : undefined}
              aria-describedby={describedBy('from', false, errors.from)}
            />
          </Field>
          <Field name="to" label={`To (${localZone})`} error={errors.to}>
            <input
              id="filter-to"
              name="to"
              type="datetime-local"
              step={1}
              class="input"
              defaultValue={isoToLocalInput(filters.to)}
              aria-invalid={errors.to ? 'true' : undefined}
              aria-describedby={describedBy('to', false, errors.to)}
            />
          </Field>
          <Field name="customer_id" label="Customer" error={errors.customer_id}>
            {text('customer_id', { autoComplete: 'off', spellcheck: false })}
          </Field>
          <Field name="phone" label="Phone number" hint="E.164, caller or callee" error={errors.phone}>
            {text('phone', { type: 'tel', placeholder: '+14155550123', autoComplete: 'off' }, 'E.164, caller or callee')}
          </Field>
          <Field name="min_latency_ms" label="Min. latency (ms)" hint="Of the worst turn" error={errors.min_latency_ms}>
            {text('min_latency_ms', { type: 'number', min: 0, step: 1, inputMode: 'numeric' }, 'Of the worst turn')}
          </Field>
          <Field name="region" label="Region" error={errors.region}>
            {text('region', { autoComplete: 'off', spellcheck: false, placeholder: 'us' })}
          </Field>
          <Field name="provider" label="Provider" error={errors.provider}>
            {text('provider', { autoComplete: 'off', spellcheck: false, placeholder: 'deepgram' })}
          </Field>
          <Field name="kind" label="Provider kind" hint="Applies with a provider" error={errors.kind}>
            <select id="filter-kind" name="kind" class="input" aria-describedby={describedBy('kind', true, errors.kind)} aria-invalid={errors.kind ? 'true' : undefined}>
              <option value="" selected={filters.kind === ''}>
                Any
              </option>
              {providerKinds.map((kind) => (
                <option key={kind} value={kind} selected={filters.kind === kind}>
                  {kind.toUpperCase()}
                </option>
              ))}
            </select>
          </Field>
          <Field name="has_error" label="Errors" error={errors.has_error}>
            <select id="filter-has_error" name="has_error" class="input">
              <option value="" selected={filters.has_error === ''}>
                Any
              </option>
              <option value="true" selected={filters.has_error === 'true'}>
                With errors
              </option>
              <option value="false" selected={filters.has_error === 'false'}>
                Without errors
              </option>
            </select>
          </Field>
          <Field name="sort" label="Order" error={errors.sort}>
            <select id="filter-sort" name="sort" class="input">
              {callSorts.map((sort) => (
                <option key={sort} value={sort} selected={filters.sort === sort}>
                  {sortLabels[sort]}
                </option>
              ))}
            </select>
          </Field>
          <Field name="limit" label="Rows per page" error={errors.limit}>
            <select id="filter-limit" name="limit" class="input">
              {pageSizes.map((size) => (
                <option key={size} value={size} selected={filters.limit === size}>
                  {size}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <fieldset class="status-filter">
          <legend>Status</legend>
          {callStatuses.map((status) => (
            <label key={status} class="check">
              <input type="checkbox" name="status" value={status} defaultChecked={filters.status.includes(status)} /> {statusWords[status]}
            </label>
          ))}
          {errors.status && <p class="field-error">{errors.status}</p>}
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="button button-primary">
            Apply filters
          </button>
          <button type="button" class="button" onClick={() => model.clear()}>
            Clear
          </button>
        </div>
      </details>
    </form>
  );
}

function moveFocus(event: KeyboardEvent): void {
  const links = [...(event.currentTarget as HTMLElement).querySelectorAll<HTMLAnchorElement>('a[data-row-link]')];
  const current = links.indexOf(document.activeElement as HTMLAnchorElement);
  const targets: Record<string, number> = { ArrowDown: current + 1, ArrowUp: current - 1, Home: 0, End: links.length - 1 };
  const target = targets[event.key];
  if (target === undefined) return;
  event.preventDefault();
  links[Math.max(0, Math.min(links.length - 1, current === -1 ? 0 : target))]?.focus();
}

function Results({ model, router }: { model: Calls; router: Router }) {
  const page = model.page.value;
  const error = model.error.value;
  const listSearch = model.listSearch.value;
  const rows = page?.data ?? [];
  return (
    <section aria-labelledby="results-heading" class="ops-section">
      <div class="results-head">
        <h2 id="results-heading">
          Calls <span class="heading-note">page {model.pageNumber.value}</span>
        </h2>
        <a class="button" href={model.csvHref.value} download>
          Download CSV
        </a>
      </div>
      <div role="status" class="results-status">
        {model.loading.value ? 'Loading calls…' : page ? `${rows.length} ${rows.length === 1 ? 'call' : 'calls'} on this page${page.has_more ? ', more on the next' : ''}.` : ''}
      </div>
      {error && (
        <div class="notice notice-error" role="alert">
          <p>{error.message}</p>
          {error.details.length > 0 && (
            <ul>
              {error.details.map((detail) => (
                <li key={detail.path + detail.message}>{detail.path ? `${detail.path}: ${detail.message}` : detail.message}</li>
              ))}
            </ul>
          )}
          <button type="button" class="button button-small" onClick={() => model.retry()}>
            Try again
          </button>
        </div>
      )}
      {page && rows.length === 0 && <p class="muted">No calls match these filters.</p>}
      {rows.length > 0 && (
        <TableScroll label="Calls">
          <table class="data-table calls-table" onKeyDown={moveFocus}>
            <caption class="visually-hidden">Calls; arrow keys move between rows, Enter opens a call</caption>
            <thead>
              <tr>
                <th scope="col">Call</th>
                <th scope="col">Customer</th>
                <th scope="col">Started</th>
                <th scope="col" class="num">
                  Duration
                </th>
                <th scope="col">Status</th>
                <th scope="col" class="num">
                  Worst turn
                </th>
                <th scope="col" class="num">
                  Cost
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <CallRow key={`${row.customer_id}/${row.call_id}`} row={row} href={callDetailPath(row.customer_id, row.call_id, listSearch)} router={router} />
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <nav class="pager" aria-label="Pages">
        <button type="button" class="button" disabled={!model.hasPrevious.value} onClick={() => model.previous()}>
          Previous
        </button>
        <span class="muted">Page {model.pageNumber.value}</span>
        <button type="button" class="button" disabled={!model.hasNext.value} onClick={() => model.next()}>
          Next
        </button>
      </nav>
    </section>
  );
}

function CallRow({ row, href, router }: { row: CallListRow; href: string; router: Router }) {
  const onClick = (event: MouseEvent) => {
    // The link handles its own clicks; anywhere else on the row opens the call too.
    if ((event.target as Element).closest('a')) return;
    router.navigate(href);
  };
  return (
    <tr class="clickable-row" onClick={onClick} data-call={`${row.customer_id}/${row.call_id}`}>
      <th scope="row">
        <a href={href} data-row-link class="call-link">
          {row.call_id}
        </a>
      </th>
      <td data-label="Customer">{row.customer_id}</td>
      <td data-label="Started">{formatDateTime(row.started_at, 'local')}</td>
      <td class="num" data-label="Duration">
        {formatDuration(row.duration_ms)}
      </td>
      <td data-label="Status">
        <span class={`status status-${row.status}`}>{statusWords[row.status]}</span>
        {row.error_count > 0 && (
          <span class="muted">
            {' '}
            · {row.error_count} {row.error_count === 1 ? 'error' : 'errors'}
          </span>
        )}
      </td>
      <td class="num" data-label="Worst turn">
        {formatMs(row.latency_ms)}
      </td>
      <td class="num" data-label="Cost">
        {formatMoney(row.cost_micros)}
      </td>
    </tr>
  );
}
