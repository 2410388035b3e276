/**
 * The claims table of the report: every claim of the paper the pipeline can test, the statistic
 * measured on this run, its uncertainty and a verdict.
 *
 * The paper's quantity is the per-population degeneracy: the MEAN pairwise distance between a
 * population's networks (DSA, PIF), the mean of a per-network value (distance from init,
 * dimensionality) or the CV of one (OOD MSE). Every trend claim is tested on those means
 * (`trendTest`, metrics/trend.ts): per-population means, a bootstrap CI for each adjacent-level
 * difference (`monotone`), a linear trend contrast over the level ranks with a t test, and
 * effect sizes. Beside it the table keeps the earlier pooled statistic: Spearman's ρ between the
 * level and the metric pooling units (pairs, networks, variants) over the study's variants, with
 * a percentile bootstrap CI that resamples networks within each variant.
 *
 * Kinds of claims:
 * - `trend`: a metric rises or falls with a study's level (per-task claims of §3.1–3.2, Table 1).
 *   Several studies (Table 1's "increase task complexity") combine their contrasts by Stouffer's
 *   method (each study's two-sided p and sign turned into a z, summed, divided by √k).
 * - `complexity`: output complexity rises with the level, under one reading of the measure
 *   (deterministic on a fixed sample: holds or not, no p-value).
 * - `equivalence`: a "sloppy dimension" of §4 leaves degeneracy unchanged (TOST, margin 80–125%).
 * - `across`: a rank correlation across all experiment variants (Fig. 3C: output complexity vs
 *   mean DSA; §3.2.3: mean DSA vs OOD CV), p-value by permuting variants.
 * - `ordering`: Appendix B's attractorness ordering of the four task families.
 * - `fixed_points`: attractor claims read from the fixed points (2^N stable points of flip-flop;
 *   line attractors from the auxiliary loss), scripts/report/fixed_point_claims.ts.
 *
 * Verdicts: `insufficient data` when a level (variant) of the claim has fewer than
 * {@link MIN_NETWORKS_PER_LEVEL} networks with data for its metric (the row's statistics are
 * still shown, but it leaves the false-discovery family); `not computed` when the metric is
 * missing (failed or not produced) for the claim's data (never folded into inconclusive). Rows that hold by construction (`byConstruction`) are
 * shown and excluded from the counts and from the false-discovery control. Every other row with
 * a p-value enters a Benjamini–Hochberg family (q = 0.05): `reproduced` when its adjusted p ≤ 0.05
 * and the estimate points the paper's way, `not reproduced` when adjusted p ≤ 0.05 and it points
 * the other way, `inconclusive` otherwise. Equivalence rows: `reproduced` when TOST's adjusted
 * p ≤ 0.05, `not reproduced` when some level's 90% ratio interval lies wholly outside the margin.
 * `complexity` rows: reproduced when the ordering holds on the sample, not reproduced otherwise.
 * `ordering`: reproduced when it holds at the point estimate and in ≥ 95% of bootstrap
 * replicates, not reproduced when it fails there and in ≥ 95% of them.
 */
import seedrandom from "npm:seedrandom@3.0.5";
import {
  attractornessOrdering,
  benjaminiHochberg,
  coefficientOfVariation,
  type EquivalenceResult,
  equivalenceTest,
  normalCdf,
  type Population,
  type PopulationData,
  spearman,
  spearmanPermutationTest,
  studentTQuantile,
  type TrendResult,
  trendTest,
} from "../../mod.ts";
import type { FixedPointData } from "./fixed_points.ts";
import { evaluateFixedPointClaim, fixedPointClaimSpecs } from "./fixed_point_claims.ts";
import { blank, partlyTrainedNote } from "./claim_rows.ts";
import { quantileSorted } from "../../metrics/statistics.ts";

/** Data of one variant, aligned by network index (the networks used for statistics). */
export interface VariantData {
  study: string;
  variant: string;
  label: string;
  level: number;
  /** Task family (for claims across tasks). */
  family?: string;
  /**
   * Measured task complexity in bits: §3.1's per-trial reading, and (when computed) Fig. 2's
   * time-averaged one.
   */
  complexity: {
    input: number;
    output: number;
    timeAveraged?: { input: number; output: number };
  } | null;
  /** Ids of the networks used for statistics. */
  ids: string[];
  /** Networks of the population: trained, converged (learned, see docs/fidelity.md), used. */
  networks?: { members: number; converged: number; used: number };
  /** Per-network values aligned with `ids` (missing metric → absent key). */
  perNetwork: Partial<
    Record<
      | "dimensionality"
      | "attractorness"
      | "distance_from_init"
      | "relative_distance_from_init"
      | "ood",
      number[]
    >
  >;
  /**
   * Pairwise matrices aligned with `ids`; `pif_relative` is PIF of the trained pair divided by
   * PIF of the same pair at initialisation (size-invariant reading).
   */
  pairwise: Partial<Record<"dsa" | "pif" | "pif_relative", number[][]>>;
  /**
   * Measurement variance of the population's statistic per metric that resampling networks
   * cannot see (the shared evaluation-batch and optimiser noise of the sensitivity study,
   * scripts/report/sensitivity.ts); the trend tests add it (`Population.measurementVariance`).
   */
  measurementVariance?: Partial<Record<ClaimMetric, { variance: number; df: number }>>;
  /** Fixed points of the networks (aligned with `ids`), when the run has them. */
  fixedPoints?: FixedPointData;
}

/** Metrics a trend or equivalence claim can test. */
export type ClaimMetric =
  | "dsa"
  | "pif"
  | "pif_relative"
  | "distance_from_init"
  | "relative_distance_from_init"
  | "ood_cv"
  | "dimensionality"
  | "attractorness"
  | "output_complexity"
  | "output_complexity_time_averaged"
  | "stable_fixed_points"
  | "line_attractor_length";

