// One outbox message to one target as one HTTP request (CONTRACT section 4): PagerDuty Events API
// v2 or a Standard Webhooks signed POST. The outcome says whether to retry; nothing here throws,
// so the AlertDesk can log every attempt as a value.
import { Webhook } from 'standardwebhooks';
import type { AlertMessage, AlertRecord, AlertTarget, DeliveryOutcome } from './alert-types.ts';
import { targetProblem } from './targets.ts';

/** The desk stops retrying a message this long after it was created and marks it failed. */
export const maxDeliveryWindowMs = 24 * 60 * 60_000;
export const firstRetryDelayMs = 5_000;
export const maxRetryDelayMs = 60 * 60_000;
export const defaultDeliveryTimeoutMs = 10_000;

/** PagerDuty's limits on an event (Events API v2). */
export const pagerDutyDedupKeyMaxLength = 255;
export const pagerDutySummaryMaxLength = 1024;
const pagerDutyMaxEventBytes = 512 * 1024;

/** How much of a refusing target's answer goes into the attempt log. */
const responseExcerptLength = 300;

export interface DeliveryOptions {
  fetch?: typeof fetch;
  /** The attempt's time: the webhook timestamp header and Retry-After dates are read against it. */
  nowMs?: number;
  /** Origin of the operator views that alert links point to. */
  publicBaseUrl: string;
  timeoutMs?: number;
}

interface OutgoingRequest {
  headers: Record<string, string>;
  body: string;
}

export async function deliverAlert(message: AlertMessage, target: AlertTarget, options: DeliveryOptions): Promise<DeliveryOutcome> {
  const problem = targetProblem(target);
  if (problem !== null) {
    return { ok: false, retry: false, code: 'target_misconfigured', status: null, latencyMs: 0, error: `Target ${target.id} is misconfigured: ${problem}.`, retryAfterMs: null };
  }
  const nowMs = options.nowMs ?? Date.now();
  const request = target.kind === 'pagerduty' ? await pagerDutyRequest(message, target, options.publicBaseUrl) : webhookRequest(message, target, options.publicBaseUrl, nowMs);
  return send(target.url, request, { fetch: options.fetch ?? fetch, nowMs, timeoutMs: options.timeoutMs ?? defaultDeliveryTimeoutMs });
}

/**
 * Delay before the attempt after attempt number `attempt` (1 for the first attempt) failed:
 * 5 s doubling per attempt up to an hour, each spread by +/-20% so retries of many messages do
 * not arrive together. About 30 attempts fit in the 24-hour window.
 */
export function nextAttemptDelayMs(attempt: number, random: () => number): number {
  const exponent = Math.min(Math.max(Math.floor(attempt), 1) - 1, 30);
  const base = Math.min(maxRetryDelayMs, firstRetryDelayMs * 2 ** exponent);
  return Math.min(maxRetryDelayMs, Math.round(base * (0.8 + 0.4 * random())));
}

// --- PagerDuty Events API v2 -------------------------------------------------------------------

async function pagerDutyRequest(message: AlertMessage, target: AlertTarget, publicBaseUrl: string): Promise<OutgoingRequest> {
  const alert = message.alert;
  const dedupKey = await pagerDutyDedupKey(alert.dedup_key);
  const headers = { 'content-type': 'application/json' };
  // A resolve needs only the key of what it resolves; PagerDuty ignores anything else.
  if (message.action === 'resolve') {
    return { headers, body: JSON.stringify({ routing_key: target.routingKey, event_action: 'resolve', dedup_key: dedupKey }) };
  }
  const customDetails: Record<string, unknown> = {
    alert_id: alert.id,
    rule: alert.rule,
    value: alert.value,
    threshold: alert.threshold,
    subject: alert.subject,
    condition_since: alert.condition_since,
    details: alert.details,
  };
  if (dedupKey !== alert.dedup_key) {
    customDetails.dedup_key = alert.dedup_key;
    customDetails.dedup_key_note = `longer than PagerDuty's ${pagerDutyDedupKeyMaxLength} characters: sent as its prefix and SHA-256`;
  }
  const event = {
    routing_key: target.routingKey,
    event_action: 'trigger',
    dedup_key: dedupKey,
    payload: {
      summary: truncate(alert.summary.trim() || alert.dedup_key, pagerDutySummaryMaxLength),
      source: 'switchboard',
      severity: alert.severity,
      timestamp: alert.triggered_at,
      ...pagerDutyPlacement(alert),
      custom_details: customDetails,
    },
    links: absoluteLinks(alert.links, publicBaseUrl),
    client: 'Switchboard',
    ...clientUrl(publicBaseUrl),
  };
  let body = JSON.stringify(event);
  if (new TextEncoder().encode(body).length > pagerDutyMaxEventBytes) {
    customDetails.details = { omitted: `the details made the event larger than PagerDuty's ${pagerDutyMaxEventBytes} bytes; see the alert in Switchboard` };
    body = JSON.stringify(event);
  }
  return { headers, body };
}

/** Keys beyond PagerDuty's limit keep a readable prefix and end in the SHA-256 of the whole key. */
async function pagerDutyDedupKey(dedupKey: string): Promise<string> {
  const characters = Array.from(dedupKey);
  if (characters.length <= pagerDutyDedupKeyMaxLength) return dedupKey;
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(dedupKey)));
  const hex = Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
  const prefixLength = pagerDutyDedupKeyMaxLength - hex.length - 1;
  return `${characters.slice(0, prefixLength).join('')}~${hex}`;
}

