/**
 * Loss construction (paper §2.1, controls of §3.3): per-element loss weights from a task batch,
 * the L1 and nuclear-norm penalties on W_h with their subgradients, and gradient-norm clipping.
 *
 * Nuclear norm: we use the subgradient U Vᵀ of ‖W_h‖_* from the SVD W_h = U Σ Vᵀ (what
 * PyTorch's autograd of `torch.linalg.matrix_norm(W, "nuc")` returns), not a proximal step, so
 * the penalty passes through Adam and clipping exactly as in a PyTorch training loop.
 *
 * @module
 */
import { Matrix, SVD } from "npm:ml-matrix@6.15.1";
import type { TaskBatch } from "../tasks/types.ts";
import type { RnnParams, StepData, StepRegularisers } from "./types.ts";

/** Checks regulariser strengths; throws naming the field and range. */
export function validateRegularisers(r: StepRegularisers): void {
  for (const key of ["l1", "nuclear", "gradClip"] as const) {
    if (!(r?.[key] >= 0 && Number.isFinite(r[key]))) {
      throw new Error(`regularisers.${key} must be a finite number ≥ 0, got ${r?.[key]}`);
    }
  }
}

function maskedWeights(
  mask: Float32Array | null,
  n: number,
  scale: number,
  field: string,
): Float32Array {
  const w = new Float32Array(n);
  if (mask === null) {
    w.fill(scale / n);
    return w;
  }
  if (mask.length !== n) throw new Error(`${field} must have length ${n}, got ${mask.length}`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const m = mask[i];
    if (!(m >= 0 && Number.isFinite(m))) {
      throw new Error(`${field} entries must be finite and ≥ 0, got ${m} at ${i}`);
    }
    sum += m;
  }
  if (!(sum > 0)) throw new Error(`${field} must have a positive sum`);
  for (let i = 0; i < n; i++) w[i] = scale * mask[i] / sum;
  return w;
}

/**
 * StepData for one network from a task batch. Task loss = masked MSE over the task outputs
 * (weights mask / Σmask, so an unmasked batch gets 1/(B·T·O)); with `auxWeight > 0` the
 * auxiliary targets are appended as extra readout rows with weights auxWeight·auxMask/ΣauxMask,
 * i.e. loss = MSE_task + auxWeight·MSE_aux. With `auxWeight = 0` and `auxRows = true` the
 * auxiliary rows are present with weight 0 (evaluation of a network that has aux readouts).
 * Output rows per time step: task outputs, then auxiliary outputs.
 *
 * @example
 * ```ts
 * import { createTask, stepDataFromBatch } from "@degeneracy/degeneracy";
 * const batch = createTask({ name: "delayed_discrimination" }).sample(4, 1);
 * const data = stepDataFromBatch(batch); // loss weights from the decision-period mask
 * const total = data.weights.reduce((a, b) => a + b, 0);
 * if (Math.abs(total - 1) > 1e-5) throw new Error(`weights sum to ${total}`);
 * ```
 */
export function stepDataFromBatch(
  batch: TaskBatch,
  auxWeight = 0,
  auxRows = auxWeight > 0,
): StepData {
  const { batch: B, steps: T, outputDim: Ot } = batch;
  if (!(auxWeight >= 0 && Number.isFinite(auxWeight))) {
    throw new Error(`auxWeight must be finite and ≥ 0, got ${auxWeight}`);
  }
  if (batch.inputs.length !== B * T * batch.inputDim) {
    throw new Error(`batch.inputs must have length ${B * T * batch.inputDim}`);
  }
  if (batch.targets.length !== B * T * Ot) {
    throw new Error(`batch.targets must have length ${B * T * Ot}`);
  }
  const taskW = maskedWeights(batch.mask, B * T * Ot, 1, "batch.mask");
  if (!auxRows) {
    return { batch: B, steps: T, inputs: batch.inputs, targets: batch.targets, weights: taskW };
  }
  const aux = batch.aux;
  if (aux === null) throw new Error("auxWeight > 0 needs a task with auxiliary targets (aux)");
  const A = aux.dim;
  if (aux.targets.length !== B * T * A) {
    throw new Error(`batch.aux.targets must have length ${B * T * A}`);
  }
  const auxW = auxWeight > 0
    ? maskedWeights(aux.mask, B * T * A, auxWeight, "batch.aux.mask")
    : new Float32Array(B * T * A);
  const O = Ot + A;
  const targets = new Float32Array(B * T * O);
  const weights = new Float32Array(B * T * O);
  for (let r = 0; r < B * T; r++) {
    for (let o = 0; o < Ot; o++) {
      targets[r * O + o] = batch.targets[r * Ot + o];
      weights[r * O + o] = taskW[r * Ot + o];
    }
    for (let a = 0; a < A; a++) {
      targets[r * O + Ot + a] = aux.targets[r * A + a];
      weights[r * O + Ot + a] = auxW[r * A + a];
    }
  }
  return { batch: B, steps: T, inputs: batch.inputs, targets, weights };
}

