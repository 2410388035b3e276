/**
 * Pairwise permutation-independent Frobenius (PIF) distances between recurrent weight
 * matrices (paper §3.2.2, Appendix D), written as a `degeneracy.metric/1` matrix.
 *
 * Input, one of:
 *   --run DIR       saved networks (`degeneracy.network/1` JSON files under DIR); uses W_h
 *                   (`--which final` (default) or `initial`); only converged members unless
 *                   --include-unconverged; --task-id ID keeps one task variant.
 *   --weights FILE  user JSON `{ "ids"?: string[], "matrices": number[][][] }` (same-shape
 *                   matrices).
 * Output: --out FILE. `matrix` holds the normalised distance (÷ number of entries, as in the
 * paper); `extra.rawMatrix` the plain ‖W1 − P1 W2 P2‖_F, `extra.lowerBound` the proven lower
 * bounds, `extra.restartSpread` max − min of the local minima over starts.
 * Options: --restarts N (20), --seed S (0), --self-checks K (3 identity + 3 symmetry checks),
 * --workers W (default: one Web Worker per core when they can start, else 0 = serial on the main
 * thread; the matrix is identical either way).
 *
 * Narrowest permissions (read the input and the output directory, write the output directory):
 *   deno run --allow-read=runs/flipflop-n3,out --allow-write=out scripts/measure/pif.ts \
 *     --run runs/flipflop-n3 --out out/pif_flipflop-n3.json
 * runs serially; workers also need read access to the `metrics/` directory (their module and its
 * imports), e.g. `--allow-read=runs/flipflop-n3,out,metrics` (`deno task measure:pif` grants it).
 *
 * @module
 */
import type { PifMatrixResult } from "../../metrics/pif/mod.ts";
import { METRIC_REGISTRY } from "../lib/metrics.ts";
import { pifDistanceMatrixParallel, pifWorkersAvailable } from "../../metrics/pif/mod.ts";
import { defineCli, f, runCli, UsageError } from "../lib/cli.ts";
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
  upperTriangle,
  writeJsonAtomic,
} from "./common.ts";

/** Loads `{ ids?, matrices }` from a user file. */
export async function loadWeightsFile(
  path: string,
): Promise<{ ids: string[]; matrices: number[][][] }> {
  const raw = await readJson(path);
  const obj = Array.isArray(raw) ? { matrices: raw } : raw as Record<string, unknown>;
  if (
    obj === null || typeof obj !== "object" || !Array.isArray(obj.matrices) ||
    obj.matrices.length === 0
  ) {
    throw new InputError(`${path}: matrices must be a non-empty array of number[][]`);
  }
  const matrices = obj.matrices.map((m, k) => matrixField(m, path, `matrices[${k}]`));
  const [r, c] = [matrices[0].length, matrices[0][0].length];
  matrices.forEach((m, k) => {
    if (m.length !== r || m[0].length !== c) {
      throw new InputError(`${path}: matrices[${k}] must be ${r}×${c} like matrices[0]`);
    }
  });
  return { ids: idsField(obj.ids, matrices.length, path), matrices };
}

