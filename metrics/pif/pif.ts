/**
 * Permutation-independent Frobenius distance between weight matrices (paper §3.2.2,
 * Appendix D):
 *
 *   d_PIF(W1, W2) = min over permutation matrices P1, P2 of ‖W1 − P1 W2 P2‖_F
 *
 * with `(P1 W2 P2)[i, j] = W2[rowPerm[i], colPerm[j]]` (the convention of
 * tests/fixtures/pif_cases.json). Not squared; `normalized` divides by the number of
 * entries n·m.
 *
 * The problem is a quadratic assignment problem (NP-hard), so the minimum is searched by
 * coordinate descent: with the column permutation fixed, the best row permutation is a
 * linear sum assignment (LSA) on ‖W1[i,:] − W2[k, colPerm]‖², and vice versa; the two steps
 * alternate until neither lowers the distance. Because ‖W1‖ and ‖W2‖ are permutation
 * invariant, each step maximises the inner product ⟨W1, P1 W2 P2⟩ instead (same argmin).
 * Starts, in order: (1) the row permutation solving the LSA on sorted row profiles
 * ‖sort(W1[i,:]) − sort(W2[k,:])‖² (invariant to column permutations; recovers planted
 * permutations at once), (2) the same on sorted column profiles, (3) the identity column
 * permutation, (4…) seeded random column permutations. The returned distance is the
 * minimum over starts, recomputed entry by entry (no cancellation: exact 0 for planted
 * permutations). Starts after the third alternate: three in four perturb the best solution
 * so far (iterated local search: a random subset of 2 … 2 + n/3 entries of its row or
 * column permutation is reshuffled), one in four is a fresh random permutation. The search
 * stops early when the distance meets the lower bound (certified optimal). When the smaller
 * side has ≤ `exactUpTo` (7) entries the minimum is found exactly by enumeration instead.
 *
 * Lower bound: for any P1, P2, ‖W1 − P1 W2 P2‖² = Σ_i ‖W1[i,:] − (W2 P2)[r(i),:]‖², and each
 * term is ≥ ‖sort(W1[i,:]) − sort(W2[r(i),:])‖² (rearrangement inequality), so the LSA cost
 * on sorted row profiles bounds d² from below; likewise for columns; the bound is the
 * square root of the larger of the two.
 *
 * @module
 */
import { assignmentWorkspace, solveAssignment } from "../lsa.ts";
import { makeRng, randomPermutation } from "../rng.ts";
import { distanceSelfChecks, type SelfChecks } from "../selfcheck.ts";
import { seededSelfChecks, upperPairs } from "../pairwise.ts";
import { toMatrix } from "../tensor.ts";

/** Options of {@link pifDistance}. */
export interface PifOptions {
  /**
   * Total number of coordinate-descent starts (≥ 1, default 20): the sorted-row-profile
   * start, the sorted-column-profile start, the identity, then seeded random column
   * permutations.
   */
  restarts?: number;
  /** Seed of the random starts (default 0). */
  seed?: number;
  /** Cap on alternating sweeps per start (default 200); a sweep is one row and one column LSA. */
  maxSweeps?: number;
  /**
   * Solve exactly when the smaller side has at most this many rows/columns (default 7):
   * every permutation of the smaller side is enumerated (Heap's algorithm) and the other
   * side is solved by LSA, min(n,m)! assignments in all. 0 disables.
   */
  exactUpTo?: number;
  /**
   * Start strategy: `"ils"` (default; profile starts, identity, then iterated local search
   * mixed with random starts, see the module doc) or `"random"` (plain coordinate descent of
   * the reference generator: the identity column permutation, then random ones), for
   * comparisons.
   */
  search?: "ils" | "random";
}

/** Result of {@link pifDistance}. */
export interface PifResult {
  /** min ‖W1 − P1 W2 P2‖_F found (an upper bound of the true minimum; ≥ `lowerBound`). */
  distance: number;
  /** `distance / (n·m)`, the paper's normalisation by the number of entries. */
  normalized: number;
  /** Row permutation: `(P1 W2 P2)[i, j] = W2[rowPerm[i], colPerm[j]]`. */
  rowPerm: number[];
  /** Column permutation (see `rowPerm`). */
  colPerm: number[];
  /** Proven lower bound of the true minimum, from sorted row/column profiles. */
  lowerBound: number;
  /** The local minimum reached from each start, in start order (for the restart spread);
   * a single entry when solved exactly. */
  startDistances: number[];
  /** Whether `distance` is the proven global minimum (exact enumeration, or equal to `lowerBound`). */
  exact: boolean;
}

