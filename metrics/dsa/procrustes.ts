/**
 * Procrustes over vector fields for DSA (Ostrow et al. 2023; reference
 * `SimilarityTransformDist`): min over orthogonal C ∈ O(n) (rotations AND reflections) of
 * ‖A − C B Cᵀ‖_F with A, B first normalised to unit Frobenius norm.
 *
 * Scores: euclidean = ‖A − C* B C*ᵀ‖_F ∈ [0, 2]; angular = arccos⟨A, C* B C*ᵀ⟩_F (radians)
 * = 2·asin(euclidean/2).
 *
 * Optimiser (ours, not the reference's Adam on a Cayley-MLP): Riemannian L-BFGS on O(n)
 * in the left-trivialised (body-frame) coordinates, with the Cayley retraction
 * C ← C·cay(αΩ), Ω skew. Writing M = Cᵀ A C, the objective is ‖M − B‖² = 2 − 2⟨M, B⟩ and its
 * body-frame gradient is −(X − Xᵀ) with X = Mᵀ B − B Mᵀ. Every pair is solved in the frames
 * of `operator.ts` (each operator in the eigenbasis of its symmetric part, computed once per
 * system), where the eigenvector-alignment start is a ±1 diagonal and costs no product.
 * One iteration: the Cayley increment Δ = cay(αΩ) − I (a blocked inverse, 2n³ flops, from
 * n ≥ 80), the rotated M' = M + D with D = MΔ + Δᵀ(M + MΔ), and X' = X + DᵀB − BDᵀ: four
 * n×n products, which for n ≥ 128 run on float32 operands (`mmNT32`) since D is a small
 * correction to a float64 M (the optimum moves by < 1e-5; X is recomputed in float64 every
 * 50 iterations; `normDrift` reports |‖M‖² − 1|, the loss of orthogonal similarity), as do
 * the block products of the Cayley inverse (each has a factor of the step, so its rounding
 * is of the same class: on the rank-1000 bench pair the distance moved by 2e-9 and the drift
 * stayed below 1e-8, docs/performance.md).
 * The L-BFGS recursion starts from the inverse of the Hessian's diagonal along the coordinate
 * rotations (a Jacobi preconditioner, `jacobiInverse`, O(n²) per iteration from M and B̃)
 * instead of a multiple of the identity: on the bench pair it reaches the unpreconditioned
 * run's 100-iteration optimum in 74–78 iterations at ranks 500 and 1000
 * (docs/performance.md); `precondition: "none"` restores the plain recursion.
 * A Cayley step keeps det C, so every start stays on its component of O(n); starts are
 * chosen on both components:
 *   - eigenvector alignments C = E_A D E_Bᵀ of the invariants A+Aᵀ and AAᵀ+AᵀA (which map
 *     to each other under C B Cᵀ), with the best ±1 diagonal D, both determinants (the
 *     A+Aᵀ start is by far the best at large n);
 *   - the ±1 diagonal D maximising ⟨A, D B D⟩ (greedy on A∘B from the sign of its leading
 *     eigenvector) and its best single flip (other determinant): this is exactly the
 *     aligner when two SVDs differ by column signs, where the reference gets stuck;
 *   - identity and a reflection; then `restarts` Haar-random starts (seeded).
 * For n > 64 the default is the A+Aᵀ alignment and its reflection only (`starts`), with no
 * Haar starts: at rank 500 after the 30 screening iterations they stood at 0.155 against
 * 0.166–0.172 for every other start, and the old default kept exactly these two.
 * The distance is the minimum over all runs; the spread over runs is reported, with the
 * final gradient norm of the best run and a spectral lower bound (`spectralLowerBound`),
 * so a reader sees how far from the global optimum the value can be.
 * Budget: by default every start is screened for `screenIter` iterations and the `keep`
 * best continue to `maxIter` (all starts run to convergence for n ≤ 32); `maxRuns` keeps
 * only the first starts of the list (the A+Aᵀ alignment and its reflection come first).
 * `legacy: true` runs the previous optimiser (`procrustes_legacy.ts`) for before/after
 * benchmarks.
 *
 * @module
 */

import { CAYLEY_BLOCKED_MIN, cayleyIncrement, inverseScratch } from "../linalg/solve.ts";
import { dot, mmNT, mmNT32, transpose } from "../linalg/matmul.ts";
import { symEigTop } from "../linalg/symeig.ts";
import {
  orthogonalDetSign,
  type PreparedOperator,
  prepareOperator,
  spectralLowerBound,
} from "./operator.ts";
import { alignFromEig, bestSigns, haar } from "./starts.ts";
import { procrustesDistanceLegacy } from "./procrustes_legacy.ts";

export {
  deserializePreparedOperator,
  PREPARED_OPERATOR_FORMAT,
  type PreparedOperator,
  type PreparedOperatorHeader,
  prepareDsaOperator,
  prepareOperator,
  serializePreparedOperator,
  spectralLowerBound,
} from "./operator.ts";
export { determinantSign } from "./starts.ts";

/**
 * Names the optimiser whose distances `procrustesDistance` returns, so that distances computed by
 * different versions of it are never merged into one matrix (the pipeline records it in every DSA
 * pair block and refuses to merge blocks that differ). Bumped with every change that moves the
 * distances: 4 = L-BFGS in the per-system eigenframes with float32 corrections (9d9b82a), the
 * `eig-sym` start set (1effd8c), the Jacobi preconditioner (b803f8c) and the Cayley inverse on
 * float32 operands (d8fff39); 5 = the gradient, search direction and L-BFGS pairs stored as packed
 * upper triangles (their inner products summed over half the entries, so the trajectories and the
 * distances move in the last digits).
 */
