// POST /v1/events after authentication: validate, apply the key's scope and the known-customer
// check, hand each customer's events to its TenantMeter, and merge the outcomes into the
// contract's answer. Nothing is stored unless the whole request is in scope.
import type { IngestKeyGrant } from '../../durable/AccessRegistry.ts';
import { tenantMeter, type MeterRejection } from '../../durable/TenantMeter.ts';
import { ApiError } from '../http/errors.ts';
import { filterKnownCustomers } from './ingest-key.ts';
import { parseEventBatch, type ValidEvent } from './parse-batch.ts';

export interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: number;
  errors: MeterRejection[];
}

export type IngestOutcome =
  | { kind: 'stored'; answer: IngestAnswer }
  | { kind: 'all_rejected'; answer: IngestAnswer }
  | { kind: 'buffer_full'; retryAfterSeconds: number };

export async function ingestEvents({ env, grant, body, contentType, now = new Date() }: {
  env: Env;
  grant: IngestKeyGrant;
  body: string;
  contentType: string | null;
  now?: Date;
}): Promise<IngestOutcome> {
  const parsed = parseEventBatch({ body, contentType, now });
  if (!parsed.ok) throw new ApiError(parsed.code, parsed.message);

  if (grant.customerId !== null) {
    const outside = parsed.valid.find((e) => e.event.customer_id !== grant.customerId);
    if (outside) {
      throw new ApiError('forbidden', `This ingest key is limited to customer "${grant.customerId}"; event ${outside.index} is for "${outside.event.customer_id}". Nothing was stored.`, [
        { path: `[${outside.index}].customer_id`, message: 'outside the key\'s scope' },
      ]);
    }
  }

  const errors: MeterRejection[] = [...parsed.rejected.map(({ index, path, message }) => ({ index, path, message }))];
  const known = await filterKnownCustomers(env, parsed.valid.map((e) => e.event.customer_id));
  const byCustomer = new Map<string, ValidEvent[]>();
  for (const valid of parsed.valid) {
    const customerId = valid.event.customer_id;
    if (!known.has(customerId)) {
      errors.push({ index: valid.index, path: 'customer_id', message: `unknown customer "${customerId}"` });
      continue;
    }
    const list = byCustomer.get(customerId) ?? [];
    list.push(valid);
    byCustomer.set(customerId, list);
  }

  const results = await Promise.all(
    [...byCustomer].map(([customerId, events]) => tenantMeter(env, customerId).ingest(events, now.getTime())),
  );
  let accepted = 0;
  let duplicates = 0;
  for (const result of results) {
    if (result.status === 'buffer_full') return { kind: 'buffer_full', retryAfterSeconds: result.retryAfterSeconds };
    accepted += result.accepted;
    duplicates += result.duplicates;
    errors.push(...result.rejected);
  }
  errors.sort((a, b) => a.index - b.index);
  const answer: IngestAnswer = { accepted, duplicates, rejected: new Set(errors.map((e) => e.index)).size, errors };
  return { kind: accepted + duplicates === 0 && errors.length > 0 ? 'all_rejected' : 'stored', answer };
}
