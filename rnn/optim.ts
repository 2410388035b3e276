/**
 * Adam (torch.optim.Adam semantics, no weight decay, no amsgrad) and the learning-rate
 * schedulers of Appendix A (torch.optim.lr_scheduler semantics), for one network.
 *
 * @module
 */
import type { AdamConfig, SchedulerConfig } from "./types.ts";

/** PyTorch's Adam defaults: β₁ = 0.9, β₂ = 0.999, ε = 1e-8. */
export const DEFAULT_ADAM: AdamConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/** Checks Adam hyper-parameters; throws naming the field and range. */
export function validateAdam(c: AdamConfig): void {
  for (const key of ["beta1", "beta2"] as const) {
    if (!(c[key] >= 0 && c[key] < 1)) {
      throw new Error(`adam.${key} must be in [0, 1), got ${c[key]}`);
    }
  }
  if (!(c.eps > 0 && Number.isFinite(c.eps))) {
    throw new Error(`adam.eps must be a finite number > 0, got ${c.eps}`);
  }
}

/**
 * Adam moment estimates of one flat parameter vector.
 *
 * @example
 * ```ts
 * import { AdamState } from "@degeneracy/degeneracy";
 * const params = new Float32Array([1]);
 * const adam = new AdamState(1); // PyTorch's defaults
 * adam.step(params, new Float32Array([0.5]), 0.1); // first step moves by lr (bias-corrected)
 * if (Math.abs(params[0] - 0.9) > 1e-6) throw new Error(`${params[0]}`);
 * ```
 */
export class AdamState {
  /** First moment (float32, as PyTorch's `exp_avg`). */
  readonly m: Float32Array;
  /** Second moment (float32, as PyTorch's `exp_avg_sq`). */
  readonly v: Float32Array;
  /** Steps taken. */
  t = 0;

  /** Zero moments for a parameter vector of length `size`. */
  constructor(size: number, readonly config: AdamConfig = DEFAULT_ADAM) {
    validateAdam(config);
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
  }

  /**
   * One Adam step on `params` in place with gradient `grads` and learning rate `lr`:
   * m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; p ← p − (lr/(1−β₁ᵗ))·m / (√v/√(1−β₂ᵗ) + ε),
   * each elementwise result rounded to float32 like PyTorch's float32 tensors.
   */
  step(params: Float32Array, grads: Float32Array, lr: number): void {
    const { m, v } = this;
    if (params.length !== m.length || grads.length !== m.length) {
      throw new Error(`Adam: params and grads must have length ${m.length}`);
    }
    if (!(lr >= 0 && Number.isFinite(lr))) throw new Error(`lr must be finite and ≥ 0, got ${lr}`);
    const { beta1, beta2, eps } = this.config;
    this.t++;
    const bc1 = 1 - Math.pow(beta1, this.t);
    const bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, this.t));
    const stepSize = lr / bc1;
    const a1 = 1 - beta1, a2 = 1 - beta2;
    for (let i = 0; i < params.length; i++) {
      const g = grads[i];
      const mi = (m[i] = m[i] + a1 * (g - m[i]));
      const vi = (v[i] = v[i] * beta2 + a2 * g * g);
      params[i] = params[i] - stepSize * (mi / (Math.fround(Math.sqrt(vi) / bc2Sqrt) + eps));
    }
  }

  /** Snapshot of the state (for rolling back a rejected step). */
  snapshot(): { m: Float32Array; v: Float32Array; t: number } {
    return { m: this.m.slice(), v: this.v.slice(), t: this.t };
  }

  /** Restores a snapshot taken by `snapshot`. */
  restore(s: { m: Float32Array; v: Float32Array; t: number }): void {
    this.m.set(s.m);
    this.v.set(s.v);
    this.t = s.t;
  }
}

