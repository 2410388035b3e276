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
  type LoadedNetwork,
  loadRunDirectory,
  loadTrajectoriesFile,
  type MetricFile,
  RUN_FLAGS,
} from "./common.ts";
import { f } from "../lib/cli.ts";

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

/** Flags of the scripts that measure hidden states (`--hidden FILE` or `--run DIR`). */
export const HIDDEN_INPUT_FLAGS = {
  hidden: f.path(
    "FILE",
    'user trajectories: { "ids"?, "trajectories": systems × trials × steps × units }',
  ),
  ...RUN_FLAGS,
  trials: f.int("N", "trials run forward per network (with --run)", {
    min: 1,
    max: 1_000_000,
    defaultText: "100",
  }),
  seed: f.int("S", "data seed of those trials (with --run)", { defaultText: "0" }),
};

/**
 * The systems to measure: `--hidden FILE` (user trajectories) or `--run DIR` (saved networks
 * run forward on `trials` (default 100) trials of their task drawn with data seed `seed`
 * (default 0), the same trials for every network of a task variant; `ood` samples the OOD
 * variant). Exactly one of the two (checked by the caller with `exactlyOne`).
 */
export async function loadSystems(
  a: {
    hidden?: string;
    run?: string;
    trials?: number;
    seed?: number;
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
  /** Digest of the networks measured (with `--run`). */
  networksDigest?: string;
}> {
  if (a.hidden !== undefined) {
    const { ids, systems } = await loadTrajectoriesFile(a.hidden);
    return { ids, systems, source: { hidden: a.hidden }, file: a.hidden, nets: [] };
  }
  const trials = a.trials ?? 100;
  const seed = a.seed ?? 0;
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
    networksDigest: run.networksDigest,
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
