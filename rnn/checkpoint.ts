/**
 * Training checkpoints (`schema: "degeneracy.checkpoint/1"`): a population's whole training
 * state at the end of an epoch, so that training can stop there and resume bit-identically
 * (`trainSegment` in `rnn/train.ts`). Per member: the current weights, Adam's moments and step
 * count, the learning-rate schedule's state, the early-stopping counter, the status and stop
 * epoch, and the per-epoch histories. Data seeds are not state: a step's batch is derived from
 * `(dataSeed, global step)` and the test batch from `dataSeed`.
 *
 * File format (`checkpointToBytes` / `checkpointFromBytes`): the 8 ASCII bytes `DGNCKPT1`, the
 * header's byte length as a little-endian uint32, the header (UTF-8 JSON: everything but the
 * float32 arrays), zero padding to a multiple of 4 bytes, then per member, in member order,
 * three little-endian float32 vectors of length P in the layout of `paramLayout`: the weights,
 * Adam's first moment, Adam's second moment. Float32 values are stored as their bits; history
 * and schedule numbers are JSON numbers (exact for float64), with NaN, ±Infinity and −0
 * written as the strings `"NaN"`, `"Infinity"`, `"-Infinity"`, `"-0"`.
 *
 * @module
 */
import type { MemberStatus, OptimiserState, RnnParams, RnnShape, TrainingConfig } from "./types.ts";
import type { SchedulerState } from "./optim.ts";
import type { MemberSeeds } from "./seeds.ts";
import { flattenParams, paramLayout, validateParams, validateShape, viewParams } from "./params.ts";
import { validateOptimiserState } from "./member.ts";

/** Schema tag of a training checkpoint. */
export const CHECKPOINT_SCHEMA = "degeneracy.checkpoint/1" as const;

const MAGIC = "DGNCKPT1";

/** One member's training state at the end of an epoch. */
export interface MemberCheckpoint {
  /** Member index within its population (as in the network record). */
  member: number;
  /** Init and data seed. */
  seeds: MemberSeeds;
  /** `"training"` while the member still trains, else its final outcome. */
  status: MemberStatus | "training";
  /** Epoch at which the member stopped (0 while training). */
  stopEpoch: number;
  /** Consecutive epochs with test loss below the early-stopping threshold. */
  below: number;
  /** Per-epoch losses and learning rate so far (one entry per epoch the member trained). */
  history: { trainLoss: number[]; testLoss: number[]; lr: number[] };
  /** Learning-rate schedule state (`LrScheduler.getState`). */
  scheduler: SchedulerState;
  /** Current weights. */
  params: RnnParams;
  /** Adam state (moments in the layout of `paramLayout`). */
  optimiser: OptimiserState;
}

/** A population's training state after `epoch` epochs (module doc). */
export interface TrainingCheckpoint {
  /** Format and version. */
  schema: typeof CHECKPOINT_SCHEMA;
  /** The task variant being trained (`Task.name`, `Task.id`, `Task.params`). */
  task: { name: string; id: string; params: Record<string, number | string | boolean> };
  /** Training configuration. */
  config: TrainingConfig;
  /** Network sizes; `outputDim` counts every readout row, the last `auxDim` of them auxiliary. */
  shape: RnnShape & { auxDim: number };
  /** Epochs of the population completed (training resumes at `epoch + 1`). */
  epoch: number;
  /** Backend that trained it (resuming needs the same one to be bit-identical). */
  backend: string;
  /** Training wall time so far, seconds, summed over segments. */
  wallTimeSec: number;
  /** One entry per member, in member order. */
  members: MemberCheckpoint[];
}

function encodeNumber(x: number): number | string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (Object.is(x, -0)) return "-0";
  return x;
}

function decodeNumber(name: string, x: unknown): number {
  if (typeof x === "number" && Number.isFinite(x)) return x;
  switch (x) {
    case "NaN":
      return NaN;
    case "Infinity":
      return Infinity;
    case "-Infinity":
      return -Infinity;
    case "-0":
      return -0;
  }
  throw new Error(`${name} must be a number (or "NaN", "Infinity", "-Infinity", "-0"), got ${x}`);
}

