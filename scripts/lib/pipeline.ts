/**
 * Runs a reproduction (or one experiment/control) through the unit graph: builds and validates
 * the graph, pins the run directory to its configuration (`config.json`), writes `plan.json`
 * (the contract every executor reads), then runs the units with the chosen executor. The local
 * executor finishes with the report even when some units failed (the report lists them).
 *
 * @module
 */
import { acquireRunLock, exists, join, removeStaleTemps, writeJsonAtomic } from "./io.ts";
import { networkPath, planPath } from "./layout.ts";
import { readNetworkRecord } from "../../rnn/record.ts";
import { ensureConfig } from "./studies.ts";
import { buildGraph, type Graph, planFile, type PlanOptions } from "./units/graph.ts";
import type { CostRates } from "./units/cost.ts";
import { expectedNetwork, runUnit, type UnitOutcome } from "./units/execute.ts";
import { unitStates } from "./units/status.ts";
import { runLocal } from "./executors/local.ts";
import type { Progress } from "./progress.ts";

/**
 * Writes `config.json` (refusing a directory made with other settings) and `plan.json`
 * (atomically) for `graph`, and removes the report's outputs when any other unit is not done
 * (so a report never describes fewer results than the directory holds). Returns the plan.
 */
export async function preparePlan(out: string, graph: Graph) {
  await Deno.mkdir(out, { recursive: true });
  await ensureConfig(out, graph.preset, graph.studies, graph.options.backend);
  const plan = planFile(graph);
  await writeJsonAtomic(planPath(out), plan);
  const states = unitStates(out, plan);
  const report = graph.stages.find((s) => s.name === "report")!.units[0];
  const incomplete = [...states].some(([id, s]) => id !== report.id && s !== "done");
  if (incomplete) {
    for (const o of report.outputs) await Deno.remove(join(out, o)).catch(() => {});
  }
  return plan;
}

/**
 * Checks every network file the plan's training units wrote (`readNetworkRecord` with the
 * population's task, member and size): a file that cannot be read (invalid JSON, a null or
 * misshapen weight, another variant's task, …) is moved aside to `<file>.unreadable` with one
 * line saying so, and its training unit runs again. Returns the files moved aside.
 */
export async function retrainUnreadableNetworks(
  out: string,
  graph: Graph,
  log: (line: string) => void = (l) => console.error(l),
): Promise<string[]> {
  const moved: string[] = [];
  for (const v of graph.variants) {
    for (let m = 0; m < graph.preset.members; m++) {
      const file = networkPath(out, v.study, v.variant, m);
      if (!(await exists(file))) continue;
      try {
        await readNetworkRecord(file, expectedNetwork(v, m));
      } catch (e) {
        const reason = (e as Error).message.split("\n")[0];
        await Deno.rename(file, `${file}.unreadable`);
        log(`[run] ${reason}: unreadable, so it is retrained (kept as ${file}.unreadable)`);
        moved.push(file);
      }
    }
  }
  return moved;
}

/** Options of {@link runPipeline}. */
export interface PipelineOptions {
  out: string;
  options: PlanOptions;
  /** Web Workers of the local executor (default one per core). */
  workers?: number;
  quiet: boolean;
  progress?: Progress;
  rates?: CostRates;
  /** The command line recorded in the run lock (default `reproduce`). */
  command?: string;
  /**
   * Called once the run lock is held, before anything is written (e.g. to announce the run, or
   * remove a file the run replaces: nothing is said or written before the lock).
   */
  onLocked?: () => void | Promise<void>;
}

/**
 * Builds the graph, takes the run lock (one run per directory; refused while another run
 * holds it), writes config.json and plan.json and runs every unit locally; then runs the
 * report if it has not run (because a unit it reads failed). Returns the failed units.
 */
export async function runPipeline(o: PipelineOptions): Promise<UnitOutcome[]> {
  const graph = buildGraph(o.options, o.rates);
  const lock = await acquireRunLock(o.out, o.command ?? "reproduce");
  try {
    await o.onLocked?.();
    if (lock.replaced && !o.quiet) {
      console.error(
        `[run] ${o.out}: took over the stale lock of pid ${lock.replaced.pid} on ` +
          `${lock.replaced.host} (started ${lock.replaced.started}; that process is gone)`,
      );
    }
    return await runLocked(o, graph);
  } finally {
    lock.release();
  }
}

async function runLocked(o: PipelineOptions, graph: Graph): Promise<UnitOutcome[]> {
  await removeStaleTemps(o.out);
  await preparePlan(o.out, graph);
  if ((await retrainUnreadableNetworks(o.out, graph)).length) {
    await preparePlan(o.out, graph); // the run is incomplete again: drop the old report
  }
  const workers = o.workers ?? navigator.hardwareConcurrency ?? 1;
  const outcomes = await runLocal(o.out, graph, {
    workers,
    backend: o.options.backend,
    quiet: o.quiet,
    progress: o.progress,
  });
  const report = graph.byId.get("report")!;
  if (!(await exists(join(o.out, report.outputs[0])))) {
    // some input of the report failed: report what there is (it lists the failures)
    outcomes.push(
      await runUnit(o.out, graph, { ...report, inputs: [] }, {
        workers: 0,
        backend: o.options.backend,
        quiet: o.quiet,
      }),
    );
  }
  // every failure recorded in the directory, also from earlier runs
  const states = unitStates(o.out, planFile(graph));
  const failed = outcomes.filter((x) => x.status === "failed");
  for (const [id, s] of states) {
    if (s === "failed" && !failed.some((f) => f.id === id)) {
      failed.push({ id, status: "failed", seconds: 0, message: "failed in an earlier run" });
    }
  }
  return failed;
}
