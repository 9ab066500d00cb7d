// The incremental customer refresh (refresh_rollups, refresh_customer_overview), on both engines:
// every customer's overview windows equal plain SQL over the calls themselves, a refresh touches
// only the customers whose figures can have moved since the last one (new or late calls, or calls
// where the sliding windows crossed), and sums past the bigint range stay exact.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlEngines, startSqlTarget, type SqlTarget } from '../support/sql-targets.ts';

const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

type Totals = Record<(typeof totalKeys)[number], string>;
const totalKeys = ['calls', 'completed', 'failed', 'abandoned', 'with_error', 'escalated', 'task_success', 'task_known', 'duration_ms_sum', 'billed_micros', 'csat_sum', 'csat_count'] as const;
const windows = ['month', 'last7', 'prev7', 'full7'] as const;
type Window = (typeof windows)[number];

/** What a customer's window totals must be: counted straight from calls and feedback. */
const oracleSql = `
  WITH r AS (SELECT as_of, date_trunc('month', as_of, 'UTC') AS month_start, date_trunc('day', as_of, 'UTC') AS today_start FROM customer_overview_refreshes),
  w (name, from_ts, to_ts) AS (
    SELECT 'month', month_start, month_start + interval '1 month' FROM r
    UNION ALL SELECT 'last7', as_of - interval '7 days', as_of FROM r
    UNION ALL SELECT 'prev7', as_of - interval '14 days', as_of - interval '7 days' FROM r
    UNION ALL SELECT 'full7', today_start - interval '7 days', today_start FROM r
  )
  SELECT w.name AS window,
         count(c.call_id)::text AS calls,
         count(*) FILTER (WHERE c.status = 'completed')::text AS completed,
         count(*) FILTER (WHERE c.status = 'failed')::text AS failed,
         count(*) FILTER (WHERE c.status = 'abandoned')::text AS abandoned,
         count(*) FILTER (WHERE c.status = 'failed' OR c.error_count > 0)::text AS with_error,
         count(*) FILTER (WHERE c.escalated)::text AS escalated,
         count(*) FILTER (WHERE c.task_success)::text AS task_success,
         count(c.task_success)::text AS task_known,
         coalesce(sum(c.duration_ms), 0)::text AS duration_ms_sum,
         coalesce(sum(c.billed_micros), 0)::text AS billed_micros,
         (SELECT coalesce(sum(f.csat), 0) FROM call_feedback f WHERE f.customer_id = $1 AND f.ts >= w.from_ts AND f.ts < w.to_ts)::text AS csat_sum,
         (SELECT count(*) FROM call_feedback f WHERE f.customer_id = $1 AND f.ts >= w.from_ts AND f.ts < w.to_ts)::text AS csat_count
  FROM w LEFT JOIN calls c ON c.customer_id = $1 AND c.ended_at >= w.from_ts AND c.ended_at < w.to_ts
  GROUP BY w.name, w.from_ts, w.to_ts`;

/** The same four windows as the refresh stored them (jsonb numbers as text, so nothing is rounded). */
const storedSql = `
  SELECT w.name AS window, ${totalKeys.map((k) => `coalesce(w.totals ->> '${k}', '0') AS ${k}`).join(', ')}
  FROM customer_overview_totals t,
       LATERAL (VALUES ('month', window_totals_json(t.month_sums)), ('last7', window_totals_json(t.last7_sums)), ('prev7', window_totals_json(t.prev7_sums))) w (name, totals)
  WHERE t.customer_id = $1
  UNION ALL
  SELECT 'full7', ${totalKeys.map((k) => (k === 'billed_micros' ? 't.full7_billed_micros::text' : `'-'`)).join(', ')}
  FROM customer_overview_totals t WHERE t.customer_id = $1`;

