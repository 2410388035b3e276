/**
 * Training units split into epoch segments (`train/<study>/<variant>/mNNN-mNNN/eXXXX-YYYY`):
 * the graph chains them by checkpoints (each segment reads the previous one's checkpoint; the
 * last writes the networks), the plan structure and the Slurm arrays respect the chain, the
 * automatic split keeps the paper preset's training units near an hour of one core at nominal
 * rates, and the split does not change the numbers: a population trained in one unit and in
 * segments gives identical network files (timings excluded); a segment whose members have all
 * stopped trains nothing and carries their state.
 */
import assert from "node:assert/strict";
import {
  buildGraph,
  checkPlanStructure,
  type Graph,
  planFile,
  type PlanOptions,
  TARGET_TRAIN_SEGMENT_SECONDS,
} from "../../scripts/lib/units/graph.ts";
import { NOMINAL_RATES } from "../../scripts/lib/units/cost.ts";
import { runUnit } from "../../scripts/lib/units/execute.ts";
import { runLocal } from "../../scripts/lib/executors/local.ts";
import { arraysToSubmit } from "../../scripts/lib/executors/slurm.ts";
import { preparePlan } from "../../scripts/lib/pipeline.ts";
import { unitStates } from "../../scripts/lib/units/status.ts";
import { checkpointFromBytes, checkpointToBytes } from "../../rnn/checkpoint.ts";

const base: PlanOptions = {
  preset: "smoke",
  members: 3,
  studies: ["flipflop"],
  backend: "cpu",
  trainBlock: 3,
};

Deno.test("epoch segments: ids, checkpoint chain, plan structure and Slurm waves", () => {
  const g = buildGraph({ ...base, trainSegmentEpochs: 1 });
  const train = g.stages.find((s) => s.name === "train")!.units;
  const n1 = train.filter((u) => u.id.startsWith("train/flipflop/n1/"));
  assert.deepEqual(n1.map((u) => u.id), [
    "train/flipflop/n1/m000-m002/e0001-0001",
    "train/flipflop/n1/m000-m002/e0002-0002",
  ]);
  assert.deepEqual(n1[0].inputs, []);
  assert.deepEqual(n1[0].outputs, ["flipflop/n1/checkpoints/m000-m002-e0001.ckpt"]);
  assert.deepEqual(n1[1].inputs, n1[0].outputs);
  assert.deepEqual(n1[1].outputs, [0, 1, 2].map((m) => `flipflop/n1/networks/m00${m}.json`));
  const plan = planFile(g);
  assert.deepEqual(checkPlanStructure(plan), []);
  // A segment that reads an output of a later segment of its stage is an error.
  const broken = structuredClone(plan);
  const st = broken.stages.find((s) => s.name === "train")!;
  st.units.reverse();
  assert.ok(checkPlanStructure(broken).some((p) => /is no earlier output/.test(p)));
  // Slurm: the second segments form a second wave of the train stage, after the first.
  const pending = new Map(plan.stages.flatMap((s) => s.units.map((u) => [u.id, "pending"])));
  const arrays = arraysToSubmit(
    plan,
    pending as Map<string, "pending">,
    1000,
  ).filter((a) => a.stage === "train");
  assert.deepEqual(arrays.map((a) => [a.wave, a.units.map((u) => u.id.split("/").pop())]), [
    [1, ["e0001-0001", "e0001-0001"]],
    [2, ["e0002-0002", "e0002-0002"]],
  ]);
  // Once the first segments are done, the rest is one wave.
  const firstDone = new Map(pending);
  for (const u of train) if (u.id.endsWith("e0001-0001")) firstDone.set(u.id, "done");
  const rest = arraysToSubmit(plan, firstDone as Map<string, "pending">, 1000)
    .filter((a) => a.stage === "train");
  assert.deepEqual(rest.map((a) => a.wave), [1]);
  // Without the option small presets are not split.
  const whole = buildGraph(base).stages.find((s) => s.name === "train")!.units;
  assert.deepEqual(whole.map((u) => u.id), [
    "train/flipflop/n1/m000-m002",
    "train/flipflop/n2/m000-m002",
  ]);
});

