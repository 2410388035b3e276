/**
 * CPU `PopulationBackend`: members spread round-robin over one Worker per core, each worker
 * running the fastest available single-network kernel (`loadKernel`) and holding its members'
 * parameters and Adam state (paper §2.1; batching members does not pay on CPU, see
 * docs/performance.md). With `workers: 0` everything runs in the calling thread.
 *
 * Every member runs the same `MemberTrainer` code with the same kernel wherever it lives, so a
 * member's losses and weights are bit-identical alone, in a population, in a worker or
 * in-process (tested in tests/rnn/train_test.ts).
 *
 * @module
 */
import type {
  AdamConfig,
  OptimiserState,
  PopulationBackend,
  RnnKernel,
  RnnParams,
  RnnShape,
  StepData,
  StepRegularisers,
} from "../types.ts";
import { MemberTrainer, validateOptimiserState } from "../member.ts";
import { DEFAULT_ADAM, validateAdam } from "../optim.ts";
import { validateRegularisers } from "../loss.ts";
import { flattenParams, paramCount, validateParams, validateShape, viewParams } from "../params.ts";
import { type KernelChoice, loadKernel, validateKernelChoice } from "../kernels/select.ts";
import { WorkerClient } from "../../metrics/worker_pool.ts";

/** What every population backend is built from. */
export interface BackendOptions {
  /** Sizes of every member. */
  shape: RnnShape;
  /** Initial parameters, one per member (K = length). Copied, not kept. */
  initial: RnnParams[];
  /** Regularisers and clipping applied in every step. */
  regularisers: StepRegularisers;
  /** Adam hyper-parameters (default PyTorch's). */
  adam?: AdamConfig;
}

/** Options of the CPU backend. */
export interface CpuBackendOptions extends BackendOptions {
  /**
   * Worker threads (default `navigator.hardwareConcurrency`, at most K); 0 = run in the calling
   * thread without workers.
   */
  workers?: number;
  /** Kernel: `"auto"` (default) = WASM SIMD when available, else TypeScript. */
  kernel?: KernelChoice;
}

function validateOptions(opts: BackendOptions): void {
  validateShape(opts.shape);
  if (!Array.isArray(opts.initial) || opts.initial.length < 1) {
    throw new Error("initial must be a non-empty array of RnnParams (one per member)");
  }
  opts.initial.forEach((p, k) => validateParams(opts.shape, p, `initial[${k}]`));
  validateRegularisers(opts.regularisers);
  validateAdam(opts.adam ?? DEFAULT_ADAM);
}

function checkStepArgs(K: number, data: StepData[], lrs?: Float64Array, active?: boolean[]): void {
  if (!Array.isArray(data) || data.length !== K) {
    throw new Error(`data must be an array of ${K} StepData`);
  }
  if (lrs && lrs.length !== K) throw new Error(`lrs must have length ${K}, got ${lrs.length}`);
  if (active && active.length !== K) {
    throw new Error(`active must have length ${K}, got ${active.length}`);
  }
}

function checkOptimiserStates(K: number, states: OptimiserState[]): void {
  if (!Array.isArray(states) || states.length !== K) {
    throw new Error(
      `optimiser states must be an array of ${K} (one per member), got ${
        Array.isArray(states) ? states.length : typeof states
      }`,
    );
  }
}