/** Checks a scheduler configuration; throws naming the field and range. */
export function validateScheduler(s: SchedulerConfig): void {
  switch (s?.kind) {
    case "none":
      return;
    case "cosine_warm_restarts":
      if (!Number.isInteger(s.t0) || s.t0 < 1) {
        throw new Error(`scheduler.t0 must be an integer ≥ 1, got ${s.t0}`);
      }
      if (!Number.isInteger(s.tMult) || s.tMult < 1) {
        throw new Error(`scheduler.tMult must be an integer ≥ 1, got ${s.tMult}`);
      }
      if (!(s.etaMin >= 0 && Number.isFinite(s.etaMin))) {
        throw new Error(`scheduler.etaMin must be finite and ≥ 0, got ${s.etaMin}`);
      }
      return;
    case "reduce_on_plateau":
      if (!(s.factor > 0 && s.factor < 1)) {
        throw new Error(`scheduler.factor must be in (0, 1), got ${s.factor}`);
      }
      if (!Number.isInteger(s.patience) || s.patience < 0) {
        throw new Error(`scheduler.patience must be an integer ≥ 0, got ${s.patience}`);
      }
      if (!(s.threshold >= 0 && Number.isFinite(s.threshold))) {
        throw new Error(`scheduler.threshold must be finite and ≥ 0, got ${s.threshold}`);
      }
      if (!(s.minLr >= 0 && Number.isFinite(s.minLr))) {
        throw new Error(`scheduler.minLr must be finite and ≥ 0, got ${s.minLr}`);
      }
      return;
    default:
      throw new Error(
        `scheduler.kind must be "none", "cosine_warm_restarts" or "reduce_on_plateau", got ${
          (s as { kind?: unknown })?.kind
        }`,
      );
  }
}

/**
 * Learning-rate schedule of one member, stepped once per epoch after the test loss is known.
 * `lr` is the rate for the next epoch.
 */
export interface LrScheduler {
  /** Current learning rate. */
  readonly lr: number;
  /** End of an epoch with the given test loss; updates `lr`. */
  step(testLoss: number): void;
  /** The schedule's mutable state (for a training checkpoint); plain numbers, copies. */
  getState(): SchedulerState;
  /**
   * Restores a state returned by `getState` of a scheduler with the same configuration;
   * throws naming the field when a value is missing or of the wrong kind.
   */
  setState(state: SchedulerState): void;
}

/**
 * Mutable state of a learning-rate schedule: the current rate and, per kind, its counters
 * (`tCur`, `tI` for cosine warm restarts; `best`, `bad` for reduce-on-plateau). `best` may be
 * `Infinity` before the first finite loss.
 */
export interface SchedulerState {
  /** Learning rate of the next epoch. */
  lr: number;
  /** Epochs since the last restart (cosine warm restarts). */
  tCur?: number;
  /** Length of the current cycle in epochs (cosine warm restarts). */
  tI?: number;
  /** Best test loss so far (reduce-on-plateau). */
  best?: number;
  /** Epochs without improvement (reduce-on-plateau). */
  bad?: number;
}

function stateNumber(
  state: SchedulerState,
  key: keyof SchedulerState,
  ok: (x: number) => boolean,
  range: string,
): number {
  const x = state?.[key];
  if (typeof x !== "number" || !ok(x)) {
    throw new Error(`scheduler state.${key} must be ${range}, got ${x}`);
  }
  return x;
}

const positiveLr = (x: number) => x >= 0 && Number.isFinite(x);

/** Constant learning rate. */
class ConstantLr implements LrScheduler {
  constructor(public lr: number) {}
  step(_testLoss: number): void {}
  getState(): SchedulerState {
    return { lr: this.lr };
  }
  setState(state: SchedulerState): void {
    this.lr = stateNumber(state, "lr", positiveLr, "a finite number ≥ 0");
  }
}

/**
 * torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(T_0, T_mult, eta_min) stepped with
 * `scheduler.step()` once per epoch: lr = η_min + (lr₀ − η_min)(1 + cos(π T_cur / T_i)) / 2,
 * T_cur += 1 per epoch, and on T_cur ≥ T_i: T_cur −= T_i, T_i ·= T_mult.
 *
 * @example
 * ```ts
 * import { CosineWarmRestarts } from "@degeneracy/degeneracy";
 * const s = new CosineWarmRestarts(1, 4, 1, 0); // lr₀ = 1, T_0 = 4 epochs
 * const lrs = Array.from({ length: 5 }, () => (s.step(NaN), s.lr));
 * if (lrs[3] !== 1) throw new Error(`restart expected, got ${lrs}`); // back to lr₀ after 4 epochs
 * ```
 */
