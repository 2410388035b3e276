/**
 * Fixed points in the pipeline: the resting inputs per task, the start pool, the registry entry
 * `fixed_points` on trained fixture networks (a 3-bit flip-flop: 8 stable fixed points on 8
 * corners; a delayed-discrimination network trained with the auxiliary loss: a line attractor),
 * the `fixed-points` and merge units on a smoke population (file shapes), the figures (Fig. 2E,
 * Fig. 7 analogue) and the two attractor claims on planted inputs.
 */
import assert from "node:assert/strict";
import { XMLValidator } from "npm:fast-xml-parser@5.12.1";
import { createTask } from "../../mod.ts";
import { parseNetworkRecord, runNetwork } from "../../rnn/record.ts";
import {
  compactRun,
  type FixedPointView,
  restingInputs,
  startPool,
  viewInputIndex,
} from "../../scripts/lib/fixed_points.ts";
import { buildMetricFile, METRIC_REGISTRY } from "../../scripts/lib/metrics.ts";
import { buildGraph } from "../../scripts/lib/units/graph.ts";
import { runUnit } from "../../scripts/lib/units/execute.ts";
import { preparePlan } from "../../scripts/lib/pipeline.ts";
import { fixedPointsPath, metricPath } from "../../scripts/lib/layout.ts";
import {
  buildFixedPointFigures,
  cornerCount,
  type FixedPointData,
  fixedPointData,
  fixedPointsMarkdown,
} from "../../scripts/report/fixed_points.ts";
import { renderSvg } from "../../scripts/report/figures.ts";
import { binomialTwoSidedP, wilsonInterval } from "../../scripts/report/fixed_point_claims.ts";
import { claimSpecs, evaluateClaims, type VariantData } from "../../scripts/report/claims.ts";
import type { TaskSpec } from "../../tasks/factory.ts";

const FIXTURES = new URL("../fixtures/fixed_points/", import.meta.url).pathname;

function fixture(name: string) {
  const rec = parseNetworkRecord(
    JSON.parse(Deno.readTextFileSync(`${FIXTURES}${name}.json`)),
    name,
  );
  const task = createTask({ name: rec.task.name, ...rec.task.params } as TaskSpec);
  const b = task.sample(16, 900_001);
  const run = runNetwork(rec, null, { batch: b.batch, steps: b.steps, inputs: b.inputs });
  const hidden = { data: run.hidden, trials: b.batch, steps: b.steps, units: rec.shape.hidden };
  return { rec, task, hidden };
}

Deno.test("resting inputs: zeros for flip-flop and delayed discrimination, zero velocity for path integration, one per sine frequency", () => {
  const one = (spec: TaskSpec) => restingInputs(createTask(spec)).map((r) => r.input);
  assert.deepEqual(one({ name: "flipflop", n: 3 }), [[0, 0, 0]]);
  assert.deepEqual(one({ name: "delayed_discrimination", n: 2 }), [[0, 0]]);
  // 2D cos_sin: [cos θ, sin θ, v, x0, y0] at θ = 0, v = 0
  assert.deepEqual(one({ name: "path_integration", dims: 2 }), [[1, 0, 0, 0, 0]]);
  // 3D: [cos θ, sin θ, cos φ, sin φ, v, x0, y0, z0]
  assert.deepEqual(one({ name: "path_integration", dims: 3 }), [[1, 0, 1, 0, 0, 0, 0, 0]]);
  assert.deepEqual(one({ name: "path_integration", dims: 2, angleEncoding: "raw" }), [[
    0,
    0,
    0,
    0,
  ]]);
  // sine: f / fMax on every channel for f in {1, 15.5, 30}
  assert.deepEqual(one({ name: "sine", n: 2, nFreq: 3 }), [[1 / 30, 1 / 30], [
    15.5 / 30,
    15.5 / 30,
  ], [1, 1]]);
  assert.equal(viewInputIndex(1), 0);
  assert.equal(viewInputIndex(4), 1);
  assert.equal(viewInputIndex(5), 2);
  assert.throws(
    () => restingInputs({ name: "bogus" as never, params: {}, inputDim: 1 }),
    /no resting input defined for task "bogus"/,
  );
});