/** In-process backend (no workers): the reference the worker backend must match bitwise. */
class InProcessBackend implements PopulationBackend {
  readonly name: string;
  readonly members: number;
  private trainers: MemberTrainer[];
  constructor(private kernel: RnnKernel, private opts: BackendOptions) {
    this.name = `cpu-${kernel.name}`;
    this.members = opts.initial.length;
    this.trainers = opts.initial.map((p) => new MemberTrainer(opts.shape, p, opts.adam));
  }
  // deno-lint-ignore require-await
  async step(data: StepData[], lrs: Float64Array, active: boolean[]): Promise<Float64Array> {
    checkStepArgs(this.members, data, lrs, active);
    const out = new Float64Array(this.members).fill(NaN);
    for (let k = 0; k < this.members; k++) {
      if (active[k]) {
        out[k] = this.trainers[k].step(this.kernel, data[k], lrs[k], this.opts.regularisers);
      }
    }
    return out;
  }
  // deno-lint-ignore require-await
  async evaluate(data: StepData[], only?: boolean[]): Promise<Float64Array> {
    checkStepArgs(this.members, data, undefined, only);
    return Float64Array.from(
      this.trainers,
      (t, k) => (only && !only[k] ? NaN : t.evaluate(this.kernel, data[k])),
    );
  }
  getParams(): Promise<RnnParams[]> {
    return Promise.resolve(this.trainers.map((t) => t.getParams()));
  }
  exportOptimiserState(): Promise<OptimiserState[]> {
    return Promise.resolve(this.trainers.map((t) => t.getOptimiserState()));
  }
  importOptimiserState(states: OptimiserState[]): Promise<void> {
    checkOptimiserStates(this.members, states);
    const size = paramCount(this.opts.shape);
    states.forEach((s, k) => validateOptimiserState(size, s, `optimiser[${k}]`));
    this.trainers.forEach((t, k) => t.setOptimiserState(states[k], `optimiser[${k}]`));
    return Promise.resolve();
  }
  dispose(): Promise<void> {
    this.trainers = [];
    return Promise.resolve();
  }
}

/** Step data whose buffers the caller gave up (`handOver`): moved to workers, not copied. */
const handedOver = new WeakSet<StepData>();

/**
 * Marks `data` as owned by the backend from now on: the CPU worker backend's `step` then
 * transfers its buffers to the worker (zero copy) instead of copying them, leaving the caller's
 * arrays detached (length 0). Unmarked data is copied and stays usable. Returns `data`.
 *
 * @example
 * ```ts
 * import { handOver, stepDataFromBatch, createTask } from "@degeneracy/degeneracy";
 * const batch = createTask({ name: "flipflop", n: 1 }).sample(4, 0);
 * // The CPU worker backend may now move these buffers to a worker instead of copying them.
 * const data = handOver(stepDataFromBatch(batch));
 * console.log(data.inputs.length);
 * ```
 */
export function handOver(data: StepData): StepData {
  handedOver.add(data);
  return data;
}

/** Replies of a CPU worker (`cpu_worker.ts`). */
interface CpuWorkerReply {
  kernel?: string;
  taskId?: string;
  losses?: { index: number; loss: number }[];
  params?: { index: number; flat: Float32Array }[];
  optimiser?: { index: number; m: Float32Array; v: Float32Array; t: number }[];
}

/** How workers build and sample a task themselves (`WorkerSampling`). */
export interface WorkerSamplingSpec {
  /** Rebuilt in each worker with `createTask({ name, ...params })`. */
  task: { name: string; id: string; params: Record<string, number | string | boolean> };
  /** Trials per training batch. */
  batchSize: number;
  /** Weight of the auxiliary-target loss (0 = off). */
  auxWeight: number;
  /** Whether the auxiliary readout rows are present (see `stepDataFromBatch`). */
  auxRows: boolean;
}

/**
 * Optional capability of a backend whose workers can sample training batches themselves, so
 * data generation runs on every core instead of the calling thread. A seeded step gives the
 * same result as `step` with `stepDataFromBatch(task.sample(batchSize, seed), …)` data.
 */
export interface WorkerSampling {
  /** Configures worker-side sampling; false when the workers cannot load the task modules. */
  enableWorkerSampling(spec: WorkerSamplingSpec): Promise<boolean>;
  /** One step per active member on `task.sample(batchSize, seeds[k])`. */
  stepSeeded(seeds: ArrayLike<number>, lrs: Float64Array, active: boolean[]): Promise<Float64Array>;
}

