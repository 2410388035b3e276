/**
 * The Gram matrices of a block-Hankel delay embedding (step 2 of the DMD fit in `dmd.ts`),
 * formed in O(d·K·T·n²) from lagged cross-products of the trajectories instead of from the
 * embedding itself: the sums run on the WASM kernel of `../linalg/wasm.ts` where available,
 * else in TypeScript (`tsLagSums`).
 *
 * @module
 */

import { mmNT } from "../linalg/matmul.ts";
import { checkLagWindow, type LagSums, wasmLagSums } from "../linalg/wasm.ts";

/**
 * Σ_k Σ_{t<L} x_k[t+a] x_k[t+b]ᵀ for all block pairs (i, j) with row offsets ra[i] and
 * column offsets cb[j], window length L (same for all), written into the m×m matrix out
 * (block (i,j) at rows i·n.., cols j·n..). Offsets must satisfy ra[i+1] = ra[i] − τ and
 * cb[j+1] = cb[j] − τ; blocks along each diagonal are obtained from their predecessor by
 * adding τ new and removing τ old outer products per trial. `symmetric` fills only j ≥ i
 * and mirrors.
 */
export function blockLagGram(
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
export function shiftedGramParts(
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
