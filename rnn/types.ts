/**
 * Shared types of the training engine (paper §2.1, Appendix A).
 *
 * The model: h_t = tanh(W_h h_{t−1} + W_x x_t + b), y_t = W_o h_t + b_o, h_0 = 0.
 * Weight arrays are flat row-major `Float32Array`s: `wh[i * H + j]` multiplies h_j into
 * unit i.
 */

/** Sizes of one network. */
export interface RnnShape {
  /** Input channels I. */
  inputDim: number;
  /** Hidden units H. */
  hidden: number;
  /** Readout rows O (task outputs, then auxiliary outputs when the auxiliary loss is on). */
  outputDim: number;
}

/** Parameters of one network, flat row-major. */
export interface RnnParams {
  /** Input weights W_x, shape `[H, I]`. */
  wx: Float32Array;
  /** Recurrent weights W_h, shape `[H, H]`. */
  wh: Float32Array;
  /** Hidden bias b, shape `[H]`. */
  b: Float32Array;
  /** Readout weights W_o, shape `[O, H]`. */
  wo: Float32Array;
  /** Readout bias b_o, shape `[O]`. */
  bo: Float32Array;
}

/** Learning-rate schedule (PyTorch semantics). */
export type SchedulerConfig =
  | { kind: "none" }
  /** torch.optim.lr_scheduler.CosineAnnealingWarmRestarts, stepped once per epoch. */
  | { kind: "cosine_warm_restarts"; t0: number; tMult: number; etaMin: number }
  /** torch.optim.lr_scheduler.ReduceLROnPlateau on the test loss, stepped once per epoch. */
  | {
    kind: "reduce_on_plateau";
    factor: number;
    patience: number;
    threshold: number;
    minLr: number;
  };

/** How one population is trained (defaults per task follow Appendix A). */
export interface TrainingConfig {
  /** Hidden units H. */
  hidden: number;
  /** Adam learning rate. */
  lr: number;
  /** Learning-rate schedule. */
  scheduler: SchedulerConfig;
  /** Epoch limit. */
  maxEpochs: number;
  /** Optimiser steps per epoch. */
  stepsPerEpoch: number;
  /** Trials per optimiser step. */
  batchSize: number;
  /** Trials in the per-epoch test batch. */
  testBatchSize: number;
  /** Early stopping: a member stops when its test loss stays below this for `patience` epochs. */
  earlyStopThreshold: number;
  /** Early stopping patience in epochs. */
  patience: number;
  /** Recurrent-weight initialisation. */
  init: "uniform" | "orthogonal";
  /** Weight of the auxiliary-target loss (0 = off). */
  auxWeight: number;
  /** L1 penalty strength on W_h (0 = off). */
  l1: number;
  /** Nuclear-norm penalty strength on W_h (0 = off). */
  nuclear: number;
  /** Gradient-norm clipping (0 = off). */
  gradClip: number;
  /** Whether all members see the same data stream (default: each its own). */
  sharedData: boolean;
}

/** Final state of one trained member. */
export type MemberStatus = "converged" | "not_converged" | "diverged";

/** One member's data for one step or evaluation, flat row-major. */
export interface StepData {
  /** Trials B. */
  batch: number;
  /** Time steps T. */
  steps: number;
  /** Inputs, shape `[B, T, I]`. */
  inputs: Float32Array;
  /** Targets, shape `[B, T, O]` (task targets, then auxiliary targets when the auxiliary loss is on). */
  targets: Float32Array;
  /**
   * Per-element loss weights, shape `[B, T, O]`, already normalised, so that the task loss is
   * `Σ weights · (y − target)²`. Plain MSE is `1 / (B·T·O)` everywhere; a mask zeroes
   * entries and renormalises; the auxiliary weight scales the auxiliary rows.
   */
  weights: Float32Array;
}

/**
 * Single-network forward + BPTT on CPU (the kernel a CPU worker runs for each member).
 * Implementations: a plain TypeScript reference and a fused WASM SIMD kernel; both must
 * agree with finite differences.
 */
export interface RnnKernel {
  /** Implementation name, e.g. `"ts"`, `"wasm-simd"`. */
  readonly name: string;
  /**
   * Task loss `Σ weights · (y − target)²` and its gradient w.r.t. every parameter, written into
   * `grads` (same shapes as `params`, overwritten, not accumulated).
   */
  lossAndGrads(shape: RnnShape, params: RnnParams, data: StepData, grads: RnnParams): number;
  /**
   * Forward pass only. Writes hidden states `[B, T, H]` and outputs `[B, T, O]` into the
   * given arrays when present; returns the loss when `data` has targets and weights, else NaN.
   */
  forward(
    shape: RnnShape,
    params: RnnParams,
    data: Pick<StepData, "batch" | "steps" | "inputs"> & Partial<StepData>,
    out?: { hidden?: Float32Array; outputs?: Float32Array },
  ): number;
}

