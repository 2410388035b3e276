/**
 * Task complexity (paper §3.1): Shannon entropy, in bits, of a task's input and target time
 * series,
 *
 *   H(Y) = −Σ_k p(y_k) log₂ p(y_k)   over the distinct values y_k of one trial's series,
 *   H_task = N × (1/M) Σ_{i=1..M} H(Y^(i)),
 *
 * for M sampled trials and N independent channels (`task.channels`).
 *
 * Conventions (the paper leaves them open):
 * - A channel's series is the sequence of its `dim / N` values at each step (`dim` =
 *   `inputDim` or `outputDim`; channel c owns dims `[c·d, (c+1)·d)`); for d > 1 the entropy
 *   is that of the joint (tuple) value. When `dim` is not a multiple of N the whole
 *   `dim`-vector is one series and the multiplier is 1 (`perChannel: false` in the result).
 * - The single-channel entropy is averaged over all N channels and all trials (channels are
 *   i.i.d., so this is the paper's single-channel value with less sampling noise), then × N.
 * - Discrete values (`task.continuousInputs` / `continuousTargets` false) are counted exactly.
 *   Continuous values are binned into `bins` equal-width bins (default 10, numpy's
 *   histogram default) per dimension. With `binning: "global"` (default) the bin edges span
 *   the value range of that dimension over all sampled trials, so a trial that uses a
 *   narrow range has low entropy; with `"per-trial"` each trial's own range is used.
 *   Values equal to the upper edge go to the last bin; a dimension with zero range has one bin.
 * - Every time step counts (the loss mask is ignored): the entropy is a property of the task's
 *   series, not of the loss.
 * - Trials are sampled in distribution: `task.sample(trials, seed)`.
 *
 * Two readings (`reading` option). The paper defines complexity twice, and not identically:
 * - `"per-trial"` (default; §3.1's formula): "the entropy of this time series is given by
 *   H(Y) = −Σ p(y_k) log₂ p(y_k), where n is the number of unique values in the time
 *   series … we averaged the entropy across all trials": the entropy of the distribution of
 *   values over the T steps of one trial, averaged over trials, × N.
 * - `"time-averaged"` (Fig. 2A/B captions): "Input complexity, measured as the entropy of the
 *   time-averaged input signal": per trial and channel, the signal's mean over the T steps
 *   (one value, or one d-vector for a channel of d dims); the entropy of the distribution of
 *   that value over the trials (all channels pooled: they are i.i.d.), × N. A time average
 *   is real-valued whatever the signal, so it is always binned (`bins` equal-width bins per
 *   dimension over the sample's range; `binning` does not apply).
 * {@link complexityReadings} computes both.
 *
 * @module
 */
import type { Task } from "../tasks/types.ts";

/** Options of {@link taskComplexity}. */
export interface ComplexityOptions {
  /** Trials sampled (default 200). */
  trials?: number;
  /** Data seed of the sample (default 0). */
  seed?: number;
  /** Equal-width bins per dimension for continuous values (default 10). */
  bins?: number;
  /** Bin edges over the whole sample (`"global"`, default) or per trial (`"per-trial"`). */
  binning?: "global" | "per-trial";
  /** Which definition (module doc): §3.1's per-trial entropy (default) or Fig. 2's time-averaged signal. */
  reading?: ComplexityReading;
}

/** The two definitions of task complexity in the paper (module doc). */
export type ComplexityReading = "per-trial" | "time-averaged";

/** Result of {@link taskComplexity}. */
export interface TaskComplexity {
  /** Input complexity, bits (N × mean single-channel entropy). */
  input: number;
  /** Output (target) complexity, bits. */
  output: number;
  /** Mean single-channel input entropy, bits (before × N). */
  inputPerChannel: number;
  /** Mean single-channel target entropy, bits. */
  outputPerChannel: number;
  /** Multipliers applied (N, or 1 where the dims do not split into N channels). */
  inputMultiplier: number;
  /** Multiplier applied to the output entropy. */
  outputMultiplier: number;
  /** Trials sampled (option used). */
  trials: number;
  /** Data seed of the sample (option used). */
  seed: number;
  /** Bins per dimension for continuous values (option used). */
  bins: number;
  /** Where the bin edges come from (option used). */
  binning: "global" | "per-trial";
  /** Which definition was computed (module doc). */
  reading: ComplexityReading;
}

/**
 * Shannon entropy (bits) of a list of counts.
 *
 * @example
 * ```ts
 * import { entropyOfCounts } from "@degeneracy/degeneracy";
 * const h = entropyOfCounts([5, 5]); // two equally likely outcomes
 * if (h !== 1) throw new Error(`H = ${h} bits`);
 * ```
 */
export function entropyOfCounts(counts: Iterable<number>): number {
  let total = 0;
  const cs: number[] = [];
  for (const c of counts) {
    if (!(c >= 0)) throw new Error(`counts must be ≥ 0, got ${c}`);
    if (c > 0) {
      cs.push(c);
      total += c;
    }
  }
  let h = 0;
  for (const c of cs) {
    const p = c / total;
    h -= p * Math.log2(p);
  }
  return h === 0 ? 0 : h; // no −0
}

