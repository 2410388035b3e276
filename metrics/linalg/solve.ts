/**
 * Small dense float64 solves: `choleskySolve` ((M + λI) X = R for symmetric positive definite
 * M; blocked on `mmNT` products from n ≥ 192, `choleskySolveBlocked`) and `cayley` (the Cayley transform (I − Ω/2)⁻¹ (I + Ω/2) of a skew-symmetric Ω, on the
 * WASM SIMD kernel of `wasm.ts` where available; `cayleyScalar` is the TypeScript path), and
 * `invertBlocked` / `cayleyIncrement`, the same transform as a recursive block inverse whose
 * work is nearly all `mmNT` products (several times faster from n ≈ 200 on).
 *
 * @module
 */
import { mmNT, transpose } from "./matmul.ts";
import { wasmCayley, wasmInvertNoPivot, wasmLinalgAvailable } from "./wasm.ts";

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
  if (n >= CHOLESKY_BLOCKED_MIN && choleskyBlocked) {
    return choleskySolveBlocked(mIn, n, lambda, r, c);
  }
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = mIn[i * n + j] + (i === j ? lambda : 0);
      const ri = i * n, rj = j * n;
      for (let q = 0; q < j; q++) s -= l[ri + q] * l[rj + q];
      if (i === j) {
        if (!(s > 0)) throw notPositiveDefinite();
        l[ri + i] = Math.sqrt(s);
      } else l[ri + j] = s / l[rj + j];
    }
  }
  forwardRows(l, n, r, c, 0, n); // L Y = R
  backRows(l, n, r, c, 0, n); // Lᵀ X = Y
  return r;
}

/**
 * Forward substitution with the diagonal block L[i0..i1, i0..i1) of the n×n lower-triangular L
 * on rows i0..i1 of the n×c right-hand side R, in place (rows above i0 already eliminated).
 */
function forwardRows(
  l: Float64Array,
  n: number,
  r: Float64Array,
  c: number,
  i0: number,
  i1: number,
) {
  for (let i = i0; i < i1; i++) {
    const ri = i * c;
    for (let q = i0; q < i; q++) {
      const lv = l[i * n + q];
      if (lv === 0) continue;
      const rq = q * c;
      for (let j = 0; j < c; j++) r[ri + j] -= lv * r[rq + j];
    }
    const inv = 1 / l[i * n + i];
    for (let j = 0; j < c; j++) r[ri + j] *= inv;
  }
}

/**
 * Back substitution with the transpose of the diagonal block L[i0..i1, i0..i1) on rows i0..i1 of
 * R, in place (rows from i1 on already eliminated).
 */
function backRows(
  l: Float64Array,
  n: number,
  r: Float64Array,
  c: number,
  i0: number,
  i1: number,
) {
  for (let i = i1 - 1; i >= i0; i--) {
    const ri = i * c;
    for (let q = i + 1; q < i1; q++) {
      const lv = l[q * n + i];
      if (lv === 0) continue;
      const rq = q * c;
      for (let j = 0; j < c; j++) r[ri + j] -= lv * r[rq + j];
    }
    const inv = 1 / l[i * n + i];
    for (let j = 0; j < c; j++) r[ri + j] *= inv;
  }
}

/** From this size on `choleskySolve` runs blocked (`choleskySolveBlocked`). */
export const CHOLESKY_BLOCKED_MIN = 192;

let choleskyBlocked = true;

/**
 * Turns the blocked path of `choleskySolve` on or off for this thread (default on); off, every
 * size takes the scalar path it had before. For before/after benchmarks of the DMD fit.
 */
export function setCholeskyBlocked(on: boolean): void {
  choleskyBlocked = on;
}

function notPositiveDefinite(): Error {
  return new Error(
    "DSA: the regression matrix Vmᵀ Vm + ridge·I is not positive definite; " +
      "use a larger ridge (> 0) or a smaller rank",
  );
}

