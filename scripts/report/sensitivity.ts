/**
 * The measurement-sensitivity summary of a run directory (the `sensitivity` work unit): reads
 * the run's metric files and those of every setting of its sensitivity grid
 * (scripts/lib/sensitivity.ts), and writes `OUT/sensitivity/summary.json`
 * (`degeneracy.sensitivity/1`) with
 *
 * - every claim recomputed under each setting (the claims table's own statistics,
 *   `evaluateClaims`), the verdicts side by side and whether the verdict is stable across the
 *   noise replicates and across the alternative settings (which dimensions it hinges on);
 * - per population and metric, the variance of the degeneracy statistic by source: networks
 *   (Hoeffding components), evaluation batch and optimiser (from the replicate settings),
 *   `noiseSplit` of metrics/noise.ts; per claim the split of its contrast's variance and the
 *   dominant source;
 * - per trend claim the networks per population the verdict needs at 80% power for a reference
 *   effect (a 20% change of the population statistic between the lowest and highest level, in
 *   the paper's direction; see {@link REFERENCE_CHANGE}), for the effect this run measured, and
 *   the smallest change the preset's population size detects (metrics/power.ts).
 *
 * The report (scripts/report/sensitivity_view.ts) renders it and adds each population's
 * shared measurement variance to the main claims table's intervals.
 *
 * @module
 */
import {
  contrastNoise,
  minimalDetectableChange,
  type NoiseSource,
  type NoiseSplit,
  noiseSplit,
  type PopulationData,
  type PowerPopulation,
  requiredNetworks,
  trendContrastWeights,
} from "../../mod.ts";
import { readDone, writeJsonAtomic } from "../lib/io.ts";
import { hiddenPath, metricPath, unitTimingPath } from "../lib/layout.ts";
import {
  type HiddenFile,
  type MetricFile,
  SCHEMA,
  type UnitTimingFile,
  upgradeMetricFile,
} from "../lib/formats.ts";
import type { Graph } from "../lib/units/graph.ts";
import {
  type ResolvedSetting,
  type SensitivityPlan,
  sensitivitySummaryPath,
  type SettingPopulation,
} from "../lib/sensitivity.ts";
import { loadRun } from "../report.ts";
import type { FixedPointData } from "./fixed_points.ts";
import {
  applyMeasurementVariance,
  type ClaimPower,
  type ClaimSensitivity,
  SENSITIVITY_SCHEMA,
  type SensitivitySummary,
  type SettingRow,
  type Stability,
  type StoredNoiseSplit,
} from "./sensitivity_view.ts";
import {
  type ClaimMetric,
  type ClaimResult,
  type ClaimSpec,
  claimSpecs,
  evaluateClaims,
  populationOf,
  type VariantData,
  type Verdict,
} from "./claims.ts";

/**
 * The reference effect of the power estimates: a relative change of 20% of the population
 * statistic between the lowest and the highest level, in the paper's direction. Our copy of the
 * paper gives directions only ("decreases consistently", "increases consistently"): its figures
 * are images that are not in it and the text quotes no values, so the paper's effect size
 * cannot be read off. 20% is our assumption of a change that a figure of population
 * distributions shows as "consistent"; the summary also gives the networks needed for the
 * effect this run measured and the smallest change the preset's population size detects,
 * which need no assumption.
 */
export const REFERENCE_CHANGE = 0.2;

/** Metrics whose measurement noise is split by source, with the sources that apply. */
const NOISE_METRICS: Partial<Record<ClaimMetric, { batch: boolean; optimiser: boolean }>> = {
  dsa: { batch: true, optimiser: true },
  pif: { batch: false, optimiser: true },
  ood_cv: { batch: true, optimiser: false },
  dimensionality: { batch: true, optimiser: false },
  distance_from_init: { batch: false, optimiser: false },
};

/**
 * Per population: network id → whether it learned the task (the run's hidden headers' `learned`:
 * converged in training and below the trivial baselines on the learning batch).
 */
async function learnedOf(out: string, graph: Graph): Promise<Map<string, Map<string, boolean>>> {
  const res = new Map<string, Map<string, boolean>>();
  for (const v of graph.variants) {
    const m = new Map<string, boolean>();
    for (let k = 0; k < graph.preset.members; k++) {
      const path = hiddenPath(out, v.study, v.variant, k);
      const h = await readDone<HiddenFile>(path, SCHEMA.hidden);
      if (!h) throw new Error(`${path}: missing or not a ${SCHEMA.hidden} file`);
      m.set(h.network, h.learned === true);
    }
    res.set(`${v.study}/${v.variant}`, m);
  }
  return res;
}

