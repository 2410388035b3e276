/**
 * Dense float64 linear algebra for DSA (`metrics/dsa.ts`): row-major `Float64Array`
 * matrices, in plain TypeScript (no dependency), with the hot routines dispatched to the WASM
 * SIMD kernel of `linalg_wasm.ts` where the engine supports it.
 *
 * - `mmNT`: C = A·Bᵀ on the float64 WASM SIMD kernel (`linalg_wasm.ts`), or a 4×4
 *   register-blocked TypeScript kernel (`mmNTScalar`, ~2.7 GFLOP/s on one core).
 * - `symEigTop`: symmetric eigendecomposition (Householder tridiagonalisation, implicit QL
 *   for all eigenvalues, inverse iteration for the leading eigenvectors only).
 * - `eigenvaluesReal`: eigenvalues of a general real matrix (Gaussian-elimination
 *   Hessenberg reduction + Francis double-shift QR, values only).
 * - `choleskySolve`, `cayleySolve`: small dense solves.
 *
 * @module
 */
import { wasmCayley, wasmLinalgAvailable, wasmMmNT, wasmTridiagonalize } from "./linalg_wasm.ts";

/** Products with at least this many multiply–adds go to the WASM SIMD kernel. */
const WASM_MIN_FLOPS = 8 * 8 * 8;

/**
 * C (m×n) = A (m×k) · Bᵀ, B given as n×k, all row-major. Returns `out` (allocated when
 * omitted). Runs on the float64 WASM SIMD kernel (`metrics/linalg_wasm.ts`) where the
 * engine supports it, else on `mmNTScalar`.
 */
export function mmNT(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out?: Float64Array,
): Float64Array {
  if (m * k * n >= WASM_MIN_FLOPS && wasmLinalgAvailable()) return wasmMmNT(a, b, m, k, n, out);
  return mmNTScalar(a, b, m, k, n, out);
}

/**
 * C (m×n) = A (m×k) · Bᵀ in plain TypeScript (4×4 register-blocked; the fallback of `mmNT`
 * and its test oracle).
 */
export function mmNTScalar(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out?: Float64Array,
): Float64Array {
  const c = out ?? new Float64Array(m * n);
  const m4 = m - (m % 4), n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const i0 = i * k, i1 = i0 + k, i2 = i1 + k, i3 = i2 + k;
    for (let j = 0; j < n4; j += 4) {
      const j0 = j * k, j1 = j0 + k, j2 = j1 + k, j3 = j2 + k;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let p = 0; p < k; p++) {
        const a0 = a[i0 + p], a1 = a[i1 + p], a2 = a[i2 + p], a3 = a[i3 + p];
        const b0 = b[j0 + p], b1 = b[j1 + p], b2 = b[j2 + p], b3 = b[j3 + p];
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
      }
      let o = i * n + j;
      c[o] = c00;
      c[o + 1] = c01;
      c[o + 2] = c02;
      c[o + 3] = c03;
      o += n;
      c[o] = c10;
      c[o + 1] = c11;
      c[o + 2] = c12;
      c[o + 3] = c13;
      o += n;
      c[o] = c20;
      c[o + 1] = c21;
      c[o + 2] = c22;
      c[o + 3] = c23;
      o += n;
      c[o] = c30;
      c[o + 1] = c31;
      c[o + 2] = c32;
      c[o + 3] = c33;
    }
    for (let j = n4; j < n; j++) {
      const j0 = j * k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const bv = b[j0 + p];
        s0 += a[i0 + p] * bv;
        s1 += a[i1 + p] * bv;
        s2 += a[i2 + p] * bv;
        s3 += a[i3 + p] * bv;
      }
      c[i * n + j] = s0;
      c[(i + 1) * n + j] = s1;
      c[(i + 2) * n + j] = s2;
      c[(i + 3) * n + j] = s3;
    }
  }
  for (let i = m4; i < m; i++) {
    const i0 = i * k;
    for (let j = 0; j < n; j++) {
      const j0 = j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i0 + p] * b[j0 + p];
      c[i * n + j] = s;
    }
  }
  return c;
}

/** Transpose of a row-major r×c matrix (returns c×r). */
export function transpose(a: Float64Array, r: number, c: number, out?: Float64Array): Float64Array {
  const t = out ?? new Float64Array(r * c);
  for (let i = 0; i < r; i++) {
    const o = i * c;
    for (let j = 0; j < c; j++) t[j * r + i] = a[o + j];
  }
  return t;
}

