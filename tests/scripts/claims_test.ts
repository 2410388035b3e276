import assert from "node:assert/strict";
import {
  claimSpecs,
  cvOf,
  evaluateClaims,
  percentile,
  type VariantData,
  verdictOf,
} from "../../scripts/report/claims.ts";
import { levelToken } from "../../scripts/lib/plan.ts";

Deno.test("cvOf (population σ) and percentile", () => {
  assert.ok(Math.abs(cvOf([1, 3]) - 0.5) < 1e-12);
  assert.ok(Number.isNaN(cvOf([1])));
  assert.ok(Number.isNaN(cvOf([-1, 1])));
  assert.equal(percentile([0, 10], 0.5), 5);
  assert.equal(percentile([1, 2, 3], 1), 3);
});

Deno.test("verdict rule: CI side of zero decides", () => {
  assert.equal(verdictOf(-1, -0.5, -0.1), "reproduced");
  assert.equal(verdictOf(-1, 0.1, 0.5), "not reproduced");
  assert.equal(verdictOf(-1, -0.2, 0.3), "inconclusive");
  assert.equal(verdictOf(1, 0.1, 0.5), "reproduced");
  assert.equal(verdictOf(1, -0.5, -0.1), "not reproduced");
  assert.equal(verdictOf(1, null, null), "inconclusive");
});

Deno.test("claimSpecs: every per-task claim and Table 1's five rows × two levels, unique ids", () => {
  const specs = claimSpecs();
  const ids = new Set(specs.map((s) => s.id));
  assert.equal(ids.size, specs.length);
  assert.equal(specs.filter((s) => s.group === "table1").length, 10);
  for (
    const s of ["flipflop", "delayed_discrimination", "sine_freq", "sine_n", "path_integration"]
  ) {
    for (const m of ["dsa", "pif", "distance_from_init", "ood_cv", "dimensionality"]) {
      assert.ok(ids.has(`${s}.${m}`), `${s}.${m}`);
    }
  }
  const dir = (id: string) => specs.find((s) => s.id === id)!.direction;
  assert.equal(dir("flipflop.dsa"), -1);
  assert.equal(dir("flipflop.pif"), 1);
  assert.equal(dir("flipflop.ood_cv"), -1);
  assert.equal(dir("table1.low_rank.weight"), -1);
  assert.equal(dir("table1.aux_loss.weight"), 1);
  assert.equal(specs.find((s) => s.id === "table1.load.dynamical")!.levelSign, -1);
});

/** A seeded LCG for synthetic data. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Synthetic study: K networks per level; network i of level L has position L*slope + noise. */
function synthetic(
  study: string,
  levels: number[],
  K: number,
  slope: number,
  noise: number,
  seed: number,
) {
  const rnd = lcg(seed);
  return levels.map((level): VariantData => {
    // Pairwise distance = |a_i - a_j| where a spread shrinks/grows with the level.
    const spread = Math.max(0.05, 1 + slope * level);
    const a = Array.from({ length: K }, () => spread * rnd() + noise * rnd());
    const matrix = a.map((x) => a.map((y) => Math.abs(x - y)));
    return {
      study,
      variant: `l${level}`,
      label: `l${level}`,
      level,
      complexity: { input: level, output: 2 * level },
      ids: a.map((_, i) => `${study}/l${level}/m${i}`),
      perNetwork: {
        distance_from_init: a.map((x) => spread + 0.01 * x),
        dimensionality: a.map(() => level),
        ood: a.map((x) => 1 + spread * x),
      },
      pairwise: { dsa: matrix, pif: matrix },
    };
  });
}

Deno.test("evaluateClaims: planted trends give the right verdicts, deterministically", () => {
  const down = synthetic("flipflop", [1, 2, 3], 12, -0.3, 0.01, 1);
  const up = synthetic("delayed_discrimination", [1, 2, 3], 12, +0.5, 0.01, 2);
  const specs = claimSpecs().filter((s) =>
    s.group === "flipflop" || s.group === "delayed_discrimination"
  );
  const res = evaluateClaims(specs, [...down, ...up], 200, 7);
  const get = (id: string) => res.find((r) => r.id === id)!;
  // Spread shrinks with level in flip-flop: DSA ↓ (paper) → reproduced; PIF ↑ → not reproduced.
  assert.equal(get("flipflop.dsa").verdict, "reproduced");
  assert.ok(get("flipflop.dsa").value! < 0);
  assert.equal(get("flipflop.pif").verdict, "not reproduced");
  assert.equal(get("flipflop.output_complexity").verdict, "reproduced");
  assert.equal(get("flipflop.output_complexity").value, 1);
  // Spread grows in delayed discrimination: DSA ↓ not reproduced, distance from init ↑ reproduced.
  assert.equal(get("delayed_discrimination.dsa").verdict, "not reproduced");
  assert.equal(get("delayed_discrimination.distance_from_init").verdict, "reproduced");
  for (const r of res) {
    if (r.ciLow !== null) assert.ok(r.ciLow <= r.ciHigh!, r.id);
  }
  // Same seed → identical table.
  assert.deepEqual(evaluateClaims(specs, [...down, ...up], 200, 7), res);
});

Deno.test("evaluateClaims: no trend → inconclusive; one variant → insufficient data", () => {
  const flat = synthetic("flipflop", [1, 2, 3], 8, 0, 1, 3).map((v, i) => {
    // Identical distributions at every level: same draws for every variant.
    const base = synthetic("flipflop", [1], 8, 0, 1, 99)[0];
    return {
      ...base,
      variant: v.variant,
      label: v.label,
      level: v.level,
      ids: base.ids.map((x) => `${x}-${i}`),
    };
  });
  const spec = claimSpecs().filter((s) => s.id === "flipflop.dsa");
  const r = evaluateClaims(spec, flat, 300, 1)[0];
  assert.equal(r.value, 0);
  assert.equal(r.verdict, "inconclusive");
  const single = evaluateClaims(spec, synthetic("flipflop", [1], 8, 0, 1, 3), 50, 1)[0];
  assert.equal(single.verdict, "inconclusive");
  assert.equal(single.value, null);
  assert.match(single.note, /fewer than 2 variants/);
  assert.throws(() => evaluateClaims(spec, flat, 5, 1), /resamples/);
});

Deno.test("levelToken makes file-safe tokens", () => {
  assert.equal(levelToken(0.001), "1e-3");
  assert.equal(levelToken(0.0003), "3e-4");
  assert.equal(levelToken(0.5), "0.5");
  assert.equal(levelToken(64), "64");
  assert.equal(levelToken(0), "0");
});