Deno.test("startPool: every state when few, evenly strided when many", () => {
  const h = {
    data: Float32Array.from({ length: 2 * 5 * 2 }, (_, i) => i),
    trials: 2,
    steps: 5,
    units: 2,
  };
  assert.equal(startPool(h, 100).length, 10);
  assert.deepEqual(startPool(h, 5), [[0, 1], [4, 5], [8, 9], [12, 13], [16, 17]]);
  assert.throws(() => startPool(h, 0), /maxStartStates must be an integer ≥ 1/);
});

Deno.test("registry entry fixed_points on the trained 3-bit flip-flop: 8 stable points on 8 corners, the 3^3 set", () => {
  const { rec, task, hidden } = fixture("flipflop3");
  const R = METRIC_REGISTRY.fixed_points;
  const r = R.compute(rec, task, hidden, R.defaults);
  assert.equal(r.value, 8);
  assert.equal(r.extra.runs.length, 1);
  const run = r.extra.runs[0];
  assert.deepEqual(run.input, [0, 0, 0]);
  assert.deepEqual(run.summary.byUnstableDims, { 0: 8, 1: 12, 2: 6, 3: 1 });
  assert.ok(run.summary.maxResidual! <= 1e-10);
  assert.equal(run.stableReadouts.length, 8);
  assert.equal(cornerCount(run.stableReadouts), 8);
  for (const y of run.stableReadouts) for (const x of y) assert.ok(Math.abs(Math.abs(x) - 1) < 0.1);
  // the Fig. 2E view: 3 PCs, 8 trials, every fixed point with its unstable directions
  const v = r.extra.view;
  assert.equal(v.dims, 3);
  assert.equal(v.trajectories.length, 8);
  assert.equal(v.trajectories[0][0].length, 3);
  assert.equal(v.fixedPoints.length, 27);
  assert.deepEqual(
    [...v.unstableDims].sort(),
    run.summary.points.map((p) => p.unstableDims).sort(),
  );
  assert.ok(v.explained[0] >= v.explained[1] && v.explained[1] >= v.explained[2]);
  // same inputs, same numbers
  const again = R.compute(rec, task, hidden, R.defaults);
  assert.deepEqual(
    again.extra.runs.map(compactRun),
    r.extra.runs.map(compactRun),
  );
  // the metric file keeps the summaries without states or timings
  const c = compactRun(run);
  assert.ok(!("h" in c.summary.points[0]) && !("timeMs" in c.summary));
  // a network that does not fit the task is an error naming the field
  assert.throws(
    () => R.compute(rec, createTask({ name: "flipflop", n: 2 }), hidden, R.defaults),
    /record\.shape\.inputDim \(3\) must equal the task's inputDim \(2\)/,
  );
});

Deno.test("registry entry fixed_points on delayed discrimination with the auxiliary loss: a line attractor", () => {
  const { rec, task, hidden } = fixture("dd_aux");
  const R = METRIC_REGISTRY.fixed_points;
  const r = R.compute(rec, task, hidden, R.defaults);
  assert.deepEqual(r.extra.runs[0].input, [0]);
  assert.ok(r.extra.lineAttractorLength > 5, `length ${r.extra.lineAttractorLength}`);
  assert.ok(r.extra.view.continua.length >= 1);
  assert.ok(r.extra.view.continuumDimensions.includes(1));
});