/** One testable claim. */
export interface ClaimSpec {
  id: string;
  /** Row group: a study name, `table1`, `sloppy` or `across`. */
  group: string;
  /** Human statement, e.g. "flip-flop: DSA decreases with complexity". */
  claim: string;
  /** Source in the paper. */
  source: string;
  kind: "trend" | "complexity" | "equivalence" | "across" | "ordering" | "fixed_points";
  metric: ClaimMetric;
  /** Studies whose variants the claim uses. */
  studies: string[];
  /** +1 when the paper says the metric increases with the factor, −1 when it decreases, 0: unchanged. */
  direction: 1 | -1 | 0;
  /** Multiply levels by this before ordering (−1 turns hidden size into representational load). */
  levelSign: 1 | -1;
  /** Why the row holds whatever the networks do (shown; excluded from counts and FDR). */
  byConstruction?: string;
  /** For `across`: what is correlated with what. */
  across?: {
    x: "output_complexity" | "output_complexity_time_averaged" | "dsa";
    y: "dsa" | "ood_cv";
  };
}

/** Verdicts of the claims table. */
export type Verdict =
  | "reproduced"
  | "not reproduced"
  | "inconclusive"
  | "insufficient data"
  | "not computed";

/**
 * The fewest networks a level (one variant's population) must have, with data for a claim's
 * metric, for the claim to get a verdict; below it the verdict is "insufficient data". Five,
 * because the bootstrap that gives every trend its standard error resamples networks within a
 * population: n networks have C(2n−1, n) distinct resamples, 35 for n = 4 and 10 for n = 3, too
 * few to resolve a 95% interval (126 for n = 5); and one network has no spread at all.
 */
export const MIN_NETWORKS_PER_LEVEL = 5;

/**
 * Networks of `v` with data for `metric`: the size of its matrix (pairwise metrics) or its
 * finite values (per-network metrics); when the metric is absent, the networks used by the
 * population (null when that is unknown too: the metric is then simply missing).
 */
export function networksWithData(v: VariantData, metric: ClaimMetric): number | null {
  switch (metric) {
    case "dsa":
    case "pif":
    case "pif_relative": {
      const m = v.pairwise[metric];
      if (m) return m.length;
      break;
    }
    case "ood_cv":
    case "distance_from_init":
    case "relative_distance_from_init":
    case "dimensionality":
    case "attractorness": {
      const key = metric === "ood_cv" ? "ood" : metric;
      const x = v.perNetwork[key];
      if (x) return x.filter(Number.isFinite).length;
      break;
    }
  }
  return v.networks ? v.networks.used : v.ids.length > 0 ? v.ids.length : null;
}

/**
 * The levels of `spec` (variants of its studies in this run) with fewer than
 * {@link MIN_NETWORKS_PER_LEVEL} networks with data, as `study/variant: n`. Claims on the task's
 * output complexity (not a property of the networks) have none.
 */
export function insufficientLevels(spec: ClaimSpec, variants: VariantData[]): string[] {
  if (spec.kind === "complexity") return [];
  const metrics: ClaimMetric[] = spec.kind === "across"
    ? [spec.across!.x, spec.across!.y].filter((m) => m === "dsa" || m === "ood_cv")
    : spec.kind === "ordering"
    ? ["attractorness"]
    : [spec.metric];
  const out: string[] = [];
  for (const v of variants) {
    if (!spec.studies.includes(v.study)) continue;
    const counts = metrics.map((m) => networksWithData(v, m))
      .filter((n): n is number => n !== null);
    if (!counts.length) continue;
    const n = Math.min(...counts);
    if (n < MIN_NETWORKS_PER_LEVEL) out.push(`${v.study}/${v.variant}: ${n}`);
  }
  return out;
}

/** A computed row of the claims table. */
export interface ClaimResult extends ClaimSpec {
  /** The pooled statistic (Spearman ρ as before; for `across` the cross-variant ρ). */
  statistic: string;
  value: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** Units entering the pooled statistic (pairs, networks or variants), summed over studies. */
  units: number;
  /** Per-population trend of each study (trend claims). */
  trends: Array<{ study: string } & TrendResult>;
  /** Equivalence test of each study (equivalence claims). */
  equivalence: Array<{ study: string } & EquivalenceResult>;
  /** The decisive estimate (trend contrast, combined z, ρ, …) and its p-value before/after FDR. */
  estimate: number | null;
  p: number | null;
  q: number | null;
  /** Networks trained, converged and used over the claim's variants. */
  networks: { members: number; converged: number; used: number } | null;
  verdict: Verdict;
  note: string;
}

/** σ/μ (population σ, `coefficientOfVariation` of the metrics); NaN when undefined. */
export function cvOf(xs: number[]): number {
  if (xs.length < 2) return NaN;
  try {
    return coefficientOfVariation(xs);
  } catch {
    return NaN;
  }
}

/** The earlier CI rule of the pooled statistic (shown for comparison, not the verdict). */
export function verdictOf(
  direction: 1 | -1,
  lo: number | null,
  hi: number | null,
): "reproduced" | "not reproduced" | "inconclusive" {
  if (lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    return "inconclusive";
  }
  if (direction > 0 ? lo > 0 : hi < 0) return "reproduced";
  if (direction > 0 ? hi < 0 : lo > 0) return "not reproduced";
  return "inconclusive";
}

function outputComplexity(v: VariantData, m: ClaimMetric): number | undefined {
  if (!v.complexity) return undefined;
  if (m === "output_complexity_time_averaged") return v.complexity.timeAveraged?.output;
  return v.complexity.output;
}

