/**
 * Dense float64 matrix products on row-major `Float64Array` matrices: `mmNT` (C = A·Bᵀ) on the
 * float64 WASM SIMD kernel (`wasm.ts`) where the engine supports it, else a 4×4
 * register-blocked TypeScript kernel (`mmNTScalar`, ~2.7 GFLOP/s on one core); `mmNT32`, the
 * same product with float32 operands (for corrections whose rounding is harmless); `mm`,
 * `transpose` and the Frobenius inner product `dot`.
 *
 * @module
 */
import { wasmLinalgAvailable, wasmMmNT, wasmMmNT32 } from "./wasm.ts";

/** Products with at least this many multiply–adds go to the WASM SIMD kernel. */
const WASM_MIN_FLOPS = 8 * 8 * 8;

/**
 * C (m×n) = A (m×k) · Bᵀ, B given as n×k, all row-major. Returns `out` (allocated when
 * omitted). Runs on the float64 WASM SIMD kernel (`wasm.ts`) where the
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
 * C (m×n) ≈ A (m×k) · Bᵀ (B given as n×k) with A and B rounded to float32 and the products
 * summed in float32 within chunks of 256 terms, chunk sums in float64 (relative error ~1e-6
 * of ‖A‖‖B‖), on the WASM SIMD kernel (`wasmMmNT32`, about twice as fast as `mmNT` at
 * n ≥ 200). For products whose rounding is harmless, e.g. a small correction added to a
 * float64 matrix. Where the kernel is unavailable it is exactly `mmNT` (float64).
 */
export function mmNT32(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out?: Float64Array,
): Float64Array {
  if (m * k * n >= WASM_MIN_FLOPS && wasmLinalgAvailable()) return wasmMmNT32(a, b, m, k, n, out);
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
