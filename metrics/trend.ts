/**
 * Trend, equivalence and multiple-testing statistics on the paper's own quantity: the
 * degeneracy of a population is the MEAN pairwise distance between its networks (paper
 * Appendix C: "We quantify Dynamical Degeneracy across many RNNs as the average pairwise
 * distance"; §3.2.2 likewise for weights), or the mean (distance from init) or CV (OOD, §3.2.3)
 * of a per-network value. A study is a list of populations at increasing levels of one factor.
 *
 * - {@link trendTest}: the per-population means, a bootstrap CI for every adjacent-level
 *   difference (is the trend monotone?), a linear trend contrast over the level ranks with its
 *   CI and a two-sided p-value, and effect sizes (relative change and Hedges' g between the
 *   lowest and highest level).
 * - {@link equivalenceTest}: two one-sided tests (TOST) that every level's mean lies within a
 *   ratio margin of the reference level's mean (the "sloppy dimensions" of §4).
 * - {@link benjaminiHochberg}: false-discovery-rate adjusted p-values across claims.
 *
 * Resampling: one bootstrap replicate draws, independently within every population, its n
 * networks with replacement and recomputes each population's statistic; for a pairwise
 * matrix the mean runs over the pairs of the draw whose two networks are distinct draws of
 * different networks (a network is never compared with its own copy). Replicates in which a
 * statistic is undefined (e.g. every draw the same network) are dropped and counted.
 *
 * Measurement noise: a population may carry `measurementVariance`, the variance of its
 * statistic from the measurement that resampling networks cannot see (noise.ts); the trend's
 * intervals and its contrast then include it (see {@link Population}). Without it the results
 * are exactly those of the network bootstrap alone.
 *
 * Conventions: confidence intervals are percentile bootstrap intervals; p-values use the
 * normal approximation z = estimate / bootstrap standard error (a Wald test with a bootstrap
 * SE), which is smooth in the data and not limited to multiples of 1/resamples (a
 * percentile-inversion p-value from 2,000 resamples cannot go below 0.001, too coarse for
 * an FDR threshold across ~50 claims).
 *
 * @module
 */
import { makeRng } from "./rng.ts";
import { quantileSorted } from "./statistics.ts";

/** What a population holds for a degeneracy statistic. */
export type PopulationData =
  /** Pairwise distances between its n networks (n × n, symmetric; the diagonal is ignored). */
  | { kind: "pairwise"; matrix: number[][] }
  /** One value per network; the population's statistic is their mean. */
  | { kind: "values"; values: number[] }
  /** One value per network; the statistic is the coefficient of variation σ/μ (σ with ddof 0). */
  | { kind: "cv"; values: number[] };

/** One population of a study: its level of the manipulated factor and its data. */
export interface Population {
  /** Level of the manipulated factor. */
  level: number;
  /** The population's networks (pairwise distances or per-network values). */
  data: PopulationData;
  /**
   * Measurement variance of the population's statistic that resampling networks cannot see
   * (e.g. a shift of every distance from the evaluation batch; `noiseSplit` of noise.ts gives
   * it as `addOn`), with its degrees of freedom (default ∞). When set, every bootstrap replicate
   * of the statistic gets an independent Gaussian draw of this variance (from its own stream,
   * so the network resampling is unchanged) and the contrast's variance adds Σ cᵢ² vᵢ.
   */
  measurementVariance?: { variance: number; df?: number };
}

/** Bootstrap options shared by the tests. */
export interface ResampleOptions {
  /** Bootstrap replicates (default 2000). */
  resamples?: number;
  /** Seed of the resampling stream (default 0). */
  seed?: number;
  /** Confidence level of the reported intervals (default 0.95). */
  level?: number;
}

/** Number of networks of a population. */
export function populationSize(d: PopulationData): number {
  return d.kind === "pairwise" ? d.matrix.length : d.values.length;
}

