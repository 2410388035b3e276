/**
 * The Slurm executor: submits a run's plan (`<out>/plan.json`) as `sbatch` job arrays, one per
 * stage and request class (and more when a class has more units than the maximum array size),
 * each waiting for the arrays of the stages it depends on (`afterok`), and returns once
 * everything is queued. Only units that are not done are submitted, so rerunning the same
 * command after a failure, a cancellation or a lost node resubmits exactly the missing units;
 * stages with nothing left are skipped and the dependencies adjust.
 *
 * Each array task runs one unit on one core (`--cpus-per-task=1`), with `--time` and `--mem`
 * from the plan's cost estimates plus a margin, rounded up to a few request classes that get an
 * array each ({@link requestClass}), `--requeue`, and an array throttle (`%N`). Compute nodes
 * need no network: before submitting, every module the unit runner loads (npm packages, worker
 * modules) is cached into a `DENO_DIR` inside the run directory, and the job scripts run the
 * absolute path of the Deno binary that submitted with `--cached-only` and that `DENO_DIR`.
 * Job scripts are written to `<out>/slurm/scripts/`, logs go to `<out>/slurm/logs/`, and every
 * submission (job ids, units per array task) is appended to `<out>/slurm/jobs.json`.
 */
import { writeJsonAtomic, writeTextAtomic } from "../io.ts";
import { runnerPermissions } from "../units/permissions.ts";
import { unitStates } from "../units/status.ts";
import { cacheModules } from "./deno_cache.ts";
import { checkPlan, type Plan, type PlanStates, type PlanUnit } from "./plan_types.ts";
import { jobScript, type JobScriptSpec } from "./slurm_script.ts";
import {
  allJobIds,
  type ArrayRecord,
  type Exec,
  isLive,
  JOBS_SCHEMA,
  type JobsFile,
  jobsPath,
  queueTasks,
  readJobs,
  runProcess,
  type SubmissionRecord,
} from "./slurm_queue.ts";

/** Command-line flags of the Slurm executor, validated. */
export interface SlurmFlags {
  /** `--partition` (default: the cluster's default partition). */
  partition?: string;
  /** `--account` (default: the user's default account). */
  account?: string;
  /** Extra `sbatch` flags, passed verbatim on the `sbatch` command line (they win over the script's). */
  sbatchFlags: string[];
  /** Most array tasks per job array (at most Slurm's MaxArraySize; default 1000). */
  maxArraySize: number;
  /** Most array tasks of one array running at once (`%N`; default 100). */
  arrayThrottle: number;
  /** DENO_DIR for the modules compute nodes load (default `<out>/slurm/deno_dir`; API only). */
  denoDir?: string;
}

/** Defaults of {@link SlurmFlags}. */
export const SLURM_DEFAULTS = { maxArraySize: 1000, arrayThrottle: 100 } as const;

/** Flags the executor sets itself and must not be overridden (the array maps tasks to units). */
const RESERVED_FLAGS = ["--array", "-a", "--output", "-o", "--error", "-e", "--dependency", "-d"];

function positiveInt(raw: string | undefined, flag: string, fallback: number, max: number) {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new Error(`${flag} must be an integer in [1, ${max}], got "${raw}"`);
  }
  return n;
}

/**
 * Validates the Slurm flags as given on the command line (`--partition`, `--account`,
 * `--sbatch-flag`, `--max-array-size`, `--array-throttle`; `deno-dir` only through the API);
 * throws an Error naming the flag and what it accepts.
 */
