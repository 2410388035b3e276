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
 * [--train-block K] [--train-segment E] [--pair-block P] [--quiet]`.
 */
import {
  checkExecutorFlags,
  EXECUTOR_FLAGS,
  SLURM_FLAGS,
  submitToSlurm,
} from "./lib/executors/submit.ts";
import { getPreset, STUDIES } from "./presets.ts";
import { checkStudyNames } from "./lib/studies.ts";
import {
  COMMON_FLAGS,
  defineCli,
  f,
  MAX_MEMBERS,
  MODULE_FOLDERS,
  requireAccess,
  runCli,
} from "./lib/cli.ts";
import { releaseWebGpu } from "./lib/engine.ts";
import { fmtDuration, Progress } from "./lib/progress.ts";
import { preparePlan, retrainUnreadableNetworks, runPipeline } from "./lib/pipeline.ts";
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
  /** The command line recorded in the run lock. */
  command?: string;
  /** Epochs per training segment (default automatic, ≈ 1 core-hour per segment). */
  trainSegmentEpochs?: number;
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
    ...(o.trainSegmentEpochs !== undefined ? { trainSegmentEpochs: o.trainSegmentEpochs } : {}),
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
  const failures = await runPipeline({
    out: o.out,
    options,
    workers: o.workers,
    quiet: o.quiet,
    progress,
    command: o.command,
    onLocked: () =>
      progress.log(
        `preset ${preset.name}: ${graph.studies.length} studies, ${graph.variants.length} ` +
          `populations × ${preset.members} networks, ${units} units → ${o.out}`,
      ),
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

/** The command line of `deno task reproduce`. */
export const CLI = defineCli({
  name: "reproduce",
  summary: "Reproduces the paper end to end into one run directory: task complexity, training " +
    "of every population, every metric, the figures and the report, as a graph of work units. " +
    "Resumable: rerun the same command after a kill; finished units are skipped.",
  flags: {
    ...COMMON_FLAGS,
    only: f.choices(STUDIES, "study,…", "run only these studies (default: all)"),
    ...EXECUTOR_FLAGS,
    "train-block": f.int("K", "networks per training unit", {
      min: 1,
      max: MAX_MEMBERS,
      defaultText: "automatic, about one minute of training",
    }),
    "pair-block": f.int("P", "pairs per DSA / PIF unit", {
      min: 1,
      defaultText: "automatic, about one core-hour",
    }),
    "train-segment": f.int(
      "E",
      "epochs per training unit when a unit is split into epoch segments",
      {
        min: 1,
        defaultText: "automatic, about one core-hour; results do not change",
      },
    ),
    ...SLURM_FLAGS,
  },
  notes: [`studies: ${STUDIES.join(", ")}`],
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (values) => {
    const executor = checkExecutorFlags(values);
    const preset = values.preset ?? "quick";
    const o: ReproduceOptions = {
      preset,
      out: values.out ?? `runs/${preset}`,
      members: values.members,
      backend: values.backend ?? "auto",
      quiet: values.quiet,
      only: values.only,
      workers: values.workers,
      trainBlock: values["train-block"],
      pairBlock: values["pair-block"],
      trainSegmentEpochs: values["train-segment"],
    };
    const graph = buildGraph(planOptionsOf(o));
    requireAccess({
      script: "scripts/reproduce.ts",
      read: [{ flag: "--out", path: o.out }, ...MODULE_FOLDERS],
      write: [{ flag: "--out", path: o.out }],
      other: [
        "--allow-sys=hostname",
        ...(executor === "slurm" ? [`--allow-run=sbatch,squeue,scancel,${Deno.execPath()}`] : []),
      ],
    }, Deno.args);
    const command = `deno task reproduce ${Deno.args.join(" ")}`.trim();
    if (executor === "slurm") {
      await submitToSlurm(o.out, command, values, o.quiet, async () => {
        let plan: PlanFile = await preparePlan(o.out, graph);
        if ((await retrainUnreadableNetworks(o.out, graph)).length) {
          plan = await preparePlan(o.out, graph);
        }
        return plan;
      });
      return;
    }
    try {
      await reproduce({ ...o, command });
    } finally {
      // Destroy the GPU device (when one was used) before the process exits.
      await releaseWebGpu();
    }
  });
}
