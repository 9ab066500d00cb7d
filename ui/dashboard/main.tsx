import { render } from 'preact';
import { App } from './app.tsx';
import { customerApi } from './customer-api.ts';
import './dashboard.css';
import { DisplayModel } from './display.ts';
import { RouterModel } from './router.ts';
import { SessionModel } from './session-model.ts';

function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const router = new RouterModel({
  pathname: location.pathname,
  search: location.search,
  pushState: (url) => history.pushState(null, '', url),
});
window.addEventListener('popstate', () => router.sync(location.pathname + location.search));
const display = new DisplayModel({ storage: browserStorage() });
const session = new SessionModel({ session: customerApi.session });

const root = document.getElementById('app');
if (root) render(<App router={router} display={display} session={session} />, root);
