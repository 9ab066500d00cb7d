// GET /metrics from the real stack (wrangler dev, embedded Postgres and Redis), checked by
// Prometheus' own linter: `promtool check metrics` parses the exposition and lints names, units,
// HELP, counter and histogram conventions.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack, type LocalStack } from '../../local/stack.ts';
import { signToken } from '../../workers/auth/tokens.ts';
import type { SwitchboardEvent } from '../../workers/ingest/event-schema.ts';
import { exampleEvents } from '../fixtures/events.ts';
import { waitUntil } from '../support/wait-until.ts';

function promtoolCheckMetrics(exposition: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', ['check', 'metrics'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
    child.stdin.end(exposition);
  });
}

function sampleValue(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('GET /metrics on the real stack', () => {
  let stack: LocalStack;
  let dataDir: string;
  let operator: string;
  const customerId = 'promtool-co';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'sb-metrics-'));
    stack = await startLocalStack({ port: 0, dataDir, demo: false, quiet: true });
    operator = (await signToken(stack.jwtSecret, { role: 'operator', subject: 'metrics-test', ttlSeconds: 600 })).token;
    const headers = { authorization: `Bearer ${operator}`, 'content-type': 'application/json' };
    const created = await fetch(`${stack.baseUrl}/api/ops/customers`, { method: 'POST', headers, body: JSON.stringify({ id: customerId }) });
    expect(created.status).toBe(201);
    const key = ((await (await fetch(`${stack.baseUrl}/api/ops/ingest-keys`, { method: 'POST', headers, body: JSON.stringify({ customer_id: customerId }) })).json()) as { key: string }).key;

    const now = new Date();
    const events: SwitchboardEvent[] = [0, 1, 2].flatMap((i) => Object.values(exampleEvents({ customerId, callId: `call-${i}`, now })));
    // A provider name with a quote, a backslash and a line break: label values promtool must read back.
    events.push({ id: 'odd-provider', type: 'provider.request', customer_id: customerId, call_id: 'call-0', ts: new Date(now.getTime() - 20_000).toISOString(), kind: 'tts', provider: 'acme "tts"\\\nv2', ok: false, latency_ms: 90 });
    const sent = await fetch(`${stack.baseUrl}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(events) });
    expect(sent.status).toBe(202);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('passes promtool check metrics with every family present, live values and request durations included', async () => {
    let text = '';
    // The meter reports within a couple of seconds and its flushed buffer with its next report
    // (within 10 s); request durations arrive at most 5 s apart.
    await waitUntil(
      async () => {
        const response = await fetch(`${stack.baseUrl}/metrics`, { headers: { authorization: `Bearer ${operator}` } });
        expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
        text = await response.text();
        return (
          sampleValue(text, `switchboard_customer_calls_per_hour{customer="${customerId}"}`) === 3 &&
          sampleValue(text, 'switchboard_event_buffer_events') === 0 &&
          text.includes('switchboard_http_request_duration_seconds_bucket{route="/v1/events"')
        );
      },
      'the events, their flush and the request durations show in /metrics',
      30_000,
    );
    expect(sampleValue(text, 'switchboard_ended_calls')).toBe(3);
    expect(sampleValue(text, 'switchboard_provider_success_ratio{kind="tts",provider="acme \\"tts\\"\\\\\\nv2"}')).toBe(0);

    const { code, output } = await promtoolCheckMetrics(text);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 60_000);
});
