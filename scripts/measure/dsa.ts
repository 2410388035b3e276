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
 * `extra.restartsSpread` holds each pair's spread (max − min) over optimiser restarts,
 * `extra.gradNorm` and `extra.lowerBound` each pair's final gradient norm and lower bound (the
 * true distance lies in [lowerBound, distance]), and `selfChecks` the d(X,X) and symmetry checks.
 *
 *   deno run --allow-read=runs --allow-write=runs scripts/measure/dsa.ts \
 *     --hidden runs/hidden_flipflop-n3.json --delays 10 --rank 50 --out runs/dsa_flipflop-n3.json
 *
 * @module
 */
import type { DmdFit, DsaOptions } from "../../metrics/dsa/mod.ts";
import { METRIC_REGISTRY } from "../lib/metrics.ts";
import { defineCli, f, runCli } from "../lib/cli.ts";
import { settingsDigest } from "../lib/formats.ts";
import {
  exactlyOne,
  InputError,
  measureAccess,
  metricFile,
  OUT_FLAG,
  requireOut,
  summarize,
  upperTriangle,
  writeJsonAtomic,
} from "./common.ts";
import { HIDDEN_INPUT_FLAGS, loadSystems } from "./forward.ts";

/** The command line of `deno task measure:dsa`. */
export const CLI = defineCli({
  name: "measure:dsa",
  summary: "Pairwise Dynamical Similarity Analysis distances (§3.2.1, Appendix C) between " +
    "hidden-state trajectories, as a degeneracy.metric/2 matrix.",
  flags: {
    ...HIDDEN_INPUT_FLAGS,
    ...OUT_FLAG,
    delays: f.int("D", "delay-embedding depth", {
      min: 1,
      max: 100000,
      defaultText: "the contract's",
    }),
    "delay-interval": f.int("K", "steps between delays", { min: 1, max: 100000, defaultText: "1" }),
    rank: f.int("R", "DMD rank", { min: 1 }),
    "rank-threshold": f.number("T", "rank by singular-value threshold", { min: 0 }),
    "rank-explained-variance": f.number("F", "rank by explained variance", {
      min: 0,
      max: 1,
      minOpen: true,
    }),
    ridge: f.number("L", "ridge of the DMD fit", { min: 0 }),
    "reduced-rank-regression": f.switch("fit by reduced-rank regression"),
    score: f.choice(["angular", "euclidean", "wasserstein"] as const, "distance score", "angular"),
    restarts: f.int("N", "Procrustes optimiser restarts", { min: 0, max: 100000 }),
    "dsa-seed": f.int("S", "the optimiser's seed", { defaultText: "0" }),
    "self-checks": f.int("K", "d(X, X) and symmetry self-checks", {
      min: 0,
      max: 1000,
      defaultText: "3",
    }),
  },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    exactlyOne({ hidden: a.hidden, run: a.run });
    const out = requireOut(a.out);
    measureAccess(
      "scripts/measure/dsa.ts",
      [["--hidden", a.hidden], ["--run", a.run]],
      out,
      Deno.args,
    );
    const options: DsaOptions = {
      score: a.score ?? "angular",
      reducedRankRegression: a["reduced-rank-regression"],
    };
    if (a.delays !== undefined) options.delays = a.delays;
    if (a["delay-interval"] !== undefined) options.delayInterval = a["delay-interval"];
    if (a.rank !== undefined) options.rank = a.rank;
    if (a["rank-threshold"] !== undefined) options.rankThreshold = a["rank-threshold"];
    if (a["rank-explained-variance"] !== undefined) {
      options.rankExplainedVariance = a["rank-explained-variance"];
    }
    if (a.ridge !== undefined) options.ridge = a.ridge;
    if (a.restarts !== undefined) options.restarts = a.restarts;
    options.seed = a["dsa-seed"] ?? 0;
    const selfCheckSamples = a["self-checks"] ?? 3;
    const { ids, systems, source, file, population, networksDigest } = await loadSystems(a);
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
    // the pipeline's DSA settings are a preset's (delays, rank, …, steps fed to DSA): a file of
    // this script records its own flags, which the report accepts only if they are the run's
    const provenance = networksDigest === undefined ? undefined : {
      networks: networksDigest,
      settings: await settingsDigest({
        script: "measure:dsa",
        options,
        trials: a.trials ?? 100,
        seed: a.seed ?? 0,
      }),
    };
    await writeJsonAtomic(
      out,
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
        extra: {
          restartsSpread: res.restartsSpread,
          gradNorm: res.gradNorm,
          lowerBound: res.lowerBound,
          ranks: res.fits.map((f: DmdFit) => f.rank),
        },
        ...(provenance ? { provenance } : {}),
      }),
    );
    console.log(
      `dsa: ${ids.length} systems, ${(ids.length * (ids.length - 1)) / 2} pairs in ${
        seconds.toFixed(1)
      } s → ${out}`,
    );
  });
}
