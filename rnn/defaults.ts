/**
 * Per-task training defaults (paper §2.1 and Appendix A).
 *
 * Choices the paper does not state, documented here:
 * - CosineAnnealingWarmRestarts (delayed discrimination): T_0 = 10 epochs, T_mult = 1,
 *   eta_min = 0 (PyTorch's default), stepped once per epoch.
 * - ReduceLROnPlateau (path integration): factor 0.5 and patience 40 (Appendix A.4);
 *   threshold 1e-4 (relative, PyTorch's default) and min_lr 0.
 * - Test batch: 256 trials for every task.
 * - Recurrent init: `"uniform"` (PyTorch `nn.RNN`: U(−1/√H, 1/√H)); no auxiliary loss,
 *   regularisers, clipping; each member its own data stream.
 *
 * @module
 */
import type { TrainingConfig } from "./types.ts";
import type { Task, TaskName } from "../tasks/types.ts";
import { TASK_NAMES, type TaskSpec } from "../tasks/factory.ts";

const COMMON = {
  stepsPerEpoch: 128,
  testBatchSize: 256,
  patience: 3,
  init: "uniform",
  auxWeight: 0,
  l1: 0,
  nuclear: 0,
  gradClip: 0,
  sharedData: false,
} as const;

/**
 * Appendix A training configuration of a task: hidden size (64 for flip-flop and path
 * integration, 128 for delayed discrimination and sine, §2.1), Adam learning rate, scheduler,
 * epoch limit, 128 steps per epoch, batch size, early-stopping threshold (path integration:
 * 0.1 in 2D, 0.3 in 3D) and patience 3.
 *
 * @param task a task name, a spec (`{ name, ...params }`) or a `Task`; a bare
 *   `"path_integration"` means 2D.
 * @param overrides fields to replace (only `TrainingConfig` keys are accepted).
 * @returns a fresh `TrainingConfig` object.
 * @throws Error for an unknown task name or override key.
 *
 * @example
 * ```ts
 * import { defaultTrainingConfig } from "@degeneracy/degeneracy";
 * const config = defaultTrainingConfig("delayed_discrimination", { maxEpochs: 10 });
 * if (config.hidden !== 128 || config.maxEpochs !== 10) throw new Error("Appendix A + override");
 * ```
 */
export function defaultTrainingConfig(
  task: TaskName | TaskSpec | Task,
  overrides: Partial<TrainingConfig> = {},
): TrainingConfig {
  const name = typeof task === "string" ? task : task?.name;
  let dims = 2;
  if (typeof task === "object" && task !== null && task.name === "path_integration") {
    const p = "params" in task ? (task as Task).params : task as unknown as Record<string, unknown>;
    if (p.dims === 3) dims = 3;
  }
  let cfg: TrainingConfig;
  switch (name) {
    case "flipflop":
      cfg = {
        ...COMMON,
        hidden: 64,
        lr: 0.001,
        scheduler: { kind: "none" },
        maxEpochs: 300,
        batchSize: 256,
        earlyStopThreshold: 0.0005,
      };
      break;
    case "delayed_discrimination":
      cfg = {
        ...COMMON,
        hidden: 128,
        lr: 0.001,
        scheduler: { kind: "cosine_warm_restarts", t0: 10, tMult: 1, etaMin: 0 },
        maxEpochs: 500,
        batchSize: 256,
        earlyStopThreshold: 0.05,
      };
      break;
    case "sine":
      cfg = {
        ...COMMON,
        hidden: 128,
        lr: 0.0005,
        scheduler: { kind: "none" },
        maxEpochs: 500,
        batchSize: 32,
        earlyStopThreshold: 0.05,
      };
      break;
    case "path_integration":
      cfg = {
        ...COMMON,
        hidden: 64,
        lr: 0.001,
        scheduler: {
          kind: "reduce_on_plateau",
          factor: 0.5,
          patience: 40,
          threshold: 1e-4,
          minLr: 0,
        },
        maxEpochs: 1000,
        batchSize: 64,
        earlyStopThreshold: dims === 3 ? 0.3 : 0.1,
      };
      break;
    default:
      throw new Error(
        `defaultTrainingConfig: task name must be one of ${
          TASK_NAMES.map((n) => `"${n}"`).join(", ")
        }, got ${JSON.stringify(name)}`,
      );
  }
  for (const key of Object.keys(overrides)) {
    if (!Object.hasOwn(cfg, key)) {
      throw new Error(
        `defaultTrainingConfig: unknown override "${key}"; allowed: ${Object.keys(cfg).join(", ")}`,
      );
    }
  }
  return { ...cfg, ...overrides };
}
