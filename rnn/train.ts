/**
 * Population training loop (paper §2.1, Appendix A): K members, each with its own init seed
 * and data stream, trained step-synchronously on a `PopulationBackend`, with per-epoch test
 * loss on a fixed held-out batch, per-member learning-rate schedules, early stopping and
 * divergence handling. Returns one `NetworkRecord` per member.
 *
 * Per epoch e (1-based): `stepsPerEpoch` Adam steps, each on a fresh batch
 * `task.sample(batchSize, stepBatchSeed(dataSeed, s))` with s the 0-based global step; then
 * the test loss (task MSE only, auxiliary rows weighted 0) on the member's fixed batch
 * `task.sample(testBatchSize, testBatchSeed(dataSeed))`; then early stopping (test loss
 * < threshold for `patience` consecutive epochs → `converged`, frozen), then the scheduler
 * step (lr of the next epoch). A NaN/Inf training or test loss freezes the member as
 * `diverged` (its weights stay the last finite ones); members still training after
 * `maxEpochs` are `not_converged`. History per epoch: mean training loss over the epoch's
 * steps (task loss incl. the weighted auxiliary loss, without regulariser penalties), test
 * loss, and the learning rate used in that epoch.
 *
 * @module
 */
import type { Task } from "../tasks/types.ts";
import type {
  MemberStatus,
  NetworkRecord,
  OptimiserState,
  PopulationBackend,
  RnnParams,
  RnnShape,
  StepData,
  TrainingConfig,
} from "./types.ts";
import { initParams } from "./init.ts";
import { createScheduler, validateScheduler } from "./optim.ts";
import { stepDataFromBatch } from "./loss.ts";
import {
  type MemberSeeds,
  memberSeeds,
  stepBatchSeed,
  testBatchSeed,
  validateSeed,
} from "./seeds.ts";
import { type BackendChoice, createBackend, validateBackendChoice } from "./backends/select.ts";
import { handOver, hasWorkerSampling, type WorkerSampling } from "./backends/cpu.ts";
import { createTask, type TaskSpec } from "../tasks/factory.ts";
import type { KernelChoice } from "./kernels/select.ts";
import { NETWORK_SCHEMA, paramsToSerialized } from "./record.ts";
import { cloneParams } from "./params.ts";
import { CHECKPOINT_SCHEMA, type TrainingCheckpoint, validateCheckpoint } from "./checkpoint.ts";

/**
 * Checks a training configuration; throws naming the field and the allowed range.
 *
 * @example
 * ```ts
 * import { defaultTrainingConfig, validateTrainingConfig } from "@degeneracy/degeneracy";
 * try {
 *   validateTrainingConfig({ ...defaultTrainingConfig("sine"), lr: -1 });
 * } catch (e) {
 *   console.log((e as Error).message); // names config.lr and its range
 * }
 * ```
 */
export function validateTrainingConfig(c: TrainingConfig): void {
  if (c === null || typeof c !== "object") throw new Error("config must be an object");
  const int = (k: keyof TrainingConfig, lo: number, hi: number) => {
    const v = c[k] as number;
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new Error(`config.${k} must be an integer in [${lo}, ${hi}], got ${v}`);
    }
  };
  const nonneg = (k: keyof TrainingConfig) => {
    const v = c[k] as number;
    if (!(typeof v === "number" && v >= 0 && Number.isFinite(v))) {
      throw new Error(`config.${k} must be a finite number ≥ 0, got ${v}`);
    }
  };
  int("hidden", 1, 4096);
  int("maxEpochs", 1, 1e7);
  int("stepsPerEpoch", 1, 1e7);
  int("batchSize", 1, 1e6);
  int("testBatchSize", 1, 1e6);
  int("patience", 1, 1e7);
  if (!(c.lr > 0 && Number.isFinite(c.lr))) {
    throw new Error(`config.lr must be finite and > 0, got ${c.lr}`);
  }
  nonneg("earlyStopThreshold");
  nonneg("auxWeight");
  nonneg("l1");
  nonneg("nuclear");
  nonneg("gradClip");
  if (c.init !== "uniform" && c.init !== "orthogonal") {
    throw new Error(`config.init must be "uniform" or "orthogonal", got ${c.init}`);
  }
  if (typeof c.sharedData !== "boolean") {
    throw new Error(`config.sharedData must be a boolean, got ${c.sharedData}`);
  }
  validateScheduler(c.scheduler);
}

