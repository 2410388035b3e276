/**
 * Seeded pseudo-random numbers for the task generators (and any other module that needs a
 * reproducible stream, e.g. weight initialisation).
 *
 * Built on `seedrandom@3.0.5`'s **alea** generator (Baagøe's 53-bit multiply-with-carry, period
 * ≈ 2^116, passes BigCrush; 32 random bits per uniform), seeded by the decimal string of the
 * seed, so a given seed yields the same stream on every run and machine. `Math.random` is never
 * used. (Until 2026-11-28 the stream came from seedrandom's default ARC4 generator, which costs
 * ~10× more per draw; data and initial weights drawn before that differ for the same seed.)
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
 * Create a seeded random stream.
 *
 * @param seed a safe integer (any sign) or a non-empty string; the same seed always gives the
 *   same stream.
 * @throws Error when `seed` is not a safe integer or non-empty string.
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
