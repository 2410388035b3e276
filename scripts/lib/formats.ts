/**
 * The file formats of the pipeline and of the measure scripts, in one place: schema tags,
 * the TypeScript shapes of every JSON file, the binary array files (a float32/float64 payload
 * beside a JSON header) and the readers that accept older versions or say clearly that they
 * cannot. Every other module reads and writes these files through the types and helpers here.
 *
 * | schema                          | file                                                  |
 * | ------------------------------- | ----------------------------------------------------- |
 * | `degeneracy.config/1`           | `OUT/config.json` (resolved preset and studies)      |
 * | `degeneracy.plan/1`             | `OUT/plan.json` (the work units; see units/graph.ts)  |
 * | `degeneracy.complexity/1`       | task complexity of one variant                        |
 * | `degeneracy.network/1`          | a saved network (rnn/record.ts reads it)              |
 * | `degeneracy.metric/2`           | one metric of one population (values/matrix/points)  |
 * | `degeneracy.hidden/1`           | evaluation trajectories + per-network metric values   |
 * | `degeneracy.dmd-fit/1`          | one network's DMD fit (operator in a `.f64` file)     |
 * | `degeneracy.dsa-rank/1`         | the common DSA rank of a population                   |
 * | `degeneracy.pair-block/1`       | a block of pairwise distances (DSA or PIF)            |
 * | `degeneracy.fixed-points/1`     | one network's fixed points and its Fig. 2E view       |
 * | `degeneracy.unit-error/1`       | `OUT/errors/<unit>.json`: a unit that failed          |
 * | `degeneracy.unit-timing/1`      | `OUT/timings/<unit>.json`: a unit's measured time     |
 * | `degeneracy.claims/1`           | `OUT/claims.json`                                     |
 * | `degeneracy.sensitivity/1`      | `OUT/sensitivity/summary.json` (scripts/report/sensitivity_view.ts) |
 *
 * `degeneracy.metric/1` (before the work units) came in two shapes, the pipeline's (with
 * `population`, `checks`) and the measure scripts' (with `source`, `selfChecks`);
 * {@link upgradeMetricFile} reads both.
 *
 * @module
 */
import type { NetworkRecord, TrainingConfig } from "../../rnn/types.ts";
import type { Preset } from "../presets.ts";
import type { StudyPlan } from "./plan.ts";
import type { PreparedOperatorHeader } from "../../metrics/dsa/mod.ts";
import type { FixedPointRun, FixedPointView } from "./fixed_points.ts";

/** Schema tags of every file the pipeline writes. */
export const SCHEMA = {
  config: "degeneracy.config/1",
  plan: "degeneracy.plan/1",
  complexity: "degeneracy.complexity/1",
  network: "degeneracy.network/1",
  metric: "degeneracy.metric/2",
  hidden: "degeneracy.hidden/1",
  dmdFit: "degeneracy.dmd-fit/1",
  dsaRank: "degeneracy.dsa-rank/1",
  dsaPrepared: "degeneracy.dsa-prepared/1",
  pairBlock: "degeneracy.pair-block/1",
  fixedPoints: "degeneracy.fixed-points/1",
  unitError: "degeneracy.unit-error/1",
  unitTiming: "degeneracy.unit-timing/1",
  claims: "degeneracy.claims/1",
} as const;

/** The previous metric schema (read, never written). */
export const METRIC_SCHEMA_V1 = "degeneracy.metric/1" as const;

/** Metric names written per population, in the order the report lists them. */
export const METRIC_NAMES = [
  "dimensionality",
  "attractorness",
  "distance_from_init",
  "relative_distance_from_init",
  "ood",
  "learning",
  "pif",
  "dsa",
  "mds",
  "fixed_points",
] as const;
/** A metric of a population. */
export type MetricName = typeof METRIC_NAMES[number];

/** Networks of a population by training outcome, and how many enter the statistics. */
export interface PopulationCounts {
  members: number;
  converged: number;
  notConverged: number;
  diverged: number;
  /**
   * Converged in training AND learned on fresh trials (main loss beats the best trivial
   * predictor, auxiliary output learned; `learnedVerdict` of metrics/learning.ts); absent in
   * older files.
   */
  learned?: number;
  used: number;
  /** Backends that trained the networks (e.g. `cpu-wasm-simd`, `webgpu`). */
  backends?: string[];
}

