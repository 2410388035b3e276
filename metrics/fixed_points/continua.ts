/**
 * Line and plane attractors: continua of slow points through a marginal point (one whose
 * Jacobian has eigenvalues within `marginalTol` of 1). From the seed, each marginal
 * eigen-direction is followed in both senses by predictor–corrector continuation: a step of
 * length s along the current tangent, then Gauss–Newton minimisation of ‖F(h) − h‖² within
 * the hyperplane through the predicted point orthogonal to the tangent (the slow manifold is
 * where the speed is least across it), with the step halved on failure and grown on easy
 * success. Tracing stops where the speed exceeds `continuumTol` (to within the smallest step),
 * where the curve returns to the seed (a ring), or after `maxTraceSteps` steps. The extent
 * along a direction is the arc length of its curve.
 *
 * @module
 */
import { luFactor, luSolve } from "./lu.ts";
import { dist2, type TanhMap } from "./map.ts";
import { marginalCount, nearSubspace } from "./linearize.ts";
import { gram } from "./refine.ts";
import type { Complex, Continuum, ResolvedFixedPointOptions } from "./types.ts";

/** A fixed or slow point offered as a seed. */
export interface SeedPoint {
  list: "fixedPoints" | "slowPoints";
  index: number;
  h: Float64Array;
  f: Float64Array;
  residual: number;
  eigenvalues: Complex[];
}

interface Corrected {
  y: Float64Array;
  residual: number;
  ok: boolean;
  iterations: number;
}

/**
 * Minimises ‖r(y)‖² over {y : cᵀ(y − p) = 0 for every c in `constraints`} from y = p by
 * Gauss–Newton (bordered normal equations [[J_rᵀJ_r + μI, C], [Cᵀ, 0]]), with backtracking on
 * ‖r‖.
 */
export function correctOnHyperplane(
  map: TanhMap,
  p: Float64Array,
  constraints: Float64Array[],
  maxIters = 10,
): Corrected {
  const n = map.n, m = constraints.length, n1 = n + m;
  let y = p.slice();
  let { f, r, norm } = map.residual(y);
  let it = 0;
  for (; it < maxIters; it++) {
    const jr = map.residualJacobian(f);
    const a = gram(jr, n);
    let tr = 0;
    for (let i = 0; i < n; i++) tr += a[i * n + i];
    const mu = 1e-12 * (tr / n + 1e-300);
    const k = new Float64Array(n1 * n1);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) k[i * n1 + j] = a[i * n + j];
      k[i * n1 + i] += mu;
      for (let c = 0; c < m; c++) {
        k[i * n1 + n + c] = constraints[c][i];
        k[(n + c) * n1 + i] = constraints[c][i];
      }
    }
    const rhs = new Float64Array(n1);
    for (let i = 0; i < n; i++) {
      const ri = r[i];
      if (ri === 0) continue;
      const o = i * n;
      for (let j = 0; j < n; j++) rhs[j] -= jr[o + j] * ri;
    }
    const sol = luSolve(luFactor(k, n1, true), rhs);
    let dn = 0, yn = 0;
    for (let i = 0; i < n; i++) {
      dn += sol[i] * sol[i];
      yn += y[i] * y[i];
    }
    dn = Math.sqrt(dn);
    if (!Number.isFinite(dn)) return { y, residual: norm, ok: false, iterations: it };
    let accepted = false;
    for (let s = 1; s >= 1 / 64; s /= 2) {
      const cand = new Float64Array(n);
      for (let i = 0; i < n; i++) cand[i] = y[i] + s * sol[i];
      const res = map.residual(cand);
      if (res.norm <= norm) {
        y = cand;
        f = res.f;
        r = res.r;
        norm = res.norm;
        accepted = true;
        break;
      }
    }
    if (!accepted || dn <= 1e-10 * (1 + Math.sqrt(yn))) {
      return { y, residual: norm, ok: true, iterations: it + 1 };
    }
  }
  return { y, residual: norm, ok: true, iterations: it };
}

/**
 * Traces one sense of one direction, the correction kept orthogonal to the current tangent and
 * to the seed's `others` marginal directions (so that along one axis of a plane attractor the
 * curve does not slide along the other); returns the accepted states (seed excluded).
 */
