/**
 * Classical MDS of a pairwise distance matrix from a metric file (e.g. DSA or PIF) into
 * `--dims` (default 2) dimensions (paper Fig. 3B). Writes a `degeneracy.metric/2` file with
 * `points` = every id's coordinates (as the pipeline's MDS), plus the eigenvalues (negative ones flag non-Euclidean distances).
 *
 *   deno run --allow-read=out --allow-write=out scripts/measure/mds.ts \
 *     --metric out/dsa_flipflop-n3.json --out out/mds_flipflop-n3.json
 *
 * @module
 */
import { METRIC_REGISTRY } from "../lib/metrics.ts";
import { defineCli, f, runCli, UsageError } from "../lib/cli.ts";
import {
  InputError,
  measureAccess,
  metricFile,
  OUT_FLAG,
  readMetricFile,
  requireOut,
  writeJsonAtomic,
} from "./common.ts";

/** The command line of `deno task measure:mds`. */
export const CLI = defineCli({
  name: "measure:mds",
  summary: "Classical MDS (Fig. 3B) of the pairwise distance matrix of a metric file (e.g. DSA " +
    "or PIF), as a degeneracy.metric/2 file with every id's coordinates.",
  flags: {
    metric: f.path("FILE", "a metric file with a matrix (required)"),
    ...OUT_FLAG,
    dims: f.int("D", "dimensions", { min: 1, max: 1000, defaultText: "2" }),
  },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    if (a.metric === undefined) {
      throw new UsageError("--metric", "missing", "a metric file with a matrix");
    }
    const out = requireOut(a.out);
    measureAccess("scripts/measure/mds.ts", [["--metric", a.metric]], out, Deno.args);
    const dims = a.dims ?? 2;
    const m = await readMetricFile(a.metric);
    if (!m.matrix) throw new InputError(`${a.metric}: matrix is required (a pairwise metric file)`);
    let res;
    try {
      res = METRIC_REGISTRY.mds.compute(m.matrix, { dims });
    } catch (e) {
      throw new InputError(`${a.metric}: matrix: ${(e as Error).message}`);
    }
    await writeJsonAtomic(
      out,
      metricFile({
        metric: "mds",
        parameters: { of: m.metric, dims, method: "classical" },
        ids: m.ids,
        points: res.coords,
        summary: {
          explained: res.explained,
          negativeEigenvalues: res.eigenvalues.filter((v) => v < -1e-9).length,
        },
        checks: null,
        source: { metric: a.metric },
        extra: { eigenvalues: res.eigenvalues },
      }),
    );
    console.log(`mds: ${m.ids.length} points in ${dims}D → ${out}`);
  });
}
