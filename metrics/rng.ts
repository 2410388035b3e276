/**
 * Small seeded pseudo-random generators for the metrics (restarts, bootstrap, sampling).
 * Deterministic across runs and machines: the same seed gives the same stream.
 *
 * @module
 */

/**
 * A seeded uniform generator on [0, 1) (mulberry32 over a splitmix32-scrambled seed).
 * `seed` is any finite number; it is reduced to 32 bits.
 */
export function makeRng(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  // splitmix32 scramble so that nearby seeds give unrelated streams
  let s = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
  s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0;
  s = (s ^ (s >>> 16)) >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A uniformly random permutation of `0..n-1` (Fisher–Yates) drawn from `rng`. */
export function randomPermutation(n: number, rng: () => number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return p;
}

/** A uniform integer in `[0, n)` drawn from `rng`. */
export function randomInt(n: number, rng: () => number): number {
  return Math.floor(rng() * n);
}
