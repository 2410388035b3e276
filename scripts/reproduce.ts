/**
 * The main job: reproduces the paper end to end into one run directory — task complexity of
 * every variant, training of every population (experiments and controls), every metric
 * (§3.1–3.3, Appendix B), the figures and the report with its claims table — as a graph of
 * work units (scripts/lib/units/graph.ts). It writes `OUT/plan.json`, then runs the units:
 * `--executor local` (default) on this machine, one Web Worker per core; `--executor slurm`
 * submits them as Slurm job arrays (scripts/lib/executors/slurm.ts) and returns. Resumable:
 * rerun the same command after a kill; finished units are skipped.
 *
 * Run: `deno task reproduce [--preset smoke|quick|paper] [--out DIR] [--members K]
 * [--backend auto|cpu|webgpu] [--only study,study] [--executor local|slurm] [--workers N]
 * [--train-block K] [--pair-block P] [--quiet]`.
 */
import { parseArgs } from "node:util";
import { getPreset, STUDIES } from "./presets.ts";
import { checkStudyNames } from "./lib/studies.ts";
import { intFlag, runMain, UsageError } from "./lib/cli.ts";
import { releaseWebGpu } from "./lib/engine.ts";
import { fmtDuration, Progress } from "./lib/progress.ts";
import { preparePlan, runPipeline } from "./lib/pipeline.ts";
import { buildGraph, type PlanFile, type PlanOptions } from "./lib/units/graph.ts";

export { allStudies } from "./lib/studies.ts";

/** Options of {@link reproduce}. */
export interface ReproduceOptions {
  preset: string;
  out: string;
  members?: number;
  backend: string;
  quiet: boolean;
  /** Restrict to these studies (default all). */
  only?: string[];
  /** Local executor workers (default one per core). */
  workers?: number;
  /** Members per training unit / pairs per DSA and PIF block (default automatic). */
  trainBlock?: number;
  pairBlock?: number;
}

/** The run options (plan.json `options`) of reproduce's flags. */
export function planOptionsOf(o: ReproduceOptions): PlanOptions {
  return {
    preset: o.preset,
    ...(o.members !== undefined ? { members: o.members } : {}),
    ...(o.only ? { studies: checkStudyNames(o.only) } : {}),
    backend: o.backend,
    ...(o.trainBlock !== undefined ? { trainBlock: o.trainBlock } : {}),
    ...(o.pairBlock !== undefined ? { pairBlock: o.pairBlock } : {}),
  };
}

/**
 * Runs the whole pipeline locally, report included; returns the wall time in seconds. Sets
 * exit code 2 when a unit failed (the report lists it; rerun to retry).
 */
export async function reproduce(o: ReproduceOptions): Promise<number> {
  const t0 = performance.now();
  const options = planOptionsOf(o);
  const preset = getPreset(o.preset, { members: o.members });
  const progress = new Progress("reproduce", 0, { quiet: o.quiet, intervalMs: 5000 });
  const graph = buildGraph(options);
  const units = graph.stages.reduce((a, s) => a + s.units.length, 0);
  progress.log(
    `preset ${preset.name}: ${graph.studies.length} studies, ${graph.variants.length} ` +
      `populations × ${preset.members} networks, ${units} units → ${o.out}`,
  );
  const failures = await runPipeline({
    out: o.out,
    options,
    workers: o.workers,
    quiet: o.quiet,
    progress,
  });
  const sec = (performance.now() - t0) / 1000;
  progress.log(`done in ${fmtDuration(sec)}`);
  if (failures.length) {
    console.error(
      `[reproduce] ${failures.length} unit(s) failed; the report lists them; rerun to retry:\n` +
        failures.map((f) => `  ${f.id}: ${f.message}`).join("\n"),
    );
    Deno.exitCode = 2;
  }
  return sec;
}

/** Options handed to `submitSlurm` (scripts/lib/executors/slurm.ts); flags as given. */
export interface SlurmSubmitOptions {
  out: string;
  quiet: boolean;
  partition?: string;
  account?: string;
  sbatchFlags: string[];
  maxArraySize?: string;
  arrayThrottle?: string;
}

const SLURM_FLAGS = ["partition", "account", "sbatch-flag", "max-array-size", "array-throttle"];

