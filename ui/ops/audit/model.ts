// The audit page as signals: filters applied as a whole, entries newest first, older ones
// appended on demand; a new search cancels the one in flight.
import { computed, createModel, signal } from '@preact/signals';
import type { ApiError } from '../../shared/api.ts';
import type { AuditApi, AuditFilters, AuditRecord } from './audit-api.ts';

export const noAuditFilters: AuditFilters = { actor: '', action: '', subject_type: '', subject_id: '', from: '', to: '' };

export const AuditModel = createModel((deps: { api: AuditApi }) => {
  const filters = signal<AuditFilters>(noAuditFilters);
  const entries = signal<AuditRecord[]>([]);
  const nextCursor = signal<string | null>(null);
  const loading = signal(false);
  const error = signal<ApiError | null>(null);
  let inFlight: AbortController | null = null;

  async function load(cursor: string | null): Promise<void> {
    inFlight?.abort();
    const controller = new AbortController();
    inFlight = controller;
    loading.value = true;
    error.value = null;
    const answer = await deps.api.list(filters.value, cursor, controller.signal);
    if (controller.signal.aborted) return;
    loading.value = false;
    if (!answer.ok) {
      error.value = answer.error;
      return;
    }
    entries.value = cursor === null ? answer.data.data : [...entries.value, ...answer.data.data];
    nextCursor.value = answer.data.next_cursor;
  }

  return {
    filters,
    entries,
    loading,
    error,
    fieldErrors: computed<Record<string, string>>(() =>
      Object.fromEntries((error.value?.details ?? []).filter((d) => d.path !== '').map((d) => [d.path, d.message])),
    ),
    hasMore: computed(() => nextCursor.value !== null),
    search(next: AuditFilters): Promise<void> {
      filters.value = next;
      return load(null);
    },
    loadMore: () => (nextCursor.value === null ? Promise.resolve() : load(nextCursor.value)),
  };
});

export type Audit = InstanceType<typeof AuditModel>;
