/**
 * The autonomous map F(h) = tanh(W h + b) of a tanh RNN, in float64: batched evaluation of
 * the residual r = F(h) − h, of q = ½‖r‖² and of its analytic gradient
 * ∇q = (D W − I)ᵀ r with D = diag(1 − F(h)²), plus the Jacobians of the map (D W) and of the
 * residual (D W − I) at one state. Products of many states with W run through `mmNT`
 * (`metrics/dsa_linalg.ts`, WASM SIMD where available).
 *
 * @module
 */
import { mmNT, transpose } from "../linalg/matmul.ts";

/** Work buffers of a batched evaluation of `k` states of size `n` (all `[k, n]` or `[k]`). */
export interface MapBatch {
  /** F(h) per state. */
  f: Float64Array;
  /** r = F(h) − h per state. */
  r: Float64Array;
  /** ∇q per state. */
  g: Float64Array;
  /** q = ½‖r‖² per state. */
  q: Float64Array;
  /** Scratch: W h + b, then D ∘ r. */
  z: Float64Array;
}

/** The map F(h) = tanh(W h + b); `w` row-major `[n, n]`, `b` `[n]`. */
export class TanhMap {
  readonly n: number;
  readonly w: Float64Array;
  readonly wt: Float64Array;
  readonly b: Float64Array;

  constructor(w: Float64Array, b: Float64Array, n: number) {
    this.n = n;
    this.w = w;
    this.b = b;
    this.wt = transpose(w, n, n);
  }

  /** Buffers for batched evaluation of up to `k` states. */
  batch(k: number): MapBatch {
    const n = this.n;
    return {
      f: new Float64Array(k * n),
      r: new Float64Array(k * n),
      g: new Float64Array(k * n),
      q: new Float64Array(k),
      z: new Float64Array(k * n),
    };
  }

  /**
   * Evaluates F, r, q (and ∇q when `gradient`) for the `k` states in the rows of `x`
   * (`[k, n]`), writing into `out` (sized for at least `k` states).
   */
  evaluate(x: Float64Array, k: number, out: MapBatch, gradient = true): void {
    const n = this.n, b = this.b;
    const len = k * n;
    const z = out.z.subarray(0, len), f = out.f, r = out.r;
    mmNT(x.subarray(0, len), this.w, k, n, n, z);
    for (let s = 0; s < k; s++) {
      const o = s * n;
      let qs = 0;
      for (let i = 0; i < n; i++) {
        const fi = fastTanh(z[o + i] + b[i]);
        f[o + i] = fi;
        const ri = fi - x[o + i];
        r[o + i] = ri;
        qs += ri * ri;
        z[o + i] = (1 - fi * fi) * ri; // D ∘ r, reusing z
      }
      out.q[s] = 0.5 * qs;
    }
    if (!gradient) return;
    const g = out.g.subarray(0, len);
    mmNT(z, this.wt, k, n, n, g); // (D ∘ r) W
    for (let i = 0; i < len; i++) g[i] -= r[i];
  }

  /** F(h) and r = F(h) − h at one state, with ‖r‖. */
  residual(h: Float64Array): { f: Float64Array; r: Float64Array; norm: number } {
    const n = this.n, w = this.w, b = this.b;
    const f = new Float64Array(n), r = new Float64Array(n);
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      let z = b[i];
      const o = i * n;
      for (let j = 0; j < n; j++) z += w[o + j] * h[j];
      f[i] = Math.tanh(z);
      r[i] = f[i] - h[i];
      s2 += r[i] * r[i];
    }
    return { f, r, norm: Math.sqrt(s2) };
  }

  /** Jacobian of the map at a state whose image is `f`: J = diag(1 − f²) W, row-major `[n, n]`. */
  mapJacobian(f: Float64Array): Float64Array {
    const n = this.n, w = this.w;
    const j = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const d = 1 - f[i] * f[i], o = i * n;
      for (let k = 0; k < n; k++) j[o + k] = d * w[o + k];
    }
    return j;
  }

  /** Jacobian of the residual at a state whose image is `f`: J_r = diag(1 − f²) W − I. */
  residualJacobian(f: Float64Array): Float64Array {
    const j = this.mapJacobian(f);
    for (let i = 0; i < this.n; i++) j[i * this.n + i] -= 1;
    return j;
  }
}

/**
 * tanh(x) as (e^{2x} − 1) / (e^{2x} + 1): several times faster than `Math.tanh` in V8, with
 * absolute error within a few ulps of 1 (enough for the first-order phase; residuals that are
 * reported or refined use `Math.tanh`).
 */
export function fastTanh(x: number): number {
  if (x > 20) return 1;
  if (x < -20) return -1;
  const e = Math.exp(2 * x);
  return (e - 1) / (e + 1);
}

/** Euclidean norm of `v[o .. o+n)`. */
export function norm2(v: Float64Array, o = 0, n = v.length - o): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += v[o + i] * v[o + i];
  return Math.sqrt(s);
}

/** Euclidean distance between `a[ao ..]` and `b[bo ..]` over `n` entries. */
export function dist2(a: Float64Array, ao: number, b: Float64Array, bo: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = a[ao + i] - b[bo + i];
    s += d * d;
  }
  return Math.sqrt(s);
}