/** A variant's data for `metric` as a trend-test population; null when missing. */
export function populationOf(v: VariantData, metric: ClaimMetric): PopulationData | null {
  switch (metric) {
    case "dsa":
    case "pif":
    case "pif_relative": {
      const m = v.pairwise[metric];
      return m && m.length >= 2 ? { kind: "pairwise", matrix: m } : null;
    }
    case "ood_cv": {
      const x = v.perNetwork.ood?.filter(Number.isFinite);
      return x && x.length >= 2 ? { kind: "cv", values: x } : null;
    }
    case "distance_from_init":
    case "relative_distance_from_init":
    case "dimensionality": {
      const x = v.perNetwork[metric]?.filter(Number.isFinite);
      return x && x.length >= 2 ? { kind: "values", values: x } : null;
    }
    default:
      return null;
  }
}

/** Units (x = signed level, y = value) of one study for `metric`, given a resample per variant. */
function studyUnits(
  variants: VariantData[],
  metric: ClaimMetric,
  levelSign: number,
  pick: (v: VariantData, vi: number) => number[],
): { x: number[]; y: number[] } {
  const x: number[] = [], y: number[] = [];
  variants.forEach((v, vi) => {
    const lv = levelSign * v.level;
    const idx = pick(v, vi);
    if (metric === "dsa" || metric === "pif" || metric === "pif_relative") {
      const m = v.pairwise[metric];
      if (!m) return;
      for (let a = 0; a < idx.length; a++) {
        for (let b = a + 1; b < idx.length; b++) {
          if (idx[a] === idx[b]) continue;
          const d = m[idx[a]][idx[b]];
          if (Number.isFinite(d)) {
            x.push(lv);
            y.push(d);
          }
        }
      }
    } else if (metric === "ood_cv") {
      const vals = v.perNetwork.ood;
      if (!vals) return;
      const c = cvOf(idx.map((i) => vals[i]).filter(Number.isFinite));
      if (Number.isFinite(c)) {
        x.push(lv);
        y.push(c);
      }
    } else if (
      metric === "distance_from_init" || metric === "relative_distance_from_init" ||
      metric === "dimensionality"
    ) {
      const vals = v.perNetwork[metric];
      if (!vals) return;
      for (const i of idx) {
        if (Number.isFinite(vals[i])) {
          x.push(lv);
          y.push(vals[i]);
        }
      }
    }
  });
  return { x, y };
}

/** Pooled statistic of a claim on given resamples: mean over its studies of ρ. */
function pooledRho(
  spec: ClaimSpec,
  byStudy: Map<string, VariantData[]>,
  pick: (v: VariantData, vi: number) => number[],
): { rho: number; units: number; studiesWithData: number } {
  const rhos: number[] = [];
  let units = 0;
  for (const s of spec.studies) {
    const { x, y } = studyUnits(byStudy.get(s) ?? [], spec.metric, spec.levelSign, pick);
    if (new Set(x).size < 2) continue;
    const r = spearman(x, y);
    if (Number.isFinite(r)) {
      rhos.push(r);
      units += x.length;
    }
  }
  return {
    rho: rhos.length ? rhos.reduce((a, b) => a + b, 0) / rhos.length : NaN,
    units,
    studiesWithData: rhos.length,
  };
}

/** Pooled ρ with its network-resampling bootstrap CI (the earlier statistic). */
function pooled(
  spec: ClaimSpec,
  byStudy: Map<string, VariantData[]>,
  resamples: number,
  seed: number,
): { rho: number | null; lo: number | null; hi: number | null; units: number } {
  const identity = (v: VariantData) => v.ids.map((_, i) => i);
  const point = pooledRho(spec, byStudy, identity);
  if (point.studiesWithData === 0 || !Number.isFinite(point.rho)) {
    return { rho: null, lo: null, hi: null, units: point.units };
  }
  const rng = seedrandom(`claims:${seed}:${spec.id}`);
  const reps: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const draws = new Map<VariantData, number[]>();
    const pick = (v: VariantData) => {
      let d = draws.get(v);
      if (!d) {
        d = v.ids.map(() => Math.floor(rng() * v.ids.length));
        draws.set(v, d);
      }
      return d;
    };
    const s = pooledRho(spec, byStudy, pick).rho;
    if (Number.isFinite(s)) reps.push(s);
  }
  reps.sort((a, b) => a - b);
  if (reps.length < resamples / 2) {
    return { rho: point.rho, lo: null, hi: null, units: point.units };
  }
  return {
    rho: point.rho,
    lo: quantileSorted(reps, 0.025),
    hi: quantileSorted(reps, 0.975),
    units: point.units,
  };
}

/** Seed of a claim's own resampling stream (so each row is reproducible on its own). */
function claimSeed(seed: number, id: string): number {
  return Math.floor(seedrandom(`claims:${seed}:${id}:trend`)() * 2 ** 31);
}

/** z of a two-sided p-value with the sign of `estimate` (Stouffer's input). */
function signedZ(estimate: number, p: number): number {
  const clipped = Math.min(Math.max(p, 1e-300), 1);
  if (clipped >= 1) return 0;
  return Math.sign(estimate) * studentTQuantile(1 - clipped / 2, Infinity);
}

const NOT_COMPUTED = "the metric is missing for this claim's variants (failed or not produced)";
const NOT_RUN = "its studies were not run in this directory";

/** A claim evaluated up to its verdict (which may wait for the false-discovery control). */
export interface Partial0 {
  result: Omit<ClaimResult, "q" | "verdict"> & { verdict?: Verdict };
  /** How to turn q into a verdict (null: verdict already set). */
  decide: ((q: number | null) => Verdict) | null;
}

function byDirection(direction: number, estimate: number): (q: number | null) => Verdict {
  return (q) =>
    q === null || q > 0.05
      ? "inconclusive"
      : Math.sign(estimate) === Math.sign(direction)
      ? "reproduced"
      : "not reproduced";
}

