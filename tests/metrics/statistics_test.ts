import assert from "node:assert/strict";
import {
  bootstrapCi,
  mean,
  median,
  pearson,
  quantile,
  ranks,
  spearman,
  spearmanPermutationTest,
  standardDeviation,
} from "../../metrics/statistics.ts";
import { boxMuller, makeRng } from "../../metrics/rng.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("summary statistics: closed forms", () => {
  close(mean([1, 2, 3, 4]), 2.5);
  close(standardDeviation([1, 2, 3, 4]), Math.sqrt(5 / 3));
  close(standardDeviation([1, 2, 3, 4], 0), Math.sqrt(1.25));
  close(median([3, 1, 2]), 2);
  close(median([4, 1, 3, 2]), 2.5);
  close(quantile([1, 2, 3, 4, 5], 0.25), 2);
  close(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.deepEqual(ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
});

Deno.test("Spearman: monotone ±1, ties, known value", () => {
  close(spearman([1, 2, 3, 4], [1, 4, 9, 16]), 1);
  close(spearman([1, 2, 3, 4], [8, 4, 2, 1]), -1);
  // classic example: d = ranks differ; ρ = 1 − 6Σd²/(n(n²−1)) without ties
  const x = [86, 97, 99, 100, 101, 103, 106, 110, 112, 113];
  const y = [2, 20, 28, 27, 50, 29, 7, 17, 6, 12];
  close(spearman(x, y), -29 / 165, 1e-12); // −0.17576
  // with ties: Pearson on average ranks (scipy.stats.spearmanr([1,2,2,3],[1,3,2,4]) = 0.9486832980505138)
  close(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 0.9486832980505138, 1e-12);
  assert.ok(Number.isNaN(pearson([1, 1, 1], [1, 2, 3])));
  assert.throws(() => spearman([1, 2], [1]), /equal length/);
});

Deno.test("Spearman permutation test: strong trend small p, no trend large p, seeded", () => {
  const x = Array.from({ length: 12 }, (_, i) => i);
  const trend = spearmanPermutationTest(x, x.map((v) => v * v), { permutations: 2000, seed: 1 });
  close(trend.rho, 1);
  assert.ok(trend.p < 0.01);
  const rng = makeRng(3);
  const noise = x.map(() => rng());
  const none = spearmanPermutationTest(x, noise, { permutations: 2000, seed: 1 });
  assert.ok(none.p > 0.05, `p = ${none.p}`);
  assert.deepEqual(
    spearmanPermutationTest(x, noise, { permutations: 500, seed: 2 }),
    spearmanPermutationTest(x, noise, { permutations: 500, seed: 2 }),
  );
});

Deno.test("bootstrap CI: contains the estimate, seeded, narrows with n, paired statistics", () => {
  const rng = makeRng(7);
  const gauss = () => boxMuller(1 - rng(), rng());
  const small = Array.from({ length: 20 }, gauss);
  const big = Array.from({ length: 500 }, gauss);
  const a = bootstrapCi(small, mean, { seed: 1 });
  assert.ok(a.lower <= a.estimate && a.estimate <= a.upper);
  assert.deepEqual(bootstrapCi(small, mean, { seed: 1 }), a);
  const b = bootstrapCi(big, mean, { seed: 1 });
  assert.ok(b.upper - b.lower < a.upper - a.lower);
  // for n = 500 standard normal draws the 95% interval of the mean has width ≈ 2·1.96/√500
  close(b.upper - b.lower, (2 * 1.96) / Math.sqrt(500), 0.03);
  // paired: Spearman of pairs
  const pairs = big.slice(0, 100).map((v) => [v, 2 * v + 0.1 * gauss()] as [number, number]);
  const s = bootstrapCi(pairs, (p) => spearman(p.map((q) => q[0]), p.map((q) => q[1])), {
    resamples: 300,
  });
  assert.ok(s.lower > 0.9);
  assert.throws(() => bootstrapCi([], mean), /at least 1/);
  assert.throws(() => bootstrapCi([1], mean, { level: 1 }), /level/);
});
