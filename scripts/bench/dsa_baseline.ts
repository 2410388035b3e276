/**
 * Reference-style Procrustes optimiser, for benchmarks only (not exported from mod.ts):
 * Adam on the Cayley parameterisation C = (I + S)⁻¹(I − S), S = X − Xᵀ, loss
 * ‖A − C B Cᵀ‖²_F, run once on B (start C = I) and once on P B Pᵀ (P swaps indices 0 and
 * 1), keeping the smaller final loss — the reference `SimilarityTransformDist` of
 * ALGORITHM.md §5 without its 3-layer MLP in front of the skew map (so the starts are
 * exactly I and P instead of random rotations near them). Defaults as `DSA(...)`:
 * 1500 iterations, lr 5e-3.
 *
 * @module
 */

import { cayley } from "../../metrics/linalg/solve.ts";
import { mmNT, transpose } from "../../metrics/linalg/matmul.ts";

/** Solve Kᵀ Y = R for Y (K n×n general, no pivoting: K = I + S with S skew is safe). */
function solveTransposed(k: Float64Array, r: Float64Array, n: number): Float64Array {
  const a = transpose(k, n, n);
  const y = Float64Array.from(r);
  for (let p = 0; p < n; p++) {
    const inv = 1 / a[p * n + p];
    for (let i = p + 1; i < n; i++) {
      const f = a[i * n + p] * inv;
      if (f === 0) continue;
      for (let j = p + 1; j < n; j++) a[i * n + j] -= f * a[p * n + j];
      for (let j = 0; j < n; j++) y[i * n + j] -= f * y[p * n + j];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let q = i + 1; q < n; q++) {
      const f = a[i * n + q];
      if (f === 0) continue;
      for (let j = 0; j < n; j++) y[i * n + j] -= f * y[q * n + j];
    }
    const inv = 1 / a[i * n + i];
    for (let j = 0; j < n; j++) y[i * n + j] *= inv;
  }
  return y;
}

/**
 * One reference-style Adam run from C = I on unit-normalised A, B (n×n row-major);
 * returns the final loss ‖A − C B Cᵀ‖²_F. `onProgress(iteration, loss)` is called every
 * 100 iterations.
 */
export function adamRun(
  a: Float64Array,
  b: Float64Array,
  n: number,
  iters: number,
  lr: number,
  onProgress?: (iteration: number, loss: number) => void,
): number {
  const nn = n * n;
  const x = new Float64Array(nn), m1 = new Float64Array(nn), m2 = new Float64Array(nn);
  const at = transpose(a, n, n), bt = transpose(b, n, n);
  const omega = new Float64Array(nn);
  let loss = 0;
  for (let it = 1; it <= iters + 1; it++) {
    // S = X − Xᵀ; C = (I+S)⁻¹(I−S) = cayley(−2S)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) omega[i * n + j] = -2 * (x[i * n + j] - x[j * n + i]);
    }
    const c = cayley(omega, n);
    const ct = transpose(c, n, n);
    const cb = mmNT(c, bt, n, n, n); // C B
    const cbct = mmNT(cb, c, n, n, n); // C B Cᵀ
    loss = 0;
    for (let i = 0; i < nn; i++) loss += (a[i] - cbct[i]) ** 2;
    if (it > iters) break;
    if (onProgress && it % 100 === 1) onProgress(it - 1, loss);
    // G_C = −2 (A C Bᵀ + Aᵀ C B)
    const cbT = mmNT(c, b, n, n, n); // C Bᵀ
    const g1 = mmNT(a, transpose(cbT, n, n), n, n, n); // A (C Bᵀ)
    const g2 = mmNT(at, transpose(cb, n, n), n, n, n); // Aᵀ (C B)
    const gc = new Float64Array(nn);
    for (let i = 0; i < nn; i++) gc[i] = -2 * (g1[i] + g2[i]);
    // G_S = −K⁻ᵀ G_C (C + I)ᵀ, K = I + S
    const cpi = Float64Array.from(ct);
    for (let i = 0; i < n; i++) cpi[i * n + i] += 1; // (C + I)ᵀ
    const t = mmNT(gc, transpose(cpi, n, n), n, n, n); // G_C (C+I)ᵀ
    const k = new Float64Array(nn);
    for (let i = 0; i < nn; i++) k[i] = -0.5 * omega[i];
    for (let i = 0; i < n; i++) k[i * n + i] += 1;
    const gs = solveTransposed(k, t, n);
    const b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const c1 = 1 - b1 ** it, c2 = 1 - b2 ** it;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const g = -(gs[i * n + j] - gs[j * n + i]);
        const q = i * n + j;
        m1[q] = b1 * m1[q] + (1 - b1) * g;
        m2[q] = b2 * m2[q] + (1 - b2) * g * g;
        x[q] -= (lr * (m1[q] / c1)) / (Math.sqrt(m2[q] / c2) + eps);
      }
    }
  }
  return loss;
}

/**
 * Reference-style Procrustes (see module doc) on unit-normalised A, B (n×n row-major):
 * returns the angular and euclidean scores of the better of the two runs.
 */
export function procrustesAdamBaseline(
  aIn: Float64Array,
  bIn: Float64Array,
  n: number,
  iters = 1500,
  lr = 5e-3,
): { angular: number; euclidean: number } {
  const norm = (x: Float64Array) => {
    let s = 0;
    for (const v of x) s += v * v;
    return x.map((v) => v / Math.sqrt(s));
  };
  const a = norm(aIn), b = norm(bIn);
  const pbp = new Float64Array(n * n);
  const perm = (i: number) => (i === 0 ? 1 : i === 1 ? 0 : i);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) pbp[i * n + j] = b[perm(i) * n + perm(j)];
  const loss = Math.min(adamRun(a, b, n, iters, lr), adamRun(a, pbp, n, iters, lr));
  const euclidean = Math.sqrt(loss);
  return { euclidean, angular: 2 * Math.asin(Math.min(1, euclidean / 2)) };
}
