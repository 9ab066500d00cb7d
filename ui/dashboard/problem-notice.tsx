// What went wrong loading a part of the page, in the API's own words, with the way forward: sign
// in again when the session ended, otherwise try again.
import type { ApiError } from '../shared/api.ts';
import { LOGIN_PATH } from '../shared/session.ts';

interface ProblemNoticeProps {
  error: ApiError | null;
  /** What could not be loaded: "this month's figures". */
  what: string;
  onRetry?: () => void;
}

export function ProblemNotice({ error, what, onRetry }: ProblemNoticeProps) {
  if (!error) return null;
  const signedOut = error.status === 401;
  return (
    <div class="notice notice-error" role="alert">
      <p>
        Could not load {what}. {error.message}
      </p>
      {signedOut ? (
        <p>
          <a href={`${LOGIN_PATH}?next=${encodeURIComponent(location.pathname + location.search)}`}>Sign in again</a>
        </p>
      ) : (
        onRetry && (
          <button type="button" class="button" onClick={onRetry}>
            Try again
          </button>
        )
      )}
    </div>
  );
}