/**
 * Shape of the networks `config` trains on `task` (auxiliary readout rows when auxWeight > 0).
 *
 * @example
 * ```ts
 * import { createTask, defaultTrainingConfig, networkShape } from "@degeneracy/degeneracy";
 * const task = createTask({ name: "delayed_discrimination", n: 2 });
 * const shape = networkShape(task, defaultTrainingConfig(task, { auxWeight: 1 }));
 * if (shape.outputDim !== 4 || shape.auxDim !== 2) throw new Error("aux readout rows last");
 * ```
 */
export function networkShape(task: Task, config: TrainingConfig): RnnShape & { auxDim: number } {
  const auxDim = config.auxWeight > 0 ? task.auxDim : 0;
  if (config.auxWeight > 0 && task.auxDim < 1) {
    throw new Error(
      `config.auxWeight > 0 needs a task with auxiliary targets; ${task.id} has none`,
    );
  }
  return {
    inputDim: task.inputDim,
    hidden: config.hidden,
    outputDim: task.outputDim + auxDim,
    auxDim,
  };
}

/** Progress of a population after an epoch (what `onProgress` receives). */
export interface TrainProgress {
  /** Epochs finished (1-based). */
  epoch: number;
  /** Epoch limit. */
  maxEpochs: number;
  /** Population size K. */
  members: number;
  /** Members still training. */
  active: number;
  /** Members stopped early as converged. */
  converged: number;
  /** Members frozen as diverged. */
  diverged: number;
  /** Mean over members trained this epoch of their mean training loss. */
  meanTrainLoss: number;
  /** Mean test loss over members not diverged. */
  meanTestLoss: number;
  /** Seconds since training started. */
  elapsedSec: number;
  /** Upper bound on the remaining seconds: time per epoch so far × epochs left to maxEpochs. */
  etaSec: number;
  /** Backend name, e.g. `cpu-wasm-simd`. */
  backend: string;
}

/** Options of `trainPopulation`. */
export interface TrainPopulationOptions {
  /** Population size K (default 1; ignored when `seeds` is given). */
  members?: number;
  /** Base seed of the population (default 0); member seeds by `memberSeeds` (rnn/seeds.ts). */
  seed?: number;
  /** Explicit per-member seeds (overrides `members` and `seed`). */
  seeds?: MemberSeeds[];
  /** Member index of the first member in records and ids (default 0). */
  firstMember?: number;
  /** `"auto"` (default), `"cpu"` or `"webgpu"`. */
  backend?: BackendChoice | PopulationBackendFactory;
  /** CPU workers (default one per core; 0 = in-process). */
  workers?: number;
  /** CPU kernel (default `"auto"`). */
  kernel?: KernelChoice;
  /** Record id prefix (default `task.id`); ids are `${prefix}/m${member padded to 3}`. */
  idPrefix?: string;
  /**
   * Let CPU workers sample their members' training batches themselves (default true; used when
   * `createTask({ name, ...params })` rebuilds the task identically, else batches are sampled
   * here). Same data either way, so results do not depend on it.
   */
  sampleInWorkers?: boolean;
  /** Called after every epoch. */
  onProgress?: (p: TrainProgress) => void;
  /** Aborts training between steps; the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Continue from this checkpoint (from `trainSegment`) instead of starting fresh. It must come
   * from the same task, configuration, members and seeds, and the same backend; anything else
   * throws naming the field. Training then goes on exactly as if it had never stopped.
   */
  resume?: TrainingCheckpoint;
}

/** Options of `trainSegment`. */
export interface TrainSegmentOptions extends TrainPopulationOptions {
  /**
   * Stop after this epoch (1-based, > the resumed checkpoint's epoch; default: train to the
   * end). Training ends earlier when every member has stopped or at `maxEpochs`.
   */
  stopAfterEpoch?: number;
}

