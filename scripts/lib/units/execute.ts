/**
 * Runs one work unit of the graph (`graph.ts`): reads its inputs, computes through the metric
 * registry (`scripts/lib/metrics.ts`) and the engine, and writes its outputs atomically. A unit
 * whose outputs all exist is skipped; a unit that fails leaves an error file
 * (`OUT/errors/<unit>.json`, `degeneracy.unit-error/1`) that a later success removes.
 * Single-threaded unless `workers` > 0 (training only).
 *
 * @module
 */
import type { NetworkRecord } from "../../../rnn/types.ts";
import { duplicateNetworks, readNetworkRecord } from "../../../rnn/record.ts";
import {
  checkpointFromBytes,
  checkpointToBytes,
  type TrainingCheckpoint,
} from "../../../rnn/checkpoint.ts";
import type { DmdFit, PreparedOperator } from "../../../metrics/dsa/mod.ts";
import {
  deserializePreparedOperator,
  fitDmd,
  hankelNumericalRank,
  serializePreparedOperator,
} from "../../../metrics/dsa/mod.ts";
import {
  evenlySpacedSelfChecks,
  reversedPair,
  seededSelfChecks,
} from "../../../metrics/pairwise.ts";
import { _assemblePifMatrix, type PifPairResult } from "../../../metrics/pif/pif.ts";
import type { TaskBatch } from "../../../tasks/types.ts";
import { LEARNED_RATIO } from "../../../tasks/baselines.ts";
import { learnedVerdict, outputLosses } from "../../../metrics/learning.ts";
import { pifRelativeToInit, relativeDistanceFromInit } from "../../../metrics/size_invariant.ts";
import { baselinesOf } from "../studies.ts";
import * as E from "../engine.ts";
import { debugEnabled } from "../cli.ts";
import { exists, join, readJson, writeBytesAtomic, writeJsonAtomic } from "../io.ts";
import {
  blockPath,
  complexityPath,
  fitPath,
  hiddenPath,
  metricPath,
  networkPath,
  preparedPath,
  rankPath,
  refitPath,
  trainCheckpointPath,
  unitErrorPath,
  unitTimingPath,
} from "../layout.ts";
import {
  type ComplexityFile,
  type DmdFitFile,
  type DsaPreparedFile,
  type DsaRankFile,
  type HiddenFile,
  type MetricFile,
  metricSettings,
  networkDigest,
  networksDigest,
  type PairBlockFile,
  type PairResult,
  SCHEMA,
  settingsDigest,
  typedArrayBytes,
  typedArrayFromBytes,
  type UnitErrorFile,
  type UnitTimingFile,
} from "../formats.ts";
import {
  buildMetricFile,
  METRIC_REGISTRY,
  populationCounts,
  summarize,
  summarizeOod,
  upperTriangle,
} from "../metrics.ts";
import {
  COMPLEXITY_SEED,
  type Graph,
  type Unit,
  type UnitJob,
  type VariantSettings,
} from "./graph.ts";
import { fixedPointsUnit, mergeFixedPoints } from "./fixed_points.ts";

export { COMPLEXITY_SEED, EVAL_SEED, OOD_SEED } from "./graph.ts";

/** Options of {@link executeUnit}. */
export interface ExecuteOptions {
  /** CPU training workers (0 = in-process, the single-threaded path). */
  workers: number;
  /** Training backend (`auto`, `cpu`, `webgpu`). */
  backend: string;
  quiet: boolean;
  /** Where the unit runs, recorded in its timing file (default `"main"`). */
  runner?: UnitRunner;
}

/**
 * Where a unit ran: `"local-worker"` (a Web Worker of the local executor), `"main"` (the
 * executor's own thread) or `"run_unit"` (the unit-runner command, e.g. a Slurm array task).
 */
export type UnitRunner = "local-worker" | "main" | "run_unit";

/** Outcome of {@link runUnit}. */
export interface UnitOutcome {
  id: string;
  status: "done" | "skipped" | "failed";
  seconds: number;
  message?: string;
}

/**
 * Writes one output of a unit with several outputs unless it already exists: a unit killed
 * after some of its outputs were written reruns without rewriting them (they hold the same
 * numbers; finished files are never touched again).
 */
async function writeJsonOutput(path: string, value: unknown): Promise<void> {
  if (!(await exists(path))) await writeJsonAtomic(path, value);
}

/** {@link writeJsonOutput} for a binary payload. */
async function writeBytesOutput(path: string, bytes: Uint8Array): Promise<void> {
  if (!(await exists(path))) await writeBytesAtomic(path, bytes);
}

/** True when every output of `unit` exists under `out`. */
export async function unitDone(out: string, unit: Unit): Promise<boolean> {
  for (const o of unit.outputs) if (!(await exists(join(out, o)))) return false;
  return true;
}

/**
 * Runs `unit` unless its outputs exist; on failure writes its error file and returns the
 * message (never throws for a failing computation), on success removes a stale error file.
 */
export async function runUnit(
  out: string,
  graph: Graph,
  unit: Unit,
  options: ExecuteOptions,
): Promise<UnitOutcome> {
  const t0 = performance.now();
  const secs = () => (performance.now() - t0) / 1000;
  if (await unitDone(out, unit)) return { id: unit.id, status: "skipped", seconds: 0 };
  try {
    await executeUnit(out, graph, unit, options);
    for (const o of unit.outputs) {
      if (!(await exists(join(out, o)))) throw new Error(`did not write its output ${o}`);
    }
    await Deno.remove(unitErrorPath(out, unit.id)).catch(() => {});
    const seconds = secs();
    const timing: UnitTimingFile = {
      schema: SCHEMA.unitTiming,
      unit: unit.id,
      stage: unit.stage,
      seconds,
      estimate: unit.coreSeconds,
      runner: options.runner ?? "main",
      at: new Date().toISOString(),
    };
    await writeJsonAtomic(unitTimingPath(out, unit.id), timing);
    return { id: unit.id, status: "done", seconds };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (debugEnabled() && e instanceof Error) console.error(e.stack);
    const err: UnitErrorFile = {
      schema: SCHEMA.unitError,
      unit: unit.id,
      stage: unit.stage,
      message,
      at: new Date().toISOString(),
    };
    await writeJsonAtomic(unitErrorPath(out, unit.id), err);
    return { id: unit.id, status: "failed", seconds: secs(), message };
  }
}

