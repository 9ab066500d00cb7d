import { useModel } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import type { ApiError } from '../../shared/api.ts';
import { formatDateTime } from '../../shared/format.ts';
import { NewestFirstTable } from '../newest-first-table.tsx';
import { loginsApi, type LoginRole, type LoginRow } from './logins-api.ts';
import { defaultLifetimeDays, isLive, LoginsModel, maxLifetimeDays, type Logins } from './model.ts';

const sourceWords: Record<LoginRow['source'], string> = {
  api: 'Login',
  view_session: 'View-session',
  external: 'Issued elsewhere',
};

export function LoginsPage() {
  const model = useModel(() => new LoginsModel({ api: loginsApi }));
  useEffect(() => {
    void model.reload();
  }, [model]);
  return (
    <>
      <IssueForm model={model} />
      <IssuedToken model={model} />
      <LoginList model={model} />
    </>
  );
}

function ErrorNotice({ error }: { error: ApiError }) {
  return (
    <div class="notice notice-error" role="alert">
      <p>{error.message}</p>
    </div>
  );
}

function IssueForm({ model }: { model: Logins }) {
  const errors = model.issueFieldErrors.value;
  const form = useRef<HTMLFormElement>(null);
  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget as HTMLFormElement);
    const role: LoginRole = data.get('role') === 'customer' ? 'customer' : 'operator';
    const done = await model.issue({
      role,
      customerId: String(data.get('customer_id') ?? ''),
      lifetimeDays: Number(data.get('lifetime_days') ?? defaultLifetimeDays),
      subject: String(data.get('subject') ?? ''),
    });
    if (done) form.current?.reset();
  };
  return (
    <section class="ops-section" aria-labelledby="issue-heading">
      <h2 id="issue-heading">Issue a login</h2>
      <form class="filter-form" ref={form} onSubmit={onSubmit}>
        <div class="filter-grid">
          <div class="field">
            <label for="login-role">Role</label>
            <select id="login-role" name="role" class="input">
              <option value="operator">Operator</option>
              <option value="customer">Customer</option>
            </select>
          </div>
          <div class="field">
            <label for="login-customer">Customer id</label>
            <input id="login-customer" name="customer_id" class="input" autoComplete="off" spellcheck={false} aria-invalid={errors.customer_id ? 'true' : undefined} aria-describedby="login-customer-hint" />
            <p class="field-hint" id="login-customer-hint">
              For a customer login
            </p>
            {errors.customer_id && <p class="field-error">{errors.customer_id}</p>}
          </div>
          <div class="field">
            <label for="login-subject">For whom</label>
            <input id="login-subject" name="subject" class="input" autoComplete="off" placeholder="name@example.com" aria-invalid={errors.subject ? 'true' : undefined} />
            {errors.subject && <p class="field-error">{errors.subject}</p>}
          </div>
          <div class="field">
            <label for="login-days">Valid for (days)</label>
            <input id="login-days" name="lifetime_days" class="input" type="number" min={1} max={maxLifetimeDays} step={1} defaultValue={String(defaultLifetimeDays)} aria-invalid={errors.ttl_s ? 'true' : undefined} />
            {errors.ttl_s && <p class="field-error">{errors.ttl_s}</p>}
          </div>
        </div>
        <div class="form-actions">
          <button type="submit" class="button button-primary" disabled={model.issuing.value}>
            {model.issuing.value ? 'Issuing…' : 'Issue login'}
          </button>
        </div>
      </form>
      {model.issueError.value && model.issueError.value.details.length === 0 && <ErrorNotice error={model.issueError.value} />}
    </section>
  );
}

function IssuedToken({ model }: { model: Logins }) {
  const issued = model.issued.value;
  if (!issued) return null;
  const copy = () => void navigator.clipboard?.writeText(issued.token);
  return (
    <section class="ops-section" aria-labelledby="issued-heading">
      <h2 id="issued-heading">New login for {issued.subject}</h2>
      <div class="notice" role="status">
        <p>
          Copy this token now: it is shown once and Switchboard keeps no copy. It signs in at <code>/login</code> until {formatDateTime(issued.expires_at, 'local')}.
        </p>
        <label for="issued-token" class="visually-hidden">
          Token
        </label>
        <textarea id="issued-token" class="input" readOnly rows={4} value={issued.token} onFocus={(event) => (event.currentTarget as HTMLTextAreaElement).select()} />
        <div class="form-actions">
          <button type="button" class="button" onClick={copy}>
            Copy token
          </button>
          <button type="button" class="button" onClick={() => model.dismissIssued()}>
            Done
          </button>
        </div>
      </div>
    </section>
  );
}

function LoginList({ model }: { model: Logins }) {
  const rows = model.rows.value;
  const nowMs = Date.now();
  const revoke = (row: LoginRow) => {
    if (window.confirm(`Revoke ${row.subject ?? row.id}? Every page and API call using it is refused within 10 seconds.`)) void model.revoke(row.id);
  };
  return (
    <section class="ops-section" aria-labelledby="logins-heading">
      <h2 id="logins-heading">Logins</h2>
      <div role="status" class="results-status">
        {model.loading.value ? 'Loading logins…' : ''}
      </div>
      {model.listError.value && <ErrorNotice error={model.listError.value} />}
      {model.revokeError.value && <ErrorNotice error={model.revokeError.value} />}
      {!model.loading.value && rows.length === 0 && !model.listError.value && <p class="muted">No logins have been issued here yet.</p>}
      {rows.length > 0 && (
        <NewestFirstTable label="Logins" noun="logins" list={model} columns={['For', 'Kind', 'Role', 'Issued', 'Expires', 'State', 'Action']}>
          {rows.map((row) => (
            <tr key={row.id}>
              <th scope="row">
                {row.subject ?? row.id}
                <div class="muted">{row.id}</div>
              </th>
              <td>{sourceWords[row.source]}</td>
              <td>{row.role === 'customer' ? `Customer ${row.customer_id ?? ''}` : row.role === 'operator' ? 'Operator' : '—'}</td>
              <td>
                {formatDateTime(row.created_at, 'local')}
                {row.created_by && <div class="muted">by {row.created_by}</div>}
              </td>
              <td>{formatDateTime(row.expires_at, 'local')}</td>
              <td>
                {row.revoked_at ? (
                  <>
                    Revoked {formatDateTime(row.revoked_at, 'local')}
                    {row.revoked_by && <div class="muted">by {row.revoked_by}</div>}
                  </>
                ) : isLive(row, nowMs) ? (
                  'Active'
                ) : (
                  'Expired'
                )}
              </td>
              <td>
                {row.revoked_at === null && (
                  <button type="button" class="button button-small" disabled={model.revoking.value === row.id} onClick={() => revoke(row)}>
                    {model.revoking.value === row.id ? 'Revoking…' : 'Revoke'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </NewestFirstTable>
      )}
    </section>
  );
}
