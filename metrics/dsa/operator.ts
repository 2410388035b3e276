/**
 * What the DSA Procrustes comparison computes once per system (not once per pair), its
 * serialisation (a header object + one `Float64Array`, so it can be persisted next to a DMD
 * fit and reused by pair blocks on other machines), and the lower bound on a pair's distance
 * that it makes free.
 *
 * A prepared operator holds, for a DMD operator A (n×n):
 *  - `a` = A/‖A‖_F (the Procrustes score compares unit-norm operators) and its transpose;
 *  - the eigen-decomposition of its symmetric part (A + Aᵀ)/2 = Eᵀ diag(λ) E (λ descending,
 *    rows of E the eigenvectors): the frame in which pairs are optimised (the eigenvector
 *    alignment start of two operators is then a ±1 diagonal);
 *  - `rotated` = E a Eᵀ, the operator in that frame;
 *  - the singular values θ of its skew part (A − Aᵀ)/2 (each θ of a pair ±iθ twice), for the
 *    lower bound.
 * Cost at n = 1000: one symmetric eigen-decomposition with all eigenvectors, one with values
 * only, three n×n products and one LU (the sign of det E).
 *
 * Lower bound (`spectralLowerBound`): for any orthogonal C, with X = C B Cᵀ,
 * ‖A − X‖² = ‖sym A − sym X‖² + ‖skew A − skew X‖² (the two parts are orthogonal), and
 * sym X = C (sym B) Cᵀ, skew X = C (skew B) Cᵀ have the spectra of sym B and skew B, so by
 * Hoffman–Wielandt (symmetric parts) and Mirsky (singular values of the skew parts)
 * ‖A − C B Cᵀ‖² ≥ Σ (λ↓_i(sym A) − λ↓_i(sym B))² + Σ (θ↓_i(A) − θ↓_i(B))².
 * The computed bound is lowered by a bound on the eigensolvers' rounding error, so it stays
 * a lower bound in floating point.
 *
 * @module
 */
import { mmNT, transpose } from "../linalg/matmul.ts";
import { symEigTop } from "../linalg/symeig.ts";
import { wasmDetSign, wasmLinalgAvailable } from "../linalg/wasm.ts";
import { determinantSign } from "./starts.ts";

/** A DMD operator prepared once for every Procrustes comparison it takes part in. */
export interface PreparedOperator {
  /** Side of the operator. */
  n: number;
  /** Frobenius norm of the operator before normalisation. */
  scale: number;
  /** A / ‖A‖_F, row-major n×n. */
  a: Float64Array;
  /** Transpose of `a`. */
  at: Float64Array;
  /** Eigenvalues of (a + aᵀ)/2, descending (n). */
  symValues: Float64Array;
  /** Eigenvectors of (a + aᵀ)/2 as rows (n×n row-major), in the order of `symValues`. */
  symVectors: Float64Array;
  /** det(symVectors) (±1): which component of O(n) a start C = Eᵀ D E' lies on. */
  symVectorsDet: number;
  /** E a Eᵀ with E = `symVectors`: the operator in the eigenbasis of its symmetric part. */
  rotated: Float64Array;
  /** Singular values of (a − aᵀ)/2, descending (n; each θ of an eigenvalue pair ±iθ twice). */
  skewSingularValues: Float64Array;
  /** Upper bound on the rounding error (ℓ2 over the vector) of `symValues`. */
  symValuesError: number;
  /** Upper bound on the rounding error (ℓ2 over the vector) of `skewSingularValues`. */
  skewSingularValuesError: number;
  /** Lazily computed extra frame of the "eig-gram" starts, with its determinant (not serialised). */
  cache: { gram?: { vectors: Float64Array; det: number } };
}

/** Format name written in the header of a serialised prepared operator. */
export const PREPARED_OPERATOR_FORMAT = "degeneracy.dsa-prepared-operator/1";

/** Header of a serialised prepared operator; `data` holds the listed fields back to back. */
export interface PreparedOperatorHeader {
  /** Always `PREPARED_OPERATOR_FORMAT`. */
  format: typeof PREPARED_OPERATOR_FORMAT;
  /** Side of the operator. */
  n: number;
  /** `PreparedOperator.scale`. */
  scale: number;
  /** `PreparedOperator.symVectorsDet` (±1). */
  symVectorsDet: number;
  /** `PreparedOperator.symValuesError`. */
  symValuesError: number;
  /** `PreparedOperator.skewSingularValuesError`. */
  skewSingularValuesError: number;
  /** Fields of the float64 data in order, with their lengths (n² or n). */
  fields: { name: "a" | "symVectors" | "symValues" | "skewSingularValues"; length: number }[];
}

const FIELDS = ["a", "symVectors", "symValues", "skewSingularValues"] as const;

