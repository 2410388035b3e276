/**
 * The cost model of the work units: core-seconds and peak memory of each unit from its sizes
 * (hidden units, trials, steps, delays, rank, restarts …) and a few machine rates. The rates
 * come from a short calibration on the machine that plans (`calibrate`, about 5–10 s, cached in
 * a JSON file) or, for sizing units (which must not depend on the machine, so unit ids stay
 * stable), from the fixed {@link NOMINAL_RATES}.
 *
 * What each estimate counts (one core, the single-threaded path):
 * - train: every epoch up to `maxEpochs` (early stopping only makes it shorter, so this is an
 *   upper bound), `stepsPerEpoch` steps of batch·T·(H² + H·(I + O)) multiply-adds, ×3 for the
 *   backward pass, plus the test batch per epoch.
 * - hidden: the evaluation and OOD forward passes and a PCA of the hidden states.
 * - fit: the lagged Gram matrix (2·K·T·n²·d flops), the symmetric eigen-decomposition of the
 *   m×m Gram matrix (4/3·m³) and the leading eigenvectors (6·r·m²), m = n·d.
 * - DSA pair: the Procrustes optimiser, iterations × seconds per iteration. Below rank
 *   `MIXED_PRECISION_MIN` (128) an iteration costs a·r³ + b·r² (float64 products) and a pair
 *   takes the iterations a calibration pair took in its size regime (r ≤ 32, ≤ 64, larger);
 *   from rank 128 an iteration costs a₃₂·r³ + b·r² (float32 correction products and the
 *   blocked Cayley inverse, timed at rank 256) and a pair is costed at the optimiser's whole
 *   budget (`procrustesBudget`, an upper bound): at ranks 500 and 1000 the loss still falls
 *   after 100 iterations (docs/performance.md), so the budget, not convergence, ends a run.
 * - PIF pair: (restarts + 3) alternating-assignment starts of c·n³ each.
 * - fixed points: per resting input a nominal 2000·H³ + 1e9 flops (×4 where continua are
 *   traced), at the fit's rate.
 *
 * @module
 */
import { createTask, initParams, runNetwork, trainPopulation } from "../../../mod.ts";
import type { TrainingConfig } from "../../../rnn/types.ts";
import { fitDmd, prepareOperator, procrustesDistance } from "../../../metrics/dsa/mod.ts";
import {
  maxProcrustesIterations,
  MIXED_PRECISION_MIN,
  procrustesDefaults,
  SMART_STARTS,
} from "../../../metrics/dsa/procrustes.ts";
import { pifDistance } from "../../../metrics/pif/mod.ts";
import { makeRng } from "../../../metrics/rng.ts";
import { readDone, writeBytesAtomic, writeJsonAtomic } from "../io.ts";
import { trainingConfig } from "../engine.ts";

/** Machine rates of the cost model (per core). */
export interface CostRates {
  /** Training multiply-adds per second (forward + backward counted as 3× the forward). */
  trainMacPerSec: number;
  /** Forward-pass multiply-adds per second (reference kernel, evaluation). */
  forwardMacPerSec: number;
  /** Flops per second of the DMD fit (Gram matrix + eigen-decomposition). */
  fitFlopsPerSec: number;
  /** Seconds per Procrustes iteration below rank 128 (float64 products): a·r³ + b·r². */
  procrustesA: number;
  procrustesB: number;
  /**
   * Seconds per Procrustes iteration per r³ from rank 128 (mixed precision: float32 correction
   * products and the blocked Cayley inverse); an iteration costs procrustesMixedA·r³ + b·r².
   */
  procrustesMixedA: number;
  /** Procrustes iterations per pair (all starts) by size regime: r ≤ 32, ≤ 64, larger. */
  procrustesIterations: { small: number; medium: number; large: number };
  /** Seconds per PIF start per n³. */
  pifSecPerStartN3: number;
  /** Fixed seconds per unit (process start, module load, reading inputs). */
  unitOverheadSec: number;
  /** Seconds per output file written durably (temp file, fsync, rename). */
  writeSecPerFile: number;
}