async function readMetricFile(path: string): Promise<MetricFile | null> {
  let raw: unknown;
  try {
    raw = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound || e instanceof SyntaxError) return null;
    throw e;
  }
  const f = upgradeMetricFile(raw, path);
  if (f instanceof Error) throw f;
  return f;
}

/** Values of a metric file re-ordered to `ids` (null when an id is missing). */
function alignValues(f: MetricFile, ids: string[]): number[] | null {
  const pos = new Map(f.ids.map((id, i) => [id, i]));
  const out: number[] = [];
  for (const id of ids) {
    const i = pos.get(id);
    if (i === undefined || !f.values) return null;
    out.push(f.values[i]);
  }
  return out;
}

/**
 * Matrix of a metric file re-ordered to `ids` (null when an id is missing); `relative`: its PIF
 * relative to init (`extra.relativeToInit`) instead of its matrix.
 */
function alignMatrix(f: MetricFile, ids: string[], relative = false): number[][] | null {
  const pos = new Map(f.ids.map((id, i) => [id, i]));
  const idx = ids.map((id) => pos.get(id));
  const m = relative ? f.extra?.relativeToInit as number[][] | undefined : f.matrix;
  if (!Array.isArray(m) || m.length !== f.ids.length || idx.some((i) => i === undefined)) {
    return null;
  }
  return idx.map((i) => idx.map((j) => m[i!][j!]));
}

/**
 * The variants' data under one setting: the run's data with the metric families the setting
 * computed itself read from its files, PIF replaced by its reading relative to init when the
 * setting asks for it, and the networks narrowed to learned ones when it does. Populations the
 * setting does not cover are left out.
 */
export async function settingVariants(
  out: string,
  base: VariantData[],
  setting: ResolvedSetting,
  learned: Map<string, Map<string, boolean>>,
  runMembers: "converged" | "all",
): Promise<{ variants: VariantData[]; notes: string[] }> {
  const variants: VariantData[] = [];
  const notes: string[] = [];
  for (const vd of base) {
    const key = `${vd.study}/${vd.variant}`;
    const sp: SettingPopulation | undefined = setting.populations[key];
    if (!sp) continue;
    const read = async (dir: string, metric: string) => {
      const f = await readMetricFile(metricPath(`${out}/${dir}`, vd.study, vd.variant, metric));
      if (!f) notes.push(`${key}: ${dir}/…/${metric}.json missing`);
      return f;
    };
    // the setting computed on the run's networks (same ids) unless it widened them
    let ids = vd.ids;
    if (sp.measure.useMembers !== runMembers) {
      const f = await read(sp.dirs.dsa, "dsa") ?? await read(sp.dirs.pernet, "dimensionality");
      if (!f) continue;
      ids = f.ids;
    }
    const sameIds = JSON.stringify(ids) === JSON.stringify(vd.ids);
    const x: VariantData = {
      ...vd,
      ids,
      perNetwork: sameIds ? { ...vd.perNetwork } : {},
      pairwise: sameIds ? { ...vd.pairwise } : {},
    };
    if (sp.dirs.pernet !== "" || !sameIds) {
      for (
        const m of [
          "dimensionality",
          "attractorness",
          "distance_from_init",
          "relative_distance_from_init",
          "ood",
        ] as const
      ) {
        const f = await read(sp.dirs.pernet, m);
        const v = f ? alignValues(f, ids) : null;
        if (v) x.perNetwork[m] = v;
        else delete x.perNetwork[m];
      }
    }
    for (const m of ["dsa", "pif"] as const) {
      const dir = sp.dirs[m];
      if (dir === "" && sameIds) continue;
      const f = await read(dir, m);
      const mat = f ? alignMatrix(f, ids) : null;
      if (mat) x.pairwise[m] = mat;
      else delete x.pairwise[m];
    }
    if (sp.pifRelative) {
      const f = await read(sp.dirs.pif, "pif");
      const rel = f ? alignMatrix(f, ids, true) : null;
      if (rel) {
        x.pairwise.pif = rel;
        x.pairwise.pif_relative = rel;
      } else {
        if (f) notes.push(`${key}: ${sp.dirs.pif}/…/pif.json has no extra.relativeToInit`);
        delete x.pairwise.pif;
        delete x.pairwise.pif_relative;
      }
    }
    if (!sameIds) delete x.fixedPoints;
    if (sp.useMembers === "converged" && !(sp.measure.useMembers === "converged")) {
      const st = learned.get(key)!;
      const keep = ids.map((id, i) => [id, i] as const).filter(([id]) => st.get(id) === true)
        .map(([, i]) => i);
      x.ids = keep.map((i) => ids[i]);
      if (x.fixedPoints) x.fixedPoints = restrictFixedPoints(x.fixedPoints, keep);
      for (const k of Object.keys(x.perNetwork) as (keyof VariantData["perNetwork"])[]) {
        x.perNetwork[k] = keep.map((i) => x.perNetwork[k]![i]);
      }
      for (const k of Object.keys(x.pairwise) as (keyof VariantData["pairwise"])[]) {
        const mat = x.pairwise[k]!;
        x.pairwise[k] = keep.map((i) => keep.map((j) => mat[i][j]));
      }
    }
    if (x.networks) x.networks = { ...x.networks, used: x.ids.length };
    variants.push(x);
  }
  return { variants, notes };
}