Deno.test("epoch segments: the paper preset's training units fit the target at nominal rates", () => {
  const g = buildGraph({ preset: "paper", backend: "auto" }, NOMINAL_RATES);
  const train = g.stages.find((s) => s.name === "train")!.units;
  const largest = Math.max(...train.map((u) => u.coreSeconds));
  assert.ok(
    largest <= TARGET_TRAIN_SEGMENT_SECONDS * 1.05,
    `largest training unit ${largest} core-s > ${TARGET_TRAIN_SEGMENT_SECONDS}`,
  );
  assert.ok(train.some((u) => /\/e\d{4}-\d{4}$/.test(u.id)), "some units are segmented");
  assert.deepEqual(checkPlanStructure(planFile(g)), []);
});

async function networkFiles(dir: string): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const v of ["n1", "n2"]) {
    for await (const e of Deno.readDir(`${dir}/flipflop/${v}/networks`)) {
      const rec = JSON.parse(await Deno.readTextFile(`${dir}/flipflop/${v}/networks/${e.name}`));
      delete rec.wallTimeSec;
      out.set(`${v}/${e.name}`, rec);
    }
  }
  return out;
}

/** The graph restricted to its training stage. */
function trainOnly(g: Graph): Graph {
  return { ...g, stages: g.stages.filter((s) => s.name === "train") };
}

Deno.test({
  name: "epoch segments: the same network files as one training unit",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const a = await Deno.makeTempDir({ prefix: "segments_whole_" });
    const b = await Deno.makeTempDir({ prefix: "segments_split_" });
    try {
      const ga = buildGraph(base);
      await preparePlan(a, ga);
      for (const u of ga.stages.find((s) => s.name === "train")!.units) {
        const o = await runUnit(a, ga, u, { workers: 0, backend: "cpu", quiet: true });
        assert.equal(o.status, "done", `${u.id}: ${o.message}`);
      }
      // Segmented, through the local executor in-process, the chain listed last segment first.
      const gb = buildGraph({ ...base, trainSegmentEpochs: 1 });
      await preparePlan(b, gb);
      const tb = trainOnly(gb);
      tb.stages[0] = { ...tb.stages[0], units: [...tb.stages[0].units].reverse() };
      const outcomes = await runLocal(b, tb, { workers: 0, backend: "cpu", quiet: true });
      assert.deepEqual(outcomes.map((o) => o.status), ["done", "done", "done", "done"]);
      const states = unitStates(b, tb);
      assert.ok([...states.values()].every((s) => s === "done"));
      const ra = await networkFiles(a), rb = await networkFiles(b);
      assert.equal(ra.size, 6);
      assert.deepEqual([...rb.keys()].sort(), [...ra.keys()].sort());
      for (const [k, v] of ra) assert.deepEqual(rb.get(k), v, `${k} differs between the splits`);
      // A rerun skips every segment (outputs exist).
      const again = await runLocal(b, tb, { workers: 0, backend: "cpu", quiet: true });
      assert.deepEqual(again, []);
    } finally {
      await Deno.remove(a, { recursive: true });
      await Deno.remove(b, { recursive: true });
    }
  },
});

Deno.test({
  name: "epoch segments: a segment whose members have all stopped carries the checkpoint",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "segments_carry_" });
    try {
      const g = buildGraph({ ...base, studies: ["flipflop"], trainSegmentEpochs: 1 });
      await preparePlan(dir, g);
      const [first, last] = g.stages.find((s) => s.name === "train")!.units.filter((u) =>
        u.id.startsWith("train/flipflop/n1/")
      );
      const o1 = await runUnit(dir, g, first, { workers: 0, backend: "cpu", quiet: true });
      assert.equal(o1.status, "done", o1.message);
      // Mark every member as converged at epoch 1 (as if early stopping had ended them there).
      const path = `${dir}/${first.outputs[0]}`;
      const cp = checkpointFromBytes(await Deno.readFile(path));
      for (const m of cp.members) {
        m.status = "converged";
        m.stopEpoch = 1;
      }
      await Deno.writeFile(path, checkpointToBytes(cp));
      const o2 = await runUnit(dir, g, last, { workers: 0, backend: "cpu", quiet: true });
      assert.equal(o2.status, "done", o2.message);
      for (const [k, m] of cp.members.entries()) {
        const rec = JSON.parse(await Deno.readTextFile(`${dir}/${last.outputs[k]}`));
        assert.equal(rec.status, "converged");
        assert.equal(rec.stopEpoch, 1);
        assert.deepEqual(rec.history.testLoss, m.history.testLoss);
        assert.deepEqual(rec.final.b, Array.from(m.params.b));
        assert.equal(rec.backend, cp.backend);
        assert.equal(rec.wallTimeSec, cp.wallTimeSec); // nothing trained in the last segment
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
