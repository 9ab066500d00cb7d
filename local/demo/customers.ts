// The four demo tenants: different sizes, rate cards, regions, provider stacks and kinds of call,
// so the operator's per-customer table and the customer dashboards have something to compare.
// `normalCallsPerHour` is both the customer's declared normal load (what `load_ratio` divides by)
// and the average live rate on a weekday, so only a scripted noisy-neighbor burst reads as noisy.
import type { ProviderName } from './providers.ts';

export type Region = 'us' | 'eu' | 'ap';
export type ScenarioName = 'appointment_booking' | 'order_status' | 'billing_question';

export interface DemoAgent {
  id: string;
  version: string;
  scenario: ScenarioName;
  /** Share of the customer's calls this agent answers (weights, not necessarily summing to 1). */
  weight: number;
  /** Share of its calls the agent places rather than answers. */
  outboundShare: number;
}

export interface DemoCustomer {
  id: string;
  name: string;
  markupBps: number;
  feePerMinuteMicros: number;
  hourlySpendLimitMicros: number;
  normalCallsPerHour: number;
  regions: Readonly<Record<Region, number>>;
  providers: {
    stt: Readonly<Record<ProviderName<'stt'>, number>>;
    llm: Readonly<Record<ProviderName<'llm'>, number>>;
    tts: Readonly<Record<ProviderName<'tts'>, number>>;
    telephony: Readonly<Record<ProviderName<'telephony'>, number>>;
  };
  agents: readonly DemoAgent[];
  /** The customer's own line per region: the `to` of inbound calls and the `from` of outbound ones. */
  lines: Readonly<Record<Region, string>>;
}

// Fictional numbers: US 555-01xx, UK Ofcom drama ranges, Australian drama ranges.
export const DEMO_CUSTOMERS: readonly DemoCustomer[] = [
  {
    id: 'northwind-retail',
    name: 'Northwind Retail Contact Centre',
    markupBps: 1500,
    feePerMinuteMicros: 8_000,
    hourlySpendLimitMicros: 800_000_000,
    normalCallsPerHour: 3_000,
    regions: { us: 0.65, eu: 0.35, ap: 0 },
    providers: {
      stt: { deepgram: 0.8, assemblyai: 0.2 },
      llm: { openai: 0.7, anthropic: 0.3 },
      tts: { cartesia: 0.7, elevenlabs: 0.3 },
      telephony: { twilio: 0.6, telnyx: 0.4 },
    },
    agents: [
      { id: 'order-support', version: '2026.11.4', scenario: 'order_status', weight: 0.7, outboundShare: 0.05 },
      { id: 'billing-desk', version: '2026.11.1', scenario: 'billing_question', weight: 0.3, outboundShare: 0 },
    ],
    lines: { us: '+18005550142', eu: '+442079460142', ap: '+61255500142' },
  },
  {
    id: 'brightsmile-clinics',
    name: 'BrightSmile Dental Clinics',
    markupBps: 2000,
    feePerMinuteMicros: 10_000,
    hourlySpendLimitMicros: 400_000_000,
    normalCallsPerHour: 1_200,
    regions: { us: 0.5, eu: 0.5, ap: 0 },
    providers: {
      stt: { deepgram: 0.5, assemblyai: 0.5 },
      llm: { openai: 0.4, anthropic: 0.6 },
      tts: { cartesia: 0.5, elevenlabs: 0.5 },
      telephony: { twilio: 0.3, telnyx: 0.7 },
    },
    agents: [
      { id: 'dental-reception', version: '2026.11.3', scenario: 'appointment_booking', weight: 0.9, outboundShare: 0.15 },
      { id: 'clinic-billing', version: '2026.10.7', scenario: 'billing_question', weight: 0.1, outboundShare: 0 },
    ],
    lines: { us: '+18005550178', eu: '+442079460178', ap: '+61255500178' },
  },
  {
    id: 'parcelpal',
    name: 'ParcelPal',
    markupBps: 2000,
    feePerMinuteMicros: 10_000,
    hourlySpendLimitMicros: 250_000_000,
    normalCallsPerHour: 400,
    regions: { us: 0.4, eu: 0, ap: 0.6 },
    providers: {
      stt: { deepgram: 1, assemblyai: 0 },
      llm: { openai: 1, anthropic: 0 },
      tts: { cartesia: 0.8, elevenlabs: 0.2 },
      telephony: { twilio: 1, telnyx: 0 },
    },
    agents: [
      { id: 'parcel-tracker', version: '0.9.12', scenario: 'order_status', weight: 0.8, outboundShare: 0 },
      { id: 'parcel-billing', version: '0.9.12', scenario: 'billing_question', weight: 0.2, outboundShare: 0 },
    ],
    lines: { us: '+18005550119', eu: '+442079460119', ap: '+61255500119' },
  },
  {
    id: 'harborline-insurance',
    name: 'Harborline Insurance',
    markupBps: 6000,
    feePerMinuteMicros: 15_000,
    hourlySpendLimitMicros: 400_000_000,
    normalCallsPerHour: 800,
    regions: { us: 0.7, eu: 0, ap: 0.3 },
    providers: {
      stt: { deepgram: 0.3, assemblyai: 0.7 },
      llm: { openai: 0.2, anthropic: 0.8 },
      tts: { cartesia: 0.4, elevenlabs: 0.6 },
      telephony: { twilio: 0.5, telnyx: 0.5 },
    },
    agents: [
      { id: 'policy-billing', version: '3.2.0', scenario: 'billing_question', weight: 0.7, outboundShare: 0.1 },
      { id: 'adjuster-scheduler', version: '3.1.5', scenario: 'appointment_booking', weight: 0.3, outboundShare: 0.3 },
    ],
    lines: { us: '+18005550163', eu: '+442079460163', ap: '+61255500163' },
  },
];

export function demoCustomer(id: string): DemoCustomer {
  const customer = DEMO_CUSTOMERS.find((c) => c.id === id);
  if (!customer) throw new Error(`No demo customer "${id}"`);
  return customer;
}
