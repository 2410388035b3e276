/**
 * The Slurm executor without a cluster: flag validation, resource requests, the arrays of a
 * (re)submission, worker-module discovery, the job script (run directly with bash, as Slurm
 * would, including its failure when a module is not cached), `submitSlurm` against a fake
 * sbatch/squeue, and the status table. The real-cluster test is tests/slurm_cluster_test.ts.
 */
import assert from "node:assert/strict";
import {
  arraysToSubmit,
  requestClass,
  RESOURCE_MARGINS,
  resourceRequest,
  slurmFlagsFromArgs,
  submitSlurm,
} from "../../scripts/lib/executors/slurm.ts";
import {
  jobScript,
  type JobScriptSpec,
  slurmTime,
} from "../../scripts/lib/executors/slurm_script.ts";
import { workerModuleUrls } from "../../scripts/lib/executors/deno_cache.ts";
import { checkPlan, type PlanStates } from "../../scripts/lib/executors/plan_types.ts";
import {
  type Exec,
  isLive,
  type JobsFile,
  parseSqueue,
  runProcess,
} from "../../scripts/lib/executors/slurm_queue.ts";
import { requireSlurmCommands } from "../../scripts/lib/executors/submit.ts";
import { UsageError } from "../../scripts/lib/cli.ts";
import { slurmView, stoppedUnits } from "../../scripts/lib/executors/slurm_status.ts";
import { statusTable } from "../../scripts/status.ts";
import { stageCounts, unitStates } from "../../scripts/lib/units/status.ts";
import {
  defaultDenoDir,
  ROOT,
  STAND_IN,
  standInEnvironment,
  standInPlan,
  writePlan,
} from "./slurm_helpers.ts";

Deno.test("slurm flags: defaults, values, and one clear error per bad flag", () => {
  assert.deepEqual(slurmFlagsFromArgs({}), {
    partition: undefined,
    account: undefined,
    sbatchFlags: [],
    maxArraySize: 1000,
    arrayThrottle: 100,
    denoDir: undefined,
  });
  const f = slurmFlagsFromArgs({
    partition: "gpu,cpu",
    account: "lab-x",
    "sbatch-flag": ["--qos=long", "--constraint=avx2"],
    "max-array-size": "500",
    "array-throttle": "8",
  });
  assert.deepEqual(
    [f.partition, f.account, f.sbatchFlags, f.maxArraySize, f.arrayThrottle],
    ["gpu,cpu", "lab-x", ["--qos=long", "--constraint=avx2"], 500, 8],
  );
  assert.throws(() => slurmFlagsFromArgs({ partition: "a b" }), /--partition must be/);
  assert.throws(() => slurmFlagsFromArgs({ account: "x;rm" }), /--account must be/);
  assert.throws(() => slurmFlagsFromArgs({ "max-array-size": "0" }), /--max-array-size must/);
  assert.throws(() => slurmFlagsFromArgs({ "array-throttle": "2.5" }), /--array-throttle must/);
  assert.throws(() => slurmFlagsFromArgs({ "sbatch-flag": ["qos=long"] }), /--sbatch-flag must/);
  assert.throws(
    () => slurmFlagsFromArgs({ "sbatch-flag": ["--array=0-3"] }),
    /--array is set by the executor/,
  );
  assert.throws(
    () => slurmFlagsFromArgs({ "sbatch-flag": ["--dependency=afterok:1"] }),
    /set by the executor/,
  );
  assert.throws(() => slurmFlagsFromArgs({ "sbatch-flag": ["-ofoo"] }), /set by the executor/);
});

