/**
 * The run-directory layout of the reproduction pipeline (documented in docs/run-directory-and-file-formats.md):
 *
 * ```
 * OUT/config.json                                      resolved preset (degeneracy.config/1)
 * OUT/complexity/<experiment>__<variant>.json          task complexity (degeneracy.complexity/1)
 * OUT/<experiment>/<variant>/networks/m000.json …      trained networks (degeneracy.network/1)
 * OUT/<experiment>/<variant>/metrics/<metric>.json     metrics (degeneracy.metric/1)
 * OUT/<experiment>/<variant>/metrics/<metric>.error.json  a metric that failed (retried on rerun)
 * OUT/figures/*.svg                                    figures
 * OUT/claims.json                                      claims table (degeneracy.claims/1)
 * OUT/report.md, OUT/report.html                       report (HTML with the SVGs inlined)
 * ```
 */
import { join } from "./io.ts";

/** Schema names of the files the pipeline writes. */
export const SCHEMA = {
  config: "degeneracy.config/1",
  complexity: "degeneracy.complexity/1",
  network: "degeneracy.network/1",
  metric: "degeneracy.metric/1",
  metricError: "degeneracy.metric-error/1",
  claims: "degeneracy.claims/1",
} as const;

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
/** `OUT/<experiment>/<variant>/metrics/<metric>.json`. */
export const metricPath = (out: string, experiment: string, variant: string, metric: string) =>
  join(variantDir(out, experiment, variant), "metrics", `${metric}.json`);
/** `OUT/figures`. */
export const figuresDir = (out: string) => join(out, "figures");
/** `OUT/claims.json`. */
export const claimsPath = (out: string) => join(out, "claims.json");
/** `OUT/report.md`. */
export const reportMdPath = (out: string) => join(out, "report.md");
/** `OUT/report.html`. */
export const reportHtmlPath = (out: string) => join(out, "report.html");
