/**
 * The task suite (paper §2.2, Appendix A): seeded generators, the `createTask` factory and the
 * seeded random stream they use.
 *
 * @module
 */
export * from "./rng.ts";
export { describeRange, type ParamSchema, type ParamValue } from "./params.ts";
export * from "./flipflop.ts";
export * from "./delayed_discrimination.ts";
export * from "./sine.ts";
export * from "./path_integration.ts";
export * from "./factory.ts";
