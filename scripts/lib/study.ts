/**
 * The pipeline of one study (a set of populations differing in one factor): task complexity
 * of each variant, training (resumable per network file), and the metrics of §3.1–3.3
 * (resumable per metric file). Used by every experiment and control script and by
 * `scripts/reproduce.ts`. All writes go under the run directory, atomically.
 */
import type { Task } from "../../tasks/types.ts";
import type { NetworkRecord, TrainingConfig } from "../../rnn/types.ts";
import { getPreset, type Preset } from "../presets.ts";
import * as E from "./engine.ts";
import { exists, readDone, readJson, removeStaleTemps, writeJsonAtomic } from "./io.ts";
import { complexityPath, configPath, metricPath, networkPath, SCHEMA } from "./layout.ts";
import { type StudyPlan, validatePlan, type VariantPlan } from "./plan.ts";
import { fmtDuration, Progress } from "./progress.ts";
import { parseCommon, usage } from "./cli.ts";

/** Seed of the fixed evaluation batch (hidden trajectories), shared by all networks of a variant. */
export const EVAL_SEED = 900_001;
/** Seed of the OOD batch. */
export const OOD_SEED = 900_002;
/** Seed of the complexity sample. */
export const COMPLEXITY_SEED = 900_003;

/** Metric files written per variant, in computing order. */
export const METRICS = [
  "dimensionality",
  "attractorness",
  "distance_from_init",
  "ood",
  "pif",
  "dsa",
  "mds",
] as const;
export type MetricName = typeof METRICS[number];

/** Options of the pipeline stages. */
export interface RunOptions {
  out: string;
  backend: string;
  quiet: boolean;
  progress?: Progress;
}

/** A variant with its task and resolved training configuration. */
export interface ResolvedVariant {
  plan: VariantPlan;
  task: Task;
  config: TrainingConfig;
}

/** Builds the task and the training configuration (Appendix A + preset + variant overrides). */
export function resolveVariant(preset: Preset, study: StudyPlan, v: VariantPlan): ResolvedVariant {
  const task = E.makeTask(v.task);
  if (task.name !== study.family) {
    throw new Error(
      `study ${study.name}: variant ${v.id} task must be ${study.family}, got ${task.name}`,
    );
  }
  const config = E.trainingConfig(task, preset.training[study.family], v.training);
  return { plan: v, task, config };
}

/** The JSON of `OUT/config.json`: the preset and every study's resolved variants. */
export interface RunConfig {
  schema: typeof SCHEMA.config;
  preset: Preset;
  backend: string;
  studies: Record<string, {
    plan: StudyPlan;
    variants: Record<string, { taskId: string; taskParams: unknown; training: TrainingConfig }>;
  }>;
}

/** A preset without its execution-only fields (they do not change any result). */
function scientific(p: Preset): Record<string, unknown> {
  const { dsaWorkers: _w, chunk: _c, notes: _n, description: _d, ...rest } = p;
  return rest;
}

/**
 * Writes (or extends) `OUT/config.json` with the preset and the studies' resolved settings.
 * Throws when OUT already holds a run made with different settings, so results of two
 * configurations never mix; adding a new study to an existing run is allowed.
 */
export async function ensureConfig(
  out: string,
  preset: Preset,
  studies: StudyPlan[],
  backend: string,
): Promise<RunConfig> {
  const path = configPath(out);
  const prev = await readDone<RunConfig>(path, SCHEMA.config);
  const cfg: RunConfig = prev ?? { schema: SCHEMA.config, preset, backend, studies: {} };
  if (prev && JSON.stringify(scientific(prev.preset)) !== JSON.stringify(scientific(preset))) {
    throw new Error(
      `${path}: this run directory was made with preset "${prev.preset.name}" ` +
        `(members ${prev.preset.members}); use another --out for preset "${preset.name}" ` +
        `(members ${preset.members})`,
    );
  }
  let changed = !prev;
  for (const s of studies) {
    validatePlan(s);
    const variants: RunConfig["studies"][string]["variants"] = {};
    for (const v of s.variants) {
      const r = resolveVariant(preset, s, v);
      variants[v.id] = { taskId: r.task.id, taskParams: r.task.params, training: r.config };
    }
    const entry = { plan: s, variants };
    const old = cfg.studies[s.name];
    if (old && JSON.stringify(old) !== JSON.stringify(entry)) {
      throw new Error(
        `${path}: study ${s.name} was run here with other variants or settings; ` +
          `use another --out (old variants: ${Object.keys(old.variants).join(", ")})`,
      );
    }
    if (!old) {
      cfg.studies[s.name] = entry;
      changed = true;
    }
  }
  if (changed) await writeJsonAtomic(path, cfg);
  return cfg;
}