function checkPopulation(p: Population, name: string): void {
  if (!p || typeof p !== "object") throw new Error(`${name} must be an object`);
  if (!Number.isFinite(p.level)) throw new Error(`${name}.level must be finite, got ${p.level}`);
  const mv = p.measurementVariance;
  if (mv !== undefined) {
    if (!(Number.isFinite(mv.variance) && mv.variance >= 0)) {
      throw new Error(`${name}.measurementVariance.variance must be finite and ≥ 0`);
    }
    if (mv.df !== undefined && !(mv.df > 0)) {
      throw new Error(`${name}.measurementVariance.df must be > 0, got ${mv.df}`);
    }
  }
  const d = p.data;
  if (!d || (d.kind !== "pairwise" && d.kind !== "values" && d.kind !== "cv")) {
    throw new Error(`${name}.data.kind must be "pairwise", "values" or "cv"`);
  }
  if (d.kind === "pairwise") {
    const n = d.matrix?.length ?? 0;
    if (n < 2) throw new Error(`${name}.data.matrix must be n × n with n ≥ 2, got n = ${n}`);
    d.matrix.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== n) {
        throw new Error(`${name}.data.matrix row ${i} must have ${n} entries`);
      }
      row.forEach((v, j) => {
        if (i !== j && !Number.isFinite(v)) {
          throw new Error(`${name}.data.matrix[${i}][${j}] must be finite, got ${v}`);
        }
      });
    });
  } else {
    const min = 2;
    if (!Array.isArray(d.values) || d.values.length < min) {
      throw new Error(`${name}.data.values must hold at least ${min} numbers`);
    }
    d.values.forEach((v, i) => {
      if (!Number.isFinite(v)) {
        throw new Error(`${name}.data.values[${i}] must be finite, got ${v}`);
      }
    });
  }
}

/**
 * The population statistic on the networks `idx` (indices into the population; repeats
 * allowed): mean pairwise distance over pairs of distinct networks, mean value, or CV.
 * NaN when undefined (no pair of distinct networks; a CV with mean 0).
 */
export function populationStatistic(d: PopulationData, idx: ArrayLike<number>): number {
  if (d.kind === "pairwise") {
    let s = 0, k = 0;
    for (let a = 0; a < idx.length; a++) {
      for (let b = a + 1; b < idx.length; b++) {
        if (idx[a] === idx[b]) continue;
        s += d.matrix[idx[a]][idx[b]];
        k++;
      }
    }
    return k ? s / k : NaN;
  }
  let s = 0;
  for (let i = 0; i < idx.length; i++) s += d.values[idx[i]];
  const m = s / idx.length;
  if (d.kind === "values") return m;
  let v = 0;
  for (let i = 0; i < idx.length; i++) v += (d.values[idx[i]] - m) ** 2;
  return m === 0 ? NaN : Math.sqrt(v / idx.length) / m;
}

/**
 * One number per network for effect sizes: the value itself, or for a pairwise matrix the
 * network's mean distance to the other networks (whose mean over networks is the mean
 * pairwise distance). `null` for a CV (a population-level statistic).
 */
export function perNetworkUnits(d: PopulationData): number[] | null {
  if (d.kind === "values") return [...d.values];
  if (d.kind === "cv") return null;
  const n = d.matrix.length;
  return d.matrix.map((row, i) => {
    let s = 0;
    for (let j = 0; j < n; j++) if (j !== i) s += row[j];
    return s / (n - 1);
  });
}

/**
 * Regularised upper incomplete gamma function Q(a, x) (series below a + 1, continued fraction
 * above; relative error ≈ 1e-15).
 */
export function upperIncompleteGamma(a: number, x: number): number {
  if (!(a > 0)) throw new Error(`a must be > 0, got ${a}`);
  if (!(x >= 0)) throw new Error(`x must be ≥ 0, got ${x}`);
  if (x === 0) return 1;
  const lead = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let ap = a, sum = 1 / a, del = sum;
    for (let n = 0; n < 1000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(lead);
  }
  const tiny = 1e-300;
  let b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return Math.exp(lead) * h;
}

