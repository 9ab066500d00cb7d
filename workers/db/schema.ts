// drizzle's view of the tables that migrations/ creates. The SQL files are the source of truth
// (they carry roles, policies and triggers drizzle does not model); this file must match them,
// which tests/integration/schema.integration.test.ts checks against a migrated database.
import { bigint, boolean, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

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

/** Logins the API issued, and revoked ids of tokens it did not issue (migrations/0006). */
export const loginTokens = pgTable('login_tokens', {
  id: text('id').primaryKey(),
  source: text('source', { enum: ['api', 'view_session', 'external'] }).notNull(),
  role: text('role', { enum: ['operator', 'customer'] }),
  customerId: text('customer_id').references(() => customers.id),
  subject: text('subject'),
  createdAt: instant('created_at'),
  createdBy: text('created_by'),
  expiresAt: instant('expires_at'),
  revokedAt: instant('revoked_at'),
  revokedBy: text('revoked_by'),
});

/** One row per call, folded from its events by ingest_events() (migrations/0002). */
export const calls = pgTable(
  'calls',
  {
    customerId: text('customer_id').notNull().references(() => customers.id),
    callId: text('call_id').notNull(),
    startedAt: instant('started_at'),
    endedAt: instant('ended_at'),
    status: text('status', { enum: ['completed', 'failed', 'abandoned'] }),
    direction: text('direction'),
    fromNumber: text('from_number'),
    toNumber: text('to_number'),
    agentId: text('agent_id'),
    agentVersion: text('agent_version'),
    region: text('region'),
    sttProvider: text('stt_provider'),
    llmProvider: text('llm_provider'),
    ttsProvider: text('tts_provider'),
    telephonyProvider: text('telephony_provider'),
    traceId: text('trace_id'),
    durationMs: bigint('duration_ms', { mode: 'bigint' }),
    ttfaMs: bigint('ttfa_ms', { mode: 'bigint' }),
    escalated: boolean('escalated'),
    taskSuccess: boolean('task_success'),
    endedEventId: text('ended_event_id'),
    turnCount: integer('turn_count').notNull().default(0),
    maxE2eMs: bigint('max_e2e_ms', { mode: 'bigint' }),
    interrupted: boolean('interrupted').notNull().default(false),
    errorCount: integer('error_count').notNull().default(0),
    toolCallCount: integer('tool_call_count').notNull().default(0),
    toolFailureCount: integer('tool_failure_count').notNull().default(0),
    csatSum: integer('csat_sum').notNull().default(0),
    csatCount: integer('csat_count').notNull().default(0),
    providerCostMicros: micros('provider_cost_micros').notNull().default(0n),
    billedMicros: micros('billed_micros').notNull().default(0n),
    markupBps: integer('markup_bps'),
    feePerMinuteMicros: micros('fee_per_minute_micros'),
    audioContentType: text('audio_content_type'),
    audioSha256: text('audio_sha256'),
    audioKey: text('audio_key'),
    contentErasedAt: instant('content_erased_at'),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.callId] })],
);

export const callTurns = pgTable(
  'call_turns',
  {
    customerId: text('customer_id').notNull(),
    callId: text('call_id').notNull(),
    turn: integer('turn').notNull(),
    eventId: text('event_id').notNull(),
    ts: instant('ts').notNull(),
    userText: text('user_text'),
    agentText: text('agent_text'),
    sttMs: bigint('stt_ms', { mode: 'bigint' }).notNull(),
    llmMs: bigint('llm_ms', { mode: 'bigint' }).notNull(),
    ttsMs: bigint('tts_ms', { mode: 'bigint' }).notNull(),
    e2eMs: bigint('e2e_ms', { mode: 'bigint' }).notNull(),
    interrupted: boolean('interrupted').notNull(),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.callId, t.turn] })],
);

export const providerRequests = pgTable(
  'provider_requests',
  {
    customerId: text('customer_id').notNull(),
    callId: text('call_id').notNull(),
    eventId: text('event_id').notNull(),
    ts: instant('ts').notNull(),
    kind: text('kind').notNull(),
    provider: text('provider').notNull(),
    ok: boolean('ok').notNull(),
    latencyMs: bigint('latency_ms', { mode: 'bigint' }).notNull(),
    errorCode: text('error_code'),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.eventId] })],
);

export const toolCalls = pgTable(
  'tool_calls',
  {
    customerId: text('customer_id').notNull(),
    callId: text('call_id').notNull(),
    eventId: text('event_id').notNull(),
    ts: instant('ts').notNull(),
    name: text('name').notNull(),
    ok: boolean('ok').notNull(),
    latencyMs: bigint('latency_ms', { mode: 'bigint' }).notNull(),
    arguments: jsonb('arguments'),
    result: jsonb('result'),
    error: text('error'),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.eventId] })],
);

export const callErrors = pgTable(
  'call_errors',
  {
    customerId: text('customer_id').notNull(),
    callId: text('call_id').notNull(),
    eventId: text('event_id').notNull(),
    ts: instant('ts').notNull(),
    component: text('component').notNull(),
    code: text('code').notNull(),
    message: text('message').notNull(),
    stack: text('stack'),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.eventId] })],
);

export const callCostLines = pgTable(
  'call_cost_lines',
  {
    customerId: text('customer_id').notNull(),
    callId: text('call_id').notNull(),
    lineNo: integer('line_no').notNull(),
    component: text('component').notNull(),
    provider: text('provider').notNull(),
    quantity: numeric('quantity', { mode: 'number' }).notNull(),
    unit: text('unit').notNull(),
    estimatedMicros: micros('estimated_micros').notNull(),
    reconciledMicros: micros('reconciled_micros'),
  },
  (t) => [primaryKey({ columns: [t.customerId, t.callId, t.lineNo] })],
);
