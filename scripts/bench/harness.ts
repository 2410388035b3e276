/**
 * Minimal single-network training harness for `scripts/bench.ts`: synthetic workload data,
 * PyTorch-initialised parameters and a plain Adam step (PyTorch defaults), so a kernel can be
 * timed on exactly "forward + BPTT + Adam" per step. Used on the main thread and inside
 * `step_worker.ts`.
 *
 * @module
 */
import type { RnnKernel, RnnParams, RnnShape, StepData } from "../../rnn/types.ts";
import { mulberry32 } from "../../metrics/rng.ts";

/** Appendix A workloads: batch B, steps T, hidden H, inputs I, outputs O. */
export const WORKLOADS = {
  flipflop: { B: 256, T: 100, H: 64, I: 3, O: 3 },
  delayed_discrimination: { B: 256, T: 60, H: 128, I: 2, O: 2 },
  sine: { B: 32, T: 100, H: 128, I: 1, O: 1 },
} as const;

/** Workload name. */
export type WorkloadName = keyof typeof WORKLOADS;

/** Matmul FLOPs of one training step (forward + BPTT), elementwise work ignored. */
export function stepFlops(w: WorkloadName): number {
  const { B, T, H, I, O } = WORKLOADS[w];
  return 2 * B * T * H * (3 * H + 2 * I + 3 * O);
}

/** Shape, parameters (U(−1/√H, 1/√H)) and one batch of sparse ±1 pulses for a workload. */
export function makeProblem(w: WorkloadName, seed: number) {
  const { B, T, H, I, O } = WORKLOADS[w];
  const r = mulberry32(seed);
  const k = 1 / Math.sqrt(H);
  const u = (n: number) => Float32Array.from({ length: n }, () => (2 * r() - 1) * k);
  const pulses = (n: number) =>
    Float32Array.from({ length: n }, () => (r() < 0.05 ? (r() < 0.5 ? -1 : 1) : 0));
  const shape: RnnShape = { inputDim: I, hidden: H, outputDim: O };
  const params: RnnParams = { wx: u(H * I), wh: u(H * H), b: u(H), wo: u(O * H), bo: u(O) };
  const data: StepData = {
    batch: B,
    steps: T,
    inputs: pulses(B * T * I),
    targets: pulses(B * T * O),
    weights: new Float32Array(B * T * O).fill(1 / (B * T * O)),
  };
  return { shape, params, data };
}

const KEYS = ["wx", "wh", "b", "wo", "bo"] as const;

/** One network under training: parameters, gradients and Adam moments. */
export class Trainee {
  #grads: RnnParams;
  #m: RnnParams;
  #v: RnnParams;
  #t = 0;
  constructor(
    readonly kernel: RnnKernel,
    readonly shape: RnnShape,
    readonly params: RnnParams,
  ) {
    const z = () => ({
      wx: new Float32Array(params.wx.length),
      wh: new Float32Array(params.wh.length),
      b: new Float32Array(params.b.length),
      wo: new Float32Array(params.wo.length),
      bo: new Float32Array(params.bo.length),
    });
    this.#grads = z();
    this.#m = z();
    this.#v = z();
  }

  /** Forward + BPTT + one Adam update (lr 1e-3, β = (0.9, 0.999), ε = 1e-8); returns the loss. */
  step(data: StepData, lr = 1e-3): number {
    const loss = this.kernel.lossAndGrads(this.shape, this.params, data, this.#grads);
    const t = ++this.#t;
    const b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
    for (const key of KEYS) {
      const p = this.params[key], g = this.#grads[key], m = this.#m[key], v = this.#v[key];
      for (let i = 0; i < p.length; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        p[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
      }
    }
    return loss;
  }
}