/** Standard normal CDF Φ(z) = erfc(−z/√2)/2, with erfc(u) = Q(½, u²) for u ≥ 0. */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (!Number.isFinite(z)) return z > 0 ? 1 : 0;
  const u = Math.abs(z) / Math.SQRT2;
  const tail = 0.5 * upperIncompleteGamma(0.5, u * u); // Φ(−|z|)
  return z < 0 ? tail : 1 - tail;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; |relative error| < 1e-13). */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the regularised incomplete beta function (modified Lentz). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1, d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularised incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new Error(`a and b must be > 0, got ${a}, ${b}`);
  if (!(x >= 0 && x <= 1)) throw new Error(`x must be in [0, 1], got ${x}`);
  if (x === 0 || x === 1) return x;
  const lbt = logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) +
    b * Math.log(1 - x);
  const bt = Math.exp(lbt);
  return x < (a + 1) / (a + b + 2)
    ? (bt * betaContinuedFraction(a, b, x)) / a
    : 1 - (bt * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Student-t CDF with `df` > 0 degrees of freedom (df = ∞ gives the normal CDF). */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t) || !(df > 0)) return NaN;
  if (!Number.isFinite(df)) return normalCdf(t);
  if (!Number.isFinite(t)) return t > 0 ? 1 : 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t > 0 ? 1 - tail : tail;
}

/** Quantile of Student's t with `df` degrees of freedom (bisection on {@link studentTCdf}). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new Error(`p must be in (0, 1), got ${p}`);
  if (!(df > 0)) throw new Error(`df must be > 0, got ${df}`);
  let lo = -1, hi = 1;
  while (studentTCdf(lo, df) > p) lo *= 2;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(lo)); i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

function sdOf(xs: number[]): number {
  if (xs.length < 2) return NaN;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, v) => a + (v - m) ** 2, 0) / (xs.length - 1));
}

/** An estimate with its percentile bootstrap interval and bootstrap standard error. */
export interface Interval {
  /** Point estimate on the original sample. */
  estimate: number;
  /** Lower bound of the interval. */
  ciLow: number;
  /** Upper bound of the interval. */
  ciHigh: number;
  /** Bootstrap standard error (sample SD of the replicates). */
  se: number;
}

function interval(estimate: number, reps: number[], level: number): Interval {
  const s = [...reps].sort((a, b) => a - b);
  const a = (1 - level) / 2;
  return {
    estimate,
    ciLow: quantileSorted(s, a),
    ciHigh: quantileSorted(s, 1 - a),
    se: sdOf(reps),
  };
}

/** Hedges' g of b − a (pooled SD, small-sample correction); null when undefined. */
export function hedgesG(a: number[], b: number[]): number | null {
  const n1 = a.length, n2 = b.length;
  if (n1 < 2 || n2 < 2) return null;
  const m1 = a.reduce((x, y) => x + y, 0) / n1, m2 = b.reduce((x, y) => x + y, 0) / n2;
  const v1 = a.reduce((x, v) => x + (v - m1) ** 2, 0) / (n1 - 1);
  const v2 = b.reduce((x, v) => x + (v - m2) ** 2, 0) / (n2 - 1);
  const sp = Math.sqrt(((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2));
  if (!(sp > 0)) return null;
  const j = 1 - 3 / (4 * (n1 + n2) - 9);
  return ((m2 - m1) / sp) * j;
}

/**
 * Weights of the linear trend contrast over k ordered levels: centred ranks scaled so that
 * the positive weights sum to 1 (two levels: (−1, 1), so the contrast is m₂ − m₁; three:
 * (−1, 0, 1); four: (−¾, −¼, ¼, ¾)).
 */
export function trendContrastWeights(k: number): number[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`levels must be an integer ≥ 2, got ${k}`);
  const c = Array.from({ length: k }, (_, i) => i - (k - 1) / 2);
  const s = c.reduce((a, v) => a + Math.abs(v), 0) / 2;
  return c.map((v) => v / s);
}

