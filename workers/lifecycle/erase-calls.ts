// The one way a call's content is erased, whether retention or an operator asks: the recording
// object first, then (one statement) transcripts, tool arguments and results, error text, raw
// events, phone numbers and the recording's key, marking the call erased. Its billed amount,
// duration, status and cost lines stay, so no total, rollup or invoice changes.
// Deleting the object before the rows makes a failure safe to repeat: a call whose rows were not
// yet erased is picked up again and its (already deleted) object deleted again.
import { sql } from 'drizzle-orm';
import type { Queryable } from '../db/client.ts';
import { recordingKey } from '../recordings/recordings.ts';

/** Calls per statement: R2 deletes at most 1,000 keys per request, and a call may name two. */
export const erasureBatchSize = 500;

export interface CallToErase {
  customerId: string;
  callId: string;
  audioKey: string | null;
}

export interface ErasureCounts {
  /** Calls newly marked erased. */
  calls: number;
  /** Transcript turns whose text was erased. */
  turns: number;
  tool_calls: number;
  errors: number;
  /** Raw events deleted. */
  events: number;
  /** Recording objects deleted. */
  recordings: number;
}

export const noErasure: ErasureCounts = { calls: 0, turns: 0, tool_calls: 0, errors: 0, events: 0, recordings: 0 };

export function addErasureCounts(a: ErasureCounts, b: ErasureCounts): ErasureCounts {
  return {
    calls: a.calls + b.calls,
    turns: a.turns + b.turns,
    tool_calls: a.tool_calls + b.tool_calls,
    errors: a.errors + b.errors,
    events: a.events + b.events,
    recordings: a.recordings + b.recordings,
  };
}

/** Erases up to erasureBatchSize calls. */
export async function eraseCalls({ db, recordings, calls, now }: {
  db: Queryable;
  recordings: R2Bucket;
  calls: CallToErase[];
  now: Date;
}): Promise<ErasureCounts> {
  if (calls.length === 0) return noErasure;
  if (calls.length > erasureBatchSize) throw new RangeError(`erase at most ${erasureBatchSize} calls at a time, not ${calls.length}`);
  // The usual key, whether or not the call row learned of the upload (the object may have been
  // stored by a request whose row update failed), and the key the row names.
  const keys = new Set<string>();
  for (const call of calls) {
    keys.add(recordingKey(call.customerId, call.callId));
    if (call.audioKey !== null) keys.add(call.audioKey);
  }
  await recordings.delete([...keys]);
  const result = await db.execute<{ calls: number; turns: number; tool_calls: number; errors: number; events: number }>(sql`
    SELECT calls, turns, tool_calls, errors, events
    FROM erase_call_content(${sql.param(calls.map((c) => c.customerId))}::text[], ${sql.param(calls.map((c) => c.callId))}::text[], ${now.toISOString()}::timestamptz)`);
  const row = result.rows[0];
  if (!row) throw new Error('erase_call_content answered no row');
  return { ...row, recordings: calls.filter((c) => c.audioKey !== null).length };
}
