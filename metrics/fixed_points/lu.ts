/**
 * Dense LU factorisation with partial pivoting (row-major float64) and solves, for the
 * Newton steps, continuation correctors and inverse iterations of the fixed-point finder.
 *
 * @module
 */

/** An LU factorisation P A = L U stored in place (unit L below the diagonal, U on and above). */
export interface Lu {
  n: number;
  /** L and U, row-major `[n, n]`. */
  lu: Float64Array;
  /** Row permutation: row i of P A is row `perm[i]` of A. */
  perm: Int32Array;
  /** min |U_ii| / max |U_ii| (0 when exactly singular): a cheap conditioning hint. */
  pivotRatio: number;
}

/** Factorises the `n × n` matrix `a` (copied unless `inPlace`). */
export function luFactor(a: Float64Array, n: number, inPlace = false): Lu {
  const m = inPlace ? a : a.slice();
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let minPiv = Infinity, maxPiv = 0;
  for (let k = 0; k < n; k++) {
    let p = k, best = Math.abs(m[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(m[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (p !== k) {
      const rk = k * n, rp = p * n;
      for (let j = 0; j < n; j++) {
        const t = m[rk + j];
        m[rk + j] = m[rp + j];
        m[rp + j] = t;
      }
      const t = perm[k];
      perm[k] = perm[p];
      perm[p] = t;
    }
    minPiv = Math.min(minPiv, best);
    maxPiv = Math.max(maxPiv, best);
    if (best === 0) continue;
    const rk = k * n;
    const inv = 1 / m[rk + k];
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const f = m[ri + k] * inv;
      if (f === 0) continue;
      m[ri + k] = f;
      for (let j = k + 1; j < n; j++) m[ri + j] -= f * m[rk + j];
    }
  }
  return { n, lu: m, perm, pivotRatio: maxPiv > 0 ? minPiv / maxPiv : 0 };
}

/** Solves A x = rhs with a factorisation of A; returns x (new array). */
export function luSolve(f: Lu, rhs: Float64Array): Float64Array {
  const { n, lu, perm } = f;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rhs[perm[i]];
  for (let i = 1; i < n; i++) {
    const ri = i * n;
    let s = x[i];
    for (let j = 0; j < i; j++) s -= lu[ri + j] * x[j];
    x[i] = s;
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    let s = x[i];
    for (let j = i + 1; j < n; j++) s -= lu[ri + j] * x[j];
    const d = lu[ri + i];
    x[i] = d === 0 ? 0 : s / d;
  }
  return x;
}
