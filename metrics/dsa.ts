/**
 * Dynamical Similarity Analysis (DSA; Ostrow et al. 2023, paper §3 / Appendix C), following
 * the reference package github.com/mitchellostrow/DSA @ 8cbddcf as described in
 * `shared/reference/dsa/ALGORITHM.md`, in float64 throughout.
 *
 * Pipeline per system (`fitDmd`, fitted once and reused across all its pairs):
 *  1. Hankel delay embedding with d = `delays`, τ = `delayInterval`, T' = T − (d−1)τ:
 *     row t of trial k is h_t = [x_{t+(d−1)τ}, x_{t+(d−2)τ}, …, x_t] (newest block first),
 *     m = n·d columns; trials stacked row-wise (N = K·T' rows). No centring or scaling.
 *  2. Thin SVD H = V S Uᵀ, computed from the m×m Gram matrix G = HᵀH = U S² Uᵀ (formed in
 *     O(d·K·T·n²) from lagged cross-products, exploiting the block-Hankel structure) and a
 *     symmetric eigensolver; V = H U S⁻¹ are the whitened PC time courses.
 *  3. Rank r from `rank` | `rankThreshold` (#S > thr, ≥ 1) | `rankExplainedVariance` q
 *     (first i with cumsum(S²)/ΣS² ≥ q, r = i+1) | full (m).
 *  4. Principal-component regression in V coordinates, transitions within trials only:
 *     A_v = [(V_mᵀV_m + λI)⁻¹ V_mᵀV_p]ᵀ (r×r, v_{t+1} ≈ A_v v_t), λ = `ridge` (default
 *     1e-8, the reference `DSA()` default). V_mᵀV_m and V_mᵀV_p are formed as
 *     S⁻¹Uᵀ(H_mᵀH_m)US⁻¹ etc. without materialising V.
 *     With `reducedRankRegression`: B = (V_mᵀV_m+λI)⁻¹V_mᵀV_p over all m columns,
 *     P = V_pᵀV_m B, eigh(P) = (σ desc, E), rank from σ, A_v = B E_r E_rᵀ (m×m).
 * Comparison (`dsaDistance`): Procrustes over O(n) between the A_v (angular, default, or
 * euclidean; see `dsa_procrustes.ts`), or `wasserstein`: the exact optimal-transport cost
 * W₂² (no square root) between the eigenvalue sets of the raw A_v in the complex plane,
 * uniform weights.
 *
 * Numerical note: the Gram route squares the condition number, so singular values below
 * ~1e-8·S_max lose relative accuracy; the retained ones (rank r) are what A_v uses.
 *
 * @module
 */

import { choleskySolve, eigenvaluesReal, mmNT, symEigTop, transpose } from "./dsa_linalg.ts";
import { checkLagWindow, type LagSums, wasmLagSums } from "./linalg_wasm.ts";
import { solveAssignment } from "./lsa.ts";
import {
  type PreparedOperator,
  prepareOperator,
  procrustesDistance,
  type ProcrustesOptions,
  type ProcrustesResult,
} from "./dsa_procrustes.ts";

export {
  determinantSign,
  type PreparedOperator,
  prepareOperator,
  procrustesDistance,
  type ProcrustesOptions,
  type ProcrustesResult,
  type ProcrustesRun,
} from "./dsa_procrustes.ts";

/** Trajectories in flat form: `data[(k·steps + t)·units + u]`, trials × steps × units. */
export interface FlatTrajectories {
  data: Float64Array | Float32Array | number[];
  trials: number;
  steps: number;
  units: number;
}

/** A system's trajectories: nested trials × steps × units, or the flat form. */
export type Trajectories = number[][][] | FlatTrajectories;

/** Options of the DMD fit (names follow the DESIGN contract). */
export interface DmdOptions {
  /** Number of delays d (reference `n_delays`, default 1 = no embedding). Integer ≥ 1. */
  delays?: number;
  /** Delay interval τ in steps (reference `delay_interval`, default 1). Integer ≥ 1. */
  delayInterval?: number;
  /** Fixed rank r, 1 ≤ r ≤ m = units·delays. At most one of the three rank options. */
  rank?: number;
  /** Keep singular values > threshold (absolute, at least one). */
  rankThreshold?: number;
  /** Keep the fewest PCs reaching this cumulative explained variance, in (0, 1]. */
  rankExplainedVariance?: number;
  /** Ridge λ ≥ 0 of the regression (default 1e-8, as reference `DSA()`). */
  ridge?: number;
  /** Reduced-rank regression instead of principal-component regression (default false). */
  reducedRankRegression?: boolean;
}

