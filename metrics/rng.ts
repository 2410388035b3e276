/**
 * The library's seeded pseudo-random streams: task data, weight initialisation, metric restarts,
 * bootstrap and permutation tests, benchmark inputs. Deterministic across runs and machines: the
 * same seed gives the same stream. `Math.random` is never used.
 *
 * Two generators, each for its job:
 * - `createRng(seed)`: `seedrandom@3.0.5`'s **alea** (Baagøe's 53-bit multiply-with-carry,
 *   period ≈ 2^116, passes BigCrush; 32 random bits per uniform), seeded by the decimal string of
 *   the seed, with uniform, range, integer, sign and Gaussian (Marsaglia polar) draws. The task
 *   generators and `initParams` use it. (Until 2026-11-28 this stream came from seedrandom's
 *   default ARC4 generator; data drawn before that differ for the same seed.)
 * - `mulberry32(state)`: a small, fast 32-bit generator of uniforms on [0, 1); `makeRng(seed)`
 *   is mulberry32 over a splitmix32-scrambled seed, so nearby seeds give unrelated streams. The
 *   metrics (restarts, bootstrap, sampling) use it; `boxMuller` turns two uniforms into a
 *   Gaussian.
 *
 * The module sits in `metrics/` because the metric Web Workers (PIF, DSA) load it and may read
 * only `metrics/`; the task generators and the initialisation import it from here.
 *
 * @module
 */
// Full pinned specifier on purpose: mod.ts must work when imported by URL (no import map).
import aleaImport from "npm:seedrandom@3.0.5/lib/alea.js";

/** The part of seedrandom's API used here (the package ships no type declarations). */
type SeedrandomFn = (seed: string) => () => number;
const alea = aleaImport as unknown as SeedrandomFn;

/** A seeded random stream. All methods advance the same underlying generator. */
export interface Rng {
  /** Uniform float in [0, 1). */
  uniform(): number;
  /** Uniform float in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Uniform integer in {lo, …, hi} (both inclusive). */
  int(lo: number, hi: number): number;
  /** Gaussian sample with the given mean and standard deviation (Marsaglia polar method). */
  normal(mean?: number, std?: number): number;
  /** −1 or +1 with probability ½ each. */
  sign(): number;
}

/**
 * Create a seeded alea stream (the generator of task data and weight initialisation).
 *
 * @param seed a safe integer (any sign) or a non-empty string; the same seed always gives the
 *   same stream.
 * @throws Error when `seed` is not a safe integer or non-empty string.
 *
 * @example Same seed, same draws
 * ```ts
 * import { createRng } from "@degeneracy/degeneracy";
 * const a = createRng(42), b = createRng(42);
 * const x = a.normal(0, 1);
 * if (x !== b.normal(0, 1)) throw new Error("streams differ");
 * const die = a.int(1, 6); // uniform integer in {1, …, 6}
 * if (die < 1 || die > 6) throw new Error(`bad die ${die}`);
 * ```
 */
export function createRng(seed: number | string): Rng {
  if (typeof seed === "number") {
    if (!Number.isSafeInteger(seed)) {
      throw new Error(`seed must be a safe integer (|seed| ≤ 2^53 − 1), got ${seed}`);
    }
  } else if (typeof seed !== "string" || seed.length === 0) {
    throw new Error(`seed must be a safe integer or a non-empty string, got ${String(seed)}`);
  }
  const next = alea(String(seed));
  let spare: number | null = null;
  const uniform = (): number => next();
  return {
    uniform,
    range(lo: number, hi: number): number {
      return lo + (hi - lo) * next();
    },
    int(lo: number, hi: number): number {
      if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi) || hi < lo) {
        throw new Error(`int(lo, hi) needs integers with lo ≤ hi, got lo=${lo}, hi=${hi}`);
      }
      return lo + Math.floor(next() * (hi - lo + 1));
    },
    normal(mean = 0, std = 1): number {
      if (spare !== null) {
        const z = spare;
        spare = null;
        return mean + std * z;
      }
      // Marsaglia's polar form of Box–Muller: a point uniform in the unit disc (rejection,
      // accepted with probability π/4) gives two independent N(0, 1) values without sin/cos.
      let u: number, v: number, s: number;
      do {
        u = 2 * next() - 1;
        v = 2 * next() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      spare = v * f;
      return mean + std * u * f;
    },
    sign(): number {
      return next() < 0.5 ? -1 : 1;
    },
  };
}