/** C = A·B for square n×n row-major matrices (via Bᵀ and `mmNT`). */
export function mm(a: Float64Array, b: Float64Array, n: number, out?: Float64Array): Float64Array {
  return mmNT(a, transpose(b, n, n), n, n, n, out);
}

/** Frobenius inner product ⟨A, B⟩ = Σ A_ij B_ij. */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Result of `symEigTop`: all eigenvalues (descending) and the leading eigenvectors. */
export interface SymEig {
  /** All n eigenvalues, descending. */
  values: Float64Array;
  /** k×n row-major: row i is the unit eigenvector of `values[i]`. */
  vectors: Float64Array;
  /** Number of eigenvectors computed (k). */
  k: number;
}

/**
 * Householder tridiagonalisation of a symmetric n×n matrix (only its lower triangle is
 * read). Returns the diagonal `d`, subdiagonal `e` (e[i] couples i and i+1) and the
 * reflectors, so that A = Q T Qᵀ with Q = H_0 H_1 … H_{n−3}.
 */
export function tridiagonalize(aIn: Float64Array, n: number) {
  const a = Float64Array.from(aIn);
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const vs: Float64Array[] = [];
  const betas: number[] = [];
  const p = new Float64Array(n);
  for (let k = 0; k < n - 2; k++) {
    d[k] = a[k * n + k];
    const len = n - k - 1;
    // x = A[k+1.., k] (lower triangle, column k)
    const v = new Float64Array(len);
    let norm2 = 0;
    for (let i = 0; i < len; i++) {
      const x = a[(k + 1 + i) * n + k];
      v[i] = x;
      norm2 += x * x;
    }
    const norm = Math.sqrt(norm2);
    if (norm === 0) {
      e[k] = 0;
      vs.push(v);
      betas.push(0);
      continue;
    }
    const alpha = v[0] > 0 ? -norm : norm;
    e[k] = alpha;
    v[0] -= alpha;
    const vn2 = norm2 - 2 * alpha * (v[0] + alpha) + alpha * alpha;
    // v^T v = ||x||^2 - 2 alpha x0 + alpha^2
    const beta = vn2 > 0 ? 2 / vn2 : 0;
    vs.push(v);
    betas.push(beta);
    if (beta === 0) continue;
    // p = beta * A22 v  (A22 symmetric, lower triangle stored)
    const o = k + 1;
    p.fill(0, 0, len);
    for (let i = 0; i < len; i++) {
      const row = (o + i) * n + o;
      const vi = v[i];
      let s = 0;
      for (let j = 0; j < i; j++) {
        const aij = a[row + j];
        s += aij * v[j];
        p[j] += aij * vi;
      }
      p[i] += s + a[row + i] * vi;
    }
    let pv = 0;
    for (let i = 0; i < len; i++) {
      p[i] *= beta;
      pv += p[i] * v[i];
    }
    const kk = 0.5 * beta * pv;
    for (let i = 0; i < len; i++) p[i] -= kk * v[i]; // w
    for (let i = 0; i < len; i++) {
      const row = (o + i) * n + o;
      const vi = v[i], wi = p[i];
      for (let j = 0; j <= i; j++) a[row + j] -= vi * p[j] + wi * v[j];
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2];
    e[n - 2] = a[(n - 1) * n + n - 2];
  }
  if (n >= 1) d[n - 1] = a[(n - 1) * n + n - 1];
  return { d, e, vs, betas };
}

/**
 * Blocked Householder tridiagonalisation (LAPACK dsytrd/dlatrd scheme, lower, panel width
 * `nb`): the symmetric n×n matrix is kept in full storage so that the panel's
 * matrix–vector products read contiguous rows, and the trailing rank-2·nb update is one
 * `mmNT` product. The last `nx` columns are finished by `tridiagonalize`. Same output
 * format as `tridiagonalize`. Runs on the WASM SIMD kernel (`wasmTridiagonalize`, the same
 * scheme with lower-triangle storage) where the engine supports it.
 */
export function tridiagonalizeBlocked(aIn: Float64Array, n: number, nb = 32, nx = 128) {
  if (n >= 3 && wasmLinalgAvailable()) return wasmTridiagonalize(aIn, n, nb);
  return tridiagonalizeBlockedScalar(aIn, n, nb, nx);
}

/**
 * The plain-TypeScript path of `tridiagonalizeBlocked` (used where WebAssembly SIMD is
 * unavailable, and as its test oracle).
 */