function settingsOf(
  graph: Graph,
  job: { study: string; variant: string; setting?: string },
): VariantSettings {
  const list = job.setting === undefined ? graph.variants : graph.measureVariants;
  const v = list.find((x) =>
    x.study === job.study && x.variant === job.variant && x.setting === job.setting
  );
  if (!v) {
    throw new Error(
      `unknown population ${job.study}/${job.variant}` +
        (job.setting ? ` under setting ${job.setting}` : ""),
    );
  }
  return v;
}

/**
 * The directories of a population's measurement files under `out` (its `dirs`: the run's own
 * layout, or a sensitivity setting's, which may share families with the run). Networks always
 * come from `out`.
 */
function dirsOf(out: string, v: VariantSettings) {
  const d = v.dirs;
  return {
    hidden: join(out, d?.hidden ?? ""),
    fits: join(out, d?.fits ?? ""),
    dsa: join(out, d?.dsa ?? ""),
    pif: join(out, d?.pif ?? ""),
    metrics: join(out, d?.metrics ?? ""),
  };
}

/** Computes one unit (no skip check, no error file; see {@link runUnit}). */
export async function executeUnit(
  out: string,
  graph: Graph,
  unit: Unit,
  options: ExecuteOptions,
): Promise<void> {
  const job = unit.job;
  switch (job.kind) {
    case "complexity":
      return await complexityUnit(out, graph, job);
    case "train":
      return await trainUnit(out, graph, job, options);
    case "hidden":
      return await hiddenUnit(out, graph, job);
    case "fit":
      return await fitUnit(out, graph, job);
    case "dsa-rank":
      return await dsaRankUnit(out, graph, job);
    case "fixed-points":
      return await fixedPointsUnit(out, graph, job);
    case "pairs":
      return job.metric === "pif" ? await pifBlockUnit(out, graph, job) : await dsaBlockUnit(
        out,
        graph,
        job,
      );
    case "merge":
      if (job.what === "fixed_points") return await mergeFixedPoints(out, graph, job);
      return job.what === "pernet"
        ? await mergePerNetwork(out, graph, job)
        : job.what === "pif"
        ? await mergePif(out, graph, job)
        : await mergeDsa(out, graph, job);
    case "sensitivity": {
      const { writeSensitivitySummary } = await import("../../report/sensitivity.ts");
      await writeSensitivitySummary(out, graph);
      return;
    }
    case "report": {
      const { writeReport } = await import("../../report.ts");
      await writeReport(out, { quiet: options.quiet, graph });
      return;
    }
  }
}

type JobOf<K extends UnitJob["kind"]> = Extract<UnitJob, { kind: K }>;

async function complexityUnit(out: string, graph: Graph, job: JobOf<"complexity">) {
  const v = settingsOf(graph, job);
  const trials = graph.preset.complexityTrials;
  const c = METRIC_REGISTRY.complexity.compute(v.rv.task, { trials, seed: COMPLEXITY_SEED });
  const t = METRIC_REGISTRY.complexity.compute(v.rv.task, {
    trials,
    seed: COMPLEXITY_SEED,
    reading: "time-averaged",
  });
  const file: ComplexityFile = {
    schema: SCHEMA.complexity,
    study: job.study,
    variant: job.variant,
    level: v.level,
    taskId: v.rv.task.id,
    trials,
    seed: COMPLEXITY_SEED,
    input: c.input,
    output: c.output,
    timeAveraged: { input: t.input, output: t.output },
    details: c,
  };
  await writeJsonAtomic(complexityPath(out, job.study, job.variant), file);
}

async function trainUnit(
  out: string,
  graph: Graph,
  job: JobOf<"train">,
  options: ExecuteOptions,
) {
  const v = settingsOf(graph, job);
  if (job.segment) return await trainSegmentUnit(out, v, graph, job, options);
  const missing: number[] = [];
  for (const m of job.members) {
    if (!(await exists(networkPath(out, job.study, job.variant, m)))) missing.push(m);
  }
  if (missing.length === 0) return;
  const recs = await E.trainMembers(v.rv.task, v.rv.config, missing, {
    seed: graph.preset.seed,
    backend: options.backend,
    quiet: options.quiet,
    workers: options.workers,
    idPrefix: `${job.study}/${job.variant}`,
    label: `${job.study}/${job.variant}`,
  });
  if (recs.length !== missing.length) {
    throw new Error(`engine returned ${recs.length} networks for ${missing.length} members`);
  }
  for (let j = 0; j < recs.length; j++) {
    if (recs[j].member !== missing[j]) {
      throw new Error(`engine returned member ${recs[j].member} where ${missing[j]} was asked for`);
    }
    await writeJsonAtomic(networkPath(out, job.study, job.variant, missing[j]), recs[j]);
  }
}

/**
 * One epoch segment of a training unit: resumes from the previous segment's checkpoint (when
 * not the first), trains to the segment's last epoch and writes its checkpoint, or, in the last
 * segment, the network files exactly as an unsplit unit does. A segment whose members have all
 * stopped carries the checkpoint over without training.
 */
async function trainSegmentUnit(
  out: string,
  v: VariantSettings,
  graph: Graph,
  job: JobOf<"train">,
  options: ExecuteOptions,
) {
  const { first, last } = job.segment!;
  const ms = job.members;
  const maxEpochs = v.rv.config.maxEpochs;
  const ckpt = (e: number) =>
    trainCheckpointPath(out, job.study, job.variant, ms[0], ms[ms.length - 1], e);
  const final = last >= maxEpochs;
  let resume: TrainingCheckpoint | undefined;
  if (first > 1) {
    const path = ckpt(first - 1);
    try {
      resume = checkpointFromBytes(await Deno.readFile(path));
    } catch (e) {
      throw new Error(`checkpoint ${path}: ${(e as Error).message}`);
    }
    const training = resume.members.some((m) => m.status === "training");
    if (training && resume.epoch !== first - 1) {
      throw new Error(
        `checkpoint ${path} holds epoch ${resume.epoch}, but this segment starts at epoch ${first}`,
      );
    }
  }
  const result = await E.trainMembersSegment(v.rv.task, v.rv.config, ms, {
    seed: graph.preset.seed,
    backend: options.backend,
    quiet: options.quiet,
    workers: options.workers,
    idPrefix: `${job.study}/${job.variant}`,
    label: `${job.study}/${job.variant} e${first}-${last}`,
    resume,
    stopAfterEpoch: final ? undefined : last,
  });
  if (!final) {
    await writeBytesAtomic(ckpt(last), checkpointToBytes(result.checkpoint));
    return;
  }
  if (!result.done) throw new Error(`training did not finish by epoch ${maxEpochs}`);
  for (let j = 0; j < result.records.length; j++) {
    if (result.records[j].member !== ms[j]) {
      throw new Error(
        `engine returned member ${result.records[j].member} where ${ms[j]} was asked for`,
      );
    }
    await writeJsonOutput(networkPath(out, job.study, job.variant, ms[j]), result.records[j]);
  }
}

