// POST /api/ops/reconciliations (CONTRACT section 3, "Money"): a provider's invoiced total for one
// UTC day and (component, provider) replaces the estimates on that day's matching cost lines,
// allocated exactly (analytics/money.ts), and the calls' provider cost and billed amount follow.
// Re-posting the same key replaces the earlier allocation; no matching call is a 422.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { allocateLargestRemainder } from '../../analytics/money.ts';
import { appendAudit } from '../admin/audit.ts';
import type { Database, Queryable } from '../db/client.ts';
import { ApiError } from '../http/errors.ts';
import { bigintToJson } from '../http/json-values.ts';

export const reconciliationInput = z.strictObject({
  date: z.iso.date({ message: 'must be a UTC date like 2026-11-24' }),
  provider: z.string().min(1).max(128),
  component: z.string().min(1).max(128),
  actual_cost_micros: z.number().int('must be an integer number of micro-USD').min(0, 'must not be negative').max(Number.MAX_SAFE_INTEGER),
});
export type ReconciliationInput = z.output<typeof reconciliationInput>;

export interface ReconciliationView {
  date: string;
  component: string;
  provider: string;
  actual_cost_micros: number;
  estimated_cost_micros: number;
  calls: number;
  created_at: string;
  created_by: string;
}

type LineRow = { customer_id: string; call_id: string; line_no: number; estimated_micros: string };

/** Splits the total over calls by their estimates, then a call's part over its lines of the pair. */
function allocateOverLines(total: bigint, lines: readonly LineRow[]): Array<LineRow & { part: bigint }> {
  const byCall = new Map<string, LineRow[]>();
  for (const line of lines) {
    const key = JSON.stringify([line.customer_id, line.call_id]);
    byCall.set(key, [...(byCall.get(key) ?? []), line]);
  }
  const callParts = allocateLargestRemainder(
    total,
    [...byCall.values()].map((callLines) => ({
      customerId: callLines[0]?.customer_id ?? '',
      callId: callLines[0]?.call_id ?? '',
      weight: callLines.reduce((sum, l) => sum + BigInt(l.estimated_micros), 0n),
    })),
  );
  return callParts.flatMap((callPart) => {
    const callLines = byCall.get(JSON.stringify([callPart.customerId, callPart.callId])) ?? [];
    if (callLines.length === 1) return [{ ...(callLines[0] as LineRow), part: callPart.part }];
    const lineParts = allocateLargestRemainder(
      callPart.part,
      callLines.map((l) => ({ customerId: callPart.customerId, callId: String(l.line_no).padStart(6, '0'), weight: BigInt(l.estimated_micros) })),
    );
    return callLines.map((l) => ({ ...l, part: lineParts.find((p) => p.callId === String(l.line_no).padStart(6, '0'))?.part ?? 0n }));
  });
}

function toView(row: { day: string; component: string; provider: string; actual_cost_micros: string; estimated_cost_micros: string; calls: number; created_at: string | Date; created_by: string }): ReconciliationView {
  return {
    date: row.day,
    component: row.component,
    provider: row.provider,
    actual_cost_micros: bigintToJson(BigInt(row.actual_cost_micros)),
    estimated_cost_micros: bigintToJson(BigInt(row.estimated_cost_micros)),
    calls: row.calls,
    created_at: new Date(row.created_at).toISOString(),
    created_by: row.created_by,
  };
}

