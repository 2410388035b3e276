/**
 * The measurement-sensitivity study: every preset's grid plans into a valid graph (every unit
 * validated, the DSA embeddings of every setting well posed); settings share the run's files
 * wherever they would compute the same numbers; and a smoke run's sensitivity study, run
 * through the same units and executor, never trains, writes its summary and puts a section in
 * the report, with the measurement variance in the claims table.
 */
import assert from "node:assert/strict";
import { PRESETS } from "../../scripts/presets.ts";
import { EVAL_ROW_MARGIN } from "../../scripts/presets.ts";
import {
  buildGraph,
  checkPlanStructure,
  PlanError,
  planFile,
} from "../../scripts/lib/units/graph.ts";
import { runPipeline } from "../../scripts/lib/pipeline.ts";
import {
  checkSensitivityOptions,
  SENSITIVITY_GRIDS,
  sensitivitySummaryPath,
} from "../../scripts/lib/sensitivity.ts";
import { readSensitivitySummary } from "../../scripts/report/sensitivity_view.ts";
import { removeStaleSummary, sensitivityOptions, untrained } from "../../scripts/sensitivity.ts";
import { claimsPath, networkPath, reportMdPath } from "../../scripts/lib/layout.ts";

Deno.test("every preset's sensitivity grid plans into a valid graph", () => {
  for (const name of Object.keys(PRESETS)) {
    const g = buildGraph({ preset: name, backend: "auto", sensitivity: { grid: name } });
    const plan = planFile(g);
    assert.deepEqual(checkPlanStructure(plan), [], `${name}: plan structure`);
    const names = plan.stages.map((s) => s.name);
    assert.deepEqual(names.slice(-2), ["sensitivity", "report"]);
    const report = plan.stages.at(-1)!.units[0];
    assert.ok(report.inputs.includes(sensitivitySummaryPath("")), "report reads the summary");
    const grid = SENSITIVITY_GRIDS[name].settings;
    assert.equal(g.sensitivity!.settings.length, grid.length);
    for (const s of g.sensitivity!.settings) {
      // every setting covers every population, with a well-posed DSA embedding
      for (const v of g.variants) {
        const p = s.populations[`${v.study}/${v.variant}`];
        assert.ok(p, `${name}: ${s.id} lacks ${v.study}/${v.variant}`);
        const m = p.measure;
        const rowsPerTrial = v.sizes.steps - (m.dsa.delays - 1) * m.dsa.delayInterval;
        assert.ok(
          m.evalTrials * rowsPerTrial >= EVAL_ROW_MARGIN * v.sizes.hidden * m.dsa.delays,
          `${name} ${s.id} ${v.study}/${v.variant}: ${m.evalTrials} × ${rowsPerTrial}`,
        );
        assert.ok(m.rankAsked <= v.sizes.hidden * m.dsa.delays);
      }
    }
    // no training unit belongs to a setting
    for (const st of plan.stages) {
      for (const u of st.units) {
        if (u.id.includes("@")) assert.notEqual(st.name, "train", u.id);
        assert.ok(u.coreSeconds > 0 && u.memoryMB > 0, `${u.id}: cost`);
      }
    }
  }
});

