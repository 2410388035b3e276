/**
 * Trivial baselines: the loss of predictors that solve none of a task's computation, measured
 * on task samples with the training loss (masked MSE Σ w·(y − target)², w = mask / Σ mask, or
 * plain MSE without a mask). A network whose test loss does not beat them clearly has not
 * learned the task, whatever the early-stopping threshold says.
 *
 * Predictors (each fitted, where it has anything to fit, on a sample drawn with `seed + 1` and
 * scored on one drawn with `seed`):
 * - `zero`: output 0 everywhere (every task).
 * - `constant`: the mean target of each output channel over the loss-weighted entries (every task).
 * - `hold_start` (path integration): the start position, held for the whole trial (a network
 *   that ignores the velocity inputs).
 * - `f2_only` (delayed discrimination): after the second pulse, E[sign(f2 − f1) | f2] =
 *   2(f2 − fMin)/(fMax − fMin) − 1 (the best answer of a network with no memory of f1;
 *   loss 2/3 for uniform amplitudes).
 *
 * For delayed discrimination the auxiliary target (paper §3.3) gets its own `zero` and
 * `f2_only` (E[f2 − f1 | f2] = f2 − (fMin + fMax)/2, on the task's aux scale) baselines.
 *
 * @module
 */
import type { Task, TaskBatch } from "./types.ts";

/** One trivial predictor and its loss. */
export interface TrivialBaseline {
  /** Which predictor (module doc). */
  name: "zero" | "constant" | "hold_start" | "f2_only";
  /** What it predicts, in words. */
  description: string;
  /** Its loss on the scoring sample (the training loss of the task). */
  mse: number;
}

/** Result of {@link trivialBaselines}. */
export interface TrivialBaselines {
  /** Variant id of the task. */
  taskId: string;
  /** Trials of the scoring sample. */
  trials: number;
  /** Data seed of the scoring sample (the fitting sample uses seed + 1). */
  seed: number;
  /** Baselines on the task's main targets. */
  baselines: TrivialBaseline[];
  /** The one with the lowest loss. */
  best: TrivialBaseline;
  /** Baselines on the auxiliary targets (delayed discrimination), or null. */
  aux: { baselines: TrivialBaseline[]; best: TrivialBaseline } | null;
}

/** Loss weights of a target array: mask / Σ mask, or 1 / size without a mask. */
function lossWeights(targets: Float32Array, mask: Float32Array | null): Float64Array {
  const w = new Float64Array(targets.length);
  if (!mask) return w.fill(1 / targets.length);
  let s = 0;
  for (let i = 0; i < mask.length; i++) s += mask[i];
  if (!(s > 0)) throw new Error("the loss mask is zero everywhere");
  for (let i = 0; i < mask.length; i++) w[i] = mask[i] / s;
  return w;
}

/** Σ w·(y − target)² for a predictor y(i) of flat index i. */
function weightedMse(
  targets: Float32Array,
  w: Float64Array,
  predict: (i: number) => number,
): number {
  let s = 0;
  for (let i = 0; i < targets.length; i++) {
    if (w[i] !== 0) s += w[i] * (predict(i) - targets[i]) ** 2;
  }
  return s;
}

/** Per-channel weighted mean target (dim channels). */
function channelMeans(targets: Float32Array, w: Float64Array, dim: number): Float64Array {
  const s = new Float64Array(dim), ws = new Float64Array(dim);
  for (let i = 0; i < targets.length; i++) {
    s[i % dim] += w[i] * targets[i];
    ws[i % dim] += w[i];
  }
  for (let c = 0; c < dim; c++) s[c] = ws[c] > 0 ? s[c] / ws[c] : 0;
  return s;
}

/** Amplitude of the second pulse of channel c in trial b (delayed discrimination inputs). */
function secondPulses(x: TaskBatch): Float64Array {
  const n = x.inputDim;
  const f2 = new Float64Array(x.batch * n);
  for (let b = 0; b < x.batch; b++) {
    for (let c = 0; c < n; c++) {
      let seen = 0;
      for (let t = 0; t < x.steps; t++) {
        const v = x.inputs[(b * x.steps + t) * n + c];
        if (v !== 0 && ++seen === 2) {
          f2[b * n + c] = v;
          break;
        }
      }
    }
  }
  return f2;
}

function bestOf(list: TrivialBaseline[]): TrivialBaseline {
  return list.reduce((a, b) => (b.mse < a.mse ? b : a));
}

/**
 * Losses of the trivial predictors of the module doc on `trials` trials of `task` (default
 * 1024, data seed `seed`, default 0).
 */