/** Fixed points of the networks at indices `keep` (per-network fields; the rest unchanged). */
function restrictFixedPoints(f: FixedPointData, keep: number[]): FixedPointData {
  const pick = <T>(a: T[]) => keep.map((i) => a[i]);
  return {
    ...f,
    stable: pick(f.stable),
    stableByInput: pick(f.stableByInput),
    fixedPoints: pick(f.fixedPoints),
    byUnstableDims: pick(f.byUnstableDims),
    lineAttractorLength: pick(f.lineAttractorLength),
    status: pick(f.status),
    corners: pick(f.corners),
  };
}

/** The compact form of a claim result under one setting. */
function rowOf(setting: string, c: ClaimResult): SettingRow {
  return {
    setting,
    verdict: c.verdict,
    estimate: c.estimate,
    p: c.p,
    q: c.q,
    trends: c.trends.map((t) => ({
      study: t.study,
      levels: t.levels,
      sizes: t.sizes,
      means: t.means.map((m) => ({ estimate: m.estimate, ciLow: m.ciLow, ciHigh: m.ciHigh })),
      contrast: {
        estimate: t.contrast.estimate,
        ciLow: t.contrast.ciLow,
        ciHigh: t.contrast.ciHigh,
        p: t.contrast.p,
      },
      monotone: t.monotone,
    })),
    used: c.networks?.used ?? null,
  };
}

/** Stability of a claim's verdict over its rows (`base`, then one per setting). */
export function stabilityOf(
  rows: SettingRow[],
  settings: { id: string; role: "noise" | "alternative"; dimension: string }[],
): Stability {
  // a setting that cannot decide the claim (too few networks in a level) is reported apart: it
  // neither makes the verdict unstable nor moves its sign
  const undecidable = (r: SettingRow) =>
    r.verdict === "insufficient data" && r.setting !== "base" && r.setting !== "base+noise";
  const computed = rows.filter((r) =>
    r.verdict !== "not computed" && r.setting !== "base+noise" && !undecidable(r)
  );
  const verdicts: Partial<Record<Verdict, number>> = {};
  for (const r of computed) verdicts[r.verdict] = (verdicts[r.verdict] ?? 0) + 1;
  const base = rows.find((r) => r.setting === "base");
  const role = new Map(settings.map((s) => [s.id, s]));
  const differs = (r: SettingRow) => base !== undefined && r.verdict !== base.verdict;
  const of = (kind: "noise" | "alternative") =>
    computed.filter((r) => role.get(r.setting)?.role === kind);
  const hinges = new Set<string>();
  for (const r of computed) if (differs(r)) hinges.add(role.get(r.setting)?.dimension ?? "?");
  const sign = (x: number | null) => (x === null || !Number.isFinite(x) ? 0 : Math.sign(x));
  const s0 = sign(base?.estimate ?? null);
  return {
    computed: computed.length,
    verdicts,
    stable: computed.length > 0 && Object.keys(verdicts).length === 1,
    stableUnderNoise: of("noise").every((r) => !differs(r)),
    stableUnderAlternatives: of("alternative").every((r) => !differs(r)),
    hingesOn: [...hinges],
    directionStable: s0 !== 0 && computed.every((r) => sign(r.estimate) === s0),
    undecided: rows.filter(undecidable).map((r) => r.setting),
  };
}

