/**
 * Fixed points of a trained network in the pipeline: the task's resting input(s), the pool of
 * start states drawn from the network's evaluation trajectories, one `findFixedPoints` run per
 * resting input (metrics/fixed_points/), the per-network numbers the metric file holds and the
 * Fig. 2E view (trajectories, fixed points and continua in the trajectories' leading PCs).
 * Pure functions (arrays in, plain JSON out); the `fixed-points` work unit
 * (scripts/lib/units/fixed_points.ts) and the registry entry `fixed_points`
 * (scripts/lib/metrics.ts) call them.
 *
 * Resting input x* per task (the constant input under which the autonomous map
 * h ↦ tanh(W_h h + b + W_x x*) is analysed):
 *
 * | task                   | x*                                                                  |
 * | ---------------------- | ------------------------------------------------------------------- |
 * | flip-flop              | 0 on every channel (no pulse: the memory period)                    |
 * | delayed discrimination | 0 on every channel (the delay period between the pulses)            |
 * | path integration       | zero velocity: speed 0, heading θ = 0 (and φ = 0 in 3D), start 0    |
 * | sine wave              | one x* per training frequency f: f / fMax on every channel          |
 *
 * Path integration: the heading channels are never all zero during a trial (cos θ, sin θ lie on
 * the unit circle), so the resting input is a real input of the task: speed 0 with heading 0
 * (`cos_sin`: cos θ = 1, sin θ = 0, in 3D also cos φ = 1, sin φ = 0; `raw`: θ = φ = 0); the
 * start-position channels are 0 as on every step after the first. At speed 0 the position must
 * not change whatever the heading, so the states that hold a position form the plane (volume)
 * attractor the paper shows. Sine: the static input f / fMax sets the frequency and the network
 * oscillates (a limit cycle) around the fixed points of that input; every training frequency is
 * a separate run (an off-grid task uses its N_freq grid), with the same f on all channels.
 *
 * @module
 */
import { findFixedPoints } from "../../metrics/fixed_points/finder.ts";
import { fixedPointNet } from "../../metrics/fixed_points/network.ts";
import { FIXED_POINT_DEFAULTS } from "../../metrics/fixed_points/options.ts";
import {
  type FixedPointSummary,
  projectFixedPoints,
  summarizeFixedPoints,
} from "../../metrics/fixed_points/summary.ts";
import type { FixedPointOptions, FixedPointResult } from "../../metrics/fixed_points/types.ts";
import { sineFrequencies } from "../../tasks/sine.ts";
import type { NetworkRecord } from "../../rnn/types.ts";
import type { Task } from "../../tasks/types.ts";

/** A resting input of a task: what it is and the constant input x* (`[inputDim]`). */
export interface RestingInput {
  label: string;
  input: number[];
}

/**
 * The resting input(s) x* of `task` (module doc): one for flip-flop, delayed discrimination and
 * path integration, one per training frequency for sine. Throws for an unknown task family.
 *
 * @example
 * ```ts
 * import { pathIntegrationTask } from "../../tasks/path_integration.ts";
 * const [r] = restingInputs(pathIntegrationTask({ dims: 2 })); // [cos θ, sin θ, v, x0, y0]
 * if (r.input.join() !== "1,0,0,0,0") throw new Error(r.label);
 * ```
 */
export function restingInputs(task: Pick<Task, "name" | "params" | "inputDim">): RestingInput[] {
  const I = task.inputDim;
  const zeros = () => new Array<number>(I).fill(0);
  switch (task.name) {
    case "flipflop":
      return [{ label: "no pulse (input 0)", input: zeros() }];
    case "delayed_discrimination":
      return [{ label: "delay period (input 0)", input: zeros() }];
    case "path_integration": {
      const x = zeros();
      if (task.params.angleEncoding !== "raw") {
        x[0] = 1; // cos θ = 1, sin θ = 0
        if (task.params.dims === 3) x[2] = 1; // cos φ = 1, sin φ = 0
      }
      return [{ label: "zero velocity (speed 0, heading 0)", input: x }];
    }
    case "sine": {
      const p = task.params as Record<string, number>;
      return sineFrequencies(p.nFreq, p.fMin, p.fMax).map((f) => ({
        label: `f = ${Number(f.toFixed(3))} Hz (input f / fMax)`,
        input: new Array<number>(I).fill(f / p.fMax),
      }));
    }
    default:
      throw new Error(`restingInputs: no resting input defined for task "${task.name}"`);
  }
}

