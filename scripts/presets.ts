/**
 * Presets of the reproduction pipeline: how many networks, how much training, which variant
 * levels and which DSA settings. `paper` follows Appendix A and Table 2 exactly; `quick` is the
 * CPU default (≥ 8 networks per variant, shortened training); `smoke` is a tiny end-to-end run
 * for CI. Variant levels the paper does not list (e.g. the values of N_freq, the control
 * strengths) are our choices and say so in `notes`.
 */
import type { TaskName } from "../tasks/types.ts";
import type { TrainingConfig } from "../rnn/types.ts";

/** DSA settings (the `dsaDistance` option names of the metrics contract). */
export interface DsaSettings {
  delays: number;
  delayInterval: number;
  rank: number;
  score: "angular" | "euclidean";
  restarts: number;
}

/** The studies (one population per variant) the pipeline knows. */
export type StudyName =
  | "flipflop"
  | "delayed_discrimination"
  | "sine_freq"
  | "sine_n"
  | "path_integration"
  | "dd_delay"
  | "pi_arena"
  | "aux_loss"
  | "network_size"
  | "low_rank"
  | "sparsity";

/** All study names, experiments first, in report order. */
export const STUDIES: readonly StudyName[] = [
  "flipflop",
  "delayed_discrimination",
  "sine_freq",
  "sine_n",
  "path_integration",
  "dd_delay",
  "pi_arena",
  "aux_loss",
  "network_size",
  "low_rank",
  "sparsity",
];

/** A resolved preset. */
export interface Preset {
  name: "smoke" | "quick" | "paper";
  description: string;
  /** Networks per variant. */
  members: number;
  /** Base seed of every population (member m of every variant shares its init seed). */
  seed: number;
  /** Which networks enter degeneracy statistics: converged only (paper) or all. */
  useMembers: "converged" | "all";
  /** Training overrides per task family, applied on top of `defaultTrainingConfig(task)`. */
  training: Record<TaskName, Partial<TrainingConfig>>;
  /** DSA settings per task family. */
  dsa: Record<TaskName, DsaSettings>;
  /**
   * Trials of the fixed evaluation batch (hidden trajectories for DSA, PCA, Δh): at least this
   * many; more where the DSA delay embedding needs them (`evalTrialsFor`).
   */
  evalTrials: number;
  /** Steps of each trial fed to DSA (the first `dsaSteps`; 0 = all). */
  dsaSteps: number;
  /** Trials of the OOD batch (§3.2.3). */
  oodTrials: number;
  /** Trials sampled for task complexity (§3.1). */
  complexityTrials: number;
  /** PIF restarts (Appendix D). */
  pifRestarts: number;
  /** Bootstrap resamples of the claims table. */
  bootstrap: number;
  /**
   * Variant levels per study (N, N_freq, dims, longest delay, arena side, aux weight, hidden size,
   * penalty strength).
   */
  levels: Record<StudyName, number[]>;
  /** Delayed-discrimination channels used by the four controls (Fig. 6). */
  controlChannels: number;
  /** What in this preset is our choice rather than the paper's. */
  notes: string[];
}

const APPENDIX_A: Record<TaskName, Partial<TrainingConfig>> = {
  flipflop: {},
  delayed_discrimination: {},
  sine: {},
  path_integration: {},
};

/** Table 2 of the paper (delays / rank per task). */
const TABLE_2: Record<TaskName, DsaSettings> = {
  flipflop: { delays: 30, delayInterval: 1, rank: 1000, score: "angular", restarts: 4 },
  delayed_discrimination: {
    delays: 20,
    delayInterval: 1,
    rank: 100,
    score: "angular",
    restarts: 4,
  },
  sine: { delays: 30, delayInterval: 1, rank: 100, score: "angular", restarts: 4 },
  path_integration: { delays: 30, delayInterval: 1, rank: 100, score: "angular", restarts: 4 },
};

const COMMON_NOTES = [
  "A network counts as converged only when it learned the task: every early-stopping " +
  "threshold is capped at a tenth of the task's best trivial loss (path integration: 0.028 in " +
  "2D and 0.019 in 3D instead of Appendix A's 0.1 and 0.3, which a network holding its start " +
  "position meets in 3D), and its loss on 512 fresh trials must beat the best trivial " +
  "predictor (with the auxiliary loss, the auxiliary output must be learned too); see " +
  "docs/fidelity.md.",
  "Variant levels not listed in the paper are our choice: N ∈ levels for flip-flop, delayed " +
  "discrimination and sine; N_freq levels for sine; control strengths and sizes.",
  "Member m of every variant shares its init seed (a paired design across variants).",
  "Complexity trends use the manipulated level (N, N_freq, dims) as the complexity ordinal; " +
  "the measured input/output entropies are reported beside it (Fig. 2).",
];

