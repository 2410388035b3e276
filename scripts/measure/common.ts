/**
 * Shared I/O of the measure scripts: reading a run directory of saved networks
 * (`degeneracy.network/1`, through `parseNetworkRecord` of rnn/record.ts, the one reader of
 * saved networks) or a user JSON file, and writing a metric JSON (`degeneracy.metric/2` of
 * scripts/lib/formats.ts, the same format the pipeline writes) atomically. Every load error names the file
 * and the field; scripts load and compute everything before writing, so a bad input leaves
 * nothing behind.
 *
 * @module
 */
import { duplicateNetworks, parseNetworkRecord } from "../../rnn/record.ts";
import type { NetworkRecord } from "../../rnn/types.ts";
import {
  type MetricFile,
  metricSettings,
  networkDigest,
  networksDigest,
  SCHEMA,
  settingsDigest,
  upgradeMetricFile,
} from "../lib/formats.ts";
import { buildMetricFile, populationCounts } from "../lib/metrics.ts";
import { f, requireAccess, runMain, UsageError } from "../lib/cli.ts";
import { dirname } from "../lib/io.ts";

export { summarize, upperTriangle } from "../lib/metrics.ts";
export { writeJsonAtomic } from "../lib/io.ts";
export type { MetricFile } from "../lib/formats.ts";

/** Schema tag of a metric file (`degeneracy.metric/2`, scripts/lib/formats.ts). */
export const METRIC_SCHEMA = SCHEMA.metric;
/** Schema tag of a saved network. */
export const NETWORK_SCHEMA = SCHEMA.network;

/** Error raised for bad input; the scripts print its message as one line. */
export class InputError extends Error {}

/** Runs `main`, turning any error into one line on stderr (exit 2 for a bad flag, else 1). */
export function runScript(main: () => Promise<void>): Promise<void> {
  return runMain(main);
}

/** The flag of the metric file a measure script writes. */
export const OUT_FLAG = {
  out: f.path("FILE", "the metric file to write (required; its directory is created)"),
};

/** Flags of the scripts that read saved networks (`--run DIR`). */
export const RUN_FLAGS = {
  run: f.path("DIR", "saved networks: every degeneracy.network/1 file under DIR"),
  "include-unconverged": f.switch("also measure networks that did not converge"),
  "task-id": f.string("ID", "keep only the networks of this task variant", {
    allowed: "a task id, e.g. flipflop-n3",
  }),
};

/** Throws a UsageError unless exactly one of the input flags `given` has a value. */
export function exactlyOne(given: Record<string, unknown>): void {
  const names = Object.keys(given).map((n) => `--${n}`);
  const set = Object.entries(given).filter(([, v]) => v !== undefined).map(([n]) => `--${n}`);
  if (set.length !== 1) {
    throw new UsageError(
      set[1] ?? names[0],
      set.length === 0 ? "no input given" : `given with ${set[0]}`,
      `exactly one of ${names.join(", ")}`,
    );
  }
}

/** Throws a UsageError when `--out` is missing. */
export function requireOut(out: string | undefined): string {
  if (out === undefined) throw new UsageError("--out", "missing", "the metric file to write");
  return out;
}

/**
 * Checks, before anything is read or written, that the inputs (`[flag, path]`, undefined
 * paths skipped) may be read and `out`'s directory written; otherwise the error gives the
 * exact `deno run` command for `script` (e.g. `scripts/measure/pif.ts`) with these grants
 * (and `extraRead`, e.g. the worker modules).
 */
export function measureAccess(
  script: string,
  inputs: [string, string | undefined][],
  out: string | undefined,
  args: string[],
  extraRead: string[] = [],
): void {
  const read = inputs.filter(([, p]) => p !== undefined).map(([flag, path]) => ({
    flag,
    path: path!,
  }));
  const outDir = out === undefined ? [] : [{ flag: "--out", path: dirname(out) }];
  requireAccess({ script, read: [...read, ...outDir, ...extraRead], write: outDir }, args);
}

