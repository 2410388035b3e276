/**
 * The metric registry: for every metric the pipeline and the measure scripts compute, its name,
 * what it reads, its parameters, how it is computed and what it writes. The pipeline's work
 * units (scripts/lib/units/) and the `measure:*` scripts call the same entries, so a metric is
 * computed one way whatever runs it; both write `degeneracy.metric/2` files built by
 * {@link buildMetricFile} and summarised by {@link summarize}.
 *
 * | name                 | input                            | output                  | paper          |
 * | -------------------- | -------------------------------- | ----------------------- | -------------- |
 * | `dimensionality`     | hidden states                    | one value per network   | §3.1, Fig. 2D  |
 * | `attractorness`      | hidden states                    | one value per network   | App. B         |
 * | `distance_from_init` | W_h at init and at the end       | one value per network   | §3.2.2, Fig 4B |
 * | `ood`                | network + task (OOD batch)       | one value per network   | §3.2.3, Fig. 5 |
 * | `pif`                | final W_h of two networks        | a pair → matrix         | §3.2.2, App. D |
 * | `dsa`                | DMD fits of two networks         | a pair → matrix         | §3.2.1, App. C |
 * | `mds`                | a distance matrix                | 2-D points              | Fig. 3B        |
 * | `complexity`         | a task                           | input/output bits       | §3.1           |
 * | `fixed_points`       | network + its hidden states      | one value per network   | Fig. 2E, 7     |
 *
 * Pure functions (arrays in, numbers out); no file I/O here.
 *
 * @module
 */
import { dimensionality, pcaSpectrum } from "../../metrics/dimensionality.ts";
import { attractorness } from "../../metrics/attractorness.ts";
import { distanceFromInit } from "../../metrics/distances.ts";
import { coefficientOfVariation, oodMse } from "../../metrics/ood.ts";
import { pifDistance, pifDistanceMatrix } from "../../metrics/pif/mod.ts";
import {
  compareDmd,
  type DmdFit,
  dsaDistanceMatrix,
  dsaOptimiser,
  type DsaOptions,
  type DsaPairMeasure,
  dsaPairMeasure,
  type PreparedOperator,
  prepareOperator,
} from "../../metrics/dsa/mod.ts";
import { classicalMds } from "../../metrics/mds.ts";
import { type ComplexityReading, taskComplexity } from "../../metrics/complexity.ts";
import { bootstrapCi, mean, median, standardDeviation } from "../../metrics/statistics.ts";
import type { Task, TaskBatch } from "../../tasks/types.ts";
import { metricArrayProblem, type MetricFile, type PopulationCounts, SCHEMA } from "./formats.ts";
import {
  FIXED_POINT_SETTINGS,
  type FixedPointSettings,
  type NetworkFixedPoints,
  networkFixedPoints,
  restingInputs,
} from "./fixed_points.ts";
import type { NetworkRecord } from "../../rnn/types.ts";

/** Hidden-state trajectories in flat form (`data[(trial·steps + t)·units + u]`). */
export interface FlatHidden {
  data: Float32Array | Float64Array;
  trials: number;
  steps: number;
  units: number;
}

/** A per-network value and its detail (stored in the metric file's `extra`). */
export interface PerNetworkResult {
  value: number;
  extra?: unknown;
}

/** Parameters of the per-network metrics of hidden states. */
export interface DimensionalityParams {
  /** Fraction of variance the kept PCs explain (default 0.95). */
  threshold: number;
}