const USAGE = "usage: reproduce.ts [--preset smoke|quick|paper] [--out DIR] [--members K] " +
  "[--backend auto|cpu|webgpu] [--only study,study] [--executor local|slurm] [--workers N] " +
  "[--train-block K] [--pair-block P] [--quiet]\n" +
  "  --executor     local (default: this machine, one worker per core) or slurm (job arrays)\n" +
  "  --workers      local workers (default: one per core)\n" +
  "  --train-block  networks per training unit (default: automatic, ≈ 1 core-hour)\n" +
  "  --pair-block   pairs per DSA / PIF unit (default: automatic, ≈ 1 core-hour)\n" +
  "  slurm only:    --partition P --account A --sbatch-flag F (repeatable) " +
  "--max-array-size N --array-throttle N\n" +
  `studies: ${STUDIES.join(", ")}`;

if (import.meta.main) {
  await runMain(async () => {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        preset: { type: "string", default: "quick" },
        out: { type: "string" },
        members: { type: "string" },
        backend: { type: "string", default: "auto" },
        only: { type: "string" },
        executor: { type: "string", default: "local" },
        workers: { type: "string" },
        "train-block": { type: "string" },
        "pair-block": { type: "string" },
        partition: { type: "string" },
        account: { type: "string" },
        "sbatch-flag": { type: "string", multiple: true },
        "max-array-size": { type: "string" },
        "array-throttle": { type: "string" },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      console.log(USAGE);
      return;
    }
    const executor = values.executor!;
    if (executor !== "local" && executor !== "slurm") {
      throw new UsageError(`--executor: must be local or slurm, got "${executor}"`);
    }
    if (executor === "local") {
      for (const f of SLURM_FLAGS) {
        if ((values as Record<string, unknown>)[f] !== undefined) {
          throw new UsageError(`--${f}: only with --executor slurm`);
        }
      }
    } else if (values.workers !== undefined) {
      throw new UsageError("--workers: only with --executor local");
    }
    try {
      getPreset(values.preset!);
    } catch (e) {
      throw new UsageError(`--preset: ${(e as Error).message}`);
    }
    if (!/^[a-z0-9-]+$/.test(values.backend!)) {
      throw new UsageError(`--backend: must be auto, cpu or webgpu, got "${values.backend}"`);
    }
    let only: string[] | undefined;
    if (values.only !== undefined) {
      only = values.only.split(",").map((s) => s.trim());
      if (only.some((s) => s === "")) {
        throw new UsageError(`--only: a comma-separated list of studies (${STUDIES.join(", ")})`);
      }
      try {
        checkStudyNames(only);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
    const o: ReproduceOptions = {
      preset: values.preset!,
      out: values.out ?? `runs/${values.preset}`,
      members: intFlag(values.members, "members", 1),
      backend: values.backend!,
      quiet: values.quiet!,
      only,
      workers: intFlag(values.workers, "workers", 0),
      trainBlock: intFlag(values["train-block"], "train-block", 1),
      pairBlock: intFlag(values["pair-block"], "pair-block", 1),
    };
    if (executor === "slurm") {
      const graph = buildGraph(planOptionsOf(o));
      const plan: PlanFile = await preparePlan(o.out, graph);
      const slurm: SlurmSubmitOptions = {
        out: o.out,
        quiet: o.quiet,
        partition: values.partition,
        account: values.account,
        sbatchFlags: values["sbatch-flag"] ?? [],
        maxArraySize: values["max-array-size"],
        arrayThrottle: values["array-throttle"],
      };
      let mod: { submitSlurm?: (p: PlanFile, s: SlurmSubmitOptions) => Promise<void> };
      try {
        mod = await import(new URL("./lib/executors/slurm.ts", import.meta.url).href);
      } catch (e) {
        throw new Error(
          `--executor slurm: the Slurm executor (scripts/lib/executors/slurm.ts) cannot be ` +
            `loaded: ${(e as Error).message.split("\n")[0]}`,
        );
      }
      if (typeof mod.submitSlurm !== "function") {
        throw new Error("--executor slurm: scripts/lib/executors/slurm.ts has no submitSlurm");
      }
      await mod.submitSlurm(plan, slurm);
      return;
    }
    try {
      await reproduce(o);
    } finally {
      // Destroy the GPU device (when one was used) before the process exits.
      await releaseWebGpu();
    }
  });
}
