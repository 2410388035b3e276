/**
 * The measurement-sensitivity study: a grid of measurement settings (other evaluation batches,
 * optimiser seeds, evaluation-trial counts, DSA delays × rank, learned-only vs all networks,
 * PIF normalisation) recomputed on the SAME trained networks of a run directory, as extra work
 * units of the run's graph (ids suffixed `@<setting>`), never retraining. A `sensitivity`
 * summary unit then recomputes every claim under each setting, splits each population's
 * variance by source (networks, evaluation batch, optimiser: metrics/noise.ts) and estimates
 * the networks each verdict needs (metrics/power.ts); the report shows it
 * (scripts/report/sensitivity.ts).
 *
 * Each setting is a value of `MeasureSettings` per population, derived from the run's own. Its
 * unit families share files with the run wherever they would compute the same numbers: a new
 * optimiser seed reuses the run's trajectories and DMD fits and recomputes only DSA and PIF
 * pairs; other DSA delays and rank refit from the run's trajectories; a learned-only setting
 * of a run that uses every network is a subset of the run's matrices (no units at all); PIF
 * relative to init is the run's own per-pair reading of size-varying studies (`pifInit`: each
 * PIF block also measures the pair's initial matrices), asked for every population. The files a
 * setting computes itself live in `OUT/sensitivity/<setting>/` in the run's layout.
 *
 * Pure (no file access): `planSensitivity` is called by `buildGraph`.
 *
 * @module
 */
import { join } from "./io.ts";
import { type DsaSettings, embeddingGeometry, EVAL_ROW_MARGIN, PRESETS } from "../presets.ts";
import type {
  MeasureDirs,
  MeasureFamily,
  MeasureSettings,
  VariantSettings,
} from "./units/graph.ts";

/** Options of a run that asks for a sensitivity grid (plan.json `options.sensitivity`). */
export interface SensitivityOptions {
  /** Grid name (a key of {@link SENSITIVITY_GRIDS}). */
  grid: string;
  /** Only these settings of the grid (default all). */
  settings?: string[];
}

/** What a setting varies. */
export type SettingDimension =
  | "batch"
  | "optimiser"
  | "trials"
  | "dsa"
  | "members"
  | "pif-normalisation";

/** One setting of a grid: what it changes relative to the run's own measurement. */
export interface GridSetting {
  /** File-name-safe id (`[a-z0-9-]+`). */
  id: string;
  /** Human label for tables. */
  label: string;
  /**
   * `noise`: a replicate of the run's own settings with another random seed (measures the
   * noise of one source); `alternative`: another choice of a setting (is the verdict robust?).
   */
  role: "noise" | "alternative";
  dimension: SettingDimension;
  /** Evaluation-batch replicate k: evaluation and OOD seeds + 100·k. */
  batchReplicate?: number;
  /** Optimiser replicate k: DSA and PIF seeds + k. */
  optimiserReplicate?: number;
  /** Trials of the evaluation batch (raised where the DSA embedding needs more). */
  evalTrials?: number;
  /** DSA delays / rank (restarts, score and interval stay the run's), or Table 2's per task. */
  dsa?: { delays: number; rank: number } | "table2";
  /**
   * Networks entering the statistics: `converged` means learned ones (converged in training and
   * below the trivial baselines on the learning batch, the hidden headers' `learned`).
   */
  useMembers?: "converged" | "all";
  /** PIF reading: per entry (PIF/n², the run's) or relative to the same pair at init. */
  pifNormalisation?: "relative-to-init";
}

/** A named grid. */
export interface Grid {
  description: string;
  settings: GridSetting[];
}

const NOISE: GridSetting[] = [
  {
    id: "batch2",
    label: "evaluation batch, seed 2",
    role: "noise",
    dimension: "batch",
    batchReplicate: 1,
  },
  {
    id: "batch3",
    label: "evaluation batch, seed 3",
    role: "noise",
    dimension: "batch",
    batchReplicate: 2,
  },
  {
    id: "optimiser2",
    label: "optimiser seed 2 (DSA, PIF)",
    role: "noise",
    dimension: "optimiser",
    optimiserReplicate: 1,
  },
  {
    id: "optimiser3",
    label: "optimiser seed 3 (DSA, PIF)",
    role: "noise",
    dimension: "optimiser",
    optimiserReplicate: 2,
  },
];

