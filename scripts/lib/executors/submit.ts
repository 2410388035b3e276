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
import { f, UsageError } from "../cli.ts";
import { type Exec, runProcess } from "./slurm_queue.ts";

/** `--executor` and `--workers` of the entry points that run a graph (`reproduce`, `sensitivity`). */
export const EXECUTOR_FLAGS = {
  executor: f.choice(
    ["local", "slurm"] as const,
    "local: this machine, one worker per core; slurm: job arrays",
    "local",
  ),
  workers: f.int("N", "local workers", { min: 0, max: 1024, defaultText: "one per core" }),
};

/** The Slurm-only flags of those entry points. */
export const SLURM_FLAGS = {
  partition: f.string("P", "Slurm partition (slurm only)"),
  account: f.string("A", "Slurm account (slurm only)"),
  "sbatch-flag": f.repeat(f.string("F", "extra sbatch flag (slurm only)")),
  "max-array-size": f.int("N", "largest Slurm job array (slurm only)", { min: 1 }),
  "array-throttle": f.int("N", "Slurm array tasks running at once (slurm only)", { min: 1 }),
};

/**
 * The executor asked for (`local` by default); a Slurm-only flag with the local executor, or
 * `--workers` with Slurm, is a UsageError naming the flag.
 */
export function checkExecutorFlags(
  values: SlurmFlagValues & { executor?: "local" | "slurm"; workers?: number },
): "local" | "slurm" {
  const executor = values.executor ?? "local";
  if (executor === "local") {
    for (const flag of Object.keys(SLURM_FLAGS)) {
      const v = (values as Record<string, unknown>)[flag];
      if (v !== undefined && !(Array.isArray(v) && v.length === 0)) {
        throw new UsageError(`--${flag}`, "only with --executor slurm", "add --executor slurm");
      }
    }
  } else if (values.workers !== undefined) {
    throw new UsageError("--workers", "only with --executor local", "drop --workers");
  }
  return executor;
}

/** The Slurm flags of an entry point's command line (`reproduce`, `sensitivity`). */
export interface SlurmFlagValues {
  partition?: string;
  account?: string;
  "sbatch-flag"?: string[];
  "max-array-size"?: number;
  "array-throttle"?: number;
}

/** The Slurm commands a submission runs (`scancel` only for arrays that can never start). */
const SLURM_COMMANDS = ["sbatch", "squeue"] as const;

/**
 * Checks, before anything is written, that the Slurm commands a submission runs are on PATH
 * (`sbatch --version`, `squeue --version`); a missing one is a UsageError on `--executor`.
 */
export async function requireSlurmCommands(exec: Exec = runProcess): Promise<void> {
  const missing: string[] = [];
  for (const cmd of SLURM_COMMANDS) {
    if ((await exec(cmd, ["--version"])).notFound) missing.push(cmd);
  }
  if (missing.length) {
    throw new UsageError(
      "--executor",
      `slurm runs ${missing.join(" and ")}, not found on PATH`,
      "submit from a Slurm login node, or use --executor local",
    );
  }
}

/**
 * Submits a run to Slurm (`--executor slurm`): checks that sbatch and squeue are on PATH, loads
 * the Slurm executor, takes the run lock of `out` (the submitting command holds it; the array
 * tasks, run_unit, never take it), lets `prepare` write the plan once the lock is held, submits
 * it and releases the lock. Nothing is written when Slurm is missing.
 */
export async function submitToSlurm(
  out: string,
  command: string,
  flags: SlurmFlagValues,
  quiet: boolean,
  prepare: () => Promise<PlanFile>,
): Promise<void> {
  await requireSlurmCommands();
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
