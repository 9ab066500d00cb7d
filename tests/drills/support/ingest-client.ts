// A sender the way the contract asks a voice platform to behave: a batch is re-sent until it is
// answered (202, or 400 when every event was refused), waiting Retry-After after a 503 and backing
// off after a dropped connection, so it loses nothing; re-sending is safe because the API counts
// events it already has as duplicates. Every answer is recorded for the drill's report.
import type { SwitchboardEvent } from '../../../workers/ingest/event-schema.ts';

export interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: Array<{ index: number; path: string; message: string }>;
}

/** What happened to every request a drill made, for its report. */
export class IngestRecord {
  requests = 0;
  byStatus = new Map<string, number>();
  /** 503s that came without a Retry-After, and 5xx other than 503: both break the contract. */
  violations: string[] = [];
  retryAfterSeconds: number[] = [];
  /** Events in requests that got no answer from the Worker (and were sent again). */
  unansweredEvents = 0;
  /** Every event a 202 covered (accepted now, or already held), by id. */
  readonly acknowledged = new Map<string, SwitchboardEvent>();
  accepted = 0;
  duplicates = 0;
  rejected: Array<{ id: string; path: string; message: string }> = [];

  count(outcome: string): void {
    this.requests++;
    this.byStatus.set(outcome, (this.byStatus.get(outcome) ?? 0) + 1);
  }

  statusSummary(): string {
    return [...this.byStatus].sort(([a], [b]) => a.localeCompare(b)).map(([status, n]) => `${status}: ${n}`).join(', ');
  }
}

export interface SendOptions {
  baseUrl: string;
  key: string;
  record: IngestRecord;
  /** Give up (and fail the drill) after this long without an answer. */
  deadlineMs?: number;
  /** Called with each answer's status, to see what ingestion said while a fault lasted. */
  onAnswer?: (status: number | 'network error') => void;
}

const firstBackoffMs = 100;
const maxBackoffMs = 2_000;

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one batch until it is answered; resolves with the answer. */
export async function sendUntilAnswered(events: readonly SwitchboardEvent[], options: SendOptions): Promise<IngestAnswer> {
  const { record } = options;
  const body = JSON.stringify(events);
  const giveUpAt = Date.now() + (options.deadlineMs ?? 600_000);
  for (let attempt = 1; ; attempt++) {
    if (Date.now() > giveUpAt) throw new Error(`a batch of ${events.length} events got no answer within ${options.deadlineMs ?? 600_000} ms`);
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${options.baseUrl}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      // Inside the try: a workerd killed after sending the headers cuts the body short ("terminated"),
      // and an answer that never fully arrived acknowledges nothing.
      text = await response.text();
    } catch {
      record.count('network error');
      record.unansweredEvents += events.length;
      options.onAnswer?.('network error');
      await wait(Math.min(maxBackoffMs, firstBackoffMs * 2 ** Math.min(attempt, 10)));
      continue;
    }
    if (response.status === 503 && !isErrorBody(text)) {
      // Not the Worker's answer but wrangler dev's, while it reloads the Worker (it does when
      // files it watches change, dist/ui included): like a dropped connection, sent again.
      record.count('503 from wrangler dev reloading');
      record.unansweredEvents += events.length;
      await wait(Math.min(maxBackoffMs, firstBackoffMs * 2 ** Math.min(attempt, 10)));
      continue;
    }
    record.count(String(response.status));
    options.onAnswer?.(response.status);
    if (response.status === 503) {
      const retryAfter = Number(response.headers.get('retry-after'));
      if (!Number.isFinite(retryAfter) || retryAfter <= 0) {
        record.violations.push(`503 without a usable Retry-After (${response.headers.get('retry-after')}): ${text.slice(0, 200)}`);
        await wait(maxBackoffMs);
      } else {
        record.retryAfterSeconds.push(retryAfter);
        await wait(retryAfter * 1000);
      }
      continue;
    }
    if (response.status >= 500) {
      record.violations.push(`${response.status}: ${text.slice(0, 200)}`);
      await wait(Math.min(maxBackoffMs, firstBackoffMs * 2 ** Math.min(attempt, 10)));
      continue;
    }
    if (response.status !== 202 && response.status !== 400) throw new Error(`POST /v1/events answered ${response.status}: ${text.slice(0, 300)}`);
    const answer = JSON.parse(text) as IngestAnswer;
    acknowledge(record, events, answer);
    return answer;
  }
}

/** The contract's error body, which every answer of the Worker itself carries. */
function isErrorBody(text: string): boolean {
  try {
    return typeof (JSON.parse(text) as { error?: { code?: unknown } }).error?.code === 'string';
  } catch {
    return false;
  }
}

function acknowledge(record: IngestRecord, events: readonly SwitchboardEvent[], answer: IngestAnswer): void {
  record.accepted += answer.accepted;
  record.duplicates += answer.duplicates;
  const refused = new Set(answer.errors.map((e) => e.index));
  for (const error of answer.errors) record.rejected.push({ id: events[error.index]?.id ?? `#${error.index}`, path: error.path, message: error.message });
  events.forEach((event, index) => {
    if (!refused.has(index)) record.acknowledged.set(event.id, event);
  });
}

export interface SendAllOptions extends SendOptions {
  concurrency: number;
  /** Each sender starts a batch at most this often. */
  paceMs?: number;
  /** Batches started and answered so far, kept current for the drill. */
  progress?: { started: number; answered: number };
  onBatch?: (answered: number) => void;
}

/** Sends every batch through `concurrency` parallel senders, each batch until it is answered. */
export async function sendAll(batches: readonly SwitchboardEvent[][], options: SendAllOptions): Promise<void> {
  const progress = options.progress ?? { started: 0, answered: 0 };
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const started = Date.now();
      progress.started++;
      await sendUntilAnswered(batch, options);
      options.onBatch?.(++progress.answered);
      if (options.paceMs) await wait(Math.max(0, options.paceMs - (Date.now() - started)));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, sender));
}
