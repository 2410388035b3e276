/**
 * Delayed discrimination (paper §2.2, Appendix A.2; auxiliary target §3.3).
 *
 * Per trial and, independently, per channel c of N: amplitudes f1, f2 ~ U[fMin, fMax]
 * (default [2, 10]) and a delay d ~ U{minDelay, …, maxDelay} (default {5, …, 20}) steps.
 * Inputs `[batch, steps, n]`: f1 at step `onset` (default 5), f2 at step `onset + d`, 0
 * elsewhere (one-step pulses, raw amplitudes). Targets `[batch, steps, n]`: 0 up to and
 * including the second-pulse step t2 = onset + d, then sign(f2 − f1) ∈ {−1, +1} for t > t2.
 * Loss mask: 1 in that decision period (t > t2), 0 before it, per channel, so the output is
 * free during the stimulus and delay. Auxiliary target (when `aux`, §3.3): f2 − f1 in the same
 * decision period, same mask, `auxDim = n`, divided by fMax − fMin (`auxScale: "range"`,
 * default) so that it spans [−1, 1] like the main target sign(f2 − f1) and the two terms of the
 * loss are on one scale; `auxScale: "raw"` keeps the raw difference in [−(fMax − fMin),
 * fMax − fMin] (variance 2·(fMax − fMin)²/12 = 10.7 for [2, 10], so its MSE would outweigh
 * the main loss ~10×).
 *
 * OOD (§3.2.3): every delay is doubled (2d, so in {2·minDelay, …, 2·maxDelay}); the trial
 * length stays `steps`.
 *
 * @module
 */
import type { Task, TaskBatch } from "./types.ts";
import { createRng } from "../metrics/rng.ts";
import { checkSampleArgs, type ParamSchema, resolveParams, variantId } from "./params.ts";

/** Parameters of the delayed-discrimination task (all optional; defaults in brackets). */
export interface DelayedDiscriminationParams {
  /** Channels N ≥ 1 [1]. */
  n?: number;
  /** Time steps T [60, Appendix A.2]; must satisfy onset + 2·maxDelay + 1 < T. */
  steps?: number;
  /** Shortest delay between the pulses, steps [5]. */
  minDelay?: number;
  /** Longest delay between the pulses, steps [20, Appendix A.2]. */
  maxDelay?: number;
  /** Lowest amplitude [2, Appendix A.2]. */
  fMin?: number;
  /** Highest amplitude [10, Appendix A.2]. */
  fMax?: number;
  /** Step of the first pulse [5]. */
  onset?: number;
  /** Offer the auxiliary target f2 − f1 (§3.3) [true]. */
  aux?: boolean;
  /** Auxiliary target f2 − f1 divided by fMax − fMin (`"range"`) or raw (`"raw"`) ["range"]. */
  auxScale?: "range" | "raw";
}

/** Schema of {@link DelayedDiscriminationParams}. */
export const DELAYED_DISCRIMINATION_SCHEMA: Readonly<Record<string, ParamSchema>> = {
  n: { kind: "int", default: 1, min: 1, max: 4096, tag: "n", inId: true },
  steps: { kind: "int", default: 60, min: 3, max: 1_000_000, tag: "t" },
  minDelay: { kind: "int", default: 5, min: 1, max: 1_000_000, tag: "dmin" },
  maxDelay: { kind: "int", default: 20, min: 1, max: 1_000_000, tag: "dmax" },
  fMin: { kind: "number", default: 2, min: -1e6, max: 1e6, tag: "fmin" },
  fMax: { kind: "number", default: 10, min: -1e6, max: 1e6, tag: "fmax" },
  onset: { kind: "int", default: 5, min: 0, max: 1_000_000, tag: "on" },
  aux: { kind: "boolean", default: true, tag: "aux" },
  auxScale: { kind: "enum", default: "range", values: ["range", "raw"], tag: "auxscale" },
};

