/**
 * Reference-style fixed-point search for the fixed-point bench: the optimisation of the
 * FixedPointFinder of Golub & Sussillo (2018; PyTorch version, `FixedPointFinderTorch`), with
 * its defaults, re-implemented here in float64 from its documented behaviour:
 * - all starts optimised jointly: Adam (β = 0.9, 0.999, ε = 1e-8, lr_init = 1.0) on the MEAN of
 *   q_i = ½‖F(h_i) − h_i‖², ReduceLROnPlateau on that mean (factor 0.95, patience 2,
 *   cooldown 0, relative threshold 1e-4);
 * - stop when every start has q_i < tol_q = 1e-12 or |Δq_i| < tol_dq · lr (tol_dq = 1e-20),
 *   or after max_iters = 5000 iterations;
 * - unique points: a point is dropped when within tol_unique = 1e-3 (Euclidean) of one kept
 *   before it (lowest q first);
 * - distance outliers dropped: distance to the centroid of the starts above 10× the starts'
 *   mean distance to it;
 * - no refinement: points are reported where the optimiser stopped, whatever their q.
 * The anchor computes in float32 by default; this baseline uses float64 (its residuals are
 * therefore no worse than the anchor's).
 *
 * @module
 */
import { ReduceOnPlateau } from "../../rnn/optim.ts";
import { dist2, TanhMap } from "../../metrics/fixed_points/map.ts";
import { validateNet } from "../../metrics/fixed_points/options.ts";
import type { FixedPointNet } from "../../metrics/fixed_points/types.ts";

/** The anchor's defaults (FixedPointFinderBase / FixedPointFinderTorch). */
export const ANCHOR_DEFAULTS: Readonly<{
  lrInit: number;
  lrFactor: number;
  lrPatience: number;
  tolQ: number;
  tolDq: number;
  maxIters: number;
  tolUnique: number;
  outlierDistanceScale: number;
}> = {
  lrInit: 1.0,
  lrFactor: 0.95,
  lrPatience: 2,
  tolQ: 1e-12,
  tolDq: 1e-20,
  maxIters: 5000,
  tolUnique: 1e-3,
  outlierDistanceScale: 10,
};

/** Result of {@link adamFixedPoints}. */
export interface AdamFixedPointResult {
  /** Unique points (`[k][H]`) with their q and speed ‖F(h) − h‖, lowest q first. */
  points: { h: number[]; q: number; residual: number }[];
  /** Adam iterations run. */
  iterations: number;
  /** Wall time, milliseconds. */
  timeMs: number;
}

/**
 * Runs the reference-style search from `starts` (`[k, H]` flat, already sampled and
 * perturbed), with `overrides` of the anchor's defaults (e.g. a lower `maxIters`).
 */
export function adamFixedPoints(
  net: FixedPointNet,
  starts: Float64Array,
  overrides: Partial<typeof ANCHOR_DEFAULTS> = {},
): AdamFixedPointResult {
  const t0 = performance.now();
  const hp = { ...ANCHOR_DEFAULTS, ...overrides };
  const { n, w, b } = validateNet(net);
  const k = starts.length / n;
  if (!Number.isInteger(k) || k < 1) throw new Error(`starts must hold k·H = k·${n} numbers`);
  const map = new TanhMap(w, b, n);
  const x = starts.slice();
  const m1 = new Float64Array(k * n), m2 = new Float64Array(k * n);
  const buf = map.batch(k);
  const qPrev = new Float64Array(k).fill(NaN);
  const sched = new ReduceOnPlateau(hp.lrInit, hp.lrFactor, hp.lrPatience, 1e-4, 0);
  const b1 = 0.9, b2 = 0.999, eps = 1e-8;
  let it = 1;
  for (;; it++) {
    map.evaluate(x, k, buf, true);
    let qMean = 0;
    for (let i = 0; i < k; i++) qMean += buf.q[i];
    qMean /= k;
    const lr = sched.lr;
    // Adam step on mean q (gradient of the mean: ∇q_i / k)
    const c1 = 1 - b1 ** it, c2 = 1 - b2 ** it;
    for (let i = 0; i < k * n; i++) {
      const gi = buf.g[i] / k;
      m1[i] = b1 * m1[i] + (1 - b1) * gi;
      m2[i] = b2 * m2[i] + (1 - b2) * gi * gi;
      x[i] -= lr * (m1[i] / c1) / (Math.sqrt(m2[i] / c2) + eps);
    }
    sched.step(qMean);
    let done = it > 1;
    for (let i = 0; i < k && done; i++) {
      const dq = Math.abs(buf.q[i] - qPrev[i]);
      if (!(dq < hp.tolDq * sched.lr || buf.q[i] < hp.tolQ)) done = false;
    }
    if (done || it + 1 > hp.maxIters) break;
    qPrev.set(buf.q.subarray(0, k));
  }
  // q at the final states
  map.evaluate(x, k, buf, false);
  const order = Array.from({ length: k }, (_, i) => i).sort((a, c) => buf.q[a] - buf.q[c]);
  const kept: number[] = [];
  for (const i of order) {
    if (!Number.isFinite(buf.q[i])) continue;
    if (kept.some((j) => dist2(x, j * n, x, i * n, n) <= hp.tolUnique)) continue;
    kept.push(i);
  }
  // distance outliers relative to the starts' centroid
  const centroid = new Float64Array(n);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) centroid[j] += starts[i * n + j] / k;
  let meanDist = 0;
  for (let i = 0; i < k; i++) meanDist += dist2(starts, i * n, centroid, 0, n) / k;
  const inliers = kept.filter((i) =>
    dist2(x, i * n, centroid, 0, n) <= hp.outlierDistanceScale * Math.max(meanDist, 1e-300)
  );
  return {
    points: inliers.map((i) => ({
      h: Array.from(x.subarray(i * n, (i + 1) * n)),
      q: buf.q[i],
      residual: Math.sqrt(2 * buf.q[i]),
    })),
    iterations: it,
    timeMs: performance.now() - t0,
  };
}
