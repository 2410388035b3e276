/**
 * Saved networks (`schema: "degeneracy.network/1"`): conversion between `RnnParams` and JSON,
 * record validation, the one reader of network files (`parseNetworkRecord`,
 * `readNetworkRecord`; every script loads saved networks through it), and running a saved
 * network forward to get its hidden-state trajectories.
 *
 * Float32 weights are written as the JSON numbers of their exact (float64-widened) values, so
 * `paramsFromSerialized(paramsToSerialized(p))` is bit-identical to `p`.
 *
 * @module
 */
import type { NetworkRecord, RnnParams, RnnShape, SerializedParams } from "./types.ts";
import { validateParams, validateShape } from "./params.ts";
import { tsKernel } from "./kernels/ts.ts";

/** Schema tag of a saved network. */
export const NETWORK_SCHEMA = "degeneracy.network/1" as const;

function rows(a: Float32Array, r: number, c: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < r; i++) out.push(Array.from(a.subarray(i * c, (i + 1) * c)));
  return out;
}

/**
 * Weights as nested JSON arrays (`[H][I]`, `[H][H]`, `[H]`, `[O][H]`, `[O]`).
 *
 * @example
 * ```ts
 * import { initParams, paramsToSerialized } from "@degeneracy/degeneracy";
 * const s = paramsToSerialized({ inputDim: 1, hidden: 3, outputDim: 1 }, initParams({ inputDim: 1, hidden: 3, outputDim: 1 }, 5));
 * if (s.wh.length !== 3 || s.wh[0].length !== 3) throw new Error("nested [H][H]");
 * ```
 */
export function paramsToSerialized(shape: RnnShape, p: RnnParams): SerializedParams {
  validateShape(shape);
  validateParams(shape, p);
  const { inputDim: I, hidden: H, outputDim: O } = shape;
  return {
    wx: rows(p.wx, H, I),
    wh: rows(p.wh, H, H),
    b: Array.from(p.b),
    wo: rows(p.wo, O, H),
    bo: Array.from(p.bo),
  };
}

function fromRows(name: string, m: unknown, r: number, c: number): Float32Array {
  if (!Array.isArray(m) || m.length !== r) throw new Error(`${name} must be an array of ${r} rows`);
  const out = new Float32Array(r * c);
  m.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== c) {
      throw new Error(`${name}[${i}] must be an array of ${c} numbers`);
    }
    row.forEach((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new Error(`${name}[${i}][${j}] must be a finite number, got ${v}`);
      }
      out[i * c + j] = v;
    });
  });
  return out;
}

function fromVector(name: string, v: unknown, n: number): Float32Array {
  if (!Array.isArray(v) || v.length !== n) {
    throw new Error(`${name} must be an array of ${n} numbers`);
  }
  return Float32Array.from(v, (x, i) => {
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new Error(`${name}[${i}] must be a finite number, got ${x}`);
    }
    return x;
  });
}

/**
 * Parses serialised weights of a network of size `shape`; throws naming a bad field.
 *
 * @example
 * ```ts
 * import { initParams, paramsFromSerialized, paramsToSerialized } from "@degeneracy/degeneracy";
 * const shape = { inputDim: 1, hidden: 3, outputDim: 1 };
 * const p = initParams(shape, 5);
 * const q = paramsFromSerialized(shape, paramsToSerialized(shape, p));
 * if (q.wo[2] !== p.wo[2]) throw new Error("round trip");
 * ```
 */
export function paramsFromSerialized(
  shape: RnnShape,
  s: SerializedParams,
  name = "params",
): RnnParams {
  validateShape(shape);
  const { inputDim: I, hidden: H, outputDim: O } = shape;
  if (s === null || typeof s !== "object") throw new Error(`${name} must be an object`);
  return {
    wx: fromRows(`${name}.wx`, s.wx, H, I),
    wh: fromRows(`${name}.wh`, s.wh, H, H),
    b: fromVector(`${name}.b`, s.b, H),
    wo: fromRows(`${name}.wo`, s.wo, O, H),
    bo: fromVector(`${name}.bo`, s.bo, O),
  };
}

