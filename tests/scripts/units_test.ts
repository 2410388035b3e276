/**
 * The unit graph: every preset plans into a valid graph (stages in topological order, every
 * input an earlier output), the paper preset included; an invalid DSA embedding is an error
 * naming study, variant and numbers; unit states come from the files; the runner's permissions
 * are exact. And the numbers do not depend on how the work was split or ordered: the smoke
 * flip-flop study run with two different unit splits, one on Web Workers and one in-process in
 * reversed order within each stage, gives identical networks and metric files. Each network's
 * prepared DSA operator is written once by its fit unit and read by the pair blocks.
 */
import assert from "node:assert/strict";
import { PRESETS } from "../../scripts/presets.ts";
import {
  buildGraph,
  checkPlanStructure,
  PlanError,
  planFile,
  type PlanOptions,
  STAGES,
  validateVariants,
} from "../../scripts/lib/units/graph.ts";
import { stageCounts, unitStates } from "../../scripts/lib/units/status.ts";
import { runnerPermissions } from "../../scripts/lib/units/permissions.ts";
import { runUnit } from "../../scripts/lib/units/execute.ts";
import { runLocal } from "../../scripts/lib/executors/local.ts";
import { preparePlan } from "../../scripts/lib/pipeline.ts";
import { preparedPath, unitErrorPath } from "../../scripts/lib/layout.ts";
import {
  deserializePreparedOperator,
  prepareOperator,
  PROCRUSTES_OPTIMISER,
} from "../../metrics/dsa/mod.ts";

Deno.test("every preset plans into a valid graph; paper without errors", () => {
  for (const name of Object.keys(PRESETS)) {
    const g = buildGraph({ preset: name, backend: "auto" });
    const plan = planFile(g);
    assert.equal(plan.schema, "degeneracy.plan/1");
    assert.deepEqual(plan.stages.map((s) => s.name), [...STAGES]);
    assert.deepEqual(checkPlanStructure(plan), [], `${name}: plan structure`);
    for (const st of plan.stages) {
      for (const u of st.units) {
        assert.ok(u.coreSeconds > 0 && u.memoryMB > 0, `${u.id}: cost`);
        for (const p of [...u.inputs, ...u.outputs]) assert.ok(!p.startsWith("/"), p);
      }
    }
    // every study × variant: the DSA embedding has rows ≥ 1.25 × columns, and the rank asked
    // fits the embedding (the DMD regression is well posed)
    for (const v of g.variants) {
      const s = g.preset.dsa[v.family];
      const rows = v.evalTrials * (v.sizes.dsaSteps - (s.delays - 1) * s.delayInterval);
      const columns = v.sizes.hidden * s.delays;
      assert.ok(rows >= 1.25 * columns, `${name} ${v.study}/${v.variant}`);
      assert.ok(
        v.rankAsked >= 1 && v.rankAsked <= Math.min(rows, columns),
        `${v.study}/${v.variant}`,
      );
    }
    // the plan's memory fits: no unit needs more than a 16 GB node (the largest, a paper fit at
    // hidden 256, about 1 GB)
    const maxMemory = Math.max(...plan.stages.flatMap((st) => st.units.map((u) => u.memoryMB)));
    assert.ok(maxMemory <= 16_000, `${name}: a unit needs ${maxMemory} MB`);
    // the sloppy-dimension studies are planned too
    assert.ok(g.variants.some((v) => v.study === "dd_delay"), `${name}: dd_delay`);
    assert.ok(g.variants.some((v) => v.study === "pi_arena"), `${name}: pi_arena`);
  }
  const paper = buildGraph({ preset: "paper", backend: "auto" });
  const dd = paper.variants.find((v) => v.study === "delayed_discrimination")!;
  assert.equal(dd.evalTrials, 79); // 1.25 · 128 · 20 / 41 = 78.05 → 79
  const h256 = paper.variants.find((v) => v.study === "network_size" && v.level === 256)!;
  assert.equal(h256.evalTrials, 157);
  // quick keeps its 32 evaluation trials everywhere (results as before)
  for (const v of buildGraph({ preset: "quick", backend: "auto" }).variants) {
    assert.equal(v.evalTrials, 32, `${v.study}/${v.variant}`);
  }
});