export const PROCRUSTES_OPTIMISER = "degeneracy.procrustes/5";

/** The previous optimiser's name (`legacy: true`, `procrustes_legacy.ts`). */
export const PROCRUSTES_LEGACY_OPTIMISER = "degeneracy.procrustes/legacy";

/** Options of `procrustesDistance`. */
export interface ProcrustesOptions {
  /** Score returned as `distance` (default "angular"). */
  score?: "angular" | "euclidean";
  /** Haar-random starts added to the smart starts (default 8 for n ≤ 32, 4 for n ≤ 64, else 0). */
  restarts?: number;
  /**
   * Smart starts: "all" (the 8 of the module doc; default for n ≤ 64) or "eig-sym" (the
   * eigenvector alignment of A+Aᵀ and its reflection only; default for n > 64, where the
   * others never survived screening in our measurements and each costs 30 iterations).
   */
  starts?: "all" | "eig-sym";
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
  /**
   * Products of the iteration: "mixed" (the corrections D and DᵀB − BDᵀ and the block
   * products of the Cayley inverse on float32 operands, default from n ≥ 128) or "float64"
   * (default below).
   */
  precision?: "mixed" | "float64";
  /**
   * Initial inverse Hessian of the L-BFGS recursion: "jacobi" (default) the inverse of the
   * Hessian's diagonal along the coordinate rotations of the body frame (`jacobiInverse`,
   * O(n²) per iteration), "none" a multiple of the identity (sᵀy / yᵀy), as before.
   */
  precondition?: "jacobi" | "none";
  /**
   * Stop a run once its angular distance is at or below this (radians; default none): for
   * time-to-accuracy comparisons, e.g. the bench's time to reach the old path's optimum.
   */
  targetAngular?: number;
  /**
   * Run the previous optimiser (`procrustes_legacy.ts`: raw coordinates, row-operation
   * Cayley solve, float64 products, per-pair starts) instead; for before/after benchmarks.
   * Its result has no `gradNorm`, `normDrift` or `totalIterations` (NaN), and a `lowerBound`
   * only when both operators come prepared (else NaN: the old path prepared nothing).
   */
  legacy?: boolean;
}

/** One local run of the Procrustes optimiser. */
export interface ProcrustesRun {
  /** Name of the start ("signs", "signs-flip", "eig-sym", "haar3", ...). */
  start: string;
  /** Determinant sign of C on this run (+1 rotation, −1 reflection). */
  det: number;
  /** ‖A − C B Cᵀ‖_F at the end of the run. */
  euclidean: number;
  /** arccos(1 − euclidean²/2), radians. */
  angular: number;
  /** L-BFGS iterations run. */
  iterations: number;
  /** False for a start dropped after screening (its score is not converged). */
  completed: boolean;
}

/** Result of `procrustesDistance`. */
export interface ProcrustesResult {
  /** The requested score of the best run. */
  distance: number;
  /** Angular score of the best run, radians. */
  angular: number;
  /** Euclidean score of the best run. */
  euclidean: number;
  /** max − min of the requested score over completed runs (self-check of restart agreement). */
  restartsSpread: number;
  /** Number of runs within 1e-6 (in the requested score) of the best. */
  runsAtBest: number;
  /** Start of the best run. */
  bestStart: string;
  /** Every local run. */
  runs: ProcrustesRun[];
  /**
   * Frobenius norm of the body-frame gradient of ‖A − C B Cᵀ‖²_F (a skew n×n matrix) at the
   * best run's last iterate: 0 at a local optimum; how far the run was from stopping.
   */
  gradNorm: number;
  /**
   * Spectral lower bound on the global optimum (`spectralLowerBound`): no C gives a smaller
   * distance, so [lowerBound, distance] brackets the true Procrustes distance.
   */
  lowerBound: { euclidean: number; angular: number };
  /** |‖M‖²_F − 1| of the best run: rounding drift of the orthogonal similarity (≈ 0). */
  normDrift: number;
  /** Iterations over all runs (the cost: about four n×n products and one inverse each). */
  totalIterations: number;
  /** Optimal C (n×n row-major), only with `returnC`. */
  C?: Float64Array;
}

/** The pair's frames: B̃ = E_B B E_Bᵀ and its transpose, and the product used for corrections. */
interface Frame {
  n: number;
  b: Float64Array;
  bt: Float64Array;
  /** Product for the small corrections and the Cayley inverse (float32 operands in "mixed"). */
  corr: typeof mmNT;
  /** Jacobi-preconditioned recursion (`ProcrustesOptions.precondition`). */
  jacobi: boolean;
  /** Stop a run at this loss ‖M − B̃‖² (from `targetAngular`; −∞ for none). */
  targetLoss: number;
}

/** Resumable state of one local L-BFGS run (M in B's frame). */
interface RunState {
  m: Float64Array;
  /** X = Mᵀ B̃ − B̃ Mᵀ (the gradient is −(X − Xᵀ)). */
  x: Float64Array;
  /** Gradient, packed upper triangle (`packedLength(n)`; it is skew-symmetric). */
  g: Float64Array;
  f: number;
  /** C' = E_A C E_Bᵀ (only with returnC). */
  c?: Float64Array;
  /** L-BFGS pairs, packed upper triangles like `g`. */
  sList: Float64Array[];
  yList: Float64Array[];
  rho: number[];
  /** sᵀy / yᵀy of the newest stored pair (the initial inverse-Hessian scale). */
  gamma: number;
  iterations: number;
  small: number;
  done: boolean;
}

