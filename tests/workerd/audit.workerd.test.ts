// The audit log (CONTRACT section 5): every operator action that changes data leaves who, when,
// what and the before/after; GET /api/ops/audit filters and pages it; and the application's own
// database role cannot change or remove an entry.
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { alertDesk } from '../../durable/AlertDesk.ts';
import { call, customerToken, operatorToken, queryRows, uniqueCustomerId, type ErrorBody } from './support.ts';

interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  before: unknown;
  after: unknown;
}

interface AuditPage {
  data: AuditRecord[];
  has_more: boolean;
  next_cursor: string | null;
}

async function audit(token: string, query: Record<string, string>): Promise<AuditPage> {
  const response = await call(`/api/ops/audit?${new URLSearchParams(query).toString()}`, { token });
  expect(response.status).toBe(200);
  return response.json<AuditPage>();
}

describe('audited operator actions', () => {
  const actor = `ops-${crypto.randomUUID().slice(0, 8)}@audit.test`;
  const customerId = uniqueCustomerId('audited');
  let token: string;
  let startedAt: string;

  beforeAll(async () => {
    token = await operatorToken(actor);
    startedAt = new Date().toISOString();
  });

  it('records a customer created and changed, with the change before and after', async () => {
    expect((await call('/api/ops/customers', { method: 'POST', token, json: { id: customerId, retention_days: 30 } })).status).toBe(201);
    expect((await call(`/api/ops/customers/${customerId}`, { method: 'PATCH', token, json: { retention_days: 45 } })).status).toBe(200);
    const entries = (await audit(token, { subject_type: 'customer', subject_id: customerId })).data;
    expect(entries.map((e) => e.action)).toEqual(['customer.update', 'customer.create']);
    expect(entries[0]).toMatchObject({ actor, before: { retention_days: 30 }, after: { retention_days: 45 } });
    expect(Date.parse(entries[0]!.at)).toBeGreaterThanOrEqual(Date.parse(startedAt) - 1_000);
  });

  it('records alert rules, targets, silences and acknowledgements once the desk accepted them', async () => {
    const rules = await (await call('/api/ops/alert-rules', { token })).json<{ platform: Record<string, number>; customers: Record<string, unknown> }>();
    const changed = { ...rules, customers: { ...rules.customers, [customerId]: { call_cost_micros: 3_000_000 } } };
    expect((await call('/api/ops/alert-rules', { method: 'PUT', token, json: changed })).status).toBe(200);
    const refused = await call('/api/ops/alert-rules', { method: 'PUT', token, json: { ...rules, platform: { ...rules.platform, error_rate: 7 } } });
    expect(refused.status).toBe(400);

    const target = await (
      await call('/api/ops/alert-targets', { method: 'POST', token, json: { kind: 'webhook', name: 'audit sink', url: 'https://sink.example.test/hook' } })
    ).json<{ id: string; secret: string }>();
    expect((await call(`/api/ops/alert-targets/${target.id}`, { method: 'DELETE', token })).status).toBe(204);

    const silence = await (await call('/api/ops/silences', { method: 'POST', token, json: { customer_id: customerId, duration_s: 600, reason: 'migration' } })).json<{ id: string }>();

    const dedupKey = `customer:${customerId}:spend_hourly`;
    await alertDesk(env).observe([
      { dedupKey, rule: 'customer_spend_hourly', severity: 'critical', subject: { customer_id: customerId }, state: 'breached', value: 120, threshold: 100, summary: 'spend', details: {}, links: [] },
    ]);
    const alert = (await alertDesk(env).list({ customerId })).find((a) => a.dedup_key === dedupKey);
    expect((await call(`/api/ops/alerts/${alert?.id}/ack`, { method: 'POST', token })).status).toBe(200);
    expect((await call(`/api/ops/alerts/${alert?.id}/ack`, { method: 'POST', token })).status).toBe(200);

    const mine = (await audit(token, { actor, from: startedAt })).data;
    const byAction = (action: string) => mine.filter((e) => e.action === action);
    const rulesEntry = byAction('alert_rules.update');
    expect(rulesEntry).toHaveLength(1);
    expect(rulesEntry[0]).toMatchObject({ subject_type: 'alert_rules', subject_id: 'platform', before: rules, after: changed });
    expect(byAction('alert_target.create')[0]).toMatchObject({ subject_id: target.id, after: { name: 'audit sink', url: 'https://sink.example.test/hook' } });
    expect(byAction('alert_target.delete')[0]).toMatchObject({ subject_id: target.id, before: { name: 'audit sink' } });
    expect(JSON.stringify(mine)).not.toContain(target.secret);
    expect(byAction('silence.create')[0]).toMatchObject({ subject_type: 'silence', subject_id: silence.id, after: { customer_id: customerId, reason: 'migration', created_by: actor } });
    const acks = byAction('alert.acknowledge');
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ subject_id: alert?.id, before: { status: 'triggered' }, after: { status: 'acknowledged', dedup_key: dedupKey } });
  });

  it('records ingest keys, logins and view-sessions', async () => {
    const key = await (await call('/api/ops/ingest-keys', { method: 'POST', token, json: { customer_id: customerId } })).json<{ id: string; key: string }>();
    expect((await call(`/api/ops/ingest-keys/${key.id}`, { method: 'DELETE', token })).status).toBe(204);
    const login = await (await call('/api/ops/tokens', { method: 'POST', token, json: { role: 'customer', customer_id: customerId } })).json<{ id: string; token: string }>();
    expect((await call(`/api/ops/tokens/${login.id}`, { method: 'DELETE', token })).status).toBe(204);
    expect((await call(`/api/ops/customers/${customerId}/view-session`, { method: 'POST', token })).status).toBe(201);

    const mine = (await audit(token, { actor, from: startedAt })).data;
    expect(mine.filter((e) => e.subject_id === key.id).map((e) => e.action)).toEqual(['ingest_key.revoke', 'ingest_key.create']);
    expect(mine.filter((e) => e.subject_id === login.id).map((e) => e.action)).toEqual(['token.revoke', 'token.issue']);
    expect(mine.find((e) => e.action === 'customer.view_session')).toMatchObject({ subject_id: customerId, after: { token_id: expect.any(String) } });
    const text = JSON.stringify(mine);
    expect(text).not.toContain(key.key);
    expect(text).not.toContain(login.token);
  });
});