/** Result of {@link trendTest}. */
export interface TrendResult {
  /** Levels in increasing order. */
  levels: number[];
  /** Networks per population. */
  sizes: number[];
  /** Per-population statistic (mean pairwise distance, mean value or CV) with its CI. */
  means: Interval[];
  /** Difference of each adjacent pair of levels (higher − lower) with its CI. */
  adjacent: Array<Interval & { from: number; to: number }>;
  /**
   * "increasing" when every adjacent difference's CI lies above 0, "decreasing" when every
   * one lies below 0, "no" otherwise.
   */
  monotone: "increasing" | "decreasing" | "no";
  /**
   * Linear trend contrast Σ cᵢ mᵢ over the level ranks ({@link trendContrastWeights}): its
   * standard error (bootstrap, small-sample corrected, see `welch`), t statistic,
   * Welch–Satterthwaite degrees of freedom, two-sided p-value and the matching t interval
   * (so p < 1 − confidence exactly when the interval excludes 0).
   */
  contrast: Interval & { t: number; df: number; p: number };
  /** Effect sizes between the lowest and the highest level. */
  effect: {
    /** (m_last − m_first) / |m_first|. */
    relativeChange: number;
    /** Hedges' g of last − first on per-network units ({@link perNetworkUnits}); null for a CV. */
    hedgesG: number | null;
  };
  /** Replicates used (all statistics defined). */
  resamples: number;
  /** Replicates drawn. */
  resamplesDrawn: number;
  /** Confidence level of the intervals. */
  confidence: number;
}

function resampleOptions(o: ResampleOptions): Required<ResampleOptions> {
  const resamples = o.resamples ?? 2000;
  const level = o.level ?? 0.95;
  const seed = o.seed ?? 0;
  if (!Number.isInteger(resamples) || resamples < 10) {
    throw new Error(`resamples must be an integer ≥ 10, got ${resamples}`);
  }
  if (!(level > 0 && level < 1)) throw new Error(`level must be in (0, 1), got ${level}`);
  if (!Number.isFinite(seed)) throw new Error(`seed must be finite, got ${seed}`);
  return { resamples, level, seed };
}

function sortedPopulations(pops: Population[], min: number): Population[] {
  if (!Array.isArray(pops) || pops.length < min) {
    throw new Error(`populations must hold at least ${min} populations, got ${pops?.length}`);
  }
  pops.forEach((p, i) => checkPopulation(p, `populations[${i}]`));
  const s = [...pops].sort((a, b) => a.level - b.level);
  for (let i = 1; i < s.length; i++) {
    if (s[i].level === s[i - 1].level) {
      throw new Error(`populations must have distinct levels; ${s[i].level} appears twice`);
    }
  }
  return s;
}