/** The registry (see the module doc for the table). */
export const METRIC_REGISTRY = {
  dimensionality: {
    input: "hidden",
    output: "values",
    description: "PCs explaining `threshold` of the hidden-state variance (all trials and " +
      "steps pooled, units centred)",
    defaults: { threshold: 0.95 } as DimensionalityParams,
    compute(h: FlatHidden, p: DimensionalityParams): PerNetworkResult {
      return {
        value: dimensionality(h, { threshold: p.threshold }),
        extra: pcaSpectrum(h).cumulative,
      };
    },
  },
  attractorness: {
    input: "hidden",
    output: "values",
    description: "Δh = mean_t ‖h_{t+1} − h_t‖ / mean_t ‖h_t‖, averaged over trials",
    defaults: {},
    compute(h: FlatHidden): PerNetworkResult {
      const r = attractorness(h);
      return { value: r.mean, extra: r.perTrial };
    },
  },
  distance_from_init: {
    input: "weights",
    output: "values",
    description: "‖W_T − W_0‖_F / n² of the recurrent weights",
    defaults: { weights: "wh", normalisation: "n^2" },
    compute(w0: number[][], wT: number[][]): PerNetworkResult {
      const r = distanceFromInit(w0, wT);
      return { value: r.normalized, extra: r.raw };
    },
  },
  ood: {
    input: "network",
    output: "values",
    description: "MSE of the task outputs on the OOD batch (masked); summary.cv = σ/μ " +
      "(population σ) across networks",
    defaults: { trials: 200, seed: 0 },
    compute(
      task: Task,
      predict: (batch: TaskBatch) => { outputs: Float32Array; outDim: number },
      p: { trials: number; seed: number },
    ): PerNetworkResult {
      return { value: oodMse(task, predict, { trials: p.trials, seed: p.seed }) };
    },
  },
  pif: {
    input: "weights",
    output: "matrix",
    description: "min over permutations P1, P2 of ‖W1 − P1 W2 P2‖_F ÷ n·m (normalised); " +
      "every pair with the same seed",
    defaults: { restarts: 20, seed: 0 },
    /**
     * A whole matrix (every pair by `pifDistance` with the same seed, as {@link pair}, plus
     * seeded identity/symmetry self-checks); used by `measure:pif` (serial or on workers:
     * `pifDistanceMatrixParallel`, identical).
     */
    matrix: pifDistanceMatrix,
    /** One pair: normalised distance (the matrix entry), raw distance, lower bound, spread. */
    pair(
      w1: number[][],
      w2: number[][],
      p: { restarts: number; seed: number },
    ): { distance: number; raw: number; lowerBound: number; spread: number; exact: boolean } {
      const r = pifDistance(w1, w2, { restarts: p.restarts, seed: p.seed });
      let lo = Infinity, hi = -Infinity;
      for (const d of r.startDistances) {
        lo = Math.min(lo, d);
        hi = Math.max(hi, d);
      }
      return {
        distance: r.normalized,
        raw: r.distance,
        lowerBound: r.lowerBound,
        spread: Number.isFinite(hi - lo) ? hi - lo : 0,
        exact: r.exact,
      };
    },
  },
  dsa: {
    input: "fit",
    output: "matrix",
    description: "Procrustes distance over O(n) between the DMD operators (Ostrow et al. " +
      "2023); every pair with the same seed",
    defaults: {},
    /**
     * A whole matrix over systems (each fitted once; the same `compareDmd` per pair as
     * {@link pair}, plus d(X, X) and reversed-order self-checks); used by `measure:dsa`.
     */
    matrix: dsaDistanceMatrix,
    /** What computes the distances under `options` (recorded in every pair block). */
    optimiser: dsaOptimiser,
    /** Prepared operator of a fit (invariants computed once per network). */
    prepare(fit: { operator: Float64Array; size: number }): PreparedOperator {
      return prepareOperator(fit.operator, fit.size);
    },
    /**
     * One pair of fitted systems: distance, restart spread, final gradient norm and lower
     * bound (the matrix entry of {@link matrix}).
     */
    pair(
      fa: DmdFit,
      fb: DmdFit,
      options: DsaOptions,
      prepared?: [PreparedOperator | undefined, PreparedOperator | undefined],
    ): DsaPairMeasure {
      const c = compareDmd(fa, fb, options, prepared);
      return dsaPairMeasure(c.distance, c.procrustes, options.score);
    },
  },
  mds: {
    input: "matrix",
    output: "points",
    description: "classical (Torgerson) MDS of a distance matrix",
    defaults: { dims: 2 },
    compute(matrix: number[][], p: { dims: number }) {
      return classicalMds(matrix, p.dims);
    },
  },
  complexity: {
    input: "task",
    output: "values",
    description: "N × mean single-channel Shannon entropy, bits (input and output): per trial " +
      '(§3.1, default) or of the time-averaged signal (`reading: "time-averaged"`, Fig. 2)',
    defaults: {
      trials: 200,
      seed: 0,
      bins: 10,
      binning: "global" as "global" | "per-trial",
      reading: "per-trial" as ComplexityReading,
    },
    compute(
      task: Task,
      p: {
        trials: number;
        seed: number;
        bins?: number;
        binning?: "global" | "per-trial";
        reading?: ComplexityReading;
      },
    ) {
      return taskComplexity(task, p);
    },
  },
  fixed_points: {
    input: "network+hidden",
    output: "values",
    description: "stable fixed points of h ↦ tanh(W_h h + b + W_x x*) under the task's resting " +
      "input x* (mean over the inputs: one per training frequency for sine), starts from the " +
      "network's evaluation trajectories; extra: per-input summaries (counts by unstable " +
      "directions, continua, line-attractor length, readouts at the stable points), Fig. 2E view",
    defaults: FIXED_POINT_SETTINGS,
    /** The resting input(s) x* of a task (scripts/lib/fixed_points.ts documents the choice). */
    restingInputs,
    compute(
      record: Pick<NetworkRecord, "shape" | "final" | "initial">,
      task: Task,
      h: FlatHidden,
      p: FixedPointSettings,
    ): PerNetworkResult & { extra: NetworkFixedPoints } {
      const r = networkFixedPoints(record, task, h, p);
      return { value: r.value, extra: r };
    },
  },
} as const;