/** X = Mᵀ B − B Mᵀ in float64. */
function crossTerm(m: Float64Array, fr: Frame, out?: Float64Array): Float64Array {
  const n = fr.n;
  const x = mmNT(transpose(m, n, n), fr.bt, n, n, n, out); // Mᵀ B
  const p2 = mmNT(fr.b, m, n, n, n); // B Mᵀ
  for (let i = 0, len = x.length; i < len; i++) x[i] -= p2[i];
  return x;
}

/**
 * Entries of an n×n skew-symmetric matrix above the diagonal, row by row: the layout of the
 * gradient, the search direction and the L-BFGS pairs, whose passes over memory are the largest
 * O(n²) cost of an iteration (a full matrix would hold every value twice). Inner products of
 * packed vectors are half the Frobenius ones.
 */
export function packedLength(n: number): number {
  return (n * (n - 1)) / 2;
}

/** The full skew-symmetric n×n matrix of a packed upper triangle (zero diagonal) into `out`. */
function unpackSkew(p: Float64Array, n: number, out: Float64Array): Float64Array {
  for (let i = 0, q = 0; i < n; i++) q = unpackRow(p, n, i, q, out);
  return out;
}

function unpackRow(p: Float64Array, n: number, i: number, q: number, out: Float64Array): number {
  const o = i * n;
  out[o + i] = 0;
  for (let j = i + 1; j < n; j++, q++) {
    const v = p[q];
    out[o + j] = v;
    out[j * n + i] = -v;
  }
  return q;
}

/** Body-frame gradient −(X − Xᵀ) of ‖M − B‖², packed upper triangle, into `out`. */
function gradientOf(x: Float64Array, n: number, out: Float64Array): Float64Array {
  for (let i = 0, q = 0; i < n; i++) q = gradientRow(x, n, i, q, out);
  return out;
}

/**
 * Row i of {@link gradientOf}. A function of its own: called once per row, it is optimised like
 * any hot function, whereas the nested loop of a function called once per iteration was entered
 * by on-stack replacement of its inner loop, which deoptimised on every exit (197 deoptimisations
 * in six rank-200 pairs).
 */
function gradientRow(x: Float64Array, n: number, i: number, q: number, out: Float64Array): number {
  const o = i * n;
  for (let j = i + 1; j < n; j++, q++) out[q] = x[j * n + i] - x[o + j];
  return q;
}

/** F = ‖M − B‖²_F. */
function lossOf(m: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0, len = m.length; i < len; i++) {
    const d = m[i] - b[i];
    s += d * d;
  }
  return s;
}

/** Start a local run at M0 (already in B's frame). */
function startRun(m0: Float64Array, fr: Frame, c0: Float64Array | undefined): RunState {
  const x = crossTerm(m0, fr);
  return {
    m: m0,
    x,
    g: gradientOf(x, fr.n, new Float64Array(packedLength(fr.n))),
    f: lossOf(m0, fr.b),
    c: c0,
    sList: [],
    yList: [],
    rho: [],
    gamma: 1,
    iterations: 0,
    small: 0,
    done: false,
  };
}

/** Iterations between float64 recomputations of X in "mixed" precision. */
const REFRESH_EVERY = 50;

/**
 * L-BFGS two-loop recursion dir = −H g from the stored pairs (γ I the initial inverse
 * Hessian), each pass fused with the next pass's dot product, on packed upper triangles (the
 * recursion's ratios of inner products do not change when every inner product is halved).
 * Returns the Frobenius ‖g‖ and slope ⟨g, dir⟩ of the full skew-symmetric matrices.
 * (The hot loops live in small functions so that the engine optimises each one.)
 */
function twoLoop(
  g: Float64Array,
  dir: Float64Array,
  sList: Float64Array[],
  yList: Float64Array[],
  rho: number[],
  gammaStored: number,
  pre: Float64Array | undefined,
): { gnorm: number; slope: number } {
  const mem = sList.length;
  const alphas = new Float64Array(mem);
  let sd = copyNormDot(g, dir, mem > 0 ? sList[mem - 1] : g);
  const gnorm = Math.sqrt(2 * lastNorm2);
  if (pre && mem === 0) return { gnorm, slope: 2 * preconditionedDescent(dir, pre) };
  const gamma = mem > 0 ? gammaStored : Math.min(1, 0.5 / gnorm);
  let yd = 0;
  for (let k = mem - 1; k >= 0; k--) {
    const al = rho[k] * sd;
    alphas[k] = al;
    if (k > 0) sd = axpyDot(dir, -al, yList[k], 1, sList[k - 1]);
    else if (pre) yd = axpyScaleDot(dir, -al, yList[0], pre, yList[0]);
    else yd = axpyDot(dir, -al, yList[0], gamma, yList[0]);
  }
  if (mem === 0) return { gnorm, slope: 2 * axpyDot(dir, 0, g, -gamma, g) };
  let slope = 0;
  for (let k = 0; k < mem; k++) {
    const coef = alphas[k] - rho[k] * yd;
    if (k + 1 < mem) yd = axpyDot(dir, coef, sList[k], 1, yList[k + 1]);
    else slope = 2 * axpyDot(dir, coef, sList[k], -1, g);
  }
  return { gnorm, slope };
}

let lastNorm2 = 0;

/** dir ← g; returns vᵀg and leaves ‖g‖² in `lastNorm2`. */
function copyNormDot(g: Float64Array, dir: Float64Array, v: Float64Array): number {
  let gg = 0, d = 0;
  for (let i = 0, len = g.length; i < len; i++) {
    const x = g[i];
    dir[i] = x;
    gg += x * x;
    d += v[i] * x;
  }
  lastNorm2 = gg;
  return d;
}

