// What callers and agents say: a few scripted conversations (appointment booking, order status,
// billing question) filled with generated names, dates and numbers, plus the tools the agent
// calls on the way. The call generator times them and decides how the call ends.
import type { JsonValue } from '../../workers/ingest/event-schema.ts';
import type { ScenarioName } from './customers.ts';
import { base36, digits, integer, pick, type Rng } from './random.ts';

export interface ToolUse {
  name: string;
  arguments: JsonValue;
  result: JsonValue;
  medianLatencyMs: number;
  failureRate: number;
  /** Said instead of the turn's agent text when the tool fails; `afterMs` when it fails by timing out. */
  failure: { error: string; agentText: string; escalates: boolean; afterMs?: number };
}

export interface ScriptedTurn {
  userText: string;
  agentText: string;
  tool?: ToolUse;
  /** Prompt tokens the turn adds to the model's context for this and every later turn (tool results, documents). */
  extraContextTokens?: number;
}

export interface Conversation {
  greeting: string;
  /** The turns in order; the last one closes the call. */
  turns: ScriptedTurn[];
  /** What the agent says when the caller asks for a person. */
  transfer: ScriptedTurn;
}

const FIRST_NAMES = ['Maria', 'James', 'Aisha', 'Chen', 'Lucas', 'Priya', 'Tom', 'Sofia', 'Kenji', 'Fatima', 'Oliver', 'Grace', 'Mateo', 'Hannah', 'Ravi', 'Elena'];
const LAST_NAMES = ['Garcia', 'Smith', 'Okafor', 'Wang', 'Müller', 'Patel', 'Nguyen', 'Rossi', 'Kowalski', 'Tanaka', 'Brown', 'Haddad', 'Jensen', 'Silva', 'Murphy', 'Cohen'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const CARRIERS = ['UPS', 'FedEx', 'DHL', 'USPS'];
const PICKUP_POINTS = ['Main Street', 'Riverside Mall', 'Central Station', 'Oak Avenue'];
const EMAIL_DOMAINS = ['gmail.com', 'outlook.com', 'icloud.com', 'proton.me'];

const FILLERS: readonly ScriptedTurn[] = [
  { userText: 'Sorry, could you repeat that?', agentText: 'Of course. Let me go over that again, a little more slowly.' },
  { userText: 'Hang on, let me grab a pen.', agentText: "Take your time, I'll wait." },
  { userText: 'Am I talking to a real person?', agentText: "I'm an automated assistant, but I can transfer you to a team member at any point." },
  { userText: 'Hold on one second.', agentText: 'Sure, no rush.' },
  { userText: 'Sorry, the line was breaking up.', agentText: 'No problem. Can you hear me clearly now?' },
];

interface Person {
  first: string;
  last: string;
}

function person(rng: Rng): Person {
  return { first: pick(rng, FIRST_NAMES), last: pick(rng, LAST_NAMES) };
}

function dollars(cents: number): string {
  return `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}

function calendarDate(rng: Rng): { iso: string; spoken: string } {
  const month = integer(rng, 1, 12);
  const day = integer(rng, 1, 28);
  return { iso: `2026-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, spoken: `${MONTHS[month - 1]} ${day}` };
}

function timeSlots(rng: Rng): [string, string] {
  const first = integer(rng, 8, 15);
  const second = integer(rng, first + 1, 17);
  const clock = (hour: number) => `${hour > 12 ? hour - 12 : hour}:${pick(rng, ['00', '30'])} ${hour >= 12 ? 'PM' : 'AM'}`;
  return [clock(first), clock(second)];
}

