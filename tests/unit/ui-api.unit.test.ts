import { afterEach, describe, expect, test, vi } from 'vitest';
import { api, apiUrl } from '../../ui/shared/api.ts';

interface SeenRequest {
  url: string;
  init: RequestInit;
}

function answerWith(response: Response | Error): SeenRequest[] {
  const seen: SeenRequest[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
    seen.push({ url, init });
    if (response instanceof Error) throw response;
    return response;
  });
  return seen;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('api', () => {
  test('returns the contract error body as a value, with its HTTP status', async () => {
    answerWith(
      Response.json(
        { error: { code: 'validation_failed', message: 'days must be 1-90', details: [{ path: 'days', message: 'too big' }] } },
        { status: 400 },
      ),
    );
    expect(await api.get('/api/customer/usage', { query: { days: 365 } })).toEqual({
      ok: false,
      error: { code: 'validation_failed', message: 'days must be 1-90', details: [{ path: 'days', message: 'too big' }], status: 400 },
    });
  });

  test('sends JSON with same-origin credentials and parses the JSON answer', async () => {
    const seen = answerWith(Response.json({ role: 'operator' }, { status: 201 }));
    expect(await api.post('/api/session', { token: 't' })).toEqual({ ok: true, status: 201, data: { role: 'operator' } });
    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.url).toBe('/api/session');
    expect(request?.init.method).toBe('POST');
    expect(request?.init.credentials).toBe('same-origin');
    expect(request?.init.body).toBe('{"token":"t"}');
    expect(request?.init.headers).toMatchObject({ 'Content-Type': 'application/json', Accept: 'application/json' });
  });

  test('answers an empty 204 with null data', async () => {
    answerWith(new Response(null, { status: 204 }));
    expect(await api.delete('/api/session')).toEqual({ ok: true, status: 204, data: null });
  });

  test('turns an error without a contract body into unexpected_response', async () => {
    answerWith(new Response('<html>Bad gateway</html>', { status: 502 }));
    const result = await api.get('/api/ops/live');
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('unexpected_response');
      expect(result.error.status).toBe(502);
      expect(result.error.message).toContain('HTTP 502');
    }
  });

  test('turns an unreachable server into network_error with status 0', async () => {
    answerWith(new TypeError('fetch failed'));
    const result = await api.get('/api/ops/live');
    expect(result).toMatchObject({ ok: false, error: { code: 'network_error', status: 0, details: [] } });
  });

  test('tells a cancelled request apart from a network failure', async () => {
    answerWith(new DOMException('The operation was aborted.', 'AbortError'));
    expect(await api.get('/api/ops/live')).toMatchObject({ ok: false, error: { code: 'aborted', status: 0 } });
  });
});

test('apiUrl encodes the query and leaves out empty values', () => {
  expect(apiUrl('/api/ops/calls', { status: 'failed,stale', phone: '+14155550100', cursor: null, region: undefined, kind: '', has_error: true })).toBe(
    '/api/ops/calls?status=failed%2Cstale&phone=%2B14155550100&has_error=true',
  );
  expect(apiUrl('/api/ops/calls', {})).toBe('/api/ops/calls');
});
