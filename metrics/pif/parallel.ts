/**
 * Worker-parallel PIF distance matrix (I/O-side companion of the pure `pifDistanceMatrix` in
 * `metrics/pif.ts`): one Web Worker per core receives the matrices once, then the S(S−1)/2
 * pairs and the self-check pairs are handed out in chunks to whichever worker is idle.
 * Results are identical to `pifDistanceMatrix` (same code per pair, same options and seed).
 *
 * Permissions: a worker module loaded from a `file:` URL needs read access to it and to its
 * imports, i.e. `--allow-read` covering this `metrics/` directory;
 * {@link pifWorkersAvailable} tells whether that is granted.
 *
 * @module
 */
import {
  assemblePifMatrix,
  checkPifMatrixInput,
  type PifMatrixOptions,
  type PifMatrixResult,
  type PifPairResult,
  pifSelfCheckRequests,
  upperPairs,
} from "./pif.ts";
import { callWorker, distributeChunks, withWorkers } from "../worker_pool.ts";

/** Options of {@link pifDistanceMatrixParallel}. */
export interface PifParallelOptions {
  /** Number of workers (default `navigator.hardwareConcurrency`; at most the number of pairs). */
  workers?: number;
  /** Pairs per work item (default 1: a pair takes ~0.1–1 s at n = 128, messages are cheap). */
  chunk?: number;
  /** Called after each finished chunk with (pairs done, pairs total), self-checks included. */
  onProgress?: (done: number, total: number) => void;
}

const WORKER_URL = new URL("./worker.ts", import.meta.url);

/**
 * Whether PIF workers can be started under the current permissions: for a local (`file:`)
 * module, read access to the `metrics/` directory (the worker and its imports); other
 * schemes (e.g. `https:`) are assumed loadable.
 */
export function pifWorkersAvailable(): boolean {
  if (WORKER_URL.protocol !== "file:") return true;
  const dir = new URL("..", WORKER_URL);
  return Deno.permissions.querySync({ name: "read", path: dir }).state === "granted";
}

type Msg =
  | { type: "ready" }
  | { type: "pairs"; results: PifPairResult[] }
  | { type: "error"; message: string };

/**
 * Pairwise PIF matrix of same-shape matrices `ws` on `workers` Web Workers; same result as
 * `pifDistanceMatrix(ws, options)` (matrix, bounds, spreads, permutations, self-checks).
 *
 * @throws Error naming the bad matrix or option, or the worker's error message.
 */
export async function pifDistanceMatrixParallel(
  ws: number[][][],
  options: PifMatrixOptions = {},
  parallel: PifParallelOptions = {},
): Promise<PifMatrixResult> {
  const shape = checkPifMatrixInput(ws, options);
  const S = ws.length;
  const requested = parallel.workers ?? navigator.hardwareConcurrency ?? 1;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new Error(`workers must be an integer ≥ 1, got ${requested}`);
  }
  const chunk = parallel.chunk ?? 1;
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new Error(`chunk must be an integer ≥ 1, got ${chunk}`);
  }
  const pairs = upperPairs(S);
  const checks = pifSelfCheckRequests(S, options.selfCheckSamples ?? 3, options.seed ?? 0);
  const checkKeys = [...new Set(checks.map(([a, b]) => `${a},${b}`))];
  const items: [number, number][] = [
    ...pairs,
    ...checkKeys.map((k) => k.split(",").map(Number) as [number, number]),
  ];
  const nw = Math.min(requested, Math.ceil(items.length / chunk));
  return await withWorkers(WORKER_URL, nw, async (workers) => {
    await Promise.all(workers.map((w) => callWorker<Msg>(w, { type: "init", ws, options })));
    const results: PifPairResult[] = new Array(items.length);
    let done = 0;
    await distributeChunks(workers, items.length, chunk, async (w, start, end) => {
      const batch = items.slice(start, end);
      const r = await callWorker<Msg>(w, { type: "pairs", pairs: batch });
      if (r.type !== "pairs" || r.results.length !== batch.length) {
        throw new Error("pif worker: unexpected reply");
      }
      r.results.forEach((x, k) => (results[start + k] = x));
      done += batch.length;
      parallel.onProgress?.(done, items.length);
    });
    const selfDistances = new Map<string, number>();
    checkKeys.forEach((key, k) => selfDistances.set(key, results[pairs.length + k].distance));
    return assemblePifMatrix(S, shape, results.slice(0, pairs.length), selfDistances, options);
  });
}