const batchCache = new Map<string, TaskBatch>();

/** The evaluation batch of a population (cached per process). */
function evalBatch(v: VariantSettings): TaskBatch {
  const { evalTrials, evalSeed } = v.measure;
  const key = `${v.rv.task.id}/${evalTrials}/${evalSeed}`;
  let b = batchCache.get(key);
  if (!b) {
    b = v.rv.task.sample(evalTrials, evalSeed);
    batchCache.set(key, b);
  }
  return b;
}

/** The learning batch of a population (fresh trials for each network's losses; cached). */
function learnBatch(v: VariantSettings): TaskBatch {
  const { learnTrials, learnSeed } = v.measure;
  const key = `${v.rv.task.id}/${learnTrials}/${learnSeed}`;
  let b = batchCache.get(key);
  if (!b) {
    b = v.rv.task.sample(learnTrials, learnSeed);
    batchCache.set(key, b);
  }
  return b;
}

/**
 * Whether a non-diverged network learned its task (`learnedVerdict`): its losses on the
 * learning batch against the task's trivial baselines (docs/fidelity.md).
 */
function learning(v: VariantSettings, rec: NetworkRecord) {
  const lb = learnBatch(v);
  const outputs = E.forward(rec, lb.batch, lb.steps, lb.inputs).outputs;
  const losses = outputLosses(outputs, lb, rec.shape.auxDim);
  const b = baselinesOf(v.rv.task);
  const verdict = learnedVerdict(rec.status, losses, {
    mainTrivial: b.best.mse,
    aux: losses.aux !== null && b.aux ? LEARNED_RATIO * b.aux.best.mse : null,
  });
  return { losses, ratio: losses.main / b.best.mse, verdict };
}

async function hiddenUnit(out: string, graph: Graph, job: JobOf<"hidden">) {
  const v = settingsOf(graph, job);
  const rec = await readNetworkRecord(
    networkPath(out, job.study, job.variant, job.member),
    expectedNetwork(v, job.member),
  );
  const learned = rec.status === "diverged" ? null : learning(v, rec);
  const used = v.measure.useMembers === "all"
    ? rec.status !== "diverged"
    : learned !== null && learned.verdict.learned;
  const ev = evalBatch(v);
  const header: HiddenFile = {
    schema: SCHEMA.hidden,
    network: rec.id,
    member: rec.member,
    status: rec.status,
    used,
    learned: learned ? learned.verdict.learned : null,
    learnedReason: learned ? learned.verdict.reason : null,
    trials: ev.batch,
    steps: ev.steps,
    units: rec.shape.hidden,
    evalSeed: v.measure.evalSeed,
    values: {},
    extra: {},
    bytes: 0,
  };
  if (learned) {
    header.values.main_loss = learned.losses.main;
    header.values.trivial_ratio = learned.ratio;
    if (learned.losses.aux !== null) header.values.aux_loss = learned.losses.aux;
  }
  let payload: Float32Array = new Float32Array(0);
  if (used) {
    const hidden = E.forward(rec, ev.batch, ev.steps, ev.inputs).hidden;
    const h = { data: hidden, trials: ev.batch, steps: ev.steps, units: rec.shape.hidden };
    const R = METRIC_REGISTRY;
    const dim = R.dimensionality.compute(h, R.dimensionality.defaults);
    const att = R.attractorness.compute(h);
    const dfi = R.distance_from_init.compute(rec.initial.wh, rec.final.wh);
    const rel = relativeDistanceFromInit(rec.initial.wh, rec.final.wh);
    const ood = R.ood.compute(v.rv.task, (batch) => {
      const r = E.forward(rec, batch.batch, batch.steps, batch.inputs);
      return { outputs: r.outputs, outDim: rec.shape.outputDim };
    }, { trials: v.measure.oodTrials, seed: v.measure.oodSeed });
    Object.assign(header.values, {
      dimensionality: dim.value,
      attractorness: att.value,
      distance_from_init: dfi.value,
      relative_distance_from_init: rel.relative,
      ood: ood.value,
    });
    header.extra = {
      dimensionality: dim.extra,
      attractorness: att.extra,
      distance_from_init: dfi.extra,
    };
    payload = hidden;
    header.bytes = hidden.byteLength;
  }
  const root = dirsOf(out, v).hidden;
  await writeBytesOutput(
    hiddenPath(root, job.study, job.variant, job.member, "f32"),
    typedArrayBytes(payload),
  );
  await writeJsonOutput(hiddenPath(root, job.study, job.variant, job.member), header);
}

/** Reads a network's evaluation trajectories (header and float32 payload). */
export async function readHidden(
  out: string,
  study: string,
  variant: string,
  member: number,
): Promise<{ header: HiddenFile; data: Float32Array }> {
  const path = hiddenPath(out, study, variant, member);
  const header = await readJson<HiddenFile>(path);
  if (header.schema !== SCHEMA.hidden) {
    throw new Error(`${path}: schema must be "${SCHEMA.hidden}", got ${String(header.schema)}`);
  }
  const binPath = hiddenPath(out, study, variant, member, "f32");
  const n = header.used ? header.trials * header.steps * header.units : 0;
  const data = typedArrayFromBytes(await Deno.readFile(binPath), "f32", n, binPath) as Float32Array;
  return { header, data };
}

/** The DSA options of a population at rank `rank`. */
function dsaOptions(v: VariantSettings, rank: number) {
  return { ...v.measure.dsa, rank, seed: v.measure.dsaSeed };
}

function fitInput(v: VariantSettings, h: { header: HiddenFile; data: Float32Array }) {
  const keep = v.measure.dsaSteps > 0 ? v.measure.dsaSteps : h.header.steps;
  return E.flatTrajectories(h.data, h.header.trials, h.header.steps, h.header.units, keep);
}