/**
 * Shannon entropy (bits) of the values of a series: each element of `symbols` is one time
 * step's (already discretised) symbol.
 *
 * @example
 * ```ts
 * import { entropyOfSymbols } from "@degeneracy/degeneracy";
 * const h = entropyOfSymbols(["a", "b", "c", "d"]); // four distinct symbols
 * if (h !== 2) throw new Error(`H = ${h} bits`);
 * ```
 */
export function entropyOfSymbols(symbols: Iterable<string | number>): number {
  const counts = new Map<string | number, number>();
  for (const s of symbols) counts.set(s, (counts.get(s) ?? 0) + 1);
  return entropyOfCounts(counts.values());
}

/** Bin index of `x` among `bins` equal-width bins over [lo, hi]. */
function binOf(x: number, lo: number, hi: number, bins: number): number {
  if (!(hi > lo)) return 0;
  const k = Math.floor(((x - lo) / (hi - lo)) * bins);
  return k < 0 ? 0 : k >= bins ? bins - 1 : k;
}

/**
 * Mean single-channel entropy of a `[batch, steps, dim]` array split into `channels`
 * channels of `dim / channels` dims (see the module doc for the conventions).
 *
 * @example
 * ```ts
 * import { seriesEntropy } from "@degeneracy/degeneracy";
 * // One trial, 4 steps, one discrete channel taking two values equally often: 1 bit.
 * const r = seriesEntropy([0, 1, 0, 1], { batch: 1, steps: 4, dim: 1 }, {
 *   channels: 1,
 *   continuous: false,
 * });
 * if (r.perChannel !== 1) throw new Error(`H = ${r.perChannel}`);
 * ```
 */
export function seriesEntropy(
  x: ArrayLike<number>,
  shape: { batch: number; steps: number; dim: number },
  options: {
    channels: number;
    continuous: boolean;
    bins?: number;
    binning?: "global" | "per-trial";
  },
): { perChannel: number; multiplier: number } {
  const { batch, steps, dim } = shape;
  const bins = options.bins ?? 10;
  const binning = options.binning ?? "global";
  if (x.length !== batch * steps * dim) {
    throw new Error(
      `series must have batch·steps·dim = ${batch * steps * dim} entries, got ${x.length}`,
    );
  }
  const split = options.channels >= 1 && dim % options.channels === 0;
  const channels = split ? options.channels : 1;
  const d = dim / channels;
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new Error(`series value at flat index ${i} is not finite: ${x[i]}`);
    }
  }
  // global per-dimension ranges
  const glo = new Float64Array(dim).fill(Infinity);
  const ghi = new Float64Array(dim).fill(-Infinity);
  if (options.continuous && binning === "global") {
    for (let i = 0; i < x.length; i++) {
      const k = i % dim;
      if (x[i] < glo[k]) glo[k] = x[i];
      if (x[i] > ghi[k]) ghi[k] = x[i];
    }
  }
  let sum = 0;
  const lo = new Float64Array(dim);
  const hi = new Float64Array(dim);
  for (let b = 0; b < batch; b++) {
    if (options.continuous) {
      if (binning === "global") {
        lo.set(glo);
        hi.set(ghi);
      } else {
        lo.fill(Infinity);
        hi.fill(-Infinity);
        for (let t = 0; t < steps; t++) {
          for (let k = 0; k < dim; k++) {
            const v = x[(b * steps + t) * dim + k];
            if (v < lo[k]) lo[k] = v;
            if (v > hi[k]) hi[k] = v;
          }
        }
      }
    }
    for (let c = 0; c < channels; c++) {
      const symbols: (string | number)[] = [];
      for (let t = 0; t < steps; t++) {
        const o = (b * steps + t) * dim + c * d;
        if (d === 1) {
          const v = x[o];
          symbols.push(options.continuous ? binOf(v, lo[c], hi[c], bins) : v);
        } else {
          const parts: number[] = [];
          for (let k = 0; k < d; k++) {
            const v = x[o + k];
            parts.push(options.continuous ? binOf(v, lo[c * d + k], hi[c * d + k], bins) : v);
          }
          symbols.push(parts.join(","));
        }
      }
      sum += entropyOfSymbols(symbols);
    }
  }
  return { perChannel: sum / (batch * channels), multiplier: channels };
}

/**
 * Entropy (bits) of the time-averaged signal of a `[batch, steps, dim]` array split into
 * `channels` channels of `dim / channels` dims (Fig. 2 reading, module doc): per trial and
 * channel the mean over steps; those `batch · channels` values (d-vectors) binned into `bins`
 * equal-width bins per dimension over their range; the entropy of the bin distribution. Returns
 * the single-channel entropy and the multiplier N (1 when `dim` does not split into N channels).
 */
