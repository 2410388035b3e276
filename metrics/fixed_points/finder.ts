/**
 * `findFixedPoints`: fixed points, slow points and continua (line / plane attractors) of the
 * autonomous map h ↦ F(h) = tanh(W h + b) of a tanh RNN under a constant input.
 *
 * Method (after the FixedPointFinder of Golub & Sussillo 2018, which minimises
 * q(h) = ½‖F(h) − h‖² from states sampled on the network's trajectories):
 * 1. starts: `numStarts` states drawn from `starts` (seeded; uniform in (−1, 1)^H when none
 *    are given) plus Gaussian noise of standard deviation `noise`;
 * 2. batched L-BFGS on q with its analytic gradient (`minimize.ts`). On the way, a start whose
 *    speed ‖F(h) − h‖ is below 0.1 and lies in the chord-Newton basin of a fixed point already
 *    found stops there (`absorbedBy`); one whose speed is ≤ `handoffTol` is handed to Newton's
 *    method (`refine.ts`), which brings fixed points to ‖F(h) − h‖ ≤ `fixedTol` (in practice
 *    rounding level); refined points within `uniqueTol` of each other are one;
 * 3. a second round from the midpoints of pairs of the fixed points found (nearest first,
 *    at most `midpoints`), where the saddles between attractors lie;
 * 4. starts that end at a local minimum of q or at `maxIters` with speed ≤ `slowTol` get one
 *    Newton attempt (if they had none) per `mergeRadius` ball, else are slow points, thinned to
 *    one per `slowRadius` ball and at most `maxSlowPoints`;
 * 5. each point's Jacobian J = diag(1 − F(h)²) W, its eigenvalues and stability label
 *    (`linearize.ts`);
 * 6. continua traced through points with eigenvalues within `marginalTol` of 1
 *    (`continua.ts`).
 *
 * @module
 */
import { makeRng } from "../rng.ts";
import { dist2, TanhMap } from "./map.ts";
import { type MinimizeResult, minimizeSpeed, Outcome } from "./minimize.ts";
import { linearize } from "./linearize.ts";
import { resolveOptions, validateNet, validateStarts } from "./options.ts";
import { refineNewton } from "./refine.ts";
import { type Lu, luFactor, luSolve } from "./lu.ts";
import { type SeedPoint, traceContinua } from "./continua.ts";
import type {
  FixedPoint,
  FixedPointNet,
  FixedPointOptions,
  FixedPointResult,
  ResolvedFixedPointOptions,
} from "./types.ts";

/**
 * Draws the `[numStarts, n]` starting states: from `pool` (`[k, n]`; without replacement while
 * `numStarts ≤ k`, then every state once more per further k draws) or uniformly from
 * (−1, 1)^n, plus N(0, noise²) per coordinate. Seeded by `o.seed`.
 *
 * @example
 * ```ts
 * import { sampleStarts } from "@degeneracy/degeneracy";
 * const starts = sampleStarts(null, 3, { numStarts: 5, noise: 0, seed: 1 }); // uniform in (−1, 1)³
 * if (starts.length !== 15 || starts.some((x) => Math.abs(x) >= 1)) throw new Error("starts");
 * ```
 */
export function sampleStarts(
  pool: Float64Array | null,
  n: number,
  o: Pick<ResolvedFixedPointOptions, "numStarts" | "noise" | "seed">,
): Float64Array {
  const rng = makeRng(o.seed);
  const k = o.numStarts;
  const out = new Float64Array(k * n);
  if (pool) {
    const size = pool.length / n;
    const perm = Int32Array.from({ length: size }, (_, i) => i);
    let used = 0;
    for (let s = 0; s < k; s++) {
      if (used === size) used = 0;
      // partial Fisher–Yates: position `used` gets a uniform pick of the remaining ones
      const j = used + Math.floor(rng() * (size - used));
      const t = perm[used];
      perm[used] = perm[j];
      perm[j] = t;
      out.set(pool.subarray(perm[used] * n, perm[used] * n + n), s * n);
      used++;
    }
  } else {
    for (let i = 0; i < k * n; i++) out[i] = 2 * rng() - 1;
  }
  if (o.noise > 0) {
    for (let i = 0; i < k * n; i += 2) {
      // Box–Muller
      const u1 = 1 - rng(), u2 = rng();
      const rad = Math.sqrt(-2 * Math.log(u1)) * o.noise;
      out[i] += rad * Math.cos(2 * Math.PI * u2);
      if (i + 1 < k * n) out[i + 1] += rad * Math.sin(2 * Math.PI * u2);
    }
  }
  return out;
}

