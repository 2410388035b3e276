/**
 * How much of a population's degeneracy statistic is the measurement itself: the variance of
 * the statistic (mean pairwise distance, mean value or CV of a population, as in `trend.ts`)
 * from the choice of networks, from the evaluation batch and from the optimiser of the metric,
 * separately.
 *
 * - Networks: the sampling variance of the statistic over independent draws of n networks.
 *   For a mean pairwise distance (a U-statistic of order 2) it is
 *   Var = 2·(2(n − 2)·ζ₁ + ζ₂) / (n(n − 1)) (Hoeffding 1948), with ζ₁ the variance of a network's
 *   expected distance to a random other network and ζ₂ the variance of one pair's distance;
 *   {@link pairwiseComponents} estimates both without bias from one matrix. For a mean value it
 *   is σ²/n; for a CV its jackknife variance, scaled as 1/n.
 * - Evaluation batch and optimiser: replicate measurements of the SAME networks that differ in
 *   one source only (another evaluation-batch seed; another optimiser seed), summarised by
 *   {@link replicateVariance}: the variance of the statistic across replicates, split into the
 *   part specific to networks and pairs (which resampling networks already carries: it averages
 *   away as n grows) and the part shared by the whole population (which resampling networks
 *   cannot see and more networks do not remove).
 *
 * A new evaluation batch also redraws the optimiser's landscape, so batch replicates measure
 * batch + optimiser noise; {@link noiseSplit} takes the optimiser replicates' variance off
 * (method of moments, floored at 0).
 *
 * @module
 */
import { type PopulationData, populationSize, populationStatistic } from "./trend.ts";

/** Hoeffding components of a mean pairwise distance (unbiased estimates; n ≥ 4). */
export interface PairwiseComponents {
  /** Networks. */
  n: number;
  /** Mean pairwise distance θ̂ (over pairs i < j). */
  mean: number;
  /** ζ₁: variance of a network's expected distance to another network. */
  zeta1: number;
  /** ζ₂: variance of the distance of one pair. */
  zeta2: number;
}

function checkMatrix(m: number[][], name: string): number {
  const n = Array.isArray(m) ? m.length : 0;
  m.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== n) {
      throw new Error(`${name} row ${i} must have ${n} entries`);
    }
    row.forEach((v, j) => {
      if (i !== j && !Number.isFinite(v)) {
        throw new Error(`${name}[${i}][${j}] must be finite, got ${v}`);
      }
    });
  });
  return n;
}

/**
 * Unbiased estimates of θ, ζ₁ and ζ₂ of a symmetric distance matrix over n ≥ 4 networks (the
 * diagonal is ignored): with ordered-pair sums T = Σ_{i≠j} d_ij, D₂ = Σ_{i≠j} d_ij², Q = Σ_i R_i²
 * (R_i = Σ_{j≠i} d_ij), E[d_ij d_ik] ≈ (Q − D₂)/(n(n−1)(n−2)), E[d²] ≈ D₂/(n(n−1)),
 * θ² ≈ (T² − 4Q + 2D₂)/(n(n−1)(n−2)(n−3)); ζ₁ = E[d_ij d_ik] − θ², ζ₂ = E[d²] − θ².
 * The estimates may be slightly negative by chance.
 */
export function pairwiseComponents(matrix: number[][]): PairwiseComponents {
  const n = checkMatrix(matrix, "matrix");
  if (n < 4) throw new Error(`matrix must be n × n with n ≥ 4, got n = ${n}`);
  let T = 0, D2 = 0, Q = 0;
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const d = 0.5 * (matrix[i][j] + matrix[j][i]);
      r += d;
      D2 += d * d;
    }
    T += r;
    Q += r * r;
  }
  const theta2 = (T * T - 4 * Q + 2 * D2) / (n * (n - 1) * (n - 2) * (n - 3));
  const cross = (Q - D2) / (n * (n - 1) * (n - 2));
  const square = D2 / (n * (n - 1));
  return { n, mean: T / (n * (n - 1)), zeta1: cross - theta2, zeta2: square - theta2 };
}