async function writeFit(
  jsonPath: string,
  binPath: string,
  base: Omit<DmdFitFile, "size" | "rank" | "singularValues" | "hankelShape" | "options" | "bytes">,
  fit: DmdFit | null,
) {
  const op = fit ? fit.operator : new Float64Array(0);
  await writeBytesOutput(binPath, typedArrayBytes(op));
  const file: DmdFitFile = {
    ...base,
    size: fit?.size ?? 0,
    rank: fit?.rank ?? 0,
    singularValues: fit ? Array.from(fit.singularValues) : [],
    hankelShape: fit?.hankelShape ?? [0, 0, 0],
    options: fit ? { ...fit.options } : {},
    bytes: op.byteLength,
  };
  await writeJsonOutput(jsonPath, file);
}

/**
 * Writes the prepared DSA operator of a fit (`fits/mNNN.prep.*`, or `rNNN.prep.*` for a refit):
 * computed here once per network, read by every pair block that compares the network.
 */
async function writePrepared(
  jsonPath: string,
  binPath: string,
  base: { network: string; member: number; used: boolean },
  fit: DmdFit | null,
) {
  const s = fit ? serializePreparedOperator(METRIC_REGISTRY.dsa.prepare(fit)) : null;
  const data = s ? s.data : new Float64Array(0);
  await writeBytesOutput(binPath, typedArrayBytes(data));
  const file: DsaPreparedFile = {
    schema: SCHEMA.dsaPrepared,
    network: base.network,
    member: base.member,
    used: base.used && fit !== null,
    size: fit?.size ?? 0,
    prepared: s ? s.header : null,
    bytes: data.byteLength,
  };
  await writeJsonOutput(jsonPath, file);
}

/**
 * Reads a fit's prepared operator written by {@link writePrepared}; null when the file is
 * absent (a run directory from before the fit unit wrote them: the caller prepares in process).
 */
async function readPrepared(
  jsonPath: string,
  binPath: string,
  size: number,
): Promise<PreparedOperator | null> {
  if (!(await exists(jsonPath)) || !(await exists(binPath))) return null;
  const file = await readJson<DsaPreparedFile>(jsonPath);
  if (file.schema !== SCHEMA.dsaPrepared) {
    throw new Error(
      `${jsonPath}: schema must be "${SCHEMA.dsaPrepared}", got ${String(file.schema)}`,
    );
  }
  if (!file.used || !file.prepared || file.size !== size) {
    throw new Error(
      `${jsonPath}: prepared operator of size ${file.size} (used ${file.used}) does not match ` +
        `its fit (size ${size}); remove the fits/*.prep.* files of this population to recompute them`,
    );
  }
  const data = typedArrayFromBytes(
    await Deno.readFile(binPath),
    "f64",
    2 * size * size + 2 * size,
    binPath,
  ) as Float64Array;
  return deserializePreparedOperator(file.prepared, data);
}

async function fitUnit(out: string, graph: Graph, job: JobOf<"fit">) {
  const v = settingsOf(graph, job);
  const at = dirsOf(out, v);
  const h = await readHidden(at.hidden, job.study, job.variant, job.member);
  const base = {
    schema: SCHEMA.dmdFit,
    network: h.header.network,
    member: job.member,
    used: h.header.used,
    rankAsked: v.measure.rankAsked,
    numericalRank: null as number | null,
  };
  const json = fitPath(at.fits, job.study, job.variant, job.member);
  const bin = fitPath(at.fits, job.study, job.variant, job.member, "f64");
  const prepJson = preparedPath(at.fits, job.study, job.variant, job.member);
  const prepBin = preparedPath(at.fits, job.study, job.variant, job.member, "f64");
  if (!h.header.used) {
    await writeFit(json, bin, base, null);
    return await writePrepared(prepJson, prepBin, base, null);
  }
  const x = fitInput(v, h);
  const o = dsaOptions(v, v.measure.rankAsked);
  let fit: DmdFit;
  try {
    fit = fitDmd(x, o);
  } catch (e) {
    // Trials that repeat exactly (e.g. sine with one training frequency) give a Hankel matrix
    // of lower numerical rank than asked: fit at that rank; the dsa-rank unit then brings the
    // population to one common rank (the smallest), as the Procrustes comparison needs.
    if (!(e instanceof Error && e.message.includes("numerical rank"))) throw e;
    const nr = hankelNumericalRank(x, { delays: o.delays, delayInterval: o.delayInterval });
    if (!(nr >= 1 && nr < v.measure.rankAsked)) throw e;
    base.numericalRank = nr;
    fit = fitDmd(x, { ...o, rank: nr });
  }
  await writeFit(json, bin, base, fit);
  await writePrepared(prepJson, prepBin, base, fit);
}

/** Reads a fit (header and operator) as a `DmdFit`. */
async function readFit(jsonPath: string, binPath: string): Promise<DmdFit & { file: DmdFitFile }> {
  const file = await readJson<DmdFitFile>(jsonPath);
  if (file.schema !== SCHEMA.dmdFit) {
    throw new Error(`${jsonPath}: schema must be "${SCHEMA.dmdFit}", got ${String(file.schema)}`);
  }
  const operator = typedArrayFromBytes(
    await Deno.readFile(binPath),
    "f64",
    file.size * file.size,
    binPath,
  ) as Float64Array;
  return {
    operator,
    size: file.size,
    rank: file.rank,
    singularValues: Float64Array.from(file.singularValues),
    hankelShape: file.hankelShape,
    options: file.options as DmdFit["options"],
    file,
  };
}

async function readRank(out: string, study: string, variant: string): Promise<DsaRankFile> {
  const p = rankPath(out, study, variant);
  const r = await readJson<DsaRankFile>(p);
  if (r.schema !== SCHEMA.dsaRank) throw new Error(`${p}: schema must be "${SCHEMA.dsaRank}"`);
  return r;
}

