// The overview as signals: this month's figures and the last 30 days, fetched together, each shown
// as it answers and with its own failure, so the charts never hold back or hide the tiles.
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
    const figures = deps.api.overview(controller.signal).then((answer) => {
      if (controller.signal.aborted) return;
      overview.value = answer.ok ? answer.data : overview.value;
      overviewError.value = answer.ok ? null : answer.error;
    });
    const days = deps.api.usage(controller.signal).then((answer) => {
      if (controller.signal.aborted) return;
      usage.value = answer.ok ? answer.data : usage.value;
      usageError.value = answer.ok ? null : answer.error;
    });
    await Promise.all([figures, days]);
    if (!controller.signal.aborted) loading.value = false;
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
