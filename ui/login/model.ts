import { createModel, signal } from '@preact/signals';
import type { ApiErrorDetail, ApiResult } from '../shared/api.ts';
import { HOME_PATH, LOGIN_PATH, type SessionInfo } from '../shared/session.ts';

export interface LoginProblem {
  message: string;
  details: ApiErrorDetail[];
}

export interface LoginDeps {
  /** The page's `location.search`, which may carry `next` and `signed_out`. */
  search: string;
  origin: string;
  createSession: (token: string) => Promise<ApiResult<SessionInfo>>;
  navigate: (path: string) => void;
}

/**
 * The path to continue to after signing in, or null when `raw` could lead off this origin
 * (`//host`, `/\host`, an absolute URL) or back to the login page itself.
 */
export function safeNextPath(raw: string | null, origin: string): string | null {
  if (raw === null || !raw.startsWith('/')) return null;
  let target: URL;
  try {
    target = new URL(raw, origin);
  } catch {
    return null;
  }
  if (target.origin !== origin || target.pathname === LOGIN_PATH) return null;
  return target.pathname + target.search + target.hash;
}

/** People paste tokens with stray whitespace or straight from an Authorization header. */
export function normaliseToken(raw: string): string {
  return raw.trim().replace(/^Bearer\s+/i, '');
}

export const LoginModel = createModel((deps: LoginDeps) => {
  const params = new URLSearchParams(deps.search);
  const next = safeNextPath(params.get('next'), deps.origin);

  const token = signal('');
  const submitting = signal(false);
  const problem = signal<LoginProblem | null>(null);
  const signedOut = signal(params.get('signed_out') === '1');

  return {
    token,
    submitting,
    problem,
    signedOut,
    setToken(value: string) {
      token.value = value;
    },
    async submit() {
      if (submitting.value) return;
      signedOut.value = false;
      const pasted = normaliseToken(token.value);
      if (pasted === '') {
        problem.value = { message: 'Paste your access token first.', details: [] };
        return;
      }
      submitting.value = true;
      problem.value = null;
      const result = await deps.createSession(pasted);
      if (result.ok) {
        // Stay in the submitting state: the page is about to be replaced.
        deps.navigate(next ?? HOME_PATH[result.data.role]);
        return;
      }
      submitting.value = false;
      problem.value = { message: result.error.message, details: result.error.details };
    },
  };
});
