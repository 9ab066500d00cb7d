// The customer's call list as signals: filters from the URL, one page at a time with the stack
// of cursors that led to it, and the CSV export of exactly the filters shown.
import { computed, createModel, effect, signal, untracked, type ReadonlySignal } from '@preact/signals';
import type { ApiError } from '../../shared/api.ts';
import type { TimeZoneChoice } from '../../shared/format.ts';
import { callsCsvPath, type CallsApi } from './calls-api.ts';
import { callsPath } from '../router.ts';
import type { CallPage } from '../wire.ts';
import { callsPageSize, callsQuery, emptyCallFilters, filtersSearch, parseCallFilters, type CallFilters } from './call-filters.ts';

export interface CallsDeps {
  api: CallsApi;
  /** The page's query string while the list is shown. */
  search: ReadonlySignal<string>;
  timeZone: ReadonlySignal<TimeZoneChoice>;
  navigate: (url: string) => void;
}

export const CallsModel = createModel((deps: CallsDeps) => {
  const filters = computed(() => parseCallFilters(deps.search.value));
  const query = computed(() => callsQuery(filters.value, deps.timeZone.value).toString());
  const page = signal<CallPage | null>(null);
  const loading = signal(false);
  const error = signal<ApiError | null>(null);
  /** Cursors of the pages before the one shown (null: the first page). */
  const earlier = signal<Array<string | null>>([]);
  let shownCursor: string | null = null;
  let inFlight: AbortController | null = null;
  let last: { at: string | null; before: Array<string | null> } = { at: null, before: [] };

  async function load(at: string | null, before: Array<string | null>): Promise<void> {
    last = { at, before };
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    loading.value = true;
    error.value = null;
    const params = new URLSearchParams(query.value);
    params.set('limit', String(callsPageSize));
    if (at !== null) params.set('cursor', at);
    const answer = await deps.api.calls(params, controller.signal);
    if (controller.signal.aborted) return;
    loading.value = false;
    if (answer.ok) {
      page.value = answer.data;
      shownCursor = at;
      earlier.value = before;
    } else {
      error.value = answer.error;
    }
  }

  // New filters (or a new time zone, which moves the days' edges) start from the first page.
  effect(() => {
    query.value;
    untracked(() => void load(null, []));
    return () => inFlight?.abort();
  });

  return {
    filters,
    page,
    loading,
    error,
    pageNumber: computed(() => earlier.value.length + 1),
    hasPrevious: computed(() => earlier.value.length > 0),
    hasNext: computed(() => page.value?.has_more === true && page.value.next_cursor !== null),
    csvHref: computed(() => callsCsvPath(new URLSearchParams(query.value))),
    filtered: computed(() => filtersSearch(filters.value) !== ''),
    apply(next: CallFilters) {
      deps.navigate(callsPath + filtersSearch(next));
    },
    clear() {
      deps.navigate(callsPath + filtersSearch(emptyCallFilters));
    },
    next() {
      const cursor = page.value?.next_cursor;
      if (cursor && !loading.value) void load(cursor, [...earlier.value, shownCursor]);
    },
    previous() {
      if (earlier.value.length > 0 && !loading.value) void load(earlier.value.at(-1) ?? null, earlier.value.slice(0, -1));
    },
    retry() {
      void load(last.at, last.before);
    },
  };
});

export type Calls = InstanceType<typeof CallsModel>;
