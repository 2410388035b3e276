/**
 * The fixed-point work units: `fixed-points/<study>/<variant>/mNNN` (one network: the finder
 * under each resting input of its task, starts from its stored evaluation trajectories, through
 * the registry entry `fixed_points` of scripts/lib/metrics.ts) and
 * `merge/<study>/<variant>/fixed_points` (the population's `metrics/fixed_points.json`).
 *
 * @module
 */
import { duplicateNetworks, readNetworkRecord } from "../../../rnn/record.ts";
import type { NetworkRecord } from "../../../rnn/types.ts";
import { exists, readJson, writeJsonAtomic } from "../io.ts";
import { fixedPointsPath, metricPath, networkPath } from "../layout.ts";
import {
  type FixedPointsFile,
  metricSettings,
  networkDigest,
  networksDigest,
  SCHEMA,
  settingsDigest,
} from "../formats.ts";
import { buildMetricFile, METRIC_REGISTRY, populationCounts, summarize } from "../metrics.ts";
import { compactRun, type FixedPointSettings } from "../fixed_points.ts";
import type { Graph, UnitJob, VariantSettings } from "./graph.ts";
import { expectedNetwork, readHidden } from "./execute.ts";

type FixedPointsJob = Extract<UnitJob, { kind: "fixed-points" }>;
type MergeJob = Extract<UnitJob, { kind: "merge" }>;

function settingsOf(graph: Graph, job: { study: string; variant: string }): VariantSettings {
  const v = graph.variants.find((x) => x.study === job.study && x.variant === job.variant);
  if (!v) throw new Error(`unknown population ${job.study}/${job.variant}`);
  return v;
}

/** Every setting of a population that changes its fixed-point numbers. */
export function fixedPointParameters(v: VariantSettings): Record<string, unknown> {
  const s: FixedPointSettings = v.measure.fixedPoints;
  return {
    value: "stable fixed points of h ↦ tanh(W_h h + b + W_x x*), mean over the resting inputs",
    restingInputs: METRIC_REGISTRY.fixed_points.restingInputs(v.rv.task),
    ...s.finder,
    maxStartStates: s.maxStartStates,
    eigenvalues: s.eigenvalues,
    viewTrials: s.viewTrials,
    viewDigits: s.viewDigits,
    starts: "evaluation trajectories (hidden unit), evenly strided",
    evalTrials: v.measure.evalTrials,
    evalSeed: v.measure.evalSeed,
    useMembers: v.measure.useMembers,
  };
}

/** One network's fixed points (`fixed_points/mNNN.json`). */
export async function fixedPointsUnit(out: string, graph: Graph, job: FixedPointsJob) {
  const t0 = performance.now();
  const v = settingsOf(graph, job);
  const rec = await readNetworkRecord(
    networkPath(out, job.study, job.variant, job.member),
    expectedNetwork(v, job.member),
  );
  const h = await readHidden(out, job.study, job.variant, job.member);
  if (h.header.network !== rec.id) {
    throw new Error(
      `hidden states of member ${job.member} belong to ${h.header.network}, not ${rec.id}; ` +
        `delete them to recompute`,
    );
  }
  const file: FixedPointsFile = {
    schema: SCHEMA.fixedPoints,
    network: rec.id,
    member: rec.member,
    status: rec.status,
    used: h.header.used,
    parameters: fixedPointParameters(v),
    value: null,
    lineAttractorLength: null,
    runs: [],
    view: null,
    wallTimeSec: 0,
  };
  if (h.header.used) {
    const r = METRIC_REGISTRY.fixed_points.compute(rec, v.rv.task, {
      data: h.data,
      trials: h.header.trials,
      steps: h.header.steps,
      units: h.header.units,
    }, v.measure.fixedPoints);
    file.value = r.value;
    file.lineAttractorLength = r.extra.lineAttractorLength;
    file.runs = r.extra.runs;
    file.view = r.extra.view;
  }
  file.wallTimeSec = (performance.now() - t0) / 1000;
  await writeJsonAtomic(fixedPointsPath(out, job.study, job.variant, job.member), file);
}

/** Reads a network's fixed-point file, checking its schema. */
export async function readFixedPoints(path: string): Promise<FixedPointsFile> {
  const f = await readJson<FixedPointsFile>(path);
  if (f.schema !== SCHEMA.fixedPoints) {
    throw new Error(`${path}: schema must be "${SCHEMA.fixedPoints}", got ${String(f.schema)}`);
  }
  return f;
}

