/**
 * Control: network size / representational load (paper §3.3, Fig. 6B): delayed discrimination with each hidden size.
 *
 * Standalone: copy and edit the variants below. Run with
 * `deno task control:network_size [--preset smoke|quick|paper] [--out DIR] [--members K] [--backend B] [--levels a,b] [--quiet]`;
 * writes JSON only under --out (layout: docs/run-directory-and-file-formats.md).
 */
import type { Preset } from "../presets.ts";
import type { StudyPlan } from "../lib/plan.ts";
import { type LevelRule, runStudiesMain } from "../lib/study.ts";

/** The study plan of this script for `preset` (`levels` overrides the preset's levels). */
export function plan(preset: Preset, levels: number[] = preset.levels.network_size): StudyPlan[] {
  return [{
    name: "network_size",
    kind: "control",
    family: "delayed_discrimination",
    factor: "hidden units",
    figure: "6B",
    variants: levels.map((x) => ({
      id: `h${x}`,
      label: `H=${x}`,
      level: x,
      task: { name: "delayed_discrimination", n: preset.controlChannels },
      training: { hidden: x },
    })),
  }];
}

/** What `--levels` accepts. */
export const LEVELS: LevelRule = {
  allowed: "comma-separated distinct integers ≥ 1 (hidden units)",
  integer: true,
  min: 1,
};

if (import.meta.main) await runStudiesMain("network_size", plan, Deno.args, LEVELS);
