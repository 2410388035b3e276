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

/** Arithmetic mean. */
export function mean(x: number[]): number {
  checkValues(x, "values");
  return x.reduce((a, b) => a + b, 0) / x.length;
}

/** Standard deviation with `ddof` (default 1: the sample standard deviation). */
export function standardDeviation(x: number[], ddof = 1): number {
  checkValues(x, "values", ddof + 1);
  const m = mean(x);
  return Math.sqrt(x.reduce((a, v) => a + (v - m) ** 2, 0) / (x.length - ddof));
}

/** Median (mean of the two middle values for even length). */
export function median(x: number[]): number {
  checkValues(x, "values");
  const s = [...x].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/** Quantile with linear interpolation between order statistics (numpy's default, type 7). */
export function quantile(x: number[], q: number): number {
  checkValues(x, "values");
  if (!(q >= 0 && q <= 1)) throw new Error(`q must be in [0, 1], got ${q}`);
  const s = [...x].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (pos - lo) * (s[hi] - s[lo]);
}

/** Ranks 1..n, ties given their average rank. */
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

/** Pearson correlation of paired samples (NaN when either has zero variance). */
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

/** Spearman rank correlation ρ: the Pearson correlation of the ranks (average ranks for ties). */
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
  /** Lower and upper percentile bounds. */
  lower: number;
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
