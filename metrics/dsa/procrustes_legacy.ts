/**
 * The Procrustes optimiser of DSA as it was before the per-network frame, the blocked Cayley
 * transform and the float32 correction products of `procrustes.ts`: Riemannian L-BFGS on
 * O(n) in the raw coordinates of B, Cayley retraction by row operations, every product in
 * float64, starts built per pair. Kept unchanged (only renamed) so that benchmarks can time the
 * old path beside the new one in one run (`procrustesDistance(a, b, { legacy: true })`); the
 * defaults, starts and screening are those documented in `procrustes.ts`.
 *
 * @module
 */

import { cayley } from "../linalg/solve.ts";
import { alignFromEig, bestSigns, determinantSign, haar } from "./starts.ts";
import { normaliseOperator } from "./operator.ts";
import { dot, mmNT, transpose } from "../linalg/matmul.ts";
import { symEigTop } from "../linalg/symeig.ts";

/** Options of `procrustesDistance`. */
export interface LegacyProcrustesOptions {
  /** Score returned as `distance` (default "angular"). */
  score?: "angular" | "euclidean";
  /** Haar-random starts added to the 8 deterministic smart starts (default 8 for n ≤ 32, 4 for n ≤ 64, else 2). */
  restarts?: number;
  /** Seed of the random starts (default 0). */
  seed?: number;
  /** Maximum L-BFGS iterations per start (default 1000 for n ≤ 32, 500 for n ≤ 64, else 300). */
  maxIter?: number;
  /** Stop a run when the body-frame gradient norm of ‖A−CBCᵀ‖² falls below this (default 1e-9). */
  gradTol?: number;
  /**
   * Limit the number of local runs (smart starts first, in the order listed in the module
   * doc; default: all). Useful for large n, where each run costs O(n³) per iteration.
   */
  maxRuns?: number;
  /** Stop a run after 3 successive relative loss decreases below this (default 1e-10). */
  relTol?: number;
  /**
   * Screening: when > 0, every start first runs this many iterations and only the `keep`
   * best continue to `maxIter` (default 0 for n ≤ 32 — every start runs to `maxIter` or convergence —, 60 for n ≤ 64, else 30).
   */
  screenIter?: number;
  /** Runs continued after screening (default 3 for n ≤ 64, else 2). */
  keep?: number;
  /** L-BFGS memory (default 12). */
  memory?: number;
  /** Return the optimal C (n×n row-major) in the result (default false). */
  returnC?: boolean;
}

/** One local run of the Procrustes optimiser. */
export interface LegacyProcrustesRun {
  /** Name of the start ("signs", "signs-flip", "eig-sym", "haar3", ...). */
  start: string;
  /** Determinant sign of C on this run (+1 rotation, −1 reflection). */
  det: number;
  euclidean: number;
  angular: number;
  iterations: number;
  /** False for a start dropped after screening (its score is not converged). */
  completed: boolean;
}

/** Result of `procrustesDistance`. */
export interface LegacyProcrustesResult {
  /** The requested score of the best run. */
  distance: number;
  angular: number;
  euclidean: number;
  /** max − min of the requested score over completed runs (self-check of restart agreement). */
  restartsSpread: number;
  /** Number of runs within 1e-6 (in the requested score) of the best. */
  runsAtBest: number;
  bestStart: string;
  runs: LegacyProcrustesRun[];
  /** Optimal C (n×n row-major), only with `returnC`. */
  C?: Float64Array;
}

/** A normalised operator with the invariants the smart starts need (reusable across pairs). */
export interface LegacyPreparedOperator {
  n: number;
  /** A / ‖A‖_F, row-major. */
  a: Float64Array;
  /** Transpose of `a`. */
  at: Float64Array;
  /**
   * Lazily computed eigenvectors (rows, n×n row-major) of a+aᵀ ("sym") and of
   * a aᵀ + aᵀ a ("gram"); filled on first use by a start that needs them.
   */
  cache: { sym?: Float64Array; gram?: Float64Array };
}

/**
 * Fill a prepared operator's eigenvector cache now (the work the old path did once per system
 * in a distance matrix), so that a benchmark can time it apart from the pairs.
 */
