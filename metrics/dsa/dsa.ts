/**
 * Dynamical Similarity Analysis (DSA; Ostrow et al. 2023, paper §3 / Appendix C), following
 * the reference package github.com/mitchellostrow/DSA @ 8cbddcf (summarised in docs/dsa.md),
 * in float64 throughout.
 *
 * Pipeline: each system is fitted once (`fitDmd`, `dmd.ts`: Hankel delay embedding, SVD via
 * the Gram matrix of `hankel_gram.ts`, rank choice, principal-component regression) and the
 * fit is reused across all its pairs.
 *
 * Comparison (`dsaDistance`): Procrustes over O(n) between the A_v (angular, default, or
 * euclidean; see `procrustes.ts`), or `wasserstein`: the exact optimal-transport cost
 * W₂² (no square root) between the eigenvalue sets of the raw A_v in the complex plane,
 * uniform weights.
 *
 * @module
 */

import { solveAssignment } from "../lsa.ts";
import { evenlySpacedSelfChecks, mirrorPairs, reversedPair, upperPairs } from "../pairwise.ts";
import {
  type PreparedOperator,
  prepareOperator,
  PROCRUSTES_LEGACY_OPTIMISER,
  PROCRUSTES_OPTIMISER,
  procrustesDistance,
  type ProcrustesOptions,
  type ProcrustesResult,
} from "./procrustes.ts";
import { dmdEigenvalues, type DmdFit, type DmdOptions, fitDmd, type Trajectories } from "./dmd.ts";

/** Options of `dsaDistance` / `dsaDistanceMatrix`. */
export interface DsaOptions extends DmdOptions {
  /** Comparison score (default "angular"). */
  score?: "angular" | "euclidean" | "wasserstein";
  /**
   * Haar-random Procrustes starts added to the smart starts (default 8 / 4 / 0 for n ≤ 32 /
   * ≤ 64 / larger; see `ProcrustesOptions.starts`).
   */
  restarts?: number;
  /** Seed of the random starts (default 0). */
  seed?: number;
  /**
   * Extra Procrustes controls (maxIter, screenIter, keep, maxRuns, relTol, gradTol, memory,
   * returnC); see `ProcrustesOptions`. The defaults favour the optimum; for large ranks a
   * budget such as `{ maxRuns: 2, maxIter: 60 }` trades it for time (scripts/bench_dsa.ts).
   */
  procrustes?: Omit<ProcrustesOptions, "score" | "restarts" | "seed">;
}

/**
 * Minimum-cost assignment of every row of an n×m cost matrix (n ≤ m, row-major
 * `Float64Array`, finite) to a distinct column, for the Wasserstein score. Returns `assign`
 * (`assign[i]` = column of row i) and the total `cost`. A validating wrapper over the shared
 * shortest-augmenting-path solver `solveAssignment` (`metrics/lsa.ts`, Crouse 2016).
 *
 * @example
 * ```ts
 * import { dsaLinearSumAssignment } from "@degeneracy/degeneracy";
 * // 2×2 cost matrix, row-major: the anti-diagonal is cheaper.
 * const { assign, cost } = dsaLinearSumAssignment(new Float64Array([4, 1, 2, 5]), 2, 2);
 * if (cost !== 3 || assign[0] !== 1) throw new Error(`${cost}`);
 * ```
 */
