/**
 * Types of the fixed-point finder (`findFixedPoints`): the autonomous map
 * h ↦ F(h) = tanh(W h + b) of a vanilla tanh RNN under a constant input, its fixed and slow
 * points, and the continua (line / plane attractors) traced through them.
 *
 * @module
 */

/**
 * The autonomous map of a trained RNN under a constant input x*: F(h) = tanh(W h + b) with
 * `wh` = W (`[H][H]`, `wh[i][j]` multiplies h_j into unit i) and `b` the effective bias
 * b + W_x x* (`[H]`). Build it from a saved network with `fixedPointNet`.
 */
export interface FixedPointNet {
  /** Recurrent weights W, `[H][H]`. */
  wh: number[][];
  /** Effective bias b + W_x x*, `[H]`. */
  b: number[];
}

/** A complex eigenvalue. */
export interface Complex {
  /** Real part. */
  re: number;
  /** Imaginary part. */
  im: number;
}

/** How a point behaves under the map, from the moduli of its Jacobian's eigenvalues. */
export type StabilityKind =
  /** every |λ| < 1 */
  | "stable"
  /** some |λ| > 1 and some |λ| < 1 (`unstableDims` counts the former) */
  | "saddle"
  /** every |λ| > 1 */
  | "unstable"
  /** no |λ| > 1 but some |λ| = 1 exactly (non-hyperbolic, e.g. the centre of a line attractor) */
  | "marginal";

/** A fixed point (or slow point) of the map with its linearisation. */
export interface FixedPoint {
  /** The state h, `[H]`. */
  h: number[];
  /** Speed ‖F(h) − h‖ (Euclidean norm, hidden-state units per step). */
  residual: number;
  /**
   * Eigenvalues of the Jacobian of the map, J = diag(1 − F(h)²) W, sorted by decreasing
   * modulus (complex pairs adjacent, positive imaginary part first).
   */
  eigenvalues: Complex[];
  /** Whether every eigenvalue has modulus < 1. */
  stable: boolean;
  /** Number of eigenvalues with modulus > 1 (unstable directions). */
  unstableDims: number;
  /** Stability label (see {@link StabilityKind}). */
  kind: StabilityKind;
}

/**
 * A continuum of slow points through a marginal point (a Jacobian eigenvalue near 1): a line
 * attractor (dimension 1) or a plane attractor (dimension 2, …), traced by predictor–corrector
 * continuation along each marginal eigen-direction until the speed exceeds the slow-point
 * tolerance.
 */
export interface Continuum {
  /** Number of Jacobian eigenvalues within `marginalTol` of 1 at the seed. */
  dimension: number;
  /** The point the tracing started from (a fixed or slow point). */
  seed: number[];
  /** Where the seed came from: index into `fixedPoints` or `slowPoints`. */
  seedFrom: { list: "fixedPoints" | "slowPoints"; index: number };
  /** Orthonormal marginal eigen-directions at the seed, `[dimension][H]`. */
  directions: number[][];
  /**
   * Arc length traced along each direction (both senses together), hidden-state units; for a
   * line attractor `extents[0]` is its length.
   */
  extents: number[];
  /** Whether the curve along a direction came back to the seed (a ring). */
  closed: boolean[];
  /** The traced states along each direction, from one end to the other, `[dimension][k][H]`. */
  curves: number[][][];
  /** Largest speed ‖F(h) − h‖ on the traced curves. */
  maxResidual: number;
  /** Indices of the fixed and slow points lying within `slowRadius` of a traced curve. */
  members: { fixedPoints: number[]; slowPoints: number[] };
}

/** Counters of one run of the finder. */
export interface FixedPointDiagnostics {
  /** Starts optimised (both rounds). */
  starts: number;
  /** Starts by how the first-order phase ended. */
  startOutcomes: { converged: number; stalled: number; iterationLimit: number; diverged: number };
  /** Batched L-BFGS iterations (each evaluates the map and gradient for every active start). */
  lbfgsIterations: number;
  /** Accepted L-BFGS steps summed over starts. */
  lbfgsSteps: number;
  /** Starts retired early because one chord step showed them in a known fixed point's basin. */
  absorbed: number;
  /** Newton refinements run. */
  newtonCandidates: number;
  /** Newton iterations in total. */
  newtonIterations: number;
  /** Wall time of each phase, milliseconds. */
  timeMs: { minimize: number; refine: number; eigen: number; continua: number; total: number };
}