/** Reads and parses a JSON file; errors name the file. */
export async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read (${e instanceof Error ? e.message : e})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${path}: invalid JSON (${e instanceof Error ? e.message : e})`);
  }
}

/** All `*.json` files under `dir` (recursive), sorted. */
export async function listJsonFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(d));
    } catch (e) {
      throw new InputError(`${d}: cannot read directory (${e instanceof Error ? e.message : e})`);
    }
    for (const e of entries) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory) await walk(p);
      else if (e.isFile && e.name.endsWith(".json") && !e.name.includes(".tmp-")) out.push(p);
    }
  };
  await walk(dir.replace(/\/+$/, "") || "/");
  return out.sort();
}

/** Validates a `number[][]` field of a file, naming file and field on error. */
export function matrixField(x: unknown, file: string, field: string, square = false): number[][] {
  if (!Array.isArray(x) || x.length === 0) {
    throw new InputError(`${file}: ${field} must be a non-empty number[][]`);
  }
  const cols = Array.isArray(x[0]) ? x[0].length : 0;
  if (cols === 0) throw new InputError(`${file}: ${field}[0] must be a non-empty array of numbers`);
  x.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new InputError(`${file}: ${field}[${i}] must have ${cols} numbers`);
    }
    row.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new InputError(`${file}: ${field}[${i}][${j}] must be a finite number, got ${v}`);
      }
    });
  });
  if (square && x.length !== cols) {
    throw new InputError(`${file}: ${field} must be square, got ${x.length}×${cols}`);
  }
  return x as number[][];
}

/** Validates a `number[][][]` (trials × steps × units) field, naming file and field. */
export function trialsField(x: unknown, file: string, field: string): number[][][] {
  if (!Array.isArray(x) || x.length === 0) {
    throw new InputError(`${file}: ${field} must be a non-empty trials × steps × units array`);
  }
  const steps = Array.isArray(x[0]) ? x[0].length : 0;
  x.forEach((tr, b) => {
    if (!Array.isArray(tr) || tr.length !== steps || steps === 0) {
      throw new InputError(`${file}: ${field}[${b}] must have ${steps || "≥ 1"} steps`);
    }
    matrixField(tr, file, `${field}[${b}]`);
  });
  const units = (x as number[][][])[0][0].length;
  (x as number[][][]).forEach((tr, b) => {
    if (tr[0].length !== units) {
      throw new InputError(`${file}: ${field}[${b}][0] must have ${units} units`);
    }
  });
  return x as number[][][];
}

/** Optional `ids` field: strings, unique, one per item; defaults to "0", "1", …. */
export function idsField(x: unknown, count: number, file: string): string[] {
  if (x === undefined) return Array.from({ length: count }, (_, i) => String(i));
  if (!Array.isArray(x) || x.length !== count || !x.every((s) => typeof s === "string")) {
    throw new InputError(`${file}: ids must be an array of ${count} strings`);
  }
  if (new Set(x).size !== x.length) throw new InputError(`${file}: ids must be unique`);
  return x as string[];
}

/** A saved network with the fields the measure scripts use. */
export interface LoadedNetwork {
  file: string;
  id: string;
  status: string;
  task: { name: string; id: string; params: Record<string, number | string | boolean> };
  hidden: number;
  /** Initial and final recurrent weights W_h, `[H][H]`. */
  initialWh: number[][];
  finalWh: number[][];
  /** The whole validated record (for the forward pass). */
  record: NetworkRecord;
}

/**
 * Loads the saved networks under `dir` (recursively; JSON files whose `schema` is not
 * `degeneracy.network/1` are skipped and counted). Each network file is validated by
 * `parseNetworkRecord` (rnn/record.ts); errors name the file and the field. Keeps only
 * `status: "converged"` members unless `includeUnconverged`; `taskId` keeps only that task
 * variant (without it, networks of two variants are an error naming a file of each).
 * `population` counts every network of the selected variant(s) by status, and
 * `networksDigest` is their digest (the provenance of the metric file). An empty directory, no
 * network of the task, no network left to measure, or two files holding the same network
 * (same id, member, seeds or weights) are errors naming the directory or both files.
 */
export async function loadRunDirectory(
  dir: string,
  options: { includeUnconverged?: boolean; taskId?: string } = {},
): Promise<{
  networks: LoadedNetwork[];
  excluded: { id: string; status: string }[];
  skippedFiles: number;
  population: MetricFile["population"];
  networksDigest: string;
}> {
  const files = await listJsonFiles(dir);
  if (files.length === 0) {
    throw new InputError(`${dir}: no JSON files here (expected ${NETWORK_SCHEMA} network files)`);
  }
  const networks: LoadedNetwork[] = [];
  const excluded: { id: string; status: string }[] = [];
  const statuses: string[] = [];
  const backends = new Set<string>();
  const selected: { file: string; record: NetworkRecord }[] = [];
  const taskIds = new Set<string>();
  /** The first file of each task variant (to name two files of different variants). */
  const fileOfTask = new Map<string, string>();
  let skippedFiles = 0;
  for (const file of files) {
    const raw = await readJson(file);
    if (
      raw === null || typeof raw !== "object" ||
      (raw as { schema?: unknown }).schema !== NETWORK_SCHEMA
    ) {
      skippedFiles++;
      continue;
    }
    let r: NetworkRecord;
    try {
      r = parseNetworkRecord(raw, file);
    } catch (e) {
      throw new InputError((e as Error).message);
    }
    taskIds.add(r.task.id);
    if (!fileOfTask.has(r.task.id)) fileOfTask.set(r.task.id, file);
    if (options.taskId !== undefined && r.task.id !== options.taskId) continue;
    selected.push({ file, record: r });
    statuses.push(r.status);
    backends.add(r.backend);
    if (r.status !== "converged" && !options.includeUnconverged) {
      excluded.push({ id: r.id, status: r.status });
      continue;
    }
    networks.push({
      file,
      id: r.id,
      status: r.status,
      task: { name: r.task.name, id: r.task.id, params: r.task.params ?? {} },
      hidden: r.shape.hidden,
      initialWh: r.initial.wh,
      finalWh: r.final.wh,
      record: r,
    });
  }
  if (taskIds.size === 0) {
    throw new InputError(
      `${dir}: no ${NETWORK_SCHEMA} files among its ${files.length} JSON files`,
    );
  }
  if (selected.length === 0) {
    throw new InputError(
      `${dir}: no network of task ${options.taskId} (--task-id; tasks here: ${
        [...taskIds].sort().join(", ")
      })`,
    );
  }
  if (options.taskId === undefined && taskIds.size > 1) {
    const [[a, fa], [b, fb]] = [...fileOfTask];
    throw new InputError(
      `${fb}: task.id is "${b}", but ${fa} is "${a}": one population holds one task variant ` +
        `(pick one with --task-id; tasks here: ${[...taskIds].sort().join(", ")})`,
    );
  }
  const dup = duplicateNetworks(selected);
  if (dup !== null) throw new InputError(dup);
  if (networks.length === 0) {
    throw new InputError(
      `${dir}: none of its ${selected.length} networks converged (${
        excluded.map((x) => x.status).join(", ")
      }); add --include-unconverged to measure them`,
    );
  }
  const digests = await Promise.all(
    selected.map(async ({ record }) => ({ id: record.id, digest: await networkDigest(record) })),
  );
  return {
    networks,
    excluded,
    skippedFiles,
    population: populationCounts(statuses, networks.length, [...backends]),
    networksDigest: await networksDigest(digests),
  };
}

/**
 * The provenance of a metric file measured from a run directory: the digest of its networks and
 * of the settings `metricSettings(metric, …)` describes, from the script's flags (fields the
 * script does not use keep the pipeline's defaults so that equal settings give equal digests).
 */
export async function measureProvenance(
  metric: string,
  networks: string,
  settings: Partial<Parameters<typeof metricSettings>[1]> & {
    includeUnconverged: boolean;
    population: MetricFile["population"];
  },
): Promise<MetricFile["provenance"]> {
  const { includeUnconverged, population, ...rest } = settings;
  // the pipeline's "all" leaves diverged networks out; --include-unconverged keeps them
  const useMembers = !includeUnconverged
    ? "converged"
    : (population?.diverged ?? 0) > 0
    ? "all, diverged included"
    : "all";
  const full = {
    evalTrials: 0,
    evalSeed: 0,
    oodTrials: 0,
    oodSeed: 0,
    dsa: null,
    dsaSeed: 0,
    dsaSteps: 0,
    rankAsked: 0,
    pifRestarts: 0,
    pifSeed: 0,
    ...rest,
    useMembers,
  };
  return { networks, settings: await settingsDigest(metricSettings(metric, full)) };
}

/**
 * Builds and validates a metric file (`buildMetricFile` of scripts/lib/metrics.ts), the format
 * the pipeline writes too, so the report reads measure-script output.
 */
export function metricFile(m: Omit<MetricFile, "schema">): MetricFile {
  return buildMetricFile(m);
}

/** Reads a metric file of either schema version (e.g. for MDS), validating its matrix. */
export async function readMetricFile(path: string): Promise<MetricFile> {
  const f = upgradeMetricFile(await readJson(path), path);
  if (f instanceof Error) throw new InputError(f.message);
  if (f.matrix !== undefined) {
    const m = matrixField(f.matrix, path, "matrix", true);
    if (m.length !== f.ids.length) {
      throw new InputError(`${path}: matrix must have one row per id`);
    }
  }
  return f;
}

/**
 * Loads user trajectories / hidden states: `{ "ids"?: string[], "trajectories":
 * number[][][][] }` (systems × trials × steps × units; a bare array is accepted too).
 * Systems may differ in trials, steps and units.
 */
export async function loadTrajectoriesFile(
  path: string,
): Promise<{ ids: string[]; systems: number[][][][] }> {
  const raw = await readJson(path);
  const obj = Array.isArray(raw) ? { trajectories: raw } : raw as Record<string, unknown>;
  if (
    obj === null || typeof obj !== "object" || !Array.isArray(obj.trajectories) ||
    obj.trajectories.length === 0
  ) {
    throw new InputError(
      `${path}: trajectories must be a non-empty array of systems (trials × steps × units)`,
    );
  }
  const systems = obj.trajectories.map((s, k) => trialsField(s, path, `trajectories[${k}]`));
  return { ids: idsField(obj.ids, systems.length, path), systems };
}

/** Applies `fn` to each system, prefixing any error with the file and `trajectories[k]`. */
export function perSystem<T, R>(
  file: string,
  systems: T[],
  fn: (s: T) => R,
  field = "trajectories",
): R[] {
  return systems.map((s, k) => {
    try {
      return fn(s);
    } catch (e) {
      throw new InputError(`${file}: ${field}[${k}]: ${e instanceof Error ? e.message : e}`);
    }
  });
}