/** dir ← scale·(dir + α·x); returns wᵀdir (new dir). */
function axpyDot(
  dir: Float64Array,
  alpha: number,
  x: Float64Array,
  scale: number,
  w: Float64Array,
): number {
  let d = 0;
  for (let i = 0, len = dir.length; i < len; i++) {
    const v = scale * (dir[i] + alpha * x[i]);
    dir[i] = v;
    d += w[i] * v;
  }
  return d;
}

/** dir ← p∘(dir + α·x) (elementwise); returns wᵀdir (new dir). */
function axpyScaleDot(
  dir: Float64Array,
  alpha: number,
  x: Float64Array,
  p: Float64Array,
  w: Float64Array,
): number {
  let d = 0;
  for (let i = 0, len = dir.length; i < len; i++) {
    const v = p[i] * (dir[i] + alpha * x[i]);
    dir[i] = v;
    d += w[i] * v;
  }
  return d;
}

/** dir (holding g) ← −p∘g; returns the slope gᵀdir = −Σ p g². */
function preconditionedDescent(dir: Float64Array, p: Float64Array): number {
  let slope = 0;
  for (let i = 0, len = dir.length; i < len; i++) {
    const gi = dir[i], v = -p[i] * gi;
    dir[i] = v;
    slope += v * gi;
  }
  return slope;
}

/** Scratch of {@link jacobiInverse}: the column and row sums u and w, the diagonals of M and B. */
interface JacobiScratch {
  u: Float64Array;
  w: Float64Array;
  mDiag: Float64Array;
  bDiag: Float64Array;
  /** Sum and count of the positive h_ij above the diagonal (set by `hessianRow`). */
  positive: { sum: number; count: number };
}

/** Scratch of {@link jacobiInverse} for n×n operators. */
function jacobiScratch(n: number): JacobiScratch {
  const vec = () => new Float64Array(n);
  return { u: vec(), w: vec(), mDiag: vec(), bDiag: vec(), positive: { sum: 0, count: 0 } };
}

/** Floor of the Hessian diagonal, as a fraction of the mean of its positive entries. */
const JACOBI_FLOOR = 0.1;

/**
 * Jacobi preconditioner of F = ‖M − B‖² on O(n): out_ij = 2 / max(h_ij, floor), where h_ij
 * is the second derivative of F along the coordinate rotation M ↦ e^{−tK} M e^{tK},
 * K = E_ij − E_ji, at t = 0:
 * h_ij = 2(u_i + u_j + w_i + w_j) + 4(M_ji B_ij + M_ij B_ji − M_jj B_ii − M_ii B_jj),
 * u_i = Σ_k M_ki B_ki, w_i = Σ_k M_ik B_ik (and the factor 2 turns the Newton step in t into
 * one on the entries of the skew direction, whose Frobenius inner product counts each
 * coordinate twice). Near a saddle or far from the optimum h_ij can be ≤ 0; it is floored at
 * {@link JACOBI_FLOOR} × the mean positive h, so the direction stays a descent direction.
 * O(n²). `m` and `b` are n×n row-major (M in B's frame, B̃), `bt` = B̃ᵀ (computed when omitted;
 * passed by the iteration, which keeps it, so that every read of a row of h is contiguous but
 * M_ji); `out` holds the entries i < j, packed as the gradient (`packedLength(n)`: a skew
 * direction has no diagonal and the preconditioner is symmetric). Returns `out`.
 */
export function jacobiInverse(
  m: Float64Array,
  b: Float64Array,
  n: number,
  out: Float64Array,
  scratch: JacobiScratch = jacobiScratch(n),
  bt: Float64Array = transpose(b, n, n),
): Float64Array {
  const { u, w, mDiag, bDiag, positive } = scratch;
  u.fill(0);
  for (let k = 0; k < n; k++) w[k] = rowProductSum(m, b, k, n, u);
  for (let k = 0; k < n; k++) {
    mDiag[k] = m[k * n + k];
    bDiag[k] = b[k * n + k];
  }
  positive.sum = 0;
  positive.count = 0;
  for (let i = 0, q = 0; i < n; i++) q = hessianRow(m, b, bt, n, i, q, scratch, out);
  const floor = JACOBI_FLOOR * (positive.count > 0 ? positive.sum / positive.count : 1);
  invertFloored(out, floor);
  return out;
}

/** u_i += M_ki B_ki for every i; returns w_k = Σ_i M_ki B_ki. */
function rowProductSum(
  m: Float64Array,
  b: Float64Array,
  k: number,
  n: number,
  u: Float64Array,
): number {
  const o = k * n;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const p = m[o + i] * b[o + i];
    u[i] += p;
    s += p;
  }
  return s;
}

/**
 * h_ij for j > i into the packed `out` from position q (returns the next position); the positive
 * ones added to `positive`. B_ji is read as (Bᵀ)_ij and the diagonals from their own vectors,
 * so only M_ji is strided.
 */
function hessianRow(
  m: Float64Array,
  b: Float64Array,
  bt: Float64Array,
  n: number,
  i: number,
  q: number,
  scratch: JacobiScratch,
  out: Float64Array,
): number {
  const { u, w, mDiag, bDiag, positive } = scratch;
  const o = i * n, ci = u[i] + w[i], mii = mDiag[i], bii = bDiag[i];
  let sum = 0, count = 0;
  for (let j = i + 1; j < n; j++, q++) {
    const h = 2 * (ci + u[j] + w[j]) +
      4 * (m[j * n + i] * b[o + j] + m[o + j] * bt[o + j] - mDiag[j] * bii - mii * bDiag[j]);
    out[q] = h;
    if (h > 0) {
      sum += h;
      count++;
    }
  }
  positive.sum += sum;
  positive.count += count;
  return q;
}