const dsaSetting = (delays: number, rank: number): GridSetting => ({
  id: `dsa${delays}x${rank}`,
  label: `DSA ${delays} delays / rank ${rank}`,
  role: "alternative",
  dimension: "dsa",
  dsa: { delays, rank },
});
const trialsSetting = (n: number): GridSetting => ({
  id: `trials${n}`,
  label: `${n} evaluation trials`,
  role: "alternative",
  dimension: "trials",
  evalTrials: n,
});
const TABLE2: GridSetting = {
  id: "table2",
  label: "DSA delays / rank of Table 2",
  role: "alternative",
  dimension: "dsa",
  dsa: "table2",
};
const PIF_RELATIVE: GridSetting = {
  id: "pif-relative",
  label: "PIF relative to the same pair at init",
  role: "alternative",
  dimension: "pif-normalisation",
  pifNormalisation: "relative-to-init",
};
const members = (use: "converged" | "all"): GridSetting => ({
  id: use === "converged" ? "learned" : "all",
  label: use === "converged" ? "learned networks only" : "all non-diverged networks",
  role: "alternative",
  dimension: "members",
  useMembers: use,
});

/**
 * The grids, one per preset (the default for a run of that preset). Each holds the noise
 * replicates (two more evaluation batches, two more optimiser seeds) and the alternatives.
 */
export const SENSITIVITY_GRIDS: Record<string, Grid> = {
  smoke: {
    description: "CI plumbing: one replicate per noise source and one alternative per dimension",
    settings: [
      NOISE[0],
      NOISE[2],
      trialsSetting(16),
      dsaSetting(4, 8),
      members("converged"),
      PIF_RELATIVE,
    ],
  },
  quick: {
    description: "the quick preset's DSA 10/50 and 32 trials against 10/100, 20/50, 20/200 and " +
      "Table 2, 16 and 64 trials, learned networks only and PIF relative to init",
    settings: [
      ...NOISE,
      trialsSetting(16),
      trialsSetting(64),
      dsaSetting(10, 100),
      dsaSetting(20, 50),
      dsaSetting(20, 200),
      TABLE2,
      members("converged"),
      PIF_RELATIVE,
    ],
  },
  paper: {
    description: "Table 2 and 50 trials against quick's DSA 10/50 and 20/200, 25 and 100 trials, " +
      "all non-diverged networks and PIF relative to init",
    settings: [
      ...NOISE,
      trialsSetting(25),
      trialsSetting(100),
      dsaSetting(10, 50),
      dsaSetting(20, 200),
      members("all"),
      PIF_RELATIVE,
    ],
  },
};

/** `OUT/sensitivity/summary.json`: the summary unit's output (`degeneracy.sensitivity/1`). */
export const sensitivitySummaryPath = (out: string) => join(out, "sensitivity", "summary.json");

/** Directory of a setting's own files (relative to OUT). */
export const settingDir = (id: string) => join("sensitivity", id);

/** Where a setting's metric files of one population are, and which networks enter. */
export interface SettingPopulation {
  /** The measurement settings its files were computed with. */
  measure: MeasureSettings;
  /** Directories (relative to OUT, "" = the run's) of each metric family's files. */
  dirs: { pernet: string; dsa: string; pif: string };
  /**
   * Every PIF claim reads PIF relative to the same pair at init (`extra.relativeToInit` of the
   * PIF file in `dirs.pif`, computed with `pifInit`).
   */
  pifRelative: boolean;
  /** Networks entering the statistics (a subset of those computed when narrower). */
  useMembers: "converged" | "all";
  /** What differs from the setting's nominal values (e.g. trials raised for the geometry). */
  notes: string[];
}

/** A setting of the grid, resolved for every population. */
export interface ResolvedSetting extends GridSetting {
  /** Per population (`study/variant`). */
  populations: Record<string, SettingPopulation>;
}

/** A population's measurement under a setting, with the unit families it computes itself. */
export type MeasureVariant = VariantSettings & { families: MeasureFamily[] };

/** The resolved grid of a run. */
export interface SensitivityPlan {
  grid: string;
  description: string;
  /** The run's own measurement, per population (`study/variant`). */
  base: Record<string, SettingPopulation>;
  settings: ResolvedSetting[];
  /** Populations × settings that compute files of their own (the graph's extra units). */
  measureVariants: MeasureVariant[];
  /** Invalid settings (each naming setting, study, variant and the numbers). */
  problems: string[];
}

