/**
 * Shared I/O of the measure scripts: reading a run directory of saved networks
 * (`degeneracy.network/1`) or a user JSON file, and writing a metric JSON
 * (`degeneracy.metric/1`) atomically (temp file + rename). Every load error names the file
 * and the field; scripts load and compute everything before writing, so a bad input leaves
 * nothing behind.
 *
 * @module
 */
import { bootstrapCi, mean, median, standardDeviation } from "../../metrics/statistics.ts";
import type { SelfChecks } from "../../metrics/selfcheck.ts";

/** Schema tag of a metric file. */
export const METRIC_SCHEMA = "degeneracy.metric/1" as const;
/** Schema tag of a saved network. */
export const NETWORK_SCHEMA = "degeneracy.network/1" as const;

/** A metric file. Exactly one of `values` (one number per id) or `matrix` (ids × ids). */
export interface MetricFile {
  schema: typeof METRIC_SCHEMA;
  /** Metric name, e.g. `"pif"`, `"dsa"`, `"dimensionality"`. */
  metric: string;
  /** Every option that affects the numbers. */
  parameters: Record<string, unknown>;
  /** Ids of the measured networks / systems, in the order of `values` / `matrix` rows. */
  ids: string[];
  values?: number[];
  matrix?: number[][];
  /** Summary statistics (e.g. of `values`, or of the matrix's upper triangle). */
  summary: Record<string, unknown>;
  /** Self-checks (identity, symmetry, optimiser spread) where the metric is a distance. */
  selfChecks: SelfChecks | Record<string, unknown> | null;
  /** Where the data came from. */
  source: Record<string, unknown>;
  /** Further per-id detail (e.g. per-trial values, lower bounds). */
  extra?: Record<string, unknown>;
}

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

function objectField(x: unknown, file: string, field: string): Record<string, unknown> {
  if (x === null || typeof x !== "object" || Array.isArray(x)) {
    throw new InputError(`${file}: ${field} must be an object`);
  }
  return x as Record<string, unknown>;
}

/** The fields of a saved network that the measure scripts use. */
export interface LoadedNetwork {
  file: string;
  id: string;
  status: string;
  task: { name: string; id: string; params: Record<string, number | string | boolean> };
  hidden: number;
  /** Initial and final recurrent weights W_h, `[H][H]`. */
  initialWh: number[][];
  finalWh: number[][];
  /** The whole parsed record (for the forward pass). */
  record: Record<string, unknown>;
}

/**
 * Loads the saved networks under `dir` (recursively; JSON files whose `schema` is not
 * `degeneracy.network/1` are skipped and counted). Validates the fields used here (id,
 * status, task, shape.hidden, initial.wh, final.wh) and throws naming the file and field.
 * Keeps only `status: "converged"` members unless `includeUnconverged`; `taskId` keeps only
 * that task variant.
 */
export async function loadRunDirectory(
  dir: string,
  options: { includeUnconverged?: boolean; taskId?: string } = {},
): Promise<
  { networks: LoadedNetwork[]; excluded: { id: string; status: string }[]; skippedFiles: number }
> {
  const files = await listJsonFiles(dir);
  const networks: LoadedNetwork[] = [];
  const excluded: { id: string; status: string }[] = [];
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
    const r = raw as Record<string, unknown>;
    if (typeof r.id !== "string" || r.id === "") {
      throw new InputError(`${file}: id must be a non-empty string`);
    }
    const status = r.status;
    if (status !== "converged" && status !== "not_converged" && status !== "diverged") {
      throw new InputError(
        `${file}: status must be converged, not_converged or diverged, got ${String(status)}`,
      );
    }
    const task = objectField(r.task, file, "task");
    if (typeof task.id !== "string" || typeof task.name !== "string") {
      throw new InputError(`${file}: task.name and task.id must be strings`);
    }
    const shape = objectField(r.shape, file, "shape");
    const hidden = shape.hidden;
    if (!Number.isInteger(hidden) || (hidden as number) < 1) {
      throw new InputError(`${file}: shape.hidden must be an integer ≥ 1, got ${String(hidden)}`);
    }
    const initial = objectField(r.initial, file, "initial");
    const final = objectField(r.final, file, "final");
    const initialWh = matrixField(initial.wh, file, "initial.wh", true);
    const finalWh = matrixField(final.wh, file, "final.wh", true);
    if (initialWh.length !== hidden || finalWh.length !== hidden) {
      throw new InputError(
        `${file}: initial.wh and final.wh must be ${hidden}×${hidden} (shape.hidden)`,
      );
    }
    if (options.taskId !== undefined && task.id !== options.taskId) continue;
    if (status !== "converged" && !options.includeUnconverged) {
      excluded.push({ id: r.id, status });
      continue;
    }
    networks.push({
      file,
      id: r.id,
      status,
      task: {
        name: task.name,
        id: task.id,
        params: (task.params ?? {}) as Record<string, number | string | boolean>,
      },
      hidden: hidden as number,
      initialWh,
      finalWh,
      record: r,
    });
  }
  const seen = new Set<string>();
  for (const n of networks) {
    if (seen.has(n.id)) {
      throw new InputError(`${n.file}: id "${n.id}" appears in more than one file`);
    }
    seen.add(n.id);
  }
  return { networks, excluded, skippedFiles };
}

/** Summary of a list of values: n, mean, sd (ddof 1), median, min, max, bootstrap 95% CI of the mean. */
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

/** Upper-triangle entries (i < j) of a square matrix. */
export function upperTriangle(m: number[][]): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.length; i++) for (let j = i + 1; j < m.length; j++) out.push(m[i][j]);
  return out;
}

/**
 * Writes `data` as JSON to `path` atomically: a temp file in the same directory, then a
 * rename (needs read and write permission on the directory). Creates the directory.
 */
export async function writeJsonAtomic(path: string, data: unknown): Promise<void> {
  const slash = path.lastIndexOf("/");
  const dir = slash > 0 ? path.slice(0, slash) : ".";
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}-${Date.now()}`;
  try {
    await Deno.writeTextFile(tmp, JSON.stringify(data) + "\n");
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** Builds and validates a metric file object. */
export function metricFile(m: Omit<MetricFile, "schema">): MetricFile {
  const hasValues = m.values !== undefined;
  const hasMatrix = m.matrix !== undefined;
  if (hasValues === hasMatrix) throw new Error("metric file needs exactly one of values or matrix");
  if (hasValues && m.values!.length !== m.ids.length) throw new Error("values must match ids");
  if (hasMatrix && m.matrix!.length !== m.ids.length) throw new Error("matrix must match ids");
  return { schema: METRIC_SCHEMA, ...m };
}

/** Reads a metric file (e.g. for MDS), validating schema and matrix/values. */
export async function readMetricFile(path: string): Promise<MetricFile> {
  const raw = objectField(await readJson(path), path, "(top level)");
  if (raw.schema !== METRIC_SCHEMA) {
    throw new InputError(`${path}: schema must be "${METRIC_SCHEMA}", got ${String(raw.schema)}`);
  }
  if (!Array.isArray(raw.ids) || !raw.ids.every((s) => typeof s === "string")) {
    throw new InputError(`${path}: ids must be an array of strings`);
  }
  if (raw.matrix !== undefined) {
    const m = matrixField(raw.matrix, path, "matrix", true);
    if (m.length !== raw.ids.length) {
      throw new InputError(`${path}: matrix must have one row per id`);
    }
  }
  return raw as unknown as MetricFile;
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
