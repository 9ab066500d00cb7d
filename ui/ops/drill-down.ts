// From a number on the dashboard to the calls behind it: a time window (a clicked point, a
// dragged range, the live window) becomes the call list's query string.
import { callListPath, emptyFilters, pageQuery, withQuery, type CallFilters, type CallSort } from './call-filters.ts';
import type { CallStatus, ProviderKind } from './wire.ts';

export interface TimeWindow {
  fromMs: number;
  toMs: number;
}

/** What a chart or panel adds to its window: the order, and the calls it is about. */
export interface DrillDown {
  sort: CallSort;
  hasError?: boolean;
  status?: CallStatus[];
  kind?: ProviderKind;
  provider?: string;
  customerId?: string;
}

const secondMs = 1000;

/** Whole seconds, widened outwards, at least one second long: a window the form can show exactly. */
export function wholeSeconds(window: TimeWindow): TimeWindow {
  const fromMs = Math.floor(Math.min(window.fromMs, window.toMs) / secondMs) * secondMs;
  const toMs = Math.ceil(Math.max(window.fromMs, window.toMs) / secondMs) * secondMs;
  return { fromMs, toMs: Math.max(toMs, fromMs + secondMs) };
}

export function drillDownFilters(window: TimeWindow, region: string | null, drill: DrillDown): CallFilters {
  const { fromMs, toMs } = wholeSeconds(window);
  return {
    ...emptyFilters,
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    region: region ?? '',
    sort: drill.sort,
    status: drill.status ?? [],
    has_error: drill.hasError ? 'true' : '',
    // The API takes `kind` only together with `provider`.
    kind: drill.provider && drill.kind ? drill.kind : '',
    provider: drill.provider ?? '',
    customer_id: drill.customerId ?? '',
  };
}

export function drillDownHref(window: TimeWindow, region: string | null, drill: DrillDown): string {
  return withQuery(callListPath, pageQuery(drillDownFilters(window, region, drill)));
}