/**
 * What `trainSegment` returns: the checkpoint after the last epoch run, and the records when
 * training is over (every member stopped, or `maxEpochs` reached).
 */
export type TrainSegmentResult =
  | { done: true; checkpoint: TrainingCheckpoint; records: NetworkRecord[] }
  | { done: false; checkpoint: TrainingCheckpoint; records?: undefined };

/** Builds a backend for given initial parameters (lets callers inject their own backend). */
export type PopulationBackendFactory = (
  shape: RnnShape,
  initial: RnnParams[],
  config: TrainingConfig,
) => Promise<PopulationBackend>;

/** Per-member bookkeeping of a run. */
interface MemberRun {
  seeds: MemberSeeds;
  initial: RnnParams;
  status: MemberStatus | "training";
  stopEpoch: number;
  below: number;
  trainLoss: number[];
  testLoss: number[];
  lr: number[];
}

/** Everything `toRecord` needs to write one member. */
export interface RecordInput {
  /** The task variant trained on. */
  task: Pick<Task, "name" | "id" | "params">;
  /** Training configuration. */
  config: TrainingConfig;
  /** Unique id of the network. */
  id: string;
  /** Member index within its population. */
  member: number;
  /** Init and data seed. */
  seeds: MemberSeeds;
  /** Sizes, with the auxiliary readout rows counted in `outputDim`. */
  shape: RnnShape & { auxDim: number };
  /** Weights at initialisation. */
  initial: RnnParams;
  /** Weights at the end of training. */
  final: RnnParams;
  /** Per-epoch losses and learning rate. */
  history: { trainLoss: number[]; testLoss: number[]; lr: number[] };
  /** Epochs run. */
  stopEpoch: number;
  /** Outcome. */
  status: MemberStatus;
  /** Backend that trained it. */
  backend: string;
  /** Where the training batches were sampled. */
  dataSampling: "workers" | "main";
  /** Training wall time of the population, seconds. */
  wallTimeSec: number;
}

/**
 * A `degeneracy.network/1` record of one trained member (weights copied to JSON arrays).
 *
 * @example
 * ```ts
 * import {
 *   createTask,
 *   defaultTrainingConfig,
 *   initParams,
 *   networkShape,
 *   toRecord,
 * } from "@degeneracy/degeneracy";
 * const task = createTask({ name: "flipflop", n: 1 });
 * const config = defaultTrainingConfig(task, { hidden: 4 });
 * const shape = networkShape(task, config);
 * const weights = initParams(shape, 1);
 * const record = toRecord({
 *   task,
 *   config,
 *   id: "demo/m000",
 *   member: 0,
 *   seeds: { initSeed: 1, dataSeed: 2 },
 *   shape,
 *   initial: weights,
 *   final: weights,
 *   history: { trainLoss: [], testLoss: [], lr: [] },
 *   stopEpoch: 0,
 *   status: "not_converged",
 *   backend: "none",
 *   dataSampling: "main",
 *   wallTimeSec: 0,
 * });
 * if (record.schema !== "degeneracy.network/1") throw new Error("schema");
 * ```
 */
export function toRecord(r: RecordInput): NetworkRecord {
  return {
    schema: NETWORK_SCHEMA,
    id: r.id,
    task: { name: r.task.name, id: r.task.id, params: { ...r.task.params } },
    config: structuredClone(r.config),
    member: r.member,
    initSeed: r.seeds.initSeed,
    dataSeed: r.seeds.dataSeed,
    shape: { ...r.shape },
    initial: paramsToSerialized(r.shape, r.initial),
    final: paramsToSerialized(r.shape, r.final),
    history: {
      trainLoss: [...r.history.trainLoss],
      testLoss: [...r.history.testLoss],
      lr: [...r.history.lr],
    },
    stopEpoch: r.stopEpoch,
    status: r.status,
    backend: r.backend,
    dataSampling: r.dataSampling,
    wallTimeSec: r.wallTimeSec,
  };
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("training aborted", "AbortError");
}

