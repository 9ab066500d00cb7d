// Where alerts go (CONTRACT section 4): the targets the environment configures, and the targets
// operators add through the API. Nobody is paged by default: a target exists only once configured.
// Secrets and routing keys stay inside the AlertDesk; listings show a prefix.
import { z } from 'zod';
import type { AlertTarget, AlertTargetKind } from './alert-types.ts';

export const pagerDutyPublicEnqueueUrl = 'https://events.pagerduty.com/v2/enqueue';
export const envPagerDutyTargetId = 'env-pagerduty';
export const envWebhookTargetId = 'env-webhook';

/** The variables that configure targets (a subset of the Worker's Env). */
export interface AlertTargetSettings {
  PAGERDUTY_URL?: string;
  PAGERDUTY_ROUTING_KEY?: string;
  ALERT_WEBHOOK_URL?: string;
  ALERT_WEBHOOK_SECRET?: string;
}

/**
 * One target per configured variable. A webhook URL without a usable secret still makes a target,
 * so the misconfiguration shows in every delivery attempt and in the listing instead of nobody
 * being told that alerts go nowhere.
 */
export function envTargets(settings: AlertTargetSettings): AlertTarget[] {
  const targets: AlertTarget[] = [];
  const routingKey = settings.PAGERDUTY_ROUTING_KEY?.trim() ?? '';
  if (routingKey !== '') {
    targets.push({
      id: envPagerDutyTargetId,
      kind: 'pagerduty',
      name: 'PagerDuty (PAGERDUTY_ROUTING_KEY)',
      url: settings.PAGERDUTY_URL?.trim() || pagerDutyPublicEnqueueUrl,
      routingKey,
      secret: null,
      source: 'env',
    });
  }
  const webhookUrl = settings.ALERT_WEBHOOK_URL?.trim() ?? '';
  if (webhookUrl !== '') {
    targets.push({
      id: envWebhookTargetId,
      kind: 'webhook',
      name: 'Webhook (ALERT_WEBHOOK_URL)',
      url: webhookUrl,
      routingKey: null,
      secret: settings.ALERT_WEBHOOK_SECRET?.trim() || null,
      source: 'env',
    });
  }
  return targets;
}

// --- Standard Webhooks secrets ---------------------------------------------------------------

const secretPrefix = 'whsec_';
/** The spec asks for keys of 24 to 64 bytes; we generate 32. */
const minSecretBytes = 24;
const maxSecretBytes = 64;
const generatedSecretBytes = 32;

/** Why a `whsec_` secret cannot sign, or null when it can. */
export function webhookSecretProblem(secret: string): string | null {
  if (!secret.startsWith(secretPrefix)) return `must start with "${secretPrefix}"`;
  const encoded = secret.slice(secretPrefix.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return `must be "${secretPrefix}" followed by standard base64`;
  const bytes = atob(encoded).length;
  if (bytes < minSecretBytes || bytes > maxSecretBytes) return `must encode ${minSecretBytes} to ${maxSecretBytes} bytes (this one has ${bytes})`;
  return null;
}

export function generateWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(generatedSecretBytes));
  return secretPrefix + btoa(String.fromCharCode(...bytes));
}

/** Why a target cannot receive alerts as configured, or null when it can. */
export function targetProblem(target: AlertTarget): string | null {
  if (!isHttpUrl(target.url)) return 'url must be an absolute http(s) URL';
  if (target.kind === 'pagerduty') return target.routingKey ? null : 'a PagerDuty target needs a routing key';
  if (!target.secret) return 'a webhook target needs a whsec_ signing secret';
  const problem = webhookSecretProblem(target.secret);
  return problem === null ? null : `the signing secret ${problem}`;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

// --- targets created through the API --------------------------------------------------------

const targetName = z.string().trim().min(1, 'must not be empty').max(100);
const targetUrl = z
  .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })
  .max(2048)
  .refine((value) => {
    const url = new URL(value);
    return url.username === '' && url.password === '';
  }, 'must not carry credentials; webhooks authenticate with the signing secret');
const routingKey = z.string().trim().regex(/^\S{1,128}$/, 'must be a PagerDuty integration (routing) key');
const webhookSecret = z.string().superRefine((value, ctx) => {
  const problem = webhookSecretProblem(value);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
});

export const alertTargetInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('pagerduty'), name: targetName, url: targetUrl.optional(), routing_key: routingKey }),
  z.strictObject({ kind: z.literal('webhook'), name: targetName, url: targetUrl, secret: webhookSecret.optional() }),
]);
export type AlertTargetInput = z.output<typeof alertTargetInput>;

export interface TargetInputIssue {
  path: ReadonlyArray<PropertyKey>;
  message: string;
}

export type ParsedTargetInput =
  | { ok: true; target: AlertTarget; generatedSecret: string | null }
  | { ok: false; issues: TargetInputIssue[] };

/**
 * A new API target from a request body. A webhook created without a secret gets a generated one,
 * returned as `generatedSecret` so the caller can show it once. A PagerDuty target without a URL
 * posts to `pagerDutyUrl` (the deployment's PAGERDUTY_URL).
 */
export function parseTargetInput(json: unknown, defaults: { pagerDutyUrl: string }): ParsedTargetInput {
  const parsed = alertTargetInput.safeParse(json);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.flatMap(toTargetInputIssues) };
  const input = parsed.data;
  const id = `tgt_${crypto.randomUUID().replace(/-/g, '').slice(0, 16)}`;
  if (input.kind === 'pagerduty') {
    const url = input.url ?? (defaults.pagerDutyUrl.trim() || pagerDutyPublicEnqueueUrl);
    return { ok: true, target: { id, kind: 'pagerduty', name: input.name, url, routingKey: input.routing_key, secret: null, source: 'api' }, generatedSecret: null };
  }
  const generatedSecret = input.secret === undefined ? generateWebhookSecret() : null;
  const secret = input.secret ?? generatedSecret;
  return { ok: true, target: { id, kind: 'webhook', name: input.name, url: input.url, routingKey: null, secret, source: 'api' }, generatedSecret };
}

/** A field that does not belong to the kind (a webhook with a routing key) is named by its own path. */
function toTargetInputIssues(issue: z.core.$ZodIssue): TargetInputIssue[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...issue.path, key], message: 'is not a field of this kind of target' }));
  return [{ path: issue.path, message: issue.message }];
}

/** What the API lists about a target: enough to recognise it, never enough to use it. */
export interface RedactedAlertTarget {
  id: string;
  kind: AlertTargetKind;
  name: string;
  /** Without credentials or query values, which often carry tokens. */
  url: string;
  source: 'env' | 'api';
  routing_key_prefix: string | null;
  secret_prefix: string | null;
  /** Why this target cannot receive alerts as configured (null when it can). */
  configuration_error: string | null;
}

const shownCharacters = 4;

export function redactTarget(target: AlertTarget): RedactedAlertTarget {
  return {
    id: target.id,
    kind: target.kind,
    name: target.name,
    url: redactUrl(target.url),
    source: target.source,
    routing_key_prefix: target.routingKey ? `${target.routingKey.slice(0, shownCharacters)}…` : null,
    secret_prefix: target.secret ? secretShownPrefix(target.secret) : null,
    configuration_error: targetProblem(target),
  };
}

function secretShownPrefix(secret: string): string {
  const shownLength = (secret.startsWith(secretPrefix) ? secretPrefix.length : 0) + shownCharacters;
  return `${secret.slice(0, shownLength)}…`;
}

function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}${url.search === '' ? '' : '?…'}`;
  } catch {
    return '(not a valid URL)';
  }
}
