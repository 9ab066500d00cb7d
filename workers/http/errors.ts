// The contract's error body, and the fixed set of codes the API answers with (docs/api.md lists
// them for clients). Handlers return or throw ApiError; nothing else reaches a client.
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const errorCodes = {
  bad_request: 400,
  validation_failed: 400,
  invalid_json: 400,
  empty_batch: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  month_open: 409,
  already_issued: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  internal: 500,
  server_misconfigured: 503,
  service_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof errorCodes;

export interface ErrorDetail {
  path: string;
  message: string;
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: ErrorDetail[] };
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  readonly status: ContentfulStatusCode;

  constructor(code: ErrorCode, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.code = code;
    this.details = details;
    this.status = errorCodes[code];
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export function errorResponse(c: Context, error: ApiError, headers?: Record<string, string>): Response {
  return c.json(error.toBody(), error.status, headers);
}
