/**
 * The DMD fit of Dynamical Similarity Analysis (DSA; Ostrow et al. 2023, paper §3 / Appendix C),
 * following the reference package github.com/mitchellostrow/DSA @ 8cbddcf (summarised in
 * docs/dsa.md), in float64 throughout.
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
 *
 * Numerical note: the Gram route squares the condition number, so singular values below
 * ~1e-8·S_max lose relative accuracy; the retained ones (rank r) are what A_v uses.
 *
 * @module
 */

import { choleskySolve } from "../linalg/solve.ts";
import { eigenvaluesReal } from "../linalg/eig_real.ts";
import { mmNT, transpose } from "../linalg/matmul.ts";
import { symEigTop } from "../linalg/symeig.ts";
import { blockLagGram, shiftedGramParts } from "./hankel_gram.ts";

/** Trajectories in flat form: `data[(k·steps + t)·units + u]`, trials × steps × units. */
export interface FlatTrajectories {
  /** Values, length trials·steps·units. */
  data: Float64Array | Float32Array | number[];
  /** Number of trials. */
  trials: number;
  /** Time steps per trial. */
  steps: number;
  /** Units (dimensions) per step. */
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

/**
 * Validate and flatten trajectories into float64, throwing on ragged/NaN input.
 *
 * @example
 * ```ts
 * import { toFlatTrajectories } from "@degeneracy/degeneracy";
 * const flat = toFlatTrajectories([[[1, 2], [3, 4], [5, 6]]]); // 1 trial × 3 steps × 2 units
 * if (flat.trials !== 1 || flat.steps !== 3 || flat.units !== 2) throw new Error("shape");
 * ```
 */
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
 *
 * @example
 * ```ts
 * import { hankelNumericalRank } from "@degeneracy/degeneracy";
 * // Two identical trials of a 2-D rotation: the delay embedding has rank 2 however many delays.
 * const trial = Array.from({ length: 30 }, (_, t) => [Math.cos(0.4 * t), Math.sin(0.4 * t)]);
 * const r = hankelNumericalRank([trial, trial], { delays: 4 });
 * if (r !== 2) throw new Error(`rank ${r}`);
 * ```
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
 *
 * @example Fit a linear system
 * ```ts
 * import { fitDmd } from "@degeneracy/degeneracy";
 * // A damped rotation x_{t+1} = 0.9·R(0.3)·x_t from two starts.
 * const c = 0.9 * Math.cos(0.3), s = 0.9 * Math.sin(0.3);
 * const trial = (x: number, y: number) =>
 *   Array.from({ length: 40 }, () => {
 *     const p = [x, y];
 *     [x, y] = [c * x - s * y, s * x + c * y];
 *     return p;
 *   });
 * const fit = fitDmd([trial(1, 0), trial(0, 1)], { delays: 1, rank: 2 });
 * if (fit.size !== 2) throw new Error(`rank ${fit.size}`);
 * ```
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

/**
 * Eigenvalues of a fitted operator as [re, im] pairs, sorted by |λ| desc then imag desc.
 *
 * @example The eigenvalues of a damped rotation
 * ```ts
 * import { dmdEigenvalues, fitDmd } from "@degeneracy/degeneracy";
 * // A damped rotation x_{t+1} = 0.9·R(0.3)·x_t from two starts.
 * const c = 0.9 * Math.cos(0.3), s = 0.9 * Math.sin(0.3);
 * const trial = (x: number, y: number) =>
 *   Array.from({ length: 40 }, () => {
 *     const p = [x, y];
 *     [x, y] = [c * x - s * y, s * x + c * y];
 *     return p;
 *   });
 * const eig = dmdEigenvalues(fitDmd([trial(1, 0), trial(0, 1)], { rank: 2 }));
 * const modulus = Math.hypot(eig[0][0], eig[0][1]);
 * if (Math.abs(modulus - 0.9) > 1e-6) throw new Error(`|λ| = ${modulus}`);
 * ```
 */
export function dmdEigenvalues(
  fit: DmdFit | { operator: Float64Array; size: number },
): [number, number][] {
  const { re, im } = eigenvaluesReal(fit.operator, fit.size);
  const out: [number, number][] = [];
  for (let i = 0; i < re.length; i++) out.push([re[i], im[i]]);
  out.sort((a, b) => Math.hypot(b[0], b[1]) - Math.hypot(a[0], a[1]) || b[1] - a[1]);
  return out;
}
