/**
 * One network's training state and step (forward + BPTT by an `RnnKernel`, regularisers,
 * gradient clipping, Adam). The CPU workers and the in-process backend run exactly this code,
 * so a member gives bit-identical results wherever it runs with the same kernel.
 *
 * @module
 */
import type {
  AdamConfig,
  OptimiserState,
  RnnKernel,
  RnnParams,
  RnnShape,
  StepData,
  StepRegularisers,
} from "./types.ts";
import {
  checkFloat32Array,
  cloneParams,
  flattenParams,
  validateShape,
  viewParams,
} from "./params.ts";
import { AdamState, DEFAULT_ADAM } from "./optim.ts";
import { addRegularisers, clipGradNorm } from "./loss.ts";

/**
 * Loss and gradient of the full training objective: task loss (kernel) + l1·‖W_h‖₁ +
 * nuclear·‖W_h‖_*, gradients written into `grads`, before clipping. Returns
 * `{ taskLoss, total }`.
 *
 * @example
 * ```ts
 * import { initParams, objectiveAndGrads, tsKernel, zeroParams } from "@degeneracy/degeneracy";
 * const shape = { inputDim: 1, hidden: 3, outputDim: 1 };
 * const data = {
 *   batch: 1,
 *   steps: 2,
 *   inputs: new Float32Array([1, -1]),
 *   targets: new Float32Array([0.5, 0]),
 *   weights: new Float32Array([0.5, 0.5]),
 * };
 * const grads = zeroParams(shape).params;
 * const reg = { l1: 1e-3, nuclear: 0, gradClip: 0 };
 * const { taskLoss, total } = objectiveAndGrads(tsKernel, shape, initParams(shape, 1), data, reg, grads);
 * if (!(total > taskLoss)) throw new Error("the penalty adds to the loss");
 * ```
 */
export function objectiveAndGrads(
  kernel: RnnKernel,
  shape: RnnShape,
  params: RnnParams,
  data: StepData,
  reg: StepRegularisers,
  grads: RnnParams,
): { taskLoss: number; total: number } {
  const taskLoss = kernel.lossAndGrads(shape, params, data, grads);
  const penalty = addRegularisers(shape.hidden, params, grads, reg);
  return { taskLoss, total: taskLoss + penalty };
}

function allFinite(a: Float32Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

/**
 * Parameters and Adam state of one member, with its training step.
 *
 * @example A network learns one batch
 * ```ts
 * import { initParams, MemberTrainer, tsKernel } from "@degeneracy/degeneracy";
 * const shape = { inputDim: 1, hidden: 4, outputDim: 1 };
 * const member = new MemberTrainer(shape, initParams(shape, 1));
 * const data = {
 *   batch: 1,
 *   steps: 2,
 *   inputs: new Float32Array([1, 0]),
 *   targets: new Float32Array([1, 1]),
 *   weights: new Float32Array([0.5, 0.5]),
 * };
 * const reg = { l1: 0, nuclear: 0, gradClip: 0 };
 * const before = member.step(tsKernel, data, 0.05, reg);
 * for (let i = 0; i < 20; i++) member.step(tsKernel, data, 0.05, reg);
 * if (!(member.evaluate(tsKernel, data) < before)) throw new Error("did not learn");
 * ```
 */
export class MemberTrainer {
  /** Flat parameters (layout of `viewParams`). */
  readonly flat: Float32Array;
  /** Views of `flat`. */
  readonly params: RnnParams;
  private readonly gradFlat: Float32Array;
  private readonly grads: RnnParams;
  private readonly adam: AdamState;
  /** Scratch copies for rolling back a rejected update (no allocation per step). */
  private readonly saved: { p: Float32Array; m: Float32Array; v: Float32Array };

  /** A member with the sizes `shape`, a copy of `initial` and fresh Adam moments. */
  constructor(readonly shape: RnnShape, initial: RnnParams, adam: AdamConfig = DEFAULT_ADAM) {
    validateShape(shape);
    this.flat = flattenParams(shape, initial);
    this.params = viewParams(shape, this.flat);
    this.gradFlat = new Float32Array(this.flat.length);
    this.grads = viewParams(shape, this.gradFlat);
    this.adam = new AdamState(this.flat.length, adam);
    const n = this.flat.length;
    this.saved = { p: new Float32Array(n), m: new Float32Array(n), v: new Float32Array(n) };
  }

  /** Adam steps taken (rejected steps not counted). */
  get steps(): number {
    return this.adam.t;
  }

  /**
   * One training step on `data` with learning rate `lr`: gradient of the full objective,
   * clipping (torch.nn.utils.clip_grad_norm_), Adam. Returns the task loss before the update.
   * A step whose loss is NaN/±Inf is not applied and that loss is returned; a step whose
   * gradient or updated parameters would be non-finite is not applied either and returns
   * `Infinity`. Either way the member's parameters and Adam state stay as they were, and the
   * trainer flags it `diverged`.
   */
  step(kernel: RnnKernel, data: StepData, lr: number, reg: StepRegularisers): number {
    const { taskLoss } = objectiveAndGrads(kernel, this.shape, this.params, data, reg, this.grads);
    if (!Number.isFinite(taskLoss)) return taskLoss;
    const norm = clipGradNorm(this.gradFlat, reg.gradClip);
    if (!Number.isFinite(norm)) return Infinity;
    const s = this.saved;
    s.p.set(this.flat);
    s.m.set(this.adam.m);
    s.v.set(this.adam.v);
    this.adam.step(this.flat, this.gradFlat, lr);
    if (!allFinite(this.flat)) {
      this.flat.set(s.p);
      this.adam.restore({ m: s.m, v: s.v, t: this.adam.t - 1 });
      return Infinity;
    }
    return taskLoss;
  }

  /** Task loss on `data` without an update. */
  evaluate(kernel: RnnKernel, data: StepData): number {
    return kernel.forward(this.shape, this.params, data);
  }

  /** Copies of the current parameters. */
  getParams(): RnnParams {
    return cloneParams(this.params);
  }

  /** A copy of the Adam state (moments flat in the parameter layout, and the step count). */
  getOptimiserState(): OptimiserState {
    return { m: this.adam.m.slice(), v: this.adam.v.slice(), t: this.adam.t };
  }

  /** Replaces the Adam state with a copy of `state`; throws naming the field on a bad value. */
  setOptimiserState(state: OptimiserState, name = "optimiser"): void {
    validateOptimiserState(this.flat.length, state, name);
    this.adam.restore(state);
  }
}

/**
 * Checks one member's Adam state for P parameters: Float32Array moments of length P and an
 * integer step count ≥ 0; throws naming the field. (Values are not checked: a diverged
 * member's frozen state may hold non-finite numbers.)
 *
 * @example
 * ```ts
 * import { validateOptimiserState } from "@degeneracy/degeneracy";
 * const state = { m: new Float32Array(3), v: new Float32Array(3), t: 0 };
 * validateOptimiserState(3, state); // fine
 * try {
 *   validateOptimiserState(4, state);
 * } catch (e) {
 *   console.log((e as Error).message); // names optimiser.m and the length 4
 * }
 * ```
 */
export function validateOptimiserState(
  size: number,
  state: OptimiserState,
  name = "optimiser",
): void {
  if (state === null || typeof state !== "object") throw new Error(`${name} must be an object`);
  checkFloat32Array(`${name}.m`, state.m, size);
  checkFloat32Array(`${name}.v`, state.v, size);
  if (!Number.isInteger(state.t) || state.t < 0) {
    throw new Error(`${name}.t must be an integer ≥ 0, got ${state.t}`);
  }
}
