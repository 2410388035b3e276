/**
 * N-bit flip-flop (paper §2.2, Appendix A.1).
 *
 * Inputs `[batch, steps, n]`: on each step, independently per channel, a pulse of ±1 (sign
 * equiprobable) arrives with probability `p`, else 0. Targets `[batch, steps, n]`: the last
 * non-zero input of the channel up to and including the current step; **0 before the
 * channel's first pulse**. No loss mask (the loss counts everywhere).
 *
 * @module
 */
import type { Task, TaskBatch } from "./types.ts";
import { createRng } from "../metrics/rng.ts";
import { checkSampleArgs, type ParamSchema, resolveParams, variantId } from "./params.ts";

/** Parameters of the flip-flop task (all optional; defaults in brackets). */
export interface FlipFlopParams {
  /** Channels N ≥ 1 [3]. */
  n?: number;
  /** Per-step, per-channel pulse probability in [0, 1] [0.3, Appendix A.1]. */
  p?: number;
  /** Time steps T ≥ 1 [100, Appendix A.1]; the OOD variant uses 2T. */
  steps?: number;
}

/** Schema of {@link FlipFlopParams}. */
export const FLIPFLOP_SCHEMA: Readonly<Record<string, ParamSchema>> = {
  n: { kind: "int", default: 3, min: 1, max: 4096, tag: "n", inId: true },
  p: { kind: "number", default: 0.3, min: 0, max: 1, tag: "p" },
  steps: { kind: "int", default: 100, min: 1, max: 1_000_000, tag: "t" },
};

/**
 * Create an N-bit flip-flop task.
 *
 * @throws Error naming the invalid parameter and its allowed range.
 *
 * @example
 * ```ts
 * import { flipFlopTask } from "@degeneracy/degeneracy";
 * const task = flipFlopTask({ n: 3, p: 0.3 });
 * const { inputs, targets, steps } = task.sample(4, 1); // [4, 100, 3] each
 * if (steps !== 100 || inputs.length !== 4 * 100 * 3) throw new Error("shape");
 * console.log(targets.slice(0, 9));
 * ```
 */
export function flipFlopTask(params: FlipFlopParams = {}): Task {
  const r = resolveParams("flipflop", FLIPFLOP_SCHEMA, params as Record<string, unknown>);
  const n = r.n as number, p = r.p as number, T = r.steps as number;
  return Object.freeze({
    name: "flipflop" as const,
    id: variantId("flipflop", FLIPFLOP_SCHEMA, r),
    params: Object.freeze(r),
    inputDim: n,
    outputDim: n,
    auxDim: 0,
    steps: T,
    channels: n,
    continuousTargets: false,
    continuousInputs: false,
    sample(batch: number, seed: number, options?: { ood?: boolean }): TaskBatch {
      const ood = checkSampleArgs("flipflop", batch, seed, options, 2 * T, n);
      const steps = ood ? 2 * T : T;
      const rng = createRng(seed);
      const inputs = new Float32Array(batch * steps * n);
      const targets = new Float32Array(batch * steps * n);
      const next = rng.uniform;
      const half = p / 2;
      let i = 0;
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < steps; t++) {
          for (let c = 0; c < n; c++, i++) {
            // One draw per entry, always (the stream layout does not depend on p): a pulse when
            // u < p, negative when u < p/2, so given a pulse u/p ~ U[0, 1) picks the sign ±1
            // with probability ½ each. Otherwise the target holds the previous step's value.
            const u = next();
            if (u < p) {
              const s = u < half ? -1 : 1;
              inputs[i] = s;
              targets[i] = s;
            } else if (t > 0) {
              targets[i] = targets[i - n];
            }
          }
        }
      }
      return { batch, steps, inputDim: n, outputDim: n, inputs, targets, mask: null, aux: null };
    },
  });
}