function fail(name: string, what: string, got: unknown): never {
  const shown = typeof got === "string" ? JSON.stringify(got) : String(got);
  throw new Error(`${name} must be ${what}, got ${shown}`);
}

function intField(name: string, x: unknown, lo: number): number {
  if (!Number.isInteger(x) || (x as number) < lo) fail(name, `an integer ≥ ${lo}`, x);
  return x as number;
}

function objectField(name: string, x: unknown): Record<string, unknown> {
  if (x === null || typeof x !== "object" || Array.isArray(x)) fail(name, "an object", x);
  return x as Record<string, unknown>;
}

const STATUSES = ["training", "converged", "not_converged", "diverged"];

/**
 * Checks a checkpoint's structure: schema, shape, per-member seeds, status, counters, history
 * lengths (equal, at most `epoch`, exactly `epoch` for members still training), schedule state
 * and array lengths. Throws naming the field (`checkpoint.members[2].history.lr`, …). Whether it
 * fits a given run (task, configuration, seeds, backend) is checked by `trainSegment`.
 *
 * @example
 * ```ts
 * import { validateCheckpoint } from "@degeneracy/degeneracy";
 * try {
 *   validateCheckpoint({ schema: "degeneracy.network/1" } as never);
 * } catch (e) {
 *   console.log((e as Error).message); // names checkpoint.schema
 * }
 * ```
 */
export function validateCheckpoint(cp: TrainingCheckpoint): void {
  objectField("checkpoint", cp);
  if (cp.schema !== CHECKPOINT_SCHEMA) {
    fail("checkpoint.schema", `"${CHECKPOINT_SCHEMA}"`, cp.schema);
  }
  const task = objectField("checkpoint.task", cp.task);
  if (typeof task.name !== "string") fail("checkpoint.task.name", "a string", task.name);
  if (typeof task.id !== "string") fail("checkpoint.task.id", "a string", task.id);
  objectField("checkpoint.task.params", task.params);
  objectField("checkpoint.config", cp.config);
  objectField("checkpoint.shape", cp.shape);
  try {
    validateShape(cp.shape);
  } catch (e) {
    throw new Error(`checkpoint.shape: ${(e as Error).message}`);
  }
  intField("checkpoint.shape.auxDim", cp.shape.auxDim, 0);
  const epoch = intField("checkpoint.epoch", cp.epoch, 0);
  if (typeof cp.backend !== "string") fail("checkpoint.backend", "a string", cp.backend);
  if (!(typeof cp.wallTimeSec === "number" && cp.wallTimeSec >= 0)) {
    fail("checkpoint.wallTimeSec", "a number ≥ 0", cp.wallTimeSec);
  }
  if (!Array.isArray(cp.members) || cp.members.length < 1) {
    fail("checkpoint.members", "a non-empty array", cp.members);
  }
  const P = paramLayout(cp.shape).total;
  cp.members.forEach((m, k) => {
    const at = `checkpoint.members[${k}]`;
    objectField(at, m);
    intField(`${at}.member`, m.member, 0);
    objectField(`${at}.seeds`, m.seeds);
    intField(`${at}.seeds.initSeed`, m.seeds.initSeed, 0);
    intField(`${at}.seeds.dataSeed`, m.seeds.dataSeed, 0);
    if (!STATUSES.includes(m.status)) {
      fail(`${at}.status`, `one of ${STATUSES.join(", ")}`, m.status);
    }
    const stop = intField(`${at}.stopEpoch`, m.stopEpoch, 0);
    if (m.status === "training" ? stop !== 0 : stop < 1 || stop > epoch) {
      fail(
        `${at}.stopEpoch`,
        m.status === "training" ? "0 while training" : `in [1, ${epoch}] (checkpoint.epoch)`,
        stop,
      );
    }
    intField(`${at}.below`, m.below, 0);
    const h = objectField(`${at}.history`, m.history);
    const want = m.status === "training" ? epoch : stop;
    for (const key of ["trainLoss", "testLoss", "lr"]) {
      const a = h[key];
      if (!Array.isArray(a) || a.length !== want || !a.every((x) => typeof x === "number")) {
        fail(
          `${at}.history.${key}`,
          `an array of ${want} numbers (${
            m.status === "training" ? "checkpoint.epoch" : "stopEpoch"
          })`,
          Array.isArray(a) ? `length ${a.length}` : a,
        );
      }
    }
    objectField(`${at}.scheduler`, m.scheduler);
    if (typeof m.scheduler.lr !== "number" || !(m.scheduler.lr >= 0)) {
      fail(`${at}.scheduler.lr`, "a number ≥ 0", m.scheduler.lr);
    }
    validateParams(cp.shape, m.params, `${at}.params`);
    validateOptimiserState(P, m.optimiser, `${at}.optimiser`);
  });
}

