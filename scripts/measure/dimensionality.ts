/**
 * Dimensionality of hidden-state trajectories (paper §3.1, Fig. 2D): the number of PCs that
 * explain `--threshold` (default 0.95) of the variance, one value per system, as a
 * `degeneracy.metric/1` file; `extra.cumulative` holds each system's cumulative explained
 * variance.
 *
 * Input, one of:
 *   --hidden FILE  user JSON `{ "ids"?: string[], "trajectories": number[][][][] }`
 *                  (systems × trials × steps × units);
 *   --run DIR      saved networks, run forward on --trials N (100) trials of their task drawn
 *                  with data seed --seed S (0), the same trials for every network; converged
 *                  only unless --include-unconverged; --task-id ID keeps one variant.
 *
 *   deno run --allow-read=runs/flipflop-n3,out --allow-write=out scripts/measure/dimensionality.ts \
 *     --run runs/flipflop-n3 --out out/dim_flipflop-n3.json
 *
 * @module
 */
import { parseArgs } from "node:util";
import { METRIC_REGISTRY } from "../lib/metrics.ts";
import {
  InputError,
  metricFile,
  numberOption,
  perSystem,
  runScript,
  summarize,
  writeJsonAtomic,
} from "./common.ts";
import { asFlat, hiddenInputOptions, loadSystems } from "./forward.ts";

if (import.meta.main) {
  await runScript(async () => {
    const { values: a } = parseArgs({
      options: {
        ...hiddenInputOptions,
        out: { type: "string" },
        threshold: { type: "string" },
      },
    });
    if (!a.out) throw new InputError("--out FILE is required");
    const threshold = numberOption(
      a.threshold,
      "threshold",
      0.95,
      (x) => x > 0 && x <= 1,
      "in (0, 1]",
    );
    const { ids, systems, source, file, population } = await loadSystems(a);
    const res = perSystem(
      file,
      systems,
      (s) => METRIC_REGISTRY.dimensionality.compute(asFlat(s), { threshold }),
    );
    const values = res.map((r) => r.value);
    const cumulative = res.map((r) => r.extra);
    await writeJsonAtomic(
      a.out,
      metricFile({
        metric: "dimensionality",
        ...(population ? { population } : {}),
        parameters: { threshold, pooling: "all trials and steps, units centred" },
        ids,
        values,
        summary: summarize(values),
        checks: null,
        source,
        extra: { cumulative },
      }),
    );
    console.log(`dimensionality: ${ids.length} systems → ${a.out}`);
  });
}
