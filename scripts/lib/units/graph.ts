/**
 * The pipeline as a graph of work units. A unit is small, idempotent and has a stable id, the
 * files it reads (`inputs`) and the files it writes (`outputs`, relative to the run directory);
 * it is done when all its outputs exist, so any executor (in-process, Web Workers, Slurm job
 * arrays) can run units in any order that respects the stages, skip finished ones and resume
 * after a kill. Seeds come from the run's options and unit ids, never from the execution order,
 * so the numbers do not depend on how the work is split (`trainBlock`, `pairBlock`) or run.
 *
 * Stages, in topological order (each unit reads only outputs of earlier stages):
 *
 * | stage      | unit id                                  | writes                                   |
 * | ---------- | ---------------------------------------- | ---------------------------------------- |
 * | complexity | `complexity/<study>/<variant>`           | `complexity/<study>__<variant>.json`     |
 * | train      | `train/<study>/<variant>/m000-m007`      | `<study>/<variant>/networks/mNNN.json`   |
 * |            | `…/m000-m000/e0001-0150` (epoch segment) | `checkpoints/m000-m000-e0150.ckpt`; the last segment the networks |
 * | hidden     | `hidden/<study>/<variant>/mNNN`          | `hidden/mNNN.json` + `.f32` (trajectories, per-network metrics) |
 * | pif        | `pif/<study>/<variant>/bNNN`, `…/cNNN`   | `blocks/pif-bNNN.json`, `pif-cNNN.json`  |
 * | fit        | `fit/<study>/<variant>/mNNN`             | `fits/mNNN.json` + `.f64` (DMD operator), `fits/mNNN.prep.json` + `.prep.f64` (prepared DSA operator) |
 * | dsa-rank   | `dsa-rank/<study>/<variant>`             | `fits/rank.json` (common rank; refits)   |
 * | dsa        | `dsa/<study>/<variant>/bNNN`, `…/cNNN`   | `blocks/dsa-bNNN.json`, `dsa-cNNN.json`  |
 * | fixed-points | `fixed-points/<study>/<variant>/mNNN`  | `fixed_points/mNNN.json` (fixed points, Fig. 2E view) |
 * | merge      | `merge/<study>/<variant>/<what>`         | `metrics/<metric>.json`                  |
 * | sensitivity | `sensitivity` (with a grid only)        | `sensitivity/summary.json`              |
 * | report     | `report`                                 | `claims.json`, `report.md`, `report.html`|
 *
 * The graph is a pure function of the run's options ({@link PlanOptions}); `plan.json` holds its
 * public part (`degeneracy.plan/1`), and `scripts/run_unit.ts` rebuilds the graph from the
 * options in plan.json to find the unit it runs.
 *
 * @module
 */
import {
  type DsaSettings,
  embeddingGeometry,
  evalTrialsFor,
  getPreset,
  type Preset,
  STUDIES,
  type StudyName,
} from "../../presets.ts";
import {
  allStudies,
  type ResolvedStudy,
  type ResolvedVariant,
  resolveStudies,
} from "../studies.ts";
import {
  blockPath,
  claimsPath,
  complexityPath,
  fitPath,
  fixedPointsPath,
  hiddenPath,
  metricPath,
  networkPath,
  preparedPath,
  rankPath,
  reportHtmlPath,
  reportMdPath,
  trainCheckpointPath,
} from "../layout.ts";
import {
  checkSensitivityOptions,
  planSensitivity,
  type SensitivityOptions,
  type SensitivityPlan,
  sensitivitySummaryPath,
} from "../sensitivity.ts";
import { SCHEMA } from "../formats.ts";
import { FIXED_POINT_SETTINGS, type FixedPointSettings, restingInputs } from "../fixed_points.ts";
import {
  complexityCost,
  type CostRates,
  dsaBlockCost,
  dsaPairSeconds,
  fitCost,
  fixedPointsCost,
  hiddenCost,
  mergeCost,
  NOMINAL_RATES,
  pifBlockCost,
  pifPairSeconds,
  reportCost,
  trainCost,
  type UnitCost,
  type VariantSizes,
} from "./cost.ts";

/** The stages, in a valid topological order. */
export const STAGES = [
  "complexity",
  "train",
  "hidden",
  "pif",
  "fit",
  "dsa-rank",
  "dsa",
  "fixed-points",
  "merge",
  "report",
] as const;
/**
 * The stage of the measurement-sensitivity summary (scripts/lib/sensitivity.ts): present, just
 * before `report`, only in a graph whose options ask for a sensitivity grid.
 */
export const SENSITIVITY_STAGE = "sensitivity" as const;
/** A stage name. */
export type StageName = typeof STAGES[number] | typeof SENSITIVITY_STAGE;