/**
 * Checks a parsed JSON value is a `degeneracy.network/1` record (schema and shapes).
 *
 * @example
 * ```ts
 * import {
 *   createTask,
 *   defaultTrainingConfig,
 *   initParams,
 *   networkShape,
 *   toRecord,
 *   validateRecord,
 * } from "@degeneracy/degeneracy";
 * const task = createTask({ name: "flipflop", n: 1 });
 * const config = defaultTrainingConfig(task, { hidden: 4 });
 * const shape = networkShape(task, config);
 * const weights = initParams(shape, 1);
 * const record = toRecord({
 *   task,
 *   config,
 *   id: "demo/m000",
 *   member: 0,
 *   seeds: { initSeed: 1, dataSeed: 2 },
 *   shape,
 *   initial: weights,
 *   final: weights,
 *   history: { trainLoss: [], testLoss: [], lr: [] },
 *   stopEpoch: 0,
 *   status: "not_converged",
 *   backend: "none",
 *   dataSampling: "main",
 *   wallTimeSec: 0,
 * });
 * validateRecord(record); // fine
 * try {
 *   validateRecord({ ...record, stopEpoch: -1 });
 * } catch (e) {
 *   console.log((e as Error).message);
 * }
 * ```
 */
export function validateRecord(r: NetworkRecord): void {
  if (r === null || typeof r !== "object") throw new Error("network record must be an object");
  if (r.schema !== NETWORK_SCHEMA) {
    throw new Error(`record.schema must be "${NETWORK_SCHEMA}", got ${String(r.schema)}`);
  }
  validateShape(r.shape);
  if (
    !Number.isInteger(r.shape.auxDim) || r.shape.auxDim < 0 || r.shape.auxDim >= r.shape.outputDim
  ) {
    throw new Error(
      `record.shape.auxDim must be an integer in [0, outputDim), got ${r.shape.auxDim}`,
    );
  }
  paramsFromSerialized(r.shape, r.initial, "record.initial");
  paramsFromSerialized(r.shape, r.final, "record.final");
  if (!["converged", "not_converged", "diverged"].includes(r.status)) {
    throw new Error(`record.status must be converged, not_converged or diverged, got ${r.status}`);
  }
}

/**
 * **The one reader of saved networks.** Checks that a parsed JSON value is a complete
 * `degeneracy.network/1` record — `id`, `task` (name, id, params), `member`, `shape`, both weight
 * sets (shapes and finite values) and `status` — and returns it typed (a delayed-discrimination
 * record from before `auxScale` existed gets `auxScale: "raw"`, what it was trained on). Every
 * error names
 * `source` (the file) and the field, e.g. `runs/x/m003.json: record.final.wh[2] must be an
 * array of 64 numbers`.
 */