/** out ← 2 / max(out, floor), elementwise. */
function invertFloored(out: Float64Array, floor: number): void {
  for (let q = 0, len = out.length; q < len; q++) {
    const h = out[q];
    out[q] = 2 / (h > floor ? h : floor);
  }
}

/** out ← a + b. */
function add(a: Float64Array, b: Float64Array, out: Float64Array): void {
  for (let i = 0, len = out.length; i < len; i++) out[i] = a[i] + b[i];
}

/** trial ← m + (x + y); returns ‖trial − b‖². */
function trialLoss(
  m: Float64Array,
  x: Float64Array,
  y: Float64Array,
  b: Float64Array,
  trial: Float64Array,
): number {
  let f = 0;
  for (let i = 0, len = trial.length; i < len; i++) {
    const v = m[i] + (x[i] + y[i]);
    trial[i] = v;
    const e = v - b[i];
    f += e * e;
  }
  return f;
}

/** d ← a − b. */
function sub(a: Float64Array, b: Float64Array, d: Float64Array): void {
  for (let i = 0, len = d.length; i < len; i++) d[i] = a[i] - b[i];
}

/** x += p − q. */
function addDiff(x: Float64Array, p: Float64Array, q: Float64Array): void {
  for (let i = 0, len = x.length; i < len; i++) x[i] += p[i] - q[i];
}

let lastYy = 0;

/** s ← step·dir, y ← gNew − g; returns sᵀy and leaves yᵀy in `lastYy`. */
function newPair(
  step: number,
  dir: Float64Array,
  gNew: Float64Array,
  g: Float64Array,
  s: Float64Array,
  y: Float64Array,
): number {
  let sy = 0, yy = 0;
  for (let i = 0, len = s.length; i < len; i++) {
    const si = step * dir[i], yi = gNew[i] - g[i];
    s[i] = si;
    y[i] = yi;
    sy += si * yi;
    yy += yi * yi;
  }
  lastYy = yy;
  return sy;
}

/**
 * Advance a run by up to `iters` iterations of Riemannian L-BFGS on F = ‖M − B̃‖²
 * (Cayley retraction, body-frame coordinates, Armijo backtracking). Marks the run done at
 * convergence (gradient norm < gradTol, or 3 successive relative decreases < relTol).
 */
function advance(
  st: RunState,
  fr: Frame,
  iters: number,
  gradTol: number,
  relTol: number,
  memory: number,
): void {
  const ws = workspace(fr.n, fr.jacobi);
  for (let q = 0; q < iters && !st.done; q++) iterate(st, fr, ws, gradTol, relTol, memory);
}

/** Scratch buffers of one {@link advance} call (n×n each, but those packed as the gradient). */
interface Workspace {
  /** Search direction, packed. */
  dir: Float64Array;
  /** The search direction as a full skew-symmetric matrix (for the Cayley increment). */
  omega: Float64Array;
  delta: Float64Array;
  deltaT: Float64Array;
  mx: Float64Array;
  mxT: Float64Array;
  dT: Float64Array;
  x1: Float64Array;
  y1: Float64Array;
  trial: Float64Array;
  /** New gradient, packed. */
  gNew: Float64Array;
  /** Inverse Hessian diagonal of the Jacobi preconditioner (packed; recomputed every iteration). */
  pre: Float64Array | undefined;
  jacobi: JacobiScratch;
  scratch: ReturnType<typeof inverseScratch> | undefined;
}

function workspace(n: number, jacobi: boolean): Workspace {
  const nn = n * n, buf = () => new Float64Array(nn);
  const packed = () => new Float64Array(packedLength(n));
  return {
    dir: packed(),
    omega: buf(),
    delta: buf(),
    deltaT: buf(),
    mx: buf(),
    mxT: buf(),
    dT: buf(),
    x1: buf(),
    y1: buf(),
    trial: buf(),
    gNew: packed(),
    pre: jacobi ? packed() : undefined,
    jacobi: jacobiScratch(n),
    scratch: n >= CAYLEY_BLOCKED_MIN ? inverseScratch(n) : undefined,
  };
}

/**
 * One iteration of {@link advance}. A function of its own, called once per iteration: as the
 * body of a loop that runs for a whole start, it was entered by on-stack replacement into V8's
 * mid-tier compiler (Maglev), which does not move on to the optimising compiler from there, and
 * the vector loops inlined into it ran slower the more pairs a process had compared
 * (docs/performance.md, "V8's mid tier").
 */
