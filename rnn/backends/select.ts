/**
 * Backend selection (DESIGN.md, "Training"): `"auto"` picks WebGPU only when `navigator.gpu`
 * yields an adapter that is not a fallback (software) adapter, else the CPU backend;
 * `"cpu"` and `"webgpu"` force one. The WebGPU backend (`rnn/backends/webgpu.ts`) is imported
 * dynamically, so importing this module never touches the GPU.
 *
 * @module
 */
import type {
  AdamConfig,
  PopulationBackend,
  RnnParams,
  RnnShape,
  StepRegularisers,
} from "../types.ts";
import { DEFAULT_ADAM } from "../optim.ts";
import { type BackendOptions, createCpuBackend } from "./cpu.ts";
import type { KernelChoice } from "../kernels/select.ts";

/** Which backend trains a population. */
export type BackendChoice = "auto" | "cpu" | "webgpu";

/** Checks a backend choice; throws naming the field and the allowed values. */
export function validateBackendChoice(b: string): asserts b is BackendChoice {
  if (b !== "auto" && b !== "cpu" && b !== "webgpu") {
    throw new Error(`backend must be "auto", "cpu" or "webgpu", got ${b}`);
  }
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean };
}

/**
 * Whether a real (non-fallback) WebGPU adapter is available: `navigator.gpu.requestAdapter()`
 * returns an adapter whose `info.isFallbackAdapter` (or older `isFallbackAdapter`) is false.
 * False when WebGPU is absent or the request fails or takes longer than `timeoutMs`.
 *
 * @example
 * ```ts
 * import { hasRealGpu } from "@degeneracy/degeneracy";
 * // What backend "auto" picks: WebGPU only on a real (not software) adapter.
 * console.log((await hasRealGpu()) ? "webgpu" : "cpu");
 * ```
 */
export async function hasRealGpu(timeoutMs = 10_000): Promise<boolean> {
  const gpu = (globalThis.navigator as unknown as {
    gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> };
  } | undefined)?.gpu;
  if (!gpu) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const adapter = await Promise.race([
      gpu.requestAdapter(),
      new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      }),
    ]);
    if (!adapter) return false;
    const fallback = adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false;
    return !fallback;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Options of `createBackend`: the members and, for the CPU backend, workers and kernel. */
export interface CreateBackendOptions extends BackendOptions {
  /** CPU worker threads (default one per core, at most K; 0 = in-process). */
  workers?: number;
  /** CPU kernel (default `"auto"`). */
  kernel?: KernelChoice;
}

/**
 * Creates the chosen population backend. `"webgpu"` imports `./webgpu.ts` and calls
 * its `createWebGpuBackend({ shape, initialParams, adam, regularisers })`.
 *
 * @example
 * ```ts
 * import { createBackend, initParams } from "@degeneracy/degeneracy";
 * const shape = { inputDim: 1, hidden: 4, outputDim: 1 };
 * const backend = await createBackend("cpu", {
 *   shape,
 *   initial: [initParams(shape, 7)],
 *   regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
 *   workers: 0,
 * });
 * console.log(backend.name, backend.members); // e.g. "cpu-wasm-simd" 1
 * await backend.dispose();
 * ```
 */
export async function createBackend(
  choice: BackendChoice,
  opts: CreateBackendOptions,
): Promise<PopulationBackend> {
  validateBackendChoice(choice);
  const useGpu = choice === "webgpu" || (choice === "auto" && await hasRealGpu());
  if (!useGpu) return await createCpuBackend(opts);
  const spec = new URL("./webgpu.ts", import.meta.url).href;
  const mod = await import(spec) as {
    createWebGpuBackend?: (o: {
      shape: RnnShape;
      initialParams: RnnParams[];
      adam: AdamConfig;
      regularisers: StepRegularisers;
    }) => Promise<PopulationBackend>;
  };
  if (typeof mod.createWebGpuBackend !== "function") {
    throw new Error("rnn/backends/webgpu.ts does not export createWebGpuBackend");
  }
  return await mod.createWebGpuBackend({
    shape: opts.shape,
    initialParams: opts.initial,
    adam: opts.adam ?? DEFAULT_ADAM,
    regularisers: opts.regularisers,
  });
}
