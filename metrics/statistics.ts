/**
 * Statistics for the report's claims table: summary statistics, rank correlation and seeded
 * bootstrap confidence intervals.
 *
 * @module
 */
import { makeRng } from "./rng.ts";

function checkValues(x: number[], name: string, min = 1): void {
  if (!Array.isArray(x) || x.length < min) {
    throw new Error(`${name} must hold at least ${min} numbers`);
  }
  x.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`${name}[${i}] must be finite, got ${v}`);
    }
  });
}

/**
 * Arithmetic mean.
 *
 * @example
 * ```ts
 * import { mean } from "@degeneracy/degeneracy";
 * if (mean([1, 2, 6]) !== 3) throw new Error("mean");
 * ```
 */
export function mean(x: number[]): number {
  checkValues(x, "values");
  return x.reduce((a, b) => a + b, 0) / x.length;
}

/**
 * Standard deviation with `ddof` (default 1: the sample standard deviation).
 *
 * @example
 * ```ts
 * import { standardDeviation } from "@degeneracy/degeneracy";
 * if (standardDeviation([1, 3]) !== Math.SQRT2) throw new Error("sample sd");
 * if (standardDeviation([1, 3], 0) !== 1) throw new Error("population sd");
 * ```
 */
export function standardDeviation(x: number[], ddof = 1): number {
  checkValues(x, "values", ddof + 1);
  const m = mean(x);
  return Math.sqrt(x.reduce((a, v) => a + (v - m) ** 2, 0) / (x.length - ddof));
}

/**
 * Median (mean of the two middle values for even length).
 *
 * @example
 * ```ts
 * import { median } from "@degeneracy/degeneracy";
 * if (median([5, 1, 3, 2]) !== 2.5) throw new Error("median");
 * ```
 */
