// drizzle's view of the tables that migrations/ creates. The SQL files are the source of truth
// (they carry roles, policies and triggers drizzle does not model); this file must match them,
// which tests/integration/schema.integration.test.ts checks against a migrated database.
import { bigint, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

const micros = (name: string) => bigint(name, { mode: 'bigint' });
const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const customers = pgTable('customers', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  hourlySpendLimitMicros: micros('hourly_spend_limit_micros').notNull(),
  normalCallsPerHour: integer('normal_calls_per_hour'),
  retentionDays: integer('retention_days').notNull(),
  createdAt: instant('created_at').notNull().defaultNow(),
  updatedAt: instant('updated_at').notNull().defaultNow(),
});

export const rateCards = pgTable(
  'rate_cards',
  {
    customerId: text('customer_id').notNull().references(() => customers.id),
    effectiveFrom: instant('effective_from').notNull(),
    markupBps: integer('markup_bps').notNull(),
    feePerMinuteMicros: micros('fee_per_minute_micros').notNull(),
    createdAt: instant('created_at').notNull().defaultNow(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.effectiveFrom] })],
);

export const ingestKeys = pgTable('ingest_keys', {
  id: text('id').primaryKey(),
  prefix: text('prefix').notNull(),
  keyHash: text('key_hash').notNull().unique(),
  customerId: text('customer_id').references(() => customers.id),
  createdAt: instant('created_at').notNull().defaultNow(),
  createdBy: text('created_by').notNull(),
  revokedAt: instant('revoked_at'),
});

export const auditLog = pgTable('audit_log', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: instant('at').notNull().defaultNow(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  subjectType: text('subject_type').notNull(),
  subjectId: text('subject_id').notNull(),
  before: jsonb('before'),
  after: jsonb('after'),
});
