/**
 * Behavioural degeneracy (paper §3.2.3, Fig. 5): mean squared error of each network on the
 * task's out-of-distribution variant, and the coefficient of variation of those errors
 * across a population.
 *
 * @module
 */
import type { SampleOptions, Task, TaskBatch } from "../tasks/types.ts";

/**
 * Mean squared error between `outputs` and `targets` (same length, flat), over the entries
 * where `mask` (if given) is non-zero, weighting each entry by its mask value:
 * `Σ mask·(y − target)² / Σ mask`. Throws when the mask selects nothing.
 *
 * @example
 * ```ts
 * import { meanSquaredError } from "@degeneracy/degeneracy";
 * const mse = meanSquaredError([1, 2, 3], [1, 0, 0], [1, 1, 0]); // the third entry is masked out
 * if (mse !== 2) throw new Error(`mse ${mse}`);
 * ```
 */
export function meanSquaredError(
  outputs: ArrayLike<number>,
  targets: ArrayLike<number>,
  mask: ArrayLike<number> | null = null,
): number {
  if (outputs.length !== targets.length) {
    throw new Error(
      `outputs (${outputs.length}) and targets (${targets.length}) must have equal length`,
    );
  }
  if (mask && mask.length !== targets.length) {
    throw new Error(`mask (${mask.length}) must have the length of targets (${targets.length})`);
  }
  let s = 0;
  let w = 0;
  for (let i = 0; i < targets.length; i++) {
    const m = mask ? mask[i] : 1;
    if (m === 0) continue;
    const d = outputs[i] - targets[i];
    if (!Number.isFinite(d)) throw new Error(`outputs[${i}] or targets[${i}] is not finite`);
    s += m * d * d;
    w += m;
  }
  if (!(w > 0)) throw new Error("mask selects no entries: MSE undefined");
  return s / w;
}

/**
 * A network's outputs for a batch: `[batch, steps, outDim]` flat, where the first
 * `task.outputDim` channels of each step are the task outputs (any further channels, e.g.
 * auxiliary readouts, are ignored). The engine's forward pass fits this shape.
 */
export type Predictor = (batch: TaskBatch) => { outputs: ArrayLike<number>; outDim: number };

/**
 * OOD mean squared error of one network: samples `trials` trials of the task's OOD variant
 * (`task.sample(trials, seed, { ood: true })`: doubled delay for delayed discrimination,
 * doubled trial length otherwise) and returns the masked MSE of its task outputs.
 *
 * @example
 * ```ts
 * import { createTask, oodMse } from "@degeneracy/degeneracy";
 * // A "network" that always outputs the target gives zero OOD error.
 * const task = createTask({ name: "flipflop", n: 2 });
 * const mse = oodMse(task, (batch) => ({ outputs: batch.targets, outDim: task.outputDim }), {
 *   trials: 8,
 * });
 * if (mse !== 0) throw new Error(`mse ${mse}`);
 * ```
 */
export function oodMse(
  task: Task,
  predict: Predictor,
  options: { trials?: number; seed?: number; sample?: SampleOptions } = {},
): number {
  const trials = options.trials ?? 200;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(trials) || trials < 1) {
    throw new Error(`trials must be an integer ≥ 1, got ${trials}`);
  }
  const batch = task.sample(trials, seed, { ood: true, ...options.sample });
  const { outputs, outDim } = predict(batch);
  const { steps, outputDim } = batch;
  if (outDim < outputDim) {
    throw new Error(`predictor outDim (${outDim}) < task outputDim (${outputDim})`);
  }
  if (outputs.length !== batch.batch * steps * outDim) {
    throw new Error(
      `predictor outputs must have batch·steps·outDim = ${batch.batch * steps * outDim} entries`,
    );
  }
  let y: ArrayLike<number> = outputs;
  if (outDim !== outputDim) {
    const sel = new Float64Array(batch.batch * steps * outputDim);
    for (let r = 0; r < batch.batch * steps; r++) {
      for (let k = 0; k < outputDim; k++) sel[r * outputDim + k] = outputs[r * outDim + k];
    }
    y = sel;
  }
  return meanSquaredError(y, batch.targets, batch.mask);
}

/**
 * Coefficient of variation σ/μ of `values` (e.g. OOD MSEs across a population), with the
 * population standard deviation by default (`ddof = 0`, numpy's `np.std` default); pass
 * `ddof: 1` for the sample standard deviation. Throws when μ = 0 or fewer than `ddof + 1`
 * values.
 *
 * @example
 * ```ts
 * import { coefficientOfVariation } from "@degeneracy/degeneracy";
 * const cv = coefficientOfVariation([1, 3]); // σ = 1 (population), μ = 2
 * if (cv !== 0.5) throw new Error(`cv ${cv}`);
 * ```
 */
export function coefficientOfVariation(values: number[], options: { ddof?: number } = {}): number {
  const ddof = options.ddof ?? 0;
  if (ddof !== 0 && ddof !== 1) throw new Error(`ddof must be 0 or 1, got ${ddof}`);
  if (!Array.isArray(values) || values.length < ddof + 1) {
    throw new Error(`values must hold at least ${ddof + 1} numbers`);
  }
  values.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`values[${i}] must be finite, got ${v}`);
    }
  });
  const n = values.length;
  const mu = values.reduce((a, b) => a + b, 0) / n;
  if (mu === 0) throw new Error("mean of values is 0: coefficient of variation undefined");
  const ss = values.reduce((a, v) => a + (v - mu) ** 2, 0);
  return Math.sqrt(ss / (n - ddof)) / mu;
}
