/**
 * WebGPU population backend (docs/webgpu.md): K vanilla tanh RNNs
 * (h_t = tanh(W_h h_{t−1} + W_x x_t + b), y_t = W_o h_t + b_o, h_0 = 0; paper §2.1) trained
 * together as stacked `[K, …]` tensors in one batched tfjs program on tfjs-backend-webgpu.
 *
 * One step is a hand-written forward + BPTT (no autograd) with batched matMuls
 * `[K, B, H] × [K, H, H]`, per-time-step tensors kept separate, then regularisers, per-member
 * gradient-norm clipping and Adam (PyTorch semantics) on the `[K, P]` flat parameter tensor.
 * The nuclear-norm subgradient U Vᵀ is computed on the CPU per member (tfjs has no SVD):
 * W_h is downloaded, decomposed in float64 (ml-matrix) and U Vᵀ uploaded, once per step and
 * only when the nuclear penalty is on.
 *
 * tfjs is loaded by dynamic import and its WebGPU backend initialised only inside
 * `createWebGpuBackend`, never at import. tfjs's engine is process-global: this backend makes
 * `webgpu` the active tfjs backend.
 *
 * @module
 */
import type * as TF from "npm:@tensorflow/tfjs-core@4.22.0";
import type {
  AdamConfig,
  OptimiserState,
  PopulationBackend,
  RnnParams,
  RnnShape,
  StepData,
  StepRegularisers,
} from "../types.ts";
import { packData, type PackedData, packParams, unpackParams } from "./webgpu_host.ts";
import {
  type ParamLayout,
  paramLayout,
  validateParams,
  validateShape,
  validateStepData,
} from "../params.ts";
import { validateAdam } from "../optim.ts";
import { validateOptimiserState } from "../member.ts";
import { nuclearNormAndSubgradient, validateRegularisers } from "../loss.ts";
import {
  backwardRecurrenceProgram,
  forwardRecurrenceProgram,
  MAX_FUSED_HIDDEN,
  type RawWebGpuProgram,
} from "./webgpu_programs.ts";

type Tf = typeof TF;
type Tensor = TF.Tensor;

/** What `navigator.gpu` offers in this process (used by `auto` backend selection). */
export interface WebGpuAdapterInfo {
  /** Whether an adapter could be obtained at all. */
  available: boolean;
  /** True for a software (fallback) adapter such as llvmpipe: correct but slow. */
  isFallbackAdapter: boolean;
  /** Adapter description (e.g. `"llvmpipe (LLVM 15.0.6, 256 bits)"`), or why none exists. */
  description: string;
}

/**
 * Probes Deno's WebGPU for an adapter without initialising tfjs. `auto` backend selection
 * should use WebGPU only when `available && !isFallbackAdapter`.
 *
 * @example
 * ```ts
 * import { webgpuAdapterInfo } from "@degeneracy/degeneracy";
 * const info = await webgpuAdapterInfo();
 * console.log(info.available, info.isFallbackAdapter, info.description);
 * ```
 */
export async function webgpuAdapterInfo(): Promise<WebGpuAdapterInfo> {
  // deno-lint-ignore no-explicit-any
  const gpu = (globalThis.navigator as any)?.gpu;
  if (!gpu || typeof gpu.requestAdapter !== "function") {
    return { available: false, isFallbackAdapter: false, description: "navigator.gpu is absent" };
  }
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) {
      return {
        available: false,
        isFallbackAdapter: false,
        description: "navigator.gpu.requestAdapter() returned null",
      };
    }
    const info = adapter.info ?? {};
    const fallback = Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false);
    const description = [info.description, info.vendor && `vendor ${info.vendor}`]
      .filter((s) => typeof s === "string" && s.length > 0).join(", ") || "unknown adapter";
    return { available: true, isFallbackAdapter: fallback, description };
  } catch (e) {
    return {
      available: false,
      isFallbackAdapter: false,
      description: `requestAdapter failed: ${(e as Error).message}`,
    };
  }
}