async function dsaRankUnit(out: string, graph: Graph, job: JobOf<"dsa-rank">) {
  const v = settingsOf(graph, job);
  const at = dirsOf(out, v);
  const headers: DmdFitFile[] = [];
  for (let m = 0; m < graph.preset.members; m++) {
    headers.push(await readJson<DmdFitFile>(fitPath(at.fits, job.study, job.variant, m)));
  }
  const used = headers.filter((h) => h.used);
  const rank = used.length ? Math.min(...used.map((h) => h.rank)) : v.measure.rankAsked;
  const refitted: number[] = [];
  for (const h of used) {
    if (h.rank === rank) continue;
    const hid = await readHidden(at.hidden, job.study, job.variant, h.member);
    const fit = fitDmd(fitInput(v, hid), dsaOptions(v, rank));
    await writeFit(
      refitPath(at.fits, job.study, job.variant, h.member),
      refitPath(at.fits, job.study, job.variant, h.member, "f64"),
      { ...h, numericalRank: h.numericalRank },
      fit,
    );
    await writePrepared(
      preparedPath(at.fits, job.study, job.variant, h.member, "json", true),
      preparedPath(at.fits, job.study, job.variant, h.member, "f64", true),
      h,
      fit,
    );
    refitted.push(h.member);
  }
  const file: DsaRankFile = {
    schema: SCHEMA.dsaRank,
    rankAsked: v.measure.rankAsked,
    rank,
    rankCapped: rank < v.measure.rankAsked,
    refitted,
  };
  await writeJsonAtomic(rankPath(at.fits, job.study, job.variant), file);
}

/** Used members of a population, in member order, from their hidden headers. */
async function usedMembers(out: string, graph: Graph, study: string, variant: string) {
  const used: { member: number; network: string }[] = [];
  for (let m = 0; m < graph.preset.members; m++) {
    const h = await readJson<HiddenFile>(hiddenPath(out, study, variant, m));
    if (h.used) used.push({ member: m, network: h.network });
  }
  return used;
}

async function dsaBlockUnit(out: string, graph: Graph, job: JobOf<"pairs">) {
  const t0 = performance.now();
  const v = settingsOf(graph, job);
  const at = dirsOf(out, v);
  const rank = await readRank(at.fits, job.study, job.variant);
  const options = dsaOptions(v, rank.rank);
  // each network's fit and prepared operator, read once per block; the prepared operators were
  // computed once per network by its fit unit (or the dsa-rank unit for a refit)
  const fits = new Map<number, { fit: DmdFit; prepared: PreparedOperator }>();
  const load = async (m: number) => {
    let f = fits.get(m);
    if (!f) {
      const re = rank.refitted.includes(m);
      const fit = await readFit(
        (re ? refitPath : fitPath)(at.fits, job.study, job.variant, m),
        (re ? refitPath : fitPath)(at.fits, job.study, job.variant, m, "f64"),
      );
      if (!fit.file.used) return null;
      const prepared = await readPrepared(
        preparedPath(at.fits, job.study, job.variant, m, "json", re),
        preparedPath(at.fits, job.study, job.variant, m, "f64", re),
        fit.size,
      ) ?? METRIC_REGISTRY.dsa.prepare(fit);
      f = { fit, prepared };
      fits.set(m, f);
    }
    return f;
  };
  const pairs: PairResult[] = [];
  let todo: [number, number][] = job.pairs;
  if (job.checks) {
    const used = await usedMembers(at.hidden, graph, job.study, job.variant);
    const slots: [number, number][] = [];
    for (const { i, j } of evenlySpacedSelfChecks(used.length, 3)) {
      slots.push([used[i].member, used[i].member]);
      if (j !== null) {
        const [x, y] = reversedPair(i, j);
        slots.push([used[x].member, used[y].member]);
      }
    }
    todo = slots.slice(job.pairs[0][0], job.pairs[0][1]);
  }
  for (const [a, b] of todo) {
    const fa = await load(a), fb = await load(b);
    if (!fa || !fb) continue; // a network that does not enter the statistics
    const r = METRIC_REGISTRY.dsa.pair(fa.fit, fb.fit, options, [fa.prepared, fb.prepared]);
    pairs.push({
      a,
      b,
      distance: r.distance,
      spread: r.spread,
      gradNorm: r.gradNorm,
      lowerBound: r.lowerBound,
    });
  }
  const file: PairBlockFile = {
    schema: SCHEMA.pairBlock,
    metric: "dsa",
    block: job.block,
    checks: job.checks,
    pairs,
    parameters: { ...options, optimiser: METRIC_REGISTRY.dsa.optimiser(options) },
    wallTimeSec: (performance.now() - t0) / 1000,
  };
  await writeJsonAtomic(
    blockPath(at.dsa, job.study, job.variant, "dsa", job.block, job.checks),
    file,
  );
}

async function pifBlockUnit(out: string, graph: Graph, job: JobOf<"pairs">) {
  const t0 = performance.now();
  const v = settingsOf(graph, job);
  const params = { restarts: v.measure.pifRestarts, seed: v.measure.pifSeed };
  const nets = new Map<number, NetworkRecord | null>();
  const hidden = dirsOf(out, v).hidden;
  const load = async (m: number) => {
    if (!nets.has(m)) {
      const h = await readJson<HiddenFile>(hiddenPath(hidden, job.study, job.variant, m));
      nets.set(
        m,
        h.used
          ? await readNetworkRecord(
            networkPath(out, job.study, job.variant, m),
            expectedNetwork(v, m),
          )
          : null,
      );
    }
    return nets.get(m)!;
  };
  let todo: [number, number][] = job.pairs;
  if (job.checks) {
    const used: number[] = [];
    for (let m = 0; m < graph.preset.members; m++) if (await load(m)) used.push(m);
    const slots: [number, number][] = used.length >= 1
      ? seededSelfChecks(used.length, 3, params.seed).map(([a, b]) => [used[a], used[b]])
      : [];
    todo = slots.slice(job.pairs[0][0], job.pairs[0][1]);
  }
  const pairs: PairResult[] = [];
  for (const [a, b] of todo) {
    const ra = await load(a), rb = await load(b);
    if (!ra || !rb) continue;
    const r = METRIC_REGISTRY.pif.pair(ra.final.wh, rb.final.wh, params);
    pairs.push({
      a,
      b,
      distance: r.distance,
      spread: r.spread,
      raw: r.raw,
      lowerBound: r.lowerBound,
      exact: r.exact,
      ...(v.measure.pifInit
        ? { rawInit: METRIC_REGISTRY.pif.pair(ra.initial.wh, rb.initial.wh, params).raw }
        : {}),
    });
  }
  const file: PairBlockFile = {
    schema: SCHEMA.pairBlock,
    metric: "pif",
    block: job.block,
    checks: job.checks,
    pairs,
    parameters: {
      ...params,
      weights: "wh",
      normalisation: "n^2",
      ...(v.measure.pifInit ? { initialPairs: true } : {}),
    },
    wallTimeSec: (performance.now() - t0) / 1000,
  };
  await writeJsonAtomic(
    blockPath(dirsOf(out, v).pif, job.study, job.variant, "pif", job.block, job.checks),
    file,
  );
}