/** Residual below which a state is tested for absorption into a known fixed point. */
const ABSORB_RESIDUAL = 0.1;
/** Chord steps of one absorption test. */
const CHORD_STEPS = 8;

/**
 * Index of a known fixed point p (of the two nearest to `h`) in whose basin `h` lies, judged by
 * chord-Newton steps with the LU of J_r(p): y ← y − J_r(p)⁻¹ r(y) from y = h must shrink
 * ‖y − p‖ at least 30% per step and reach 1e-3 of its initial value within `CHORD_STEPS`
 * steps. The chord map is a contraction only in a neighbourhood of p that holds no other zero
 * of r, so an absorbed state is not near another fixed point. −1 when none. O(H²) per step.
 */
function absorbedBy(
  map: TanhMap,
  h: Float64Array,
  r: Float64Array,
  fixed: { h: Float64Array; lu: Lu | null }[],
): number {
  const n = map.n;
  let first = -1, second = -1, d1 = Infinity, d2 = Infinity;
  for (let i = 0; i < fixed.length; i++) {
    if (!fixed[i].lu) continue;
    const d = dist2(fixed[i].h, 0, h, 0, n);
    if (d < d1) {
      second = first;
      d2 = d1;
      first = i;
      d1 = d;
    } else if (d < d2) {
      second = i;
      d2 = d;
    }
  }
  const neg = new Float64Array(n);
  for (const i of [first, second]) {
    if (i < 0) continue;
    const p = fixed[i];
    const d0 = dist2(p.h, 0, h, 0, n);
    let y = h, ry = r, prev = d0;
    for (let s = 0; s < CHORD_STEPS; s++) {
      for (let j = 0; j < n; j++) neg[j] = -ry[j];
      const delta = luSolve(p.lu!, neg);
      const next = new Float64Array(n);
      for (let j = 0; j < n; j++) next[j] = y[j] + delta[j];
      const d = dist2(next, 0, p.h, 0, n);
      if (d <= 1e-3 * d0) return i;
      if (!(d <= 0.7 * prev)) break;
      prev = d;
      y = next;
      ry = map.residual(y).r;
    }
  }
  return -1;
}

function lexCompare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

/**
 * Fixed points, slow points and continua of F(h) = tanh(W h + b) for `net = { wh, b }` (b the
 * effective bias b + W_x x* of a constant input x*; see `fixedPointNet`). Pure and seeded:
 * the same inputs give the same result. Throws naming the field for a bad `net` or option.
 *
 * @returns fixed points (‖F(h) − h‖ ≤ `fixedTol`) and slow points (≤ `slowTol`), each with the
 *   eigenvalues of the map's Jacobian, `stable` (every |λ| < 1), `unstableDims` (#|λ| > 1)
 *   and a `kind`; continua through marginal points; the resolved options; diagnostics.
 *
 * @example A 2-bit memory
 * ```ts
 * import { findFixedPoints } from "@degeneracy/degeneracy";
 * // Two uncoupled bistable units (w = 2): 3 × 3 fixed points, the 4 corners stable.
 * const r = findFixedPoints({ wh: [[2, 0], [0, 2]], b: [0, 0] }, { numStarts: 64, seed: 1 });
 * const stable = r.fixedPoints.filter((p) => p.stable).length;
 * if (r.fixedPoints.length !== 9 || stable !== 4) throw new Error(`${r.fixedPoints.length}, ${stable}`);
 * ```
 */
