/**
 * Input normalisation for the metrics: trajectories / hidden states given either as nested
 * arrays (`number[][][]`, trials × steps × units) or as a flat row-major array with its
 * shape, and weight matrices as `number[][]`.
 *
 * @module
 */

/**
 * A `[trials, steps, units]` array: nested, or flat row-major
 * (`data[(trial·steps + t)·units + u]`) with its sizes — the same flat form as DSA's
 * `FlatTrajectories`.
 */
export type TrialSeries =
  | number[][][]
  | { data: ArrayLike<number>; trials: number; steps: number; units: number };

/** A validated flat `[trials, steps, units]` float64 array. */
export interface Tensor3 {
  /** Values, `data[(trial·steps + t)·units + u]`. */
  data: Float64Array;
  /** Number of trials. */
  trials: number;
  /** Time steps per trial. */
  steps: number;
  /** Units per step. */
  units: number;
}

/**
 * Validates `x` and copies it into a flat float64 `[trials, steps, units]` array. Throws an
 * Error naming `name` and the offending index when the shape is ragged, empty, or a value
 * is not a finite number.
 *
 * @example
 * ```ts
 * import { toTensor3 } from "@degeneracy/degeneracy";
 * const t = toTensor3([[[1], [2]], [[3], [4]]]); // 2 trials × 2 steps × 1 unit
 * if (t.trials !== 2 || t.data[3] !== 4) throw new Error("flat");
 * ```
 */
export function toTensor3(x: TrialSeries, name = "trajectories"): Tensor3 {
  if (Array.isArray(x)) {
    const trials = x.length;
    if (trials === 0) throw new Error(`${name} must have at least 1 trial`);
    const steps = Array.isArray(x[0]) ? x[0].length : 0;
    if (steps === 0) throw new Error(`${name}[0] must have at least 1 step`);
    const units = Array.isArray(x[0][0]) ? x[0][0].length : 0;
    if (units === 0) throw new Error(`${name}[0][0] must have at least 1 unit`);
    const data = new Float64Array(trials * steps * units);
    for (let b = 0; b < trials; b++) {
      const tr = x[b];
      if (!Array.isArray(tr) || tr.length !== steps) {
        throw new Error(`${name}[${b}] must have ${steps} steps`);
      }
      for (let t = 0; t < steps; t++) {
        const row = tr[t];
        if (!Array.isArray(row) || row.length !== units) {
          throw new Error(`${name}[${b}][${t}] must have ${units} units`);
        }
        for (let u = 0; u < units; u++) {
          const v = row[u];
          if (typeof v !== "number" || !Number.isFinite(v)) {
            throw new Error(`${name}[${b}][${t}][${u}] must be a finite number, got ${v}`);
          }
          data[(b * steps + t) * units + u] = v;
        }
      }
    }
    return { data, trials, steps, units };
  }
  if (x === null || typeof x !== "object" || !("data" in x)) {
    throw new Error(`${name} must be number[][][] or { data, trials, steps, units }`);
  }
  const { trials, steps, units } = x;
  for (const [k, v] of [["trials", trials], ["steps", steps], ["units", units]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new Error(`${name}.${k} must be an integer ≥ 1, got ${v}`);
    }
  }
  if (!x.data || x.data.length !== trials * steps * units) {
    throw new Error(
      `${name}.data must have trials·steps·units = ${
        trials * steps * units
      } entries, got ${x.data?.length}`,
    );
  }
  const data = new Float64Array(x.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = x.data[i];
    if (!Number.isFinite(v)) {
      throw new Error(`${name}.data[${i}] must be a finite number, got ${v}`);
    }
    data[i] = v;
  }
  return { data, trials, steps, units };
}

/**
 * Validates a `number[][]` matrix (rectangular, finite, non-empty) and returns it flat.
 *
 * @example
 * ```ts
 * import { toMatrix } from "@degeneracy/degeneracy";
 * const m = toMatrix([[1, 2, 3], [4, 5, 6]], "w");
 * if (m.rows !== 2 || m.cols !== 3 || m.data[5] !== 6) throw new Error("flat");
 * ```
 */
export function toMatrix(
  w: unknown,
  name: string,
): { data: Float64Array; rows: number; cols: number } {
  if (!Array.isArray(w) || w.length === 0) {
    throw new Error(`${name} must be a non-empty number[][]`);
  }
  const rows = w.length;
  const cols = Array.isArray(w[0]) ? w[0].length : 0;
  if (cols === 0) throw new Error(`${name}[0] must be a non-empty array of numbers`);
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const row = w[i];
    if (!Array.isArray(row) || row.length !== cols) {
      throw new Error(`${name}[${i}] must have ${cols} entries (a rectangular matrix)`);
    }
    for (let j = 0; j < cols; j++) {
      const v = row[j];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw new Error(`${name}[${i}][${j}] must be a finite number, got ${v}`);
      }
      data[i * cols + j] = v;
    }
  }
  return { data, rows, cols };
}