export function tridiagonalizeBlockedScalar(aIn: Float64Array, n: number, nb = 32, nx = 128) {
  if (n <= nx + nb) return tridiagonalize(aIn, n);
  const a = Float64Array.from(aIn);
  // make full symmetric from the lower triangle
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  const d = new Float64Array(n);
  const e = new Float64Array(n - 1);
  const vs: Float64Array[] = [];
  const betas: number[] = [];
  const col = new Float64Array(n);
  let k0 = 0;
  for (; k0 + nb < n - nx; k0 += nb) {
    const vc: Float64Array[] = [], wc: Float64Array[] = [];
    for (let c = 0; c < nb; c++) {
      const i = k0 + c;
      // column i (rows i..n−1) of the current matrix: row i of the original minus the
      // panel's rank-2 corrections
      for (let r = i; r < n; r++) col[r] = a[i * n + r];
      for (let q = 0; q < c; q++) {
        const v = vc[q], w = wc[q];
        const wi = w[i], vi = v[i];
        for (let r = i; r < n; r++) col[r] -= v[r] * wi + w[r] * vi;
      }
      d[i] = col[i];
      const len = n - i - 1;
      let norm2 = 0;
      for (let r = i + 1; r < n; r++) norm2 += col[r] * col[r];
      const v = new Float64Array(n);
      const w = new Float64Array(n);
      const norm = Math.sqrt(norm2);
      let beta = 0;
      if (norm === 0) {
        e[i] = 0;
      } else {
        const alpha = col[i + 1] > 0 ? -norm : norm;
        e[i] = alpha;
        for (let r = i + 1; r < n; r++) v[r] = col[r];
        v[i + 1] -= alpha;
        const vn2 = norm2 - 2 * alpha * col[i + 1] + alpha * alpha;
        beta = vn2 > 0 ? 2 / vn2 : 0;
      }
      vs.push(v.slice(i + 1));
      betas.push(beta);
      if (beta !== 0) {
        // w = β (A_orig v) − β [W (Vᵀv) + V (Wᵀv)] over rows i+1..n−1
        const r0 = i + 1;
        let r = r0;
        for (; r + 3 < n; r += 4) {
          const o0 = r * n, o1 = o0 + n, o2 = o1 + n, o3 = o2 + n;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let q = r0; q < n; q++) {
            const vq = v[q];
            s0 += a[o0 + q] * vq;
            s1 += a[o1 + q] * vq;
            s2 += a[o2 + q] * vq;
            s3 += a[o3 + q] * vq;
          }
          w[r] = s0;
          w[r + 1] = s1;
          w[r + 2] = s2;
          w[r + 3] = s3;
        }
        for (; r < n; r++) {
          let s0 = 0;
          const o0 = r * n;
          for (let q = r0; q < n; q++) s0 += a[o0 + q] * v[q];
          w[r] = s0;
        }
        for (let q = 0; q < c; q++) {
          const vq = vc[q], wq = wc[q];
          let sv = 0, sw = 0;
          for (let t = r0; t < n; t++) {
            sv += vq[t] * v[t];
            sw += wq[t] * v[t];
          }
          for (let t = r0; t < n; t++) w[t] -= wq[t] * sv + vq[t] * sw;
        }
        let wv = 0;
        for (let t = r0; t < n; t++) {
          w[t] *= beta;
          wv += w[t] * v[t];
        }
        const kk = -0.5 * beta * wv;
        for (let t = r0; t < n; t++) w[t] += kk * v[t];
      }
      vc.push(v);
      wc.push(w);
      void len;
    }
    // trailing update: A[t.., t..] −= V Wᵀ + W Vᵀ, t = k0 + nb
    const t0 = k0 + nb;
    const len = n - t0;
    const x = new Float64Array(len * 2 * nb), y = new Float64Array(len * 2 * nb);
    for (let r = 0; r < len; r++) {
      const o = r * 2 * nb;
      for (let c = 0; c < nb; c++) {
        x[o + c] = vc[c][t0 + r];
        x[o + nb + c] = wc[c][t0 + r];
        y[o + c] = wc[c][t0 + r];
        y[o + nb + c] = vc[c][t0 + r];
      }
    }
    // lower-triangular row blocks only (the update is symmetric), then mirror
    const rb = 64;
    for (let r0 = 0; r0 < len; r0 += rb) {
      const r1 = Math.min(len, r0 + rb);
      const upd = mmNT(x.subarray(r0 * 2 * nb, r1 * 2 * nb), y, r1 - r0, 2 * nb, r1);
      for (let r = r0; r < r1; r++) {
        const o = (t0 + r) * n + t0, ou = (r - r0) * r1;
        for (let c = 0; c <= r; c++) a[o + c] -= upd[ou + c];
      }
    }
    for (let r = 0; r < len; r++) {
      const o = (t0 + r) * n + t0;
      for (let c = 0; c < r; c++) a[(t0 + c) * n + t0 + r] = a[o + c];
    }
  }
  // finish the trailing (n − k0) block unblocked
  const m2 = n - k0;
  const sub = new Float64Array(m2 * m2);
  for (let r = 0; r < m2; r++) {
    for (let c = 0; c < m2; c++) sub[r * m2 + c] = a[(k0 + r) * n + k0 + c];
  }
  const t = tridiagonalize(sub, m2);
  for (let r = 0; r < m2; r++) d[k0 + r] = t.d[r];
  for (let r = 0; r < m2 - 1; r++) e[k0 + r] = t.e[r];
  for (let h = 0; h < t.vs.length; h++) {
    vs.push(t.vs[h]);
    betas.push(t.betas[h]);
  }
  return { d, e, vs, betas };
}

