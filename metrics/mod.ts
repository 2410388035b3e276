/**
 * Degeneracy metrics (paper §3, Appendices B–D): pure functions, plain arrays in.
 *
 * @module
 */
export * from "./complexity.ts";
export * from "./dimensionality.ts";
export * from "./attractorness.ts";
export * from "./pif/mod.ts";
export * from "./lsa.ts";
export * from "./distances.ts";
export * from "./ood.ts";
export * from "./mds.ts";
export * from "./statistics.ts";
export * from "./selfcheck.ts";
export * from "./linalg/jacobi.ts";
export * from "./tensor.ts";
export { makeRng, randomPermutation } from "./rng.ts";
export * from "./dsa/mod.ts";
