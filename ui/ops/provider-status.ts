// Provider context for the health panel: where each known provider publishes its own status, and
// which open outage alert (CONTRACT section 4, rule `provider_outage`) concerns a panel row.
import type { Alert } from './wire.ts';

/** Public status pages of the providers voice platforms commonly use, by the name events carry. */
export const providerStatusPages: Readonly<Record<string, string>> = {
  anthropic: 'https://status.anthropic.com',
  assemblyai: 'https://status.assemblyai.com',
  azure: 'https://azure.status.microsoft',
  cartesia: 'https://status.cartesia.ai',
  deepgram: 'https://status.deepgram.com',
  elevenlabs: 'https://status.elevenlabs.io',
  gladia: 'https://status.gladia.io',
  google: 'https://status.cloud.google.com',
  groq: 'https://groqstatus.com',
  openai: 'https://status.openai.com',
  playht: 'https://status.play.ht',
  plivo: 'https://status.plivo.com',
  telnyx: 'https://status.telnyx.com',
  twilio: 'https://status.twilio.com',
  vonage: 'https://vonage.statuspage.io',
};

export function providerStatusPage(provider: string | null): string | null {
  if (provider === null) return null;
  return providerStatusPages[provider.toLowerCase()] ?? null;
}

export const outageRule = 'provider_outage';

/** The open outage alert for a kind (provider null) or a kind+provider, if there is one. */
export function openOutage(alerts: readonly Alert[], kind: string, provider: string | null): Alert | null {
  return (
    alerts.find(
      (alert) =>
        alert.rule === outageRule &&
        alert.status !== 'resolved' &&
        alert.subject.kind === kind &&
        (alert.subject.provider ?? null) === provider,
    ) ?? null
  );
}