/**
 * Variance of the mean pairwise distance of n networks drawn independently, from its Hoeffding
 * components: 2·(2(n − 2)·ζ₁ + ζ₂) / (n(n − 1)), floored at 0. n ≥ 2.
 */
export function meanPairwiseVariance(c: { zeta1: number; zeta2: number }, n: number): number {
  if (!(Number.isInteger(n) && n >= 2)) throw new Error(`n must be an integer ≥ 2, got ${n}`);
  return Math.max(0, (2 * (2 * (n - 2) * c.zeta1 + c.zeta2)) / (n * (n - 1)));
}

/**
 * How a population's statistic varies with the number of networks n: Var(n) of the mean
 * pairwise distance (Hoeffding components), of a mean value (σ²/n), or of a CV (a/n, from its
 * jackknife variance).
 */
export type SamplingModel =
  | { kind: "pairwise"; zeta1: number; zeta2: number }
  | { kind: "values"; sigma2: number }
  | { kind: "cv"; a: number };

/**
 * The sampling model of a population's data: Hoeffding components of its matrix (needs n ≥ 4),
 * the sample variance of its values (n ≥ 2), or for a CV a = n·(jackknife variance of the CV)
 * (so Var(ĈV) ≈ a/n; the delta method's plug-in moments are biased low at small n).
 */
export function samplingModel(d: PopulationData): SamplingModel {
  if (d.kind === "pairwise") {
    const c = pairwiseComponents(d.matrix);
    return { kind: "pairwise", zeta1: c.zeta1, zeta2: c.zeta2 };
  }
  const x = d.values;
  if (!Array.isArray(x) || x.length < 2 || !x.every(Number.isFinite)) {
    throw new Error("values must hold at least 2 finite numbers");
  }
  const n = x.length;
  if (d.kind === "values") {
    const mu = x.reduce((a, b) => a + b, 0) / n;
    return { kind: "values", sigma2: x.reduce((a, v) => a + (v - mu) ** 2, 0) / (n - 1) };
  }
  // jackknife variance of the CV (the plug-in delta method is biased low at small n, its
  // sample kurtosis too small), scaled to a/n
  const all = Array.from({ length: n }, (_, i) => i);
  const loo: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = populationStatistic(d, all.filter((j) => j !== i));
    if (!Number.isFinite(c)) return { kind: "cv", a: 0 };
    loo.push(c);
  }
  const m = loo.reduce((a, b) => a + b, 0) / n;
  const jack = ((n - 1) / n) * loo.reduce((a, c) => a + (c - m) ** 2, 0);
  return { kind: "cv", a: n * jack };
}

/** Variance of the statistic of n networks under a sampling model (≥ 0). */
export function samplingVariance(model: SamplingModel, n: number): number {
  if (!(Number.isInteger(n) && n >= 2)) throw new Error(`n must be an integer ≥ 2, got ${n}`);
  switch (model.kind) {
    case "pairwise":
      return meanPairwiseVariance(model, n);
    case "values":
      return Math.max(0, model.sigma2 / n);
    case "cv":
      return Math.max(0, model.a / n);
  }
}

/** The variance of a statistic across replicate measurements of the same networks. */
export interface ReplicateVariance {
  /** Replicates (R ≥ 2). */
  replicates: number;
  /** The statistic of each replicate. */
  statistics: number[];
  /** Sample variance (ddof 1) of the statistics across replicates. */
  variance: number;
  /** Its degrees of freedom, R − 1. */
  df: number;
  /**
   * The part of `variance` that is specific to networks and pairs: the sampling variance of the
   * replicates' deviations from their mean (pairwise: their Hoeffding components; values: σ²/n),
   * scaled by R/(R − 1). Resampling networks already carries it.
   */
  networkSpecific: number;
  /**
   * The part shared by the whole population, max(0, variance − networkSpecific): a shift of
   * every distance (or value) at once, which resampling networks cannot see. For a CV every
   * replicate variance counts as shared (the CV has no per-network decomposition here).
   */
  shared: number;
}

