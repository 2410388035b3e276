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
import { parseArgs } from "node:util";
import { METRIC_REGISTRY } from "../lib/metrics.ts";
import {
  InputError,
  integerOption,
  metricFile,
  readMetricFile,
  runScript,
  writeJsonAtomic,
} from "./common.ts";

if (import.meta.main) {
  await runScript(async () => {
    const { values: a } = parseArgs({
      options: { metric: { type: "string" }, out: { type: "string" }, dims: { type: "string" } },
    });
    if (!a.out) throw new InputError("--out FILE is required");
    if (!a.metric) throw new InputError("--metric FILE (a metric file with a matrix) is required");
    const dims = integerOption(a.dims, "dims", 2, 1);
    const m = await readMetricFile(a.metric);
    if (!m.matrix) throw new InputError(`${a.metric}: matrix is required (a pairwise metric file)`);
    let res;
    try {
      res = METRIC_REGISTRY.mds.compute(m.matrix, { dims });
    } catch (e) {
      throw new InputError(`${a.metric}: matrix: ${(e as Error).message}`);
    }
    await writeJsonAtomic(
      a.out,
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
    console.log(`mds: ${m.ids.length} points in ${dims}D → ${a.out}`);
  });
}