function iterate(
  st: RunState,
  fr: Frame,
  ws: Workspace,
  gradTol: number,
  relTol: number,
  memory: number,
): void {
  const n = fr.n;
  const b = fr.b, bt = fr.bt, corr = fr.corr;
  const { dir, delta, deltaT, mx, mxT, dT, x1, y1, scratch } = ws;
  const trial = ws.trial, gNew = ws.gNew;
  const { sList, yList, rho } = st;
  const g = st.g;
  const pre = ws.pre;
  if (pre) jacobiInverse(st.m, b, n, pre, ws.jacobi, bt);
  let { gnorm, slope } = twoLoop(g, dir, sList, yList, rho, st.gamma, pre);
  if (gnorm < gradTol) {
    st.done = true;
    return;
  }
  if (!(slope < 0)) {
    sList.length = 0;
    yList.length = 0;
    rho.length = 0;
    ({ slope } = twoLoop(g, dir, sList, yList, rho, st.gamma, pre));
  }
  let step = 1;
  let accepted = false, fNew = st.f;
  const m = st.m;
  const omega = unpackSkew(dir, n, ws.omega);
  for (let ls = 0; ls < 30; ls++) {
    cayleyIncrement(omega, n, delta, step, scratch, corr); // Δ = cay(step·dir) − I
    transpose(delta, n, n, deltaT);
    corr(m, deltaT, n, n, n, x1); // M Δ
    add(m, x1, mx);
    transpose(mx, n, n, mxT);
    corr(deltaT, mxT, n, n, n, y1); // Δᵀ (M + M Δ)
    // M' = Rᵀ M R = M + D, D = M Δ + Δᵀ (M + M Δ); F(M') = ‖M' − B‖²
    const ft = trialLoss(m, x1, y1, b, trial);
    if (ft <= st.f + 1e-4 * step * slope) {
      fNew = ft;
      accepted = true;
      break;
    }
    step *= ls === 0 ? 0.25 : 0.5;
  }
  if (!accepted) {
    st.done = true;
    return;
  }
  // X' = X + Dᵀ B − B Dᵀ with D = M' − M (or X recomputed in float64)
  const x = st.x;
  if (corr !== mmNT && (st.iterations + 1) % REFRESH_EVERY === 0) crossTerm(trial, fr, x);
  else {
    sub(trial, m, y1);
    transpose(y1, n, n, dT);
    corr(dT, bt, n, n, n, x1); // Dᵀ B
    corr(b, y1, n, n, n, mx); // B Dᵀ
    addDiff(x, x1, mx);
  }
  gradientOf(x, n, gNew);
  // reuse the oldest (s, y) pair's storage once the memory is full
  let s: Float64Array, y: Float64Array;
  if (sList.length >= memory) {
    s = sList.shift()!;
    y = yList.shift()!;
    rho.shift();
  } else {
    s = new Float64Array(packedLength(n));
    y = new Float64Array(packedLength(n));
  }
  const sy = newPair(step, dir, gNew, g, s, y), yy = lastYy;
  if (sy > 1e-300) {
    sList.push(s);
    yList.push(y);
    rho.push(1 / sy);
    st.gamma = sy / yy;
  }
  if (st.c) {
    const cd = mmNT(st.c, deltaT, n, n, n); // C' Δ
    add(st.c, cd, st.c);
  }
  // swap buffers: the trial M and new gradient become current
  st.m = trial;
  st.g = gNew;
  ws.trial = m;
  ws.gNew = g;
  const df = st.f - fNew;
  st.f = fNew;
  st.iterations++;
  if (fNew <= fr.targetLoss) st.done = true;
  if (df <= relTol * Math.max(fNew, 1e-300) || df < 1e-17) {
    if (++st.small >= 3) st.done = true;
  } else st.small = 0;
}

/** Eigenvectors (rows) of A Aᵀ + Aᵀ A of a prepared operator and their determinant (cached). */
function gramFrame(p: PreparedOperator): { vectors: Float64Array; det: number } {
  if (p.cache.gram) return p.cache.gram;
  const { n, a, at } = p;
  const x = mmNT(a, a, n, n, n); // A Aᵀ
  const g2 = mmNT(at, at, n, n, n); // Aᵀ A
  for (let i = 0, len = x.length; i < len; i++) x[i] += g2[i];
  const vectors = symEigTop(x, n, n).vectors;
  return (p.cache.gram = { vectors, det: orthogonalDetSign(vectors, n) });
}

/** A start: its name and a builder of M0 (in B's frame) and C' = E_A C E_Bᵀ. */
interface Start {
  name: string;
  make: () => { m0: Float64Array; c: Float64Array; det: number };
}

/**
 * Starts in priority order (see the module doc). The eig-sym pair is a ±1 diagonal in the
 * frames (M0 = D Ã D, O(n²)); the others are built in raw coordinates and moved into the
 * frames with two products (C' = E_A C E_Bᵀ, M0 = C'ᵀ Ã C').
 */
function buildStarts(
  pa: PreparedOperator,
  pb: PreparedOperator,
  restarts: number,
  seed: number,
  all: boolean,
): Start[] {
  const n = pa.n;
  const starts: Start[] = [];
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
  const detSign = (d: Int8Array) => d.reduce((p, v) => p * v, 1);
  // the frames' determinants: C = E_Aᵀ C' E_B, det C = det E_A · det C' · det E_B
  const framesDet = () => pa.symVectorsDet * pb.symVectorsDet;
  // eig-sym: in the frames, the start C' = D
  let sg: { d: Int8Array; flip: number } | undefined;
  const symSigns = () => (sg ??= bestSigns(pa.rotated, pb.rotated, n));
  const fromDiag = (d: Int8Array) => {
    const m0 = new Float64Array(n * n);
    const r = pa.rotated;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) m0[i * n + j] = d[i] * d[j] * r[i * n + j];
    }
    return { m0, c: diag(d), det: detSign(d) * framesDet() };
  };
  starts.push({ name: "eig-sym", make: () => fromDiag(symSigns().d) });
  starts.push({
    name: "eig-sym-flip",
    make: () => fromDiag(flipped(symSigns().d, symSigns().flip)),
  });
  // the others: raw C → C' = E_A C E_Bᵀ
  const fromRaw = (c: Float64Array, det: number) => {
    const cp = mmNT(mmNT(pa.symVectors, transpose(c, n, n), n, n, n), pb.symVectors, n, n, n);
    const cpt = transpose(cp, n, n);
    const m0 = mmNT(mmNT(cpt, transpose(pa.rotated, n, n), n, n, n), cpt, n, n, n);
    return { m0, c: cp, det };
  };
  if (all) {
    let gm:
      | { ea: Float64Array; eb: Float64Array; d: Int8Array; flip: number; det: number }
      | undefined;
    const gram = () => {
      if (gm) return gm;
      const fa = gramFrame(pa), fb = gramFrame(pb);
      const at = mmNT(mmNT(fa.vectors, pa.at, n, n, n), fa.vectors, n, n, n);
      const bt = mmNT(mmNT(fb.vectors, pb.at, n, n, n), fb.vectors, n, n, n);
      return (gm = {
        ea: fa.vectors,
        eb: fb.vectors,
        det: fa.det * fb.det,
        ...bestSigns(at, bt, n),
      });
    };
    const gramStart = (d: Int8Array) =>
      fromRaw(alignFromEig(gram().ea, gram().eb, d, n), gram().det * detSign(d));
    starts.push({ name: "eig-gram", make: () => gramStart(gram().d) });
    starts.push({ name: "eig-gram-flip", make: () => gramStart(flipped(gram().d, gram().flip)) });
    let rs: { d: Int8Array; flip: number } | undefined;
    const rawSigns = () => (rs ??= bestSigns(pa.a, pb.a, n));
    const diagStart = (d: Int8Array) => fromRaw(diag(d), detSign(d));
    starts.push({ name: "signs", make: () => diagStart(rawSigns().d) });
    starts.push({
      name: "signs-flip",
      make: () => diagStart(flipped(rawSigns().d, rawSigns().flip)),
    });
    const id = new Int8Array(n).fill(1);
    starts.push({ name: "identity", make: () => diagStart(id) });
    starts.push({ name: "reflection", make: () => diagStart(flipped(id, 0)) });
  }
  for (let k = 0; k < restarts; k++) {
    const det = k % 2 === 0 ? 1 : -1;
    starts.push({
      name: `haar${k}`,
      make: () => fromRaw(haar(n, (seed * 7919 + k * 104729 + 1) >>> 0, det), det),
    });
  }
  return starts;
}