/**
 * Whether `b` offers worker-side sampling.
 *
 * @example
 * ```ts
 * import { createCpuBackend, hasWorkerSampling, initParams } from "@degeneracy/degeneracy";
 * const shape = { inputDim: 1, hidden: 4, outputDim: 1 };
 * const backend = await createCpuBackend({
 *   shape,
 *   initial: [initParams(shape, 1)],
 *   regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
 *   workers: 0,
 * });
 * console.log(hasWorkerSampling(backend)); // false: the in-process backend samples nothing itself
 * await backend.dispose();
 * ```
 */
export function hasWorkerSampling(b: PopulationBackend): b is PopulationBackend & WorkerSampling {
  const x = b as Partial<WorkerSampling>;
  return typeof x.enableWorkerSampling === "function" && typeof x.stepSeeded === "function";
}

/** Worker backend: member k lives in worker k mod W. */
class WorkerBackend implements PopulationBackend, WorkerSampling {
  readonly members: number;
  name = "cpu";
  private handles: WorkerClient[] = [];
  private owner: number[];
  constructor(private opts: BackendOptions, workers: number) {
    this.members = opts.initial.length;
    this.owner = Array.from({ length: this.members }, (_, k) => k % workers);
    for (let w = 0; w < workers; w++) {
      const worker = new Worker(new URL("./cpu_worker.ts", import.meta.url), { type: "module" });
      this.handles.push(new WorkerClient(worker, "cpu worker"));
    }
  }

  async init(kernel: KernelChoice): Promise<void> {
    const replies = await Promise.all(this.handles.map((h, w) => {
      const members = [];
      const transfer: Transferable[] = [];
      for (let k = 0; k < this.members; k++) {
        if (this.owner[k] !== w) continue;
        const flat = flattenParams(this.opts.shape, this.opts.initial[k]);
        members.push({ index: k, flat });
        transfer.push(flat.buffer as ArrayBuffer);
      }
      return h.call<CpuWorkerReply>({
        type: "init",
        shape: this.opts.shape,
        adam: this.opts.adam ?? DEFAULT_ADAM,
        regularisers: this.opts.regularisers,
        kernel,
        members,
      }, transfer);
    }));
    const names = new Set(replies.map((r) => r.kernel));
    if (names.size !== 1) {
      throw new Error(`cpu workers loaded different kernels: ${[...names].join(", ")}`);
    }
    this.name = `cpu-${replies[0].kernel}`;
  }

  /**
   * Sends each worker its members' items. Buffers used by a single worker are transferred
   * (zero copy); buffers shared by several workers (shared data) are copied.
   */
  private async dispatch(
    type: "step" | "evaluate",
    data: StepData[],
    include: (k: number) => boolean,
    extra: (k: number) => Record<string, unknown>,
    transferData: boolean,
  ): Promise<Float64Array> {
    const users = new Map<ArrayBufferLike, Set<number>>();
    const arrays = (d: StepData) => [d.inputs, d.targets, d.weights];
    if (transferData) {
      for (let k = 0; k < this.members; k++) {
        if (!include(k) || !handedOver.has(data[k])) continue;
        for (const a of arrays(data[k])) {
          const s = users.get(a.buffer) ?? new Set<number>();
          s.add(this.owner[k]);
          users.set(a.buffer, s);
        }
      }
    }
    const out = new Float64Array(this.members).fill(NaN);
    await Promise.all(this.handles.map(async (h, w) => {
      const items = [];
      const transfer = new Set<ArrayBuffer>();
      for (let k = 0; k < this.members; k++) {
        if (this.owner[k] !== w || !include(k)) continue;
        const d = data[k];
        items.push({
          index: k,
          data: {
            batch: d.batch,
            steps: d.steps,
            inputs: d.inputs,
            targets: d.targets,
            weights: d.weights,
          },
          ...extra(k),
        });
        for (const a of arrays(d)) {
          const b = a.buffer;
          if (
            transferData && handedOver.has(d) && b instanceof ArrayBuffer &&
            users.get(b)?.size === 1 &&
            a.byteOffset === 0 && a.byteLength === b.byteLength
          ) transfer.add(b);
        }
      }
      if (items.length === 0) return;
      const r = await h.call<CpuWorkerReply>({ type, items }, [...transfer]);
      for (const { index, loss } of r.losses ?? []) out[index] = loss;
    }));
    return out;
  }

