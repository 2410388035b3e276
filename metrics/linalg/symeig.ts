/**
 * Symmetric eigendecomposition for the large Gram matrices of DSA: Householder
 * tridiagonalisation (blocked, with the trailing update on the WASM SIMD kernel of `wasm.ts`
 * where available), implicit QL for all eigenvalues, inverse iteration for the leading
 * eigenvectors only (`symEigTop`).
 *
 * @module
 */
import { wasmLinalgAvailable, wasmTridiagonalize } from "./wasm.ts";
import { mmNT } from "./matmul.ts";
import { mulberry32 } from "../rng.ts";

/** Result of `symEigTop`: all eigenvalues (descending) and the leading eigenvectors. */
export interface SymEig {
  /** All n eigenvalues, descending. */
  values: Float64Array;
  /** k×n row-major: row i is the unit eigenvector of `values[i]`. */
  vectors: Float64Array;
  /** Number of eigenvectors computed (k). */
  k: number;
}

/** A tridiagonalisation: diagonal `d`, subdiagonal `e`, Householder vectors and their β. */
export interface Tridiagonal {
  /** Diagonal of T. */
  d: Float64Array;
  /** Subdiagonal of T (e[i] couples i and i+1). */
  e: Float64Array;
  /** Householder vectors of the reflectors H_i. */
  vs: Float64Array[];
  /** Their scale factors β_i (H_i = I − β_i v_i v_iᵀ). */
  betas: number[];
}

/**
 * Householder tridiagonalisation of a symmetric n×n matrix (only its lower triangle is
 * read). Returns the diagonal `d`, subdiagonal `e` (e[i] couples i and i+1) and the
 * reflectors, so that A = Q T Qᵀ with Q = H_0 H_1 … H_{n−3}.
 */
export function tridiagonalize(aIn: Float64Array, n: number): Tridiagonal {
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
export function tridiagonalizeBlocked(
  aIn: Float64Array,
  n: number,
  nb = 32,
  nx = 128,
): Tridiagonal {
  if (n >= 3 && wasmLinalgAvailable()) return wasmTridiagonalize(aIn, n, nb);
  return tridiagonalizeBlockedScalar(aIn, n, nb, nx);
}

/**
 * The plain-TypeScript path of `tridiagonalizeBlocked` (used where WebAssembly SIMD is
 * unavailable, and as its test oracle).
 */
export function tridiagonalizeBlockedScalar(
  aIn: Float64Array,
  n: number,
  nb = 32,
  nx = 128,
): Tridiagonal {
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
      m = qlSplit(d, e, l, n, floor);
      if (m !== l) {
        if (iter++ === 60) throw new Error("tridiagEigenvalues: QL did not converge");
        qlStep(d, e, l, m);
      }
    } while (m !== l);
  }
  return d.sort();
}

/** First m ≥ l whose off-diagonal e[m] is negligible (n − 1 when none is). */
function qlSplit(d: Float64Array, e: Float64Array, l: number, n: number, floor: number): number {
  let m = l;
  for (; m < n - 1; m++) {
    const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
    const em = Math.abs(e[m]);
    if (em <= Number.EPSILON * dd || em <= floor) break;
  }
  return m;
}

/**
 * One implicit QL step with Wilkinson-type shift on the unreduced block l..m of the
 * tridiagonal (d, e), in place (a function of its own so that the engine optimises it).
 */
function qlStep(d: Float64Array, e: Float64Array, l: number, m: number): void {
  let g = (d[l + 1] - d[l]) / (2 * e[l]);
  let r = Math.hypot(g, 1);
  g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
  let s = 1, c = 1, p = 0;
  for (let i = m - 1; i >= l; i--) {
    const f = s * e[i];
    const b = c * e[i];
    r = Math.hypot(f, g);
    e[i + 1] = r;
    if (r === 0) {
      d[i + 1] -= p;
      e[m] = 0;
      return;
    }
    s = f / r;
    c = g / r;
    g = d[i + 1] - p;
    r = (d[i] - g) * s + 2 * c * b;
    p = s * r;
    d[i + 1] = g + p;
    g = c * r - b;
  }
  d[l] -= p;
  e[l] = g;
  e[m] = 0;
}

/** Deterministic uniform(−1, 1) sequence (mulberry32 of a hashed seed) for inverse-iteration starts. */
function startVector(n: number, seed: number): Float64Array {
  const u = mulberry32((seed * 2654435761 + 12345) >>> 0);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = u() * 2 - 1;
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
