/**
 * Linear sum assignment (the assignment problem) in float64, O(n²·m).
 *
 * Shortest-augmenting-path Hungarian method with row/column potentials (the
 * Jonker–Volgenant / Kuhn–Munkres family, in the form of Crouse 2016, "On implementing 2D
 * rectangular assignment algorithms", as used by scipy): rows are inserted one at a time and
 * each is routed to a free column along a shortest path of reduced costs (Dijkstra without a
 * heap, dense costs). Exact for any finite costs, ties included.
 *
 * @module
 */

/** Reusable scratch space for {@link solveAssignment}; sized for `n` rows and `m` columns. */
export interface AssignmentWorkspace {
  /** Row potentials. */
  u: Float64Array;
  /** Column potentials. */
  v: Float64Array;
  /** Shortest-path distances to each column. */
  dist: Float64Array;
  /** Predecessor row of each column on the augmenting path. */
  path: Int32Array;
  /** Column assigned to each row (−1 when none). */
  col4row: Int32Array;
  /** Row assigned to each column (−1 when none). */
  row4col: Int32Array;
  /** Columns not yet scanned in the current search. */
  remaining: Int32Array;
  /** Rows scanned in the current search. */
  sr: Uint8Array;
  /** Columns scanned in the current search. */
  sc: Uint8Array;
}

/**
 * Allocates scratch space for problems with up to `n` rows and `m` columns.
 *
 * @example
 * ```ts
 * import { assignmentWorkspace, solveAssignment } from "@degeneracy/degeneracy";
 * // Reuse one workspace for many 3×3 problems.
 * const ws = assignmentWorkspace(3, 3);
 * const out = new Int32Array(3);
 * const cost = solveAssignment(new Float64Array([1, 2, 3, 2, 4, 6, 3, 6, 9]), 3, 3, out, ws);
 * if (cost !== 10) throw new Error(`cost ${cost}`);
 * ```
 */
export function assignmentWorkspace(n: number, m: number): AssignmentWorkspace {
  return {
    u: new Float64Array(n),
    v: new Float64Array(m),
    dist: new Float64Array(m),
    path: new Int32Array(m),
    col4row: new Int32Array(n),
    row4col: new Int32Array(m),
    remaining: new Int32Array(m),
    sr: new Uint8Array(n),
    sc: new Uint8Array(m),
  };
}

/**
 * Minimum-cost assignment of every row to a distinct column, `n ≤ m`.
 *
 * `cost` is a flat row-major `[n, m]` Float64Array of finite values (not checked here: the
 * caller validates; see {@link linearSumAssignment}). Writes the column of row `i` into
 * `out[i]` and returns the total cost Σ cost[i, out[i]]. `ws` may be reused across calls
 * of the same or smaller size.
 *
 * Rows are added one at a time; each is joined to a free column by a shortest augmenting
 * path on reduced costs (Dijkstra over the still-unscanned columns), then the dual
 * potentials are updated once (Crouse 2016, the method of scipy's `linear_sum_assignment`).
 *
 * @example
 * ```ts
 * import { solveAssignment } from "@degeneracy/degeneracy";
 * const out = new Int32Array(2);
 * const cost = solveAssignment(new Float64Array([4, 1, 2, 5]), 2, 2, out); // row-major 2×2
 * if (cost !== 3 || out[0] !== 1 || out[1] !== 0) throw new Error(`${cost} ${out}`);
 * ```
 */
