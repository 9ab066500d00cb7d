// Seeded randomness for the demo: the same seed gives the same customers' calls, so a run can be
// replayed and tests can check shapes. Every stream is derived from (seed, label), so adding a
// customer or a call kind never shifts the numbers another stream draws.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
}

/** A 32-bit hash of a text (FNV-1a followed by a murmur3 finaliser for avalanche). */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** sfc32: small, fast and well distributed; state seeded from four hashes of the label. */
export function createRng(seed: number, label = ''): Rng {
  let a = hash32(`${seed}|a|${label}`);
  let b = hash32(`${seed}|b|${label}`);
  let c = hash32(`${seed}|c|${label}`);
  let d = hash32(`${seed}|d|${label}`);
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // The first outputs of a freshly seeded sfc32 are correlated with the seed.
  for (let i = 0; i < 12; i++) next();
  return { next };
}

/** A seed for a run that was not given one: printed, so the run can be replayed. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

export function uniform(rng: Rng, min: number, max: number): number {
  return min + (max - min) * rng.next();
}

/** An integer in [min, max], both included. */
export function integer(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng.next() * (max - min + 1));
}

export function chance(rng: Rng, probability: number): boolean {
  return rng.next() < probability;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng.next() * items.length)];
  if (item === undefined) throw new Error('pick needs at least one item');
  return item;
}

/** Picks a key of `weights` with probability proportional to its weight. */
export function weighted<K extends string>(rng: Rng, weights: Readonly<Record<K, number>>): K {
  const entries = Object.entries(weights) as Array<[K, number]>;
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  let target = rng.next() * total;
  for (const [key, weight] of entries) {
    target -= weight;
    if (target < 0) return key;
  }
  const last = entries.at(-1);
  if (!last) throw new Error('weighted needs at least one entry');
  return last[0];
}

/** A standard normal draw (Box-Muller). */
export function normal(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Log-normal around `median`: latencies are skewed to the right, with a long tail. */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rng));
}

/** Time to the next event of a Poisson process with `ratePerMs` events per millisecond. */
export function exponentialGap(rng: Rng, ratePerMs: number): number {
  return -Math.log(1 - rng.next()) / ratePerMs;
}

export function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** `length` characters of [0-9a-z]. */
export function base36(rng: Rng, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += Math.floor(rng.next() * 36).toString(36);
  return text;
}

/** `length` lowercase hexadecimal characters. */
export function hex(rng: Rng, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += Math.floor(rng.next() * 16).toString(16);
  return text;
}

/** `length` decimal digits, the first never 0. */
export function digits(rng: Rng, length: number): string {
  let text = String(integer(rng, 1, 9));
  for (let i = 1; i < length; i++) text += String(integer(rng, 0, 9));
  return text;
}
