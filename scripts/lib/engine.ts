/**
 * The one place the pipeline touches the task suite, the training engine and the metrics
 * (all through `mod.ts`), with the thin conversions between their array layouts. Pure
 * wrappers: no file I/O here.
 */
import * as M from "../../mod.ts";
import type { Task } from "../../tasks/types.ts";
import type {
  NetworkRecord,
  RnnParams,
  RnnShape,
  SerializedParams,
  TrainingConfig,
} from "../../rnn/types.ts";
import type { TaskSpec } from "./plan.ts";

/** Builds a task from its spec (`createTask` of the task suite). */
export function makeTask(spec: TaskSpec): Task {
  return M.createTask(spec as Parameters<typeof M.createTask>[0]);
}

/** Appendix A defaults of `task` with `overrides` applied on top. */
export function trainingConfig(
  task: Task,
  ...overrides: Partial<TrainingConfig>[]
): TrainingConfig {
  return Object.assign({}, M.defaultTrainingConfig(task), ...overrides);
}

/** Options of {@link trainMembers}. */
export interface TrainMembersOptions {
  /** Base seed of the population (member k's seeds: `memberSeeds(seed, k)`, rnn/seeds.ts). */
  seed: number;
  backend: string;
  quiet: boolean;
  /** Record id prefix, e.g. `flipflop/n3` (ids are `${prefix}/mNNN`). */
  idPrefix: string;
  /** Progress label. */
  label?: string;
  /** CPU workers (default one per core; 0 = in-process, the single-threaded path). */
  workers?: number;
}

/** Splits sorted member indices into runs of consecutive integers. */
export function contiguousRuns(members: number[]): number[][] {
  const runs: number[][] = [];
  for (const m of members) {
    const last = runs[runs.length - 1];
    if (last && last[last.length - 1] === m - 1) last.push(m);
    else runs.push([m]);
  }
  return runs;
}

/**
 * Trains the members with indices `members` of the population with base seed `seed`. Member
 * k's seeds depend only on `(seed, k)` and a member trains identically alone or inside a
 * population (engine contract), so training a subset gives the same networks as training the
 * whole population. Returns their records in the order of `members`.
 */
export async function trainMembers(
  task: Task,
  config: TrainingConfig,
  members: number[],
  options: TrainMembersOptions,
): Promise<NetworkRecord[]> {
  const out: NetworkRecord[] = [];
  for (const run of contiguousRuns(members)) {
    const recs = await M.trainPopulation(task, config, {
      seeds: run.map((k) => M.memberSeeds(options.seed, k, config.sharedData)),
      firstMember: run[0],
      backend: options.backend as "auto" | "cpu" | "webgpu",
      ...(options.workers !== undefined ? { workers: options.workers } : {}),
      idPrefix: options.idPrefix,
      onProgress: M.progressPrinter({ quiet: options.quiet, label: options.label }),
    });
    out.push(...recs);
  }
  return out;
}

/**
 * One epoch segment of the training of the consecutive members `members` (seeds as in
 * {@link trainMembers}): resumes from `resume` when given, stops after `stopAfterEpoch` when
 * given, and returns the engine's segment result (the checkpoint, and the records when training
 * is over).
 */
export async function trainMembersSegment(
  task: Task,
  config: TrainingConfig,
  members: number[],
  options: TrainMembersOptions & {
    resume?: M.TrainingCheckpoint;
    stopAfterEpoch?: number;
  },
): Promise<M.TrainSegmentResult> {
  const runs = contiguousRuns(members);
  if (runs.length !== 1) {
    throw new Error(`an epoch segment trains consecutive members, got ${members.join(", ")}`);
  }
  return await M.trainSegment(task, config, {
    seeds: members.map((k) => M.memberSeeds(options.seed, k, config.sharedData)),
    firstMember: members[0],
    backend: options.backend as "auto" | "cpu" | "webgpu",
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    idPrefix: options.idPrefix,
    onProgress: M.progressPrinter({ quiet: options.quiet, label: options.label }),
    ...(options.resume ? { resume: options.resume } : {}),
    ...(options.stopAfterEpoch !== undefined ? { stopAfterEpoch: options.stopAfterEpoch } : {}),
  });
}

/** `SerializedParams` (nested arrays) → flat `RnnParams`. */
export function toParams(s: SerializedParams): RnnParams {
  const flat = (rows: number[][]) => Float32Array.from(rows.flat());
  return {
    wx: flat(s.wx),
    wh: flat(s.wh),
    b: Float32Array.from(s.b),
    wo: flat(s.wo),
    bo: Float32Array.from(s.bo),
  };
}

/** Shape of a saved network. */
export function shapeOf(rec: NetworkRecord): RnnShape {
  return { inputDim: rec.shape.inputDim, hidden: rec.shape.hidden, outputDim: rec.shape.outputDim };
}

/**
 * Runs a saved network's final weights on `inputs` (`[B, T, I]`); returns hidden states
 * `[B, T, H]` and outputs `[B, T, O]` (O counts auxiliary rows when the network has them).
 */
export function forward(
  rec: NetworkRecord,
  batch: number,
  steps: number,
  inputs: Float32Array,
): { hidden: Float32Array; outputs: Float32Array } {
  const r = M.runNetwork(rec, null, { batch, steps, inputs });
  return { hidden: r.hidden, outputs: r.outputs };
}

/** Trajectories in flat form (trials × steps × units), as `dsaDistance` accepts them. */
export interface FlatTrajectories {
  data: Float32Array;
  trials: number;
  steps: number;
  units: number;
}

/** The first `keep` steps of each trial of `[B, T, H]` hidden states, flat. */
export function flatTrajectories(
  a: Float32Array,
  batch: number,
  steps: number,
  units: number,
  keep = steps,
): FlatTrajectories {
  const k = Math.min(keep, steps);
  if (k === steps) return { data: a, trials: batch, steps, units };
  const data = new Float32Array(batch * k * units);
  for (let b = 0; b < batch; b++) {
    data.set(a.subarray(b * steps * units, (b * steps + k) * units), b * k * units);
  }
  return { data, trials: batch, steps: k, units };
}

/** Destroys tfjs's WebGPU device when training used one; call before the process exits. */
export function releaseWebGpu(): Promise<void> {
  return M.releaseWebGpu();
}
