// The operator's live view (GET /api/ops/live) as Prometheus metric families. Same values, named
// per Prometheus conventions (docs/metrics.md): base units (seconds, USD, ratios in [0, 1]),
// windowed counts as gauges (they fall as the window slides, so none is a `_total` counter),
// quantiles as quantile-only summaries. A value the JSON answers as null (an empty window) has no
// sample.
import type { Quantiles } from '../../analytics/live-window.ts';
import type { Rate } from '../../analytics/rate.ts';
import type { LiveView, PlatformValues } from '../../durable/platform/live-view.ts';
import { quantileSamples, type Labels, type MetricFamily, type Sample } from './exposition.ts';

const prefix = 'switchboard_';
const rateWindow = 'in the 5 minutes ending at as_of';
const hourWindow = 'in the 60 minutes ending at as_of';

/** Money is exact integer micro-USD everywhere else; here it is USD, exact to the micro-dollar (round(value * 1e6) gives the micros back). */
export function microsToUsd(micros: number): number {
  return micros / 1_000_000;
}

export function msToSeconds(ms: number): number {
  return ms / 1000;
}

function quantilesInSeconds(quantiles: Quantiles): Array<[number, number | null]> {
  return [
    [0.5, quantiles.p50 === null ? null : msToSeconds(quantiles.p50)],
    [0.95, quantiles.p95 === null ? null : msToSeconds(quantiles.p95)],
    [0.99, quantiles.p99 === null ? null : msToSeconds(quantiles.p99)],
  ];
}

/** One family's lines for one labelled subject (the platform, a region, a provider, a customer). */
type SampleReader<T> = (subject: T, labels: Labels) => Sample[];

interface FamilySpec<T> {
  name: string;
  help: string;
  type: 'gauge' | 'summary';
  read: SampleReader<T>;
}

function gauge<T>(name: string, help: string, value: (subject: T) => number | null): FamilySpec<T> {
  return {
    name,
    help,
    type: 'gauge',
    read: (subject, labels) => {
      const v = value(subject);
      return v === null ? [] : [{ labels, value: v }];
    },
  };
}

function summary<T>(name: string, help: string, quantiles: (subject: T) => Quantiles): FamilySpec<T> {
  return { name, help, type: 'summary', read: (subject, labels) => quantileSamples(labels, quantilesInSeconds(quantiles(subject))) };
}

/** A rate as three gauges: the ratio (no sample while the denominator is 0), and its numerator and denominator, so sample sizes show and regions can be added up. */
function ratio<T>(name: string, help: string, numeratorHelp: string, denominatorHelp: string, rate: (subject: T) => Rate): Array<FamilySpec<T>> {
  return [
    gauge(`${name}_ratio`, help, (s) => rate(s).value),
    gauge(`${name}_ratio_numerator`, numeratorHelp, (s) => rate(s).numerator),
    gauge(`${name}_ratio_denominator`, denominatorHelp, (s) => rate(s).denominator),
  ];
}

function families<T>(specs: ReadonlyArray<FamilySpec<T>>, namePrefix: string, helpSuffix: string, subjects: ReadonlyArray<{ subject: T; labels: Labels }>): MetricFamily[] {
  return specs.map((spec) => ({
    name: namePrefix + spec.name,
    help: spec.help + helpSuffix,
    type: spec.type,
    samples: subjects.flatMap(({ subject, labels }) => spec.read(subject, labels)),
  }));
}

const endedCalls = `Calls whose call.ended falls ${rateWindow}`;

const platformSpecs: Array<FamilySpec<PlatformValues>> = [
  gauge('active_calls', 'Calls started and not ended, leaving out calls started over 4 h ago (stale).', (p) => p.active_calls),
  gauge('call_attempts_per_minute', 'call.started events in the 60 s ending at as_of.', (p) => p.call_attempts_per_minute),
  gauge('calls_per_hour', `call.started events ${hourWindow}.`, (p) => p.calls_per_hour),
  gauge('ended_calls', `${endedCalls}.`, (p) => p.ended_calls),
  gauge('cost_per_hour_usd', `Billed amount of the calls ended ${hourWindow}, in USD.`, (p) => microsToUsd(p.cost_per_hour_micros)),
  gauge('provider_cost_per_hour_usd', `Estimated provider cost of the calls ended ${hourWindow}, in USD.`, (p) => microsToUsd(p.provider_cost_per_hour_micros)),
  {
    name: 'provider_cost_by_component_per_hour_usd',
    help: `Estimated provider cost of the calls ended ${hourWindow} per cost component (stt, llm, tts, telephony, ...), in USD.`,
    type: 'gauge',
    read: (p, labels) =>
      Object.entries(p.provider_cost_per_hour_by_component_micros).map(([component, micros]) => ({ labels: { ...labels, component }, value: microsToUsd(micros) })),
  },
  ...ratio('call_success', `Share of ended calls whose status is not failed, ${rateWindow}.`, 'Ended calls whose status is not failed.', `${endedCalls}.`, (p: PlatformValues) => p.success_rate),
  ...ratio('call_error', `Share of ended calls that failed or had a call.error, ${rateWindow}.`, 'Ended calls that failed or had a call.error.', `${endedCalls}.`, (p: PlatformValues) => p.error_rate),
  ...ratio('call_completion', `Share of ended calls whose status is not abandoned, ${rateWindow}.`, 'Ended calls whose status is not abandoned.', `${endedCalls}.`, (p: PlatformValues) => p.completion_rate),
  ...ratio('call_escalation', `Share of ended calls escalated to a person, ${rateWindow}.`, 'Ended calls escalated.', `${endedCalls}.`, (p: PlatformValues) => p.escalation_rate),
  ...ratio('call_interruption', `Share of ended calls with an interrupted turn, ${rateWindow}.`, 'Ended calls with an interrupted turn.', `${endedCalls}.`, (p: PlatformValues) => p.interruption_rate),
  ...ratio('call_task_success', `Share of ended calls with task_success true among those where it is known, ${rateWindow}.`, 'Ended calls with task_success true.', 'Ended calls with task_success known (not null).', (p: PlatformValues) => p.task_success_rate),
  ...ratio('tool_call_failure', `Share of tool.call events with ok false, ${rateWindow}.`, 'tool.call events with ok false.', `tool.call events ${rateWindow}.`, (p: PlatformValues) => p.tool_failure_rate),
  gauge('csat_mean', `Mean CSAT (1 to 5) of call.feedback ${rateWindow}.`, (p) => p.csat),
  summary('turn_e2e_latency_seconds', `End-to-end turn latency (user end of speech to first agent audio) of call.turn events ${rateWindow}, seconds.`, (p) => p.e2e_ms),
  summary('turn_stt_latency_seconds', `Speech-to-text latency of call.turn events ${rateWindow}, seconds.`, (p) => p.stt_ms),
  summary('turn_llm_latency_seconds', `LLM latency of call.turn events ${rateWindow}, seconds.`, (p) => p.llm_ms),
  summary('turn_tts_latency_seconds', `Text-to-speech latency of call.turn events ${rateWindow}, seconds.`, (p) => p.tts_ms),
  summary('call_time_to_first_audio_seconds', `Connect to first agent audio (ttfa) of calls ended ${rateWindow}, seconds.`, (p) => p.ttfa_ms),
];

