// Whether a failed database call failed because Postgres is out of reach (down, cut off, out of
// connections, shutting down) rather than because of the request: those answer 503 with
// Retry-After, since the same request will work once the database is back.

/** SQLSTATE classes and codes that say "the server cannot take this now", not "this is wrong". */
const unavailableSqlStates = ['53300', '53400', '57P01', '57P02', '57P03'];

/** What the WebSocket driver says when the connection never opened or dropped mid-query. */
const connectionFailure = /websocket|econnrefused|econnreset|connection (?:terminated|refused|closed|ended)|socket hang up|timeout exceeded when trying to connect|fetch failed|network/i;

function sqlState(error: object): string | null {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

export function databaseUnavailable(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; cause && typeof cause === 'object' && depth < 5; cause = (cause as { cause?: unknown }).cause, depth++) {
    const state = sqlState(cause);
    if (state !== null) return state.startsWith('08') || unavailableSqlStates.includes(state);
    const message = (cause as { message?: unknown }).message;
    // drizzle's wrapper quotes the SQL, which says nothing about the connection: its cause does.
    if (typeof message === 'string' && !message.startsWith('Failed query') && connectionFailure.test(message)) return true;
    if (typeof Event !== 'undefined' && cause instanceof Event) return true;
  }
  return false;
}
