import assert from "node:assert/strict";
import {
  combinedPower,
  minimalDetectableChange,
  plantedContrast,
  type PowerPopulation,
  requiredNetworks,
  testVariance,
  trendPower,
} from "../../metrics/power.ts";
import { noiseSplit } from "../../metrics/noise.ts";
import { type Population, populationStatistic, trendTest } from "../../metrics/trend.ts";
import { makeRng } from "../../metrics/rng.ts";

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/**
 * Synthetic distance matrices with a planted trend: networks i, j of the population at level
 * ℓ are s_ℓ·(1 + a_i + a_j + u_ij) apart (a ~ N(0, 0.1²) per network, u ~ N(0, 0.2²) per pair),
 * measured with per-pair noise N(0, 0.05²) and a shift of the whole population N(0, 0.015²)
 * per measurement. s = 1, 0.85, 0.7: the mean distance falls 30 % from the lowest to the
 * highest level, linearly in the level.
 */
const SCALES = [1, 0.85, 0.7];
const CHANGE = -0.3;
const SHARED = 0.015;
function measure(
  n: number,
  s: number,
  r: () => number,
  nets?: { a: number[]; u: number[][] },
): { m: number[][]; a: number[]; u: number[][] } {
  const a = nets?.a ?? Array.from({ length: n }, () => 0.1 * gauss(r));
  const u = nets?.u ??
    Array.from({ length: n }, () => Array.from({ length: n }, () => 0.2 * gauss(r)));
  const beta = SHARED * gauss(r);
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      m[i][j] = m[j][i] = s * (1 + a[i] + a[j] + u[i][j]) + beta + 0.05 * gauss(r);
    }
  }
  return { m, a, u };
}

/** Share of simulated experiments with n networks per level whose trend test finds the decrease. */
function simulatedPower(n: number, sims: number, seed: number): number {
  const r = makeRng(seed);
  let found = 0;
  for (let k = 0; k < sims; k++) {
    const pops: Population[] = SCALES.map((s, i) => ({
      level: i + 1,
      data: { kind: "pairwise", matrix: measure(n, s, r).m },
      measurementVariance: { variance: SHARED ** 2 },
    }));
    const t = trendTest(pops, { resamples: 100, seed: k });
    if (t.contrast.p < 0.05 && t.contrast.estimate < 0) found++;
  }
  return found / sims;
}

Deno.test("power: the estimate from a pilot recovers the networks a planted effect needs (±20%)", () => {
  // pilot: 40 networks per level, each measured 5 times (the noise replicates)
  const r = makeRng(11);
  const pilot: PowerPopulation[] = SCALES.map((s, i) => {
    const first = measure(40, s, r);
    const reps = [first.m, ...Array.from({ length: 4 }, () => measure(40, s, r, first).m)]
      .map((m) => ({ kind: "pairwise" as const, matrix: m }));
    const split = noiseSplit(reps[0], { batch: reps });
    return {
      level: i + 1,
      statistic: split.statistic,
      model: split.model,
      shared: split.addOn,
    };
  });
  const est = requiredNetworks([pilot], CHANGE);
  assert.ok(est.networks !== null && est.networks >= 5, JSON.stringify(est));
  const n = est.networks!;
  // the needed n lies within 20% of the estimate: too few at n/1.2, enough at 1.2·n
  const below = Math.ceil(n / 1.2) - 1, above = Math.floor(1.2 * n);
  const pBelow = simulatedPower(below, 400, 1), pAbove = simulatedPower(above, 400, 2);
  assert.ok(pBelow < 0.8, `simulated power ${pBelow} at ${below} networks (estimate ${n})`);
  assert.ok(pAbove >= 0.8, `simulated power ${pAbove} at ${above} networks (estimate ${n})`);
});

Deno.test("power: a two-level comparison of means needs Cohen's 64 per group for d = 0.5", () => {
  const pops: PowerPopulation[] = [
    { level: 0, statistic: 1, model: { kind: "values", sigma2: 1 } },
    { level: 1, statistic: 1.5, model: { kind: "values", sigma2: 1 } },
  ];
  // a relative change of 0.5 on a mean of 1 is d = 0.5 with σ = 1
  assert.equal(plantedContrast(pops, 0.5), 0.5);
  const req = requiredNetworks([pops], 0.5);
  assert.equal(req.networks, 64);
  assert.ok(trendPower(pops, 0.5, 63) < 0.8 && trendPower(pops, 0.5, 64) >= 0.8);
  // the minimal detectable change at 64 per group is d ≈ 0.5
  const mdc = minimalDetectableChange([pops], 64)!;
  assert.ok(mdc > 0.49 && mdc <= 0.5, `${mdc}`);
});

Deno.test("power: shared measurement variance sets a floor; Stouffer gains from more studies", () => {
  const pop = (shared: number): PowerPopulation[] =>
    [0, 1, 2].map((l) => ({
      level: l,
      statistic: 1,
      model: { kind: "pairwise", zeta1: 0.01, zeta2: 0.05 },
      shared: { variance: shared, df: 2 },
    }));
  const none = requiredNetworks([pop(0)], -0.1);
  assert.ok(none.networks !== null);
  const floor = requiredNetworks([pop(0.01)], -0.1, { maxNetworks: 2000 });
  assert.equal(floor.networks, null);
  assert.match(floor.reason!, /shared measurement variance/);
  const one = combinedPower([pop(0)], -0.1, 20);
  const three = combinedPower([pop(0), pop(0), pop(0)], -0.1, 20);
  assert.ok(three > one, `${three} vs ${one}`);
});

Deno.test("testVariance: the bootstrap's variance of a mean pairwise distance, checked by simulation", () => {
  // networks a_i ~ N(0, 0.1²), pairs u_ij ~ N(0, 0.2²): ζ₁ = 0.01, ζ₂ = 0.06
  const r = makeRng(7);
  const n = 10;
  let boot = 0;
  const sims = 300;
  for (let k = 0; k < sims; k++) {
    const m = measure(n, 1, r).m; // with its per-pair noise and shared shift
    const reps: number[] = [];
    for (let b = 0; b < 400; b++) {
      const idx = Array.from({ length: n }, () => Math.floor(r() * n));
      const s = populationStatistic({ kind: "pairwise", matrix: m }, idx);
      if (Number.isFinite(s)) reps.push(s);
    }
    const mu = reps.reduce((a, x) => a + x, 0) / reps.length;
    boot += (reps.reduce((a, x) => a + (x - mu) ** 2, 0) / (reps.length - 1)) * n / (n - 1) /
      sims;
  }
  // observed components: ζ₁ = 0.01, ζ₂ = 0.06 + 0.05² (per-pair noise); the shared shift moves
  // every pair of a matrix alike and does not enter the bootstrap's variance
  const model = testVariance({ kind: "pairwise", zeta1: 0.01, zeta2: 0.06 + 0.0025 }, n);
  assert.ok(Math.abs(boot - model) <= 0.1 * model, `bootstrap ${boot} vs model ${model}`);
});

Deno.test("power: bad input names the field", () => {
  const p: PowerPopulation = { level: 0, statistic: 1, model: { kind: "values", sigma2: 1 } };
  assert.throws(() => requiredNetworks([[p]], 0.1), /at least 2 populations/);
  assert.throws(() => trendPower([p, { ...p, level: 1 }], 0.1, 10, { alpha: 2 }), /alpha/);
  assert.throws(() => testVariance(p.model, 2), /n must be an integer ≥ 3/);
  assert.equal(requiredNetworks([[p, { ...p, level: 1 }]], 0).networks, null);
});
