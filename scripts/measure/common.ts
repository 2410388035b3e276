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
import { parseNetworkRecord } from "../../rnn/record.ts";
import type { NetworkRecord } from "../../rnn/types.ts";
import { type MetricFile, SCHEMA, upgradeMetricFile } from "../lib/formats.ts";
import { buildMetricFile, populationCounts } from "../lib/metrics.ts";

export { summarize, upperTriangle } from "../lib/metrics.ts";
export { writeJsonAtomic } from "../lib/io.ts";
export type { MetricFile } from "../lib/formats.ts";

/** Schema tag of a metric file (`degeneracy.metric/2`, scripts/lib/formats.ts). */
export const METRIC_SCHEMA = SCHEMA.metric;
/** Schema tag of a saved network. */
export const NETWORK_SCHEMA = SCHEMA.network;

/** Error raised for bad input; the scripts print its message as one line. */
export class InputError extends Error {}

/** Runs `main`, turning any error into one line on stderr and exit code 1. */
export async function runScript(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`error: ${msg.split("\n")[0]}`);
    Deno.exit(1);
  }
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
 * variant. `population` counts every network of the selected variant(s) by status.
 */
export async function loadRunDirectory(
  dir: string,
  options: { includeUnconverged?: boolean; taskId?: string } = {},
): Promise<{
  networks: LoadedNetwork[];
  excluded: { id: string; status: string }[];
  skippedFiles: number;
  population: MetricFile["population"];
}> {
  const files = await listJsonFiles(dir);
  const networks: LoadedNetwork[] = [];
  const excluded: { id: string; status: string }[] = [];
  const statuses: string[] = [];
  const backends = new Set<string>();
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
    if (options.taskId !== undefined && r.task.id !== options.taskId) continue;
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
  const seen = new Map<string, string>();
  for (const n of networks) {
    const other = seen.get(n.id);
    if (other !== undefined) {
      throw new InputError(`${n.file}: id "${n.id}" appears in more than one file (also ${other})`);
    }
    seen.set(n.id, n.file);
  }
  return {
    networks,
    excluded,
    skippedFiles,
    population: populationCounts(statuses, networks.length, [...backends]),
  };
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
 * `parseArgs` options of the scripts that read recurrent weights (`pif.ts`,
 * `distance_from_init.ts`): `--run DIR` or `--weights FILE`, `--include-unconverged`,
 * `--task-id ID`; check the choice with {@link requireRunOrWeights}.
 */
export const weightsInputOptions = {
  run: { type: "string" },
  weights: { type: "string" },
  "include-unconverged": { type: "boolean", default: false },
  "task-id": { type: "string" },
} as const;

/** Throws an `InputError` unless exactly one of `--run DIR` and `--weights FILE` is given. */
export function requireRunOrWeights(a: { run?: string; weights?: string }): void {
  if ((a.run === undefined) === (a.weights === undefined)) {
    throw new InputError("give exactly one of --run DIR or --weights FILE");
  }
}

/** Parses a numeric CLI option, naming it on error. */
export function numberOption(
  value: string | undefined,
  name: string,
  fallback: number,
  check: (x: number) => boolean = Number.isFinite,
  range = "a finite number",
): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (value.trim() === "" || !check(x)) {
    throw new InputError(`--${name} must be ${range}, got ${value}`);
  }
  return x;
}

/**
 * Integer command-line option `--name` ≥ `min`: {@link numberOption} with the check
 * `Number.isInteger(x) && x >= min` and the range text "an integer ≥ min".
 */
export function integerOption(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
): number {
  return numberOption(
    value,
    name,
    fallback,
    (x) => Number.isInteger(x) && x >= min,
    `an integer ≥ ${min}`,
  );
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