/** Options of `dsaDistance` / `dsaDistanceMatrix`. */
export interface DsaOptions extends DmdOptions {
  /** Comparison score (default "angular"). */
  score?: "angular" | "euclidean" | "wasserstein";
  /** Haar-random Procrustes starts added to the 8 smart starts (default 8 / 4 / 2 for n ≤ 32 / ≤ 64 / larger). */
  restarts?: number;
  /** Seed of the random starts (default 0). */
  seed?: number;
  /**
   * Extra Procrustes controls (maxIter, screenIter, keep, maxRuns, relTol, gradTol, memory,
   * returnC); see `ProcrustesOptions`. The defaults favour the optimum; for large ranks a
   * budget such as `{ maxRuns: 2, maxIter: 60 }` trades it for time (scripts/bench_dsa.ts).
   */
  procrustes?: Omit<ProcrustesOptions, "score" | "restarts" | "seed">;
}

/** A fitted DMD of one system (see module doc). */
export interface DmdFit {
  /** Operator A_v, row-major `size`×`size` (size = rank for PCR, m for RRR). */
  operator: Float64Array;
  /** Side of `operator`. */
  size: number;
  /** Selected rank r. */
  rank: number;
  /** All Hankel singular values, descending (length m). */
  singularValues: Float64Array;
  /** [trials, T', m]. */
  hankelShape: [number, number, number];
  /** With reduced-rank regression: the descending eigenvalues σ of the projector P. */
  projectorEigenvalues?: Float64Array;
  /** The options used (with defaults filled in). */
  options:
    & Required<Pick<DmdOptions, "delays" | "delayInterval" | "ridge" | "reducedRankRegression">>
    & {
      rank?: number;
      rankThreshold?: number;
      rankExplainedVariance?: number;
    };
}

/** Validate and flatten trajectories into float64, throwing on ragged/NaN input. */
export function toFlatTrajectories(x: Trajectories, name = "trajectories"): {
  data: Float64Array;
  trials: number;
  steps: number;
  units: number;
} {
  if (Array.isArray(x)) {
    const trials = x.length;
    if (trials < 1) throw new Error(`${name}: must have at least 1 trial, got 0`);
    if (!Array.isArray(x[0]) || x[0].length < 1) {
      throw new Error(`${name}[0]: must be a non-empty array of time steps`);
    }
    const steps = x[0].length;
    if (!Array.isArray(x[0][0]) || x[0][0].length < 1) {
      throw new Error(`${name}[0][0]: must be a non-empty array of unit values`);
    }
    const units = x[0][0].length;
    const data = new Float64Array(trials * steps * units);
    for (let k = 0; k < trials; k++) {
      const tr = x[k];
      if (!Array.isArray(tr) || tr.length !== steps) {
        throw new Error(
          `${name}[${k}]: ragged trials — expected ${steps} steps, got ${
            Array.isArray(tr) ? tr.length : typeof tr
          }`,
        );
      }
      for (let t = 0; t < steps; t++) {
        const row = tr[t];
        if (!Array.isArray(row) || row.length !== units) {
          throw new Error(
            `${name}[${k}][${t}]: ragged steps — expected ${units} units, got ${
              Array.isArray(row) ? row.length : typeof row
            }`,
          );
        }
        const o = (k * steps + t) * units;
        for (let u = 0; u < units; u++) {
          const v = row[u];
          if (typeof v !== "number" || !Number.isFinite(v)) {
            throw new Error(`${name}[${k}][${t}][${u}]: must be a finite number, got ${v}`);
          }
          data[o + u] = v;
        }
      }
    }
    return { data, trials, steps, units };
  }
  if (x === null || typeof x !== "object") {
    throw new Error(
      `${name}: must be trials × steps × units arrays or {data, trials, steps, units}`,
    );
  }
  const { trials, steps, units } = x;
  for (const [k, v] of [["trials", trials], ["steps", steps], ["units", units]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`${name}.${k}: must be an integer ≥ 1, got ${v}`);
    }
  }
  if (!x.data || x.data.length !== trials * steps * units) {
    throw new Error(
      `${name}.data: length must be trials·steps·units = ${
        trials * steps * units
      }, got ${x.data?.length}`,
    );
  }
  const data = Float64Array.from(x.data as ArrayLike<number>);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new Error(`${name}.data[${i}]: must be a finite number, got ${data[i]}`);
    }
  }
  return { data, trials, steps, units };
}

