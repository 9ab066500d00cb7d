// The platform rules of CONTRACT section 4, evaluated by the PlatformMeter over the merged live
// buckets: provider spend, provider (and whole-kind) degradation and outage, error rate
// platform-wide and per region.
import { ceilingState, errorRateState, outageState, successState } from '../../analytics/alert-rules.ts';
import { formatMicrosAsUsd } from '../../analytics/money.ts';
import { providerHealth, rateMetrics, type BucketTotals, type LiveBucket } from '../../analytics/live-window.ts';
import { rate, type Rate } from '../../analytics/rate.ts';
import type { AlertObservation } from './alert-types.ts';
import type { PlatformThresholds } from './rules-config.ts';

export interface PlatformAlertInput {
  lastHour: BucketTotals;
  lastFiveMinutes: LiveBucket;
  /** The last five full minutes, oldest first. */
  fullMinutes: LiveBucket[];
  /** The last five minutes per region. */
  regions: Record<string, LiveBucket>;
  thresholds: PlatformThresholds;
}

const percent = (r: Rate) => (r.value === null ? 'n/a' : `${(r.value * 100).toFixed(1)}%`);

/** Success per kind and per kind+provider in one bucket, keyed `kind` or `kind|provider`. */
function successByProvider(bucket: LiveBucket): Map<string, Rate> {
  const out = new Map<string, Rate>();
  for (const entry of providerHealth(bucket)) out.set(entry.provider === null ? entry.kind : `${entry.kind}|${entry.provider}`, entry.success_rate);
  return out;
}

function providerSubject(key: string): { kind: string; provider?: string; label: string; dedup: string } {
  const separator = key.indexOf('|');
  const kind = separator < 0 ? key : key.slice(0, separator);
  const provider = separator < 0 ? undefined : key.slice(separator + 1);
  return provider ? { kind, provider, label: `${kind.toUpperCase()} provider ${provider}`, dedup: `provider:${kind}:${provider}` } : { kind, label: `all ${kind.toUpperCase()} providers`, dedup: `provider:${kind}` };
}

export function platformObservations(input: PlatformAlertInput): AlertObservation[] {
  const t = input.thresholds;
  const observations: AlertObservation[] = [];
  const spend = input.lastHour.providerCostMicros;
  observations.push({
    dedupKey: 'platform:spend_hourly',
    rule: 'platform_spend_hourly',
    severity: 'critical',
    subject: {},
    state: ceilingState(spend, t.platformProviderSpendHourlyMicros),
    value: spend,
    threshold: t.platformProviderSpendHourlyMicros,
    summary: `Provider spend was ${formatMicrosAsUsd(spend)} in the last hour (limit ${formatMicrosAsUsd(t.platformProviderSpendHourlyMicros)})`,
    details: { provider_cost_last_hour_micros: spend, by_component_micros: input.lastHour.costByComponentMicros },
    links: [{ href: '/ops', text: 'Operator dashboard' }],
  });

  const fiveMinute = successByProvider(input.lastFiveMinutes);
  const perMinute = input.fullMinutes.map(successByProvider);
  const keys = new Set([...fiveMinute.keys(), ...perMinute.flatMap((m) => [...m.keys()])]);
  for (const key of [...keys].sort()) {
    const subject = providerSubject(key);
    const recent = fiveMinute.get(key) ?? rate(0, 0);
    const minutes = perMinute.map((m) => m.get(key) ?? rate(0, 0));
    const link = [{ href: `/ops#providers-${subject.kind}`, text: 'Provider health on the operator dashboard' }];
    const providerFields = { kind: subject.kind, ...(subject.provider && { provider: subject.provider }) };
    observations.push({
      dedupKey: `${subject.dedup}:degraded`,
      rule: 'provider_degraded',
      severity: 'warning',
      subject: providerFields,
      state: successState(recent, t.providerDegradedSuccessRate, t.providerDegradedMinRequests),
      value: recent.value ?? 1,
      threshold: t.providerDegradedSuccessRate,
      summary: `${subject.label} degraded: ${percent(recent)} success over the last 5 minutes (${recent.denominator} requests)`,
      details: { success_rate: recent },
      links: link,
    });
    observations.push({
      dedupKey: `${subject.dedup}:outage`,
      rule: 'provider_outage',
      severity: 'critical',
      subject: providerFields,
      state: outageState(minutes, t.providerOutageSuccessRate, t.providerOutageMinRequestsPerMinute),
      value: minutes[minutes.length - 1]?.value ?? 1,
      threshold: t.providerOutageSuccessRate,
      summary: `Outage detected: ${subject.label} below ${percent(rate(t.providerOutageSuccessRate, 1))} success in each of the last 5 minutes`,
      details: { per_minute: minutes },
      links: link,
    });
  }

  const platformErrors = rateMetrics(input.lastFiveMinutes).error_rate;
  observations.push({
    dedupKey: 'platform:error_rate',
    rule: 'error_rate',
    severity: 'warning',
    subject: {},
    state: errorRateState(platformErrors, t.errorRate, t.errorRateMinCalls),
    value: platformErrors.value ?? 0,
    threshold: t.errorRate,
    summary: `Platform error rate ${percent(platformErrors)} over the last 5 minutes (${platformErrors.denominator} calls)`,
    details: { error_rate: platformErrors },
    links: [{ href: '/ops', text: 'Operator dashboard' }],
  });
  for (const [region, bucket] of Object.entries(input.regions).sort(([a], [b]) => a.localeCompare(b))) {
    const errors = rateMetrics(bucket).error_rate;
    observations.push({
      dedupKey: `region:${region}:error_rate`,
      rule: 'error_rate',
      severity: 'warning',
      subject: { region },
      state: errorRateState(errors, t.errorRate, t.errorRateMinCalls),
      value: errors.value ?? 0,
      threshold: t.errorRate,
      summary: `Error rate in region ${region} ${percent(errors)} over the last 5 minutes (${errors.denominator} calls)`,
      details: { error_rate: errors },
      links: [{ href: `/ops?region=${encodeURIComponent(region)}`, text: `Region ${region} on the operator dashboard` }],
    });
  }
  return observations;
}