/** The command line of `deno task measure:pif`. */
export const CLI = defineCli({
  name: "measure:pif",
  summary: "Pairwise permutation-independent Frobenius (PIF) distances between recurrent weight " +
    "matrices (§3.2.2, Appendix D), as a degeneracy.metric/2 matrix.",
  flags: {
    ...RUN_FLAGS,
    weights: f.path("FILE", 'user weights: { "ids"?, "matrices": number[][][] }'),
    ...OUT_FLAG,
    which: f.choice(["final", "initial"] as const, "which W_h of saved networks", "final"),
    restarts: f.int("N", "optimiser restarts per pair", { min: 1, max: 100000, defaultText: "20" }),
    seed: f.int("S", "seed of every pair's optimiser", { defaultText: "0" }),
    "self-checks": f.int("K", "identity and symmetry self-checks", {
      min: 0,
      max: 1000,
      defaultText: "3",
    }),
    workers: f.int("N", "Web Workers (0 = serial; the matrix is identical)", {
      min: 0,
      max: 1024,
      defaultText: "one per core when they can start",
    }),
  },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    exactlyOne({ run: a.run, weights: a.weights });
    const out = requireOut(a.out);
    if (a.weights !== undefined && a.which !== undefined) {
      throw new UsageError("--which", "given with --weights", "only with --run DIR");
    }
    const workersDir = new URL("../../metrics/", import.meta.url).pathname;
    const canSpawn = pifWorkersAvailable();
    measureAccess(
      "scripts/measure/pif.ts",
      [["--run", a.run], ["--weights", a.weights]],
      out,
      Deno.args,
      ["metrics"],
    );
    const which = a.which ?? "final";
    const restarts = a.restarts ?? 20;
    const seed = a.seed ?? 0;
    const checks = a["self-checks"] ?? 3;
    const workers = a.workers ?? (canSpawn ? navigator.hardwareConcurrency ?? 1 : 0);
    if (workers > 0 && !canSpawn) {
      throw new UsageError(
        "--workers",
        `${workers} workers need read access to ${workersDir} (the worker modules)`,
        "add it to --allow-read, or --workers 0",
      );
    }

    let ids: string[];
    let matrices: number[][][];
    let source: Record<string, unknown>;
    let population: MetricFile["population"];
    let provenance: MetricFile["provenance"];
    if (a.run !== undefined) {
      const run = await loadRunDirectory(a.run, {
        includeUnconverged: a["include-unconverged"],
        taskId: a["task-id"],
      });
      ids = run.networks.map((n) => n.id);
      matrices = run.networks.map((n) => (which === "final" ? n.finalWh : n.initialWh));
      const h = new Set(run.networks.map((n) => n.hidden));
      if (h.size > 1) {
        throw new InputError(
          `${a.run}: networks have different hidden sizes (${[...h]}); use --task-id`,
        );
      }
      population = run.population;
      source = {
        run: a.run,
        weights: `${which}.wh`,
        excluded: run.excluded,
        skippedFiles: run.skippedFiles,
      };
      provenance = which === "final"
        ? await measureProvenance("pif", run.networksDigest, {
          pifRestarts: restarts,
          pifSeed: seed,
          includeUnconverged: a["include-unconverged"],
          population,
        })
        : { networks: run.networksDigest, settings: "initial weights" };
    } else {
      ({ ids, matrices } = await loadWeightsFile(a.weights!));
      source = { weights: a.weights };
    }
    if (ids.length < 2) {
      throw new InputError(`${a.run ?? a.weights}: need at least 2 networks, got ${ids.length}`);
    }

    const S = ids.length;
    const options = { restarts, seed, selfCheckSamples: checks };
    const t0 = performance.now();
    const r: PifMatrixResult = workers > 0
      ? await pifDistanceMatrixParallel(matrices, options, { workers })
      : METRIC_REGISTRY.pif.matrix(matrices, options);
    const seconds = (performance.now() - t0) / 1000;
    const { entries, normalized: matrix } = r;
    const file = metricFile({
      metric: "pif",
      ...(population ? { population } : {}),
      parameters: { restarts, seed, normalization: "distance / number of entries", entries },
      ids,
      matrix,
      summary: {
        ...summarize(upperTriangle(matrix), seed),
        pairs: (S * (S - 1)) / 2,
        exactPairs: r.exactPairs,
        seconds,
        workers,
      },
      checks: {
        ...r.selfChecks,
        maxRestartSpread: Math.max(...upperTriangle(r.restartsSpread)),
      },
      source,
      extra: { rawMatrix: r.matrix, lowerBound: r.lowerBound, restartSpread: r.restartsSpread },
      ...(provenance ? { provenance } : {}),
    });
    await writeJsonAtomic(out, file);
    console.log(
      `pif: ${S} networks, ${(S * (S - 1)) / 2} pairs in ${seconds.toFixed(1)} s (${
        workers > 0 ? `${workers} workers` : "serial"
      }) → ${out}`,
    );
  });
}