function appointmentBooking(rng: Rng, agentId: string): Omit<Conversation, 'transfer'> {
  const caller = person(rng);
  const dental = agentId.startsWith('dental');
  const service = dental ? pick(rng, ['a cleaning', 'a check-up', 'a filling', 'a whitening consultation']) : pick(rng, ['a home damage inspection', 'a vehicle damage assessment', 'a roof inspection']);
  const staff = dental ? `Dr. ${pick(rng, LAST_NAMES)}` : `our adjuster ${pick(rng, FIRST_NAMES)}`;
  const day = pick(rng, WEEKDAYS);
  const date = calendarDate(rng);
  const born = { year: integer(rng, 1950, 2004), month: integer(rng, 1, 12), day: integer(rng, 1, 28) };
  const [slot1, slot2] = timeSlots(rng);
  const clientId = `cl_${digits(rng, 6)}`;
  const bring = dental ? 'Just your insurance card and a photo ID.' : 'Please have your policy number and any photos of the damage ready.';
  return {
    greeting: dental ? 'Thanks for calling BrightSmile Dental, this is the scheduling assistant. How can I help?' : 'Harborline Insurance claims scheduling. How can I help you today?',
    turns: [
      { userText: `Hi, I'd like to book ${service}, please.`, agentText: 'Happy to help. Can I have your full name and date of birth?' },
      {
        userText: `It's ${caller.first} ${caller.last}, born ${MONTHS[born.month - 1]} ${born.day}, ${born.year}.`,
        agentText: `Thanks, ${caller.first}. I found your file.`,
        tool: {
          name: 'lookup_customer',
          arguments: { name: `${caller.first} ${caller.last}`, date_of_birth: `${born.year}-${String(born.month).padStart(2, '0')}-${String(born.day).padStart(2, '0')}` },
          result: { client_id: clientId, active: true },
          medianLatencyMs: 180,
          failureRate: 0.01,
          failure: { error: 'records service answered 503', agentText: "I can't reach our records right now. Let me take your details and we'll call you back.", escalates: false },
        },
      },
      {
        userText: `Do you have anything on ${day}?`,
        agentText: `On ${day} I have ${slot1} or ${slot2}. Which would you prefer?`,
        tool: {
          name: 'list_slots',
          arguments: { date: date.iso, service },
          result: { slots: [slot1, slot2] },
          medianLatencyMs: 220,
          failureRate: 0.02,
          failure: { error: 'calendar sync timed out after 3000 ms', agentText: 'The calendar is slow to answer. Could you hold while I try again?', escalates: false, afterMs: 3_000 },
        },
      },
      {
        userText: `${slot2} works for me.`,
        agentText: `You're booked for ${day} at ${slot2} with ${staff}. You'll get a text reminder the day before.`,
        tool: {
          name: 'book_slot',
          arguments: { client_id: clientId, date: date.iso, time: slot2 },
          result: { booking_id: `bk_${base36(rng, 8)}`, confirmed: true, reminder_sms: true },
          medianLatencyMs: 300,
          failureRate: 0.04,
          failure: { error: 'slot no longer available', agentText: `That slot was just taken. I can offer ${slot1} on ${day} instead.`, escalates: false },
        },
      },
      { userText: 'Great. Do I need to bring anything?', agentText: `${bring} Is there anything else I can help with?` },
      { userText: "No, that's all. Thank you!", agentText: `You're welcome, ${caller.first}. See you on ${day}. Goodbye!` },
    ],
  };
}

