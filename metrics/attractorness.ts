/**
 * "Attractorness" of hidden dynamics, Δh of the paper's Appendix B: the speed of change of
 * the hidden state normalised by its typical size,
 *
 *   Δh = mean_{t=1..T−1} ‖h_{t+1} − h_t‖  /  ( (1/T) Σ_{t=1..T} ‖h_t‖ ),
 *
 * per trial (Euclidean norms over units). The paper's formula writes the numerator for one
 * t; we average it over the T − 1 consecutive pairs of the trial (the paper then averages
 * Δh over trials, as {@link attractorness} does). Low Δh: slow, attractor-like dynamics.
 * The hidden states are those after each input step (h_1 … h_T; h_0 = 0 is not included).
 *
 * @module
 */
import { toTensor3, type TrialSeries } from "./tensor.ts";

/** Δh per trial and its mean over trials. */
export interface Attractorness {
  /** Δh of each trial (dimensionless). */
  perTrial: number[];
  /** Mean of `perTrial`. */
  mean: number;
}

/**
 * Δh (Appendix B) of hidden states `[trials, steps, units]` (steps ≥ 2). Throws when a
 * trial's hidden state is zero at every step (Δh undefined).
 *
 * @example
 * ```ts
 * import { attractorness } from "@degeneracy/degeneracy";
 * // A trajectory that stops moving after one step: Δh is small.
 * const still = [[[1, 0], [1, 0], [1, 0], [1, 0]]];
 * const moving = [[[1, 0], [0, 1], [-1, 0], [0, -1]]];
 * if (!(attractorness(still).mean < attractorness(moving).mean)) throw new Error("order");
 * ```
 */
export function attractorness(hidden: TrialSeries): Attractorness {
  const { data, trials, steps, units } = toTensor3(hidden, "hidden");
  if (steps < 2) throw new Error(`hidden must have at least 2 steps per trial, got ${steps}`);
  const perTrial: number[] = [];
  for (let b = 0; b < trials; b++) {
    let normSum = 0;
    let diffSum = 0;
    for (let t = 0; t < steps; t++) {
      const o = (b * steps + t) * units;
      let n2 = 0;
      let d2 = 0;
      for (let u = 0; u < units; u++) {
        const x = data[o + u];
        n2 += x * x;
        if (t + 1 < steps) {
          const d = data[o + units + u] - x;
          d2 += d * d;
        }
      }
      normSum += Math.sqrt(n2);
      if (t + 1 < steps) diffSum += Math.sqrt(d2);
    }
    const meanNorm = normSum / steps;
    if (meanNorm === 0) {
      throw new Error(`hidden[${b}] is zero at every step: Δh is undefined for this trial`);
    }
    perTrial.push(diffSum / (steps - 1) / meanNorm);
  }
  return { perTrial, mean: perTrial.reduce((a, b) => a + b, 0) / trials };
}

/** Mean Δh of the four task families (any positive scale). */
export interface FamilyAttractorness {
  /** N-bit flip-flop. */
  flipflop: number;
  /** Delayed discrimination. */
  delayed_discrimination: number;
  /** Sine-wave generation. */
  sine: number;
  /** Path integration. */
  path_integration: number;
}

/**
 * Appendix B's ordering: "tasks like N-Bits Flip-Flop and Path Integration … span opposite
 * ends of the 'attractorness' spectrum … Delayed Discrimination … shows an intermediate
 * attractorness score". Holds when flip-flop and path integration have the lowest and the
 * highest mean Δh of the four families (in either order) and delayed discrimination lies
 * strictly between them. `ends` names the families at the low and high end.
 */
export function attractornessOrdering(
  mean: FamilyAttractorness,
): { holds: boolean; ends: [string, string]; ddBetween: boolean; detail: string } {
  const fams = ["flipflop", "delayed_discrimination", "sine", "path_integration"] as const;
  for (const f of fams) {
    if (!Number.isFinite(mean?.[f])) throw new Error(`mean.${f} must be a finite number`);
  }
  const sorted = [...fams].sort((a, b) => mean[a] - mean[b]);
  const ends: [string, string] = [sorted[0], sorted[sorted.length - 1]];
  const lo = Math.min(mean.flipflop, mean.path_integration);
  const hi = Math.max(mean.flipflop, mean.path_integration);
  const ddBetween = mean.delayed_discrimination > lo && mean.delayed_discrimination < hi;
  const endsOk = ends.includes("flipflop") && ends.includes("path_integration") &&
    mean.flipflop !== mean.path_integration;
  return {
    holds: endsOk && ddBetween,
    ends,
    ddBetween,
    detail: sorted.map((f) => `${f} ${mean[f].toPrecision(3)}`).join(" < "),
  };
}
