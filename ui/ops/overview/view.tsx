import { useModel } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { opsApi } from '../ops-api.ts';
import type { Timers } from '../poll.ts';
import { viewSearch, type Router } from '../router.ts';
import { AlertFeed } from './alert-feed.tsx';
import { OverviewCharts } from './charts-view.tsx';
import { CoreTiles } from './tiles-view.tsx';
import { CustomerTable } from './customer-table.tsx';
import { OverviewModel } from './model.ts';
import { ProviderPanel } from './provider-panel.tsx';
import { ConnectionNotice, OverviewToolbar } from './toolbar.tsx';

const browserTimers: Timers = {
  setTimeout: (callback, ms) => window.setTimeout(callback, ms),
  clearTimeout: (id) => window.clearTimeout(id),
};

function createOverview(router: Router) {
  return new OverviewModel({
    api: opsApi,
    search: viewSearch(router, 'overview'),
    setSearch: (query) => router.replace(`/ops${query}`),
    now: () => Date.now(),
    timers: browserTimers,
  });
}

export function OverviewPage({ router }: { router: Router }) {
  const model = useModel(() => createOverview(router));

  useEffect(() => {
    // Background tabs get their timers slowed to a crawl; catch up the moment the tab is back.
    const onVisible = () => {
      if (document.visibilityState === 'visible') model.refreshNow();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [model]);

  return (
    <>
      <OverviewToolbar model={model} />
      <ConnectionNotice model={model} />
      <CoreTiles model={model} router={router} />
      <div class="two-column">
        <ProviderPanel model={model} />
        <AlertFeed model={model} />
      </div>
      <OverviewCharts model={model} router={router} />
      <CustomerTable model={model} />
    </>
  );
}
