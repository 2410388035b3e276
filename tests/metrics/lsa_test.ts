import assert from "node:assert/strict";
import { linearSumAssignment } from "../../metrics/lsa.ts";
import { makeRng } from "../../metrics/rng.ts";

/** Minimum (and maximum) total over every injection of the smaller side into the larger. */
function bruteForce(cost: number[][]): { min: number; max: number } {
  const r = cost.length;
  const c = cost[0].length;
  const t = r > c;
  const n = t ? c : r;
  const m = t ? r : c;
  const at = (i: number, j: number) => (t ? cost[j][i] : cost[i][j]);
  let min = Infinity;
  let max = -Infinity;
  const used = new Array(m).fill(false);
  const rec = (i: number, acc: number) => {
    if (i === n) {
      min = Math.min(min, acc);
      max = Math.max(max, acc);
      return;
    }
    for (let j = 0; j < m; j++) {
      if (used[j]) continue;
      used[j] = true;
      rec(i + 1, acc + at(i, j));
      used[j] = false;
    }
  };
  rec(0, 0);
  return { min, max };
}

function checkValid(cost: number[][], res: { rows: number[]; cols: number[]; total: number }) {
  const k = Math.min(cost.length, cost[0].length);
  assert.equal(res.rows.length, k);
  assert.equal(new Set(res.rows).size, k, "rows distinct");
  assert.equal(new Set(res.cols).size, k, "cols distinct");
  let total = 0;
  for (let q = 0; q < k; q++) total += cost[res.rows[q]][res.cols[q]];
  assert.ok(Math.abs(total - res.total) < 1e-12);
}

Deno.test("LSA matches brute force on random square matrices n ≤ 7 (min and max)", () => {
  const rng = makeRng(1);
  for (let n = 1; n <= 7; n++) {
    for (let rep = 0; rep < 6; rep++) {
      const cost = Array.from({ length: n }, () => Array.from({ length: n }, () => rng() * 10 - 3));
      const bf = bruteForce(cost);
      const res = linearSumAssignment(cost);
      checkValid(cost, res);
      assert.ok(Math.abs(res.total - bf.min) < 1e-9, `n=${n}: ${res.total} vs ${bf.min}`);
      const resMax = linearSumAssignment(cost, { maximize: true });
      checkValid(cost, resMax);
      assert.ok(Math.abs(resMax.total - bf.max) < 1e-9);
    }
  }
});

Deno.test("LSA matches brute force with many ties (small integer costs)", () => {
  const rng = makeRng(2);
  for (let n = 2; n <= 7; n++) {
    for (let rep = 0; rep < 8; rep++) {
      const cost = Array.from(
        { length: n },
        () => Array.from({ length: n }, () => Math.floor(rng() * 3)),
      );
      const res = linearSumAssignment(cost);
      checkValid(cost, res);
      assert.equal(res.total, bruteForce(cost).min);
    }
  }
  // all-equal matrix: any permutation is optimal
  const flat = Array.from({ length: 5 }, () => new Array(5).fill(1.5));
  assert.equal(linearSumAssignment(flat).total, 7.5);
});

Deno.test("LSA on rectangular matrices (both orientations) matches brute force", () => {
  const rng = makeRng(3);
  for (const [r, c] of [[2, 5], [3, 7], [4, 6], [6, 3], [7, 2], [1, 4], [4, 1]]) {
    for (let rep = 0; rep < 4; rep++) {
      const cost = Array.from({ length: r }, () => Array.from({ length: c }, () => rng() * 4 - 2));
      const res = linearSumAssignment(cost);
      checkValid(cost, res);
      assert.ok(Math.abs(res.total - bruteForce(cost).min) < 1e-9, `${r}x${c}`);
    }
  }
});

Deno.test("LSA known answer and bad input", () => {
  // classic 3×3 example: optimum 5 (rows → cols 1, 0, 2)
  const res = linearSumAssignment([[4, 1, 3], [2, 0, 5], [3, 2, 2]]);
  assert.deepEqual(res.cols, [1, 0, 2]);
  assert.equal(res.total, 5);
  assert.throws(() => linearSumAssignment([]), /non-empty/);
  assert.throws(() => linearSumAssignment([[1, 2], [3]]), /cost\[1\]/);
  assert.throws(() => linearSumAssignment([[1, NaN]]), /cost\[0\]\[1\]/);
  assert.throws(() => linearSumAssignment([[1, Infinity]]), /finite/);
});