/** From this size on the iteration's corrections run on float32 operands by default. */
export const MIXED_PRECISION_MIN = 128;

/** Smart starts of each start set (module doc): before `restarts` Haar starts are added. */
export const SMART_STARTS = { "eig-sym": 2, all: 8 } as const;

/** The iteration schedule of `procrustesDistance`: iterations per start, screening, runs kept. */
export interface ProcrustesSchedule {
  maxIter: number;
  screenIter: number;
  keep: number;
}

/**
 * The defaults of `procrustesDistance` at rank n: exhaustive at small n (cheap), screened at
 * large n (see {@link ProcrustesOptions} for each).
 */
export function procrustesDefaults(
  n: number,
): ProcrustesSchedule & { restarts: number; starts: "all" | "eig-sym" } {
  const small = n <= 32, medium = n <= 64;
  return {
    restarts: small ? 8 : medium ? 4 : 0,
    maxIter: small ? 1000 : medium ? 500 : 300,
    screenIter: small ? 0 : medium ? 60 : 30,
    keep: small ? 1 : medium ? 3 : 2,
    starts: medium ? "all" : "eig-sym",
  };
}

/** Whether `starts` runs are screened: each runs `screenIter` iterations, the best `keep` go on. */
function screens(starts: number, s: ProcrustesSchedule): boolean {
  return s.screenIter > 0 && s.screenIter < s.maxIter && starts > s.keep;
}

/**
 * The most L-BFGS iterations `procrustesDistance` runs on one pair of `starts` runs with
 * schedule `s` (runs that converge stop sooner).
 */
export function maxProcrustesIterations(starts: number, s: ProcrustesSchedule): number {
  return screens(starts, s)
    ? starts * s.screenIter + s.keep * (s.maxIter - s.screenIter)
    : starts * s.maxIter;
}

/**
 * Procrustes distance between two square operators of equal size n (row-major
 * Float64Array n×n, number[][], or a `PreparedOperator` from `prepareOperator`, computed once
 * per system and reusable across all its pairs): min over C ∈ O(n) of the score of
 * (A/‖A‖, C B Cᵀ/‖B‖), with the best run's gradient norm and a spectral lower bound.
 *
 * @example Orthogonally similar operators are at distance 0
 * ```ts
 * import { procrustesDistance } from "@degeneracy/degeneracy";
 * // B = C A Cᵀ for a reflection C: the two operators are the same up to an orthogonal map.
 * const a = [[0.9, -0.3], [0.2, 0.8]];
 * const b = [[0.8, 0.2], [-0.3, 0.9]]; // swap of both coordinates
 * const r = procrustesDistance(a, b, { score: "angular" });
 * if (!(r.distance < 1e-6)) throw new Error(`angular ${r.distance}`);
 * ```
 */