export function slurmFlagsFromArgs(values: {
  partition?: string;
  account?: string;
  "sbatch-flag"?: string[];
  "max-array-size"?: string;
  "array-throttle"?: string;
  "deno-dir"?: string;
}): SlurmFlags {
  for (const k of ["partition", "account"] as const) {
    const v = values[k];
    if (v !== undefined && !/^[A-Za-z0-9_.,+-]+$/.test(v)) {
      throw new Error(`--${k} must be a Slurm ${k} name ([A-Za-z0-9_.,+-]), got "${v}"`);
    }
  }
  const sbatchFlags = values["sbatch-flag"] ?? [];
  for (const f of sbatchFlags) {
    if (!f.startsWith("-") || /[\0\n\r]/.test(f)) {
      throw new Error(
        `--sbatch-flag must be one sbatch option starting with "-" (write --sbatch-flag=--qos=long), ` +
          `got ${JSON.stringify(f)}`,
      );
    }
    const name = f.split("=")[0];
    if (RESERVED_FLAGS.includes(name) || /^-[aode]./.test(f) && !f.startsWith("--")) {
      throw new Error(
        `--sbatch-flag ${f}: ${name} is set by the executor (arrays map tasks to units); ` +
          `use --max-array-size or --array-throttle instead`,
      );
    }
  }
  const denoDir = values["deno-dir"];
  if (denoDir !== undefined && denoDir.trim() === "") {
    throw new Error("--deno-dir must be a directory path");
  }
  return {
    partition: values.partition,
    account: values.account,
    sbatchFlags,
    maxArraySize: positiveInt(
      values["max-array-size"],
      "--max-array-size",
      SLURM_DEFAULTS.maxArraySize,
      4_000_000,
    ),
    arrayThrottle: positiveInt(
      values["array-throttle"],
      "--array-throttle",
      SLURM_DEFAULTS.arrayThrottle,
      4_000_000,
    ),
    denoDir,
  };
}

/** Margins on the plan's cost estimates (estimates come from another machine and can be off). */
export const RESOURCE_MARGINS = {
  /** time = factor × the largest unit's core-seconds + overhead (Deno start-up, module load, I/O). */
  timeFactor: 2,
  timeOverheadSeconds: 300,
  minTimeMinutes: 10,
  maxTimeMinutes: 7 * 24 * 60,
  /** memory = factor × the largest unit's MB + overhead (the Deno runtime). */
  memoryFactor: 1.5,
  memoryOverheadMB: 256,
  minMemoryMB: 1024,
  maxMemoryMB: 1024 * 1024,
} as const;

/**
 * `--time` (minutes) and `--mem` (MB) for an array running `units`, one per task: the largest
 * unit's estimate times a margin plus a fixed overhead, clamped to {@link RESOURCE_MARGINS}.
 */
export function resourceRequest(units: PlanUnit[]): { timeMinutes: number; memoryMB: number } {
  const m = RESOURCE_MARGINS;
  const core = Math.max(0, ...units.map((u) => u.coreSeconds));
  const mem = Math.max(0, ...units.map((u) => u.memoryMB));
  const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
  return {
    timeMinutes: clamp(
      Math.ceil((m.timeFactor * core + m.timeOverheadSeconds) / 60),
      m.minTimeMinutes,
      m.maxTimeMinutes,
    ),
    memoryMB: clamp(
      Math.ceil(m.memoryFactor * mem + m.memoryOverheadMB),
      m.minMemoryMB,
      m.maxMemoryMB,
    ),
  };
}

/** `--time` steps (minutes): a unit's request is rounded up to the next one. */
export const TIME_STEPS_MINUTES = [10, 30, 60, 120, 240, 480, 960, 1920, 3840, 7 * 24 * 60];

/**
 * The request class of one unit: {@link resourceRequest} rounded up to the next step of
 * {@link TIME_STEPS_MINUTES} and to a power-of-two number of GB. Units of one class share an
 * array, so a few long units do not make every task of their stage ask for their time limit.
 */
export function requestClass(unit: PlanUnit): { timeMinutes: number; memoryMB: number } {
  const r = resourceRequest([unit]);
  const m = RESOURCE_MARGINS;
  const timeMinutes = TIME_STEPS_MINUTES.find((t) => t >= r.timeMinutes) ?? m.maxTimeMinutes;
  let memoryMB = m.minMemoryMB;
  while (memoryMB < r.memoryMB) memoryMB *= 2;
  return { timeMinutes, memoryMB: Math.min(memoryMB, m.maxMemoryMB) };
}

/** One job array to submit. */
export interface ArrayPlan {
  stage: string;
  /** 1-based part of the stage and the number of parts (request classes × size splits). */
  part: number;
  parts: number;
  units: { id: string; index: number; unit: PlanUnit }[];
  /** `--time` (minutes) and `--mem` (MB) of every task of the array ({@link requestClass}). */
  timeMinutes: number;
  memoryMB: number;
  /** Stages (earlier in this submission) whose arrays this one waits for. */
  waitsFor: string[];
  /**
   * 1-based wave within the stage: units that read outputs of other unfinished units of their
   * stage (epoch segments chained by checkpoints) go into a later wave, whose arrays also wait
   * for the arrays of the wave before.
   */
  wave: number;
}

