import { createModel, signal } from '@preact/signals';
import type { ApiError, ApiResult } from './api.ts';
import { SIGNED_OUT_PATH } from './session.ts';

export interface SignOutDeps {
  endSession: () => Promise<ApiResult<null>>;
  navigate: (path: string) => void;
}

export const SignOutModel = createModel((deps: SignOutDeps) => {
  const pending = signal(false);
  const error = signal<ApiError | null>(null);

  return {
    pending,
    error,
    async signOut() {
      if (pending.value) return;
      pending.value = true;
      error.value = null;
      const result = await deps.endSession();
      // A 401 means the session had already ended: the user is signed out either way.
      if (result.ok || result.error.status === 401) {
        deps.navigate(SIGNED_OUT_PATH);
        return;
      }
      pending.value = false;
      error.value = result.error;
    },
  };
});
