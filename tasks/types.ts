/**
 * Shared types of the task suite (paper §2.2, Appendix A).
 *
 * Arrays are flat, row-major `Float32Array`s; the comment on each field gives its shape.
 * Index `[b, t, c]` of a `[batch, steps, dim]` array is `(b * steps + t) * dim + c`.
 */

/** The four task families of the paper. */
export type TaskName = "flipflop" | "delayed_discrimination" | "sine" | "path_integration";

/** One sampled batch of trials. */
export interface TaskBatch {
  /** Number of trials. */
  batch: number;
  /** Time steps per trial (doubled for the OOD variant of most tasks). */
  steps: number;
  /** Input channels. */
  inputDim: number;
  /** Target channels. */
  outputDim: number;
  /** Inputs, shape `[batch, steps, inputDim]`. */
  inputs: Float32Array;
  /** Targets, shape `[batch, steps, outputDim]`. */
  targets: Float32Array;
  /** Loss mask, shape `[batch, steps, outputDim]`, 1 where the loss counts, 0 elsewhere; `null` = everywhere. */
  mask: Float32Array | null;
  /** Auxiliary targets (e.g. f2 − f1 in delayed discrimination, control §3.3), or `null`. */
  aux: AuxTargets | null;
}

/** Auxiliary targets a task can offer for the auxiliary-loss control. */
export interface AuxTargets {
  /** Auxiliary channels. */
  dim: number;
  /** Shape `[batch, steps, dim]`. */
  targets: Float32Array;
  /** Shape `[batch, steps, dim]`, or `null` = everywhere. */
  mask: Float32Array | null;
}

/** Options of `Task.sample`. */
export interface SampleOptions {
  /** Sample the out-of-distribution variant (paper §3.2.3): doubled delay for delayed
   * discrimination, doubled trial length for the other tasks. */
  ood?: boolean;
}

/** A parameterised, seeded task generator. */
export interface Task {
  /** Task family. */
  readonly name: TaskName;
  /** Variant id, stable and file-name safe, e.g. `flipflop-n3`. */
  readonly id: string;
  /** The resolved parameters (defaults filled in), JSON-serialisable. */
  readonly params: Readonly<Record<string, number | string | boolean>>;
  /** Input channels. */
  readonly inputDim: number;
  /** Target channels. */
  readonly outputDim: number;
  /** Auxiliary target channels (0 when the task has none). */
  readonly auxDim: number;
  /** Time steps per in-distribution trial. */
  readonly steps: number;
  /** Number of independent channels N (the multiplier of the complexity measure, §3.1). */
  readonly channels: number;
  /** Whether target values are continuous (binned for the entropy) or discrete. */
  readonly continuousTargets: boolean;
  /** Whether input values are continuous (binned for the entropy) or discrete. */
  readonly continuousInputs: boolean;
  /**
   * Sample `batch` trials. Deterministic: the same `(batch, seed, options)` gives
   * identical arrays on every run and machine. The seed is the data seed, independent of
   * any network seed.
   */
  sample(batch: number, seed: number, options?: SampleOptions): TaskBatch;
}