/** The noise split of every population and metric, from the base and the replicate settings. */
export function noiseByPopulation(
  base: VariantData[],
  replicates: { batch: VariantData[][]; optimiser: VariantData[][] },
): Record<string, Partial<Record<ClaimMetric, StoredNoiseSplit>>> {
  const out: Record<string, Partial<Record<ClaimMetric, StoredNoiseSplit>>> = {};
  for (const vd of base) {
    const key = `${vd.study}/${vd.variant}`;
    const res: Partial<Record<ClaimMetric, StoredNoiseSplit>> = {};
    for (
      const [metric, applies] of Object.entries(NOISE_METRICS) as [
        ClaimMetric,
        { batch: boolean; optimiser: boolean },
      ][]
    ) {
      const d0 = populationOf(vd, metric);
      if (!d0) continue;
      if (d0.kind === "pairwise" && d0.matrix.length < 4) continue;
      const same = (list: VariantData[][]) => {
        const ds: PopulationData[] = [d0];
        for (const vs of list) {
          const v = vs.find((x) => x.study === vd.study && x.variant === vd.variant);
          if (!v || JSON.stringify(v.ids) !== JSON.stringify(vd.ids)) return undefined;
          const d = populationOf(v, metric);
          if (!d) return undefined;
          ds.push(d);
        }
        return ds.length >= 2 ? ds : undefined;
      };
      try {
        res[metric] = noiseSplit(d0, {
          ...(applies.batch ? { batch: same(replicates.batch) } : {}),
          ...(applies.optimiser ? { optimiser: same(replicates.optimiser) } : {}),
        });
      } catch {
        // statistic undefined (e.g. a CV of zeros): no split for this metric
      }
    }
    out[key] = res;
  }
  return out;
}

function claimNoise(
  spec: ClaimSpec,
  base: VariantData[],
  noise: SensitivitySummary["noise"],
): ClaimSensitivity["noise"] {
  if (spec.kind !== "trend") return null;
  const shares: Record<NoiseSource, number>[] = [];
  for (const s of spec.studies) {
    const vs = base.filter((v) => v.study === s).sort((a, b) =>
      spec.levelSign * a.level - spec.levelSign * b.level
    );
    const splits = vs.map((v) => noise[`${v.study}/${v.variant}`]?.[spec.metric]);
    if (vs.length < 2 || splits.some((x) => !x)) continue;
    shares.push(contrastNoise(trendContrastWeights(vs.length), splits as NoiseSplit[]).shares);
  }
  if (!shares.length) return null;
  const mean: Record<NoiseSource, number> = { networks: 0, batch: 0, optimiser: 0 };
  for (const sh of shares) {
    for (const k of Object.keys(mean) as NoiseSource[]) mean[k] += sh[k] / shares.length;
  }
  const dominant = (Object.keys(mean) as NoiseSource[]).reduce((a, k) => mean[k] > mean[a] ? k : a);
  return { shares: mean, dominant };
}

function claimPower(
  spec: ClaimSpec,
  base: VariantData[],
  baseResult: ClaimResult,
  noise: SensitivitySummary["noise"],
  members: number,
): ClaimPower | null {
  if (spec.kind !== "trend" || spec.direction === 0 || spec.byConstruction) return null;
  const studies: PowerPopulation[][] = [];
  for (const s of spec.studies) {
    const pops: PowerPopulation[] = [];
    for (const v of base.filter((x) => x.study === s)) {
      const split = noise[`${v.study}/${v.variant}`]?.[spec.metric];
      if (!split) continue;
      pops.push({
        level: spec.levelSign * v.level,
        statistic: split.statistic,
        model: split.model,
        // as if the measurement variance were known (its few replicates' df describe our
        // estimate, not the design whose size we ask for)
        shared: split.addOn.variance > 0
          ? { variance: split.addOn.variance, df: Infinity }
          : undefined,
      });
    }
    if (pops.length >= 2) studies.push(pops);
  }
  if (!studies.length) return null;
  const referenceChange = spec.direction * REFERENCE_CHANGE;
  const changes = baseResult.trends.map((t) => t.effect.relativeChange).filter(Number.isFinite);
  const observedChange = changes.length
    ? changes.reduce((a, b) => a + b, 0) / changes.length
    : null;
  const observed = observedChange !== null && Math.sign(observedChange) === spec.direction
    ? requiredNetworks(studies, observedChange)
    : null;
  return {
    members,
    referenceChange,
    reference: requiredNetworks(studies, referenceChange),
    observedChange,
    observed,
    minimalDetectableChange: minimalDetectableChange(studies, Math.max(4, members)),
  };
}

