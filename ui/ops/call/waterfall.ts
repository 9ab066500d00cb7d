// A turn's latency as bars on one scale: STT, then LLM, then TTS one after another from the end
// of the caller's speech, and the measured end-to-end time beside them (its excess over the three
// parts is time spent between them).
import type { CallTurn } from '../wire.ts';

export interface WaterfallBar {
  part: 'stt' | 'llm' | 'tts' | 'e2e';
  startMs: number;
  durationMs: number;
  /** Left edge and width as percentages of the widest turn. */
  leftPct: number;
  widthPct: number;
}

export interface WaterfallRow {
  turn: number;
  interrupted: boolean;
  bars: WaterfallBar[];
  /** e2e_ms minus the three parts: time not spent inside a provider (negative when they overlap). */
  gapMs: number;
}

export function waterfall(turns: readonly CallTurn[]): { scaleMs: number; rows: WaterfallRow[] } {
  const scaleMs = Math.max(1, ...turns.map((t) => Math.max(t.e2e_ms, t.stt_ms + t.llm_ms + t.tts_ms)));
  const pct = (ms: number) => (ms / scaleMs) * 100;
  const rows = turns.map((t) => {
    const parts: Array<[WaterfallBar['part'], number, number]> = [
      ['stt', 0, t.stt_ms],
      ['llm', t.stt_ms, t.llm_ms],
      ['tts', t.stt_ms + t.llm_ms, t.tts_ms],
      ['e2e', 0, t.e2e_ms],
    ];
    return {
      turn: t.turn,
      interrupted: t.interrupted,
      gapMs: t.e2e_ms - (t.stt_ms + t.llm_ms + t.tts_ms),
      bars: parts.map(([part, startMs, durationMs]) => ({ part, startMs, durationMs, leftPct: pct(startMs), widthPct: pct(durationMs) })),
    };
  });
  return { scaleMs, rows };
}