/** Checks sensitivity options; throws naming the field and the allowed values. */
export function checkSensitivityOptions(o: SensitivityOptions): void {
  if (!o || typeof o !== "object") throw new Error("sensitivity: must be an object");
  if (!(o.grid in SENSITIVITY_GRIDS)) {
    throw new Error(
      `sensitivity.grid: unknown grid "${o.grid}" (allowed: ${
        Object.keys(SENSITIVITY_GRIDS).join(", ")
      })`,
    );
  }
  const ids = SENSITIVITY_GRIDS[o.grid].settings.map((s) => s.id);
  for (const s of o.settings ?? []) {
    if (!ids.includes(s)) {
      throw new Error(
        `sensitivity.settings: "${s}" is not a setting of grid ${o.grid} (allowed: ${
          ids.join(", ")
        })`,
      );
    }
  }
  if (o.settings && o.settings.length === 0) {
    throw new Error("sensitivity.settings: give at least one setting, or omit it for all");
  }
}

/** The settings of a grid the options select, in grid order. */
export function selectedSettings(o: SensitivityOptions): GridSetting[] {
  checkSensitivityOptions(o);
  const all = SENSITIVITY_GRIDS[o.grid].settings;
  return o.settings ? all.filter((s) => o.settings!.includes(s.id)) : all;
}

const EVAL_SEED_STEP = 100;

interface Derived {
  measure: MeasureSettings;
  sizes: VariantSettings["sizes"];
  notes: string[];
  problem: string | null;
}

/** The computing measurement of population `v` under setting `g` (useMembers widened). */
function derive(v: VariantSettings, g: GridSetting): Derived {
  const base = v.measure;
  const notes: string[] = [];
  let dsa: DsaSettings = { ...base.dsa };
  if (g.dsa === "table2") {
    const t = PRESETS.paper.dsa[v.family];
    dsa = { ...dsa, delays: t.delays, delayInterval: t.delayInterval, rank: t.rank };
  } else if (g.dsa) dsa = { ...dsa, delays: g.dsa.delays, rank: g.dsa.rank };
  const H = v.sizes.hidden;
  let evalTrials = g.evalTrials ?? base.evalTrials;
  const geom = embeddingGeometry(dsa, H, v.sizes.steps, base.dsaSteps, 1);
  let problem: string | null = null;
  if (geom.rowsPerTrial < 2) {
    problem = `setting ${g.id}, study ${v.study}, variant ${v.variant}: DSA delays ${dsa.delays} ` +
      `× interval ${dsa.delayInterval} need more than ${geom.steps} steps per trial`;
  } else {
    const need = Math.ceil((EVAL_ROW_MARGIN * geom.columns) / geom.rowsPerTrial);
    if (evalTrials < need) {
      notes.push(
        `evaluation trials raised from ${evalTrials} to ${need} (DSA embedding: ` +
          `${geom.columns} columns, ${geom.rowsPerTrial} rows per trial)`,
      );
      evalTrials = need;
    }
  }
  const k = g.batchReplicate ?? 0, s = g.optimiserReplicate ?? 0;
  const useMembers = g.useMembers ?? base.useMembers;
  const computeMembers = base.useMembers === "all" || useMembers === "all" ? "all" : "converged";
  const rankAsked = Math.min(dsa.rank, H * dsa.delays);
  if (rankAsked < dsa.rank) notes.push(`DSA rank capped at ${rankAsked} (units × delays)`);
  const measure: MeasureSettings = {
    ...base,
    evalTrials,
    evalSeed: base.evalSeed + EVAL_SEED_STEP * k,
    oodSeed: base.oodSeed + EVAL_SEED_STEP * k,
    dsa,
    dsaSeed: base.dsaSeed + s,
    rankAsked,
    pifSeed: base.pifSeed + s,
    useMembers: computeMembers,
    pifInit: base.pifInit || g.pifNormalisation === "relative-to-init",
  };
  const g2 = embeddingGeometry(dsa, H, v.sizes.steps, base.dsaSteps, evalTrials);
  const sizes = {
    ...v.sizes,
    evalTrials,
    dsaSteps: g2.steps,
    delays: dsa.delays,
    delayInterval: dsa.delayInterval,
    rank: rankAsked,
    dsaRestarts: dsa.restarts,
    pifInit: measure.pifInit,
  };
  return { measure, sizes, notes, problem };
}

