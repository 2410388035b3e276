import assert from "node:assert/strict";
import { pifDistance } from "../../../metrics/pif/pif.ts";
import { makeRng, randomPermutation } from "../../../metrics/rng.ts";

interface PifCase {
  name: string;
  n: number;
  W1: number[][];
  W2: number[][];
  expected_distance: number | null;
  best: { distance: number };
  lower_bound_sorted_profiles: number;
  exact_bruteforce?: { distance: number };
}
const fixture = JSON.parse(
  Deno.readTextFileSync(new URL("../../fixtures/pif_cases.json", import.meta.url)),
) as { cases: PifCase[] };

/** ‖W1 − P1 W2 P2‖_F with (P1 W2 P2)[i][j] = W2[r[i]][c[j]], checking r, c are permutations. */
function distanceOf(w1: number[][], w2: number[][], r: number[], c: number[]): number {
  assert.deepEqual([...r].sort((x, y) => x - y), r.map((_, i) => i), "rowPerm is a permutation");
  assert.deepEqual([...c].sort((x, y) => x - y), c.map((_, i) => i), "colPerm is a permutation");
  let s = 0;
  for (let i = 0; i < w1.length; i++) {
    for (let j = 0; j < w1[0].length; j++) s += (w1[i][j] - w2[r[i]][c[j]]) ** 2;
  }
  return Math.sqrt(s);
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) {
    for (let k = 0; k <= p.length; k++) out.push([...p.slice(0, k), n - 1, ...p.slice(k)]);
  }
  return out;
}

function bruteForce(w1: number[][], w2: number[][]): number {
  const rows = permutations(w1.length);
  const cols = permutations(w1[0].length);
  let best = Infinity;
  for (const r of rows) {
    for (const c of cols) {
      let s = 0;
      for (let i = 0; i < w1.length && s < best; i++) {
        for (let j = 0; j < w1[0].length; j++) s += (w1[i][j] - w2[r[i]][c[j]]) ** 2;
      }
      best = Math.min(best, s);
    }
  }
  return Math.sqrt(best);
}

function randomMatrix(n: number, m: number, rng: () => number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: m }, () => rng() * 2 - 1));
}

for (const c of fixture.cases) {
  Deno.test(`PIF reference case ${c.name}`, () => {
    // the reference searched with 300 coordinate-descent restarts; same budget here
    const res = pifDistance(c.W1, c.W2, { restarts: 300, seed: 0 });
    const recomputed = distanceOf(c.W1, c.W2, res.rowPerm, res.colPerm);
    assert.ok(Math.abs(recomputed - res.distance) < 1e-12, "permutations reproduce the distance");
    assert.ok(
      res.distance <= c.best.distance + 1e-9,
      `${res.distance} above the reference best ${c.best.distance}`,
    );
    assert.ok(Math.abs(res.lowerBound - c.lower_bound_sorted_profiles) < 1e-8, "lower bound");
    assert.ok(res.distance >= res.lowerBound - 1e-12, "never below the proven lower bound");
    assert.ok(Math.abs(res.normalized - res.distance / (c.n * c.n)) < 1e-15);
    if (c.expected_distance === 0) {
      assert.ok(res.distance <= 1e-9, `planted case reached ${res.distance}`);
      // the sorted-row-profile start alone recovers a planted permutation
      assert.ok(pifDistance(c.W1, c.W2, { restarts: 1 }).distance <= 1e-9);
    }
    if (c.exact_bruteforce) {
      assert.ok(Math.abs(res.distance - c.exact_bruteforce.distance) < 1e-9, "exact minimum");
    }
  });
}

Deno.test("PIF equals brute force on small random matrices (square and rectangular)", () => {
  const rng = makeRng(7);
  for (const [n, m] of [[2, 2], [3, 3], [4, 4], [5, 5], [3, 5], [5, 2], [6, 4]]) {
    for (let rep = 0; rep < 3; rep++) {
      const w1 = randomMatrix(n, m, rng);
      const w2 = randomMatrix(n, m, rng);
      const exact = bruteForce(w1, w2);
      const res = pifDistance(w1, w2, { restarts: 30, seed: rep });
      assert.ok(res.distance >= exact - 1e-12, "cannot beat the global minimum");
      assert.ok(Math.abs(res.distance - exact) < 1e-9, `${n}x${m}: ${res.distance} vs ${exact}`);
      assert.ok(res.lowerBound <= exact + 1e-12);
      assert.ok(Math.abs(distanceOf(w1, w2, res.rowPerm, res.colPerm) - res.distance) < 1e-12);
    }
  }
});