/**
 * Variance of a population statistic across R ≥ 2 replicate measurements of the same n
 * networks (same order) that differ in one source of measurement noise, split into its
 * network-specific and shared parts (module doc).
 */
export function replicateVariance(replicates: PopulationData[]): ReplicateVariance {
  if (!Array.isArray(replicates) || replicates.length < 2) {
    throw new Error(`replicates must hold at least 2 measurements, got ${replicates?.length}`);
  }
  const kind = replicates[0].kind;
  const n = populationSize(replicates[0]);
  replicates.forEach((r, i) => {
    if (r.kind !== kind) throw new Error(`replicates[${i}].kind must be "${kind}", got ${r.kind}`);
    if (populationSize(r) !== n) {
      throw new Error(`replicates[${i}] must hold ${n} networks, got ${populationSize(r)}`);
    }
  });
  const R = replicates.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const statistics = replicates.map((r) => populationStatistic(r, all));
  statistics.forEach((s, i) => {
    if (!Number.isFinite(s)) throw new Error(`replicates[${i}]: statistic undefined (${s})`);
  });
  const mean = statistics.reduce((a, b) => a + b, 0) / R;
  const variance = statistics.reduce((a, s) => a + (s - mean) ** 2, 0) / (R - 1);
  let networkSpecific = 0;
  if (kind === "pairwise" && n >= 4) {
    const ms = replicates.map((r) => (r as { matrix: number[][] }).matrix);
    const avg = ms[0].map((row, i) => row.map((_, j) => ms.reduce((a, m) => a + m[i][j], 0) / R));
    let v = 0;
    for (const m of ms) {
      const dev = m.map((row, i) => row.map((x, j) => x - avg[i][j]));
      v += meanPairwiseVariance(pairwiseComponents(dev), n);
    }
    networkSpecific = (v / R) * (R / (R - 1));
  } else if (kind === "values") {
    const vs = replicates.map((r) => (r as { values: number[] }).values);
    let v = 0;
    for (const x of vs) {
      const dev = x.map((xi, i) => xi - vs.reduce((a, y) => a + y[i], 0) / R);
      const m = dev.reduce((a, b) => a + b, 0) / n;
      v += dev.reduce((a, d) => a + (d - m) ** 2, 0) / (n - 1) / n;
    }
    networkSpecific = (v / R) * (R / (R - 1));
  }
  return {
    replicates: R,
    statistics,
    variance,
    df: R - 1,
    networkSpecific,
    shared: Math.max(0, variance - networkSpecific),
  };
}

/** A source of variance of a population statistic. */
export type NoiseSource = "networks" | "batch" | "optimiser";

/** The variance of a population statistic by source ({@link noiseSplit}). */
export interface NoiseSplit {
  /** The statistic on the base measurement. */
  statistic: number;
  /** Networks of the base measurement. */
  n: number;
  /** Sampling variance over draws of n networks ({@link samplingVariance}). */
  networks: number;
  /**
   * Variance from the evaluation batch alone (batch replicates minus the optimiser's variance,
   * floored at 0); null when the metric does not depend on it or no replicates were measured.
   */
  batch: number | null;
  /** Variance from the optimiser's seed alone; null when not applicable or not measured. */
  optimiser: number | null;
  /** The replicate summary behind `batch` (batch + optimiser noise). */
  batchReplicates: ReplicateVariance | null;
  /** The replicate summary behind `optimiser`. */
  optimiserReplicates: ReplicateVariance | null;
  /**
   * Measurement variance that resampling networks does not carry (the shared parts of batch
   * and optimiser) with Satterthwaite degrees of freedom: what the claims add to the
   * bootstrap variance of this population.
   */
  addOn: { variance: number; df: number };
  /** Each source's share of networks + batch + optimiser. */
  shares: Record<NoiseSource, number>;
  /** The largest source. */
  dominant: NoiseSource;
  /** Sampling model (how the network variance scales with n), for power calculations. */
  model: SamplingModel;
}

