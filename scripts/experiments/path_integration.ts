/**
 * Path integration (paper §2.2, §3.1–3.2; Fig. 2–5): one population in 2D and one in 3D.
 *
 * Standalone: copy and edit the variants below. Run with
 * `deno task experiment:path_integration [--preset smoke|quick|paper] [--out DIR] [--members K] [--backend B] [--levels a,b] [--quiet]`;
 * writes JSON only under --out (layout: docs/run-directory-and-file-formats.md).
 */
import type { Preset } from "../presets.ts";
import type { StudyPlan } from "../lib/plan.ts";
import { type LevelRule, runStudiesMain } from "../lib/study.ts";

/** The study plan of this script for `preset` (`levels` overrides the preset's levels). */
export function plan(
  preset: Preset,
  levels: number[] = preset.levels.path_integration,
): StudyPlan[] {
  return [{
    name: "path_integration",
    kind: "experiment",
    family: "path_integration",
    factor: "dims",
    figure: "2, 3A, 4, 5, A1",
    variants: levels.map((x) => ({
      id: `d${x}`,
      label: `path integration ${x}D`,
      level: x,
      task: { name: "path_integration", dims: x },
      training: {},
    })),
  }];
}

/** What `--levels` accepts. */
export const LEVELS: LevelRule = {
  allowed: "comma-separated distinct integers from 2 to 3 (dimensions)",
  integer: true,
  min: 2,
};

if (import.meta.main) await runStudiesMain("path_integration", plan, Deno.args, LEVELS);