function orderStatus(rng: Rng): Omit<Conversation, 'transfer'> {
  const orderId = `${pick(rng, ['NW', 'PP'])}-${digits(rng, 7)}`;
  const carrier = pick(rng, CARRIERS);
  const shipped = calendarDate(rng);
  const eta = pick(rng, ['tomorrow by 8 PM', 'on Thursday', 'within two business days', 'this afternoon']);
  const last4 = digits(rng, 4);
  const pickup = pick(rng, PICKUP_POINTS);
  return {
    greeting: 'Hi, you have reached order support. What can I help you with?',
    turns: [
      { userText: pick(rng, ["Hi, I'm calling about an order that hasn't arrived yet.", 'Hey, where is my package? It was supposed to be here yesterday.']), agentText: "I'm sorry about the wait. Could you read me the order number?" },
      {
        userText: `Yes, it's ${orderId.split('').join(' ')}.`,
        agentText: 'Thanks. One moment while I look that up.',
        tool: {
          name: 'lookup_order',
          arguments: { order_id: orderId },
          result: { order_id: orderId, status: 'in_transit', carrier, shipped_on: shipped.iso, eta },
          medianLatencyMs: 250,
          failureRate: 0.03,
          failure: { error: 'order service timed out after 3000 ms', agentText: "I'm having trouble reaching our order system. Let me try once more.", escalates: false, afterMs: 3_000 },
        },
        extraContextTokens: 350,
      },
      { userText: "Okay, I'll wait.", agentText: `Your order shipped on ${shipped.spoken} with ${carrier} and should arrive ${eta}. Would you like the tracking link by text message?` },
      {
        userText: 'Yes, please send it.',
        agentText: `Done. I've texted the link to the number ending in ${last4}.`,
        tool: {
          name: 'send_sms',
          arguments: { to_last4: last4, template: 'tracking_link', order_id: orderId },
          result: { message_id: `SM${base36(rng, 12)}`, queued: true },
          medianLatencyMs: 140,
          failureRate: 0.01,
          failure: { error: 'sms gateway rejected the number', agentText: "I couldn't send the text. I'll email the tracking link instead.", escalates: false },
        },
      },
      { userText: 'Can I change the delivery address?', agentText: `It's already in transit, so I can't change the address, but ${carrier} can hold it at a pickup point near you. Shall I request that?` },
      {
        userText: "Yes, let's do that.",
        agentText: `Done. It will wait at the ${pickup} pickup point for seven days.`,
        tool: {
          name: 'request_hold',
          arguments: { order_id: orderId, location: pickup },
          result: { hold_id: `hd_${base36(rng, 8)}`, until_days: 7 },
          medianLatencyMs: 400,
          failureRate: 0.03,
          failure: { error: `${carrier} API refused the hold request`, agentText: `${carrier} did not accept the hold. Let me connect you with a colleague who can arrange it.`, escalates: true },
        },
      },
      { userText: "Great, that's everything. Thanks!", agentText: 'You are welcome. Have a great day!' },
    ],
  };
}

function billingQuestion(rng: Rng): Omit<Conversation, 'transfer'> {
  const caller = person(rng);
  const email = `${caller.first}.${caller.last}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '') + `@${pick(rng, EMAIL_DOMAINS)}`;
  const cents = integer(rng, 1_299, 18_999);
  const charged = calendarDate(rng);
  const accountId = `acct_${digits(rng, 8)}`;
  const chargeId = `ch_${base36(rng, 10)}`;
  return {
    greeting: 'Hello, this is the billing assistant. How can I help?',
    turns: [
      { userText: pick(rng, ['Hi, I think I was charged twice this month.', 'Hello, there is a charge on my card I do not recognise.']), agentText: "I'm sorry about that. Can you confirm the email address on the account?" },
      {
        userText: `It's ${email}.`,
        agentText: 'Thank you. Let me pull up your recent charges.',
        tool: {
          name: 'lookup_account',
          arguments: { email },
          result: { account_id: accountId, plan: pick(rng, ['basic', 'plus', 'premium']), status: 'active' },
          medianLatencyMs: 200,
          failureRate: 0.01,
          failure: { error: 'account service answered 500', agentText: "I can't open your account right now. Let me get someone to call you back.", escalates: true },
        },
      },
      {
        userText: 'Sure.',
        agentText: `I see two charges of ${dollars(cents)} on ${charged.spoken}. The second one looks like a duplicate.`,
        tool: {
          name: 'list_charges',
          arguments: { account_id: accountId, since: charged.iso },
          result: { charges: [{ id: `ch_${base36(rng, 10)}`, amount_cents: cents }, { id: chargeId, amount_cents: cents }] },
          medianLatencyMs: 260,
          failureRate: 0.02,
          failure: { error: 'billing ledger timed out after 5000 ms', agentText: 'The billing system is slow right now. Bear with me a moment.', escalates: false, afterMs: 5_000 },
        },
        extraContextTokens: 500,
      },
      {
        userText: 'Can you refund the extra one?',
        agentText: `Yes. I've refunded ${dollars(cents)}; it should show up in three to five business days.`,
        tool: {
          name: 'issue_refund',
          arguments: { account_id: accountId, charge_id: chargeId, amount_cents: cents },
          result: { refund_id: `re_${base36(rng, 10)}`, status: 'pending' },
          medianLatencyMs: 450,
          failureRate: cents > 10_000 ? 0.12 : 0.02,
          failure: { error: 'refunds above $100.00 need supervisor approval', agentText: "I can't issue that refund myself. Let me transfer you to a billing specialist.", escalates: true },
        },
      },
      { userText: 'Will I get a confirmation?', agentText: `Yes, a confirmation email is on its way to ${email}.` },
      { userText: 'Perfect, thank you.', agentText: 'Thanks for calling, and sorry again for the trouble.' },
    ],
  };
}

