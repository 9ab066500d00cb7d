// The providers a demo call can use, per component, and what each charges. Prices are list prices
// of the kind voice platforms pay (early 2026), in micro-USD per billing unit; a call's cost lines
// are these prices times what the call used.

export type ProviderKind = 'stt' | 'llm' | 'tts' | 'telephony';

export const PROVIDERS = {
  stt: ['deepgram', 'assemblyai'],
  llm: ['openai', 'anthropic'],
  tts: ['cartesia', 'elevenlabs'],
  telephony: ['twilio', 'telnyx'],
} as const satisfies Record<ProviderKind, readonly string[]>;

export type ProviderName<Kind extends ProviderKind> = (typeof PROVIDERS)[Kind][number];

export interface ProviderChoice {
  stt: ProviderName<'stt'>;
  llm: ProviderName<'llm'>;
  tts: ProviderName<'tts'>;
  telephony: ProviderName<'telephony'>;
}

/** Streaming STT bills the seconds of audio it listened to. */
export const STT_MICROS_PER_SECOND: Record<ProviderName<'stt'>, number> = { deepgram: 72, assemblyai: 62 };
/** Blended input and output token price of the model each provider serves the agents with. */
export const LLM_MICROS_PER_TOKEN: Record<ProviderName<'llm'>, number> = { openai: 1.5, anthropic: 2.4 };
/** TTS bills the characters it spoke. */
export const TTS_MICROS_PER_CHARACTER: Record<ProviderName<'tts'>, number> = { cartesia: 30, elevenlabs: 50 };
/** Inbound and outbound PSTN minutes, billed to the hundredth of a minute. */
export const TELEPHONY_MICROS_PER_MINUTE: Record<ProviderName<'telephony'>, number> = { twilio: 8_500, telnyx: 7_000 };