function unitName(m: ClaimMetric): string {
  switch (m) {
    case "dsa":
      return "pairwise DSA";
    case "pif":
      return "pairwise PIF/n²";
    case "pif_relative":
      return "pairwise PIF relative to init";
    case "distance_from_init":
      return "distance from init per network";
    case "relative_distance_from_init":
      return "relative distance from init per network";
    case "dimensionality":
      return "PCs for 95% variance per network";
    case "attractorness":
      return "Δh per network";
    case "ood_cv":
      return "OOD-MSE CV per variant";
    case "output_complexity":
      return "output entropy (per trial)";
    case "output_complexity_time_averaged":
      return "output entropy (time-averaged)";
    case "stable_fixed_points":
      return "stable fixed points per network";
    case "line_attractor_length":
      return "line-attractor length per network";
  }
}

function evaluateTrend(
  spec: ClaimSpec,
  byStudy: Map<string, VariantData[]>,
  resamples: number,
  seed: number,
): Partial0 {
  const vs = spec.studies.flatMap((s) => byStudy.get(s) ?? []);
  const statistic = `per-population means: trend contrast over level ranks` +
    (spec.studies.length > 1 ? `, Stouffer over ${spec.studies.length} studies` : "") +
    `; pooled Spearman ρ(${spec.levelSign < 0 ? "−level" : "level"}, ${unitName(spec.metric)})`;
  const r = blank(spec, statistic, vs);
  const trends: ClaimResult["trends"] = [];
  const missing: string[] = [];
  const dropped: string[] = [];
  spec.studies.forEach((s, k) => {
    const pops: Population[] = [];
    for (const v of byStudy.get(s) ?? []) {
      const d = populationOf(v, spec.metric);
      const mv = v.measurementVariance?.[spec.metric];
      if (d) {
        pops.push({
          level: spec.levelSign * v.level,
          data: d,
          ...(mv ? { measurementVariance: mv } : {}),
        });
      } else dropped.push(`${s}/${v.variant}`);
    }
    if (pops.length < 2) {
      missing.push(s);
      return;
    }
    try {
      trends.push({
        study: s,
        ...trendTest(pops, { resamples, seed: claimSeed(seed, `${spec.id}:${k}`) }),
      });
    } catch (e) {
      missing.push(`${s} (${(e as Error).message})`);
    }
  });
  const pool = pooled(spec, byStudy, resamples, seed);
  Object.assign(r, { value: pool.rho, ciLow: pool.lo, ciHigh: pool.hi, units: pool.units, trends });
  if (trends.length === 0) {
    return { result: { ...r, verdict: "not computed", note: NOT_COMPUTED }, decide: null };
  }
  let estimate: number, p: number;
  if (trends.length === 1) {
    estimate = trends[0].contrast.estimate;
    p = trends[0].contrast.p;
  } else {
    const z = trends.map((t) => signedZ(t.contrast.estimate, t.contrast.p));
    estimate = z.reduce((a, b) => a + b, 0) / Math.sqrt(z.length);
    p = Math.min(1, 2 * normalCdf(-Math.abs(estimate)));
  }
  const notes: string[] = [];
  if (missing.length) notes.push(`no data: ${missing.join(", ")}`);
  if (dropped.length) {
    notes.push(`variants without data (fewer than 2 networks used): ${dropped.join(", ")}`);
  }
  const mono = trends.map((t) => t.monotone);
  notes.push(`monotone: ${mono.join(", ")}`);
  notes.push(
    `relative change ${
      trends.map((t) => `${(100 * t.effect.relativeChange).toFixed(0)}%`).join(", ")
    }` + (trends.some((t) =>
        t.effect.hedgesG !== null
      )
      ? `; Hedges' g ${trends.map((t) => t.effect.hedgesG?.toFixed(2) ?? "–").join(", ")}`
      : ""),
  );
  if (trends.length > 1) {
    const agree = trends.filter((t) => Math.sign(t.contrast.estimate) === spec.direction).length;
    notes.push(`${agree} of ${trends.length} studies point the paper's way`);
  }
  if (pool.rho !== null && spec.direction !== 0) {
    notes.push(`pooled-ρ CI rule: ${verdictOf(spec.direction as 1 | -1, pool.lo, pool.hi)}`);
  }
  notes.push(...partlyTrainedNote(r.networks));
  if (spec.byConstruction) notes.push(`true by construction: ${spec.byConstruction}`);
  return {
    result: { ...r, estimate, p, note: notes.join("; ") },
    decide: byDirection(spec.direction, estimate),
  };
}

function evaluateComplexity(spec: ClaimSpec, byStudy: Map<string, VariantData[]>): Partial0 {
  const vs = spec.studies.flatMap((s) => byStudy.get(s) ?? []);
  const r = blank(spec, `strict increase of ${unitName(spec.metric)} over the levels`, vs);
  const pts = vs.map((v) => ({ level: v.level, y: outputComplexity(v, spec.metric) }))
    .filter((p): p is { level: number; y: number } => Number.isFinite(p.y));
  if (pts.length < 2 || pts.length < vs.length) {
    return { result: { ...r, verdict: "not computed", note: NOT_COMPUTED }, decide: null };
  }
  pts.sort((a, b) => a.level - b.level);
  const holds = pts.every((p, i) => i === 0 || p.y > pts[i - 1].y);
  const rho = spearman(pts.map((p) => p.level), pts.map((p) => p.y));
  const note = [
    pts.map((p) => `${p.level}: ${p.y.toFixed(2)} bits`).join(", "),
    "measured on a fixed trial sample; no resampling",
    ...(spec.byConstruction ? [`true by construction: ${spec.byConstruction}`] : []),
  ].join("; ");
  return {
    result: {
      ...r,
      value: rho,
      units: pts.length,
      estimate: rho,
      verdict: holds ? "reproduced" : "not reproduced",
      note,
    },
    decide: null,
  };
}