/** Complexity file of one variant. */
export interface ComplexityFile {
  schema: typeof SCHEMA.complexity;
  study: string;
  variant: string;
  level: number;
  taskId: string;
  trials: number;
  seed: number;
  input: number;
  output: number;
  details: unknown;
}

/** Computes and writes the task complexity of a variant unless already done (§3.1). */
export async function computeComplexity(
  out: string,
  preset: Preset,
  study: StudyPlan,
  rv: ResolvedVariant,
): Promise<ComplexityFile> {
  const path = complexityPath(out, study.name, rv.plan.id);
  const done = await readDone<ComplexityFile>(path, SCHEMA.complexity);
  if (done) return done;
  const c = E.complexity(rv.task, preset.complexityTrials, COMPLEXITY_SEED);
  const file: ComplexityFile = {
    schema: SCHEMA.complexity,
    study: study.name,
    variant: rv.plan.id,
    level: rv.plan.level,
    taskId: rv.task.id,
    trials: preset.complexityTrials,
    seed: COMPLEXITY_SEED,
    input: c.input,
    output: c.output,
    details: c.details,
  };
  await writeJsonAtomic(path, file);
  return file;
}

/** Member indices of a variant whose network file is missing or unreadable. */
export async function missingMembers(
  out: string,
  preset: Preset,
  study: StudyPlan,
  v: VariantPlan,
): Promise<number[]> {
  const missing: number[] = [];
  for (let m = 0; m < preset.members; m++) {
    const rec = await readDone<NetworkRecord>(
      networkPath(out, study.name, v.id, m),
      SCHEMA.network,
    );
    if (!rec) missing.push(m);
  }
  return missing;
}

/** Relative training cost of one network (multiply-adds of all steps at most), for the ETA. */
export function trainingCost(rv: ResolvedVariant): number {
  const c = rv.config, H = c.hidden;
  const perStep = c.batchSize * rv.task.steps *
    (H * H + H * (rv.task.inputDim + rv.task.outputDim));
  return c.maxEpochs * c.stepsPerEpoch * perStep * 3;
}

/** Relative cost of the metrics of one variant, for the ETA. */
export function metricCost(preset: Preset, study: StudyPlan, rv: ResolvedVariant): number {
  const K = preset.members, pairs = K * (K - 1) / 2, s = preset.dsa[study.family];
  const r = Math.min(s.rank, s.delays * rv.config.hidden);
  return pairs * (r * r * r * 20 * s.restarts + rv.config.hidden ** 3 * preset.pifRestarts * 10) +
    K * preset.evalTrials * rv.task.steps * rv.config.hidden ** 2 * 4;
}

/**
 * Trains the missing members of a variant, `preset.chunk` at a time (0 = all at once), writing
 * each network file as soon as its chunk finishes. Finished files are never redone.
 */
export async function trainVariant(
  opts: RunOptions,
  preset: Preset,
  study: StudyPlan,
  rv: ResolvedVariant,
): Promise<void> {
  const missing = await missingMembers(opts.out, preset, study, rv.plan);
  if (missing.length === 0) return;
  const chunk = preset.chunk > 0 ? preset.chunk : missing.length;
  const unit = trainingCost(rv);
  for (let i = 0; i < missing.length; i += chunk) {
    const members = missing.slice(i, i + chunk);
    const t0 = performance.now();
    const recs = await E.trainMembers(rv.task, rv.config, members, {
      seed: preset.seed,
      backend: opts.backend,
      quiet: opts.quiet,
      idPrefix: `${study.name}/${rv.plan.id}`,
      label: `${study.name}/${rv.plan.id}`,
    });
    if (recs.length !== members.length) {
      throw new Error(`engine returned ${recs.length} networks for ${members.length} members`);
    }
    for (let j = 0; j < recs.length; j++) {
      const rec = recs[j];
      if (rec.member !== members[j]) {
        throw new Error(`engine returned member ${rec.member} where ${members[j]} was asked for`);
      }
      await writeJsonAtomic(networkPath(opts.out, study.name, rv.plan.id, members[j]), rec);
    }
    const conv = recs.filter((r) => r.status === "converged").length;
    opts.progress?.advance(
      unit * members.length,
      `${study.name}/${rv.plan.id}: trained ${members.map((m) => `m${m}`).join(",")} ` +
        `(${conv}/${recs.length} converged) in ${fmtDuration((performance.now() - t0) / 1000)}`,
    );
  }
}

