/**
 * Attractorness Δh (paper Appendix B): mean over consecutive steps of ‖h_{t+1} − h_t‖
 * divided by the trial's mean ‖h_t‖, averaged over trials; one value per system as a
 * `degeneracy.metric/1` file (`extra.perTrial` keeps every trial's Δh).
 *
 * Input, one of: --hidden FILE (user JSON `{ "ids"?: string[], "trajectories":
 * number[][][][] }`) or --run DIR (saved networks run forward on --trials N (100) trials with
 * data seed --seed S (0); see dimensionality.ts).
 *
 *   deno run --allow-read=runs/flipflop-n3,out --allow-write=out scripts/measure/attractorness.ts \
 *     --run runs/flipflop-n3 --out out/dh_flipflop-n3.json
 *
 * @module
 */
import { parseArgs } from "node:util";
import { METRIC_REGISTRY } from "../lib/metrics.ts";
import {
  InputError,
  metricFile,
  perSystem,
  runScript,
  summarize,
  writeJsonAtomic,
} from "./common.ts";
import { asFlat, hiddenInputOptions, loadSystems } from "./forward.ts";

if (import.meta.main) {
  await runScript(async () => {
    const { values: a } = parseArgs({
      options: { ...hiddenInputOptions, out: { type: "string" } },
    });
    if (!a.out) throw new InputError("--out FILE is required");
    const { ids, systems, source, file, population } = await loadSystems(a);
    const res = perSystem(file, systems, (s) => METRIC_REGISTRY.attractorness.compute(asFlat(s)));
    const values = res.map((r) => r.value);
    await writeJsonAtomic(
      a.out,
      metricFile({
        metric: "attractorness",
        ...(population ? { population } : {}),
        parameters: { formula: "mean_t ‖h_{t+1} − h_t‖ / mean_t ‖h_t‖, averaged over trials" },
        ids,
        values,
        summary: summarize(values),
        checks: null,
        source,
        extra: { perTrial: res.map((r) => r.extra) },
      }),
    );
    console.log(`attractorness: ${ids.length} systems → ${a.out}`);
  });
}
