// Every route the Worker serves, with who may use it: the one list the tenant-isolation drill
// probes. tests/workerd/drill-tenant-isolation.workerd.test.ts compares it with the routes
// createApp() registers, so a new route fails that test until it is classified here.

export type RouteAccess =
  /** Anyone: health checks, the sign-in page, the page fallback. */
  | 'public'
  /** Exchanges or reads a browser session (any valid token). */
  | 'session'
  /** The voice platform, with an ingest key. */
  | 'ingest'
  /** Operators only (bearer JWT or session cookie). */
  | 'operator'
  /** Customers only, always their own data. */
  | 'customer'
  /** Pages that check the session cookie's role. */
  | 'operator-page'
  | 'customer-page';

export interface RouteEntry {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As registered, with `:param` placeholders. */
  path: string;
  access: RouteAccess;
}

export const routeInventory: readonly RouteEntry[] = [
  { method: 'GET', path: '/healthz', access: 'public' },
  { method: 'GET', path: '/readyz', access: 'public' },

  { method: 'POST', path: '/v1/events', access: 'ingest' },
  { method: 'PUT', path: '/v1/calls/:customer_id/:call_id/audio', access: 'ingest' },
  { method: 'GET', path: '/v1/customers/:customer_id/load', access: 'ingest' },

  { method: 'POST', path: '/api/session', access: 'session' },
  { method: 'GET', path: '/api/session', access: 'session' },
  { method: 'DELETE', path: '/api/session', access: 'session' },

  { method: 'POST', path: '/api/ops/customers', access: 'operator' },
  { method: 'GET', path: '/api/ops/customers', access: 'operator' },
  { method: 'GET', path: '/api/ops/customers/:id', access: 'operator' },
  { method: 'POST', path: '/api/ops/customers/:id/view-session', access: 'operator' },
  { method: 'PATCH', path: '/api/ops/customers/:id', access: 'operator' },
  { method: 'POST', path: '/api/ops/ingest-keys', access: 'operator' },
  { method: 'GET', path: '/api/ops/ingest-keys', access: 'operator' },
  { method: 'DELETE', path: '/api/ops/ingest-keys/:id', access: 'operator' },
  { method: 'GET', path: '/api/ops/alert-targets', access: 'operator' },
  { method: 'POST', path: '/api/ops/alert-targets', access: 'operator' },
  { method: 'DELETE', path: '/api/ops/alert-targets/:id', access: 'operator' },
  { method: 'POST', path: '/api/ops/alert-targets/:id/test', access: 'operator' },
  { method: 'POST', path: '/api/ops/tokens', access: 'operator' },
  { method: 'GET', path: '/api/ops/tokens', access: 'operator' },
  { method: 'DELETE', path: '/api/ops/tokens/:id', access: 'operator' },
  { method: 'GET', path: '/api/ops/audit', access: 'operator' },
  { method: 'DELETE', path: '/api/ops/calls/:customer_id/:call_id', access: 'operator' },
  { method: 'POST', path: '/api/ops/purges', access: 'operator' },
  { method: 'POST', path: '/api/ops/retention/run', access: 'operator' },
  { method: 'GET', path: '/api/ops/live', access: 'operator' },
  { method: 'GET', path: '/api/ops/series', access: 'operator' },
  { method: 'GET', path: '/api/ops/alerts', access: 'operator' },
  { method: 'POST', path: '/api/ops/alerts/:id/ack', access: 'operator' },
  { method: 'GET', path: '/api/ops/silences', access: 'operator' },
  { method: 'POST', path: '/api/ops/silences', access: 'operator' },
  { method: 'GET', path: '/api/ops/alert-rules', access: 'operator' },
  { method: 'PUT', path: '/api/ops/alert-rules', access: 'operator' },
  { method: 'GET', path: '/api/ops/calls/:customer_id/:call_id/audio', access: 'operator' },
  { method: 'GET', path: '/api/ops/calls', access: 'operator' },
  { method: 'GET', path: '/api/ops/calls.csv', access: 'operator' },
  { method: 'GET', path: '/api/ops/calls/:customer_id/:call_id', access: 'operator' },
  { method: 'POST', path: '/api/ops/refresh', access: 'operator' },
  { method: 'POST', path: '/api/ops/reconciliations', access: 'operator' },
  { method: 'GET', path: '/api/ops/reconciliations', access: 'operator' },
  { method: 'GET', path: '/api/ops/invoices', access: 'operator' },
  { method: 'POST', path: '/api/ops/invoices/:customer_id/:month/issue', access: 'operator' },
  { method: 'GET', path: '/metrics', access: 'operator' },

  { method: 'GET', path: '/api/customer/session', access: 'customer' },
  { method: 'GET', path: '/api/customer/overview', access: 'customer' },
  { method: 'GET', path: '/api/customer/usage', access: 'customer' },
  { method: 'GET', path: '/api/customer/calls', access: 'customer' },
  { method: 'GET', path: '/api/customer/calls.csv', access: 'customer' },
  { method: 'GET', path: '/api/customer/invoices', access: 'customer' },
  { method: 'GET', path: '/api/customer/invoices/:document', access: 'customer' },

  { method: 'GET', path: '/', access: 'public' },
  { method: 'GET', path: '/login', access: 'public' },
  { method: 'GET', path: '/ops', access: 'operator-page' },
  { method: 'GET', path: '/ops/*', access: 'operator-page' },
  { method: 'GET', path: '/dashboard', access: 'customer-page' },
  { method: 'GET', path: '/dashboard/*', access: 'customer-page' },
  { method: 'GET', path: '/*', access: 'public' },
];