/** Loads a variant's saved networks (all members of the preset; throws when one is missing). */
export async function loadNetworks(
  out: string,
  preset: Preset,
  study: StudyPlan,
  v: VariantPlan,
): Promise<NetworkRecord[]> {
  const recs: NetworkRecord[] = [];
  for (let m = 0; m < preset.members; m++) {
    const path = networkPath(out, study.name, v.id, m);
    const rec = await readDone<NetworkRecord>(path, SCHEMA.network);
    if (!rec) throw new Error(`${path}: missing or not a ${SCHEMA.network} file; train first`);
    recs.push(rec);
  }
  return recs;
}

/** The networks entering degeneracy statistics: converged ones, or all (`preset.useMembers`). */
export function usedNetworks(preset: Preset, recs: NetworkRecord[]): NetworkRecord[] {
  return preset.useMembers === "all"
    ? recs.filter((r) => r.status !== "diverged")
    : recs.filter((r) => r.status === "converged");
}

/** A metric file (`degeneracy.metric/1`). */
export interface MetricFile {
  schema: typeof SCHEMA.metric;
  metric: MetricName;
  study: string;
  variant: string;
  level: number;
  /** Networks of the variant by training outcome, and how many enter the statistics. */
  population: {
    members: number;
    converged: number;
    notConverged: number;
    diverged: number;
    used: number;
    /** Backends that trained the networks (e.g. `cpu-wasm-simd`, `webgpu`). */
    backends?: string[];
  };
  parameters: Record<string, unknown>;
  /** Network ids, in the order of `values` / the rows of `matrix` / `points`. */
  ids: string[];
  /** Per-network values (dimensionality, attractorness, distance from init, OOD MSE). */
  values?: number[];
  /** Pairwise distances (DSA, PIF), symmetric, zero diagonal. */
  matrix?: number[][];
  /** 2-D embedding (MDS), one point per id. */
  points?: number[][];
  /** Mean, sd, n; for pairwise metrics over the upper triangle; `cv` for OOD. */
  summary: Record<string, number | null>;
  /** Self-checks recorded by the metric (e.g. d(X,X), symmetry, restart spread). */
  checks?: Record<string, unknown>;
  wallTimeSec: number;
}

function meanSd(xs: number[]): { mean: number | null; sd: number | null; n: number } {
  const n = xs.length;
  if (n === 0) return { mean: null, sd: null, n };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, sd, n };
}

/** Upper-triangle entries of a square matrix. */
export function upperTriangle(m: number[][]): number[] {
  const xs: number[] = [];
  for (let i = 0; i < m.length; i++) for (let j = i + 1; j < m.length; j++) xs.push(m[i][j]);
  return xs;
}

/**
 * Computes the metrics of one variant that are not yet on disk (`METRICS`), each written to
 * `metrics/<metric>.json` as soon as it is done: per-network dimensionality (95% PCs, §3.1),
 * attractorness Δh (App. B), distance from init (§3.2.2), OOD MSE and its CV (§3.2.3), and
 * pairwise PIF (§3.2.2), DSA (§3.2.1) and the MDS of the DSA matrix (Fig. 3B).
 */
