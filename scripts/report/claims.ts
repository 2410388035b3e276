/**
 * The claims table of the report: every claim of the paper the pipeline can test (per task:
 * DSA ↓, PIF ↑, distance from init ↑, OOD CV ↓ and dimensionality ↑ with complexity; output
 * complexity ↑ with the manipulated level; Table 1's five rows × two levels), the statistic
 * measured on this run, a seeded bootstrap confidence interval over networks, and a verdict.
 *
 * Statistic: Spearman's rank correlation ρ between the manipulated level of a variant (N,
 * N_freq, dims, auxiliary weight, penalty strength; for "representational load" minus the
 * hidden size) and the metric, pooling the units of all variants of the study: network pairs
 * for DSA and PIF, networks for distance from init and dimensionality, variants for the OOD
 * CV (a population statistic). Table 1's "increase task complexity" row averages ρ over the
 * experiment studies.
 *
 * Bootstrap: each replicate resamples, within every variant, its networks with replacement
 * (pairs made of two copies of one network are dropped), recomputes the statistic; the CI is
 * the 2.5–97.5 percentile interval. Verdict: CI excludes 0 on the paper's side → reproduced;
 * CI excludes 0 on the other side → not reproduced; otherwise (or fewer than 2 variants with
 * data) → inconclusive.
 */
import seedrandom from "npm:seedrandom@3.0.5";
import { coefficientOfVariation, spearman } from "../../mod.ts";

/** Data of one variant, aligned by network index (the networks used for statistics). */
export interface VariantData {
  study: string;
  variant: string;
  label: string;
  level: number;
  /** Measured task complexity in bits. */
  complexity: { input: number; output: number } | null;
  /** Ids of the networks used for statistics. */
  ids: string[];
  /** Per-network values aligned with `ids` (missing metric → absent key). */
  perNetwork: Partial<
    Record<"dimensionality" | "attractorness" | "distance_from_init" | "ood", number[]>
  >;
  /** Pairwise matrices aligned with `ids`. */
  pairwise: Partial<Record<"dsa" | "pif", number[][]>>;
}

/** Metrics a claim can test. */
export type ClaimMetric =
  | "dsa"
  | "pif"
  | "distance_from_init"
  | "ood_cv"
  | "dimensionality"
  | "output_complexity";

/** One testable claim. */
export interface ClaimSpec {
  id: string;
  /** Row group: a study name, or `table1`. */
  group: string;
  /** Human statement, e.g. "flip-flop: DSA decreases with complexity". */
  claim: string;
  /** Source in the paper. */
  source: string;
  metric: ClaimMetric;
  /** Studies pooled (ρ averaged over them). */
  studies: string[];
  /** +1 when the paper says the metric increases with the factor, −1 when it decreases. */
  direction: 1 | -1;
  /** Multiply levels by this before ranking (−1 turns hidden size into representational load). */
  levelSign: 1 | -1;
}

