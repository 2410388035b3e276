/**
 * Worker-parallel DSA distance matrix (the worker side of the pure `dsaDistanceMatrix` in
 * `dsa.ts`, through the pairwise layer `metrics/pairwise.ts`): one Web Worker per core fits the
 * systems' DMDs (each fitted once), then the S(S−1)/2 pairs and the self-check pairs are handed
 * out in chunks to whichever worker is idle. Results are identical to `dsaDistanceMatrix`
 * (same seeds, same code).
 *
 * @module
 */
import {
  _assembleDsaMatrix,
  type DsaMatrixResult,
  type DsaOptions,
  type DsaPairMeasure,
} from "./dsa.ts";
import type { DmdFit, Trajectories } from "./dmd.ts";
import {
  computePairsOnWorkers,
  evenlySpacedSelfChecks,
  metricWorkersAvailable,
  type PairwiseParallelOptions,
  reversedPair,
} from "../pairwise.ts";
import { distributeChunks } from "../worker_pool.ts";

const WORKER_URL = new URL("./worker.ts", import.meta.url);

/**
 * Whether DSA workers can be started under the current permissions (read access to `metrics/`).
 *
 * @example
 * ```ts
 * import { dsaWorkersAvailable } from "@degeneracy/degeneracy";
 * console.log(dsaWorkersAvailable() ? "DSA matrices on workers" : "DSA matrices in this thread");
 * ```
 */
export function dsaWorkersAvailable(): boolean {
  return metricWorkersAvailable();
}

/**
 * Pairwise DSA matrix over many systems on Web Workers (`parallel.workers`, default one per
 * core; `chunk` pairs per message, default 4). Same result as `dsaDistanceMatrix(systems,
 * options)`: matrix, restart spreads, self-checks (d(X,X) and both argument orders on
 * `selfCheckSamples` samples), fits.
 *
 * @throws Error naming the bad option, or the worker's error message.
 *
 * @example Same matrix as the serial one
 * ```ts
 * import { dsaDistanceMatrix, dsaDistanceMatrixParallel, dsaWorkersAvailable } from "@degeneracy/degeneracy";
 * const system = (phase: number) =>
 *   Array.from({ length: 3 }, (_, k) =>
 *     Array.from({ length: 40 }, (_, t) => {
 *       const a = 0.3 * t + phase + k;
 *       return [Math.cos(a) * 0.97 ** t, Math.sin(a) * 0.97 ** t];
 *     }));
 * const systems = [system(0), system(1), system(2)];
 * if (dsaWorkersAvailable()) {
 *   const par = await dsaDistanceMatrixParallel(systems, { rank: 2 }, { workers: 2 });
 *   const ser = dsaDistanceMatrix(systems, { rank: 2 });
 *   if (JSON.stringify(par.matrix) !== JSON.stringify(ser.matrix)) throw new Error("differ");
 * }
 * ```
 */
export async function dsaDistanceMatrixParallel(
  systems: (Trajectories | DmdFit)[],
  options: DsaOptions & { selfCheckSamples?: number } = {},
  parallel: PairwiseParallelOptions = {},
): Promise<DsaMatrixResult> {
  const S = systems.length;
  const selfPairs = evenlySpacedSelfChecks(S, options.selfCheckSamples ?? 3).flatMap((
    { i, j },
  ): [number, number][] => j === null ? [[i, i]] : [[i, i], reversedPair(i, j)]);
  const isFit = (x: unknown): x is DmdFit => typeof x === "object" && x !== null && "operator" in x;
  const fits: DmdFit[] = new Array(S);
  const result = await computePairsOnWorkers<DsaPairMeasure>(
    WORKER_URL,
    S,
    selfPairs,
    { ...parallel, defaultChunk: 4, minWorkers: S },
    async (workers) => {
      // each system fitted once, on whichever worker is idle; then the operators to every worker
      const toFit: number[] = [];
      systems.forEach((s, i) => (isFit(s) ? (fits[i] = s) : toFit.push(i)));
      await distributeChunks(workers, toFit.length, 1, async (w, k) => {
        const index = toFit[k];
        const r = await w.call<{ fit: DmdFit }>({
          type: "fit",
          trajectories: systems[index],
          options,
        });
        fits[index] = r.fit;
      });
      await Promise.all(workers.map((w) => w.call({ type: "operators", fits, options })));
    },
  );
  return _assembleDsaMatrix(fits, options.selfCheckSamples, result);
}
