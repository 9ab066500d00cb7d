// The call list's filters as the page's query string holds them (docs/api.md "Operator calls"),
// so a view can be shared and survives a reload, and the same string feeds the list, the CSV
// export and the way back from a call.
import { callStatuses, providerKinds, type CallStatus, type ProviderKind } from './wire.ts';

export const callSorts = ['-started_at', 'started_at', '-latency_ms', '-cost_micros', '-duration_ms'] as const;
export type CallSort = (typeof callSorts)[number];
export const sortLabels: Record<CallSort, string> = {
  '-started_at': 'Newest first',
  started_at: 'Oldest first',
  '-latency_ms': 'Worst latency first',
  '-cost_micros': 'Highest cost first',
  '-duration_ms': 'Longest first',
};
export const pageSizes = [10, 25, 50, 100, 200, 500] as const;
export const defaultPageSize = 50;
export const defaultSort: CallSort = '-started_at';

export interface CallFilters {
  from: string;
  to: string;
  customer_id: string;
  status: CallStatus[];
  phone: string;
  min_latency_ms: string;
  region: string;
  provider: string;
  kind: ProviderKind | '';
  has_error: '' | 'true' | 'false';
  sort: CallSort;
  limit: number;
}

export const emptyFilters: CallFilters = {
  from: '',
  to: '',
  customer_id: '',
  status: [],
  phone: '',
  min_latency_ms: '',
  region: '',
  provider: '',
  kind: '',
  has_error: '',
  sort: defaultSort,
  limit: defaultPageSize,
};

/** Filter names in the order they are written to a query string. */
const textFields = ['from', 'to', 'customer_id', 'phone', 'min_latency_ms', 'region', 'provider'] as const;

function oneOf<T extends string>(options: readonly T[], value: string | null): T | undefined {
  return options.find((option) => option === value);
}

/**
 * Reads filters from a query string. Values are kept as typed, so the API (not this page) says
 * what is wrong with one; only the choices a form offers from a fixed list fall back to defaults.
 * The sort names the API also accepts unsigned (`latency_ms`) read as their signed twin.
 */
export function parseCallFilters(search: string): CallFilters {
  const params = new URLSearchParams(search);
  const filters: CallFilters = { ...emptyFilters, status: [] };
  for (const field of textFields) filters[field] = params.get(field)?.trim() ?? '';
  for (const part of params.getAll('status').flatMap((value) => value.split(','))) {
    const status = oneOf(callStatuses, part.trim());
    if (status && !filters.status.includes(status)) filters.status.push(status);
  }
  filters.kind = oneOf(providerKinds, params.get('kind')) ?? '';
  filters.has_error = oneOf(['true', 'false'] as const, params.get('has_error')) ?? '';
  const sort = params.get('sort');
  filters.sort = oneOf(callSorts, sort) ?? oneOf(callSorts, sort ? `-${sort}` : null) ?? defaultSort;
  const limit = Number(params.get('limit'));
  filters.limit = pageSizes.find((size) => size === limit) ?? defaultPageSize;
  return filters;
}

/** The filters as the API's query (empty values and defaults left out), without limit or cursor. */
export function filterQuery(filters: CallFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const field of textFields) if (filters[field] !== '') params.set(field, filters[field]);
  if (filters.status.length > 0) params.set('status', filters.status.join(','));
  if (filters.kind !== '') params.set('kind', filters.kind);
  if (filters.has_error !== '') params.set('has_error', filters.has_error);
  if (filters.sort !== defaultSort) params.set('sort', filters.sort);
  return params;
}

/** The page's own query string: the filters plus the page size. */
export function pageQuery(filters: CallFilters): URLSearchParams {
  const params = filterQuery(filters);
  if (filters.limit !== defaultPageSize) params.set('limit', String(filters.limit));
  return params;
}

export function withQuery(path: string, params: URLSearchParams): string {
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}

export const callListPath = '/ops/calls';

/** The CSV export of exactly what the list's filters and order select (up to 10,000 rows). */
export function callsCsvPath(filters: CallFilters): string {
  return withQuery('/api/ops/calls.csv', filterQuery(filters));
}

/** A call's page; it carries the list's query string, so its way back returns to the same list. */
export function callDetailPath(customerId: string, callId: string, listSearch: string): string {
  const path = `${callListPath}/${encodeURIComponent(customerId)}/${encodeURIComponent(callId)}`;
  return withQuery(path, new URLSearchParams(listSearch));
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

/**
 * A timestamp as a `datetime-local` input shows it: the browser's own time zone, to the second
 * (drill-down windows are whole seconds, so they survive the round trip exactly). '' when the
 * text is not a time.
 */
export function isoToLocalInput(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const at = new Date(ms);
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

/** A `datetime-local` value (the browser's time zone) as the API's UTC timestamp; '' stays ''. */
export function localInputToIso(value: string): string {
  if (value === '') return '';
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

/** Reads filters a person typed or picked in the list's form (times in `datetime-local` inputs). */
export function filtersFromForm(form: FormData): CallFilters {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value.trim() : '';
  };
  const params = new URLSearchParams();
  for (const field of textFields) params.set(field, text(field));
  params.set('from', localInputToIso(text('from')));
  params.set('to', localInputToIso(text('to')));
  params.set('status', form.getAll('status').filter((value): value is string => typeof value === 'string').join(','));
  for (const name of ['kind', 'has_error', 'sort', 'limit']) params.set(name, text(name));
  return parseCallFilters(params.toString());
}