describe('GET /api/ops/audit', () => {
  const actor = `ops-${crypto.randomUUID().slice(0, 8)}@audit-list.test`;
  const customerIds = [uniqueCustomerId('list-a'), uniqueCustomerId('list-b'), uniqueCustomerId('list-c')];
  let token: string;

  beforeAll(async () => {
    token = await operatorToken(actor);
    for (const id of customerIds) expect((await call('/api/ops/customers', { method: 'POST', token, json: { id } })).status).toBe(201);
  });

  it('answers the entries matching every filter, newest first, as plain SQL finds them', async () => {
    const page = await audit(token, { actor, action: 'customer.create' });
    const oracle = await queryRows<{ id: string; subject_id: string }>(
      `SELECT id::text, subject_id FROM audit_log WHERE actor = $1 AND action = 'customer.create' ORDER BY id DESC`,
      [actor],
    );
    expect(page.data.map((e) => [String(e.id), e.subject_id])).toEqual(oracle.map((r) => [r.id, r.subject_id]));
    expect(page.data.map((e) => e.subject_id)).toEqual([...customerIds].reverse());
    const one = await audit(token, { subject_type: 'customer', subject_id: customerIds[1]! });
    expect(one.data.map((e) => e.action)).toEqual(['customer.create']);
  });

  it('pages with a cursor without repeating or skipping an entry', async () => {
    const first = await audit(token, { actor, limit: '2' });
    expect(first.has_more).toBe(true);
    const second = await audit(token, { actor, limit: '2', cursor: first.next_cursor ?? '' });
    expect(second.has_more).toBe(false);
    expect(second.next_cursor).toBeNull();
    expect([...first.data, ...second.data].map((e) => e.subject_id)).toEqual([...customerIds].reverse());
  });

  it('bounds entries by time: from inclusive, to exclusive', async () => {
    const all = (await audit(token, { actor })).data;
    const middle = all[1]!;
    const fromMiddle = (await audit(token, { actor, from: middle.at })).data;
    expect(fromMiddle.map((e) => e.id)).toEqual(all.filter((e) => e.at >= middle.at).map((e) => e.id));
    const beforeMiddle = (await audit(token, { actor, to: middle.at })).data;
    expect(beforeMiddle.map((e) => e.id)).toEqual(all.filter((e) => e.at < middle.at).map((e) => e.id));
  });

  it.each([
    [{ from: 'yesterday' }, 'from'],
    [{ from: '2026-11-02T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' }, 'to'],
    [{ cursor: 'bogus!' }, 'cursor'],
    [{ limit: '501' }, 'limit'],
    [{ who: 'me' }, ''],
  ])('answers 400 naming the parameter for %j', async (query, path) => {
    const response = await call(`/api/ops/audit?${new URLSearchParams(query).toString()}`, { token });
    expect(response.status).toBe(400);
    expect((await response.json<ErrorBody>()).error.details.map((d) => d.path)).toContain(path);
  });

  it('is for operators only', async () => {
    expect((await call('/api/ops/audit', { token: await customerToken(customerIds[0]!) })).status).toBe(403);
    expect((await call('/api/ops/audit')).status).toBe(401);
  });
});

describe('the audit log is append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE from the role the Worker connects as', async () => {
    const [who] = await queryRows<{ current_user: string }>('SELECT current_user');
    expect(who?.current_user).toBe(decodeURIComponent(new URL(env.DATABASE_URL).username));
    const [row] = await queryRows<{ id: string; actor: string }>('SELECT id::text, actor FROM audit_log ORDER BY id LIMIT 1');
    expect(row).toBeDefined();
    await expect(queryRows(`UPDATE audit_log SET actor = 'mallory' WHERE id = $1`, [row!.id])).rejects.toThrow(/append-only/);
    await expect(queryRows('DELETE FROM audit_log WHERE id = $1', [row!.id])).rejects.toThrow(/append-only/);
    await expect(queryRows('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
    const [after] = await queryRows<{ actor: string }>('SELECT actor FROM audit_log WHERE id = $1', [row!.id]);
    expect(after?.actor).toBe(row!.actor);
  });
});
