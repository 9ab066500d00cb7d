// A view whose code is fetched the first time it is shown.
import type { ComponentType } from 'preact';
import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { CLIENT_ERROR_CODES } from '../shared/api.ts';
import { ProblemNotice } from './problem-notice.tsx';

interface DeferredProps<P> {
  load: () => Promise<ComponentType<P>>;
  props: P;
}

const unreachable = { code: CLIENT_ERROR_CODES.network, message: 'Check your connection and try again.', details: [], status: 0 };

export function Deferred<P extends object>({ load, props }: DeferredProps<P>) {
  const view = useSignal<{ component: ComponentType<P> } | null>(null);
  const failed = useSignal(false);
  const fetchView = () => {
    failed.value = false;
    load().then(
      (component) => (view.value = { component }),
      () => (failed.value = true),
    );
  };
  useEffect(fetchView, [load]);
  const View = view.value?.component;
  if (View) return <View {...props} />;
  return failed.value ? <ProblemNotice error={unreachable} what="this view" onRetry={fetchView} /> : <p class="loading" role="status">Loading…</p>;
}