Deno.test("resourceRequest: largest unit × margin + overhead, clamped", () => {
  const u = (coreSeconds: number, memoryMB: number) => ({
    id: "x",
    inputs: [],
    outputs: [],
    coreSeconds,
    memoryMB,
  });
  const m = RESOURCE_MARGINS;
  // Small units: the floors.
  assert.deepEqual(resourceRequest([u(1, 10)]), {
    timeMinutes: m.minTimeMinutes,
    memoryMB: m.minMemoryMB,
  });
  // One hour and 2 GB: 2 × 3600 + 300 s = 125 min; 1.5 × 2000 + 256 = 3256 MB.
  assert.deepEqual(resourceRequest([u(10, 100), u(3600, 2000), u(60, 50)]), {
    timeMinutes: 125,
    memoryMB: 3256,
  });
  // Ceilings.
  assert.deepEqual(resourceRequest([u(1e9, 1e9)]), {
    timeMinutes: m.maxTimeMinutes,
    memoryMB: m.maxMemoryMB,
  });
  assert.equal(slurmTime(125), "0-02:05:00");
  assert.equal(slurmTime(7 * 24 * 60), "7-00:00:00");
});

/** States from one letter per unit (d done, f failed, p pending), stage by stage. */
function states(spec: Record<string, string>): PlanStates {
  const ids: Record<string, (i: number) => string> = {
    a: (i) => `a/${i}`,
    b: (i) => `b/${i}`,
    merge: () => "merge",
  };
  const m: PlanStates = new Map();
  for (const [stage, letters] of Object.entries(spec)) {
    [...letters].forEach((c, i) =>
      m.set(ids[stage](i), c === "d" ? "done" : c === "f" ? "failed" : "pending")
    );
  }
  return m;
}

Deno.test("arraysToSubmit: unfinished units only, split at the maximum array size, dependencies adjust", () => {
  const plan = standInPlan(5);
  checkPlan(plan);
  // Fresh run: three arrays, a chain of dependencies.
  let arrays = arraysToSubmit(plan, states({ a: "ppppp", b: "ppppp", merge: "p" }), 1000);
  assert.deepEqual(arrays.map((a) => [a.stage, a.units.length, a.waitsFor]), [
    ["a", 5, []],
    ["b", 5, ["a"]],
    ["merge", 1, ["b"]],
  ]);
  // Maximum array size 2: stage a in 3 parts, b waits for stage a (all its parts).
  arrays = arraysToSubmit(plan, states({ a: "ppppp", b: "ppppp", merge: "p" }), 2);
  assert.deepEqual(arrays.map((a) => [a.stage, a.part, a.parts, a.units.map((u) => u.index)]), [
    ["a", 1, 3, [0, 1]],
    ["a", 2, 3, [2, 3]],
    ["a", 3, 3, [4]],
    ["b", 1, 3, [0, 1]],
    ["b", 2, 3, [2, 3]],
    ["b", 3, 3, [4]],
    ["merge", 1, 1, [0]],
  ]);
  // Resubmission: a is done (skipped), b has a failed and a pending unit, nothing to wait for.
  arrays = arraysToSubmit(plan, states({ a: "ddddd", b: "dfdpd", merge: "p" }), 1000);
  assert.deepEqual(arrays.map((a) => [a.stage, a.units.map((u) => u.id), a.waitsFor]), [
    ["b", ["b/1", "b/3"], []],
    ["merge", ["merge"], ["b"]],
  ]);
  // All done: nothing.
  assert.deepEqual(arraysToSubmit(plan, states({ a: "ddddd", b: "ddddd", merge: "d" }), 10), []);
  assert.throws(
    () => arraysToSubmit(plan, states({ a: "dd", b: "ddddd", merge: "d" }), 10),
    /no state for unit "a\/2"/,
  );
});

