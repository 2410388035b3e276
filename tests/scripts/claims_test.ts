import assert from "node:assert/strict";
import {
  claimCells,
  claimCounts,
  claimSpecs,
  cvOf,
  evaluateClaims,
  MIN_NETWORKS_PER_LEVEL,
  type VariantData,
  verdictOf,
} from "../../scripts/report/claims.ts";
import { levelToken } from "../../scripts/lib/plan.ts";
import { quantileSorted } from "../../metrics/statistics.ts";

Deno.test("cvOf (population σ) and the percentile of sorted replicates", () => {
  assert.ok(Math.abs(cvOf([1, 3]) - 0.5) < 1e-12);
  assert.ok(Number.isNaN(cvOf([1])));
  assert.ok(Number.isNaN(cvOf([-1, 1])));
  assert.equal(quantileSorted([0, 10], 0.5), 5);
  assert.equal(quantileSorted([1, 2, 3], 1), 3);
});

Deno.test("pooled-ρ CI rule (shown beside the verdict): CI side of zero", () => {
  assert.equal(verdictOf(-1, -0.5, -0.1), "reproduced");
  assert.equal(verdictOf(-1, 0.1, 0.5), "not reproduced");
  assert.equal(verdictOf(-1, -0.2, 0.3), "inconclusive");
  assert.equal(verdictOf(1, 0.1, 0.5), "reproduced");
  assert.equal(verdictOf(1, -0.5, -0.1), "not reproduced");
  assert.equal(verdictOf(1, null, null), "inconclusive");
});

Deno.test("claimSpecs: per-task claims, Table 1 (+ the size-invariant row), across-task and sloppy claims", () => {
  const specs = claimSpecs();
  const ids = new Set(specs.map((s) => s.id));
  assert.equal(ids.size, specs.length);
  assert.equal(specs.filter((s) => s.group === "table1").length, 11);
  for (
    const id of [
      "fig6b.size.weight_invariant",
      "fig3c.output_complexity_vs_dsa",
      "fig3c.output_complexity_time_averaged_vs_dsa",
      "s323.dsa_vs_ood_cv",
      "appb.attractorness_ordering",
      "sloppy.dd_delay.dsa",
      "sloppy.pi_arena.dsa",
    ]
  ) assert.ok(ids.has(id), id);
  // true by construction: output complexity over N (× N), Table 1's per-entry load row
  const byC = specs.filter((s) => s.byConstruction).map((s) => s.id).sort();
  assert.deepEqual(byC, [
    "delayed_discrimination.output_complexity",
    "delayed_discrimination.output_complexity_time_averaged",
    "flipflop.output_complexity",
    "flipflop.output_complexity_time_averaged",
    "sine_n.output_complexity",
    "sine_n.output_complexity_time_averaged",
    "table1.load.weight",
  ]);
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
  const up = synthetic("delayed_discrimination", [1, 2, 3], 16, +1.0, 0.01, 2);
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
  // per-population trend beside the pooled ρ; FDR over rows with a p-value, by-construction
  // rows left out
  const dsa = get("flipflop.dsa");
  assert.equal(dsa.trends.length, 1);
  assert.equal(dsa.trends[0].monotone, "decreasing");
  assert.ok(dsa.q! >= dsa.p!);
  assert.equal(get("flipflop.output_complexity").q, null);
  assert.equal(get("flipflop.output_complexity_time_averaged").verdict, "not computed");
  const counts = claimCounts(res);
  assert.equal(counts.byConstruction, 4);
  assert.equal(counts.tested, res.length - 4);
  assert.equal(counts.fdrFamily, 10);
  assert.equal(claimCells(dsa).length, 9);
  // Same seed → identical table.
  assert.deepEqual(evaluateClaims(specs, [...down, ...up], 200, 7), res);
});

Deno.test("evaluateClaims: no trend → inconclusive; one variant → not computed", () => {
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
  assert.ok(r.p! > 0.05);
  const single = evaluateClaims(spec, synthetic("flipflop", [1], 8, 0, 1, 3), 50, 1)[0];
  assert.equal(single.verdict, "not computed");
  assert.equal(single.value, null);
  // a metric that is missing (failed) in every variant is "not computed", never inconclusive
  const noDsa = synthetic("flipflop", [1, 2, 3], 8, -0.3, 0.01, 4).map((v) => ({
    ...v,
    pairwise: { pif: v.pairwise.pif },
  }));
  const nc = evaluateClaims(spec, noDsa, 50, 1)[0];
  assert.equal(nc.verdict, "not computed");
  assert.match(nc.note, /missing/);
  assert.throws(() => evaluateClaims(spec, flat, 5, 1), /resamples/);
});

Deno.test("levelToken makes file-safe tokens", () => {
  assert.equal(levelToken(0.001), "1e-3");
  assert.equal(levelToken(0.0003), "3e-4");
  assert.equal(levelToken(0.5), "0.5");
  assert.equal(levelToken(64), "64");
  assert.equal(levelToken(0), "0");
});

