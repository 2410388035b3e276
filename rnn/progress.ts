/**
 * Throttled progress lines for long training runs (scripts): epoch, mean losses, members
 * converged/diverged, elapsed time and ETA, on stderr by default, at most one line per
 * `intervalSec` (the last epoch always prints). Silent with `quiet`.
 *
 * @module
 */
import type { TrainProgress } from "./train.ts";

/** Options of `progressPrinter`. */
export interface ProgressPrinterOptions {
  /** Print nothing. */
  quiet?: boolean;
  /** Minimum seconds between lines (default 2). */
  intervalSec?: number;
  /** Line prefix, e.g. the task id. */
  label?: string;
  /** Where lines go (default: stderr). */
  write?: (line: string) => void;
  /** Clock in seconds (default `performance.now() / 1000`; injectable for tests). */
  now?: () => number;
}

/**
 * Human duration: `42s`, `3m05s`, `2h07m`.
 *
 * @example
 * ```ts
 * import { formatDuration } from "@degeneracy/degeneracy";
 * if (formatDuration(185) !== "3m05s" || formatDuration(7620) !== "2h07m") throw new Error("format");
 * ```
 */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return "?";
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * One progress line for `p`.
 *
 * @example
 * ```ts
 * import { formatProgress } from "@degeneracy/degeneracy";
 * const line = formatProgress({
 *   epoch: 3,
 *   maxEpochs: 10,
 *   members: 4,
 *   active: 4,
 *   converged: 0,
 *   diverged: 0,
 *   meanTrainLoss: 0.25,
 *   meanTestLoss: 0.3,
 *   elapsedSec: 12,
 *   etaSec: 28,
 *   backend: "cpu-wasm-simd",
 * }, "flipflop-n3");
 * console.log(line); // flipflop-n3 epoch 3/10 train 2.500e-1 test 3.000e-1 …
 * ```
 */
export function formatProgress(p: TrainProgress, label = ""): string {
  const fmt = (x: number) => (Number.isFinite(x) ? x.toExponential(3) : String(x));
  return `${label ? label + " " : ""}epoch ${p.epoch}/${p.maxEpochs} train ${
    fmt(p.meanTrainLoss)
  } ` +
    `test ${fmt(p.meanTestLoss)} converged ${p.converged}/${p.members} diverged ${p.diverged} ` +
    `active ${p.active} [${p.backend}] ${formatDuration(p.elapsedSec)} elapsed, ETA ≤ ${
      formatDuration(p.etaSec)
    }`;
}

/**
 * An `onProgress` callback printing throttled lines (module doc).
 *
 * @example
 * ```ts
 * import {
 *   createTask,
 *   defaultTrainingConfig,
 *   progressPrinter,
 *   trainPopulation,
 * } from "@degeneracy/degeneracy";
 * const lines: string[] = [];
 * const task = createTask({ name: "flipflop", n: 1, steps: 10 });
 * const config = defaultTrainingConfig(task, { hidden: 4, maxEpochs: 2, stepsPerEpoch: 1 });
 * await trainPopulation(task, config, {
 *   members: 1,
 *   workers: 0,
 *   onProgress: progressPrinter({ label: task.id, write: (l) => lines.push(l) }),
 * });
 * console.log(lines.at(-1)); // the last epoch always prints
 * ```
 */
export function progressPrinter(opts: ProgressPrinterOptions = {}): (p: TrainProgress) => void {
  if (opts.quiet) return () => {};
  const interval = opts.intervalSec ?? 2;
  if (!(interval >= 0 && Number.isFinite(interval))) {
    throw new Error(`intervalSec must be finite and ≥ 0, got ${interval}`);
  }
  const encoder = new TextEncoder();
  const write = opts.write ??
    ((line: string) => Deno.stderr.writeSync(encoder.encode(line + "\n")));
  const now = opts.now ?? (() => performance.now() / 1000);
  let last = -Infinity;
  return (p) => {
    const t = now();
    const done = p.active === 0 || p.epoch >= p.maxEpochs;
    if (!done && t - last < interval) return;
    last = t;
    write(formatProgress(p, opts.label));
  };
}
