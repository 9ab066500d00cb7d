// Tenant isolation enforced by Postgres itself (CONTRACT: "Tenant isolation is a security
// boundary"), on both engines: the reader role, under a tenant setting, sees that tenant's rows
// only, with hand-written queries; nothing without a setting; never provider columns.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleEvents } from '../fixtures/events.ts';
import { sqlEngines, startSqlTarget, type SqlTarget } from '../support/sql-targets.ts';

describe.each(sqlEngines)('row-level security on %s', (engine) => {
  let target: SqlTarget;
  let client: pg.Client;

  beforeAll(async () => {
    target = await startSqlTarget(engine, 'rls');
    client = new pg.Client({ connectionString: target.url });
    await client.connect();
    await client.query(`INSERT INTO customers (id, name) VALUES ('tenant-a', 'A'), ('tenant-b', 'B')`);
    await client.query(`INSERT INTO rate_cards (customer_id, effective_from, markup_bps, fee_per_minute_micros, created_by) VALUES ('tenant-a', 'epoch', 0, 0, 't'), ('tenant-b', 'epoch', 0, 0, 't')`);
    const now = new Date(Date.now() - 3_600_000);
    const events = ['tenant-a', 'tenant-b'].flatMap((customerId) => [1, 2].flatMap((n) => Object.values(exampleEvents({ customerId, callId: `${customerId}-call-${n}`, now }))));
    await client.query('SELECT ingest_events($1::jsonb)', [JSON.stringify(events.map((e) => ({ event: { ...e, id: `${e.call_id}-${e.id}` }, raw: e })))]);
    await client.query('SELECT * FROM refresh_rollups(1000)');
    await client.query('SELECT refresh_customer_overview()');
    await client.query('REFRESH MATERIALIZED VIEW mv_platform_overview_v1');
  });

  afterAll(async () => {
    await client.end();
    await target.stop();
  });

  async function asReader<T extends pg.QueryResultRow>(tenant: string | null, text: string): Promise<T[]> {
    await client.query('BEGIN');
    try {
      await client.query('SET LOCAL ROLE switchboard_customer_reader');
      if (tenant !== null) await client.query(`SELECT set_config('app.current_customer_id', $1, true)`, [tenant]);
      return (await client.query<T>(text)).rows;
    } finally {
      await client.query('ROLLBACK');
    }
  }

  it.each([
    ['calls', 'SELECT DISTINCT customer_id FROM calls'],
    ['customer_calls_v1', 'SELECT DISTINCT customer_id FROM customer_calls_v1'],
    ['customer_hourly_rollups', 'SELECT DISTINCT customer_id FROM customer_hourly_rollups'],
    ['customer_daily_rollups', 'SELECT DISTINCT customer_id FROM customer_daily_rollups'],
    ['customer_daily_v2', 'SELECT DISTINCT customer_id FROM customer_daily_v2'],
    ['customer_overview_totals', 'SELECT DISTINCT customer_id FROM customer_overview_totals'],
    ['customer_overview_v4', 'SELECT DISTINCT customer_id FROM customer_overview_v4'],
    ['call_errors', 'SELECT DISTINCT customer_id FROM call_errors'],
  ])('shows the reader only its own tenant in %s, even when asking for another', async (_name, text) => {
    const own = await asReader<{ customer_id: string }>('tenant-a', text);
    expect(own.map((r) => r.customer_id)).toEqual(['tenant-a']);
    const forged = await asReader<{ customer_id: string }>('tenant-a', `${text} WHERE customer_id = 'tenant-b'`);
    expect(forged).toEqual([]);
  });

  it.each([null, ''])('shows nothing when the tenant setting is %j', async (tenant) => {
    for (const relation of ['calls', 'customer_calls_v1', 'customer_hourly_rollups', 'customer_daily_rollups', 'customer_daily_v2', 'customer_overview_totals', 'customer_overview_v4']) {
      expect(await asReader(tenant, `SELECT 1 FROM ${relation}`)).toEqual([]);
    }
  });

  it.each([
    'SELECT stt_provider FROM calls',
    'SELECT provider_cost_micros FROM calls',
    'SELECT from_number FROM calls',
    'SELECT provider_cost_micros FROM customer_hourly_rollups',
    'SELECT * FROM call_cost_lines',
    'SELECT * FROM provider_requests',
    'SELECT * FROM call_turns',
    'SELECT * FROM events',
    'SELECT * FROM reconciliations',
    'SELECT * FROM mv_platform_overview_v1',
    'SELECT * FROM customer_rollup_changes',
    'SELECT * FROM rate_cards',
  ])('refuses the reader %s', async (text) => {
    await expect(asReader('tenant-a', text)).rejects.toThrow(/permission denied/);
  });

  it('keeps a tenant setting inside its transaction', async () => {
    await asReader('tenant-a', 'SELECT 1');
    const after = await client.query<{ setting: string | null }>(`SELECT current_setting('app.current_customer_id', true) AS setting`);
    expect(after.rows[0]?.setting ?? '').toBe('');
  });

  it('gives the reader no rights to change anything', async () => {
    await expect(asReader('tenant-a', `UPDATE calls SET billed_micros = 0`)).rejects.toThrow(/permission denied/);
    await expect(asReader('tenant-a', `DELETE FROM customer_hourly_rollups`)).rejects.toThrow(/permission denied/);
    await expect(asReader('tenant-a', `UPDATE customer_overview_totals SET full7_billed_micros = 0`)).rejects.toThrow(/permission denied/);
  });
});
