/**
 * Whether a network learned its task: the loss of its main and auxiliary outputs on a task
 * sample, in the units of the training loss, to be compared with the trivial baselines of
 * `tasks/baselines.ts`.
 *
 * @module
 */
import type { TaskBatch } from "../tasks/types.ts";

/** Loss of the main and auxiliary readout rows of a network's outputs. */
export interface OutputLosses {
  /** Masked MSE of the task outputs (the training loss without the auxiliary term). */
  main: number;
  /** Masked MSE of the auxiliary outputs, or null when the network has none. */
  aux: number | null;
}

function maskedMse(
  outputs: ArrayLike<number>,
  rowStart: number,
  rows: number,
  width: number,
  targets: Float32Array,
  mask: Float32Array | null,
  points: number,
): number {
  let s = 0, ws = 0;
  for (let p = 0; p < points; p++) {
    for (let c = 0; c < rows; c++) {
      const w = mask ? mask[p * rows + c] : 1;
      if (w === 0) continue;
      const d = outputs[p * width + rowStart + c] - targets[p * rows + c];
      s += w * d * d;
      ws += w;
    }
  }
  if (!(ws > 0)) throw new Error("the loss mask is zero everywhere");
  return s / ws;
}

/**
 * Main and auxiliary losses of `outputs` (`[batch, steps, O]`, task rows first, then `auxDim`
 * auxiliary rows, as the training engine lays out its readout) against the targets and masks
 * of `batch`: Σ w·(y − target)² with w = mask / Σ mask (plain MSE without a mask), as in
 * training.
 */
export function outputLosses(
  outputs: ArrayLike<number>,
  batch: TaskBatch,
  auxDim: number,
): OutputLosses {
  const points = batch.batch * batch.steps;
  const width = batch.outputDim + auxDim;
  if (!Number.isInteger(auxDim) || auxDim < 0) {
    throw new Error(`auxDim must be an integer ≥ 0, got ${auxDim}`);
  }
  if (outputs.length !== points * width) {
    throw new Error(
      `outputs must have batch·steps·(outputDim + auxDim) = ${
        points * width
      } entries, got ${outputs.length}`,
    );
  }
  for (let i = 0; i < outputs.length; i++) {
    if (!Number.isFinite(outputs[i])) throw new Error(`outputs[${i}] is not finite: ${outputs[i]}`);
  }
  const main = maskedMse(outputs, 0, batch.outputDim, width, batch.targets, batch.mask, points);
  if (auxDim === 0) return { main, aux: null };
  if (!batch.aux || batch.aux.dim !== auxDim) {
    throw new Error(`the batch must carry ${auxDim} auxiliary target rows`);
  }
  const aux = maskedMse(
    outputs,
    batch.outputDim,
    auxDim,
    width,
    batch.aux.targets,
    batch.aux.mask,
    points,
  );
  return { main, aux };
}

/** Bounds of {@link learnedVerdict}. */
export interface LearningThresholds {
  /**
   * Loss of the best trivial predictor of the main output (tasks/baselines.ts); a learned
   * network's main loss on fresh trials must be below it.
   */
  mainTrivial: number;
  /**
   * The auxiliary loss a learned network stays under (e.g. a tenth of the auxiliary trivial
   * loss), or null when the network has no auxiliary output.
   */
  aux: number | null;
}

/**
 * Whether a network counts as converged for the statistics ("converged means learned"): its
 * training ended `converged` (the early-stopping criterion on its test batch), its main loss
 * on a fresh evaluation sample beats the best trivial predictor, and, when it has auxiliary
 * outputs, its auxiliary loss on that sample is under `thresholds.aux` (both outputs learned:
 * training stops on the main loss alone, so the auxiliary one is checked here). Returns the
 * verdict and, when false, why.
 */
export function learnedVerdict(
  trainingStatus: string,
  losses: OutputLosses,
  thresholds: LearningThresholds,
): { learned: boolean; reason: string | null } {
  if (!(thresholds.mainTrivial > 0)) {
    throw new Error(`thresholds.mainTrivial must be > 0, got ${thresholds.mainTrivial}`);
  }
  if (trainingStatus !== "converged") {
    return { learned: false, reason: `training ended ${trainingStatus}` };
  }
  if (!(losses.main < thresholds.mainTrivial)) {
    return {
      learned: false,
      reason: `main loss ${losses.main.toPrecision(3)} does not beat the best trivial predictor ` +
        `(${thresholds.mainTrivial.toPrecision(3)})`,
    };
  }
  if (losses.aux !== null) {
    if (thresholds.aux === null) {
      throw new Error("the network has an auxiliary output: thresholds.aux must be a number");
    }
    if (!(losses.aux <= thresholds.aux)) {
      return {
        learned: false,
        reason: `auxiliary loss ${losses.aux.toPrecision(3)} > ${thresholds.aux.toPrecision(3)}`,
      };
    }
  }
  return { learned: true, reason: null };
}