Deno.test("arraysToSubmit: units of one stage grouped by request class, each class its own arrays", () => {
  const plan = standInPlan(6);
  // a/1 and a/4 are long (2 h, 3 GB); the rest are short.
  for (const i of [1, 4]) {
    plan.stages[0].units[i].coreSeconds = 7200;
    plan.stages[0].units[i].memoryMB = 3000;
  }
  assert.deepEqual(requestClass(plan.stages[0].units[0]), { timeMinutes: 10, memoryMB: 1024 });
  // 2 × 7200 s + 300 s = 245 min → 480; 1.5 × 3000 + 256 MB → 8192 MB.
  assert.deepEqual(requestClass(plan.stages[0].units[1]), { timeMinutes: 480, memoryMB: 8192 });
  assert.deepEqual(
    requestClass({ id: "x", inputs: [], outputs: [], coreSeconds: 1e9, memoryMB: 1e9 }),
    { timeMinutes: RESOURCE_MARGINS.maxTimeMinutes, memoryMB: RESOURCE_MARGINS.maxMemoryMB },
  );
  const pending = new Map(
    plan.stages.flatMap((st) => st.units.map((u) => [u.id, "pending" as const])),
  );
  const arrays = arraysToSubmit(plan, pending, 3);
  assert.deepEqual(
    arrays.filter((a) => a.stage === "a").map((a) => [
      a.part,
      a.parts,
      a.units.map((u) => u.index),
      a.timeMinutes,
      a.memoryMB,
    ]),
    [
      [1, 3, [0, 2, 3], 10, 1024],
      [2, 3, [5], 10, 1024],
      [3, 3, [1, 4], 480, 8192],
    ],
  );
  assert.deepEqual(arrays.find((a) => a.stage === "b")!.waitsFor, ["a"]);
});

Deno.test("checkPlan: names the offending stage or unit", () => {
  const plan = standInPlan(2);
  assert.throws(() => checkPlan({ ...plan, schema: "x" }), /schema/);
  const bad = structuredClone(plan);
  bad.stages[0].dependsOn = ["merge"];
  assert.throws(
    () => checkPlan(bad),
    /stage "a" depends on "merge", which is not an earlier stage/,
  );
  const dup = structuredClone(plan);
  dup.stages[1].units[0].id = "a/0";
  assert.throws(() => checkPlan(dup), /unit id "a\/0" appears twice/);
  const cost = structuredClone(plan);
  cost.stages[0].units[1].memoryMB = NaN;
  assert.throws(() => checkPlan(cost), /unit "a\/1": memoryMB must be a number >= 0/);
});

Deno.test("workerModuleUrls: script files built from import.meta.url, nothing else", () => {
  const src = `
    const w = new Worker(new URL("./cpu_worker.ts", import.meta.url), { type: "module" });
    const u = new URL( '../x/pif_worker.js' , import.meta.url );
    const wasm = new URL("./kernel.wasm", import.meta.url);
    const other = new URL("./a.ts", base);`;
  assert.deepEqual(workerModuleUrls(src), ["./cpu_worker.ts", "../x/pif_worker.js"]);
});

function spec(over: Partial<JobScriptSpec> = {}): JobScriptSpec {
  return {
    jobName: "dgn-test-a",
    stage: "a",
    part: 1,
    parts: 1,
    units: [{ id: "a/0", index: 0 }, { id: "a/1", index: 1 }],
    throttle: 3,
    timeMinutes: 125,
    memoryMB: 3256,
    deno: Deno.execPath(),
    denoDir: "/tmp/dd",
    repo: ROOT,
    out: "/tmp/run",
    runner: STAND_IN,
    permissions: ["--allow-read=/tmp/run,tests/fixtures/slurm", "--allow-write=/tmp/run"],
    ...over,
  };
}