/** Direct dependencies of each stage (stages whose outputs its units read). */
export const STAGE_DEPENDS: Record<StageName, StageName[]> = {
  complexity: [],
  train: [],
  hidden: ["train"],
  pif: ["train", "hidden"],
  fit: ["hidden"],
  "dsa-rank": ["hidden", "fit"],
  dsa: ["fit", "dsa-rank"],
  "fixed-points": ["train", "hidden"],
  merge: ["train", "hidden", "pif", "dsa-rank", "dsa", "fixed-points"],
  sensitivity: ["complexity", "train", "hidden", "merge"],
  report: ["complexity", "merge"],
};

/** Target core-seconds of a unit when its size is chosen automatically (with NOMINAL_RATES). */
export const TARGET_UNIT_SECONDS = 3600;

/** The options that define a run (plan.json `options`). */
export interface PlanOptions {
  /** Preset name (`smoke`, `quick`, `paper`). */
  preset: string;
  /** Override of the preset's networks per variant. */
  members?: number;
  /** Studies to run (default all, in report order). */
  studies?: StudyName[];
  /** Variant-level overrides per study (an experiment script's `--levels`). */
  levels?: Partial<Record<StudyName, number[]>>;
  /** Training backend (`auto`, `cpu`, `webgpu`); does not change the plan. */
  backend: string;
  /** Members per training unit (default: automatic, ≈ TARGET_UNIT_SECONDS at nominal rates). */
  trainBlock?: number;
  /** Pairs per DSA / PIF block (default: automatic per population). */
  pairBlock?: number;
  /**
   * A grid of measurement settings recomputed on the same trained networks (units suffixed
   * `@<setting>`, a `sensitivity` summary unit; scripts/lib/sensitivity.ts). Never retrains.
   */
  sensitivity?: SensitivityOptions;
  /**
   * Epochs per training segment (default: automatic, ≈ TARGET_TRAIN_SEGMENT_SECONDS at nominal
   * rates; a training unit below that is one unit).
   */
  trainSegmentEpochs?: number;
}

/** What a unit does (internal; plan.json carries only the public fields). */
export type UnitJob =
  | { kind: "complexity"; study: string; variant: string }
  | {
    kind: "train";
    study: string;
    variant: string;
    members: number[];
    /**
     * Epochs `[first, last]` (1-based, inclusive) of an epoch segment: it resumes from the
     * checkpoint after epoch `first − 1` (when first > 1) and writes the checkpoint after `last`,
     * or the network files when `last` is `maxEpochs`. Absent: the whole training in one unit.
     */
    segment?: { first: number; last: number };
  }
  | { kind: "hidden"; study: string; variant: string; member: number; setting?: string }
  | { kind: "fit"; study: string; variant: string; member: number; setting?: string }
  | { kind: "dsa-rank"; study: string; variant: string; setting?: string }
  | {
    kind: "pairs";
    metric: "dsa" | "pif";
    study: string;
    variant: string;
    /** Block index (of the pairs, or of the self-check slots when `checks`). */
    block: number;
    /**
     * A block of self-check slots (d(X, X) and reversed pairs on sampled networks, chosen at run
     * time among the networks used): slots `block·size … (block + 1)·size − 1` of
     * {@link CHECK_SLOTS}.
     */
    checks: boolean;
    /** Member pairs (a < b) of the block; for `checks`, the slot range `[[first, end]]`. */
    pairs: [number, number][];
    /** The sensitivity setting whose measurement this is (absent: the run's own). */
    setting?: string;
  }
  | { kind: "fixed-points"; study: string; variant: string; member: number }
  | {
    kind: "merge";
    study: string;
    variant: string;
    what: "pernet" | "pif" | "dsa" | "fixed_points";
    setting?: string;
  }
  | { kind: "sensitivity" }
  | { kind: "report" };

/** A work unit. */
export interface Unit {
  id: string;
  stage: StageName;
  /** Files read, relative to the run directory. */
  inputs: string[];
  /** Files written (atomically), relative to the run directory. */
  outputs: string[];
  /** Estimated core-seconds on one core. */
  coreSeconds: number;
  /** Estimated peak memory, MB. */
  memoryMB: number;
  job: UnitJob;
}

/** A stage of the graph. */
export interface Stage {
  name: StageName;
  dependsOn: StageName[];
  units: Unit[];
}

/** Seed of the fixed evaluation batch (hidden trajectories), shared by all networks of a variant. */
export const EVAL_SEED = 900_001;
/** Seed of the OOD batch. */
export const OOD_SEED = 900_002;
/** Seed of the complexity sample. */
export const COMPLEXITY_SEED = 900_003;
/** Seed of the learning batch (each network's main and auxiliary loss on fresh trials). */
export const LEARN_SEED = 900_004;
/** Trials of the learning batch. */
export const LEARN_TRIALS = 512;

/**
 * Everything that sets the numbers of a population's measurement units (hidden states,
 * per-network metrics, DMD fits, DSA and PIF pairs), in one value: the units read their settings
 * from here only. The pipeline builds one per population from the preset; a study of measurement
 * settings (another evaluation batch, other DSA delays and rank, all networks vs converged ones)
 * builds further ones for the same trained networks.
 */