/** Rows of `a` (`[n, m]`) sorted ascending, as a new `[n, m]` array. */
function sortedRows(a: Float64Array, n: number, m: number): Float64Array {
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const row = a.slice(i * m, (i + 1) * m);
    row.sort();
    out.set(row, i * m);
  }
  return out;
}

function transpose(a: Float64Array, n: number, m: number): Float64Array {
  const t = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) t[j * n + i] = a[i * m + j];
  return t;
}

/**
 * LSA on squared distances between sorted row profiles of `a` and `b` (both `[n, m]`):
 * returns the row permutation and the (non-negative) cost.
 */
function profileAssignment(
  a: Float64Array,
  b: Float64Array,
  n: number,
  m: number,
): { perm: Int32Array; cost: number } {
  const sa = sortedRows(a, n, m);
  const sb = sortedRows(b, n, m);
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let j = 0; j < m; j++) {
        const d = sa[i * m + j] - sb[k * m + j];
        s += d * d;
      }
      cost[i * n + k] = s;
    }
  }
  const perm = new Int32Array(n);
  const total = solveAssignment(cost, n, n, perm);
  return { perm, cost: Math.max(0, total) };
}

/** ‖A − P1 B P2‖_F² computed entry by entry. */
function squaredDistance(
  a: Float64Array,
  b: Float64Array,
  n: number,
  m: number,
  r: Int32Array,
  c: Int32Array,
): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const bi = r[i] * m;
    const ai = i * m;
    for (let j = 0; j < m; j++) {
      const d = a[ai + j] - b[bi + c[j]];
      s += d * d;
    }
  }
  return s;
}

/**
 * `out[i, k] = −Σ_j x[i, j] · y[k, perm[j]]` for `x`, `y` of shape `[n, m]` (2×2 register
 * blocking; `yp` is an `[n, m]` scratch buffer for the permuted copy of `y`).
 */
function negScore(
  x: Float64Array,
  y: Float64Array,
  n: number,
  m: number,
  perm: Int32Array,
  yp: Float64Array,
  out: Float64Array,
): void {
  for (let k = 0; k < n; k++) {
    const yk = k * m;
    for (let j = 0; j < m; j++) yp[yk + j] = y[yk + perm[j]];
  }
  const n2 = n & ~1;
  for (let i = 0; i < n; i += 2) {
    const x0 = i * m;
    const pair = i + 1 < n;
    const x1 = pair ? x0 + m : x0;
    for (let k = 0; k < n2; k += 2) {
      const y0 = k * m;
      const y1 = y0 + m;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0;
      for (let j = 0; j < m; j++) {
        const a0 = x[x0 + j], a1 = x[x1 + j], b0 = yp[y0 + j], b1 = yp[y1 + j];
        s00 += a0 * b0;
        s01 += a0 * b1;
        s10 += a1 * b0;
        s11 += a1 * b1;
      }
      out[i * n + k] = -s00;
      out[i * n + k + 1] = -s01;
      if (pair) {
        out[(i + 1) * n + k] = -s10;
        out[(i + 1) * n + k + 1] = -s11;
      }
    }
    if (n2 < n) {
      const y0 = n2 * m;
      let s0 = 0, s1 = 0;
      for (let j = 0; j < m; j++) {
        s0 += x[x0 + j] * yp[y0 + j];
        s1 += x[x1 + j] * yp[y0 + j];
      }
      out[i * n + n2] = -s0;
      if (pair) out[(i + 1) * n + n2] = -s1;
    }
  }
}

/**
 * The score matrix `−Σ_j x[i, j] · y[k, perm[j]]` of one side of the descent, kept between
 * calls: when only a few entries of `perm` changed since the last call (late sweeps,
 * perturbation starts), it is updated in O(n² · changes) instead of recomputed in O(n²·m).
 */