/** Sign of the determinant of an orthogonal matrix (LU on the WASM kernel where available). */
export function orthogonalDetSign(q: Float64Array, n: number): number {
  return n >= 8 && wasmLinalgAvailable() ? wasmDetSign(q, n) : determinantSign(q, n);
}

/** The rotated operator E a Eᵀ. */
function rotate(a: Float64Array, e: Float64Array, n: number): Float64Array {
  return mmNT(mmNT(e, transpose(a, n, n), n, n, n), e, n, n, n);
}

/**
 * Rounding-error bound (ℓ2 over the vector) of n eigenvalues of a symmetric matrix with
 * Frobenius norm `fro` from the Householder + QL solver: |λ̂ − λ| ≤ c·n·ε·‖X‖₂ each, with a
 * generous c = 8.
 */
function eigError(n: number, fro: number): number {
  return Math.sqrt(n) * 8 * n * Number.EPSILON * fro;
}

/**
 * A (n×n row-major) divided by its Frobenius norm, and that norm; throws on a bad size, a
 * non-finite entry or a zero matrix. Both Procrustes paths (prepared and legacy) start here.
 */
export function normaliseOperator(
  aIn: Float64Array,
  n: number,
): { a: Float64Array; scale: number } {
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`procrustes: n must be an integer ≥ 1, got ${n}`);
  }
  if (aIn.length !== n * n) {
    throw new Error(`procrustes: operator has ${aIn.length} entries, expected n² = ${n * n}`);
  }
  let fro = 0;
  for (let i = 0; i < aIn.length; i++) {
    if (!Number.isFinite(aIn[i])) throw new Error(`procrustes: operator entry ${i} is not finite`);
    fro += aIn[i] * aIn[i];
  }
  if (!(fro > 0)) throw new Error("procrustes: operator is zero (its Frobenius norm must be > 0)");
  const scale = Math.sqrt(fro);
  const inv = 1 / scale;
  const a = new Float64Array(n * n);
  for (let i = 0; i < a.length; i++) a[i] = aIn[i] * inv;
  return { a, scale };
}

/**
 * Normalise A (n×n row-major) to unit Frobenius norm and compute what every pair needs (see
 * the module doc). Throws on a wrong length, a non-finite entry or a zero matrix.
 *
 * @example
 * ```ts
 * import { prepareOperator, procrustesDistance } from "@degeneracy/degeneracy";
 * // Prepare each operator once when it takes part in many comparisons.
 * const a = prepareOperator(new Float64Array([0.9, -0.2, 0.2, 0.9]), 2);
 * const b = prepareOperator(new Float64Array([0.9, 0.2, -0.2, 0.9]), 2);
 * console.log(procrustesDistance(a, b).distance);
 * ```
 */
export function prepareOperator(aIn: Float64Array, n: number): PreparedOperator {
  const { a, scale } = normaliseOperator(aIn, n);
  // A/‖A‖ and the eigenvectors of A + Aᵀ computed exactly as the previous optimiser did, so
  // both start from the same eigenvector alignment (eigenvectors of the near-degenerate pairs
  // of eigenvalues of the symmetric part are otherwise an arbitrary rotation of each other)
  const at = transpose(a, n, n);
  const twiceSym = new Float64Array(n * n), skew = new Float64Array(n * n);
  let symFro = 0, skewFro = 0;
  for (let i = 0; i < a.length; i++) {
    twiceSym[i] = a[i] + at[i];
    skew[i] = 0.5 * (a[i] - at[i]);
    symFro += 0.25 * twiceSym[i] * twiceSym[i];
    skewFro += skew[i] * skew[i];
  }
  const es = symEigTop(twiceSym, n, n);
  for (let i = 0; i < n; i++) es.values[i] *= 0.5;
  // θ² = eigenvalues of skewᵀ skew = skew skewᵀ (values only)
  const g = mmNT(skew, skew, n, n, n);
  const ev = symEigTop(g, n, 0).values;
  const theta = new Float64Array(n);
  // |θ̂² − θ²| ≤ δ ⇒ |θ̂ − θ| ≤ min(√δ, δ/θ̂)
  const delta = 8 * n * Number.EPSILON * skewFro;
  let thetaErr2 = 0;
  for (let i = 0; i < n; i++) {
    theta[i] = Math.sqrt(Math.max(ev[i], 0));
    const err = Math.min(Math.sqrt(delta), theta[i] > 0 ? delta / theta[i] : Infinity);
    thetaErr2 += err * err;
  }
  return {
    n,
    scale,
    a,
    at,
    symValues: es.values,
    symVectors: es.vectors,
    symVectorsDet: orthogonalDetSign(es.vectors, n),
    rotated: rotate(a, es.vectors, n),
    skewSingularValues: theta,
    symValuesError: eigError(n, Math.sqrt(symFro)),
    skewSingularValuesError: Math.sqrt(thetaErr2),
    cache: {},
  };
}

