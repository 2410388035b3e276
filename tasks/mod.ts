/**
 * The task suite (paper §2.2, Appendix A): four seeded task families and the `createTask`
 * factory that builds any of them from a plain `{ name, ...params }` spec, and the trivial
 * baselines a trained network must beat (`baselines.ts`). Their random stream is
 * `createRng` (`metrics/rng.ts`).
 *
 * @module
 */
export type { AuxTargets, SampleOptions, Task, TaskBatch, TaskName } from "./types.ts";
export { createTask, TASK_NAMES, type TaskSpec } from "./factory.ts";
export { FLIPFLOP_SCHEMA, type FlipFlopParams, flipFlopTask } from "./flipflop.ts";
export {
  DELAYED_DISCRIMINATION_SCHEMA,
  type DelayedDiscriminationParams,
  delayedDiscriminationTask,
} from "./delayed_discrimination.ts";
export { SINE_SCHEMA, sineFrequencies, type SineParams, sineWaveTask } from "./sine.ts";
export {
  PATH_INTEGRATION_SCHEMA,
  type PathIntegrationParams,
  pathIntegrationTask,
} from "./path_integration.ts";
export { describeRange, type ParamSchema, type ParamValue } from "./params.ts";
export {
  LEARNED_RATIO,
  learnedThreshold,
  type TrivialBaseline,
  type TrivialBaselines,
  trivialBaselines,
  trivialRatio,
} from "./baselines.ts";
