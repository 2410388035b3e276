/**
 * Worker-parallel PIF distance matrix (the worker side of the pure `pifDistanceMatrix` in
 * `pif.ts`, through the pairwise layer `metrics/pairwise.ts`): one Web Worker per core receives
 * the matrices once, then the S(S−1)/2 pairs and the self-check pairs are handed out in chunks
 * to whichever worker is idle. Results are identical to `pifDistanceMatrix` (same code per
 * pair, same options and seed).
 *
 * Permissions: a worker module loaded from a `file:` URL needs read access to it and to its
 * imports, i.e. `--allow-read` covering the `metrics/` directory; {@link pifWorkersAvailable}
 * tells whether that is granted.
 *
 * @module
 */
import {
  _assemblePifMatrix,
  _checkPifMatrixInput,
  type PifMatrixOptions,
  type PifMatrixResult,
  type PifPairResult,
} from "./pif.ts";
import {
  computePairsOnWorkers,
  metricWorkersAvailable,
  type PairwiseParallelOptions,
  seededSelfChecks,
  upperPairs,
} from "../pairwise.ts";

const WORKER_URL = new URL("./worker.ts", import.meta.url);

/**
 * Whether PIF workers can be started under the current permissions: for a local (`file:`)
 * module, read access to the `metrics/` directory (the worker and its imports); other
 * schemes (e.g. `https:`) are assumed loadable.
 *
 * @example
 * ```ts
 * import { pifWorkersAvailable } from "@degeneracy/degeneracy";
 * const canUseWorkers: boolean = pifWorkersAvailable();
 * console.log(canUseWorkers ? "PIF matrices on workers" : "PIF matrices in this thread");
 * ```
 */
export function pifWorkersAvailable(): boolean {
  return metricWorkersAvailable();
}

/**
 * Pairwise PIF matrix of same-shape matrices `ws` on Web Workers (`parallel.workers`, default
 * one per core; `chunk` pairs per message, default 1: a pair takes ~0.1–1 s at n = 128);
 * same result as `pifDistanceMatrix(ws, options)` (matrix, bounds, spreads, permutations,
 * self-checks).
 *
 * @throws Error naming the bad matrix or option, or the worker's error message.
 *
 * @example Same matrix as the serial one
 * ```ts
 * import { pifDistanceMatrix, pifDistanceMatrixParallel, pifWorkersAvailable } from "@degeneracy/degeneracy";
 * const w = [[0.1, 0.5, -0.2], [0.3, -0.4, 0.0], [0.2, 0.1, 0.6]];
 * const permuted = [w[2], w[0], w[1]].map((row) => [row[1], row[2], row[0]]);
 * const ws = [w, permuted, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]];
 * if (pifWorkersAvailable()) {
 *   const par = await pifDistanceMatrixParallel(ws, { restarts: 4 }, { workers: 2 });
 *   const ser = pifDistanceMatrix(ws, { restarts: 4 });
 *   if (JSON.stringify(par.matrix) !== JSON.stringify(ser.matrix)) throw new Error("differ");
 * }
 * ```
 */
export async function pifDistanceMatrixParallel(
  ws: number[][][],
  options: PifMatrixOptions = {},
  parallel: PairwiseParallelOptions = {},
): Promise<PifMatrixResult> {
  const shape = _checkPifMatrixInput(ws, options);
  const S = ws.length;
  const checks = seededSelfChecks(S, options.selfCheckSamples ?? 3, options.seed ?? 0);
  const result = await computePairsOnWorkers<PifPairResult>(
    WORKER_URL,
    S,
    checks,
    { ...parallel, defaultChunk: 1 },
    async (workers) => {
      await Promise.all(workers.map((w) => w.call({ type: "init", ws, options })));
    },
  );
  const pairs = upperPairs(S).map(([i, j]) => result(i, j));
  const selfDistances = new Map(checks.map(([a, b]) => [`${a},${b}`, result(a, b).distance]));
  return _assemblePifMatrix(S, shape, pairs, selfDistances, options);
}
