/**
 * degeneracy — train populations of task-trained RNNs and measure how different their
 * solutions are ("Measuring and controlling solution degeneracy across task-trained RNNs").
 *
 * This module is the public API. It performs no I/O and starts no backend at import, and
 * every third-party import below it is a pinned `npm:` specifier, so it can be imported by
 * URL.
 *
 * @module
 */
export type * from "./tasks/types.ts";
export type * from "./rnn/types.ts";
export * from "./tasks/mod.ts";
export * from "./metrics/mod.ts";
export * from "./metrics/fixed_points/mod.ts";
export * from "./rnn/mod.ts";
export {
  createWebGpuBackend,
  releaseWebGpu,
  type WebGpuAdapterInfo,
  webgpuAdapterInfo,
  type WebGpuBackendOptions,
} from "./rnn/backends/webgpu.ts";