/** A computed row of the claims table. */
export interface ClaimResult extends ClaimSpec {
  statistic: string;
  value: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  /** Units entering the statistic (pairs, networks or variants), summed over studies. */
  units: number;
  verdict: "reproduced" | "not reproduced" | "inconclusive";
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
    if (metric === "output_complexity") {
      if (v.complexity) {
        x.push(lv);
        y.push(v.complexity.output);
      }
      return;
    }
    const idx = pick(v, vi);
    if (metric === "dsa" || metric === "pif") {
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
    } else {
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

/** Statistic of a claim on given resamples: mean over its studies of ρ (NaN-free studies only). */
function claimStatistic(
  spec: ClaimSpec,
  byStudy: Map<string, VariantData[]>,
  pick: (v: VariantData, vi: number) => number[],
): { rho: number; units: number; studiesWithData: number } {
  const rhos: number[] = [];
  let units = 0;
  for (const s of spec.studies) {
    const vs = byStudy.get(s) ?? [];
    const { x, y } = studyUnits(vs, spec.metric, spec.levelSign, pick);
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

/** Percentile of sorted values (linear interpolation), p in [0, 1]. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h), hi = Math.ceil(h);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (h - lo);
}

/** Verdict rule of the module doc. */
export function verdictOf(
  direction: 1 | -1,
  lo: number | null,
  hi: number | null,
): ClaimResult["verdict"] {
  if (lo === null || hi === null || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    return "inconclusive";
  }
  if (direction > 0 ? lo > 0 : hi < 0) return "reproduced";
  if (direction > 0 ? hi < 0 : lo > 0) return "not reproduced";
  return "inconclusive";
}

/**
 * Evaluates `specs` on the variants' data with `resamples` bootstrap replicates (seeded by
 * `seed` and the claim id, so each row is reproducible on its own).
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
  const identity = (v: VariantData) => v.ids.map((_, i) => i);
  return specs.map((spec) => {
    const point = claimStatistic(spec, byStudy, identity);
    const statistic = spec.metric === "output_complexity"
      ? "Spearman ρ(level, output entropy) over variants (deterministic)"
      : `Spearman ρ(${spec.levelSign < 0 ? "−level" : "level"}, ${unitName(spec.metric)})` +
        (spec.studies.length > 1 ? `, mean over ${spec.studies.length} studies` : "");
    if (point.studiesWithData === 0 || !Number.isFinite(point.rho)) {
      return {
        ...spec,
        statistic,
        value: null,
        ciLow: null,
        ciHigh: null,
        units: point.units,
        verdict: "inconclusive",
        note: "undefined: fewer than 2 variants with usable data, or no variation in the metric",
      };
    }
    let lo: number, hi: number;
    let note = "";
    if (spec.metric === "output_complexity") {
      lo = hi = point.rho;
      note = "measured on a fixed trial sample; no resampling";
    } else {
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
        const s = claimStatistic(spec, byStudy, pick).rho;
        if (Number.isFinite(s)) reps.push(s);
      }
      reps.sort((a, b) => a - b);
      if (reps.length < resamples / 2) {
        return {
          ...spec,
          statistic,
          value: point.rho,
          ciLow: null,
          ciHigh: null,
          units: point.units,
          verdict: "inconclusive",
          note: `only ${reps.length}/${resamples} bootstrap replicates defined`,
        };
      }
      lo = percentile(reps, 0.025);
      hi = percentile(reps, 0.975);
      if (point.studiesWithData < spec.studies.length) {
        note = `${point.studiesWithData}/${spec.studies.length} studies had data`;
      }
    }
    return {
      ...spec,
      statistic,
      value: point.rho,
      ciLow: lo,
      ciHigh: hi,
      units: point.units,
      verdict: verdictOf(spec.direction, lo, hi),
      note,
    };
  });
}

function unitName(m: ClaimMetric): string {
  switch (m) {
    case "dsa":
      return "pairwise DSA";
    case "pif":
      return "pairwise PIF";
    case "distance_from_init":
      return "distance from init per network";
    case "dimensionality":
      return "PCs for 95% variance per network";
    case "ood_cv":
      return "OOD-MSE CV per variant";
    case "output_complexity":
      return "output entropy";
  }
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

/**
 * The claims of the paper as testable specs. Per experiment study: output complexity ↑ with
 * the level (§3.1), dimensionality ↑ (§3.1, Fig. 2D), DSA ↓ (§3.2.1, Fig. 3A), PIF ↑ (§3.2.2,
 * Fig. 4A), distance from init ↑ (Fig. 4B), OOD CV ↓ (§3.2.3, Fig. 5). Table 1: five rows ×
 * {dynamical (DSA), weight (PIF)}.
 */
export function claimSpecs(): ClaimSpec[] {
  const out: ClaimSpec[] = [];
  const per: Array<[ClaimMetric, 1 | -1, string, string]> = [
    ["output_complexity", 1, "output complexity increases with the level", "§3.1, Fig. 2B"],
    ["dimensionality", 1, "dimensionality (PCs for 95% variance) increases", "§3.1, Fig. 2D"],
    ["dsa", -1, "dynamical degeneracy (DSA) decreases with complexity", "§3.2.1, Fig. 3A"],
    ["pif", 1, "weight degeneracy (PIF) increases with complexity", "§3.2.2, Fig. 4A"],
    ["distance_from_init", 1, "distance from init increases with complexity", "§3.2.2, Fig. 4B"],
    ["ood_cv", -1, "OOD-performance CV decreases with complexity", "§3.2.3, Fig. 5"],
  ];
  for (const s of EXPERIMENT_STUDIES) {
    for (const [metric, direction, text, source] of per) {
      out.push({
        id: `${s}.${metric}`,
        group: s,
        claim: `${TASK_LABEL[s]}: ${text}`,
        source,
        metric,
        studies: [s],
        direction,
        levelSign: 1,
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
      metric: "dsa",
      studies,
      direction: dynDir,
      levelSign,
    });
    out.push({
      id: `table1.${id}.weight`,
      group: "table1",
      claim: `${label}: weight degeneracy (PIF) ${wDir < 0 ? "↓" : "↑"}`,
      source,
      metric: "pif",
      studies,
      direction: wDir,
      levelSign,
    });
  }
  return out;
}