export function solveAssignment(
  cost: Float64Array,
  n: number,
  m: number,
  out: Int32Array,
  ws: AssignmentWorkspace = assignmentWorkspace(n, m),
): number {
  if (n > m) throw new Error(`solveAssignment needs rows ≤ columns, got ${n} × ${m}`);
  const { u, v, dist, path, col4row, row4col, remaining, sr, sc } = ws;
  u.fill(0, 0, n);
  v.fill(0, 0, m);
  col4row.fill(-1, 0, n);
  row4col.fill(-1, 0, m);
  path.fill(-1, 0, m);
  for (let cur = 0; cur < n; cur++) {
    let minVal = 0;
    let i = cur;
    let numRemaining = m;
    for (let it = 0; it < m; it++) remaining[it] = m - it - 1;
    sr.fill(0, 0, n);
    sc.fill(0, 0, m);
    dist.fill(Infinity, 0, m);
    let sink = -1;
    while (sink === -1) {
      let index = -1;
      let lowest = Infinity;
      sr[i] = 1;
      const base = i * m;
      const off = minVal - u[i];
      for (let it = 0; it < numRemaining; it++) {
        const j = remaining[it];
        const r = off + cost[base + j] - v[j];
        if (r < dist[j]) {
          path[j] = i;
          dist[j] = r;
        }
        const dj = dist[j];
        if (dj < lowest || (dj === lowest && row4col[j] === -1)) {
          lowest = dj;
          index = it;
        }
      }
      minVal = lowest;
      if (index < 0 || minVal === Infinity) {
        throw new Error("solveAssignment: no augmenting path (non-finite cost?)");
      }
      const j = remaining[index];
      if (row4col[j] === -1) sink = j;
      else i = row4col[j];
      sc[j] = 1;
      remaining[index] = remaining[--numRemaining];
    }
    u[cur] += minVal;
    for (let r = 0; r < n; r++) {
      if (sr[r] && r !== cur) u[r] += minVal - dist[col4row[r]];
    }
    for (let c = 0; c < m; c++) {
      if (sc[c]) v[c] -= minVal - dist[c];
    }
    let j = sink;
    for (;;) {
      const r = path[j];
      row4col[j] = r;
      const t = col4row[r];
      col4row[r] = j;
      j = t;
      if (r === cur) break;
    }
  }
  let total = 0;
  for (let r = 0; r < n; r++) {
    out[r] = col4row[r];
    total += cost[r * m + col4row[r]];
  }
  return total;
}

/** Result of {@link linearSumAssignment}, in the convention of scipy's `linear_sum_assignment`. */
export interface AssignmentResult {
  /** Row indices of the chosen pairs, ascending. */
  rows: number[];
  /** `cols[k]` is the column assigned to `rows[k]`. */
  cols: number[];
  /** Σ cost[rows[k]][cols[k]]. */
  total: number;
}

/**
 * Optimal assignment for a rectangular cost matrix `cost` (`number[][]`, `r × c`, finite):
 * `min(r, c)` pairs, each row and column used at most once, minimising (or with
 * `maximize`, maximising) the summed cost. Float64, O(min·min·max).
 *
 * @example
 * ```ts
 * import { linearSumAssignment } from "@degeneracy/degeneracy";
 * const r = linearSumAssignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]]);
 * if (r.total !== 5 || r.cols.join() !== "1,0,2") throw new Error(`${r.total} ${r.cols}`);
 * ```
 */
export function linearSumAssignment(
  cost: number[][],
  options: { maximize?: boolean } = {},
): AssignmentResult {
  if (!Array.isArray(cost)) throw new Error("cost must be an array of rows");
  const r = cost.length;
  const c = r === 0 ? 0 : (Array.isArray(cost[0]) ? cost[0].length : -1);
  if (r === 0 || c <= 0) throw new Error("cost must be a non-empty matrix (rows ≥ 1, columns ≥ 1)");
  const sign = options.maximize ? -1 : 1;
  const transposed = r > c;
  const n = transposed ? c : r;
  const m = transposed ? r : c;
  const flat = new Float64Array(n * m);
  for (let i = 0; i < r; i++) {
    const row = cost[i];
    if (!Array.isArray(row) || row.length !== c) {
      throw new Error(`cost[${i}] must have ${c} entries (a rectangular matrix)`);
    }
    for (let j = 0; j < c; j++) {
      const x = row[j];
      if (typeof x !== "number" || !Number.isFinite(x)) {
        throw new Error(`cost[${i}][${j}] must be a finite number, got ${x}`);
      }
      if (transposed) flat[j * m + i] = sign * x;
      else flat[i * m + j] = sign * x;
    }
  }
  const out = new Int32Array(n);
  solveAssignment(flat, n, m, out);
  const pairs: [number, number][] = [];
  for (let k = 0; k < n; k++) pairs.push(transposed ? [out[k], k] : [k, out[k]]);
  pairs.sort((a, b) => a[0] - b[0]);
  let total = 0;
  for (const [i, j] of pairs) total += cost[i][j];
  return { rows: pairs.map((q) => q[0]), cols: pairs.map((q) => q[1]), total };
}
