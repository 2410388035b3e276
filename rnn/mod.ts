/**
 * The training engine's public API (paper §2.1, Appendix A): initialisation, Adam and
 * schedulers, loss construction and regularisers, the CPU population backend, backend
 * selection, the population training loop, the Appendix A training defaults, saved networks
 * and progress lines.
 *
 * Importing it starts no worker and touches no GPU (the WebGPU backend loads tfjs only inside
 * `createWebGpuBackend`).
 *
 * @module
 */
export type {
  AdamConfig,
  MemberStatus,
  NetworkRecord,
  OptimiserState,
  PopulationBackend,
  RnnKernel,
  RnnParams,
  RnnShape,
  SchedulerConfig,
  SerializedParams,
  StepData,
  StepRegularisers,
  TrainingConfig,
} from "./types.ts";
export { defaultTrainingConfig } from "./defaults.ts";
export { initParams, type InitScheme, orthogonalFromGaussian } from "./init.ts";
export {
  cloneParams,
  flattenParams,
  paramCount,
  validateParams,
  validateShape,
  viewParams,
  zeroParams,
} from "./params.ts";
export {
  MAX_SEED,
  type MemberSeeds,
  memberSeeds,
  mixSeed,
  stepBatchSeed,
  testBatchSeed,
} from "./seeds.ts";
export {
  AdamState,
  CosineWarmRestarts,
  createScheduler,
  DEFAULT_ADAM,
  type LrScheduler,
  ReduceOnPlateau,
  type SchedulerState,
} from "./optim.ts";
export {
  addRegularisers,
  clipGradNorm,
  gradNorm,
  nuclearNormAndSubgradient,
  stepDataFromBatch,
} from "./loss.ts";
export { MemberTrainer, objectiveAndGrads, validateOptimiserState } from "./member.ts";
export {
  CHECKPOINT_SCHEMA,
  checkpointFromBytes,
  checkpointToBytes,
  type MemberCheckpoint,
  type TrainingCheckpoint,
  validateCheckpoint,
} from "./checkpoint.ts";
export { type KernelChoice, loadKernel } from "./kernels/select.ts";
export {
  type BackendOptions,
  type CpuBackendOptions,
  createCpuBackend,
  handOver,
  hasWorkerSampling,
  type WorkerSampling,
  type WorkerSamplingSpec,
} from "./backends/cpu.ts";
export {
  type BackendChoice,
  createBackend,
  type CreateBackendOptions,
  hasRealGpu,
} from "./backends/select.ts";
export {
  networkShape,
  type PopulationBackendFactory,
  rebuildsIdentically,
  type RecordInput,
  toRecord,
  trainPopulation,
  type TrainPopulationOptions,
  type TrainProgress,
  trainSegment,
  type TrainSegmentOptions,
  type TrainSegmentResult,
  validateTrainingConfig,
} from "./train.ts";
export {
  NETWORK_SCHEMA,
  type NetworkExpectation,
  type NetworkRun,
  paramsFromRecord,
  paramsFromSerialized,
  paramsToSerialized,
  parseNetworkRecord,
  readNetworkRecord,
  runNetwork,
  shapeFromRecord,
  toNested,
  validateRecord,
} from "./record.ts";
export {
  formatDuration,
  formatProgress,
  progressPrinter,
  type ProgressPrinterOptions,
} from "./progress.ts";
export { parseTrainingFlags, TRAINING_FLAGS_HELP, type TrainingFlags } from "./cli.ts";
export { tsKernel } from "./kernels/ts.ts";
export { createWasmKernel } from "./kernels/wasm.ts";
export {
  createWebGpuBackend,
  releaseWebGpu,
  type WebGpuAdapterInfo,
  webgpuAdapterInfo,
  type WebGpuBackendOptions,
} from "./backends/webgpu.ts";
