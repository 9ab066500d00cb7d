// The call list as signals: filters read from the URL (so a view is shareable and survives a
// reload), one page at a time with a stack of the cursors that led to it, and the CSV export of
// the same filters.
import { computed, createModel, effect, signal, untracked, type ReadonlySignal } from '@preact/signals';
import type { ApiError } from '../../shared/api.ts';
import { callListPath, callsCsvPath, emptyFilters, filterQuery, pageQuery, parseCallFilters, withQuery, type CallFilters } from '../call-filters.ts';
import type { OpsApi } from '../ops-api.ts';
import type { CallListPage } from '../wire.ts';

export interface CallsDeps {
  api: Pick<OpsApi, 'calls'>;
  /** The list's query string (the router's `search` while the list is shown). */
  search: ReadonlySignal<string>;
  navigate: (url: string) => void;
}

interface PageRequest {
  at: string | null;
  /** The cursor stack once this page is shown. */
  before: Array<string | null>;
}

export const CallsModel = createModel((deps: CallsDeps) => {
  const filters = computed<CallFilters>(() => parseCallFilters(deps.search.value));
  const query = computed(() => pageQuery(filters.value).toString());
  /** Cursors of the pages before this one (null for the first page). */
  const previousCursors = signal<Array<string | null>>([]);
  const cursor = signal<string | null>(null);
  const page = signal<CallListPage | null>(null);
  const loading = signal(false);
  const error = signal<ApiError | null>(null);
  let inFlight: AbortController | null = null;
  let lastRequest: PageRequest = { at: null, before: [] };

  /** Loads the page at cursor `at`; the cursor stack moves only once that page has arrived. */
  async function load(request: PageRequest): Promise<void> {
    const { at, before } = request;
    lastRequest = request;
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    loading.value = true;
    error.value = null;
    const params = new URLSearchParams(query.value);
    params.set('limit', String(filters.value.limit));
    if (at !== null) params.set('cursor', at);
    const answer = await deps.api.calls(params, controller.signal);
    if (controller.signal.aborted) return;
    loading.value = false;
    if (answer.ok) {
      page.value = answer.data;
      cursor.value = at;
      previousCursors.value = before;
    } else {
      page.value = null;
      error.value = answer.error;
    }
  }

  // New filters start again from the first page.
  effect(() => {
    query.value;
    untracked(() => {
      // Cursors belong to the filters they were read with.
      previousCursors.value = [];
      cursor.value = null;
      void load({ at: null, before: [] });
    });
    return () => inFlight?.abort();
  });

  const fieldErrors = computed<Record<string, string>>(() => {
    const details = error.value?.details ?? [];
    return Object.fromEntries(details.filter((d) => d.path !== '').map((d) => [d.path, d.message]));
  });

  return {
    filters,
    page,
    loading,
    error,
    fieldErrors,
    pageNumber: computed(() => previousCursors.value.length + 1),
    hasPrevious: computed(() => previousCursors.value.length > 0),
    hasNext: computed(() => page.value?.has_more === true && page.value.next_cursor !== null),
    csvHref: computed(() => callsCsvPath(filters.value)),
    /** Filters that narrow the list (order and page size do not). */
    activeFilterCount: computed(() => [...filterQuery(filters.value).keys()].filter((name) => name !== 'sort').length),
    /** The list's own query string, which each call's page carries for its way back. */
    listSearch: query,
    apply(next: CallFilters) {
      deps.navigate(withQuery(callListPath, pageQuery(next)));
    },
    clear() {
      deps.navigate(withQuery(callListPath, pageQuery(emptyFilters)));
    },
    next() {
      const next = page.value?.next_cursor;
      if (!next || loading.value) return;
      void load({ at: next, before: [...previousCursors.value, cursor.value] });
    },
    previous() {
      if (previousCursors.value.length === 0 || loading.value) return;
      void load({ at: previousCursors.value.at(-1) ?? null, before: previousCursors.value.slice(0, -1) });
    },
    retry() {
      void load(lastRequest);
    },
  };
});

export type Calls = InstanceType<typeof CallsModel>;
