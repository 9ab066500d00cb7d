// The browser's only way to the JSON API. Every outcome, including HTTP errors and an unreachable
// server, comes back as a value, so a page decides what to show instead of catching.

export interface ApiErrorDetail {
  path: string;
  message: string;
}

export interface ApiError {
  /** A code from the API's error list, or one of CLIENT_ERROR_CODES when no answer was usable. */
  code: string;
  message: string;
  details: ApiErrorDetail[];
  /** The HTTP status; 0 when no response arrived. */
  status: number;
}

export type ApiResult<T> = { ok: true; status: number; data: T } | { ok: false; error: ApiError };

/** Codes made up in the browser, for failures that never produced a contract error body. */
export const CLIENT_ERROR_CODES = {
  network: 'network_error',
  aborted: 'aborted',
  unexpectedResponse: 'unexpected_response',
} as const;

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  /** Empty values are left out; lists go in as the contract's comma lists (`status=failed,stale`). */
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export function apiUrl(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue;
    params.append(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/**
 * GETs a page's HTML started before the page's code arrived (an inline script in ops.html and
 * dashboard.html), by path and query: the first request for one of them takes its answer instead
 * of asking again, so the figures a page opens with are not held back by its code's download.
 */
export const earlyAnswersGlobal = 'switchboardEarlyAnswers';

function takeEarlyAnswer(url: string): Promise<Response> | undefined {
  const early = (globalThis as { [earlyAnswersGlobal]?: Record<string, Promise<Response> | undefined> })[earlyAnswersGlobal];
  const answer = early?.[url];
  if (early && answer) delete early[url];
  return answer;
}

/**
 * Sends one request to the API (same origin; the session cookie rides along) and parses its JSON.
 * A 2xx with an empty body (204) resolves with `data: null`, so call it as `request<null>` then.
 */
export async function request<T>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  if (options.signal) init.signal = options.signal;

  const url = apiUrl(path, options.query);
  let response: Response;
  try {
    response = await ((method === 'GET' ? takeEarlyAnswer(url) : undefined) ?? fetch(url, init));
  } catch (cause) {
    const aborted = cause instanceof DOMException && cause.name === 'AbortError';
    return failure(
      aborted ? CLIENT_ERROR_CODES.aborted : CLIENT_ERROR_CODES.network,
      aborted ? 'The request was cancelled.' : 'Could not reach Switchboard. Check your connection and try again.',
      0,
    );
  }

  let text: string;
  try {
    text = await response.text();
  } catch {
    return failure(CLIENT_ERROR_CODES.network, 'The connection dropped while reading the answer. Try again.', response.status);
  }
  const body = parseJson(text);

  if (response.ok) {
    if (text === '') return { ok: true, status: response.status, data: null as T };
    if (body === undefined) {
      return failure(CLIENT_ERROR_CODES.unexpectedResponse, 'The server sent an answer this page cannot read.', response.status);
    }
    return { ok: true, status: response.status, data: body as T };
  }
  return { ok: false, error: contractError(body, response.status) ?? fallbackError(response.status) };
}

export const api = {
  get: <T>(path: string, options?: Omit<RequestOptions, 'body'>) => request<T>('GET', path, options),
  post: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('POST', path, { ...options, body }),
  put: <T>(path: string, body?: unknown, options?: RequestOptions) => request<T>('PUT', path, { ...options, body }),
  delete: <T>(path: string, options?: RequestOptions) => request<T>('DELETE', path, options),
};

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function contractError(body: unknown, status: number): ApiError | null {
  if (!isRecord(body) || !isRecord(body.error)) return null;
  const { code, message, details } = body.error;
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  const parsedDetails = Array.isArray(details)
    ? details.filter(isRecord).map((d) => ({ path: String(d.path ?? ''), message: String(d.message ?? '') }))
    : [];
  return { code, message, details: parsedDetails, status };
}

function fallbackError(status: number): ApiError {
  const message =
    status >= 500
      ? `Switchboard had a problem answering (HTTP ${status}). Try again in a moment.`
      : `The request was refused (HTTP ${status}).`;
  return { code: CLIENT_ERROR_CODES.unexpectedResponse, message, details: [], status };
}

function failure(code: string, message: string, status: number): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message, details: [], status } };
}