/**
 * Serialises a checkpoint to bytes (module doc for the format); float32 arrays bit-exact.
 * Validates it first.
 *
 * @example
 * ```ts
 * import {
 *   checkpointFromBytes,
 *   checkpointToBytes,
 *   createTask,
 *   defaultTrainingConfig,
 *   trainSegment,
 * } from "@degeneracy/degeneracy";
 * const task = createTask({ name: "flipflop", n: 1, steps: 10 });
 * const config = defaultTrainingConfig(task, { hidden: 4, maxEpochs: 3, stepsPerEpoch: 2 });
 * const first = await trainSegment(task, config, { workers: 0, stopAfterEpoch: 1 });
 * const bytes = checkpointToBytes(first.checkpoint);
 * const back = checkpointFromBytes(bytes);
 * if (back.members[0].params.wh[0] !== first.checkpoint.members[0].params.wh[0]) {
 *   throw new Error("round trip");
 * }
 * ```
 */
export function checkpointToBytes(cp: TrainingCheckpoint): Uint8Array {
  validateCheckpoint(cp);
  const P = paramLayout(cp.shape).total;
  const header = {
    schema: cp.schema,
    task: cp.task,
    config: cp.config,
    shape: cp.shape,
    epoch: cp.epoch,
    backend: cp.backend,
    wallTimeSec: cp.wallTimeSec,
    floats: { dtype: "float32-le", perMember: ["params", "m", "v"], length: P },
    members: cp.members.map((m) => ({
      member: m.member,
      seeds: { initSeed: m.seeds.initSeed, dataSeed: m.seeds.dataSeed },
      status: m.status,
      stopEpoch: m.stopEpoch,
      below: m.below,
      history: {
        trainLoss: m.history.trainLoss.map(encodeNumber),
        testLoss: m.history.testLoss.map(encodeNumber),
        lr: m.history.lr.map(encodeNumber),
      },
      scheduler: Object.fromEntries(
        Object.entries(m.scheduler).map(([k, v]) => [k, encodeNumber(v as number)]),
      ),
      optimiserSteps: m.optimiser.t,
    })),
  };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((12 + json.length) / 4) * 4;
  const bytes = new Uint8Array(start + cp.members.length * 3 * P * 4);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, json.length, true);
  bytes.set(json, 12);
  let offset = start;
  const put = (a: Float32Array) => {
    for (let i = 0; i < a.length; i++, offset += 4) view.setFloat32(offset, a[i], true);
  };
  for (const m of cp.members) {
    put(flattenParams(cp.shape, m.params));
    put(m.optimiser.m);
    put(m.optimiser.v);
  }
  return bytes;
}