/**
 * Fixed rates for sizing units (pairs per block, members per training unit), so that unit ids do
 * not depend on where the plan is made; the core-hours a plan prints come from the calibrated
 * rates (or these with `--nominal`). Rounded from the quiet-machine benchmarks of
 * docs/performance.md (one core of the 2-core development machine, Deno 2.9.6, WASM SIMD
 * kernels): training 21–23 GFLOP/s ≈ 1e10 multiply-adds/s (8e9 here, for sampling and test
 * batches), DSA products 8–10 GFLOP/s, Procrustes 0.256 s per float64 L-BFGS iteration at
 * rank 500 (≈ 2e-9 · r³), and 1e-9 · r³ per mixed-precision iteration from rank 128 (0.74 s per
 * iteration at rank 1000 in the loaded profile of docs/performance.md, 1.2–1.5e-9 · r³ measured at
 * ranks 256–1000 with the pipeline running on both cores).
 */
export const NOMINAL_RATES: CostRates = {
  trainMacPerSec: 8e9,
  forwardMacPerSec: 5e8,
  fitFlopsPerSec: 4e9,
  procrustesA: 2e-9,
  procrustesB: 5e-8,
  procrustesMixedA: 1e-9,
  procrustesIterations: { small: 600, medium: 900, large: 900 },
  pifSecPerStartN3: 2e-7,
  unitOverheadSec: 1.5,
  writeSecPerFile: 0.02,
};

/** Sizes of one population that the estimates need. */
export interface VariantSizes {
  hidden: number;
  inputDim: number;
  /** Readout rows (task outputs + auxiliary). */
  outputDim: number;
  steps: number;
  /** Steps of an OOD trial. */
  oodSteps: number;
  config: TrainingConfig;
  evalTrials: number;
  oodTrials: number;
  /** Steps per trial fed to DSA. */
  dsaSteps: number;
  delays: number;
  delayInterval: number;
  /** DSA rank (capped at hidden·delays). */
  rank: number;
  dsaRestarts: number;
  pifRestarts: number;
  /** PIF also of each pair's initial matrices (doubles a PIF pair's cost). */
  pifInit?: boolean;
  /** Trials of the learning batch (a forward pass per network). */
  learnTrials?: number;
  complexityTrials: number;
}

/** A unit's estimate: core-seconds and peak resident memory (MB). */
export interface UnitCost {
  coreSeconds: number;
  memoryMB: number;
}

const BASE_MB = 120;
/** Start-up plus durable writes of `files` outputs. */
const fixed = (r: CostRates, files: number) => r.unitOverheadSec + files * (r.writeSecPerFile ?? 0);
const mb = (bytes: number) => bytes / 1e6;

/**
 * Training of `members` networks of a population for `epochs` epochs (default `maxEpochs`; an
 * upper bound: every epoch runs).
 */
export function trainCost(
  v: VariantSizes,
  members: number,
  r: CostRates,
  epochs: number = v.config.maxEpochs,
): UnitCost {
  const c = v.config, H = c.hidden;
  const perTrial = v.steps * (H * H + H * (v.inputDim + v.outputDim));
  const perEpoch = c.stepsPerEpoch * 3 * c.batchSize * perTrial + c.testBatchSize * perTrial;
  // nuclear-norm subgradient: an H×H SVD per step (float64, ~20 H³ flops at a quarter of the
  // fit's rate)
  const svd = c.nuclear > 0 ? (c.stepsPerEpoch * 20 * H ** 3) / (r.fitFlopsPerSec / 4) : 0;
  const perMember = epochs * (perEpoch / r.trainMacPerSec + svd);
  const params = H * (v.inputDim + H + 1) + v.outputDim * (H + 1);
  const memory = BASE_MB + mb(members * params * 4 * 8) +
    mb((c.batchSize + c.testBatchSize) * v.steps * (H + v.inputDim + v.outputDim) * 4 * 4);
  return { coreSeconds: fixed(r, members) + members * perMember, memoryMB: memory };
}

