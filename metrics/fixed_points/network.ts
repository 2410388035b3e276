/**
 * From a saved network (`degeneracy.network/1` record) and a constant input x* to the
 * autonomous map the fixed-point finder analyses: W = W_h and the effective bias
 * b + W_x x*.
 *
 * @module
 */
import type { NetworkRecord } from "../../rnn/types.ts";
import type { FixedPointNet } from "./types.ts";

function matrix(x: unknown, rows: number, cols: number, field: string): number[][] {
  if (!Array.isArray(x) || x.length !== rows) {
    throw new Error(`${field} must be an array of ${rows} rows`);
  }
  return x.map((row, i) => {
    if (!Array.isArray(row) || row.length !== cols) {
      throw new Error(`${field}[${i}] must have ${cols} numbers`);
    }
    return row.map((v, j) => {
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new Error(`${field}[${i}][${j}] must be a finite number, got ${v}`);
      }
      return v;
    });
  });
}

/**
 * The map h ↦ tanh(W_h h + b + W_x x*) of a saved network under the constant input `input`
 * (x*, length `shape.inputDim`; e.g. all zeros for the resting input of flip-flop):
 * `{ wh: W_h, b: b + W_x x* }` as float64 arrays. `which` picks the final (default) or
 * initial weights. Throws naming the field for a malformed record or input.
 *
 * @example
 * ```ts
 * import { fixedPointNet } from "@degeneracy/degeneracy";
 * const weights = { wx: [[1], [0]], wh: [[0.5, 0], [0, 0.5]], b: [0, 0.1], wo: [[1, 0]], bo: [0] };
 * const shape = { inputDim: 1, hidden: 2, outputDim: 1, auxDim: 0 };
 * const record = { shape, final: weights, initial: weights };
 * const net = fixedPointNet(record, [0.2]); // effective bias b + W_x x*
 * if (net.b[0] !== 0.2 || net.b[1] !== 0.1) throw new Error(`${net.b}`);
 * ```
 */
export function fixedPointNet(
  record: Pick<NetworkRecord, "shape" | "final" | "initial">,
  input: number[],
  which: "final" | "initial" = "final",
): FixedPointNet {
  if (record === null || typeof record !== "object") throw new Error("record must be an object");
  const shape = record.shape;
  if (shape === null || typeof shape !== "object") {
    throw new Error("record.shape must be an object");
  }
  const { inputDim: I, hidden: H } = shape;
  if (!Number.isInteger(H) || H < 1) {
    throw new Error(`record.shape.hidden must be an integer ≥ 1, got ${H}`);
  }
  if (!Number.isInteger(I) || I < 1) {
    throw new Error(`record.shape.inputDim must be an integer ≥ 1, got ${I}`);
  }
  if (!Array.isArray(input) || input.length !== I) {
    throw new Error(`input must be an array of inputDim = ${I} numbers`);
  }
  input.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`input[${i}] must be a finite number, got ${v}`);
    }
  });
  const p = record[which];
  if (p === null || typeof p !== "object") throw new Error(`record.${which} must be an object`);
  const wh = matrix(p.wh, H, H, `record.${which}.wh`);
  const wx = matrix(p.wx, H, I, `record.${which}.wx`);
  const bias = matrix([p.b], 1, H, `record.${which}.b`)[0];
  const b = bias.map((bi, i) => {
    let s = bi;
    for (let j = 0; j < I; j++) s += wx[i][j] * input[j];
    return s;
  });
  return { wh, b };
}