export interface MeasureSettings {
  /** Trials and seed of the evaluation batch. */
  evalTrials: number;
  evalSeed: number;
  /** Trials and seed of the OOD batch. */
  oodTrials: number;
  oodSeed: number;
  /** DSA settings (delays, interval, rank, score, restarts) and the optimiser's seed. */
  dsa: DsaSettings;
  dsaSeed: number;
  /** Steps of each trial fed to DSA (0 = all). */
  dsaSteps: number;
  /** DSA rank asked for: `dsa.rank` capped at hidden·delays. */
  rankAsked: number;
  /** PIF restarts and seed (the same for every pair). */
  pifRestarts: number;
  pifSeed: number;
  /**
   * Networks entering the statistics: learned ones (converged in training and learned on the
   * learning batch), or all non-diverged ones.
   */
  useMembers: "converged" | "all";
  /** Trials and seed of the learning batch (main / auxiliary loss on fresh trials). */
  learnTrials: number;
  learnSeed: number;
  /**
   * Also the PIF distance of each pair's initial matrices (for the size-invariant reading PIF
   * trained / PIF initial): set in studies whose variants differ in hidden size, and in the
   * sensitivity setting that reads every PIF claim relative to init.
   */
  pifInit: boolean;
  /** Fixed-point finder settings (options, start pool, view) and its seed (`finder.seed`). */
  fixedPoints: FixedPointSettings;
}

/**
 * Where a population's measurement files live, relative to the run directory ("" = the run's
 * own layout): evaluation trajectories, DMD fits (and the common rank), DSA and PIF pair blocks,
 * and the metric files its merges write. A sensitivity setting points the families it shares
 * with the run (or with another setting) at their files and its own at `sensitivity/<id>`.
 */
export interface MeasureDirs {
  hidden: string;
  fits: string;
  dsa: string;
  pif: string;
  metrics: string;
}

/** A population's settings for the units (beyond its resolved task and training). */
export interface VariantSettings {
  study: string;
  variant: string;
  family: ResolvedStudy["plan"]["family"];
  level: number;
  rv: ResolvedVariant;
  sizes: VariantSizes;
  /** Trials of the evaluation batch (evalTrialsFor). */
  evalTrials: number;
  /** DSA rank asked for (the preset's, capped at hidden·delays). */
  rankAsked: number;
  /** The measurement settings of its units. */
  measure: MeasureSettings;
  /** The sensitivity setting these units measure (absent: the run's own measurement). */
  setting?: string;
  /** Where its files live (absent: the run's own layout). */
  dirs?: MeasureDirs;
}

/** The unit graph of a run. */
export interface Graph {
  options: PlanOptions;
  preset: Preset;
  studies: ResolvedStudy[];
  variants: VariantSettings[];
  /** The populations' measurements under the sensitivity grid's settings (units `…@<setting>`). */
  measureVariants: VariantSettings[];
  /** The resolved sensitivity grid (null without `options.sensitivity`). */
  sensitivity: SensitivityPlan | null;
  stages: Stage[];
  /** Units by id. */
  byId: Map<string, Unit>;
}

/** The public plan (`OUT/plan.json`, `degeneracy.plan/1`). */
export interface PlanFile {
  schema: typeof SCHEMA.plan;
  preset: string;
  options: PlanOptions;
  stages: {
    name: string;
    dependsOn: string[];
    units: {
      id: string;
      inputs: string[];
      outputs: string[];
      coreSeconds: number;
      memoryMB: number;
    }[];
  }[];
}

/** An error of the plan's validation: names study, variant and the numbers. */
export class PlanError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("; "));
  }
}

/** The preset of a run's options (with the members override). */
export function presetOf(options: PlanOptions): Preset {
  return getPreset(options.preset, { members: options.members });
}

/** The studies of a run's options, resolved. */
export function studiesOf(options: PlanOptions, preset = presetOf(options)): ResolvedStudy[] {
  const names = options.studies ?? [...STUDIES];
  const plans = allStudies(preset, options.levels).filter((s) => names.includes(s.name));
  return resolveStudies(preset, plans);
}

