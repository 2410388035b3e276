/**
 * Worker-parallel DSA distance matrix (I/O-side companion of the pure
 * `dsaDistanceMatrix` in `metrics/dsa.ts`): one Web Worker per core fits the systems'
 * DMDs (each fitted once), then the S(S−1)/2 pairs are handed out in chunks to whichever
 * worker is idle. Results are identical to `dsaDistanceMatrix` (same seeds, same code).
 *
 * @module
 */
import {
  assembleDsaMatrix,
  type DsaMatrixResult,
  type DsaOptions,
  dsaSelfCheckPairs,
} from "./dsa.ts";
import type { DmdFit, Trajectories } from "./dmd.ts";
import { callWorker, distributeChunks, withWorkers } from "../worker_pool.ts";

/** Options of `dsaDistanceMatrixParallel`. */
export interface ParallelOptions {
  /** Number of workers (default `navigator.hardwareConcurrency`, at least 1). */
  workers?: number;
  /** Pairs per work item (default 4). */
  chunk?: number;
  /** Called after each finished chunk with (pairs done, pairs total). */
  onProgress?: (done: number, total: number) => void;
}

type Msg =
  | { type: "fit"; index: number; fit: DmdFit }
  | { type: "ready" }
  | { type: "pairs"; results: { i: number; j: number; distance: number; spread: number }[] }
  | { type: "error"; message: string };

/**
 * Pairwise DSA matrix over many systems on `workers` Web Workers. Same result layout as
 * `dsaDistanceMatrix` (matrix, restart spreads, self-checks: d(X,X) and both argument
 * orders on `selfCheckSamples` samples).
 */
export async function dsaDistanceMatrixParallel(
  systems: (Trajectories | DmdFit)[],
  options: DsaOptions & { selfCheckSamples?: number } = {},
  parallel: ParallelOptions = {},
): Promise<DsaMatrixResult> {
  const S = systems.length;
  const nw = Math.max(
    1,
    Math.min(parallel.workers ?? navigator.hardwareConcurrency ?? 1, Math.max(S, 1)),
  );
  const chunk = parallel.chunk ?? 4;
  if (!Number.isInteger(nw) || nw < 1) {
    throw new Error(`workers: must be an integer ≥ 1, got ${nw}`);
  }
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new Error(`chunk: must be an integer ≥ 1, got ${chunk}`);
  }
  const isFit = (x: unknown): x is DmdFit => typeof x === "object" && x !== null && "operator" in x;
  const call = callWorker<Msg>;
  return await withWorkers(new URL("./worker.ts", import.meta.url), nw, async (workers) => {
    // 1. fits (each system once), dynamic scheduling
    const fits: DmdFit[] = new Array(S);
    const toFit: number[] = [];
    systems.forEach((s, i) => (isFit(s) ? (fits[i] = s) : toFit.push(i)));
    await distributeChunks(workers, toFit.length, 1, async (w, k) => {
      const idx = toFit[k];
      const r = await call(w, { type: "fit", index: idx, trajectories: systems[idx], options });
      if (r.type === "fit") fits[r.index] = r.fit;
    });
    // 2. operators to every worker
    await Promise.all(workers.map((w) => call(w, { type: "operators", fits })));
    // 3. pairs (upper triangle) + self-check pairs
    const pairs: [number, number][] = [];
    for (let i = 0; i < S; i++) for (let j = i + 1; j < S; j++) pairs.push([i, j]);
    const selfPairs: [number, number][] = [];
    for (const { i, j } of dsaSelfCheckPairs(S, options.selfCheckSamples ?? 3)) {
      selfPairs.push([i, i]);
      if (j !== null) selfPairs.push([j, i]);
    }
    const all = [...pairs, ...selfPairs];
    const results = new Map<string, { distance: number; spread: number }>();
    let done = 0;
    await distributeChunks(workers, all.length, chunk, async (w, start, end) => {
      const items = all.slice(start, end);
      const r = await call(w, { type: "pairs", pairs: items, options });
      if (r.type === "pairs") {
        for (const x of r.results) results.set(`${x.i},${x.j}`, x);
        done += items.length;
        parallel.onProgress?.(Math.min(done, pairs.length), pairs.length);
      }
    });
    return assembleDsaMatrix(fits, options.selfCheckSamples, (i, j) => results.get(`${i},${j}`)!);
  });
}
