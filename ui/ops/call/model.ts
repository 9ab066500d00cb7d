// One call's page as signals: its detail, fetched once per call, and the list it was opened from.
import { computed, createModel, effect, signal, type ReadonlySignal } from '@preact/signals';
import type { ApiError } from '../../shared/api.ts';
import { callListPath, withQuery } from '../call-filters.ts';
import type { OpsApi } from '../ops-api.ts';
import type { CallDetail } from '../wire.ts';
import { waterfall } from './waterfall.ts';

export interface CallDeps {
  api: Pick<OpsApi, 'call'>;
  call: ReadonlySignal<{ customerId: string; callId: string } | null>;
  /** The call page's query string: the filters of the list it was opened from. */
  search: ReadonlySignal<string>;
}

export const CallModel = createModel((deps: CallDeps) => {
  const detail = signal<CallDetail | null>(null);
  const error = signal<ApiError | null>(null);
  const loading = signal(false);

  effect(() => {
    const wanted = deps.call.value;
    if (!wanted) return;
    const controller = new AbortController();
    detail.value = null;
    error.value = null;
    loading.value = true;
    void deps.api.call(wanted.customerId, wanted.callId, controller.signal).then((answer) => {
      if (controller.signal.aborted) return;
      loading.value = false;
      if (answer.ok) detail.value = answer.data;
      else error.value = answer.error;
    });
    return () => controller.abort();
  });

  return {
    detail,
    error,
    loading,
    waterfall: computed(() => (detail.value ? waterfall(detail.value.turns) : null)),
    backHref: computed(() => withQuery(callListPath, new URLSearchParams(deps.search.value))),
  };
});

export type Call = InstanceType<typeof CallModel>;