function sizesOf(preset: Preset, s: ResolvedStudy, rv: ResolvedVariant): VariantSettings {
  const family = s.plan.family;
  const pifInit = new Set(s.variants.map((x) => x.config.hidden)).size > 1;
  const dsa = preset.dsa[family];
  const H = rv.config.hidden;
  const evalTrials = evalTrialsFor(preset, family, H, rv.task.steps);
  const oodSteps = rv.task.name === "delayed_discrimination" ? rv.task.steps : 2 * rv.task.steps;
  const g = embeddingGeometry(dsa, H, rv.task.steps, preset.dsaSteps, evalTrials);
  const rankAsked = Math.min(dsa.rank, H * dsa.delays);
  return {
    study: s.plan.name,
    variant: rv.plan.id,
    family,
    level: rv.plan.level,
    rv,
    evalTrials,
    rankAsked,
    measure: {
      evalTrials,
      evalSeed: EVAL_SEED,
      oodTrials: preset.oodTrials,
      oodSeed: OOD_SEED,
      dsa,
      dsaSeed: preset.seed,
      dsaSteps: preset.dsaSteps,
      rankAsked,
      pifRestarts: preset.pifRestarts,
      pifSeed: preset.seed,
      useMembers: preset.useMembers,
      learnTrials: LEARN_TRIALS,
      learnSeed: LEARN_SEED,
      pifInit,
      fixedPoints: {
        ...FIXED_POINT_SETTINGS,
        finder: { ...FIXED_POINT_SETTINGS.finder, seed: preset.seed },
      },
    },
    sizes: {
      hidden: H,
      inputDim: rv.task.inputDim,
      outputDim: rv.task.outputDim + (rv.config.auxWeight > 0 ? rv.task.auxDim : 0),
      steps: rv.task.steps,
      oodSteps,
      config: rv.config,
      evalTrials,
      oodTrials: preset.oodTrials,
      dsaSteps: g.steps,
      delays: dsa.delays,
      delayInterval: dsa.delayInterval,
      rank: rankAsked,
      dsaRestarts: dsa.restarts,
      pifRestarts: preset.pifRestarts,
      pifInit,
      learnTrials: LEARN_TRIALS,
      complexityTrials: preset.complexityTrials,
    },
  };
}

/**
 * Checks every population's settings before anything runs: the DSA delay embedding must have
 * at least as many rows as columns and room for the delays, the rank must fit. Returns the
 * problems, each naming study, variant and the numbers (empty when the plan is valid).
 */
export function validateVariants(variants: VariantSettings[], preset: Preset): string[] {
  const problems: string[] = [];
  for (const v of variants) {
    const s = preset.dsa[v.family];
    const g = embeddingGeometry(s, v.sizes.hidden, v.sizes.steps, preset.dsaSteps, v.evalTrials);
    const where = `study ${v.study}, variant ${v.variant}`;
    if (g.rowsPerTrial < 2) {
      problems.push(
        `${where}: DSA delays ${s.delays} × interval ${s.delayInterval} need more than ` +
          `${g.steps} steps per trial (rows per trial ${g.rowsPerTrial} < 2)`,
      );
    } else if (g.rows < g.columns) {
      problems.push(
        `${where}: DSA delay embedding has ${g.rows} rows (${g.trials} trials × ` +
          `${g.rowsPerTrial} rows per trial) < ${g.columns} columns (${v.sizes.hidden} units × ` +
          `${s.delays} delays); raise the evaluation trials or lower the delays`,
      );
    }
    if (!(Number.isInteger(s.rank) && s.rank >= 1)) {
      problems.push(`${where}: DSA rank must be an integer ≥ 1, got ${s.rank}`);
    }
    if (preset.members < 1) problems.push(`${where}: members must be ≥ 1, got ${preset.members}`);
  }
  return problems;
}

/**
 * Target core-seconds of a training unit chosen automatically: training is most of a run's
 * time, so its units are kept small (a few networks of a small preset, one network of the paper
 * preset), which keeps every worker of the local executor busy to the end. A network is never
 * split.
 */
export const TARGET_TRAIN_UNIT_SECONDS = 60;

/** Members per training unit: `trainBlock`, or ≈ TARGET_TRAIN_UNIT_SECONDS at nominal rates. */
export function trainBlockOf(v: VariantSettings, members: number, trainBlock?: number): number {
  if (trainBlock !== undefined) return Math.min(trainBlock, members);
  const one = trainCost(v.sizes, 1, NOMINAL_RATES).coreSeconds;
  return Math.max(1, Math.min(members, Math.floor(TARGET_TRAIN_UNIT_SECONDS / one)));
}

/**
 * Target core-seconds (at nominal rates) of one epoch segment of a training unit: a training
 * unit estimated above it (one large network of the paper preset) is split into epoch segments
 * chained by checkpoints (`train/<study>/<variant>/mNNN-mNNN/eXXXX-YYYY`), so that no unit needs
 * much more than an hour of one core. The split does not change the numbers (training resumes
 * bit-identically from a checkpoint).
 */
export const TARGET_TRAIN_SEGMENT_SECONDS = 3600;

/**
 * Epochs per segment of a training unit of `members` networks: `trainSegmentEpochs`, or the
 * fewest segments of ≤ TARGET_TRAIN_SEGMENT_SECONDS at nominal rates (balanced); `maxEpochs`
 * (no split) when the whole unit fits.
 */
