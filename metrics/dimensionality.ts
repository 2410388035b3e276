/**
 * Dimensionality of hidden-state trajectories (paper §3.1, Fig. 2D): the number of leading
 * principal components that together explain at least `threshold` (default 95%) of the
 * variance of the hidden states.
 *
 * PCA here pools every time step of every trial as one sample of the `units`-dimensional
 * hidden state, centres each unit on its mean over all samples, and takes the eigenvalues of
 * the units × units covariance (the 1/(N−1) factor cancels in the ratios).
 *
 * @module
 */
import { symmetricEigen } from "./linalg/jacobi.ts";
import { toTensor3, type TrialSeries } from "./tensor.ts";

/** Variance explained by each principal component of the pooled hidden states. */
export interface PcaSpectrum {
  /** Covariance eigenvalues (variance along each PC, 1/(N−1) normalisation), descending. */
  variances: number[];
  /** `variances / Σ variances` (empty-variance input gives all zeros). */
  explainedRatio: number[];
  /** Cumulative sum of `explainedRatio`. */
  cumulative: number[];
}

/**
 * Mean (`[units]`) and covariance (`[units, units]`, row-major) of `samples` states of `units`
 * values each (`data[s·units + u]`): Σ (x − mean)(x − mean)ᵀ / `divisor` (samples − 1 for the
 * sample covariance, 1 for the scatter matrix). Shared by the PCA of `pcaSpectrum` and the
 * fixed-point projection; not part of the public API.
 */
export function _centredCovariance(
  data: Float64Array,
  samples: number,
  units: number,
  divisor: number,
): { mean: Float64Array; cov: Float64Array } {
  const mean = new Float64Array(units);
  for (let s = 0; s < samples; s++) {
    for (let u = 0; u < units; u++) mean[u] += data[s * units + u];
  }
  for (let u = 0; u < units; u++) mean[u] /= samples;
  const cov = new Float64Array(units * units);
  const row = new Float64Array(units);
  for (let s = 0; s < samples; s++) {
    for (let u = 0; u < units; u++) row[u] = data[s * units + u] - mean[u];
    for (let i = 0; i < units; i++) {
      const ri = row[i];
      if (ri === 0) continue;
      for (let j = i; j < units; j++) cov[i * units + j] += ri * row[j];
    }
  }
  for (let i = 0; i < units; i++) {
    for (let j = i; j < units; j++) {
      const c = cov[i * units + j] / divisor;
      cov[i * units + j] = c;
      cov[j * units + i] = c;
    }
  }
  return { mean, cov };
}

/**
 * PCA spectrum of hidden states (`[trials, steps, units]`, pooled over trials and steps).
 *
 * @example
 * ```ts
 * import { pcaSpectrum } from "@degeneracy/degeneracy";
 * const { explainedRatio } = pcaSpectrum([[[1, 0], [-1, 0], [0, 0.1], [0, -0.1]]]);
 * if (!(explainedRatio[0] > 0.99)) throw new Error(`first PC explains ${explainedRatio[0]}`);
 * ```
 */
export function pcaSpectrum(hidden: TrialSeries): PcaSpectrum {
  const { data, trials, steps, units } = toTensor3(hidden, "hidden");
  const samples = trials * steps;
  if (samples < 2) {
    throw new Error(`hidden must hold at least 2 samples (trials × steps), got ${samples}`);
  }
  const { cov } = _centredCovariance(data, samples, units, samples - 1);
  const { values } = symmetricEigen(cov, units);
  const variances = Array.from(values, (v) => Math.max(0, v));
  const total = variances.reduce((a, b) => a + b, 0);
  const explainedRatio = variances.map((v) => (total > 0 ? v / total : 0));
  let acc = 0;
  const cumulative = explainedRatio.map((r) => (acc += r));
  return { variances, explainedRatio, cumulative };
}

/**
 * Number of leading PCs whose cumulative explained variance reaches `threshold`
 * (0 < threshold ≤ 1, default 0.95) for hidden states `[trials, steps, units]`. Returns 0
 * when the hidden states do not vary at all.
 *
 * @example
 * ```ts
 * import { dimensionality } from "@degeneracy/degeneracy";
 * // Hidden states on a line through the origin: one dimension explains everything.
 * const hidden = [[[1, 2], [2, 4], [3, 6], [-1, -2]]];
 * if (dimensionality(hidden) !== 1) throw new Error("expected 1 PC");
 * ```
 */
export function dimensionality(hidden: TrialSeries, options: { threshold?: number } = {}): number {
  const threshold = options.threshold ?? 0.95;
  if (!(threshold > 0 && threshold <= 1)) {
    throw new Error(`threshold must be in (0, 1], got ${threshold}`);
  }
  const { cumulative, variances } = pcaSpectrum(hidden);
  if (variances.every((v) => v === 0)) return 0;
  // tolerance so that a threshold met exactly (e.g. 1.0) is not missed by rounding
  const k = cumulative.findIndex((c) => c >= threshold - 1e-12);
  return k < 0 ? cumulative.length : k + 1;
}
