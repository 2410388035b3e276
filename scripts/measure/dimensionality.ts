/**
 * Dimensionality of hidden-state trajectories (paper §3.1, Fig. 2D): the number of PCs that
 * explain `--threshold` (default 0.95) of the variance, one value per system, as a
 * `degeneracy.metric/1` file; `extra.cumulative` holds each system's cumulative explained
 * variance.
 *
 * Input: --hidden FILE, user JSON `{ "ids"?: string[], "trajectories": number[][][][] }`
 * (systems × trials × steps × units). (Trained networks: run them forward first, e.g. with
 * the engine's `runNetwork`, and save their hidden states in this format.)
 *
 *   deno run --allow-read=out --allow-write=out scripts/measure/dimensionality.ts \
 *     --hidden out/hidden_flipflop-n3.json --out out/dim_flipflop-n3.json
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dimensionality, pcaSpectrum } from "../../metrics/dimensionality.ts";
import {
  InputError,
  loadTrajectoriesFile,
  metricFile,
  numberOption,
  perSystem,
  runScript,
  summarize,
  writeJsonAtomic,
} from "./common.ts";

if (import.meta.main) {
  await runScript(async () => {
    const { values: a } = parseArgs({
      options: {
        hidden: { type: "string" },
        out: { type: "string" },
        threshold: { type: "string" },
      },
    });
    if (!a.out) throw new InputError("--out FILE is required");
    if (!a.hidden) throw new InputError("--hidden FILE is required");
    const threshold = numberOption(
      a.threshold,
      "threshold",
      0.95,
      (x) => x > 0 && x <= 1,
      "in (0, 1]",
    );
    const { ids, systems } = await loadTrajectoriesFile(a.hidden);
    const values = perSystem(a.hidden, systems, (s) => dimensionality(s, { threshold }));
    const cumulative = perSystem(a.hidden, systems, (s) => pcaSpectrum(s).cumulative);
    await writeJsonAtomic(
      a.out,
      metricFile({
        metric: "dimensionality",
        parameters: { threshold, pooling: "all trials and steps, units centred" },
        ids,
        values,
        summary: summarize(values),
        selfChecks: null,
        source: { hidden: a.hidden },
        extra: { cumulative },
      }),
    );
    console.log(`dimensionality: ${ids.length} systems → ${a.out}`);
  });
}
