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
import {
  type PreparedOperator,
  prepareOperator,
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
  distance: number;
  score: "angular" | "euclidean" | "wasserstein";
  /** Procrustes details (angular, euclidean, runs, spread), absent for wasserstein. */
  procrustes?: ProcrustesResult;
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

/** Compare two already fitted systems (or prepared operators) with the given score. */
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

/** DSA distance between two systems with details (fits, Procrustes runs and spread). */
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
 */
export function dsaDistance(a: Trajectories, b: Trajectories, options: DsaOptions = {}): number {
  return dsaDistanceDetailed(a, b, options).distance;
}

/** Result of `dsaDistanceMatrix`. */
export interface DsaMatrixResult {
  /** Symmetric S×S matrix, zero diagonal. */
  matrix: number[][];
  /** Procrustes spread (max − min over runs) per computed pair, same layout (0 on diagonal). */
  restartsSpread: number[][];
  selfChecks: {
    /** d(X, X) for sampled systems (should be ~0). */
    selfDistance: { index: number; distance: number }[];
    /** |d(i,j) − d(j,i)| for sampled pairs, computed in both argument orders. */
    symmetry: { i: number; j: number; dij: number; dji: number; absDiff: number }[];
    /** Largest restart spread over pairs (Procrustes scores only). */
    maxRestartsSpread: number;
  };
  fits: DmdFit[];
}

/**
 * Pairwise DSA distances between many systems; each system's DMD is fitted once and its
 * operator invariants prepared once. `selfCheckSamples` (default 3) systems/pairs are
 * re-measured for the d(X,X) = 0 and symmetry self-checks.
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
  const pair = (i: number, j: number) => {
    if (score === "wasserstein") {
      return { distance: eigenvalueWasserstein(eigs[i], eigs[j]), spread: 0 };
    }
    const c = compareDmd(fits[i], fits[j], options, [prepared[i], prepared[j]]);
    return { distance: c.distance, spread: c.procrustes?.restartsSpread ?? 0 };
  };
  return assembleDsaMatrix(fits, options.selfCheckSamples, pair);
}

/**
 * The self-check samples of a DSA matrix over `S` systems: `min(samples, S)` systems
 * i = ⌊s·S/ns⌋, each measured against itself (d(i, i) should be 0) and, when S > 1, with a
 * partner j ≠ i whose reversed-order distance d(j, i) is compared with d(i, j) (`j` null
 * when S = 1).
 */
export function dsaSelfCheckPairs(S: number, samples = 3): { i: number; j: number | null }[] {
  const ns = Math.min(samples, S);
  const out: { i: number; j: number | null }[] = [];
  for (let s = 0; s < ns; s++) {
    const i = Math.floor((s * S) / ns);
    const j = S > 1 ? ((i + 1 + s) % S === i ? (i + 1) % S : (i + 1 + s) % S) : null;
    out.push({ i, j });
  }
  return out;
}

/**
 * Builds a {@link DsaMatrixResult} over `fits.length` systems from a pair measure
 * `pair(i, j)` → distance and restart spread: the upper triangle in row order, then the
 * self-checks of {@link dsaSelfCheckPairs} (d(i, i), then d(j, i)). Shared by the serial
 * `dsaDistanceMatrix` and the worker-parallel `dsaDistanceMatrixParallel`.
 */
export function assembleDsaMatrix(
  fits: DmdFit[],
  selfCheckSamples: number | undefined,
  pair: (i: number, j: number) => { distance: number; spread: number },
): DsaMatrixResult {
  const S = fits.length;
  const matrix = Array.from({ length: S }, () => new Array<number>(S).fill(0));
  const spread = Array.from({ length: S }, () => new Array<number>(S).fill(0));
  let maxSpread = 0;
  for (let i = 0; i < S; i++) {
    for (let j = i + 1; j < S; j++) {
      const p = pair(i, j);
      matrix[i][j] = matrix[j][i] = p.distance;
      spread[i][j] = spread[j][i] = p.spread;
      maxSpread = Math.max(maxSpread, p.spread);
    }
  }
  const selfDistance: { index: number; distance: number }[] = [];
  const symmetry: { i: number; j: number; dij: number; dji: number; absDiff: number }[] = [];
  for (const { i, j } of dsaSelfCheckPairs(S, selfCheckSamples ?? 3)) {
    selfDistance.push({ index: i, distance: pair(i, i).distance });
    if (j !== null) {
      const dji = pair(j, i).distance;
      const dij = matrix[i][j];
      symmetry.push({ i, j, dij, dji, absDiff: Math.abs(dij - dji) });
    }
  }
  return {
    matrix,
    restartsSpread: spread,
    selfChecks: { selfDistance, symmetry, maxRestartsSpread: maxSpread },
    fits,
  };
}

function isFit(x: unknown): x is DmdFit {
  return typeof x === "object" && x !== null && "operator" in x && "size" in x &&
    "singularValues" in x;
}
