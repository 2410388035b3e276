import assert from "node:assert/strict";
import {
  benjaminiHochberg,
  equivalenceTest,
  hedgesG,
  incompleteBeta,
  normalCdf,
  type Population,
  populationStatistic,
  studentTCdf,
  trendContrastWeights,
  trendTest,
} from "../../metrics/trend.ts";
import { makeRng } from "../../metrics/rng.ts";

function near(actual: number, expected: number, tol: number): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} vs ${expected} (tol ${tol})`);
}

function throwsWith(f: () => unknown, _type: unknown, text: string): void {
  assert.throws(f, (e: Error) => e.message.includes(text));
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Networks as n Gaussian points in R^5 with spread `scale`; the population's pairwise distances. */
function pairwisePop(level: number, n: number, scale: number, seed: number): Population {
  const r = makeRng(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: 5 }, () => scale * gauss(r)));
  const matrix = x.map((a) => x.map((b) => Math.hypot(...a.map((v, k) => v - b[k]))));
  return { level, data: { kind: "pairwise", matrix } };
}

function valuesPop(level: number, n: number, mean: number, seed: number): Population {
  const r = makeRng(seed);
  return {
    level,
    data: { kind: "values", values: Array.from({ length: n }, () => mean + gauss(r)) },
  };
}

Deno.test("normalCdf, studentTCdf and incompleteBeta match scipy", () => {
  // scipy.stats.norm.cdf / t.cdf, scipy.special.betainc (scipy 1.17)
  near(normalCdf(-1.96), 2.49978951e-2, 1e-8);
  near(normalCdf(0), 0.5, 1e-9);
  near(normalCdf(1), 0.841344746, 1e-7);
  near(normalCdf(-3), 1.34989803e-3, 1e-9);
  near(normalCdf(-6), 9.86587645e-10, 1e-14);
  near(studentTCdf(-2, 7), 0.04280966, 1e-7);
  near(studentTCdf(0.5, 3), 0.67427602, 1e-7);
  near(studentTCdf(-3.5, 20), 0.00112756, 1e-8);
  near(studentTCdf(1, 1.5), 0.77443232, 1e-7);
  near(studentTCdf(1.3, Infinity), normalCdf(1.3), 1e-12);
  near(incompleteBeta(0.3, 2.5, 0.5), 0.018927124071945658, 1e-10);
  near(incompleteBeta(0.9, 10, 3), 0.889130022255, 1e-10);
});

Deno.test("benjaminiHochberg reproduces the 1995 paper's example (scipy false_discovery_control)", () => {
  const p = [
    0.0001,
    0.0004,
    0.0019,
    0.0095,
    0.0201,
    0.0278,
    0.0298,
    0.0344,
    0.0459,
    0.324,
    0.4262,
    0.5719,
    0.6528,
    0.759,
    1.0,
  ];
  const want = [
    0.0015,
    0.003,
    0.0095,
    0.035625,
    0.0603,
    0.06385714285714286,
    0.06385714285714286,
    0.0645,
    0.0765,
    0.486,
    0.5811818181818181,
    0.7148749999999999,
    0.7532307692307693,
    0.8132142857142857,
    1.0,
  ];
  const r = benjaminiHochberg(p, 0.05);
  r.adjusted.forEach((a, i) => near(a!, want[i], 1e-12));
  // BH 1995: at q = 0.05 the first four hypotheses are rejected
  assert.deepEqual(r.rejected.filter(Boolean).length, 4);
  assert.deepEqual(r.tested, 15);
  // unsorted input and untested (null) claims: nulls stay out of m
  const u = benjaminiHochberg([0.04, null, 0.01, 0.03, 0.2, 0.02]);
  assert.deepEqual(u.tested, 5);
  assert.deepEqual(u.adjusted[1], null);
  [0.05, null, 0.05, 0.05, 0.2, 0.05].forEach((w, i) =>
    w === null ? assert.deepEqual(u.adjusted[i], null) : near(u.adjusted[i]!, w, 1e-12)
  );
  throwsWith(() => benjaminiHochberg([0.1, 1.5]), Error, "p[1]");
  throwsWith(() => benjaminiHochberg([0.1], 0), Error, "q must be");
});

Deno.test("populationStatistic: mean over pairs of distinct networks, mean, CV", () => {
  const m = [[0, 1, 2], [1, 0, 3], [2, 3, 0]];
  near(populationStatistic({ kind: "pairwise", matrix: m }, [0, 1, 2]), 2, 1e-12);
  // draw (0, 0, 2): pairs (0,2) twice, (0,0) dropped
  near(populationStatistic({ kind: "pairwise", matrix: m }, [0, 0, 2]), 2, 1e-12);
  assert.ok(Number.isNaN(populationStatistic({ kind: "pairwise", matrix: m }, [1, 1, 1])));
  near(populationStatistic({ kind: "values", values: [1, 2, 6] }, [0, 1, 2]), 3, 1e-12);
  // CV with the population σ: values 1, 3 → μ 2, σ 1
  near(populationStatistic({ kind: "cv", values: [1, 3] }, [0, 1]), 0.5, 1e-12);
});

Deno.test("hedgesG and trend-contrast weights", () => {
  // mean difference 3, pooled SD 1, J = 1 − 3/(4·6 − 9) = 0.8
  near(hedgesG([1, 2, 3], [4, 5, 6])!, 2.4, 1e-12);
  assert.deepEqual(hedgesG([1, 1], [2, 2]), null);
  assert.deepEqual(trendContrastWeights(2), [-1, 1]);
  assert.deepEqual(trendContrastWeights(3), [-1, 0, 1]);
  assert.deepEqual(trendContrastWeights(4), [-0.75, -0.25, 0.25, 0.75]);
});

Deno.test("trendTest finds a planted monotone increase in mean pairwise distance", () => {
  const pops = [1, 2, 3].map((l, i) => pairwisePop(l, 16, [1, 1.5, 2.25][i], 10 + l));
  const t = trendTest(pops, { resamples: 1000, seed: 3 });
  assert.deepEqual(t.levels, [1, 2, 3]);
  assert.deepEqual(t.sizes, [16, 16, 16]);
  assert.deepEqual(t.monotone, "increasing");
  assert.ok(t.contrast.estimate > 0 && t.contrast.ciLow > 0);
  assert.ok(t.contrast.p < 1e-3, `p = ${t.contrast.p}`);
  // relative change near the planted 2.25× spread (sampling noise of 16 networks)
  assert.ok(
    t.effect.relativeChange > 0.8 && t.effect.relativeChange < 1.8,
    `${t.effect.relativeChange}`,
  );
  assert.ok(t.effect.hedgesG! > 2, `g = ${t.effect.hedgesG}`);
  // deterministic for a seed; the input order does not matter
  const again = trendTest([...pops].reverse(), { resamples: 1000, seed: 3 });
  assert.deepEqual(again, t);
});

Deno.test("trendTest reports a planted up-then-down pattern as not monotone", () => {
  const pops = [1, 2, 3].map((l, i) => pairwisePop(l, 16, [1, 1.8, 1][i], 20 + l));
  const t = trendTest(pops, { resamples: 1000, seed: 4 });
  assert.deepEqual(t.monotone, "no");
  assert.ok(t.adjacent[0].ciLow > 0, "first step up");
  assert.ok(t.adjacent[1].ciHigh < 0, "second step down");
  // the linear contrast sees little net change
  assert.ok(t.contrast.p > 0.05, `p = ${t.contrast.p}`);
});

Deno.test("trendTest holds its size on planted nulls (values and pairwise)", () => {
  // 200 planted nulls per kind, 8 networks per population: the share with p < 0.05 stays near
  // or under 5% (the pairwise test is conservative, see the module doc)
  for (const kind of ["values", "pairwise"] as const) {
    let rejected = 0;
    const sims = 200;
    for (let s = 0; s < sims; s++) {
      const pops = [1, 2, 3].map((l) =>
        kind === "values" ? valuesPop(l, 8, 5, 1000 * s + l) : pairwisePop(l, 8, 1, 1000 * s + l)
      );
      if (trendTest(pops, { resamples: 200, seed: s }).contrast.p < 0.05) rejected++;
    }
    assert.ok(rejected / sims <= 0.09, `${kind}: type-I rate ${rejected / sims}`);
  }
});

Deno.test("trendTest on a CV statistic and its input checks", () => {
  const r = makeRng(5);
  const pops: Population[] = [1, 2].map((l) => ({
    level: l,
    data: {
      kind: "cv",
      values: Array.from({ length: 12 }, () => 10 + (l === 1 ? 3 : 0.5) * gauss(r)),
    },
  }));
  const t = trendTest(pops, { resamples: 500, seed: 1 });
  assert.deepEqual(t.effect.hedgesG, null);
  assert.ok(t.contrast.estimate < 0 && t.contrast.ciHigh < 0, "CV falls");
  throwsWith(() => trendTest([pops[0]]), Error, "at least 2 populations");
  throwsWith(() => trendTest([pops[0], { ...pops[1], level: 1 }]), Error, "distinct levels");
  throwsWith(
    () => trendTest([pops[0], { level: 3, data: { kind: "values", values: [1, NaN] } }]),
    Error,
    "values[1] must be finite",
  );
  throwsWith(
    () => trendTest([pops[0], { level: 3, data: { kind: "pairwise", matrix: [[0]] } }]),
    Error,
    "n ≥ 2",
  );
  throwsWith(() => trendTest(pops, { resamples: 3 }), Error, "resamples");
});

Deno.test("equivalenceTest: planted null is equivalent, planted 40% change is not", () => {
  const nulls = [5, 10, 20].map((l) => pairwisePop(l, 40, 1, 300 + l));
  const e = equivalenceTest(nulls, { resamples: 1000, seed: 2 });
  assert.deepEqual(e.reference, 5);
  assert.deepEqual(e.margin, 1.25);
  assert.deepEqual(e.comparisons.length, 2);
  assert.ok(e.equivalent, JSON.stringify(e.comparisons));
  assert.ok(e.p < 0.05, `p = ${e.p}`);
  for (const c of e.comparisons) assert.ok(c.ciLow >= 0.8 && c.ciHigh <= 1.25);

  const shifted = [5, 10].map((l, i) => pairwisePop(l, 40, [1, 1.4][i], 400 + l));
  const f = equivalenceTest(shifted, { resamples: 1000, seed: 2 });
  assert.deepEqual(f.equivalent, false);
  assert.ok(f.comparisons[0].ratio > 1.25, `${f.comparisons[0].ratio}`);
});

Deno.test("equivalenceTest: too few networks cannot show equivalence (a CI containing 1 is not enough)", () => {
  const small = [5, 10].map((l) => pairwisePop(l, 4, 1, 500 + l));
  const e = equivalenceTest(small, { resamples: 1000, seed: 2 });
  assert.deepEqual(e.equivalent, false);
  // the same data's trend test finds no difference either: absence of evidence both ways
  assert.ok(trendTest(small, { resamples: 1000, seed: 2 }).contrast.p > 0.05);
});

Deno.test("equivalenceTest keeps its size at the margin", () => {
  // true ratio exactly 1.25: equivalence may be declared in at most α = 5% of planted cases
  // (bound 7.5%: 400 simulations have a Monte Carlo SE of 1.1%; measured 2.8–4% in 1,000)
  let declared = 0;
  const sims = 400;
  for (let s = 0; s < sims; s++) {
    const pops = [1, 2].map((l) => pairwisePop(l, 30, l === 1 ? 1 : 1.25, 7000 * s + l));
    if (equivalenceTest(pops, { resamples: 200, seed: s }).equivalent) declared++;
  }
  assert.ok(declared / sims <= 0.075, `rate ${declared / sims}`);
  throwsWith(() => equivalenceTest([], {}), Error, "at least 2");
  const p = [1, 2].map((l) => pairwisePop(l, 6, 1, l));
  throwsWith(() => equivalenceTest(p, { margin: 1 }), Error, "margin");
  throwsWith(() => equivalenceTest(p, { alpha: 0.6 }), Error, "alpha");
});
