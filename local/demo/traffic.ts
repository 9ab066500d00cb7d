// Live demo traffic through the public API, as a voice platform would send it: calls start per
// customer along the daily rhythm (and the scripted incidents), each call's events are released
// as their time comes (turn by turn), and each customer's due events go to POST /v1/events with
// its own ingest key every 1-2 s. A request the server could not take (network, 5xx) is re-sent
// whole with the next batch: ingestion is idempotent, so nothing is counted twice. About one call
// in twenty is recorded: its WAV goes to PUT /v1/calls/{customer}/{call}/audio once the request
// carrying its call.ended has been answered, so the sha256 it declared is there to check against.
import { MAX_BATCH_BYTES, MAX_EVENTS_PER_BATCH } from '../../workers/ingest/parse-batch.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { generateCall } from './call-generator.ts';
import type { DemoCustomer } from './customers.ts';
import type { Incidents } from './incidents.ts';
import { createRng, integer, type Rng } from './random.ts';
import { callArrivals } from './rhythm.ts';

const TICK_MS = 250;
const FLUSH_INTERVAL_MS = { min: 1_000, max: 2_000 } as const;
/** After a longer stall (a laptop asleep) the missed calls are skipped, not sent in one burst. */
const MAX_CATCH_UP_MS = 60_000;
/** Events kept for re-sending while the server is unreachable; the oldest go first beyond it. */
const MAX_UNSENT_EVENTS = 50_000;
/** Headroom under the 1 MiB request limit for the brackets and commas. */
const MAX_REQUEST_BYTES = MAX_BATCH_BYTES - 1_024;
const REPEATED_LOG_INTERVAL_MS = 60_000;
/** About one call in twenty comes with a recording. */
const RECORDED_CALL_SHARE = 1 / 20;
/** Recordings waiting for their call.ended to be sent (or for a second try); the oldest go first beyond it. */
const MAX_WAITING_RECORDINGS = 200;
/** An upload the server could not take (network, 5xx, 429) is tried again with the next flushes, up to this many tries in all. */
const MAX_UPLOAD_TRIES = 3;

export interface LiveTrafficInput {
  baseUrl: string;
  /** Ingest key by customer id. */
  ingestKeys: Readonly<Record<string, string>>;
  customers: readonly DemoCustomer[];
  seed: number;
  /** When traffic starts; calls start from here on. */
  startMs: number;
  incidents: Incidents;
  clock?: () => number;
  log?: (line: string) => void;
  fetch?: typeof fetch;
}

export interface LiveTraffic {
  stop(): Promise<void>;
}

interface CallInFlight {
  events: SwitchboardEvent[];
  /** Index of the first event not yet released. */
  next: number;
  recording: Uint8Array<ArrayBuffer> | null;
}

interface WaitingRecording {
  callId: string;
  /** The id of the call.ended that declared it: the upload waits until that event was sent. */
  endedEventId: string;
  endedSent: boolean;
  wav: Uint8Array<ArrayBuffer>;
  tries: number;
}

interface CustomerTraffic {
  customer: DemoCustomer;
  key: string;
  arrivals: Generator<number, never>;
  nextArrivalMs: number;
  callRng: Rng;
  calls: CallInFlight[];
  /** Released events waiting to be (re-)sent. */
  unsent: SwitchboardEvent[];
  recordings: WaitingRecording[];
  nextFlushMs: number;
  posting: Promise<void> | null;
}

/** Splits events, in order, into request bodies within the API's count and size limits. */
export function requestBodies(events: readonly SwitchboardEvent[]): Array<{ body: string; count: number }> {
  const bodies: Array<{ body: string; count: number }> = [];
  let current: string[] = [];
  let bytes = 2;
  const close = (): void => {
    bodies.push({ body: `[${current.join(',')}]`, count: current.length });
    current = [];
    bytes = 2;
  };
  for (const event of events) {
    const text = JSON.stringify(event);
    const size = Buffer.byteLength(text) + 1;
    if (current.length > 0 && (current.length >= MAX_EVENTS_PER_BATCH || bytes + size > MAX_REQUEST_BYTES)) close();
    current.push(text);
    bytes += size;
  }
  if (current.length > 0) close();
  return bodies;
}

