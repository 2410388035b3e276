/**
 * Summaries of a fixed-point result for metric files and figures: counts by stability, the
 * line-attractor length, points with their leading eigenvalues, and the projection of
 * trajectories, fixed points and continua onto the trajectories' leading principal components
 * (the paper's Fig. 2E: trajectories in PC space with the fixed points).
 *
 * @module
 */
import { symmetricEigen } from "../linalg/jacobi.ts";
import { _centredCovariance } from "../dimensionality.ts";
import { toTensor3, type TrialSeries } from "../tensor.ts";
import type { Complex, Continuum, FixedPoint, FixedPointResult, StabilityKind } from "./types.ts";

/** A point as written to a metric file: state, speed, label and leading eigenvalues. */
export interface PointSummary {
  /** The state h, `[H]`. */
  h: number[];
  /** Speed ‖F(h) − h‖. */
  residual: number;
  /** Stability label. */
  kind: StabilityKind;
  /** Whether every eigenvalue has modulus < 1. */
  stable: boolean;
  /** Number of eigenvalues with modulus > 1. */
  unstableDims: number;
  /** The leading Jacobian eigenvalues, by decreasing modulus. */
  leadingEigenvalues: Complex[];
}

/** Per-network summary of a fixed-point result (see {@link summarizeFixedPoints}). */
export interface FixedPointSummary {
  /** Number of fixed points found. */
  fixedPoints: number;
  /** Number of stable fixed points. */
  stable: number;
  /** Number of fixed points by number of unstable directions. */
  byUnstableDims: Record<string, number>;
  /** Number of slow points found. */
  slowPoints: number;
  /** The continua (line / plane attractors): dimension, extents, members. */
  continua: Pick<
    Continuum,
    "dimension" | "extents" | "closed" | "maxResidual" | "seedFrom" | "members"
  >[];
  /** The longest extent of a one-dimensional continuum (0 when there is none). */
  lineAttractorLength: number;
  /** Largest speed over the fixed points (null when there is none). */
  maxResidual: number | null;
  /** The fixed points. */
  points: PointSummary[];
  /** The slow points. */
  slow: PointSummary[];
  /** Wall time of the finder, milliseconds. */
  timeMs: number;
}

/**
 * A point as written to a metric file: state, speed, label and the `eigenvalues` leading ones.
 *
 * @example
 * ```ts
 * import { findFixedPoints, pointSummary } from "@degeneracy/degeneracy";
 * const r = findFixedPoints({ wh: [[0.5, 0], [0, 0.5]], b: [0, 0] }, { numStarts: 8, seed: 1 });
 * const s = pointSummary(r.fixedPoints[0], 1); // the origin, with its leading eigenvalue
 * if (s.kind !== "stable" || s.leadingEigenvalues.length !== 1) throw new Error(s.kind);
 * ```
 */
export function pointSummary(p: FixedPoint, eigenvalues: number): PointSummary {
  return {
    h: p.h,
    residual: p.residual,
    kind: p.kind,
    stable: p.stable,
    unstableDims: p.unstableDims,
    leadingEigenvalues: p.eigenvalues.slice(0, eigenvalues),
  };
}

/**
 * Per-network summary: numbers of fixed points, stable ones, by unstable dimensions, slow points;
 * the continua (dimension, extents, members); `lineAttractorLength` = the longest extent of a
 * continuum of dimension 1 (0 when none); the points with their `eigenvalues` leading
 * eigenvalues; the finder's total time (ms).
 *
 * @example
 * ```ts
 * import { findFixedPoints, summarizeFixedPoints } from "@degeneracy/degeneracy";
 * const r = findFixedPoints({ wh: [[2, 0], [0, 2]], b: [0, 0] }, { numStarts: 64, seed: 1 });
 * const s = summarizeFixedPoints(r);
 * if (s.fixedPoints !== 9 || s.stable !== 4 || s.byUnstableDims["2"] !== 1) throw new Error("counts");
 * ```
 */
export function summarizeFixedPoints(r: FixedPointResult, eigenvalues = 4): FixedPointSummary {
  const byUnstableDims: Record<string, number> = {};
  for (const p of r.fixedPoints) {
    byUnstableDims[p.unstableDims] = (byUnstableDims[p.unstableDims] ?? 0) + 1;
  }
  const lines = r.continua.filter((c) => c.dimension === 1);
  return {
    fixedPoints: r.fixedPoints.length,
    stable: r.fixedPoints.filter((p) => p.stable).length,
    byUnstableDims,
    slowPoints: r.slowPoints.length,
    continua: r.continua.map((c) => ({
      dimension: c.dimension,
      extents: c.extents,
      closed: c.closed,
      maxResidual: c.maxResidual,
      seedFrom: c.seedFrom,
      members: c.members,
    })),
    lineAttractorLength: lines.length ? Math.max(...lines.map((c) => c.extents[0])) : 0,
    maxResidual: r.fixedPoints.length ? Math.max(...r.fixedPoints.map((p) => p.residual)) : null,
    points: r.fixedPoints.map((p) => pointSummary(p, eigenvalues)),
    slow: r.slowPoints.map((p) => pointSummary(p, eigenvalues)),
    timeMs: r.diagnostics.timeMs.total,
  };
}

