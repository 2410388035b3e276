/**
 * Host-side helpers of the WebGPU population backend (`rnn/backends/webgpu.ts`): pure
 * functions that validate inputs, pack K members' parameters and data into the stacked
 * layouts the batched program uploads, unpack parameters back, and compute the nuclear-norm
 * subgradient U Vᵀ on the CPU (tfjs has no SVD).
 *
 * Layouts (all flat row-major Float32Array):
 * - parameters of the population: `[K, P]`, each member's row the concatenation
 *   `wx [H·I] | wh [H·H] | b [H] | wo [O·H] | bo [O]` (P = H·I + H·H + H + O·H + O);
 * - data of the population: `[K, B, T, C]` (each member's StepData layout, stacked), padded
 *   to the largest B and T over the members used; no transposition on the host or the GPU.
 *
 * @module
 */
import { Matrix, SingularValueDecomposition } from "npm:ml-matrix@6.15.1";
import type { AdamConfig, RnnParams, RnnShape, StepData, StepRegularisers } from "../types.ts";

/** Offsets and sizes of one member's parameters inside its flat row of length `total`. */
export interface ParamLayout {
  wx: number;
  wh: number;
  b: number;
  wo: number;
  bo: number;
  /** P: parameters per member. */
  total: number;
}

/** Offsets of `wx, wh, b, wo, bo` in a member's flat parameter row (see module doc). */
export function paramLayout(shape: RnnShape): ParamLayout {
  const { inputDim: I, hidden: H, outputDim: O } = shape;
  const wx = 0;
  const wh = wx + H * I;
  const b = wh + H * H;
  const wo = b + H;
  const bo = wo + O * H;
  return { wx, wh, b, wo, bo, total: bo + O };
}

function checkPositiveInt(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 1) {
    throw new Error(`${name} must be an integer ≥ 1, got ${v}`);
  }
}

function checkArray(name: string, a: unknown, len: number): void {
  if (!(a instanceof Float32Array)) {
    throw new Error(`${name} must be a Float32Array of length ${len}`);
  }
  if (a.length !== len) {
    throw new Error(`${name} must have length ${len}, got ${a.length}`);
  }
}

/** Throws an Error naming the field when a shape dimension is not a positive integer. */
export function validateShape(shape: RnnShape): void {
  checkPositiveInt("shape.inputDim", shape.inputDim);
  checkPositiveInt("shape.hidden", shape.hidden);
  checkPositiveInt("shape.outputDim", shape.outputDim);
}

/** Throws an Error naming the field when one member's parameters have the wrong sizes. */
export function validateParams(shape: RnnShape, p: RnnParams, name: string): void {
  const { inputDim: I, hidden: H, outputDim: O } = shape;
  checkArray(`${name}.wx`, p.wx, H * I);
  checkArray(`${name}.wh`, p.wh, H * H);
  checkArray(`${name}.b`, p.b, H);
  checkArray(`${name}.wo`, p.wo, O * H);
  checkArray(`${name}.bo`, p.bo, O);
}

/** Throws an Error naming the field when an Adam setting is out of range. */
export function validateAdam(adam: AdamConfig): void {
  if (!(adam.beta1 >= 0 && adam.beta1 < 1)) {
    throw new Error(`adam.beta1 must be in [0, 1), got ${adam.beta1}`);
  }
  if (!(adam.beta2 >= 0 && adam.beta2 < 1)) {
    throw new Error(`adam.beta2 must be in [0, 1), got ${adam.beta2}`);
  }
  if (!(adam.eps > 0 && Number.isFinite(adam.eps))) {
    throw new Error(`adam.eps must be a finite number > 0, got ${adam.eps}`);
  }
}

/** Throws an Error naming the field when a regulariser strength is negative or not finite. */
export function validateRegularisers(r: StepRegularisers): void {
  for (const key of ["l1", "nuclear", "gradClip"] as const) {
    const v = r[key];
    if (!(v >= 0 && Number.isFinite(v))) {
      throw new Error(`regularisers.${key} must be a finite number ≥ 0, got ${v}`);
    }
  }
}

/** Throws an Error naming the field when one member's data has inconsistent sizes. */
export function validateStepData(
  shape: RnnShape,
  d: StepData,
  name: string,
  needTargets: boolean,
): void {
  if (d === undefined || d === null) throw new Error(`${name} is missing`);
  checkPositiveInt(`${name}.batch`, d.batch);
  checkPositiveInt(`${name}.steps`, d.steps);
  const n = d.batch * d.steps;
  checkArray(`${name}.inputs`, d.inputs, n * shape.inputDim);
  if (needTargets) {
    checkArray(`${name}.targets`, d.targets, n * shape.outputDim);
    checkArray(`${name}.weights`, d.weights, n * shape.outputDim);
  }
}