/** Draws `reps` bootstrap replicates of every population's statistic (rows: replicate). */
function bootstrapStatistics(
  pops: Population[],
  resamples: number,
  seed: number,
): { reps: number[][]; drawn: number } {
  const rng = makeRng(seed);
  const reps: number[][] = [];
  const idx = pops.map((p) => new Int32Array(populationSize(p.data)));
  for (let r = 0; r < resamples; r++) {
    const row: number[] = [];
    let ok = true;
    pops.forEach((p, i) => {
      const id = idx[i];
      for (let k = 0; k < id.length; k++) id[k] = Math.floor(rng() * id.length);
      const s = populationStatistic(p.data, id);
      if (!Number.isFinite(s)) ok = false;
      row.push(s);
    });
    if (ok) reps.push(row);
  }
  return { reps, drawn: resamples };
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/**
 * Standard error and Welch–Satterthwaite degrees of freedom of Σ wᵢ Sᵢ for independent
 * population statistics Sᵢ, from bootstrap replicates `cols[i]` of each: the variance is
 * Σ wᵢ² vᵢ with vᵢ the bootstrap variance of Sᵢ inflated by nᵢ/(nᵢ − 1) (the plug-in
 * bootstrap's variance of a mean is (n − 1)/n of the unbiased one; this keeps the tests at
 * their nominal size with 8 networks per population, tests/metrics_trend_test.ts).
 */
function welch(
  weights: number[],
  cols: number[][],
  sizes: number[],
  measurement: ({ variance: number; df?: number } | undefined)[] = [],
): { se: number; df: number } {
  const terms = weights.map((w, i) => w * w * (sdOf(cols[i]) ** 2) * sizes[i] / (sizes[i] - 1));
  const extra = weights.map((w, i) => w * w * (measurement[i]?.variance ?? 0));
  const variance = terms.reduce((a, b) => a + b, 0) + extra.reduce((a, b) => a + b, 0);
  const denom = terms.reduce((a, t, i) => a + (t * t) / (sizes[i] - 1), 0) +
    extra.reduce((a, t, i) => a + (t > 0 ? (t * t) / (measurement[i]?.df ?? Infinity) : 0), 0);
  return { se: Math.sqrt(variance), df: variance > 0 ? (variance * variance) / denom : Infinity };
}

/**
 * Bootstrap replicates with each population's measurement variance added (an independent
 * Gaussian draw per replicate and population, from a stream of its own); the replicates
 * themselves when no population has one.
 */
function withMeasurementNoise(reps: number[][], pops: Population[], seed: number): number[][] {
  const sd = pops.map((p) => Math.sqrt(p.measurementVariance?.variance ?? 0));
  if (sd.every((s) => s === 0)) return reps;
  const rng = makeRng((seed ^ 0x5bd1e995) >>> 0);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  return reps.map((row) => row.map((s, i) => (sd[i] > 0 ? s + sd[i] * gauss() : s)));
}

/**
 * Trend of a study's per-population degeneracy over its levels (module doc): means, adjacent
 * differences with bootstrap CIs, monotonicity, a linear trend contrast with a two-sided
 * p-value and effect sizes. Needs ≥ 2 populations with distinct levels; deterministic for a
 * given seed.
 */
export function trendTest(populations: Population[], options: ResampleOptions = {}): TrendResult {
  const { resamples, level, seed } = resampleOptions(options);
  const pops = sortedPopulations(populations, 2);
  const point = pops.map((p) => populationStatistic(p.data, identity(populationSize(p.data))));
  point.forEach((m, i) => {
    if (!Number.isFinite(m)) {
      throw new Error(`population at level ${pops[i].level}: statistic undefined (${m})`);
    }
  });
  const { reps, drawn } = bootstrapStatistics(pops, resamples, seed);
  if (reps.length < resamples / 2) {
    throw new Error(
      `only ${reps.length} of ${drawn} bootstrap replicates were defined; populations too small`,
    );
  }
  const w = trendContrastWeights(pops.length);
  const contrastOf = (m: number[]) => m.reduce((a, v, i) => a + w[i] * v, 0);
  const noisy = withMeasurementNoise(reps, pops, seed);
  const means = point.map((m, i) => interval(m, noisy.map((r) => r[i]), level));
  const adjacent = pops.slice(1).map((p, i) => ({
    from: pops[i].level,
    to: p.level,
    ...interval(point[i + 1] - point[i], noisy.map((r) => r[i + 1] - r[i]), level),
  }));
  const monotone = adjacent.every((a) => a.ciLow > 0)
    ? "increasing"
    : adjacent.every((a) => a.ciHigh < 0)
    ? "decreasing"
    : "no";
  const sizes = pops.map((p) => populationSize(p.data));
  const estimate = contrastOf(point);
  const { se, df } = welch(
    w,
    pops.map((_, i) => reps.map((r) => r[i])),
    sizes,
    pops.map((p) => p.measurementVariance),
  );
  const tStat = se > 0 ? estimate / se : estimate === 0 ? 0 : Math.sign(estimate) * Infinity;
  const p = se > 0 ? Math.min(1, 2 * studentTCdf(-Math.abs(tStat), df)) : (estimate === 0 ? 1 : 0);
  const half = se > 0 ? studentTQuantile(1 - (1 - level) / 2, df) * se : 0;
  const first = point[0], last = point[point.length - 1];
  const u0 = perNetworkUnits(pops[0].data), u1 = perNetworkUnits(pops[pops.length - 1].data);
  return {
    levels: pops.map((p) => p.level),
    sizes: pops.map((p) => populationSize(p.data)),
    means,
    adjacent,
    monotone,
    contrast: { estimate, ciLow: estimate - half, ciHigh: estimate + half, se, t: tStat, df, p },
    effect: {
      relativeChange: first !== 0 ? (last - first) / Math.abs(first) : NaN,
      hedgesG: u0 && u1 ? hedgesG(u0, u1) : null,
    },
    resamples: reps.length,
    resamplesDrawn: drawn,
    confidence: level,
  };
}

/** Options of {@link equivalenceTest}. */
export interface EquivalenceOptions extends ResampleOptions {
  /**
   * Ratio margin M > 1: a level is equivalent to the reference when its mean ratio lies in
   * [1/M, M] (default 1.25, the 80–125 % rule of bioequivalence testing).
   */
  margin?: number;
  /** Size of each one-sided test (default 0.05, so the decision uses a 90 % interval). */
  alpha?: number;
}

/** One level against the reference in {@link equivalenceTest}. */
export interface EquivalenceComparison {
  /** The level compared with the reference. */
  level: number;
  /**
   * Ratio of means (this level / reference) with its (1 − 2α) interval: exp(log ratio ± t·se),
   * se from the bootstrap of the log statistics (small-sample corrected, Welch df).
   */
  ratio: number;
  /** Lower bound of the ratio's (1 − 2α) interval. */
  ciLow: number;
  /** Upper bound of the ratio's (1 − 2α) interval. */
  ciHigh: number;
  /** TOST p-value: the larger of the two one-sided t-test p-values on the log ratio. */
  p: number;
  /** Whether the (1 − 2α) interval lies inside (1/M, M), i.e. p < α. */
  equivalent: boolean;
}

/** Result of {@link equivalenceTest}. */
export interface EquivalenceResult {
  /** Reference level (the lowest). */
  reference: number;
  /** Ratio margin M (equivalence: inside (1/M, M)). */
  margin: number;
  /** Size of each one-sided test. */
  alpha: number;
  /** Every level against the reference. */
  comparisons: EquivalenceComparison[];
  /** Every comparison equivalent (intersection–union test: its size is still α). */
  equivalent: boolean;
  /** p-value of the intersection–union test: the largest comparison p. */
  p: number;
  /** Replicates used (every statistic defined and positive). */
  resamples: number;
  /** Replicates drawn. */
  resamplesDrawn: number;
}

/**
 * Equivalence of a study's per-population degeneracy across its levels by two one-sided
 * tests (Schuirmann's TOST) on the ratio of means against the lowest level: a level counts
 * as "unchanged" when the (1 − 2α) interval of its ratio lies within (1/M, M). Every level must pass (intersection–union). Needs positive statistics (distances,
 * CVs).
 */
export function equivalenceTest(
  populations: Population[],
  options: EquivalenceOptions = {},
): EquivalenceResult {
  const { resamples, seed } = resampleOptions(options);
  const margin = options.margin ?? 1.25;
  const alpha = options.alpha ?? 0.05;
  if (!(margin > 1 && Number.isFinite(margin))) {
    throw new Error(`margin must be a finite ratio > 1, got ${margin}`);
  }
  if (!(alpha > 0 && alpha < 0.5)) throw new Error(`alpha must be in (0, 0.5), got ${alpha}`);
  const pops = sortedPopulations(populations, 2);
  const point = pops.map((p) => populationStatistic(p.data, identity(populationSize(p.data))));
  point.forEach((m, i) => {
    if (!(m > 0)) {
      throw new Error(
        `population at level ${pops[i].level}: statistic must be > 0 for a ratio, got ${m}`,
      );
    }
  });
  const { reps, drawn } = bootstrapStatistics(pops, resamples, seed);
  const good = reps.filter((r) => r.every((v) => v > 0));
  if (good.length < resamples / 2) {
    throw new Error(`only ${good.length} of ${drawn} bootstrap replicates were defined`);
  }
  const logM = Math.log(margin);
  const sizes = pops.map((p) => populationSize(p.data));
  const logCols = pops.map((_, i) => good.map((r) => Math.log(r[i])));
  const comparisons = pops.slice(1).map((p, k) => {
    const i = k + 1;
    const ratio = point[i] / point[0];
    const l = Math.log(ratio);
    const { se, df } = welch([1, 1], [logCols[0], logCols[i]], [sizes[0], sizes[i]]);
    const half = se > 0 ? studentTQuantile(1 - alpha, df) * se : 0;
    const pLow = se > 0 ? 1 - studentTCdf((l + logM) / se, df) : (l > -logM ? 0 : 1);
    const pHigh = se > 0 ? studentTCdf((l - logM) / se, df) : (l < logM ? 0 : 1);
    return {
      level: p.level,
      ratio,
      ciLow: Math.exp(l - half),
      ciHigh: Math.exp(l + half),
      p: Math.max(pLow, pHigh),
      equivalent: l - half > -logM && l + half < logM,
    };
  });
  return {
    reference: pops[0].level,
    margin,
    alpha,
    comparisons,
    equivalent: comparisons.every((c) => c.equivalent),
    p: Math.max(...comparisons.map((c) => c.p)),
    resamples: good.length,
    resamplesDrawn: drawn,
  };
}

/** Result of {@link benjaminiHochberg}. */
export interface FdrResult {
  /** BH-adjusted p-values (q-values), aligned with the input; null where the input was null. */
  adjusted: (number | null)[];
  /** Whether each hypothesis is rejected at the FDR level; null where the input was null. */
  rejected: (boolean | null)[];
  /** Hypotheses tested (non-null p-values). */
  tested: number;
  /** FDR level used. */
  q: number;
}

/**
 * Benjamini–Hochberg step-up procedure: adjusted p-values p̃₍ᵢ₎ = min_{j ≥ i} m·p₍ⱼ₎/j (capped
 * at 1) over the m non-null p-values, rejection where p̃ ≤ q. Controls the false-discovery rate
 * at q for independent or positively dependent tests. `null` entries (claims not tested) are
 * left out of m and returned as null.
 */
export function benjaminiHochberg(p: (number | null)[], q = 0.05): FdrResult {
  if (!Array.isArray(p)) throw new Error("p must be an array");
  if (!(q > 0 && q < 1)) throw new Error(`q must be in (0, 1), got ${q}`);
  const idx: number[] = [];
  p.forEach((v, i) => {
    if (v === null) return;
    if (!(typeof v === "number" && v >= 0 && v <= 1)) {
      throw new Error(`p[${i}] must be a number in [0, 1] or null, got ${v}`);
    }
    idx.push(i);
  });
  const m = idx.length;
  const order = [...idx].sort((a, b) => (p[a] as number) - (p[b] as number));
  const adjusted: (number | null)[] = p.map(() => null);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const i = order[r];
    running = Math.min(running, ((p[i] as number) * m) / (r + 1));
    adjusted[i] = running;
  }
  return {
    adjusted,
    rejected: adjusted.map((a) => (a === null ? null : a <= q)),
    tested: m,
    q,
  };
}