export function trainSegmentEpochsOf(
  v: VariantSettings,
  members: number,
  trainSegmentEpochs?: number,
): number {
  const E = v.sizes.config.maxEpochs;
  if (trainSegmentEpochs !== undefined) return Math.min(trainSegmentEpochs, E);
  const whole = trainCost(v.sizes, members, NOMINAL_RATES).coreSeconds;
  if (whole <= TARGET_TRAIN_SEGMENT_SECONDS) return E;
  const perEpoch = (whole - trainCost(v.sizes, members, NOMINAL_RATES, 0).coreSeconds) / E;
  const segments = Math.ceil(E / Math.max(1, Math.floor(TARGET_TRAIN_SEGMENT_SECONDS / perEpoch)));
  return Math.ceil(E / segments);
}

/** Pairs per block of `metric`: `pairBlock`, or ≈ TARGET_UNIT_SECONDS at nominal rates. */
export function pairBlockOf(
  v: VariantSettings,
  metric: "dsa" | "pif",
  pairs: number,
  pairBlock?: number,
): number {
  if (pairs === 0) return 1;
  if (pairBlock !== undefined) return Math.min(pairBlock, pairs);
  const one = metric === "dsa"
    ? dsaPairSeconds(v.rankAsked, NOMINAL_RATES, v.sizes.dsaRestarts)
    : (v.sizes.pifInit ? 2 : 1) *
      pifPairSeconds(v.sizes.hidden, v.sizes.pifRestarts, NOMINAL_RATES);
  return Math.max(1, Math.min(pairs, Math.floor(TARGET_UNIT_SECONDS / one)));
}

/**
 * Self-check pair slots per population and metric: d(X, X) on 3 sampled networks and 3
 * reversed-order pairs d(j, i) (DSA: `evenlySpacedSelfChecks`, PIF: `seededSelfChecks` of
 * metrics/pairwise.ts).
 */
export const CHECK_SLOTS = 6;

/** All member pairs (a < b) of a population of K, row by row. */
export function memberPairs(K: number): [number, number][] {
  const out: [number, number][] = [];
  for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) out.push([a, b]);
  return out;
}

const m3 = (m: number) => `m${String(m).padStart(3, "0")}`;

/**
 * Builds the unit graph of a run (pure; no file access). Throws a {@link PlanError} listing
 * every invalid population. `rates` only sets the estimates (coreSeconds, memoryMB); unit ids,
 * inputs and outputs depend on the options alone.
 */
export function buildGraph(options: PlanOptions, rates: CostRates = NOMINAL_RATES): Graph {
  checkPlanOptions(options);
  const preset = presetOf(options);
  const studies = studiesOf(options, preset);
  const variants = studies.flatMap((s) => s.variants.map((rv) => sizesOf(preset, s, rv)));
  const problems = validateVariants(variants, preset);
  if (problems.length) throw new PlanError(problems);
  const sensitivity = options.sensitivity ? planSensitivity(options.sensitivity, variants) : null;
  if (sensitivity?.problems.length) throw new PlanError(sensitivity.problems);
  const K = preset.members;
  const units: Record<StageName, Unit[]> = {
    complexity: [],
    train: [],
    hidden: [],
    pif: [],
    fit: [],
    "dsa-rank": [],
    dsa: [],
    "fixed-points": [],
    merge: [],
    sensitivity: [],
    report: [],
  };
  const add = (stage: StageName, id: string, job: UnitJob, io: {
    inputs: string[];
    outputs: string[];
  }, cost: UnitCost) => {
    units[stage].push({
      id,
      stage,
      inputs: io.inputs,
      outputs: io.outputs,
      coreSeconds: Math.round(cost.coreSeconds * 100) / 100,
      memoryMB: Math.ceil(cost.memoryMB),
      job,
    });
  };
  const members = Array.from({ length: K }, (_, m) => m);
  const reportInputs: string[] = [];
  for (const v of variants) {
    const { study: s, variant: vid } = v;
    const key = `${s}/${vid}`;
    const net = (m: number) => networkPath("", s, vid, m);
    const cPath = complexityPath("", s, vid);
    reportInputs.push(cPath);
    add("complexity", `complexity/${key}`, { kind: "complexity", study: s, variant: vid }, {
      inputs: [],
      outputs: [cPath],
    }, complexityCost(v.sizes, rates));
    const tb = trainBlockOf(v, K, options.trainBlock);
    const maxEpochs = v.sizes.config.maxEpochs;
    const digits = Math.max(4, String(maxEpochs).length);
    const e4 = (e: number) => String(e).padStart(digits, "0");
    for (let first = 0; first < K; first += tb) {
      const ms = members.slice(first, first + tb);
      const block = `${m3(ms[0])}-${m3(ms[ms.length - 1])}`;
      const se = trainSegmentEpochsOf(v, ms.length, options.trainSegmentEpochs);
      if (se >= maxEpochs) {
        add(
          "train",
          `train/${key}/${block}`,
          { kind: "train", study: s, variant: vid, members: ms },
          { inputs: [], outputs: ms.map(net) },
          trainCost(v.sizes, ms.length, rates),
        );
        continue;
      }
      // Epoch segments chained by checkpoints; the last one writes the networks.
      const ckpt = (e: number) => trainCheckpointPath("", s, vid, ms[0], ms[ms.length - 1], e);
      for (let e0 = 1; e0 <= maxEpochs; e0 += se) {
        const e1 = Math.min(maxEpochs, e0 + se - 1);
        add(
          "train",
          `train/${key}/${block}/e${e4(e0)}-${e4(e1)}`,
          { kind: "train", study: s, variant: vid, members: ms, segment: { first: e0, last: e1 } },
          {
            inputs: e0 > 1 ? [ckpt(e0 - 1)] : [],
            outputs: e1 < maxEpochs ? [ckpt(e1)] : ms.map(net),
          },
          trainCost(v.sizes, ms.length, rates, e1 - e0 + 1),
        );
      }
    }
    reportInputs.push(...measurementUnits(v, ALL_FAMILIES, K, options, rates, add));
    reportInputs.push(fixedPointUnits(v, K, rates, add));
  }
  const sensitivityInputs: string[] = [];
  for (const mv of sensitivity?.measureVariants ?? []) {
    sensitivityInputs.push(...measurementUnits(mv, mv.families, K, options, rates, add));
  }
  if (sensitivity) {
    const out = sensitivitySummaryPath("");
    const inputs = [...new Set([...reportInputs, ...sensitivityInputs])];
    for (const v of variants) {
      for (const m of members) inputs.push(hiddenPath("", v.study, v.variant, m));
    }
    add("sensitivity", "sensitivity", { kind: "sensitivity" }, {
      inputs,
      outputs: [out],
    }, reportCost(variants.length * (1 + sensitivity.settings.length), rates));
    reportInputs.push(out);
  }
  add("report", "report", { kind: "report" }, {
    inputs: reportInputs,
    outputs: [claimsPath(""), reportMdPath(""), reportHtmlPath("")],
  }, reportCost(variants.length, rates));
  const names: StageName[] = sensitivity
    ? [...STAGES.slice(0, -1), SENSITIVITY_STAGE, "report"]
    : [...STAGES];
  const stages = names.map((name) => ({
    name,
    dependsOn: name === "report" && sensitivity
      ? [...STAGE_DEPENDS.report, SENSITIVITY_STAGE]
      : STAGE_DEPENDS[name],
    units: units[name],
  }));
  const byId = new Map<string, Unit>();
  for (const st of stages) for (const u of st.units) byId.set(u.id, u);
  return {
    options,
    preset,
    studies,
    variants,
    measureVariants: sensitivity?.measureVariants ?? [],
    sensitivity,
    stages,
    byId,
  };
}