/**
 * Trains a population on `task` with `config` (module doc for the schedule of one epoch) and
 * returns one record per member, in member order. The backend is disposed before returning.
 * With `resume`, training continues from a checkpoint (see `trainSegment`).
 *
 * @example A tiny population
 * ```ts
 * import { createTask, defaultTrainingConfig, trainPopulation } from "@degeneracy/degeneracy";
 * const task = createTask({ name: "flipflop", n: 1, steps: 20 });
 * const config = defaultTrainingConfig(task, { hidden: 8, maxEpochs: 2, stepsPerEpoch: 3 });
 * const records = await trainPopulation(task, config, { members: 2, seed: 0, workers: 0 });
 * console.log(records.map((r) => `${r.id} ${r.status} test ${r.history.testLoss.at(-1)}`));
 * ```
 */
export async function trainPopulation(
  task: Task,
  config: TrainingConfig,
  options: TrainPopulationOptions = {},
): Promise<NetworkRecord[]> {
  const out = await runTraining(task, config, options, undefined, false);
  return out.records as NetworkRecord[];
}

/**
 * Trains a population like `trainPopulation`, but stops after epoch `stopAfterEpoch` and
 * returns a checkpoint of the whole training state (`rnn/checkpoint.ts`); `resume` continues
 * from one. Training E epochs straight and training E₁ epochs, saving the checkpoint
 * (`checkpointToBytes`) and resuming for the rest gives bit-identical weights and histories on
 * the same backend. The backend needs `exportOptimiserState` / `importOptimiserState` (the CPU
 * and WebGPU backends have them). Resuming a checkpoint in which no member is still training
 * starts no backend and returns the records at once.
 *
 * @example Two segments equal one run
 * ```ts
 * import {
 *   checkpointFromBytes,
 *   checkpointToBytes,
 *   createTask,
 *   defaultTrainingConfig,
 *   trainPopulation,
 *   trainSegment,
 * } from "@degeneracy/degeneracy";
 * const task = createTask({ name: "flipflop", n: 1, steps: 10 });
 * const config = defaultTrainingConfig(task, { hidden: 4, maxEpochs: 3, stepsPerEpoch: 2 });
 * const opts = { members: 2, seed: 1, workers: 0 };
 * const straight = await trainPopulation(task, config, opts);
 * const first = await trainSegment(task, config, { ...opts, stopAfterEpoch: 1 });
 * const saved = checkpointFromBytes(checkpointToBytes(first.checkpoint));
 * const rest = await trainSegment(task, config, { ...opts, resume: saved });
 * if (!rest.done || rest.records[1].final.wh[0][0] !== straight[1].final.wh[0][0]) {
 *   throw new Error("not bit-identical");
 * }
 * ```
 */
export async function trainSegment(
  task: Task,
  config: TrainingConfig,
  options: TrainSegmentOptions = {},
): Promise<TrainSegmentResult> {
  const stop = options.stopAfterEpoch;
  if (stop !== undefined) {
    const from = options.resume?.epoch ?? 0;
    if (!Number.isInteger(stop) || stop <= from) {
      throw new Error(
        `stopAfterEpoch must be an integer > ${from} (${
          options.resume ? "the checkpoint's epoch" : "0"
        }), got ${stop}`,
      );
    }
  }
  const out = await runTraining(task, config, options, stop, true);
  const checkpoint = out.checkpoint as TrainingCheckpoint;
  return out.records
    ? { done: true, checkpoint, records: out.records }
    : { done: false, checkpoint };
}

/**
 * Checks that `cp` continues this run; throws naming the first field that differs.
 */
