/**
 * From saved networks to hidden states: rebuilds a network's task from its record
 * (`createTask({ name, ...params })`), samples a shared evaluation batch and runs the network
 * forward with `runNetwork` of rnn/record.ts (the reference TypeScript kernel, h_0 = 0), as the
 * pipeline's units do. Used by the measure scripts that need trajectories (dimensionality,
 * attractorness, DSA, OOD MSE) when given `--run DIR`.
 *
 * @module
 */
import { paramsFromRecord, runNetwork } from "../../rnn/record.ts";
import type { FlatHidden } from "../lib/metrics.ts";
import type { RnnParams, RnnShape } from "../../rnn/types.ts";
import { createTask, type TaskSpec } from "../../tasks/factory.ts";
import type { Task, TaskBatch } from "../../tasks/types.ts";
import {
  InputError,
  integerOption,
  type LoadedNetwork,
  loadRunDirectory,
  loadTrajectoriesFile,
  type MetricFile,
  numberOption,
} from "./common.ts";

/** Sizes of a saved network (`outputDim` counts auxiliary rows, the last `auxDim`). */
export function networkShape(net: LoadedNetwork): RnnShape & { auxDim: number } {
  return { ...net.record.shape };
}

/** The `final` (default) or `initial` weights of a saved network as flat float32 arrays. */
export function networkParams(net: LoadedNetwork, which: "final" | "initial" = "final"): RnnParams {
  try {
    return paramsFromRecord(net.record, which);
  } catch (e) {
    throw new InputError(`${net.file}: ${(e as Error).message}`);
  }
}

/** The task a saved network was trained on, rebuilt from `task.name` and `task.params`. */
export function networkTask(net: LoadedNetwork): Task {
  try {
    return createTask({ name: net.task.name, ...net.task.params } as TaskSpec);
  } catch (e) {
    throw new InputError(`${net.file}: task: ${e instanceof Error ? e.message : e}`);
  }
}

/** Hidden states `[B, T, H]` and outputs `[B, T, O]` of a network on `batch`. */
export function runForward(
  net: LoadedNetwork,
  batch: TaskBatch,
): { hidden: Float32Array; outputs: Float32Array; shape: RnnShape & { auxDim: number } } {
  const shape = networkShape(net);
  if (batch.inputDim !== shape.inputDim) {
    throw new InputError(
      `${net.file}: shape.inputDim (${shape.inputDim}) does not match the task's inputDim (${batch.inputDim})`,
    );
  }
  const { hidden, outputs } = runNetwork(networkParams(net), shape, batch);
  return { hidden, outputs, shape };
}

/**
 * Hidden-state trajectories of every network on one shared batch per task variant
 * (`task.sample(trials, seed, { ood })`), in the flat form the metrics accept.
 */
export function networkTrajectories(
  nets: LoadedNetwork[],
  options: { trials: number; seed: number; ood?: boolean },
): { data: Float32Array; trials: number; steps: number; units: number }[] {
  const batches = new Map<string, TaskBatch>();
  return nets.map((net) => {
    let batch = batches.get(net.task.id);
    if (!batch) {
      batch = networkTask(net).sample(options.trials, options.seed, { ood: options.ood ?? false });
      batches.set(net.task.id, batch);
    }
    const { hidden, shape } = runForward(net, batch);
    return { data: hidden, trials: batch.batch, steps: batch.steps, units: shape.hidden };
  });
}

/** CLI options shared by the scripts that measure hidden states. */
export const hiddenInputOptions = {
  hidden: { type: "string" },
  run: { type: "string" },
  trials: { type: "string" },
  seed: { type: "string" },
  "include-unconverged": { type: "boolean", default: false },
  "task-id": { type: "string" },
} as const;

/**
 * The systems to measure: `--hidden FILE` (user trajectories) or `--run DIR` (saved networks
 * run forward on `--trials` (default 100) trials of their task drawn with data seed `--seed`
 * (default 0), the same trials for every network of a task variant; `ood` samples the OOD
 * variant). Exactly one of the two.
 */
export async function loadSystems(
  a: {
    hidden?: string;
    run?: string;
    trials?: string;
    seed?: string;
    "include-unconverged"?: boolean;
    "task-id"?: string;
  },
  options: { ood?: boolean } = {},
): Promise<{
  ids: string[];
  systems: (number[][][] | { data: Float32Array; trials: number; steps: number; units: number })[];
  source: Record<string, unknown>;
  file: string;
  nets: LoadedNetwork[];
  population?: MetricFile["population"];
}> {
  if ((a.hidden === undefined) === (a.run === undefined)) {
    throw new InputError("give exactly one of --hidden FILE or --run DIR");
  }
  if (a.hidden !== undefined) {
    const { ids, systems } = await loadTrajectoriesFile(a.hidden);
    return { ids, systems, source: { hidden: a.hidden }, file: a.hidden, nets: [] };
  }
  const trials = integerOption(a.trials, "trials", 100, 1);
  const seed = numberOption(a.seed, "seed", 0, Number.isInteger, "an integer");
  const run = await loadRunDirectory(a.run!, {
    includeUnconverged: a["include-unconverged"],
    taskId: a["task-id"],
  });
  const systems = networkTrajectories(run.networks, { trials, seed, ood: options.ood });
  return {
    ids: run.networks.map((n) => n.id),
    systems,
    source: {
      run: a.run,
      forward: "tsKernel.forward on task.sample(trials, seed" +
        (options.ood ? ", { ood: true })" : ")"),
      trials,
      seed,
      excluded: run.excluded,
      skippedFiles: run.skippedFiles,
    },
    file: a.run!,
    nets: run.networks,
    population: run.population,
  };
}

/**
 * A system in the flat form the metric registry takes: nested trials × steps × units arrays
 * (user files) are flattened into float64, flat trajectories pass through. Throws on ragged input.
 */
export function asFlat(
  s: number[][][] | { data: Float32Array; trials: number; steps: number; units: number },
): FlatHidden {
  if (!Array.isArray(s)) return s;
  const trials = s.length, steps = s[0].length, units = s[0][0].length;
  const data = new Float64Array(trials * steps * units);
  for (let b = 0; b < trials; b++) {
    if (s[b].length !== steps) throw new Error(`trial ${b} must have ${steps} steps`);
    for (let t = 0; t < steps; t++) {
      if (s[b][t].length !== units) {
        throw new Error(`trial ${b} step ${t} must have ${units} units`);
      }
      data.set(s[b][t], (b * steps + t) * units);
    }
  }
  return { data, trials, steps, units };
}
