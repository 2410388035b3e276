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
 * Options: --restarts N (20), --seed S (0), --self-checks K (3 identity + 3 symmetry checks).
 *
 * Narrowest permissions (read the input and the output directory, write the output directory):
 *   deno run --allow-read=runs/flipflop-n3,out --allow-write=out scripts/measure/pif.ts \
 *     --run runs/flipflop-n3 --out out/pif_flipflop-n3.json
 *
 * @module
 */
import { parseArgs } from "node:util";
import { pifDistance } from "../../metrics/pif.ts";
import { distanceSelfChecks } from "../../metrics/selfcheck.ts";
import {
  idsField,
  InputError,
  loadRunDirectory,
  matrixField,
  metricFile,
  numberOption,
  readJson,
  runScript,
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

if (import.meta.main) {
  await runScript(async () => {
    const { values: a } = parseArgs({
      options: {
        run: { type: "string" },
        weights: { type: "string" },
        out: { type: "string" },
        which: { type: "string", default: "final" },
        restarts: { type: "string" },
        seed: { type: "string" },
        "self-checks": { type: "string" },
        "include-unconverged": { type: "boolean", default: false },
        "task-id": { type: "string" },
      },
    });
    if (!a.out) throw new InputError("--out FILE is required");
    if ((a.run === undefined) === (a.weights === undefined)) {
      throw new InputError("give exactly one of --run DIR or --weights FILE");
    }
    if (a.which !== "final" && a.which !== "initial") {
      throw new InputError(`--which must be final or initial, got ${a.which}`);
    }
    const restarts = numberOption(
      a.restarts,
      "restarts",
      20,
      (x) => Number.isInteger(x) && x >= 1,
      "an integer ≥ 1",
    );
    const seed = numberOption(a.seed, "seed", 0, Number.isInteger, "an integer");
    const checks = numberOption(
      a["self-checks"],
      "self-checks",
      3,
      (x) => Number.isInteger(x) && x >= 0,
      "an integer ≥ 0",
    );

    let ids: string[];
    let matrices: number[][][];
    let source: Record<string, unknown>;
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
    const entries = matrices[0].length * matrices[0][0].length;
    const raw = Array.from({ length: S }, () => new Array<number>(S).fill(0));
    const lower = Array.from({ length: S }, () => new Array<number>(S).fill(0));
    const spread = Array.from({ length: S }, () => new Array<number>(S).fill(0));
    const t0 = performance.now();
    for (let i = 0; i < S; i++) {
      for (let j = i + 1; j < S; j++) {
        const r = pifDistance(matrices[i], matrices[j], { restarts, seed });
        raw[i][j] = raw[j][i] = r.distance;
        lower[i][j] = lower[j][i] = r.lowerBound;
        const sd = r.startDistances;
        spread[i][j] = spread[j][i] = Math.max(...sd) - Math.min(...sd);
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    const selfChecks = distanceSelfChecks(
      matrices,
      (x, y) => pifDistance(x, y, { restarts, seed }).distance,
      { samples: checks, seed, known: (i, j) => raw[i][j] },
    );
    const matrix = raw.map((row) => row.map((d) => d / entries));
    const out = metricFile({
      metric: "pif",
      parameters: { restarts, seed, normalization: "distance / number of entries", entries },
      ids,
      matrix,
      summary: { ...summarize(upperTriangle(matrix), seed), pairs: (S * (S - 1)) / 2, seconds },
      selfChecks: { ...selfChecks, maxRestartSpread: Math.max(...upperTriangle(spread)) },
      source,
      extra: { rawMatrix: raw, lowerBound: lower, restartSpread: spread },
    });
    await writeJsonAtomic(a.out, out);
    console.log(
      `pif: ${S} networks, ${(S * (S - 1)) / 2} pairs in ${seconds.toFixed(1)} s → ${a.out}`,
    );
  });
}
