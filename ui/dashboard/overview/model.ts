// The overview as signals: this month's figures and the last 30 days, fetched together, each with
// its own failure so a broken chart never hides the tiles.
import { computed, createModel, effect, signal, untracked } from '@preact/signals';
import type { ApiError } from '../../shared/api.ts';
import type { CustomerApi } from '../customer-api.ts';
import type { Overview, UsageDay } from '../wire.ts';
import { tileWords } from './tiles.ts';

export interface OverviewDeps {
  api: Pick<CustomerApi, 'overview' | 'usage'>;
}

export const OverviewModel = createModel((deps: OverviewDeps) => {
  const overview = signal<Overview | null>(null);
  const overviewError = signal<ApiError | null>(null);
  const usage = signal<UsageDay[] | null>(null);
  const usageError = signal<ApiError | null>(null);
  const loading = signal(false);
  let inFlight: AbortController | null = null;

  async function load(): Promise<void> {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    loading.value = true;
    const [figures, days] = await Promise.all([deps.api.overview(controller.signal), deps.api.usage(controller.signal)]);
    if (controller.signal.aborted) return;
    loading.value = false;
    overview.value = figures.ok ? figures.data : overview.value;
    overviewError.value = figures.ok ? null : figures.error;
    usage.value = days.ok ? days.data : usage.value;
    usageError.value = days.ok ? null : days.error;
  }

  effect(() => {
    untracked(() => void load());
    return () => inFlight?.abort();
  });

  return {
    overview,
    overviewError,
    usage,
    usageError,
    loading,
    tiles: computed(() => (overview.value ? tileWords(overview.value) : [])),
    /** The figures came from the last good copy while the database was out of reach (the daily list, read at the same moment, then too). */
    stale: computed(() => overview.value?.stale === true),
    reload() {
      void load();
    },
  };
});

export type OverviewState = InstanceType<typeof OverviewModel>;
