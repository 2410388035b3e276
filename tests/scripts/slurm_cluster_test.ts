/**
 * The Slurm executor against a real Slurm cluster. Runs only when DEGENERACY_SLURM_TEST=1
 * (`.ci/run` sets it after `scripts/ci/slurm_cluster.sh start`, with SLURM_CONF pointing at that
 * one-node cluster); elsewhere every test here is skipped with a message.
 *
 * The pipeline (`deno task reproduce --preset smoke --members 2 --executor slurm`, the deno.json task with
 * its permissions): every unit runs as a Slurm array task; one running array task is cancelled
 * (scancel), `deno task status --wait` then reports an incomplete run, and rerunning the same
 * submit command resubmits only what is missing and completes it; every file of the run (claims,
 * metrics, networks, fits, figures, report) equals that of a `--executor local` run, wall times
 * aside. A job script fails, writing an error that says so, when a module is not cached.
 *
 * Stand-in runner (test fixture): a three-stage plan runs to the end, a stage split into
 * several arrays; and the scheduler's overhead per unit is measured (printed, not asserted).
 */
import assert from "node:assert/strict";
import { submitSlurm } from "../../scripts/lib/executors/slurm.ts";
import { type JobsFile, runProcess } from "../../scripts/lib/executors/slurm_queue.ts";
import { jobScript } from "../../scripts/lib/executors/slurm_script.ts";
import type { Plan } from "../../scripts/lib/executors/plan_types.ts";
import {
  defaultDenoDir,
  ROOT,
  STAND_IN,
  standInEnvironment,
  standInPlan,
  statusWait,
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

/**
 * Every unit of `plan` ran as a task of an array recorded in jobs.json and succeeded, except
 * `cancelled` (unit id), whose task may have been cancelled (exit 143) after its outputs were
 * written (then it was not resubmitted).
 */
function assertRanAsArrayTasks(out: string, plan: Plan, cancelled?: string) {
  const jobs = readJson<JobsFile>(`${out}/slurm/jobs.json`);
  const arrays = new Map(jobs.submissions.flatMap((s) => s.arrays).map((a) => [a.jobId, a]));
  for (const s of plan.stages) {
    for (const u of s.units) {
      const stamp = readJson<Record<string, unknown>>(
        `${out}/slurm/tasks/${u.id.replaceAll("/", "__")}.json`,
      );
      assert.equal(stamp.unit, u.id);
      assert.ok(
        stamp.exitCode === 0 || (u.id === cancelled && stamp.exitCode === 143),
        `${u.id}: exit code ${stamp.exitCode}`,
      );
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
    const s = await statusWait(out);
    assert.equal(s.code, 0, s.stdout);
    assert.match(s.stdout, /^total +11 +11 +0 +0 +0 +0 +0 +0$/m);
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
    const cpus = Number((await runProcess("sinfo", ["--noheader", "--format=%c"])).stdout.trim());
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
    console.log(
      `slurm overhead: ${n} array tasks, each starting the runner on a finished unit, took ` +
        `${slurmSec.toFixed(1)} s on a ${cpus}-slot node (${(slurmSec / n).toFixed(2)} s per ` +
        `task); back to back with bash, without Slurm, ${bashSec.toFixed(1)} s ` +
        `(${(bashSec / n).toFixed(2)} s per task) (shared machine: noisy)`,
    );
    const s = await statusWait(out);
    assert.equal(s.code, 0, s.stdout);
    await Deno.remove(out, { recursive: true });
  },
});

/** Runs `deno task <args>` in the repository; stderr goes to the test's output when asked. */
async function task(args: string[], show = false) {
  const t0 = performance.now();
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["task", "--quiet", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const res = {
    code: r.code,
    stdout: dec.decode(r.stdout),
    stderr: dec.decode(r.stderr),
    sec: (performance.now() - t0) / 1000,
  };
  if (show) console.log(res.stderr.trim());
  return res;
}

/** All files under `dir` (relative paths), recursively, except those under `skip`. */
function listFiles(dir: string, skip: string[] = [], prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(prefix ? `${dir}/${prefix}` : dir)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (skip.includes(rel)) continue;
    if (e.isDirectory) out.push(...listFiles(dir, skip, rel));
    else out.push(rel);
  }
  return out.sort();
}

/**
 * A JSON text without run-dependent fields: wall times (`wallTimeSec`, the fixed-point finder's
 * `timeMs`), where training batches were sampled and which units wrote a file (the same set the
 * split test of units_test.ts leaves out).
 */
const RUN_DEPENDENT = ["wallTimeSec", "timeMs", "dataSampling", "source"];
function stableJson(text: string): string {
  return JSON.stringify(JSON.parse(text), (k, v) => (RUN_DEPENDENT.includes(k) ? undefined : v));
}

/** Array tasks of `jobIds` Slurm lists as RUNNING, as `jobid_task`. */
async function runningTasks(jobIds: string[]): Promise<string[]> {
  const r = await runProcess("squeue", [
    "--noheader",
    "--array",
    `--jobs=${jobIds.join(",")}`,
    "--states=RUNNING",
    "--format=%F_%K",
  ]);
  return r.code === 0 ? r.stdout.split("\n").map((l) => l.trim()).filter(Boolean) : [];
}

function jobIdsOf(out: string): string[] {
  const jobs = readJson<JobsFile>(`${out}/slurm/jobs.json`);
  return jobs.submissions.flatMap((s) => s.arrays.map((a) => a.jobId));
}

Deno.test({
  name:
    "slurm (smoke preset): array tasks, scancel + resubmit completes, results equal the local executor's",
  ignore: !SLURM,
  sanitizeResources: false,
  async fn() {
    const tag = `${Date.now().toString(36)}-${Deno.pid}`;
    const local = `runs/ci-local-${tag}`;
    const slurm = `runs/ci-slurm-${tag}`;
    const cpus = (await runProcess("sinfo", ["--noheader", "--format=%c"])).stdout.trim();
    // Two networks per population instead of three: 253 units instead of 289 (CI time).
    const preset = ["--preset", "smoke", "--members", "2"];
    const submit = [
      "reproduce",
      ...preset,
      "--out",
      slurm,
      "--executor",
      "slurm",
      "--array-throttle",
      cpus,
    ];

    const loc = await task(["reproduce", ...preset, "--out", local, "--quiet"]);
    assert.equal(loc.code, 0, loc.stderr);

    const t0 = performance.now();
    const sub = await task(submit, true);
    assert.equal(sub.code, 0, sub.stderr);
    const submitSec = (performance.now() - t0) / 1000;
    const plan = readJson<Plan>(`${ROOT}/${slurm}/plan.json`);
    const units = plan.stages.reduce((a, s) => a + s.units.length, 0);
    assert.match(sub.stderr, new RegExp(`submitted ${units} unit\\(s\\) in ${plan.stages.length}`));

    // Cancel one running array task, preferably one whose unit has started (its stamp exists)
    // and has not written its outputs yet (retrying if the task ends before scancel reaches it).
    const out = `${ROOT}/${slurm}`;
    const jobs = readJson<JobsFile>(`${out}/slurm/jobs.json`);
    const ids = jobs.submissions.flatMap((s) => s.arrays.map((a) => a.jobId));
    const unitOf = (t: string) => {
      const [job, i] = t.split("_");
      const a = jobs.submissions.flatMap((s) => s.arrays).find((x) => x.jobId === job);
      return a!.units[Number(i)].id;
    };
    const outputs = new Map(plan.stages.flatMap((s) => s.units.map((u) => [u.id, u.outputs])));
    const started = (id: string) => {
      try {
        return Deno.statSync(`${out}/slurm/tasks/${id.replaceAll("/", "__")}.json`).isFile &&
          !outputs.get(id)!.every((o) => {
            try {
              return Deno.statSync(`${out}/${o}`).isFile;
            } catch {
              return false;
            }
          });
      } catch {
        return false;
      }
    };
    let cancelled = "";
    for (let tries = 0; !cancelled && tries < 1200; tries++) {
      const running = await runningTasks(ids);
      const pick = running.filter((t) => started(unitOf(t)));
      for (const t of tries < 600 ? pick : running) {
        const r = await runProcess("scancel", [t]);
        if (r.code !== 0) continue; // it ended first
        // The task is COMPLETING while slurmd kills it, then CANCELLED.
        let state = "";
        for (let i = 0; i < 300; i++) {
          state = (await runProcess("squeue", [
            "--noheader",
            "--array",
            `--jobs=${t}`,
            "--states=all",
            "--format=%T",
          ])).stdout.trim();
          if (state !== "COMPLETING") break;
          await new Promise((r) => setTimeout(r, 100));
        }
        if (state === "CANCELLED") {
          cancelled = t;
          break;
        }
      }
      if (!cancelled) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(cancelled, "no running array task could be cancelled");
    const cancelledUnit = unitOf(cancelled);
    const doneAnyway = !started(cancelledUnit);
    console.log(
      `cancelled array task ${cancelled} (unit ${cancelledUnit}` +
        `${doneAnyway ? ", which had already written its outputs" : ""})`,
    );

    // The run stops incomplete (the cancelled unit and what depends on it are not done).
    const wait1 = await task(["status", "--out", slurm, "--wait", "--interval", "1"]);
    assert.equal(wait1.code, 1, `status --wait after scancel:\n${wait1.stdout}\n${wait1.stderr}`);
    console.log(wait1.stdout.trim());
    if (!doneAnyway) {
      assert.match(
        wait1.stdout,
        new RegExp(`stopped: ${cancelledUnit}: array task ${cancelled} ended on SIGTERM`),
      );
    }

    // The same command resubmits only what is missing, and the run completes.
    const sub2 = await task(submit, true);
    assert.equal(sub2.code, 0, sub2.stderr);
    const resubmitted = Number(sub2.stderr.match(/submitted (\d+) unit/)?.[1]);
    assert.ok(resubmitted > 0 && resubmitted < units, `resubmitted ${resubmitted} of ${units}`);
    const wait2 = await task(["status", "--out", slurm, "--wait", "--interval", "1"]);
    assert.equal(
      wait2.code,
      0,
      `status --wait after resubmission:\n${wait2.stdout}\n${wait2.stderr}`,
    );
    const slurmSec = (performance.now() - t0) / 1000;
    console.log(
      `smoke preset: local executor ${loc.sec.toFixed(1)} s; Slurm ${slurmSec.toFixed(1)} s ` +
        `(submission ${submitSec.toFixed(1)} s incl. module caching; includes the scancel, a ` +
        `wait and a resubmission of ${resubmitted} of ${units} units; a ${cpus}-CPU node on a ` +
        `shared machine)`,
    );

    // Every unit ran as a Slurm array task.
    assertRanAsArrayTasks(out, plan, cancelledUnit);

    // Every file of the local run, and no other, with equal contents (wall times aside).
    const a = `${ROOT}/${local}`;
    const b = `${ROOT}/${slurm}`;
    // Timings (per-unit wall times) differ by nature; the Slurm executor's own files are extra.
    const filesA = listFiles(a, ["timings"]).filter((f) => !/\.tmp-\d+-\d+$/.test(f));
    const filesB = listFiles(b, ["slurm", "timings"]).filter((f) => !/\.tmp-\d+-\d+$/.test(f));
    assert.deepEqual(filesB, filesA);
    assert.ok(filesA.some((f) => /\/networks\/m000\.json$/.test(f)), "no networks compared");
    assert.ok(filesA.some((f) => /\/metrics\/dsa\.json$/.test(f)), "no metrics compared");
    assert.ok(filesA.includes("claims.json"), "no claims compared");
    for (const f of filesA) {
      const x = Deno.readFileSync(`${a}/${f}`);
      const y = Deno.readFileSync(`${b}/${f}`);
      if (f.endsWith(".json")) {
        const dec = new TextDecoder();
        assert.equal(stableJson(dec.decode(y)), stableJson(dec.decode(x)), `${f} differs`);
      } else {
        assert.deepEqual(y, x, `${f} differs`);
      }
    }
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  },
});

Deno.test({
  name: "slurm: a job script fails, saying so, when a module is not in the DENO_DIR",
  ignore: !SLURM,
  sanitizeResources: false,
  async fn() {
    const out = `runs/ci-uncached-${Date.now().toString(36)}-${Deno.pid}`;
    const sub = await task([
      "reproduce",
      "--preset",
      "smoke",
      "--members",
      "2",
      "--only",
      "flipflop",
      "--out",
      out,
      "--executor",
      "slurm",
      "--sbatch-flag=--hold",
    ]);
    assert.equal(sub.code, 0, sub.stderr);
    // The arrays are held; empty the module cache, then let them run.
    await Deno.remove(`${ROOT}/${out}/slurm/deno_dir`, { recursive: true });
    const ids = jobIdsOf(`${ROOT}/${out}`);
    const rel = await runProcess("scontrol", ["release", ids.join(",")]);
    assert.equal(rel.code, 0, rel.stderr);
    const wait = await task(["status", "--out", out, "--wait", "--interval", "1"]);
    assert.equal(wait.code, 1, wait.stdout);
    const plan = readJson<Plan>(`${ROOT}/${out}/plan.json`);
    const first = plan.stages.filter((s) => s.dependsOn.length === 0).flatMap((s) => s.units);
    assert.ok(first.length > 0);
    for (const u of first) {
      const err = readJson<{ schema: string; unit: string; message: string }>(
        `${ROOT}/${out}/errors/${u.id.replaceAll("/", "__")}.json`,
      );
      assert.equal(err.schema, "degeneracy.unit-error/1");
      assert.equal(err.unit, u.id);
      assert.match(err.message, /a module is not cached in DENO_DIR .*deno_dir/);
      const stamp = readJson<{ exitCode: number }>(
        `${ROOT}/${out}/slurm/tasks/${u.id.replaceAll("/", "__")}.json`,
      );
      assert.equal(stamp.exitCode, 1);
    }
    assert.match(wait.stdout, /failed: .*a module is not cached/);
    await Deno.remove(`${ROOT}/${out}`, { recursive: true });
  },
});