class ScoreCache {
  readonly score: Float64Array;
  private readonly yp: Float64Array;
  private readonly diff: Float64Array;
  private readonly last: Int32Array;
  private valid = false;
  private updates = 0;

  constructor(
    readonly x: Float64Array,
    readonly y: Float64Array,
    readonly yT: Float64Array,
    readonly n: number,
    readonly m: number,
  ) {
    this.score = new Float64Array(n * n);
    this.yp = new Float64Array(n * m);
    this.diff = new Float64Array(n);
    this.last = new Int32Array(m);
  }

  /** Brings `score` up to date for `perm` and returns it. */
  update(perm: Int32Array): Float64Array {
    const { x, yT, n, m, score, diff, last } = this;
    let changes = 0;
    if (this.valid) {
      for (let j = 0; j < m; j++) if (perm[j] !== last[j]) changes++;
    }
    // full recompute when invalid, when many entries changed, or every 64 updates (bounds
    // the rounding drift of incremental updates)
    if (!this.valid || changes * 4 > m || this.updates >= 64) {
      negScore(x, this.y, n, m, perm, this.yp, score);
      this.valid = true;
      this.updates = 0;
    } else if (changes > 0) {
      for (let j = 0; j < m; j++) {
        const now = perm[j];
        const was = last[j];
        if (now === was) continue;
        const yn = now * n;
        const yw = was * n;
        for (let k = 0; k < n; k++) diff[k] = yT[yn + k] - yT[yw + k];
        for (let i = 0; i < n; i++) {
          const xij = x[i * m + j];
          if (xij === 0) continue;
          const si = i * n;
          for (let k = 0; k < n; k++) score[si + k] -= xij * diff[k];
        }
      }
      this.updates++;
    }
    last.set(perm);
    return score;
  }
}

/** Coordinate-descent engine for one pair; buffers are allocated once and reused. */
class PifSolver {
  private readonly rows: ScoreCache;
  private readonly cols: ScoreCache;
  private readonly wsRow;
  private readonly wsCol;
  private readonly r2: Int32Array;
  private readonly c2: Int32Array;

  constructor(
    a: Float64Array,
    b: Float64Array,
    at: Float64Array,
    bt: Float64Array,
    readonly n: number,
    readonly m: number,
    readonly maxSweeps: number,
  ) {
    this.rows = new ScoreCache(a, b, bt, n, m);
    // ⟨A, P1 B P2⟩ = Σ_j Σ_i Aᵀ[j, i] Bᵀ[c[j], r[i]]
    this.cols = new ScoreCache(at, bt, b, m, n);
    this.wsRow = assignmentWorkspace(n, n);
    this.wsCol = assignmentWorkspace(m, m);
    this.r2 = new Int32Array(n);
    this.c2 = new Int32Array(m);
  }

  /** Best row permutation for column permutation `c` (into `r`); returns ⟨A, P1 B P2⟩. */
  rowStep(c: Int32Array, r: Int32Array): number {
    return -solveAssignment(this.rows.update(c), this.n, this.n, r, this.wsRow);
  }

  /** Best column permutation for row permutation `r` (into `c`); returns ⟨A, P1 B P2⟩. */
  colStep(r: Int32Array, c: Int32Array): number {
    return -solveAssignment(this.cols.update(r), this.m, this.m, c, this.wsCol);
  }

  /**
   * Exact minimum: enumerates every permutation of the smaller side (Heap's algorithm, so
   * consecutive permutations differ by one swap and the score matrix is updated cheaply)
   * and solves the other side by LSA.
   */
  exhaustive(): { r: Int32Array; c: Int32Array } {
    const rowsSmaller = this.n <= this.m;
    const k = rowsSmaller ? this.n : this.m;
    const p = new Int32Array(k);
    for (let i = 0; i < k; i++) p[i] = i;
    const other = new Int32Array(rowsSmaller ? this.m : this.n);
    let best = -Infinity;
    let bestP = p.slice();
    let bestO = other.slice();
    const visit = () => {
      const val = rowsSmaller ? this.colStep(p, other) : this.rowStep(p, other);
      if (val > best) {
        best = val;
        bestP = p.slice();
        bestO = other.slice();
      }
    };
    visit();
    const count = new Int32Array(k);
    for (let i = 1; i < k;) {
      if (count[i] < i) {
        const j = i % 2 === 0 ? 0 : count[i];
        const t = p[j];
        p[j] = p[i];
        p[i] = t;
        visit();
        count[i]++;
        i = 1;
      } else {
        count[i] = 0;
        i++;
      }
    }
    return rowsSmaller ? { r: bestP, c: bestO } : { r: bestO, c: bestP };
  }