/**
 * ‖W‖_* and its subgradient U Vᵀ for a square H×H row-major matrix (float64 SVD via ml-matrix;
 * the gradient wherever the singular values are distinct and nonzero; paper §3.3). The CPU and
 * the WebGPU backends both use it (tfjs has no SVD).
 *
 * @example The subgradient of a diagonal matrix with positive entries is the identity
 * ```ts
 * import { nuclearNormAndSubgradient } from "@degeneracy/degeneracy";
 * const { value, grad } = nuclearNormAndSubgradient(new Float32Array([2, 0, 0, 3]), 2);
 * if (value !== 5) throw new Error(`‖W‖_* = ${value}`);
 * if (Math.abs(grad[0] - 1) > 1e-12 || Math.abs(grad[1]) > 1e-12) throw new Error("not I");
 * ```
 */
export function nuclearNormAndSubgradient(
  w: Float32Array,
  H: number,
): { value: number; grad: Float64Array } {
  if (w.length !== H * H) throw new Error(`W must have length H·H = ${H * H}, got ${w.length}`);
  const rows: number[][] = [];
  for (let i = 0; i < H; i++) rows.push(Array.from(w.subarray(i * H, (i + 1) * H)));
  const svd = new SVD(new Matrix(rows), {
    computeLeftSingularVectors: true,
    computeRightSingularVectors: true,
    autoTranspose: false,
  });
  const s = svd.diagonal;
  let value = 0;
  for (const x of s) value += x;
  const u = svd.leftSingularVectors;
  const v = svd.rightSingularVectors;
  const uvT = u.mmul(v.transpose());
  const grad = new Float64Array(H * H);
  for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) grad[i * H + j] = uvT.get(i, j);
  return { value, grad };
}

/**
 * Adds the regularisers' penalty gradients to `grads` in place and returns the penalty
 * l1·‖W_h‖₁ + nuclear·‖W_h‖_* (paper §3.3). L1 uses sign(W_h) (0 at 0, as PyTorch).
 *
 * @example L1 penalty and its subgradient
 * ```ts
 * import { addRegularisers, zeroParams } from "@degeneracy/degeneracy";
 * const shape = { inputDim: 1, hidden: 2, outputDim: 1 };
 * const { params } = zeroParams(shape);
 * params.wh.set([1, -2, 0, 3]);
 * const grads = zeroParams(shape).params;
 * const penalty = addRegularisers(2, params, grads, { l1: 0.1, nuclear: 0, gradClip: 0 });
 * if (Math.abs(penalty - 0.6) > 1e-9 || grads.wh[1] !== Math.fround(-0.1)) throw new Error(`${penalty}`);
 * ```
 */
export function addRegularisers(
  hidden: number,
  params: RnnParams,
  grads: RnnParams,
  reg: StepRegularisers,
): number {
  let penalty = 0;
  const { wh } = params;
  const g = grads.wh;
  if (reg.l1 > 0) {
    let s = 0;
    for (let i = 0; i < wh.length; i++) {
      const w = wh[i];
      s += Math.abs(w);
      g[i] += reg.l1 * Math.sign(w);
    }
    penalty += reg.l1 * s;
  }
  if (reg.nuclear > 0) {
    const { value, grad } = nuclearNormAndSubgradient(wh, hidden);
    for (let i = 0; i < g.length; i++) g[i] += reg.nuclear * grad[i];
    penalty += reg.nuclear * value;
  }
  return penalty;
}

/**
 * Euclidean norm of a flat gradient (float64 accumulation).
 *
 * @example
 * ```ts
 * import { gradNorm } from "@degeneracy/degeneracy";
 * if (gradNorm(new Float32Array([3, 4])) !== 5) throw new Error("norm");
 * ```
 */
export function gradNorm(flat: Float32Array): number {
  let s = 0;
  for (let i = 0; i < flat.length; i++) s += flat[i] * flat[i];
  return Math.sqrt(s);
}

/**
 * torch.nn.utils.clip_grad_norm_(max_norm = maxNorm) on one flat gradient: if
 * maxNorm / (‖g‖ + 1e-6) < 1, scales g by that factor. Returns the norm before clipping.
 * `maxNorm = 0` means off.
 *
 * @example
 * ```ts
 * import { clipGradNorm } from "@degeneracy/degeneracy";
 * const g = new Float32Array([3, 4]); // norm 5
 * clipGradNorm(g, 1);
 * if (Math.abs(Math.hypot(g[0], g[1]) - 1) > 1e-6) throw new Error("not clipped");
 * ```
 */
export function clipGradNorm(flat: Float32Array, maxNorm: number): number {
  const norm = gradNorm(flat);
  if (maxNorm > 0) {
    const coef = maxNorm / (norm + 1e-6);
    if (coef < 1) { for (let i = 0; i < flat.length; i++) flat[i] *= coef; }
  }
  return norm;
}