function evaluateEquivalence(
  spec: ClaimSpec,
  byStudy: Map<string, VariantData[]>,
  resamples: number,
  seed: number,
): Partial0 {
  const vs = spec.studies.flatMap((s) => byStudy.get(s) ?? []);
  const r = blank(
    spec,
    `TOST on the ratio of mean ${unitName(spec.metric)} to the lowest level, margin 80–125%`,
    vs,
  );
  const eq: ClaimResult["equivalence"] = [];
  const missing: string[] = [];
  spec.studies.forEach((s, k) => {
    const pops: Population[] = [];
    for (const v of byStudy.get(s) ?? []) {
      const d = populationOf(v, spec.metric);
      if (d) pops.push({ level: v.level, data: d });
    }
    if (pops.length < 2) return void missing.push(s);
    try {
      eq.push({
        study: s,
        ...equivalenceTest(pops, { resamples, seed: claimSeed(seed, `${spec.id}:${k}`) }),
      });
    } catch (e) {
      missing.push(`${s} (${(e as Error).message})`);
    }
  });
  if (!eq.length) {
    return { result: { ...r, verdict: "not computed", note: NOT_COMPUTED }, decide: null };
  }
  const p = Math.max(...eq.map((e) => e.p));
  const outside = eq.some((e) =>
    e.comparisons.some((c) => c.ciLow > e.margin || c.ciHigh < 1 / e.margin)
  );
  const worst = eq.flatMap((e) => e.comparisons).reduce((a, c) =>
    Math.abs(Math.log(c.ratio)) > Math.abs(Math.log(a.ratio)) ? c : a
  );
  const note = [
    eq.flatMap((e) =>
      e.comparisons.map((c) =>
        `${e.study} ${c.level} vs ${e.reference}: ratio ${c.ratio.toFixed(3)} [${
          c.ciLow.toFixed(3)
        }, ${c.ciHigh.toFixed(3)}]`
      )
    ).join("; "),
    ...(missing.length ? [`no data: ${missing.join(", ")}`] : []),
  ];
  note.push(...partlyTrainedNote(r.networks));
  return {
    result: {
      ...r,
      equivalence: eq,
      value: worst.ratio,
      ciLow: worst.ciLow,
      ciHigh: worst.ciHigh,
      estimate: worst.ratio,
      p,
      note: note.join("; "),
    },
    decide: (q) =>
      q !== null && q <= 0.05 ? "reproduced" : outside ? "not reproduced" : "inconclusive",
  };
}

/** Per-variant x and y of an `across` claim (point estimates), or null when missing. */
function acrossValue(
  v: VariantData,
  what: "output_complexity" | "output_complexity_time_averaged" | "dsa" | "ood_cv",
  idx: number[],
): number | null {
  if (what === "output_complexity" || what === "output_complexity_time_averaged") {
    return outputComplexity(v, what) ?? null;
  }
  const d = populationOf(v, what);
  if (!d) return null;
  const n = d.kind === "pairwise" ? d.matrix.length : d.values.length;
  const k = idx.length ? idx.filter((i) => i < n) : Array.from({ length: n }, (_, i) => i);
  if (d.kind === "pairwise") {
    let s = 0, m = 0;
    for (let a = 0; a < k.length; a++) {
      for (let b = a + 1; b < k.length; b++) {
        if (k[a] === k[b]) continue;
        s += d.matrix[k[a]][k[b]];
        m++;
      }
    }
    return m ? s / m : null;
  }
  const c = cvOf(k.map((i) => d.values[i]));
  return Number.isFinite(c) ? c : null;
}

function evaluateAcross(
  spec: ClaimSpec,
  byStudy: Map<string, VariantData[]>,
  resamples: number,
  seed: number,
): Partial0 {
  const vs = spec.studies.flatMap((s) => byStudy.get(s) ?? []);
  const a = spec.across!;
  const r = blank(
    spec,
    `Spearman ρ(${a.x === "dsa" ? "mean DSA" : unitName(a.x)}, ${
      a.y === "dsa" ? "mean DSA" : "OOD CV"
    }) over variants; p by permuting variants`,
    vs,
  );
  const pts = vs.map((v) => ({ v, x: acrossValue(v, a.x, []), y: acrossValue(v, a.y, []) }))
    .filter((p) => p.x !== null && p.y !== null) as Array<{ v: VariantData; x: number; y: number }>;
  if (pts.length < 3) {
    return { result: { ...r, verdict: "not computed", note: NOT_COMPUTED }, decide: null };
  }
  const perm = spearmanPermutationTest(pts.map((p) => p.x), pts.map((p) => p.y), {
    permutations: 10000,
    seed: claimSeed(seed, spec.id),
  });
  const rng = seedrandom(`claims:${seed}:${spec.id}:across`);
  const reps: number[] = [];
  for (let k = 0; k < resamples; k++) {
    const xs: number[] = [], ys: number[] = [];
    for (const p of pts) {
      const idx = p.v.ids.map(() => Math.floor(rng() * p.v.ids.length));
      const x = acrossValue(p.v, a.x, idx), y = acrossValue(p.v, a.y, idx);
      if (x === null || y === null) continue;
      xs.push(x);
      ys.push(y);
    }
    if (xs.length >= 3) {
      const s = spearman(xs, ys);
      if (Number.isFinite(s)) reps.push(s);
    }
  }
  reps.sort((x, y) => x - y);
  const note = [
    `${pts.length} variants${
      vs.length > pts.length ? ` (${vs.length - pts.length} without data)` : ""
    }`,
    ...partlyTrainedNote(r.networks),
  ];
  return {
    result: {
      ...r,
      value: perm.rho,
      ciLow: reps.length ? quantileSorted(reps, 0.025) : null,
      ciHigh: reps.length ? quantileSorted(reps, 0.975) : null,
      units: pts.length,
      estimate: perm.rho,
      p: perm.p,
      note: note.join("; "),
    },
    decide: byDirection(spec.direction, perm.rho),
  };
}