  /**
   * One step per active member. Data marked with `handOver` whose buffers belong to a single
   * worker are transferred to it (detached in the caller afterwards); other data are copied.
   */
  async step(data: StepData[], lrs: Float64Array, active: boolean[]): Promise<Float64Array> {
    checkStepArgs(this.members, data, lrs, active);
    return await this.dispatch("step", data, (k) => active[k], (k) => ({ lr: lrs[k] }), true);
  }

  /**
   * Task loss of every member (only those with `only[k]` when given; NaN for the others); the
   * data is copied (not transferred), so it can be reused.
   */
  async evaluate(data: StepData[], only?: boolean[]): Promise<Float64Array> {
    checkStepArgs(this.members, data, undefined, only);
    return await this.dispatch("evaluate", data, (k) => !only || only[k], () => ({}), false);
  }

  async enableWorkerSampling(spec: WorkerSamplingSpec): Promise<boolean> {
    const dirUrl = new URL("../../tasks/", import.meta.url);
    const deno = (globalThis as { Deno?: typeof Deno }).Deno;
    if (dirUrl.protocol === "file:" && deno?.permissions) {
      const { state } = await deno.permissions.query({
        name: "read",
        path: decodeURIComponent(dirUrl.pathname),
      });
      if (state !== "granted") return false;
    }
    try {
      const replies = await Promise.all(this.handles.map((h) =>
        h.call<CpuWorkerReply>({
          type: "sampling",
          task: { name: spec.task.name, params: spec.task.params },
          batchSize: spec.batchSize,
          auxWeight: spec.auxWeight,
          auxRows: spec.auxRows,
        })
      ));
      return replies.every((r) => r.taskId === spec.task.id);
    } catch {
      return false;
    }
  }

  async stepSeeded(
    seeds: ArrayLike<number>,
    lrs: Float64Array,
    active: boolean[],
  ): Promise<Float64Array> {
    if (seeds.length !== this.members) throw new Error(`seeds must have length ${this.members}`);
    checkStepArgs(this.members, new Array(this.members), lrs, active);
    const out = new Float64Array(this.members).fill(NaN);
    await Promise.all(this.handles.map(async (h, w) => {
      const items = [];
      for (let k = 0; k < this.members; k++) {
        if (this.owner[k] === w && active[k]) items.push({ index: k, seed: seeds[k], lr: lrs[k] });
      }
      if (items.length === 0) return;
      const r = await h.call<CpuWorkerReply>({ type: "stepSeeded", items });
      for (const { index, loss } of r.losses ?? []) out[index] = loss;
    }));
    return out;
  }

  async getParams(): Promise<RnnParams[]> {
    if (this.handles.length === 0) throw new Error("cpu backend already disposed");
    const out: RnnParams[] = new Array(this.members);
    const replies = await Promise.all(
      this.handles.map((h) => h.call<CpuWorkerReply>({ type: "getParams" })),
    );
    for (const r of replies) {
      for (const { index, flat } of r.params ?? []) out[index] = viewParams(this.opts.shape, flat);
    }
    return out.map((p) => ({
      wx: p.wx.slice(),
      wh: p.wh.slice(),
      b: p.b.slice(),
      wo: p.wo.slice(),
      bo: p.bo.slice(),
    }));
  }

  async exportOptimiserState(): Promise<OptimiserState[]> {
    if (this.handles.length === 0) throw new Error("cpu backend already disposed");
    const out: OptimiserState[] = new Array(this.members);
    const replies = await Promise.all(
      this.handles.map((h) => h.call<CpuWorkerReply>({ type: "getOptimiser" })),
    );
    for (const r of replies) {
      for (const { index, m, v, t } of r.optimiser ?? []) out[index] = { m, v, t };
    }
    return out;
  }

