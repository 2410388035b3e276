/**
 * Control: auxiliary loss (paper §3.3, Fig. 6A): delayed discrimination with an auxiliary f2 − f1 readout weighted by each level (0 = off).
 *
 * Standalone: copy and edit the variants below. Run with
 * `deno task control:aux_loss [--preset smoke|quick|paper] [--out DIR] [--members K] [--backend B] [--levels a,b] [--quiet]`;
 * writes JSON only under --out (layout: docs/run-directory-and-file-formats.md).
 */
import type { Preset } from "../presets.ts";
import type { StudyPlan } from "../lib/plan.ts";
import { levelToken } from "../lib/plan.ts";
import { type LevelRule, runStudiesMain } from "../lib/study.ts";

/** The study plan of this script for `preset` (`levels` overrides the preset's levels). */
export function plan(preset: Preset, levels: number[] = preset.levels.aux_loss): StudyPlan[] {
  return [{
    name: "aux_loss",
    kind: "control",
    family: "delayed_discrimination",
    factor: "aux weight",
    figure: "6A",
    variants: levels.map((x) => ({
      id: `w${levelToken(x)}`,
      label: `aux weight ${x}`,
      level: x,
      task: { name: "delayed_discrimination", n: preset.controlChannels },
      training: { auxWeight: x },
    })),
  }];
}

/** What `--levels` accepts. */
export const LEVELS: LevelRule = {
  allowed: "comma-separated distinct numbers ≥ 0 (auxiliary-loss weights; 0 = off)",
  min: 0,
};

if (import.meta.main) await runStudiesMain("aux_loss", plan, Deno.args, LEVELS);