Deno.test("an ill-posed DSA embedding is an error naming study, variant and numbers", () => {
  const g = buildGraph({ preset: "paper", backend: "auto", studies: ["delayed_discrimination"] });
  const v = { ...g.variants[0], evalTrials: 50 };
  const problems = validateVariants([v], g.preset);
  assert.equal(problems.length, 1);
  assert.match(
    problems[0],
    /study delayed_discrimination, variant n1: DSA delay embedding has 2050 rows \(50 trials × 41 rows per trial\) < 2560 columns \(128 units × 20 delays\)/,
  );
  const tooLong = { ...g.preset, dsa: { ...g.preset.dsa } };
  tooLong.dsa.delayed_discrimination = { ...tooLong.dsa.delayed_discrimination, delays: 60 };
  assert.match(validateVariants([g.variants[0]], tooLong)[0], /need more than 60 steps/);
  assert.throws(
    () => buildGraph({ preset: "smoke", backend: "auto", pairBlock: 0 }),
    /pairBlock: must be an integer ≥ 1/,
  );
  assert.ok(new PlanError(["a", "b"]).message.includes("a; b"));
});

Deno.test("unit states come from the files; blocked units wait on a failure", async () => {
  const out = await Deno.makeTempDir({ prefix: "units_state_" });
  try {
    const g = buildGraph({ preset: "smoke", backend: "cpu", studies: ["flipflop"] });
    const plan = planFile(g);
    const train = plan.stages.find((s) => s.name === "train")!.units[0];
    for (const o of train.outputs) {
      await Deno.mkdir(`${out}/${o.slice(0, o.lastIndexOf("/"))}`, { recursive: true });
      await Deno.writeTextFile(`${out}/${o}`, "{}");
    }
    const comp = plan.stages.find((s) => s.name === "complexity")!.units[0];
    await Deno.mkdir(`${out}/errors`, { recursive: true });
    await Deno.writeTextFile(unitErrorPath(out, comp.id), "{}");
    const states = unitStates(out, plan);
    assert.equal(states.get(train.id), "done");
    assert.equal(states.get(comp.id), "failed");
    assert.equal(unitErrorPath(out, comp.id), `${out}/errors/complexity__flipflop__n1.json`);
    const counts = stageCounts(plan, states);
    const report = counts.find((c) => c.stage === "report")!;
    assert.deepEqual([report.pending, report.blocked], [1, 1]); // waits on the failed complexity
    assert.equal(counts.find((c) => c.stage === "train")!.done, 1);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("the runner's permissions: no prompt, read modules and OUT, write only OUT", () => {
  const flags = runnerPermissions("/data/run1/");
  assert.equal(flags[0], "--no-prompt");
  const read = flags.find((f) => f.startsWith("--allow-read="))!.split("=")[1].split(",");
  assert.ok(read.includes("/data/run1"));
  for (const m of ["mod.ts", "tasks", "rnn", "metrics", "scripts"]) {
    assert.ok(read.some((p) => p.endsWith(`/${m}`) && p.startsWith("/")), m);
  }
  assert.deepEqual(flags.filter((f) => f.startsWith("--allow-write")), [
    "--allow-write=/data/run1",
  ]);
  assert.equal(flags.length, 3);
});

/** Every JSON result of a run: networks and metric files, minus run-dependent fields. */
async function results(out: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (
        /\/(networks|metrics|hidden|fits|fixed_points)\/[^/]+\.json$|\/complexity\//.test(p)
      ) {
        const v = JSON.parse(await Deno.readTextFile(p));
        files.set(
          p.slice(out.length),
          JSON.stringify(
            v,
            (k, x) =>
              ["wallTimeSec", "dataSampling", "source", "timeMs"].includes(k) ? undefined : x,
          ),
        );
      }
    }
  };
  await walk(out);
  return files;
}

Deno.test({
  name: "two unit splits and orders give identical numbers",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const base: PlanOptions = {
      preset: "smoke",
      members: 4,
      studies: ["flipflop", "network_size"],
      backend: "cpu",
    };
    const a = await Deno.makeTempDir({ prefix: "units_split_a_" });
    const b = await Deno.makeTempDir({ prefix: "units_split_b_" });
    try {
      // split A: one network per training unit, one pair per block, 2 Web Workers
      const ga = buildGraph({ ...base, trainBlock: 1, pairBlock: 1 });
      await preparePlan(a, ga);
      const outA = await runLocal(a, ga, { workers: 2, backend: "cpu", quiet: true });
      assert.deepEqual(outA.filter((o) => o.status === "failed"), []);
      // split B: whole populations, 4 pairs per block, in-process, each stage reversed
      const gb = buildGraph({ ...base, trainBlock: 4, pairBlock: 4 });
      assert.notDeepEqual(
        gb.stages.map((s) => s.units.length),
        ga.stages.map((s) => s.units.length),
      );
      await preparePlan(b, gb);
      for (const st of gb.stages) {
        for (const u of [...st.units].reverse()) {
          const o = await runUnit(b, gb, u, { workers: 0, backend: "cpu", quiet: true });
          assert.notEqual(o.status, "failed", `${u.id}: ${o.message}`);
        }
      }
      const ra = await results(a), rb = await results(b);
      assert.ok(ra.size >= 2 * 4 * 4 + 2 * 7, `only ${ra.size} result files`);
      assert.deepEqual([...ra.keys()].sort(), [...rb.keys()].sort());
      for (const [k, v] of ra) assert.equal(rb.get(k), v, `${k} differs between the splits`);
      // the two reports agree as well
      const claims = (d: string) =>
        JSON.parse(Deno.readTextFileSync(`${d}/claims.json`)).claims.map((
          c: { id: string; value: number | null },
        ) => [c.id, c.value]);
      assert.deepEqual(claims(a), claims(b));

      // measure:pif on a population's networks gives the pipeline's matrix (one way to
      // compute), and the report reads its output, refuses an old metric/1 file (no
      // provenance) and names a file of an unknown version instead of using it
      const pop = `${a}/flipflop/n1`;
      const pipelinePif = JSON.parse(Deno.readTextFileSync(`${pop}/metrics/pif.json`));
      const cmd = await new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "--no-prompt",
          `--allow-read=${a}`,
          `--allow-write=${a}`,
          "scripts/measure/pif.ts",
          "--run",
          `${pop}/networks`,
          "--include-unconverged",
          "--restarts",
          String(PRESETS.smoke.pifRestarts),
          "--seed",
          String(PRESETS.smoke.seed),
          "--workers",
          "0",
          "--out",
          `${pop}/metrics/pif.json`,
        ],
        cwd: new URL("../..", import.meta.url).pathname,
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(cmd.code, 0, new TextDecoder().decode(cmd.stderr));
      const measured = JSON.parse(Deno.readTextFileSync(`${pop}/metrics/pif.json`));
      assert.equal(measured.schema, "degeneracy.metric/2");
      assert.deepEqual(measured.ids, pipelinePif.ids);
      assert.deepEqual(measured.matrix, pipelinePif.matrix);
      const dsa = JSON.parse(Deno.readTextFileSync(`${pop}/metrics/dsa.json`));
      // each pair's final gradient norm and lower bound reach the merged file (issue #12)
      const { gradNorm, lowerBound } = dsa.extra;
      let maxGrad = 0;
      dsa.matrix.forEach((row: number[], i: number) =>
        row.forEach((d, j) => {
          assert(lowerBound[i][j] >= 0 && lowerBound[i][j] <= d + 1e-12, `bound (${i}, ${j})`);
          assert(Number.isFinite(gradNorm[i][j]) && gradNorm[i][j] >= 0);
          maxGrad = Math.max(maxGrad, gradNorm[i][j]);
        })
      );
      assert.equal(dsa.checks.maxGradNorm, maxGrad);
      Deno.writeTextFileSync(
        `${pop}/metrics/dsa.json`,
        JSON.stringify({ ...dsa, schema: "degeneracy.metric/1" }),
      );
      const att = JSON.parse(Deno.readTextFileSync(`${pop}/metrics/attractorness.json`));
      Deno.writeTextFileSync(
        `${pop}/metrics/attractorness.json`,
        JSON.stringify({ ...att, schema: "degeneracy.metric/9" }),
      );
      const { loadRun } = await import("../../scripts/report.ts");
      const run = await loadRun(a);
      const row = run.populations.find((p) => p.study === "flipflop" && p.variant === "n1")!;
      assert.equal(row.means.pif, measured.summary.mean);
      // an old metric/1 file records no provenance: it cannot be checked against this run's
      // networks and settings, so the report refuses it, naming the file
      assert.equal(row.means.dsa, null);
      assert.equal(run.refused.length, 1);
      assert.match(run.refused[0], /n1\/metrics\/dsa\.json: records no provenance .*delete it/);
      assert.equal(row.means.attractorness, null);
      assert.equal(run.unreadable.length, 1);
      assert.match(
        run.unreadable[0],
        /attractorness\.json: schema must be "degeneracy\.metric\/2".*cannot read it/,
      );

      // DSA: each network's prepared operator is persisted by its fit unit (bit-identical to
      // preparing the fit's operator) and the pair blocks read it rather than preparing again
      const f64 = (path: string) => new Float64Array(Deno.readFileSync(path).slice().buffer);
      const refitted: number[] = JSON.parse(Deno.readTextFileSync(`${pop}/fits/rank.json`))
        .refitted;
      const members = [0, 1, 2, 3].filter((m) =>
        JSON.parse(Deno.readTextFileSync(`${pop}/fits/m00${m}.json`)).used &&
        !refitted.includes(m)
      );
      assert.ok(members.length >= 2, `only ${members.length} used, not refitted members`);
      const prepOf = (m: number) => {
        const h = JSON.parse(Deno.readTextFileSync(preparedPath(a, "flipflop", "n1", m)));
        assert.equal(h.schema, "degeneracy.dsa-prepared/1");
        return deserializePreparedOperator(
          h.prepared,
          f64(preparedPath(a, "flipflop", "n1", m, "f64")),
        );
      };
      for (const m of members) {
        const size = JSON.parse(Deno.readTextFileSync(`${pop}/fits/m00${m}.json`)).size;
        const fresh = prepareOperator(f64(`${pop}/fits/m00${m}.f64`), size);
        const stored = prepOf(m);
        for (
          const k of ["a", "symVectors", "symValues", "skewSingularValues", "rotated"] as const
        ) {
          assert.deepEqual(stored[k], fresh[k], `m00${m}: ${k}`);
        }
      }
      const [x, y] = members;
      const dsaUnit = ga.stages.find((st) => st.name === "dsa")!.units.find((u) =>
        u.job.kind === "pairs" && !u.job.checks && u.id.startsWith("dsa/flipflop/n1/") &&
        u.job.pairs.some(([p, q]) => p === x && q === y)
      )!;
      const blockFile = `${a}/${dsaUnit.outputs[0]}`;
      const pairXY = (f: string) =>
        JSON.parse(Deno.readTextFileSync(f)).pairs.find((r: { a: number; b: number }) =>
          r.a === x && r.b === y
        ).distance;
      const before = pairXY(blockFile);
      assert.ok(before > 1e-3, `d(m00${x}, m00${y}) = ${before}`);
      // give y the prepared operator of x: the recomputed block now compares x with itself
      for (const ext of ["json", "f64"] as const) {
        Deno.copyFileSync(
          preparedPath(a, "flipflop", "n1", x, ext),
          preparedPath(a, "flipflop", "n1", y, ext),
        );
      }
      Deno.removeSync(blockFile);
      const o = await runUnit(a, ga, dsaUnit, { workers: 0, backend: "cpu", quiet: true });
      assert.notEqual(o.status, "failed", o.message);
      const after = pairXY(blockFile);
      assert.ok(after < 1e-6, `block with m00${x}'s prepared operator twice: ${after}`);

      // every DSA block names its optimiser, and the merge refuses blocks of different ones
      // (a run resumed after an update of the Procrustes code), naming them
      const block = JSON.parse(Deno.readTextFileSync(blockFile));
      assert.equal(block.parameters.optimiser, PROCRUSTES_OPTIMISER);
      const merged = JSON.parse(Deno.readTextFileSync(`${pop}/metrics/dsa.json`));
      assert.equal(merged.parameters.optimiser, PROCRUSTES_OPTIMISER);
      Deno.writeTextFileSync(
        blockFile,
        JSON.stringify({ ...block, parameters: { ...block.parameters, optimiser: "older/3" } }),
      );
      const mergeUnit = ga.stages.flatMap((st) => st.units).find((u) =>
        u.id === "merge/flipflop/n1/dsa"
      )!;
      Deno.removeSync(`${pop}/metrics/dsa.json`);
      const m = await runUnit(a, ga, mergeUnit, { workers: 0, backend: "cpu", quiet: true });
      assert.equal(m.status, "failed");
      const why = m.message ?? "";
      assert.match(why, /dsa flipflop\/n1: its pair blocks were computed by different Procrustes/);
      assert.ok(why.includes(`older/3: ${blockFile}`), why);
      assert.ok(why.includes(`delete the blocks not computed by ${PROCRUSTES_OPTIMISER}`), why);
    } finally {
      await Deno.remove(a, { recursive: true });
      await Deno.remove(b, { recursive: true });
    }
  },
});
