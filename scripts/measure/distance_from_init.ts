/**
 * Distance travelled from initialisation, ‖W_T − W_0‖_F / n² of the recurrent weights
 * (paper §3.2.2, Fig. 4B), one value per network, as a `degeneracy.metric/1` file.
 *
 * Input, one of:
 *   --run DIR       saved networks (initial.wh, final.wh); converged only unless
 *                   --include-unconverged; --task-id ID keeps one variant.
 *   --weights FILE  user JSON `{ "ids"?: string[], "initial": number[][][], "final": number[][][] }`.
 * Output: --out FILE (`values`: normalised distance; `extra.raw`: ‖W_T − W_0‖_F).
 *
 *   deno run --allow-read=runs/flipflop-n3,out --allow-write=out \
 *     scripts/measure/distance_from_init.ts --run runs/flipflop-n3 --out out/dinit.json
 *
 * @module
 */
import { METRIC_REGISTRY } from "../lib/metrics.ts";
import { defineCli, f, runCli } from "../lib/cli.ts";
import {
  exactlyOne,
  idsField,
  InputError,
  loadRunDirectory,
  matrixField,
  measureAccess,
  measureProvenance,
  type MetricFile,
  metricFile,
  OUT_FLAG,
  readJson,
  requireOut,
  RUN_FLAGS,
  summarize,
  writeJsonAtomic,
} from "./common.ts";

/** The command line of `deno task measure:distance_from_init`. */
export const CLI = defineCli({
  name: "measure:distance_from_init",
  summary: "Distance from the initial weights (§3.2.2, Fig. 4B): ‖W_T − W_0‖_F / n² of the " +
    "recurrent weights, one value per network, as a degeneracy.metric/2 file.",
  flags: {
    ...RUN_FLAGS,
    weights: f.path(
      "FILE",
      'user weights: { "ids"?, "initial": number[][][], "final": number[][][] }',
    ),
    ...OUT_FLAG,
  },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    exactlyOne({ run: a.run, weights: a.weights });
    const out = requireOut(a.out);
    measureAccess(
      "scripts/measure/distance_from_init.ts",
      [["--run", a.run], ["--weights", a.weights]],
      out,
      Deno.args,
    );
    let ids: string[];
    let pairs: [number[][], number[][]][];
    let source: Record<string, unknown>;
    let population: MetricFile["population"];
    let provenance: MetricFile["provenance"];
    if (a.run !== undefined) {
      const run = await loadRunDirectory(a.run, {
        includeUnconverged: a["include-unconverged"],
        taskId: a["task-id"],
      });
      ids = run.networks.map((n) => n.id);
      pairs = run.networks.map((n) => [n.initialWh, n.finalWh]);
      population = run.population;
      source = { run: a.run, excluded: run.excluded, skippedFiles: run.skippedFiles };
      provenance = await measureProvenance("distance_from_init", run.networksDigest, {
        includeUnconverged: a["include-unconverged"],
        population,
      });
    } else {
      const f = a.weights!;
      const raw = await readJson(f) as Record<string, unknown>;
      if (
        raw === null || typeof raw !== "object" || !Array.isArray(raw.initial) ||
        !Array.isArray(raw.final)
      ) {
        throw new InputError(`${f}: initial and final must be arrays of number[][]`);
      }
      if (raw.initial.length !== raw.final.length || raw.initial.length === 0) {
        throw new InputError(`${f}: initial and final must hold the same number (≥ 1) of matrices`);
      }
      pairs = raw.initial.map((w0, k) => {
        const m0 = matrixField(w0, f, `initial[${k}]`);
        const m1 = matrixField((raw.final as unknown[])[k], f, `final[${k}]`);
        if (m0.length !== m1.length || m0[0].length !== m1[0].length) {
          throw new InputError(`${f}: final[${k}] must have the shape of initial[${k}]`);
        }
        return [m0, m1] as [number[][], number[][]];
      });
      ids = idsField(raw.ids, pairs.length, f);
      source = { weights: f };
    }
    const res = pairs.map(([w0, w1]) => METRIC_REGISTRY.distance_from_init.compute(w0, w1));
    const values = res.map((r) => r.value);
    await writeJsonAtomic(
      out,
      metricFile({
        metric: "distance_from_init",
        ...(population ? { population } : {}),
        parameters: { ...METRIC_REGISTRY.distance_from_init.defaults },
        ids,
        values,
        summary: summarize(values),
        checks: null,
        source,
        extra: { raw: res.map((r) => r.extra) },
        ...(provenance ? { provenance } : {}),
      }),
    );
    console.log(`distance_from_init: ${ids.length} networks → ${out}`);
  });
}