export function fillLegacyCache(p: LegacyPreparedOperator, kinds: ("sym" | "gram")[]): void {
  for (const k of kinds) invariantEig(p, k);
}

/** Eigenvectors (rows) of the invariant `kind` of a prepared operator (cached). */
function invariantEig(p: LegacyPreparedOperator, kind: "sym" | "gram"): Float64Array {
  const hit = p.cache[kind];
  if (hit) return hit;
  const { n, a, at } = p;
  let x: Float64Array;
  if (kind === "sym") {
    x = new Float64Array(n * n);
    for (let i = 0; i < x.length; i++) x[i] = a[i] + at[i];
  } else {
    x = mmNT(a, a, n, n, n); // A Aᵀ
    const g2 = mmNT(at, at, n, n, n); // Aᵀ A
    for (let i = 0; i < x.length; i++) x[i] += g2[i];
  }
  const v = symEigTop(x, n, n).vectors;
  p.cache[kind] = v;
  return v;
}

/**
 * Normalise A (n×n row-major) to unit Frobenius norm and compute the invariants used to
 * build starts. Throws on a zero or non-finite matrix.
 */
export function prepareLegacyOperator(aIn: Float64Array, n: number): LegacyPreparedOperator {
  const { a } = normaliseOperator(aIn, n);
  return { n, a, at: transpose(a, n, n), cache: {} };
}

/** Starts (name, lazily built C) in priority order. */
function buildStarts(
  pa: LegacyPreparedOperator,
  pb: LegacyPreparedOperator,
  restarts: number,
  seed: number,
): { name: string; make: () => Float64Array }[] {
  const n = pa.n;
  const starts: { name: string; make: () => Float64Array }[] = [];
  const diag = (d: Int8Array) => {
    const c = new Float64Array(n * n);
    for (let i = 0; i < n; i++) c[i * n + i] = d[i];
    return c;
  };
  const flipped = (d: Int8Array, i: number) => {
    const f = Int8Array.from(d);
    f[i] = -f[i] as 1 | -1;
    return f;
  };
  // eigenvector alignments of the invariants (best ±1 diagonal between the eigenbases)
  for (const kind of ["sym", "gram"] as const) {
    let memo: { ea: Float64Array; eb: Float64Array; d: Int8Array; flip: number } | undefined;
    const get = () => {
      if (memo) return memo;
      const ea = invariantEig(pa, kind), eb = invariantEig(pb, kind);
      // Ã = E_Aᵀ A E_A = ea A eaᵀ ; B̃ = eb B ebᵀ
      const at = mmNT(mmNT(ea, pa.at, n, n, n), ea, n, n, n);
      const bt = mmNT(mmNT(eb, pb.at, n, n, n), eb, n, n, n);
      memo = { ea, eb, ...bestSigns(at, bt, n) };
      return memo;
    };
    starts.push({ name: `eig-${kind}`, make: () => alignFromEig(get().ea, get().eb, get().d, n) });
    starts.push({
      name: `eig-${kind}-flip`,
      make: () => alignFromEig(get().ea, get().eb, flipped(get().d, get().flip), n),
    });
  }
  // ±1 diagonal on the raw coordinates
  let sg: { d: Int8Array; flip: number } | undefined;
  const signs = () => (sg ??= bestSigns(pa.a, pb.a, n));
  starts.push({ name: "signs", make: () => diag(signs().d) });
  starts.push({ name: "signs-flip", make: () => diag(flipped(signs().d, signs().flip)) });
  const id = new Int8Array(n).fill(1);
  starts.push({ name: "identity", make: () => diag(id) });
  starts.push({ name: "reflection", make: () => diag(flipped(id, 0)) });
  for (let k = 0; k < restarts; k++) {
    starts.push({
      name: `haar${k}`,
      make: () => haar(n, (seed * 7919 + k * 104729 + 1) >>> 0, k % 2 === 0 ? 1 : -1),
    });
  }
  return starts;
}

