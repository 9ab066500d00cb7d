// The child side of load.ts: runs the clients and reports every batch's timing.
import { keyFor, loadBatch, wallClockMs, type BatchRecord, type LoadClientMessage, type LoadConfig, type LoadReport } from './load.ts';

const requestTimeoutMs = 60_000;

function send(report: LoadReport): void {
  process.send?.(report);
}

async function runClients(config: LoadConfig): Promise<BatchRecord[]> {
  const records: BatchRecord[] = [];
  let next = config.firstIndex;
  const endMs = Date.now() + config.durationMs;
  const client = async (): Promise<void> => {
    while (Date.now() < endMs) {
      const index = next++;
      const anchorMs = Date.now();
      const events = loadBatch(config, index, anchorMs);
      const body = JSON.stringify(events);
      const sentMs = wallClockMs();
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
      records.push({ index, count: events.length, anchorMs, sentMs, answeredMs, status, accepted: answer?.accepted ?? 0, sampleIds, ...(answer ? {} : { error: text.slice(0, 300) }) });
    }
  };
  await Promise.all(Array.from({ length: config.clients }, client));
  return records;
}

process.on('message', (message: LoadClientMessage) => {
  if (message.type === 'exit') process.exit(0);
  runClients(message.config).then(
    (records) => send({ type: 'done', records }),
    (error: unknown) => send({ type: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
});