  /**
   * Alternating descent. Starts from row permutation `r` when `fromRows`, else from column
   * permutation `c`; both arrays are updated in place to the local optimum. Each LSA step
   * can only raise the inner product; the descent stops at the first step that brings no
   * rise above rounding (the other side is then already a best response to this one).
   */
  descend(r: Int32Array, c: Int32Array, fromRows: boolean): void {
    const { r2, c2 } = this;
    let best = -Infinity;
    let rowTurn = !fromRows;
    for (let step = 0; step < 2 * this.maxSweeps; step++) {
      const val = rowTurn ? this.rowStep(c, r2) : this.colStep(r, c2);
      if (!(val > best + 1e-12 * (Math.abs(val) + 1))) break;
      best = val;
      if (rowTurn) r.set(r2);
      else c.set(c2);
      rowTurn = !rowTurn;
    }
  }
}

/**
 * Permutation-independent Frobenius distance min_{P1,P2} ‖W1 − P1 W2 P2‖_F between two
 * `n × m` matrices given as `number[][]` (rows of finite numbers; recurrent weights are
 * square, rectangular matrices are accepted). See the module doc for the algorithm.
 * Deterministic for a given `seed`.
 *
 * @example A permuted copy is at distance 0
 * ```ts
 * import { pifDistance } from "@degeneracy/degeneracy";
 * const w = [[0.1, 0.5, -0.2], [0.3, -0.4, 0.0], [0.2, 0.1, 0.6]];
 * const permuted = [w[2], w[0], w[1]].map((row) => [row[1], row[2], row[0]]);
 * // Rows and columns of W shuffled: the permutation-independent distance is 0.
 * const r = pifDistance(w, permuted);
 * if (r.distance !== 0) throw new Error(`d = ${r.distance}`);
 * ```
 */
