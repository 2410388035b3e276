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
import { METRIC_REGISTRY } from "../lib/metrics.ts";
import { defineCli, runCli } from "../lib/cli.ts";
import {
  exactlyOne,
  measureAccess,
  measureProvenance,
  metricFile,
  OUT_FLAG,
  perSystem,
  requireOut,
  summarize,
  writeJsonAtomic,
} from "./common.ts";
import { asFlat, HIDDEN_INPUT_FLAGS, loadSystems } from "./forward.ts";

/** The command line of `deno task measure:attractorness`. */
export const CLI = defineCli({
  name: "measure:attractorness",
  summary: "Attractorness Δh (Appendix B) of hidden-state trajectories, one value per system, " +
    "as a degeneracy.metric/2 file.",
  flags: { ...HIDDEN_INPUT_FLAGS, ...OUT_FLAG },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    exactlyOne({ hidden: a.hidden, run: a.run });
    const out = requireOut(a.out);
    measureAccess(
      "scripts/measure/attractorness.ts",
      [["--hidden", a.hidden], ["--run", a.run]],
      out,
      Deno.args,
    );
    const { ids, systems, source, file, population, networksDigest } = await loadSystems(a);
    const res = perSystem(file, systems, (s) => METRIC_REGISTRY.attractorness.compute(asFlat(s)));
    const values = res.map((r) => r.value);
    const provenance = networksDigest === undefined ? undefined : await measureProvenance(
      "attractorness",
      networksDigest,
      {
        evalTrials: a.trials ?? 100,
        evalSeed: a.seed ?? 0,
        includeUnconverged: a["include-unconverged"],
        population,
      },
    );
    await writeJsonAtomic(
      out,
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
        ...(provenance ? { provenance } : {}),
      }),
    );
    console.log(`attractorness: ${ids.length} systems → ${out}`);
  });
}
