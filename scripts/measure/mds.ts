/**
 * Classical MDS of a pairwise distance matrix from a metric file (e.g. DSA or PIF) into
 * `--dims` (default 2) dimensions (paper Fig. 3B). Writes a `degeneracy.metric/1` file with
 * `values` = each id's first coordinate and `extra.coords` = all coordinates, plus the
 * eigenvalues (negative ones flag non-Euclidean distances).
 *
 *   deno run --allow-read=out --allow-write=out scripts/measure/mds.ts \
 *     --metric out/dsa_flipflop-n3.json --out out/mds_flipflop-n3.json
 *
 * @module
 */
import { parseArgs } from "node:util";
import { classicalMds } from "../../metrics/mds.ts";
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
      res = classicalMds(m.matrix, dims);
    } catch (e) {
      throw new InputError(`${a.metric}: matrix: ${(e as Error).message}`);
    }
    await writeJsonAtomic(
      a.out,
      metricFile({
        metric: "mds",
        parameters: { dims, of: m.metric, method: "classical (Torgerson) MDS" },
        ids: m.ids,
        values: res.coords.map((c) => c[0]),
        summary: {
          explained: res.explained,
          negativeEigenvalues: res.eigenvalues.filter((v) => v < -1e-9).length,
        },
        selfChecks: null,
        source: { metric: a.metric },
        extra: { coords: res.coords, eigenvalues: res.eigenvalues },
      }),
    );
    console.log(`mds: ${m.ids.length} points in ${dims}D → ${a.out}`);
  });
}