export async function reconcile({ db, actor, input, now = new Date() }: { db: Database; actor: string; input: ReconciliationInput; now?: Date }): Promise<ReconciliationView> {
  return db.transaction(async (tx) => {
    const lines = (
      await tx.execute<LineRow>(sql`
        SELECT l.customer_id, l.call_id, l.line_no, l.estimated_micros::text AS estimated_micros
        FROM call_cost_lines l JOIN calls c USING (customer_id, call_id)
        WHERE c.ended_at >= ${input.date}::date AND c.ended_at < ${input.date}::date + 1
          AND l.component = ${input.component} AND l.provider = ${input.provider}
        ORDER BY l.customer_id, l.call_id, l.line_no
        FOR UPDATE OF l`)
    ).rows;
    if (lines.length === 0) {
      throw new ApiError('unprocessable', `No call ended on ${input.date} (UTC) has a ${input.component} cost line from ${input.provider}; nothing was stored.`, [
        { path: 'date', message: 'no matching calls that day' },
      ]);
    }
    const before = await tx.execute<{ actual_cost_micros: string }>(
      sql`SELECT actual_cost_micros::text AS actual_cost_micros FROM reconciliations WHERE day = ${input.date}::date AND component = ${input.component} AND provider = ${input.provider}`,
    );
    const parts = allocateOverLines(BigInt(input.actual_cost_micros), lines);
    const estimated = lines.reduce((sum, l) => sum + BigInt(l.estimated_micros), 0n);
    // Arrays travel as one JSON parameter (the query builder would spread a JS array into a list).
    const partsJson = JSON.stringify(parts.map((p) => ({ customer_id: p.customer_id, call_id: p.call_id, line_no: p.line_no, part: p.part.toString() })));
    await tx.execute(sql`
      UPDATE call_cost_lines l SET reconciled_micros = v.part
      FROM jsonb_to_recordset(${partsJson}::jsonb) AS v(customer_id text, call_id text, line_no integer, part bigint)
      WHERE l.customer_id = v.customer_id AND l.call_id = v.call_id AND l.line_no = v.line_no`);
    // Each touched call's provider cost is now its reconciled parts plus any other lines' estimates.
    await tx.execute(sql`
      UPDATE calls c
      SET provider_cost_micros = s.cost,
          billed_micros = billed_amount_micros(s.cost, coalesce(c.duration_ms, 0), coalesce(c.markup_bps, 0), coalesce(c.fee_per_minute_micros, 0)),
          updated_at = now()
      FROM (
        SELECT l.customer_id, l.call_id, sum(coalesce(l.reconciled_micros, l.estimated_micros))::bigint AS cost
        FROM call_cost_lines l
        JOIN (SELECT DISTINCT customer_id, call_id FROM jsonb_to_recordset(${partsJson}::jsonb) AS v(customer_id text, call_id text)) touched USING (customer_id, call_id)
        GROUP BY l.customer_id, l.call_id
      ) s
      WHERE c.customer_id = s.customer_id AND c.call_id = s.call_id`);
    const calls = new Set(lines.map((l) => JSON.stringify([l.customer_id, l.call_id]))).size;
    const saved = await tx.execute<Parameters<typeof toView>[0]>(sql`
      INSERT INTO reconciliations (day, component, provider, actual_cost_micros, estimated_cost_micros, calls, created_at, created_by)
      VALUES (${input.date}::date, ${input.component}, ${input.provider}, ${input.actual_cost_micros}, ${estimated.toString()}, ${calls}, ${now.toISOString()}, ${actor})
      ON CONFLICT (day, component, provider) DO UPDATE SET actual_cost_micros = excluded.actual_cost_micros,
        estimated_cost_micros = excluded.estimated_cost_micros, calls = excluded.calls, created_at = excluded.created_at, created_by = excluded.created_by
      RETURNING day::text AS day, component, provider, actual_cost_micros::text AS actual_cost_micros, estimated_cost_micros::text AS estimated_cost_micros, calls, created_at, created_by`);
    const view = toView(saved.rows[0] as Parameters<typeof toView>[0]);
    await appendAudit(tx, {
      actor,
      action: 'reconciliation.post',
      subjectType: 'reconciliation',
      subjectId: `${input.date}/${input.component}/${input.provider}`,
      before: before.rows[0] ? { actual_cost_micros: Number(before.rows[0].actual_cost_micros) } : null,
      after: { actual_cost_micros: view.actual_cost_micros, estimated_cost_micros: view.estimated_cost_micros, calls },
    });
    return view;
  });
}

export async function listReconciliations({ db }: { db: Queryable }): Promise<ReconciliationView[]> {
  const rows = await db.execute<Parameters<typeof toView>[0]>(sql`
    SELECT day::text AS day, component, provider, actual_cost_micros::text AS actual_cost_micros, estimated_cost_micros::text AS estimated_cost_micros,
           calls, created_at, created_by
    FROM reconciliations ORDER BY day DESC, component, provider`);
  return rows.rows.map(toView);
}
