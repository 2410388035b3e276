/**
 * Seeds of a population: how each member's init seed, data seed, and per-step batch seeds are
 * derived from one base seed. Pure integer hashing, identical on every machine.
 *
 * Rule (documented in docs/training.md, "Seeds"):
 * - `initSeed(k) = mixSeed(base, 2k)`, `dataSeed(k) = mixSeed(base, 2k + 1)`: a member's data
 *   stream is independent of its initialisation, and member k gets the same seeds whatever K.
 * - shared data (`TrainingConfig.sharedData`): every member uses member 0's data seed.
 * - the member's fixed held-out test batch uses `mixSeed(dataSeed, 0)`; training step s
 *   (0-based, counted over the whole run) uses `mixSeed(dataSeed, s + 1)`.
 *
 * @module
 */

/** Largest seed value (seeds are integers in `[0, MAX_SEED]`). */
export const MAX_SEED = 0x7fffffff;

/** Checks a seed; throws naming the field and the allowed range. */
export function validateSeed(name: string, seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new Error(`${name} must be an integer in [0, ${MAX_SEED}], got ${seed}`);
  }
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Hash of two non-negative integers to a seed in `[0, MAX_SEED]` (MurmurHash3 finaliser over
 * both words). Deterministic, well mixed: neighbouring inputs give unrelated outputs.
 *
 * @example
 * ```ts
 * import { mixSeed } from "@degeneracy/degeneracy";
 * const s = mixSeed(1, 2);
 * if (s !== mixSeed(1, 2) || s === mixSeed(1, 3)) throw new Error("hash");
 * ```
 */
export function mixSeed(a: number, b: number): number {
  validateSeed("mixSeed a", a);
  if (!Number.isInteger(b) || b < 0 || b > 0xffffffff) {
    throw new Error(`mixSeed b must be an integer in [0, 4294967295], got ${b}`);
  }
  const h = fmix32(Math.imul(a ^ 0x9e3779b9, 0x27d4eb2f) ^ fmix32(b + 0x165667b1));
  return fmix32(h ^ 0x5bd1e995) & MAX_SEED;
}

/** Init and data seed of one member. */
export interface MemberSeeds {
  /** Seed of the weight initialisation. */
  initSeed: number;
  /** Seed of the member's data stream. */
  dataSeed: number;
}

/**
 * Seeds of member `k` of a population with base seed `base` (rule in the module doc).
 *
 * @example
 * ```ts
 * import { memberSeeds } from "@degeneracy/degeneracy";
 * const a = memberSeeds(0, 3), b = memberSeeds(0, 3);
 * if (a.initSeed !== b.initSeed || a.initSeed === a.dataSeed) throw new Error("seeds");
 * ```
 */
export function memberSeeds(base: number, k: number, sharedData = false): MemberSeeds {
  validateSeed("seed", base);
  if (!Number.isInteger(k) || k < 0 || k > 0x3fffffff) {
    throw new Error(`member index must be an integer in [0, ${0x3fffffff}], got ${k}`);
  }
  return {
    initSeed: mixSeed(base, 2 * k),
    dataSeed: mixSeed(base, sharedData ? 1 : 2 * k + 1),
  };
}

/**
 * Seed of the fixed held-out test batch of a member with data seed `dataSeed`.
 *
 * @example
 * ```ts
 * import { memberSeeds, testBatchSeed } from "@degeneracy/degeneracy";
 * const { dataSeed } = memberSeeds(0, 0);
 * console.log(testBatchSeed(dataSeed)); // the member's fixed held-out batch
 * ```
 */
export function testBatchSeed(dataSeed: number): number {
  return mixSeed(dataSeed, 0);
}

/**
 * Seed of the training batch of global step `step` (0-based) for data seed `dataSeed`.
 *
 * @example
 * ```ts
 * import { memberSeeds, stepBatchSeed } from "@degeneracy/degeneracy";
 * const { dataSeed } = memberSeeds(0, 0);
 * console.log(stepBatchSeed(dataSeed, 0), stepBatchSeed(dataSeed, 1)); // steps 0 and 1
 * ```
 */
export function stepBatchSeed(dataSeed: number, step: number): number {
  return mixSeed(dataSeed, step + 1);
}
