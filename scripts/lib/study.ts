/**
 * `main` of the experiment and control scripts: parses the common flags, builds the script's
 * study plans and runs them through the unit graph with the local executor
 * (`scripts/lib/pipeline.ts`), report included.
 */
import { getPreset, type Preset } from "../presets.ts";
import type { StudyPlan } from "./plan.ts";
import { fmtDuration } from "./progress.ts";
import { parseCommon, runMain, usage } from "./cli.ts";
import { runPipeline } from "./pipeline.ts";
import { releaseWebGpu } from "./engine.ts";

/**
 * `main` of an experiment or control script: parses the common flags, builds the study plans
 * with `plan(preset, levels)` (`--levels` sets the levels of the first study it returns), and
 * runs them into `--out`. Exit code 2 when a unit failed (the report lists it).
 */
export function runStudiesMain(
  script: string,
  plan: (preset: Preset, levels?: number[]) => StudyPlan[],
  args: string[],
): Promise<void> {
  return runMain(() => studiesMain(script, plan, args));
}

async function studiesMain(
  script: string,
  plan: (preset: Preset, levels?: number[]) => StudyPlan[],
  args: string[],
): Promise<void> {
  const a = parseCommon(args);
  if (a.help) {
    console.log(usage(script));
    return;
  }
  const preset = getPreset(a.preset, { members: a.members });
  const studies = plan(preset, a.levels);
  const t0 = performance.now();
  let failed;
  try {
    failed = await runPipeline({
      out: a.out,
      options: {
        preset: a.preset,
        ...(a.members !== undefined ? { members: a.members } : {}),
        studies: studies.map((s) => s.name),
        ...(a.levels ? { levels: { [studies[0].name]: a.levels } } : {}),
        backend: a.backend,
      },
      quiet: a.quiet,
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
      `[${script}] done in ${fmtDuration((performance.now() - t0) / 1000)}; results in ${a.out}`,
    );
  }
}