/** The measurement unit families of a population. */
export type MeasureFamily = "hidden" | "fit" | "dsa" | "pif";
const ALL_FAMILIES: readonly MeasureFamily[] = ["hidden", "fit", "dsa", "pif"];

/**
 * Adds the measurement units of one population (`families` of them: evaluation trajectories and
 * per-network metrics, DMD fits and the common rank, DSA pair blocks, PIF pair blocks, and the
 * merges that write their metric files), with the paths of `v.dirs` and ids suffixed
 * `@<v.setting>` for a sensitivity setting. Returns the metric files it writes.
 */
function measurementUnits(
  v: VariantSettings,
  families: readonly MeasureFamily[],
  K: number,
  options: PlanOptions,
  rates: CostRates,
  add: (stage: StageName, id: string, job: UnitJob, io: {
    inputs: string[];
    outputs: string[];
  }, cost: UnitCost) => void,
): string[] {
  const { study: s, variant: vid } = v;
  const key = `${s}/${vid}`;
  const at = (id: string) => (v.setting ? `${id}@${v.setting}` : id);
  const setting = v.setting ? { setting: v.setting } : {};
  const d = v.dirs ?? { hidden: "", fits: "", dsa: "", pif: "", metrics: "" };
  const has = (f: MeasureFamily) => families.includes(f);
  const members = Array.from({ length: K }, (_, m) => m);
  const net = (m: number) => networkPath("", s, vid, m);
  const hid = (
    m: number,
  ) => [hiddenPath(d.hidden, s, vid, m), hiddenPath(d.hidden, s, vid, m, "f32")];
  const fit = (m: number) => [
    fitPath(d.fits, s, vid, m),
    fitPath(d.fits, s, vid, m, "f64"),
    preparedPath(d.fits, s, vid, m),
    preparedPath(d.fits, s, vid, m, "f64"),
  ];
  for (const m of members) {
    if (has("hidden")) {
      add(
        "hidden",
        at(`hidden/${key}/${m3(m)}`),
        { kind: "hidden", study: s, variant: vid, member: m, ...setting },
        { inputs: [net(m)], outputs: hid(m) },
        hiddenCost(v.sizes, rates),
      );
    }
    if (has("fit")) {
      add(
        "fit",
        at(`fit/${key}/${m3(m)}`),
        {
          kind: "fit",
          study: s,
          variant: vid,
          member: m,
          ...setting,
        },
        { inputs: hid(m), outputs: fit(m) },
        fitCost(v.sizes, rates),
      );
    }
  }
  const rank = rankPath(d.fits, s, vid);
  if (has("fit")) {
    add("dsa-rank", at(`dsa-rank/${key}`), {
      kind: "dsa-rank",
      study: s,
      variant: vid,
      ...setting,
    }, {
      inputs: members.flatMap((m) => [...fit(m), ...hid(m)]),
      outputs: [rank],
    }, mergeCost(K, rates));
  }
  const pairs = memberPairs(K);
  const blocks: Record<"dsa" | "pif", string[]> = { dsa: [], pif: [] };
  for (const metric of ["pif", "dsa"] as const) {
    if (!has(metric)) continue;
    const size = pairBlockOf(v, metric, pairs.length, options.pairBlock);
    const inputsOf = (ms: number[]) =>
      metric === "pif"
        ? [...ms.map(net), ...ms.map((m) => hid(m)[0])]
        : [rank, ...ms.flatMap(fit), ...ms.map((m) => hid(m)[0])];
    const cost = (n: number) =>
      metric === "pif" ? pifBlockCost(v.sizes, n, rates) : dsaBlockCost(v.sizes, n, rates);
    const dir = metric === "pif" ? d.pif : d.dsa;
    for (let b = 0; b * size < pairs.length; b++) {
      const ps = pairs.slice(b * size, (b + 1) * size);
      const involved = [...new Set(ps.flat())].sort((x, y) => x - y);
      const out = blockPath(dir, s, vid, metric, b);
      blocks[metric].push(out);
      add(
        metric,
        at(`${metric}/${key}/b${String(b).padStart(3, "0")}`),
        {
          kind: "pairs",
          metric,
          study: s,
          variant: vid,
          block: b,
          checks: false,
          pairs: ps,
          ...setting,
        },
        { inputs: inputsOf(involved), outputs: [out] },
        cost(ps.length),
      );
    }
    // self-checks: d(X, X) and reversed pairs on sampled networks, CHECK_SLOTS pair slots
    for (let c = 0; c * size < CHECK_SLOTS; c++) {
      const out = blockPath(dir, s, vid, metric, c, true);
      blocks[metric].push(out);
      const n = Math.min(size, CHECK_SLOTS - c * size);
      add(
        metric,
        at(`${metric}/${key}/c${String(c).padStart(3, "0")}`),
        {
          kind: "pairs",
          metric,
          study: s,
          variant: vid,
          block: c,
          checks: true,
          pairs: [[c * size, c * size + n]],
          ...setting,
        },
        { inputs: inputsOf(members), outputs: [out] },
        cost(n),
      );
    }
  }
  const mp = (metric: string) => metricPath(d.metrics, s, vid, metric);
  const written: string[] = [];
  if (has("hidden")) {
    const pernet = [
      "dimensionality",
      "attractorness",
      "distance_from_init",
      "relative_distance_from_init",
      "ood",
      "learning",
    ].map(mp);
    add("merge", at(`merge/${key}/pernet`), {
      kind: "merge",
      study: s,
      variant: vid,
      what: "pernet",
      ...setting,
    }, {
      inputs: [...members.map(net), ...members.map((m) => hid(m)[0])],
      outputs: pernet,
    }, mergeCost(K, rates, pernet.length));
    written.push(...pernet);
  }
  if (has("pif")) {
    add("merge", at(`merge/${key}/pif`), {
      kind: "merge",
      study: s,
      variant: vid,
      what: "pif",
      ...setting,
    }, {
      inputs: [...members.map(net), ...members.map((m) => hid(m)[0]), ...blocks.pif],
      outputs: [mp("pif")],
    }, mergeCost(K, rates));
    written.push(mp("pif"));
  }
  if (has("dsa")) {
    add("merge", at(`merge/${key}/dsa`), {
      kind: "merge",
      study: s,
      variant: vid,
      what: "dsa",
      ...setting,
    }, {
      inputs: [...members.map(net), ...members.map((m) => hid(m)[0]), rank, ...blocks.dsa],
      outputs: [mp("dsa"), mp("mds")],
    }, mergeCost(K, rates));
    written.push(mp("dsa"), mp("mds"));
  }
  return written;
}

