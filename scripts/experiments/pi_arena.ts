/**
 * A "sloppy dimension" of §4: 2D path integration with the side of the arena as the factor
 * (speed unchanged, so a larger arena means fewer wall contacts and larger positions). The
 * paper: altering the environment size leaves degeneracy unchanged; the claims table tests that
 * with an equivalence test (docs/fidelity.md). Each variant's early-stopping threshold is a
 * tenth of its own hold-start loss (`learnedThreshold`).
 *
 * Standalone: copy and edit the variants below. Run with
 * `deno task experiment:pi_arena [--preset smoke|quick|paper] [--out DIR] [--members K] [--backend B] [--levels a,b] [--quiet]`;
 * writes JSON only under --out (layout: docs/run-directory-and-file-formats.md).
 */
import type { Preset } from "../presets.ts";
import type { StudyPlan } from "../lib/plan.ts";
import { type LevelRule, runStudiesMain } from "../lib/study.ts";

/** The study plan of this script for `preset` (`levels` overrides the preset's levels). */
export function plan(preset: Preset, levels: number[] = preset.levels.pi_arena): StudyPlan[] {
  return [{
    name: "pi_arena",
    kind: "experiment",
    family: "path_integration",
    factor: "arena side",
    figure: "§4 (sloppy dimension)",
    variants: levels.map((x) => ({
      id: `box${x}`,
      label: `path integration arena ${x}`,
      level: x,
      task: { name: "path_integration", dims: 2, boxSize: x },
      training: {},
    })),
  }];
}

/** What `--levels` accepts. */
export const LEVELS: LevelRule = {
  allowed: "comma-separated distinct numbers > 0 (arena side)",
  min: Number.MIN_VALUE,
};

if (import.meta.main) await runStudiesMain("pi_arena", plan, Deno.args, LEVELS);
