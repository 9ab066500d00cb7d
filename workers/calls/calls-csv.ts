// The call list as CSV (CONTRACT section 3, GET /api/ops/calls.csv): the list's filters and sort,
// at most 10,000 rows, RFC 4180 written by csv-stringify, streamed a page at a time so a full
// export never sits in memory. Cells a spreadsheet would run as a formula are defused with a
// leading `'`; numbers and E.164 phone numbers we validated are written as they are.
import { stringify } from 'csv-stringify/sync';
import type { Queryable } from '../db/client.ts';
import { csvOptions, numberCell, textCell } from '../http/csv-cells.ts';
import { countCalls, isE164, readCallPage, type CallFilters, type CallListRow } from './list-calls.ts';
import type { ListPosition } from './list-cursor.ts';

export const maxCsvRows = 10_000;
const csvPageSize = 1_000;

export const csvColumns = [
  'customer_id',
  'call_id',
  'started_at',
  'ended_at',
  'status',
  'duration_ms',
  'latency_ms',
  'cost_micros',
  'provider_cost_micros',
  'region',
  'from',
  'to',
  'agent_id',
  'agent_version',
  'provider_stt',
  'provider_llm',
  'provider_tts',
  'provider_telephony',
  'has_error',
  'error_count',
  'turn_count',
] as const;

function phoneCell(value: string | null): string {
  return value !== null && isE164(value) ? value : textCell(value);
}

function toRecord(call: CallListRow): string[] {
  const cells: Record<(typeof csvColumns)[number], string> = {
    customer_id: textCell(call.customer_id),
    call_id: textCell(call.call_id),
    started_at: textCell(call.started_at),
    ended_at: textCell(call.ended_at),
    status: textCell(call.status),
    duration_ms: numberCell(call.duration_ms),
    latency_ms: numberCell(call.latency_ms),
    cost_micros: numberCell(call.cost_micros),
    provider_cost_micros: numberCell(call.provider_cost_micros),
    region: textCell(call.region),
    from: phoneCell(call.from),
    to: phoneCell(call.to),
    agent_id: textCell(call.agent_id),
    agent_version: textCell(call.agent_version),
    provider_stt: textCell(call.providers.stt),
    provider_llm: textCell(call.providers.llm),
    provider_tts: textCell(call.providers.tts),
    provider_telephony: textCell(call.providers.telephony),
    has_error: String(call.has_error),
    error_count: numberCell(call.error_count),
    turn_count: numberCell(call.turn_count),
  };
  return csvColumns.map((column) => cells[column]);
}

export interface CallsCsv {
  /** Calls matching the filters when the export started; more than maxCsvRows means truncated. */
  totalCount: number;
  truncated: boolean;
  body: ReadableStream<Uint8Array>;
  /** Settles when the body has been read to its end, failed, or been abandoned by the client. */
  finished: Promise<void>;
  filename: string;
}

export async function exportCallsCsv({ db, filters, now = new Date() }: {
  db: Queryable;
  filters: CallFilters;
  /** The clock for the 4 h stale rule and the file name. */
  now?: Date;
}): Promise<CallsCsv> {
  const totalCount = await countCalls({ db, filters, asOf: now });
  const encoder = new TextEncoder();
  let markFinished = () => {};
  const finished = new Promise<void>((resolve) => {
    markFinished = resolve;
  });
  let after: ListPosition | null = null;
  let written = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(stringify([[...csvColumns]], csvOptions)));
    },
    async pull(controller) {
      try {
        const limit = Math.min(csvPageSize, maxCsvRows - written);
        const page = await readCallPage({ db, filters, after, limit, asOf: now });
        if (page.length > 0) controller.enqueue(encoder.encode(stringify(page.map((entry) => toRecord(entry.call)), csvOptions)));
        written += page.length;
        after = page.at(-1)?.position ?? after;
        if (page.length < limit || written >= maxCsvRows) {
          controller.close();
          markFinished();
        }
      } catch (error) {
        console.error('calls.csv export failed after', written, 'rows', error);
        controller.error(error);
        markFinished();
      }
    },
    cancel() {
      markFinished();
    },
  });
  return {
    totalCount,
    truncated: totalCount > maxCsvRows,
    body,
    finished,
    filename: `calls-${now.toISOString().replace(/[:.]/g, '').replace(/\d{3}Z$/, 'Z')}.csv`,
  };
}