function dsaAll(s: DsaSettings): Record<TaskName, DsaSettings> {
  return { flipflop: s, delayed_discrimination: s, sine: s, path_integration: s };
}

/** The three presets. */
export const PRESETS: Record<Preset["name"], Preset> = {
  smoke: {
    name: "smoke",
    description: "Tiny end-to-end run for CI: 3 networks per variant, a few training steps, " +
      "2 levels per study. Checks the plumbing, not the science.",
    members: 3,
    seed: 1,
    useMembers: "all",
    training: {
      flipflop: { hidden: 16, maxEpochs: 2, stepsPerEpoch: 3, batchSize: 8, testBatchSize: 8 },
      delayed_discrimination: {
        hidden: 16,
        maxEpochs: 2,
        stepsPerEpoch: 3,
        batchSize: 8,
        testBatchSize: 8,
      },
      sine: { hidden: 16, maxEpochs: 2, stepsPerEpoch: 3, batchSize: 8, testBatchSize: 8 },
      path_integration: {
        hidden: 16,
        maxEpochs: 2,
        stepsPerEpoch: 3,
        batchSize: 8,
        testBatchSize: 8,
      },
    },
    dsa: dsaAll({ delays: 2, delayInterval: 1, rank: 8, score: "angular", restarts: 1 }),
    evalTrials: 8,
    dsaSteps: 0,
    oodTrials: 8,
    complexityTrials: 16,
    pifRestarts: 2,
    bootstrap: 200,
    levels: {
      flipflop: [1, 2],
      delayed_discrimination: [1, 2],
      sine_freq: [1, 2],
      sine_n: [1, 2],
      path_integration: [2, 3],
      dd_delay: [10, 20],
      pi_arena: [1, 2],
      aux_loss: [0, 1],
      network_size: [8, 16],
      low_rank: [0, 1e-3],
      sparsity: [0, 1e-3],
    },
    controlChannels: 1,
    notes: [...COMMON_NOTES, "smoke includes unconverged networks in every statistic."],
  },
  quick: {
    name: "quick",
    description: "CPU default: 8 networks per variant, each trained for a short fixed budget " +
      "(at most 60–300 epochs of 32 steps, batch 64 (sine 32), 64 hidden units for every task, " +
      "higher learning rates for flip-flop, delayed discrimination and sine, gradient clipping " +
      "for delayed discrimination and sine), reduced DSA delays/rank. Statistics use every " +
      "non-diverged network.",
    members: 8,
    seed: 1,
    useMembers: "all",
    training: {
      flipflop: { lr: 3e-3, maxEpochs: 60, stepsPerEpoch: 32, batchSize: 64, testBatchSize: 64 },
      delayed_discrimination: {
        hidden: 64,
        lr: 3e-3,
        gradClip: 1,
        maxEpochs: 100,
        stepsPerEpoch: 32,
        batchSize: 64,
        testBatchSize: 64,
      },
      sine: {
        hidden: 64,
        lr: 2e-3,
        gradClip: 1,
        maxEpochs: 100,
        stepsPerEpoch: 32,
        batchSize: 32,
        testBatchSize: 32,
      },
      path_integration: { maxEpochs: 300, stepsPerEpoch: 32, batchSize: 64, testBatchSize: 64 },
    },
    dsa: dsaAll({ delays: 10, delayInterval: 1, rank: 50, score: "angular", restarts: 2 }),
    evalTrials: 32,
    dsaSteps: 0,
    oodTrials: 64,
    complexityTrials: 256,
    pifRestarts: 5,
    bootstrap: 1000,
    levels: {
      flipflop: [1, 2, 3],
      delayed_discrimination: [1, 2, 3],
      sine_freq: [1, 2, 4],
      sine_n: [1, 2, 3],
      path_integration: [2, 3],
      dd_delay: [10, 20, 26],
      pi_arena: [1, 2, 4],
      aux_loss: [0, 0.5, 1],
      network_size: [32, 64, 128],
      low_rank: [0, 1e-4, 1e-3],
      sparsity: [0, 1e-5, 1e-4],
    },
    controlChannels: 1,
    notes: [
      ...COMMON_NOTES,
      "quick is PARTLY TRAINED: it trains every population for a short fixed budget (see " +
      "training overrides). On our probes (docs/fidelity.md, 'Training budget') flip-flop and " +
      "2D path integration learn within it; delayed discrimination with N ≥ 2 does not learn " +
      "in 400 of its epochs (0 of 4 networks; with Appendix A's settings, 16× the trials per " +
      "epoch, 1 of 2 networks was at the 0.05 threshold after 140 epochs, not yet for 3 in a " +
      "row), and sine and the N = 1 delayed-discrimination populations need 90–400 epochs " +
      "for 3 of 4 to converge; no budget that fits 90 minutes " +
      "on 2 cores gets 6 of 8 to converge everywhere. Its statistics therefore use every " +
      "non-diverged network, converged or not (the paper uses converged ones); every claim " +
      "row gives the networks used and how many of them learned, and says 'partly trained' " +
      "when some did not. Treat quick's verdicts on delayed discrimination, sine and the " +
      "controls as statements about partly trained networks.",
    ],
  },
  paper: {
    name: "paper",
    description: "Appendix A exactly (50 networks per variant, full training) and the DSA " +
      "delays/rank of Table 2. Meant for a GPU (--backend webgpu).",
    members: 50,
    seed: 1,
    useMembers: "converged",
    training: APPENDIX_A,
    dsa: TABLE_2,
    evalTrials: 50,
    dsaSteps: 0,
    oodTrials: 256,
    complexityTrials: 1024,
    pifRestarts: 20,
    bootstrap: 2000,
    levels: {
      flipflop: [1, 2, 3, 4],
      delayed_discrimination: [1, 2, 3, 4],
      sine_freq: [1, 2, 4, 8],
      sine_n: [1, 2, 3, 4],
      path_integration: [2, 3],
      dd_delay: [10, 15, 20, 25],
      pi_arena: [1, 2, 4],
      aux_loss: [0, 0.5, 1],
      network_size: [64, 128, 256],
      low_rank: [0, 1e-4, 3e-4, 1e-3],
      sparsity: [0, 1e-5, 3e-5, 1e-4],
    },
    controlChannels: 1,
    notes: COMMON_NOTES,
  },
};

