/**
 * The studies of a run: every experiment and control script's study plans for a preset (with
 * optional level overrides), each variant resolved to its task and training configuration, and
 * `OUT/config.json`, which pins a run directory to one configuration.
 */
import type { Task } from "../../tasks/types.ts";
import type { TrainingConfig } from "../../rnn/types.ts";
import { type Preset, STUDIES, type StudyName } from "../presets.ts";
import * as E from "./engine.ts";
import { readDone, writeJsonAtomic } from "./io.ts";
import { configPath } from "./layout.ts";
import { UsageError } from "./cli.ts";
import { type RunConfig, SCHEMA } from "./formats.ts";
import { type StudyPlan, validatePlan, type VariantPlan } from "./plan.ts";
import {
  learnedThreshold,
  type TrivialBaselines,
  trivialBaselines,
} from "../../tasks/baselines.ts";
import * as flipflop from "../experiments/flipflop.ts";
import * as dd from "../experiments/delayed_discrimination.ts";
import * as sine from "../experiments/sine.ts";
import * as pi from "../experiments/path_integration.ts";
import * as ddDelay from "../experiments/dd_delay.ts";
import * as piArena from "../experiments/pi_arena.ts";
import * as aux from "../control/aux_loss.ts";
import * as size from "../control/network_size.ts";
import * as lowRank from "../control/low_rank.ts";
import * as sparsity from "../control/sparsity.ts";

/** A study script: its plan function and the study whose levels `--levels` overrides. */
interface StudyScript {
  plan: (preset: Preset, levels?: number[]) => StudyPlan[];
  primary: StudyName;
}

const SCRIPTS: StudyScript[] = [
  { plan: flipflop.plan, primary: "flipflop" },
  { plan: dd.plan, primary: "delayed_discrimination" },
  { plan: sine.plan, primary: "sine_freq" },
  { plan: pi.plan, primary: "path_integration" },
  { plan: ddDelay.plan, primary: "dd_delay" },
  { plan: piArena.plan, primary: "pi_arena" },
  { plan: aux.plan, primary: "aux_loss" },
  { plan: size.plan, primary: "network_size" },
  { plan: lowRank.plan, primary: "low_rank" },
  { plan: sparsity.plan, primary: "sparsity" },
];

/**
 * Every study of the paper for `preset`, experiments first (the order of `STUDIES`); `levels`
 * overrides a study's variant levels (only for the study a script's `--levels` sets: e.g.
 * `sine_freq`, not `sine_n`).
 */
export function allStudies(
  preset: Preset,
  levels: Partial<Record<StudyName, number[]>> = {},
): StudyPlan[] {
  return SCRIPTS.flatMap((s) => s.plan(preset, levels[s.primary]));
}

/** The study whose levels a script's `--levels` overrides (the first study it plans). */
export function primaryStudy(plan: (preset: Preset) => StudyPlan[], preset: Preset): StudyName {
  return plan(preset)[0].name;
}

/** Checks study names; throws naming the flag and the allowed names. */
export function checkStudyNames(names: string[], flag = "--only"): StudyName[] {
  for (const s of names) {
    if (!(STUDIES as readonly string[]).includes(s)) {
      throw new Error(`${flag}: unknown study "${s}" (allowed: ${STUDIES.join(", ")})`);
    }
  }
  return names as StudyName[];
}

/** A variant with its task and resolved training configuration. */
export interface ResolvedVariant {
  plan: VariantPlan;
  task: Task;
  config: TrainingConfig;
}

/** A study with its resolved variants. */
export interface ResolvedStudy {
  plan: StudyPlan;
  variants: ResolvedVariant[];
}

/** Data seed of the samples the trivial baselines are measured on (and seed + 1 to fit them). */
export const BASELINE_SEED = 900_005;
/** Trials of those samples. */
export const BASELINE_TRIALS = 1024;

const baselineCache = new Map<string, TrivialBaselines>();

/**
 * The trivial baselines of a task (tasks/baselines.ts) on {@link BASELINE_TRIALS} trials with
 * {@link BASELINE_SEED}, cached per task variant.
 */