/** What member `m`'s network file must hold (its population's task, member index, size). */
export function expectedNetwork(v: VariantSettings, m: number) {
  return { taskId: v.rv.task.id, member: m, hidden: v.rv.config.hidden };
}

/**
 * Networks of a population: records' ids, statuses and backends, the used members, and the
 * population's digest (`networksDigest`). Two files holding the same network are an error.
 */
async function population(out: string, graph: Graph, v: VariantSettings) {
  const { study, variant } = v;
  const recs: NetworkRecord[] = [];
  for (let m = 0; m < graph.preset.members; m++) {
    recs.push(
      await readNetworkRecord(networkPath(out, study, variant, m), expectedNetwork(v, m)),
    );
  }
  const dup = duplicateNetworks(
    recs.map((record, m) => ({ file: networkPath(out, study, variant, m), record })),
  );
  if (dup !== null) throw new Error(dup);
  const headers: HiddenFile[] = [];
  const hidden = dirsOf(out, v).hidden;
  for (let m = 0; m < graph.preset.members; m++) {
    headers.push(await readJson<HiddenFile>(hiddenPath(hidden, study, variant, m)));
  }
  const used = recs.filter((_, m) => headers[m].used);
  const digests = await Promise.all(
    recs.map(async (r) => ({ id: r.id, digest: await networkDigest(r) })),
  );
  return {
    recs,
    used,
    headers,
    networks: await networksDigest(digests),
    counts: {
      ...populationCounts(
        recs.map((r) => r.status),
        used.length,
        [...new Set(recs.map((r) => r.backend))],
      ),
      learned: headers.filter((h) => h.learned === true).length,
    },
  };
}

function metricBase(v: VariantSettings, counts: MetricFile["population"]) {
  return {
    study: v.study,
    variant: v.variant,
    level: v.level,
    population: counts,
  };
}

/** The provenance of `metric`'s file of population `v` measured from `networks`. */
async function provenanceOf(metric: string, v: VariantSettings, networks: string) {
  return {
    networks,
    settings: await settingsDigest(metricSettings(metric, v.measure)),
  };
}

async function mergePerNetwork(out: string, graph: Graph, job: JobOf<"merge">) {
  const t0 = performance.now();
  const v = settingsOf(graph, job);
  const pop = await population(out, graph, v);
  const at = dirsOf(out, v);
  const headers: HiddenFile[] = [];
  for (const r of pop.used) {
    const h = await readJson<HiddenFile>(hiddenPath(at.hidden, job.study, job.variant, r.member));
    if (h.network !== r.id || !h.used) {
      throw new Error(
        `${hiddenPath(at.hidden, job.study, job.variant, r.member)}: network ${h.network} ` +
          `(used ${h.used}) does not match ${r.id}; delete it to recompute`,
      );
    }
    headers.push(h);
  }
  const ids = pop.used.map((r) => r.id);
  const base = metricBase(v, pop.counts);
  const evalParams = {
    evalTrials: v.measure.evalTrials,
    evalSeed: v.measure.evalSeed,
    useMembers: v.measure.useMembers,
  };
  const source = { run: "pipeline", units: `hidden/${job.study}/${job.variant}/*` };
  const wallTimeSec = (performance.now() - t0) / 1000;
  const values = (k: string) => headers.map((h) => h.values[k]);
  const extra = (k: string) => headers.map((h) => h.extra[k]);
  const prov = async (m: string) => ({ provenance: await provenanceOf(m, v, pop.networks) });
  const files: MetricFile[] = [
    buildMetricFile({
      ...base,
      ...await prov("dimensionality"),
      metric: "dimensionality",
      parameters: { ...evalParams, ...METRIC_REGISTRY.dimensionality.defaults },
      ids,
      values: values("dimensionality"),
      summary: summarize(values("dimensionality")),
      checks: null,
      source,
      extra: { cumulative: extra("dimensionality") },
      wallTimeSec,
    }),
    buildMetricFile({
      ...base,
      ...await prov("attractorness"),
      metric: "attractorness",
      parameters: evalParams,
      ids,
      values: values("attractorness"),
      summary: summarize(values("attractorness")),
      checks: null,
      source,
      extra: { perTrial: extra("attractorness") },
      wallTimeSec,
    }),
    buildMetricFile({
      ...base,
      ...await prov("distance_from_init"),
      metric: "distance_from_init",
      parameters: { ...METRIC_REGISTRY.distance_from_init.defaults },
      ids,
      values: values("distance_from_init"),
      summary: summarize(values("distance_from_init")),
      checks: null,
      source,
      extra: { raw: extra("distance_from_init") },
      wallTimeSec,
    }),
    buildMetricFile({
      ...base,
      ...await prov("relative_distance_from_init"),
      metric: "relative_distance_from_init",
      parameters: { weights: "wh", normalisation: "‖W_0‖_F" },
      ids,
      values: values("relative_distance_from_init"),
      summary: summarize(values("relative_distance_from_init")),
      checks: null,
      source,
      wallTimeSec,
    }),
    { ...learningFile(v, pop, base, source, wallTimeSec), ...await prov("learning") },
    buildMetricFile({
      ...base,
      ...await prov("ood"),
      metric: "ood",
      parameters: {
        oodTrials: v.measure.oodTrials,
        oodSeed: v.measure.oodSeed,
        measure: "MSE",
        useMembers: v.measure.useMembers,
      },
      ids,
      values: values("ood"),
      summary: summarizeOod(values("ood")),
      checks: null,
      source,
      wallTimeSec,
    }),
  ];
  for (const f of files) {
    await writeJsonOutput(metricPath(at.metrics, job.study, job.variant, f.metric), f);
  }
}

/**
 * The `learning` metric file: every non-diverged network (used or not) with its main loss on the
 * learning batch as a share of the best trivial predictor's (`values`), its main and auxiliary
 * losses, and whether it learned (docs/fidelity.md).
 */
