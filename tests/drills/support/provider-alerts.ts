// What the alert drills share: the traffic that makes a TTS provider degrade or recover, and how
// a receiver's log is judged (each webhook-id counted once, one payload per webhook-id).
import type { SwitchboardEvent } from '../../../workers/ingest/event-schema.ts';
import type { WebhookReceipt } from './alert-sink.ts';

/** What the drills read of GET /api/ops/alerts. */
export interface AlertListing {
  dedup_key: string;
  status: string;
  triggered_at: string;
  deliveries: Array<{ target_id: string; action: string; message_id: string; status: string; attempts: Array<{ ok: boolean; status_code: number | null }> }>;
}

/** provider.request events for one provider, `ok` as given, stamped over the last few seconds. */
export function providerRequests({ customerId, provider, ok, count, label }: { customerId: string; provider: string; ok: boolean; count: number; label: string }): SwitchboardEvent[] {
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    type: 'provider.request',
    id: `${label}-${i}`,
    customer_id: customerId,
    call_id: `${label}-call-${Math.floor(i / 10)}`,
    ts: new Date(now - 3_000 + Math.floor((i / count) * 3_000)).toISOString(),
    kind: 'tts',
    provider,
    ok,
    latency_ms: ok ? 180 : 2_500,
    ...(ok ? {} : { error_code: 'upstream_503' }),
  }));
}

export type WebhookTypesByKey = Map<string, string[]>;

/** Per dedup key, the event types the receiver accepted, in order, each webhook-id counted once. */
export function deliveredTypes(receipts: readonly WebhookReceipt[]): WebhookTypesByKey {
  const seen = new Set<string>();
  const byKey: WebhookTypesByKey = new Map();
  for (const receipt of receipts) {
    if (receipt.status !== 204 || receipt.webhookId === null || seen.has(receipt.webhookId)) continue;
    seen.add(receipt.webhookId);
    const dedupKey = receipt.payload?.data?.dedup_key ?? '';
    byKey.set(dedupKey, [...(byKey.get(dedupKey) ?? []), receipt.payload?.type ?? '?']);
  }
  return byKey;
}

/** A webhook-id must name one message: the same id with two different payloads is a failure. */
export function webhookIdConflicts(receipts: readonly WebhookReceipt[]): string[] {
  const failures: string[] = [];
  const ids = new Map<string, string>();
  for (const receipt of receipts) {
    const payload = `${receipt.payload?.data?.dedup_key}/${receipt.payload?.type}`;
    const previous = ids.get(receipt.webhookId ?? '');
    if (previous !== undefined && previous !== payload) failures.push(`webhook-id ${receipt.webhookId} carried both ${previous} and ${payload}`);
    ids.set(receipt.webhookId ?? '', payload);
  }
  return failures;
}