export function baselinesOf(task: Task): TrivialBaselines {
  let b = baselineCache.get(task.id);
  if (!b) {
    b = trivialBaselines(task, { trials: BASELINE_TRIALS, seed: BASELINE_SEED });
    baselineCache.set(task.id, b);
  }
  return b;
}

/**
 * Builds the task and the training configuration (Appendix A + preset + variant overrides).
 * The early-stopping threshold is then capped at a tenth of the task's best trivial loss
 * (`learnedThreshold`, docs/fidelity.md: "converged" must mean learned; this changes path
 * integration's 0.1 / 0.3 to 0.028 / 0.019 and no other default).
 */
export function resolveVariant(preset: Preset, study: StudyPlan, v: VariantPlan): ResolvedVariant {
  const task = E.makeTask(v.task);
  if (task.name !== study.family) {
    throw new Error(
      `study ${study.name}: variant ${v.id} task must be ${study.family}, got ${task.name}`,
    );
  }
  const config = E.trainingConfig(task, preset.training[study.family], v.training);
  config.earlyStopThreshold = learnedThreshold(config.earlyStopThreshold, baselinesOf(task))
    .threshold;
  return { plan: v, task, config };
}

/** Validates and resolves every study. */
export function resolveStudies(preset: Preset, studies: StudyPlan[]): ResolvedStudy[] {
  return studies.map((s) => {
    validatePlan(s);
    return { plan: s, variants: s.variants.map((v) => resolveVariant(preset, s, v)) };
  });
}

/** A preset without its execution-only fields (they do not change any result). */
function scientific(p: Preset): Record<string, unknown> {
  const {
    dsaWorkers: _w,
    chunk: _c,
    notes: _n,
    description: _d,
    ...rest
  } = p as Preset & { dsaWorkers?: unknown; chunk?: unknown };
  return rest;
}

/** The `config.json` value for `studies` (without reading or writing anything). */
export function configEntries(studies: ResolvedStudy[]): RunConfig["studies"] {
  const out: RunConfig["studies"] = {};
  for (const s of studies) {
    const variants: RunConfig["studies"][string]["variants"] = {};
    for (const r of s.variants) {
      variants[r.plan.id] = { taskId: r.task.id, taskParams: r.task.params, training: r.config };
    }
    out[s.plan.name] = { plan: s.plan, variants };
  }
  return out;
}

/**
 * Writes (or extends) `OUT/config.json` with the preset and the studies' resolved settings.
 * Throws when OUT already holds a run made with different settings, so results of two
 * configurations never mix; adding a new study to an existing run is allowed.
 */
export async function ensureConfig(
  out: string,
  preset: Preset,
  studies: ResolvedStudy[],
  backend: string,
): Promise<RunConfig> {
  const path = configPath(out);
  const prev = await readDone<RunConfig>(path, SCHEMA.config);
  const cfg: RunConfig = prev ?? { schema: SCHEMA.config, preset, backend, studies: {} };
  if (prev && JSON.stringify(scientific(prev.preset)) !== JSON.stringify(scientific(preset))) {
    throw new UsageError(
      "--out",
      `${path}: this run directory was made with preset "${prev.preset.name}" ` +
        `(members ${prev.preset.members})`,
      `use another --out for preset "${preset.name}" (members ${preset.members})`,
    );
  }
  let changed = !prev;
  const entries = configEntries(studies);
  for (const [name, entry] of Object.entries(entries)) {
    const old = cfg.studies[name];
    if (old && JSON.stringify(old) !== JSON.stringify(entry)) {
      throw new UsageError(
        "--out",
        `${path}: study ${name} was run here with other variants or settings ` +
          `(old variants: ${Object.keys(old.variants).join(", ")})`,
        "use another --out, or the settings of that run",
      );
    }
    if (!old) {
      cfg.studies[name] = entry;
      changed = true;
    }
  }
  if (changed) await writeJsonAtomic(path, cfg);
  return cfg;
}
