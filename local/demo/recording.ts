// Short synthetic call recordings: a few seconds of soft, speech-like tones as a WAV file in the
// format telephony audio arrives in (8 kHz mono 16-bit PCM), so the call detail's player has a
// real file to play. Two voices take turns, each a run of syllables (a voiced tone with its first
// harmonic, gliding in pitch, faded in and out) between pauses. Pure and without Node imports:
// the workerd and browser tests build their recordings with it too.
import { chance, integer, uniform, type Rng } from './random.ts';

const RECORDING_FORMAT = { sampleRate: 8_000, channels: 1, bitsPerSample: 16 } as const;
const RECORDING_DURATION_MS = { min: 2_000, max: 4_000 } as const;
const WAV_HEADER_BYTES = 44;
/** Loudest sample as a share of full scale: a quiet voice, far from clipping. */
const PEAK_LEVEL = 0.25;
/** Fundamental pitch ranges of the two voices, in Hz: a lower caller, a higher agent. */
const VOICE_PITCH_HZ = [
  { min: 100, max: 140 },
  { min: 180, max: 240 },
] as const;

/** One stretch of voiced sound: `samples` long, its pitch gliding from `startHz` to `endHz`. */
interface Syllable {
  startSample: number;
  samples: number;
  startHz: number;
  endHz: number;
}

/** Syllables in words, words in turns, the two voices alternating, until `totalSamples`. */
function syllables(rng: Rng, totalSamples: number): Syllable[] {
  const perMs = RECORDING_FORMAT.sampleRate / 1000;
  const planned: Syllable[] = [];
  let cursor = integer(rng, 50, 250) * perMs;
  for (let voice = 0; cursor < totalSamples; voice = 1 - voice) {
    const pitch = VOICE_PITCH_HZ[voice] ?? VOICE_PITCH_HZ[0];
    const baseHz = uniform(rng, pitch.min, pitch.max);
    const words = integer(rng, 1, 4);
    for (let word = 0; word < words && cursor < totalSamples; word++) {
      const count = integer(rng, 1, 3);
      for (let i = 0; i < count && cursor < totalSamples; i++) {
        const samples = Math.min(integer(rng, 90, 260) * perMs, totalSamples - cursor);
        // Statements fall at their end; now and then a question rises.
        const endFactor = chance(rng, 0.2) ? uniform(rng, 1.05, 1.25) : uniform(rng, 0.8, 1);
        planned.push({ startSample: cursor, samples, startHz: baseHz * uniform(rng, 0.95, 1.08), endHz: baseHz * endFactor });
        cursor += samples + integer(rng, 20, 70) * perMs;
      }
      cursor += integer(rng, 60, 180) * perMs;
    }
    cursor += integer(rng, 250, 600) * perMs;
  }
  return planned;
}

function writeAscii(view: DataView, offset: number, text: string): void {
  for (let i = 0; i < text.length; i++) view.setUint8(offset + i, text.charCodeAt(i));
}

/**
 * A 2-4 s WAV of two voices taking turns, drawn from `rng`: the same rng state gives the same
 * bytes. About 32-64 KB.
 */
export function syntheticRecordingWav(rng: Rng): Uint8Array<ArrayBuffer> {
  const { sampleRate, channels, bitsPerSample } = RECORDING_FORMAT;
  const bytesPerSample = bitsPerSample / 8;
  const durationMs = integer(rng, RECORDING_DURATION_MS.min, RECORDING_DURATION_MS.max);
  const totalSamples = Math.round((durationMs * sampleRate) / 1000);
  const dataBytes = totalSamples * channels * bytesPerSample;
  const bytes = new Uint8Array(WAV_HEADER_BYTES + dataBytes);
  const view = new DataView(bytes.buffer);

  writeAscii(view, 0, 'RIFF');
  view.setUint32(4, WAV_HEADER_BYTES - 8 + dataBytes, true);
  writeAscii(view, 8, 'WAVE');
  writeAscii(view, 12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, channels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * channels * bytesPerSample, true);
  view.setUint16(32, channels * bytesPerSample, true);
  view.setUint16(34, bitsPerSample, true);
  writeAscii(view, 36, 'data');
  view.setUint32(40, dataBytes, true);

  // Samples not covered by a syllable stay 0: silence between words.
  const fullScale = 2 ** (bitsPerSample - 1) - 1;
  for (const syllable of syllables(rng, totalSamples)) {
    let phase = 0;
    for (let i = 0; i < syllable.samples; i++) {
      const progress = i / syllable.samples;
      const hz = syllable.startHz + (syllable.endHz - syllable.startHz) * progress;
      phase += (2 * Math.PI * hz) / sampleRate;
      const envelope = Math.sin(Math.PI * progress) ** 2;
      const voiced = 0.7 * Math.sin(phase) + 0.3 * Math.sin(2 * phase);
      const sample = Math.round(fullScale * PEAK_LEVEL * envelope * voiced);
      view.setInt16(WAV_HEADER_BYTES + (syllable.startSample + i) * bytesPerSample, sample, true);
    }
  }
  return bytes;
}