export function dsaLinearSumAssignment(
  cost: Float64Array,
  n: number,
  m: number,
): { assign: Int32Array; cost: number } {
  if (n > m) throw new Error(`linearSumAssignment: rows (${n}) must be ≤ columns (${m})`);
  if (cost.length !== n * m) {
    throw new Error(`linearSumAssignment: cost has ${cost.length} entries, expected ${n * m}`);
  }
  for (let i = 0; i < cost.length; i++) {
    if (!Number.isFinite(cost[i])) {
      throw new Error(`linearSumAssignment: cost[${i}] is not finite`);
    }
  }
  const assign = new Int32Array(n);
  return { assign, cost: solveAssignment(cost, n, m, assign) };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Exact optimal-transport cost between two point sets in the plane with uniform weights
 * (1/na each, 1/nb each) and squared-euclidean cost: W₂² (no square root), as POT's
 * `emd2` in the reference. Equal sizes: an assignment problem. Unequal sizes: each point
 * is replicated (lcm/na, lcm/nb times), which is exact since a vertex of the transport
 * polytope with integral masses is integral. Throws if lcm(na, nb) > `maxLcm`.
 *
 * @example
 * ```ts
 * import { eigenvalueWasserstein } from "@degeneracy/degeneracy";
 * // Two eigenvalue sets (re, im) that differ by one point moved by 0.1 along the real axis.
 * const w = eigenvalueWasserstein([[0.5, 0], [0.9, 0]], [[0.5, 0], [0.8, 0]]);
 * if (Math.abs(w - 0.005) > 1e-12) throw new Error(`W2² = ${w}`); // (0.1)² / 2
 * ```
 */
export function eigenvalueWasserstein(
  a: [number, number][],
  b: [number, number][],
  maxLcm = 4000,
): number {
  const na = a.length, nb = b.length;
  if (na < 1 || nb < 1) throw new Error("eigenvalueWasserstein: both point sets must be non-empty");
  const l = (na / gcd(na, nb)) * nb;
  if (l > maxLcm) {
    throw new Error(
      `eigenvalueWasserstein: sizes ${na} and ${nb} need lcm ${l} > ${maxLcm} replicated points`,
    );
  }
  const ra = l / na, rb = l / nb;
  const cost = new Float64Array(l * l);
  for (let i = 0; i < l; i++) {
    const p = a[Math.floor(i / ra)];
    for (let j = 0; j < l; j++) {
      const qq = b[Math.floor(j / rb)];
      const dx = p[0] - qq[0], dy = p[1] - qq[1];
      cost[i * l + j] = dx * dx + dy * dy;
    }
  }
  return dsaLinearSumAssignment(cost, l, l).cost / l;
}

/** Full result of `dsaDistanceDetailed`. */
export interface DsaDetailed {
  /** The distance in the requested score. */
  distance: number;
  /** The score used. */
  score: "angular" | "euclidean" | "wasserstein";
  /** Procrustes details (angular, euclidean, runs, spread), absent for wasserstein. */
  procrustes?: ProcrustesResult;
  /** The DMD fits of the two systems. */
  fits: [DmdFit, DmdFit];
}

function checkScore(s: unknown): "angular" | "euclidean" | "wasserstein" {
  const score = s ?? "angular";
  if (score !== "angular" && score !== "euclidean" && score !== "wasserstein") {
    throw new Error(
      `DSA option score: must be "angular", "euclidean" or "wasserstein", got ${String(s)}`,
    );
  }
  return score;
}

/**
 * Compare two already fitted systems (or prepared operators) with the given score.
 *
 * @example Compare fitted systems without refitting
 * ```ts
 * import { compareDmd, fitDmd } from "@degeneracy/degeneracy";
 * const system = (phase: number) =>
 *   Array.from({ length: 3 }, (_, k) =>
 *     Array.from({ length: 40 }, (_, t) => {
 *       const a = 0.3 * t + phase + k;
 *       return [Math.cos(a) * 0.97 ** t, Math.sin(a) * 0.97 ** t];
 *     }));
 * const a = fitDmd(system(0), { rank: 2 }), b = fitDmd(system(1), { rank: 2 });
 * const { distance } = compareDmd(a, b, { score: "angular" });
 * if (!(distance < 1e-3)) throw new Error(`same dynamics, distance ${distance}`);
 * ```
 */
export function compareDmd(
  fa: DmdFit,
  fb: DmdFit,
  options: DsaOptions = {},
  prepared?: [PreparedOperator | undefined, PreparedOperator | undefined],
): { distance: number; procrustes?: ProcrustesResult } {
  const score = checkScore(options.score);
  if (score === "wasserstein") {
    return { distance: eigenvalueWasserstein(dmdEigenvalues(fa), dmdEigenvalues(fb)) };
  }
  if (fa.size !== fb.size) {
    throw new Error(
      `DSA: Procrustes needs operators of equal size (${fa.size} vs ${fb.size}); ` +
        `use the same rank option for both systems or score "wasserstein"`,
    );
  }
  // the old optimiser (benchmarks) takes the raw operators: it prepares nothing per system
  const legacy = options.procrustes?.legacy === true;
  const pa = prepared?.[0] ?? (legacy ? fa.operator : prepareOperator(fa.operator, fa.size));
  const pb = prepared?.[1] ?? (legacy ? fb.operator : prepareOperator(fb.operator, fb.size));
  const res = procrustesDistance(pa, pb, {
    ...options.procrustes,
    score,
    restarts: options.restarts,
    seed: options.seed,
  });
  return { distance: res.distance, procrustes: res };
}

/**
 * DSA distance between two systems with details (fits, Procrustes runs and spread).
 *
 * @example
 * ```ts
 * import { dsaDistanceDetailed } from "@degeneracy/degeneracy";
 * const system = (phase: number) =>
 *   Array.from({ length: 3 }, (_, k) =>
 *     Array.from({ length: 40 }, (_, t) => {
 *       const a = 0.3 * t + phase + k;
 *       return [Math.cos(a) * 0.97 ** t, Math.sin(a) * 0.97 ** t];
 *     }));
 * const r = dsaDistanceDetailed(system(0), system(1), { rank: 2 });
 * console.log(r.distance, r.procrustes?.bestStart, r.fits[0].size);
 * ```
 */
export function dsaDistanceDetailed(
  a: Trajectories,
  b: Trajectories,
  options: DsaOptions = {},
): DsaDetailed {
  const score = checkScore(options.score);
  const fa = fitDmd(a, options);
  const fb = fitDmd(b, options);
  const c = compareDmd(fa, fb, options);
  return { distance: c.distance, score, procrustes: c.procrustes, fits: [fa, fb] };
}

/**
 * **contract** DSA distance between two systems given as trajectories (trials × steps ×
 * units): angular Procrustes distance (radians, default), euclidean, or eigenvalue
 * Wasserstein (W₂²) between their DMD operators. See the module doc for the pipeline.
 *
 * @example The same dynamics give distance ≈ 0
 * ```ts
 * import { dsaDistance } from "@degeneracy/degeneracy";
 * const system = (phase: number) =>
 *   Array.from({ length: 3 }, (_, k) =>
 *     Array.from({ length: 40 }, (_, t) => {
 *       const a = 0.3 * t + phase + k;
 *       return [Math.cos(a) * 0.97 ** t, Math.sin(a) * 0.97 ** t];
 *     }));
 * // The same damped rotation seen from different starts: DSA distance ≈ 0.
 * const d = dsaDistance(system(0), system(2), { rank: 2 });
 * if (!(d < 1e-3)) throw new Error(`d = ${d}`);
 * ```
 */
export function dsaDistance(a: Trajectories, b: Trajectories, options: DsaOptions = {}): number {
  return dsaDistanceDetailed(a, b, options).distance;
}

/**
 * One pair's entry of a DSA distance matrix: the distance and what bounds its distance from the
 * optimum (issue #12, item 3).
 */
export interface DsaPairMeasure {
  /** The distance in the requested score. */
  distance: number;
  /** Procrustes spread (max − min over completed runs); 0 for "wasserstein". */
  spread: number;
  /**
   * Frobenius norm of the body-frame gradient at the best run's last iterate (0 at a local
   * optimum; `ProcrustesResult.gradNorm`); 0 for "wasserstein" (solved exactly), NaN with the
   * legacy optimiser (`procrustes.legacy`), which does not report it.
   */
  gradNorm: number;
  /**
   * A lower bound on the global optimum in the requested score (`spectralLowerBound`), so
   * [lowerBound, distance] brackets the true distance; the distance itself for "wasserstein".
   */
  lowerBound: number;
}

/**
 * Names what computes the distances under `options`: the Procrustes optimiser
 * (`PROCRUSTES_OPTIMISER`, or `PROCRUSTES_LEGACY_OPTIMISER` with `procrustes.legacy`), or
 * "exact" for the "wasserstein" score (an assignment problem, solved exactly). Distances with
 * different names come from different algorithms and do not belong in one matrix.
 *
 * @example
 * ```ts
 * import { dsaOptimiser, PROCRUSTES_OPTIMISER } from "@degeneracy/degeneracy";
 * if (dsaOptimiser({ delays: 10, rank: 50 }) !== PROCRUSTES_OPTIMISER) throw new Error("default");
 * if (dsaOptimiser({ score: "wasserstein" }) !== "exact") throw new Error("exact score");
 * ```
 */
export function dsaOptimiser(options: DsaOptions = {}): string {
  if (checkScore(options.score) === "wasserstein") return "exact";
  return options.procrustes?.legacy === true ? PROCRUSTES_LEGACY_OPTIMISER : PROCRUSTES_OPTIMISER;
}

/**
 * The matrix entry of a compared pair: `procrustes` is `compareDmd`'s result (absent for the
 * exactly solved "wasserstein" score).
 *
 * @example
 * ```ts
 * import { compareDmd, dsaPairMeasure, fitDmd } from "@degeneracy/degeneracy";
 * const system = (phase: number) =>
 *   Array.from({ length: 3 }, (_, k) =>
 *     Array.from({ length: 40 }, (_, t) => {
 *       const a = 0.3 * t + phase + k;
 *       return [Math.cos(a) * 0.97 ** t, Math.sin(0.5 * a) * 0.9 ** t];
 *     }));
 * const a = fitDmd(system(0), { rank: 2 }), b = fitDmd(system(1), { rank: 2 });
 * const c = compareDmd(a, b);
 * const m = dsaPairMeasure(c.distance, c.procrustes);
 * // the true distance lies in [m.lowerBound, m.distance]; m.gradNorm ≈ 0 at an optimum
 * if (!(m.lowerBound <= m.distance && m.gradNorm >= 0)) throw new Error("bracket");
 * ```
 */
export function dsaPairMeasure(
  distance: number,
  procrustes: ProcrustesResult | undefined,
  score: "angular" | "euclidean" | "wasserstein" = "angular",
): DsaPairMeasure {
  if (!procrustes) return { distance, spread: 0, gradNorm: 0, lowerBound: distance };
  return {
    distance,
    spread: procrustes.restartsSpread,
    gradNorm: procrustes.gradNorm,
    lowerBound: procrustes.lowerBound[score === "euclidean" ? "euclidean" : "angular"],
  };
}

/** Result of `dsaDistanceMatrix`. */
export interface DsaMatrixResult {
  /** Symmetric S×S matrix, zero diagonal. */
  matrix: number[][];
  /** Procrustes spread (max − min over runs) per computed pair, same layout (0 on diagonal). */
  restartsSpread: number[][];
  /** Final gradient norm per computed pair ({@link DsaPairMeasure}), same layout. */
  gradNorm: number[][];
  /**
   * Lower bound on each pair's distance ({@link DsaPairMeasure}), same layout: the true distance
   * lies in [lowerBound, matrix].
   */
  lowerBound: number[][];
  /** Identity and symmetry self-checks on evenly spaced samples. */
  selfChecks: {
    /** d(X, X) for sampled systems (should be ~0). */
    selfDistance: { index: number; distance: number }[];
    /** |d(i,j) − d(j,i)| for sampled pairs, computed in both argument orders. */
    symmetry: { i: number; j: number; dij: number; dji: number; absDiff: number }[];
    /** Largest restart spread over pairs (Procrustes scores only). */
    maxRestartsSpread: number;
    /** Largest final gradient norm over pairs (NaN with the legacy optimiser). */
    maxGradNorm: number;
  };
  /** The DMD fit of every system. */
  fits: DmdFit[];
}

/**
 * Pairwise DSA distances between many systems; each system's DMD is fitted once and its
 * operator invariants prepared once. `selfCheckSamples` (default 3) systems/pairs are
 * re-measured for the d(X,X) = 0 and symmetry self-checks.
 *
 * @example
 * ```ts
 * import { dsaDistanceMatrix } from "@degeneracy/degeneracy";
 * const system = (phase: number) =>
 *   Array.from({ length: 3 }, (_, k) =>
 *     Array.from({ length: 40 }, (_, t) => {
 *       const a = 0.3 * t + phase + k;
 *       return [Math.cos(a) * 0.97 ** t, Math.sin(a) * 0.97 ** t];
 *     }));
 * const { matrix, selfChecks } = dsaDistanceMatrix([system(0), system(1), system(2)], { rank: 2 });
 * if (matrix[0][1] !== matrix[1][0] || matrix[2][2] !== 0) throw new Error("not symmetric");
 * console.log(selfChecks.maxRestartsSpread);
 * ```
 */
export function dsaDistanceMatrix(
  systems: (Trajectories | DmdFit)[],
  options: DsaOptions & { selfCheckSamples?: number } = {},
): DsaMatrixResult {
  const score = checkScore(options.score);
  const fits = systems.map((s) => isFit(s) ? s : fitDmd(s, options));
  const prepared = score === "wasserstein"
    ? []
    : fits.map((f) => prepareOperator(f.operator, f.size));
  const eigs = score === "wasserstein" ? fits.map((f) => dmdEigenvalues(f)) : [];
  const pair = (i: number, j: number): DsaPairMeasure => {
    if (score === "wasserstein") {
      return dsaPairMeasure(eigenvalueWasserstein(eigs[i], eigs[j]), undefined, score);
    }
    const c = compareDmd(fits[i], fits[j], options, [prepared[i], prepared[j]]);
    return dsaPairMeasure(c.distance, c.procrustes, score);
  };
  return _assembleDsaMatrix(fits, options.selfCheckSamples, pair);
}

/**
 * Builds a {@link DsaMatrixResult} over `fits.length` systems from a pair measure
 * `pair(i, j)` ({@link DsaPairMeasure}): the upper triangle in row order, then the
 * evenly spaced self-checks of the pairwise layer (d(i, i), then the reversed pair). Shared by the
 * serial `dsaDistanceMatrix` and the worker-parallel `dsaDistanceMatrixParallel`.
 */
export function _assembleDsaMatrix(
  fits: DmdFit[],
  selfCheckSamples: number | undefined,
  pair: (i: number, j: number) => DsaPairMeasure,
): DsaMatrixResult {
  const S = fits.length;
  const pairs = upperPairs(S);
  const results = pairs.map(([i, j]) => pair(i, j));
  const matrix = mirrorPairs(S, pairs, (k) => results[k].distance);
  const spread = mirrorPairs(S, pairs, (k) => results[k].spread);
  const gradNorm = mirrorPairs(S, pairs, (k) => results[k].gradNorm);
  const lowerBound = mirrorPairs(S, pairs, (k) => results[k].lowerBound);
  const maxSpread = results.reduce((m, p) => Math.max(m, p.spread), 0);
  // NaN (legacy optimiser) propagates through Math.max: the maximum is then unknown
  const maxGradNorm = results.reduce((m, p) => Math.max(m, p.gradNorm), 0);
  const selfDistance: { index: number; distance: number }[] = [];
  const symmetry: { i: number; j: number; dij: number; dji: number; absDiff: number }[] = [];
  for (const { i, j } of evenlySpacedSelfChecks(S, selfCheckSamples ?? 3)) {
    selfDistance.push({ index: i, distance: pair(i, i).distance });
    if (j !== null) {
      const dji = pair(...reversedPair(i, j)).distance;
      const dij = matrix[i][j];
      symmetry.push({ i, j, dij, dji, absDiff: Math.abs(dij - dji) });
    }
  }
  return {
    matrix,
    restartsSpread: spread,
    gradNorm,
    lowerBound,
    selfChecks: { selfDistance, symmetry, maxRestartsSpread: maxSpread, maxGradNorm },
    fits,
  };
}

function isFit(x: unknown): x is DmdFit {
  return typeof x === "object" && x !== null && "operator" in x && "size" in x &&
    "singularValues" in x;
}
