/**
 * Fixed points, slow points and line / plane attractors of tanh RNNs under a constant input
 * (a TypeScript fixed-point finder in the manner of Golub & Sussillo's FixedPointFinder, with
 * batched L-BFGS, Newton refinement to rounding level and continuation along marginal
 * directions). Pure functions, plain arrays in.
 *
 * @module
 */
export { findFixedPoints, sampleStarts } from "./finder.ts";
export { fixedPointNet } from "./network.ts";
export {
  type FixedPointProjection,
  type FixedPointSummary,
  type PointSummary,
  pointSummary,
  projectFixedPoints,
  summarizeFixedPoints,
} from "./summary.ts";
export { FIXED_POINT_DEFAULTS } from "./options.ts";
export { classify as classifyEigenvalues, UNIT_CIRCLE_TOL } from "./linearize.ts";
export type {
  Complex,
  Continuum,
  FixedPoint,
  FixedPointDiagnostics,
  FixedPointNet,
  FixedPointOptions,
  FixedPointResult,
  ResolvedFixedPointOptions,
  StabilityKind,
} from "./types.ts";
/** The trajectory type `projectFixedPoints` takes. */
export type { TrialSeries } from "../tensor.ts";