/** Index of the resting input shown in Fig. 2E: the middle one (the only one but for sine). */
export function viewInputIndex(count: number): number {
  return Math.floor((count - 1) / 2);
}

/** Settings of the fixed-point analysis of one network (`MeasureSettings.fixedPoints`). */
export interface FixedPointSettings {
  /** Options of `findFixedPoints` (all but `starts`; the pipeline resolves every default). */
  finder: Required<Omit<FixedPointOptions, "starts">>;
  /** Largest pool of start states (evenly strided over all trajectory states). */
  maxStartStates: number;
  /** Leading Jacobian eigenvalues kept per point. */
  eigenvalues: number;
  /** Trials of the trajectories kept in the Fig. 2E view. */
  viewTrials: number;
  /** Digits after the point of the view's coordinates (they are drawn, not analysed). */
  viewDigits: number;
}

/**
 * The pipeline's defaults: the finder's own defaults (`FIXED_POINT_DEFAULTS`: 256 starts plus
 * 256 midpoint starts, noise 0.05, fixed points to a speed of 1e-10, slow points to 1e-3,
 * continua traced through eigenvalues within 0.05 of 1), starts drawn from at most 4096 states of
 * the evaluation trajectories, 4 leading eigenvalues per point, 8 trials in the view.
 */
export const FIXED_POINT_SETTINGS: Readonly<FixedPointSettings> = {
  finder: { ...FIXED_POINT_DEFAULTS },
  maxStartStates: 4096,
  eigenvalues: 4,
  viewTrials: 8,
  viewDigits: 4,
};

/** Hidden-state trajectories in flat form (`data[(trial·steps + t)·units + u]`). */
export interface FlatTrajectories {
  data: Float32Array | Float64Array;
  trials: number;
  steps: number;
  units: number;
}

/**
 * At most `max` states of `h`, evenly strided over all trials and steps (state k·total/max,
 * rounded down), as `[k][H]` rows: the pool the finder draws its starts from.
 */
export function startPool(h: FlatTrajectories, max: number): number[][] {
  if (!Number.isInteger(max) || max < 1) {
    throw new Error(`maxStartStates must be an integer ≥ 1, got ${max}`);
  }
  const total = h.trials * h.steps, H = h.units;
  if (total < 1) throw new Error("trajectories must hold at least one state");
  const k = Math.min(total, max);
  return Array.from({ length: k }, (_, i) => {
    const s = Math.floor((i * total) / k);
    return Array.from(h.data.subarray(s * H, (s + 1) * H));
  });
}

/** One run of the finder under one resting input. */
export interface FixedPointRun {
  label: string;
  /** The resting input x*. */
  input: number[];
  /** `summarizeFixedPoints` of the result (counts, continua, points with states). */
  summary: FixedPointSummary;
  /**
   * Readout W_o h + b_o of the task outputs (auxiliary rows left out) at each stable fixed point,
   * in the order of `summary.points` filtered to the stable ones (`[k][outputs]`).
   */
  stableReadouts: number[][];
}

/** The Fig. 2E view of one run: trajectories and points in the leading PCs. */
export interface FixedPointView {
  /** Index of the run (resting input) shown. */
  run: number;
  /** Principal components kept (3; 2 for path integration in 2D). */
  dims: number;
  /** Fraction of the trajectories' variance along each PC. */
  explained: number[];
  /** The first `viewTrials` trajectories, `[trial][step][dims]`. */
  trajectories: number[][][];
  /** Fixed points `[k][dims]` with their numbers of unstable directions. */
  fixedPoints: number[][];
  unstableDims: number[];
  /** Slow points `[k][dims]`. */
  slowPoints: number[][];
  /** Continuum curves `[continuum][direction][k][dims]` with each continuum's dimension. */
  continua: number[][][][];
  continuumDimensions: number[];
}

/** Everything the analysis of one network gives. */
export interface NetworkFixedPoints {
  /** Mean over the resting inputs of the number of stable fixed points (the metric value). */
  value: number;
  /** Longest line attractor over the resting inputs (0 when none). */
  lineAttractorLength: number;
  runs: FixedPointRun[];
  view: FixedPointView;
  /** The finder's resolved options (without the start count given). */
  options: Record<string, unknown>;
}

