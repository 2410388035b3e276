/**
 * The task suite (paper §2.2, Appendix A): seeded generators and the `createTask` factory. Their
 * random stream is `createRng` (`metrics/rng.ts`).
 *
 * @module
 */
export { describeRange, type ParamSchema, type ParamValue } from "./params.ts";
export * from "./flipflop.ts";
export * from "./delayed_discrimination.ts";
export * from "./sine.ts";
export * from "./path_integration.ts";
export * from "./factory.ts";
