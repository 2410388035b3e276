/**
 * The Slurm executor against a real Slurm cluster. Runs only when DEGENERACY_SLURM_TEST=1
 * (`.ci/run` sets it after `scripts/ci/slurm_cluster.sh start`, with SLURM_CONF pointing at that
 * one-node cluster); elsewhere every test here is skipped with a message.
 *
 * Stand-in runner (test fixture): a three-stage plan runs to the end, every unit as a Slurm
 * array task (per-unit stamps name the array job and task), a stage split into several arrays;
 * and the scheduler's overhead per unit is measured (printed, not asserted).
 */
import assert from "node:assert/strict";
import { submitSlurm } from "../scripts/lib/executors/slurm.ts";
import { runStatus, totals, waitForRun } from "../scripts/lib/executors/run_status.ts";
import { type JobsFile, runProcess } from "../scripts/lib/executors/slurm_queue.ts";
import { jobScript } from "../scripts/lib/executors/slurm_script.ts";
import type { Plan } from "../scripts/lib/executors/plan_types.ts";
import {
  defaultDenoDir,
  ROOT,
  STAND_IN,
  standInEnvironment,
  standInPlan,
  standInStates,
  writePlan,
} from "./slurm_helpers.ts";

/** Whether the Slurm tests run here. */
export const SLURM = Deno.env.get("DEGENERACY_SLURM_TEST") === "1";
if (!SLURM) {
  console.log(
    "slurm_cluster_test: skipped (set DEGENERACY_SLURM_TEST=1 with a running cluster; " +
      ".ci/run starts one with scripts/ci/slurm_cluster.sh)",
  );
}

function readJson<T>(path: string): T {
  return JSON.parse(Deno.readTextFileSync(path));
}

/** Every unit of `plan` ran as a task of an array recorded in jobs.json, and succeeded. */
function assertRanAsArrayTasks(out: string, plan: Plan) {
  const jobs = readJson<JobsFile>(`${out}/slurm/jobs.json`);
  const arrays = new Map(jobs.submissions.flatMap((s) => s.arrays).map((a) => [a.jobId, a]));
  for (const s of plan.stages) {
    for (const u of s.units) {
      const stamp = readJson<Record<string, unknown>>(
        `${out}/slurm/tasks/${u.id.replaceAll("/", "__")}.json`,
      );
      assert.equal(stamp.unit, u.id);
      assert.equal(stamp.exitCode, 0, `${u.id} exit code`);
      const a = arrays.get(String(stamp.arrayJobId));
      assert.ok(a, `${u.id}: array job ${stamp.arrayJobId} is not in jobs.json`);
      assert.equal(a.units[stamp.arrayTaskId as number]?.id, u.id, `${u.id}: task id`);
    }
  }
}

Deno.test({
  name: "slurm (stand-in runner): a three-stage plan runs to the end as array tasks",
  ignore: !SLURM,
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "slurm_stand_in_" });
    const plan = standInPlan(5);
    writePlan(out, plan);
    const env = standInEnvironment();
    const rec = await submitSlurm(
      plan,
      { out, maxArraySize: 3, arrayThrottle: 2, denoDir: await defaultDenoDir() },
      env,
    );
    assert.deepEqual(rec.arrays.map((a) => [a.stage, a.part]), [
      ["a", 1],
      ["a", 2],
      ["b", 1],
      ["b", 2],
      ["merge", 1],
    ]);
    const s = await waitForRun(out, plan, { unitStates: standInStates, exec: env.exec }, {
      intervalMs: 500,
    });
    assert.deepEqual(totals(s), { units: 11, done: 11, failed: 0, pending: 0 });
    assertRanAsArrayTasks(out, plan);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test({
  name: "slurm: scheduler overhead per unit (printed)",
  ignore: !SLURM,
  sanitizeResources: false,
  async fn() {
    // N units whose outputs already exist: each array task starts Deno, which finds the unit
    // done and exits. The same tasks run back to back with bash give the cost without Slurm.
    const n = 20;
    const out = await Deno.makeTempDir({ prefix: "slurm_overhead_" });
    const plan = standInPlan(n);
    plan.stages = [plan.stages[0]];
    writePlan(out, plan);
    for (let i = 0; i < n; i++) {
      Deno.mkdirSync(`${out}/a`, { recursive: true });
      Deno.writeTextFileSync(`${out}/a/${i}.json`, "{}");
    }
    Deno.mkdirSync(`${out}/slurm/tasks`, { recursive: true });
    Deno.mkdirSync(`${out}/slurm/logs`, { recursive: true });
    const denoDir = await defaultDenoDir();
    const env = standInEnvironment();
    const script = jobScript({
      jobName: "dgn-overhead",
      stage: "a",
      part: 1,
      parts: 1,
      units: plan.stages[0].units.map((u, index) => ({ id: u.id, index })),
      throttle: n,
      timeMinutes: 10,
      memoryMB: 1024,
      deno: env.deno,
      denoDir,
      repo: ROOT,
      out,
      runner: STAND_IN,
      permissions: env.permissions(out),
    });
    const path = `${out}/slurm/overhead.sbatch`;
    Deno.writeTextFileSync(path, script);
    let t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const r = await new Deno.Command("bash", {
        args: [path],
        env: { SLURM_ARRAY_TASK_ID: String(i), SLURM_ARRAY_JOB_ID: "0" },
        stdout: "null",
        stderr: "null",
      }).output();
      assert.equal(r.code, 0);
    }
    const bashSec = (performance.now() - t0) / 1000;
    const cpus = Number((await runProcess("nproc", [])).stdout.trim());
    t0 = performance.now();
    const sb = await runProcess("sbatch", ["--parsable", path]);
    assert.equal(sb.code, 0, sb.stderr);
    const jobId = sb.stdout.trim().split(";")[0];
    for (;;) {
      const q = await runProcess("squeue", ["--noheader", `--jobs=${jobId}`]);
      if (q.stdout.trim() === "") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const slurmSec = (performance.now() - t0) / 1000;
    // With `cpus` tasks at a time, the tasks alone would take bashSec / cpus.
    const overhead = (slurmSec - bashSec / cpus) / (n / cpus);
    console.log(
      `slurm overhead: ${n} trivial array tasks on ${cpus} CPUs took ${slurmSec.toFixed(1)} s ` +
        `under Slurm, ${bashSec.toFixed(1)} s back to back with bash ` +
        `(${(bashSec / n).toFixed(2)} s per task); scheduler overhead ≈ ${overhead.toFixed(2)} s ` +
        `per task per CPU slot (shared machine: noisy)`,
    );
    const s = await runStatus(out, plan, { unitStates: standInStates, exec: env.exec });
    assert.equal(totals(s).done, n);
    await Deno.remove(out, { recursive: true });
  },
});