/** Adam hyper-parameters (PyTorch defaults). */
export interface AdamConfig {
  /** Decay of the first moment, in [0, 1) (PyTorch 0.9). */
  beta1: number;
  /** Decay of the second moment, in [0, 1) (PyTorch 0.999). */
  beta2: number;
  /** Denominator term, > 0 (PyTorch 1e-8). */
  eps: number;
}

/**
 * Adam state of one member (PyTorch's `exp_avg`, `exp_avg_sq` and `step`), flat in the
 * parameter layout of `paramLayout` (wx | wh | b | wo | bo), length P each.
 */
export interface OptimiserState {
  /** First moment, length P. */
  m: Float32Array;
  /** Second moment, length P. */
  v: Float32Array;
  /** Adam steps taken (integer ≥ 0). */
  t: number;
}

/**
 * Regularisers and clipping applied inside a step (paper §3.3):
 * total loss = task loss + l1·‖W_h‖₁ + nuclear·‖W_h‖_*; the gradient uses the subgradients
 * sign(W_h) and U Vᵀ (from the SVD of W_h); clipping rescales the whole gradient (task +
 * regularisers, as torch.nn.utils.clip_grad_norm_ after backward) to norm ≤ gradClip.
 */
export interface StepRegularisers {
  /** L1 penalty strength on W_h (0 = off). */
  l1: number;
  /** Nuclear-norm penalty strength on W_h (0 = off). */
  nuclear: number;
  /** Maximum gradient norm (0 = no clipping). */
  gradClip: number;
}

/**
 * A population of K same-shape networks trained step-synchronously. The CPU backend spreads
 * members over one worker per core; the WebGPU backend stacks them as `[K, …]` tensors.
 * Members with `active[k] = false` are frozen: no parameter or Adam-state change.
 */
export interface PopulationBackend {
  /** Backend name recorded in saved networks, e.g. `"cpu-wasm"`, `"webgpu"`. */
  readonly name: string;
  /** Population size K. */
  readonly members: number;
  /**
   * One Adam step per active member on its own data (`data[k]`), learning rate `lrs[k]`.
   * Returns each member's task loss before the update (NaN for inactive members).
   */
  step(data: StepData[], lrs: Float64Array, active: boolean[]): Promise<Float64Array>;
  /** Task loss of each member on `data[k]`, no update. */
  evaluate(data: StepData[]): Promise<Float64Array>;
  /** Current parameters of every member (copies). */
  getParams(): Promise<RnnParams[]>;
  /**
   * Adam state of every member (copies), for a training checkpoint. Optional: a backend
   * without it cannot stop and resume training.
   */
  exportOptimiserState?(): Promise<OptimiserState[]>;
  /**
   * Replaces every member's Adam state (one per member, in member order; arrays copied), so
   * that the next step continues as if training had never stopped. Throws naming the field on
   * a wrong count or length.
   */
  importOptimiserState?(states: OptimiserState[]): Promise<void>;
  /** Release workers / GPU memory. */
  dispose(): Promise<void>;
}

/** Weights of one network as JSON (nested arrays, row-major as in `RnnParams`). */
export interface SerializedParams {
  /** `[H][I]` */
  wx: number[][];
  /** `[H][H]` */
  wh: number[][];
  /** `[H]` */
  b: number[];
  /** `[O][H]` */
  wo: number[][];
  /** `[O]` */
  bo: number[];
}

/**
 * A saved network, one JSON file per member (`schema: "degeneracy.network/1"`).
 * Float32 weights are written as the JSON numbers of their exact values, so loading them back
 * reproduces the network bit for bit.
 */
export interface NetworkRecord {
  /** Format and version. */
  schema: "degeneracy.network/1";
  /** Unique id, e.g. `flipflop-n3/m007`. */
  id: string;
  /** The task variant it was trained on (`Task.name`, `Task.id`, `Task.params`). */
  task: { name: string; id: string; params: Record<string, number | string | boolean> };
  /** Training configuration. */
  config: TrainingConfig;
  /** Member index within its population. */
  member: number;
  /** Seed of the weight initialisation. */
  initSeed: number;
  /** Seed of the member's data stream. */
  dataSeed: number;
  /** Sizes; `outputDim` counts every readout row, the last `auxDim` of them auxiliary. */
  shape: RnnShape & { auxDim: number };
  /** Weights at initialisation. */
  initial: SerializedParams;
  /** Weights at the end of training. */
  final: SerializedParams;
  /** Per-epoch losses and learning rate. */
  history: { trainLoss: number[]; testLoss: number[]; lr: number[] };
  /** Epochs run (1-based count). */
  stopEpoch: number;
  /** Outcome. */
  status: MemberStatus;
  /** Backend that trained it. */
  backend: string;
  /**
   * Where the training batches were sampled: `"workers"` (each CPU worker samples its members'
   * batches itself) or `"main"` (the calling thread samples and sends them). Absent in records
   * written before this field existed.
   */
  dataSampling?: "workers" | "main";
  /** Training wall time of the population, seconds. */
  wallTimeSec: number;
}