/** The first rejected event of a 202 answer, worded for the log; null when all were taken. */
function firstRejection(answerText: string): string | null {
  try {
    const answer = JSON.parse(answerText) as { errors?: Array<{ index: number; path: string; message: string }> };
    const first = answer.errors?.[0];
    return first ? `[${first.index}] ${first.path} ${first.message}` : null;
  } catch {
    return `unreadable answer ${answerText.slice(0, 200)}`;
  }
}

export function startLiveTraffic(input: LiveTrafficInput): LiveTraffic {
  const clock = input.clock ?? Date.now;
  const log = input.log ?? ((line: string) => console.log(line));
  const fetchFn = input.fetch ?? fetch;
  const flushRng = createRng(input.seed, 'live-flush');
  const aborts = new AbortController();
  const lastLogged = new Map<string, number>();
  const logThrottled = (topic: string, line: string): void => {
    const now = clock();
    if (now - (lastLogged.get(topic) ?? -Infinity) < REPEATED_LOG_INTERVAL_MS) return;
    lastLogged.set(topic, now);
    log(line);
  };

  const traffic: CustomerTraffic[] = input.customers.map((customer) => {
    const key = input.ingestKeys[customer.id];
    if (!key) throw new Error(`No ingest key for demo customer ${customer.id}`);
    const arrivals = callArrivals(createRng(input.seed, `live-arrivals:${customer.id}`), customer, input.startMs, { incidents: input.incidents, scale: 1 });
    return {
      customer,
      key,
      arrivals,
      nextArrivalMs: arrivals.next().value,
      callRng: createRng(input.seed, `live-calls:${customer.id}`),
      calls: [],
      unsent: [],
      recordings: [],
      nextFlushMs: input.startMs + integer(flushRng, FLUSH_INTERVAL_MS.min, FLUSH_INTERVAL_MS.max),
      posting: null,
    };
  });
  const byId = new Map(traffic.map((t) => [t.customer.id, t]));

  const post = async (customer: CustomerTraffic, events: SwitchboardEvent[]): Promise<void> => {
    let sent = 0;
    for (const { body, count } of requestBodies(events)) {
      let status: number;
      let text: string;
      try {
        const response = await fetchFn(`${input.baseUrl}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${customer.key}`, 'content-type': 'application/json' },
          body,
          signal: aborts.signal,
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        if (aborts.signal.aborted) return;
        const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
        const reason = [(error as Error).message, cause?.code ?? cause?.message].filter(Boolean).join(': ');
        logThrottled(`unreachable:${customer.customer.id}`, `demo: could not reach ${input.baseUrl} (${reason}); keeping ${customer.customer.id}'s events to re-send`);
        break;
      }
      if (status >= 500 || status === 429) {
        logThrottled(`busy:${customer.customer.id}`, `demo: ${status} from /v1/events for ${customer.customer.id}; re-sending with the next batch`);
        break;
      }
      const rejection = status === 202 ? firstRejection(text) : null;
      if (status !== 202) {
        // Refused for good (a revoked key, events too old after a long stall): re-sending cannot help.
        logThrottled(`refused:${customer.customer.id}`, `demo: /v1/events refused ${count} events of ${customer.customer.id} with ${status}: ${text.slice(0, 300)}`);
      } else if (rejection) {
        logThrottled(`rejected:${customer.customer.id}`, `demo: events of ${customer.customer.id} rejected, first: ${rejection}`);
      }
      sent += count;
    }
    const unsent = events.slice(sent);
    customer.unsent = [...unsent, ...customer.unsent].slice(-MAX_UNSENT_EVENTS);
    const sentIds = new Set(events.slice(0, sent).map((event) => event.id));
    for (const recording of customer.recordings) if (sentIds.has(recording.endedEventId)) recording.endedSent = true;
    await uploadRecordings(customer);
  };

  /** Whether the server took the recording, or it is worth another try. */
  const uploadRecording = async (customer: CustomerTraffic, recording: WaitingRecording): Promise<'stored' | 'try-again' | 'refused'> => {
    const customerId = customer.customer.id;
    const fail = (reason: string, outcome: 'try-again' | 'refused'): 'try-again' | 'refused' => {
      const fate = outcome === 'try-again' && recording.tries < MAX_UPLOAD_TRIES ? 'trying again with the next batch' : 'giving it up';
      logThrottled('recording-upload', `demo: uploading the recording of ${customerId}/${recording.callId} failed (${reason}); ${fate}`);
      return outcome;
    };
    recording.tries++;
    let response: Response;
    try {
      response = await fetchFn(`${input.baseUrl}/v1/calls/${encodeURIComponent(customerId)}/${encodeURIComponent(recording.callId)}/audio`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${customer.key}`, 'content-type': 'audio/wav' },
        body: recording.wav,
        signal: aborts.signal,
      });
    } catch (error) {
      if (aborts.signal.aborted) return 'refused';
      return fail((error as Error).message, 'try-again');
    }
    const text = await response.text().catch(() => '');
    if (response.status === 201) return 'stored';
    return fail(`${response.status}: ${text.slice(0, 300)}`, response.status >= 500 || response.status === 429 ? 'try-again' : 'refused');
  };

  const uploadRecordings = async (customer: CustomerTraffic): Promise<void> => {
    const ready = customer.recordings.filter((recording) => recording.endedSent);
    customer.recordings = customer.recordings.filter((recording) => !recording.endedSent);
    for (const recording of ready) {
      if (aborts.signal.aborted) return;
      const outcome = await uploadRecording(customer, recording);
      if (outcome === 'try-again' && recording.tries < MAX_UPLOAD_TRIES) customer.recordings.push(recording);
    }
  };

  let plannedUntilMs = input.startMs;
  const tick = (): void => {
    const now = clock();
    if (now - plannedUntilMs > MAX_CATCH_UP_MS) {
      log(`demo: traffic was paused for ${Math.round((now - plannedUntilMs) / 1000)} s; the calls that would have started meanwhile are skipped`);
      for (const t of traffic) {
        while (t.nextArrivalMs < now) t.nextArrivalMs = t.arrivals.next().value;
      }
      plannedUntilMs = now;
    }
    for (const { text } of input.incidents.announcementsBetween(plannedUntilMs, now + 1)) log(`demo incident: ${text}`);
    for (const t of traffic) {
      while (t.nextArrivalMs <= now) {
        const call = generateCall({ rng: t.callRng, customer: t.customer, startedAtMs: t.nextArrivalMs, incidents: input.incidents, recordedShare: RECORDED_CALL_SHARE });
        t.calls.push({ events: call.events, next: 0, recording: call.recording });
        t.nextArrivalMs = t.arrivals.next().value;
      }
    }
    for (const runaway of input.incidents.runawayCallsBetween(plannedUntilMs, now + 1)) {
      const t = byId.get(runaway.customerId);
      if (!t) continue;
      const call = generateCall({ rng: t.callRng, customer: t.customer, startedAtMs: runaway.startedAtMs, incidents: input.incidents, runaway: true, recordedShare: RECORDED_CALL_SHARE });
      t.calls.push({ events: call.events, next: 0, recording: call.recording });
    }
    plannedUntilMs = now + 1;

    for (const t of traffic) {
      if (t.posting || now < t.nextFlushMs) continue;
      t.nextFlushMs = now + integer(flushRng, FLUSH_INTERVAL_MS.min, FLUSH_INTERVAL_MS.max);
      const due: SwitchboardEvent[] = [];
      for (const call of t.calls) {
        while (call.next < call.events.length) {
          const event = call.events[call.next];
          if (!event || Date.parse(event.ts) > now) break;
          due.push(event);
          call.next++;
          if (event.type === 'call.ended' && call.recording) {
            t.recordings.push({ callId: event.call_id, endedEventId: event.id, endedSent: false, wav: call.recording, tries: 0 });
          }
        }
      }
      t.calls = t.calls.filter((call) => call.next < call.events.length);
      t.recordings = t.recordings.slice(-MAX_WAITING_RECORDINGS);
      const batch = [...t.unsent, ...due];
      t.unsent = [];
      if (batch.length === 0) continue;
      t.posting = post(t, batch)
        .catch((error: unknown) => log(`demo: posting events failed: ${(error as Error).stack ?? String(error)}`))
        .finally(() => {
          t.posting = null;
        });
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const loop = (): void => {
    if (stopped) return;
    try {
      tick();
    } catch (error) {
      log(`demo: traffic tick failed: ${(error as Error).stack ?? String(error)}`);
    }
    timer = setTimeout(loop, TICK_MS);
  };
  loop();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      aborts.abort();
      await Promise.all(traffic.map((t) => t.posting));
    },
  };
}
