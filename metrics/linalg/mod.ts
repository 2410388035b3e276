/**
 * Dense float64 linear algebra of the metrics, in plain TypeScript (no dependency), with the
 * hot routines dispatched to a float64 WASM SIMD kernel where the engine supports it.
 * Matrices are row-major flat arrays.
 *
 * Which solver to use when:
 * - Small symmetric matrices whose full spectrum and all eigenvectors are needed (PCA
 *   covariances, double-centred MDS matrices; n up to a few hundred): `symmetricEigen`
 *   (`jacobi.ts`, cyclic Jacobi, accurate to rounding for any symmetric input).
 * - Large symmetric matrices where all eigenvalues but only the leading eigenvectors are
 *   needed (the DSA Gram matrix, m = n·d up to thousands): `symEigTop` (`symeig.ts`,
 *   blocked Householder tridiagonalisation + implicit QL + inverse iteration).
 * - Eigenvalues of a general (non-symmetric) real matrix, e.g. a fitted DMD operator:
 *   `eigenvaluesReal` (`eig_real.ts`, Hessenberg + Francis double-shift QR, values only).
 * - Symmetric positive definite systems (ridge regressions): `choleskySolve` (`solve.ts`);
 *   orthogonal matrices from skew-symmetric generators: `cayley` (`solve.ts`).
 * - Products: `mmNT` (C = A·Bᵀ), `mm`, `transpose`, `dot` (`matmul.ts`).
 *
 * The WASM host (`wasm.ts`) holds the kernel instance; `wasmLinalgAvailable()` says whether
 * it runs here, and `setLinalgWasmEnabled(false)` forces the TypeScript paths (the results
 * agree to rounding; `mmNTScalar`, `tridiagonalizeBlockedScalar` and `cayleyScalar` are the
 * TypeScript paths themselves).
 *
 * @module
 */
export { type SymmetricEigen, symmetricEigen } from "./jacobi.ts";
export {
  type SymEig,
  symEigTop,
  tridiagEigenvalues,
  type Tridiagonal,
  tridiagonalize,
  tridiagonalizeBlocked,
  tridiagonalizeBlockedScalar,
} from "./symeig.ts";
export { eigenvaluesReal } from "./eig_real.ts";
export { cayley, cayleyScalar, choleskySolve } from "./solve.ts";
export { dot, mm, mmNT, mmNTScalar, transpose } from "./matmul.ts";
export { setLinalgWasmEnabled, wasmLinalgAvailable } from "./wasm.ts";
