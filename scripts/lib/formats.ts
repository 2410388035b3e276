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
  /**
   * Digests of what the numbers were computed from (the networks) and with (the settings);
   * the report uses a file only when both match the run's ({@link MetricProvenance}).
   */
  provenance?: MetricProvenance;
}

/**
 * Where a metric file's numbers come from, as SHA-256 digests (hex): `networks` of every
 * network of the population ({@link networksDigest}: ids and weights, seeds, task, training
 * configuration and outcome of each), `settings` of the measurement settings that decide this
 * metric's numbers ({@link settingsDigest} of {@link metricSettings}). A reader recomputes both
 * from the run directory and refuses the file when either differs.
 */
export interface MetricProvenance {
  networks: string;
  settings: string;
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
  /** PIF only: raw (unnormalised) distance. */
  raw?: number;
  /**
   * A lower bound on the pair's distance: PIF, proven, on the raw distance; DSA, spectral
   * (`spectralLowerBound`), in the DSA score (absent in blocks written before it was recorded).
   */
  lowerBound?: number;
  /** PIF only: the assignment was proven optimal. */
  exact?: boolean;
  /**
   * DSA only: final gradient norm of the best Procrustes run (0 at a local optimum; absent in
   * blocks written before it was recorded).
   */
  gradNorm?: number;
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
  const problem = metricArrayProblem(r, file);
  if (problem !== null) return new Error(problem);
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

/** `null`, NaN or a short row in a metric file's values / matrix / points, or null when fine. */
export function metricArrayProblem(r: Record<string, unknown>, file: string): string | null {
  const ids = r.ids as string[];
  const n = ids.length;
  const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  const bad = (x: unknown) =>
    typeof x === "number" ? String(x) : x === null ? "null" : JSON.stringify(x) ?? String(x);
  if (r.values !== undefined) {
    if (!Array.isArray(r.values) || r.values.length !== n) {
      return `${file}: values must hold one number per id (${n}), got ${
        Array.isArray(r.values) ? r.values.length : typeof r.values
      }`;
    }
    const i = r.values.findIndex((x) => !finite(x));
    if (i >= 0) return `${file}: values[${i}] must be a finite number, got ${bad(r.values[i])}`;
  }
  for (const key of ["matrix", "points"] as const) {
    const m = r[key];
    if (m === undefined) continue;
    if (!Array.isArray(m) || m.length !== n) {
      return `${file}: ${key} must hold one row per id (${n}), got ${
        Array.isArray(m) ? m.length : typeof m
      }`;
    }
    const cols = key === "matrix" ? n : Array.isArray(m[0]) ? m[0].length : 0;
    for (let i = 0; i < n; i++) {
      const row = m[i];
      if (!Array.isArray(row) || row.length !== cols || (key === "points" && cols === 0)) {
        return `${file}: ${key}[${i}] must hold ${cols || "≥ 1"} numbers, got ${
          Array.isArray(row) ? row.length : bad(row)
        }`;
      }
      const j = row.findIndex((x) => !finite(x));
      if (j >= 0) {
        return `${file}: ${key}[${i}][${j}] must be a finite number, got ${bad(row[j])}`;
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Digests of a metric file's inputs and settings

/** JSON with object keys sorted (so equal values give equal text, whatever the key order). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  return `{${
    Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) =>
      `${JSON.stringify(k)}:${canonicalJson(o[k])}`
    ).join(",")
  }}`;
}

/** SHA-256 of `data` (text as UTF-8), hex. */
export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const d = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Digest of one saved network: everything that decides the numbers measured from it (id, task,
 * training configuration, member, seeds, shape, initial and final weights, status, epochs),
 * not where or how fast it was trained (backend, wall time), so a network trained again to the
 * same weights keeps its digest.
 */
export function networkDigest(r: NetworkRecord): Promise<string> {
  return sha256Hex(canonicalJson({
    id: r.id,
    task: r.task,
    config: r.config,
    member: r.member,
    initSeed: r.initSeed,
    dataSeed: r.dataSeed,
    shape: r.shape,
    initial: r.initial,
    final: r.final,
    status: r.status,
    stopEpoch: r.stopEpoch,
  }));
}

/** Digest of a population: its networks' digests, ordered by network id. */
export function networksDigest(nets: { id: string; digest: string }[]): Promise<string> {
  const sorted = [...nets].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sha256Hex(canonicalJson(sorted.map((n) => [n.id, n.digest])));
}

/** Digest of settings (canonical JSON). */
export function settingsDigest(settings: unknown): Promise<string> {
  return sha256Hex(canonicalJson(settings));
}

/**
 * The measurement settings that decide `metric`'s numbers for a population: which networks are
 * used, the evaluation or OOD batch, the DSA and PIF settings and seeds. The pipeline's merge
 * units record their digest; the report recomputes it from the run's plan; a measure script
 * records the digest of the same fields from its flags, so its file is accepted exactly when
 * it was computed with the run's settings.
 */
export function metricSettings(
  metric: string,
  m: {
    evalTrials: number;
    evalSeed: number;
    oodTrials: number;
    oodSeed: number;
    dsa: unknown;
    dsaSeed: number;
    dsaSteps: number;
    rankAsked: number;
    pifRestarts: number;
    pifSeed: number;
    useMembers: string;
    learnTrials?: number;
    learnSeed?: number;
  },
): Record<string, unknown> {
  // which networks are used: with "converged", the learned verdict on the learning batch
  const use = {
    metric,
    useMembers: m.useMembers,
    ...(m.useMembers !== "all" && m.learnTrials !== undefined
      ? { learnTrials: m.learnTrials, learnSeed: m.learnSeed }
      : {}),
  };
  const evalBatch = { evalTrials: m.evalTrials, evalSeed: m.evalSeed };
  switch (metric) {
    case "dimensionality":
      return { ...use, ...evalBatch, threshold: 0.95 };
    case "attractorness":
      return { ...use, ...evalBatch };
    case "distance_from_init":
      return { ...use, weights: "wh", normalisation: "n^2" };
    case "ood":
      return { ...use, oodTrials: m.oodTrials, oodSeed: m.oodSeed };
    case "pif":
      return { ...use, restarts: m.pifRestarts, seed: m.pifSeed };
    case "dsa":
    case "mds":
      return {
        ...use,
        ...evalBatch,
        dsa: m.dsa,
        dsaSeed: m.dsaSeed,
        dsaSteps: m.dsaSteps,
        rankAsked: m.rankAsked,
        ...(metric === "mds" ? { dims: 2 } : {}),
      };
    default:
      return { ...use, measure: m };
  }
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