/** Body-frame gradient of F = ‖M − B‖² = 2 − 2⟨M, B⟩ in skew coordinates. */
function gradient(
  m: Float64Array,
  b: Float64Array,
  bt: Float64Array,
  n: number,
  out: Float64Array,
  ws: Workspace = workspace(n),
): void {
  const mt = transpose(m, n, n, ws.mt);
  const p1 = mmNT(mt, bt, n, n, n, ws.p1); // Mᵀ B
  const p2 = mmNT(b, m, n, n, n, ws.p2); // B Mᵀ
  // G_F = −2 skew(Mᵀ B − B Mᵀ) = −(X − Xᵀ), X = p1 − p2
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = p1[i * n + j] - p2[i * n + j];
      const xt = p1[j * n + i] - p2[j * n + i];
      out[i * n + j] = -(x - xt);
    }
  }
}

/** F = ‖M − B‖²_F. */
function lossOf(m: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) {
    const d = m[i] - b[i];
    s += d * d;
  }
  return s;
}

/** M' = Rᵀ M R. */
function rotate(
  m: Float64Array,
  r: Float64Array,
  n: number,
  ws: Workspace = workspace(n),
  out?: Float64Array,
): Float64Array {
  const rt = transpose(r, n, n, ws.rt);
  const mt = transpose(m, n, n, ws.mt);
  const t1 = mmNT(rt, mt, n, n, n, ws.t1); // Rᵀ M
  return mmNT(t1, rt, n, n, n, out); // (Rᵀ M) R
}

/** Scratch buffers (n×n each) reused across iterations to spare the garbage collector. */
interface Workspace {
  mt: Float64Array;
  p1: Float64Array;
  p2: Float64Array;
  rt: Float64Array;
  t1: Float64Array;
  k: Float64Array;
  r: Float64Array;
}

function workspace(n: number): Workspace {
  const f = () => new Float64Array(n * n);
  return { mt: f(), p1: f(), p2: f(), rt: f(), t1: f(), k: f(), r: f() };
}

/** Resumable state of one local L-BFGS run. */
interface RunState {
  m: Float64Array;
  g: Float64Array;
  f: number;
  c?: Float64Array;
  sList: Float64Array[];
  yList: Float64Array[];
  rho: number[];
  iterations: number;
  small: number;
  done: boolean;
}

/** Start a local run at C0: M = C0ᵀ A C0 and its gradient. */
function startRun(
  pa: LegacyPreparedOperator,
  pb: LegacyPreparedOperator,
  c0: Float64Array,
  trackC: boolean,
): RunState {
  const n = pa.n;
  const c0t = transpose(c0, n, n);
  const m = mmNT(mmNT(c0t, pa.at, n, n, n), c0t, n, n, n);
  const g = new Float64Array(n * n);
  gradient(m, pb.a, pb.at, n, g);
  return {
    m,
    g,
    f: lossOf(m, pb.a),
    c: trackC ? Float64Array.from(c0) : undefined,
    sList: [],
    yList: [],
    rho: [],
    iterations: 0,
    small: 0,
    done: false,
  };
}

/**
 * Advance a run by up to `iters` iterations of Riemannian L-BFGS on F(C) = ‖CᵀAC − B‖²
 * (Cayley retraction, body-frame coordinates, Armijo backtracking). Marks the run done at
 * convergence (gradient norm < gradTol, or 3 successive relative decreases < relTol).
 */
