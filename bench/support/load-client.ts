// The child side of load.ts: runs the clients and reports every batch's timing.
import { keyFor, loadBatch, wallClockMs, type BatchRecord, type LoadClientMessage, type LoadConfig, type LoadReport } from './load.ts';

const requestTimeoutMs = 60_000;

function send(report: LoadReport): void {
  process.send?.(report);
}

/** Builds batch `index`, posts it and times it from `sentMs` (now, or when a paced batch was due). */
async function postBatch(config: LoadConfig, index: number, sentMs: number): Promise<BatchRecord> {
  const anchorMs = Date.now();
  const events = loadBatch(config, index, anchorMs);
  const body = JSON.stringify(events);
  let status = 0;
  let text: string;
  try {
    const response = await fetch(`${config.baseUrl}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keyFor(config, events[0]!.customer_id)}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    // Recorded as status 0: the stack did not answer in time or dropped the connection.
    text = error instanceof Error ? error.message : String(error);
  }
  const answeredMs = wallClockMs();
  const answer = status === 202 ? (JSON.parse(text) as { accepted: number }) : null;
  const sampleIds = [events[0], events[Math.floor(events.length / 2)], events.at(-1)].map((event) => event!.id);
  return { index, count: events.length, anchorMs, sentMs, answeredMs, status, accepted: answer?.accepted ?? 0, sampleIds, ...(answer ? {} : { error: text.slice(0, 300) }) };
}

async function runClients(config: LoadConfig): Promise<BatchRecord[]> {
  let next = config.firstIndex;
  const startMs = wallClockMs();
  const endMs = startMs + config.durationMs;
  const backToBack = async (): Promise<BatchRecord[]> => {
    const records: BatchRecord[] = [];
    while (wallClockMs() < endMs) records.push(await postBatch(config, next++, wallClockMs()));
    return records;
  };
  const paced = async (client: number, eventsPerSecond: number): Promise<BatchRecord[]> => {
    const intervalMs = (config.clients * config.batchSize * 1000) / eventsPerSecond;
    const inFlight: Array<Promise<BatchRecord>> = [];
    for (let dueMs = startMs + (client * intervalMs) / config.clients; dueMs < endMs; dueMs += intervalMs) {
      const waitMs = dueMs - wallClockMs();
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      inFlight.push(postBatch(config, next++, dueMs));
    }
    return Promise.all(inFlight);
  };
  const rate = config.eventsPerSecond;
  const perClient = await Promise.all(Array.from({ length: config.clients }, (_, client) => (rate === undefined ? backToBack() : paced(client, rate))));
  return perClient.flat();
}

process.on('message', (message: LoadClientMessage) => {
  if (message.type === 'exit') process.exit(0);
  runClients(message.config).then(
    (records) => send({ type: 'done', records }),
    (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
});
