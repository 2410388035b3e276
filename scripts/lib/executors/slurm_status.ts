/**
 * Slurm's side of a run's status, as extra detail beside the unit states read from the run
 * directory: how many unfinished units of each stage have an array task running or queued,
 * and how many array tasks of the run Slurm may still run. From `<out>/slurm/jobs.json` (which
 * array task runs which unit) and `squeue`.
 */
import type { Plan } from "./plan_types.ts";
import { allJobIds, type Exec, isLive, liveUnits, queueTasks, readJobs } from "./slurm_queue.ts";

/** Slurm detail of a run. */
export interface SlurmDetail {
  /** Array tasks of the run that may still run (queued, running, completing …). */
  liveTasks: number;
  /** Per stage: units with a running and with a queued array task. */
  stages: Map<string, { running: number; queued: number }>;
}

/** What is known about a run's Slurm jobs. */
export type SlurmView =
  /** Never submitted to Slurm (no `slurm/jobs.json`). */
  | { kind: "none" }
  /** Submitted, but `squeue` is not available here. */
  | { kind: "no-squeue" }
  | { kind: "queue"; detail: SlurmDetail };

const RUNNING = new Set(["RUNNING", "COMPLETING", "CONFIGURING", "STAGE_OUT", "SIGNALING"]);

/** Reads the Slurm view of run directory `out` (call it before reading the unit states). */
export async function slurmView(out: string, plan: Plan, exec: Exec): Promise<SlurmView> {
  const jobs = await readJobs(out);
  if (!jobs) return { kind: "none" };
  const tasks = await queueTasks(allJobIds(jobs), exec);
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
  return { kind: "queue", detail: { liveTasks: tasks.filter(isLive).length, stages } };
}
