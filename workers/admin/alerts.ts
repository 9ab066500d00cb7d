// Operators' changes to alerting (CONTRACT section 3 "Alerts"): acknowledgements, silences and
// thresholds live in the AlertDesk Durable Object; each change is audited in Postgres once the
// desk has accepted it (the desk is the source of truth, so there is no transaction to share).
import { z } from 'zod';
import { alertDesk } from '../../durable/AlertDesk.ts';
import type { SilenceRow } from '../../durable/alerts/alert-store.ts';
import type { AlertRecord } from '../../durable/alerts/alert-types.ts';
import type { AlertRulesConfig } from '../../durable/alerts/rules-config.ts';
import type { Database } from '../db/client.ts';
import { ApiError } from '../http/errors.ts';
import { appendAudit } from './audit.ts';

const maxSilenceMs = 30 * 24 * 3_600_000;

export const silenceInput = z
  .strictObject({
    dedup_key: z.string().min(1).max(255).optional(),
    rule: z.string().min(1).max(64).optional(),
    customer_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
    ends_at: z.iso.datetime({ offset: false, message: 'must be an RFC 3339 UTC timestamp' }).optional(),
    duration_s: z.number().int().min(60).max(maxSilenceMs / 1000).optional(),
    reason: z.string().min(1).max(500),
  })
  .refine((s) => s.dedup_key !== undefined || s.rule !== undefined || s.customer_id !== undefined, {
    path: ['dedup_key'],
    message: 'name what to silence: dedup_key, rule and/or customer_id',
  })
  .refine((s) => (s.ends_at === undefined) !== (s.duration_s === undefined), { path: ['ends_at'], message: 'give exactly one of ends_at or duration_s' });
export type SilenceInput = z.output<typeof silenceInput>;

export async function acknowledgeAlert({ db, env, actor, alertId, nowMs = Date.now() }: {
  db: Database;
  env: Env;
  actor: string;
  alertId: string;
  nowMs?: number;
}): Promise<AlertRecord> {
  const record = await alertDesk(env).acknowledge(alertId, actor, nowMs);
  if (!record) throw new ApiError('not_found', `No alert "${alertId}".`);
  // The desk stamps an acknowledgement with the time it was asked at; an alert acknowledged
  // earlier (or already resolved) is not changed by this request and is not audited again.
  if (record.acknowledged_at === new Date(nowMs).toISOString() && record.acknowledged_by === actor) {
    await appendAudit(db, {
      actor,
      action: 'alert.acknowledge',
      subjectType: 'alert',
      subjectId: alertId,
      before: { status: 'triggered' },
      after: { status: record.status, acknowledged_at: record.acknowledged_at, dedup_key: record.dedup_key },
    });
  }
  return record;
}

export async function createSilence({ db, env, actor, input, nowMs = Date.now() }: {
  db: Database;
  env: Env;
  actor: string;
  input: SilenceInput;
  nowMs?: number;
}): Promise<SilenceRow> {
  const endsAtMs = input.ends_at ? Date.parse(input.ends_at) : nowMs + (input.duration_s ?? 0) * 1000;
  if (endsAtMs <= nowMs || endsAtMs - nowMs > maxSilenceMs) {
    throw new ApiError('validation_failed', 'A silence must end in the future and within 30 days.', [{ path: 'ends_at', message: 'out of range' }]);
  }
  const silence = await alertDesk(env).silence(
    { dedupKey: input.dedup_key ?? null, rule: input.rule ?? null, customerId: input.customer_id ?? null, endsAtMs, reason: input.reason, actor },
    nowMs,
  );
  await appendAudit(db, { actor, action: 'silence.create', subjectType: 'silence', subjectId: silence.id, after: silence });
  return silence;
}

export async function setAlertRules({ db, env, actor, rules }: { db: Database; env: Env; actor: string; rules: AlertRulesConfig }): Promise<AlertRulesConfig> {
  const desk = alertDesk(env);
  const before = await desk.rules();
  const after = await desk.setRules(rules);
  await appendAudit(db, { actor, action: 'alert_rules.update', subjectType: 'alert_rules', subjectId: 'platform', before, after });
  return after;
}
