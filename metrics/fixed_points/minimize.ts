/**
 * First phase of the fixed-point finder: minimises q(h) = ½‖F(h) − h‖² from many starts at
 * once with L-BFGS (two-loop recursion, Armijo backtracking with quadratic interpolation).
 * All active starts are evaluated together, so each iteration costs two `[k, H] × [H, H]`
 * products instead of 2k matrix–vector products. A start stops when ‖F(h) − h‖ ≤ handoffTol
 * (handed to Newton refinement), when ‖∇q‖ ≤ gradTol or its line search stalls (a local
 * minimum of q: a slow point or a ghost), or at the iteration limit.
 *
 * @module
 */
import type { TanhMap } from "./map.ts";

/** How a start's minimisation ended. */
export const Outcome = { Converged: 0, Stalled: 1, IterationLimit: 2, Diverged: 3 } as const;

/** Options of {@link minimizeSpeed}. */
export interface MinimizeOptions {
  maxIters: number;
  memory: number;
  /** Without `onAccept`, a start converges once ‖F(h) − h‖ ≤ handoffTol. */
  handoffTol: number;
  gradTol: number;
  /**
   * Called after every accepted step (and at each start) with the start's index, its state
   * and residual vector (views, valid during the call) and ‖F(h) − h‖; returning true ends
   * that start as converged (the caller has dealt with it, e.g. refined or absorbed it).
   * Replaces the `handoffTol` test.
   */
  onAccept?: (i: number, h: Float64Array, r: Float64Array, residual: number) => boolean;
}

/** Final states and outcomes of every start. */
export interface MinimizeResult {
  /** Final states, `[k, n]`. */
  x: Float64Array;
  /** ‖F(h) − h‖ at each final state. */
  residual: Float64Array;
  /** `Outcome` per start. */
  outcome: Uint8Array;
  /** Accepted L-BFGS steps per start. */
  steps: Int32Array;
  /** Batched evaluations performed. */
  evaluations: number;
}

const C1 = 1e-4;