export function median(x: number[]): number {
  checkValues(x, "values");
  const s = [...x].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/**
 * Quantile with linear interpolation between order statistics (numpy's default, type 7).
 *
 * @example
 * ```ts
 * import { quantile } from "@degeneracy/degeneracy";
 * if (quantile([1, 2, 3, 4, 5], 0.25) !== 2) throw new Error("quantile");
 * ```
 */
export function quantile(x: number[], q: number): number {
  checkValues(x, "values");
  if (!(q >= 0 && q <= 1)) throw new Error(`q must be in [0, 1], got ${q}`);
  return quantileSorted([...x].sort((a, b) => a - b), q);
}

/**
 * {@link quantile} of values already sorted ascending (no copy, no checks; NaN when empty): for
 * bootstrap replicates that are sorted once and read at several levels.
 */
export function quantileSorted(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Ranks 1..n, ties given their average rank.
 *
 * @example
 * ```ts
 * import { ranks } from "@degeneracy/degeneracy";
 * if (ranks([10, 30, 20, 20]).join() !== "1,4,2.5,2.5") throw new Error("ranks");
 * ```
 */
export function ranks(x: number[]): number[] {
  checkValues(x, "values");
  const idx = x.map((_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Array<number>(x.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && x[idx[j + 1]] === x[idx[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[idx[k]] = avg;
    i = j + 1;
  }
  return r;
}

/**
 * Pearson correlation of paired samples (NaN when either has zero variance).
 *
 * @example
 * ```ts
 * import { pearson } from "@degeneracy/degeneracy";
 * const r = pearson([1, 2, 3], [2, 4, 7]);
 * if (!(r > 0.98 && r < 1)) throw new Error(`r = ${r}`);
 * ```
 */
export function pearson(x: number[], y: number[]): number {
  checkValues(x, "x", 2);
  checkValues(y, "y", 2);
  if (x.length !== y.length) {
    throw new Error(`x (${x.length}) and y (${y.length}) must have equal length`);
  }
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/**
 * Spearman rank correlation ρ: the Pearson correlation of the ranks (average ranks for ties).
 *
 * @example
 * ```ts
 * import { spearman } from "@degeneracy/degeneracy";
 * // Any increasing relation has ρ = 1.
 * if (spearman([1, 2, 3, 4], [1, 8, 27, 64]) !== 1) throw new Error("rho");
 * ```
 */
export function spearman(x: number[], y: number[]): number {
  if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) {
    throw new Error("x and y must be arrays of equal length");
  }
  return pearson(ranks(x), ranks(y));
}

/**
 * Two-sided permutation p-value of Spearman's ρ: the share of `permutations` (default 10 000)
 * random pairings of y with x whose |ρ| reaches the observed |ρ| (with the +1 correction,
 * so p > 0). Seeded.
 *
 * @example
 * ```ts
 * import { spearmanPermutationTest } from "@degeneracy/degeneracy";
 * const { rho, p } = spearmanPermutationTest([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], {
 *   permutations: 200,
 *   seed: 1,
 * });
 * console.log(rho, p); // ρ ≈ 0.83, p small
 * ```
 */
export function spearmanPermutationTest(
  x: number[],
  y: number[],
  options: { permutations?: number; seed?: number } = {},
): { rho: number; p: number } {
  const permutations = options.permutations ?? 10000;
  const rng = makeRng(options.seed ?? 0);
  const rho = spearman(x, y);
  const rx = ranks(x);
  const ry = ranks(y);
  const yy = [...ry];
  let hits = 0;
  for (let k = 0; k < permutations; k++) {
    for (let i = yy.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [yy[i], yy[j]] = [yy[j], yy[i]];
    }
    if (Math.abs(pearson(rx, yy)) >= Math.abs(rho) - 1e-12) hits++;
  }
  return { rho, p: (hits + 1) / (permutations + 1) };
}

/** A bootstrap confidence interval. */
export interface BootstrapCi {
  /** The statistic on the original sample. */
  estimate: number;
  /** Lower percentile bound. */
  lower: number;
  /** Upper percentile bound. */
  upper: number;
  /** Confidence level, e.g. 0.95. */
  level: number;
  /** Resamples whose statistic was finite (the others are dropped). */
  resamples: number;
}

/**
 * Percentile bootstrap confidence interval of `statistic` over `data` (resampling elements
 * with replacement; pass pairs as elements for paired statistics). Seeded: the same
 * `(data, seed)` gives the same interval. Options: `resamples` (default 2000), `level`
 * (default 0.95), `seed` (default 0).
 *
 * @example
 * ```ts
 * import { bootstrapCi, mean } from "@degeneracy/degeneracy";
 * const ci = bootstrapCi([2, 4, 4, 5, 7, 9], mean, { resamples: 500, seed: 1 });
 * if (!(ci.lower <= ci.estimate && ci.estimate <= ci.upper)) throw new Error("CI");
 * ```
 */
export function bootstrapCi<T>(
  data: T[],
  statistic: (sample: T[]) => number,
  options: { resamples?: number; level?: number; seed?: number } = {},
): BootstrapCi {
  const resamples = options.resamples ?? 2000;
  const level = options.level ?? 0.95;
  if (!Array.isArray(data) || data.length < 1) throw new Error("data must hold at least 1 element");
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`resamples must be an integer ≥ 1`);
  }
  if (!(level > 0 && level < 1)) throw new Error(`level must be in (0, 1), got ${level}`);
  const rng = makeRng(options.seed ?? 0);
  const estimate = statistic(data);
  const stats: number[] = [];
  const sample = new Array<T>(data.length);
  for (let k = 0; k < resamples; k++) {
    for (let i = 0; i < data.length; i++) sample[i] = data[Math.floor(rng() * data.length)];
    const s = statistic(sample);
    if (Number.isFinite(s)) stats.push(s);
  }
  if (stats.length === 0) throw new Error("statistic was not finite on any bootstrap resample");
  const a = (1 - level) / 2;
  return {
    estimate,
    lower: quantile(stats, a),
    upper: quantile(stats, 1 - a),
    level,
    resamples: stats.length,
  };
}