/** Stacks K members' parameters into one `[K, P]` array (see module doc). */
export function packParams(shape: RnnShape, params: RnnParams[]): Float32Array {
  const L = paramLayout(shape);
  const out = new Float32Array(params.length * L.total);
  params.forEach((p, k) => {
    const o = k * L.total;
    out.set(p.wx, o + L.wx);
    out.set(p.wh, o + L.wh);
    out.set(p.b, o + L.b);
    out.set(p.wo, o + L.wo);
    out.set(p.bo, o + L.bo);
  });
  return out;
}

/** Splits a `[K, P]` array back into K independent `RnnParams` (copies). */
export function unpackParams(shape: RnnShape, flat: Float32Array, members: number): RnnParams[] {
  const L = paramLayout(shape);
  if (flat.length !== members * L.total) {
    throw new Error(`flat parameters must have length ${members * L.total}, got ${flat.length}`);
  }
  const out: RnnParams[] = [];
  for (let k = 0; k < members; k++) {
    const o = k * L.total;
    out.push({
      wx: flat.slice(o + L.wx, o + L.wh),
      wh: flat.slice(o + L.wh, o + L.b),
      b: flat.slice(o + L.b, o + L.wo),
      wo: flat.slice(o + L.wo, o + L.bo),
      bo: flat.slice(o + L.bo, o + L.total),
    });
  }
  return out;
}

/** The population's data in the stacked `[K, B, T, C]` layout of the module doc. */
export interface PackedData {
  /** Trials per member after padding (max over used members). */
  batch: number;
  /** Time steps after padding (max over used members). */
  steps: number;
  /** `[K, B, T, I]` */
  inputs: Float32Array;
  /** `[K, B, T, O]`, or undefined when targets were not requested. */
  targets?: Float32Array;
  /** `[K, B, T, O]`, or undefined when targets were not requested. */
  weights?: Float32Array;
}

/**
 * Packs the members' data into `[K, B, T, C]` arrays. Members with `use[k] = false` get zeros
 * (their data is not read). Members with fewer trials or steps than the largest are padded
 * with zero inputs and zero loss weights: padded trials and trailing padded steps add nothing
 * to the loss and nothing to any gradient, so padding is exact. Without padding this is one
 * contiguous copy per member and array.
 */
export function packData(
  shape: RnnShape,
  data: StepData[],
  use: boolean[],
  withTargets: boolean,
): PackedData {
  const K = data.length;
  const { inputDim: I, outputDim: O } = shape;
  let B = 0;
  let T = 0;
  for (let k = 0; k < K; k++) {
    if (!use[k]) continue;
    B = Math.max(B, data[k].batch);
    T = Math.max(T, data[k].steps);
  }
  if (B === 0) throw new Error("packData: no member is used");
  const rows = B * T;
  const inputs = new Float32Array(K * rows * I);
  const targets = withTargets ? new Float32Array(K * rows * O) : undefined;
  const weights = withTargets ? new Float32Array(K * rows * O) : undefined;
  for (let k = 0; k < K; k++) {
    if (!use[k]) continue;
    const d = data[k];
    if (d.batch === B && d.steps === T) {
      inputs.set(d.inputs, k * rows * I);
      targets?.set(d.targets, k * rows * O);
      weights?.set(d.weights, k * rows * O);
      continue;
    }
    const tk = d.steps;
    for (let b = 0; b < d.batch; b++) {
      const src = b * tk;
      const dst = k * rows + b * T;
      inputs.set(d.inputs.subarray(src * I, (src + tk) * I), dst * I);
      targets?.set(d.targets.subarray(src * O, (src + tk) * O), dst * O);
      weights?.set(d.weights.subarray(src * O, (src + tk) * O), dst * O);
    }
  }
  return { batch: B, steps: T, inputs, targets, weights };
}

/**
 * Subgradient of the nuclear norm ‖W‖_* at a square `n × n` matrix W (flat row-major):
 * U Vᵀ from the SVD W = U Σ Vᵀ (the gradient wherever the singular values are distinct and
 * nonzero; paper §3.3). Computed in float64 with ml-matrix, returned as float32.
 */
export function nuclearSubgradient(w: Float32Array, n: number): Float32Array {
  if (w.length !== n * n) throw new Error(`W must have length ${n * n}, got ${w.length}`);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) rows.push(Array.from(w.subarray(i * n, i * n + n)));
  const svd = new SingularValueDecomposition(new Matrix(rows), {
    computeLeftSingularVectors: true,
    computeRightSingularVectors: true,
    autoTranspose: true,
  });
  const uvt = svd.leftSingularVectors.mmul(svd.rightSingularVectors.transpose());
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = uvt.get(i, j);
  }
  return out;
}
