/**
 * Submitting a run to Slurm from an entry point (`reproduce`, `sensitivity`): the executor is
 * loaded only when asked for, and the submitting command holds the run lock while it writes the
 * plan and submits.
 *
 * @module
 */
import type { PlanFile } from "../units/graph.ts";
import type { SlurmSubmitOptions } from "../../reproduce.ts";
import { acquireRunLock } from "../io.ts";

/** The Slurm flags of an entry point's command line (`reproduce`, `sensitivity`). */
export interface SlurmFlagValues {
  partition?: string;
  account?: string;
  "sbatch-flag"?: string[];
  "max-array-size"?: number;
  "array-throttle"?: number;
}

/**
 * Submits a run to Slurm (`--executor slurm`): loads the Slurm executor, takes the run lock of
 * `out` (the submitting command holds it; the array tasks, run_unit, never take it), lets
 * `prepare` write the plan once the lock is held, submits it and releases the lock.
 */
export async function submitToSlurm(
  out: string,
  command: string,
  flags: SlurmFlagValues,
  quiet: boolean,
  prepare: () => Promise<PlanFile>,
): Promise<void> {
  const slurm: SlurmSubmitOptions = {
    out,
    quiet,
    partition: flags.partition,
    account: flags.account,
    sbatchFlags: flags["sbatch-flag"] ?? [],
    maxArraySize: flags["max-array-size"]?.toString(),
    arrayThrottle: flags["array-throttle"]?.toString(),
  };
  let mod: { submitSlurm?: (p: PlanFile, s: SlurmSubmitOptions) => Promise<void> };
  try {
    mod = await import(new URL("./slurm.ts", import.meta.url).href);
  } catch (e) {
    throw new Error(
      `--executor slurm: the Slurm executor (scripts/lib/executors/slurm.ts) cannot be ` +
        `loaded: ${(e as Error).message.split("\n")[0]}`,
    );
  }
  if (typeof mod.submitSlurm !== "function") {
    throw new Error("--executor slurm: scripts/lib/executors/slurm.ts has no submitSlurm");
  }
  const lock = await acquireRunLock(out, command);
  try {
    await mod.submitSlurm(await prepare(), slurm);
  } finally {
    lock.release();
  }
}