/** Eigenvalues of the symmetric tridiagonal (d, e) by implicit QL; returned ascending. */
export function tridiagEigenvalues(dIn: Float64Array, eIn: Float64Array): Float64Array {
  const n = dIn.length;
  const d = Float64Array.from(dIn);
  const e = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) e[i] = eIn[i];
  // Deflate when an off-diagonal is negligible relative to its neighbours OR to the whole
  // matrix: the second, norm-relative test is backward stable (a perturbation of size
  // ε‖T‖) and is what lets clusters of (near-)zero eigenvalues converge, e.g. the Gram
  // matrix of a Hankel embedding whose trials repeat exactly (rank ≪ size).
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]) + Math.abs(e[i]));
  const floor = Number.EPSILON * norm;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    let m: number;
    do {
      for (m = l; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        const em = Math.abs(e[m]);
        if (em <= Number.EPSILON * dd || em <= floor) break;
      }
      if (m !== l) {
        if (iter++ === 60) throw new Error("tridiagEigenvalues: QL did not converge");
        let g = (d[l + 1] - d[l]) / (2 * e[l]);
        let r = Math.hypot(g, 1);
        g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
        let s = 1, c = 1, p = 0;
        let i: number;
        let early = false;
        for (i = m - 1; i >= l; i--) {
          let f = s * e[i];
          const b = c * e[i];
          r = Math.hypot(f, g);
          e[i + 1] = r;
          if (r === 0) {
            d[i + 1] -= p;
            e[m] = 0;
            early = true;
            break;
          }
          s = f / r;
          c = g / r;
          g = d[i + 1] - p;
          r = (d[i] - g) * s + 2 * c * b;
          p = s * r;
          d[i + 1] = g + p;
          g = c * r - b;
          f = 0;
        }
        if (early) continue;
        d[l] -= p;
        e[l] = g;
        e[m] = 0;
      }
    } while (m !== l);
  }
  return d.sort();
}

/** Deterministic uniform(−1, 1) sequence (splitmix-style) for inverse-iteration starts. */
function startVector(n: number, seed: number): Float64Array {
  const v = new Float64Array(n);
  let s = (seed * 2654435761 + 12345) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    v[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return v;
}

/**
 * Solve (T − λI) x = b in place (b → x) for the symmetric tridiagonal T = (d, e) by
 * Gaussian elimination with partial pivoting. Zero pivots are replaced by `tiny`.
 */
function tridiagShiftSolve(
  d: Float64Array,
  e: Float64Array,
  lambda: number,
  b: Float64Array,
  tiny: number,
  w: { u0: Float64Array; u1: Float64Array; u2: Float64Array; l: Float64Array; piv: Uint8Array },
): void {
  const n = d.length;
  const { u0, u1, u2, l, piv } = w;
  // rows: row i has (sub e[i-1], diag d[i]-λ, super e[i])
  let a0 = d[0] - lambda; // current pivot-row diag
  let a1 = n > 1 ? e[0] : 0; // current pivot-row super
  let a2 = 0; // current pivot-row super-super
  for (let i = 0; i < n - 1; i++) {
    const sub = e[i];
    const nd = d[i + 1] - lambda;
    const ns = i + 1 < n - 1 ? e[i + 1] : 0;
    if (Math.abs(a0) >= Math.abs(sub)) {
      piv[i] = 0;
      const piv0 = a0 === 0 ? tiny : a0;
      const m = sub / piv0;
      l[i] = m;
      u0[i] = piv0;
      u1[i] = a1;
      u2[i] = a2;
      a0 = nd - m * a1;
      a1 = ns - m * a2;
      a2 = 0;
    } else {
      piv[i] = 1;
      const m = a0 / sub;
      l[i] = m;
      u0[i] = sub;
      u1[i] = nd;
      u2[i] = ns;
      a0 = a1 - m * nd;
      a1 = a2 - m * ns;
      a2 = 0;
    }
  }
  u0[n - 1] = a0 === 0 ? tiny : a0;
  u1[n - 1] = 0;
  u2[n - 1] = 0;
  // forward: apply row swaps and multipliers to b
  for (let i = 0; i < n - 1; i++) {
    if (piv[i] === 1) {
      const t = b[i];
      b[i] = b[i + 1];
      b[i + 1] = t;
    }
    b[i + 1] -= l[i] * b[i];
  }
  // back substitution with upper bandwidth 2
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    if (i + 1 < n) s -= u1[i] * b[i + 1];
    if (i + 2 < n) s -= u2[i] * b[i + 2];
    const p = u0[i] === 0 ? tiny : u0[i];
    b[i] = s / p;
  }
}

