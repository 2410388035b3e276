/**
 * Control: low-rank regularisation (paper §3.3, Fig. 6C): delayed discrimination with a nuclear-norm penalty on W_h of each strength (0 = off).
 *
 * Standalone: copy and edit the variants below. Run with
 * `deno task control:low_rank [--preset smoke|quick|paper] [--out DIR] [--members K] [--backend B] [--levels a,b] [--quiet]`;
 * writes JSON only under --out (layout: docs/run-directory-and-file-formats.md).
 */
import type { Preset } from "../presets.ts";
import type { StudyPlan } from "../lib/plan.ts";
import { levelToken } from "../lib/plan.ts";
import { type LevelRule, runStudiesMain } from "../lib/study.ts";

/** The study plan of this script for `preset` (`levels` overrides the preset's levels). */
export function plan(preset: Preset, levels: number[] = preset.levels.low_rank): StudyPlan[] {
  return [{
    name: "low_rank",
    kind: "control",
    family: "delayed_discrimination",
    factor: "nuclear-norm weight",
    figure: "6C",
    variants: levels.map((x) => ({
      id: `nuc${levelToken(x)}`,
      label: `nuclear ${x}`,
      level: x,
      task: { name: "delayed_discrimination", n: preset.controlChannels },
      training: { nuclear: x },
    })),
  }];
}

/** What `--levels` accepts. */
export const LEVELS: LevelRule = {
  allowed: "comma-separated distinct numbers ≥ 0 (nuclear-norm weights)",
  min: 0,
};

if (import.meta.main) await runStudiesMain("low_rank", plan, Deno.args, LEVELS);
