/**
 * The run-directory layout of the reproduction pipeline (documented in docs/run-directory-and-file-formats.md):
 *
 * ```
 * OUT/config.json                                      resolved preset (degeneracy.config/1)
 * OUT/complexity/<experiment>__<variant>.json          task complexity (degeneracy.complexity/1)
 * OUT/<experiment>/<variant>/networks/m000.json …      trained networks (degeneracy.network/1)
 * OUT/<experiment>/<variant>/hidden/mNNN.json, .f32    evaluation trajectories (degeneracy.hidden/1)
 * OUT/<experiment>/<variant>/fits/mNNN.json, .f64      DMD fits (degeneracy.dmd-fit/1)
 * OUT/<experiment>/<variant>/fits/rank.json            common DSA rank (degeneracy.dsa-rank/1)
 * OUT/<experiment>/<variant>/blocks/<metric>-bNNN.json pair blocks (degeneracy.pair-block/1)
 * OUT/<experiment>/<variant>/fixed_points/mNNN.json   fixed points (degeneracy.fixed-points/1)
 * OUT/<experiment>/<variant>/metrics/<metric>.json     metrics (degeneracy.metric/2)
 * OUT/plan.json                                        the work units (degeneracy.plan/1)
 * OUT/errors/<unit>.json                               a unit that failed (degeneracy.unit-error/1)
 * OUT/figures/*.svg                                    figures
 * OUT/claims.json                                      claims table (degeneracy.claims/1)
 * OUT/report.md, OUT/report.html                       report (HTML with the SVGs inlined)
 * ```
 *
 * Every function also gives paths relative to OUT when `out` is `""` (plan.json lists those).
 */
import { join } from "./io.ts";

/** Schema names of the files the pipeline writes (owned by formats.ts). */
export { SCHEMA } from "./formats.ts";

/** `OUT/config.json`. */
export const configPath = (out: string) => join(out, "config.json");
/** `OUT/complexity/<experiment>__<variant>.json`. */
export const complexityPath = (out: string, experiment: string, variant: string) =>
  join(out, "complexity", `${experiment}__${variant}.json`);
/** `OUT/<experiment>/<variant>`. */
export const variantDir = (out: string, experiment: string, variant: string) =>
  join(out, experiment, variant);
/** `OUT/<experiment>/<variant>/networks/mNNN.json` (member index zero-padded to 3). */
export const networkPath = (out: string, experiment: string, variant: string, member: number) =>
  join(
    variantDir(out, experiment, variant),
    "networks",
    `m${String(member).padStart(3, "0")}.json`,
  );
/**
 * `OUT/<experiment>/<variant>/checkpoints/mFFF-mLLL-eNNNN.ckpt`: the training state of members
 * first…last after epoch `epoch` (an epoch segment's output; `degeneracy.checkpoint/1` bytes).
 */
export const trainCheckpointPath = (
  out: string,
  experiment: string,
  variant: string,
  first: number,
  last: number,
  epoch: number,
) =>
  join(
    variantDir(out, experiment, variant),
    "checkpoints",
    `m${String(first).padStart(3, "0")}-m${String(last).padStart(3, "0")}-e${
      String(epoch).padStart(4, "0")
    }.ckpt`,
  );
/** `OUT/<experiment>/<variant>/metrics/<metric>.json`. */
export const metricPath = (out: string, experiment: string, variant: string, metric: string) =>
  join(variantDir(out, experiment, variant), "metrics", `${metric}.json`);
const member3 = (m: number) => `m${String(m).padStart(3, "0")}`;

/** `OUT/<experiment>/<variant>/hidden/mNNN.json` (header) or `.f32` (trajectories). */
export const hiddenPath = (
  out: string,
  experiment: string,
  variant: string,
  member: number,
  ext: "json" | "f32" = "json",
) => join(variantDir(out, experiment, variant), "hidden", `${member3(member)}.${ext}`);
/** `OUT/<experiment>/<variant>/fits/mNNN.json` (header) or `.f64` (operator). */
export const fitPath = (
  out: string,
  experiment: string,
  variant: string,
  member: number,
  ext: "json" | "f64" = "json",
) => join(variantDir(out, experiment, variant), "fits", `${member3(member)}.${ext}`);
/** `OUT/<experiment>/<variant>/fits/rNNN.json` / `.f64`: a fit redone at the common rank. */
export const refitPath = (
  out: string,
  experiment: string,
  variant: string,
  member: number,
  ext: "json" | "f64" = "json",
) =>
  join(variantDir(out, experiment, variant), "fits", `r${String(member).padStart(3, "0")}.${ext}`);
/** `OUT/<experiment>/<variant>/fixed_points/mNNN.json`: one network's fixed points. */
export const fixedPointsPath = (
  out: string,
  experiment: string,
  variant: string,
  member: number,
) => join(variantDir(out, experiment, variant), "fixed_points", `${member3(member)}.json`);
/** `OUT/<experiment>/<variant>/fits/rank.json`. */
export const rankPath = (out: string, experiment: string, variant: string) =>
  join(variantDir(out, experiment, variant), "fits", "rank.json");
/**
 * `OUT/<experiment>/<variant>/blocks/<metric>-bNNN.json` (pair block NNN) or
 * `<metric>-cNNN.json` (self-check block NNN).
 */
export const blockPath = (
  out: string,
  experiment: string,
  variant: string,
  metric: "dsa" | "pif",
  block: number,
  checks = false,
) =>
  join(
    variantDir(out, experiment, variant),
    "blocks",
    `${metric}-${checks ? "c" : "b"}${String(block).padStart(3, "0")}.json`,
  );
/** `OUT/plan.json`. */
export const planPath = (out: string) => join(out, "plan.json");
/** `OUT/errors`. */
export const errorsDir = (out: string) => join(out, "errors");
/** `OUT/errors/<unit id with "/" replaced by "__">.json`. */
export const unitErrorPath = (out: string, unitId: string) =>
  join(errorsDir(out), `${unitId.replaceAll("/", "__")}.json`);
/** `OUT/timings/<unit id with "/" replaced by "__">.json`: the measured time of a unit. */
export const unitTimingPath = (out: string, unitId: string) =>
  join(out, "timings", `${unitId.replaceAll("/", "__")}.json`);
/** `OUT/figures`. */
export const figuresDir = (out: string) => join(out, "figures");
/** `OUT/claims.json`. */
export const claimsPath = (out: string) => join(out, "claims.json");
/** `OUT/report.md`. */
export const reportMdPath = (out: string) => join(out, "report.md");
/** `OUT/report.html`. */
export const reportHtmlPath = (out: string) => join(out, "report.html");
