/**
 * Sine-wave generation (paper §2.2, §3.1–3.2; Fig. 2–5): two studies, one population per
 * number of training frequencies N_freq (`sine_freq`, one channel) and one per number of
 * channels N (`sine_n`, the task's default N_freq).
 *
 * Standalone: copy and edit the variants below. Run with
 * `deno task experiment:sine [--preset smoke|quick|paper] [--out DIR] [--members K] [--backend B] [--quiet]`;
 * writes JSON only under --out (layout: docs/run-directory-and-file-formats.md). `--levels` overrides
 * the N_freq levels only.
 */
import type { Preset } from "../presets.ts";
import type { StudyPlan } from "../lib/plan.ts";
import { type LevelRule, runStudiesMain } from "../lib/study.ts";

/** The two study plans of this script for `preset`. */
export function plan(preset: Preset, freqLevels: number[] = preset.levels.sine_freq): StudyPlan[] {
  return [
    {
      name: "sine_freq",
      kind: "experiment",
      family: "sine",
      factor: "N_freq",
      figure: "2, 3A, 4, 5, A1",
      variants: freqLevels.map((x) => ({
        id: `f${x}`,
        label: `sine N_freq=${x}`,
        level: x,
        task: { name: "sine", n: 1, nFreq: x },
        training: {},
      })),
    },
    {
      name: "sine_n",
      kind: "experiment",
      family: "sine",
      factor: "N",
      figure: "2, 3A, 4, 5",
      variants: preset.levels.sine_n.map((x) => ({
        id: `n${x}`,
        label: `sine N=${x}`,
        level: x,
        task: { name: "sine", n: x },
        training: {},
      })),
    },
  ];
}

/** What `--levels` accepts. */
export const LEVELS: LevelRule = {
  allowed: "comma-separated distinct integers ≥ 1 (training frequencies N_freq)",
  integer: true,
  min: 1,
};

if (import.meta.main) await runStudiesMain("sine", plan, Deno.args, LEVELS);