export function pifDistance(
  w1: number[][],
  w2: number[][],
  options: PifOptions = {},
): PifResult {
  const restarts = options.restarts ?? 20;
  const seed = options.seed ?? 0;
  const maxSweeps = options.maxSweeps ?? 200;
  const exactUpTo = options.exactUpTo ?? 7;
  const search = options.search ?? "ils";
  if (search !== "ils" && search !== "random") {
    throw new Error(`search must be "ils" or "random", got ${search}`);
  }
  if (!Number.isInteger(restarts) || restarts < 1) {
    throw new Error(`restarts must be an integer ≥ 1, got ${restarts}`);
  }
  if (!Number.isInteger(maxSweeps) || maxSweeps < 1) {
    throw new Error(`maxSweeps must be an integer ≥ 1, got ${maxSweeps}`);
  }
  if (!Number.isInteger(exactUpTo) || exactUpTo < 0 || exactUpTo > 10) {
    throw new Error(`exactUpTo must be an integer in [0, 10], got ${exactUpTo}`);
  }
  if (!Number.isFinite(seed)) throw new Error(`seed must be a finite number, got ${seed}`);
  const A = toMatrix(w1, "w1");
  const B = toMatrix(w2, "w2");
  if (A.rows !== B.rows || A.cols !== B.cols) {
    throw new Error(
      `w1 and w2 must have the same shape, got ${A.rows}×${A.cols} and ${B.rows}×${B.cols}`,
    );
  }
  const n = A.rows;
  const m = A.cols;
  const a = A.data;
  const b = B.data;
  const at = transpose(a, n, m);
  const bt = transpose(b, n, m);

  const rowProfile = profileAssignment(a, b, n, m);
  const colProfile = profileAssignment(at, bt, m, n);
  const lowerBoundSq = Math.max(rowProfile.cost, colProfile.cost);
  const lowerBound = Math.sqrt(lowerBoundSq);

  const solver = new PifSolver(a, b, at, bt, n, m, maxSweeps);
  if (Math.min(n, m) <= exactUpTo) {
    const { r, c } = solver.exhaustive();
    const distance = Math.sqrt(squaredDistance(a, b, n, m, r, c));
    return {
      distance,
      normalized: distance / (n * m),
      rowPerm: Array.from(r),
      colPerm: Array.from(c),
      lowerBound,
      startDistances: [distance],
      exact: true,
    };
  }
  const rng = makeRng(seed);
  let bestSq = Infinity;
  let bestR = new Int32Array(n);
  let bestC = new Int32Array(m);
  const startDistances: number[] = [];
  for (let s = 0; s < restarts; s++) {
    const r = new Int32Array(n);
    const c = new Int32Array(m);
    let fromRows = false;
    if (search === "random") {
      if (s === 0) { for (let j = 0; j < m; j++) c[j] = j; }
      else c.set(randomPermutation(m, rng));
    } else if (s === 0) {
      r.set(rowProfile.perm);
      fromRows = true;
    } else if (s === 1) {
      c.set(colProfile.perm);
    } else if (s === 2) {
      for (let j = 0; j < m; j++) c[j] = j;
    } else if (s % 4 !== 3) {
      // iterated local search: reshuffle a random subset of the best row or column
      // permutation (side drawn at random), then descend from it
      fromRows = rng() < 0.5;
      const [src, dst, len] = fromRows ? [bestR, r, n] : [bestC, c, m];
      dst.set(src);
      const k = Math.min(len, 2 + Math.floor(rng() * Math.max(1, len / 3)));
      const pick = randomPermutation(len, rng).subarray(0, k);
      const shuffled = randomPermutation(k, rng);
      const vals = Array.from(pick, (j) => src[j]);
      for (let q = 0; q < k; q++) dst[pick[q]] = vals[shuffled[q]];
    } else {
      c.set(randomPermutation(m, rng));
    }
    solver.descend(r, c, fromRows);
    const sq = squaredDistance(a, b, n, m, r, c);
    startDistances.push(Math.sqrt(sq));
    if (sq < bestSq) {
      bestSq = sq;
      bestR = r;
      bestC = c;
    }
    // certified optimal: the best found meets the proven lower bound
    if (bestSq <= lowerBoundSq * (1 + 1e-12)) break;
  }
  const distance = Math.sqrt(bestSq);
  return {
    distance,
    normalized: distance / (n * m),
    rowPerm: Array.from(bestR),
    colPerm: Array.from(bestC),
    lowerBound,
    startDistances,
    exact: bestSq <= lowerBoundSq * (1 + 1e-12),
  };
}

/** Options of {@link pifDistanceMatrix}: {@link PifOptions} for every pair, plus these. */
export interface PifMatrixOptions extends PifOptions {
  /**
   * Matrices and pairs re-measured for the identity (d(X, X) = 0) and symmetry
   * (d(X_i, X_j) = d(X_j, X_i)) self-checks, drawn with `seed` (default 3 each; 0 skips).
   */
  selfCheckSamples?: number;
  /** Keep every pair's optimal permutations in `perms` (default false). */
  keepPermutations?: boolean;
}

/** One computed pair (i < j) of a PIF matrix: `pifDistance(ws[i], ws[j], options)`. */
export interface PifPairResult {
  i: number;
  j: number;
  /** min ‖W_i − P1 W_j P2‖_F found. */
  distance: number;
  /** Proven lower bound of the true minimum. */
  lowerBound: number;
  /** max − min of the local minima over starts (0 when solved exactly). */
  spread: number;
  /** Whether `distance` is the proven global minimum. */
  exact: boolean;
  /** Row permutation (with `keepPermutations`): W_i ≈ W_j[rowPerm][:, colPerm]. */
  rowPerm?: number[];
  /** Column permutation (with `keepPermutations`). */
  colPerm?: number[];
}