export async function measureVariant(
  opts: RunOptions,
  preset: Preset,
  study: StudyPlan,
  rv: ResolvedVariant,
): Promise<MetricFailure[]> {
  const paths = Object.fromEntries(
    METRICS.map((m) => [m, metricPath(opts.out, study.name, rv.plan.id, m)]),
  ) as Record<MetricName, string>;
  const todo: MetricName[] = [];
  for (const m of METRICS) if (!(await readDone(paths[m], SCHEMA.metric))) todo.push(m);
  const unit = metricCost(preset, study, rv);
  if (todo.length === 0) return [];

  const all = await loadNetworks(opts.out, preset, study, rv.plan);
  const used = usedNetworks(preset, all);
  const ids = used.map((r) => r.id);
  const task = rv.task;
  const count = (st: string) => all.filter((r) => r.status === st).length;
  const base = {
    schema: SCHEMA.metric,
    study: study.name,
    variant: rv.plan.id,
    level: rv.plan.level,
    population: {
      members: all.length,
      converged: count("converged"),
      notConverged: count("not_converged"),
      diverged: count("diverged"),
      used: used.length,
      backends: [...new Set(all.map((r) => r.backend))],
    },
  };
  const write = async (
    metric: MetricName,
    body: Omit<MetricFile, keyof typeof base | "metric">,
  ) => {
    await writeJsonAtomic(paths[metric], { ...base, metric, ...body });
  };

  // Hidden trajectories on one fixed evaluation batch, shared by all networks of the variant.
  let full: E.FlatTrajectories[] = [];
  let flat: E.FlatTrajectories[] = [];
  const needHidden = todo.some((m) =>
    m === "dimensionality" || m === "attractorness" || m === "dsa"
  );
  if (needHidden) {
    const ev = task.sample(preset.evalTrials, EVAL_SEED);
    const keep = preset.dsaSteps > 0 ? preset.dsaSteps : ev.steps;
    full = used.map((r) =>
      E.flatTrajectories(
        E.forward(r, ev.batch, ev.steps, ev.inputs).hidden,
        ev.batch,
        ev.steps,
        r.shape.hidden,
      )
    );
    flat = full.map((h) => E.flatTrajectories(h.data, h.trials, h.steps, h.units, keep));
  }
  const evalParams = {
    evalTrials: preset.evalTrials,
    evalSeed: EVAL_SEED,
    useMembers: preset.useMembers,
  };

  const failures: MetricFailure[] = [];
  for (const metric of todo) {
    const t0 = performance.now();
    const secs = () => (performance.now() - t0) / 1000;
    const errorPath = metricErrorPath(paths[metric]);
    try {
      if (metric === "dimensionality") {
        const values = full.map((h) => E.dimensionality(h, 0.95));
        await write(metric, {
          parameters: { ...evalParams, threshold: 0.95 },
          ids,
          values,
          summary: meanSd(values),
          wallTimeSec: secs(),
        });
      } else if (metric === "attractorness") {
        const values = full.map((h) => E.attractorness(h));
        await write(metric, {
          parameters: evalParams,
          ids,
          values,
          summary: meanSd(values),
          wallTimeSec: secs(),
        });
      } else if (metric === "distance_from_init") {
        const values = used.map((r) => E.distanceFromInit(r.initial.wh, r.final.wh));
        await write(metric, {
          parameters: { weights: "wh", normalisation: "n^2" },
          ids,
          values,
          summary: meanSd(values),
          wallTimeSec: secs(),
        });
      } else if (metric === "ood") {
        const values = used.map((r) => E.oodMse(task, r, preset.oodTrials, OOD_SEED));
        const finite = values.filter(Number.isFinite);
        await write(metric, {
          parameters: {
            oodTrials: preset.oodTrials,
            oodSeed: OOD_SEED,
            measure: "MSE",
            useMembers: preset.useMembers,
          },
          ids,
          values,
          summary: {
            ...meanSd(finite),
            cv: finite.length >= 2 ? E.cv(finite) : null,
            nonFinite: values.length - finite.length,
          },
          wallTimeSec: secs(),
        });
      } else if (metric === "pif") {
        const n = used.length;
        const matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
        const lower = Array.from({ length: n }, () => new Array<number>(n).fill(0));
        for (let i = 0; i < n; i++) {
          for (let j = i + 1; j < n; j++) {
            const r = E.pif(used[i].final.wh, used[j].final.wh, preset.pifRestarts, i * n + j);
            matrix[i][j] = matrix[j][i] = r.normalized;
            lower[i][j] = lower[j][i] = r.lowerBound / (used[i].shape.hidden ** 2);
          }
        }
        const self = n > 0
          ? E.pif(used[0].final.wh, used[0].final.wh, preset.pifRestarts, 0).normalized
          : null;
        await write(metric, {
          parameters: { restarts: preset.pifRestarts, weights: "wh", normalisation: "n^2" },
          ids,
          matrix,
          summary: meanSd(upperTriangle(matrix)),
          checks: { selfDistance: self, normalizedLowerBound: lower },
          wallTimeSec: secs(),
        });
      } else if (metric === "dsa") {
        const s = preset.dsa[study.family];
        const r = used.length >= 2
          ? await E.dsaMatrix(flat, s, preset.seed, preset.dsaWorkers)
          : { matrix: used.map(() => [0]), checks: {}, rank: s.rank };
        await write(metric, {
          parameters: { ...s, rank: r.rank, ...evalParams, dsaSteps: preset.dsaSteps },
          ids,
          matrix: r.matrix,
          summary: meanSd(upperTriangle(r.matrix)),
          checks: r.checks,
          wallTimeSec: secs(),
        });
      } else if (metric === "mds") {
        const dsa = await readJson<MetricFile>(paths.dsa);
        const points = dsa.ids.length >= 2 ? E.mds(dsa.matrix!) : dsa.ids.map(() => [0, 0]);
        await write(metric, {
          parameters: { of: "dsa", dims: 2, method: "classical" },
          ids: dsa.ids,
          points,
          summary: { n: dsa.ids.length },
          wallTimeSec: secs(),
        });
      }
      await Deno.remove(errorPath).catch(() => {});
    } catch (e) {
      // A failing metric must not stop the run: record the error (not a result) next to where
      // the metric would be, go on, and retry it on the next run.
      const message = e instanceof Error ? e.message : String(e);
      const failure: MetricFailure = {
        schema: SCHEMA.metricError,
        metric,
        study: study.name,
        variant: rv.plan.id,
        message,
      };
      failures.push(failure);
      await writeJsonAtomic(errorPath, failure);
      opts.progress?.log(`${study.name}/${rv.plan.id}: metric ${metric} failed: ${message}`);
    }
  }
  const failed = new Set(failures.map((f) => f.metric));
  const ok = todo.filter((m) => !failed.has(m));
  opts.progress?.advance(
    unit,
    `${study.name}/${rv.plan.id}: measured ${ok.join(", ") || "nothing"}` +
      (failed.size ? `; failed: ${[...failed].join(", ")}` : ""),
  );
  return failures;
}

