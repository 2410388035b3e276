/**
 * N-bit flip-flop (paper §2.2, §3.1–3.2; Fig. 2–5): one population per number of channels N.
 *
 * Standalone: copy and edit the variants below. Run with
 * `deno task experiment:flipflop [--preset smoke|quick|paper] [--out DIR] [--members K] [--backend B] [--levels a,b] [--quiet]`;
 * writes JSON only under --out (layout: docs/run-directory-and-file-formats.md).
 */
import type { Preset } from "../presets.ts";
import type { StudyPlan } from "../lib/plan.ts";
import { type LevelRule, runStudiesMain } from "../lib/study.ts";

/** The study plan of this script for `preset` (`levels` overrides the preset's levels). */
export function plan(preset: Preset, levels: number[] = preset.levels.flipflop): StudyPlan[] {
  return [{
    name: "flipflop",
    kind: "experiment",
    family: "flipflop",
    factor: "N",
    figure: "2, 3A-B, 4, 5, A1",
    variants: levels.map((x) => ({
      id: `n${x}`,
      label: `flip-flop N=${x}`,
      level: x,
      task: { name: "flipflop", n: x },
      training: {},
    })),
  }];
}

/** What `--levels` accepts. */
export const LEVELS: LevelRule = {
  allowed: "comma-separated distinct integers from 1 to 4096 (channels N)",
  integer: true,
  min: 1,
};

if (import.meta.main) await runStudiesMain("flipflop", plan, Deno.args, LEVELS);