/**
 * Adds a population's fixed-point units (one per network, then the merge); part of the run's own
 * measurement only (no sensitivity setting changes what they read). Returns the metric file.
 */
function fixedPointUnits(
  v: VariantSettings,
  K: number,
  rates: CostRates,
  add: (stage: StageName, id: string, job: UnitJob, io: {
    inputs: string[];
    outputs: string[];
  }, cost: UnitCost) => void,
): string {
  const { study: s, variant: vid } = v;
  const key = `${s}/${vid}`;
  const members = Array.from({ length: K }, (_, m) => m);
  const net = (m: number) => networkPath("", s, vid, m);
  const hid = (m: number) => [hiddenPath("", s, vid, m), hiddenPath("", s, vid, m, "f32")];
  const fpRuns = restingInputs(v.rv.task).length;
  const fps = members.map((m) => fixedPointsPath("", s, vid, m));
  for (const m of members) {
    add(
      "fixed-points",
      `fixed-points/${key}/${m3(m)}`,
      { kind: "fixed-points", study: s, variant: vid, member: m },
      { inputs: [net(m), ...hid(m)], outputs: [fps[m]] },
      fixedPointsCost(v.sizes, v.family, fpRuns, rates),
    );
  }
  const out = metricPath("", s, vid, "fixed_points");
  add("merge", `merge/${key}/fixed_points`, {
    kind: "merge",
    study: s,
    variant: vid,
    what: "fixed_points",
  }, {
    inputs: [...members.map(net), ...fps],
    outputs: [out],
  }, mergeCost(K, rates));
  return out;
}