describe.each(sqlEngines)('incremental customer refresh on %s', (engine) => {
  let target: SqlTarget;
  let client: pg.Client;
  const seededAt = Date.now();
  const at = (agoMs: number) => new Date(seededAt - agoMs).toISOString();
  let callNumber = 0;

  async function addCall(customerId: string, endedAgoMs: number, extra: { status?: string; billed?: string; errors?: number } = {}): Promise<void> {
    callNumber += 1;
    await client.query(
      `INSERT INTO calls (customer_id, call_id, started_at, ended_at, status, duration_ms, escalated, task_success, error_count, provider_cost_micros, billed_micros)
       VALUES ($1, $2, $3::timestamptz - interval '95 seconds', $3, $4, 95000 + $5::int, $6, $7, $8, 1000, $9::bigint)`,
      [customerId, `call-${callNumber}`, at(endedAgoMs), extra.status ?? 'completed', callNumber, callNumber % 3 === 0, callNumber % 4 === 0 ? null : callNumber % 2 === 0, extra.errors ?? 0, extra.billed ?? String(1_000_000 + callNumber * 7)],
    );
  }

  async function addFeedback(customerId: string, agoMs: number, csat: number): Promise<void> {
    callNumber += 1;
    await client.query(`INSERT INTO call_feedback (customer_id, call_id, event_id, ts, csat) VALUES ($1, 'call-1', $2, $3, $4)`, [customerId, `fb-${callNumber}`, at(agoMs), csat]);
  }

  async function refresh(): Promise<number> {
    await client.query('SELECT * FROM refresh_rollups(1000)');
    return (await client.query<{ customers: number }>('SELECT refresh_customer_overview() AS customers')).rows[0]!.customers;
  }

  async function byWindow(text: string, customerId: string): Promise<Map<string, Totals>> {
    const rows = (await client.query<Totals & { window: Window }>(text, [customerId])).rows;
    return new Map(rows.map(({ window, ...totals }) => [window, totals as Totals]));
  }

  /** The stored windows of a customer, each compared with the oracle (full7 keeps the billed amount only). */
  async function expectExact(customerId: string): Promise<void> {
    const oracle = await byWindow(oracleSql, customerId);
    const stored = await byWindow(storedSql, customerId);
    for (const window of windows) {
      const expected = oracle.get(window)!;
      const actual = stored.get(window);
      if (window === 'full7') expect({ customerId, window, billed: actual?.billed_micros ?? '0' }).toEqual({ customerId, window, billed: expected.billed_micros });
      else expect({ customerId, window, ...(actual ?? Object.fromEntries(totalKeys.map((k) => [k, '0']))) }).toEqual({ customerId, window, ...expected });
    }
  }

  beforeAll(async () => {
    target = await startSqlTarget(engine, 'refresh');
    client = new pg.Client({ connectionString: target.url });
    await client.connect();
    await client.query(`INSERT INTO customers (id, name) SELECT id, id FROM unnest($1::text[]) id`, [['slider', 'still', 'late', 'edge', 'quiet', 'huge']]);
    // Within the half hour before the seeding: the window the next refresh slid over an hour ago.
    await addCall('slider', 7 * day + 30 * minute, { status: 'failed' });
    await addCall('slider', 14 * day + 20 * minute);
    await addCall('slider', 3 * hour, { errors: 2 });
    // Nowhere near an edge the windows cross within an hour or a day.
    await addCall('still', 4 * day);
    await addCall('still', 10 * day, { status: 'abandoned' });
    await addCall('still', 20 * day);
    await addFeedback('still', 4 * day, 4);
    await addCall('late', 5 * day);
    // Partial hours at the windows' edges, which come straight from calls and feedback.
    await addCall('edge', 7 * day - 5 * minute);
    await addCall('edge', 7 * day + 5 * minute, { status: 'abandoned' });
    await addCall('edge', 14 * day - 2 * minute);
    await addCall('edge', minute);
    await addFeedback('edge', 7 * day - 3 * minute, 2);
    await addFeedback('edge', 2 * minute, 5);
    // The embedded engine starts and migrates slowly on a busy machine.
  }, 180_000);

  afterAll(async () => {
    await client?.end();
    await target?.stop();
  });

  it('computes every customer with calls, each window equal to the calls themselves', async () => {
    await refresh();
    for (const customerId of ['slider', 'still', 'late', 'edge']) await expectExact(customerId);
    const rows = await client.query<{ customer_id: string }>('SELECT customer_id FROM customer_overview_totals ORDER BY customer_id');
    expect(rows.rows.map((r) => r.customer_id)).toEqual(['edge', 'late', 'slider', 'still']);
  });

  it('an hour later recomputes only the customers with new calls or calls where the windows slid', async () => {
    // The last refresh ran an hour ago (an earlier instant recomputes everyone as of then).
    await client.query(`SELECT refresh_customer_overview(now() - interval '1 hour')`);
    // Since then: a late call into last week, a call older than every window; and the stored row
    // of a customer with nothing near the windows' edges made wrong on purpose, so that left
    // alone it keeps the wrong value.
    await addCall('late', 9 * day);
    await addCall('quiet', 40 * day);
    await client.query(`UPDATE customer_overview_totals SET last7_sums[1] = 999 WHERE customer_id = 'still'`);
    const recomputed = await refresh();
    // slider and edge had calls in the hour the 7-day windows slid over, late a new call in last
    // week; quiet's new call is older than every window, so nothing of quiet's moved.
    expect(recomputed).toBe(3);
    for (const customerId of ['slider', 'late', 'edge']) await expectExact(customerId);
    const still = await client.query<{ calls: string }>(`SELECT last7_sums[1]::text AS calls FROM customer_overview_totals WHERE customer_id = 'still'`);
    expect(still.rows[0]?.calls).toBe('999');
    // quiet's call is older than every window: still nothing to show.
    expect((await client.query(`SELECT 1 FROM customer_overview_totals WHERE customer_id = 'quiet'`)).rows).toEqual([]);
  });

  it('a refresh with nothing new and no time passed recomputes nobody', async () => {
    await client.query(`UPDATE customer_overview_refreshes SET as_of = now()`);
    expect(await refresh()).toBe(0);
  });

  it('keeps billed sums past the bigint range exact, from the hour to the overview', async () => {
    const nearMax = '9000000000000000000';
    await addCall('huge', 2 * hour, { billed: nearMax });
    await addCall('huge', 2 * hour + minute, { billed: nearMax });
    await refresh();
    const hourly = await client.query<{ billed: string }>(`SELECT sum(billed_micros)::text AS billed FROM customer_hourly_rollups WHERE customer_id = 'huge'`);
    expect(hourly.rows[0]?.billed).toBe('18000000000000000000');
    const daily = await client.query<{ billed: string }>(`SELECT sum(billed_micros)::text AS billed FROM customer_daily_rollups WHERE customer_id = 'huge'`);
    expect(daily.rows[0]?.billed).toBe('18000000000000000000');
    await expectExact('huge');
  });

  it('moves every window exactly from one refresh to the next: late calls into older hours, reconciled amounts, feedback, a new day', async () => {
    const movers = ['mover-a', 'mover-b', 'mover-c'];
    await client.query(`INSERT INTO customers (id, name) SELECT id, id FROM unnest($1::text[]) id`, [movers]);
    // Refresh instants three days back, so calls may end after the instant a refresh is as of.
    const base = seededAt - 3 * day;
    const endedAt = (instant: number) => seededAt - instant;
    for (const offset of [-20 * day, -13 * day - 50 * minute, -9 * day, -7 * day - 10 * minute, -7 * day + 15 * minute, -2 * day, -30 * minute, 20 * minute, 2 * hour]) {
      await addCall('mover-a', endedAt(base + offset), { status: offset < -5 * day ? 'failed' : 'completed' });
    }
    for (const offset of [-14 * day + 30 * minute, -6 * day, -8 * hour, 5 * minute]) await addCall('mover-b', endedAt(base + offset), { errors: 1 });
    await addFeedback('mover-b', endedAt(base - 7 * day + 40 * minute), 3);
    // mover-c has nothing in any window at the first refresh.
    await addCall('mover-c', endedAt(base - 40 * day));

    async function refreshAt(instant: number): Promise<number> {
      await client.query('SELECT * FROM refresh_rollups(100000)');
      return (await client.query<{ customers: number }>('SELECT refresh_customer_overview($1::timestamptz) AS customers', [new Date(instant).toISOString()])).rows[0]!.customers;
    }
    async function expectMoversExact(): Promise<void> {
      for (const customerId of movers) await expectExact(customerId);
      // The daily rollups (the usage series) are moved by the same changes: equal to the calls and feedback of each day.
      const daily = await client.query(
        `SELECT customer_id, day::text, calls, with_error, duration_ms_sum::text, billed_micros::text, csat_sum, csat_count
         FROM customer_daily_rollups WHERE customer_id = ANY ($1) ORDER BY 1, 2`,
        [movers],
      );
      const days = await client.query(
        `SELECT customer_id, day::text, sum(calls)::int AS calls, sum(with_error)::int AS with_error, sum(duration_ms_sum)::text AS duration_ms_sum,
                sum(billed_micros)::text AS billed_micros, sum(csat_sum)::int AS csat_sum, sum(csat_count)::int AS csat_count
         FROM (
           SELECT customer_id, (ended_at AT TIME ZONE 'UTC')::date AS day, 1 AS calls, (status = 'failed' OR error_count > 0)::int AS with_error,
                  duration_ms AS duration_ms_sum, billed_micros, 0 AS csat_sum, 0 AS csat_count
           FROM calls WHERE customer_id = ANY ($1)
           UNION ALL
           SELECT customer_id, (ts AT TIME ZONE 'UTC')::date, 0, 0, 0, 0, csat, 1 FROM call_feedback WHERE customer_id = ANY ($1)
         ) e GROUP BY 1, 2 ORDER BY 1, 2`,
        [movers],
      );
      expect(daily.rows).toEqual(days.rows);
    }
    // Earlier than the last refresh: every window computed afresh.
    await refreshAt(base);
    await expectMoversExact();

    // 50 minutes on: a late call into last week's hours, another ending before the edge hour, a
    // reconciliation of a week-old day, feedback near the 7-day edge, and mover-c's first calls.
    await addCall('mover-a', endedAt(base - 5 * day + 7 * minute));
    await addCall('mover-b', endedAt(base - 20 * minute), { status: 'abandoned' });
    await client.query(`UPDATE calls SET billed_micros = billed_micros + 1234 WHERE customer_id = 'mover-a' AND ended_at < $1`, [new Date(base - 8 * day).toISOString()]);
    await addFeedback('mover-a', endedAt(base - 7 * day + 55 * minute), 1);
    await addCall('mover-c', endedAt(base - 10 * day));
    await addCall('mover-c', endedAt(base + 45 * minute));
    const touched = await refreshAt(base + 50 * minute);
    const rows = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM customer_overview_totals');
    // Moved, not recomputed: the customers of the earlier tests with nothing near an edge are not read.
    expect(touched).toBeLessThan(rows.rows[0]!.n);
    await expectMoversExact();

    // Three hours on: a call's outcome corrected in an hour already inside the windows, a call
    // taken back out of a week-old reconciliation, and the hours the windows crossed.
    await client.query(`UPDATE calls SET status = 'failed', error_count = 2 WHERE customer_id = 'mover-b' AND ended_at = $1`, [new Date(base - 6 * day).toISOString()]);
    await client.query(`UPDATE calls SET billed_micros = 0 WHERE customer_id = 'mover-a' AND ended_at = $1`, [new Date(base - 9 * day).toISOString()]);
    await addCall('mover-c', endedAt(base + 2 * hour + 10 * minute), { status: 'failed' });
    await refreshAt(base + 3 * hour + 20 * minute);
    await expectMoversExact();

    // A day later (a new UTC day for the last 7 full days), then two.
    await addCall('mover-a', endedAt(base + 20 * hour));
    await addFeedback('mover-c', endedAt(base + 23 * hour), 5);
    await refreshAt(base + 27 * hour);
    await expectMoversExact();
    await addCall('mover-b', endedAt(base + 2 * day + hour));
    await refreshAt(base + 2 * day + 5 * hour);
    await expectMoversExact();
  });

  it('leaves every stored row, whole-hour sums included, equal to a from-scratch recomputation at the same instant', async () => {
    const storedRows = async () =>
      (
        await client.query(
          `SELECT customer_id, month_sums::text, last7_sums::text, prev7_sums::text, last7_whole_hour_sums::text, prev7_whole_hour_sums::text,
                  full7_billed_micros::text FROM customer_overview_totals ORDER BY customer_id`,
        )
      ).rows;
    const previous = (await client.query<{ as_of: Date }>('SELECT as_of FROM customer_overview_refreshes')).rows[0]!.as_of.getTime();
    const instant = new Date(previous + hour + 7 * minute).toISOString();
    // An hour on: new traffic for one customer; for the others only the windows slid.
    await addCall('mover-a', seededAt - previous - 30 * minute);
    await client.query('SELECT * FROM refresh_rollups(100000)');
    const moved = (await client.query<{ customers: number }>('SELECT refresh_customer_overview($1::timestamptz) AS customers', [instant])).rows[0]!.customers;
    const incremental = await storedRows();
    expect(moved).toBeLessThan(incremental.length);
    // No last refresh: everyone recomputed from the rollups, as of the same instant.
    await client.query('DELETE FROM customer_overview_refreshes');
    await client.query('SELECT refresh_customer_overview($1::timestamptz)', [instant]);
    expect(incremental).toEqual(await storedRows());
  });
});
