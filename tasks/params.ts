/**
 * Parameter schemas, validation and variant ids shared by the task generators.
 *
 * @module
 */
import type { SampleOptions } from "./types.ts";

/** A resolved parameter value (JSON-serialisable). */
export type ParamValue = number | string | boolean;

/** How one task parameter is checked, defaulted and written into the variant id. */
export interface ParamSchema {
  /** Value kind: integer, real number, boolean or one of a set of strings. */
  kind: "int" | "number" | "boolean" | "enum";
  /** Default (Appendix A where the paper gives one). */
  default: ParamValue;
  /** Inclusive lower bound (numbers). */
  min?: number;
  /** Exclusive lower bound (numbers). */
  gt?: number;
  /** Inclusive upper bound (numbers). */
  max?: number;
  /** Allowed values (`enum`). */
  values?: readonly string[];
  /** Short tag used in the variant id, e.g. `n` → `flipflop-n3`. */
  tag: string;
  /** Always written into the id (otherwise only when it differs from the default). */
  inId?: boolean;
}

/**
 * Human-readable allowed range of a parameter, used in error messages.
 *
 * @example
 * ```ts
 * import { describeRange } from "@degeneracy/degeneracy";
 * const range = describeRange({ kind: "number", default: 0.3, min: 0, max: 1, tag: "p" });
 * if (range !== "a finite number in [0, 1]") throw new Error(range);
 * ```
 */
export function describeRange(s: ParamSchema): string {
  if (s.kind === "boolean") return "a boolean (true or false)";
  if (s.kind === "enum") return `one of ${s.values!.map((v) => JSON.stringify(v)).join(", ")}`;
  const what = s.kind === "int" ? "an integer" : "a finite number";
  const lo = s.gt !== undefined ? `(${s.gt}` : s.min !== undefined ? `[${s.min}` : "(−∞";
  const hi = s.max !== undefined ? `${s.max}]` : "∞)";
  if (s.gt === undefined && s.min === undefined && s.max === undefined) return what;
  if (s.max === undefined) {
    return s.gt !== undefined ? `${what} > ${s.gt}` : `${what} ≥ ${s.min}`;
  }
  return `${what} in ${lo}, ${hi}`;
}

function fmt(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null || v === undefined) {
    return String(v);
  }
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function checkValue(task: string, key: string, s: ParamSchema, v: unknown): ParamValue {
  const bad = () =>
    new Error(`${task}: parameter "${key}" must be ${describeRange(s)}, got ${fmt(v)}`);
  switch (s.kind) {
    case "boolean":
      if (typeof v !== "boolean") throw bad();
      return v;
    case "enum":
      if (typeof v !== "string" || !s.values!.includes(v)) throw bad();
      return v;
    case "int":
    case "number": {
      if (typeof v !== "number" || !Number.isFinite(v)) throw bad();
      if (s.kind === "int" && !Number.isSafeInteger(v)) throw bad();
      if (s.min !== undefined && v < s.min) throw bad();
      if (s.gt !== undefined && !(v > s.gt)) throw bad();
      if (s.max !== undefined && v > s.max) throw bad();
      return v;
    }
  }
}

/**
 * Fill in defaults and validate `given` against `schema`.
 *
 * @param task task name used in error messages
 * @param schema the task's parameter schema
 * @param given user parameters (may contain `name`, which must then equal `task`)
 * @returns the resolved parameters, in schema order
 * @throws Error naming the parameter and its allowed range, or an unknown key and the known ones
 */
export function resolveParams(
  task: string,
  schema: Readonly<Record<string, ParamSchema>>,
  given: Readonly<Record<string, unknown>> | undefined,
): Record<string, ParamValue> {
  if (
    given !== undefined && (given === null || typeof given !== "object" || Array.isArray(given))
  ) {
    throw new Error(`${task}: parameters must be an object, got ${fmt(given)}`);
  }
  const g = given ?? {};
  for (const key of Object.keys(g)) {
    if (key === "name") {
      if (g.name !== task) {
        throw new Error(`${task}: parameter "name" must be "${task}" here, got ${fmt(g.name)}`);
      }
      continue;
    }
    if (!Object.hasOwn(schema, key)) {
      throw new Error(
        `${task}: unknown parameter "${key}"; allowed parameters: ${
          Object.keys(schema).join(", ")
        }`,
      );
    }
  }
  const out: Record<string, ParamValue> = {};
  for (const [key, s] of Object.entries(schema)) {
    const v = Object.hasOwn(g, key) && g[key] !== undefined ? g[key] : s.default;
    out[key] = checkValue(task, key, s, v);
  }
  return out;
}

function idValue(v: ParamValue): string {
  if (typeof v === "boolean") return v ? "1" : "0";
  return String(v).replace(/[^A-Za-z0-9.]/g, "_");
}

/**
 * Stable, file-name-safe variant id: `prefix`, then `-<tag><value>` for every parameter marked
 * `inId` and every other parameter that differs from its default, in schema order.
 * Characters outside `[A-Za-z0-9.]` in values become `_`.
 */
export function variantId(
  prefix: string,
  schema: Readonly<Record<string, ParamSchema>>,
  params: Readonly<Record<string, ParamValue>>,
): string {
  const parts = [prefix];
  for (const [key, s] of Object.entries(schema)) {
    if (s.tag === "") continue;
    const v = params[key];
    if (s.inId || v !== s.default) parts.push(`${s.tag}${idValue(v)}`);
  }
  return parts.join("-");
}

/** Largest number of elements of one sampled array. */
export const MAX_ELEMENTS = 2 ** 28;

/**
 * Validate the arguments of `Task.sample`; `maxSteps` and `maxDim` bound the array sizes.
 * Returns `options.ood` (default false).
 *
 * @throws Error naming `batch`, `seed` or `options.ood` and the allowed range.
 */
export function checkSampleArgs(
  task: string,
  batch: number,
  seed: number,
  options: SampleOptions | undefined,
  maxSteps: number,
  maxDim: number,
): boolean {
  if (typeof batch !== "number" || !Number.isSafeInteger(batch) || batch < 1) {
    throw new Error(`${task}: batch must be an integer ≥ 1, got ${fmt(batch)}`);
  }
  if (typeof seed !== "number" || !Number.isSafeInteger(seed)) {
    throw new Error(`${task}: seed must be a safe integer, got ${fmt(seed)}`);
  }
  if (options !== undefined && (options === null || typeof options !== "object")) {
    throw new Error(`${task}: options must be an object, got ${fmt(options)}`);
  }
  for (const key of Object.keys(options ?? {})) {
    if (key !== "ood") throw new Error(`${task}: unknown sample option "${key}"; allowed: ood`);
  }
  const ood = options?.ood ?? false;
  if (typeof ood !== "boolean") {
    throw new Error(`${task}: options.ood must be a boolean, got ${fmt(ood)}`);
  }
  const n = batch * maxSteps * Math.max(1, maxDim);
  if (n > MAX_ELEMENTS) {
    throw new Error(
      `${task}: batch × steps × dim must be ≤ ${MAX_ELEMENTS}, got ${n} (reduce batch, now ${batch})`,
    );
  }
  return ood;
}
