// Creating and changing customers (CONTRACT section 5). Rate-card changes never rewrite the past:
// each change is a new card effective from a time not before now.
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { accessRegistry } from '../../durable/AccessRegistry.ts';
import { tenantMeter } from '../../durable/TenantMeter.ts';
import type { MeterConfig } from '../../durable/tenant/meter-config.ts';
import type { Database, Queryable } from '../db/client.ts';
import { customers, rateCards } from '../db/schema.ts';
import { ApiError } from '../http/errors.ts';
import { bigintToJson, timestampToJson } from '../http/json-values.ts';
import { appendAudit } from './audit.ts';

export const customerIdPattern = /^[A-Za-z0-9_-]{1,64}$/;

const maxSafe = Number.MAX_SAFE_INTEGER;
const microsField = z.number().int('must be an integer number of micro-USD').min(0, 'must not be negative').max(maxSafe);
const markupField = z.number().int('must be an integer number of basis points').min(0, 'must not be negative').max(1_000_000);

export const defaultRateCard = { markupBps: 2000, feePerMinuteMicros: 10_000 } as const;
export const defaultHourlySpendLimitMicros = 100_000_000;
/** The first card covers every call the customer ever had, including backfilled history. */
const beginningOfTime = new Date(0);

export const createCustomerInput = z.strictObject({
  id: z.string().regex(customerIdPattern, 'must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-"'),
  name: z.string().min(1).max(200).optional(),
  markup_bps: markupField.default(defaultRateCard.markupBps),
  fee_per_minute_micros: microsField.default(defaultRateCard.feePerMinuteMicros),
  hourly_spend_limit_micros: microsField.default(defaultHourlySpendLimitMicros),
  normal_calls_per_hour: z.number().int().min(1).max(10_000_000).nullable().default(null),
  retention_days: z.number().int().min(1).max(3650).default(90),
});
export type CreateCustomerInput = z.output<typeof createCustomerInput>;

export const updateCustomerInput = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    markup_bps: markupField.optional(),
    fee_per_minute_micros: microsField.optional(),
    effective_from: z.iso.datetime({ offset: false, message: 'must be an RFC 3339 UTC timestamp' }).optional(),
    hourly_spend_limit_micros: microsField.optional(),
    normal_calls_per_hour: z.number().int().min(1).max(10_000_000).nullable().optional(),
    retention_days: z.number().int().min(1).max(3650).optional(),
  })
  .refine((v) => v.effective_from === undefined || v.markup_bps !== undefined || v.fee_per_minute_micros !== undefined, {
    path: ['effective_from'],
    message: 'only applies together with markup_bps or fee_per_minute_micros',
  });
export type UpdateCustomerInput = z.output<typeof updateCustomerInput>;

export interface RateCardView {
  effective_from: string;
  markup_bps: number;
  fee_per_minute_micros: number;
  created_by: string;
}

export interface CustomerView {
  id: string;
  name: string;
  markup_bps: number;
  fee_per_minute_micros: number;
  hourly_spend_limit_micros: number;
  normal_calls_per_hour: number | null;
  retention_days: number;
  created_at: string;
  updated_at: string;
  rate_cards: RateCardView[];
}

type CustomerRow = typeof customers.$inferSelect;
type RateCardRow = typeof rateCards.$inferSelect;

function toView(row: CustomerRow, cards: RateCardRow[], now: Date): CustomerView {
  const current = [...cards].reverse().find((card) => card.effectiveFrom <= now) ?? cards[0];
  if (!current) throw new Error(`customer ${row.id} has no rate card`);
  return {
    id: row.id,
    name: row.name,
    markup_bps: current.markupBps,
    fee_per_minute_micros: bigintToJson(current.feePerMinuteMicros),
    hourly_spend_limit_micros: bigintToJson(row.hourlySpendLimitMicros),
    normal_calls_per_hour: row.normalCallsPerHour,
    retention_days: row.retentionDays,
    created_at: timestampToJson(row.createdAt),
    updated_at: timestampToJson(row.updatedAt),
    rate_cards: cards.map((card) => ({
      effective_from: timestampToJson(card.effectiveFrom),
      markup_bps: card.markupBps,
      fee_per_minute_micros: bigintToJson(card.feePerMinuteMicros),
      created_by: card.createdBy,
    })),
  };
}

/** What the customer's TenantMeter needs to count its live cost and load. */
function meterConfigOf(view: CustomerView): MeterConfig {
  return {
    customerId: view.id,
    rateCards: view.rate_cards.map((card) => ({
      effectiveFromMs: Date.parse(card.effective_from),
      markupBps: card.markup_bps,
      feePerMinuteMicros: card.fee_per_minute_micros,
    })),
    normalCallsPerHour: view.normal_calls_per_hour,
    hourlySpendLimitMicros: view.hourly_spend_limit_micros,
  };
}