function checkResume(
  cp: TrainingCheckpoint,
  task: Task,
  config: TrainingConfig,
  shape: RnnShape & { auxDim: number },
  seeds: MemberSeeds[],
  first: number,
): void {
  validateCheckpoint(cp);
  if (cp.task.id !== task.id) {
    throw new Error(`checkpoint.task.id is ${cp.task.id}, but this run trains ${task.id}`);
  }
  const keys = new Set([...Object.keys(config), ...Object.keys(cp.config)]);
  for (const key of keys) {
    const want = stableJson((config as unknown as Record<string, unknown>)[key]);
    const got = stableJson((cp.config as unknown as Record<string, unknown>)[key]);
    if (want !== got) {
      throw new Error(`checkpoint.config.${key} is ${got}, but this run has ${want}`);
    }
  }
  for (const key of ["inputDim", "hidden", "outputDim", "auxDim"] as const) {
    if (cp.shape[key] !== shape[key]) {
      throw new Error(
        `checkpoint.shape.${key} is ${cp.shape[key]}, but this run has ${shape[key]}`,
      );
    }
  }
  if (cp.epoch > config.maxEpochs) {
    throw new Error(`checkpoint.epoch is ${cp.epoch}, beyond config.maxEpochs ${config.maxEpochs}`);
  }
  if (cp.members.length !== seeds.length) {
    throw new Error(
      `checkpoint.members has ${cp.members.length} members, but this run trains ${seeds.length}`,
    );
  }
  cp.members.forEach((m, k) => {
    if (m.member !== first + k) {
      throw new Error(
        `checkpoint.members[${k}].member is ${m.member}, but this run's member ${k} is ${
          first + k
        }`,
      );
    }
    for (const key of ["initSeed", "dataSeed"] as const) {
      if (m.seeds[key] !== seeds[k][key]) {
        throw new Error(
          `checkpoint.members[${k}].seeds.${key} is ${m.seeds[key]}, but this run has ${
            seeds[k][key]
          }`,
        );
      }
    }
  });
}

