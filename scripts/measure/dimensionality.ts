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
import { METRIC_REGISTRY } from "../lib/metrics.ts";
import { defineCli, f, runCli } from "../lib/cli.ts";
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

/** The command line of `deno task measure:dimensionality`. */
export const CLI = defineCli({
  name: "measure:dimensionality",
  summary: "Dimensionality (§3.1, Fig. 2D): the PCs explaining --threshold of the hidden-state " +
    "variance, one value per system, as a degeneracy.metric/2 file.",
  flags: {
    ...HIDDEN_INPUT_FLAGS,
    ...OUT_FLAG,
    threshold: f.number("F", "fraction of the variance the kept PCs explain", {
      min: 0,
      max: 1,
      minOpen: true,
      defaultText: "0.95",
    }),
  },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    exactlyOne({ hidden: a.hidden, run: a.run });
    const out = requireOut(a.out);
    measureAccess(
      "scripts/measure/dimensionality.ts",
      [["--hidden", a.hidden], ["--run", a.run]],
      out,
      Deno.args,
    );
    const threshold = a.threshold ?? 0.95;
    const { ids, systems, source, file, population, networksDigest } = await loadSystems(a);
    const res = perSystem(
      file,
      systems,
      (s) => METRIC_REGISTRY.dimensionality.compute(asFlat(s), { threshold }),
    );
    const values = res.map((r) => r.value);
    const cumulative = res.map((r) => r.extra);
    // the pipeline measures at threshold 0.95 only: another threshold is another setting
    const provenance = networksDigest === undefined
      ? undefined
      : threshold !== 0.95
      ? { networks: networksDigest, settings: `threshold ${threshold}` }
      : await measureProvenance("dimensionality", networksDigest, {
        evalTrials: a.trials ?? 100,
        evalSeed: a.seed ?? 0,
        includeUnconverged: a["include-unconverged"],
        population,
      });
    await writeJsonAtomic(
      out,
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
        ...(provenance ? { provenance } : {}),
      }),
    );
    console.log(`dimensionality: ${ids.length} systems → ${out}`);
  });
}
