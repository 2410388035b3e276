/**
 * Classical (Torgerson) multidimensional scaling of a distance matrix, for 2-D maps of
 * pairwise DSA / PIF distances (paper Fig. 3B).
 *
 *   B = −½ J D⁽²⁾ J,  J = I − (1/n) 11ᵀ,  coords = V_k Λ_k^{1/2}
 *
 * with the k largest eigenvalues Λ_k of B and their eigenvectors V_k. For Euclidean
 * distances the coordinates reproduce the distances exactly (up to rotation, reflection and
 * translation; they are centred at the origin). Negative eigenvalues (non-Euclidean input)
 * are clamped to 0 and reported.
 *
 * @module
 */
import { symmetricEigen } from "./linalg/jacobi.ts";
import { toMatrix } from "./tensor.ts";

/** Result of {@link classicalMds}. */
export interface MdsResult {
  /** `n` points × `dims` coordinates. */
  coords: number[][];
  /** All eigenvalues of B, descending (negative ones signal non-Euclidean distances). */
  eigenvalues: number[];
  /** Share of Σ positive eigenvalues captured by the `dims` kept. */
  explained: number;
}

/**
 * Classical MDS of a symmetric `n × n` distance matrix (zero diagonal, non-negative
 * entries; asymmetric input is symmetrised as (D + Dᵀ)/2) into `dims` dimensions (default 2).
 *
 * @example
 * ```ts
 * import { classicalMds } from "@degeneracy/degeneracy";
 * // Three points on a line at 0, 1 and 3.
 * const { coords, explained } = classicalMds([[0, 1, 3], [1, 0, 2], [3, 2, 0]], 1);
 * const gap = Math.abs(coords[2][0] - coords[0][0]);
 * if (Math.abs(gap - 3) > 1e-9 || explained < 0.999) throw new Error(`${gap} ${explained}`);
 * ```
 */
export function classicalMds(distances: number[][], dims = 2): MdsResult {
  const { data, rows: n, cols } = toMatrix(distances, "distances");
  if (cols !== n) throw new Error(`distances must be square, got ${n}×${cols}`);
  if (!Number.isInteger(dims) || dims < 1) {
    throw new Error(`dims must be an integer ≥ 1, got ${dims}`);
  }
  for (let i = 0; i < n * n; i++) {
    if (data[i] < 0) {
      throw new Error(`distances[${Math.floor(i / n)}][${i % n}] must be ≥ 0, got ${data[i]}`);
    }
  }
  const d2 = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d = i === j ? 0 : 0.5 * (data[i * n + j] + data[j * n + i]);
      d2[i * n + j] = d * d;
    }
  }
  const rowMean = new Float64Array(n);
  let all = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) rowMean[i] += d2[i * n + j];
    all += rowMean[i];
    rowMean[i] /= n;
  }
  all /= n * n;
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      b[i * n + j] = -0.5 * (d2[i * n + j] - rowMean[i] - rowMean[j] + all);
    }
  }
  const { values, vectors } = symmetricEigen(b, n);
  const coords = Array.from({ length: n }, () => new Array<number>(dims).fill(0));
  for (let k = 0; k < Math.min(dims, n); k++) {
    const lam = Math.max(0, values[k]);
    const s = Math.sqrt(lam);
    for (let i = 0; i < n; i++) coords[i][k] = vectors[i * n + k] * s;
  }
  const pos = Array.from(values).filter((v) => v > 0);
  const totalPos = pos.reduce((a, v) => a + v, 0);
  const kept = Array.from(values).slice(0, dims).filter((v) => v > 0).reduce((a, v) => a + v, 0);
  return { coords, eigenvalues: Array.from(values), explained: totalPos > 0 ? kept / totalPos : 0 };
}