/** Evaluation trajectories, per-network metrics (PCA, Δh, OOD) of one network. */
export function hiddenCost(v: VariantSizes, r: CostRates): UnitCost {
  const H = v.hidden, io = H * H + H * (v.inputDim + v.outputDim);
  const fwd = (v.evalTrials * v.steps + v.oodTrials * v.oodSteps + (v.learnTrials ?? 0) * v.steps) *
    io;
  const pca = 2 * v.evalTrials * v.steps * H * H + 10 * H ** 3;
  const memory = BASE_MB + mb(v.evalTrials * v.steps * H * 4 * 4) +
    mb(v.oodTrials * v.oodSteps * (H + v.outputDim + v.inputDim) * 4 * 2);
  return {
    coreSeconds: fixed(r, 2) + fwd / r.forwardMacPerSec + pca / r.fitFlopsPerSec,
    memoryMB: memory,
  };
}

/**
 * Nominal flop count of one fixed-point search of an H-unit network (`findFixedPoints` with the
 * pipeline's settings): 2000·H³ + 1e9 (the L-BFGS starts, Newton refinements and eigenvalue
 * problems), ×4 for the task families whose networks hold line or plane attractors (delayed
 * discrimination, path integration), where continuation along the continua dominates. At the
 * nominal fit rate this is ≈ 1.3 s for a 128-unit flip-flop network and ≈ 1.5 s for a 64-unit
 * delayed-discrimination network (measured: ≈ 1 s and ≈ 1.5–1.8 s of CPU, docs/fixed_points.md).
 */
export function fixedPointFlops(hidden: number, family: string): number {
  const continua = family === "delayed_discrimination" || family === "path_integration";
  return (2000 * hidden ** 3 + 1e9) * (continua ? 4 : 1);
}

/** The fixed points of one network: one search per resting input (`runs`), plus the view. */
export function fixedPointsCost(
  v: VariantSizes,
  family: string,
  runs: number,
  r: CostRates,
): UnitCost {
  const H = v.hidden;
  const flops = runs * fixedPointFlops(H, family) + 2 * v.evalTrials * v.steps * H * H;
  const memory = BASE_MB + mb(v.evalTrials * v.steps * H * (4 + 8)) + mb(4096 * H * 8 * 2) +
    mb(1024 * H * 8 * 8);
  return { coreSeconds: fixed(r, 1) + flops / r.fitFlopsPerSec, memoryMB: memory };
}

/** Flops of one DMD fit (see the module doc). */
export function fitFlops(
  trials: number,
  steps: number,
  units: number,
  delays: number,
  rank: number,
): number {
  const m = units * delays;
  return 2 * trials * steps * units * units * delays + (4 / 3) * m ** 3 + 6 * rank * m * m;
}

/** The DMD fit of one network. */
export function fitCost(v: VariantSizes, r: CostRates): UnitCost {
  const m = v.hidden * v.delays;
  // + the prepared DSA operator (two symmetric eigen-decompositions, one with vectors, three
  // products and one LU: about 17 n³ flops at rank n), computed here once per network
  const flops = fitFlops(v.evalTrials, v.dsaSteps, v.hidden, v.delays, v.rank) +
    17 * v.rank ** 3;
  const memory = BASE_MB + mb(v.evalTrials * v.dsaSteps * v.hidden * (4 + 8)) +
    mb(Math.max(m * m * 8 * 4 + v.rank * m * 8 * 3, v.rank * v.rank * 8 * 8));
  return { coreSeconds: fixed(r, 2) + flops / r.fitFlopsPerSec, memoryMB: memory };
}

/**
 * The most L-BFGS iterations `procrustesDistance` runs on one pair from rank 128 with its
 * default schedule and `restarts` Haar starts beside its default smart starts (the two
 * eigenvector alignments of A+Aᵀ): all screened for 30 iterations, the best two continued to
 * 300 (no screening when there are only two starts).
 */
export function procrustesBudget(restarts: number): number {
  const d = procrustesDefaults(MIXED_PRECISION_MIN);
  return maxProcrustesIterations(SMART_STARTS[d.starts] + restarts, d);
}

/**
 * Procrustes iterations of one pair at rank `n` with `restarts` Haar starts: below rank 128 the
 * iterations the calibration pair of the size regime took; from rank 128 the optimiser's
 * whole budget ({@link procrustesBudget}).
 */
export function procrustesIterations(n: number, r: CostRates, restarts = 0): number {
  if (n >= MIXED_PRECISION_MIN) return procrustesBudget(restarts);
  return n <= 32
    ? r.procrustesIterations.small
    : n <= 64
    ? r.procrustesIterations.medium
    : r.procrustesIterations.large;
}

