/**
 * Seeded pseudo-random numbers for the task generators (and any other module that needs a
 * reproducible stream, e.g. weight initialisation).
 *
 * Built on `seedrandom@3.0.5` (ARC4 generator, seeded by the decimal string of the seed), so a
 * given seed yields the same stream on every run and machine. `Math.random` is never used.
 *
 * @module
 */
// Full pinned specifier on purpose: mod.ts must work when imported by URL (no import map).
import seedrandomImport from "npm:seedrandom@3.0.5";

/** The part of seedrandom's API used here (the package ships no type declarations). */
type SeedrandomFn = (seed: string) => () => number;
const seedrandom = seedrandomImport as unknown as SeedrandomFn;

/** A seeded random stream. All methods advance the same underlying generator. */
export interface Rng {
  /** Uniform float in [0, 1). */
  uniform(): number;
  /** Uniform float in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Uniform integer in {lo, …, hi} (both inclusive). */
  int(lo: number, hi: number): number;
  /** Gaussian sample with the given mean and standard deviation (Box–Muller). */
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
  const next = seedrandom(String(seed));
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
      // Box–Muller on (0, 1]: 1 − u avoids log(0).
      const u1 = 1 - next();
      const u2 = next();
      const r = Math.sqrt(-2 * Math.log(u1));
      spare = r * Math.sin(2 * Math.PI * u2);
      return mean + std * r * Math.cos(2 * Math.PI * u2);
    },
    sign(): number {
      return next() < 0.5 ? -1 : 1;
    },
  };
}
