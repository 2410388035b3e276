/**
 * Slurm's side of a run's status, as extra detail beside the unit states read from the run
 * directory: how many unfinished units of each stage have an array task running or queued,
 * and how many array tasks of the run Slurm may still run. From `<out>/slurm/jobs.json` (which
 * array task runs which unit) and `squeue`.
 */
import { exists, readJson } from "../io.ts";
import { type Plan, type PlanStates, unitFileName } from "./plan_types.ts";
import { allJobIds, type Exec, isLive, liveUnits, queueTasks, readJobs } from "./slurm_queue.ts";

/** Slurm detail of a run. */
export interface SlurmDetail {
  /** Array tasks of the run that may still run (queued, running, completing …). */
  liveTasks: number;
  /** Per stage: units with a running and with a queued array task. */
  stages: Map<string, { running: number; queued: number }>;
  /** Units with a live array task. */
  liveUnits: Set<string>;
}

/** What is known about a run's Slurm jobs. */
export type SlurmView =
  /** Never submitted to Slurm (no `slurm/jobs.json`). */
  | { kind: "none" }
  /** Submitted, but `squeue` is not available here. */
  | { kind: "no-squeue" }
  /** Submitted, but `squeue` failed (e.g. the controller did not answer). */
  | { kind: "error"; message: string }
  | { kind: "queue"; detail: SlurmDetail };

const RUNNING = new Set(["RUNNING", "COMPLETING", "CONFIGURING", "STAGE_OUT", "SIGNALING"]);

/** Reads the Slurm view of run directory `out` (call it before reading the unit states). */
export async function slurmView(out: string, plan: Plan, exec: Exec): Promise<SlurmView> {
  const jobs = await readJobs(out);
  if (!jobs) return { kind: "none" };
  let tasks;
  try {
    tasks = await queueTasks(allJobIds(jobs), exec);
  } catch (e) {
    return { kind: "error", message: (e as Error).message.split("\n")[0] };
  }
  if (tasks === null) return { kind: "no-squeue" };
  const byUnit = liveUnits(jobs, tasks);
  const stages = new Map<string, { running: number; queued: number }>();
  for (const s of plan.stages) {
    const c = { running: 0, queued: 0 };
    for (const u of s.units) {
      const t = byUnit.get(u.id);
      if (!t) continue;
      if (RUNNING.has(t.state)) c.running++;
      else c.queued++;
    }
    stages.set(s.name, c);
  }
  return {
    kind: "queue",
    detail: { liveTasks: tasks.filter(isLive).length, stages, liveUnits: new Set(byUnit.keys()) },
  };
}

/** A unit whose last array task ended without finishing it and without an error file. */
export interface StoppedUnit {
  unit: string;
  /** `jobid_task` of that array task. */
  task: string;
  /** Its exit code: 143 after SIGTERM (scancel, preemption, time limit); null: never recorded. */
  exitCode: number | null;
  /** Its log. */
  log: string;
}

/**
 * Pending units (not done, no error file) with no live array task whose last array task ended
 * anyway, from the stamps the job scripts write (`slurm/tasks/<unit>.json`): cancelled, over
 * their time limit, or on a node that died. A rerun of the submit command resubmits them.
 */
export async function stoppedUnits(
  out: string,
  plan: Plan,
  states: PlanStates,
  live: Set<string>,
): Promise<StoppedUnit[]> {
  const stopped: StoppedUnit[] = [];
  for (const s of plan.stages) {
    for (const u of s.units) {
      if (states.get(u.id) !== "pending" || live.has(u.id)) continue;
      const path = `${out}/slurm/tasks/${unitFileName(u.id)}.json`;
      if (!(await exists(path))) continue;
      const st = await readJson<
        { arrayJobId: string; arrayTaskId: number; exitCode: number | null; log?: string }
      >(path);
      stopped.push({
        unit: u.id,
        task: `${st.arrayJobId}_${st.arrayTaskId}`,
        exitCode: st.exitCode,
        log: st.log ?? "",
      });
    }
  }
  return stopped;
}
