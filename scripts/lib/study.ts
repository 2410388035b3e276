/**
 * `main` of the experiment and control scripts: parses and validates the common flags (the one
 * parser of scripts/lib/cli.ts), builds the script's study plans, checks that the run
 * directory may be written, and runs them through the unit graph with the local executor
 * (`scripts/lib/pipeline.ts`), report included. Nothing is written before every flag is valid.
 */
import { getPreset, type Preset } from "../presets.ts";
import type { StudyPlan } from "./plan.ts";
import { fmtDuration } from "./progress.ts";
import { defineCli, MODULE_FOLDERS, requireAccess, runCli, studyFlags, UsageError } from "./cli.ts";
import { runPipeline } from "./pipeline.ts";
import { releaseWebGpu } from "./engine.ts";
import { buildGraph, type PlanOptions } from "./units/graph.ts";

/** What `--levels` of a script accepts (checked again by the task and the training config). */
export interface LevelRule {
  /** Shown in errors and `--help`, e.g. `comma-separated distinct integers ≥ 1 (channels N)`. */
  allowed: string;
  integer?: boolean;
  min?: number;
}

/** The `deno task` name and the script path of a study script. */
function taskOf(script: string, plan: (preset: Preset) => StudyPlan[]) {
  const kind = plan(getPreset("smoke"))[0].kind;
  return {
    task: `${kind}:${script}`,
    path: `scripts/${kind === "experiment" ? "experiments" : "control"}/${script}.ts`,
  };
}

/**
 * `main` of an experiment or control script: parses the common flags, builds the study plans
 * with `plan(preset, levels)` (`--levels` sets the levels of the first study it returns), and
 * runs them into `--out`. Exit code 2 for a bad flag (nothing written) and when a unit failed
 * (the report lists it).
 */
export function runStudiesMain(
  script: string,
  plan: (preset: Preset, levels?: number[]) => StudyPlan[],
  args: string[],
  levels: LevelRule = { allowed: "comma-separated distinct numbers" },
): Promise<void> {
  const { task, path } = taskOf(script, plan);
  const studyName = plan(getPreset("smoke"))[0].name;
  const cli = defineCli({
    name: task,
    summary: `Trains and measures the populations of the ${studyName} study ` +
      `(${plan(getPreset("smoke")).map((s) => s.name).join(", ")}) into one run directory, ` +
      `with the figures and the report. Resumable: rerun the same command after a kill.`,
    flags: studyFlags(levels),
    notes: [
      `--levels sets the levels of ${studyName} only.`,
      "Writes only under --out; the deno task may write runs/ (see --out outside runs/ in " +
      "docs/pipeline.md).",
    ],
  });
  return runCli(cli, args, async (a) => {
    const presetName = a.preset ?? "quick";
    const out = a.out ?? `runs/${presetName}`;
    const preset = getPreset(presetName, { members: a.members });
    const studies = plan(preset, a.levels);
    const options: PlanOptions = {
      preset: presetName,
      ...(a.members !== undefined ? { members: a.members } : {}),
      studies: studies.map((s) => s.name),
      ...(a.levels ? { levels: { [studies[0].name]: a.levels } } : {}),
      backend: a.backend ?? "auto",
    };
    try {
      buildGraph(options);
    } catch (e) {
      const msg = (e as Error).message.split("\n")[0];
      if (a.levels) throw new UsageError("--levels", msg, levels.allowed);
      throw e;
    }
    requireAccess({
      script: path,
      read: [{ flag: "--out", path: out }, ...MODULE_FOLDERS],
      write: [{ flag: "--out", path: out }],
      other: ["--allow-sys=hostname"],
    }, args);
    const t0 = performance.now();
    let failed;
    try {
      failed = await runPipeline({
        out,
        options,
        quiet: a.quiet,
        command: `deno task ${task} ${args.join(" ")}`.trim(),
      });
    } finally {
      await releaseWebGpu();
    }
    if (failed.length) {
      console.error(
        `[${script}] ${failed.length} unit(s) failed; the report lists them; rerun to retry:\n` +
          failed.map((f) => `  ${f.id}: ${f.message}`).join("\n"),
      );
      Deno.exitCode = 2;
    }
    if (!a.quiet) {
      console.error(
        `[${script}] done in ${fmtDuration((performance.now() - t0) / 1000)}; results in ${out}`,
      );
    }
  });
}