/**
 * `choleskySolve` in blocks of `nb` columns: the Cholesky factor's trailing updates and the
 * two triangular solves' off-diagonal updates are `mmNT` products (n³/3 + 2n²c flops, nearly
 * all in products); only nb-wide diagonal blocks and panels are scalar. Same contract: R
 * (n×c) is overwritten with X; throws when M + λI is not positive definite.
 */
export function choleskySolveBlocked(
  mIn: Float64Array,
  n: number,
  lambda: number,
  r: Float64Array,
  c: number,
  nb = 64,
): Float64Array {
  const a = Float64Array.from(mIn.subarray(0, n * n));
  for (let i = 0; i < n; i++) a[i * n + i] += lambda;
  const l = new Float64Array(n * n);
  for (let j0 = 0; j0 < n; j0 += nb) {
    const j1 = Math.min(n, j0 + nb), w = j1 - j0, rows = n - j0;
    if (j0 > 0) {
      // A[j0.., j0..j1) −= L[j0.., 0..j0) L[j0..j1, 0..j0)ᵀ
      const p = block(l, n, j0, n, 0, j0);
      const u = mmNT(p, p.subarray(0, w * j0), rows, j0, w);
      for (let i = 0; i < rows; i++) {
        const o = (j0 + i) * n + j0;
        for (let q = 0; q < w; q++) a[o + q] -= u[i * w + q];
      }
    }
    // diagonal block, then the panel below it (row by row, forward substitution)
    for (let i = j0; i < n; i++) {
      const ri = i * n;
      const top = Math.min(i + 1, j1);
      for (let j = j0; j < top; j++) {
        const rj = j * n;
        let s = a[ri + j];
        for (let q = j0; q < j; q++) s -= l[ri + q] * l[rj + q];
        if (i === j) {
          if (!(s > 0)) throw notPositiveDefinite();
          l[ri + i] = Math.sqrt(s);
        } else l[ri + j] = s / l[rj + j];
      }
    }
  }
  // forward: L Y = R, by row blocks
  for (let i0 = 0; i0 < n; i0 += nb) {
    const i1 = Math.min(n, i0 + nb), w = i1 - i0;
    if (i0 > 0) {
      const u = mmNT(block(l, n, i0, i1, 0, i0), transpose(r.subarray(0, i0 * c), i0, c), w, i0, c);
      for (let i = 0; i < w * c; i++) r[i0 * c + i] -= u[i];
    }
    forwardRows(l, n, r, c, i0, i1);
  }
  // back: Lᵀ X = Y, by row blocks from the last
  const last = Math.floor((n - 1) / nb) * nb;
  for (let i0 = last; i0 >= 0; i0 -= nb) {
    const i1 = Math.min(n, i0 + nb), w = i1 - i0, tail = n - i1;
    if (tail > 0) {
      // X[i0..i1) −= L[i1.., i0..i1)ᵀ X[i1..]
      const lt = transpose(block(l, n, i1, n, i0, i1), tail, w); // w × tail
      const xt = transpose(r.subarray(i1 * c, n * c), tail, c); // c × tail
      const u = mmNT(lt, xt, w, tail, c);
      for (let i = 0; i < w * c; i++) r[i0 * c + i] -= u[i];
    }
    backRows(l, n, r, c, i0, i1);
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
 * Gauss–Jordan inverse without pivoting of a small n×n matrix (the leaves of `invertBlocked`),
 * on the WASM kernel where available; into `out` when given.
 */
function invertSmall(kIn: Float64Array, n: number, out?: Float64Array): Float64Array {
  if (n >= 8 && wasmLinalgAvailable()) return wasmInvertNoPivot(kIn, n, out);
  const r = invertSmallScalar(kIn, n);
  if (!out) return r;
  out.set(r);
  return out;
}

/** The plain-TypeScript path of `invertSmall` (fallback and test oracle). */
export function invertSmallScalar(kIn: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(kIn.subarray(0, n * n));
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) r[i * n + i] = 1;
  for (let p = 0; p < n; p++) {
    const rp = p * n;
    const inv = 1 / a[rp + p];
    for (let j = 0; j < n; j++) {
      a[rp + j] *= inv;
      r[rp + j] *= inv;
    }
    for (let i = 0; i < n; i++) {
      if (i === p) continue;
      const ri = i * n;
      const f = a[ri + p];
      if (f === 0) continue;
      for (let j = p; j < n; j++) a[ri + j] -= f * a[rp + j];
      for (let j = 0; j < n; j++) r[ri + j] -= f * r[rp + j];
    }
  }
  return r;
}

/** Scratch memory for `invertBlocked`: float64 slices taken from `buf` as from a stack. */
export interface InverseScratch {
  buf: Float64Array;
  top: number;
}

/** Scratch large enough for `invertBlocked` of an n×n matrix (6n² + 64 doubles). */
export function inverseScratch(n: number): InverseScratch {
  return { buf: new Float64Array(6 * n * n + 64), top: 0 };
}

function take(s: InverseScratch, len: number): Float64Array {
  const out = s.buf.subarray(s.top, s.top + len);
  s.top += len;
  if (s.top > s.buf.length) throw new Error("invertBlocked: scratch too small");
  return out;
}

/** Rows r0..r1−1, columns c0..c1−1 of the row-major matrix a with n columns, into out. */
function block(
  a: Float64Array,
  n: number,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
  out?: Float64Array,
) {
  const w = c1 - c0;
  const o = out ?? new Float64Array((r1 - r0) * w);
  for (let i = r0; i < r1; i++) o.set(a.subarray(i * n + c0, i * n + c1), (i - r0) * w);
  return o;
}

/**
 * Inverse of an n×n matrix K (row-major) by recursive 2×2 blocking without pivoting:
 * K = [K11 K12; K21 K22], X = K11⁻¹, S = K22 − K21 X K12 (Schur complement),
 * K⁻¹ = [X + X K12 S⁻¹ K21 X, −X K12 S⁻¹; −S⁻¹ K21 X, S⁻¹]. 2n³ flops, all but the
 * leaves' (n ≤ `leaf`, Gauss–Jordan) in `mmNT` products. Safe without pivoting when K has a
 * positive definite symmetric part (e.g. I + S with S skew-symmetric): every K11 and Schur
 * complement then has one too (sym(S) ⪰ sym(K22)), so no pivot vanishes. With `scratch`
 * (`inverseScratch(n)`) and `out` it allocates nothing. `product` computes the six block
 * products (default `mmNT`, float64); for K = I + S with S small, `mmNT32` is harmless: every
 * product then has a factor K12 or K21 (blocks of S), so its float32 rounding (~1e-7 of its
 * size) is ~1e-7·‖S‖ of the inverse, the error class of the float32 corrections of the
 * Procrustes iteration (see `cayleyIncrement`).
 */
export function invertBlocked(
  k: Float64Array,
  n: number,
  leaf = 64,
  out?: Float64Array,
  scratch?: InverseScratch,
  product: typeof mmNT = mmNT,
): Float64Array {
  if (n <= leaf) return invertSmall(k, n, out);
  const sc = scratch ?? inverseScratch(n);
  const mark = sc.top;
  const h = n >> 1, g = n - h;
  const k12 = block(k, n, 0, h, h, n, take(sc, h * g));
  const k21 = block(k, n, h, n, 0, h, take(sc, g * h));
  const x = invertBlocked(
    block(k, n, 0, h, 0, h, take(sc, h * h)),
    h,
    leaf,
    take(sc, h * h),
    sc,
    product,
  );
  const t1 = product(x, transpose(k12, h, g, take(sc, g * h)), h, h, g, take(sc, h * g)); // X K12
  const t2 = product(k21, transpose(x, h, h, take(sc, h * h)), g, h, h, take(sc, g * h)); // K21 X
  const s = product(k21, transpose(t1, h, g, take(sc, g * h)), g, h, g, take(sc, g * g)); // K21 X K12
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) s[i * g + j] = k[(h + i) * n + h + j] - s[i * g + j];
  }
  const y = invertBlocked(s, g, leaf, take(sc, g * g), sc, product); // S⁻¹
  const i21 = product(y, transpose(t2, g, h, take(sc, h * g)), g, g, h, take(sc, g * h)); // S⁻¹ K21 X
  const i12 = product(t1, transpose(y, g, g, take(sc, g * g)), h, g, g, take(sc, h * g)); // X K12 S⁻¹
  const i11 = product(t1, transpose(i21, g, h, take(sc, h * g)), h, g, h, take(sc, h * h)); // X K12 S⁻¹ K21 X
  const o = out ?? new Float64Array(n * n);
  for (let i = 0; i < h; i++) {
    const r = i * n;
    for (let j = 0; j < h; j++) o[r + j] = x[i * h + j] + i11[i * h + j];
    for (let j = 0; j < g; j++) o[r + h + j] = -i12[i * g + j];
  }
  for (let i = 0; i < g; i++) {
    const r = (h + i) * n;
    for (let j = 0; j < h; j++) o[r + j] = -i21[i * h + j];
    for (let j = 0; j < g; j++) o[r + h + j] = y[i * g + j];
  }
  sc.top = mark;
  return o;
}

