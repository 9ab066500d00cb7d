import { describe, expect, test } from 'vitest';
import type { ApiResult } from '../../ui/shared/api.ts';
import type { SessionInfo } from '../../ui/shared/session.ts';
import { LoginModel, normaliseToken, safeNextPath } from '../../ui/login/model.ts';

const origin = 'https://switchboard.example';

describe('safeNextPath', () => {
  test.each([
    ['/ops/calls?status=failed#row-3', '/ops/calls?status=failed#row-3'],
    ['/dashboard', '/dashboard'],
    ['/ops/../dashboard', '/dashboard'],
  ])('keeps the same-origin path %s', (raw, expected) => {
    expect(safeNextPath(raw, origin)).toBe(expected);
  });

  test.each([
    ['a missing parameter', null],
    ['a protocol-relative URL', '//evil.example/ops'],
    ['a backslash that browsers read as a slash', '/\\evil.example/ops'],
    ['a tab hidden inside the slashes', '/\t/evil.example'],
    ['an absolute URL', 'https://evil.example/ops'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', 'ops'],
    ['the login page itself', '/login?next=/ops'],
  ])('refuses %s', (_, raw) => {
    expect(safeNextPath(raw, origin)).toBeNull();
  });
});

test('normaliseToken drops surrounding whitespace and a pasted Bearer prefix', () => {
  expect(normaliseToken('  Bearer abc.def.ghi\n')).toBe('abc.def.ghi');
  expect(normaliseToken('abc.def.ghi')).toBe('abc.def.ghi');
});

function session(role: SessionInfo['role']): ApiResult<SessionInfo> {
  return { ok: true, status: 201, data: { role, subject: 'someone', read_only: false, expires_at: '2026-11-24T15:00:00.000Z' } };
}

function loginWith(search: string, answer: ApiResult<SessionInfo>) {
  const sent: string[] = [];
  const visited: string[] = [];
  const model = new LoginModel({
    search,
    origin,
    createSession: async (token) => {
      sent.push(token);
      return answer;
    },
    navigate: (path) => visited.push(path),
  });
  return { model, sent, visited };
}

describe('LoginModel', () => {
  test('sends an operator to /ops and a customer to /dashboard', async () => {
    const operator = loginWith('', session('operator'));
    operator.model.setToken(' token-1 ');
    await operator.model.submit();
    expect(operator.sent).toEqual(['token-1']);
    expect(operator.visited).toEqual(['/ops']);

    const customer = loginWith('', session('customer'));
    customer.model.setToken('token-2');
    await customer.model.submit();
    expect(customer.visited).toEqual(['/dashboard']);
  });

  test('continues to a safe next path and ignores an unsafe one', async () => {
    const safe = loginWith('?next=%2Fops%2Fcalls%3Fstatus%3Dfailed', session('operator'));
    safe.model.setToken('t');
    await safe.model.submit();
    expect(safe.visited).toEqual(['/ops/calls?status=failed']);

    const unsafe = loginWith('?next=%2F%2Fevil.example', session('operator'));
    unsafe.model.setToken('t');
    await unsafe.model.submit();
    expect(unsafe.visited).toEqual(['/ops']);
  });

  test('keeps the API error message and details and stays on the page', async () => {
    const refused = loginWith('', {
      ok: false,
      error: { code: 'unauthorized', message: 'The token has expired.', details: [{ path: 'token', message: 'expired' }], status: 401 },
    });
    refused.model.setToken('old');
    await refused.model.submit();
    expect(refused.visited).toEqual([]);
    expect(refused.model.submitting.value).toBe(false);
    expect(refused.model.problem.value).toEqual({ message: 'The token has expired.', details: [{ path: 'token', message: 'expired' }] });
  });

  test('asks for a token without calling the API when the field is blank', async () => {
    const blank = loginWith('', session('operator'));
    blank.model.setToken('   ');
    await blank.model.submit();
    expect(blank.sent).toEqual([]);
    expect(blank.model.problem.value?.message).toBe('Paste your access token first.');
  });

  test('shows the signed-out note until the next attempt', async () => {
    const { model } = loginWith('?signed_out=1', session('operator'));
    expect(model.signedOut.value).toBe(true);
    model.setToken('t');
    await model.submit();
    expect(model.signedOut.value).toBe(false);
  });
});