export function trivialBaselines(
  task: Task,
  options: { trials?: number; seed?: number } = {},
): TrivialBaselines {
  const trials = options.trials ?? 1024;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(trials) || trials < 1) {
    throw new Error(`trials must be an integer ≥ 1, got ${trials}`);
  }
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a safe integer, got ${seed}`);
  const fit = task.sample(trials, seed + 1);
  const x = task.sample(trials, seed);
  const O = x.outputDim, T = x.steps;
  const w = lossWeights(x.targets, x.mask);
  const mean = channelMeans(fit.targets, lossWeights(fit.targets, fit.mask), O);
  const list: TrivialBaseline[] = [
    { name: "zero", description: "0 everywhere", mse: weightedMse(x.targets, w, () => 0) },
    {
      name: "constant",
      description: "each output channel's mean target",
      mse: weightedMse(x.targets, w, (i) => mean[i % O]),
    },
  ];
  let aux: TrivialBaselines["aux"] = null;
  if (task.name === "path_integration") {
    list.push({
      name: "hold_start",
      description: "the start position for the whole trial (velocity ignored)",
      mse: weightedMse(x.targets, w, (i) => {
        const b = Math.floor(i / (T * O));
        return x.targets[b * T * O + (i % O)];
      }),
    });
  }
  if (task.name === "delayed_discrimination") {
    const fMin = task.params.fMin as number, fMax = task.params.fMax as number;
    const span = fMax - fMin;
    const f2 = secondPulses(x);
    const cell = (i: number) => Math.floor(i / (T * O)) * O + (i % O);
    list.push({
      name: "f2_only",
      description: "E[sign(f2 − f1) | f2] (no memory of f1)",
      mse: weightedMse(
        x.targets,
        w,
        (i) => (span > 0 ? (2 * (f2[cell(i)] - fMin)) / span - 1 : 0),
      ),
    });
    if (x.aux) {
      const aw = lossWeights(x.aux.targets, x.aux.mask);
      const scale = task.params.auxScale === "raw" || !(span > 0) ? 1 : span;
      const auxList: TrivialBaseline[] = [
        { name: "zero", description: "0 everywhere", mse: weightedMse(x.aux.targets, aw, () => 0) },
        {
          name: "f2_only",
          description: "E[f2 − f1 | f2] = f2 − (fMin + fMax)/2 (no memory of f1)",
          mse: weightedMse(x.aux.targets, aw, (i) => (f2[cell(i)] - (fMin + fMax) / 2) / scale),
        },
      ];
      aux = { baselines: auxList, best: bestOf(auxList) };
    }
  }
  return { taskId: task.id, trials, seed, baselines: list, best: bestOf(list), aux };
}

/**
 * The share of the best trivial loss a learned network must stay under: a tenth, the paper's
 * own standard for its other tasks (docs/fidelity.md).
 */
export const LEARNED_RATIO = 0.1;

/**
 * A convergence threshold that implies learning: the paper's early-stopping threshold, unless
 * it exceeds `ratio` × the best trivial baseline's loss (default ratio 0.1: a converged
 * network removes at least 90 % of the error the best trivial predictor leaves), in which case
 * that bound replaces it. The baseline is itself a sample estimate (about ±1 % at 1024 trials),
 * so a paper threshold within `tolerance` (default 5 %) above the bound is kept (sine's 0.05
 * is a tenth of its 0.50 zero-predictor loss). `binding` says whether the bound was used.
 */
export function learnedThreshold(
  paperThreshold: number,
  baselines: TrivialBaselines,
  ratio = LEARNED_RATIO,
  tolerance = 0.05,
): { threshold: number; paper: number; trivialBound: number; binding: boolean } {
  if (!(paperThreshold >= 0 && Number.isFinite(paperThreshold))) {
    throw new Error(`paperThreshold must be a finite number ≥ 0, got ${paperThreshold}`);
  }
  if (!(ratio > 0 && ratio <= 1)) throw new Error(`ratio must be in (0, 1], got ${ratio}`);
  if (!(tolerance >= 0 && tolerance < 1)) {
    throw new Error(`tolerance must be in [0, 1), got ${tolerance}`);
  }
  const trivialBound = ratio * baselines.best.mse;
  const binding = paperThreshold > trivialBound * (1 + tolerance);
  return {
    threshold: binding ? trivialBound : paperThreshold,
    paper: paperThreshold,
    trivialBound,
    binding,
  };
}

/** Test loss as a share of the best trivial baseline's loss (< 1: the network beats it). */
export function trivialRatio(loss: number, baselines: TrivialBaselines): number {
  if (!Number.isFinite(loss) || loss < 0) {
    throw new Error(`loss must be finite and ≥ 0, got ${loss}`);
  }
  return baselines.best.mse > 0 ? loss / baselines.best.mse : Infinity;
}