export function timeAveragedEntropy(
  x: ArrayLike<number>,
  shape: { batch: number; steps: number; dim: number },
  options: { channels: number; bins?: number },
): { perChannel: number; multiplier: number } {
  const { batch, steps, dim } = shape;
  const bins = options.bins ?? 10;
  if (x.length !== batch * steps * dim) {
    throw new Error(
      `series must have batch·steps·dim = ${batch * steps * dim} entries, got ${x.length}`,
    );
  }
  if (!Number.isInteger(bins) || bins < 1) {
    throw new Error(`bins must be an integer ≥ 1, got ${bins}`);
  }
  const split = options.channels >= 1 && dim % options.channels === 0;
  const channels = split ? options.channels : 1;
  const d = dim / channels;
  // means[(b·channels + c)·d + k]
  const means = new Float64Array(batch * dim);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < steps; t++) {
      const o = (b * steps + t) * dim;
      for (let k = 0; k < dim; k++) {
        const v = x[o + k];
        if (!Number.isFinite(v)) {
          throw new Error(`series value at flat index ${o + k} is not finite: ${v}`);
        }
        means[b * dim + k] += v;
      }
    }
  }
  for (let i = 0; i < means.length; i++) means[i] /= steps;
  const lo = new Float64Array(d).fill(Infinity), hi = new Float64Array(d).fill(-Infinity);
  for (let i = 0; i < means.length; i++) {
    const k = i % d;
    if (means[i] < lo[k]) lo[k] = means[i];
    if (means[i] > hi[k]) hi[k] = means[i];
  }
  const symbols: (string | number)[] = [];
  for (let j = 0; j < batch * channels; j++) {
    if (d === 1) symbols.push(binOf(means[j], lo[0], hi[0], bins));
    else {
      const parts: number[] = [];
      for (let k = 0; k < d; k++) parts.push(binOf(means[j * d + k], lo[k], hi[k], bins));
      symbols.push(parts.join(","));
    }
  }
  return { perChannel: entropyOfSymbols(symbols), multiplier: channels };
}

/**
 * Input and output complexity of `task` in bits (paper §3.1; conventions in the module
 * doc): `{ input, output }` = N × mean single-channel entropy of the input / target series
 * over `trials` sampled trials.
 *
 * @example Output complexity grows with the number of flip-flop channels
 * ```ts
 * import { createTask, taskComplexity } from "@degeneracy/degeneracy";
 * const one = taskComplexity(createTask({ name: "flipflop", n: 1 }), { trials: 20 });
 * const three = taskComplexity(createTask({ name: "flipflop", n: 3 }), { trials: 20 });
 * if (!(three.output > one.output)) throw new Error("more channels, more bits");
 * ```
 */
export function taskComplexity(task: Task, options: ComplexityOptions = {}): TaskComplexity {
  const trials = options.trials ?? 200;
  const seed = options.seed ?? 0;
  const bins = options.bins ?? 10;
  const binning = options.binning ?? "global";
  const reading = options.reading ?? "per-trial";
  if (reading !== "per-trial" && reading !== "time-averaged") {
    throw new Error(`reading must be "per-trial" or "time-averaged", got ${reading}`);
  }
  if (!Number.isInteger(trials) || trials < 1) {
    throw new Error(`trials must be an integer ≥ 1, got ${trials}`);
  }
  if (!Number.isInteger(bins) || bins < 1) {
    throw new Error(`bins must be an integer ≥ 1, got ${bins}`);
  }
  if (binning !== "global" && binning !== "per-trial") {
    throw new Error(`binning must be "global" or "per-trial", got ${binning}`);
  }
  if (!Number.isInteger(task.channels) || task.channels < 1) {
    throw new Error(`task.channels must be an integer ≥ 1, got ${task.channels}`);
  }
  const batch = task.sample(trials, seed);
  const inShape = { batch: batch.batch, steps: batch.steps, dim: batch.inputDim };
  const outShape = { batch: batch.batch, steps: batch.steps, dim: batch.outputDim };
  const inp = reading === "time-averaged"
    ? timeAveragedEntropy(batch.inputs, inShape, { channels: task.channels, bins })
    : seriesEntropy(batch.inputs, inShape, {
      channels: task.channels,
      continuous: task.continuousInputs,
      bins,
      binning,
    });
  const out = reading === "time-averaged"
    ? timeAveragedEntropy(batch.targets, outShape, { channels: task.channels, bins })
    : seriesEntropy(batch.targets, outShape, {
      channels: task.channels,
      continuous: task.continuousTargets,
      bins,
      binning,
    });
  return {
    input: inp.multiplier * inp.perChannel,
    output: out.multiplier * out.perChannel,
    inputPerChannel: inp.perChannel,
    outputPerChannel: out.perChannel,
    inputMultiplier: inp.multiplier,
    outputMultiplier: out.multiplier,
    trials,
    seed,
    bins,
    binning,
    reading,
  };
}

/** Both readings of {@link taskComplexity} on the same sample (module doc). */
export function complexityReadings(
  task: Task,
  options: Omit<ComplexityOptions, "reading"> = {},
): Record<ComplexityReading, TaskComplexity> {
  return {
    "per-trial": taskComplexity(task, { ...options, reading: "per-trial" }),
    "time-averaged": taskComplexity(task, { ...options, reading: "time-averaged" }),
  };
}