export function parseNetworkRecord(value: unknown, source: string): NetworkRecord {
  try {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new Error("must be a JSON object");
    }
    const r = value as Record<string, unknown>;
    if (r.schema !== NETWORK_SCHEMA) {
      throw new Error(`schema must be "${NETWORK_SCHEMA}", got ${JSON.stringify(r.schema)}`);
    }
    if (typeof r.id !== "string" || r.id === "") throw new Error("id must be a non-empty string");
    const t = r.task as Record<string, unknown> | null;
    if (
      t === null || typeof t !== "object" || typeof t.name !== "string" || typeof t.id !== "string"
    ) {
      throw new Error("task must be an object with string name and id");
    }
    if (t.params !== undefined && (t.params === null || typeof t.params !== "object")) {
      throw new Error("task.params must be an object");
    }
    // Delayed-discrimination records written before the auxiliary target was scaled to
    // [−1, 1] (tasks `auxScale`, default "range") have no auxScale: they were trained on the
    // raw f2 − f1, so they rebuild their task with auxScale "raw".
    if (
      t.name === "delayed_discrimination" && t.params && typeof t.params === "object" &&
      !("auxScale" in (t.params as Record<string, unknown>))
    ) {
      t.params = { ...(t.params as Record<string, unknown>), auxScale: "raw" };
    }
    if (!Number.isInteger(r.member) || (r.member as number) < 0) {
      throw new Error(`member must be an integer ≥ 0, got ${JSON.stringify(r.member)}`);
    }
    for (const k of ["initSeed", "dataSeed"]) {
      if (typeof r[k] !== "number" || !Number.isInteger(r[k])) {
        throw new Error(`${k} must be an integer, got ${JSON.stringify(r[k])}`);
      }
    }
    if (r.config === null || typeof r.config !== "object" || Array.isArray(r.config)) {
      throw new Error("config must be an object (the training configuration)");
    }
    if (!Number.isInteger(r.stopEpoch) || (r.stopEpoch as number) < 0) {
      throw new Error(`stopEpoch must be an integer ≥ 0, got ${JSON.stringify(r.stopEpoch)}`);
    }
    if (r.shape === null || typeof r.shape !== "object") throw new Error("shape must be an object");
    validateRecord(r as unknown as NetworkRecord);
    return r as unknown as NetworkRecord;
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`${source}: ${msg.replace(/^record\./, "")}`);
  }
}

/** What a reader knows a network file must hold (e.g. the pipeline knows its population). */
export interface NetworkExpectation {
  /** The task variant (`task.id`) of the population. */
  taskId?: string;
  /** The member index the file's name stands for. */
  member?: number;
  /** Hidden units of the population. */
  hidden?: number;
}

/**
 * Throws an Error naming `file` and the field when a valid record is not the one expected
 * (another variant's task, another member, another size).
 */
export function checkNetworkExpectation(
  r: NetworkRecord,
  file: string,
  expect: NetworkExpectation,
): void {
  if (expect.taskId !== undefined && r.task.id !== expect.taskId) {
    throw new Error(
      `${file}: task.id is "${r.task.id}", this population's task is "${expect.taskId}"`,
    );
  }
  if (expect.member !== undefined && r.member !== expect.member) {
    throw new Error(`${file}: member is ${r.member}, the file stands for member ${expect.member}`);
  }
  if (expect.hidden !== undefined && r.shape.hidden !== expect.hidden) {
    throw new Error(
      `${file}: shape.hidden is ${r.shape.hidden}, this population has ${expect.hidden} units`,
    );
  }
}

/** A 64-bit hash (hex) of serialised weights (for finding copies; equality is confirmed). */
function weightsHash(p: SerializedParams): string {
  let h1 = 0x811c9dc5, h2 = 0x01000193;
  const buf = new Float64Array(1), words = new Uint32Array(buf.buffer);
  const mix = (x: number) => {
    buf[0] = x;
    for (const w of words) {
      h1 = Math.imul(h1 ^ w, 0x01000193);
      h2 = Math.imul(h2 ^ w, 0x5bd1e995) ^ (h2 >>> 15);
    }
  };
  for (const m of [p.wx, p.wh, p.wo]) for (const row of m) for (const x of row) mix(x);
  for (const v of [p.b, p.bo]) for (const x of v) mix(x);
  return (h1 >>> 0).toString(16) + (h2 >>> 0).toString(16);
}

/**
 * The first pair of networks that cannot both be genuine members (one line naming both files),
 * or null: the same id; the same member, initSeed or dataSeed within one population (same task
 * variant and training configuration); identical final weights anywhere.
 */