/**
 * Symmetric eigendecomposition of an n×n matrix (lower triangle read): all eigenvalues
 * (descending) and the eigenvectors of the `k` largest (LAPACK dstein-style inverse
 * iteration on the tridiagonal form with re-orthogonalisation inside clusters, then the
 * Householder back-transformation). `k` may be a function of the eigenvalues, evaluated
 * once they are known. Cost: 4/3 n³ + O(n² k).
 */
export function symEigTop(
  a: Float64Array,
  n: number,
  k: number | ((valuesDesc: Float64Array) => number),
): SymEig {
  if (n === 0) return { values: new Float64Array(0), vectors: new Float64Array(0), k: 0 };
  const { d, e, vs, betas } = tridiagonalizeBlocked(a, n);
  const asc = tridiagEigenvalues(d, e);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = asc[n - 1 - i];
  const kk = Math.min(n, typeof k === "function" ? k(values) : k);
  let tnorm = 0;
  for (let i = 0; i < n; i++) {
    const r = Math.abs(d[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0) + (i < n - 1 ? Math.abs(e[i]) : 0);
    if (r > tnorm) tnorm = r;
  }
  if (tnorm === 0) tnorm = 1;
  const eps = Number.EPSILON;
  // clusters for re-orthogonalisation: eigenvalues closer than 1e-6·‖T‖ (LAPACK dstein uses
  // 1e-3·‖T‖; outside a cluster inverse iteration alone leaves overlaps ≲ ε/1e-6 ≈ 2e-10)
  const ortol = 1e-6 * tnorm;
  const pertol = 10 * eps * tnorm;
  const tiny = eps * tnorm;
  const ws = {
    u0: new Float64Array(n),
    u1: new Float64Array(n),
    u2: new Float64Array(n),
    l: new Float64Array(n),
    piv: new Uint8Array(n),
  };
  const vecs = new Float64Array(kk * n);
  let clusterStart = 0;
  let prevLambda = Infinity;
  let lam = 0;
  for (let j = 0; j < kk; j++) {
    const lam0 = values[j];
    if (j === 0 || prevLambda - lam0 > ortol) clusterStart = j;
    // separate (nearly) equal eigenvalues so that the shifted solves differ
    lam = lam0;
    if (j > clusterStart && lam >= prevLambda - pertol) lam = prevLambda - pertol;
    prevLambda = lam;
    const x = startVector(n, j + 1);
    const xr = vecs.subarray(j * n, (j + 1) * n);
    for (let it = 0; it < 3; it++) {
      let mx = 0;
      for (let i = 0; i < n; i++) mx = Math.max(mx, Math.abs(x[i]));
      for (let i = 0; i < n; i++) x[i] /= mx;
      tridiagShiftSolve(d, e, lam, x, tiny, ws);
      // re-orthogonalise against earlier vectors of the same cluster (MGS)
      for (let q = clusterStart; q < j; q++) {
        const vq = vecs.subarray(q * n, (q + 1) * n);
        let s = 0;
        for (let i = 0; i < n; i++) s += vq[i] * x[i];
        for (let i = 0; i < n; i++) x[i] -= s * vq[i];
      }
      let nrm = 0;
      for (let i = 0; i < n; i++) nrm += x[i] * x[i];
      nrm = Math.sqrt(nrm);
      for (let i = 0; i < n; i++) x[i] /= nrm;
    }
    xr.set(x);
  }
  // back-transform y = H_0 H_1 … H_{n−3} x in blocks of nb reflectors, last block first, each
  // block as Q = I − V T Vᵀ (compact WY, LAPACK dlarft forward/columnwise) so that the work
  // is three `mmNT` products: Y_sub ← Y_sub − ((Y_sub V) Tᵀ) Vᵀ on the rows of Y.
  if (kk > 0) backTransform(vecs, kk, n, vs, betas);
  return { values, vectors: vecs, k: kk };
}

/**
 * Apply Q = H_0 H_1 … H_{h−1} (H_j = I − β_j v_j v_jᵀ acting on indices j+1…n−1) to each
 * row y of the k×n matrix Y in place (y ← Q y), using blocked compact-WY products.
 */
function backTransform(
  y: Float64Array,
  k: number,
  n: number,
  vs: Float64Array[],
  betas: number[],
  nb = 32,
): void {
  const h = vs.length;
  for (let g1 = h; g1 > 0; g1 -= nb) {
    const g0 = Math.max(0, g1 - nb);
    const w = g1 - g0; // reflectors in this block
    const base = g0 + 1;
    const len = n - base;
    // Vt: w × len (row c = reflector g0+c, zero before its start); Vr: len × w
    const vt = new Float64Array(w * len), vr = new Float64Array(len * w);
    for (let c = 0; c < w; c++) {
      const v = vs[g0 + c];
      const off = c; // reflector g0+c starts at index g0+c+1 = base + c
      for (let i = 0; i < v.length; i++) {
        vt[c * len + off + i] = v[i];
        vr[(off + i) * w + c] = v[i];
      }
    }
    // T (w × w, upper): T_cc = β_c, T[0:c, c] = −β_c T[0:c, 0:c] (V[:, 0:c]ᵀ v_c)
    const t = new Float64Array(w * w);
    const vtv = mmNT(vt, vt, w, len, w); // Vᵀ V
    for (let c = 0; c < w; c++) {
      const bc = betas[g0 + c];
      t[c * w + c] = bc;
      for (let r = 0; r < c; r++) {
        let s = 0;
        for (let q = r; q < c; q++) s += t[r * w + q] * vtv[q * w + c];
        t[r * w + c] = -bc * s;
      }
    }
    // Y_sub (k × len) copy
    const ys = new Float64Array(k * len);
    for (let j = 0; j < k; j++) ys.set(y.subarray(j * n + base, (j + 1) * n), j * len);
    const p = mmNT(ys, vt, k, len, w); // Y_sub V  (k × w)
    const p2 = mmNT(p, t, k, w, w); // (Y_sub V) Tᵀ
    const upd = mmNT(p2, vr, k, w, len); // … Vᵀ  (k × len)
    for (let j = 0; j < k; j++) {
      const o = j * n + base, ou = j * len;
      for (let i = 0; i < len; i++) y[o + i] -= upd[ou + i];
    }
  }
}

/**
 * Solve (M + λI) X = R for symmetric positive definite M (n×n) by Cholesky; R is n×c
 * row-major and is overwritten with X. Throws when M + λI is not positive definite.
 */
export function choleskySolve(
  mIn: Float64Array,
  n: number,
  lambda: number,
  r: Float64Array,
  c: number,
): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = mIn[i * n + j] + (i === j ? lambda : 0);
      const ri = i * n, rj = j * n;
      for (let q = 0; q < j; q++) s -= l[ri + q] * l[rj + q];
      if (i === j) {
        if (!(s > 0)) {
          throw new Error(
            "DSA: the regression matrix Vmᵀ Vm + ridge·I is not positive definite; " +
              "use a larger ridge (> 0) or a smaller rank",
          );
        }
        l[ri + i] = Math.sqrt(s);
      } else l[ri + j] = s / l[rj + j];
    }
  }
  // forward: L Y = R
  for (let i = 0; i < n; i++) {
    const ri = i * c;
    for (let q = 0; q < i; q++) {
      const lv = l[i * n + q];
      if (lv === 0) continue;
      const rq = q * c;
      for (let j = 0; j < c; j++) r[ri + j] -= lv * r[rq + j];
    }
    const inv = 1 / l[i * n + i];
    for (let j = 0; j < c; j++) r[ri + j] *= inv;
  }
  // back: Lᵀ X = Y
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * c;
    for (let q = i + 1; q < n; q++) {
      const lv = l[q * n + i];
      if (lv === 0) continue;
      const rq = q * c;
      for (let j = 0; j < c; j++) r[ri + j] -= lv * r[rq + j];
    }
    const inv = 1 / l[i * n + i];
    for (let j = 0; j < c; j++) r[ri + j] *= inv;
  }
  return r;
}