/** A metric that failed (`<metric>.error.json` beside where its result would be). */
export interface MetricFailure {
  schema: typeof SCHEMA.metricError;
  metric: MetricName;
  study: string;
  variant: string;
  message: string;
}

/** `…/metrics/dsa.json` → `…/metrics/dsa.error.json`. */
export function metricErrorPath(path: string): string {
  return path.replace(/\.json$/, ".error.json");
}

/**
 * Runs the whole pipeline of `studies` into `opts.out`: config, complexity of every variant,
 * then per study the training of its populations and their metrics. Resumable at any point.
 */
export async function runStudies(
  opts: RunOptions,
  preset: Preset,
  studies: StudyPlan[],
): Promise<MetricFailure[]> {
  await Deno.mkdir(opts.out, { recursive: true });
  await removeStaleTemps(opts.out);
  await ensureConfig(opts.out, preset, studies, opts.backend);
  const resolved = studies.map((s) => ({
    s,
    vs: s.variants.map((v) => resolveVariant(preset, s, v)),
  }));
  const progress = opts.progress ?? new Progress("pipeline", 0, { quiet: opts.quiet });
  // Work still to do, in relative cost units, for the ETA.
  for (const { s, vs } of resolved) {
    for (const rv of vs) {
      const missing = await missingMembers(opts.out, preset, s, rv.plan);
      progress.addTotal(missing.length * trainingCost(rv));
      let metricsDone = true;
      for (const m of METRICS) {
        if (!(await exists(metricPath(opts.out, s.name, rv.plan.id, m)))) metricsDone = false;
      }
      if (!metricsDone) progress.addTotal(metricCost(preset, s, rv));
    }
  }
  const o = { ...opts, progress };
  const failures: MetricFailure[] = [];
  // Complexity of every variant first (cheap), then study by study: train its populations and
  // measure them, so each study's results are complete as early as possible.
  for (const { s, vs } of resolved) {
    for (const rv of vs) await computeComplexity(opts.out, preset, s, rv);
  }
  progress.print("complexity done", true);
  for (const { s, vs } of resolved) {
    for (const rv of vs) await trainVariant(o, preset, s, rv);
    for (const rv of vs) failures.push(...await measureVariant(o, preset, s, rv));
    progress.print(`${s.name} done`, true);
  }
  return failures;
}

/**
 * `main` of an experiment or control script: parses the common flags, builds the study plans
 * with `plan(preset, levels)`, and runs them into `--out`.
 */
export async function runStudiesMain(
  script: string,
  plan: (preset: Preset, levels?: number[]) => StudyPlan[],
  args: string[],
): Promise<void> {
  const a = parseCommon(args);
  if (a.help) {
    console.log(usage(script));
    return;
  }
  const preset = getPreset(a.preset, { members: a.members });
  const studies = plan(preset, a.levels);
  const t0 = performance.now();
  try {
    await runStudies({ out: a.out, backend: a.backend, quiet: a.quiet }, preset, studies);
  } finally {
    await E.releaseWebGpu();
  }
  if (!a.quiet) {
    console.error(
      `[${script}] done in ${fmtDuration((performance.now() - t0) / 1000)}; results in ${a.out}`,
    );
  }
}