/** Seconds of one Procrustes iteration at rank `n` (float64 below rank 128, mixed from 128). */
export function procrustesIterationSeconds(n: number, r: CostRates): number {
  const a = n >= MIXED_PRECISION_MIN ? r.procrustesMixedA : r.procrustesA;
  return a * n ** 3 + r.procrustesB * n * n;
}

/** Seconds of one DSA pair at rank `n` with `restarts` Haar starts. */
export function dsaPairSeconds(n: number, r: CostRates, restarts = 0): number {
  return procrustesIterations(n, r, restarts) * procrustesIterationSeconds(n, r);
}

/** A block of `pairs` DSA pairs (each fit's operator read from disk). */
export function dsaBlockCost(v: VariantSizes, pairs: number, r: CostRates): UnitCost {
  const n = v.rank;
  return {
    coreSeconds: fixed(r, 1) + pairs * dsaPairSeconds(n, r, v.dsaRestarts),
    memoryMB: BASE_MB + mb(n * n * 8 * 40),
  };
}

/** Seconds of one PIF pair of n×n matrices. */
export function pifPairSeconds(n: number, restarts: number, r: CostRates): number {
  return (restarts + 3) * r.pifSecPerStartN3 * n ** 3;
}

/** A block of `pairs` PIF pairs. */
export function pifBlockCost(v: VariantSizes, pairs: number, r: CostRates): UnitCost {
  const n = v.hidden;
  return {
    coreSeconds: fixed(r, 1) +
      (v.pifInit ? 2 : 1) * pairs * pifPairSeconds(n, v.pifRestarts, r),
    memoryMB: BASE_MB + mb(n * n * 8 * 20),
  };
}

/** The task complexity of one variant. */
export function complexityCost(v: VariantSizes, r: CostRates): UnitCost {
  return {
    coreSeconds: fixed(r, 1) + v.complexityTrials * v.steps * (v.inputDim + v.outputDim) * 2e-7,
    memoryMB: BASE_MB + mb(v.complexityTrials * v.steps * (v.inputDim + v.outputDim) * 4 * 4),
  };
}

/** A merge of a population's per-network results or pair blocks into metric files. */
export function mergeCost(members: number, r: CostRates, files = 1): UnitCost {
  return {
    coreSeconds: fixed(r, files) + 0.02 * members,
    memoryMB: BASE_MB + mb(members * members * 8 * 8),
  };
}

/** The report (claims, figures, HTML). */
export function reportCost(populations: number, r: CostRates): UnitCost {
  return { coreSeconds: fixed(r, 3) + 5 + 0.5 * populations, memoryMB: 400 };
}

/** The cached calibration file (`degeneracy.cost-model/1`). */
export interface CalibrationFile {
  schema: "degeneracy.cost-model/1";
  /** What the rates were measured on; a different key recalibrates. */
  key: string;
  measuredAt: string;
  seconds: number;
  rates: CostRates;
}

/** Version of the cost model's calibration; a cache of another version is measured again. */
export const COST_MODEL_VERSION = 3;

/** The machine key of a calibration: model version, Deno version, target and core count. */
export function machineKey(): string {
  return `model ${COST_MODEL_VERSION}, deno ${Deno.version.deno} ${Deno.build.target} cores ${
    navigator.hardwareConcurrency ?? 1
  }`;
}

function randomTrajectories(seed: number, trials: number, steps: number, units: number) {
  const shape = { inputDim: 3, hidden: units, outputDim: 1 };
  const params = initParams(shape, seed, "orthogonal");
  for (let i = 0; i < params.wh.length; i++) params.wh[i] *= 1.2;
  const rng = makeRng(seed + 7);
  const inputs = Float32Array.from(
    { length: trials * steps * 3 },
    () => (rng() < 0.1 ? (rng() < 0.5 ? -1 : 1) : 0),
  );
  const run = runNetwork(params, shape, { batch: trials, steps, inputs });
  return { data: run.hidden, trials, steps, units };
}

/**
 * Measures the machine's rates on small problems (about 5–10 s on one core): a short CPU
 * training run, forward passes, a DMD fit, Procrustes problems at ranks 24, 48 and 96 (one per
 * size regime), PIF problems at n = 48 and durable file writes in `scratchDir` (removed after).
 * Single-threaded, like a unit.
 */