export function procrustesDistance(
  aIn: Float64Array | number[][] | PreparedOperator,
  bIn: Float64Array | number[][] | PreparedOperator,
  options: ProcrustesOptions = {},
): ProcrustesResult {
  if (options.legacy) {
    // the old path on the raw operators (no per-system preparation charged to it)
    const raw = (x: typeof aIn) => isPrepared(x) ? x.a : x;
    const r = procrustesDistanceLegacy(raw(aIn), raw(bIn), options);
    const lowerBound = isPrepared(aIn) && isPrepared(bIn)
      ? spectralLowerBound(aIn, bIn)
      : { euclidean: NaN, angular: NaN };
    return { ...r, gradNorm: NaN, lowerBound, normDrift: NaN, totalIterations: NaN };
  }
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
  const defaults = procrustesDefaults(n);
  const restarts = options.restarts ?? defaults.restarts;
  checkInt(restarts, "restarts", 0, 1e6);
  const maxIter = options.maxIter ?? defaults.maxIter;
  checkInt(maxIter, "maxIter", 1, 1e9);
  const seed = options.seed ?? 0;
  checkInt(seed, "seed", 0, 2 ** 32 - 1);
  const gradTol = options.gradTol ?? 1e-9;
  if (!(gradTol >= 0)) throw new Error(`procrustes: gradTol must be ≥ 0, got ${gradTol}`);
  if (options.maxRuns !== undefined) checkInt(options.maxRuns, "maxRuns", 1, 1e9);
  const relTol = options.relTol ?? 1e-10;
  if (!(relTol >= 0)) throw new Error(`procrustes: relTol must be ≥ 0, got ${relTol}`);
  const screenIter = options.screenIter ?? defaults.screenIter;
  checkInt(screenIter, "screenIter", 0, 1e9);
  const keep = options.keep ?? defaults.keep;
  checkInt(keep, "keep", 1, 1e9);
  const memory = options.memory ?? 12;
  checkInt(memory, "memory", 1, 1000);
  const precision = options.precision ?? (n >= MIXED_PRECISION_MIN ? "mixed" : "float64");
  if (precision !== "mixed" && precision !== "float64") {
    throw new Error(`procrustes: precision must be "mixed" or "float64", got ${String(precision)}`);
  }
  const precondition = options.precondition ?? "jacobi";
  if (precondition !== "jacobi" && precondition !== "none") {
    throw new Error(
      `procrustes: precondition must be "jacobi" or "none", got ${String(precondition)}`,
    );
  }
  const targetAngular = options.targetAngular;
  if (targetAngular !== undefined && !(targetAngular >= 0 && targetAngular <= Math.PI)) {
    throw new Error(`procrustes: targetAngular must be in [0, π] radians, got ${targetAngular}`);
  }
  // angular = 2 asin(e/2) ⇔ e² = (2 sin(angular/2))²
  const targetLoss = targetAngular === undefined
    ? -Infinity
    : (2 * Math.sin(targetAngular / 2)) ** 2;
  const lowerBound = spectralLowerBound(pa, pb);
  const trackC = options.returnC === true;
  const startSet = options.starts ?? defaults.starts;
  if (startSet !== "all" && startSet !== "eig-sym") {
    throw new Error(`procrustes: starts must be "all" or "eig-sym", got ${String(startSet)}`);
  }
  let starts = buildStarts(pa, pb, restarts, seed, startSet === "all");
  if (options.maxRuns !== undefined) starts = starts.slice(0, options.maxRuns);
  const fr: Frame = {
    n,
    b: pb.rotated,
    bt: transpose(pb.rotated, n, n),
    corr: precision === "mixed" ? mmNT32 : mmNT,
    jacobi: precondition === "jacobi",
    targetLoss,
  };
  const states = starts.map((st) => {
    const { m0, c, det } = st.make();
    return { name: st.name, det, state: startRun(m0, fr, trackC ? c : undefined) };
  });
  // screening: every start runs screenIter iterations; the best `keep` continue
  let active = states;
  if (screens(states.length, { maxIter, screenIter, keep })) {
    for (const s of states) advance(s.state, fr, screenIter, gradTol, relTol, memory);
    active = [...states].sort((x, y) => x.state.f - y.state.f).slice(0, keep);
  }
  for (const s of active) {
    advance(s.state, fr, maxIter - s.state.iterations, gradTol, relTol, memory);
  }
  const runs: ProcrustesRun[] = [];
  let bestLoss = Infinity, best = states[0];
  for (const s of states) {
    const loss = lossOf(s.state.m, fr.b);
    const euclidean = Math.sqrt(Math.max(loss, 0));
    runs.push({
      start: s.name,
      det: s.det,
      euclidean,
      angular: 2 * Math.asin(Math.min(1, euclidean / 2)),
      iterations: s.state.iterations,
      completed: active.includes(s),
    });
    if (loss < bestLoss) {
      bestLoss = loss;
      best = s;
    }
  }
  const values = runs.filter((r) => r.completed).map((r) =>
    score === "angular" ? r.angular : r.euclidean
  );
  const bestValue = Math.min(...values);
  const euclidean = Math.sqrt(Math.max(bestLoss, 0));
  const angular = 2 * Math.asin(Math.min(1, euclidean / 2));
  const g = best.state.g;
  const out: ProcrustesResult = {
    distance: score === "angular" ? angular : euclidean,
    angular,
    euclidean,
    restartsSpread: Math.max(...values) - bestValue,
    runsAtBest: values.filter((v) => v - bestValue <= 1e-6).length,
    bestStart: best.name,
    runs,
    gradNorm: Math.sqrt(2 * dot(g, g)), // g is packed: half the Frobenius inner product
    lowerBound,
    normDrift: Math.abs(dot(best.state.m, best.state.m) - 1),
    totalIterations: runs.reduce((t, r) => t + r.iterations, 0),
  };
  if (trackC && best.state.c) {
    // C = E_Aᵀ C' E_B
    const ea = pa.symVectors, eb = pb.symVectors;
    out.C = mmNT(
      mmNT(transpose(ea, n, n), transpose(best.state.c, n, n), n, n, n),
      transpose(eb, n, n),
      n,
      n,
      n,
    );
  }
  return out;
}

function checkInt(v: number, name: string, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new Error(`procrustes: ${name} must be an integer in [${lo}, ${hi}], got ${v}`);
  }
}

function isPrepared(x: Float64Array | number[][] | PreparedOperator): x is PreparedOperator {
  return !(x instanceof Float64Array) && !Array.isArray(x);
}

function asPrepared(
  x: Float64Array | number[][] | PreparedOperator,
  name: string,
): PreparedOperator {
  if (x instanceof Float64Array) {
    const n = Math.round(Math.sqrt(x.length));
    if (n * n !== x.length) {
      throw new Error(`procrustes: ${name} has ${x.length} entries, not a square matrix`);
    }
    return prepareOperator(x, n);
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
    return prepareOperator(flat, n);
  }
  return x;
}
