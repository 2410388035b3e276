/**
 * Permutation-independent Frobenius distance between weight matrices (PIF, paper §3.2.2,
 * Appendix D): the pairwise distance and matrix (`pif.ts`) and the same matrix on Web Workers
 * (`parallel.ts`, `worker.ts`).
 *
 * @module
 */
export {
  pifDistance,
  pifDistanceMatrix,
  type PifMatrixOptions,
  type PifMatrixResult,
  type PifOptions,
  type PifResult,
} from "./pif.ts";
export { pifDistanceMatrixParallel, pifWorkersAvailable } from "./parallel.ts";
export type { PairwiseParallelOptions } from "../pairwise.ts";
export type { SelfChecks } from "../selfcheck.ts";
