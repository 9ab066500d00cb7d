import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../local/demo/random.ts';
import { syntheticRecordingWav } from '../../local/demo/recording.ts';
import { exampleEvents } from '../fixtures/events.ts';
import { call, operatorToken, uniqueCustomerId, type ErrorBody } from './support.ts';

async function setup(label: string): Promise<{ customerId: string; key: string; token: string }> {
  const token = await operatorToken();
  const customerId = uniqueCustomerId(label);
  await call('/api/ops/customers', { method: 'POST', token, json: { id: customerId } });
  const created = await call('/api/ops/ingest-keys', { method: 'POST', token, json: { customer_id: customerId } });
  return { customerId, key: (await created.json<{ key: string }>()).key, token };
}

/** A real, playable WAV of a few seconds, the same on every run. */
const recording = syntheticRecordingWav(createRng(20261127, 'recordings-test'));

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function upload(key: string, customerId: string, callId: string, body: Uint8Array, contentType = 'audio/wav'): Promise<Response> {
  return call(`/v1/calls/${customerId}/${callId}/audio`, { method: 'PUT', headers: { authorization: `Bearer ${key}`, 'content-type': contentType }, body });
}

describe('call recordings', () => {
  it('stores a recording whose sha256 matches its call.ended and plays it back with ranges', async () => {
    const { customerId, key, token } = await setup('audio');
    const ended = { ...exampleEvents({ customerId, callId: 'rec-1', now: new Date() })['call.ended'], audio: { content_type: 'audio/wav' as const, sha256: await sha256Hex(recording) } };
    expect((await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}` }, json: [ended] })).status).toBe(202);

    const stored = await upload(key, customerId, 'rec-1', recording);
    expect(stored.status).toBe(201);
    expect(await stored.json()).toMatchObject({ bytes: recording.byteLength, sha256: await sha256Hex(recording), content_type: 'audio/wav' });

    const whole = await call(`/api/ops/calls/${customerId}/rec-1/audio`, { token });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('audio/wav');
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(recording);

    const part = await call(`/api/ops/calls/${customerId}/rec-1/audio`, { token, headers: { range: 'bytes=0-3' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-3/${recording.byteLength}`);
    expect(await part.text()).toBe('RIFF');

    const beyond = await call(`/api/ops/calls/${customerId}/rec-1/audio`, { token, headers: { range: `bytes=${recording.byteLength}-` } });
    expect(beyond.status).toBe(416);
  });

  it('refuses a recording whose bytes differ from the declared sha256 and stores nothing', async () => {
    const { customerId, key, token } = await setup('audio-bad');
    const ended = { ...exampleEvents({ customerId, callId: 'rec-2', now: new Date() })['call.ended'], audio: { content_type: 'audio/wav' as const, sha256: 'a'.repeat(64) } };
    await call('/v1/events', { method: 'POST', headers: { authorization: `Bearer ${key}` }, json: [ended] });
    const response = await upload(key, customerId, 'rec-2', recording);
    expect(response.status).toBe(422);
    expect((await response.json<ErrorBody>()).error.details[0]?.path).toBe('audio.sha256');
    expect(await env.RECORDINGS.head(`recordings/${customerId}/rec-2`)).toBeNull();
    expect((await call(`/api/ops/calls/${customerId}/rec-2/audio`, { token })).status).toBe(404);
  });

  it('refuses other content types, other customers and operators without a token', async () => {
    const { customerId, key } = await setup('audio-rules');
    const other = await setup('audio-other');
    expect((await upload(key, customerId, 'c', recording, 'video/mp4')).status).toBe(415);
    expect((await upload(key, other.customerId, 'c', recording)).status).toBe(403);
    expect((await upload('sbk_wrong', customerId, 'c', recording)).status).toBe(401);
    expect((await call(`/api/ops/calls/${customerId}/c/audio`)).status).toBe(401);
  });
});