/** Result of `findFixedPoints`. */
export interface FixedPointResult {
  /** Unique fixed points, residual ≤ `fixedTol`, sorted by (unstableDims, then h lexicographic). */
  fixedPoints: FixedPoint[];
  /** Unique slow points: `fixedTol` < residual ≤ `slowTol`, sorted by residual. */
  slowPoints: FixedPoint[];
  /** Line / plane attractors traced through marginal points (empty when none or disabled). */
  continua: Continuum[];
  /** The options used, defaults filled in. */
  options: ResolvedFixedPointOptions;
  /** Counters and timings. */
  diagnostics: FixedPointDiagnostics;
}

/** Options of `findFixedPoints`; every field is optional. */
export interface FixedPointOptions {
  /**
   * States to start from, `[k][H]` (e.g. every state of the network's trajectories under the
   * task). `numStarts` of them are drawn (seeded, without replacement while possible) and
   * perturbed by Gaussian noise of standard deviation `noise`. Without `starts`, starts are
   * drawn uniformly from the cube (−1, 1)^H (the range of tanh).
   */
  starts?: number[][];
  /** Seed of the start sampling and noise (default 0). */
  seed?: number;
  /** Number of starts (default 256; integer in [1, 100000]). */
  numStarts?: number;
  /** Standard deviation of the Gaussian noise added to each start (default 0.05; ≥ 0). */
  noise?: number;
  /**
   * Second-round starts at the midpoints of pairs of fixed points found in the first round
   * (the nearest pairs first, at most this many; default 256; integer in [0, 100000]; 0 turns
   * the round off). Saddles lie between the attractors whose basins they separate, where
   * trajectories seldom pass.
   */
  midpoints?: number;
  /** A point is a fixed point when ‖F(h) − h‖ ≤ fixedTol (default 1e-10; in (0, 1e-3]). */
  fixedTol?: number;
  /** A point is a slow point when fixedTol < ‖F(h) − h‖ ≤ slowTol (default 1e-3; ≥ fixedTol). */
  slowTol?: number;
  /** L-BFGS iteration limit per start (default 1000; integer in [1, 1000000]). */
  maxIters?: number;
  /** L-BFGS memory (default 10; integer in [1, 100]). */
  memory?: number;
  /**
   * Newton refinement is tried on a start once its speed ‖F(h) − h‖ ≤ handoffTol (default
   * 1e-2; in [fixedTol, 1]); after a failed try, again only once the speed has dropped a
   * hundredfold. Starts whose speed is below 0.1 are first tested for absorption into a fixed
   * point already found (chord-Newton steps), which ends most starts early.
   */
  handoffTol?: number;
  /** L-BFGS stops a start once ‖∇q‖ ≤ gradTol (default 1e-14; > 0). */
  gradTol?: number;
  /** Newton iteration limit per candidate (default 30; integer in [1, 1000]). */
  maxNewtonIters?: number;
  /**
   * Two fixed points closer than this (Euclidean) are one, the slower kept (default 1e-3, the
   * anchor's `tol_unique`; > 0). Hyperbolic fixed points are found to ~1e-15, so this only
   * matters where a fixed point is degenerate (a Jacobian eigenvalue at 1: Newton then stops
   * anywhere on a tiny segment whose speed is below `fixedTol`).
   */
  uniqueTol?: number;
  /** Candidates for refinement closer than this are merged before Newton (default 1e-4; > 0). */
  mergeRadius?: number;
  /** Slow points closer than this to a kept fixed or slow point are dropped (default 0.05; > 0). */
  slowRadius?: number;
  /** At most this many slow points are kept, the slowest first (default 200; integer ≥ 0). */
  maxSlowPoints?: number;
  /**
   * A Jacobian eigenvalue λ is marginal when it is real-ish (|Im λ| ≤ marginalTol) and
   * |λ − 1| ≤ marginalTol (default 0.05; in (0, 1)).
   */
  marginalTol?: number;
  /** Trace continua through marginal points (default true). */
  continua?: boolean;
  /**
   * Speed bound along a traced continuum: tracing stops where ‖F(h) − h‖ exceeds it (default
   * 1e-2; > 0). Trained line attractors are approximate: a chain of fixed and slow points
   * joined by states that drift slowly, so this is looser than `slowTol`.
   */
  continuumTol?: number;
  /** First continuation step, hidden-state units (default 0.05; > 0). */
  traceStep?: number;
  /** Continuation steps per sense of each direction (default 400; integer ≥ 1). */
  maxTraceSteps?: number;
  /** Continua shorter than this (every extent) are not reported (default 0.1; ≥ 0). */
  minContinuumLength?: number;
}

/** `FixedPointOptions` with every default filled in (`starts` stays optional). */
export type ResolvedFixedPointOptions =
  & Required<Omit<FixedPointOptions, "starts">>
  & { startsGiven: number };
