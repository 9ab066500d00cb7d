import { describe, expect, it } from 'vitest';
import { createRng } from '../../local/demo/random.ts';
import { syntheticRecordingWav } from '../../local/demo/recording.ts';

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

function samplesOf(wav: Uint8Array): Int16Array {
  const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
  return Int16Array.from({ length: (wav.byteLength - 44) / 2 }, (_, i) => view.getInt16(44 + i * 2, true));
}

const seeds = Array.from({ length: 30 }, (_, i) => 500 + i * 13);

describe('a synthetic recording', () => {
  it('is a canonical 44-byte-header WAV: RIFF/WAVE, PCM, 8 kHz mono 16-bit, data to the end of the file', () => {
    for (const seed of seeds) {
      const wav = syntheticRecordingWav(createRng(seed, 'recording'));
      const view = new DataView(wav.buffer, wav.byteOffset, wav.byteLength);
      expect(ascii(wav, 0, 4)).toBe('RIFF');
      expect(view.getUint32(4, true)).toBe(wav.byteLength - 8);
      expect(ascii(wav, 8, 8)).toBe('WAVEfmt ');
      expect(view.getUint32(16, true)).toBe(16);
      expect(view.getUint16(20, true)).toBe(1);
      expect(view.getUint16(22, true)).toBe(1);
      expect(view.getUint32(24, true)).toBe(8_000);
      expect(view.getUint32(28, true)).toBe(16_000);
      expect(view.getUint16(32, true)).toBe(2);
      expect(view.getUint16(34, true)).toBe(16);
      expect(ascii(wav, 36, 4)).toBe('data');
      expect(view.getUint32(40, true)).toBe(wav.byteLength - 44);
    }
  });

  it('lasts 2 to 4 s, well under 100 KB', () => {
    for (const seed of seeds) {
      const wav = syntheticRecordingWav(createRng(seed, 'recording'));
      const seconds = (wav.byteLength - 44) / 16_000;
      expect(seconds).toBeGreaterThanOrEqual(2);
      expect(seconds).toBeLessThanOrEqual(4);
      expect(wav.byteLength).toBeLessThan(100_000);
    }
  });

  it('is soft but audible, with pauses: peaks at most a quarter of full scale, and stretches of silence', () => {
    for (const seed of seeds) {
      const samples = samplesOf(syntheticRecordingWav(createRng(seed, 'recording')));
      const peak = samples.reduce((max, s) => Math.max(max, Math.abs(s)), 0);
      expect(peak).toBeLessThanOrEqual(Math.ceil(32_767 / 4));
      expect(peak).toBeGreaterThan(32_767 / 8);
      const silent = samples.filter((s) => s === 0).length / samples.length;
      expect(silent).toBeGreaterThan(0.1);
      expect(silent).toBeLessThan(0.8);
    }
  });

  it('is the same for the same seed and differs for another', () => {
    const first = syntheticRecordingWav(createRng(42, 'recording'));
    expect(syntheticRecordingWav(createRng(42, 'recording'))).toEqual(first);
    expect(syntheticRecordingWav(createRng(43, 'recording'))).not.toEqual(first);
  });
});
