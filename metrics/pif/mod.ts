/**
 * Permutation-independent Frobenius distance between weight matrices (PIF, paper §3.2.2,
 * Appendix D): the pairwise distance and matrix (`pif.ts`) and the same matrix on Web Workers
 * (`parallel.ts`, `worker.ts`).
 *
 * @module
 */
export * from "./pif.ts";
export * from "./parallel.ts";