/**
 * Parses bytes written by `checkpointToBytes`; throws naming the field on anything malformed
 * (wrong magic, truncated data, bad header fields).
 *
 * @example
 * ```ts
 * import { checkpointFromBytes } from "@degeneracy/degeneracy";
 * try {
 *   checkpointFromBytes(new TextEncoder().encode("{}"));
 * } catch (e) {
 *   console.log((e as Error).message); // not a checkpoint: wrong magic bytes
 * }
 * ```
 */
export function checkpointFromBytes(bytes: Uint8Array): TrainingCheckpoint {
  if (!(bytes instanceof Uint8Array) || bytes.length < 12) {
    throw new Error("checkpoint bytes: too short to be a degeneracy checkpoint");
  }
  const magic = new TextDecoder().decode(bytes.subarray(0, 8));
  if (magic !== MAGIC) {
    throw new Error(`checkpoint bytes: wrong magic ${JSON.stringify(magic)}, want "${MAGIC}"`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(8, true);
  if (12 + n > bytes.length) throw new Error("checkpoint bytes: header truncated");
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + n)));
  } catch (e) {
    throw new Error(`checkpoint header: not JSON (${(e as Error).message})`);
  }
  objectField("checkpoint", header);
  if (header.schema !== CHECKPOINT_SCHEMA) {
    fail("checkpoint.schema", `"${CHECKPOINT_SCHEMA}"`, header.schema);
  }
  const shape = objectField("checkpoint.shape", header.shape) as unknown as
    & RnnShape
    & { auxDim: number };
  try {
    validateShape(shape);
  } catch (e) {
    throw new Error(`checkpoint.shape: ${(e as Error).message}`);
  }
  const P = paramLayout(shape).total;
  const floats = objectField("checkpoint.floats", header.floats);
  if (floats.length !== P) {
    fail("checkpoint.floats.length", `${P} (from checkpoint.shape)`, floats.length);
  }
  const members = header.members;
  if (!Array.isArray(members) || members.length < 1) {
    fail("checkpoint.members", "a non-empty array", members);
  }
  const start = Math.ceil((12 + n) / 4) * 4;
  const want = start + members.length * 3 * P * 4;
  if (bytes.length !== want) {
    throw new Error(
      `checkpoint bytes: ${bytes.length} bytes, want ${want} for ${members.length} members of ${P} parameters (truncated or corrupt)`,
    );
  }
  let offset = start;
  const take = () => {
    const a = new Float32Array(P);
    for (let i = 0; i < P; i++, offset += 4) a[i] = view.getFloat32(offset, true);
    return a;
  };
  const cp: TrainingCheckpoint = {
    schema: CHECKPOINT_SCHEMA,
    task: header.task as TrainingCheckpoint["task"],
    config: header.config as TrainingConfig,
    shape,
    epoch: header.epoch as number,
    backend: header.backend as string,
    wallTimeSec: header.wallTimeSec as number,
    members: members.map((raw, k) => {
      const at = `checkpoint.members[${k}]`;
      const m = objectField(at, raw);
      const h = objectField(`${at}.history`, m.history);
      const list = (key: string) => {
        const a = h[key];
        if (!Array.isArray(a)) fail(`${at}.history.${key}`, "an array", a);
        return a.map((x, i) => decodeNumber(`${at}.history.${key}[${i}]`, x));
      };
      const sched = objectField(`${at}.scheduler`, m.scheduler);
      const params = viewParams(shape, take());
      const mo = take();
      const vo = take();
      return {
        member: m.member as number,
        seeds: m.seeds as MemberSeeds,
        status: m.status as MemberCheckpoint["status"],
        stopEpoch: m.stopEpoch as number,
        below: m.below as number,
        history: { trainLoss: list("trainLoss"), testLoss: list("testLoss"), lr: list("lr") },
        scheduler: Object.fromEntries(
          Object.entries(sched).map(([key, x]) => [key, decodeNumber(`${at}.scheduler.${key}`, x)]),
        ) as unknown as SchedulerState,
        params,
        optimiser: { m: mo, v: vo, t: m.optimiserSteps as number },
      };
    }),
  };
  validateCheckpoint(cp);
  return cp;
}
