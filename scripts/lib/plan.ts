/**
 * Study plans: which populations a study trains (one per variant) and how each variant's task
 * and training configuration are built. Experiment and control scripts return plans; the
 * pipeline (`scripts/lib/study.ts`) runs them.
 */
import type { TaskName } from "../../tasks/types.ts";
import type { TrainingConfig } from "../../rnn/types.ts";
import type { StudyName } from "../presets.ts";

/** A task specification for `createTask`: the family name plus its parameters. */
export type TaskSpec = { name: TaskName } & Record<string, number | string | boolean>;

/** One population of a study. */
export interface VariantPlan {
  /** File-name-safe id, unique within the study, e.g. `n3`. */
  id: string;
  /** Human label for figures, e.g. `flipflop N=3`. */
  label: string;
  /** The manipulated level (N, N_freq, dims, aux weight, hidden size, penalty strength). */
  level: number;
  /** The task of this variant. */
  task: TaskSpec;
  /** Training overrides on top of the preset's per-task training (e.g. `hidden`, `l1`). */
  training: Partial<TrainingConfig>;
}

/** A study: a family of populations differing in one factor. */
export interface StudyPlan {
  name: StudyName;
  kind: "experiment" | "control";
  /** Task family all variants use. */
  family: TaskName;
  /** What the level measures, e.g. `N`, `N_freq`, `dims`, `aux weight`. */
  factor: string;
  /** Paper figure(s) the study feeds. */
  figure: string;
  variants: VariantPlan[];
}

/** Checks a plan (unique ids, ≥ 1 variant, finite levels); throws naming the field. */
export function validatePlan(plan: StudyPlan): void {
  if (plan.variants.length < 1) throw new Error(`study ${plan.name}: variants must be non-empty`);
  const seen = new Set<string>();
  for (const v of plan.variants) {
    if (!/^[A-Za-z0-9_.-]+$/.test(v.id)) {
      throw new Error(`study ${plan.name}: variant id "${v.id}" must match [A-Za-z0-9_.-]+`);
    }
    if (seen.has(v.id)) throw new Error(`study ${plan.name}: duplicate variant id "${v.id}"`);
    seen.add(v.id);
    if (!Number.isFinite(v.level)) {
      throw new Error(`study ${plan.name}: variant ${v.id} level must be finite, got ${v.level}`);
    }
  }
}

/** A number as a file-name-safe token: `0.001` → `1e-3`, `0.5` → `0.5`, `64` → `64`. */
export function levelToken(x: number): string {
  if (x !== 0 && Math.abs(x) < 0.01) {
    const [m, e] = x.toExponential().split("e");
    return `${m.replace(/\.?0+$/, "")}e${e}`.replace("+", "");
  }
  return String(x);
}