Deno.test("settings share the run's files wherever the numbers would be the same", () => {
  const g = buildGraph({
    preset: "quick",
    backend: "auto",
    studies: ["flipflop"],
    sensitivity: { grid: "quick" },
  });
  const stagesOf = (id: string) =>
    new Set(
      g.stages.flatMap((st) => st.units.filter((u) => u.id.endsWith(`@${id}`)).map(() => st.name)),
    );
  // a new optimiser seed: only DSA and PIF pairs (and their merges)
  assert.deepEqual([...stagesOf("optimiser2")].sort(), ["dsa", "merge", "pif"]);
  // other DSA delays and rank: refit the run's trajectories, no new trajectories
  assert.deepEqual([...stagesOf("dsa20x200")].sort(), ["dsa", "dsa-rank", "fit", "merge"]);
  // another evaluation batch: trajectories, fits and DSA pairs; PIF is the run's
  assert.deepEqual([...stagesOf("batch2")].sort(), ["dsa", "dsa-rank", "fit", "hidden", "merge"]);
  // learned-only networks of a run that uses all: the run's files, subset
  assert.equal(stagesOf("learned").size, 0);
  const conv = g.sensitivity!.settings.find((s) => s.id === "learned")!;
  assert.deepEqual(conv.populations["flipflop/n1"].dirs, { pernet: "", dsa: "", pif: "" });
  assert.equal(conv.populations["flipflop/n1"].useMembers, "converged");
  assert.equal(conv.populations["flipflop/n1"].pifRelative, false);
  // PIF relative to init: the flip-flop's variants share a size, so the run's PIF blocks do not
  // measure the initial pairs (pifInit); the setting's own PIF blocks do, with the run's seed
  assert.equal(g.variants[0].measure.pifInit, false);
  assert.deepEqual([...stagesOf("pif-relative")].sort(), ["merge", "pif"]);
  const rel = g.sensitivity!.settings.find((s) => s.id === "pif-relative")!;
  assert.equal(rel.populations["flipflop/n1"].pifRelative, true);
  assert.equal(rel.populations["flipflop/n1"].measure.pifInit, true);
  assert.equal(rel.populations["flipflop/n1"].measure.pifSeed, g.variants[0].measure.pifSeed);
  assert.equal(rel.populations["flipflop/n1"].dirs.pif, "sensitivity/pif-relative");
  // ... while in a study whose variants differ in size the run's own PIF file already holds
  // the reading: the setting computes nothing
  const size = buildGraph({
    preset: "quick",
    backend: "auto",
    studies: ["network_size"],
    sensitivity: { grid: "quick", settings: ["pif-relative"] },
  });
  assert.ok(size.variants.every((v) => v.measure.pifInit));
  assert.equal(size.measureVariants.length, 0);
  for (const p of Object.values(size.sensitivity!.settings[0].populations)) {
    assert.equal(p.dirs.pif, "");
    assert.equal(p.pifRelative, true);
  }
  // Table 2 for quick's 64-unit flip-flop: 30 delays / rank 1000 need 34 trials (1.25 × 1920 / 71)
  const t2 = g.sensitivity!.settings.find((s) => s.id === "table2")!.populations["flipflop/n1"];
  assert.equal(t2.measure.dsa.delays, 30);
  assert.equal(t2.measure.rankAsked, 1000);
  assert.equal(t2.measure.evalTrials, 34);
  assert.match(t2.notes[0], /raised from 32 to 34/);
  // the seeds of the replicates
  const b2 = g.sensitivity!.settings.find((s) => s.id === "batch2")!.populations["flipflop/n1"];
  const base = g.variants[0].measure;
  assert.equal(b2.measure.evalSeed, base.evalSeed + 100);
  assert.equal(b2.measure.oodSeed, base.oodSeed + 100);
  assert.equal(b2.measure.dsaSeed, base.dsaSeed);
});

Deno.test("sensitivity options: bad grid or setting names the field", () => {
  assert.throws(() => checkSensitivityOptions({ grid: "nope" }), /sensitivity\.grid/);
  assert.throws(
    () => checkSensitivityOptions({ grid: "quick", settings: ["dsa99x9"] }),
    /sensitivity\.settings: "dsa99x9"/,
  );
  assert.throws(
    () => buildGraph({ preset: "quick", backend: "auto", sensitivity: { grid: "x" } }),
    /sensitivity\.grid/,
  );
  // a setting whose delays do not fit in a trial is a plan error naming it
  SENSITIVITY_GRIDS["test-bad"] = {
    description: "test",
    settings: [{
      id: "dsa99x8",
      label: "too many delays",
      role: "alternative",
      dimension: "dsa",
      dsa: { delays: 99, rank: 8 },
    }],
  };
  try {
    assert.throws(
      () =>
        buildGraph({
          preset: "smoke",
          backend: "auto",
          studies: ["delayed_discrimination"],
          sensitivity: { grid: "test-bad" },
        }),
      (e: Error) =>
        e instanceof PlanError && /setting dsa99x8, study delayed_discrimination/.test(e.message),
    );
  } finally {
    delete SENSITIVITY_GRIDS["test-bad"];
  }
});