  async importOptimiserState(states: OptimiserState[]): Promise<void> {
    if (this.handles.length === 0) throw new Error("cpu backend already disposed");
    checkOptimiserStates(this.members, states);
    // Checked here, before any worker changes, so that a bad state names its member.
    const size = paramCount(this.opts.shape);
    states.forEach((s, k) => validateOptimiserState(size, s, `optimiser[${k}]`));
    await Promise.all(this.handles.map((h, w) => {
      const items = [];
      for (let k = 0; k < this.members; k++) {
        if (this.owner[k] !== w) continue;
        items.push({ index: k, m: states[k].m.slice(), v: states[k].v.slice(), t: states[k].t });
      }
      return h.call<CpuWorkerReply>({ type: "setOptimiser", items });
    }));
  }

  dispose(): Promise<void> {
    for (const h of this.handles) h.terminate();
    this.handles = [];
    return Promise.resolve();
  }
}

/**
 * Deno loads a worker's modules from disk under the worker's read permission: from a file URL
 * the workers need read access to the `rnn/` directory. Without it, explicitly requested
 * workers are an error; the default falls back to the in-process backend with a warning.
 */
async function canStartWorkers(explicit: boolean): Promise<boolean> {
  const dirUrl = new URL("..", import.meta.url);
  const deno = (globalThis as { Deno?: typeof Deno }).Deno;
  if (dirUrl.protocol !== "file:" || !deno?.permissions) return true;
  const dir = decodeURIComponent(dirUrl.pathname);
  const { state } = await deno.permissions.query({ name: "read", path: dir });
  if (state === "granted") return true;
  const msg = `CPU workers need read access to ${dir} (run with --allow-read=${dir})`;
  if (explicit) throw new Error(`${msg}, or pass workers: 0`);
  console.warn(`degeneracy: ${msg}; training in-process on one core instead`);
  return false;
}

/**
 * Creates the CPU population backend (module doc). Name: `"cpu-" + kernel name`, e.g.
 * `"cpu-ts"`, `"cpu-wasm-simd"`.
 *
 * @example Two members, one step each
 * ```ts
 * import { createCpuBackend, initParams } from "@degeneracy/degeneracy";
 * const shape = { inputDim: 1, hidden: 4, outputDim: 1 };
 * const backend = await createCpuBackend({
 *   shape,
 *   initial: [initParams(shape, 1), initParams(shape, 2)], // K = 2 members
 *   regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
 *   workers: 0, // in this thread; the default is one worker per core
 * });
 * const data = {
 *   batch: 1,
 *   steps: 3,
 *   inputs: new Float32Array([1, 0, 0]),
 *   targets: new Float32Array([1, 1, 1]),
 *   weights: new Float32Array(3).fill(1 / 3),
 * };
 * const losses = await backend.step([data, data], new Float64Array([1e-2, 1e-2]), [true, true]);
 * console.log(backend.name, losses);
 * await backend.dispose();
 * ```
 */
export async function createCpuBackend(opts: CpuBackendOptions): Promise<PopulationBackend> {
  validateOptions(opts);
  const kernel = opts.kernel ?? "auto";
  validateKernelChoice(kernel);
  const K = opts.initial.length;
  const cores = Math.max(1, (globalThis.navigator?.hardwareConcurrency ?? 1) | 0);
  const workers = opts.workers ?? Math.min(cores, K);
  if (!Number.isInteger(workers) || workers < 0 || workers > 1024) {
    throw new Error(`workers must be an integer in [0, 1024], got ${opts.workers}`);
  }
  if (workers === 0 || !(await canStartWorkers(opts.workers !== undefined))) {
    return new InProcessBackend(await loadKernel(kernel), opts);
  }
  const backend = new WorkerBackend(opts, Math.min(workers, K));
  try {
    await backend.init(kernel);
  } catch (err) {
    await backend.dispose();
    throw err;
  }
  return backend;
}