/** Measured and estimated seconds of each setting's own units (from `OUT/timings`). */
async function settingCosts(out: string, graph: Graph, id: string) {
  let units = 0, measuredSeconds = 0, estimatedSeconds = 0;
  for (const st of graph.stages) {
    for (const u of st.units) {
      if (!u.id.endsWith(`@${id}`)) continue;
      units++;
      estimatedSeconds += u.coreSeconds;
      const t = await readDone<UnitTimingFile>(unitTimingPath(out, u.id), SCHEMA.unitTiming);
      if (t) measuredSeconds += t.seconds;
    }
  }
  return { units, measuredSeconds, estimatedSeconds };
}

/** Computes the summary of a run directory whose graph has a sensitivity grid. */
export async function sensitivitySummary(out: string, graph: Graph): Promise<SensitivitySummary> {
  const plan: SensitivityPlan | null = graph.sensitivity;
  if (!plan) throw new Error("the run's options ask for no sensitivity grid");
  const data = await loadRun(out);
  const preset = graph.preset;
  const learned = await learnedOf(out, graph);
  const specs = claimSpecs();
  const base = data.variants;
  const evaluate = (vs: VariantData[]) => evaluateClaims(specs, vs, preset.bootstrap, preset.seed);
  const perSetting = new Map<string, { variants: VariantData[]; claims: ClaimResult[] }>();
  const settingNotes = new Map<string, string[]>();
  for (const s of plan.settings) {
    const { variants, notes } = await settingVariants(
      out,
      base,
      s,
      learned,
      preset.useMembers,
    );
    settingNotes.set(s.id, notes);
    perSetting.set(s.id, { variants, claims: evaluate(variants) });
  }
  const pick = (dim: string) =>
    plan.settings.filter((s) => s.role === "noise" && s.dimension === dim).map((s) =>
      perSetting.get(s.id)!.variants
    );
  const noise = noiseByPopulation(base, { batch: pick("batch"), optimiser: pick("optimiser") });
  const baseClaims = evaluate(base);
  const noisyClaims = evaluate(applyMeasurementVariance(base, noise));
  const claims: ClaimSensitivity[] = specs.filter((s) => s.kind !== "complexity").map((spec) => {
    const idx = specs.indexOf(spec);
    const rows = [
      rowOf("base", baseClaims[idx]),
      rowOf("base+noise", noisyClaims[idx]),
      ...plan.settings.map((s) => rowOf(s.id, perSetting.get(s.id)!.claims[idx])),
    ];
    return {
      id: spec.id,
      claim: spec.claim,
      kind: spec.kind,
      metric: spec.metric,
      direction: spec.direction,
      studies: spec.studies,
      byConstruction: Boolean(spec.byConstruction),
      rows,
      stability: stabilityOf(rows, plan.settings),
      noise: claimNoise(spec, base, noise),
      power: claimPower(spec, base, baseClaims[idx], noise, preset.members),
    };
  });
  const settings: SensitivitySummary["settings"] = [];
  for (const s of plan.settings) {
    const notes: Record<string, string[]> = {};
    for (const [pop, p] of Object.entries(s.populations)) if (p.notes.length) notes[pop] = p.notes;
    const extra = settingNotes.get(s.id) ?? [];
    if (extra.length) notes["(files)"] = extra;
    settings.push({
      id: s.id,
      label: s.label,
      role: s.role,
      dimension: s.dimension,
      notes,
      ...(await settingCosts(out, graph, s.id)),
    });
  }
  return {
    schema: SENSITIVITY_SCHEMA,
    preset: preset.name,
    grid: plan.grid,
    description: plan.description,
    referenceChange: REFERENCE_CHANGE,
    settings,
    noise,
    claims,
  };
}

/** The `sensitivity` unit: computes the summary and writes it atomically. */
export async function writeSensitivitySummary(out: string, graph: Graph): Promise<void> {
  const s = await sensitivitySummary(out, graph);
  await writeJsonAtomic(sensitivitySummaryPath(out), s);
}
