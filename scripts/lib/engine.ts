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
import { dsaDistanceMatrixParallel } from "../../metrics/dsa/parallel.ts";
import type { DsaSettings } from "../presets.ts";
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
      idPrefix: options.idPrefix,
      onProgress: M.progressPrinter({ quiet: options.quiet, label: options.label }),
    });
    out.push(...recs);
  }
  return out;
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

/**
 * OOD mean squared error of a saved network (§3.2.3): `oodMse` of the metrics on `trials`
 * trials of the task's OOD variant (doubled delay for delayed discrimination, doubled trial
 * length otherwise), task outputs only, masked as the task's loss.
 */
export function oodMse(task: Task, rec: NetworkRecord, trials: number, seed: number): number {
  return M.oodMse(task, (batch) => {
    const r = M.runNetwork(rec, null, batch);
    return { outputs: r.outputs, outDim: rec.shape.outputDim };
  }, { trials, seed });
}

/** Task complexity in bits (§3.1), `taskComplexity` of the metrics. */
export function complexity(
  task: Task,
  trials: number,
  seed: number,
): { input: number; output: number; details: unknown } {
  const r = M.taskComplexity(task, { trials, seed });
  return { input: r.input, output: r.output, details: r };
}

/** PCs explaining `threshold` (0.95) of the variance of hidden states (§3.1, Fig. 2D). */
export function dimensionality(h: FlatTrajectories, threshold = 0.95): number {
  return M.dimensionality(h, { threshold });
}

/** Δh of Appendix B averaged over trials. */
export function attractorness(h: FlatTrajectories): number {
  return M.attractorness(h).mean;
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

/** Pairs from which the DSA matrix is computed on worker threads. */
export const PARALLEL_DSA_MIN_PAIRS = 16;

/**
 * Pairwise DSA matrix (Appendix C) over systems; with `workers`, on one worker per core when
 * there are at least `PARALLEL_DSA_MIN_PAIRS` pairs
 * (`dsaDistanceMatrixParallel`, identical results to `dsaDistanceMatrix`; the workers need
 * read access to `metrics/`); each system's DMD is fitted once. The rank
 * is capped at units × delays (the Hankel dimension). Returns the matrix and the metric's
 * self-checks (d(X,X), symmetry, restart spread).
 */
export async function dsaMatrix(
  systems: FlatTrajectories[],
  s: DsaSettings,
  seed: number,
  workers = false,
): Promise<{ matrix: number[][]; checks: Record<string, unknown>; rank: number }> {
  const units = Math.min(...systems.map((x) => x.units));
  const asked = Math.min(s.rank, units * s.delays);
  const pairs = systems.length * (systems.length - 1) / 2;
  // Worker start-up (module load per worker) costs seconds: small matrices run in-process.
  // On workers only when asked: a DSA failure inside `dsaDistanceMatrixParallel` can surface
  // as an unhandled rejection that ends the process, while the in-process call throws an
  // ordinary error the pipeline records and moves past.
  const run = (rank: number) => {
    const options = { ...s, rank, seed };
    return workers && pairs >= PARALLEL_DSA_MIN_PAIRS
      ? dsaDistanceMatrixParallel(systems, options)
      : Promise.resolve(M.dsaDistanceMatrix(systems, options));
  };
  // A population whose trials repeat exactly (e.g. sine with one training frequency) can have
  // a Hankel matrix of lower numerical rank than asked for; fitDmd refuses such a rank. Then
  // use the smallest numerical rank in the population (one rank for all, as the Procrustes
  // comparison needs) and record it.
  let rank = asked;
  let r: Awaited<ReturnType<typeof run>>;
  try {
    r = await run(rank);
  } catch (e) {
    if (!(e instanceof Error && e.message.includes("numerical rank"))) throw e;
    const embedding = { delays: s.delays, delayInterval: s.delayInterval };
    rank = Math.min(...systems.map((x) => M.hankelNumericalRank(x, embedding)));
    if (!(rank >= 1 && rank < asked)) throw e;
    r = await run(rank);
  }
  return {
    matrix: r.matrix,
    checks: { ...r.selfChecks, rankAsked: asked, rankCapped: rank < asked },
    rank,
  };
}

/** Normalised PIF distance (Appendix D) between two recurrent matrices. */
export function pif(w1: number[][], w2: number[][], restarts: number, seed: number) {
  return M.pifDistance(w1, w2, { restarts, seed });
}

/** ‖W_T − W_0‖_F / n² (§3.2.2). */
export function distanceFromInit(w0: number[][], wT: number[][]): number {
  return M.distanceFromInit(w0, wT).normalized;
}

/** σ/μ across networks (§3.2.3; population σ, as `coefficientOfVariation` defaults to). */
export function cv(values: number[]): number {
  return M.coefficientOfVariation(values);
}

/** Classical MDS of a distance matrix to 2-D. */
export function mds(d: number[][]): number[][] {
  return M.classicalMds(d, 2).coords;
}

/** Destroys tfjs's WebGPU device when training used one; call before the process exits. */
export function releaseWebGpu(): Promise<void> {
  return M.releaseWebGpu();
}