/** Result of {@link pifDistanceMatrix}. */
export interface PifMatrixResult {
  /** S×S PIF distances min ‖W_i − P1 W_j P2‖_F (upper triangle computed, mirrored; zero diagonal). */
  matrix: number[][];
  /** `matrix` divided by the number of entries n·m (the paper's normalisation). */
  normalized: number[][];
  /** Proven lower bounds, same layout (0 on the diagonal). */
  lowerBound: number[][];
  /** Restart spread (max − min local minimum over starts), same layout. */
  restartsSpread: number[][];
  /** Number of pairs whose distance is certified optimal. */
  exactPairs: number;
  /** Entries n·m of one matrix. */
  entries: number;
  /**
   * With `keepPermutations`: `perms[i][j]` maps W_j onto W_i,
   * W_i ≈ W_j[rowPerm][:, colPerm] (for i > j the inverse permutations of `perms[j][i]`,
   * identities on the diagonal).
   */
  perms?: { rowPerm: number[]; colPerm: number[] }[][];
  /** Identity and symmetry self-checks on `selfCheckSamples` sampled matrices / pairs. */
  selfChecks: SelfChecks;
}

/**
 * Validates the inputs of a PIF matrix: at least 2 same-shape finite matrices and valid
 * options. Returns the shape [n, m] of one matrix.
 */
export function _checkPifMatrixInput(
  ws: number[][][],
  options: PifMatrixOptions = {},
): [number, number] {
  if (!Array.isArray(ws) || ws.length < 2) {
    throw new Error(`ws must be an array of at least 2 matrices, got ${ws?.length}`);
  }
  const first = toMatrix(ws[0], "ws[0]");
  for (let k = 1; k < ws.length; k++) {
    const w = toMatrix(ws[k], `ws[${k}]`);
    if (w.rows !== first.rows || w.cols !== first.cols) {
      throw new Error(
        `ws[${k}] must be ${first.rows}×${first.cols} like ws[0], got ${w.rows}×${w.cols}`,
      );
    }
  }
  const samples = options.selfCheckSamples ?? 3;
  if (!Number.isInteger(samples) || samples < 0) {
    throw new Error(`selfCheckSamples must be an integer ≥ 0, got ${samples}`);
  }
  // option checks of pifDistance, on a 1×1 pair (cheap)
  pifDistance([[0]], [[0]], options);
  return [first.rows, first.cols];
}

/** One pair of a PIF matrix (the unit of work of the serial and the worker-parallel matrix). */
export function _pifPair(
  ws: number[][][],
  i: number,
  j: number,
  options: PifMatrixOptions = {},
): PifPairResult {
  const { selfCheckSamples: _s, keepPermutations, ...pifOptions } = options;
  const r = pifDistance(ws[i], ws[j], pifOptions);
  let lo = Infinity, hi = -Infinity;
  for (const d of r.startDistances) {
    lo = Math.min(lo, d);
    hi = Math.max(hi, d);
  }
  const out: PifPairResult = {
    i,
    j,
    distance: r.distance,
    lowerBound: r.lowerBound,
    spread: hi - lo,
    exact: r.exact,
  };
  if (keepPermutations) {
    out.rowPerm = r.rowPerm;
    out.colPerm = r.colPerm;
  }
  return out;
}

/**
 * Assembles a {@link PifMatrixResult} from the computed pairs (all i < j) and the self-check
 * distances (keyed `"a,b"`, the pairs of `seededSelfChecks` in `metrics/pairwise.ts`).
 */