/**
 * Cayley transform of a skew-symmetric n×n Ω: R = (I − Ω/2)⁻¹ (I + Ω/2), an orthogonal
 * matrix with det +1. Gaussian elimination without pivoting (I − Ω/2 has positive definite
 * symmetric part, so it is safe). Runs on the WASM SIMD kernel where available.
 */
export function cayley(
  omega: Float64Array,
  n: number,
  out?: Float64Array,
  work?: Float64Array,
): Float64Array {
  if (n >= 8 && wasmLinalgAvailable()) return wasmCayley(omega, n, out);
  return cayleyScalar(omega, n, out, work);
}

/** The plain-TypeScript path of `cayley` (fallback and test oracle). */
export function cayleyScalar(
  omega: Float64Array,
  n: number,
  out?: Float64Array,
  work?: Float64Array,
): Float64Array {
  const k = work ?? new Float64Array(n * n);
  const r = out ?? new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) {
    k[i] = -0.5 * omega[i];
    r[i] = 0.5 * omega[i];
  }
  for (let i = 0; i < n; i++) {
    k[i * n + i] += 1;
    r[i * n + i] += 1;
  }
  for (let p = 0; p < n; p++) {
    const rp = p * n;
    const inv = 1 / k[rp + p];
    for (let i = p + 1; i < n; i++) {
      const ri = i * n;
      const f = k[ri + p] * inv;
      if (f === 0) continue;
      for (let j = p + 1; j < n; j++) k[ri + j] -= f * k[rp + j];
      for (let j = 0; j < n; j++) r[ri + j] -= f * r[rp + j];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    for (let q = i + 1; q < n; q++) {
      const f = k[ri + q];
      if (f === 0) continue;
      const rq = q * n;
      for (let j = 0; j < n; j++) r[ri + j] -= f * r[rq + j];
    }
    const inv = 1 / k[ri + i];
    for (let j = 0; j < n; j++) r[ri + j] *= inv;
  }
  return r;
}