export async function calibrate(scratchDir: string): Promise<CostRates> {
  const time = (f: () => unknown) => {
    const t0 = performance.now();
    f();
    return (performance.now() - t0) / 1000;
  };
  // training: flip-flop, H = 64, in-process, after a warm-up (kernel compilation)
  const task = createTask({ name: "flipflop", n: 3 });
  const config = (epochs: number): TrainingConfig =>
    trainingConfig(task, {
      hidden: 64,
      batchSize: 32,
      testBatchSize: 32,
      stepsPerEpoch: 8,
      maxEpochs: epochs,
      earlyStopThreshold: 0,
    });
  const train = (epochs: number) =>
    trainPopulation(task, config(epochs), { members: 1, seed: 1, backend: "cpu", workers: 0 });
  await train(1);
  let t0 = performance.now();
  await train(3);
  const trainSec = (performance.now() - t0) / 1000;
  const c = config(3);
  const perTrial = task.steps * (64 * 64 + 64 * (task.inputDim + task.outputDim));
  const trainMacs = 3 * (c.stepsPerEpoch * 3 * c.batchSize * perTrial + c.testBatchSize * perTrial);

  // forward passes (reference kernel) of a random H = 64 network: 64 trials × 100 steps
  const traj = () => randomTrajectories(3, 64, 100, 64);
  traj();
  const fwdSec = Math.min(time(traj), time(traj));
  const forwardMacPerSec = (64 * 100 * (64 * 64 + 64 * 4)) / fwdSec;

  // DMD fits: 40 trials × 100 steps × 64 units, 8 delays (m = 512), rank 96
  const ha = randomTrajectories(11, 40, 100, 64);
  const hb = randomTrajectories(12, 40, 100, 64);
  fitDmd(ha, { delays: 4, rank: 24 }); // warm-up
  let fa = fitDmd(ha, { delays: 8, rank: 96 });
  const fitSec = time(() => (fa = fitDmd(ha, { delays: 8, rank: 96 })));
  const fb = fitDmd(hb, { delays: 8, rank: 96 });
  const fitFlopsPerSec = fitFlops(40, 100, 64, 8, 96) / fitSec;

  // Procrustes: one pair per size regime, from the leading block of the fitted operators
  const lead = (op: Float64Array, size: number, n: number) => {
    const out = new Float64Array(n * n);
    for (let i = 0; i < n; i++) out.set(op.subarray(i * size, i * size + n), i * n);
    return out;
  };
  const procrustes = (n: number) => {
    const pa = prepareOperator(lead(fa.operator, fa.size, n), n);
    const pb = prepareOperator(lead(fb.operator, fb.size, n), n);
    t0 = performance.now();
    const res = procrustesDistance(pa, pb, { restarts: 2, seed: 0 });
    const sec = (performance.now() - t0) / 1000;
    const iterations = res.runs.reduce((a, x) => a + x.iterations, 0);
    return { n, sec, iterations: Math.max(1, iterations) };
  };
  procrustes(16); // warm-up
  const runs = [procrustes(24), procrustes(48), procrustes(96)];
  // per-iteration seconds a·n³ + b·n², least squares through the three sizes
  const xs = runs.map((x) => [x.n ** 3, x.n ** 2]);
  const ys = runs.map((x) => x.sec / x.iterations);
  const [s11, s12, s22] = [
    xs.reduce((a, x) => a + x[0] * x[0], 0),
    xs.reduce((a, x) => a + x[0] * x[1], 0),
    xs.reduce((a, x) => a + x[1] * x[1], 0),
  ];
  const [t1, t2] = [
    xs.reduce((a, x, k) => a + x[0] * ys[k], 0),
    xs.reduce((a, x, k) => a + x[1] * ys[k], 0),
  ];
  const det = s11 * s22 - s12 * s12;
  let procrustesA = (t1 * s22 - t2 * s12) / det;
  let procrustesB = (s11 * t2 - s12 * t1) / det;
  if (!(procrustesA > 0) || !(procrustesB >= 0)) {
    // noisy timings: fall back to a pure n³ law through the largest size
    procrustesA = ys[2] / runs[2].n ** 3;
    procrustesB = 0;
  }
  // mixed precision (rank ≥ 128): seconds per iteration at rank 256 over a fixed number of
  // iterations of one start (random operators: the cost of an iteration does not depend on
  // the data), after a warm-up at rank 128
  // (one iteration = the difference of a 9- and a 1-iteration run from the same start, which
  // leaves out the per-pair set-up)
  const mixed = (n: number, iterations: number) => {
    const rand = makeRng(n);
    const op = () => Float64Array.from({ length: n * n }, () => rand() - 0.5);
    const [pa, pb] = [prepareOperator(op(), n), prepareOperator(op(), n)];
    const timed = (maxIter: number) => {
      const budget = { maxRuns: 1, maxIter, screenIter: 0, gradTol: 0, relTol: 0 };
      t0 = performance.now();
      const res = procrustesDistance(pa, pb, budget);
      const sec = (performance.now() - t0) / 1000;
      return { sec, iterations: res.runs.reduce((a, x) => a + x.iterations, 0) };
    };
    const one = timed(1), many = timed(iterations);
    return (many.sec - one.sec) / Math.max(1, many.iterations - one.iterations);
  };
  mixed(MIXED_PRECISION_MIN, 2); // warm-up
  const mixedSec = mixed(256, 9);
  const procrustesMixedA = mixedSec > 0
    ? Math.max(mixedSec - procrustesB * 256 ** 2, mixedSec / 2) / 256 ** 3
    : NOMINAL_RATES.procrustesMixedA;

  // PIF: two random 48×48 matrices, 5 restarts
  const rng = makeRng(5);
  const rand = () =>
    Array.from({ length: 48 }, () => Array.from({ length: 48 }, () => rng() - 0.5));
  const [w1, w2] = [rand(), rand()];
  pifDistance(w1, w2, { restarts: 1, seed: 0 });
  const pifSec = time(() => pifDistance(w1, w2, { restarts: 5, seed: 0 }));

  return {
    trainMacPerSec: trainMacs / trainSec,
    forwardMacPerSec,
    fitFlopsPerSec,
    procrustesA,
    procrustesB,
    procrustesMixedA,
    procrustesIterations: {
      small: runs[0].iterations,
      medium: runs[1].iterations,
      large: runs[2].iterations,
    },
    pifSecPerStartN3: pifSec / ((5 + 3) * 48 ** 3),
    unitOverheadSec: NOMINAL_RATES.unitOverheadSec,
    writeSecPerFile: await writeSeconds(scratchDir),
  };
}