export function duplicateNetworks(nets: { file: string; record: NetworkRecord }[]): string | null {
  const seen = new Map<string, string>();
  const weightsOf = new Map<string, SerializedParams>();
  const clash = (key: string, file: string): string | null => {
    const other = seen.get(key);
    if (other !== undefined && other !== file) return other;
    seen.set(key, file);
    return null;
  };
  for (const { file, record: r } of nets) {
    const pop = `${r.task.id}|${JSON.stringify(r.config)}`;
    const checks: [string, string][] = [
      [`id|${r.id}`, `the same id "${r.id}"`],
      [`member|${pop}|${r.member}`, `the same member ${r.member} of task ${r.task.id}`],
      [`init|${pop}|${r.initSeed}`, `the same initSeed ${r.initSeed} (task ${r.task.id})`],
      [`data|${pop}|${r.dataSeed}`, `the same dataSeed ${r.dataSeed} (task ${r.task.id})`],
      [`weights|${weightsHash(r.final)}`, "identical final weights"],
    ];
    weightsOf.set(file, r.final);
    for (const [key, what] of checks) {
      let other = clash(key, file);
      if (
        other !== null && key.startsWith("weights|") &&
        JSON.stringify(weightsOf.get(other)) !== JSON.stringify(r.final)
      ) {
        other = null; // a hash collision, not a copy
      }
      if (other !== null) {
        return `${other} and ${file} hold ${what}: one of them is a copy; remove it`;
      }
    }
  }
  return null;
}

/**
 * Reads and validates a saved network file ({@link parseNetworkRecord}, then
 * {@link checkNetworkExpectation} when `expect` is given); a missing file, invalid JSON or a bad
 * field is an Error naming the file.
 */
export async function readNetworkRecord(
  path: string,
  expect?: NetworkExpectation,
): Promise<NetworkRecord> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read (${e instanceof Error ? e.message : String(e)})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const r = parseNetworkRecord(value, path);
  if (expect) checkNetworkExpectation(r, path, expect);
  return r;
}

/**
 * The final (default) or initial weights of a saved network.
 *
 * @example JSON round trip, bit for bit
 * ```ts
 * import {
 *   createTask,
 *   defaultTrainingConfig,
 *   initParams,
 *   networkShape,
 *   toRecord,
 *   paramsFromRecord,
 * } from "@degeneracy/degeneracy";
 * const task = createTask({ name: "flipflop", n: 1 });
 * const config = defaultTrainingConfig(task, { hidden: 4 });
 * const shape = networkShape(task, config);
 * const weights = initParams(shape, 1);
 * const record = toRecord({
 *   task,
 *   config,
 *   id: "demo/m000",
 *   member: 0,
 *   seeds: { initSeed: 1, dataSeed: 2 },
 *   shape,
 *   initial: weights,
 *   final: weights,
 *   history: { trainLoss: [], testLoss: [], lr: [] },
 *   stopEpoch: 0,
 *   status: "not_converged",
 *   backend: "none",
 *   dataSampling: "main",
 *   wallTimeSec: 0,
 * });
 * const back = paramsFromRecord(JSON.parse(JSON.stringify(record)));
 * if (back.wh[5] !== weights.wh[5]) throw new Error("weights must round-trip bit for bit");
 * ```
 */
export function paramsFromRecord(
  r: NetworkRecord,
  which: "final" | "initial" = "final",
): RnnParams {
  validateRecord(r);
  return paramsFromSerialized(r.shape, which === "final" ? r.final : r.initial, `record.${which}`);
}

/**
 * Shape (I, H, O incl. auxiliary rows) of a saved network.
 *
 * @example
 * ```ts
 * import {
 *   createTask,
 *   defaultTrainingConfig,
 *   initParams,
 *   networkShape,
 *   toRecord,
 *   shapeFromRecord,
 * } from "@degeneracy/degeneracy";
 * const task = createTask({ name: "flipflop", n: 1 });
 * const config = defaultTrainingConfig(task, { hidden: 4 });
 * const shape = networkShape(task, config);
 * const weights = initParams(shape, 1);
 * const record = toRecord({
 *   task,
 *   config,
 *   id: "demo/m000",
 *   member: 0,
 *   seeds: { initSeed: 1, dataSeed: 2 },
 *   shape,
 *   initial: weights,
 *   final: weights,
 *   history: { trainLoss: [], testLoss: [], lr: [] },
 *   stopEpoch: 0,
 *   status: "not_converged",
 *   backend: "none",
 *   dataSampling: "main",
 *   wallTimeSec: 0,
 * });
 * if (shapeFromRecord(record).hidden !== 4) throw new Error("hidden");
 * ```
 */