function learningFile(
  v: VariantSettings,
  pop: Awaited<ReturnType<typeof population>>,
  base: ReturnType<typeof metricBase>,
  source: Record<string, unknown>,
  wallTimeSec: number,
): MetricFile {
  const rows = pop.headers.map((h, m) => ({ h, rec: pop.recs[m] }))
    .filter(({ h }) => h.learned !== null && h.learned !== undefined);
  const b = baselinesOf(v.rv.task);
  const ratios = rows.map(({ h }) => h.values.trivial_ratio);
  const learnedRatios = rows.filter(({ h }) => h.learned).map(({ h }) => h.values.trivial_ratio);
  return buildMetricFile({
    ...base,
    metric: "learning",
    parameters: {
      learnTrials: v.measure.learnTrials,
      learnSeed: v.measure.learnSeed,
      baselines: b,
      auxBound: b.aux ? LEARNED_RATIO * b.aux.best.mse : null,
      earlyStopThreshold: v.rv.config.earlyStopThreshold,
    },
    ids: rows.map(({ rec }) => rec.id),
    values: ratios,
    summary: {
      ...summarize(ratios),
      learned: learnedRatios.length,
      learnedMaxRatio: learnedRatios.length ? Math.max(...learnedRatios) : null,
    },
    checks: null,
    source,
    extra: {
      status: rows.map(({ rec }) => rec.status),
      learned: rows.map(({ h }) => h.learned),
      reason: rows.map(({ h }) => h.learnedReason ?? null),
      mainLoss: rows.map(({ h }) => h.values.main_loss),
      auxLoss: rows.map(({ h }) => h.values.aux_loss ?? null),
    },
    wallTimeSec,
  });
}

async function readBlocks(
  out: string,
  graph: Graph,
  v: VariantSettings,
  metric: "dsa" | "pif",
): Promise<
  { pairs: PairResult[]; checks: PairResult[]; seconds: number; optimisers: Map<string, string[]> }
> {
  const { study, variant } = v;
  const root = dirsOf(out, v)[metric];
  const units = graph.stages.find((s) => s.name === metric)!.units.filter((u) =>
    u.job.kind === "pairs" && u.job.study === study && u.job.variant === variant &&
    u.job.setting === v.setting
  );
  const pairs: PairResult[] = [], checks: PairResult[] = [];
  // the blocks of each optimiser (parameters.optimiser; "unrecorded" in older blocks)
  const optimisers = new Map<string, string[]>();
  let seconds = 0;
  for (const u of units) {
    const job = u.job as JobOf<"pairs">;
    const p = blockPath(root, study, variant, metric, job.block, job.checks);
    const f = await readJson<PairBlockFile>(p);
    if (f.schema !== SCHEMA.pairBlock || f.metric !== metric) {
      throw new Error(`${p}: not a ${metric} ${SCHEMA.pairBlock} file`);
    }
    (job.checks ? checks : pairs).push(...f.pairs);
    seconds += f.wallTimeSec;
    const name = typeof f.parameters.optimiser === "string" ? f.parameters.optimiser : "unrecorded";
    optimisers.set(name, [...(optimisers.get(name) ?? []), p]);
  }
  return { pairs, checks, seconds, optimisers };
}

/**
 * The one optimiser that computed every DSA pair block of a population, or an error naming the
 * blocks of each when they differ (blocks computed by different versions of the code, e.g. a run
 * resumed after an update: their distances do not belong in one matrix).
 */
function singleOptimiser(
  optimisers: Map<string, string[]>,
  current: string,
  label: string,
): string {
  if (optimisers.size <= 1) return [...optimisers.keys()][0] ?? "unrecorded";
  const list = [...optimisers].map(([name, files]) => `${name}: ${files.join(", ")}`);
  throw new Error(
    `${label}: its pair blocks were computed by different Procrustes optimisers (${
      list.join("; ")
    }); delete the blocks not computed by ${current} (this code's) and run again to ` +
      `recompute them`,
  );
}

/**
 * The matrices over `members` (in order) from DSA pair results (a < b), checking completeness:
 * distances, restart spreads, and the final gradient norms and lower bounds (null when a
 * block written before they were recorded lacks them).
 */
function assembleMatrix(members: number[], pairs: PairResult[], label: string) {
  const pos = new Map(members.map((m, i) => [m, i]));
  const n = members.length;
  const square = () => Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const matrix = square(), spread = square(), gradNorm = square(), lowerBound = square();
  let count = 0, bounded = 0;
  for (const p of pairs) {
    const i = pos.get(p.a), j = pos.get(p.b);
    if (i === undefined || j === undefined) continue;
    matrix[i][j] = matrix[j][i] = p.distance;
    spread[i][j] = spread[j][i] = p.spread;
    if (p.gradNorm !== undefined && p.lowerBound !== undefined) {
      gradNorm[i][j] = gradNorm[j][i] = p.gradNorm;
      lowerBound[i][j] = lowerBound[j][i] = p.lowerBound;
      bounded++;
    }
    count++;
  }
  if (count !== (n * (n - 1)) / 2) {
    throw new Error(`${label}: pair blocks hold ${count} of ${(n * (n - 1)) / 2} pairs`);
  }
  const complete = bounded === count;
  return {
    matrix,
    spread,
    gradNorm: complete ? gradNorm : null,
    lowerBound: complete ? lowerBound : null,
    pos,
  };
}

async function mergePif(out: string, graph: Graph, job: JobOf<"merge">) {
  const v = settingsOf(graph, job);
  const pop = await population(out, graph, v);
  const members = pop.used.map((r) => r.member);
  const { pairs, checks, seconds } = await readBlocks(out, graph, v, "pif");
  const ids = pop.used.map((r) => r.id);
  const params = {
    restarts: v.measure.pifRestarts,
    seed: v.measure.pifSeed,
    weights: "wh",
    normalisation: "n^2",
  };
  let file: MetricFile;
  if (members.length < 2) {
    file = buildMetricFile({
      ...metricBase(v, pop.counts),
      provenance: await provenanceOf("pif", v, pop.networks),
      metric: "pif",
      parameters: params,
      ids,
      matrix: ids.map(() => [0]),
      summary: summarize([]),
      checks: null,
      source: { run: "pipeline" },
      wallTimeSec: seconds,
    });
  } else {
    const pos = new Map(members.map((m, i) => [m, i]));
    const results: PifPairResult[] = [];
    for (const p of pairs) {
      const i = pos.get(p.a), j = pos.get(p.b);
      if (i === undefined || j === undefined) continue;
      results.push({
        i,
        j,
        distance: p.raw!,
        lowerBound: p.lowerBound!,
        spread: p.spread,
        exact: p.exact!,
      });
    }
    const checkDistances = new Map<string, number>();
    for (const c of checks) checkDistances.set(`${pos.get(c.a)},${pos.get(c.b)}`, c.raw!);
    const H = pop.used[0].shape.hidden;
    const r = _assemblePifMatrix(members.length, [H, H], results, checkDistances, {
      selfCheckSamples: 3,
      seed: params.seed,
    });
    file = buildMetricFile({
      ...metricBase(v, pop.counts),
      provenance: await provenanceOf("pif", v, pop.networks),
      metric: "pif",
      parameters: { ...params, entries: r.entries },
      ids,
      matrix: r.normalized,
      summary: { ...summarize(upperTriangle(r.normalized)), exactPairs: r.exactPairs },
      checks: {
        ...r.selfChecks,
        maxRestartSpread: Math.max(0, ...upperTriangle(r.restartsSpread)),
      },
      source: { run: "pipeline", units: `pif/${job.study}/${job.variant}/*` },
      extra: {
        rawMatrix: r.matrix,
        lowerBound: r.lowerBound,
        restartSpread: r.restartsSpread,
        ...(v.measure.pifInit ? { relativeToInit: relativeToInit(members, pairs) } : {}),
      },
      wallTimeSec: seconds,
    });
  }
  await writeJsonAtomic(metricPath(dirsOf(out, v).metrics, job.study, job.variant, "pif"), file);
}