function traceSense(
  map: TanhMap,
  seed: Float64Array,
  direction: Float64Array,
  others: Float64Array[],
  sense: 1 | -1,
  o: ResolvedFixedPointOptions,
): { points: Float64Array[]; length: number; closed: boolean; maxResidual: number } {
  const n = map.n;
  const minStep = o.traceStep / 64, maxStep = 4 * o.traceStep;
  let s = o.traceStep;
  let x = seed;
  const t = Float64Array.from(direction, (v) => sense * v);
  const points: Float64Array[] = [];
  let length = 0, maxResidual = 0;
  for (let step = 0; step < o.maxTraceSteps;) {
    const pred = new Float64Array(n);
    for (let i = 0; i < n; i++) pred[i] = x[i] + s * t[i];
    const c = correctOnHyperplane(map, pred, [t, ...others]);
    const segLen = dist2(c.y, 0, x, 0, n);
    let cos = 0;
    for (let i = 0; i < n; i++) cos += (c.y[i] - x[i]) * t[i];
    cos /= segLen || 1;
    const good = c.ok && c.residual <= o.continuumTol && segLen > 0.25 * s && segLen < 2 * s &&
      cos > 0.5;
    if (!good) {
      if (s / 2 < minStep) break;
      s /= 2;
      continue;
    }
    step++;
    length += segLen;
    maxResidual = Math.max(maxResidual, c.residual);
    points.push(c.y);
    for (let i = 0; i < n; i++) t[i] = (c.y[i] - x[i]) / segLen;
    x = c.y;
    if (length > 4 * s && dist2(x, 0, seed, 0, n) < 0.75 * s) {
      return { points, length, closed: true, maxResidual };
    }
    if (c.iterations <= 3) s = Math.min(2 * s, maxStep);
  }
  return { points, length, closed: false, maxResidual };
}

/** Distance from `h` to the polyline through `curve`. */
function distanceToCurve(h: Float64Array, curve: Float64Array[]): number {
  const n = h.length;
  let best = Infinity;
  for (let k = 0; k < curve.length; k++) {
    const a = curve[k];
    best = Math.min(best, dist2(h, 0, a, 0, n));
    if (k + 1 < curve.length) {
      const b = curve[k + 1];
      let ab = 0, ah = 0;
      for (let i = 0; i < n; i++) {
        ab += (b[i] - a[i]) ** 2;
        ah += (h[i] - a[i]) * (b[i] - a[i]);
      }
      const u = ab > 0 ? ah / ab : 0;
      if (u > 0 && u < 1) {
        let d = 0;
        for (let i = 0; i < n; i++) d += (h[i] - a[i] - u * (b[i] - a[i])) ** 2;
        best = Math.min(best, Math.sqrt(d));
      }
    }
  }
  return best;
}

/**
 * Continua through the marginal points among `points` (fixed points first, then slow points,
 * slowest first); a point already within `slowRadius` of a traced continuum seeds no other.
 */
export function traceContinua(
  map: TanhMap,
  points: SeedPoint[],
  o: ResolvedFixedPointOptions,
): Continuum[] {
  const n = map.n;
  const out: Continuum[] = [];
  const curvesOf: Float64Array[][] = [];
  const seeds = points.filter((p) => marginalCount(p.eigenvalues, o.marginalTol) > 0);
  for (const p of seeds) {
    if (curvesOf.some((c) => distanceToCurve(p.h, c) <= o.slowRadius)) continue;
    const margins = p.eigenvalues.filter(({ re, im }) => Math.hypot(re - 1, im) <= o.marginalTol);
    const d = margins.length;
    const shift = margins.reduce((s, e) => s + e.re, 0) / d;
    const dirs = nearSubspace(map.mapJacobian(p.f), n, d, shift);
    const curves: Float64Array[][] = [];
    const extents: number[] = [], closed: boolean[] = [];
    let maxResidual = p.residual;
    for (const dir of dirs) {
      const others = dirs.filter((v) => v !== dir);
      const fwd = traceSense(map, p.h, dir, others, 1, o);
      let curve: Float64Array[];
      let length = fwd.length;
      if (fwd.closed) curve = [p.h, ...fwd.points];
      else {
        const bwd = traceSense(map, p.h, dir, others, -1, o);
        curve = [...bwd.points.reverse(), p.h, ...fwd.points];
        length += bwd.length;
        maxResidual = Math.max(maxResidual, bwd.maxResidual);
      }
      maxResidual = Math.max(maxResidual, fwd.maxResidual);
      curves.push(curve);
      extents.push(length);
      closed.push(fwd.closed);
    }
    if (Math.max(...extents) < o.minContinuumLength) continue;
    const all = curves.flat();
    curvesOf.push(all);
    const near = (list: "fixedPoints" | "slowPoints") =>
      points.filter((q) =>
        q.list === list && curves.some((c) => distanceToCurve(q.h, c) <= o.slowRadius)
      ).map((q) => q.index);
    out.push({
      dimension: d,
      seed: Array.from(p.h),
      seedFrom: { list: p.list, index: p.index },
      directions: dirs.map((v) => Array.from(v)),
      extents,
      closed,
      curves: curves.map((c) => c.map((v) => Array.from(v))),
      maxResidual,
      members: { fixedPoints: near("fixedPoints"), slowPoints: near("slowPoints") },
    });
  }
  return out;
}