const TRANSFER: ScriptedTurn = {
  userText: 'Can I speak to a person, please?',
  agentText: "Of course. I'm transferring you to a team member now. Please stay on the line.",
};

/**
 * A conversation of exactly `turnCount` turns (at least 2): the scenario's steps, with filler
 * turns inserted when the call runs longer than the script and the middle cut when it runs
 * shorter, always ending with the closing turn.
 */
export function buildConversation(rng: Rng, scenario: ScenarioName, agentId: string, turnCount: number): Conversation {
  const script = scenario === 'appointment_booking' ? appointmentBooking(rng, agentId) : scenario === 'order_status' ? orderStatus(rng) : billingQuestion(rng);
  const closing = script.turns.at(-1);
  if (!closing) throw new Error(`scenario ${scenario} has no turns`);
  const steps = script.turns.slice(0, -1);
  const body = steps.slice(0, Math.max(1, turnCount - 1));
  while (body.length < turnCount - 1) body.splice(integer(rng, 1, body.length), 0, pick(rng, FILLERS));
  return { greeting: script.greeting, turns: [...body, closing], transfer: TRANSFER };
}

/**
 * The runaway call: an agent that loaded a caller's whole year of statements into its context and
 * re-reads them on every turn while the caller goes through the charges one by one.
 */
export function buildRunawayConversation(rng: Rng, turnCount: number, statementTokens: number): Conversation {
  const caller = person(rng);
  const accountId = `acct_${digits(rng, 8)}`;
  const turns: ScriptedTurn[] = [
    {
      userText: `Hi, it's ${caller.first} ${caller.last}. I want to go through every charge on my account this year.`,
      agentText: 'Of course. Let me load your statements for the year.',
      tool: {
        name: 'fetch_statements',
        arguments: { account_id: accountId, from: '2026-01-01', to: '2026-11-30' },
        result: { statements: 11, line_items: 1_842, pages: 64 },
        medianLatencyMs: 1_800,
        failureRate: 0,
        failure: { error: 'statement export failed', agentText: 'I could not load the statements.', escalates: true },
      },
      extraContextTokens: statementTokens,
    },
  ];
  while (turns.length < turnCount - 1) {
    const date = calendarDate(rng);
    const cents = integer(rng, 499, 24_999);
    turns.push({
      userText: `And the charge on ${date.spoken} for ${dollars(cents)}, what was that?`,
      agentText: `That was ${pick(rng, ['your monthly premium', 'a policy change fee', 'the roadside assistance add-on', 'a late payment fee'])}, billed on ${date.spoken}.`,
    });
  }
  turns.push({ userText: "Okay, I think that's all of them.", agentText: `Thanks for your patience, ${caller.first}. Anything else today?` });
  return { greeting: 'Hello, this is the billing assistant. How can I help?', turns, transfer: TRANSFER };
}
