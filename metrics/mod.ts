/**
 * Degeneracy metrics (paper §3, Appendices B–D): pure functions, plain arrays in.
 *
 * - Task complexity (§3.1): `taskComplexity` and the entropies it is built from.
 * - Representations and dynamics: `dimensionality` (§3.1), `attractorness` (Appendix B), DSA
 *   (`dsa/`, Appendix C), fixed and slow points and continuous attractors (`fixed_points/`),
 *   classical MDS.
 * - Weights: PIF (`pif/`, Appendix D) on the assignment solver of `lsa.ts`, distance from
 *   initialisation (§3.2.2).
 * - Behaviour: OOD mean squared error and its coefficient of variation (§3.2.3).
 * - Report statistics (rank correlations, permutation tests, bootstrap CIs, trend and
 *   equivalence tests), the variance of a degeneracy statistic by source (networks, evaluation
 *   batch, optimiser: `noise.ts`) and the power of the trend test (`power.ts`), and the
 *   self-checks recorded with every distance matrix.
 * - The library's seeded random streams (`rng.ts`), used by the tasks and the training engine
 *   too.
 *
 * Internal, not exported here: the pairwise-matrix layer (`pairwise.ts`), the Web Worker pool
 * (`worker_pool.ts`) and the worker modules.
 *
 * @module
 */
export {
  type ComplexityOptions,
  type ComplexityReading,
  complexityReadings,
  entropyOfCounts,
  entropyOfSymbols,
  seriesEntropy,
  type TaskComplexity,
  taskComplexity,
  timeAveragedEntropy,
} from "./complexity.ts";
export {
  type BaseComplexities,
  type ComplexityPoint,
  type ComplexityStatement,
  type ComplexityStatementInput,
  complexityStatements,
} from "./complexity_claims.ts";
export { dimensionality, type PcaSpectrum, pcaSpectrum } from "./dimensionality.ts";
export {
  type Attractorness,
  attractorness,
  attractornessOrdering,
  type FamilyAttractorness,
} from "./attractorness.ts";
export {
  compareDmd,
  deserializePreparedOperator,
  determinantSign,
  dmdEigenvalues,
  type DmdFit,
  type DmdOptions,
  type DsaDetailed,
  dsaDistance,
  dsaDistanceDetailed,
  dsaDistanceMatrix,
  dsaDistanceMatrixParallel,
  dsaLinearSumAssignment,
  type DsaMatrixResult,
  dsaOptimiser,
  type DsaOptions,
  type DsaPairMeasure,
  dsaPairMeasure,
  dsaWorkersAvailable,
  eigenvalueWasserstein,
  fitDmd,
  type FlatTrajectories,
  HANKEL_RANK_RTOL,
  hankelNumericalRank,
  PREPARED_OPERATOR_FORMAT,
  type PreparedOperator,
  type PreparedOperatorHeader,
  prepareDsaOperator,
  prepareOperator,
  PROCRUSTES_LEGACY_OPTIMISER,
  PROCRUSTES_OPTIMISER,
  procrustesDistance,
  type ProcrustesOptions,
  type ProcrustesResult,
  type ProcrustesRun,
  serializePreparedOperator,
  spectralLowerBound,
  toFlatTrajectories,
  type Trajectories,
} from "./dsa/mod.ts";
export {
  pifDistance,
  pifDistanceMatrix,
  pifDistanceMatrixParallel,
  type PifMatrixOptions,
  type PifMatrixResult,
  type PifOptions,
  type PifResult,
  pifWorkersAvailable,
} from "./pif/mod.ts";
export type { PairwiseParallelOptions } from "./pairwise.ts";
export {
  type AssignmentResult,
  type AssignmentWorkspace,
  assignmentWorkspace,
  linearSumAssignment,
  solveAssignment,
} from "./lsa.ts";
export { distanceFromInit, frobeniusDistance } from "./distances.ts";
export { coefficientOfVariation, meanSquaredError, oodMse, type Predictor } from "./ood.ts";
export { classicalMds, type MdsResult } from "./mds.ts";
export {
  type BootstrapCi,
  bootstrapCi,
  mean,
  median,
  pearson,
  quantile,
  ranks,
  spearman,
  spearmanPermutationTest,
  standardDeviation,
} from "./statistics.ts";
export {
  benjaminiHochberg,
  type EquivalenceComparison,
  type EquivalenceOptions,
  type EquivalenceResult,
  equivalenceTest,
  type FdrResult,
  hedgesG,
  incompleteBeta,
  type Interval,
  normalCdf,
  perNetworkUnits,
  type Population,
  type PopulationData,
  populationSize,
  populationStatistic,
  type ResampleOptions,
  studentTCdf,
  studentTQuantile,
  trendContrastWeights,
  type TrendResult,
  trendTest,
  upperIncompleteGamma,
} from "./trend.ts";
export {
  contrastNoise,
  meanPairwiseVariance,
  type NoiseSource,
  type NoiseSplit,
  noiseSplit,
  type PairwiseComponents,
  pairwiseComponents,
  type ReplicateVariance,
  replicateVariance,
  type SamplingModel,
  samplingModel,
  samplingVariance,
  satterthwaite,
} from "./noise.ts";
export {
  combinedPower,
  contrastStandardError,
  minimalDetectableChange,
  plantedContrast,
  type PowerOptions,
  type PowerPopulation,
  type RequiredNetworks,
  requiredNetworks,
  testVariance,
  trendPower,
  tTestPower,
} from "./power.ts";
export {
  learnedVerdict,
  type LearningThresholds,
  type OutputLosses,
  outputLosses,
} from "./learning.ts";
export {
  frobeniusNorm,
  pifRelativeToInit,
  type RelativeDistanceFromInit,
  relativeDistanceFromInit,
} from "./size_invariant.ts";
export { distanceSelfChecks, type SelfChecks } from "./selfcheck.ts";
export { type SymmetricEigen, symmetricEigen } from "./linalg/jacobi.ts";
export { type Tensor3, toMatrix, toTensor3, type TrialSeries } from "./tensor.ts";
export { createRng, makeRng, randomPermutation, type Rng } from "./rng.ts";
export {
  classifyEigenvalues,
  type Complex,
  type Continuum,
  findFixedPoints,
  FIXED_POINT_DEFAULTS,
  type FixedPoint,
  type FixedPointDiagnostics,
  type FixedPointNet,
  fixedPointNet,
  type FixedPointOptions,
  type FixedPointProjection,
  type FixedPointResult,
  type FixedPointSummary,
  type PointSummary,
  pointSummary,
  projectFixedPoints,
  type ResolvedFixedPointOptions,
  sampleStarts,
  type StabilityKind,
  summarizeFixedPoints,
  UNIT_CIRCLE_TOL,
} from "./fixed_points/mod.ts";
