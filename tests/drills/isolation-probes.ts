// The tenant-isolation drill's probes, free of Node APIs so they also run inside workerd: two
// customers with data of their own, and each one's customer token, session cookie and scoped
// ingest key tried against every route in routes.ts with the other's ids. Operator routes and
// pages must refuse (403), ingest routes must refuse a token (401) and the other tenant's ids
// (403), and nothing a tenant is answered may carry the other's data.
import { signToken } from '../../workers/auth/tokens.ts';
import { routeInventory, type RouteEntry } from './routes.ts';

export interface IsolationTarget {
  /** A request to the Worker by path; redirects are not followed. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Plain SQL on the Worker's database. */
  sql(text: string, params: unknown[]): Promise<unknown>;
  jwtSecret: string;
}

interface Tenant {
  id: string;
  token: string;
  tokenId: string;
  cookie: string;
  ingestKey: string;
  ingestKeyId: string;
  callId: string;
  /** Strings that appear only in this tenant's data. */
  markers: string[];
}

export interface IsolationResult {
  probes: number;
  refused: number;
  failures: string[];
}

type Credential = { kind: 'bearer'; value: string } | { kind: 'cookie'; value: string };

async function created<T>(response: Response, what: string): Promise<T> {
  const body = (await response.json().catch(() => null)) as T;
  if (response.status !== 201) throw new Error(`${what} answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

function seedCalls(tenant: { id: string; callId: string; phone: string; agent: string }, nowMs: number): unknown[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  return [0, 1].flatMap((i) => {
    const callId = i === 0 ? tenant.callId : `${tenant.callId}-2`;
    const endedMs = nowMs - (2 + i) * 3_600_000;
    const envelope = (kind: string, ms: number) => ({ id: `${callId}-${kind}`, customer_id: tenant.id, call_id: callId, ts: iso(ms) });
    const started = { type: 'call.started', ...envelope('s', endedMs - 90_000), direction: 'inbound', from: tenant.phone, to: '+18005550142', agent_id: tenant.agent, agent_version: '1', region: 'us', providers: { stt: 'deepgram', llm: 'openai', tts: 'cartesia', telephony: 'twilio' } };
    const ended = { type: 'call.ended', ...envelope('e', endedMs), status: 'completed', duration_ms: 90_000, ttfa_ms: 700, escalated: false, task_success: true, cost: [{ component: 'llm', provider: 'openai', quantity: 900, unit: 'tokens', cost_micros: 21_000 + i }] };
    return [started, ended].map((event) => ({ event, raw: event }));
  });
}

async function createTenant(target: IsolationTarget, operator: string, id: string, phone: string): Promise<Tenant> {
  const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await created(await target.fetch('/api/ops/customers', json({ id, name: `Isolation ${id}` })), `creating ${id}`);
  const key = await created<{ id: string; key: string }>(await target.fetch('/api/ops/ingest-keys', json({ customer_id: id })), `an ingest key for ${id}`);
  const login = await created<{ id: string; token: string }>(await target.fetch('/api/ops/tokens', json({ role: 'customer', customer_id: id })), `a login for ${id}`);
  const session = await target.fetch('/api/session', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: login.token }) });
  const cookie = (session.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  if (session.status !== 201 || cookie === '') throw new Error(`no session cookie for ${id}: ${session.status}`);
  const callId = `${id}-call`;
  const agent = `agent-of-${id}`;
  return { id, token: login.token, tokenId: login.id, cookie, ingestKey: key.key, ingestKeyId: key.id, callId, markers: [id, callId, phone, agent] };
}

/** The route's path with the other tenant's ids in its parameters. */
function concretePath(route: RouteEntry, other: Tenant, month: string): string {
  const idFor: Record<string, string> = {
    '/api/ops/customers/:id': other.id,
    '/api/ops/customers/:id/view-session': other.id,
    '/api/ops/ingest-keys/:id': other.ingestKeyId,
    '/api/ops/tokens/:id': other.tokenId,
    '/api/ops/alert-targets/:id': 'env-webhook',
    '/api/ops/alert-targets/:id/test': 'env-webhook',
    '/api/ops/alerts/:id/ack': `alt_${other.id}`,
  };
  return route.path
    .replace(':customer_id', encodeURIComponent(other.id))
    .replace(':call_id', encodeURIComponent(other.callId))
    .replace(':month', month)
    .replace(':document', `${month}.json`)
    .replace(':id', encodeURIComponent(idFor[route.path] ?? other.id))
    .replace('/ops/*', `/ops/calls/${encodeURIComponent(other.id)}/${encodeURIComponent(other.callId)}`)
    .replace('/dashboard/*', '/dashboard/calls')
    .replace(/^\/\*$/, '/not-a-page');
}

/** A body the route would take, aimed at the other tenant where it names one. */
function probeBody(route: RouteEntry, self: Tenant, other: Tenant): { body?: string | Uint8Array; contentType?: string } {
  if (route.method === 'GET' || route.method === 'DELETE') return {};
  if (route.path === '/api/session') return { body: JSON.stringify({ token: self.token }), contentType: 'application/json' };
  if (route.path === '/v1/events') {
    const event = { type: 'call.feedback', id: `${other.callId}-probe`, customer_id: other.id, call_id: other.callId, ts: new Date().toISOString(), csat: 1 };
    return { body: JSON.stringify([event]), contentType: 'application/json' };
  }
  if (route.path.endsWith('/audio')) return { body: new Uint8Array([0x52, 0x49, 0x46, 0x46]), contentType: 'audio/wav' };
  const bodies: Record<string, unknown> = {
    '/api/ops/customers': { id: `${other.id}-copy` },
    '/api/ops/ingest-keys': { customer_id: other.id },
    '/api/ops/tokens': { role: 'customer', customer_id: other.id },
    '/api/ops/purges': { customer_id: other.id, phone: '+14155550100' },
    '/api/ops/customers/:id': { markup_bps: 0 },
    '/api/ops/invoices/:customer_id/:month/issue': { early: true },
  };
  return { body: JSON.stringify(bodies[route.path] ?? {}), contentType: 'application/json' };
}

export async function probeTenantIsolation(target: IsolationTarget, { label, log = () => {} }: { label: string; log?: (line: string) => void }): Promise<IsolationResult> {
  const operator = (await signToken(target.jwtSecret, { role: 'operator', subject: 'isolation-drill', ttlSeconds: 3600 })).token;
  const a = await createTenant(target, operator, `${label}-a`, '+14155550171');
  const b = await createTenant(target, operator, `${label}-b`, '+14155550182');
  const nowMs = Date.now();
  const seeds = [a, b].flatMap((t, i) => seedCalls({ id: t.id, callId: t.callId, phone: t.markers[2]!, agent: t.markers[3]! }, nowMs - i * 60_000));
  await target.sql('SELECT ingest_events($1::jsonb)', [JSON.stringify(seeds)]);
  const refresh = await target.fetch('/api/ops/refresh', { method: 'POST', headers: { authorization: `Bearer ${operator}` } });
  if (refresh.status !== 200) throw new Error(`POST /api/ops/refresh answered ${refresh.status}`);
  const month = new Date(nowMs).toISOString().slice(0, 7);

  const failures: string[] = [];
  let probes = 0;
  let refused = 0;
  const probe = async (self: Tenant, other: Tenant, route: RouteEntry, credential: Credential | null, expect: number[], { path = concretePath(route, other, month), query = '' } = {}): Promise<void> => {
    const { body, contentType } = probeBody(route, self, other);
    const headers: Record<string, string> = {};
    if (contentType) headers['content-type'] = contentType;
    if (credential?.kind === 'bearer') headers.authorization = `Bearer ${credential.value}`;
    if (credential?.kind === 'cookie') headers.cookie = credential.value;
    const response = await target.fetch(`${path}${query}`, { method: route.method, headers, body });
    const text = await response.text();
    probes++;
    const what = `${route.method} ${path}${query} as ${self.id} (${credential?.kind ?? 'nothing'})`;
    if (!expect.includes(response.status)) failures.push(`${what} answered ${response.status}, expected ${expect.join(' or ')}: ${text.slice(0, 200)}`);
    if (response.status === 401 || response.status === 403) {
      refused++;
      return;
    }
    // A refusal may repeat the request; anything else must not carry the other tenant's data.
    const leaked = other.markers.filter((marker) => text.includes(marker));
    if (leaked.length > 0) failures.push(`${what} answered ${response.status} carrying ${other.id}'s data (${leaked.join(', ')})`);
  };

  for (const [self, other] of [[a, b], [b, a]] as const) {
    const bearer: Credential = { kind: 'bearer', value: self.token };
    const cookie: Credential = { kind: 'cookie', value: self.cookie };
    for (const route of routeInventory) {
      switch (route.access) {
        case 'operator':
          await probe(self, other, route, bearer, [403]);
          await probe(self, other, route, cookie, [403]);
          break;
        case 'operator-page':
          await probe(self, other, route, cookie, [403]);
          break;
        case 'ingest':
          await probe(self, other, route, bearer, [401]);
          await probe(self, other, route, { kind: 'bearer', value: self.ingestKey }, [403]);
          break;
        case 'customer': {
          const query = route.path.endsWith('/usage') ? '?days=30' : '';
          await probe(self, other, route, bearer, [200]);
          await probe(self, other, route, cookie, [200]);
          // A customer endpoint takes no tenant from the request: naming one is refused.
          await probe(self, other, route, bearer, [400], { query: `${query === '' ? '?' : `${query}&`}customer_id=${encodeURIComponent(other.id)}` });
          if (query !== '') await probe(self, other, route, bearer, [200], { query });
          break;
        }
        case 'customer-page':
          await probe(self, other, route, cookie, [200, 304, 404]);
          break;
        case 'session':
          await probe(self, other, route, route.method === 'POST' ? null : cookie, route.method === 'POST' ? [201] : route.method === 'GET' ? [200] : [204]);
          break;
        case 'public':
          await probe(self, other, route, cookie, [200, 302, 404, 503]);
          break;
      }
    }
    // The tenant's own data is there to be seen, so its absence elsewhere means something.
    const own = await target.fetch('/api/customer/calls', { headers: { authorization: `Bearer ${self.token}` } });
    const ownText = await own.text();
    if (!ownText.includes(self.callId)) failures.push(`${self.id} does not see its own call ${self.callId} in /api/customer/calls: ${ownText.slice(0, 200)}`);
  }
  log(`${probes} probes from ${a.id} and ${b.id}, ${refused} refused with 401/403`);
  return { probes, refused, failures };
}