export function _assemblePifMatrix(
  S: number,
  shape: [number, number],
  pairs: PifPairResult[],
  selfCheckDistances: Map<string, number>,
  options: PifMatrixOptions = {},
): PifMatrixResult {
  const square = () => Array.from({ length: S }, () => new Array<number>(S).fill(0));
  const matrix = square(), lowerBound = square(), restartsSpread = square();
  let exactPairs = 0;
  const [rows, cols] = shape;
  const entries = rows * cols;
  const identity = (len: number) => Array.from({ length: len }, (_, k) => k);
  const perms = options.keepPermutations
    ? Array.from({ length: S }, (_, i) =>
      Array.from({ length: S }, (_, j) => ({
        rowPerm: i === j ? identity(rows) : [],
        colPerm: i === j ? identity(cols) : [],
      })))
    : undefined;
  const seen = new Set<number>();
  for (const p of pairs) {
    const { i, j } = p;
    if (!(i >= 0 && i < j && j < S)) throw new Error(`pair (${i}, ${j}) outside 0 ≤ i < j < ${S}`);
    seen.add(i * S + j);
    matrix[i][j] = matrix[j][i] = p.distance;
    lowerBound[i][j] = lowerBound[j][i] = p.lowerBound;
    restartsSpread[i][j] = restartsSpread[j][i] = p.spread;
    if (p.exact) exactPairs++;
    if (perms) {
      if (!p.rowPerm || !p.colPerm) throw new Error(`pair (${i}, ${j}) lacks its permutations`);
      perms[i][j] = { rowPerm: p.rowPerm, colPerm: p.colPerm };
      perms[j][i] = { rowPerm: invert(p.rowPerm), colPerm: invert(p.colPerm) };
    }
  }
  if (seen.size !== (S * (S - 1)) / 2) {
    throw new Error(`expected ${(S * (S - 1)) / 2} distinct pairs, got ${seen.size}`);
  }
  const selfChecks = distanceSelfChecks(
    Array.from({ length: S }, (_, k) => k),
    (a, b) => {
      const d = selfCheckDistances.get(`${a},${b}`);
      if (d === undefined) throw new Error(`missing self-check distance (${a}, ${b})`);
      return d;
    },
    {
      samples: options.selfCheckSamples ?? 3,
      seed: options.seed ?? 0,
      known: (a, b) => matrix[a][b],
    },
  );
  const result: PifMatrixResult = {
    matrix,
    normalized: matrix.map((row) => row.map((d) => d / entries)),
    lowerBound,
    restartsSpread,
    exactPairs,
    entries,
    selfChecks,
  };
  if (perms) result.perms = perms;
  return result;
}

function invert(p: number[]): number[] {
  const q = new Array<number>(p.length);
  for (let k = 0; k < p.length; k++) q[p[k]] = k;
  return q;
}

/**
 * Pairwise PIF distances between S same-shape matrices `ws` (`[S][n][m]`, e.g. recurrent
 * weights W_h of a population; paper §3.2.2): every pair i < j is solved once by
 * {@link pifDistance} with the same `options` (same seed for every pair), the matrix is
 * mirrored (symmetric, zero diagonal), and identity/symmetry self-checks are run on
 * `selfCheckSamples` seeded samples. Pure and single-threaded; `pifDistanceMatrixParallel`
 * (metrics/pif/parallel.ts) gives identical results on Web Workers.
 *
 * @param onPair called after each pair with (pairs done, pairs total).
 * @throws Error naming the bad matrix or option.
 *
 * @example
 * ```ts
 * import { pifDistanceMatrix } from "@degeneracy/degeneracy";
 * const w = [[0.1, 0.5, -0.2], [0.3, -0.4, 0.0], [0.2, 0.1, 0.6]];
 * const permuted = [w[2], w[0], w[1]].map((row) => [row[1], row[2], row[0]]);
 * const { normalized, selfChecks } = pifDistanceMatrix([w, permuted, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]]);
 * if (normalized[0][1] !== 0 || !(normalized[0][2] > 0)) throw new Error("unexpected");
 * if (!selfChecks.pass) throw new Error("self-checks failed");
 * ```
 */
export function pifDistanceMatrix(
  ws: number[][][],
  options: PifMatrixOptions = {},
  onPair?: (done: number, total: number) => void,
): PifMatrixResult {
  const shape = _checkPifMatrixInput(ws, options);
  const S = ws.length;
  const pairs = upperPairs(S);
  const results = pairs.map(([i, j], k) => {
    const r = _pifPair(ws, i, j, options);
    onPair?.(k + 1, pairs.length);
    return r;
  });
  const checks = new Map<string, number>();
  for (const [a, b] of seededSelfChecks(S, options.selfCheckSamples ?? 3, options.seed ?? 0)) {
    const key = `${a},${b}`;
    if (!checks.has(key)) checks.set(key, _pifPair(ws, a, b, options).distance);
  }
  return _assemblePifMatrix(S, shape, results, checks, options);
}