/**
 * The job arrays for the units of `plan` that are not done: per stage, its unfinished units in
 * plan order, grouped by request class ({@link requestClass}; classes in order of first
 * appearance), each group in parts of at most `maxArraySize`; each array waits for the stages it
 * depends on that have arrays in this submission (a stage that is already done needs no waiting).
 * A unit that reads an output of another unfinished unit of its own stage goes into a later wave
 * of that stage (`wave`), whose arrays also wait for the previous wave's.
 */
export function arraysToSubmit(plan: Plan, states: PlanStates, maxArraySize: number): ArrayPlan[] {
  const submitted = new Set<string>();
  const arrays: ArrayPlan[] = [];
  for (const stage of plan.stages) {
    const todo = stage.units
      .map((unit, index) => ({ id: unit.id, index, unit }))
      .filter((u) => {
        const st = states.get(u.id);
        if (st === undefined) throw new Error(`no state for unit "${u.id}": it is not in the plan`);
        return st !== "done";
      });
    if (todo.length === 0) continue;
    const waitsFor = stage.dependsOn.filter((d) => submitted.has(d));
    // Waves: a unit comes after the unfinished units of this stage whose outputs it reads.
    const producer = new Map<string, number>();
    todo.forEach((u, i) => u.unit.outputs.forEach((o) => producer.set(o, i)));
    const waveOf: number[] = new Array(todo.length).fill(0);
    const wave = (i: number, seen: Set<number>): number => {
      if (waveOf[i] > 0) return waveOf[i];
      if (seen.has(i)) throw new Error(`unit "${todo[i].id}": its inputs form a cycle`);
      seen.add(i);
      let w = 1;
      for (const input of todo[i].unit.inputs) {
        const p = producer.get(input);
        if (p !== undefined && p !== i) w = Math.max(w, wave(p, seen) + 1);
      }
      return (waveOf[i] = w);
    };
    todo.forEach((_, i) => wave(i, new Set()));
    const stageArrays: Omit<ArrayPlan, "part" | "parts">[] = [];
    for (let w = 1; w <= Math.max(...waveOf); w++) {
      const classes = new Map<
        string,
        { timeMinutes: number; memoryMB: number; units: typeof todo }
      >();
      todo.forEach((u, i) => {
        if (waveOf[i] !== w) return;
        const c = requestClass(u.unit);
        const key = `${c.timeMinutes}/${c.memoryMB}`;
        if (!classes.has(key)) classes.set(key, { ...c, units: [] });
        classes.get(key)!.units.push(u);
      });
      for (const c of classes.values()) {
        for (let i = 0; i < c.units.length; i += maxArraySize) {
          stageArrays.push({
            stage: stage.name,
            units: c.units.slice(i, i + maxArraySize),
            timeMinutes: c.timeMinutes,
            memoryMB: c.memoryMB,
            waitsFor,
            wave: w,
          });
        }
      }
    }
    stageArrays.forEach((a, i) => arrays.push({ ...a, part: i + 1, parts: stageArrays.length }));
    submitted.add(stage.name);
  }
  return arrays;
}

/** What {@link submitSlurm} needs from its surroundings (injectable for tests). */
export interface SlurmEnvironment {
  /** Runs sbatch, squeue, scancel and deno. */
  exec: Exec;
  /** Absolute path of the Deno binary the jobs run (default `Deno.execPath()`). */
  deno: string;
  /** Absolute path of the repository (the runner's working directory). */
  repo: string;
  /** The unit runner, relative to `repo`. */
  runner: string;
  /** Exact permission flags of the runner for run directory `out`. */
  permissions(out: string): string[];
  /** State of every unit of `plan` in `out`. */
  unitStates(out: string, plan: Plan): Promise<PlanStates> | PlanStates;
  /** Progress lines (stderr). */
  log(line: string): void;
}

/**
 * Options of {@link submitSlurm}: the run directory and the Slurm flags as given on the command
 * line (validated here, see {@link slurmFlagsFromArgs}).
 */
export interface SlurmSubmitOptions {
  /** Run directory holding `plan.json`. */
  out: string;
  /** Only the final summary line on stderr. */
  quiet?: boolean;
  partition?: string;
  account?: string;
  sbatchFlags?: string[];
  maxArraySize?: string | number;
  arrayThrottle?: string | number;
  /** DENO_DIR for the compute nodes' modules (default `<out>/slurm/deno_dir`). */
  denoDir?: string;
}

