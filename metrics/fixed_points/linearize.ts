/**
 * Linearisation of the map at a point: eigenvalues of the Jacobian J = diag(1 − F(h)²) W
 * (general real eigen-solver `eigenvaluesReal`), the stability label, and a basis of the
 * invariant subspace of the eigenvalues near 1 (the marginal directions of a line or plane
 * attractor) by subspace inverse iteration.
 *
 * @module
 */
import { eigenvaluesReal } from "../linalg/eig_real.ts";
import { luFactor, luSolve } from "./lu.ts";
import type { TanhMap } from "./map.ts";
import type { Complex, StabilityKind } from "./types.ts";
import { makeRng } from "../rng.ts";

/**
 * Eigenvalues whose modulus is within this of 1 count as on the unit circle (neither stable
 * nor unstable): rounding in the eigen-solver is ~1e-13 for the matrices here, so an exactly
 * marginal eigenvalue (e.g. the centre of a planted line attractor) is not mislabelled.
 */
export const UNIT_CIRCLE_TOL = 1e-10;

/**
 * Stability of a set of eigenvalues of the map's Jacobian.
 *
 * @example
 * ```ts
 * import { classifyEigenvalues } from "@degeneracy/degeneracy";
 * const c = classifyEigenvalues([{ re: 0.5, im: 0 }, { re: 1.5, im: 0 }]);
 * if (c.kind !== "saddle" || c.unstableDims !== 1) throw new Error(c.kind);
 * ```
 */
export function classify(
  eigenvalues: Complex[],
): { stable: boolean; unstableDims: number; kind: StabilityKind } {
  let unstable = 0, onCircle = 0;
  for (const { re, im } of eigenvalues) {
    const m = Math.sqrt(re * re + im * im);
    if (m > 1 + UNIT_CIRCLE_TOL) unstable++;
    else if (m >= 1 - UNIT_CIRCLE_TOL) onCircle++;
  }
  const n = eigenvalues.length;
  const kind: StabilityKind = unstable === n
    ? "unstable"
    : unstable > 0
    ? "saddle"
    : onCircle > 0
    ? "marginal"
    : "stable";
  return { stable: unstable === 0 && onCircle === 0, unstableDims: unstable, kind };
}

/** Eigenvalues of the n × n row-major `j`, sorted by decreasing modulus (pairs: +Im first). */
export function sortedEigenvalues(j: Float64Array, n: number): Complex[] {
  let e: { re: Float64Array; im: Float64Array };
  try {
    e = eigenvaluesReal(j, n);
  } catch (err) {
    throw new Error(
      `Jacobian eigenvalues failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const out: Complex[] = [];
  for (let i = 0; i < n; i++) out.push({ re: e.re[i], im: e.im[i] });
  const mod = (c: Complex) => c.re * c.re + c.im * c.im;
  return out.sort((a, b) => mod(b) - mod(a) || b.re - a.re || b.im - a.im);
}

/** Number of eigenvalues within `tol` of 1 (|λ − 1| ≤ tol, which bounds |Im λ| too). */
export function marginalCount(eigenvalues: Complex[], tol: number): number {
  return eigenvalues.filter(({ re, im }) => (re - 1) * (re - 1) + im * im <= tol * tol).length;
}

/**
 * Orthonormal basis (`[d][n]`) of the invariant subspace of `j` for its `d` eigenvalues nearest
 * `shift`: subspace inverse iteration with (J − σ I) factorised once (σ nudged off the spectrum),
 * Gram–Schmidt after every solve. Seeded start block.
 */
export function nearSubspace(
  j: Float64Array,
  n: number,
  d: number,
  shift: number,
  iterations = 8,
): Float64Array[] {
  const a = j.slice();
  const sigma = shift + 1e-9 * (1 + Math.abs(shift));
  for (let i = 0; i < n; i++) a[i * n + i] -= sigma;
  const lu = luFactor(a, n, true);
  const rng = makeRng(12345);
  let block: Float64Array[] = Array.from(
    { length: d },
    () => Float64Array.from({ length: n }, () => rng() - 0.5),
  );
  orthonormalize(block);
  for (let it = 0; it < iterations; it++) {
    block = block.map((v) => luSolve(lu, v));
    orthonormalize(block);
  }
  return block;
}

/** In-place modified Gram–Schmidt (twice, for stability) on a list of vectors. */
export function orthonormalize(vs: Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let k = 0; k < vs.length; k++) {
      const v = vs[k];
      for (let p = 0; p < k; p++) {
        const u = vs[p];
        let dot = 0;
        for (let i = 0; i < v.length; i++) dot += u[i] * v[i];
        for (let i = 0; i < v.length; i++) v[i] -= dot * u[i];
      }
      let nn = 0;
      for (let i = 0; i < v.length; i++) nn += v[i] * v[i];
      const s = nn > 0 ? 1 / Math.sqrt(nn) : 0;
      for (let i = 0; i < v.length; i++) v[i] *= s;
    }
  }
}

/** Eigenvalues and stability of the map at `h` (whose image F(h) is `f`). */
export function linearize(
  map: TanhMap,
  f: Float64Array,
): { eigenvalues: Complex[]; stable: boolean; unstableDims: number; kind: StabilityKind } {
  const eigenvalues = sortedEigenvalues(map.mapJacobian(f), map.n);
  return { eigenvalues, ...classify(eigenvalues) };
}