/** The public plan (`degeneracy.plan/1`) of a graph. */
export function planFile(g: Graph): PlanFile {
  return {
    schema: SCHEMA.plan,
    preset: g.preset.name,
    options: g.options,
    stages: g.stages.map((st) => ({
      name: st.name,
      dependsOn: [...st.dependsOn],
      units: st.units.map((u) => ({
        id: u.id,
        inputs: u.inputs,
        outputs: u.outputs,
        coreSeconds: u.coreSeconds,
        memoryMB: u.memoryMB,
      })),
    })),
  };
}

/** Validates a run's options; throws naming the field and the allowed values. */
export function checkPlanOptions(o: PlanOptions): void {
  const int = (x: unknown, name: string, min: number) => {
    if (x !== undefined && !(Number.isInteger(x) && (x as number) >= min)) {
      throw new Error(`${name}: must be an integer ≥ ${min}, got ${JSON.stringify(x)}`);
    }
  };
  getPreset(o.preset);
  if (o.sensitivity !== undefined) checkSensitivityOptions(o.sensitivity);
  int(o.members, "members", 1);
  int(o.trainBlock, "trainBlock", 1);
  int(o.pairBlock, "pairBlock", 1);
  int(o.trainSegmentEpochs, "trainSegmentEpochs", 1);
  for (const s of o.studies ?? []) {
    if (!(STUDIES as readonly string[]).includes(s)) {
      throw new Error(`studies: unknown study "${s}" (allowed: ${STUDIES.join(", ")})`);
    }
  }
  for (const [s, lv] of Object.entries(o.levels ?? {})) {
    if (!(STUDIES as readonly string[]).includes(s)) {
      throw new Error(`levels: unknown study "${s}" (allowed: ${STUDIES.join(", ")})`);
    }
    if (!Array.isArray(lv) || lv.length === 0 || !lv.every(Number.isFinite)) {
      throw new Error(`levels.${s}: must be a non-empty list of numbers`);
    }
  }
}

/**
 * Checks that a plan is well formed: stages in topological order, every unit's inputs are
 * outputs of units of earlier stages that it depends on, no output written twice. Returns
 * the problems (empty when valid).
 */
export function checkPlanStructure(p: PlanFile): string[] {
  const problems: string[] = [];
  const producer = new Map<string, string>();
  const seenStages = new Set<string>();
  const ids = new Set<string>();
  for (const st of p.stages) {
    for (const d of st.dependsOn) {
      if (!seenStages.has(d)) problems.push(`stage ${st.name}: depends on later stage ${d}`);
    }
    const deps = new Set<string>();
    const closure = (name: string) => {
      for (const s2 of p.stages.find((x) => x.name === name)?.dependsOn ?? []) {
        if (!deps.has(s2)) {
          deps.add(s2);
          closure(s2);
        }
      }
    };
    closure(st.name);
    // Within a stage, a unit may read what an earlier unit of the stage wrote (epoch
    // segments of a training unit, chained by checkpoints).
    const withinStage = new Set<string>();
    for (const u of st.units) {
      if (ids.has(u.id)) problems.push(`unit ${u.id}: duplicate id`);
      ids.add(u.id);
      for (const i of u.inputs) {
        if (withinStage.has(i)) continue;
        const from = producer.get(i);
        if (from === undefined) problems.push(`unit ${u.id}: input ${i} is no earlier output`);
        else if (!deps.has(from)) {
          problems.push(`unit ${u.id}: reads ${i} of stage ${from}, not a dependency`);
        }
      }
      for (const o of u.outputs) withinStage.add(o);
    }
    for (const u of st.units) {
      for (const o of u.outputs) {
        if (producer.has(o)) problems.push(`unit ${u.id}: output ${o} written twice`);
        producer.set(o, st.name);
      }
    }
    seenStages.add(st.name);
  }
  return problems;
}