let tfLoading: Promise<Tf> | null = null;

/** Loads tfjs-core and registers the WebGPU backend (kernels register on import). */
function loadTf(): Promise<Tf> {
  if (!tfLoading) {
    tfLoading = (async () => {
      const tf = await import("npm:@tensorflow/tfjs-core@4.22.0");
      await import("npm:@tensorflow/tfjs-backend-webgpu@4.22.0");
      return tf;
    })();
  }
  return tfLoading;
}

/**
 * Releases tfjs's WebGPU backend: waits for submitted GPU work, unregisters the `webgpu`
 * backend and destroys its device. Call it once a process is done with WebGPU, before it
 * exits (a device left alive is torn down by the driver at exit, which on Mesa's llvmpipe
 * occasionally aborted the process with heap corruption after all work had finished). A
 * later `createWebGpuBackend` initialises a fresh device. No-op when WebGPU was never used.
 *
 * @example
 * ```ts
 * import { releaseWebGpu } from "@degeneracy/degeneracy";
 * // At the end of a script that may have trained on WebGPU (a no-op otherwise).
 * await releaseWebGpu();
 * ```
 */
export async function releaseWebGpu(): Promise<void> {
  if (!tfLoading) return;
  const tf = await tfLoading;
  // deno-lint-ignore no-explicit-any
  const backend = tf.findBackend("webgpu") as any;
  if (!backend) return;
  const device = backend.device as GPUDevice | undefined;
  if (device) await device.queue.onSubmittedWorkDone();
  // removeBackend also forgets the factory that tfjs-backend-webgpu registered on import:
  // keep it so that a later setBackend("webgpu") builds a new backend on a new device.
  // deno-lint-ignore no-explicit-any
  const entry = (tf.engine() as any).registryFactory?.webgpu as
    | { factory: () => TF.KernelBackend | Promise<TF.KernelBackend>; priority: number }
    | undefined;
  tf.removeBackend("webgpu");
  device?.destroy();
  if (entry) tf.registerBackend("webgpu", entry.factory, entry.priority);
}

/** Makes `webgpu` the active tfjs backend; throws when it cannot be initialised. */
async function useWebGpu(tf: Tf): Promise<void> {
  if (tf.engine().backendName === "webgpu") return;
  const ok = await tf.setBackend("webgpu");
  if (!ok) {
    throw new Error(
      "WebGPU backend unavailable: tfjs could not initialise 'webgpu' (no adapter?)",
    );
  }
  await tf.ready();
}

/** Options of `createWebGpuBackend`. */
export interface WebGpuBackendOptions {
  /** Sizes shared by every member. */
  shape: RnnShape;
  /** Initial parameters, one per member (K = length ≥ 1); copied. */
  initialParams: RnnParams[];
  /** Adam β₁, β₂, ε (PyTorch semantics, no weight decay). */
  adam: AdamConfig;
  /** L1 / nuclear-norm penalties on W_h and gradient-norm clipping (0 = off). */
  regularisers: StepRegularisers;
  /**
   * How the time loops run: `"fused"` (default): one WGSL dispatch for the whole forward
   * recurrence and one for the whole BPTT (`rnn/backends/webgpu_programs.ts`); `"ops"`: plain tfjs
   * ops, ~3 dispatches per time step each way. Same results to float32 rounding.
   */
  recurrence?: "fused" | "ops";
  /** Trials per workgroup of the fused programs (default: `recurrenceTile`); for tuning. */
  recurrenceTile?: number;
}