Deno.test("jobScript: Slurm directives, the runner command, valid bash", async () => {
  const text = jobScript(spec({ partition: "cpu", account: "lab" }));
  for (
    const d of [
      "--job-name=dgn-test-a",
      "--array=0-1%3",
      "--cpus-per-task=1",
      "--mem=3256M",
      "--time=0-02:05:00",
      "--requeue",
      "--output=/tmp/run/slurm/logs/a-1-%A_%a.log",
      "--partition=cpu",
      "--account=lab",
    ]
  ) {
    assert.ok(text.includes(`\n#SBATCH ${d}\n`), `missing #SBATCH ${d}`);
  }
  assert.ok(text.includes(`DENO='${Deno.execPath()}'`));
  assert.ok(text.includes("export DENO_DIR='/tmp/dd'"));
  assert.ok(text.includes("'--cached-only'"));
  assert.ok(text.includes("UNIT_IDS=('a/0' 'a/1')"));
  assert.ok(!/@\{|%LOG_NAME%|%UNITS%/.test(text), "unfilled template");
  assert.ok(!jobScript(spec()).includes("--partition"));
  const path = await Deno.makeTempFile({ suffix: ".sh" });
  await Deno.writeTextFile(path, text);
  const r = await runProcess("bash", ["-n", path]);
  assert.equal(r.code, 0, r.stderr);
  await Deno.remove(path);
  assert.throws(() => jobScript(spec({ units: [] })), /at least one unit/);
});

/** Runs array task `task` of `script` with bash, as slurmd would. */
async function runTask(script: string, task: number, jobId = "4242") {
  const path = await Deno.makeTempFile({ suffix: ".sh" });
  await Deno.writeTextFile(path, script);
  const r = await new Deno.Command("bash", {
    args: [path],
    env: {
      SLURM_ARRAY_TASK_ID: String(task),
      SLURM_ARRAY_JOB_ID: jobId,
      SLURM_JOB_ID: String(Number(jobId) + task),
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(path);
  const dec = new TextDecoder();
  return { code: r.code, log: dec.decode(r.stdout) + dec.decode(r.stderr) };
}

Deno.test({
  name:
    "job script run by bash: runs the unit, records the array task; fails clearly without cached modules",
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "slurm_script_" });
    const plan = standInPlan(2);
    writePlan(out, plan);
    for (const d of ["slurm/tasks", "slurm/logs"]) {
      Deno.mkdirSync(`${out}/${d}`, { recursive: true });
    }
    const permissions = [`--allow-read=${out},tests/fixtures/slurm`, `--allow-write=${out}`];
    const cached = jobScript(spec({ out, permissions, denoDir: await defaultDenoDir() }));
    // Task 1 runs unit a/1.
    let r = await runTask(cached, 1);
    assert.equal(r.code, 0, r.log);
    assert.equal(JSON.parse(Deno.readTextFileSync(`${out}/a/1.json`)).schema, "test.stand-in/1");
    const stamp = JSON.parse(Deno.readTextFileSync(`${out}/slurm/tasks/a__1.json`));
    assert.deepEqual(
      [stamp.schema, stamp.unit, stamp.stage, stamp.index, stamp.arrayJobId, stamp.arrayTaskId],
      ["degeneracy.slurm-task/1", "a/1", "a", 1, "4242", 1],
    );
    assert.equal(stamp.exitCode, 0);
    assert.ok(!Deno.readDirSync(`${out}/slurm/tasks`).some((e) => e.name.includes(".tmp")));
    // Task index beyond the array: a clear failure.
    r = await runTask(cached, 7);
    assert.notEqual(r.code, 0);
    assert.match(r.log, /array task 7 is outside this array of 2 units/);
    // An empty DENO_DIR: the runner cannot load its npm package offline; the job fails and the
    // unit's error file says a module is not cached.
    const empty = await Deno.makeTempDir({ prefix: "empty_deno_dir_" });
    r = await runTask(jobScript(spec({ out, permissions, denoDir: empty })), 0);
    assert.equal(r.code, 1, r.log);
    assert.match(r.log, /not found in cache/);
    const err = JSON.parse(Deno.readTextFileSync(`${out}/errors/a__0.json`));
    assert.equal(err.schema, "degeneracy.unit-error/1");
    assert.equal(err.unit, "a/0");
    assert.equal(err.stage, "a");
    assert.match(err.message, /a module is not cached in DENO_DIR .*empty_deno_dir_/);
    assert.match(err.message, /a-1-4242_0\.log/);
    assert.ok(!Number.isNaN(Date.parse(err.at)));
    assert.equal(JSON.parse(Deno.readTextFileSync(`${out}/slurm/tasks/a__0.json`)).exitCode, 1);
    // A failure the runner records itself keeps the runner's message.
    Deno.mkdirSync(`${out}/fail`);
    Deno.writeTextFileSync(`${out}/fail/a__0`, "");
    r = await runTask(cached, 0);
    assert.equal(r.code, 1);
    assert.equal(
      JSON.parse(Deno.readTextFileSync(`${out}/errors/a__0.json`)).message,
      "told to fail by the test",
    );
    await Deno.remove(out, { recursive: true });
    await Deno.remove(empty, { recursive: true });
  },
});

Deno.test({
  name:
    "job script stopped by SIGTERM (scancel, time limit) records exit 143; status lists the unit as stopped",
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "slurm_term_" });
    const plan = standInPlan(1, { sleepMs: 20000 });
    writePlan(out, plan);
    for (const d of ["slurm/tasks", "slurm/logs"]) {
      Deno.mkdirSync(`${out}/${d}`, { recursive: true });
    }
    const permissions = [`--allow-read=${out},tests/fixtures/slurm`, `--allow-write=${out}`];
    const path = `${out}/job.sh`;
    Deno.writeTextFileSync(
      path,
      jobScript(spec({ out, permissions, denoDir: await defaultDenoDir() })),
    );
    const child = new Deno.Command("bash", {
      args: [path],
      env: { SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_JOB_ID: "77", SLURM_JOB_ID: "77" },
      stdout: "null",
      stderr: "null",
    }).spawn();
    const stampPath = `${out}/slurm/tasks/a__0.json`;
    let runner = 0; // the runner's process id, once it is running (and sleeping)
    for (let i = 0; i < 400 && !(runner > 1); i++) {
      try {
        runner = Number(Deno.readTextFileSync(`${out}/pids/a__0`).trim());
      } catch { /* not yet */ }
      if (!(runner > 1)) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(Number.isInteger(runner) && runner > 1, `runner pid ${runner}`);
    const running = JSON.parse(Deno.readTextFileSync(stampPath));
    assert.deepEqual([running.unit, running.arrayJobId, running.exitCode], ["a/0", "77", null]);
    assert.equal(running.log, `${out}/slurm/logs/a-1-77_0.log`);
    // Slurm signals every process of the task: the script and what it started.
    for (const pid of [child.pid, runner]) Deno.kill(pid, "SIGTERM");
    const st = await child.status;
    assert.equal(st.code, 143);
    const stamp = JSON.parse(Deno.readTextFileSync(stampPath));
    assert.equal(stamp.exitCode, 143);
    assert.ok(typeof stamp.finished === "string");
    // Not done, no error file: the unit is pending; without a live task, status calls it stopped.
    const states = unitStates(out, plan);
    assert.equal(states.get("a/0"), "pending");
    assert.deepEqual(await stoppedUnits(out, plan, states, new Set()), [
      { unit: "a/0", task: "77_0", exitCode: 143, log: `${out}/slurm/logs/a-1-77_0.log` },
    ]);
    assert.deepEqual(await stoppedUnits(out, plan, states, new Set(["a/0"])), []);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test("job script: the TERM trap is set before the first stamp, so a task whose stamp exists records how it ended", async () => {
  const out = "/tmp/slurm_order";
  const text = jobScript(
    spec({ out, permissions: [`--allow-read=${out}`], denoDir: await defaultDenoDir() }),
  );
  const lines = text.split("\n");
  const trap = lines.findIndex((l) => /^trap .* TERM$/.test(l));
  const firstStamp = lines.findIndex((l) => /^stamp /.test(l));
  assert.ok(trap >= 0 && firstStamp >= 0, "trap and stamp lines present");
  assert.ok(trap < firstStamp, `trap at line ${trap + 1}, first stamp at line ${firstStamp + 1}`);
  // (CI once cancelled a task between the two: its stamp existed, no exit code was recorded.)
});

/** A fake sbatch/squeue/scancel; `deno` runs for real. */
function fakeSlurm(queue: () => string) {
  const calls: { cmd: string; args: string[] }[] = [];
  let next = 100;
  const exec: Exec = async (cmd, args, opts) => {
    if (cmd === "sbatch") {
      calls.push({ cmd, args });
      return { code: 0, stdout: `${next++}\n`, stderr: "" };
    }
    if (cmd === "squeue") return { code: 0, stdout: queue(), stderr: "" };
    if (cmd === "scancel") {
      calls.push({ cmd, args });
      return { code: 0, stdout: "", stderr: "" };
    }
    return await runProcess(cmd, args, opts);
  };
  return { exec, calls };
}

Deno.test({
  name: "submitSlurm: arrays with afterok chains; a resubmission sends only unfinished units",
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "slurm_submit_" });
    const plan = standInPlan(3);
    writePlan(out, plan);
    let queue = "";
    const fake = fakeSlurm(() => queue);
    const env = standInEnvironment({ exec: fake.exec });
    const denoDir = await defaultDenoDir();
    const flags = { out, denoDir, arrayThrottle: 2, maxArraySize: 2, sbatchFlags: ["--qos=x"] };
    const rec = await submitSlurm(plan, flags, env);
    assert.deepEqual(rec.arrays.map((a) => [a.stage, a.part, a.jobId, a.dependsOn]), [
      ["a", 1, "100", []],
      ["a", 2, "101", []],
      ["b", 1, "102", ["100", "101"]],
      ["b", 2, "103", ["100", "101"]],
      ["merge", 1, "104", ["102", "103"]],
    ]);
    assert.deepEqual(fake.calls[2].args, [
      "--parsable",
      "--dependency=afterok:100:101",
      "--kill-on-invalid-dep=yes",
      "--qos=x",
      `${out}/slurm/scripts/001-b-1.sbatch`,
    ]);
    const script = Deno.readTextFileSync(`${out}/slurm/scripts/001-a-2.sbatch`);
    assert.match(script, /#SBATCH --array=0-0%2\n/);
    assert.match(script, /UNIT_INDICES=\(2\)\nUNIT_IDS=\('a\/2'\)/);
    assert.match(script, new RegExp(`DENO_DIR='${denoDir}'`));
    const jobs: JobsFile = JSON.parse(Deno.readTextFileSync(`${out}/slurm/jobs.json`));
    assert.equal(jobs.schema, "degeneracy.slurm-jobs/1");
    assert.deepEqual(jobs.submissions[0].arrays.map((a) => a.jobId), [
      "100",
      "101",
      "102",
      "103",
      "104",
    ]);

    // While tasks of the run are queued, a second submission is refused.
    queue = "102|1|PENDING|Dependency\n100|0|RUNNING|None\n";
    await assert.rejects(
      () => submitSlurm(plan, flags, env),
      /still queued or running \(jobs 102, 100\)/,
    );
    // Stage a done, b/1 failed, the rest pending; the old b and merge arrays can never start:
    // they are cancelled and only b/0, b/1, b/2 and merge are resubmitted, b without dependency.
    queue = "103|0|PENDING|DependencyNeverSatisfied\n104|0|PENDING|DependencyNeverSatisfied\n";
    for (let i = 0; i < 3; i++) {
      Deno.mkdirSync(`${out}/a`, { recursive: true });
      Deno.writeTextFileSync(`${out}/a/${i}.json`, "{}");
    }
    Deno.writeTextFileSync(`${out}/errors/b__1.json`, JSON.stringify({ message: "boom" }));
    fake.calls.length = 0;
    const rec2 = await submitSlurm(plan, flags, env);
    assert.deepEqual(fake.calls[0], { cmd: "scancel", args: ["103", "104"] });
    assert.deepEqual(rec2.arrays.map((a) => [a.stage, a.units.map((u) => u.id), a.dependsOn]), [
      ["b", ["b/0", "b/1"], []],
      ["b", ["b/2"], []],
      ["merge", ["merge"], ["105", "106"]],
    ]);
    assert.equal(
      JSON.parse(Deno.readTextFileSync(`${out}/slurm/jobs.json`)).submissions.length,
      2,
    );
    assert.ok(Deno.statSync(`${out}/slurm/scripts/002-b-1.sbatch`).isFile);

    // The status: the files for the counts, squeue for the running / queued detail.
    queue = "105|0|RUNNING|None\n105|1|PENDING|Priority\n106|0|PENDING|Priority\n" +
      "107|0|PENDING|Dependency\n";
    const view = await slurmView(out, plan, fake.exec);
    assert.equal(view.kind, "queue");
    assert.equal(view.kind === "queue" && view.detail.liveTasks, 4);
    const table = statusTable(stageCounts(plan, unitStates(out, plan)), view).join("\n");
    assert.match(
      table,
      /^stage +units +done +failed +pending +blocked +left \(core-h\) +running +queued$/m,
    );
    assert.match(table, /^a +3 +3 +0 +0 +0 +0 +0 +0$/m);
    assert.match(table, /^b +3 +0 +1 +2 +0 +0\.00083 +1 +2$/m);
    assert.match(table, /^merge +1 +0 +0 +0 +1 +0\.00028 +0 +1$/m);
    assert.match(table, /^total +7 +3 +1 +2 +1 +0\.0011 +1 +3$/m);
    queue = "";
    const idle = await slurmView(out, plan, fake.exec);
    assert.equal(idle.kind === "queue" && idle.detail.liveTasks, 0);
    // squeue not installed: the files only, and the status says so.
    const none = await slurmView(
      out,
      plan,
      () => Promise.resolve({ code: 127, stdout: "", stderr: "", notFound: true }),
    );
    assert.equal(none.kind, "no-squeue");
    assert.doesNotMatch(statusTable(stageCounts(plan, unitStates(out, plan)), none)[0], /running/);

    // Everything done: nothing submitted.
    for (const o of plan.stages.flatMap((x) => x.units.flatMap((u) => u.outputs))) {
      Deno.mkdirSync(`${out}/${o}`.replace(/\/[^/]+$/, ""), { recursive: true });
      Deno.writeTextFileSync(`${out}/${o}`, "{}");
    }
    fake.calls.length = 0;
    assert.deepEqual((await submitSlurm(plan, flags, env)).arrays, []);
    assert.deepEqual(fake.calls, []);
    await Deno.remove(out, { recursive: true });
  },
});

