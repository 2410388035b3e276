/**
 * `createTask(spec)`: build any task of the suite from a plain, JSON-friendly spec.
 *
 * @module
 */
import type { Task, TaskName } from "./types.ts";
import { type FlipFlopParams, flipFlopTask } from "./flipflop.ts";
import {
  type DelayedDiscriminationParams,
  delayedDiscriminationTask,
} from "./delayed_discrimination.ts";
import { type SineParams, sineWaveTask } from "./sine.ts";
import { type PathIntegrationParams, pathIntegrationTask } from "./path_integration.ts";

/** A task name plus its (optional) parameters, e.g. `{ name: "flipflop", n: 3 }`. */
export type TaskSpec =
  | ({ name: "flipflop" } & FlipFlopParams)
  | ({ name: "delayed_discrimination" } & DelayedDiscriminationParams)
  | ({ name: "sine" } & SineParams)
  | ({ name: "path_integration" } & PathIntegrationParams);

/** The task names `createTask` accepts. */
export const TASK_NAMES: readonly TaskName[] = [
  "flipflop",
  "delayed_discrimination",
  "sine",
  "path_integration",
];

/**
 * Create a task from a spec: `name` picks the family, the other keys are its parameters
 * (defaults per Appendix A). `createTask({ name: task.name, ...task.params })` rebuilds an
 * identical task, so a saved `{ name, params }` is enough to regenerate its data.
 *
 * @throws Error for an unknown task name, an unknown parameter, or an out-of-range value (the
 *   message names the parameter and its allowed range).
 *
 * @example
 * ```ts
 * import { createTask } from "@degeneracy/degeneracy";
 * const task = createTask({ name: "flipflop", n: 3 });
 * const same = createTask({ name: task.name, ...task.params }); // a saved spec rebuilds it
 * const a = task.sample(2, 5), b = same.sample(2, 5);
 * if (a.inputs.some((x, i) => x !== b.inputs[i])) throw new Error("not identical");
 * ```
 */
export function createTask(spec: TaskSpec): Task {
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    throw new Error(`createTask: spec must be an object with a "name", got ${String(spec)}`);
  }
  const { name, ...params } = spec as { name: unknown } & Record<string, unknown>;
  switch (name) {
    case "flipflop":
      return flipFlopTask(params);
    case "delayed_discrimination":
      return delayedDiscriminationTask(params);
    case "sine":
      return sineWaveTask(params);
    case "path_integration":
      return pathIntegrationTask(params as PathIntegrationParams);
    default:
      throw new Error(
        `createTask: parameter "name" must be one of ${
          TASK_NAMES.map((n) => `"${n}"`).join(", ")
        }, got ${JSON.stringify(name)}`,
      );
  }
}