/** Satterthwaite degrees of freedom of a sum of variance estimates with their df. */
export function satterthwaite(parts: { variance: number; df: number }[]): number {
  const v = parts.reduce((a, p) => a + p.variance, 0);
  const d = parts.reduce((a, p) => a + (p.df > 0 ? p.variance ** 2 / p.df : 0), 0);
  return d > 0 ? (v * v) / d : Infinity;
}

/**
 * The variance split of one population's statistic: `base` is the measurement the claims use;
 * `batch` are replicate measurements with other evaluation batches (the base included, same
 * networks and order), `optimiser` replicates with other optimiser seeds on the base batch (the
 * base included). Either may be omitted (the source does not apply or was not measured).
 */
export function noiseSplit(
  base: PopulationData,
  replicates: { batch?: PopulationData[]; optimiser?: PopulationData[] } = {},
): NoiseSplit {
  const n = populationSize(base);
  const all = Array.from({ length: n }, (_, i) => i);
  const statistic = populationStatistic(base, all);
  const model = samplingModel(base);
  const networks = samplingVariance(model, n);
  const br = replicates.batch && replicates.batch.length >= 2
    ? replicateVariance(replicates.batch)
    : null;
  const or = replicates.optimiser && replicates.optimiser.length >= 2
    ? replicateVariance(replicates.optimiser)
    : null;
  const optimiser = or ? or.variance : null;
  const batch = br ? Math.max(0, br.variance - (optimiser ?? 0)) : null;
  const sharedBatch = br ? Math.max(0, br.shared - (or?.shared ?? 0)) : 0;
  const parts = [
    ...(br ? [{ variance: sharedBatch, df: br.df }] : []),
    ...(or ? [{ variance: or.shared, df: or.df }] : []),
  ];
  const addVar = parts.reduce((a, p) => a + p.variance, 0);
  const total = networks + (batch ?? 0) + (optimiser ?? 0);
  const shares: Record<NoiseSource, number> = {
    networks: total > 0 ? networks / total : 1,
    batch: total > 0 ? (batch ?? 0) / total : 0,
    optimiser: total > 0 ? (optimiser ?? 0) / total : 0,
  };
  const dominant = (Object.keys(shares) as NoiseSource[]).reduce((a, k) =>
    shares[k] > shares[a] ? k : a
  );
  return {
    statistic,
    n,
    networks,
    batch,
    optimiser,
    batchReplicates: br,
    optimiserReplicates: or,
    addOn: { variance: addVar, df: addVar > 0 ? satterthwaite(parts) : Infinity },
    shares,
    dominant,
    model,
  };
}

/**
 * The variance of a linear contrast Σ wᵢ Sᵢ of independent population statistics by source:
 * Σ wᵢ² · (source variance of population i), and each source's share. Populations without a
 * source's value contribute 0 to it.
 */
export function contrastNoise(
  weights: number[],
  splits: Pick<NoiseSplit, "networks" | "batch" | "optimiser">[],
): {
  variance: Record<NoiseSource, number>;
  shares: Record<NoiseSource, number>;
  dominant: NoiseSource;
} {
  if (weights.length !== splits.length) {
    throw new Error(`weights (${weights.length}) and splits (${splits.length}) must align`);
  }
  const variance: Record<NoiseSource, number> = { networks: 0, batch: 0, optimiser: 0 };
  splits.forEach((s, i) => {
    const w2 = weights[i] * weights[i];
    variance.networks += w2 * s.networks;
    variance.batch += w2 * (s.batch ?? 0);
    variance.optimiser += w2 * (s.optimiser ?? 0);
  });
  const total = variance.networks + variance.batch + variance.optimiser;
  const shares: Record<NoiseSource, number> = {
    networks: total > 0 ? variance.networks / total : 1,
    batch: total > 0 ? variance.batch / total : 0,
    optimiser: total > 0 ? variance.optimiser / total : 0,
  };
  const dominant = (Object.keys(shares) as NoiseSource[]).reduce((a, k) =>
    shares[k] > shares[a] ? k : a
  );
  return { variance, shares, dominant };
}