Deno.test("PIF heuristic (exact enumeration off) never beats and reaches brute force", () => {
  const rng = makeRng(11);
  let reached = 0;
  let total = 0;
  for (const [n, m] of [[4, 4], [5, 5], [6, 6], [4, 6]]) {
    for (let rep = 0; rep < 3; rep++) {
      const w1 = randomMatrix(n, m, rng);
      const w2 = randomMatrix(n, m, rng);
      const exact = bruteForce(w1, w2);
      const res = pifDistance(w1, w2, { restarts: 50, seed: rep, exactUpTo: 0 });
      assert.ok(res.distance >= exact - 1e-12, "cannot beat the global minimum");
      assert.ok(res.lowerBound <= exact + 1e-12, "lower bound is a lower bound");
      total++;
      if (res.distance <= exact + 1e-9) reached++;
    }
  }
  assert.equal(reached, total, `heuristic reached the exact minimum in ${reached}/${total}`);
});

Deno.test("PIF exact enumeration for n = 8 reproduces the reference brute force", () => {
  const c = fixture.cases.find((x) => x.name === "n8_unrelated_gaussian")!;
  const res = pifDistance(c.W1, c.W2, { exactUpTo: 8 });
  assert.equal(res.exact, true);
  assert.ok(Math.abs(res.distance - c.exact_bruteforce!.distance) < 1e-9);
});

Deno.test("PIF with ties: integer-valued matrices match brute force", () => {
  const rng = makeRng(8);
  for (let rep = 0; rep < 4; rep++) {
    const w1 = Array.from(
      { length: 5 },
      () => Array.from({ length: 5 }, () => Math.floor(rng() * 3)),
    );
    const w2 = Array.from(
      { length: 5 },
      () => Array.from({ length: 5 }, () => Math.floor(rng() * 3)),
    );
    const res = pifDistance(w1, w2, { restarts: 30, seed: rep });
    assert.ok(Math.abs(res.distance - bruteForce(w1, w2)) < 1e-9);
  }
});

Deno.test("PIF invariances: planted permutations give 0, symmetric, deterministic", () => {
  const rng = makeRng(9);
  const n = 40;
  const w = randomMatrix(n, n, rng);
  const rp = randomPermutation(n, rng);
  const cp = randomPermutation(n, rng);
  const wp = w.map((_, i) => w[rp[i]].map((_, j) => w[rp[i]][cp[j]]));
  const res = pifDistance(w, wp);
  assert.equal(res.distance, 0);
  assert.equal(pifDistance(w, w).distance, 0);
  // symmetry holds for the true minimum; check on brute-forceable sizes
  const a = randomMatrix(4, 4, rng);
  const b = randomMatrix(4, 4, rng);
  assert.ok(Math.abs(pifDistance(a, b).distance - pifDistance(b, a).distance) < 1e-12);
  const u = randomMatrix(20, 20, rng);
  const v = randomMatrix(20, 20, rng);
  assert.deepEqual(pifDistance(u, v, { seed: 3 }), pifDistance(u, v, { seed: 3 }));
  // scaling both matrices scales the distance
  const d1 = pifDistance(a, b).distance;
  const d2 = pifDistance(a.map((r) => r.map((x) => 3 * x)), b.map((r) => r.map((x) => 3 * x)))
    .distance;
  assert.ok(Math.abs(d2 - 3 * d1) < 1e-9);
});

Deno.test("PIF: the default search beats plain random-restart coordinate descent at equal restarts", () => {
  for (const name of ["n64_unrelated_gaussian", "n24_sparse_unrelated"]) {
    const c = fixture.cases.find((x) => x.name === name)!;
    const ils = pifDistance(c.W1, c.W2, { restarts: 20, seed: 0 });
    const plain = pifDistance(c.W1, c.W2, { restarts: 20, seed: 0, search: "random" });
    assert.ok(plain.distance >= plain.lowerBound);
    assert.ok(
      ils.distance < plain.distance,
      `${name}: ils ${ils.distance} vs plain ${plain.distance}`,
    );
  }
});

Deno.test("PIF rejects bad input naming the field", () => {
  assert.throws(() => pifDistance([[1, 2]], [[1, 2], [3, 4]]), /same shape/);
  assert.throws(() => pifDistance([[1, NaN]], [[1, 2]]), /w1\[0\]\[1\]/);
  assert.throws(() => pifDistance([[1, 2], [3]], [[1, 2], [3, 4]]), /w1\[1\]/);
  assert.throws(() => pifDistance([], []), /w1/);
  assert.throws(() => pifDistance([[1]], [[1]], { restarts: 0 }), /restarts/);
  assert.throws(() => pifDistance([[1]], [[1]], { search: "x" as "ils" }), /search/);
});
