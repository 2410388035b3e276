/**
 * Progress of a run directory: done / failed / pending units per stage (from the files in the
 * run directory, via the pipeline's unit states), the failed units' error messages, and, when
 * the run was submitted to Slurm and `squeue` is available, how many of the pending units have
 * an array task running or queued (extra detail only: the files are the truth).
 */
import { exists, readJson } from "../io.ts";
import { type Plan, type PlanStates, unitFileName } from "./plan_types.ts";
import { type Exec, isLive, liveUnits, queueTasks, readJobs } from "./slurm_queue.ts";

/** Counts of one stage. */
export interface StageStatus {
  name: string;
  units: number;
  done: number;
  failed: number;
  pending: number;
  /** Units with a running array task (null: no Slurm detail). */
  running: number | null;
  /** Units with a queued array task (null: no Slurm detail). */
  queued: number | null;
}

/** A failed unit and why. */
export interface FailedUnit {
  stage: string;
  unit: string;
  message: string;
  /** Error file, relative to the run directory. */
  file: string;
}

/** Status of a run directory. */
export interface RunStatus {
  stages: StageStatus[];
  failed: FailedUnit[];
  /** Whether the run was submitted to Slurm (`slurm/jobs.json` exists). */
  submitted: boolean;
  /** Whether `squeue` answered (false: not installed). */
  squeue: boolean;
  /** Array tasks of this run Slurm may still run (null without Slurm detail). */
  liveTasks: number | null;
}

/** What {@link runStatus} reads through. */
export interface StatusDeps {
  unitStates(out: string, plan: Plan): Promise<PlanStates> | PlanStates;
  exec: Exec;
}

const RUNNING = new Set(["RUNNING", "COMPLETING", "CONFIGURING", "STAGE_OUT", "SIGNALING"]);

/** Reads the status of run directory `out` with plan `plan`. */
export async function runStatus(out: string, plan: Plan, deps: StatusDeps): Promise<RunStatus> {
  // Slurm first, files second: a task that finishes in between then counts as done, never
  // as a pending unit without a live task.
  const jobs = await readJobs(out);
  let live: Map<string, { state: string }> | null = null;
  let squeue = false;
  let liveTasks: number | null = null;
  if (jobs) {
    const ids = jobs.submissions.flatMap((s) => s.arrays.map((a) => a.jobId));
    const tasks = await queueTasks(ids, deps.exec);
    if (tasks) {
      squeue = true;
      live = liveUnits(jobs, tasks);
      liveTasks = tasks.filter(isLive).length;
    }
  }
  const states = await deps.unitStates(out, plan);
  const stages: StageStatus[] = [];
  const failed: FailedUnit[] = [];
  for (const s of plan.stages) {
    const c: StageStatus = {
      name: s.name,
      units: s.units.length,
      done: 0,
      failed: 0,
      pending: 0,
      running: live ? 0 : null,
      queued: live ? 0 : null,
    };
    for (let i = 0; i < s.units.length; i++) {
      const state = states.get(s.units[i].id) ?? "pending";
      c[state]++;
      const t = live?.get(s.units[i].id);
      if (t && state !== "done") {
        if (RUNNING.has(t.state)) c.running!++;
        else c.queued!++;
      }
      if (state === "failed") {
        const file = `errors/${unitFileName(s.units[i].id)}.json`;
        let message = "(no error file)";
        if (await exists(`${out}/${file}`)) {
          message = (await readJson<{ message?: string }>(`${out}/${file}`)).message ?? message;
        }
        failed.push({ stage: s.name, unit: s.units[i].id, message, file });
      }
    }
    stages.push(c);
  }
  return { stages, failed, submitted: jobs !== null, squeue, liveTasks };
}

/** Totals over the stages. */
export function totals(
  s: RunStatus,
): { units: number; done: number; failed: number; pending: number } {
  const t = { units: 0, done: 0, failed: 0, pending: 0 };
  for (const x of s.stages) {
    t.units += x.units;
    t.done += x.done;
    t.failed += x.failed;
    t.pending += x.pending;
  }
  return t;
}

/** True while work may still happen: Slurm has live tasks, or (without Slurm detail) units are pending. */
export function busy(s: RunStatus): boolean {
  if (s.liveTasks !== null) return s.liveTasks > 0;
  return totals(s).pending > 0;
}

/** The status as a table, one row per stage, then the failed units. */
export function formatStatus(out: string, s: RunStatus): string {
  const slurm = s.stages.some((x) => x.running !== null);
  const head = [
    "stage",
    "units",
    "done",
    "failed",
    "pending",
    ...(slurm ? ["running", "queued"] : []),
  ];
  const rows = s.stages.map((x) => [
    x.name,
    ...[x.units, x.done, x.failed, x.pending].map(String),
    ...(slurm ? [String(x.running), String(x.queued)] : []),
  ]);
  const t = totals(s);
  rows.push(["total", ...[t.units, t.done, t.failed, t.pending].map(String)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ").trimEnd();
  const lines = [`run ${out}`, line(head), ...rows.map(line)];
  if (slurm) {
    lines.push(`slurm: ${s.liveTasks} array task(s) queued or running (squeue)`);
  } else if (s.submitted && !s.squeue) {
    lines.push("slurm: submitted, but squeue is not available here (file states only)");
  }
  if (s.failed.length) {
    lines.push(`failed units (${s.failed.length}):`);
    for (const f of s.failed) lines.push(`  ${f.unit}: ${f.message} (${f.file})`);
  }
  return lines.join("\n");
}

/**
 * Polls {@link runStatus} every `intervalMs` until nothing is queued or running (see
 * {@link busy}); calls `onChange` when the counts change. Returns the final status.
 */
export async function waitForRun(
  out: string,
  plan: Plan,
  deps: StatusDeps,
  o: { intervalMs: number; onChange?: (s: RunStatus) => void },
): Promise<RunStatus> {
  let last = "";
  for (;;) {
    const s = await runStatus(out, plan, deps);
    const key = JSON.stringify([s.stages, s.liveTasks]);
    if (key !== last) {
      o.onChange?.(s);
      last = key;
    }
    if (!busy(s)) return s;
    await new Promise((r) => setTimeout(r, o.intervalMs));
  }
}
