/**
 * Control: sparsity regularisation (paper §3.3, Fig. 6D): delayed discrimination with an L1 penalty on W_h of each strength (0 = off).
 *
 * Standalone: copy and edit the variants below. Run with
 * `deno task control:sparsity [--preset smoke|quick|paper] [--out DIR] [--members K] [--backend B] [--levels a,b] [--quiet]`;
 * writes JSON only under --out (layout: docs/run-directory-and-file-formats.md).
 */
import type { Preset } from "../presets.ts";
import type { StudyPlan } from "../lib/plan.ts";
import { levelToken } from "../lib/plan.ts";
import { type LevelRule, runStudiesMain } from "../lib/study.ts";

/** The study plan of this script for `preset` (`levels` overrides the preset's levels). */
export function plan(preset: Preset, levels: number[] = preset.levels.sparsity): StudyPlan[] {
  return [{
    name: "sparsity",
    kind: "control",
    family: "delayed_discrimination",
    factor: "L1 weight",
    figure: "6D",
    variants: levels.map((x) => ({
      id: `l1_${levelToken(x)}`,
      label: `L1 ${x}`,
      level: x,
      task: { name: "delayed_discrimination", n: preset.controlChannels },
      training: { l1: x },
    })),
  }];
}

/** What `--levels` accepts. */
export const LEVELS: LevelRule = {
  allowed: "comma-separated distinct numbers ≥ 0 (L1 weights)",
  min: 0,
};

if (import.meta.main) await runStudiesMain("sparsity", plan, Deno.args, LEVELS);
