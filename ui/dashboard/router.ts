// The dashboard's views live at their own URLs under /dashboard (the Worker serves the same page
// for all of them), so a reload or a shared link opens the same view with the same filters.
import { computed, createModel, signal } from '@preact/signals';

export const dashboardPath = '/dashboard';
export const callsPath = '/dashboard/calls';
export const invoicesPath = '/dashboard/invoices';

export type Route = { view: 'overview' } | { view: 'calls' } | { view: 'invoices'; month: string | null } | { view: 'not_found' };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '') || '/';
  if (path === dashboardPath) return { view: 'overview' };
  if (path === callsPath) return { view: 'calls' };
  if (path === invoicesPath) return { view: 'invoices', month: null };
  const month = /^\/dashboard\/invoices\/(\d{4}-(?:0[1-9]|1[0-2]))$/.exec(path)?.[1];
  return month ? { view: 'invoices', month } : { view: 'not_found' };
}

export function invoicePath(month: string): string {
  return `${invoicesPath}/${month}`;
}

export interface RouterDeps {
  pathname: string;
  search: string;
  /** Adds a history entry for `url` (a path with its query string). */
  pushState: (url: string) => void;
}

export const RouterModel = createModel((deps: RouterDeps) => {
  const pathname = signal(deps.pathname);
  const search = signal(deps.search);
  /** False until the reader first moves within the page: a fresh load keeps focus at the top. */
  const navigated = signal(false);

  function show(url: string) {
    navigated.value = true;
    const target = new URL(url, 'http://dashboard.invalid');
    pathname.value = target.pathname;
    search.value = target.search;
  }

  return {
    pathname,
    search,
    navigated,
    route: computed(() => parseRoute(pathname.value)),
    navigate(url: string) {
      deps.pushState(url);
      show(url);
    },
    /** The browser moved through its history (back, forward): show where it now is. */
    sync(url: string) {
      show(url);
    },
  };
});

export type Router = InstanceType<typeof RouterModel>;