function checkIntOpt(v: unknown, name: string, lo: number, hi: number): void {
  if (!Number.isInteger(v) || (v as number) < lo || (v as number) > hi) {
    throw new Error(`DSA option ${name}: must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  }
}

/**
 * Σ_k Σ_{t<L} x_k[t+a] x_k[t+b]ᵀ for all block pairs (i, j) with row offsets ra[i] and
 * column offsets cb[j], window length L (same for all), written into the m×m matrix out
 * (block (i,j) at rows i·n.., cols j·n..). Offsets must satisfy ra[i+1] = ra[i] − τ and
 * cb[j+1] = cb[j] − τ; blocks along each diagonal are obtained from their predecessor by
 * adding τ new and removing τ old outer products per trial. `symmetric` fills only j ≥ i
 * and mirrors.
 */
function blockLagGram(
  x: Float64Array,
  K: number,
  T: number,
  n: number,
  d: number,
  ra: number[],
  cb: number[],
  L: number,
  tau: number,
  symmetric: boolean,
): Float64Array {
  const m = n * d;
  const out = new Float64Array(m * m);
  const lag = lagSums(x, K, T, n);
  const walk = (i0: number, j0: number) => {
    lag.reset();
    lag.add(ra[i0], cb[j0], 0, L, 1);
    lag.store(out, m, i0 * n, j0 * n);
    for (let i = i0 + 1, j = j0 + 1; i < d && j < d; i++, j++) {
      const a = ra[i - 1], b = cb[j - 1];
      // window shifts by −τ: add t ∈ [−τ, 0), remove t ∈ [L−τ, L)
      lag.add(a, b, -tau, 0, 1);
      lag.add(a, b, L - tau, L, -1);
      lag.store(out, m, i * n, j * n);
    }
  };
  for (let j = 0; j < d; j++) walk(0, j);
  if (!symmetric) { for (let i = 1; i < d; i++) walk(i, 0); }
  else {
    for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) out[i * m + j] = out[j * m + i];
  }
  return out;
}

/** Lagged cross-product sums of x: on the WASM kernel where available, else `tsLagSums`. */
function lagSums(x: Float64Array, K: number, T: number, n: number): LagSums {
  return wasmLagSums(x, K, T, n) ?? tsLagSums(x, K, T, n);
}

/**
 * Plain-TypeScript `LagSums` of x (K trials × T steps × n units): windows of 16 or more steps
 * as one `mmNT` product of cached unit-major copies Z (n × K·len, trial-major columns), shorter
 * ones (the τ-step updates of the diagonal walks) as outer products.
 */
function tsLagSums(x: Float64Array, K: number, T: number, n: number): LagSums {
  const acc = new Float64Array(n * n);
  const zCache = new Map<string, Float64Array>();
  const zOf = (o: number, len: number) => {
    const key = `${o}:${len}`;
    let z = zCache.get(key);
    if (z) return z;
    z = new Float64Array(n * K * len);
    const KL = K * len;
    for (let k = 0; k < K; k++) {
      for (let t = 0; t < len; t++) {
        const src = (k * T + t + o) * n;
        const col = k * len + t;
        for (let u = 0; u < n; u++) z[u * KL + col] = x[src + u];
      }
    }
    zCache.set(key, z);
    return z;
  };
  return {
    reset: () => acc.fill(0),
    add: (a, b, t0, t1, sign) => {
      checkLagWindow(a, b, t0, t1, T);
      if (t1 <= t0) return;
      if (t1 - t0 >= 16) {
        const p = mmNT(zOf(a + t0, t1 - t0), zOf(b + t0, t1 - t0), n, K * (t1 - t0), n);
        for (let i = 0; i < n * n; i++) acc[i] += sign * p[i];
        return;
      }
      for (let k = 0; k < K; k++) {
        const base = k * T * n;
        for (let t = t0; t < t1; t++) {
          const pa = base + (t + a) * n, pb = base + (t + b) * n;
          for (let u = 0; u < n; u++) {
            const xu = sign * x[pa + u];
            if (xu === 0) continue;
            const row = u * n;
            for (let v = 0; v < n; v++) acc[row + v] += xu * x[pb + v];
          }
        }
      }
    },
    store: (out, cols, row0, col0) => {
      for (let u = 0; u < n; u++) {
        out.set(acc.subarray(u * n, (u + 1) * n), (row0 + u) * cols + col0);
      }
    },
  };
}

/**
 * Pieces of H_mᵀH_p = Σ_k Σ_{t<T'−1} h_t h_{t+1}ᵀ when τ = 1 (block j+1 of h_{t+1} equals
 * block j of h_t, so column blocks j ≥ 1 are G's blocks j−1 minus the last rows' outer
 * products): returns its first column block (m × n; G's row 0 shifted by one step, and a
 * new lag-d product for block d−1) and the last Hankel row of every trial (K × m).
 */
function shiftedGramParts(
  G: Float64Array,
  x: Float64Array,
  K: number,
  T: number,
  n: number,
  d: number,
  Tp: number,
): { firstCol: Float64Array; hl: Float64Array } {
  const m = n * d;
  const firstCol = new Float64Array(m * n);
  // last Hankel row of each trial: block i = x[T'−1 + (d−1−i)]
  const hl = new Float64Array(K * m);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < d; i++) {
      const src = (k * T + Tp - 1 + d - 1 - i) * n;
      for (let u = 0; u < n; u++) hl[k * m + i * n + u] = x[src + u];
    }
  }
  // row blocks i ≤ d−2: (G(0, i+1) − Σ_k x_k[d−1] x_k[d−2−i]ᵀ)ᵀ
  for (let i = 0; i + 1 < d; i++) {
    for (let u = 0; u < n; u++) {
      for (let v = 0; v < n; v++) {
        let s = G[v * m + (i + 1) * n + u];
        for (let k = 0; k < K; k++) {
          s -= x[(k * T + d - 1) * n + v] * x[(k * T + d - 2 - i) * n + u];
        }
        firstCol[(i * n + u) * n + v] = s;
      }
    }
  }
  // block (d−1, 0): Σ_k Σ_{t<T'−1} x[t] x[t+d]ᵀ
  const L = Tp - 1;
  const lag = lagSums(x, K, T, n);
  lag.reset();
  lag.add(0, d, 0, L, 1);
  lag.store(firstCol, n, (d - 1) * n, 0);
  return { firstCol, hl };
}

/** Relative size (to the largest) below which a Hankel singular value counts as zero. */
export const HANKEL_RANK_RTOL = 1e-7;

/** Validated delay-embedding geometry of one system (ALGORITHM.md §1). */
function hankelSetup(trajectories: Trajectories, options: DmdOptions) {
  const { data: x, trials: K, steps: T, units: n } = toFlatTrajectories(trajectories);
  const d = options.delays ?? 1;
  const tau = options.delayInterval ?? 1;
  checkIntOpt(d, "delays", 1, 1e6);
  checkIntOpt(tau, "delayInterval", 1, 1e6);
  const Tp = T - (d - 1) * tau;
  if (Tp < 2) {
    throw new Error(
      `DSA option delays: (delays−1)·delayInterval must be ≤ steps − 2 = ${T - 2} ` +
        `(steps ${T}, delays ${d}, delayInterval ${tau}); reduce delays or delayInterval`,
    );
  }
  const m = n * d;
  const N = K * Tp;
  if (N < m) {
    throw new Error(
      `DSA option delays: the Hankel matrix has ${N} rows (trials·(steps−(delays−1)·delayInterval)) ` +
        `but m = units·delays = ${m} columns; need rows ≥ columns — reduce the number of delays`,
    );
  }
  return { x, K, T, n, d, tau, Tp, m };
}

/**
 * Numerical rank of a system's delay-embedded (Hankel) matrix: the number of its singular
 * values above `HANKEL_RANK_RTOL` times the largest, the most PCs `fitDmd` accepts as `rank`.
 * Systems whose trials repeat exactly (e.g. a sine task with one frequency) have a rank far
 * below units × delays.
 */
export function hankelNumericalRank(
  trajectories: Trajectories,
  options: Pick<DmdOptions, "delays" | "delayInterval"> = {},
): number {
  const { x, K, T, n, d, tau, Tp, m } = hankelSetup(trajectories, options);
  const off: number[] = [];
  for (let j = 0; j < d; j++) off.push((d - 1 - j) * tau);
  const G = blockLagGram(x, K, T, n, d, off, off, Tp, tau, true);
  const values = symEigTop(G, m, 0).values; // eigenvalues of HᵀH = squared singular values
  const sMax = Math.sqrt(Math.max(values[0], 0));
  let r = 0;
  while (r < m && Math.sqrt(Math.max(values[r], 0)) > HANKEL_RANK_RTOL * sMax) r++;
  return r;
}

/**
 * Fit the reference DSA's DMD to one system (module doc, ALGORITHM.md §1–4). Input
 * trials × steps × units (nested arrays or flat); returns the operator A_v and the
 * Hankel singular values. Throws (naming the option and its range) on bad input.
 */
export function fitDmd(trajectories: Trajectories, options: DmdOptions = {}): DmdFit {
  const { x, K, T, n, d, tau, Tp, m } = hankelSetup(trajectories, options);
  const given = (["rank", "rankThreshold", "rankExplainedVariance"] as const).filter((k) =>
    options[k] !== undefined && options[k] !== null
  );
  if (given.length > 1) {
    throw new Error(
      `DSA options ${
        given.join(", ")
      }: give at most one of rank, rankThreshold, rankExplainedVariance`,
    );
  }
  if (options.rank !== undefined) checkIntOpt(options.rank, "rank", 1, m);
  if (options.rankThreshold !== undefined) {
    if (
      !(typeof options.rankThreshold === "number" && options.rankThreshold >= 0 &&
        Number.isFinite(options.rankThreshold))
    ) {
      throw new Error(
        `DSA option rankThreshold: must be a finite number ≥ 0, got ${options.rankThreshold}`,
      );
    }
  }
  const q = options.rankExplainedVariance;
  if (q !== undefined && !(typeof q === "number" && q > 0 && q <= 1)) {
    throw new Error(`DSA option rankExplainedVariance: must be in (0, 1], got ${q}`);
  }
  const ridge = options.ridge ?? 1e-8;
  if (!(typeof ridge === "number" && ridge >= 0 && Number.isFinite(ridge))) {
    throw new Error(`DSA option ridge: must be a finite number ≥ 0, got ${ridge}`);
  }
  const rrr = options.reducedRankRegression ?? false;
  if (typeof rrr !== "boolean") {
    throw new Error(`DSA option reducedRankRegression: must be a boolean`);
  }

  const chooseRank = (s: Float64Array): number => {
    const len = s.length;
    if (options.rank !== undefined) return options.rank;
    if (options.rankThreshold !== undefined) {
      let r = 0;
      for (let i = 0; i < len; i++) if (s[i] > options.rankThreshold) r++;
      return Math.max(1, r);
    }
    if (q !== undefined) {
      let tot = 0;
      for (let i = 0; i < len; i++) tot += s[i] * s[i];
      let cum = 0;
      for (let i = 0; i < len; i++) {
        cum += s[i] * s[i];
        if (cum / tot >= q) return Math.min(i + 1, len);
      }
      return len;
    }
    return len;
  };

  // offsets of block j: (d−1−j)τ
  const off: number[] = [];
  for (let j = 0; j < d; j++) off.push((d - 1 - j) * tau);
  const offP = off.map((o) => o + 1);
  const G = blockLagGram(x, K, T, n, d, off, off, Tp, tau, true);
  let S = new Float64Array(m);
  const eigK = rrr ? m : (vals: Float64Array) => {
    const s = new Float64Array(vals.length);
    for (let i = 0; i < s.length; i++) s[i] = Math.sqrt(Math.max(vals[i], 0));
    return chooseRank(s);
  };
  const eg = symEigTop(G, m, eigK);
  for (let i = 0; i < m; i++) S[i] = Math.sqrt(Math.max(eg.values[i], 0));
  const kVec = eg.k; // number of leading PCs used in the regression
  const sMax = S[0] || 1;
  for (let i = 0; i < kVec; i++) {
    if (!(S[i] > HANKEL_RANK_RTOL * sMax)) {
      throw new Error(
        `DSA option rank: ${rrr ? "reduced-rank regression needs all m" : `rank ${kVec}`} ` +
          `singular values to be non-zero, but the Hankel matrix has numerical rank ${i}; ` +
          `use a rank ≤ ${i}${rrr ? " without reducedRankRegression" : ""}`,
      );
    }
  }
  const ut = eg.vectors; // kVec × m, rows = U columns
  // Vmᵀ Vp = S⁻¹ Uᵀ Gmp U S⁻¹ ; Gmp = Σ_k Σ_{t<T'−1} h_t h_{t+1}ᵀ
  let y: Float64Array; // Uᵀ Gmp  (kVec × m)
  if (tau === 1) {
    // Gmp[:, n:] = G[:, :m−n] − Σ_k hl_k hl_k[:m−n]ᵀ and UᵀG = ΛUᵀ, so only Gmp's first
    // column block needs a product with the data
    const { firstCol, hl } = shiftedGramParts(G, x, K, T, n, d, Tp);
    y = new Float64Array(kVec * m);
    const zl = mmNT(ut, hl, kVec, m, K); // Uᵀ hl_k  (kVec × K)
    const fc = mmNT(ut, transpose(firstCol, m, n), kVec, m, n); // Uᵀ Gmp[:, :n]
    for (let i = 0; i < kVec; i++) {
      const row = i * m, lam = eg.values[i];
      for (let c = 0; c < n; c++) y[row + c] = fc[i * n + c];
      for (let c = n; c < m; c++) y[row + c] = lam * ut[row + c - n];
      for (let k = 0; k < K; k++) {
        const zk = zl[i * K + k];
        if (zk === 0) continue;
        const h = k * m - n;
        for (let c = n; c < m; c++) y[row + c] -= zk * hl[h + c];
      }
    }
  } else {
    const Gmp = blockLagGram(x, K, T, n, d, off, offP, Tp - 1, tau, false);
    y = mmNT(ut, transpose(Gmp, m, m), kVec, m, m);
  }
  const vmvp = mmNT(y, ut, kVec, m, kVec); // Uᵀ Gmp U
  // Vmᵀ Vm = I − Σ_k z_k z_kᵀ, z_k = S⁻¹ Uᵀ h_{k, T'−1}
  const vmvm = new Float64Array(kVec * kVec);
  for (let i = 0; i < kVec; i++) vmvm[i * kVec + i] = 1;
  const h = new Float64Array(m);
  const z = new Float64Array(kVec);
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < d; j++) {
      const src = (k * T + Tp - 1 + off[j]) * n;
      for (let u = 0; u < n; u++) h[j * n + u] = x[src + u];
    }
    for (let i = 0; i < kVec; i++) {
      let s = 0;
      const row = i * m;
      for (let c = 0; c < m; c++) s += ut[row + c] * h[c];
      z[i] = s / S[i];
    }
    for (let i = 0; i < kVec; i++) for (let j = 0; j < kVec; j++) vmvm[i * kVec + j] -= z[i] * z[j];
  }
  for (let i = 0; i < kVec; i++) {
    for (let j = 0; j < kVec; j++) vmvp[i * kVec + j] /= S[i] * S[j];
  }
  // symmetrise Vmᵀ Vm
  for (let i = 0; i < kVec; i++) {
    for (let j = 0; j < i; j++) {
      const a = 0.5 * (vmvm[i * kVec + j] + vmvm[j * kVec + i]);
      vmvm[i * kVec + j] = a;
      vmvm[j * kVec + i] = a;
    }
  }
  // Bᵀ with B = (VmᵀVm + λI)⁻¹ VmᵀVp (kVec × kVec, row convention v_{t+1}ᵀ ≈ v_tᵀ B)
  const B = choleskySolve(vmvm, kVec, ridge, Float64Array.from(vmvp), kVec);
  const baseOptions = {
    delays: d,
    delayInterval: tau,
    ridge,
    reducedRankRegression: rrr,
    ...(options.rank !== undefined ? { rank: options.rank } : {}),
    ...(options.rankThreshold !== undefined ? { rankThreshold: options.rankThreshold } : {}),
    ...(q !== undefined ? { rankExplainedVariance: q } : {}),
  };
  if (!rrr) {
    return {
      operator: transpose(B, kVec, kVec),
      size: kVec,
      rank: kVec,
      singularValues: S,
      hankelShape: [K, Tp, m],
      options: baseOptions,
    };
  }
  // reduced-rank regression: P = (VmᵀVp)ᵀ B, symmetric
  const vpvm = transpose(vmvp, m, m);
  const P = mmNT(vpvm, transpose(B, m, m), m, m, m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < i; j++) {
      const a = 0.5 * (P[i * m + j] + P[j * m + i]);
      P[i * m + j] = a;
      P[j * m + i] = a;
    }
  }
  const ep = symEigTop(P, m, (sig) => Math.min(chooseRank(sig), m));
  const r = ep.k;
  const E = ep.vectors; // r × m (rows = E columns)
  // A_v = B E_r E_rᵀ ; E_r E_rᵀ = Eᵀ E (m×m)
  const et = transpose(E, r, m); // m × r
  const proj = mmNT(et, et, m, r, m);
  S = S.slice();
  return {
    operator: mmNT(B, proj, m, m, m), // proj symmetric: B · projᵀ = B · proj
    size: m,
    rank: r,
    singularValues: S,
    hankelShape: [K, Tp, m],
    projectorEigenvalues: ep.values,
    options: baseOptions,
  };
}

/** Eigenvalues of a fitted operator as [re, im] pairs, sorted by |λ| desc then imag desc. */
export function dmdEigenvalues(
  fit: DmdFit | { operator: Float64Array; size: number },
): [number, number][] {
  const { re, im } = eigenvaluesReal(fit.operator, fit.size);
  const out: [number, number][] = [];
  for (let i = 0; i < re.length; i++) out.push([re[i], im[i]]);
  out.sort((a, b) => Math.hypot(b[0], b[1]) - Math.hypot(a[0], a[1]) || b[1] - a[1]);
  return out;
}

/**
 * Minimum-cost assignment of every row of an n×m cost matrix (n ≤ m, row-major
 * `Float64Array`, finite) to a distinct column, for the Wasserstein score. Returns `assign`
 * (`assign[i]` = column of row i) and the total `cost`. A validating wrapper over the shared
 * shortest-augmenting-path solver `solveAssignment` (`metrics/lsa.ts`, Crouse 2016).
 */
export function dsaLinearSumAssignment(
  cost: Float64Array,
  n: number,
  m: number,
): { assign: Int32Array; cost: number } {
  if (n > m) throw new Error(`linearSumAssignment: rows (${n}) must be ≤ columns (${m})`);
  if (cost.length !== n * m) {
    throw new Error(`linearSumAssignment: cost has ${cost.length} entries, expected ${n * m}`);
  }
  for (let i = 0; i < cost.length; i++) {
    if (!Number.isFinite(cost[i])) {
      throw new Error(`linearSumAssignment: cost[${i}] is not finite`);
    }
  }
  const assign = new Int32Array(n);
  return { assign, cost: solveAssignment(cost, n, m, assign) };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * Exact optimal-transport cost between two point sets in the plane with uniform weights
 * (1/na each, 1/nb each) and squared-euclidean cost: W₂² (no square root), as POT's
 * `emd2` in the reference. Equal sizes: an assignment problem. Unequal sizes: each point
 * is replicated (lcm/na, lcm/nb times), which is exact since a vertex of the transport
 * polytope with integral masses is integral. Throws if lcm(na, nb) > `maxLcm`.
 */
export function eigenvalueWasserstein(
  a: [number, number][],
  b: [number, number][],
  maxLcm = 4000,
): number {
  const na = a.length, nb = b.length;
  if (na < 1 || nb < 1) throw new Error("eigenvalueWasserstein: both point sets must be non-empty");
  const l = (na / gcd(na, nb)) * nb;
  if (l > maxLcm) {
    throw new Error(
      `eigenvalueWasserstein: sizes ${na} and ${nb} need lcm ${l} > ${maxLcm} replicated points`,
    );
  }
  const ra = l / na, rb = l / nb;
  const cost = new Float64Array(l * l);
  for (let i = 0; i < l; i++) {
    const p = a[Math.floor(i / ra)];
    for (let j = 0; j < l; j++) {
      const qq = b[Math.floor(j / rb)];
      const dx = p[0] - qq[0], dy = p[1] - qq[1];
      cost[i * l + j] = dx * dx + dy * dy;
    }
  }
  return dsaLinearSumAssignment(cost, l, l).cost / l;
}

/** Full result of `dsaDistanceDetailed`. */
export interface DsaDetailed {
  distance: number;
  score: "angular" | "euclidean" | "wasserstein";
  /** Procrustes details (angular, euclidean, runs, spread), absent for wasserstein. */
  procrustes?: ProcrustesResult;
  fits: [DmdFit, DmdFit];
}

function checkScore(s: unknown): "angular" | "euclidean" | "wasserstein" {
  const score = s ?? "angular";
  if (score !== "angular" && score !== "euclidean" && score !== "wasserstein") {
    throw new Error(
      `DSA option score: must be "angular", "euclidean" or "wasserstein", got ${String(s)}`,
    );
  }
  return score;
}

/** Compare two already fitted systems (or prepared operators) with the given score. */
export function compareDmd(
  fa: DmdFit,
  fb: DmdFit,
  options: DsaOptions = {},
  prepared?: [PreparedOperator | undefined, PreparedOperator | undefined],
): { distance: number; procrustes?: ProcrustesResult } {
  const score = checkScore(options.score);
  if (score === "wasserstein") {
    return { distance: eigenvalueWasserstein(dmdEigenvalues(fa), dmdEigenvalues(fb)) };
  }
  if (fa.size !== fb.size) {
    throw new Error(
      `DSA: Procrustes needs operators of equal size (${fa.size} vs ${fb.size}); ` +
        `use the same rank option for both systems or score "wasserstein"`,
    );
  }
  const pa = prepared?.[0] ?? prepareOperator(fa.operator, fa.size);
  const pb = prepared?.[1] ?? prepareOperator(fb.operator, fb.size);
  const res = procrustesDistance(pa, pb, {
    ...options.procrustes,
    score,
    restarts: options.restarts,
    seed: options.seed,
  });
  return { distance: res.distance, procrustes: res };
}

/** DSA distance between two systems with details (fits, Procrustes runs and spread). */
export function dsaDistanceDetailed(
  a: Trajectories,
  b: Trajectories,
  options: DsaOptions = {},
): DsaDetailed {
  const score = checkScore(options.score);
  const fa = fitDmd(a, options);
  const fb = fitDmd(b, options);
  const c = compareDmd(fa, fb, options);
  return { distance: c.distance, score, procrustes: c.procrustes, fits: [fa, fb] };
}

/**
 * **contract** DSA distance between two systems given as trajectories (trials × steps ×
 * units): angular Procrustes distance (radians, default), euclidean, or eigenvalue
 * Wasserstein (W₂²) between their DMD operators. See the module doc for the pipeline.
 */
export function dsaDistance(a: Trajectories, b: Trajectories, options: DsaOptions = {}): number {
  return dsaDistanceDetailed(a, b, options).distance;
}

/** Result of `dsaDistanceMatrix`. */
export interface DsaMatrixResult {
  /** Symmetric S×S matrix, zero diagonal. */
  matrix: number[][];
  /** Procrustes spread (max − min over runs) per computed pair, same layout (0 on diagonal). */
  restartsSpread: number[][];
  selfChecks: {
    /** d(X, X) for sampled systems (should be ~0). */
    selfDistance: { index: number; distance: number }[];
    /** |d(i,j) − d(j,i)| for sampled pairs, computed in both argument orders. */
    symmetry: { i: number; j: number; dij: number; dji: number; absDiff: number }[];
    /** Largest restart spread over pairs (Procrustes scores only). */
    maxRestartsSpread: number;
  };
  fits: DmdFit[];
}

/**
 * Pairwise DSA distances between many systems; each system's DMD is fitted once and its
 * operator invariants prepared once. `selfCheckSamples` (default 3) systems/pairs are
 * re-measured for the d(X,X) = 0 and symmetry self-checks.
 */
export function dsaDistanceMatrix(
  systems: (Trajectories | DmdFit)[],
  options: DsaOptions & { selfCheckSamples?: number } = {},
): DsaMatrixResult {
  const score = checkScore(options.score);
  const fits = systems.map((s) => isFit(s) ? s : fitDmd(s, options));
  const prepared = score === "wasserstein"
    ? []
    : fits.map((f) => prepareOperator(f.operator, f.size));
  const eigs = score === "wasserstein" ? fits.map((f) => dmdEigenvalues(f)) : [];
  const pair = (i: number, j: number) => {
    if (score === "wasserstein") {
      return { distance: eigenvalueWasserstein(eigs[i], eigs[j]), spread: 0 };
    }
    const c = compareDmd(fits[i], fits[j], options, [prepared[i], prepared[j]]);
    return { distance: c.distance, spread: c.procrustes?.restartsSpread ?? 0 };
  };
  return assembleDsaMatrix(fits, options.selfCheckSamples, pair);
}

/**
 * The self-check samples of a DSA matrix over `S` systems: `min(samples, S)` systems
 * i = ⌊s·S/ns⌋, each measured against itself (d(i, i) should be 0) and, when S > 1, with a
 * partner j ≠ i whose reversed-order distance d(j, i) is compared with d(i, j) (`j` null
 * when S = 1).
 */
export function dsaSelfCheckPairs(S: number, samples = 3): { i: number; j: number | null }[] {
  const ns = Math.min(samples, S);
  const out: { i: number; j: number | null }[] = [];
  for (let s = 0; s < ns; s++) {
    const i = Math.floor((s * S) / ns);
    const j = S > 1 ? ((i + 1 + s) % S === i ? (i + 1) % S : (i + 1 + s) % S) : null;
    out.push({ i, j });
  }
  return out;
}

/**
 * Builds a {@link DsaMatrixResult} over `fits.length` systems from a pair measure
 * `pair(i, j)` → distance and restart spread: the upper triangle in row order, then the
 * self-checks of {@link dsaSelfCheckPairs} (d(i, i), then d(j, i)). Shared by the serial
 * `dsaDistanceMatrix` and the worker-parallel `dsaDistanceMatrixParallel`.
 */
export function assembleDsaMatrix(
  fits: DmdFit[],
  selfCheckSamples: number | undefined,
  pair: (i: number, j: number) => { distance: number; spread: number },
): DsaMatrixResult {
  const S = fits.length;
  const matrix = Array.from({ length: S }, () => new Array<number>(S).fill(0));
  const spread = Array.from({ length: S }, () => new Array<number>(S).fill(0));
  let maxSpread = 0;
  for (let i = 0; i < S; i++) {
    for (let j = i + 1; j < S; j++) {
      const p = pair(i, j);
      matrix[i][j] = matrix[j][i] = p.distance;
      spread[i][j] = spread[j][i] = p.spread;
      maxSpread = Math.max(maxSpread, p.spread);
    }
  }
  const selfDistance: { index: number; distance: number }[] = [];
  const symmetry: { i: number; j: number; dij: number; dji: number; absDiff: number }[] = [];
  for (const { i, j } of dsaSelfCheckPairs(S, selfCheckSamples ?? 3)) {
    selfDistance.push({ index: i, distance: pair(i, i).distance });
    if (j !== null) {
      const dji = pair(j, i).distance;
      const dij = matrix[i][j];
      symmetry.push({ i, j, dij, dji, absDiff: Math.abs(dij - dji) });
    }
  }
  return {
    matrix,
    restartsSpread: spread,
    selfChecks: { selfDistance, symmetry, maxRestartsSpread: maxSpread },
    fits,
  };
}

function isFit(x: unknown): x is DmdFit {
  return typeof x === "object" && x !== null && "operator" in x && "size" in x &&
    "singularValues" in x;
}