/**
 * The population's `metrics/fixed_points.json`: `values` = each used network's mean number of
 * stable fixed points over the resting inputs; `summary` = that value's summary plus summaries
 * of the numbers of fixed points, slow points and the line-attractor length, and the numbers of
 * networks with a continuum / a line attractor; `extra.networks[id]` = status, value,
 * line-attractor length and the runs (summaries without the states, which stay in the
 * per-network files); `extra.example` = the Fig. 2E view of the first used converged network
 * (the first used one when none converged).
 */
export async function mergeFixedPoints(out: string, graph: Graph, job: MergeJob) {
  const v = settingsOf(graph, job);
  const recs: NetworkRecord[] = [];
  for (let m = 0; m < graph.preset.members; m++) {
    recs.push(
      await readNetworkRecord(networkPath(out, job.study, job.variant, m), expectedNetwork(v, m)),
    );
  }
  const dup = duplicateNetworks(
    recs.map((record, m) => ({ file: networkPath(out, job.study, job.variant, m), record })),
  );
  if (dup !== null) throw new Error(dup);
  // The hidden unit decides which networks are used (learned ones, docs/fidelity.md); each
  // fixed-points file carries that decision.
  const used: NetworkRecord[] = [];
  const files: FixedPointsFile[] = [];
  for (const r of recs) {
    const p = fixedPointsPath(out, job.study, job.variant, r.member);
    const f = await readFixedPoints(p);
    if (f.network !== r.id || (f.used && f.value === null)) {
      throw new Error(
        `${p}: network ${f.network} (used ${f.used}) does not match ${r.id}; delete it to recompute`,
      );
    }
    if (!f.used) continue;
    used.push(r);
    files.push(f);
  }
  const ids = used.map((r) => r.id);
  const values = files.map((f) => f.value!);
  const lla = files.map((f) => f.lineAttractorLength ?? 0);
  const meanOver = (f: FixedPointsFile, k: "fixedPoints" | "slowPoints") =>
    f.runs.reduce((a, r) => a + r.summary[k], 0) / Math.max(1, f.runs.length);
  const networks = Object.fromEntries(files.map((f) => [f.network, {
    status: f.status,
    value: f.value,
    lineAttractorLength: f.lineAttractorLength,
    runs: f.runs.map(compactRun),
  }]));
  const exampleAt = Math.max(0, files.findIndex((f) => f.status === "converged"));
  const ex = files[exampleAt];
  const file = buildMetricFile({
    study: v.study,
    variant: v.variant,
    level: v.level,
    population: populationCounts(
      recs.map((r) => r.status),
      used.length,
      [...new Set(recs.map((r) => r.backend))],
    ),
    // computed from these networks with these settings (checked by the report)
    provenance: {
      networks: await networksDigest(
        await Promise.all(recs.map(async (r) => ({ id: r.id, digest: await networkDigest(r) }))),
      ),
      settings: await settingsDigest(metricSettings("fixed_points", v.measure)),
    },
    metric: "fixed_points",
    parameters: fixedPointParameters(v),
    ids,
    values,
    summary: {
      ...summarize(values),
      fixedPoints: summarize(files.map((f) => meanOver(f, "fixedPoints"))),
      slowPoints: summarize(files.map((f) => meanOver(f, "slowPoints"))),
      lineAttractorLength: summarize(lla),
      withContinuum: files.filter((f) => f.runs.some((r) => r.summary.continua.length > 0))
        .length,
      withLineAttractor: lla.filter((x) => x > 0).length,
    },
    checks: {
      maxResidual: Math.max(
        0,
        ...files.flatMap((f) => f.runs.map((r) => r.summary.maxResidual ?? 0)),
      ),
    },
    source: { run: "pipeline", units: `fixed-points/${job.study}/${job.variant}/*` },
    extra: {
      networks,
      status: files.map((f) => f.status),
      lineAttractorLength: lla,
      example: ex
        ? {
          id: ex.network,
          member: ex.member,
          status: ex.status,
          run: ex.runs[(ex.view as { run: number }).run]?.label ?? null,
          view: ex.view,
        }
        : null,
    },
    wallTimeSec: files.reduce((a, f) => a + f.wallTimeSec, 0),
  });
  const path = metricPath(out, job.study, job.variant, "fixed_points");
  if (!(await exists(path))) await writeJsonAtomic(path, file);
}