/**
 * Creates a WebGPU population backend: K members as stacked tensors on tfjs-backend-webgpu
 * (see module doc). Throws an Error naming the field for bad options, and when no WebGPU
 * adapter exists. Members may be given data with different batch sizes or step counts: the
 * data is zero-padded to the largest (exact, see `packData`), at the cost of compute.
 *
 * @example Only on a real GPU
 * ```ts
 * import { createWebGpuBackend, hasRealGpu, initParams } from "@degeneracy/degeneracy";
 * if (await hasRealGpu()) {
 *   const shape = { inputDim: 1, hidden: 8, outputDim: 1 };
 *   const backend = await createWebGpuBackend({
 *     shape,
 *     initialParams: [initParams(shape, 1), initParams(shape, 2)],
 *     adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
 *     regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
 *   });
 *   console.log(backend.name, backend.members);
 *   await backend.dispose();
 * }
 * ```
 */
export async function createWebGpuBackend(
  opts: WebGpuBackendOptions,
): Promise<PopulationBackend> {
  const { shape, initialParams, adam, regularisers } = opts;
  validateShape(shape);
  if (!Array.isArray(initialParams) || initialParams.length < 1) {
    throw new Error("initialParams must be a non-empty array (one RnnParams per member)");
  }
  initialParams.forEach((p, k) => validateParams(shape, p, `initialParams[${k}]`));
  validateAdam(adam);
  validateRegularisers(regularisers);
  const recurrence = opts.recurrence ?? "fused";
  if (recurrence !== "fused" && recurrence !== "ops") {
    throw new Error(`recurrence must be "fused" or "ops", got ${recurrence}`);
  }
  const tile = opts.recurrenceTile;
  if (
    tile !== undefined && (!Number.isInteger(tile) || tile < 1 || 8 * tile * shape.hidden > 16384)
  ) {
    throw new Error(
      `recurrenceTile must be an integer in [1, ${
        Math.floor(16384 / (8 * shape.hidden))
      }], got ${tile}`,
    );
  }
  if (recurrence === "fused" && shape.hidden > MAX_FUSED_HIDDEN) {
    throw new Error(`shape.hidden must be ≤ ${MAX_FUSED_HIDDEN} for recurrence "fused"`);
  }
  const info = await webgpuAdapterInfo();
  if (!info.available) throw new Error(`WebGPU backend unavailable: ${info.description}`);
  const tf = await loadTf();
  await useWebGpu(tf);
  return new WebGpuPopulation(
    tf,
    { ...shape },
    initialParams,
    { ...adam },
    { ...regularisers },
    recurrence,
    opts.recurrenceTile,
  );
}

/** The parts of a `GPUDevice` this backend uses. */
interface GpuDeviceLike {
  pushErrorScope(filter: "validation" | "out-of-memory"): void;
  popErrorScope(): Promise<{ message: string } | null>;
  limits: { maxStorageBufferBindingSize: number };
}

/** The population's data on the GPU, `[K, B·T, C]` each (rows b·T + t per member). */
interface UploadedData {
  batch: number;
  steps: number;
  inputs: Tensor;
  targets: Tensor;
  weights: Tensor;
}

/** Forward + BPTT of the stacked population; see `WebGpuPopulation.lossAndGrad`. */
interface LossAndGrad {
  loss: Tensor;
  grad?: Tensor;
}

