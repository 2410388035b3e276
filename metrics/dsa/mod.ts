/**
 * Dynamical Similarity Analysis (DSA; Ostrow et al. 2023, paper §3 / Appendix C): the DMD fit
 * of one system (`dmd.ts`, with the Hankel Gram matrices of `hankel_gram.ts`), what the
 * comparison computes once per system (`operator.ts`: prepared operators, their
 * serialisation, the spectral lower bound), the Procrustes comparison over O(n)
 * (`procrustes.ts`; its starts in `starts.ts`, the previous optimiser kept for benchmarks in
 * `procrustes_legacy.ts`), the pairwise distance and matrix (`dsa.ts`), and the same matrix on
 * Web Workers (`parallel.ts`, `worker.ts`).
 *
 * @module
 */
export {
  dmdEigenvalues,
  type DmdFit,
  type DmdOptions,
  fitDmd,
  type FlatTrajectories,
  HANKEL_RANK_RTOL,
  hankelNumericalRank,
  toFlatTrajectories,
  type Trajectories,
} from "./dmd.ts";
export {
  compareDmd,
  type DsaDetailed,
  dsaDistance,
  dsaDistanceDetailed,
  dsaDistanceMatrix,
  dsaLinearSumAssignment,
  type DsaMatrixResult,
  dsaOptimiser,
  type DsaOptions,
  type DsaPairMeasure,
  dsaPairMeasure,
  eigenvalueWasserstein,
} from "./dsa.ts";
export {
  deserializePreparedOperator,
  determinantSign,
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
} from "./procrustes.ts";
export { dsaDistanceMatrixParallel, dsaWorkersAvailable } from "./parallel.ts";
export type { PairwiseParallelOptions } from "../pairwise.ts";