/** PagerDuty's component (what is failing), group (what it belongs to) and class (which rule). */
function pagerDutyPlacement(alert: AlertRecord): { component: string; group?: string; class: string } {
  const { customer_id: customerId, kind, provider, region } = alert.subject;
  if (customerId) return { component: `customer:${customerId}`, ...(region ? { group: `region:${region}` } : {}), class: alert.rule };
  if (kind && provider) return { component: `${kind}:${provider}`, group: kind, class: alert.rule };
  if (kind) return { component: kind, class: alert.rule };
  if (region) return { component: `region:${region}`, class: alert.rule };
  return { component: 'platform', class: alert.rule };
}

function clientUrl(publicBaseUrl: string): { client_url?: string } {
  const url = absoluteUrl('/ops', publicBaseUrl);
  return url === null ? {} : { client_url: url };
}

// --- Standard Webhooks -------------------------------------------------------------------------

function webhookRequest(message: AlertMessage, target: AlertTarget, publicBaseUrl: string, nowMs: number): OutgoingRequest {
  const alert = message.alert;
  const occurredAt = message.action === 'trigger' ? alert.triggered_at : (alert.resolved_at ?? new Date(nowMs).toISOString());
  const body = JSON.stringify({
    type: message.action === 'trigger' ? 'alert.triggered' : 'alert.resolved',
    timestamp: occurredAt,
    data: { ...alert, links: absoluteLinks(alert.links, publicBaseUrl) },
  });
  // targetProblem has vouched for the secret before we get here.
  const signature = new Webhook(target.secret ?? '').sign(message.messageId, new Date(nowMs), body);
  return {
    headers: {
      'content-type': 'application/json',
      'webhook-id': message.messageId,
      'webhook-timestamp': String(Math.floor(nowMs / 1000)),
      'webhook-signature': signature,
    },
    body,
  };
}

// --- links -----------------------------------------------------------------------------------

/** Receivers cannot follow relative links; a link that cannot be made absolute is left out. */
function absoluteLinks(links: ReadonlyArray<{ href: string; text: string }>, publicBaseUrl: string): Array<{ href: string; text: string }> {
  const out: Array<{ href: string; text: string }> = [];
  for (const link of links) {
    const href = absoluteUrl(link.href, publicBaseUrl);
    if (href !== null) out.push({ href, text: link.text });
  }
  return out;
}

function absoluteUrl(href: string, base: string): string | null {
  try {
    const url = base.trim() === '' ? new URL(href) : new URL(href, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.toString() : null;
  } catch {
    return null;
  }
}

function truncate(text: string, maxCharacters: number): string {
  const characters = Array.from(text);
  return characters.length <= maxCharacters ? text : `${characters.slice(0, maxCharacters - 1).join('')}…`;
}

// --- sending and classifying -----------------------------------------------------------------

async function send(url: string, request: OutgoingRequest, options: { fetch: typeof fetch; nowMs: number; timeoutMs: number }): Promise<DeliveryOutcome> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  const started = performance.now();
  const fetchImpl = options.fetch;
  let response: Response;
  try {
    // A redirect is not followed: a signed POST must not turn into a GET elsewhere, and the
    // operator should configure the final URL.
    response = await fetchImpl(url, { method: 'POST', headers: request.headers, body: request.body, redirect: 'manual', signal });
  } catch (error) {
    const latencyMs = elapsedSince(started);
    if (signal.aborted) {
      return { ok: false, retry: true, code: 'timeout', status: null, latencyMs, error: `No answer within ${options.timeoutMs} ms.`, retryAfterMs: null };
    }
    return { ok: false, retry: true, code: 'network_error', status: null, latencyMs, error: `Request failed: ${errorText(error)}`, retryAfterMs: null };
  }
  const latencyMs = elapsedSince(started);
  const status = response.status;
  if (status >= 200 && status < 300) {
    await discardBody(response);
    return { ok: true, status, latencyMs };
  }
  if (status >= 300 && status < 400) {
    await discardBody(response);
    const location = response.headers.get('location');
    return { ok: false, retry: false, code: 'redirected', status, latencyMs, error: `HTTP ${status} redirect${location ? ` to ${location}` : ''} not followed; configure the final URL.`, retryAfterMs: null };
  }
  const excerpt = await bodyExcerpt(response);
  const error = `HTTP ${status}${excerpt ? `: ${excerpt}` : ''}`;
  if (status === 429) return { ok: false, retry: true, code: 'throttled', status, latencyMs, error, retryAfterMs: retryAfterMs(response, options.nowMs) };
  if (status >= 500) {
    return { ok: false, retry: true, code: 'server_error', status, latencyMs, error, retryAfterMs: status === 503 ? retryAfterMs(response, options.nowMs) : null };
  }
  // Any other refusal (a bad routing key, a missing endpoint) will not fix itself.
  return { ok: false, retry: false, code: 'rejected', status, latencyMs, error, retryAfterMs: null };
}

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 section 10.2.3), as a delay from now. */
function retryAfterMs(response: Response, nowMs: number): number | null {
  const value = response.headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

async function bodyExcerpt(response: Response): Promise<string> {
  try {
    const text = (await response.text()).replace(/\s+/g, ' ').trim();
    return truncate(text, responseExcerptLength);
  } catch {
    return '';
  }
}

async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // The answer already says what we needed; a body that fails to close changes nothing.
  }
}

function elapsedSince(started: number): number {
  return Math.max(0, Math.round(performance.now() - started));
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