export function findFixedPoints(
  net: FixedPointNet,
  options: FixedPointOptions = {},
): FixedPointResult {
  const t0 = performance.now();
  const o = resolveOptions(options);
  const { n, w, b } = validateNet(net);
  const pool = validateStarts(options.starts, n);
  const map = new TanhMap(w, b, n);
  const starts = sampleStarts(pool, n, o);
  const k = o.numStarts;

  // fixed points found so far, with the LU of J_r there for the absorption test
  const fixed: { h: Float64Array; f: Float64Array; residual: number; lu: Lu | null }[] = [];
  let newtonCandidates = 0, newtonIterations = 0, absorbed = 0;
  const refine = (h: Float64Array): boolean => {
    newtonCandidates++;
    const ref = refineNewton(map, h, o.fixedTol, o.maxNewtonIters);
    newtonIterations += ref.iterations;
    if (!ref.converged) return false;
    const same = fixed.findIndex((p) => dist2(p.h, 0, ref.h, 0, n) <= o.uniqueTol);
    if (same >= 0 && fixed[same].residual <= ref.residual) return true;
    const lu = luFactor(map.residualJacobian(ref.f), n, true);
    const point = {
      h: ref.h,
      f: ref.f,
      residual: ref.residual,
      lu: lu.pivotRatio > 1e-10 ? lu : null,
    };
    if (same >= 0) fixed[same] = point;
    else fixed.push(point);
    return true;
  };
  // one round of batched L-BFGS from `count` starts; refinement and absorption on the way
  interface Round {
    min: MinimizeResult;
    newtonTriedAt: Float64Array;
  }
  const runRound = (from: Float64Array, count: number): Round => {
    const newtonTriedAt = new Float64Array(count).fill(Infinity);
    const absorbTriedAt = new Float64Array(count).fill(Infinity);
    const onAccept = (i: number, h: Float64Array, r: Float64Array, residual: number): boolean => {
      // absorption test whenever the residual has halved since the last one
      if (residual <= ABSORB_RESIDUAL && residual <= 0.5 * absorbTriedAt[i] && fixed.length > 0) {
        absorbTriedAt[i] = residual;
        if (absorbedBy(map, h, r, fixed) >= 0) {
          absorbed++;
          return true;
        }
      }
      if (residual <= o.handoffTol && residual <= 0.01 * newtonTriedAt[i]) {
        newtonTriedAt[i] = residual;
        return refine(h);
      }
      return false;
    };
    return { min: minimizeSpeed(map, from, count, { ...o, onAccept }), newtonTriedAt };
  };
  const rounds = [runRound(starts, k)];
  // second round from midpoints of pairs of the fixed points found, nearest pairs first:
  // saddles sit between the attractors whose basins they separate, where trajectories seldom
  // pass
  const pairs: { a: number; c: number; d: number }[] = [];
  for (let a = 0; a < fixed.length; a++) {
    for (let c = a + 1; c < fixed.length; c++) {
      pairs.push({ a, c, d: dist2(fixed[a].h, 0, fixed[c].h, 0, n) });
    }
  }
  pairs.sort((x, y) => x.d - y.d || x.a - y.a || x.c - y.c);
  const midCount = Math.min(o.midpoints, pairs.length);
  if (midCount > 0) {
    const mids = new Float64Array(midCount * n);
    for (let t = 0; t < midCount; t++) {
      const { a, c } = pairs[t];
      for (let j = 0; j < n; j++) mids[t * n + j] = 0.5 * (fixed[a].h[j] + fixed[c].h[j]);
    }
    rounds.push(runRound(mids, midCount));
  }
  const t1 = performance.now();

  const outcomes = { converged: 0, stalled: 0, iterationLimit: 0, diverged: 0 };
  for (const { min } of rounds) {
    for (const c of min.outcome) {
      if (c === Outcome.Converged) outcomes.converged++;
      else if (c === Outcome.Stalled) outcomes.stalled++;
      else if (c === Outcome.IterationLimit) outcomes.iterationLimit++;
      else outcomes.diverged++;
    }
  }

  // starts that did not converge but are slow: one Newton attempt per mergeRadius ball
  // (unless tried on the way), else slow-point candidates
  const tail: { h: Float64Array; residual: number; untried: boolean }[] = [];
  for (const { min, newtonTriedAt } of rounds) {
    for (let i = 0; i < min.outcome.length; i++) {
      const c = min.outcome[i];
      if (c === Outcome.Converged || c === Outcome.Diverged || !(min.residual[i] <= o.slowTol)) {
        continue;
      }
      tail.push({
        h: min.x.subarray(i * n, (i + 1) * n),
        residual: min.residual[i],
        untried: newtonTriedAt[i] === Infinity && c === Outcome.IterationLimit,
      });
    }
  }
  tail.sort((a, c) => a.residual - c.residual);
  const handled: Float64Array[] = [];
  const slowCands: { h: Float64Array; residual: number }[] = [];
  for (const cand of tail) {
    const xi = cand.h;
    if (handled.some((h) => dist2(h, 0, xi, 0, n) <= o.mergeRadius)) continue;
    handled.push(xi);
    if (fixed.some((p) => dist2(p.h, 0, xi, 0, n) <= o.mergeRadius)) continue;
    if (cand.untried && refine(xi)) continue;
    if (cand.residual > o.fixedTol) slowCands.push({ h: xi.slice(), residual: cand.residual });
  }
  const t2 = performance.now();

  // slow points: slowest first, one per slowRadius ball, away from fixed points
  const slow: { h: Float64Array; residual: number }[] = [];
  for (const c of slowCands) {
    if (slow.length >= o.maxSlowPoints) break;
    const near = (p: { h: Float64Array }) => dist2(p.h, 0, c.h, 0, n) <= o.slowRadius;
    if (fixed.some((p) => dist2(p.h, 0, c.h, 0, n) <= o.mergeRadius) || slow.some(near)) continue;
    slow.push(c);
  }

  const describe = (h: Float64Array, f: Float64Array, residual: number): FixedPoint => ({
    h: Array.from(h),
    residual,
    ...linearize(map, f),
  });
  const fixedPoints = fixed.map((p) => describe(p.h, p.f, p.residual));
  const slowFs = slow.map((p) => map.residual(p.h));
  const slowPoints = slow.map((p, i) => describe(p.h, slowFs[i].f, slowFs[i].norm));
  // deterministic order: fixed points by unstableDims then lexicographic h
  const fixedOrder = fixedPoints.map((_, i) => i).sort((a, c) =>
    fixedPoints[a].unstableDims - fixedPoints[c].unstableDims ||
    lexCompare(fixedPoints[a].h, fixedPoints[c].h)
  );
  const sortedFixed = fixedOrder.map((i) => fixedPoints[i]);
  const sortedFixedRaw = fixedOrder.map((i) => fixed[i]);
  const t3 = performance.now();

  const seeds: SeedPoint[] = [
    ...sortedFixed.map((p, i) => ({
      list: "fixedPoints" as const,
      index: i,
      h: sortedFixedRaw[i].h,
      f: sortedFixedRaw[i].f,
      residual: p.residual,
      eigenvalues: p.eigenvalues,
    })),
    ...slowPoints.map((p, i) => ({
      list: "slowPoints" as const,
      index: i,
      h: slow[i].h,
      f: slowFs[i].f,
      residual: p.residual,
      eigenvalues: p.eigenvalues,
    })),
  ];
  const continua = o.continua ? traceContinua(map, seeds, o) : [];
  const t4 = performance.now();

  return {
    fixedPoints: sortedFixed,
    slowPoints,
    continua,
    options: o,
    diagnostics: {
      starts: k + midCount,
      startOutcomes: outcomes,
      lbfgsIterations: rounds.reduce((a, r) => a + r.min.evaluations, 0),
      lbfgsSteps: rounds.reduce((a, r) => a + r.min.steps.reduce((x, y) => x + y, 0), 0),
      absorbed,
      newtonCandidates,
      newtonIterations,
      timeMs: {
        minimize: t1 - t0,
        refine: t2 - t1,
        eigen: t3 - t2,
        continua: t4 - t3,
        total: t4 - t0,
      },
    },
  };
}