/** Below this size `cayleyIncrement` uses `cayley` (row operations), from it `invertBlocked`. */
export const CAYLEY_BLOCKED_MIN = 80;

/**
 * The Cayley transform of a skew-symmetric n×n Ω as an increment: Δ = R − I with
 * R = (I − Ω/2)⁻¹ (I + Ω/2) = 2(I − Ω/2)⁻¹ − I, so Δ = 2((I − Ω/2)⁻¹ − I). From
 * n ≥ `CAYLEY_BLOCKED_MIN` the inverse is `invertBlocked` (2n³ flops in products), below it
 * `cayley`. R = I + Δ is orthogonal to rounding (det +1). `scale` multiplies Ω (a step
 * length along a direction, without a scaled copy); with `scratch` (`inverseScratch(n)`,
 * which must also hold n² more doubles: use `inverseScratch(n)` as is, it has room) it allocates
 * nothing. `product` is the blocked inverse's block product (`invertBlocked`): with `mmNT32`
 * the increment is exact to ~1e-7·‖Ω‖ instead of ~1e-16, so R is orthogonal to that; the
 * Procrustes iteration's "mixed" precision uses it, whose float32 corrections D already move
 * M off its orbit by as much (docs/performance.md, "The Cayley inverse in float32").
 */
export function cayleyIncrement(
  omega: Float64Array,
  n: number,
  out?: Float64Array,
  scale = 1,
  scratch?: InverseScratch,
  product: typeof mmNT = mmNT,
): Float64Array {
  const d = out ?? new Float64Array(n * n);
  if (n < CAYLEY_BLOCKED_MIN) {
    if (scale !== 1) {
      const o = new Float64Array(n * n);
      for (let i = 0; i < n * n; i++) o[i] = scale * omega[i];
      omega = o;
    }
    cayley(omega, n, d);
    for (let i = 0; i < n; i++) d[i * n + i] -= 1;
    return d;
  }
  const sc = scratch ?? inverseScratch(n);
  const mark = sc.top;
  const k = take(sc, n * n);
  const h = -0.5 * scale;
  for (let i = 0; i < n * n; i++) k[i] = h * omega[i];
  for (let i = 0; i < n; i++) k[i * n + i] += 1;
  invertBlocked(k, n, 48, d, sc, product); // W = K⁻¹ into d, then Δ = 2W − 2I in place
  for (let i = 0; i < n * n; i++) d[i] *= 2;
  for (let i = 0; i < n; i++) d[i * n + i] -= 2;
  sc.top = mark;
  return d;
}