/** Runs batched L-BFGS on q from the `k` starts in the rows of `starts` (`[k, n]`). */
export function minimizeSpeed(
  map: TanhMap,
  starts: Float64Array,
  k: number,
  o: MinimizeOptions,
): MinimizeResult {
  const n = map.n, m = o.memory;
  const x = starts.slice(0, k * n);
  const g = new Float64Array(k * n);
  const d = new Float64Array(k * n);
  const q = new Float64Array(k);
  const alpha = new Float64Array(k);
  const gd = new Float64Array(k);
  const sHist = new Float64Array(k * m * n);
  const yHist = new Float64Array(k * m * n);
  const rho = new Float64Array(k * m);
  const histLen = new Int32Array(k);
  const histHead = new Int32Array(k);
  const steps = new Int32Array(k);
  const evals = new Int32Array(k);
  const outcome = new Uint8Array(k).fill(255);
  const started = new Uint8Array(k);
  const alphaTmp = new Float64Array(m);
  const maxEvals = 5 * o.maxIters + 50;

  let active = Array.from({ length: k }, (_, i) => i);
  const trial = new Float64Array(k * n);
  const buf = map.batch(k);
  let evaluations = 0;
  const handoffQ = 0.5 * o.handoffTol * o.handoffTol;

  const steepest = (i: number) => {
    const o_ = i * n;
    let gg = 0;
    for (let j = 0; j < n; j++) {
      d[o_ + j] = -g[o_ + j];
      gg += g[o_ + j] * g[o_ + j];
    }
    gd[i] = -gg;
    alpha[i] = 1 / Math.max(1, Math.sqrt(gg));
    histLen[i] = 0;
    histHead[i] = 0;
  };

  // L-BFGS direction d = −H g by the two-loop recursion
  const direction = (i: number) => {
    const len = histLen[i];
    if (len === 0) return steepest(i);
    const o_ = i * n;
    for (let j = 0; j < n; j++) d[o_ + j] = -g[o_ + j];
    for (let t = 0; t < len; t++) {
      const slot = (histHead[i] - 1 - t + m) % m;
      const so = (i * m + slot) * n;
      let a = 0;
      for (let j = 0; j < n; j++) a += sHist[so + j] * d[o_ + j];
      a *= rho[i * m + slot];
      alphaTmp[t] = a;
      for (let j = 0; j < n; j++) d[o_ + j] -= a * yHist[so + j];
    }
    const last = (histHead[i] - 1 + m) % m;
    const lo = (i * m + last) * n;
    let yy = 0;
    for (let j = 0; j < n; j++) yy += yHist[lo + j] * yHist[lo + j];
    const gamma = 1 / (rho[i * m + last] * yy);
    for (let j = 0; j < n; j++) d[o_ + j] *= gamma;
    for (let t = len - 1; t >= 0; t--) {
      const slot = (histHead[i] - 1 - t + m) % m;
      const so = (i * m + slot) * n;
      let bta = 0;
      for (let j = 0; j < n; j++) bta += yHist[so + j] * d[o_ + j];
      bta *= rho[i * m + slot];
      const c = alphaTmp[t] - bta;
      for (let j = 0; j < n; j++) d[o_ + j] += c * sHist[so + j];
    }
    let s = 0;
    for (let j = 0; j < n; j++) s += g[o_ + j] * d[o_ + j];
    if (!(s < 0)) return steepest(i);
    gd[i] = s;
    alpha[i] = 1;
  };

  const finish = (i: number, a: number): boolean => {
    const done = o.onAccept
      ? o.onAccept(
        i,
        x.subarray(i * n, i * n + n),
        buf.r.subarray(a * n, a * n + n),
        Math.sqrt(2 * q[i]),
      )
      : q[i] <= handoffQ;
    if (done) outcome[i] = Outcome.Converged;
    else if (steps[i] >= o.maxIters || evals[i] >= maxEvals) outcome[i] = Outcome.IterationLimit;
    else {
      let gg = 0;
      for (let j = 0; j < n; j++) gg += g[i * n + j] ** 2;
      if (Math.sqrt(gg) <= o.gradTol) outcome[i] = Outcome.Stalled;
    }
    return outcome[i] !== 255;
  };

  while (active.length > 0) {
    const na = active.length;
    for (let a = 0; a < na; a++) {
      const i = active[a], io = i * n, to = a * n;
      if (!started[i]) { for (let j = 0; j < n; j++) trial[to + j] = x[io + j]; }
      else {
        const al = alpha[i];
        for (let j = 0; j < n; j++) trial[to + j] = x[io + j] + al * d[io + j];
      }
    }
    map.evaluate(trial, na, buf, true);
    evaluations++;
    const next: number[] = [];
    for (let a = 0; a < na; a++) {
      const i = active[a], io = i * n, to = a * n;
      evals[i]++;
      const qt = buf.q[a];
      if (!started[i]) {
        started[i] = 1;
        if (!Number.isFinite(qt)) {
          outcome[i] = Outcome.Diverged;
          continue;
        }
        q[i] = qt;
        for (let j = 0; j < n; j++) g[io + j] = buf.g[to + j];
        if (!finish(i, a)) {
          steepest(i);
          next.push(i);
        }
        continue;
      }
      const al = alpha[i];
      if (Number.isFinite(qt) && qt <= q[i] + C1 * al * gd[i]) {
        // accept; store the curvature pair
        const slot = histHead[i];
        const so = (i * m + slot) * n;
        let sy = 0, ss = 0, yy = 0;
        for (let j = 0; j < n; j++) {
          const sj = al * d[io + j];
          const yj = buf.g[to + j] - g[io + j];
          sHist[so + j] = sj;
          yHist[so + j] = yj;
          sy += sj * yj;
          ss += sj * sj;
          yy += yj * yj;
        }
        if (sy > 1e-14 * Math.sqrt(ss * yy)) {
          rho[i * m + slot] = 1 / sy;
          histHead[i] = (slot + 1) % m;
          histLen[i] = Math.min(histLen[i] + 1, m);
        }
        for (let j = 0; j < n; j++) {
          x[io + j] = trial[to + j];
          g[io + j] = buf.g[to + j];
        }
        q[i] = qt;
        steps[i]++;
        if (!finish(i, a)) {
          direction(i);
          next.push(i);
        }
      } else {
        // backtrack (quadratic interpolation, clamped to [0.1, 0.5] of the step)
        let na_ = 0.1 * al;
        if (Number.isFinite(qt)) {
          const den = 2 * (qt - q[i] - gd[i] * al);
          if (den > 0) na_ = Math.min(0.5 * al, Math.max(0.1 * al, (-gd[i] * al * al) / den));
        }
        alpha[i] = na_;
        let dd = 0, xx = 0;
        for (let j = 0; j < n; j++) {
          dd += d[io + j] ** 2;
          xx += x[io + j] ** 2;
        }
        if (na_ * Math.sqrt(dd) <= 1e-15 * (1 + Math.sqrt(xx))) {
          // no decrease possible along d: retry once along −∇q, else a (numerical) minimum of q
          if (histLen[i] > 0 && evals[i] < maxEvals) {
            steepest(i);
            next.push(i);
          } else outcome[i] = Outcome.Stalled;
        } else if (evals[i] >= maxEvals) outcome[i] = Outcome.IterationLimit;
        else next.push(i);
      }
    }
    active = next;
  }
  const residual = new Float64Array(k);
  for (let i = 0; i < k; i++) residual[i] = Math.sqrt(2 * q[i]);
  return { x, residual, outcome, steps, evaluations };
}