function advance(
  st: RunState,
  pb: LegacyPreparedOperator,
  n: number,
  iters: number,
  gradTol: number,
  relTol: number,
  memory: number,
): void {
  const nn = n * n;
  const b = pb.a, bt = pb.at;
  const dir = new Float64Array(nn);
  const omega = new Float64Array(nn);
  const ws = workspace(n);
  let trial: Float64Array = new Float64Array(nn);
  let gNew: Float64Array = new Float64Array(nn);
  const { sList, yList, rho } = st;
  for (let q = 0; q < iters && !st.done; q++) {
    const g = st.g;
    const gnorm = Math.sqrt(dot(g, g));
    if (gnorm < gradTol) {
      st.done = true;
      break;
    }
    // two-loop recursion: dir = −H g
    dir.set(g);
    const alphas: number[] = [];
    for (let k = sList.length - 1; k >= 0; k--) {
      const al = rho[k] * dot(sList[k], dir);
      alphas[k] = al;
      const y = yList[k];
      for (let i = 0; i < nn; i++) dir[i] -= al * y[i];
    }
    let gamma: number;
    if (sList.length > 0) {
      const y = yList[yList.length - 1];
      gamma = dot(sList[sList.length - 1], y) / dot(y, y);
    } else gamma = Math.min(1, 0.5 / gnorm);
    for (let i = 0; i < nn; i++) dir[i] *= gamma;
    for (let k = 0; k < sList.length; k++) {
      const coef = alphas[k] - rho[k] * dot(yList[k], dir);
      const s = sList[k];
      for (let i = 0; i < nn; i++) dir[i] += coef * s[i];
    }
    for (let i = 0; i < nn; i++) dir[i] = -dir[i];
    let slope = dot(g, dir);
    if (!(slope < 0)) {
      sList.length = 0;
      yList.length = 0;
      rho.length = 0;
      const sc = Math.min(1, 0.5 / gnorm);
      for (let i = 0; i < nn; i++) dir[i] = -sc * g[i];
      slope = dot(g, dir);
    }
    let step = 1;
    let accepted = false, fNew = st.f;
    for (let ls = 0; ls < 30; ls++) {
      for (let i = 0; i < nn; i++) omega[i] = step * dir[i];
      const r = cayley(omega, n, ws.r, ws.k);
      rotate(st.m, r, n, ws, trial);
      const ft = lossOf(trial, b);
      if (ft <= st.f + 1e-4 * step * slope) {
        fNew = ft;
        accepted = true;
        break;
      }
      step *= ls === 0 ? 0.25 : 0.5;
    }
    if (!accepted) {
      st.done = true;
      break;
    }
    gradient(trial, b, bt, n, gNew, ws);
    // reuse the oldest (s, y) pair's storage once the memory is full
    let s: Float64Array, y: Float64Array;
    if (sList.length >= memory) {
      s = sList.shift()!;
      y = yList.shift()!;
      rho.shift();
    } else {
      s = new Float64Array(nn);
      y = new Float64Array(nn);
    }
    for (let i = 0; i < nn; i++) {
      s[i] = step * dir[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    if (sy > 1e-300) {
      sList.push(s);
      yList.push(y);
      rho.push(1 / sy);
    }
    if (st.c) st.c = mmNT(st.c, transpose(ws.r, n, n), n, n, n);
    // swap buffers: the trial M and new gradient become current
    const mOld = st.m, gOld = st.g;
    st.m = trial;
    st.g = gNew;
    trial = mOld;
    gNew = gOld;
    const df = st.f - fNew;
    st.f = fNew;
    st.iterations++;
    if (df <= relTol * Math.max(fNew, 1e-300) || df < 1e-17) {
      if (++st.small >= 3) st.done = true;
    } else st.small = 0;
  }
}

/**
 * Procrustes distance between two square operators of equal size n (row-major
 * Float64Array n×n or number[][]): min over C ∈ O(n) of the score of (A/‖A‖, C B Cᵀ/‖B‖).
 * Either argument may be a `LegacyPreparedOperator` (so a system's invariants are computed once
 * across pairs).
 */
export function procrustesDistanceLegacy(
  aIn: Float64Array | number[][] | LegacyPreparedOperator,
  bIn: Float64Array | number[][] | LegacyPreparedOperator,
  options: LegacyProcrustesOptions = {},
): LegacyProcrustesResult {
  const pa = asPrepared(aIn, "a");
  const pb = asPrepared(bIn, "b");
  if (pa.n !== pb.n) {
    throw new Error(
      `procrustes: operators must have equal size (a is ${pa.n}×${pa.n}, b is ${pb.n}×${pb.n}); ` +
        `use score "wasserstein" for different ranks`,
    );
  }
  const score = options.score ?? "angular";
  if (score !== "angular" && score !== "euclidean") {
    throw new Error(`procrustes: score must be "angular" or "euclidean", got ${String(score)}`);
  }
  const n = pa.n;
  // size-dependent defaults: exhaustive at small n (cheap), screened at large n
  const small = n <= 32, medium = n <= 64;
  const restarts = options.restarts ?? (small ? 8 : medium ? 4 : 2);
  checkInt(restarts, "restarts", 0, 1e6);
  const maxIter = options.maxIter ?? (small ? 1000 : medium ? 500 : 300);
  checkInt(maxIter, "maxIter", 1, 1e9);
  const seed = options.seed ?? 0;
  checkInt(seed, "seed", 0, 2 ** 32 - 1);
  const gradTol = options.gradTol ?? 1e-9;
  if (!(gradTol >= 0)) throw new Error(`procrustes: gradTol must be ≥ 0, got ${gradTol}`);
  let starts = buildStarts(pa, pb, restarts, seed);
  if (options.maxRuns !== undefined) {
    checkInt(options.maxRuns, "maxRuns", 1, 1e9);
    starts = starts.slice(0, options.maxRuns);
  }
  const relTol = options.relTol ?? 1e-10;
  if (!(relTol >= 0)) throw new Error(`procrustes: relTol must be ≥ 0, got ${relTol}`);
  const screenIter = options.screenIter ?? (small ? 0 : medium ? 60 : 30);
  checkInt(screenIter, "screenIter", 0, 1e9);
  const keep = options.keep ?? (small ? 1 : medium ? 3 : 2);
  checkInt(keep, "keep", 1, 1e9);
  const memory = options.memory ?? 12;
  checkInt(memory, "memory", 1, 1000);
  const trackC = options.returnC === true;
  const states = starts.map((st) => {
    const c = st.make();
    return { name: st.name, det: determinantSign(c, n), state: startRun(pa, pb, c, trackC) };
  });
  // screening: every start runs screenIter iterations; the best `keep` continue
  let active = states;
  if (screenIter > 0 && screenIter < maxIter && states.length > keep) {
    for (const s of states) advance(s.state, pb, n, screenIter, gradTol, relTol, memory);
    active = [...states].sort((x, y) => x.state.f - y.state.f).slice(0, keep);
  }
  for (const s of active) {
    advance(s.state, pb, n, maxIter - s.state.iterations, gradTol, relTol, memory);
  }
  const runs: LegacyProcrustesRun[] = [];
  let bestLoss = Infinity, bestC: Float64Array | undefined, bestStart = "";
  for (const s of states) {
    const loss = lossOf(s.state.m, pb.a);
    const euclidean = Math.sqrt(Math.max(loss, 0));
    const angular = 2 * Math.asin(Math.min(1, euclidean / 2));
    runs.push({
      start: s.name,
      det: s.det,
      euclidean,
      angular,
      iterations: s.state.iterations,
      completed: active.includes(s),
    });
    if (loss < bestLoss) {
      bestLoss = loss;
      bestC = s.state.c;
      bestStart = s.name;
    }
  }
  const values = runs.filter((r) => r.completed).map((
    r,
  ) => (score === "angular" ? r.angular : r.euclidean));
  const best = Math.min(...values);
  const euclidean = Math.sqrt(Math.max(bestLoss, 0));
  const angular = 2 * Math.asin(Math.min(1, euclidean / 2));
  const out: LegacyProcrustesResult = {
    distance: score === "angular" ? angular : euclidean,
    angular,
    euclidean,
    restartsSpread: Math.max(...values) - best,
    runsAtBest: values.filter((v) => v - best <= 1e-6).length,
    bestStart,
    runs,
  };
  if (options.returnC && bestC) out.C = bestC;
  return out;
}

function checkInt(v: number, name: string, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`procrustes: ${name} must be an integer in [${lo}, ${hi}], got ${v}`);
  }
}

function asPrepared(
  x: Float64Array | number[][] | LegacyPreparedOperator,
  name: string,
): LegacyPreparedOperator {
  if (x instanceof Float64Array) {
    const n = Math.round(Math.sqrt(x.length));
    if (n * n !== x.length) {
      throw new Error(`procrustes: ${name} has ${x.length} entries, not a square matrix`);
    }
    return prepareLegacyOperator(x, n);
  }
  if (Array.isArray(x)) {
    const n = x.length;
    const flat = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      if (!Array.isArray(x[i]) || x[i].length !== n) {
        throw new Error(`procrustes: ${name}[${i}] must have ${n} entries (square matrix)`);
      }
      for (let j = 0; j < n; j++) flat[i * n + j] = x[i][j];
    }
    return prepareLegacyOperator(flat, n);
  }
  return x;
}