/** Returns a deep copy of the named preset; throws naming the allowed values otherwise. */
export function getPreset(name: string, overrides: { members?: number } = {}): Preset {
  if (!(name in PRESETS)) {
    throw new Error(`preset must be one of ${Object.keys(PRESETS).join(", ")}, got "${name}"`);
  }
  const p = structuredClone(PRESETS[name as Preset["name"]]);
  if (overrides.members !== undefined) p.members = overrides.members;
  return p;
}

/**
 * Margin of the DSA delay embedding: the evaluation batch must give at least this many Hankel
 * rows per column (rows = trials·(steps − (delays − 1)·delayInterval), columns =
 * hidden·delays), so the DMD regression is well posed with room to spare.
 */
export const EVAL_ROW_MARGIN = 1.25;

/** The delay-embedding geometry of a population's DSA: Hankel rows and columns. */
export interface EmbeddingGeometry {
  trials: number;
  /** Steps per trial fed to DSA. */
  steps: number;
  /** Rows per trial, steps − (delays − 1)·delayInterval. */
  rowsPerTrial: number;
  rows: number;
  columns: number;
}

/** Rows and columns of the delay embedding of `trials` trials (see {@link EVAL_ROW_MARGIN}). */
export function embeddingGeometry(
  s: DsaSettings,
  hidden: number,
  taskSteps: number,
  dsaSteps: number,
  trials: number,
): EmbeddingGeometry {
  const steps = dsaSteps > 0 ? Math.min(dsaSteps, taskSteps) : taskSteps;
  const rowsPerTrial = steps - (s.delays - 1) * s.delayInterval;
  return { trials, steps, rowsPerTrial, rows: trials * rowsPerTrial, columns: hidden * s.delays };
}

/**
 * Trials of a population's evaluation batch: `preset.evalTrials`, raised where the DSA delay
 * embedding of a network with `hidden` units on trials of `taskSteps` steps needs more rows
 * (rows ≥ EVAL_ROW_MARGIN × columns). E.g. paper delayed discrimination (H = 128, 20 delays,
 * 41 rows per trial, 2,560 columns) gets 79 trials instead of 50. When no number of trials can
 * help (the embedding is longer than a trial) it returns `preset.evalTrials`; the plan's
 * validation reports that case.
 */
export function evalTrialsFor(
  preset: Preset,
  family: TaskName,
  hidden: number,
  taskSteps: number,
): number {
  const g = embeddingGeometry(preset.dsa[family], hidden, taskSteps, preset.dsaSteps, 1);
  if (g.rowsPerTrial < 2) return preset.evalTrials;
  return Math.max(preset.evalTrials, Math.ceil((EVAL_ROW_MARGIN * g.columns) / g.rowsPerTrial));
}
