/**
 * Flat parameter storage for one network: every `RnnParams` field is a view into one
 * `Float32Array` laid out as `[wx (H·I), wh (H·H), b (H), wo (O·H), bo (O)]` (`paramLayout`), so
 * optimisers and clipping can loop over a single array. Also the size checks of shapes,
 * parameters and step data that every backend and kernel runs (CPU, WASM, WebGPU).
 *
 * @module
 */
import type { RnnParams, RnnShape, StepData } from "./types.ts";

/**
 * Checks an `RnnShape`; throws an Error naming the field and the allowed range.
 *
 * @example
 * ```ts
 * import { validateShape } from "@degeneracy/degeneracy";
 * validateShape({ inputDim: 3, hidden: 64, outputDim: 3 }); // fine
 * try {
 *   validateShape({ inputDim: 3, hidden: 0, outputDim: 3 });
 * } catch (e) {
 *   console.log((e as Error).message); // shape.hidden must be an integer in [1, 65536], got 0
 * }
 * ```
 */
export function validateShape(shape: RnnShape): void {
  for (const key of ["inputDim", "hidden", "outputDim"] as const) {
    const v = shape?.[key];
    if (!Number.isInteger(v) || v < 1 || v > 1 << 16) {
      throw new Error(`shape.${key} must be an integer in [1, 65536], got ${v}`);
    }
  }
}

/** Offsets of `wx, wh, b, wo, bo` in one network's flat parameter array, and its length. */
export interface ParamLayout {
  wx: number;
  wh: number;
  b: number;
  wo: number;
  bo: number;
  /** P: parameters per network. */
  total: number;
}

/** Offsets of `wx, wh, b, wo, bo` in the flat layout of the module doc. */
export function paramLayout(shape: RnnShape): ParamLayout {
  const { inputDim: I, hidden: H, outputDim: O } = shape;
  const wx = 0;
  const wh = wx + H * I;
  const b = wh + H * H;
  const wo = b + H;
  const bo = wo + O * H;
  return { wx, wh, b, wo, bo, total: bo + O };
}

/**
 * Number of scalars in one network's parameters: H·I + H·H + H + O·H + O.
 *
 * @example
 * ```ts
 * import { paramCount } from "@degeneracy/degeneracy";
 * const p = paramCount({ inputDim: 3, hidden: 64, outputDim: 3 }); // 192 + 4096 + 64 + 192 + 3
 * if (p !== 4547) throw new Error(`got ${p}`);
 * ```
 */
export function paramCount(shape: RnnShape): number {
  return paramLayout(shape).total;
}

/**
 * `RnnParams` views into `flat` (length `paramCount(shape)`), sharing its memory.
 *
 * @example
 * ```ts
 * import { paramCount, viewParams } from "@degeneracy/degeneracy";
 * const shape = { inputDim: 1, hidden: 2, outputDim: 1 };
 * const flat = new Float32Array(paramCount(shape));
 * const p = viewParams(shape, flat);
 * p.wh[0] = 5; // writes into flat
 * if (flat[2] !== 5) throw new Error("not a view"); // wx (H·I = 2 entries) comes first
 * ```
 */
export function viewParams(shape: RnnShape, flat: Float32Array): RnnParams {
  const L = paramLayout(shape);
  if (flat.length !== L.total) {
    throw new Error(`flat parameter array must have length ${L.total}, got ${flat.length}`);
  }
  return {
    wx: flat.subarray(L.wx, L.wh),
    wh: flat.subarray(L.wh, L.b),
    b: flat.subarray(L.b, L.wo),
    wo: flat.subarray(L.wo, L.bo),
    bo: flat.subarray(L.bo, L.total),
  };
}

/**
 * Zero-filled flat parameters with their views.
 *
 * @example
 * ```ts
 * import { zeroParams } from "@degeneracy/degeneracy";
 * const { flat, params } = zeroParams({ inputDim: 1, hidden: 2, outputDim: 1 });
 * params.b[0] = 1; // the views share `flat`
 * if (flat.indexOf(1) !== 6) throw new Error("layout wx | wh | b | wo | bo");
 * ```
 */
export function zeroParams(shape: RnnShape): { flat: Float32Array; params: RnnParams } {
  const flat = new Float32Array(paramCount(shape));
  return { flat, params: viewParams(shape, flat) };
}