/** A population whose networks are Gaussian points in R^5 with spread `scale`. */
function pointsVariant(
  study: string,
  level: number,
  k: number,
  scale: number,
  seed: number,
): VariantData {
  const rnd = lcg(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const x = Array.from({ length: k }, () => Array.from({ length: 5 }, () => scale * g()));
  const matrix = x.map((a) => x.map((b) => Math.hypot(...a.map((v, i) => v - b[i]))));
  return {
    study,
    variant: `l${level}`,
    label: `l${level}`,
    level,
    complexity: null,
    ids: x.map((_, i) => `${study}/l${level}/m${i}`),
    networks: { members: k, converged: k - 1, used: k },
    perNetwork: {},
    pairwise: { dsa: matrix },
  };
}

Deno.test("equivalence claims: planted null → reproduced, planted 50% change → not reproduced", () => {
  const spec = claimSpecs().filter((s) => s.id === "sloppy.dd_delay.dsa");
  const same = [10, 20, 30].map((l) => pointsVariant("dd_delay", l, 50, 1, 100 + l));
  const r = evaluateClaims(spec, same, 500, 1)[0];
  assert.equal(r.verdict, "reproduced", r.note);
  assert.equal(r.equivalence.length, 1);
  assert.deepEqual(r.networks, { members: 150, converged: 147, used: 150 });
  assert.match(r.note, /partly trained: 3 of 150/);
  const moved = [10, 20].map((l, i) => pointsVariant("dd_delay", l, 50, [1, 1.5][i], 200 + l));
  assert.equal(evaluateClaims(spec, moved, 500, 1)[0].verdict, "not reproduced");
  // too few networks to show either
  const few = [10, 20].map((l) => pointsVariant("dd_delay", l, 5, 1, 300 + l));
  assert.equal(evaluateClaims(spec, few, 200, 1)[0].verdict, "inconclusive");
});

Deno.test("a claim needs MIN_NETWORKS_PER_LEVEL networks in every level, else insufficient data", () => {
  assert.equal(MIN_NETWORKS_PER_LEVEL, 5);
  const specs = claimSpecs().filter((s) =>
    s.id === "flipflop.dsa" || s.id === "fig3c.output_complexity_vs_dsa" ||
    s.id === "flipflop.output_complexity"
  );
  const get = (vs: VariantData[], id: string) =>
    evaluateClaims(specs, vs, 200, 1).find((r) => r.id === id)!;
  // a strong planted trend, but one level has 4 networks (and another 1): no verdict
  const strong = [1, 2, 3].map((l, i) =>
    pointsVariant("flipflop", l, [12, 4, 12][i], [2, 1.5, 1][i], 400 + l)
  );
  strong.forEach((v) => v.complexity = { input: v.level, output: v.level });
  const enough = [1, 2, 3].map((l, i) =>
    pointsVariant("flipflop", l, [12, 5, 12][i], [2, 1.5, 1][i], 400 + l)
  );
  assert.equal(get(enough, "flipflop.dsa").verdict, "reproduced");
  const r = get(strong, "flipflop.dsa");
  assert.equal(r.verdict, "insufficient data");
  assert.match(r.note, /^insufficient data: fewer than 5 networks per level \(flipflop\/l2: 4\); /);
  assert.ok(r.p !== null, "the statistics are still shown");
  assert.equal(r.q, null, "but the row leaves the false-discovery family");
  const one = strong.map((v, i) => i === 1 ? pointsVariant("flipflop", 2, 1, 1, 7) : v);
  assert.match(get(one, "flipflop.dsa").note, /flipflop\/l2: 1\)/);
  assert.match(get(strong, "fig3c.output_complexity_vs_dsa").note, /^insufficient data: /);
  // the task's output complexity is not a property of the networks: never insufficient
  assert.equal(get(strong, "flipflop.output_complexity").verdict, "reproduced");
  // networks used known but the metric absent: insufficient data, not "not computed"
  const none = strong.map((v, i) =>
    i === 1 ? { ...v, ids: [], pairwise: {}, networks: { members: 12, converged: 0, used: 0 } } : v
  );
  assert.match(get(none, "flipflop.dsa").note, /flipflop\/l2: 0\)/);
  const counts = claimCounts(evaluateClaims(specs, strong, 200, 1));
  assert.equal(counts.counts["insufficient data"], 2);
});

Deno.test("across-variant claims (Fig. 3C, §3.2.3) and Appendix B's ordering", () => {
  const studies = ["flipflop", "delayed_discrimination", "sine_freq", "sine_n", "path_integration"];
  // complexity rises with the variant index, DSA spread falls with it: Fig. 3C holds
  const vs: VariantData[] = [];
  let k = 0;
  for (const s of studies) {
    for (const l of [1, 2]) {
      const v = pointsVariant(s, l, 10, 2 - 0.15 * k, 50 + k);
      v.complexity = { input: k, output: k, timeAveraged: { input: k, output: -k } };
      v.perNetwork.ood = Array.from({ length: 10 }, (_, i) => 1 + (2 - 0.15 * k) * (i % 3));
      v.perNetwork.attractorness = Array.from(
        { length: 10 },
        () =>
          ({
            flipflop: 0.01,
            delayed_discrimination: 0.05,
            sine_freq: 0.03,
            sine_n: 0.03,
            path_integration: 0.2,
          })[s]!,
      );
      vs.push(v);
      k++;
    }
  }
  const get = (id: string) =>
    evaluateClaims(claimSpecs().filter((s) => s.id === id), vs, 200, 3)[0];
  const f = get("fig3c.output_complexity_vs_dsa");
  assert.equal(f.units, 10);
  assert.ok(f.value! < -0.9, `${f.value}`);
  assert.equal(f.verdict, "reproduced");
  // the time-averaged reading is planted the other way round
  assert.equal(get("fig3c.output_complexity_time_averaged_vs_dsa").verdict, "not reproduced");
  // the CV of 1 + s·(i mod 3) rises with the spread s, as the mean DSA does: §3.2.3's link holds
  assert.equal(get("s323.dsa_vs_ood_cv").verdict, "reproduced");
  const o = get("appb.attractorness_ordering");
  assert.equal(o.verdict, "reproduced");
  assert.equal(o.value, 1);
});