Deno.test({
  name: "fixed-points and merge units on a smoke population: file shapes",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "fp_units_" });
    try {
      const g = buildGraph({ preset: "smoke", members: 2, studies: ["flipflop"], backend: "cpu" });
      const st = g.stages.find((s) => s.name === "fixed-points")!;
      assert.deepEqual(st.dependsOn, ["train", "hidden"]);
      const v = g.variants[0];
      assert.deepEqual(
        st.units.filter((u) => u.id.startsWith(`fixed-points/flipflop/${v.variant}/`)).map((u) =>
          u.outputs
        ),
        [0, 1].map((m) => [fixedPointsPath("", "flipflop", v.variant, m)]),
      );
      const merge = g.byId.get(`merge/flipflop/${v.variant}/fixed_points`)!;
      assert.deepEqual(merge.outputs, [metricPath("", "flipflop", v.variant, "fixed_points")]);
      assert.ok(g.byId.get("report")!.inputs.includes(merge.outputs[0]));
      await preparePlan(out, g);
      const wanted = (id: string) =>
        id.startsWith(`train/flipflop/${v.variant}/`) ||
        id.startsWith(`hidden/flipflop/${v.variant}/`) ||
        id.startsWith(`fixed-points/flipflop/${v.variant}/`) || id === merge.id;
      for (const stage of g.stages) {
        for (const u of stage.units.filter((x) => wanted(x.id))) {
          const o = await runUnit(out, g, u, { workers: 0, backend: "cpu", quiet: true });
          assert.equal(o.status, "done", `${u.id}: ${o.message}`);
        }
      }
      const f = JSON.parse(
        await Deno.readTextFile(fixedPointsPath(out, "flipflop", v.variant, 0)),
      );
      assert.equal(f.schema, "degeneracy.fixed-points/1");
      assert.equal(f.member, 0);
      assert.equal(f.used, true);
      assert.equal(f.runs.length, 1);
      assert.equal(f.value, f.runs[0].summary.stable);
      assert.equal(f.parameters.numStarts, 256);
      assert.equal(f.parameters.seed, g.preset.seed);
      assert.equal(f.view.dims, 3);
      const m = JSON.parse(
        await Deno.readTextFile(metricPath(out, "flipflop", v.variant, "fixed_points")),
      );
      assert.equal(m.schema, "degeneracy.metric/2");
      assert.equal(m.metric, "fixed_points");
      assert.equal(m.ids.length, 2);
      assert.equal(m.values.length, 2);
      assert.equal(m.population.members, 2);
      assert.equal(m.summary.n, 2);
      assert.equal(typeof m.summary.lineAttractorLength.mean, "number");
      const net = m.extra.networks[m.ids[0]];
      assert.equal(net.runs[0].summary.stable, m.values[0]);
      assert.ok(!("h" in net.runs[0].summary.points[0]));
      assert.equal(m.extra.example.id, m.ids[0]);
      assert.equal(m.extra.example.view.dims, 3);
      // the report reads it
      const d = fixedPointData(m);
      assert.deepEqual(d.stable, m.values);
      assert.equal(d.example!.id, m.ids[0]);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("fixedPointData reads a measure:fixed_points file (one summary per network)", () => {
  const summary = {
    fixedPoints: 3,
    stable: 2,
    byUnstableDims: { 0: 2, 1: 1 },
    lineAttractorLength: 0,
  };
  const f = buildMetricFile({
    metric: "fixed_points",
    parameters: {},
    ids: ["a"],
    values: [2],
    summary: {},
    checks: null,
    source: {},
    extra: { networks: { a: summary } },
  });
  const d = fixedPointData(f);
  assert.deepEqual(d.stableByInput, [[2]]);
  assert.deepEqual(d.status, [null]);
  assert.deepEqual(d.corners, [null]);
  assert.equal(d.example, null);
  assert.throws(
    () => fixedPointData({ ...f, extra: {} }, "x.json"),
    /x\.json: a fixed_points metric file needs values and extra.networks/,
  );
});

/** A planted Fig. 2E view: two stable points, a saddle between them, a line through them. */
function view(dims: number): FixedPointView {
  const pt = (x: number) => Array.from({ length: dims }, (_, k) => (k === 0 ? x : 0.1 * k));
  return {
    run: 0,
    dims,
    explained: Array.from({ length: dims }, (_, k) => 0.5 / (k + 1)),
    trajectories: [[pt(-1), pt(-0.5), pt(0.5)], [pt(1), pt(0.9), pt(0.8)]],
    fixedPoints: [pt(-1), pt(0), pt(1)],
    unstableDims: [0, 1, 0],
    slowPoints: [pt(0.5)],
    continua: [[[pt(-1), pt(0), pt(1)]]],
    continuumDimensions: [1],
  };
}

function fpData(stable: number[], lla: number[], status: string[], v?: FixedPointView) {
  return {
    stable,
    stableByInput: stable.map((s) => [s]),
    fixedPoints: stable.map((s) => 2 * s - 1),
    byUnstableDims: stable.map((s) => ({ 0: s })),
    lineAttractorLength: lla,
    status,
    corners: stable,
    inputs: ["no pulse (input 0)"],
    example: v ? { id: "m0", status: "converged", run: "no pulse (input 0)", view: v } : null,
  } satisfies FixedPointData;
}

function variant(study: string, level: number, fp: FixedPointData): VariantData {
  const n = fp.stable.length;
  return {
    study,
    variant: `v${level}`,
    label: `${study} ${level}`,
    level,
    complexity: null,
    ids: Array.from({ length: n }, (_, i) => `m${i}`),
    networks: {
      members: n,
      converged: fp.status.filter((s) => s === "converged").length,
      used: n,
    },
    perNetwork: {},
    pairwise: {},
    fixedPoints: fp,
  };
}

Deno.test("Fig. 2E per task and the Fig. 7 analogue render to valid SVGs with their data", async () => {
  const conv = ["converged", "converged", "converged"];
  const variants = [
    variant("flipflop", 2, fpData([4, 4, 4], [0, 0, 0], conv, view(3))),
    variant("flipflop", 3, fpData([8, 8, 8], [0, 0, 0], conv, view(3))),
    variant("path_integration", 2, fpData([0, 0, 0], [0, 0, 0], conv, view(2))),
    variant("aux_loss", 0, fpData([2, 2, 2], [0, 0, 1.5], conv)),
    variant("aux_loss", 1, fpData([2, 2, 2], [4, 5, 6], conv)),
  ];
  const figs = buildFixedPointFigures(variants);
  assert.deepEqual(figs.map((f) => f.name), [
    "fig2e_flipflop",
    "fig2e_path_integration",
    "fig7_aux_line_attractors",
  ]);
  // flip-flop shows N = 3 (the level Fig. 2E of the paper shows), 3 panels of PC pairs
  assert.match(figs[0].title, /flipflop 3/);
  for (const f of figs) {
    const svg = await renderSvg(f.spec);
    assert.equal(XMLValidator.validate(svg), true, f.name);
    assert.ok((svg.match(/role="graphics-symbol"/g) ?? []).length > 0, f.name);
    assert.doesNotMatch(svg, /no data/, f.name);
  }
  const ff = await renderSvg(figs[0].spec);
  for (const p of ["x: PC1 (50%), y: PC2 (25%)", "x: PC1 (50%), y: PC3 (17%)", "x: PC2"]) {
    assert.ok(ff.includes(p), p);
  }
  assert.ok(ff.includes("1 unstable direction"));
  const pi = await renderSvg(figs[1].spec);
  assert.ok(pi.includes("x: PC1 (50%), y: PC2 (25%)") && !pi.includes("PC3"));
  // Fig. 7: one dot per network, the mean of weight 1 (5) with its CI
  const f7 = await renderSvg(figs[2].spec);
  assert.match(f7, /aria-label="auxiliary-loss weight: 1; line-attractor length: 5; id: m1/);
  assert.match(f7, /aria-label="auxiliary-loss weight: 1; value: 5"/); // the mean
  assert.match(f7, /aria-label="auxiliary-loss weight: 1; lo: 4; hi: 6"/); // its 95% CI
  assert.match(figs[2].caption, /0: 1\/3, 1: 3\/3/);
  // the table lists every population with fixed points
  const md = fixedPointsMarkdown(variants).join("\n");
  assert.match(md, /\| flipflop \| flipflop 3 \| 3 \| 3 \| 8 \(3 networks\) \|/);
  assert.match(md, /\| aux_loss \| aux_loss 1 \| .* \| 3\/3 \| 5\.00 \|/);
  assert.equal(buildFixedPointFigures([]).length, 0);
});

Deno.test("exact binomial test and Wilson interval", () => {
  assert.ok(Math.abs(binomialTwoSidedP(10, 10) - 2 / 1024) < 1e-15);
  assert.ok(Math.abs(binomialTwoSidedP(0, 10) - 2 / 1024) < 1e-15);
  assert.equal(binomialTwoSidedP(5, 10), 1);
  // P(X ≤ 2) + P(X ≥ 8) for n = 10: 2·(1 + 10 + 45)/1024
  assert.ok(Math.abs(binomialTwoSidedP(8, 10) - 112 / 1024) < 1e-12);
  const [lo, hi] = wilsonInterval(8, 10);
  assert.ok(Math.abs(lo - 0.4902) < 1e-4 && Math.abs(hi - 0.9433) < 1e-4, `${lo} ${hi}`);
  assert.throws(() => binomialTwoSidedP(3, 2), /0 ≤ k ≤ n/);
});

Deno.test("attractor claims on planted inputs: verdicts, counts, networks left out", () => {
  const ids = ["fig2e.flipflop.stable_fixed_points", "fig7.aux_loss.line_attractors"];
  const specs = claimSpecs().filter((s) => ids.includes(s.id));
  assert.equal(specs.length, 2);
  const conv = (n: number) => Array.from({ length: n }, () => "converged");
  const row = (vs: VariantData[], id: string) =>
    evaluateClaims(specs, vs, 200, 0).find((c) => c.id === id)!;

  // every converged network has 2^N stable points; an unconverged one with 3 is left out
  const good = [
    variant("flipflop", 1, fpData([2, 2, 2, 2, 2, 2], [0, 0, 0, 0, 0, 0], conv(6))),
    variant(
      "flipflop",
      2,
      fpData([4, 4, 4, 4, 4, 3], [0, 0, 0, 0, 0, 0], [
        ...conv(5),
        "not_converged",
      ]),
    ),
  ];
  const ff = row(good, ids[0]);
  assert.equal(ff.verdict, "reproduced");
  assert.equal(ff.value, 1);
  assert.equal(ff.units, 11);
  assert.ok(Math.abs(ff.p! - 2 / 2 ** 11) < 1e-15);
  assert.match(ff.note, /N = 1: 6\/6, N = 2: 5\/5/);
  assert.match(ff.note, /1 used networks that did not converge are left out/);
  assert.deepEqual(ff.networks, { members: 12, converged: 11, used: 12 });
  // most converged networks miss 2^N → not reproduced
  const bad = [variant("flipflop", 2, fpData(Array(12).fill(3), Array(12).fill(0), conv(12)))];
  assert.equal(row(bad, ids[0]).verdict, "not reproduced");
  // no converged network → not computed (no evidence)
  const unconverged = (n: number) =>
    Array.from({ length: n }, (_, i) => i % 2 ? "diverged" : "not_converged");
  const none = [variant("flipflop", 1, fpData(Array(6).fill(2), Array(6).fill(0), unconverged(6)))];
  const nc = row(none, ids[0]);
  assert.equal(nc.verdict, "not computed");
  assert.match(nc.note, /no converged flip-flop network/);
  // two networks in a level (fewer than MIN_NETWORKS_PER_LEVEL): insufficient data
  const two = [variant("flipflop", 1, fpData([2, 2], [0, 0], ["not_converged", "diverged"]))];
  const thin = row(two, ids[0]);
  assert.equal(thin.verdict, "insufficient data");
  assert.match(
    thin.note,
    /^insufficient data: fewer than 5 networks per level \(flipflop\/\S+: 2\)/,
  );

  // line attractors grow with the auxiliary weight → reproduced; the other way → not reproduced
  const aux = (a: number[], b: number[], c: number[]) => [
    variant("aux_loss", 0, fpData(a.map(() => 2), a, conv(a.length))),
    variant("aux_loss", 0.5, fpData(b.map(() => 2), b, conv(b.length))),
    variant("aux_loss", 1, fpData(c.map(() => 2), c, conv(c.length))),
  ];
  const up = row(aux([0, 0, 0, 0, 0, 0], [0, 2, 3, 0, 2.5, 3.5], [5, 6, 7, 8, 6.5, 7.5]), ids[1]);
  assert.equal(up.verdict, "reproduced");
  assert.ok(up.value! > 0.8 && up.ciLow! > 0, `${up.value} [${up.ciLow}, ${up.ciHigh}]`);
  assert.match(up.note, /weight 0 0\/6, weight > 0 10\/12/);
  const down = row(aux([5, 6, 7, 8, 6.5, 7.5], [0, 2, 3, 0, 2.5, 3.5], [0, 0, 0, 0, 0, 0]), ids[1]);
  assert.equal(down.verdict, "not reproduced");
  const zeros = Array(6).fill(0);
  const flat = row(aux(zeros, zeros, zeros), ids[1]);
  assert.equal(flat.verdict, "inconclusive");
  assert.match(flat.note, /no network has a line attractor/);
  // without fixed points the rows say not computed
  const noFp = [{ ...good[0], fixedPoints: undefined }];
  assert.equal(row(noFp, ids[0]).verdict, "not computed");
});
