/**
 * Sine-wave generation (paper §2.2, Appendix A.3).
 *
 * Training frequencies: `nFreq` values equally spaced in [fMin, fMax] = [1, 30] Hz
 * (`fMin + k·(fMax − fMin)/(nFreq − 1)`; `nFreq = 1` gives fMin alone). Per trial and,
 * independently, per channel c of N, a frequency f is drawn uniformly from that grid (or, with
 * `offGrid`, from the continuum U[fMin, fMax]).
 *
 * Inputs `[batch, steps, n]`: the static value f / fMax on every step (in (0, 1]).
 * Targets `[batch, steps, n]`: sin(2π f k·dt) for steps k = 0 … steps−1, with time step
 * dt = 0.01 s by default: T = 100 steps span 1 s, so the DFT bins are 1 Hz apart, and the
 * 50 Hz Nyquist limit 1/(2·dt) leaves 30 Hz resolvable (≥ 3.3 samples per period). Parameters
 * must satisfy fMax < 1/(2·dt). No loss mask.
 *
 * OOD (§3.2.3): doubled trial length (2T steps, the sine continues).
 *
 * @module
 */
import type { Task, TaskBatch } from "./types.ts";
import { createRng } from "../metrics/rng.ts";
import { checkSampleArgs, type ParamSchema, resolveParams, variantId } from "./params.ts";

/** Parameters of the sine-wave task (all optional; defaults in brackets). */
export interface SineParams {
  /** Channels N ≥ 1 [1]. */
  n?: number;
  /** Number of training frequencies N_freq ≥ 1 [5]. */
  nFreq?: number;
  /** Lowest frequency, Hz [1, Appendix A.3]. */
  fMin?: number;
  /** Highest frequency, Hz [30, Appendix A.3]. */
  fMax?: number;
  /** Time steps T [100, Appendix A.3]; the OOD variant uses 2T. */
  steps?: number;
  /** Time step, seconds [0.01]; fMax must stay below the Nyquist limit 1/(2·dt). */
  dt?: number;
  /** Draw f from U[fMin, fMax] instead of the N_freq grid [false]. */
  offGrid?: boolean;
}

/** Schema of {@link SineParams}. */
export const SINE_SCHEMA: Readonly<Record<string, ParamSchema>> = {
  n: { kind: "int", default: 1, min: 1, max: 4096, tag: "n", inId: true },
  nFreq: { kind: "int", default: 5, min: 1, max: 1_000_000, tag: "f", inId: true },
  fMin: { kind: "number", default: 1, gt: 0, max: 1e6, tag: "fmin" },
  fMax: { kind: "number", default: 30, gt: 0, max: 1e6, tag: "fmax" },
  steps: { kind: "int", default: 100, min: 1, max: 1_000_000, tag: "t" },
  dt: { kind: "number", default: 0.01, gt: 0, max: 1e6, tag: "dt" },
  offGrid: { kind: "boolean", default: false, tag: "offgrid" },
};

/**
 * The N_freq training frequencies (Hz) of a sine task's resolved parameters.
 *
 * @example
 * ```ts
 * import { sineFrequencies } from "@degeneracy/degeneracy";
 * const f = sineFrequencies(3, 1, 30); // equally spaced in [1, 30] Hz
 * if (f.join() !== "1,15.5,30") throw new Error(`${f}`);
 * ```
 */
export function sineFrequencies(nFreq: number, fMin: number, fMax: number): number[] {
  if (nFreq === 1) return [fMin];
  return Array.from({ length: nFreq }, (_, k) => fMin + (k * (fMax - fMin)) / (nFreq - 1));
}

/**
 * Create a sine-wave generation task.
 *
 * @throws Error naming the invalid parameter and its allowed range (including fMax ≥ fMin and
 *   the Nyquist condition fMax < 1/(2·dt)).
 *
 * @example
 * ```ts
 * import { sineWaveTask } from "@degeneracy/degeneracy";
 * const task = sineWaveTask({ nFreq: 5 });
 * const { inputs, targets } = task.sample(2, 0);
 * console.log(task.id, inputs[0], targets.slice(0, 3)); // static f / fMax input, sin(2π f t) target
 * ```
 */
export function sineWaveTask(params: SineParams = {}): Task {
  const task = "sine";
  const r = resolveParams(task, SINE_SCHEMA, params as Record<string, unknown>);
  const n = r.n as number, nFreq = r.nFreq as number, T = r.steps as number;
  const fMin = r.fMin as number, fMax = r.fMax as number, dt = r.dt as number;
  const offGrid = r.offGrid as boolean;
  if (fMax < fMin) {
    throw new Error(`${task}: parameter "fMax" must be a number ≥ fMin (${fMin}), got ${fMax}`);
  }
  if (!(fMax < 1 / (2 * dt))) {
    throw new Error(
      `${task}: parameter "dt" must be < 1/(2·fMax) = ${1 / (2 * fMax)} s (Nyquist), got ${dt}`,
    );
  }
  const grid = sineFrequencies(nFreq, fMin, fMax);
  return Object.freeze({
    name: task,
    id: variantId("sine", SINE_SCHEMA, r),
    params: Object.freeze(r),
    inputDim: n,
    outputDim: n,
    auxDim: 0,
    steps: T,
    channels: n,
    continuousTargets: true,
    continuousInputs: offGrid,
    sample(batch: number, seed: number, options?: { ood?: boolean }): TaskBatch {
      const ood = checkSampleArgs(task, batch, seed, options, 2 * T, n);
      const steps = ood ? 2 * T : T;
      const rng = createRng(seed);
      const inputs = new Float32Array(batch * steps * n);
      const targets = new Float32Array(batch * steps * n);
      for (let b = 0; b < batch; b++) {
        for (let c = 0; c < n; c++) {
          const f = offGrid ? rng.range(fMin, fMax) : grid[rng.int(0, nFreq - 1)];
          const x = f / fMax;
          const w = 2 * Math.PI * f * dt;
          for (let t = 0; t < steps; t++) {
            const i = (b * steps + t) * n + c;
            inputs[i] = x;
            targets[i] = Math.sin(w * t);
          }
        }
      }
      return { batch, steps, inputDim: n, outputDim: n, inputs, targets, mask: null, aux: null };
    },
  });
}
