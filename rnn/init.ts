/**
 * Weight initialisation of one RNN from its own seeded generator (never a global one).
 *
 * - `"uniform"`: PyTorch's default for `nn.RNN` and `nn.Linear` with fan-in H: every weight and
 *   bias ~ U(−1/√H, 1/√H). (`nn.RNN` has two hidden biases; our single bias b is drawn once
 *   from the same interval.)
 * - `"orthogonal"`: as uniform, but W_h = Q from the QR decomposition of an H×H standard
 *   Gaussian matrix with the signs of R's diagonal folded into Q (`torch.nn.init.orthogonal_`,
 *   gain 1), so Q is Haar-distributed.
 *
 * Draw order from the stream `createRng("degeneracy.init/" + seed)` (metrics/rng.ts, seedrandom
 * alea; Gaussians by its polar Box–Muller): wx, wh, b, wo, bo (row-major).
 *
 * @module
 */
import type { RnnParams, RnnShape } from "./types.ts";
import { validateShape } from "./params.ts";
import { validateSeed } from "./seeds.ts";
import { createRng } from "../metrics/rng.ts";

/** Recurrent-weight initialisation scheme. */
export type InitScheme = "uniform" | "orthogonal";

/**
 * Orthogonal n×n matrix (row-major, float64) from an n×n Gaussian matrix `g` (row-major):
 * Q of g = QR with diag(R) > 0, computed by modified Gram–Schmidt on the columns with one
 * re-orthogonalisation pass. Equals `torch.nn.init.orthogonal_`'s sign-fixed QR.
 *
 * @example
 * ```ts
 * import { orthogonalFromGaussian } from "@degeneracy/degeneracy";
 * const q = orthogonalFromGaussian(new Float64Array([2, 1, 1, 3]), 2);
 * const qtq00 = q[0] * q[0] + q[2] * q[2]; // first column has unit norm
 * if (Math.abs(qtq00 - 1) > 1e-12) throw new Error("not orthogonal");
 * ```
 */
export function orthogonalFromGaussian(g: Float64Array, n: number): Float64Array {
  if (g.length !== n * n) throw new Error(`g must have length ${n * n}, got ${g.length}`);
  // Columns of g as separate vectors.
  const cols: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = g[i * n + j];
    cols.push(c);
  }
  for (let j = 0; j < n; j++) {
    const c = cols[j];
    for (let pass = 0; pass < 2; pass++) {
      for (let k = 0; k < j; k++) {
        const q = cols[k];
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i] * c[i];
        for (let i = 0; i < n; i++) c[i] -= d * q[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += c[i] * c[i];
    norm = Math.sqrt(norm);
    if (!(norm > 1e-12)) throw new Error("orthogonal init: Gaussian matrix is rank deficient");
    for (let i = 0; i < n; i++) c[i] /= norm;
  }
  const q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) q[i * n + j] = cols[j][i];
  return q;
}

/**
 * Initial parameters of one network (scheme in the module doc), deterministic in `seed`
 * (integer in [0, 2³¹−1]).
 *
 * @example
 * ```ts
 * import { initParams } from "@degeneracy/degeneracy";
 * const shape = { inputDim: 2, hidden: 16, outputDim: 2 };
 * const p = initParams(shape, 42);
 * const bound = 1 / Math.sqrt(16); // PyTorch's U(−1/√H, 1/√H)
 * if (p.wh.some((w) => Math.abs(w) > bound)) throw new Error("out of range");
 * if (initParams(shape, 42).wh[3] !== p.wh[3]) throw new Error("not reproducible");
 * ```
 */
export function initParams(shape: RnnShape, seed: number, init: InitScheme = "uniform"): RnnParams {
  validateShape(shape);
  if (init !== "uniform" && init !== "orthogonal") {
    throw new Error(`init must be "uniform" or "orthogonal", got ${init}`);
  }
  validateSeed("initSeed", seed);
  const rng = createRng(`degeneracy.init/${seed}`);
  const rand = rng.uniform;
  const H = shape.hidden;
  const k = 1 / Math.sqrt(H);
  const uni = (a: Float32Array) => {
    for (let i = 0; i < a.length; i++) a[i] = (2 * rand() - 1) * k;
  };
  const { inputDim: I, outputDim: O } = shape;
  const p: RnnParams = {
    wx: new Float32Array(H * I),
    wh: new Float32Array(H * H),
    b: new Float32Array(H),
    wo: new Float32Array(O * H),
    bo: new Float32Array(O),
  };
  uni(p.wx);
  if (init === "uniform") {
    uni(p.wh);
  } else {
    const g = new Float64Array(H * H);
    for (let i = 0; i < g.length; i++) g[i] = rng.normal();
    p.wh.set(orthogonalFromGaussian(g, H));
  }
  uni(p.b);
  uni(p.wo);
  uni(p.bo);
  return p;
}
