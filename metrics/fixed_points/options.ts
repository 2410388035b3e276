/**
 * Defaults and validation of the fixed-point finder's options: every bad value throws an
 * error naming the field and its allowed range.
 *
 * @module
 */
import type { FixedPointNet, FixedPointOptions, ResolvedFixedPointOptions } from "./types.ts";

/** Default options of `findFixedPoints` (see `FixedPointOptions` for their meaning). */
export const FIXED_POINT_DEFAULTS: Readonly<Required<Omit<FixedPointOptions, "starts">>> = {
  seed: 0,
  numStarts: 256,
  noise: 0.05,
  midpoints: 256,
  fixedTol: 1e-10,
  slowTol: 1e-3,
  maxIters: 1000,
  memory: 10,
  handoffTol: 1e-2,
  gradTol: 1e-14,
  maxNewtonIters: 30,
  uniqueTol: 1e-3,
  mergeRadius: 1e-4,
  slowRadius: 0.05,
  maxSlowPoints: 200,
  marginalTol: 0.05,
  continuumTol: 1e-2,
  continua: true,
  traceStep: 0.05,
  maxTraceSteps: 400,
  minContinuumLength: 0.1,
};

const KNOWN = new Set<string>([...Object.keys(FIXED_POINT_DEFAULTS), "starts"]);

function num(
  o: FixedPointOptions,
  key: keyof typeof FIXED_POINT_DEFAULTS,
  ok: (x: number) => boolean,
  range: string,
): number {
  const v = (o as Record<string, unknown>)[key];
  const x = v === undefined ? FIXED_POINT_DEFAULTS[key] : v;
  if (typeof x !== "number" || !Number.isFinite(x) || !ok(x)) {
    throw new Error(`options.${key} must be ${range}, got ${String(v)}`);
  }
  return x;
}

const int = (lo: number, hi: number) => (x: number) => Number.isInteger(x) && x >= lo && x <= hi;

/**
 * Checks `net` (square finite `wh`, finite `b` of matching length) and returns its size H and
 * flat float64 copies (`w` row-major `[H, H]`, `b` `[H]`).
 */
export function validateNet(net: FixedPointNet): { n: number; w: Float64Array; b: Float64Array } {
  if (net === null || typeof net !== "object") throw new Error("net must be { wh, b }");
  const { wh, b } = net;
  if (!Array.isArray(wh) || wh.length === 0) {
    throw new Error("net.wh must be a non-empty H×H number[][]");
  }
  const n = wh.length;
  if (!Array.isArray(b) || b.length !== n) {
    throw new Error(`net.b must be an array of H = ${n} numbers (wh has ${n} rows)`);
  }
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = wh[i];
    if (!Array.isArray(row) || row.length !== n) {
      throw new Error(`net.wh[${i}] must have H = ${n} numbers (wh must be square)`);
    }
    for (let j = 0; j < n; j++) {
      const x = row[j];
      if (typeof x !== "number" || !Number.isFinite(x)) {
        throw new Error(`net.wh[${i}][${j}] must be a finite number, got ${x}`);
      }
      w[i * n + j] = x;
    }
  }
  const bb = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = b[i];
    if (typeof x !== "number" || !Number.isFinite(x)) {
      throw new Error(`net.b[${i}] must be a finite number, got ${x}`);
    }
    bb[i] = x;
  }
  return { n, w, b: bb };
}

/**
 * Validates `starts` against the network size `n` (each a finite `[n]` state); returns them
 * flat (`[k, n]`) or null when absent.
 */
export function validateStarts(starts: unknown, n: number): Float64Array | null {
  if (starts === undefined) return null;
  if (!Array.isArray(starts) || starts.length === 0) {
    throw new Error("options.starts must be a non-empty array of states (number[][])");
  }
  const out = new Float64Array(starts.length * n);
  starts.forEach((s, k) => {
    if (!Array.isArray(s) || s.length !== n) {
      throw new Error(`options.starts[${k}] must have H = ${n} numbers`);
    }
    for (let i = 0; i < n; i++) {
      const x = s[i];
      if (typeof x !== "number" || !Number.isFinite(x)) {
        throw new Error(`options.starts[${k}][${i}] must be a finite number, got ${x}`);
      }
      out[k * n + i] = x;
    }
  });
  return out;
}

/** Fills in defaults and validates every option; throws naming the field and its range. */
export function resolveOptions(o: FixedPointOptions = {}): ResolvedFixedPointOptions {
  if (o === null || typeof o !== "object" || Array.isArray(o)) {
    throw new Error("options must be an object");
  }
  for (const k of Object.keys(o)) {
    if (!KNOWN.has(k)) {
      throw new Error(`options.${k} is not an option (known: ${[...KNOWN].sort().join(", ")})`);
    }
  }
  const fixedTol = num(o, "fixedTol", (x) => x > 0 && x <= 1e-3, "a number in (0, 1e-3]");
  const slowTol = num(o, "slowTol", (x) => x >= fixedTol, `a number ≥ fixedTol (${fixedTol})`);
  const continua = o.continua ?? FIXED_POINT_DEFAULTS.continua;
  if (typeof continua !== "boolean") {
    throw new Error(`options.continua must be true or false, got ${String(o.continua)}`);
  }
  return {
    seed: num(o, "seed", Number.isInteger, "an integer"),
    numStarts: num(o, "numStarts", int(1, 100000), "an integer in [1, 100000]"),
    noise: num(o, "noise", (x) => x >= 0, "a number ≥ 0"),
    midpoints: num(o, "midpoints", int(0, 100000), "an integer in [0, 100000]"),
    fixedTol,
    slowTol,
    maxIters: num(o, "maxIters", int(1, 1e6), "an integer in [1, 1000000]"),
    memory: num(o, "memory", int(1, 100), "an integer in [1, 100]"),
    handoffTol: num(
      o,
      "handoffTol",
      (x) => x >= fixedTol && x <= 1,
      `a number in [fixedTol, 1] = [${fixedTol}, 1]`,
    ),
    gradTol: num(o, "gradTol", (x) => x > 0, "a number > 0"),
    maxNewtonIters: num(o, "maxNewtonIters", int(1, 1000), "an integer in [1, 1000]"),
    uniqueTol: num(o, "uniqueTol", (x) => x > 0, "a number > 0"),
    mergeRadius: num(o, "mergeRadius", (x) => x > 0, "a number > 0"),
    slowRadius: num(o, "slowRadius", (x) => x > 0, "a number > 0"),
    maxSlowPoints: num(o, "maxSlowPoints", int(0, 1e6), "an integer in [0, 1000000]"),
    marginalTol: num(o, "marginalTol", (x) => x > 0 && x < 1, "a number in (0, 1)"),
    continua,
    continuumTol: num(o, "continuumTol", (x) => x > 0, "a number > 0"),
    traceStep: num(o, "traceStep", (x) => x > 0, "a number > 0"),
    maxTraceSteps: num(o, "maxTraceSteps", int(1, 1e6), "an integer in [1, 1000000]"),
    minContinuumLength: num(o, "minContinuumLength", (x) => x >= 0, "a number ≥ 0"),
    startsGiven: Array.isArray(o.starts) ? o.starts.length : 0,
  };
}