type ProviderEntry = LiveView['providers'][number];
type CustomerEntry = LiveView['customers'][number];

const providerSpecs = (scope: string): Array<FamilySpec<ProviderEntry>> => [
  ...ratio('success', `Share of provider.request events with ok true ${scope}, ${rateWindow}.`, 'provider.request events with ok true.', `provider.request events ${rateWindow}.`, (e: ProviderEntry) => e.success_rate),
  summary('request_latency_seconds', `Latency of provider.request events ${scope}, ${rateWindow}, seconds.`, (e) => e.latency_ms),
];

const customerSpecs: Array<FamilySpec<CustomerEntry>> = [
  gauge('active_calls', "The customer's calls started and not ended, leaving out stale ones.", (c) => c.active_calls),
  gauge('calls_per_hour', `The customer's call.started events ${hourWindow}.`, (c) => c.calls_per_hour),
  gauge('cost_per_hour_usd', `Billed amount of the customer's calls ended ${hourWindow}, in USD.`, (c) => microsToUsd(c.cost_per_hour_micros)),
  gauge('provider_cost_per_hour_usd', `Estimated provider cost of the customer's calls ended ${hourWindow}, in USD.`, (c) => microsToUsd(c.provider_cost_per_hour_micros)),
  ...ratio('call_success', `Share of the customer's ended calls whose status is not failed, ${rateWindow}.`, 'Ended calls whose status is not failed.', `The customer's calls ended ${rateWindow}.`, (c: CustomerEntry) => c.success_rate),
  ...ratio('call_error', `Share of the customer's ended calls that failed or had a call.error, ${rateWindow}.`, 'Ended calls that failed or had a call.error.', `The customer's calls ended ${rateWindow}.`, (c: CustomerEntry) => c.error_rate),
  summary('turn_e2e_latency_seconds', `P95 end-to-end turn latency of the customer's call.turn events ${rateWindow}, seconds.`, (c) => ({ p50: null, p95: c.p95_e2e_ms, p99: null })),
  gauge('load_ratio', 'Calls started in the last 15 minutes over a quarter of the normal calls per hour.', (c) => c.load_ratio),
  gauge('normal_calls_per_hour', "The customer's normal calls per hour: configured, or learned from its traffic.", (c) => c.normal_calls_per_hour),
  gauge('noisy', '1 while the load ratio is above 2, else 0.', (c) => (c.noisy ? 1 : 0)),
  gauge('spend_limit_exceeded', '1 while the billed amount of the last 60 minutes is above the hourly spend limit, else 0.', (c) => (c.flags.includes('spend_limit_exceeded') ? 1 : 0)),
];

/**
 * The live families: the platform, the same platform values per region (`switchboard_region_*`,
 * label `region`: kept apart so that summing a family never counts a call twice), providers per
 * kind and per kind+provider, and one row per customer.
 */
export function liveMetricFamilies(live: LiveView, regions: readonly LiveView[]): MetricFamily[] {
  const kinds = live.providers.filter((e) => e.provider === null);
  const providers = live.providers.filter((e) => e.provider !== null);
  return [
    {
      name: `${prefix}live_as_of_timestamp_seconds`,
      help: 'End of the live windows (the last completed 5-second bucket), as Unix time in seconds.',
      type: 'gauge',
      samples: [{ value: Date.parse(live.as_of) / 1000 }],
    },
    ...families(platformSpecs, prefix, '', [{ subject: live.platform, labels: {} }]),
    ...families(
      platformSpecs,
      `${prefix}region_`,
      ' Per region.',
      regions.map((view) => ({ subject: view.platform, labels: { region: view.region ?? '' } })),
    ),
    ...families(providerSpecs('of a provider kind'), `${prefix}provider_kind_`, '', kinds.map((e) => ({ subject: e, labels: { kind: e.kind } }))),
    ...families(providerSpecs('of one provider'), `${prefix}provider_`, '', providers.map((e) => ({ subject: e, labels: { kind: e.kind, provider: e.provider ?? '' } }))),
    ...families(customerSpecs, `${prefix}customer_`, '', live.customers.map((c) => ({ subject: c, labels: { customer: c.customer_id } }))),
  ];
}