const FAMILY_OF_STUDY: Record<string, string> = {
  flipflop: "flipflop",
  delayed_discrimination: "delayed_discrimination",
  sine_freq: "sine",
  sine_n: "sine",
  path_integration: "path_integration",
};

function evaluateOrdering(
  spec: ClaimSpec,
  byStudy: Map<string, VariantData[]>,
  resamples: number,
  seed: number,
): Partial0 {
  const vs = spec.studies.flatMap((s) => byStudy.get(s) ?? []);
  const r = blank(spec, "mean Δh per task family (all its experiment variants' networks)", vs);
  const famOf = (v: VariantData) => v.family ?? FAMILY_OF_STUDY[v.study];
  const means = (pick: (v: VariantData) => number[]) => {
    const acc: Record<string, number[]> = {};
    for (const v of vs) {
      const x = v.perNetwork.attractorness;
      if (!x) continue;
      for (const i of pick(v)) {
        if (Number.isFinite(x[i])) (acc[famOf(v)] ??= []).push(x[i]);
      }
    }
    const out: Record<string, number> = {};
    for (const [f, xs] of Object.entries(acc)) out[f] = xs.reduce((a, b) => a + b, 0) / xs.length;
    return out;
  };
  const fams = ["flipflop", "delayed_discrimination", "sine", "path_integration"];
  const point = means((v) => v.ids.map((_, i) => i));
  if (!fams.every((f) => Number.isFinite(point[f]))) {
    return { result: { ...r, verdict: "not computed", note: NOT_COMPUTED }, decide: null };
  }
  const o = attractornessOrdering(point as unknown as Parameters<typeof attractornessOrdering>[0]);
  const rng = seedrandom(`claims:${seed}:${spec.id}:ordering`);
  let holds = 0, total = 0;
  for (let k = 0; k < resamples; k++) {
    const m = means((v) => v.ids.map(() => Math.floor(rng() * v.ids.length)));
    if (!fams.every((f) => Number.isFinite(m[f]))) continue;
    total++;
    if (attractornessOrdering(m as unknown as Parameters<typeof attractornessOrdering>[0]).holds) {
      holds++;
    }
  }
  const share = total ? holds / total : NaN;
  const verdict: Verdict = o.holds && share >= 0.95
    ? "reproduced"
    : !o.holds && share <= 0.05
    ? "not reproduced"
    : "inconclusive";
  return {
    result: {
      ...r,
      value: share,
      units: vs.length,
      estimate: share,
      verdict,
      note: `${o.detail}; holds in ${(100 * share).toFixed(0)}% of bootstrap replicates`,
    },
    decide: null,
  };
}

/**
 * Evaluates `specs` on the variants' data with `resamples` bootstrap replicates (seeded by `seed`
 * and the claim id, so each row is reproducible on its own), then controls the false-discovery
 * rate over every row with a p-value that does not hold by construction.
 */
export function evaluateClaims(
  specs: ClaimSpec[],
  variants: VariantData[],
  resamples: number,
  seed: number,
): ClaimResult[] {
  if (!Number.isInteger(resamples) || resamples < 10) {
    throw new Error(`resamples must be an integer >= 10, got ${resamples}`);
  }
  const byStudy = new Map<string, VariantData[]>();
  for (const v of variants) {
    if (!byStudy.has(v.study)) byStudy.set(v.study, []);
    byStudy.get(v.study)!.push(v);
  }
  const partial = specs.map((spec): Partial0 => {
    if (!spec.studies.some((st) => byStudy.has(st))) {
      return {
        result: { ...blank(spec, "–", []), verdict: "not computed", note: NOT_RUN },
        decide: null,
      };
    }
    switch (spec.kind) {
      case "trend":
        return evaluateTrend(spec, byStudy, resamples, seed);
      case "complexity":
        return evaluateComplexity(spec, byStudy);
      case "equivalence":
        return evaluateEquivalence(spec, byStudy, resamples, seed);
      case "across":
        return evaluateAcross(spec, byStudy, resamples, seed);
      case "ordering":
        return evaluateOrdering(spec, byStudy, resamples, seed);
      case "fixed_points":
        return evaluateFixedPointClaim(spec, byStudy, resamples, seed);
    }
  });
  // a level with too few networks: "insufficient data", outside the false-discovery family
  specs.forEach((spec, i) => {
    const x = partial[i];
    if (x.result.note === NOT_RUN) return;
    const thin = insufficientLevels(spec, variants);
    if (!thin.length) return;
    const note = `insufficient data: fewer than ${MIN_NETWORKS_PER_LEVEL} networks per level ` +
      `(${thin.join(", ")})`;
    partial[i] = {
      result: {
        ...x.result,
        verdict: "insufficient data",
        note: x.result.note ? `${note}; ${x.result.note}` : note,
      },
      decide: null,
    };
  });
  const inFamily = partial.map((x) =>
    x.decide !== null && x.result.p !== null && !x.result.byConstruction
  );
  const fdr = benjaminiHochberg(partial.map((x, i) => (inFamily[i] ? x.result.p : null)));
  return partial.map((x, i) => {
    const q = fdr.adjusted[i];
    let verdict = x.result.verdict;
    if (x.decide) verdict = x.decide(q ?? (x.result.byConstruction ? x.result.p : null));
    return { ...x.result, q, verdict: verdict ?? "inconclusive" } as ClaimResult;
  });
}

