import { useEffect, useRef } from 'preact/hooks';
import { PageFrame } from '../shared/page-frame.tsx';
import { AuditPage } from './audit/view.tsx';
import { CallPage } from './call/view.tsx';
import { CallsPage } from './calls/view.tsx';
import { LoginsPage } from './logins/view.tsx';
import { OverviewPage } from './overview/view.tsx';
import type { Route, Router } from './router.ts';

const titles: Record<Route['view'], string> = {
  overview: 'Operations',
  calls: 'Calls',
  call: 'Call detail',
  logins: 'Logins',
  audit: 'Audit log',
  not_found: 'Not found',
};

function OpsNav({ route }: { route: Route }) {
  const current = (view: Route['view']) => (route.view === view || (view === 'calls' && route.view === 'call') ? 'page' : undefined);
  return (
    <nav class="ops-nav" aria-label="Operations">
      <a href="/ops" aria-current={current('overview')}>
        Overview
      </a>
      <a href="/ops/calls" aria-current={current('calls')}>
        Calls
      </a>
      <a href="/ops/logins" aria-current={current('logins')}>
        Logins
      </a>
      <a href="/ops/audit" aria-current={current('audit')}>
        Audit
      </a>
    </nav>
  );
}

export function OpsApp({ router }: { router: Router }) {
  const route = router.route.value;
  const title = titles[route.view];
  const firstRender = useRef(true);

  useEffect(() => {
    document.title = `${title} · Switchboard`;
  }, [title]);

  // A new view is a new page for keyboard and screen-reader users: start them at its content.
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    window.scrollTo(0, 0);
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route.view, route.view === 'call' ? `${route.customerId}/${route.callId}` : '']);

  return (
    <PageFrame title={title}>
      <OpsNav route={route} />
      {route.view === 'overview' && <OverviewPage router={router} />}
      {route.view === 'calls' && <CallsPage router={router} />}
      {route.view === 'call' && <CallPage router={router} />}
      {route.view === 'logins' && <LoginsPage />}
      {route.view === 'audit' && <AuditPage />}
      {route.view === 'not_found' && (
        <p>
          There is no operator page at this address. <a href="/ops">Go to the overview</a>.
        </p>
      )}
    </PageFrame>
  );
}