export function shapeFromRecord(r: NetworkRecord): RnnShape {
  return { inputDim: r.shape.inputDim, hidden: r.shape.hidden, outputDim: r.shape.outputDim };
}

/** Hidden states and outputs of a forward pass. */
export interface NetworkRun {
  /** Hidden states h_1..h_T, shape `[B, T, H]`. */
  hidden: Float32Array;
  /** Outputs y_t (task outputs, then auxiliary ones), shape `[B, T, O]`. */
  outputs: Float32Array;
}

/**
 * Runs a network forward (h_0 = 0) on `data.inputs` (`[batch, steps, I]`; a `TaskBatch` fits)
 * with the TypeScript reference kernel. `net` is a saved record (its final weights; `shape`
 * may be null) or parameters with their `shape`.
 *
 * @example
 * ```ts
 * import { createTask, initParams, runNetwork } from "@degeneracy/degeneracy";
 * const task = createTask({ name: "flipflop", n: 2 });
 * const shape = { inputDim: task.inputDim, hidden: 8, outputDim: task.outputDim };
 * const trials = task.sample(5, 0);
 * const { hidden, outputs } = runNetwork(initParams(shape, 1), shape, trials);
 * if (hidden.length !== 5 * trials.steps * 8 || outputs.length !== trials.targets.length) {
 *   throw new Error("shapes");
 * }
 * ```
 */
export function runNetwork(
  net: NetworkRecord | RnnParams,
  shape: RnnShape | null,
  data: { batch: number; steps: number; inputs: Float32Array },
): NetworkRun {
  let params: RnnParams;
  let sh: RnnShape;
  if ((net as NetworkRecord).schema !== undefined) {
    params = paramsFromRecord(net as NetworkRecord);
    sh = shapeFromRecord(net as NetworkRecord);
  } else {
    if (!shape) throw new Error("shape is required when running RnnParams");
    params = net as RnnParams;
    sh = shape;
  }
  validateShape(sh);
  validateParams(sh, params);
  const { batch, steps, inputs } = data;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new Error(`batch must be an integer ≥ 1, got ${batch}`);
  }
  if (!Number.isInteger(steps) || steps < 1) {
    throw new Error(`steps must be an integer ≥ 1, got ${steps}`);
  }
  if (!(inputs instanceof Float32Array) || inputs.length !== batch * steps * sh.inputDim) {
    throw new Error(
      `inputs must be a Float32Array of length batch·steps·inputDim = ${
        batch * steps * sh.inputDim
      }`,
    );
  }
  const hidden = new Float32Array(batch * steps * sh.hidden);
  const outputs = new Float32Array(batch * steps * sh.outputDim);
  tsKernel.forward(sh, params, { batch, steps, inputs }, { hidden, outputs });
  return { hidden, outputs };
}

/**
 * A flat row-major `[B, T, D]` array as nested `number[][][]` (trials × steps × units), the
 * trajectory format of the metrics (`dsaDistance`), e.g. `toNested(run.hidden, B, T, H)`.
 *
 * @example
 * ```ts
 * import { toNested } from "@degeneracy/degeneracy";
 * const nested = toNested(new Float32Array([1, 2, 3, 4, 5, 6]), 1, 3, 2); // 1 trial × 3 steps × 2
 * if (nested[0][2][1] !== 6) throw new Error("layout");
 * ```
 */
export function toNested(
  flat: Float32Array,
  batch: number,
  steps: number,
  dim: number,
): number[][][] {
  if (flat.length !== batch * steps * dim) {
    throw new Error(
      `flat array must have length batch·steps·dim = ${batch * steps * dim}, got ${flat.length}`,
    );
  }
  const out: number[][][] = [];
  for (let b = 0; b < batch; b++) {
    const trial: number[][] = [];
    for (let t = 0; t < steps; t++) {
      const o = (b * steps + t) * dim;
      trial.push(Array.from(flat.subarray(o, o + dim)));
    }
    out.push(trial);
  }
  return out;
}
