/**
 * From saved networks to hidden states: rebuilds a network's task from its record
 * (`createTask({ name, ...params })`), samples a shared evaluation batch and runs the network
 * forward with the reference TypeScript kernel (`tsKernel.forward` of rnn/kernels/ts.ts,
 * h_0 = 0). Used by the measure scripts that need trajectories (dimensionality,
 * attractorness, DSA, OOD MSE) when given `--run DIR`.
 *
 * @module
 */
import { tsKernel } from "../../rnn/kernels/ts.ts";
import type { RnnParams, RnnShape } from "../../rnn/types.ts";
import { createTask, type TaskSpec } from "../../tasks/factory.ts";
import type { Task, TaskBatch } from "../../tasks/types.ts";
import {
  InputError,
  integerOption,
  type LoadedNetwork,
  loadRunDirectory,
  loadTrajectoriesFile,
  matrixField,
  numberOption,
} from "./common.ts";

/** Sizes of a saved network (`outputDim` counts auxiliary rows, the last `auxDim`). */
export function networkShape(net: LoadedNetwork): RnnShape & { auxDim: number } {
  const s = net.record.shape as Record<string, unknown>;
  for (const k of ["inputDim", "hidden", "outputDim"]) {
    if (!Number.isInteger(s[k]) || (s[k] as number) < 1) {
      throw new InputError(`${net.file}: shape.${k} must be an integer ≥ 1, got ${String(s[k])}`);
    }
  }
  const auxDim = s.auxDim ?? 0;
  if (
    !Number.isInteger(auxDim) || (auxDim as number) < 0 ||
    (auxDim as number) >= (s.outputDim as number)
  ) {
    throw new InputError(
      `${net.file}: shape.auxDim must be an integer in [0, outputDim), got ${String(auxDim)}`,
    );
  }
  return {
    inputDim: s.inputDim as number,
    hidden: s.hidden as number,
    outputDim: s.outputDim as number,
    auxDim: auxDim as number,
  };
}

function vectorField(x: unknown, file: string, field: string, n: number): Float32Array {
  if (!Array.isArray(x) || x.length !== n) {
    throw new InputError(`${file}: ${field} must be an array of ${n} numbers`);
  }
  return Float32Array.from(x, (v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new InputError(`${file}: ${field}[${i}] must be a finite number, got ${v}`);
    }
    return v;
  });
}

function flatMatrix(
  x: unknown,
  file: string,
  field: string,
  rows: number,
  cols: number,
): Float32Array {
  const m = matrixField(x, file, field);
  if (m.length !== rows || m[0].length !== cols) {
    throw new InputError(
      `${file}: ${field} must be ${rows}×${cols}, got ${m.length}×${m[0].length}`,
    );
  }
  return Float32Array.from(m.flat());
}

/** The `final` (default) or `initial` weights of a saved network as flat float32 arrays. */
export function networkParams(net: LoadedNetwork, which: "final" | "initial" = "final"): RnnParams {
  const { inputDim: I, hidden: H, outputDim: O } = networkShape(net);
  const p = net.record[which] as Record<string, unknown>;
  if (p === null || typeof p !== "object") {
    throw new InputError(`${net.file}: ${which} must be an object`);
  }
  return {
    wx: flatMatrix(p.wx, net.file, `${which}.wx`, H, I),
    wh: flatMatrix(p.wh, net.file, `${which}.wh`, H, H),
    b: vectorField(p.b, net.file, `${which}.b`, H),
    wo: flatMatrix(p.wo, net.file, `${which}.wo`, O, H),
    bo: vectorField(p.bo, net.file, `${which}.bo`, O),
  };
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
  const params = networkParams(net);
  const hidden = new Float32Array(batch.batch * batch.steps * shape.hidden);
  const outputs = new Float32Array(batch.batch * batch.steps * shape.outputDim);
  tsKernel.forward(
    shape,
    params,
    { batch: batch.batch, steps: batch.steps, inputs: batch.inputs },
    {
      hidden,
      outputs,
    },
  );
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
  };
}
