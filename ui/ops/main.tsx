import 'uplot/dist/uPlot.min.css';
import './ops.css';
import { render } from 'preact';
import { OpsApp } from './app.tsx';
import { RouterModel } from './router.ts';

const router = new RouterModel({
  location: window.location,
  pushState: (url) => window.history.pushState(null, '', url),
  replaceState: (url) => window.history.replaceState(null, '', url),
});

/** Whether a click on this anchor should stay in the page rather than load a new one. */
function isInAppLink(anchor: HTMLAnchorElement, event: MouseEvent, current: { origin: string; pathname: string; search: string }): boolean {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return false;
  if (anchor.target !== '' || anchor.hasAttribute('download')) return false;
  const url = new URL(anchor.href);
  if (url.origin !== current.origin || !(url.pathname === '/ops' || url.pathname.startsWith('/ops/'))) return false;
  // A jump within this view (the skip link, #providers) is the browser's to do.
  return !(url.hash !== '' && url.pathname === current.pathname && url.search === current.search);
}

window.addEventListener('popstate', () => router.sync(window.location));

// In-app links are plain anchors (they open in a new tab, copy and share as usual); a plain click
// on one stays in the page.
document.addEventListener('click', (event) => {
  const anchor = event.target instanceof Element ? event.target.closest('a') : null;
  if (!anchor || !isInAppLink(anchor, event, window.location)) return;
  event.preventDefault();
  const url = new URL(anchor.href);
  router.navigate(url.pathname + url.search);
});

const root = document.getElementById('app');
if (root) render(<OpsApp router={router} />, root);