/**
 * The mulberry32 generator started from the 32-bit `state` (reduced with `>>> 0`): a function
 * returning uniforms k / 2³² on [0, 1), k a 32-bit integer. Callers that want unrelated streams
 * for nearby seeds use `makeRng`, which scrambles the seed first.
 *
 * @throws Error when `state` is not a finite number.
 *
 * @example Uniforms on [−1, 1)
 * ```ts
 * import { mulberry32 } from "./rng.ts";
 * const u = mulberry32(12345);
 * const v = Array.from({ length: 4 }, () => 2 * u() - 1);
 * if (v.some((x) => x < -1 || x >= 1)) throw new Error("out of range");
 * ```
 */
export function mulberry32(state: number): () => number {
  if (!Number.isFinite(state)) throw new Error(`state must be a finite number, got ${state}`);
  let s = state >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seeded uniform generator on [0, 1): mulberry32 over a splitmix32-scrambled seed, so that
 * nearby seeds give unrelated streams. `seed` is any finite number; it is truncated and reduced
 * to 32 bits.
 *
 * @throws Error when `seed` is not a finite number.
 *
 * @example A seeded shuffle
 * ```ts
 * import { makeRng, randomPermutation } from "@degeneracy/degeneracy";
 * const p = randomPermutation(5, makeRng(7));
 * if ([...p].sort().join() !== "0,1,2,3,4") throw new Error("not a permutation");
 * ```
 */
export function makeRng(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  // splitmix32 scramble so that nearby seeds give unrelated streams
  let s = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  s = Math.imul(s ^ (s >>> 16), 0x85ebca6b) >>> 0;
  s = Math.imul(s ^ (s >>> 13), 0xc2b2ae35) >>> 0;
  return mulberry32(s ^ (s >>> 16));
}

/**
 * One standard-normal deviate (times `scale`) from two uniforms by the Box–Muller transform,
 * cosine branch: `scale · √(−2 ln u1) · cos(2π u2)`, evaluated left to right. `u1` must lie in
 * (0, 1] (use `1 − u` for a uniform u on [0, 1)).
 *
 * @throws Error when `u1` is outside (0, 1].
 *
 * @example Gaussian samples from a seeded stream
 * ```ts
 * import { boxMuller, makeRng } from "./rng.ts";
 * const rng = makeRng(1);
 * const z = Array.from({ length: 1000 }, () => boxMuller(1 - rng(), rng()));
 * const mean = z.reduce((a, b) => a + b, 0) / z.length;
 * if (Math.abs(mean) > 0.15) throw new Error(`mean ${mean}`);
 * ```
 */
export function boxMuller(u1: number, u2: number, scale = 1): number {
  if (!(u1 > 0 && u1 <= 1)) throw new Error(`u1 must be in (0, 1], got ${u1}`);
  return scale * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * A uniformly random permutation of `0..n-1` (Fisher–Yates) drawn from `rng`.
 *
 * @example
 * ```ts
 * import { makeRng, randomPermutation } from "@degeneracy/degeneracy";
 * const p = randomPermutation(4, makeRng(0)); // Int32Array of 0..3 in random order
 * if (p.length !== 4) throw new Error("wrong length");
 * ```
 */
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

/**
 * A uniform integer in `[0, n)` drawn from `rng`.
 *
 * @example
 * ```ts
 * import { makeRng, randomInt } from "./rng.ts";
 * const k = randomInt(10, makeRng(3));
 * if (!(Number.isInteger(k) && k >= 0 && k < 10)) throw new Error(`bad ${k}`);
 * ```
 */
export function randomInt(n: number, rng: () => number): number {
  return Math.floor(rng() * n);
}