/** JSON with object keys sorted (configurations compare independently of key order). */
function stableJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(stableJson).join(",")}]`;
  if (x !== null && typeof x === "object") {
    const o = x as Record<string, unknown>;
    return `{${
      Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(",")
    }}`;
  }
  return JSON.stringify(x) ?? "undefined";
}

/** The engine behind `trainPopulation` and `trainSegment`. */
async function runTraining(
  task: Task,
  config: TrainingConfig,
  options: TrainPopulationOptions,
  stopAfterEpoch: number | undefined,
  wantCheckpoint: boolean,
): Promise<{ records: NetworkRecord[] | null; checkpoint: TrainingCheckpoint | null }> {
  validateTrainingConfig(config);
  const shape = networkShape(task, config);
  const seeds = resolveSeeds(config, options);
  const K = seeds.length;
  const first = options.firstMember ?? 0;
  if (!Number.isInteger(first) || first < 0) {
    throw new Error(`firstMember must be an integer ≥ 0, got ${first}`);
  }
  const resume = options.resume;
  if (resume !== undefined) checkResume(resume, task, config, shape, seeds, first);
  const startEpoch = resume?.epoch ?? 0;
  const lastEpoch = Math.min(config.maxEpochs, stopAfterEpoch ?? config.maxEpochs);
  const kernelShape: RnnShape = {
    inputDim: shape.inputDim,
    hidden: shape.hidden,
    outputDim: shape.outputDim,
  };
  const auxRows = shape.auxDim > 0;
  const makeData = (seed: number, batch: number, weight: number): StepData =>
    stepDataFromBatch(task.sample(batch, seed), weight, auxRows);
  // Training batches are fresh per step: the backend may take their buffers (zero copy).
  const makeStepData = (seed: number): StepData =>
    handOver(makeData(seed, config.batchSize, config.auxWeight));

  const runs: MemberRun[] = seeds.map((s, k) => {
    const saved = resume?.members[k];
    return {
      seeds: s,
      initial: initParams(kernelShape, s.initSeed, config.init),
      status: saved?.status ?? "training",
      stopEpoch: saved?.stopEpoch ?? 0,
      below: saved?.below ?? 0,
      trainLoss: [...(saved?.history.trainLoss ?? [])],
      testLoss: [...(saved?.history.testLoss ?? [])],
      lr: [...(saved?.history.lr ?? [])],
    };
  });
  const schedulers = runs.map((_, k) => {
    const s = createScheduler(config.scheduler, config.lr);
    const saved = resume?.members[k];
    if (saved) {
      try {
        s.setState(saved.scheduler);
      } catch (e) {
        throw new Error(`checkpoint.members[${k}].${(e as Error).message}`);
      }
    }
    return s;
  });
  const active = runs.map((r) => r.status === "training");
  const signal = options.signal;
  if (signal?.aborted) throw abortError(signal);

  const finish = (
    backendName: string,
    finals: RnnParams[],
    optimiser: OptimiserState[] | null,
    epochsRun: number,
    done: boolean,
    wallTimeSec: number,
    dataSampling: "workers" | "main",
  ) => {
    const checkpoint: TrainingCheckpoint | null = optimiser === null ? null : {
      schema: CHECKPOINT_SCHEMA,
      task: { name: task.name, id: task.id, params: { ...task.params } },
      config: structuredClone(config),
      shape: { ...shape },
      epoch: epochsRun,
      backend: backendName,
      wallTimeSec,
      members: runs.map((r, k) => ({
        member: first + k,
        seeds: { ...r.seeds },
        status: r.status,
        stopEpoch: r.stopEpoch,
        below: r.below,
        history: { trainLoss: [...r.trainLoss], testLoss: [...r.testLoss], lr: [...r.lr] },
        scheduler: schedulers[k].getState(),
        params: finals[k],
        optimiser: optimiser[k],
      })),
    };
    const records = !done ? null : runs.map((r, k) => {
      const status: MemberStatus = r.status === "training" ? "not_converged" : r.status;
      const member = first + k;
      return toRecord({
        task,
        config,
        id: `${options.idPrefix ?? task.id}/m${String(member).padStart(3, "0")}`,
        member,
        seeds: r.seeds,
        shape,
        initial: r.initial,
        final: finals[k],
        history: { trainLoss: r.trainLoss, testLoss: r.testLoss, lr: r.lr },
        stopEpoch: r.status === "training" ? epochsRun : r.stopEpoch,
        status,
        backend: backendName,
        dataSampling,
        wallTimeSec,
      });
    });
    return { records, checkpoint };
  };

  // Nothing left to train (every member stopped in an earlier segment): no backend needed.
  if (resume && (!active.some((a) => a) || startEpoch >= config.maxEpochs)) {
    return finish(
      resume.backend,
      resume.members.map((m) => cloneParams(m.params)),
      wantCheckpoint
        ? resume.members.map((m) => ({
          m: m.optimiser.m.slice(),
          v: m.optimiser.v.slice(),
          t: m.optimiser.t,
        }))
        : null,
      startEpoch,
      true,
      resume.wallTimeSec,
      "main",
    );
  }

  const testData = runs.map((r) =>
    makeData(testBatchSeed(r.seeds.dataSeed), config.testBatchSize, 0)
  );
  const choice = options.backend ?? "auto";
  if (typeof choice === "string") validateBackendChoice(choice);
  const t0 = performance.now();
  const startParams = resume ? resume.members.map((m) => m.params) : runs.map((r) => r.initial);
  const backend = typeof choice === "function"
    ? await choice(kernelShape, startParams, config)
    : await createBackend(choice, {
      shape: kernelShape,
      initial: startParams,
      regularisers: { l1: config.l1, nuclear: config.nuclear, gradClip: config.gradClip },
      workers: options.workers,
      kernel: options.kernel,
    });
  try {
    if ((resume || wantCheckpoint) && !canCheckpoint(backend)) {
      throw new Error(
        `backend ${backend.name} cannot ${
          resume ? "resume from" : "write"
        } a checkpoint: it lacks exportOptimiserState / importOptimiserState`,
      );
    }
    if (resume) {
      if (resume.backend !== backend.name) {
        throw new Error(
          `checkpoint.backend is ${resume.backend}, but this run's backend is ${backend.name}; ` +
            "resume on the backend (and CPU kernel) that wrote the checkpoint",
        );
      }
      await (backend.importOptimiserState as (s: OptimiserState[]) => Promise<void>).call(
        backend,
        resume.members.map((m) => m.optimiser),
      );
    }
    const wantsWorkerSampling = options.sampleInWorkers !== false &&
      hasWorkerSampling(backend) && rebuildsIdentically(task);
    const seeded = wantsWorkerSampling &&
      await (backend as PopulationBackend & WorkerSampling).enableWorkerSampling({
        task: { name: task.name, id: task.id, params: { ...task.params } },
        batchSize: config.batchSize,
        auxWeight: config.auxWeight,
        auxRows,
      });
    if (wantsWorkerSampling && !seeded) {
      console.warn(
        "degeneracy: the CPU workers cannot load the task modules (grant read access to tasks/ and metrics/); " +
          "sampling training batches on the main thread instead",
      );
    }
    let epochsRun = startEpoch;
    for (let epoch = startEpoch + 1; epoch <= lastEpoch && active.some((a) => a); epoch++) {
      const lrs = Float64Array.from(schedulers, (s) => s.lr);
      const trainedThisEpoch = [...active];
      const sums = new Float64Array(K);
      const counts = new Float64Array(K);
      const sample = (s: number): StepData[] => {
        const global = (epoch - 1) * config.stepsPerEpoch + s;
        if (config.sharedData) {
          const d = makeStepData(stepBatchSeed(runs[0].seeds.dataSeed, global));
          return runs.map(() => d);
        }
        let filler: StepData | null = null;
        const out: (StepData | null)[] = runs.map((r, k) => {
          if (!active[k]) return null;
          const d = makeStepData(stepBatchSeed(r.seeds.dataSeed, global));
          filler ??= d;
          return d;
        });
        // Inactive members get another member's data (ignored, but keeps every slot well-formed).
        return out.map((d) => d ?? (filler as StepData));
      };
      let next = seeded ? null : sample(0);
      for (let s = 0; s < config.stepsPerEpoch; s++) {
        if (signal?.aborted) throw abortError(signal);
        if (!active.some((a) => a)) break;
        let losses: Float64Array;
        if (seeded) {
          const global = (epoch - 1) * config.stepsPerEpoch + s;
          const seeds = runs.map((r) =>
            stepBatchSeed(config.sharedData ? runs[0].seeds.dataSeed : r.seeds.dataSeed, global)
          );
          losses = await (backend as PopulationBackend & WorkerSampling).stepSeeded(
            seeds,
            lrs,
            [...active],
          );
        } else {
          const pending = backend.step(next as StepData[], lrs, [...active]);
          // Sample the next batch while the workers compute this one.
          if (s + 1 < config.stepsPerEpoch) next = sample(s + 1);
          losses = await pending;
        }
        for (let k = 0; k < K; k++) {
          if (!active[k]) continue;
          sums[k] += losses[k];
          counts[k] += 1;
          if (!Number.isFinite(losses[k])) {
            active[k] = false;
            runs[k].status = "diverged";
            runs[k].stopEpoch = epoch;
          }
        }
      }
      // Only members still training need a test loss; backends that take the optional mask
      // (the CPU backend) skip the others, the rest evaluate everyone.
      const test = await (backend.evaluate as (
        d: StepData[],
        only?: boolean[],
      ) => Promise<Float64Array>).call(backend, testData, [...active]);
      epochsRun = epoch;
      for (let k = 0; k < K; k++) {
        if (!trainedThisEpoch[k]) continue;
        const r = runs[k];
        r.trainLoss.push(sums[k] / counts[k]);
        r.lr.push(lrs[k]);
        if (r.status === "diverged") {
          r.testLoss.push(NaN);
          continue;
        }
        r.testLoss.push(test[k]);
        if (!Number.isFinite(test[k])) {
          active[k] = false;
          r.status = "diverged";
          r.stopEpoch = epoch;
          continue;
        }
        r.below = test[k] < config.earlyStopThreshold ? r.below + 1 : 0;
        if (r.below >= config.patience) {
          active[k] = false;
          r.status = "converged";
          r.stopEpoch = epoch;
          continue;
        }
        schedulers[k].step(test[k]);
      }
      if (options.onProgress) {
        const elapsedSec = (performance.now() - t0) / 1000;
        const trained = runs.filter((_, k) => trainedThisEpoch[k]);
        const finiteTest = runs.map((r) => r.testLoss.at(-1) ?? NaN).filter((_, k) =>
          runs[k].status !== "diverged"
        );
        options.onProgress({
          epoch,
          maxEpochs: config.maxEpochs,
          members: K,
          active: active.filter((a) => a).length,
          converged: runs.filter((r) => r.status === "converged").length,
          diverged: runs.filter((r) => r.status === "diverged").length,
          meanTrainLoss: mean(trained.map((r) => r.trainLoss.at(-1) as number)),
          meanTestLoss: mean(finiteTest),
          elapsedSec,
          etaSec: active.some((a) => a)
            ? elapsedSec / (epoch - startEpoch) * (config.maxEpochs - epoch)
            : 0,
          backend: backend.name,
        });
      }
    }
    const finals = await backend.getParams();
    const done = !active.some((a) => a) || epochsRun >= config.maxEpochs;
    const optimiser = wantCheckpoint
      ? await (backend.exportOptimiserState as () => Promise<OptimiserState[]>).call(backend)
      : null;
    const wallTimeSec = (resume?.wallTimeSec ?? 0) + (performance.now() - t0) / 1000;
    return finish(
      backend.name,
      finals,
      optimiser,
      epochsRun,
      done,
      wallTimeSec,
      seeded ? "workers" : "main",
    );
  } finally {
    await backend.dispose();
  }
}