export class CosineWarmRestarts implements LrScheduler {
  lr: number;
  private tCur = 0;
  private tI: number;
  /** The schedule starting at `baseLr` (T_0 = `t0` epochs, T_mult = `tMult`, η_min = `etaMin`). */
  constructor(
    readonly baseLr: number,
    readonly t0: number,
    readonly tMult: number,
    readonly etaMin: number,
  ) {
    this.tI = t0;
    this.lr = baseLr;
  }
  step(_testLoss: number): void {
    this.tCur += 1;
    if (this.tCur >= this.tI) {
      this.tCur -= this.tI;
      this.tI *= this.tMult;
    }
    this.lr = this.etaMin +
      (this.baseLr - this.etaMin) * (1 + Math.cos(Math.PI * this.tCur / this.tI)) / 2;
  }
  /** `{ lr, tCur, tI }`. */
  getState(): SchedulerState {
    return { lr: this.lr, tCur: this.tCur, tI: this.tI };
  }
  /** Restores `{ lr, tCur, tI }`. */
  setState(state: SchedulerState): void {
    const lr = stateNumber(state, "lr", positiveLr, "a finite number ≥ 0");
    const count = (x: number) => Number.isInteger(x) && x >= 0;
    const tCur = stateNumber(state, "tCur", count, "an integer ≥ 0");
    const tI = stateNumber(state, "tI", (x) => count(x) && x >= 1, "an integer ≥ 1");
    this.lr = lr;
    this.tCur = tCur;
    this.tI = tI;
  }
}

/**
 * torch.optim.lr_scheduler.ReduceLROnPlateau(mode="min", factor, patience, threshold,
 * threshold_mode="rel", cooldown=0, min_lr, eps=1e-8) stepped with the epoch's test loss:
 * a loss is an improvement when < best·(1 − threshold); after more than `patience` epochs
 * without one, lr ← max(lr·factor, min_lr) (skipped if the change is ≤ 1e-8) and the count
 * restarts. A NaN loss counts as no improvement.
 *
 * @example
 * ```ts
 * import { ReduceOnPlateau } from "@degeneracy/degeneracy";
 * const s = new ReduceOnPlateau(1, 0.5, 1, 1e-4, 0); // halve after 2 epochs without improvement
 * for (const loss of [1, 1, 1]) s.step(loss);
 * if (s.lr !== 0.5) throw new Error(`lr ${s.lr}`);
 * ```
 */
export class ReduceOnPlateau implements LrScheduler {
  lr: number;
  private best = Infinity;
  private bad = 0;
  /** The schedule starting at `baseLr`. */
  constructor(
    baseLr: number,
    readonly factor: number,
    readonly patience: number,
    readonly threshold: number,
    readonly minLr: number,
  ) {
    this.lr = baseLr;
  }
  step(testLoss: number): void {
    if (testLoss < this.best * (1 - this.threshold)) {
      this.best = testLoss;
      this.bad = 0;
    } else {
      this.bad += 1;
    }
    if (this.bad > this.patience) {
      const next = Math.max(this.lr * this.factor, this.minLr);
      if (this.lr - next > 1e-8) this.lr = next;
      this.bad = 0;
    }
  }
  /** `{ lr, best, bad }`. */
  getState(): SchedulerState {
    return { lr: this.lr, best: this.best, bad: this.bad };
  }
  /** Restores `{ lr, best, bad }`. */
  setState(state: SchedulerState): void {
    const lr = stateNumber(state, "lr", positiveLr, "a finite number ≥ 0");
    const best = stateNumber(state, "best", (x) => !Number.isNaN(x), "a number (Infinity allowed)");
    const bad = stateNumber(state, "bad", (x) => Number.isInteger(x) && x >= 0, "an integer ≥ 0");
    this.lr = lr;
    this.best = best;
    this.bad = bad;
  }
}

/**
 * A fresh scheduler for one member with initial learning rate `baseLr`.
 *
 * @example
 * ```ts
 * import { createScheduler } from "@degeneracy/degeneracy";
 * const s = createScheduler({ kind: "cosine_warm_restarts", t0: 10, tMult: 1, etaMin: 0 }, 1e-3);
 * s.step(0.5); // end of an epoch with test loss 0.5
 * console.log(s.lr);
 * ```
 */
export function createScheduler(config: SchedulerConfig, baseLr: number): LrScheduler {
  validateScheduler(config);
  if (!(baseLr > 0 && Number.isFinite(baseLr))) {
    throw new Error(`lr must be finite and > 0, got ${baseLr}`);
  }
  switch (config.kind) {
    case "none":
      return new ConstantLr(baseLr);
    case "cosine_warm_restarts":
      return new CosineWarmRestarts(baseLr, config.t0, config.tMult, config.etaMin);
    case "reduce_on_plateau":
      return new ReduceOnPlateau(
        baseLr,
        config.factor,
        config.patience,
        config.threshold,
        config.minLr,
      );
  }
}