/**
 * Summary statistics of a metric file: numbers (n, mean, sd, …, `cv` for OOD), or, for a metric
 * with several per-network counts (fixed points), one such record per count.
 */
export type MetricSummary = Record<string, number | null | Record<string, number | null>>;

/** A number of a summary (`summary.mean`, `summary.cv`), or null when absent or not a number. */
export function summaryNumber(s: MetricSummary | undefined, key: string): number | null {
  const x = s?.[key];
  return typeof x === "number" ? x : null;
}

/**
 * A metric file (`degeneracy.metric/2`), written by the pipeline's merge units and by the
 * measure scripts alike. Exactly one of `values` (one number per id), `matrix` (ids × ids,
 * symmetric, zero diagonal) or `points` (one coordinate row per id).
 */
export interface MetricFile {
  schema: typeof SCHEMA.metric;
  /** Metric name (`scripts/lib/metrics.ts`), e.g. `dsa`, `ood`, `complexity`. */
  metric: string;
  /** Study and variant of the population (pipeline files; absent for user data). */
  study?: string;
  variant?: string;
  level?: number;
  /** Training outcomes of the measured population (when measured from saved networks). */
  population?: PopulationCounts;
  /** Every option that affects the numbers. */
  parameters: Record<string, unknown>;
  /** Network / system ids, in the order of `values` / the rows of `matrix` / `points`. */
  ids: string[];
  values?: number[];
  matrix?: number[][];
  points?: number[][];
  /** Summary statistics (`summarize` of scripts/lib/metrics.ts; `cv` for OOD). */
  summary: MetricSummary;
  /** Self-checks (identity, symmetry, optimiser spread), or null. */
  checks: Record<string, unknown> | null;
  /** Where the data came from (run directory, user file, units). */
  source: Record<string, unknown>;
  /** Per-id detail (per-trial values, lower bounds, spectra …). */
  extra?: Record<string, unknown>;
  /** Compute time in seconds (excluded from comparisons). */
  wallTimeSec?: number;
}

/** `OUT/config.json`: the preset and every study's resolved variants. */
export interface RunConfig {
  schema: typeof SCHEMA.config;
  preset: Preset;
  backend: string;
  studies: Record<string, {
    plan: StudyPlan;
    variants: Record<string, { taskId: string; taskParams: unknown; training: TrainingConfig }>;
  }>;
}

/** Complexity file of one variant (`degeneracy.complexity/1`). */
export interface ComplexityFile {
  schema: typeof SCHEMA.complexity;
  study: string;
  variant: string;
  level: number;
  taskId: string;
  trials: number;
  seed: number;
  /** Input and output complexity, bits, per trial (§3.1). */
  input: number;
  output: number;
  /** The same of the time-averaged signal (Fig. 2 captions); absent in older files. */
  timeAveraged?: { input: number; output: number };
  details: unknown;
}

/**
 * Header of a network's evaluation trajectories (`degeneracy.hidden/1`, `hidden/mNNN.json`;
 * the float32 `[trials, steps, units]` hidden states are in `hidden/mNNN.f32`), with the
 * per-network metric values computed from them and from the network's weights.
 */
export interface HiddenFile {
  schema: typeof SCHEMA.hidden;
  network: string;
  member: number;
  status: NetworkRecord["status"];
  /** Whether the network enters the population's statistics (preset.useMembers). */
  used: boolean;
  /**
   * Whether it learned the task (converged in training, main loss on the learning batch beats
   * the best trivial predictor, auxiliary loss under its bound), and why not; null when it
   * diverged (not evaluated). Absent in older files.
   */
  learned?: boolean | null;
  learnedReason?: string | null;
  trials: number;
  steps: number;
  units: number;
  evalSeed: number;
  /** Per-network metric values (registry names) with their details. */
  values: Record<string, number>;
  extra: Record<string, unknown>;
  /** Bytes of the `.f32` payload (0 when the network is not used). */
  bytes: number;
}