/**
 * Create a delayed-discrimination task.
 *
 * @throws Error naming the invalid parameter and its allowed range (including the timing
 *   constraint `onset + 2·maxDelay + 1 < steps`, so that even the OOD trial has a decision
 *   period).
 *
 * @example
 * ```ts
 * import { delayedDiscriminationTask } from "@degeneracy/degeneracy";
 * const task = delayedDiscriminationTask({ n: 2 });
 * const batch = task.sample(3, 7);
 * if (batch.mask === null || task.id !== "dd-n2") throw new Error("a masked task");
 * const ood = task.sample(3, 7, { ood: true }); // same amplitudes, doubled delays
 * if (ood.steps !== batch.steps) throw new Error("OOD keeps T");
 * ```
 */
export function delayedDiscriminationTask(params: DelayedDiscriminationParams = {}): Task {
  const task = "delayed_discrimination";
  const r = resolveParams(task, DELAYED_DISCRIMINATION_SCHEMA, params as Record<string, unknown>);
  const n = r.n as number, T = r.steps as number;
  const dMin = r.minDelay as number, dMax = r.maxDelay as number;
  const fMin = r.fMin as number, fMax = r.fMax as number;
  const onset = r.onset as number, withAux = r.aux as boolean;
  if (dMax < dMin) {
    throw new Error(
      `${task}: parameter "maxDelay" must be an integer ≥ minDelay (${dMin}), got ${dMax}`,
    );
  }
  if (fMax < fMin) {
    throw new Error(`${task}: parameter "fMax" must be a number ≥ fMin (${fMin}), got ${fMax}`);
  }
  if (onset + 2 * dMax + 1 >= T) {
    throw new Error(
      `${task}: parameter "steps" must be an integer > onset + 2·maxDelay + 1 = ${
        onset + 2 * dMax + 1
      } (room for the doubled OOD delay and a decision period), got ${T}`,
    );
  }
  const auxDim = withAux ? n : 0;
  // fMax = fMin leaves f2 − f1 = 0; no scaling needed then
  const auxScaled = r.auxScale === "range" && fMax > fMin;
  return Object.freeze({
    name: task,
    id: variantId("dd", DELAYED_DISCRIMINATION_SCHEMA, r),
    params: Object.freeze(r),
    inputDim: n,
    outputDim: n,
    auxDim,
    steps: T,
    channels: n,
    continuousTargets: false,
    continuousInputs: true,
    sample(batch: number, seed: number, options?: { ood?: boolean }): TaskBatch {
      const ood = checkSampleArgs(task, batch, seed, options, T, n);
      const rng = createRng(seed);
      const size = batch * T * n;
      const inputs = new Float32Array(size);
      const targets = new Float32Array(size);
      const mask = new Float32Array(size);
      const auxT = withAux ? new Float32Array(size) : null;
      for (let b = 0; b < batch; b++) {
        for (let c = 0; c < n; c++) {
          const f1 = Math.fround(rng.range(fMin, fMax));
          const f2 = Math.fround(rng.range(fMin, fMax));
          const d = rng.int(dMin, dMax) * (ood ? 2 : 1);
          const t2 = onset + d;
          inputs[(b * T + onset) * n + c] = f1;
          inputs[(b * T + t2) * n + c] = f2;
          const sign = Math.sign(f2 - f1);
          const diff = auxScaled ? (f2 - f1) / (fMax - fMin) : f2 - f1;
          for (let t = t2 + 1; t < T; t++) {
            const i = (b * T + t) * n + c;
            targets[i] = sign;
            mask[i] = 1;
            if (auxT) auxT[i] = diff;
          }
        }
      }
      return {
        batch,
        steps: T,
        inputDim: n,
        outputDim: n,
        inputs,
        targets,
        mask,
        aux: auxT ? { dim: n, targets: auxT, mask: mask.slice() } : null,
      };
    },
  });
}