/** Absolute form of `path` (relative to the working directory). */
export function absolutePath(path: string): string {
  const abs = path.startsWith("/") ? path : `${Deno.cwd()}/${path}`;
  const parts: string[] = [];
  for (const p of abs.split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return "/" + parts.join("/");
}

/** Job ids of `jobs` still queued or running; cancels queued arrays that can never start. */
async function checkNothingQueued(out: string, jobs: JobsFile | null, env: SlurmEnvironment) {
  const ids = allJobIds(jobs);
  const tasks = await queueTasks(ids, env.exec);
  if (tasks === null) throw new Error("squeue not found: is this a Slurm login node?");
  const dead = [...new Set(tasks.filter((t) => !isLive(t)).map((t) => t.arrayJobId))];
  if (dead.length) {
    // Waiting on a failed or cancelled dependency: these can never run; the new submission
    // replaces them.
    const r = await env.exec("scancel", dead);
    if (r.code !== 0) throw new Error(`scancel ${dead.join(" ")} failed: ${r.stderr.trim()}`);
    env.log(`cancelled ${dead.length} array(s) whose dependencies failed: ${dead.join(", ")}`);
  }
  const live = tasks.filter(isLive);
  if (live.length) {
    const jobIds = [...new Set(live.map((t) => t.arrayJobId))];
    throw new Error(
      `${live.length} array task(s) of this run are still queued or running (jobs ` +
        `${jobIds.join(", ")}); wait for them (deno task status --out ${out} --wait) or cancel ` +
        `them (scancel ${jobIds.join(" ")}), then rerun to resubmit what is missing`,
    );
  }
}

/**
 * Submits the unfinished units of `plan` (already written to `<out>/plan.json`) to Slurm and
 * returns the submission record (also appended to `<out>/slurm/jobs.json`). `environment`
 * defaults to the pipeline's unit runner ({@link pipelineEnvironment}). Refuses while
 * arrays of an earlier submission of the same run are still queued or running. Throws an Error
 * naming the step that failed (module caching, sbatch).
 */
export async function submitSlurm(
  plan: Plan,
  options: SlurmSubmitOptions,
  environment?: SlurmEnvironment,
): Promise<SubmissionRecord> {
  checkPlan(plan);
  const str = (x: string | number | undefined) => (x === undefined ? undefined : String(x));
  const flags = slurmFlagsFromArgs({
    partition: options.partition,
    account: options.account,
    "sbatch-flag": options.sbatchFlags,
    "max-array-size": str(options.maxArraySize),
    "array-throttle": str(options.arrayThrottle),
    "deno-dir": options.denoDir,
  });
  const env = { ...(environment ?? pipelineEnvironment()) };
  const summary = env.log;
  if (options.quiet) env.log = () => {};
  const out = absolutePath(options.out);
  if (/[\s%"'\\]/.test(out)) {
    throw new Error(
      `--out ${out}: a run directory submitted to Slurm must not contain whitespace, quotes, ` +
        `backslashes or % (they break #SBATCH lines and Slurm's file name patterns)`,
    );
  }
  const denoDir = absolutePath(flags.denoDir ?? `${out}/slurm/deno_dir`);
  const jobs = await readJobs(out);
  await checkNothingQueued(out, jobs, env);

  const states = await env.unitStates(out, plan);
  const arrays = arraysToSubmit(plan, states, flags.maxArraySize);
  const record: SubmissionRecord = {
    at: new Date().toISOString(),
    deno: env.deno,
    denoDir,
    arrays: [],
  };
  if (arrays.length === 0) {
    summary("nothing to submit: every unit is done");
    return record;
  }
  const total = arrays.reduce((a, x) => a + x.units.length, 0);
  env.log(`caching the runner's modules into ${denoDir} (compute nodes need no network)`);
  const cached = await cacheModules({
    deno: env.deno,
    denoDir,
    cwd: env.repo,
    roots: [`${env.repo}/${env.runner}`],
    exec: env.exec,
  });
  env.log(
    `cached ${cached.npmPackages} npm packages for ${cached.roots.length} root module(s) ` +
      `(${cached.roots.map((r) => r.slice(env.repo.length + 1)).join(", ")})`,
  );
  for (const d of ["slurm/scripts", "slurm/logs", "slurm/tasks", "errors"]) {
    await Deno.mkdir(`${out}/${d}`, { recursive: true });
  }
  const file: JobsFile = jobs ?? { schema: JOBS_SCHEMA, submissions: [] };
  file.submissions.push(record);
  const submissionNo = file.submissions.length;
  const jobIdsOfStage = new Map<string, string[]>();
  /** Job ids per `stage#wave`: a later wave of a stage waits for the wave before. */
  const jobIdsOfWave = new Map<string, string[]>();
  const runName = out.split("/").pop() || "run";
  for (const a of arrays) {
    const res = { timeMinutes: a.timeMinutes, memoryMB: a.memoryMB };
    const spec: JobScriptSpec = {
      jobName: `dgn-${runName}-${a.stage}`,
      stage: a.stage,
      part: a.part,
      parts: a.parts,
      units: a.units.map(({ id, index }) => ({ id, index })),
      throttle: flags.arrayThrottle,
      ...res,
      partition: flags.partition,
      account: flags.account,
      deno: env.deno,
      denoDir,
      repo: env.repo,
      out,
      runner: env.runner,
      permissions: env.permissions(out),
    };
    const rel = `slurm/scripts/${
      String(submissionNo).padStart(3, "0")
    }-${a.stage}-${a.part}.sbatch`;
    await writeTextAtomic(`${out}/${rel}`, jobScript(spec));
    const dependsOn = [
      ...a.waitsFor.flatMap((s) => jobIdsOfStage.get(s) ?? []),
      ...(a.wave > 1 ? jobIdsOfWave.get(`${a.stage}#${a.wave - 1}`) ?? [] : []),
    ];
    const args = [
      "--parsable",
      ...(dependsOn.length
        ? [`--dependency=afterok:${dependsOn.join(":")}`, "--kill-on-invalid-dep=yes"]
        : []),
      ...flags.sbatchFlags,
      `${out}/${rel}`,
    ];
    const r = await env.exec("sbatch", args, { cwd: out });
    if (r.notFound) throw new Error("sbatch not found: is this a Slurm login node?");
    const jobId = r.stdout.trim().split(";")[0];
    if (r.code !== 0 || !/^\d+$/.test(jobId)) {
      await writeJsonAtomic(jobsPath(out), file);
      throw new Error(
        `sbatch ${rel} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}` +
          (record.arrays.length
            ? `; the ${record.arrays.length} array(s) submitted before it stay queued ` +
              `(recorded in slurm/jobs.json)`
            : ""),
      );
    }
    const entry: ArrayRecord = {
      stage: a.stage,
      part: a.part,
      jobId,
      script: rel,
      units: spec.units,
      dependsOn,
      timeMinutes: res.timeMinutes,
      memoryMB: res.memoryMB,
      sbatchArgs: args,
    };
    record.arrays.push(entry);
    jobIdsOfStage.set(a.stage, [...(jobIdsOfStage.get(a.stage) ?? []), jobId]);
    const waveKey = `${a.stage}#${a.wave}`;
    jobIdsOfWave.set(waveKey, [...(jobIdsOfWave.get(waveKey) ?? []), jobId]);
    await writeJsonAtomic(jobsPath(out), file);
    env.log(
      `stage ${a.stage}${a.parts > 1 ? ` part ${a.part}/${a.parts}` : ""}: job ${jobId}, ` +
        `${a.units.length} task(s), ${res.timeMinutes} min, ${res.memoryMB} MB each` +
        (dependsOn.length ? `, after ${dependsOn.join(",")}` : ""),
    );
  }
  summary(
    `submitted ${total} unit(s) in ${record.arrays.length} array(s) ` +
      `(jobs ${record.arrays.map((a) => a.jobId).join(", ")}); ` +
      `watch with: deno task status --out ${options.out} [--wait]`,
  );
  return record;
}

/** The environment of the pipeline: `scripts/run_unit.ts` with its exact permissions. */
export function pipelineEnvironment(): SlurmEnvironment {
  return {
    ...processEnvironment(),
    runner: "scripts/run_unit.ts",
    permissions: runnerPermissions,
    unitStates,
  };
}

/** The parts of {@link SlurmEnvironment} that are the same for every caller. */
export function processEnvironment(): Pick<SlurmEnvironment, "exec" | "deno" | "repo" | "log"> {
  const here = new URL("../../..", import.meta.url);
  if (here.protocol !== "file:") {
    throw new Error("the Slurm executor runs from a local checkout of the repository");
  }
  return {
    exec: runProcess,
    deno: Deno.execPath(),
    repo: decodeURIComponent(here.pathname).replace(/\/$/, ""),
    log: (line) => console.error(`[slurm] ${line}`),
  };
}