Deno.test({
  name: "a smoke run's sensitivity study: never trains, summary, report section, noisy CIs",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const out = await Deno.makeTempDir({ prefix: "sensitivity-test-" });
    try {
      const run = {
        preset: "smoke",
        members: 4,
        backend: "cpu",
        studies: ["flipflop" as const],
      };
      await runPipeline({ out, options: run, workers: 0, quiet: true });
      const stat = async () => (await Deno.stat(networkPath(out, "flipflop", "n1", 0))).mtime;
      const before = await stat();
      const options = await sensitivityOptions(out, undefined, undefined);
      assert.deepEqual(options.sensitivity, { grid: "smoke" });
      const graph = buildGraph(options);
      assert.deepEqual(untrained(out, graph), []);
      const failed = await runPipeline({ out, options, workers: 0, quiet: true });
      assert.deepEqual(failed, []);
      assert.deepEqual(await stat(), before, "a network file was rewritten");
      const s = await readSensitivitySummary(out);
      assert.ok(s, "summary written");
      assert.equal(s.settings.length, SENSITIVITY_GRIDS.smoke.settings.length);
      const dsa = s.claims.find((c) => c.id === "flipflop.dsa")!;
      // base, base + measurement variance, one row per setting
      assert.deepEqual(
        dsa.rows.map((r) => r.setting),
        ["base", "base+noise", ...SENSITIVITY_GRIDS.smoke.settings.map((x) => x.id)],
      );
      const n1 = s.noise["flipflop/n1"].dsa!;
      assert.ok(n1.batchReplicates && n1.optimiserReplicates, "both noise sources measured");
      assert.equal(n1.batchReplicates.replicates, 2);
      assert.ok(["networks", "batch", "optimiser"].includes(n1.dominant));
      assert.ok(dsa.noise && dsa.power);
      // smoke networks do not learn: learned-only has no network (fewer than the minimum)
      const conv = dsa.rows.find((r) => r.setting === "learned")!;
      assert.equal(conv.verdict, "insufficient data");
      // the report: a sensitivity section, and the claims rows name the dominant source
      const md = await Deno.readTextFile(reportMdPath(out));
      assert.match(md, /## Measurement sensitivity/);
      assert.match(md, /Which verdicts rest on the measurement/);
      const claims = JSON.parse(await Deno.readTextFile(claimsPath(out))) as {
        claims: { id: string; note: string }[];
      };
      const row = claims.claims.find((c) => c.id === "flipflop.dsa")!;
      assert.match(row.note, /dominant: (networks|batch|optimiser)/);
      // naming settings adds to the study: the summarised settings are kept …
      assert.equal(await removeStaleSummary(out, graph), false);
      const added = await sensitivityOptions(out, "smoke", ["optimiser2"]);
      assert.deepEqual(
        added.sensitivity!.settings,
        SENSITIVITY_GRIDS.smoke.settings.map((x) => x.id),
      );
      assert.deepEqual(
        added.kept,
        SENSITIVITY_GRIDS.smoke.settings.map((x) => x.id).filter((id) => id !== "optimiser2"),
      );
      assert.equal(await removeStaleSummary(out, buildGraph(added)), false);
      // … unless --only: the summary stands for its selection, and another selection removes it
      const only = await sensitivityOptions(out, "smoke", ["optimiser2"], true);
      assert.deepEqual(only.sensitivity!.settings, ["optimiser2"]);
      assert.equal(only.kept, undefined);
      const fewer = buildGraph(only);
      assert.equal(await removeStaleSummary(out, fewer), true);
      assert.equal(await readSensitivitySummary(out), null);
      // a directory with a missing network is refused (the study never trains)
      await Deno.remove(networkPath(out, "flipflop", "n2", 3));
      assert.equal(untrained(out, graph).length, 1);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