class WebGpuPopulation implements PopulationBackend {
  readonly name = "webgpu";
  readonly members: number;
  private readonly layout: ParamLayout;
  private params: Tensor;
  private m: Tensor;
  private v: Tensor;
  /** Adam step count per member (PyTorch's `state["step"]`). */
  private readonly stepCount: Float64Array;
  /** Constant scalars, created once. */
  private readonly c: Record<"one" | "two" | "oneMinusB1" | "b2" | "oneMinusB2" | "eps", Tensor>;
  private disposed = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly tf: Tf,
    private readonly shape: RnnShape,
    initialParams: RnnParams[],
    private readonly adam: AdamConfig,
    private readonly reg: StepRegularisers,
    private readonly recurrence: "fused" | "ops",
    private readonly tile?: number,
  ) {
    this.members = initialParams.length;
    this.layout = paramLayout(shape);
    const K = this.members;
    const P = this.layout.total;
    this.params = tf.tensor2d(packParams(shape, initialParams), [K, P]);
    this.m = tf.zeros([K, P]);
    this.v = tf.zeros([K, P]);
    this.stepCount = new Float64Array(K);
    this.c = {
      one: tf.scalar(1),
      two: tf.scalar(2),
      oneMinusB1: tf.scalar(1 - adam.beta1),
      b2: tf.scalar(adam.beta2),
      oneMinusB2: tf.scalar(1 - adam.beta2),
      eps: tf.scalar(adam.eps),
    };
  }

  /** Runs calls one after another (each call awaits GPU reads between its parts). */
  private serial<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private checkAlive(): void {
    if (this.disposed) throw new Error("WebGPU backend was disposed");
  }

  step(data: StepData[], lrs: Float64Array, active: boolean[]): Promise<Float64Array> {
    return this.serial(() => this.stepNow(data, lrs, active));
  }

  /**
   * Task loss of each member on `data[k]`, no update. With `only` (the engine's optional
   * mask, as in the CPU backend), members with `only[k] = false` are skipped: their data is
   * not read and their loss is NaN.
   */
  evaluate(data: StepData[], only?: boolean[]): Promise<Float64Array> {
    return this.serial(() => this.evaluateNow(data, only));
  }

  getParams(): Promise<RnnParams[]> {
    return this.serial(async () => {
      this.checkAlive();
      const flat = await this.params.data() as Float32Array;
      return unpackParams(this.shape, flat, this.members);
    });
  }

  /** Adam moments per member (rows of the `[K, P]` tensors) and step counts, as copies. */
  exportOptimiserState(): Promise<OptimiserState[]> {
    return this.serial(async () => {
      this.checkAlive();
      const P = this.layout.total;
      const m = await this.m.data() as Float32Array;
      const v = await this.v.data() as Float32Array;
      return Array.from({ length: this.members }, (_, k) => ({
        m: m.slice(k * P, (k + 1) * P),
        v: v.slice(k * P, (k + 1) * P),
        t: this.stepCount[k],
      }));
    });
  }

  /** Uploads every member's Adam moments and step count (checked first; nothing changes on error). */
  importOptimiserState(states: OptimiserState[]): Promise<void> {
    return this.serial(() => {
      this.checkAlive();
      const K = this.members;
      const P = this.layout.total;
      if (!Array.isArray(states) || states.length !== K) {
        throw new Error(
          `optimiser states must be an array of ${K} (one per member), got ${
            Array.isArray(states) ? states.length : typeof states
          }`,
        );
      }
      states.forEach((s, k) => validateOptimiserState(P, s, `optimiser[${k}]`));
      const m = new Float32Array(K * P);
      const v = new Float32Array(K * P);
      states.forEach((s, k) => {
        m.set(s.m, k * P);
        v.set(s.v, k * P);
      });
      const tf = this.tf;
      const next = { m: tf.tensor2d(m, [K, P]), v: tf.tensor2d(v, [K, P]) };
      tf.dispose([this.m, this.v]);
      this.m = next.m;
      this.v = next.v;
      states.forEach((s, k) => (this.stepCount[k] = s.t));
      return Promise.resolve();
    });
  }

  dispose(): Promise<void> {
    return this.serial(() => {
      if (!this.disposed) {
        this.disposed = true;
        this.tf.dispose([this.params, this.m, this.v, ...Object.values(this.c)]);
      }
      return Promise.resolve();
    });
  }

  private async evaluateNow(data: StepData[], only?: boolean[]): Promise<Float64Array> {
    this.checkAlive();
    const K = this.members;
    if (!Array.isArray(data) || data.length !== K) {
      throw new Error(`data must be an array of ${K} StepData, got ${data?.length}`);
    }
    if (only !== undefined && (!Array.isArray(only) || only.length !== K)) {
      throw new Error(`only must be an array of ${K} booleans`);
    }
    const use = only ? only.map(Boolean) : new Array<boolean>(K).fill(true);
    const out = new Float64Array(K).fill(NaN);
    if (!use.some(Boolean)) return out;
    use.forEach((u, k) => u && validateStepData(this.shape, data[k], `data[${k}]`, true));
    await useWebGpu(this.tf);
    const values = await this.guarded(async () => {
      const loss = this.tf.tidy(() => this.lossAndGrad(this.upload(data, use), false, null).loss);
      try {
        return await loss.data();
      } finally {
        loss.dispose();
      }
    });
    for (let k = 0; k < K; k++) if (use[k]) out[k] = values[k];
    return out;
  }

  private async stepNow(
    data: StepData[],
    lrs: Float64Array,
    active: boolean[],
  ): Promise<Float64Array> {
    this.checkAlive();
    const tf = this.tf;
    const K = this.members;
    if (!Array.isArray(data) || data.length !== K) {
      throw new Error(`data must be an array of ${K} StepData, got ${data?.length}`);
    }
    if (!(lrs instanceof Float64Array) || lrs.length !== K) {
      throw new Error(`lrs must be a Float64Array of length ${K}`);
    }
    if (!Array.isArray(active) || active.length !== K) {
      throw new Error(`active must be an array of ${K} booleans`);
    }
    for (let k = 0; k < K; k++) {
      if (!active[k]) continue;
      validateStepData(this.shape, data[k], `data[${k}]`, true);
      if (!(lrs[k] >= 0 && Number.isFinite(lrs[k]))) {
        throw new Error(`lrs[${k}] must be a finite number ≥ 0, got ${lrs[k]}`);
      }
    }
    const out = new Float64Array(K).fill(NaN);
    if (!active.some(Boolean)) return out;
    await useWebGpu(tf);

    // Per-member Adam scalars (PyTorch: step_size = lr / (1 − β₁ᵗ), denom uses √(1 − β₂ᵗ)).
    const stepSize = new Float32Array(K);
    const bc2Sqrt = new Float32Array(K).fill(1);
    for (let k = 0; k < K; k++) {
      if (!active[k]) continue;
      const t = this.stepCount[k] + 1;
      stepSize[k] = lrs[k] / (1 - Math.pow(this.adam.beta1, t));
      bc2Sqrt[k] = Math.sqrt(1 - Math.pow(this.adam.beta2, t));
    }

    // Nuclear-norm subgradient on the CPU (tfjs has no SVD).
    let nuclearG: Tensor | null = null;
    if (this.reg.nuclear > 0) {
      const H = this.shape.hidden;
      const L = this.layout;
      const flat = await this.params.data() as Float32Array;
      const uvt = new Float32Array(K * H * H);
      for (let k = 0; k < K; k++) {
        if (!active[k]) continue;
        const o = k * L.total + L.wh;
        const wh = flat.subarray(o, o + H * H);
        if (!wh.every(Number.isFinite)) continue; // diverging member: its step is NaN anyway
        uvt.set(nuclearNormAndSubgradient(wh, H).grad, k * H * H); // rounded to float32
      }
      nuclearG = tf.tensor3d(uvt, [K, H, H]);
    }

    const c = this.c;
    const update = () =>
      tf.tidy(() => {
        const { loss, grad: g0 } = this.lossAndGrad(this.upload(data, active), true, nuclearG);
        let grad = g0!;
        if (this.reg.gradClip > 0) {
          // torch.nn.utils.clip_grad_norm_: coef = min(max_norm / (‖g‖ + 1e-6), 1).
          const norm = tf.sqrt(tf.sum(tf.square(grad), 1, true));
          const coef = tf.minimum(
            tf.div(tf.scalar(this.reg.gradClip), tf.add(norm, tf.scalar(1e-6))),
            c.one,
          );
          grad = tf.mul(grad, coef);
        }
        const mask = tf.tensor2d(active.map((a) => (a ? 1 : 0)), [K, 1], "bool");
        const m1 = tf.add(this.m, tf.mul(tf.sub(grad, this.m), c.oneMinusB1));
        const v1 = tf.add(tf.mul(this.v, c.b2), tf.mul(tf.square(grad), c.oneMinusB2));
        const denom = tf.add(tf.div(tf.sqrt(v1), tf.tensor2d(bc2Sqrt, [K, 1])), c.eps);
        const p1 = tf.sub(this.params, tf.mul(tf.tensor2d(stepSize, [K, 1]), tf.div(m1, denom)));
        return {
          loss,
          params: tf.where(mask, p1, this.params),
          m: tf.where(mask, m1, this.m),
          v: tf.where(mask, v1, this.v),
        };
      });
    const losses = await this.guarded(async () => {
      let result: ReturnType<typeof update>;
      try {
        result = update();
      } finally {
        nuclearG?.dispose();
      }
      tf.dispose([this.params, this.m, this.v]);
      this.params = result.params;
      this.m = result.m;
      this.v = result.v;
      try {
        return await result.loss.data();
      } finally {
        result.loss.dispose();
      }
    });
    for (let k = 0; k < K; k++) if (active[k]) this.stepCount[k]++;
    for (let k = 0; k < K; k++) if (active[k]) out[k] = losses[k];
    return out;
  }

  /** The tfjs backend's GPU device (for error scopes and limits). */
  private device(): GpuDeviceLike {
    return (this.tf.backend() as unknown as { device: GpuDeviceLike }).device;
  }

  /**
   * Runs `fn` inside WebGPU validation and out-of-memory error scopes and throws when the GPU
   * reported an error (WebGPU errors are otherwise silent: a failed dispatch leaves zeros).
   * After such an error the population's state is undefined: dispose the backend.
   */
  private async guarded<R>(fn: () => Promise<R>): Promise<R> {
    const device = this.device();
    device.pushErrorScope("out-of-memory");
    device.pushErrorScope("validation");
    let value: R | undefined;
    let failure: unknown = null;
    try {
      value = await fn();
    } catch (e) {
      failure = e;
    }
    const validation = await device.popErrorScope();
    const oom = await device.popErrorScope();
    const err = validation ?? oom;
    if (err) {
      throw new Error(
        `WebGPU ${validation ? "validation" : "out-of-memory"} error: ${err.message}`,
      );
    }
    if (failure !== null) throw failure;
    return value as R;
  }

  /**
   * Uploads the members' data as `[K, B·T, C]` tensors (call inside `tf.tidy`). When every
   * used member has the same B and T (the usual case), each member's arrays become one tensor
   * directly (tfjs copies them once, into GPU memory) and the K tensors are concatenated on the
   * GPU; unused members get zeros. Otherwise the data are zero-padded on the host (`packData`).
   */
  private upload(data: StepData[], use: boolean[]): UploadedData {
    const tf = this.tf;
    const K = this.members;
    const { inputDim: I, outputDim: O } = this.shape;
    const used = data.filter((_, k) => use[k]);
    const B = Math.max(...used.map((d) => d.batch));
    const T = Math.max(...used.map((d) => d.steps));
    const R = B * T;
    // Every [K, B·T, ·] tensor is bound whole in one shader: check the device's binding limit.
    const bytes = K * R * Math.max(this.shape.hidden, I, O) * 4;
    const limit = this.device().limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new Error(
        `population too large for this GPU: K·B·T·H·4 = ${bytes} bytes > ` +
          `maxStorageBufferBindingSize ${limit}; use fewer members per backend or smaller batches`,
      );
    }
    if (used.every((d) => d.batch === B && d.steps === T)) {
      const stack = (pick: (d: StepData) => Float32Array, C: number): Tensor => {
        const zeros = use.every(Boolean) ? null : tf.zeros([1, R, C]);
        const parts = data.map((d, k) => use[k] ? tf.tensor3d(pick(d), [1, R, C]) : zeros!);
        return K === 1 ? parts[0] : tf.concat(parts, 0);
      };
      return {
        batch: B,
        steps: T,
        inputs: stack((d) => d.inputs, I),
        targets: stack((d) => d.targets, O),
        weights: stack((d) => d.weights, O),
      };
    }
    const p: PackedData = packData(this.shape, data, use, true);
    const Rp = p.batch * p.steps;
    return {
      batch: p.batch,
      steps: p.steps,
      inputs: tf.tensor3d(p.inputs, [K, Rp, I]),
      targets: tf.tensor3d(p.targets!, [K, Rp, O]),
      weights: tf.tensor3d(p.weights!, [K, Rp, O]),
    };
  }

  /** Runs a raw WGSL program (`rnn/backends/webgpu_programs.ts`) on tfjs tensors; tracked by tidy. */
  private runProgram(program: RawWebGpuProgram, inputs: Tensor[]): Tensor {
    const backend = this.tf.backend() as unknown as {
      runWebGPUProgram(p: RawWebGpuProgram, x: TF.TensorInfo[], dtype: "float32"): TF.TensorInfo;
    };
    return this.tf.engine().makeTensorFromTensorInfo(
      backend.runWebGPUProgram(program, inputs, "float32"),
    );
  }

  /**
   * Task loss per member `[K]` (Σ weights·(y − target)²) and, when `withGrad`, the gradient
   * `[K, P]` of task loss + regularisers (before clipping). Call inside `tf.tidy`.
   *
   * Data stay in the `[K, B, T, C]` layout of `StepData` (rows r = b·T + t). Forward:
   * U = X W_xᵀ + b for all steps at once; per step a_t = h_{t−1} W_hᵀ + U[:, :, t] (one slice,
   * one fused batched matMul), h_t = tanh(a_t). Readout Y = H W_oᵀ + b_o for all steps at once.
   * Backward: dY = 2·weights·(Y − target); G = dY W_o; per step (t = T−1 … 0)
   * dh_t = G[:, :, t] + da_{t+1} W_h (one fused matMul), da_t = dh_t ⊙ (1 − h_t²) (one slice
   * of the precomputed 1 − H², one multiply); then dW_h = Σ_t da_tᵀ h_{t−1}, dW_x = Σ_t da_tᵀ x_t,
   * db = Σ da_t, dW_o = dYᵀ H, db_o = Σ dY as whole-sequence matMuls and sums.
   */
  private lossAndGrad(
    packed: UploadedData,
    withGrad: boolean,
    nuclearG: Tensor | null,
  ): LossAndGrad {
    const tf = this.tf;
    const K = this.members;
    const { inputDim: I, hidden: H, outputDim: O } = this.shape;
    const L = this.layout;
    const B = packed.batch;
    const T = packed.steps;
    const R = B * T;
    const P = this.params;
    const wx = tf.reshape(tf.slice(P, [0, L.wx], [K, H * I]), [K, H, I]);
    const wh = tf.reshape(tf.slice(P, [0, L.wh], [K, H * H]), [K, H, H]) as TF.Tensor3D;
    const b = tf.reshape(tf.slice(P, [0, L.b], [K, H]), [K, 1, H]);
    const wo = tf.reshape(tf.slice(P, [0, L.wo], [K, O * H]), [K, O, H]);
    const bo = tf.reshape(tf.slice(P, [0, L.bo], [K, O]), [K, 1, O]);
    /** Time step t of a `[K, B·T, H]` tensor as `[K, B, H]`. */
    const atStep = (x: Tensor, t: number): TF.Tensor3D =>
      (T === 1 ? x : tf.reshape(
        tf.slice(tf.reshape(x, [K, B, T, H]), [0, 0, t, 0], [
          K,
          B,
          1,
          H,
        ]),
        [K, B, H],
      )) as TF.Tensor3D;
    /** Stacks T tensors `[K, B, H]` into `[K, B·T, H]`. */
    const stackSteps = (xs: Tensor[]): TF.Tensor3D =>
      (T === 1 ? xs[0] : tf.reshape(
        tf.concat(xs.map((x) => tf.reshape(x, [K, B, 1, H])), 2),
        [K, R, H],
      )) as TF.Tensor3D;

    const X = packed.inputs as TF.Tensor3D;
    const U = tf.fused.matMul({ a: X, b: wx, transposeB: true, bias: b });
    const fused = this.recurrence === "fused";
    const dims = { members: K, batch: B, steps: T, hidden: H };
    let Hall: TF.Tensor3D;
    if (fused) {
      Hall = this.runProgram(forwardRecurrenceProgram(dims, this.tile), [
        U,
        tf.transpose(wh, [0, 2, 1]),
      ]) as TF.Tensor3D;
    } else {
      const hs: Tensor[] = [];
      let h: TF.Tensor3D | null = null;
      for (let t = 0; t < T; t++) {
        const u = atStep(U, t);
        const a: Tensor = h === null
          ? u
          : tf.fused.matMul({ a: h, b: wh, transposeB: true, bias: u });
        h = tf.tanh(a) as TF.Tensor3D;
        hs.push(h);
      }
      Hall = stackSteps(hs);
    }
    const Y = tf.fused.matMul({ a: Hall, b: wo, transposeB: true, bias: bo });
    const tgt = packed.targets;
    const wts = packed.weights;
    const diff = tf.sub(Y, tgt);
    const wd = tf.mul(wts, diff);
    const loss = tf.sum(tf.mul(wd, diff), [1, 2]);
    if (!withGrad) return { loss };

    const c = this.c;
    const dY = tf.mul(wd, c.two) as TF.Tensor3D;
    const dWo = tf.matMul(dY, Hall, true, false); // [K, O, H]
    const dbo = tf.sum(dY, 1); // [K, O]
    const G = tf.matMul(dY, wo); // [K, R, H]
    let DA: TF.Tensor3D; // [K, R, H]
    if (fused) {
      DA = this.runProgram(backwardRecurrenceProgram(dims, this.tile), [
        G,
        Hall,
        wh,
      ]) as TF.Tensor3D;
    } else {
      const D = tf.sub(c.one, tf.square(Hall)); // tanh'(a) = 1 − h², all steps at once
      const das: Tensor[] = new Array(T);
      let daNext: TF.Tensor3D | null = null;
      for (let t = T - 1; t >= 0; t--) {
        const g = atStep(G, t);
        const dh: Tensor = daNext === null ? g : tf.fused.matMul({ a: daNext, b: wh, bias: g });
        const da = tf.mul(dh, atStep(D, t)) as TF.Tensor3D;
        das[t] = da;
        daNext = da;
      }
      DA = stackSteps(das);
    }
    const dWx = tf.matMul(DA, X, true, false); // [K, H, I]
    const db = tf.sum(DA, 1); // [K, H]
    // dW_h pairs da_t with h_{t−1} for t ≥ 1 (h_0 = 0 contributes nothing).
    const shifted = (x: Tensor, t0: number) =>
      tf.reshape(tf.slice(tf.reshape(x, [K, B, T, H]), [0, 0, t0, 0], [K, B, T - 1, H]), [
        K,
        B * (T - 1),
        H,
      ]) as TF.Tensor3D;
    let dWh: Tensor = T === 1
      ? tf.zeros([K, H, H])
      : tf.matMul(shifted(DA, 1), shifted(Hall, 0), true, false); // [K, H, H]
    if (this.reg.l1 > 0) dWh = tf.add(dWh, tf.mul(tf.sign(wh), tf.scalar(this.reg.l1)));
    if (nuclearG) dWh = tf.add(dWh, tf.mul(nuclearG, tf.scalar(this.reg.nuclear)));
    const grad = tf.concat([
      tf.reshape(dWx, [K, H * I]),
      tf.reshape(dWh, [K, H * H]),
      db,
      tf.reshape(dWo, [K, O * H]),
      dbo,
    ], 1);
    return { loss, grad };
  }
}
