/**
 * Flat parameter storage for one network: every `RnnParams` field is a view into one
 * `Float32Array` laid out as `[wx (H·I), wh (H·H), b (H), wo (O·H), bo (O)]`, so optimisers and
 * clipping can loop over a single array.
 *
 * @module
 */
import type { RnnParams, RnnShape } from "./types.ts";

/** Checks an `RnnShape`; throws an Error naming the field and the allowed range. */
export function validateShape(shape: RnnShape): void {
  for (const key of ["inputDim", "hidden", "outputDim"] as const) {
    const v = shape?.[key];
    if (!Number.isInteger(v) || v < 1 || v > 1 << 16) {
      throw new Error(`shape.${key} must be an integer in [1, 65536], got ${v}`);
    }
  }
}

/** Number of scalars in one network's parameters: H·I + H·H + H + O·H + O. */
export function paramCount(shape: RnnShape): number {
  const { inputDim: I, hidden: H, outputDim: O } = shape;
  return H * I + H * H + H + O * H + O;
}

/** `RnnParams` views into `flat` (length `paramCount(shape)`), sharing its memory. */
export function viewParams(shape: RnnShape, flat: Float32Array): RnnParams {
  const { inputDim: I, hidden: H, outputDim: O } = shape;
  if (flat.length !== paramCount(shape)) {
    throw new Error(
      `flat parameter array must have length ${paramCount(shape)}, got ${flat.length}`,
    );
  }
  let o = 0;
  const take = (n: number) => {
    const v = flat.subarray(o, o + n);
    o += n;
    return v;
  };
  return { wx: take(H * I), wh: take(H * H), b: take(H), wo: take(O * H), bo: take(O) };
}

/** Zero-filled flat parameters with their views. */
export function zeroParams(shape: RnnShape): { flat: Float32Array; params: RnnParams } {
  const flat = new Float32Array(paramCount(shape));
  return { flat, params: viewParams(shape, flat) };
}

/** Checks that `p` has the field lengths of `shape`; throws naming the field otherwise. */
export function validateParams(shape: RnnShape, p: RnnParams, name = "params"): void {
  const { inputDim: I, hidden: H, outputDim: O } = shape;
  const want = { wx: H * I, wh: H * H, b: H, wo: O * H, bo: O };
  for (const key of ["wx", "wh", "b", "wo", "bo"] as const) {
    const a = p?.[key];
    if (!(a instanceof Float32Array) || a.length !== want[key]) {
      throw new Error(
        `${name}.${key} must be a Float32Array of length ${want[key]}, got ${
          a instanceof Float32Array ? a.length : typeof a
        }`,
      );
    }
  }
}

/** Copies `p` into one new flat array (layout of `viewParams`). */
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

/** Deep copy of `p` (fresh, independent arrays). */
export function cloneParams(p: RnnParams): RnnParams {
  return {
    wx: p.wx.slice(),
    wh: p.wh.slice(),
    b: p.b.slice(),
    wo: p.wo.slice(),
    bo: p.bo.slice(),
  };
}