/** Throws an Error naming `name` unless `a` is a Float32Array of length `want`. */
export function checkFloat32Array(name: string, a: unknown, want: number): void {
  if (!(a instanceof Float32Array) || a.length !== want) {
    throw new Error(
      `${name} must be a Float32Array of length ${want}, got ${
        a instanceof Float32Array ? `length ${a.length}` : typeof a
      }`,
    );
  }
}

function checkPositiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be an integer ≥ 1, got ${v}`);
}

/**
 * Checks that `p` has the field lengths of `shape`; throws naming the field otherwise.
 *
 * @example
 * ```ts
 * import { validateParams, zeroParams } from "@degeneracy/degeneracy";
 * const shape = { inputDim: 1, hidden: 2, outputDim: 1 };
 * validateParams(shape, zeroParams(shape).params); // fine
 * try {
 *   validateParams(shape, { ...zeroParams(shape).params, wh: new Float32Array(3) });
 * } catch (e) {
 *   console.log((e as Error).message); // params.wh must be a Float32Array of length 4, got length 3
 * }
 * ```
 */
export function validateParams(shape: RnnShape, p: RnnParams, name = "params"): void {
  const { wx, wh, b, wo, bo, total } = paramLayout(shape);
  const want = { wx: wh - wx, wh: b - wh, b: wo - b, wo: bo - wo, bo: total - bo };
  for (const key of ["wx", "wh", "b", "wo", "bo"] as const) {
    checkFloat32Array(`${name}.${key}`, p?.[key], want[key]);
  }
}

/**
 * Checks one network's step data against `shape`: positive integer `batch` and `steps`,
 * `inputs` of length B·T·I, and `targets` and `weights` of length B·T·O when `needTargets` or
 * when present. Throws an Error naming the field (prefixed by `name`) otherwise.
 */
export function validateStepData(
  shape: RnnShape,
  d: Pick<StepData, "batch" | "steps" | "inputs"> & Partial<StepData>,
  name: string,
  needTargets: boolean,
): void {
  if (d === undefined || d === null) throw new Error(`${name} is missing`);
  checkPositiveInt(`${name}.batch`, d.batch);
  checkPositiveInt(`${name}.steps`, d.steps);
  const n = d.batch * d.steps;
  checkFloat32Array(`${name}.inputs`, d.inputs, n * shape.inputDim);
  if (needTargets || d.targets !== undefined) {
    checkFloat32Array(`${name}.targets`, d.targets, n * shape.outputDim);
  }
  if (needTargets || d.weights !== undefined) {
    checkFloat32Array(`${name}.weights`, d.weights, n * shape.outputDim);
  }
}

/**
 * Copies `p` into one new flat array (layout of `viewParams`).
 *
 * @example
 * ```ts
 * import { flattenParams, initParams, paramCount } from "@degeneracy/degeneracy";
 * const shape = { inputDim: 1, hidden: 2, outputDim: 1 };
 * const flat = flattenParams(shape, initParams(shape, 1)); // wx | wh | b | wo | bo
 * if (flat.length !== paramCount(shape)) throw new Error("length");
 * ```
 */
export function flattenParams(shape: RnnShape, p: RnnParams): Float32Array {
  validateParams(shape, p);
  const { flat, params } = zeroParams(shape);
  params.wx.set(p.wx);
  params.wh.set(p.wh);
  params.b.set(p.b);
  params.wo.set(p.wo);
  params.bo.set(p.bo);
  return flat;
}

/**
 * Deep copy of `p` (fresh, independent arrays).
 *
 * @example
 * ```ts
 * import { cloneParams, initParams } from "@degeneracy/degeneracy";
 * const shape = { inputDim: 1, hidden: 2, outputDim: 1 };
 * const p = initParams(shape, 1);
 * const q = cloneParams(p);
 * q.wh[0] = 99;
 * if (p.wh[0] === 99) throw new Error("not a copy");
 * ```
 */
export function cloneParams(p: RnnParams): RnnParams {
  return {
    wx: p.wx.slice(),
    wh: p.wh.slice(),
    b: p.b.slice(),
    wo: p.wo.slice(),
    bo: p.bo.slice(),
  };
}