const keyOf = {
  hidden: (m: MeasureSettings) =>
    JSON.stringify([m.evalTrials, m.evalSeed, m.oodTrials, m.oodSeed, m.useMembers]),
  fit: (m: MeasureSettings) =>
    JSON.stringify([
      keyOf.hidden(m),
      m.dsa.delays,
      m.dsa.delayInterval,
      m.rankAsked,
      m.dsaSteps,
    ]),
  dsa: (m: MeasureSettings) =>
    JSON.stringify([keyOf.fit(m), m.dsa.score, m.dsa.restarts, m.dsaSeed]),
  pif: (m: MeasureSettings) => JSON.stringify([m.pifRestarts, m.pifSeed, m.useMembers, m.pifInit]),
};

/**
 * Resolves a grid for a run's populations: each setting's measurement per population, which
 * files it shares with the run or an earlier setting, and the populations × settings that
 * compute files of their own (with the unit families they add). Pure.
 */
export function planSensitivity(
  options: SensitivityOptions,
  variants: VariantSettings[],
): SensitivityPlan {
  const settings = selectedSettings(options);
  const problems: string[] = [];
  const base: Record<string, SettingPopulation> = {};
  const resolved: ResolvedSetting[] = settings.map((g) => ({ ...g, populations: {} }));
  const measureVariants: MeasureVariant[] = [];
  for (const v of variants) {
    const pop = `${v.study}/${v.variant}`;
    // owners of each family's files: "" for the run's own
    const owner = new Map<string, string>();
    const m0 = v.measure;
    owner.set(`hidden:${keyOf.hidden(m0)}`, "");
    owner.set(`fit:${keyOf.fit(m0)}`, "");
    owner.set(`dsa:${keyOf.dsa(m0)}`, "");
    owner.set(`pif:${keyOf.pif(m0)}`, "");
    base[pop] = {
      measure: v.measure,
      dirs: { pernet: "", dsa: "", pif: "" },
      pifRelative: false,
      useMembers: v.measure.useMembers,
      notes: [],
    };
    settings.forEach((g, gi) => {
      const d = derive(v, g);
      if (d.problem) {
        problems.push(d.problem);
        return;
      }
      const own = settingDir(g.id);
      const families: MeasureFamily[] = [];
      const claim = (family: MeasureFamily, key: string, dir: string) => {
        const k = `${family}:${key}`;
        if (!owner.has(k)) {
          owner.set(k, dir);
          families.push(family);
          return { dir, owned: true };
        }
        return { dir: owner.get(k)!, owned: false };
      };
      const hidden = claim("hidden", keyOf.hidden(d.measure), own);
      const fit = claim("fit", keyOf.fit(d.measure), own);
      const dsa = claim("dsa", keyOf.dsa(d.measure), own);
      const pif = claim("pif", keyOf.pif(d.measure), own);
      const pifRelative = g.pifNormalisation === "relative-to-init";
      if (families.length) {
        const dirs: MeasureDirs = {
          hidden: hidden.dir,
          fits: fit.dir,
          dsa: dsa.dir,
          pif: pif.dir,
          metrics: own,
        };
        measureVariants.push({
          ...v,
          setting: g.id,
          evalTrials: d.measure.evalTrials,
          rankAsked: d.measure.rankAsked,
          measure: d.measure,
          sizes: d.sizes,
          dirs,
          families,
        });
      }
      resolved[gi].populations[pop] = {
        measure: d.measure,
        dirs: { pernet: hidden.dir, dsa: dsa.dir, pif: pif.dir },
        pifRelative,
        useMembers: g.useMembers ?? v.measure.useMembers,
        notes: [
          ...d.notes,
          ...(families.length === 0
            ? [
              g.useMembers && g.useMembers !== d.measure.useMembers
                ? "the run's files, restricted to its learned networks"
                : pifRelative
                ? "the run's PIF file (its studies already measure each pair at init)"
                : "computes nothing new (every file shared with the run or another setting)",
            ]
            : []),
        ],
      };
    });
  }
  return {
    grid: options.grid,
    description: SENSITIVITY_GRIDS[options.grid].description,
    base,
    settings: resolved,
    measureVariants,
    problems,
  };
}