function canCheckpoint(b: PopulationBackend): boolean {
  return typeof b.exportOptimiserState === "function" &&
    typeof b.importOptimiserState === "function";
}

/**
 * Whether `createTask({ name, ...params })` rebuilds `task` (same id, same bytes for a probe
 * sample), so a worker can generate its data.
 *
 * @example
 * ```ts
 * import { createTask, rebuildsIdentically } from "@degeneracy/degeneracy";
 * if (!rebuildsIdentically(createTask({ name: "sine", nFreq: 3 }))) throw new Error("rebuild");
 * ```
 */
export function rebuildsIdentically(task: Task): boolean {
  try {
    const copy = createTask({ ...task.params, name: task.name } as TaskSpec);
    if (copy.id !== task.id) return false;
    const a = task.sample(2, 424242), b = copy.sample(2, 424242);
    const same = (x: Float32Array | null | undefined, y: Float32Array | null | undefined) =>
      (x == null && y == null) ||
      (x != null && y != null && x.length === y.length && x.every((v, i) => Object.is(v, y[i])));
    return a.steps === b.steps && same(a.inputs, b.inputs) && same(a.targets, b.targets) &&
      same(a.mask, b.mask) && same(a.aux?.targets, b.aux?.targets) &&
      same(a.aux?.mask, b.aux?.mask);
  } catch {
    return false;
  }
}

function mean(xs: number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

function resolveSeeds(config: TrainingConfig, options: TrainPopulationOptions): MemberSeeds[] {
  if (options.seeds !== undefined) {
    if (!Array.isArray(options.seeds) || options.seeds.length < 1) {
      throw new Error("seeds must be a non-empty array of { initSeed, dataSeed }");
    }
    options.seeds.forEach((s, k) => {
      validateSeed(`seeds[${k}].initSeed`, s?.initSeed);
      validateSeed(`seeds[${k}].dataSeed`, s?.dataSeed);
    });
    return options.seeds.map((s) => ({ initSeed: s.initSeed, dataSeed: s.dataSeed }));
  }
  const K = options.members ?? 1;
  if (!Number.isInteger(K) || K < 1 || K > 100_000) {
    throw new Error(`members must be an integer in [1, 100000], got ${K}`);
  }
  const base = options.seed ?? 0;
  validateSeed("seed", base);
  const first = options.firstMember ?? 0;
  return Array.from({ length: K }, (_, k) => memberSeeds(base, first + k, config.sharedData));
}
