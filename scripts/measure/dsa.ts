/**
 * Pairwise DSA distances (Dynamical Similarity Analysis, Ostrow et al. 2023; paper §3.2.1)
 * between systems' hidden-state trajectories, as a `degeneracy.metric/1` matrix. Each
 * system's DMD is fitted once (`dsaDistanceMatrix` of metrics/dsa.ts).
 *
 * Input, one of: --hidden FILE (user JSON `{ "ids"?: string[], "trajectories":
 * number[][][][] }`, systems × trials × steps × units) or --run DIR (saved networks run
 * forward on --trials N (100) trials with data seed --seed S (0), the same trials for every
 * network; see dimensionality.ts).
 * Options (the `dsaDistance` contract): --delays, --delay-interval, --rank | --rank-threshold
 * | --rank-explained-variance, --ridge, --reduced-rank-regression, --score
 * angular|euclidean|wasserstein, --restarts, --dsa-seed (the optimiser's `seed`), --self-checks K
 * (default 3).
 * `extra.restartsSpread` holds each pair's spread (max − min) over optimiser restarts and
 * `selfChecks` the d(X,X) and symmetry checks.
 *
 *   deno run --allow-read=runs --allow-write=runs scripts/measure/dsa.ts \
 *     --hidden runs/hidden_flipflop-n3.json --delays 10 --rank 50 --out runs/dsa_flipflop-n3.json
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { DmdFit, DsaOptions } from "../../metrics/dsa/mod.ts";
import { METRIC_REGISTRY } from "../lib/metrics.ts";
import {
  InputError,
  integerOption,
  metricFile,
  numberOption,
  runScript,
  summarize,
  upperTriangle,
  writeJsonAtomic,
} from "./common.ts";
import { hiddenInputOptions, loadSystems } from "./forward.ts";

if (import.meta.main) {
  await runScript(async () => {
    const { values: a } = parseArgs({
      options: {
        ...hiddenInputOptions,
        out: { type: "string" },
        delays: { type: "string" },
        "delay-interval": { type: "string" },
        rank: { type: "string" },
        "rank-threshold": { type: "string" },
        "rank-explained-variance": { type: "string" },
        ridge: { type: "string" },
        "reduced-rank-regression": { type: "boolean", default: false },
        score: { type: "string", default: "angular" },
        restarts: { type: "string" },
        "dsa-seed": { type: "string" },
        "self-checks": { type: "string" },
      },
    });
    if (!a.out) throw new InputError("--out FILE is required");
    const options: DsaOptions = {
      score: a.score as DsaOptions["score"],
      reducedRankRegression: a["reduced-rank-regression"],
    };
    if (a.score !== "angular" && a.score !== "euclidean" && a.score !== "wasserstein") {
      throw new InputError(`--score must be angular, euclidean or wasserstein, got ${a.score}`);
    }
    if (a.delays !== undefined) {
      options.delays = integerOption(a.delays, "delays", 1, 1);
    }
    if (a["delay-interval"] !== undefined) {
      options.delayInterval = integerOption(a["delay-interval"], "delay-interval", 1, 1);
    }
    if (a.rank !== undefined) {
      options.rank = integerOption(a.rank, "rank", 1, 1);
    }
    if (a["rank-threshold"] !== undefined) {
      options.rankThreshold = numberOption(
        a["rank-threshold"],
        "rank-threshold",
        0,
        (x) => x >= 0,
        "≥ 0",
      );
    }
    if (a["rank-explained-variance"] !== undefined) {
      options.rankExplainedVariance = numberOption(
        a["rank-explained-variance"],
        "rank-explained-variance",
        1,
        (x) => x > 0 && x <= 1,
        "in (0, 1]",
      );
    }
    if (a.ridge !== undefined) {
      options.ridge = numberOption(a.ridge, "ridge", 0, (x) => x >= 0, "≥ 0");
    }
    if (a.restarts !== undefined) {
      options.restarts = integerOption(a.restarts, "restarts", 0, 0);
    }
    options.seed = numberOption(a["dsa-seed"], "dsa-seed", 0, Number.isInteger, "an integer");
    const selfCheckSamples = integerOption(a["self-checks"], "self-checks", 3, 0);
    const { ids, systems, source, file, population } = await loadSystems(a);
    if (ids.length < 2) {
      throw new InputError(`${file}: need at least 2 systems, got ${ids.length}`);
    }
    const t0 = performance.now();
    let res;
    try {
      res = METRIC_REGISTRY.dsa.matrix(systems, { ...options, selfCheckSamples });
    } catch (e) {
      throw new InputError(`${file}: ${(e as Error).message}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    await writeJsonAtomic(
      a.out,
      metricFile({
        metric: "dsa",
        ...(population ? { population } : {}),
        parameters: { ...options, selfCheckSamples },
        ids,
        matrix: res.matrix,
        summary: {
          ...summarize(upperTriangle(res.matrix), options.seed),
          pairs: (ids.length * (ids.length - 1)) / 2,
          seconds,
        },
        checks: res.selfChecks,
        source,
        extra: { restartsSpread: res.restartsSpread, ranks: res.fits.map((f: DmdFit) => f.rank) },
      }),
    );
    console.log(
      `dsa: ${ids.length} systems, ${(ids.length * (ids.length - 1)) / 2} pairs in ${
        seconds.toFixed(1)
      } s → ${a.out}`,
    );
  });
}
