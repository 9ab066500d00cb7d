import { expect, test } from 'vitest';
import type { ApiResult } from '../../ui/shared/api.ts';
import { SignOutModel } from '../../ui/shared/sign-out-model.ts';

function signOutAnswering(answer: ApiResult<null>) {
  const visited: string[] = [];
  let calls = 0;
  const model = new SignOutModel({
    endSession: async () => {
      calls += 1;
      return answer;
    },
    navigate: (path) => visited.push(path),
  });
  return { model, visited, calls: () => calls };
}

test('goes to the signed-out login page once the session is ended', async () => {
  const { model, visited } = signOutAnswering({ ok: true, status: 204, data: null });
  await model.signOut();
  expect(visited).toEqual(['/login?signed_out=1']);
});

test('treats an already expired session (401) as signed out', async () => {
  const { model, visited } = signOutAnswering({
    ok: false,
    error: { code: 'unauthorized', message: 'There is no session.', details: [], status: 401 },
  });
  await model.signOut();
  expect(visited).toEqual(['/login?signed_out=1']);
});

test('stays on the page and keeps the error when the server could not end the session', async () => {
  const error = { code: 'network_error', message: 'Could not reach Switchboard.', details: [], status: 0 };
  const { model, visited } = signOutAnswering({ ok: false, error });
  await model.signOut();
  expect(visited).toEqual([]);
  expect(model.error.value).toEqual(error);
  expect(model.pending.value).toBe(false);
});

test('sends one request however often the button is pressed while it is pending', async () => {
  const { model, calls } = signOutAnswering({ ok: true, status: 204, data: null });
  await Promise.all([model.signOut(), model.signOut()]);
  expect(calls()).toBe(1);
});