export async function createCustomer({ db, env, actor, input, now = new Date() }: {
  db: Database;
  env: Env;
  actor: string;
  input: CreateCustomerInput;
  now?: Date;
}): Promise<CustomerView> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(customers)
      .values({
        id: input.id,
        name: input.name ?? input.id,
        hourlySpendLimitMicros: BigInt(input.hourly_spend_limit_micros),
        normalCallsPerHour: input.normal_calls_per_hour,
        retentionDays: input.retention_days,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (!row) throw new ApiError('conflict', `A customer with id "${input.id}" already exists.`, [{ path: 'id', message: 'already exists' }]);
    const [card] = await tx
      .insert(rateCards)
      .values({
        customerId: row.id,
        effectiveFrom: beginningOfTime,
        markupBps: input.markup_bps,
        feePerMinuteMicros: BigInt(input.fee_per_minute_micros),
        createdAt: now,
        createdBy: actor,
      })
      .returning();
    const view = toView(row, card ? [card] : [], now);
    await appendAudit(tx, { actor, action: 'customer.create', subjectType: 'customer', subjectId: row.id, after: view });
    // Inside the transaction: if the edge cannot learn the customer, nothing commits.
    await tenantMeter(env, row.id).configure(meterConfigOf(view));
    await accessRegistry(env).registerCustomer(row.id);
    return view;
  });
}

export async function listCustomers({ db, now = new Date() }: { db: Database; now?: Date }): Promise<CustomerView[]> {
  const rows = await db.select().from(customers).orderBy(asc(customers.id));
  const cards = await db.select().from(rateCards).orderBy(asc(rateCards.customerId), asc(rateCards.effectiveFrom));
  return rows.map((row) => toView(row, cards.filter((card) => card.customerId === row.id), now));
}

export async function getCustomer({ db, customerId, now = new Date() }: { db: Queryable; customerId: string; now?: Date }): Promise<CustomerView> {
  const [row] = await db.select().from(customers).where(eq(customers.id, customerId));
  if (!row) throw new ApiError('not_found', `No customer "${customerId}".`);
  const cards = await db.select().from(rateCards).where(eq(rateCards.customerId, customerId)).orderBy(asc(rateCards.effectiveFrom));
  return toView(row, cards, now);
}

export async function updateCustomer({ db, env, actor, customerId, input, now = new Date() }: {
  db: Database;
  env: Env;
  actor: string;
  customerId: string;
  input: UpdateCustomerInput;
  now?: Date;
}): Promise<CustomerView> {
  const before = await getCustomer({ db, customerId, now });
  const changesRateCard = input.markup_bps !== undefined || input.fee_per_minute_micros !== undefined;
  const effectiveFrom = input.effective_from ? new Date(input.effective_from) : now;
  if (changesRateCard && effectiveFrom.getTime() < now.getTime()) {
    throw new ApiError('validation_failed', 'A rate-card change cannot take effect in the past.', [
      { path: 'effective_from', message: `must not be before ${now.toISOString()}` },
    ]);
  }
  await db.transaction(async (tx) => {
    await tx
      .update(customers)
      .set({
        ...(input.name !== undefined && { name: input.name }),
        ...(input.hourly_spend_limit_micros !== undefined && { hourlySpendLimitMicros: BigInt(input.hourly_spend_limit_micros) }),
        ...(input.normal_calls_per_hour !== undefined && { normalCallsPerHour: input.normal_calls_per_hour }),
        ...(input.retention_days !== undefined && { retentionDays: input.retention_days }),
        updatedAt: now,
      })
      .where(eq(customers.id, customerId));
    if (changesRateCard) {
      const inForce = [...before.rate_cards].reverse().find((card) => new Date(card.effective_from) <= effectiveFrom);
      const markupBps = input.markup_bps ?? inForce?.markup_bps ?? defaultRateCard.markupBps;
      const fee = input.fee_per_minute_micros ?? inForce?.fee_per_minute_micros ?? defaultRateCard.feePerMinuteMicros;
      await tx
        .insert(rateCards)
        .values({ customerId, effectiveFrom, markupBps, feePerMinuteMicros: BigInt(fee), createdAt: now, createdBy: actor })
        .onConflictDoUpdate({
          target: [rateCards.customerId, rateCards.effectiveFrom],
          set: { markupBps, feePerMinuteMicros: BigInt(fee), createdAt: now, createdBy: actor },
        });
    }
    const after = await getCustomer({ db: tx, customerId, now });
    await appendAudit(tx, { actor, action: 'customer.update', subjectType: 'customer', subjectId: customerId, before, after });
    await tenantMeter(env, customerId).configure(meterConfigOf(after));
  });
  return getCustomer({ db, customerId, now });
}