/** Counts of a claims table: rows by verdict, excluding rows true by construction. */
export function claimCounts(claims: ClaimResult[]): {
  tested: number;
  byConstruction: number;
  fdrFamily: number;
  counts: Record<Verdict, number>;
} {
  const counts: Record<Verdict, number> = {
    reproduced: 0,
    "not reproduced": 0,
    inconclusive: 0,
    "insufficient data": 0,
    "not computed": 0,
  };
  let byConstruction = 0, fdrFamily = 0;
  for (const c of claims) {
    if (c.byConstruction) {
      byConstruction++;
      continue;
    }
    counts[c.verdict]++;
    if (c.q !== null) fdrFamily++;
  }
  return { tested: claims.length - byConstruction, byConstruction, fdrFamily, counts };
}

const TASK_LABEL: Record<string, string> = {
  flipflop: "N-bit flip-flop (N)",
  delayed_discrimination: "delayed discrimination (N)",
  sine_freq: "sine wave (N_freq)",
  sine_n: "sine wave (N)",
  path_integration: "path integration (2D→3D)",
};

/** Experiment studies the per-task claims cover. */
export const EXPERIMENT_STUDIES = Object.keys(TASK_LABEL);

/** Studies of the "sloppy dimensions" of §4 (equivalence claims). */
export const SLOPPY_STUDIES = ["dd_delay", "pi_arena"];

const BY_N = "complexity is N × a single-channel entropy that does not depend on N, so it rises " +
  "with N for any task whose single channel carries information";

/**
 * The claims of the paper as testable specs (module doc). Per experiment study: output
 * complexity ↑ with the level under both readings (§3.1, Fig. 2B), dimensionality ↑ (Fig. 2D),
 * DSA ↓ (Fig. 3A), PIF ↑ (Fig. 4A), distance from init ↑ (Fig. 4B), OOD CV ↓ (Fig. 5). Table 1:
 * five rows × {dynamical, weight}, the load rows under both size readings. Across tasks: Fig. 3C,
 * §3.2.3, Appendix B. Sloppy dimensions: §4.
 */
export function claimSpecs(): ClaimSpec[] {
  const out: ClaimSpec[] = [];
  const per: Array<[ClaimSpec["kind"], ClaimMetric, 1 | -1, string, string]> = [
    [
      "complexity",
      "output_complexity",
      1,
      "output complexity (per trial, §3.1) increases with the level",
      "§3.1, Fig. 2B",
    ],
    [
      "complexity",
      "output_complexity_time_averaged",
      1,
      "output complexity (time-averaged, Fig. 2) increases with the level",
      "Fig. 2B caption",
    ],
    [
      "trend",
      "dimensionality",
      1,
      "dimensionality (PCs for 95% variance) increases",
      "§3.1, Fig. 2D",
    ],
    ["trend", "dsa", -1, "dynamical degeneracy (DSA) decreases with complexity", "§3.2.1, Fig. 3A"],
    ["trend", "pif", 1, "weight degeneracy (PIF) increases with complexity", "§3.2.2, Fig. 4A"],
    [
      "trend",
      "distance_from_init",
      1,
      "distance from init increases with complexity",
      "§3.2.2, Fig. 4B",
    ],
    ["trend", "ood_cv", -1, "OOD-performance CV decreases with complexity", "§3.2.3, Fig. 5"],
  ];
  for (const s of EXPERIMENT_STUDIES) {
    for (const [kind, metric, direction, text, source] of per) {
      const byN = kind === "complexity" && s !== "sine_freq" && s !== "path_integration";
      out.push({
        id: `${s}.${metric}`,
        group: s,
        claim: `${TASK_LABEL[s]}: ${text}`,
        source,
        kind,
        metric,
        studies: [s],
        direction,
        levelSign: 1,
        ...(byN ? { byConstruction: BY_N } : {}),
      });
    }
  }
  const t1: Array<[string, string, string[], 1 | -1, 1 | -1, 1 | -1, string]> = [
    ["complexity", "Increase task complexity", EXPERIMENT_STUDIES, 1, -1, 1, "Table 1, §3.2"],
    ["aux_loss", "Auxiliary loss (weight ↑)", ["aux_loss"], 1, -1, 1, "Table 1, Fig. 6A"],
    [
      "load",
      "Representational load (hidden size ↓)",
      ["network_size"],
      -1,
      -1,
      1,
      "Table 1, Fig. 6B",
    ],
    [
      "low_rank",
      "Low-rank regularisation (nuclear weight ↑)",
      ["low_rank"],
      1,
      -1,
      -1,
      "Table 1, Fig. 6C",
    ],
    [
      "sparsity",
      "Sparsity regularisation (L1 weight ↑)",
      ["sparsity"],
      1,
      -1,
      -1,
      "Table 1, Fig. 6D",
    ],
  ];
  for (const [id, label, studies, levelSign, dynDir, wDir, source] of t1) {
    out.push({
      id: `table1.${id}.dynamical`,
      group: "table1",
      claim: `${label}: dynamical degeneracy (DSA) ${dynDir < 0 ? "↓" : "↑"}`,
      source,
      kind: "trend",
      metric: "dsa",
      studies,
      direction: dynDir,
      levelSign,
    });
    out.push({
      id: `table1.${id}.weight`,
      group: "table1",
      claim: `${label}: weight degeneracy (PIF/n²) ${wDir < 0 ? "↓" : "↑"}`,
      source,
      kind: "trend",
      metric: "pif",
      studies,
      direction: wDir,
      levelSign,
      ...(id === "load"
        ? {
          byConstruction: "PIF/n² falls ≈2.6× per doubling of the hidden size between untrained " +
            "networks (per-entry normalisation, docs/fidelity.md); the size-invariant row decides",
        }
        : {}),
    });
  }
  out.push({
    id: "fig6b.size.weight_invariant",
    group: "table1",
    claim: "Network size ↑: weight degeneracy (PIF relative to the same pair at init) ↑ " +
      "(Fig. 6B, §3.3; Table 1's load row says the opposite — this row decides)",
    source: "Fig. 6B, §3.3 vs Table 1",
    kind: "trend",
    metric: "pif_relative",
    studies: ["network_size"],
    direction: 1,
    levelSign: 1,
  });
  out.push({
    id: "fig3c.output_complexity_vs_dsa",
    group: "across",
    claim: "Higher output complexity (per trial) goes with lower mean DSA across all task variants",
    source: "Fig. 3C, §3.2.1",
    kind: "across",
    metric: "dsa",
    studies: EXPERIMENT_STUDIES,
    direction: -1,
    levelSign: 1,
    across: { x: "output_complexity", y: "dsa" },
  });
  out.push({
    id: "fig3c.output_complexity_time_averaged_vs_dsa",
    group: "across",
    claim:
      "Higher output complexity (time-averaged) goes with lower mean DSA across all task variants",
    source: "Fig. 3C, Fig. 2B caption",
    kind: "across",
    metric: "dsa",
    studies: EXPERIMENT_STUDIES,
    direction: -1,
    levelSign: 1,
    across: { x: "output_complexity_time_averaged", y: "dsa" },
  });
  out.push({
    id: "s323.dsa_vs_ood_cv",
    group: "across",
    claim: "Variants with lower dynamical degeneracy (mean DSA) have lower OOD CV",
    source: "§3.2.3, Fig. 5",
    kind: "across",
    metric: "ood_cv",
    studies: EXPERIMENT_STUDIES,
    direction: 1,
    levelSign: 1,
    across: { x: "dsa", y: "ood_cv" },
  });
  out.push({
    id: "appb.attractorness_ordering",
    group: "across",
    claim: "Flip-flop and path integration span opposite ends of attractorness (Δh); delayed " +
      "discrimination lies between",
    source: "Appendix B, Fig. A1",
    kind: "ordering",
    metric: "attractorness",
    studies: EXPERIMENT_STUDIES,
    direction: 1,
    levelSign: 1,
  });
  out.push({
    id: "sloppy.dd_delay.dsa",
    group: "sloppy",
    claim:
      "Delayed discrimination: changing the delay length leaves dynamical degeneracy (DSA) unchanged",
    source: "§4",
    kind: "equivalence",
    metric: "dsa",
    studies: ["dd_delay"],
    direction: 0,
    levelSign: 1,
  });
  out.push({
    id: "sloppy.pi_arena.dsa",
    group: "sloppy",
    claim: "Path integration: changing the arena size leaves dynamical degeneracy (DSA) unchanged",
    source: "§4",
    kind: "equivalence",
    metric: "dsa",
    studies: ["pi_arena"],
    direction: 0,
    levelSign: 1,
  });
  out.push(...fixedPointClaimSpecs());
  return out;
}