/**
 * Eigenvalues of a general real n×n matrix (row-major), as `{re, im}` arrays in no
 * particular order. Hessenberg reduction by stabilised elimination, then the Francis
 * double-shift QR iteration (values only; after Numerical Recipes `elmhes`/`hqr`).
 */
export function eigenvaluesReal(
  aIn: Float64Array,
  n: number,
): { re: Float64Array; im: Float64Array } {
  // 1-based accessors on a copy
  // 1-based copy with row stride W = n + 1
  const W = n + 1;
  const a = new Float64Array(W * W);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[(i + 1) * W + j + 1] = aIn[i * n + j];
  for (let m = 2; m < n; m++) {
    let x = 0;
    let i = m;
    for (let j = m; j <= n; j++) {
      if (Math.abs(a[j * W + (m - 1)]) > Math.abs(x)) {
        x = a[j * W + (m - 1)];
        i = j;
      }
    }
    if (i !== m) {
      for (let j = m - 1; j <= n; j++) {
        const t = a[i * W + j];
        a[i * W + j] = a[m * W + j];
        a[m * W + j] = t;
      }
      for (let j = 1; j <= n; j++) {
        const t = a[j * W + i];
        a[j * W + i] = a[j * W + m];
        a[j * W + m] = t;
      }
    }
    if (x !== 0) {
      for (i = m + 1; i <= n; i++) {
        let y = a[i * W + (m - 1)];
        if (y !== 0) {
          y /= x;
          a[i * W + (m - 1)] = y;
          const ri = i * W, rm = m * W;
          for (let j = m; j <= n; j++) a[ri + j] -= y * a[rm + j];
          for (let j = 1; j <= n; j++) a[j * W + m] += y * a[j * W + i];
        }
      }
    }
  }
  for (let i = 3; i <= n; i++) for (let j = 1; j <= i - 2; j++) a[i * W + j] = 0;
  const wr = new Float64Array(n + 1), wi = new Float64Array(n + 1);
  let anorm = 0;
  for (let i = 1; i <= n; i++) {
    for (let j = Math.max(i - 1, 1); j <= n; j++) anorm += Math.abs(a[i * W + j]);
  }
  let nn = n;
  let t = 0;
  let p = 0, q = 0, r = 0, s = 0, w = 0, x = 0, y = 0, z = 0;
  while (nn >= 1) {
    let its = 0;
    let l: number;
    do {
      for (l = nn; l >= 2; l--) {
        s = Math.abs(a[(l - 1) * W + (l - 1)]) + Math.abs(a[l * W + l]);
        if (s === 0) s = anorm;
        if (Math.abs(a[l * W + (l - 1)]) + s === s) {
          a[l * W + (l - 1)] = 0;
          break;
        }
      }
      x = a[nn * W + nn];
      if (l === nn) {
        wr[nn] = x + t;
        wi[nn--] = 0;
      } else {
        y = a[(nn - 1) * W + (nn - 1)];
        w = a[nn * W + (nn - 1)] * a[(nn - 1) * W + nn];
        if (l === nn - 1) {
          p = 0.5 * (y - x);
          q = p * p + w;
          z = Math.sqrt(Math.abs(q));
          x += t;
          if (q >= 0) {
            z = p + (p >= 0 ? Math.abs(z) : -Math.abs(z));
            wr[nn - 1] = wr[nn] = x + z;
            if (z) wr[nn] = x - w / z;
            wi[nn - 1] = wi[nn] = 0;
          } else {
            wr[nn - 1] = wr[nn] = x + p;
            wi[nn] = z;
            wi[nn - 1] = -z;
          }
          nn -= 2;
        } else {
          if (its === 60) throw new Error("eigenvaluesReal: QR iteration did not converge");
          if (its === 10 || its === 20 || its === 40) {
            t += x;
            for (let i = 1; i <= nn; i++) a[i * W + i] = a[i * W + i] - x;
            s = Math.abs(a[nn * W + (nn - 1)]) + Math.abs(a[(nn - 1) * W + (nn - 2)]);
            y = x = 0.75 * s;
            w = -0.4375 * s * s;
          }
          ++its;
          let m: number;
          for (m = nn - 2; m >= l; m--) {
            z = a[m * W + m];
            r = x - z;
            s = y - z;
            p = (r * s - w) / a[(m + 1) * W + m] + a[m * W + (m + 1)];
            q = a[(m + 1) * W + (m + 1)] - z - r - s;
            r = a[(m + 2) * W + (m + 1)];
            s = Math.abs(p) + Math.abs(q) + Math.abs(r);
            p /= s;
            q /= s;
            r /= s;
            if (m === l) break;
            const u = Math.abs(a[m * W + (m - 1)]) * (Math.abs(q) + Math.abs(r));
            const v = Math.abs(p) *
              (Math.abs(a[(m - 1) * W + (m - 1)]) + Math.abs(z) +
                Math.abs(a[(m + 1) * W + (m + 1)]));
            if (u + v === v) break;
          }
          for (let i = m + 2; i <= nn; i++) {
            a[i * W + (i - 2)] = 0;
            if (i !== m + 2) a[i * W + (i - 3)] = 0;
          }
          for (let k = m; k <= nn - 1; k++) {
            if (k !== m) {
              p = a[k * W + (k - 1)];
              q = a[(k + 1) * W + (k - 1)];
              r = 0;
              if (k !== nn - 1) r = a[(k + 2) * W + (k - 1)];
              if ((x = Math.abs(p) + Math.abs(q) + Math.abs(r)) !== 0) {
                p /= x;
                q /= x;
                r /= x;
              }
            }
            const sq = Math.sqrt(p * p + q * q + r * r);
            if ((s = p >= 0 ? sq : -sq) !== 0) {
              if (k === m) {
                if (l !== m) a[k * W + (k - 1)] = -a[k * W + (k - 1)];
              } else a[k * W + (k - 1)] = -s * x;
              p += s;
              x = p / s;
              y = q / s;
              z = r / s;
              q /= p;
              r /= p;
              for (let j = k; j <= nn; j++) {
                p = a[k * W + j] + q * a[(k + 1) * W + j];
                if (k !== nn - 1) {
                  p += r * a[(k + 2) * W + j];
                  a[(k + 2) * W + j] = a[(k + 2) * W + j] - p * z;
                }
                a[(k + 1) * W + j] = a[(k + 1) * W + j] - p * y;
                a[k * W + j] = a[k * W + j] - p * x;
              }
              const mmin = nn < k + 3 ? nn : k + 3;
              for (let i = l; i <= mmin; i++) {
                p = x * a[i * W + k] + y * a[i * W + (k + 1)];
                if (k !== nn - 1) {
                  p += z * a[i * W + (k + 2)];
                  a[i * W + (k + 2)] = a[i * W + (k + 2)] - p * r;
                }
                a[i * W + (k + 1)] = a[i * W + (k + 1)] - p * q;
                a[i * W + k] = a[i * W + k] - p;
              }
            }
          }
        }
      }
    } while (l < nn - 1);
  }
  return { re: wr.subarray(1), im: wi.subarray(1) };
}
