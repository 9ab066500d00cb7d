// Client-side routing inside /ops: the Worker serves ops.html for /ops and every path below it,
// and the page picks its view from location.pathname. In-app links are plain anchors; the page
// turns their clicks into history.pushState and follows popstate back and forth.
import { computed, createModel, signal, type ReadonlySignal } from '@preact/signals';

export type Route =
  | { view: 'overview' }
  | { view: 'calls' }
  | { view: 'call'; customerId: string; callId: string }
  | { view: 'logins' }
  | { view: 'audit' }
  | { view: 'not_found' };

function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, '');
  if (path === '/ops') return { view: 'overview' };
  if (path === '/ops/calls') return { view: 'calls' };
  if (path === '/ops/logins') return { view: 'logins' };
  if (path === '/ops/audit') return { view: 'audit' };
  const call = /^\/ops\/calls\/([^/]+)\/([^/]+)$/.exec(path);
  if (call?.[1] && call[2]) {
    const customerId = decodeSegment(call[1]);
    const callId = decodeSegment(call[2]);
    if (customerId !== null && callId !== null) return { view: 'call', customerId, callId };
  }
  return { view: 'not_found' };
}

export interface BrowserLocation {
  pathname: string;
  search: string;
}

export interface RouterDeps {
  location: BrowserLocation;
  pushState: (url: string) => void;
  replaceState: (url: string) => void;
}

export const RouterModel = createModel((deps: RouterDeps) => {
  const pathname = signal(deps.location.pathname);
  const search = signal(deps.location.search);
  const route = computed(() => parseRoute(pathname.value));

  const apply = (url: string) => {
    const target = new URL(url, 'http://page.invalid');
    pathname.value = target.pathname;
    search.value = target.search;
  };

  return {
    pathname,
    search,
    route,
    /** Opens an in-app URL (path and query) as a new history entry. */
    navigate(url: string) {
      deps.pushState(url);
      apply(url);
    },
    /** Changes the current entry's URL, for state that should not add a Back step (a filter). */
    replace(url: string) {
      deps.replaceState(url);
      apply(url);
    },
    /** The browser moved through history (popstate): read where it is now. */
    sync(location: BrowserLocation) {
      pathname.value = location.pathname;
      search.value = location.search;
    },
  };
});

export type Router = InstanceType<typeof RouterModel>;

/**
 * The query string of one view, held while another view's URL is current: a view on its way out
 * must not react to the next view's query (and restart its fetches with it).
 */
export function viewSearch(router: Router, view: Route['view']): ReadonlySignal<string> {
  let held = router.search.peek();
  return computed(() => {
    if (router.route.value.view === view) held = router.search.value;
    return held;
  });
}
