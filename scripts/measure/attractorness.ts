/**
 * Attractorness Δh (paper Appendix B): mean over consecutive steps of ‖h_{t+1} − h_t‖
 * divided by the trial's mean ‖h_t‖, averaged over trials; one value per system as a
 * `degeneracy.metric/1` file (`extra.perTrial` keeps every trial's Δh).
 *
 * Input: --hidden FILE, user JSON `{ "ids"?: string[], "trajectories": number[][][][] }`.
 *
 *   deno run --allow-read=out --allow-write=out scripts/measure/attractorness.ts \
 *     --hidden out/hidden_flipflop-n3.json --out out/dh_flipflop-n3.json
 *
 * @module
 */
import { parseArgs } from "node:util";
import { attractorness } from "../../metrics/attractorness.ts";
import {
  InputError,
  loadTrajectoriesFile,
  metricFile,
  perSystem,
  runScript,
  summarize,
  writeJsonAtomic,
} from "./common.ts";

if (import.meta.main) {
  await runScript(async () => {
    const { values: a } = parseArgs({
      options: { hidden: { type: "string" }, out: { type: "string" } },
    });
    if (!a.out) throw new InputError("--out FILE is required");
    if (!a.hidden) throw new InputError("--hidden FILE is required");
    const { ids, systems } = await loadTrajectoriesFile(a.hidden);
    const res = perSystem(a.hidden, systems, attractorness);
    const values = res.map((r) => r.mean);
    await writeJsonAtomic(
      a.out,
      metricFile({
        metric: "attractorness",
        parameters: { formula: "mean_t ‖h_{t+1} − h_t‖ / mean_t ‖h_t‖, averaged over trials" },
        ids,
        values,
        summary: summarize(values),
        selfChecks: null,
        source: { hidden: a.hidden },
        extra: { perTrial: res.map((r) => r.perTrial) },
      }),
    );
    console.log(`attractorness: ${ids.length} systems → ${a.out}`);
  });
}
