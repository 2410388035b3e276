import { formatDuration as fmtDuration } from "../../rnn/progress.ts";

/**
 * A throttled progress printer for long pipeline stages: `done / total` work units, elapsed
 * time and an ETA extrapolated from the rate so far, one line at most every `intervalMs` on
 * stderr. Silent when `quiet`.
 */
export class Progress {
  #total: number;
  #done = 0;
  #start = performance.now();
  #last = -Infinity;
  #label: string;
  #quiet: boolean;
  #intervalMs: number;

  /** `total` work units (any unit, e.g. estimated seconds); must be ≥ 0. */
  constructor(
    label: string,
    total: number,
    options: { quiet?: boolean; intervalMs?: number } = {},
  ) {
    if (!(total >= 0)) throw new Error(`Progress: total must be >= 0, got ${total}`);
    this.#label = label;
    this.#total = total;
    this.#quiet = options.quiet ?? false;
    this.#intervalMs = options.intervalMs ?? 2000;
  }

  /** Adds to the work total (e.g. when a stage discovers more work). */
  addTotal(units: number): void {
    this.#total += units;
  }

  /** Marks `units` more work done and prints a line when the throttle allows. */
  advance(units: number, note = ""): void {
    this.#done += units;
    this.print(note);
  }

  /** Prints a status line (throttled unless `force`). */
  print(note = "", force = false): void {
    if (this.#quiet) return;
    const now = performance.now();
    if (!force && now - this.#last < this.#intervalMs) return;
    this.#last = now;
    const elapsed = (now - this.#start) / 1000;
    const frac = this.#total > 0 ? Math.min(1, this.#done / this.#total) : 1;
    const eta = frac > 0 && frac < 1 ? elapsed * (1 - frac) / frac : 0;
    const line = `[${this.#label}] ${(100 * frac).toFixed(1)}% elapsed ${fmtDuration(elapsed)}` +
      (frac < 1 && frac > 0 ? ` eta ${fmtDuration(eta)}` : "") + (note ? ` ${note}` : "");
    console.error(line);
  }

  /** Prints a one-off message (not throttled) unless quiet. */
  log(message: string): void {
    if (!this.#quiet) console.error(`[${this.#label}] ${message}`);
  }
}

/** Formats seconds as `1h02m`, `3m05s` or `12s` (the library's `formatDuration`). */
export { fmtDuration };