/**
 * One network's fixed points (`degeneracy.fixed-points/1`, `fixed_points/mNNN.json`), written
 * by the `fixed-points` unit (scripts/lib/fixed_points.ts computes it): one run of the finder
 * per resting input of the task, the metric value (mean number of stable fixed points over the
 * runs), the longest line attractor, and the Fig. 2E view. A network that does not enter the
 * statistics has `used: false`, no runs and no view.
 */
export interface FixedPointsFile {
  schema: typeof SCHEMA.fixedPoints;
  network: string;
  member: number;
  status: NetworkRecord["status"];
  used: boolean;
  /** Every setting that affects the numbers (finder options, start pool, evaluation batch). */
  parameters: Record<string, unknown>;
  /** Mean over the runs of the number of stable fixed points (null when not used). */
  value: number | null;
  /** Longest one-dimensional continuum over the runs (null when not used). */
  lineAttractorLength: number | null;
  /** One run per resting input. */
  runs: FixedPointRun[];
  /** Trajectories and points of the middle run in the leading PCs, or null when not used. */
  view: FixedPointView | null;
  wallTimeSec: number;
}

/** Header of one network's DMD fit (`degeneracy.dmd-fit/1`; operator in `fits/mNNN.f64`). */
export interface DmdFitFile {
  schema: typeof SCHEMA.dmdFit;
  network: string;
  member: number;
  used: boolean;
  /** Side of the row-major operator A_v in the `.f64` file (0 when not used). */
  size: number;
  rank: number;
  /** The rank the settings asked for (min(rank, units·delays)). */
  rankAsked: number;
  /** The Hankel matrix's numerical rank when the asked rank exceeded it, else null. */
  numericalRank: number | null;
  /** Hankel singular values (descending). */
  singularValues: number[];
  hankelShape: [number, number, number];
  options: Record<string, unknown>;
  bytes: number;
}

/**
 * Header of one network's prepared DSA operator (`degeneracy.dsa-prepared/1`, data in
 * `fits/mNNN.prep.f64`): what every Procrustes comparison needs from the network's DMD operator,
 * computed once by the fit unit so that every pair block, on any machine, reuses it.
 */
export interface DsaPreparedFile {
  schema: typeof SCHEMA.dsaPrepared;
  network: string;
  member: number;
  used: boolean;
  /** Side of the operator (the fit's `size`; 0 when not used). */
  size: number;
  /** `serializePreparedOperator`'s header (null when not used). */
  prepared: PreparedOperatorHeader | null;
  /** Bytes of the `.prep.f64` payload (2·size² + 2·size float64; 0 when not used). */
  bytes: number;
}

/** The common DSA rank of a population (`degeneracy.dsa-rank/1`, `fits/rank.json`). */
export interface DsaRankFile {
  schema: typeof SCHEMA.dsaRank;
  rankAsked: number;
  rank: number;
  rankCapped: boolean;
  /** Members (used ones) whose fit had to be redone at `rank`; their fits are `fits/rNNN.*`. */
  refitted: number[];
}

/** One computed pair of a pair block. */
export interface PairResult {
  /** Member indices a < b. */
  a: number;
  b: number;
  distance: number;
  /** Restart spread of the optimiser (max − min over starts). */
  spread: number;
  /** PIF only: raw (unnormalised) distance, proven lower bound, exactness. */
  raw?: number;
  lowerBound?: number;
  exact?: boolean;
  /** PIF only, size-varying studies: raw distance of the pair's initial matrices. */
  rawInit?: number;
}

/** A block of pairwise distances (`degeneracy.pair-block/1`). */
export interface PairBlockFile {
  schema: typeof SCHEMA.pairBlock;
  metric: "dsa" | "pif";
  /** Block index (of the pairs, or of the self-check slots when `checks`). */
  block: number;
  checks: boolean;
  /** Pairs computed (both networks used); self-check blocks may hold a = b or a > b. */
  pairs: PairResult[];
  parameters: Record<string, unknown>;
  wallTimeSec: number;
}

/** `OUT/errors/<unit>.json`: a unit that failed (`degeneracy.unit-error/1`). */
export interface UnitErrorFile {
  schema: typeof SCHEMA.unitError;
  unit: string;
  stage: string;
  message: string;
  at: string;
}

