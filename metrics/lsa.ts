/**
 * Linear sum assignment (the assignment problem) in float64, O(n²·m).
 *
 * Shortest-augmenting-path Hungarian method with row/column potentials (the
 * Jonker–Volgenant / Kuhn–Munkres family): rows are inserted one at a time and each is
 * routed to a free column along a shortest path of reduced costs (Dijkstra without a
 * heap, dense costs). Exact for any finite costs, ties included.
 *
 * @module
 */

/** Reusable scratch space for {@link solveAssignment}; sized for up to `m` columns. */
export interface AssignmentWorkspace {
  u: Float64Array;
  v: Float64Array;
  minv: Float64Array;
  p: Int32Array;
  way: Int32Array;
  used: Uint8Array;
}

/** Allocates scratch space for problems with `n` rows and `m` columns. */
export function assignmentWorkspace(n: number, m: number): AssignmentWorkspace {
  return {
    u: new Float64Array(n + 1),
    v: new Float64Array(m + 1),
    minv: new Float64Array(m + 1),
    p: new Int32Array(m + 1),
    way: new Int32Array(m + 1),
    used: new Uint8Array(m + 1),
  };
}

/**
 * Minimum-cost assignment of every row to a distinct column, `n ≤ m`.
 *
 * `cost` is a flat row-major `[n, m]` Float64Array of finite values (not checked here: the
 * caller validates; see {@link linearSumAssignment}). Writes the column of row `i` into
 * `out[i]` and returns the total cost Σ cost[i, out[i]]. `ws` may be reused across calls
 * of the same or smaller size.
 */
export function solveAssignment(
  cost: Float64Array,
  n: number,
  m: number,
  out: Int32Array,
  ws: AssignmentWorkspace = assignmentWorkspace(n, m),
): number {
  if (n > m) throw new Error(`solveAssignment needs rows ≤ columns, got ${n} × ${m}`);
  const { u, v, minv, p, way, used } = ws;
  u.fill(0, 0, n + 1);
  v.fill(0, 0, m + 1);
  p.fill(0, 0, m + 1);
  way.fill(0, 0, m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity, 0, m + 1);
    used.fill(0, 0, m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      const ui0 = u[i0];
      const rowBase = (i0 - 1) * m - 1; // cost[i0-1, j-1] = cost[rowBase + j]
      let delta = Infinity;
      let j1 = -1;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[rowBase + j] - ui0 - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      if (j1 < 0) throw new Error("solveAssignment: no augmenting path (non-finite cost?)");
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  let total = 0;
  for (let j = 1; j <= m; j++) {
    if (p[j] !== 0) {
      out[p[j] - 1] = j - 1;
      total += cost[(p[j] - 1) * m + (j - 1)];
    }
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