Deno.test("submitSlurm: a run directory Slurm cannot name is refused", async () => {
  const env = standInEnvironment({ exec: fakeSlurm(() => "").exec });
  await assert.rejects(
    () => submitSlurm(standInPlan(1), { out: "/tmp/my run" }, env),
    /must not contain whitespace/,
  );
});

Deno.test("requireSlurmCommands: sbatch and squeue asked for their version; a missing one is a usage error on --executor", async () => {
  const asked: string[] = [];
  const onPath = (present: string[]): Exec => (cmd, args) => {
    asked.push(`${cmd} ${args.join(" ")}`);
    return Promise.resolve(
      present.includes(cmd)
        ? { code: 0, stdout: `slurm 23.11.4\n`, stderr: "" }
        : { code: 127, stdout: "", stderr: `${cmd}: not found`, notFound: true },
    );
  };
  await requireSlurmCommands(onPath(["sbatch", "squeue"]));
  assert.deepEqual(asked, ["sbatch --version", "squeue --version"]);
  for (
    const [present, named] of [
      [[], "sbatch and squeue"],
      [["sbatch"], "squeue"],
      [["squeue"], "sbatch"],
    ] as const
  ) {
    await assert.rejects(
      () => requireSlurmCommands(onPath([...present])),
      (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.equal(
          e.message,
          `--executor: slurm runs ${named}, not found on PATH ` +
            `(submit from a Slurm login node, or use --executor local)`,
        );
        return true;
      },
    );
  }
});

Deno.test("squeue parsing and liveness", () => {
  const t = parseSqueue(
    "12|3|RUNNING|None\n12|4|PENDING|DependencyNeverSatisfied\n13|N/A|PENDING|Dependency\n",
  );
  assert.deepEqual(t.map((x) => [x.arrayJobId, x.taskId, isLive(x)]), [
    ["12", 3, true],
    ["12", 4, false],
    ["13", null, true],
  ]);
  assert.throws(() => parseSqueue("garbage"), /cannot parse/);
});
