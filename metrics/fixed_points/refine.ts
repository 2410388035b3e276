/**
 * Second phase of the fixed-point finder: Newton's method on r(h) = F(h) − h with the
 * analytic Jacobian J_r = diag(1 − F(h)²) W − I (LU with partial pivoting), with
 * backtracking on ‖r‖ and a Levenberg–Marquardt step where the Newton step does not reduce
 * it. Converges quadratically at hyperbolic fixed points, so a start handed over at
 * ‖r‖ ≈ 1e-7 reaches ‖r‖ ≤ 1e-10 (and usually rounding level) in one or two steps.
 *
 * @module
 */
import { mmNT, transpose } from "../linalg/matmul.ts";
import { type Lu, luFactor, luSolve } from "./lu.ts";
import type { TanhMap } from "./map.ts";

/** Result of {@link refineNewton}. */
export interface Refined {
  /** Best state found. */
  h: Float64Array;
  /** F(h). */
  f: Float64Array;
  /** ‖F(h) − h‖. */
  residual: number;
  /** Whether residual ≤ the tolerance. */
  converged: boolean;
  /** Newton (or LM) steps taken. */
  iterations: number;
}

/** J_rᵀ J_r (n × n) for a row-major J_r. */
export function gram(jr: Float64Array, n: number): Float64Array {
  const jt = transpose(jr, n, n);
  return mmNT(jt, jt, n, n, n);
}

/** Levenberg–Marquardt step: solves (J_rᵀ J_r + μ I) δ = −J_rᵀ r. */
function lmStep(jr: Float64Array, r: Float64Array, n: number, mu: number): Float64Array {
  const a = gram(jr, n);
  for (let i = 0; i < n; i++) a[i * n + i] += mu;
  const rhs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = r[i];
    if (ri === 0) continue;
    const o = i * n;
    for (let j = 0; j < n; j++) rhs[j] -= jr[o + j] * ri;
  }
  return luSolve(luFactor(a, n, true), rhs);
}

/**
 * Refines `h0` towards a zero of F(h) − h by Newton's method with the Jacobian factorised only
 * when needed (chord steps): a step with the last LU that shrinks ‖r‖ at least 4× (100× past
 * `tol`) is taken (O(H²)); otherwise J_r is refactorised at the current state and a Newton step with
 * backtracking is taken (O(H³)), or a Levenberg–Marquardt step where that fails. Stops at
 * ‖r‖ ≤ `tol` after at most two more steps towards rounding level (they stop as soon as ‖r‖
 * no longer drops), or after `maxIters` steps, or when no step reduces ‖r‖.
 */
export function refineNewton(
  map: TanhMap,
  h0: Float64Array,
  tol: number,
  maxIters: number,
): Refined {
  const n = map.n;
  let h = h0.slice();
  let { f, r, norm } = map.residual(h);
  let it = 0, extra = 0;
  let lu: Lu | null = null, fresh = false;
  const neg = new Float64Array(n);
  const tryStep = (delta: Float64Array, minRatio: number, backtrack: boolean): boolean => {
    for (let t = 1; t >= 1 / 1024; t /= 2) {
      const cand = new Float64Array(n);
      for (let i = 0; i < n; i++) cand[i] = h[i] + t * delta[i];
      const res = map.residual(cand);
      if (res.norm < Math.min(minRatio, 1 - 1e-4 * t) * norm) {
        h = cand;
        f = res.f;
        r = res.r;
        norm = res.norm;
        return true;
      }
      if (!backtrack) return false;
    }
    return false;
  };
  while (it < maxIters && Number.isFinite(norm) && (norm > tol || extra < 2)) {
    if (norm <= tol) extra++;
    it++;
    for (let i = 0; i < n; i++) neg[i] = -r[i];
    // chord step with the last factorisation, kept only if it contracts well (100× once past
    // `tol`, so that the polishing steps reach rounding level)
    if (lu && !fresh && tryStep(luSolve(lu, neg), norm > tol ? 0.25 : 0.01, false)) continue;
    const jr = map.residualJacobian(f);
    lu = luFactor(jr, n);
    fresh = true;
    let accepted = false;
    if (lu.pivotRatio > 1e-13) accepted = tryStep(luSolve(lu, neg), 1, true);
    else lu = null;
    if (!accepted) accepted = tryStep(lmStep(jr, r, n, norm), 1, true);
    if (!accepted) break;
    fresh = false;
  }
  return { h, f, residual: norm, converged: norm <= tol, iterations: it };
}
