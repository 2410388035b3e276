/**
 * Host-side helpers of the WebGPU population backend (`rnn/backends/webgpu.ts`): pure
 * functions that pack K members' parameters and data into the stacked layouts the batched
 * program uploads and unpack parameters back. (Input checks and the nuclear-norm subgradient
 * are the CPU engine's: `rnn/params.ts`, `rnn/optim.ts`, `rnn/loss.ts`.)
 *
 * Layouts (all flat row-major Float32Array):
 * - parameters of the population: `[K, P]`, each member's row the concatenation
 *   `wx [H·I] | wh [H·H] | b [H] | wo [O·H] | bo [O]` (P = H·I + H·H + H + O·H + O);
 * - data of the population: `[K, B, T, C]` (each member's StepData layout, stacked), padded
 *   to the largest B and T over the members used; no transposition on the host or the GPU.
 *
 * @module
 */
import type { RnnParams, RnnShape, StepData } from "../types.ts";
import { paramLayout } from "../params.ts";

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
