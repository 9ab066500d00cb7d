// The logins page as signals: the list (newest first, more on demand), issuing a login whose
// token is shown once (until dismissed or another is issued), and revoking one.
import { computed, createModel, signal } from '@preact/signals';
import type { ApiError } from '../../shared/api.ts';
import type { IssuedLogin, LoginRole, LoginRow, LoginsApi } from './logins-api.ts';

export const defaultLifetimeDays = 7;
export const maxLifetimeDays = 90;

export interface IssueForm {
  role: LoginRole;
  customerId: string;
  lifetimeDays: number;
  subject: string;
}

/** A login that may still be used: not revoked and not expired at `nowMs`. */
export function isLive(row: LoginRow, nowMs: number): boolean {
  return row.revoked_at === null && row.expires_at !== null && Date.parse(row.expires_at) > nowMs;
}

export const LoginsModel = createModel((deps: { api: LoginsApi }) => {
  const rows = signal<LoginRow[]>([]);
  const nextCursor = signal<string | null>(null);
  const loading = signal(false);
  const listError = signal<ApiError | null>(null);
  const issued = signal<IssuedLogin | null>(null);
  const issuing = signal(false);
  const issueError = signal<ApiError | null>(null);
  const revoking = signal<string | null>(null);
  const revokeError = signal<ApiError | null>(null);

  async function load(cursor: string | null): Promise<void> {
    loading.value = true;
    listError.value = null;
    const answer = await deps.api.list(cursor);
    loading.value = false;
    if (!answer.ok) {
      listError.value = answer.error;
      return;
    }
    rows.value = cursor === null ? answer.data.data : [...rows.value, ...answer.data.data];
    nextCursor.value = answer.data.next_cursor;
  }

  const issueFieldErrors = computed<Record<string, string>>(() =>
    Object.fromEntries((issueError.value?.details ?? []).filter((d) => d.path !== '').map((d) => [d.path, d.message])),
  );

  return {
    rows,
    loading,
    listError,
    hasMore: computed(() => nextCursor.value !== null),
    issued,
    issuing,
    issueError,
    issueFieldErrors,
    revoking,
    revokeError,
    reload: () => load(null),
    loadMore: () => (nextCursor.value === null ? Promise.resolve() : load(nextCursor.value)),
    async issue(form: IssueForm): Promise<boolean> {
      issuing.value = true;
      issueError.value = null;
      issued.value = null;
      const answer = await deps.api.issue({
        role: form.role,
        ttl_s: Math.round(form.lifetimeDays * 86_400),
        ...(form.role === 'customer' && { customer_id: form.customerId.trim() }),
        ...(form.subject.trim() !== '' && { subject: form.subject.trim() }),
      });
      issuing.value = false;
      if (!answer.ok) {
        issueError.value = answer.error;
        return false;
      }
      issued.value = answer.data;
      await load(null);
      return true;
    },
    /** The token is shown once: dismissing it leaves no copy in the page. */
    dismissIssued() {
      issued.value = null;
    },
    async revoke(id: string): Promise<void> {
      revoking.value = id;
      revokeError.value = null;
      const answer = await deps.api.revoke(id);
      revoking.value = null;
      if (!answer.ok) {
        revokeError.value = answer.error;
        return;
      }
      if (issued.value?.id === id) issued.value = null;
      await load(null);
    },
  };
});

export type Logins = InstanceType<typeof LoginsModel>;
