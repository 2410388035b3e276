/**
 * Plain TypeScript reference kernel for one vanilla tanh RNN (paper §2.1):
 * h_t = tanh(W_h h_{t−1} + W_x x_t + b), y_t = W_o h_t + b_o, h_0 = 0,
 * task loss = Σ weights · (y − target)², gradients by backpropagation through time.
 *
 * Plain loops with float64 accumulation; it is the reference every faster kernel is tested
 * against, not the fast path (see `rnn/kernels/wasm.ts`).
 *
 * @module
 */
import type { RnnKernel, RnnParams, RnnShape, StepData } from "../types.ts";
import { checkFloat32Array, validateParams, validateShape, validateStepData } from "../params.ts";

/**
 * Checks the sizes of a kernel call; throws an Error naming the offending field and the
 * allowed value. Shared by every `RnnKernel` implementation.
 */
export function validateKernelArgs(
  shape: RnnShape,
  params: RnnParams,
  data: Pick<StepData, "batch" | "steps" | "inputs"> & Partial<StepData>,
  opts: {
    needTargets: boolean;
    grads?: RnnParams;
    out?: { hidden?: Float32Array; outputs?: Float32Array };
  },
): void {
  validateShape(shape);
  validateStepData(shape, data, "data", opts.needTargets);
  validateParams(shape, params, "params");
  if (opts.grads) validateParams(shape, opts.grads, "grads");
  const BT = data.batch * data.steps;
  if (opts.out?.hidden) checkFloat32Array("out.hidden", opts.out.hidden, BT * shape.hidden);
  if (opts.out?.outputs) checkFloat32Array("out.outputs", opts.out.outputs, BT * shape.outputDim);
}

/** Forward pass storing float64 hidden states `[B, T, H]`; returns the loss (or NaN). */
function forward64(
  shape: RnnShape,
  params: RnnParams,
  data: Pick<StepData, "batch" | "steps" | "inputs"> & Partial<StepData>,
  hs: Float64Array,
  outputs?: Float32Array,
): number {
  const { inputDim: I, hidden: H, outputDim: O } = shape;
  const { batch: B, steps: T, inputs, targets, weights } = data;
  const { wx, wh, b, wo, bo } = params;
  const withLoss = targets !== undefined && weights !== undefined;
  let loss = 0;
  for (let n = 0; n < B; n++) {
    for (let t = 0; t < T; t++) {
      const row = n * T + t;
      const hOff = row * H;
      const prevOff = hOff - H;
      const xOff = row * I;
      for (let i = 0; i < H; i++) {
        let a = b[i];
        for (let k = 0; k < I; k++) a += wx[i * I + k] * inputs[xOff + k];
        if (t > 0) {
          for (let j = 0; j < H; j++) a += wh[i * H + j] * hs[prevOff + j];
        }
        hs[hOff + i] = Math.tanh(a);
      }
      for (let o = 0; o < O; o++) {
        let y = bo[o];
        for (let j = 0; j < H; j++) y += wo[o * H + j] * hs[hOff + j];
        if (outputs) outputs[row * O + o] = y;
        if (withLoss) {
          const e = y - targets[row * O + o];
          loss += weights[row * O + o] * e * e;
        }
      }
    }
  }
  return withLoss ? loss : NaN;
}

/**
 * The plain TypeScript reference `RnnKernel` (name `"ts"`): float64 arithmetic on float32
 * inputs, results rounded to float32 on output.
 */
export const tsKernel: RnnKernel = {
  name: "ts",

  forward(shape, params, data, out) {
    validateKernelArgs(shape, params, data, { needTargets: false, out });
    const { hidden: H } = shape;
    const BT = data.batch * data.steps;
    const hs = new Float64Array(BT * H);
    const loss = forward64(shape, params, data, hs, out?.outputs);
    if (out?.hidden) out.hidden.set(hs);
    return loss;
  },

  lossAndGrads(shape, params, data, grads) {
    validateKernelArgs(shape, params, data, { needTargets: true, grads });
    const { inputDim: I, hidden: H, outputDim: O } = shape;
    const { batch: B, steps: T, inputs } = data;
    const targets = data.targets, weights = data.weights;
    const { wh, wo } = params;
    const hs = new Float64Array(B * T * H);
    const loss = forward64(shape, params, data, hs);

    const gWx = new Float64Array(H * I);
    const gWh = new Float64Array(H * H);
    const gB = new Float64Array(H);
    const gWo = new Float64Array(O * H);
    const gBo = new Float64Array(O);
    const dh = new Float64Array(H);
    const dhNext = new Float64Array(H);
    const da = new Float64Array(H);
    const dy = new Float64Array(O);

    for (let n = 0; n < B; n++) {
      dhNext.fill(0);
      for (let t = T - 1; t >= 0; t--) {
        const row = n * T + t;
        const hOff = row * H;
        // y = W_o h + b_o; recompute y in float64 from the float64 states for exact gradients.
        for (let o = 0; o < O; o++) {
          let y = params.bo[o];
          for (let j = 0; j < H; j++) y += wo[o * H + j] * hs[hOff + j];
          dy[o] = 2 * weights[row * O + o] * (y - targets[row * O + o]);
          gBo[o] += dy[o];
          for (let j = 0; j < H; j++) gWo[o * H + j] += dy[o] * hs[hOff + j];
        }
        for (let j = 0; j < H; j++) {
          let s = dhNext[j];
          for (let o = 0; o < O; o++) s += wo[o * H + j] * dy[o];
          dh[j] = s;
        }
        for (let i = 0; i < H; i++) {
          const h = hs[hOff + i];
          da[i] = dh[i] * (1 - h * h);
          gB[i] += da[i];
        }
        const xOff = row * I;
        for (let i = 0; i < H; i++) {
          const d = da[i];
          for (let k = 0; k < I; k++) gWx[i * I + k] += d * inputs[xOff + k];
        }
        if (t > 0) {
          const pOff = hOff - H;
          for (let i = 0; i < H; i++) {
            const d = da[i];
            for (let j = 0; j < H; j++) gWh[i * H + j] += d * hs[pOff + j];
          }
          // dh_{t-1} = W_hᵀ da
          dhNext.fill(0);
          for (let i = 0; i < H; i++) {
            const d = da[i];
            for (let j = 0; j < H; j++) dhNext[j] += wh[i * H + j] * d;
          }
        }
      }
    }
    grads.wx.set(gWx);
    grads.wh.set(gWh);
    grads.b.set(gB);
    grads.wo.set(gWo);
    grads.bo.set(gBo);
    return loss;
  },
};