/** A registered metric name. */
export type RegisteredMetric = keyof typeof METRIC_REGISTRY;

/**
 * Summary of a list of values: n, mean, sd (ddof 1), median, min, max and a seeded bootstrap
 * 95% CI of the mean (2000 resamples). Every metric file's `summary` comes from here (for
 * matrices: of the upper triangle).
 */
export function summarize(values: number[], seed = 0): Record<string, number | null> {
  if (values.length === 0) {
    return { n: 0, mean: null, sd: null, median: null, min: null, max: null };
  }
  const ci = bootstrapCi(values, mean, { seed, resamples: 2000 });
  return {
    n: values.length,
    mean: mean(values),
    sd: values.length > 1 ? standardDeviation(values) : null,
    median: median(values),
    min: Math.min(...values),
    max: Math.max(...values),
    meanCi95Lower: ci.lower,
    meanCi95Upper: ci.upper,
  };
}

/** Summary of OOD MSEs: {@link summarize} of the finite values plus the CV σ/μ (ddof 0/1). */
export function summarizeOod(values: number[], ddof = 0): Record<string, number | null> {
  const finite = values.filter(Number.isFinite);
  const cv = finite.length >= Math.max(2, ddof + 1) && finite.some((v) => v !== 0)
    ? coefficientOfVariation(finite, { ddof })
    : null;
  return { ...summarize(finite), cv, nonFinite: values.length - finite.length };
}

/** Upper-triangle entries (i < j) of a square matrix, row by row. */
export function upperTriangle(m: number[][]): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.length; i++) for (let j = i + 1; j < m.length; j++) out.push(m[i][j]);
  return out;
}

/** Counts of a population's networks by training status. */
export function populationCounts(
  statuses: string[],
  used: number,
  backends?: string[],
): PopulationCounts {
  const count = (s: string) => statuses.filter((x) => x === s).length;
  return {
    members: statuses.length,
    converged: count("converged"),
    notConverged: count("not_converged"),
    diverged: count("diverged"),
    used,
    ...(backends ? { backends } : {}),
  };
}

/**
 * Builds a `degeneracy.metric/2` file and checks its shape: exactly one of values, matrix or
 * points, each with one entry per id, every entry finite; a matrix square. Throws naming the
 * field.
 */
export function buildMetricFile(m: Omit<MetricFile, "schema">): MetricFile {
  const shapes = (["values", "matrix", "points"] as const).filter((k) => m[k] !== undefined);
  if (shapes.length !== 1) {
    throw new Error(`metric ${m.metric}: needs exactly one of values, matrix or points`);
  }
  const k = shapes[0];
  if (m[k]!.length !== m.ids.length) {
    throw new Error(`metric ${m.metric}: ${k} has ${m[k]!.length} rows for ${m.ids.length} ids`);
  }
  if (m.matrix && m.matrix.some((row) => row.length !== m.ids.length)) {
    throw new Error(`metric ${m.metric}: matrix must be ${m.ids.length}×${m.ids.length}`);
  }
  // never a silent NaN: JSON would write it as null
  const problem = metricArrayProblem(m as unknown as Record<string, unknown>, `metric ${m.metric}`);
  if (problem !== null) throw new Error(problem);
  return { schema: SCHEMA.metric, ...m };
}
