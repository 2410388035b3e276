/**
 * A "sloppy dimension" of §4: delayed discrimination (one channel) with the longest delay
 * between the pulses as the factor (delays drawn from {5, …, maxDelay}). The paper: changing the
 * delay duration leaves degeneracy unchanged; the claims table tests that with an equivalence
 * test (docs/fidelity.md).
 *
 * Standalone: copy and edit the variants below. Run with
 * `deno task experiment:dd_delay [--preset smoke|quick|paper] [--out DIR] [--members K] [--backend B] [--levels a,b] [--quiet]`;
 * writes JSON only under --out (layout: docs/run-directory-and-file-formats.md). Levels must
 * leave room for the doubled OOD delay: 5 + 2·maxDelay + 1 < 60.
 */
import type { Preset } from "../presets.ts";
import type { StudyPlan } from "../lib/plan.ts";
import { type LevelRule, runStudiesMain } from "../lib/study.ts";

/** The study plan of this script for `preset` (`levels` overrides the preset's levels). */
export function plan(preset: Preset, levels: number[] = preset.levels.dd_delay): StudyPlan[] {
  return [{
    name: "dd_delay",
    kind: "experiment",
    family: "delayed_discrimination",
    factor: "max delay",
    figure: "§4 (sloppy dimension)",
    variants: levels.map((x) => ({
      id: `dmax${x}`,
      label: `delayed discr. max delay ${x}`,
      level: x,
      task: { name: "delayed_discrimination", n: 1, maxDelay: x },
      training: {},
    })),
  }];
}

/** What `--levels` accepts (the doubled OOD delay must fit the 60-step trial). */
export const LEVELS: LevelRule = {
  allowed: "comma-separated distinct integers from 5 to 26 (longest delay, steps)",
  integer: true,
  min: 5,
};

if (import.meta.main) await runStudiesMain("dd_delay", plan, Deno.args, LEVELS);