/** PCs of the Fig. 2E view of a task: 2 for 2-D path integration, else 3 (at most H). */
export function viewDims(task: Pick<Task, "name" | "params">, hidden: number): number {
  const d = task.name === "path_integration" && task.params.dims === 2 ? 2 : 3;
  return Math.min(d, hidden);
}

/**
 * Fixed points of one saved network under each resting input of its task: starts from
 * {@link startPool} of its evaluation trajectories `h`, the finder with `s.finder`, the summary
 * of each run, the readouts at the stable points and the Fig. 2E view of the middle run. Throws
 * naming the field when the network does not fit the task or the trajectories.
 */
export function networkFixedPoints(
  record: Pick<NetworkRecord, "shape" | "final" | "initial">,
  task: Pick<Task, "name" | "params" | "inputDim" | "outputDim">,
  h: FlatTrajectories,
  s: FixedPointSettings = FIXED_POINT_SETTINGS,
): NetworkFixedPoints {
  const shape = record.shape;
  if (shape.inputDim !== task.inputDim) {
    throw new Error(
      `record.shape.inputDim (${shape.inputDim}) must equal the task's inputDim (${task.inputDim})`,
    );
  }
  if (h.units !== shape.hidden) {
    throw new Error(`trajectories have ${h.units} units, the network ${shape.hidden}`);
  }
  const starts = startPool(h, s.maxStartStates);
  const inputs = restingInputs(task);
  const viewAt = viewInputIndex(inputs.length);
  const outputs = shape.outputDim - shape.auxDim;
  const { wo, bo } = record.final;
  let viewResult: FixedPointResult | null = null;
  let options: Record<string, unknown> = {};
  const runs = inputs.map((ri, k): FixedPointRun => {
    const r = findFixedPoints(fixedPointNet(record, ri.input), { ...s.finder, starts });
    if (k === viewAt) viewResult = r;
    options = { ...r.options };
    delete options.startsGiven;
    const stableReadouts = r.fixedPoints.filter((p) => p.stable).map((p) =>
      Array.from({ length: outputs }, (_, o) => {
        let y = bo[o];
        for (let i = 0; i < p.h.length; i++) y += wo[o][i] * p.h[i];
        return y;
      })
    );
    return {
      label: ri.label,
      input: ri.input,
      summary: summarizeFixedPoints(r, s.eigenvalues),
      stableReadouts,
    };
  });
  const dims = viewDims(task, shape.hidden);
  const v = viewResult as unknown as FixedPointResult;
  const p = projectFixedPoints(h, v, dims);
  const scale = 10 ** s.viewDigits;
  const round = (x: number) => Math.round(x * scale) / scale;
  const rows = (xs: number[][]) => xs.map((r) => r.map(round));
  const view: FixedPointView = {
    run: viewAt,
    dims,
    explained: p.explained,
    trajectories: p.trajectories.slice(0, s.viewTrials).map(rows),
    fixedPoints: rows(p.fixedPoints),
    unstableDims: v.fixedPoints.map((q) => q.unstableDims),
    slowPoints: rows(p.slowPoints),
    continua: p.continua.map((c) => c.map(rows)),
    continuumDimensions: v.continua.map((c) => c.dimension),
  };
  const stable = runs.map((r) => r.summary.stable);
  return {
    value: stable.reduce((a, b) => a + b, 0) / stable.length,
    lineAttractorLength: Math.max(...runs.map((r) => r.summary.lineAttractorLength)),
    runs,
    view,
    options,
  };
}

/**
 * A run as the population's metric file keeps it: the summary without the states (they stay in
 * the per-network files) and without the finder's wall time (not a result).
 */
export function compactRun(run: FixedPointRun): Omit<FixedPointRun, "summary"> & {
  summary: Omit<FixedPointSummary, "timeMs" | "points" | "slow"> & {
    points: Omit<FixedPointSummary["points"][number], "h">[];
    slow: Omit<FixedPointSummary["slow"][number], "h">[];
  };
} {
  const strip = <T extends { h: number[] }>(p: T): Omit<T, "h"> => {
    const { h: _h, ...rest } = p;
    return rest;
  };
  const { timeMs: _t, points, slow, ...summary } = run.summary;
  return { ...run, summary: { ...summary, points: points.map(strip), slow: slow.map(strip) } };
}
