/**
 * Starting points of the DSA Procrustes search over O(n) (shared by `procrustes.ts` and the
 * kept old optimiser `procrustes_legacy.ts`): seeded Haar-random orthogonal matrices, the
 * determinant sign of an orthogonal matrix, the best ±1 diagonal between two matrices and the
 * eigenvector alignment C = E_Aᵀ D E_B.
 *
 * @module
 */

import { dot, mmNT, transpose } from "../linalg/matmul.ts";
import { boxMuller, mulberry32 } from "../rng.ts";

/** Seeded standard-normal sampler: Box–Muller of mulberry32 uniforms (a zero u₁ is redrawn). */
function normalSampler(seed: number): () => number {
  const u = mulberry32((seed >>> 0) ^ 0x9e3779b9);
  return () => {
    let x = 0;
    while (x === 0) x = u();
    return boxMuller(x, u());
  };
}

/** Haar-random orthogonal n×n matrix (Gram–Schmidt on Gaussian rows) with det sign `det`. */
export function haar(n: number, seed: number, det: number): Float64Array {
  const normal = normalSampler(seed);
  const q = new Float64Array(n * n);
  for (let i = 0; i < q.length; i++) q[i] = normal();
  for (let i = 0; i < n; i++) {
    const qi = q.subarray(i * n, (i + 1) * n);
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        const qj = q.subarray(j * n, (j + 1) * n);
        const s = dot(qi, qj);
        for (let k = 0; k < n; k++) qi[k] -= s * qj[k];
      }
    }
    const nr = Math.sqrt(dot(qi, qi));
    for (let k = 0; k < n; k++) qi[k] /= nr;
  }
  if (Math.sign(determinantSign(q, n)) !== det) { for (let k = 0; k < n; k++) q[k] = -q[k]; }
  return q;
}

/**
 * Sign of det(Q) for a (near-)orthogonal Q via LU with partial pivoting.
 *
 * @example
 * ```ts
 * import { determinantSign } from "@degeneracy/degeneracy";
 * const swap = new Float64Array([0, 1, 1, 0]); // a reflection
 * if (determinantSign(swap, 2) !== -1) throw new Error("det should be −1");
 * ```
 */
export function determinantSign(qIn: Float64Array, n: number): number {
  const a = Float64Array.from(qIn);
  let sign = 1;
  for (let p = 0; p < n; p++) {
    let piv = p;
    for (let i = p + 1; i < n; i++) if (Math.abs(a[i * n + p]) > Math.abs(a[piv * n + p])) piv = i;
    if (a[piv * n + p] === 0) return 0;
    if (piv !== p) {
      sign = -sign;
      for (let j = 0; j < n; j++) {
        const t = a[p * n + j];
        a[p * n + j] = a[piv * n + j];
        a[piv * n + j] = t;
      }
    }
    const d = a[p * n + p];
    if (d < 0) sign = -sign;
    for (let i = p + 1; i < n; i++) {
      const f = a[i * n + p] / d;
      if (f === 0) continue;
      for (let j = p + 1; j < n; j++) a[i * n + j] -= f * a[p * n + j];
    }
  }
  return sign;
}

/**
 * Best ±1 vector d (greedy local optimum) for max Σ_ij W_ij d_i d_j with W = X∘Y, started
 * from the signs of W's leading eigenvector and from all-ones. Returns d and the best
 * single flip of it (the other determinant class).
 */
export function bestSigns(
  x: Float64Array,
  y: Float64Array,
  n: number,
): { d: Int8Array; flip: number } {
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      w[i * n + j] = 0.5 * (x[i * n + j] * y[i * n + j] + x[j * n + i] * y[j * n + i]);
    }
  }
  const score = (d: Int8Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      let h = 0;
      for (let j = 0; j < n; j++) h += w[i * n + j] * d[j];
      s += h * d[i];
    }
    return s;
  };
  const greedy = (d: Int8Array) => {
    const h = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) if (j !== i) s += w[i * n + j] * d[j];
      h[i] = s;
    }
    for (let guard = 0; guard < 10 * n + 10; guard++) {
      let best = -1, bestGain = 1e-15;
      for (let i = 0; i < n; i++) {
        const gain = -4 * d[i] * h[i];
        if (gain > bestGain) {
          bestGain = gain;
          best = i;
        }
      }
      if (best < 0) break;
      d[best] = -d[best] as -1 | 1;
      const delta = 2 * d[best];
      for (let i = 0; i < n; i++) if (i !== best) h[i] += w[i * n + best] * delta;
    }
    return h;
  };
  // leading eigenvector by power iteration on W + c I
  let c = 0;
  for (let i = 0; i < w.length; i++) c = Math.max(c, Math.abs(w[i]));
  c *= n;
  let v = new Float64Array(n).fill(1 / Math.sqrt(n));
  for (let it = 0; it < 100; it++) {
    const nv = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = c * v[i];
      for (let j = 0; j < n; j++) s += w[i * n + j] * v[j];
      nv[i] = s;
    }
    const nr = Math.sqrt(dot(nv, nv)) || 1;
    for (let i = 0; i < n; i++) nv[i] /= nr;
    v = nv;
  }
  const d1 = new Int8Array(n);
  for (let i = 0; i < n; i++) d1[i] = v[i] >= 0 ? 1 : -1;
  const d2 = new Int8Array(n).fill(1);
  const h1 = greedy(d1), h2 = greedy(d2);
  const [d, h] = score(d1) >= score(d2) ? [d1, h1] : [d2, h2];
  let flip = 0, bestGain = -Infinity;
  for (let i = 0; i < n; i++) {
    const gain = -4 * d[i] * h[i];
    if (gain > bestGain) {
      bestGain = gain;
      flip = i;
    }
  }
  return { d, flip };
}

/** C = E_Aᵀ-side alignment: C = E_Aᵀ diag(d) E_B, with E given as eigenvector rows. */
export function alignFromEig(
  ea: Float64Array,
  eb: Float64Array,
  d: Int8Array,
  n: number,
): Float64Array {
  // rows of ea/eb are eigenvectors, so E_A (columns) = eaᵀ. C = eaᵀ D eb.
  const dEb = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) dEb[i * n + j] = d[i] * eb[i * n + j];
  // C = eaᵀ (D eb) = mmNT(eaᵀ, (D eb)ᵀ)
  return mmNT(transpose(ea, n, n), transpose(dEb, n, n), n, n, n);
}
