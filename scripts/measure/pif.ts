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
import { parseArgs } from "node:util";
import type { PifMatrixResult } from "../../metrics/pif/mod.ts";
import { METRIC_REGISTRY } from "../lib/metrics.ts";
import { pifDistanceMatrixParallel, pifWorkersAvailable } from "../../metrics/pif/mod.ts";
import {
  idsField,
  InputError,
  integerOption,
  loadRunDirectory,
  matrixField,
  type MetricFile,
  metricFile,
  numberOption,
  readJson,
  requireRunOrWeights,
  runScript,
  summarize,
  upperTriangle,
  weightsInputOptions,
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

if (import.meta.main) {
  await runScript(async () => {
    const { values: a } = parseArgs({
      options: {
        ...weightsInputOptions,
        out: { type: "string" },
        which: { type: "string", default: "final" },
        restarts: { type: "string" },
        seed: { type: "string" },
        "self-checks": { type: "string" },
        workers: { type: "string" },
      },
    });
    if (!a.out) throw new InputError("--out FILE is required");
    requireRunOrWeights(a);
    if (a.which !== "final" && a.which !== "initial") {
      throw new InputError(`--which must be final or initial, got ${a.which}`);
    }
    const restarts = integerOption(a.restarts, "restarts", 20, 1);
    const seed = numberOption(a.seed, "seed", 0, Number.isInteger, "an integer");
    const checks = integerOption(a["self-checks"], "self-checks", 3, 0);
    const canSpawn = pifWorkersAvailable();
    const workers = numberOption(
      a.workers,
      "workers",
      canSpawn ? navigator.hardwareConcurrency ?? 1 : 0,
      (x) => Number.isInteger(x) && x >= 0 && x <= 1024,
      "an integer in [0, 1024] (0 = serial)",
    );
    if (workers > 0 && !canSpawn) {
      throw new InputError(
        `--workers ${workers} needs read access to ${
          new URL("../../metrics/", import.meta.url).pathname
        } (the worker modules); add it to --allow-read or use --workers 0`,
      );
    }

    let ids: string[];
    let matrices: number[][][];
    let source: Record<string, unknown>;
    let population: MetricFile["population"];
    if (a.run !== undefined) {
      const run = await loadRunDirectory(a.run, {
        includeUnconverged: a["include-unconverged"],
        taskId: a["task-id"],
      });
      ids = run.networks.map((n) => n.id);
      matrices = run.networks.map((n) => (a.which === "final" ? n.finalWh : n.initialWh));
      const h = new Set(run.networks.map((n) => n.hidden));
      if (h.size > 1) {
        throw new InputError(
          `${a.run}: networks have different hidden sizes (${[...h]}); use --task-id`,
        );
      }
      population = run.population;
      source = {
        run: a.run,
        weights: `${a.which}.wh`,
        excluded: run.excluded,
        skippedFiles: run.skippedFiles,
      };
    } else {
      ({ ids, matrices } = await loadWeightsFile(a.weights!));
      source = { weights: a.weights };
    }
    if (ids.length < 2) throw new InputError(`need at least 2 networks, got ${ids.length}`);

    const S = ids.length;
    const options = { restarts, seed, selfCheckSamples: checks };
    const t0 = performance.now();
    const r: PifMatrixResult = workers > 0
      ? await pifDistanceMatrixParallel(matrices, options, { workers })
      : METRIC_REGISTRY.pif.matrix(matrices, options);
    const seconds = (performance.now() - t0) / 1000;
    const { entries, normalized: matrix } = r;
    const out = metricFile({
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
    });
    await writeJsonAtomic(a.out, out);
    console.log(
      `pif: ${S} networks, ${(S * (S - 1)) / 2} pairs in ${seconds.toFixed(1)} s (${
        workers > 0 ? `${workers} workers` : "serial"
      }) → ${a.out}`,
    );
  });
}