/** Mean seconds of a durable 256 KB write (temp file, fsync, rename) in `dir`. */
async function writeSeconds(dir: string): Promise<number> {
  await Deno.mkdir(dir, { recursive: true });
  const bytes = new Uint8Array(256 * 1024);
  const t0 = performance.now();
  for (let k = 0; k < 4; k++) await writeBytesAtomic(`${dir}/calibration-${k}.bin`, bytes);
  const sec = (performance.now() - t0) / 4000;
  for (let k = 0; k < 4; k++) await Deno.remove(`${dir}/calibration-${k}.bin`).catch(() => {});
  await Deno.remove(dir).catch(() => {});
  return sec;
}

/**
 * The calibrated rates of this machine: read from `cachePath` when it holds a calibration for
 * this machine key, else measured ({@link calibrate}) and written there (atomically).
 * `recalibrate` measures again regardless.
 */
export async function loadOrCalibrate(
  cachePath: string,
  options: { recalibrate?: boolean; log?: (line: string) => void } = {},
): Promise<CalibrationFile> {
  const key = machineKey();
  if (!options.recalibrate) {
    const cached = await readDone<CalibrationFile>(cachePath, "degeneracy.cost-model/1");
    if (cached && cached.key === key) return cached;
  }
  options.log?.(`calibrating the cost model on this machine (${key}) …`);
  const t0 = performance.now();
  const rates = await calibrate(`${cachePath}.scratch-${Deno.pid}`);
  const file: CalibrationFile = {
    schema: "degeneracy.cost-model/1",
    key,
    measuredAt: new Date().toISOString(),
    seconds: (performance.now() - t0) / 1000,
    rates,
  };
  await writeJsonAtomic(cachePath, file);
  return file;
}
