// The operator's logins and audit pages: their signal models against a scripted API, and their
// addresses in the /ops router.
import { describe, expect, test } from 'vitest';
import type { ApiResult } from '../../ui/shared/api.ts';
import type { AuditApi, AuditFilters, AuditPage } from '../../ui/ops/audit/audit-api.ts';
import { AuditModel, noAuditFilters } from '../../ui/ops/audit/model.ts';
import type { IssueLoginRequest, IssuedLogin, LoginPage, LoginRow, LoginsApi } from '../../ui/ops/logins/logins-api.ts';
import { isLive, LoginsModel } from '../../ui/ops/logins/model.ts';
import { parseRoute } from '../../ui/ops/router.ts';

const ok = <T>(data: T): ApiResult<T> => ({ ok: true, status: 200, data });

function login(id: string, overrides: Partial<LoginRow> = {}): LoginRow {
  return {
    id,
    source: 'api',
    role: 'operator',
    customer_id: null,
    subject: `login:${id}`,
    created_at: '2026-11-24T14:00:00.000Z',
    created_by: 'ops@example.test',
    expires_at: '2026-12-01T14:00:00.000Z',
    revoked_at: null,
    revoked_by: null,
    ...overrides,
  };
}

/** A logins API over an in-memory list, pages of two, newest first. */
function scriptedLogins(initial: LoginRow[]) {
  const rows = [...initial];
  const issued: IssueLoginRequest[] = [];
  const api: LoginsApi = {
    async list(cursor) {
      const start = cursor === null ? 0 : Number(cursor);
      const page: LoginPage = { data: rows.slice(start, start + 2), has_more: start + 2 < rows.length, next_cursor: start + 2 < rows.length ? String(start + 2) : null };
      return ok(page);
    },
    async issue(request) {
      issued.push(request);
      if (request.role === 'customer' && request.customer_id === 'nobody') {
        return { ok: false, error: { code: 'validation_failed', message: 'The request body is not valid.', details: [{ path: 'customer_id', message: 'no such customer' }], status: 400 } };
      }
      const id = `new-${issued.length}`;
      rows.unshift(login(id, { role: request.role, customer_id: request.customer_id ?? null }));
      const answer: IssuedLogin = { id, token: `token-of-${id}`, role: request.role, customer_id: request.customer_id ?? null, subject: request.subject ?? `login:${id}`, expires_at: '2026-12-01T14:00:00.000Z' };
      return { ok: true, status: 201, data: answer };
    },
    async revoke(id) {
      const row = rows.find((r) => r.id === id);
      if (row) row.revoked_at = '2026-11-24T15:00:00.000Z';
      return { ok: true, status: 204, data: null };
    },
  };
  return { api, issued };
}

describe('logins page model', () => {
  test('lists logins and appends older pages on demand', async () => {
    const { api } = scriptedLogins([login('a'), login('b'), login('c')]);
    const model = new LoginsModel({ api });
    await model.reload();
    expect(model.rows.value.map((r) => r.id)).toEqual(['a', 'b']);
    expect(model.hasMore.value).toBe(true);
    await model.loadMore();
    expect(model.rows.value.map((r) => r.id)).toEqual(['a', 'b', 'c']);
    expect(model.hasMore.value).toBe(false);
  });

  test('issues a login in seconds from days, shows its token until dismissed, and lists it', async () => {
    const { api, issued } = scriptedLogins([login('a')]);
    const model = new LoginsModel({ api });
    expect(await model.issue({ role: 'customer', customerId: ' acme ', lifetimeDays: 30, subject: '' })).toBe(true);
    expect(issued).toEqual([{ role: 'customer', customer_id: 'acme', ttl_s: 30 * 86_400 }]);
    expect(model.issued.value?.token).toBe('token-of-new-1');
    expect(model.rows.value[0]?.id).toBe('new-1');
    model.dismissIssued();
    expect(model.issued.value).toBeNull();
  });

  test('sends no customer for an operator login and names the field the API refused', async () => {
    const { api, issued } = scriptedLogins([]);
    const model = new LoginsModel({ api });
    await model.issue({ role: 'operator', customerId: 'ignored', lifetimeDays: 7, subject: 'oncall@example.test' });
    expect(issued[0]).toEqual({ role: 'operator', ttl_s: 7 * 86_400, subject: 'oncall@example.test' });
    expect(await model.issue({ role: 'customer', customerId: 'nobody', lifetimeDays: 7, subject: '' })).toBe(false);
    expect(model.issueFieldErrors.value).toEqual({ customer_id: 'no such customer' });
    expect(model.issued.value).toBeNull();
  });

  test('revokes a login, forgets its token if it was just issued, and shows the list as it now is', async () => {
    const { api } = scriptedLogins([login('a')]);
    const model = new LoginsModel({ api });
    await model.issue({ role: 'operator', customerId: '', lifetimeDays: 7, subject: '' });
    await model.revoke('new-1');
    expect(model.issued.value).toBeNull();
    expect(model.rows.value.find((r) => r.id === 'new-1')?.revoked_at).not.toBeNull();
  });

  test('calls a login live until it is revoked or expires', () => {
    const now = Date.parse('2026-11-25T00:00:00.000Z');
    expect(isLive(login('a'), now)).toBe(true);
    expect(isLive(login('a', { revoked_at: '2026-11-24T15:00:00.000Z' }), now)).toBe(false);
    expect(isLive(login('a', { expires_at: '2026-11-24T15:00:00.000Z' }), now)).toBe(false);
    expect(isLive(login('a', { source: 'external', expires_at: null, revoked_at: '2026-11-24T15:00:00.000Z' }), now)).toBe(false);
  });
});

describe('audit page model', () => {
  const entry = (id: number) => ({ id, at: '2026-11-24T14:00:00.000Z', actor: 'ops', action: 'token.issue', subject_type: 'token', subject_id: `t${id}`, before: null, after: {} });

  test('searches with the filters as given and appends older entries by cursor', async () => {
    const calls: Array<{ filters: AuditFilters; cursor: string | null }> = [];
    const api: AuditApi = {
      async list(filters, cursor) {
        calls.push({ filters, cursor });
        const page: AuditPage = cursor === null ? { data: [entry(3), entry(2)], has_more: true, next_cursor: 'c2' } : { data: [entry(1)], has_more: false, next_cursor: null };
        return ok(page);
      },
    };
    const model = new AuditModel({ api });
    const filters = { ...noAuditFilters, actor: 'ops', from: '2026-11-24T00:00:00.000Z' };
    await model.search(filters);
    await model.loadMore();
    expect(calls).toEqual([
      { filters, cursor: null },
      { filters, cursor: 'c2' },
    ]);
    expect(model.entries.value.map((e) => e.id)).toEqual([3, 2, 1]);
    expect(model.hasMore.value).toBe(false);
  });

  test('shows which filter the API refused', async () => {
    const api: AuditApi = {
      async list() {
        return { ok: false, error: { code: 'validation_failed', message: 'The query is not valid.', details: [{ path: 'to', message: 'must be after from' }], status: 400 } };
      },
    };
    const model = new AuditModel({ api });
    await model.search(noAuditFilters);
    expect(model.fieldErrors.value).toEqual({ to: 'must be after from' });
  });
});

test('the router knows the logins and audit pages', () => {
  expect(parseRoute('/ops/logins')).toEqual({ view: 'logins' });
  expect(parseRoute('/ops/audit/')).toEqual({ view: 'audit' });
});
