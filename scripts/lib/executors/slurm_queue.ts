/**
 * Slurm's view of a run's jobs: the array tasks `squeue` still lists (pending, running,
 * completing …), and the run's job record `<out>/slurm/jobs.json` (`degeneracy.slurm-jobs/1`),
 * which maps array job id and task id back to plan units. Also the small process helper the
 * Slurm executor and `deno task status` share.
 */
import { exists, readJson } from "../io.ts";

/** Result of a finished child process. */
export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The program was not found on PATH. */
  notFound?: boolean;
}

/** Runs a program and collects its output. */
export type Exec = (
  cmd: string,
  args: string[],
  opts?: { cwd?: string; env?: Record<string, string> },
) => Promise<ExecResult>;

/**
 * The default {@link Exec}: `Deno.Command`. A missing program gives `notFound`; a program this
 * process may not run throws an Error naming the `--allow-run` flag it needs.
 */
export const runProcess: Exec = async (cmd, args, opts = {}) => {
  try {
    const r = await new Deno.Command(cmd, {
      args,
      cwd: opts.cwd,
      env: opts.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { code: 127, stdout: "", stderr: `${cmd}: not found`, notFound: true };
    }
    if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
      throw new Error(`running ${cmd} needs --allow-run=${cmd} (${(e as Error).message})`);
    }
    throw e;
  }
};

/** One array task (or whole job) as `squeue` lists it. */
export interface QueueTask {
  /** Array job id (the id `sbatch --parsable` printed). */
  arrayJobId: string;
  /** Array task id; null for a line that is not one task. */
  taskId: number | null;
  /** Slurm job state, e.g. PENDING, RUNNING, COMPLETING. */
  state: string;
  /** Slurm's reason, e.g. Dependency, Priority, DependencyNeverSatisfied. */
  reason: string;
}

/** `squeue --format` matching {@link parseSqueue}. */
export const SQUEUE_FORMAT = "%F|%K|%T|%r";

/** Parses `squeue --noheader --array --format=SQUEUE_FORMAT` output. */
export function parseSqueue(text: string): QueueTask[] {
  const tasks: QueueTask[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const [arrayJobId, task, state, reason] = line.trim().split("|");
    if (!arrayJobId || !state) throw new Error(`squeue: cannot parse line "${line}"`);
    const taskId = /^\d+$/.test(task) ? Number(task) : null;
    tasks.push({ arrayJobId, taskId, state, reason: reason ?? "" });
  }
  return tasks;
}

const FINISHED = new Set([
  "COMPLETED",
  "CANCELLED",
  "FAILED",
  "TIMEOUT",
  "OUT_OF_MEMORY",
  "NODE_FAIL",
  "PREEMPTED",
  "BOOT_FAIL",
  "DEADLINE",
  "REVOKED",
  "SPECIAL_EXIT",
]);

/** True while a task may still run: not finished and not waiting on a dependency that failed. */
export function isLive(t: QueueTask): boolean {
  if (FINISHED.has(t.state)) return false;
  return !(t.state === "PENDING" && t.reason === "DependencyNeverSatisfied");
}

/**
 * The tasks of `jobIds` that `squeue` still lists, or null when `squeue` is not installed.
 * Job ids Slurm has forgotten are simply absent. Throws when `squeue` fails otherwise.
 */
export async function queueTasks(jobIds: string[], exec: Exec): Promise<QueueTask[] | null> {
  if (jobIds.length === 0) return [];
  const r = await exec("squeue", [
    "--noheader",
    "--array",
    `--jobs=${jobIds.join(",")}`,
    `--format=${SQUEUE_FORMAT}`,
  ]);
  if (r.notFound) return null;
  if (r.code !== 0) {
    // squeue fails when none of the ids is known any more (all purged): nothing is queued.
    if (/Invalid job id/i.test(r.stderr)) return [];
    throw new Error(`squeue failed (exit ${r.code}): ${r.stderr.trim()}`);
  }
  const wanted = new Set(jobIds);
  return parseSqueue(r.stdout).filter((t) => wanted.has(t.arrayJobId));
}

/** One submitted job array. */
export interface ArrayRecord {
  stage: string;
  /** 1-based part of the stage (a stage larger than the maximum array size is split). */
  part: number;
  jobId: string;
  /** Job script, relative to the run directory. */
  script: string;
  /** Array task i runs `units[i]`. */
  units: { id: string; index: number }[];
  /** Job ids this array waits for (`afterok`). */
  dependsOn: string[];
  timeMinutes: number;
  memoryMB: number;
  /** The `sbatch` arguments used (script last). */
  sbatchArgs: string[];
}

/** One run of `submitSlurm`. */
export interface SubmissionRecord {
  at: string;
  deno: string;
  denoDir: string;
  arrays: ArrayRecord[];
}

/** `<out>/slurm/jobs.json`: every submission of a run, oldest first. */
export interface JobsFile {
  schema: "degeneracy.slurm-jobs/1";
  submissions: SubmissionRecord[];
}

/** Schema tag of {@link JobsFile}. */
export const JOBS_SCHEMA = "degeneracy.slurm-jobs/1";

/** Path of the job record of run directory `out`. */
export function jobsPath(out: string): string {
  return `${out}/slurm/jobs.json`;
}

/** Reads `<out>/slurm/jobs.json`; null when the run was never submitted to Slurm. */
export async function readJobs(out: string): Promise<JobsFile | null> {
  const path = jobsPath(out);
  if (!(await exists(path))) return null;
  const j = await readJson<JobsFile>(path);
  if (j?.schema !== JOBS_SCHEMA || !Array.isArray(j.submissions)) {
    throw new Error(`${path}: schema must be "${JOBS_SCHEMA}", got ${j?.schema}`);
  }
  return j;
}

/** Every array job id recorded in `jobs`. */
export function allJobIds(jobs: JobsFile | null): string[] {
  return jobs ? jobs.submissions.flatMap((s) => s.arrays.map((a) => a.jobId)) : [];
}

/** Maps each live queued task of `jobs` to its unit: `unit id → task` (latest submission wins). */
export function liveUnits(jobs: JobsFile, tasks: QueueTask[]): Map<string, QueueTask> {
  const byJob = new Map<string, ArrayRecord>();
  for (const s of jobs.submissions) for (const a of s.arrays) byJob.set(a.jobId, a);
  const out = new Map<string, QueueTask>();
  for (const t of tasks) {
    if (!isLive(t)) continue;
    const a = byJob.get(t.arrayJobId);
    if (!a) continue;
    if (t.taskId !== null) {
      const u = a.units[t.taskId];
      if (u) out.set(u.id, t);
    } else {
      for (const u of a.units) out.set(u.id, t);
    }
  }
  return out;
}