/**
 * PIF of each trained pair divided by PIF of the same pair's initial matrices (the
 * size-invariant reading, metrics/size_invariant.ts), as a symmetric matrix over `members`.
 */
function relativeToInit(members: number[], pairs: PairResult[]): number[][] {
  const pos = new Map(members.map((m, i) => [m, i]));
  const m = members.map(() => members.map(() => 0));
  for (const p of pairs) {
    const i = pos.get(p.a), j = pos.get(p.b);
    if (i === undefined || j === undefined || p.raw === undefined || p.rawInit === undefined) {
      continue;
    }
    m[i][j] = m[j][i] = pifRelativeToInit(p.raw, p.rawInit);
  }
  return m;
}

async function mergeDsa(out: string, graph: Graph, job: JobOf<"merge">) {
  const v = settingsOf(graph, job);
  const at = dirsOf(out, v);
  const pop = await population(out, graph, v);
  const rank = await readRank(at.fits, job.study, job.variant);
  const members = pop.used.map((r) => r.member);
  const ids = pop.used.map((r) => r.id);
  const s = v.measure.dsa;
  const evalParams = {
    evalTrials: v.measure.evalTrials,
    evalSeed: v.measure.evalSeed,
    useMembers: v.measure.useMembers,
  };
  const base = metricBase(v, pop.counts);
  let matrix: number[][];
  let checks: Record<string, unknown>;
  let seconds = 0;
  let parameters: Record<string, unknown>;
  let extra: Record<string, unknown> | undefined;
  if (members.length < 2) {
    matrix = ids.map(() => [0]);
    checks = {};
    parameters = { ...s, ...evalParams, dsaSteps: v.measure.dsaSteps };
  } else {
    const blocks = await readBlocks(out, graph, v, "dsa");
    seconds = blocks.seconds;
    const label = `dsa ${job.study}/${job.variant}`;
    const current = METRIC_REGISTRY.dsa.optimiser(dsaOptions(v, rank.rank));
    const optimiser = singleOptimiser(blocks.optimisers, current, label);
    const a = assembleMatrix(members, blocks.pairs, label);
    matrix = a.matrix;
    const find = (x: number, y: number) =>
      blocks.checks.find((c) => c.a === x && c.b === y)?.distance;
    const selfDistance: { index: number; distance: number }[] = [];
    const symmetry: { i: number; j: number; dij: number; dji: number; absDiff: number }[] = [];
    for (const { i, j } of evenlySpacedSelfChecks(members.length, 3)) {
      const dii = find(members[i], members[i]);
      if (dii === undefined) throw new Error(`dsa checks block lacks d(${ids[i]}, itself)`);
      selfDistance.push({ index: i, distance: dii });
      if (j !== null) {
        const [x, y] = reversedPair(i, j);
        const dji = find(members[x], members[y]);
        if (dji === undefined) throw new Error(`dsa checks block lacks d(${ids[x]}, ${ids[y]})`);
        const dij = matrix[i][j];
        symmetry.push({ i, j, dij, dji, absDiff: Math.abs(dij - dji) });
      }
    }
    checks = {
      selfDistance,
      symmetry,
      maxRestartsSpread: Math.max(0, ...upperTriangle(a.spread)),
      ...(a.gradNorm ? { maxGradNorm: Math.max(0, ...upperTriangle(a.gradNorm)) } : {}),
      rankAsked: rank.rankAsked,
      rankCapped: rank.rankCapped,
    };
    // per pair: how far from the optimum the distance can be (issue #12, item 3)
    if (a.gradNorm) extra = { gradNorm: a.gradNorm, lowerBound: a.lowerBound };
    parameters = {
      ...s,
      rank: rank.rank,
      ...evalParams,
      dsaSteps: v.measure.dsaSteps,
      ...(optimiser === "unrecorded" ? {} : { optimiser }),
    };
  }
  const dsaFile = buildMetricFile({
    ...base,
    provenance: await provenanceOf("dsa", v, pop.networks),
    metric: "dsa",
    parameters,
    ids,
    matrix,
    summary: summarize(upperTriangle(matrix)),
    checks,
    source: { run: "pipeline", units: `dsa/${job.study}/${job.variant}/*` },
    ...(extra ? { extra } : {}),
    wallTimeSec: seconds,
  });
  await writeJsonOutput(metricPath(at.metrics, job.study, job.variant, "dsa"), dsaFile);
  const t0 = performance.now();
  const points = ids.length >= 2
    ? METRIC_REGISTRY.mds.compute(matrix, { dims: 2 }).coords
    : ids.map(() => [0, 0]);
  const mds = buildMetricFile({
    ...base,
    provenance: await provenanceOf("mds", v, pop.networks),
    metric: "mds",
    parameters: { of: "dsa", dims: 2, method: "classical" },
    ids,
    points,
    summary: { n: ids.length },
    checks: null,
    source: { metric: metricPath(v.dirs?.metrics ?? "", job.study, job.variant, "dsa") },
    wallTimeSec: (performance.now() - t0) / 1000,
  });
  await writeJsonOutput(metricPath(at.metrics, job.study, job.variant, "mds"), mds);
}
