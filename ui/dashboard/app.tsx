// The customer dashboard: the page frame, who is looking, the three views and the time-zone
// choice. Each view builds its own model when shown and drops it when left.
import { useModel } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { formatDateTime } from '../shared/format.ts';
import { PageFrame } from '../shared/page-frame.tsx';
import { customerApi } from './customer-api.ts';
import { Deferred } from './deferred.tsx';
import type { Display } from './display.ts';
import { Link, RouterContext } from './link.tsx';
import { OverviewModel } from './overview/model.ts';
import { OverviewView } from './overview/view.tsx';
import { callsPath, dashboardPath, invoicesPath, type Route, type Router } from './router.ts';
import type { Session } from './session-model.ts';
import { ViewHeading } from './view-heading.tsx';

interface AppProps {
  router: Router;
  display: Display;
  session: Session;
}

const sections: Array<{ view: Route['view']; href: string; label: string }> = [
  { view: 'overview', href: dashboardPath, label: 'Overview' },
  { view: 'calls', href: callsPath, label: 'Calls' },
  { view: 'invoices', href: invoicesPath, label: 'Invoices' },
];

function ViewingBanner({ session, display }: { session: Session; display: Display }) {
  const viewing = session.viewing.value;
  if (!viewing) return null;
  return (
    <div class="notice viewing-banner" role="note" aria-label="Support view">
      <p>
        <strong>
          Viewing as {viewing.customer} (read-only, opened by {viewing.operator})
        </strong>
      </p>
      <p>This view closes at {formatDateTime(viewing.until, display.timeZone.value)}.</p>
    </div>
  );
}

/** The browser's own zone ("Europe/Berlin"), named in the picker so "your time zone" is concrete. */
const localZoneName = Intl.DateTimeFormat().resolvedOptions().timeZone;

function TimeZonePicker({ display }: { display: Display }) {
  return (
    <div class="time-zone">
      <label for="time-zone">Times in</label>
      <select
        id="time-zone"
        class="input"
        value={display.timeZone.value}
        onChange={(event) => display.setTimeZone(event.currentTarget.value === 'utc' ? 'utc' : 'local')}
      >
        <option value="local">Your time zone ({localZoneName})</option>
        <option value="utc">UTC</option>
      </select>
    </div>
  );
}

function OverviewSection({ display }: { display: Display }) {
  const model = useModel(() => new OverviewModel({ api: customerApi }));
  return <OverviewView model={model} display={display} />;
}

// The overview is where everyone lands, so it ships in the page's first download; the call list
// and invoices arrive when first opened.
const loadCalls = () => import('./calls/view.tsx').then((module) => module.CallsSection);
const loadInvoices = () => import('./invoices/view.tsx').then((module) => module.InvoicesSection);

export function App({ router, display, session }: AppProps) {
  const route = router.route.value;

  useEffect(() => {
    const label = sections.find((s) => s.view === route.view)?.label ?? 'Not found';
    document.title = `${label} · Dashboard · Switchboard`;
  }, [route.view]);

  return (
    <RouterContext.Provider value={router}>
      <PageFrame title="Dashboard">
        <ViewingBanner session={session} display={display} />
        <div class="dashboard-bar">
          <nav aria-label="Dashboard sections">
            <ul class="view-nav">
              {sections.map((section) => (
                <li key={section.view}>
                  <Link href={section.href} aria-current={route.view === section.view ? 'page' : undefined}>
                    {section.label}
                  </Link>
                </li>
              ))}
            </ul>
          </nav>
          <TimeZonePicker display={display} />
        </div>
        {route.view === 'overview' && <OverviewSection display={display} />}
        {route.view === 'calls' && <Deferred load={loadCalls} props={{ router, display }} />}
        {route.view === 'invoices' && <Deferred load={loadInvoices} props={{ router, display }} />}
        {route.view === 'not_found' && (
          <section>
            <ViewHeading level={2}>There is no such page</ViewHeading>
            <p>
              <Link href={dashboardPath}>Go to the overview</Link>
            </p>
          </section>
        )}
      </PageFrame>
    </RouterContext.Provider>
  );
}