/** Trajectories, fixed points and continua in the leading PCs of the trajectories. */
export interface FixedPointProjection {
  /** Mean state (`[H]`) subtracted before projecting. */
  mean: number[];
  /** Unit principal axes, `[dims][H]`, by decreasing variance. */
  axes: number[][];
  /** Fraction of the trajectories' variance along each axis. */
  explained: number[];
  /** Projected trajectories, `[trials][steps][dims]`. */
  trajectories: number[][][];
  /** Projected fixed points, `[k][dims]`, in the order of `result.fixedPoints`. */
  fixedPoints: number[][];
  /** Projected slow points, `[k][dims]`. */
  slowPoints: number[][];
  /** Projected continuum curves, `[continuum][direction][k][dims]`. */
  continua: number[][][][];
}

/**
 * Projects `hidden` (trials × steps × H, nested or flat) and the points and continua of
 * `result` onto the `dims` (default 3) leading principal axes of `hidden` (covariance of all
 * states pooled, mean removed; axis signs fixed so that each axis's largest-magnitude entry is
 * positive).
 *
 * @example
 * ```ts
 * import { findFixedPoints, projectFixedPoints } from "@degeneracy/degeneracy";
 * const r = findFixedPoints({ wh: [[2, 0, 0], [0, 2, 0], [0, 0, 0.1]], b: [0, 0, 0] }, {
 *   numStarts: 64,
 *   seed: 1,
 * });
 * const hidden = [[[0.9, 0.1, 0], [0.95, -0.1, 0.01], [-0.9, 0.8, 0], [-0.95, 0.9, -0.01]]];
 * const p = projectFixedPoints(hidden, r, 2); // onto the trajectories' 2 leading PCs
 * if (p.fixedPoints.length !== r.fixedPoints.length || p.axes.length !== 2) throw new Error("proj");
 * ```
 */
export function projectFixedPoints(
  hidden: TrialSeries,
  result: Pick<FixedPointResult, "fixedPoints" | "slowPoints" | "continua">,
  dims = 3,
): FixedPointProjection {
  const { data, trials, steps, units } = toTensor3(hidden, "hidden");
  if (!Number.isInteger(dims) || dims < 1 || dims > units) {
    throw new Error(`dims must be an integer in [1, ${units}], got ${dims}`);
  }
  const samples = trials * steps;
  if (samples < 2) throw new Error(`hidden must hold at least 2 states, got ${samples}`);
  const { mean, cov } = _centredCovariance(data, samples, units, 1); // the scatter matrix
  const { values, vectors } = symmetricEigen(cov, units);
  const total = values.reduce((a, v) => a + Math.max(0, v), 0);
  const axes: number[][] = [];
  for (let k = 0; k < dims; k++) {
    const axis = Array.from({ length: units }, (_, i) => vectors[i * units + k]);
    let big = 0;
    for (const x of axis) if (Math.abs(x) > Math.abs(big)) big = x;
    axes.push(big < 0 ? axis.map((x) => -x) : axis);
  }
  const project = (h: ArrayLike<number>, o = 0) =>
    axes.map((a) => {
      let s = 0;
      for (let i = 0; i < units; i++) s += a[i] * (h[o + i] - mean[i]);
      return s;
    });
  const check = (h: number[], what: string) => {
    if (h.length !== units) throw new Error(`${what} must have H = ${units} entries`);
    return project(h);
  };
  return {
    mean: Array.from(mean),
    axes,
    explained: axes.map((_, k) => (total > 0 ? Math.max(0, values[k]) / total : 0)),
    trajectories: Array.from(
      { length: trials },
      (_, b) => Array.from({ length: steps }, (_, t) => project(data, (b * steps + t) * units)),
    ),
    fixedPoints: result.fixedPoints.map((p, i) => check(p.h, `fixedPoints[${i}].h`)),
    slowPoints: result.slowPoints.map((p, i) => check(p.h, `slowPoints[${i}].h`)),
    continua: result.continua.map((c, i) =>
      c.curves.map((curve) => curve.map((h) => check(h, `continua[${i}] curve state`)))
    ),
  };
}
