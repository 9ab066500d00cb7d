// Alert targets through the API (CONTRACT section 3): the AlertDesk stores them; this module
// validates what operators send, keeps secrets out of answers and the audit log, and sends test
// alerts straight through delivery without touching any real alert.
import { alertDesk } from '../../durable/AlertDesk.ts';
import type { AlertMessage, AlertTarget, DeliveryOutcome } from '../../durable/alerts/alert-types.ts';
import { deliverAlert } from '../../durable/alerts/delivery.ts';
import { parseTargetInput, redactTarget, type RedactedAlertTarget } from '../../durable/alerts/targets.ts';
import type { Database } from '../db/client.ts';
import { ApiError } from '../http/errors.ts';
import { jsonPath } from '../http/validation.ts';
import { appendAudit } from './audit.ts';

export interface CreatedAlertTarget extends RedactedAlertTarget {
  /** Present once, when Switchboard generated the signing secret. */
  secret?: string;
}

export interface DeliveryOutcomeView {
  ok: boolean;
  status: number | null;
  latency_ms: number;
  retryable: boolean;
  retry_after_ms: number | null;
  code: string | null;
  error: string | null;
}

export interface AlertTargetTestResult {
  target_id: string;
  dedup_key: string;
  sent_at: string;
  /** The trigger's outcome; when it is delivered, a resolve follows so no test incident stays open. */
  trigger: DeliveryOutcomeView;
  resolve: DeliveryOutcomeView | null;
}

export async function listAlertTargets({ env }: { env: Env }): Promise<RedactedAlertTarget[]> {
  return (await alertDesk(env).listTargets()).map(redactTarget);
}

export async function createAlertTarget({ db, env, actor, body }: { db: Database; env: Env; actor: string; body: unknown }): Promise<CreatedAlertTarget> {
  const parsed = parseTargetInput(body, { pagerDutyUrl: env.PAGERDUTY_URL });
  if (!parsed.ok) {
    throw new ApiError(
      'validation_failed',
      'The request body is not valid.',
      parsed.issues.map((issue) => ({ path: jsonPath(issue.path), message: issue.message })),
    );
  }
  const stored = await alertDesk(env).addTarget(parsed.target);
  const view: CreatedAlertTarget = redactTarget(stored);
  // Audited redacted, after the desk stored it: the secret is shown once, to the caller only.
  await appendAudit(db, { actor, action: 'alert_target.create', subjectType: 'alert_target', subjectId: stored.id, after: redactTarget(stored) });
  if (parsed.generatedSecret !== null) view.secret = parsed.generatedSecret;
  return view;
}

export async function deleteAlertTarget({ db, env, actor, targetId }: { db: Database; env: Env; actor: string; targetId: string }): Promise<void> {
  const desk = alertDesk(env);
  const target = await desk.getTarget(targetId);
  if (!target) throw new ApiError('not_found', `No alert target "${targetId}".`);
  if (target.source === 'env') {
    throw new ApiError('conflict', `Alert target "${targetId}" is configured by environment variables; change them to remove it.`);
  }
  if (await desk.removeTarget(targetId)) {
    await appendAudit(db, { actor, action: 'alert_target.delete', subjectType: 'alert_target', subjectId: targetId, before: redactTarget(target) });
  }
}

export async function testAlertTarget({ env, targetId, actor, publicBaseUrl, nowMs = Date.now() }: {
  env: Env;
  targetId: string;
  actor: string;
  publicBaseUrl: string;
  nowMs?: number;
}): Promise<AlertTargetTestResult> {
  const target = await alertDesk(env).getTarget(targetId);
  if (!target) throw new ApiError('not_found', `No alert target "${targetId}".`);
  const { trigger, resolve } = testAlertMessages(target, actor, nowMs);
  const triggerOutcome = await deliverAlert(trigger, target, { nowMs, publicBaseUrl });
  const resolveOutcome = triggerOutcome.ok ? await deliverAlert(resolve, target, { nowMs: Date.now(), publicBaseUrl }) : null;
  return {
    target_id: target.id,
    dedup_key: trigger.alert.dedup_key,
    sent_at: new Date(nowMs).toISOString(),
    trigger: outcomeView(triggerOutcome),
    resolve: resolveOutcome === null ? null : outcomeView(resolveOutcome),
  };
}

/** A test incident of its own (its own dedup key), so it never merges with a real alert. */
function testAlertMessages(target: AlertTarget, actor: string, nowMs: number): { trigger: AlertMessage; resolve: AlertMessage } {
  const testId = crypto.randomUUID().replace(/-/g, '').slice(0, 16);
  const at = new Date(nowMs).toISOString();
  const alert = {
    id: `alt_test_${testId}`,
    dedup_key: `switchboard:test:${target.id}:${testId}`,
    rule: 'test',
    severity: 'warning' as const,
    status: 'triggered' as const,
    subject: {},
    summary: `Switchboard test alert for target "${target.name}", sent by ${actor}`,
    value: 0,
    threshold: 0,
    details: { test: true, sent_by: actor },
    links: [{ href: '/ops', text: 'Switchboard operator dashboard' }],
    condition_since: at,
    triggered_at: at,
    acknowledged_at: null,
    acknowledged_by: null,
    resolved_at: null,
    silenced_until: null,
  };
  return {
    trigger: { messageId: `msg_test_${testId}_trigger`, action: 'trigger', alert },
    resolve: { messageId: `msg_test_${testId}_resolve`, action: 'resolve', alert: { ...alert, status: 'resolved', resolved_at: at } },
  };
}

function outcomeView(outcome: DeliveryOutcome): DeliveryOutcomeView {
  if (outcome.ok) return { ok: true, status: outcome.status, latency_ms: outcome.latencyMs, retryable: false, retry_after_ms: null, code: null, error: null };
  return {
    ok: false,
    status: outcome.status,
    latency_ms: outcome.latencyMs,
    retryable: outcome.retry,
    retry_after_ms: outcome.retryAfterMs,
    code: outcome.code,
    error: outcome.error,
  };
}
