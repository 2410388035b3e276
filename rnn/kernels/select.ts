/**
 * Choice of the single-network CPU kernel: the fused WASM SIMD kernel (`rnn/kernels/wasm.ts`,
 * `createWasmKernel`) when it exists and instantiates, else the plain TypeScript reference
 * kernel (`rnn/kernels/ts.ts`).
 *
 * @module
 */
import type { RnnKernel } from "../types.ts";
import { tsKernel } from "./ts.ts";

/** Which CPU kernel to run: `"auto"` = wasm when available, else ts. */
export type KernelChoice = "auto" | "ts" | "wasm";

/** Checks a kernel choice; throws naming the field and the allowed values. */
export function validateKernelChoice(kernel: string): asserts kernel is KernelChoice {
  if (kernel !== "auto" && kernel !== "ts" && kernel !== "wasm") {
    throw new Error(`kernel must be "auto", "ts" or "wasm", got ${kernel}`);
  }
}

/**
 * Loads the requested kernel. `"wasm"` throws when the WASM kernel is missing or fails to
 * instantiate; `"auto"` falls back to the TypeScript kernel.
 *
 * @example
 * ```ts
 * import { loadKernel } from "@degeneracy/degeneracy";
 * const kernel = await loadKernel("auto"); // the WASM SIMD kernel where available
 * console.log(kernel.name);
 * ```
 */
export async function loadKernel(kind: KernelChoice = "auto"): Promise<RnnKernel> {
  validateKernelChoice(kind);
  if (kind === "ts") return tsKernel;
  try {
    // Computed specifier: the module is optional and must not be loaded at import time.
    const spec = new URL("./wasm.ts", import.meta.url).href;
    const mod = await import(spec) as { createWasmKernel?: () => Promise<RnnKernel> };
    if (typeof mod.createWasmKernel !== "function") {
      throw new Error("rnn/kernels/wasm.ts does not export createWasmKernel");
    }
    return await mod.createWasmKernel();
  } catch (err) {
    if (kind === "wasm") {
      throw new Error(`kernel "wasm" is not available: ${(err as Error).message}`);
    }
    return tsKernel;
  }
}
