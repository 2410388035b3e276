/**
 * Plain weight-space distances (paper §3.2.2).
 *
 * @module
 */
import { toMatrix } from "./tensor.ts";

/**
 * ‖W1 − W2‖_F for two same-shape matrices (`number[][]`).
 *
 * @example
 * ```ts
 * import { frobeniusDistance } from "@degeneracy/degeneracy";
 * const d = frobeniusDistance([[1, 2]], [[4, 6]]); // √(3² + 4²)
 * if (d !== 5) throw new Error(`d = ${d}`);
 * ```
 */
export function frobeniusDistance(w1: number[][], w2: number[][]): number {
  const a = toMatrix(w1, "w1");
  const b = toMatrix(w2, "w2");
  if (a.rows !== b.rows || a.cols !== b.cols) {
    throw new Error(
      `w1 and w2 must have the same shape, got ${a.rows}×${a.cols} and ${b.rows}×${b.cols}`,
    );
  }
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += (a.data[i] - b.data[i]) ** 2;
  return Math.sqrt(s);
}

/**
 * Distance travelled from initialisation (paper §3.2.2, Fig. 4B):
 * `‖W_T − W_0‖_F / (number of entries)` — for the n × n recurrent matrix the divisor is n²,
 * the paper's "normalise by the number of parameters in the weight matrix". `raw` is the
 * unnormalised Frobenius distance.
 *
 * @example
 * ```ts
 * import { distanceFromInit } from "@degeneracy/degeneracy";
 * const { normalized, raw } = distanceFromInit([[0, 0], [0, 0]], [[3, 0], [0, 4]]);
 * if (raw !== 5 || normalized !== 5 / 4) throw new Error(`${raw}, ${normalized}`);
 * ```
 */
export function distanceFromInit(
  w0: number[][],
  wT: number[][],
): { normalized: number; raw: number; entries: number } {
  const raw = frobeniusDistance(w0, wT);
  const entries = w0.length * w0[0].length;
  return { normalized: raw / entries, raw, entries };
}
