/**
 * Linear sum assignment for the DSA Wasserstein score (`metrics/dsa.ts`): the Hungarian
 * method with potentials and shortest augmenting paths (Kuhn–Munkres / Jonker–Volgenant
 * style, O(n²m)). Kept separate from the PIF helper's solver so the two metrics do not
 * depend on each other.
 *
 * @module
 */

/**
 * Minimum-cost assignment of every row of an n×m cost matrix (n ≤ m, row-major
 * `Float64Array`) to a distinct column. Returns `assign` (`assign[i]` = column of row i)
 * and the total `cost`. Costs must be finite.
 */
export function linearSumAssignment(
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
  // 1-based potentials u (rows), v (columns); p[j] = row matched to column j
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      const row = (i0 - 1) * m;
      let delta = Infinity;
      let j1 = 0;
      const ui0 = u[i0];
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = cost[row + j - 1] - ui0 - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0);
  }
  const assign = new Int32Array(n);
  for (let j = 1; j <= m; j++) if (p[j] !== 0) assign[p[j] - 1] = j - 1;
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[i * m + assign[i]];
  return { assign, cost: total };
}