/** `OUT/timings/<unit>.json`: how long a unit took (`degeneracy.unit-timing/1`). */
export interface UnitTimingFile {
  schema: typeof SCHEMA.unitTiming;
  unit: string;
  stage: string;
  /** Wall seconds of the unit's computation (one core unless it ran with workers). */
  seconds: number;
  /** The plan's estimate (core-seconds) when it ran. */
  estimate: number;
  /** Where it ran: a local executor worker, the executor's thread, or the unit runner. */
  runner?: "local-worker" | "main" | "run_unit";
  at: string;
}

/**
 * A metric file of either version as a `degeneracy.metric/2` value, or an Error saying why it
 * cannot be read. `metric/1` from the pipeline (`checks`, `population`) and from the measure
 * scripts (`selfChecks`, `source`, metric `ood_mse`) are both upgraded; anything else is refused
 * with a message naming the file and the field.
 */
export function upgradeMetricFile(raw: unknown, file: string): MetricFile | Error {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return new Error(`${file}: not a JSON object`);
  }
  const r = raw as Record<string, unknown>;
  if (r.schema !== SCHEMA.metric && r.schema !== METRIC_SCHEMA_V1) {
    return new Error(
      `${file}: schema must be "${SCHEMA.metric}" (or the older "${METRIC_SCHEMA_V1}"), ` +
        `got ${JSON.stringify(r.schema)}; this version cannot read it`,
    );
  }
  if (typeof r.metric !== "string") return new Error(`${file}: metric must be a string`);
  if (!Array.isArray(r.ids) || !r.ids.every((s) => typeof s === "string")) {
    return new Error(`${file}: ids must be an array of strings`);
  }
  const shapes = ["values", "matrix", "points"].filter((k) => r[k] !== undefined);
  if (shapes.length !== 1) {
    return new Error(`${file}: needs exactly one of values, matrix or points`);
  }
  if (r.schema === SCHEMA.metric) return r as unknown as MetricFile;
  // metric/1 → metric/2
  const metric = r.metric === "ood_mse" ? "ood" : r.metric;
  return {
    schema: SCHEMA.metric,
    metric,
    ...(typeof r.study === "string" ? { study: r.study } : {}),
    ...(typeof r.variant === "string" ? { variant: r.variant } : {}),
    ...(typeof r.level === "number" ? { level: r.level } : {}),
    ...(r.population ? { population: r.population as PopulationCounts } : {}),
    parameters: (r.parameters ?? {}) as Record<string, unknown>,
    ids: r.ids as string[],
    ...(r.values !== undefined ? { values: r.values as number[] } : {}),
    ...(r.matrix !== undefined ? { matrix: r.matrix as number[][] } : {}),
    ...(r.points !== undefined ? { points: r.points as number[][] } : {}),
    summary: (r.summary ?? {}) as MetricSummary,
    checks: (r.checks ?? r.selfChecks ?? null) as Record<string, unknown> | null,
    source: { ...(r.source as Record<string, unknown> ?? {}), upgradedFrom: METRIC_SCHEMA_V1 },
    ...(r.extra ? { extra: r.extra as Record<string, unknown> } : {}),
    ...(typeof r.wallTimeSec === "number" ? { wallTimeSec: r.wallTimeSec } : {}),
  };
}

/** Typed array kinds of the binary payload files. */
export type BinaryKind = "f32" | "f64";

/** Raw little-endian bytes of a typed array (a copy when the view does not span its buffer). */
export function typedArrayBytes(a: Float32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** A typed array over `bytes` (copied, so alignment never matters); length checked. */
export function typedArrayFromBytes(
  bytes: Uint8Array,
  kind: BinaryKind,
  expected: number,
  file: string,
): Float32Array | Float64Array {
  const size = kind === "f32" ? 4 : 8;
  if (bytes.byteLength !== expected * size) {
    throw new Error(
      `${file}: holds ${bytes.byteLength} bytes, expected ${expected} ${kind} values ` +
        `(${expected * size} bytes)`,
    );
  }
  const copy = bytes.slice();
  return kind === "f32" ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
}