/** `prepareOperator` of a fitted DMD (its `operator`, `size` × `size`). */
export function prepareDsaOperator(
  fit: { operator: Float64Array; size: number },
): PreparedOperator {
  return prepareOperator(fit.operator, fit.size);
}

/**
 * Serialise a prepared operator: a JSON-able header and one `Float64Array` holding `a`,
 * `symVectors`, `symValues` and `skewSingularValues` back to back (2n² + 2n numbers; write it
 * as raw little-endian float64). `deserializePreparedOperator` recomputes the rest.
 */
export function serializePreparedOperator(
  p: PreparedOperator,
): { header: PreparedOperatorHeader; data: Float64Array } {
  const n = p.n;
  const parts = [p.a, p.symVectors, p.symValues, p.skewSingularValues];
  const data = new Float64Array(2 * n * n + 2 * n);
  let o = 0;
  for (const x of parts) {
    data.set(x, o);
    o += x.length;
  }
  return {
    header: {
      format: PREPARED_OPERATOR_FORMAT,
      n,
      scale: p.scale,
      symVectorsDet: p.symVectorsDet,
      symValuesError: p.symValuesError,
      skewSingularValuesError: p.skewSingularValuesError,
      fields: FIELDS.map((name, i) => ({ name, length: parts[i].length })),
    },
    data,
  };
}

/**
 * Rebuild a prepared operator from `serializePreparedOperator`'s header and data (the rotated
 * operator is recomputed: two n×n products). Throws, naming the field, on a header or data
 * that does not match.
 */
export function deserializePreparedOperator(
  header: PreparedOperatorHeader,
  data: Float64Array,
): PreparedOperator {
  if (header?.format !== PREPARED_OPERATOR_FORMAT) {
    throw new Error(
      `prepared operator: header.format must be "${PREPARED_OPERATOR_FORMAT}", got ${
        String(header?.format)
      }`,
    );
  }
  const n = header.n;
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`prepared operator: header.n must be an integer ≥ 1, got ${n}`);
  }
  for (const k of ["scale", "symValuesError", "skewSingularValuesError"] as const) {
    if (!(Number.isFinite(header[k]) && header[k] >= 0)) {
      throw new Error(`prepared operator: header.${k} must be a finite number ≥ 0`);
    }
  }
  const want = [n * n, n * n, n, n];
  if (
    !Array.isArray(header.fields) || header.fields.length !== FIELDS.length ||
    header.fields.some((f, i) => f.name !== FIELDS[i] || f.length !== want[i])
  ) {
    throw new Error(
      `prepared operator: header.fields must be ${
        FIELDS.map((f, i) => `${f} (${want[i]})`).join(", ")
      } for n = ${n}`,
    );
  }
  if (header.symVectorsDet !== 1 && header.symVectorsDet !== -1) {
    throw new Error(
      `prepared operator: header.symVectorsDet must be 1 or −1, got ${header.symVectorsDet}`,
    );
  }
  if (!(data instanceof Float64Array) || data.length !== 2 * n * n + 2 * n) {
    throw new Error(
      `prepared operator: data must be a Float64Array of 2n² + 2n = ${2 * n * n + 2 * n} numbers`,
    );
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new Error(`prepared operator: data[${i}] is not finite`);
  }
  const a = data.slice(0, n * n);
  const symVectors = data.slice(n * n, 2 * n * n);
  return {
    n,
    scale: header.scale,
    a,
    at: transpose(a, n, n),
    symValues: data.slice(2 * n * n, 2 * n * n + n),
    symVectors,
    symVectorsDet: header.symVectorsDet,
    rotated: rotate(a, symVectors, n),
    skewSingularValues: data.slice(2 * n * n + n),
    symValuesError: header.symValuesError,
    skewSingularValuesError: header.skewSingularValuesError,
    cache: {},
  };
}

/**
 * Lower bound on min over orthogonal C of ‖A − C B Cᵀ‖_F for the unit-norm operators of two
 * prepared operators of equal size (see the module doc): `euclidean`, and `angular` =
 * 2·asin(euclidean/2). Costs O(n).
 */
export function spectralLowerBound(
  pa: PreparedOperator,
  pb: PreparedOperator,
): { euclidean: number; angular: number } {
  if (pa.n !== pb.n) {
    throw new Error(`procrustes: operators must have equal size (${pa.n} vs ${pb.n})`);
  }
  let s = 0;
  for (let i = 0; i < pa.n; i++) {
    const d1 = pa.symValues[i] - pb.symValues[i];
    const d2 = pa.skewSingularValues[i] - pb.skewSingularValues[i];
    s += d1 * d1 + d2 * d2;
  }
  const margin = pa.symValuesError + pb.symValuesError + pa.skewSingularValuesError +
    pb.skewSingularValuesError;
  const euclidean = Math.max(0, Math.sqrt(s) - margin);
  return { euclidean, angular: 2 * Math.asin(Math.min(1, euclidean / 2)) };
}