/** Column headers of the claims table (markdown and HTML). */
export const CLAIM_COLUMNS = [
  "claim",
  "source",
  "per-population estimate",
  "p",
  "q (BH)",
  "pooled ρ or value [95% CI]",
  "networks used (learned)",
  "verdict",
  "note",
];

function num(x: number | null | undefined, d = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  return Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3) ? x.toExponential(2) : x.toFixed(d);
}

/** The cells of one claims-table row, as plain text, in {@link CLAIM_COLUMNS} order. */
export function claimCells(c: ClaimResult): string[] {
  const est = c.kind === "trend" && c.trends.length === 1
    ? `contrast ${num(c.estimate)} (${c.trends[0].means.map((m) => num(m.estimate)).join(" → ")})`
    : c.kind === "trend" && c.trends.length > 1
    ? `Stouffer z ${num(c.estimate, 2)}`
    : c.kind === "equivalence"
    ? `largest ratio ${num(c.estimate)}`
    : c.kind === "ordering"
    ? `share of replicates ${num(c.estimate, 2)}`
    : num(c.estimate);
  const ci = c.ciLow === null ? "" : ` [${num(c.ciLow)}, ${num(c.ciHigh)}]`;
  const n = c.networks ? `${c.networks.used} (${c.networks.converged})` : "–";
  const verdict = c.byConstruction ? `${c.verdict} (by construction, not counted)` : c.verdict;
  return [c.claim, c.source, est, num(c.p), num(c.q), `${num(c.value)}${ci}`, n, verdict, c.note];
}

/** How the verdicts are reached (printed above the claims table). */
export const VERDICT_RULE = "Each trend is tested on the per-population degeneracy (mean " +
  "pairwise distance, mean value or CV): a linear contrast of the population means over the " +
  "level ranks, with a t test whose standard error comes from a seeded bootstrap that resamples " +
  "networks within each population; several studies combine by Stouffer's method. Across all " +
  "rows with a p-value (rows true by construction excluded) the false-discovery rate is " +
  "controlled at 5% (Benjamini–Hochberg): adjusted p ≤ 0.05 and the paper's direction → " +
  "**reproduced**; adjusted p ≤ 0.05 and the other direction → **not reproduced**; otherwise " +
  "**inconclusive**; a level with fewer than " +
  `${MIN_NETWORKS_PER_LEVEL} networks with data for the metric → **insufficient data** (shown, ` +
  "not in the false-discovery family); no data for the metric → **not computed**. Equivalence rows (the sloppy " +
  "dimensions of §4) use two one-sided tests on the ratio of means with a margin of 80–125%. " +
  "Output-complexity rows hold or not on a fixed sample. The pooled Spearman ρ and its " +
  "bootstrap CI (the earlier statistic) and each trend's monotonicity and effect size are shown " +
  "beside it.";
