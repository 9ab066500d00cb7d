// Erasure on request (CONTRACT section 5, "Data lifecycle"): one call
// (DELETE /api/ops/calls/{customer_id}/{call_id}) or every call of a customer to or from a phone
// number (POST /api/ops/purges), erased now through the same function retention uses, and audited.
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { appendAudit } from '../admin/audit.ts';
import { customerIdPattern } from '../admin/customers.ts';
import type { Database } from '../db/client.ts';
import { ApiError } from '../http/errors.ts';
import { timestampToJson } from '../http/json-values.ts';
import { callStartedSchema } from '../ingest/event-schema.ts';
import { addErasureCounts, erasureBatchSize, eraseCalls, noErasure, type CallToErase, type ErasureCounts } from './erase-calls.ts';

export const purgeInput = z.strictObject({
  customer_id: z.string().regex(customerIdPattern, 'must be a customer id'),
  phone: callStartedSchema.shape.from,
});
export type PurgeInput = z.output<typeof purgeInput>;

export interface PurgeReport {
  customer_id: string;
  erased_at: string;
  /** Calls to or from the number whose content this purge erased. */
  calls_erased: number;
  erased: ErasureCounts;
  duration_ms: number;
}

/**
 * How a purged number appears in the audit log: enough to tell two purges apart, not enough to
 * bring back the number the purge was asked to forget.
 */
export function maskPhone(phone: string): string {
  return `${phone.slice(0, 2)}${'•'.repeat(Math.max(0, phone.length - 4))}${phone.slice(-2)}`;
}

type CallRow = {
  call_id: string;
  audio_key: string | null;
  content_erased_at: string | null;
};

const toErase = (customerId: string) => (row: CallRow): CallToErase => ({ customerId, callId: row.call_id, audioKey: row.audio_key });

/** Erases one call's content now. Erasing an erased call again changes nothing. */
export async function eraseCall({ db, env, actor, customerId, callId, now = new Date() }: {
  db: Database;
  env: Env;
  actor: string;
  customerId: string;
  callId: string;
  now?: Date;
}): Promise<void> {
  await db.transaction(async (tx) => {
    const found = await tx.execute<CallRow>(sql`
      SELECT call_id, audio_key, content_erased_at FROM calls
      WHERE customer_id = ${customerId} AND call_id = ${callId}
      FOR UPDATE`);
    const row = found.rows[0];
    if (!row) throw new ApiError('not_found', `No call "${callId}" for customer "${customerId}".`);
    if (row.content_erased_at !== null) return;
    const erased = await eraseCalls({ db: tx, recordings: env.RECORDINGS, calls: [toErase(customerId)(row)], now });
    await appendAudit(tx, {
      actor,
      action: 'call.erase',
      subjectType: 'call',
      subjectId: `${customerId}/${callId}`,
      before: { content_erased_at: null },
      after: { content_erased_at: timestampToJson(now), erased },
    });
  });
}

/** Erases the content of every call of the customer to or from `phone`, batch by batch. */
export async function purgePhone({ db, env, actor, input, now = new Date(), clock = () => Date.now() }: {
  db: Database;
  env: Env;
  actor: string;
  input: PurgeInput;
  now?: Date;
  clock?: () => number;
}): Promise<PurgeReport> {
  const started = clock();
  const customer = await db.execute(sql`SELECT 1 FROM customers WHERE id = ${input.customer_id}`);
  if (customer.rows.length === 0) {
    throw new ApiError('validation_failed', `No customer "${input.customer_id}".`, [{ path: 'customer_id', message: 'no such customer' }]);
  }
  let erased = noErasure;
  const callIds: string[] = [];
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const due = await tx.execute<CallRow>(sql`
        SELECT call_id, audio_key, content_erased_at FROM calls
        WHERE customer_id = ${input.customer_id} AND (from_number = ${input.phone} OR to_number = ${input.phone}) AND content_erased_at IS NULL
        ORDER BY call_id
        LIMIT ${erasureBatchSize}
        FOR UPDATE`);
      const calls = due.rows.map(toErase(input.customer_id));
      return { calls, counts: await eraseCalls({ db: tx, recordings: env.RECORDINGS, calls, now }) };
    });
    erased = addErasureCounts(erased, batch.counts);
    callIds.push(...batch.calls.map((c) => c.callId));
    if (batch.calls.length < erasureBatchSize) break;
  }
  const report: PurgeReport = {
    customer_id: input.customer_id,
    erased_at: timestampToJson(now),
    calls_erased: erased.calls,
    erased,
    duration_ms: clock() - started,
  };
  await appendAudit(db, {
    actor,
    action: 'calls.purge',
    subjectType: 'customer',
    subjectId: input.customer_id,
    after: { phone: maskPhone(input.phone), call_ids: callIds, ...report },
  });
  return report;
}
