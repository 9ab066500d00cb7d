// The call list's filters as the page's query string keeps them (so a reload or a shared link
// shows the same list), and as the API takes them: whole days in the reader's chosen time zone
// become the UTC instants `from` (inclusive) and `to` (exclusive).
import type { TimeZoneChoice } from '../../shared/format.ts';
import { callStatuses, type CallStatus } from '../wire.ts';

export interface CallFilters {
  /** Part of a call id. */
  q: string;
  status: CallStatus | '';
  /** First day shown, YYYY-MM-DD. */
  from: string;
  /** Last day shown, YYYY-MM-DD. */
  to: string;
}

export const emptyCallFilters: CallFilters = { q: '', status: '', from: '', to: '' };
export const callsPageSize = 50;

export const statusLabels: Record<CallStatus, string> = {
  completed: 'Completed',
  failed: 'Failed',
  abandoned: 'Abandoned',
  in_progress: 'In progress',
};

const dayPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseCallFilters(search: string): CallFilters {
  const params = new URLSearchParams(search);
  const day = (name: string) => {
    const value = params.get(name) ?? '';
    return dayPattern.test(value) ? value : '';
  };
  const status = params.get('status');
  return {
    q: (params.get('q') ?? '').trim(),
    status: callStatuses.find((s) => s === status) ?? '',
    from: day('from'),
    to: day('to'),
  };
}

/** The filters as the page's own query string, empty ones left out. */
export function filtersSearch(filters: CallFilters): string {
  const params = new URLSearchParams();
  for (const name of ['q', 'status', 'from', 'to'] as const) if (filters[name]) params.set(name, filters[name]);
  const search = params.toString();
  return search ? `?${search}` : '';
}

/** Midnight at the start of `day` (plus `addDays`) in the chosen zone, as an RFC 3339 UTC instant. */
export function dayStart(day: string, zone: TimeZoneChoice, addDays = 0): string | null {
  const match = dayPattern.exec(day);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]) - 1, Number(match[3]) + addDays];
  const instant = zone === 'utc' ? new Date(Date.UTC(year, month, date)) : new Date(year, month, date);
  return Number.isNaN(instant.getTime()) ? null : instant.toISOString();
}

/** The filters as the API's query (`from`/`to`/`status`/`q`), without paging. */
export function callsQuery(filters: CallFilters, zone: TimeZoneChoice): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.q) params.set('q', filters.q);
  if (filters.status) params.set('status', filters.status);
  const from = filters.from ? dayStart(filters.from, zone) : null;
  const to = filters.to ? dayStart(filters.to, zone, 1) : null;
  if (from) params.set('from', from);
  if (to) params.set('to', to);
  return params;
}
