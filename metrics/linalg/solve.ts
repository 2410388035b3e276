/**
 * Small dense float64 solves: `choleskySolve` ((M + λI) X = R for symmetric positive definite
 * M) and `cayley` (the Cayley transform (I − Ω/2)⁻¹ (I + Ω/2) of a skew-symmetric Ω, on the
 * WASM SIMD kernel of `wasm.ts` where available; `cayleyScalar` is the TypeScript path).
 *
 * @module
 */
import { wasmCayley, wasmLinalgAvailable } from "./wasm.ts";

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
