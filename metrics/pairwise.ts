/**
 * The pairwise-matrix layer shared by the distance matrices of DSA (`metrics/dsa/`) and PIF
 * (`metrics/pif/`): which pairs are computed, which are re-measured as self-checks, and how the
 * pairs are spread over Web Workers. A metric supplies only its per-pair function (serially, or
 * inside its worker module); the matrix, its self-checks and the worker-parallel version then
 * follow the same rules for every metric:
 *
 * - pairs: the upper triangle i < j, row by row (`upperPairs`); the matrix is mirrored with a
 *   zero diagonal;
 * - self-checks: d(X, X) = 0 and d(X_i, X_j) = d(X_j, X_i) re-measured on `selfCheckSamples`
 *   items (default 3), chosen evenly spaced (DSA, `evenlySpacedSelfChecks`) or seeded (PIF,
 *   `seededSelfChecks`);
 * - workers: `PairwiseParallelOptions` (`workers`, `chunk`, `onProgress`), one worker per core
 *   by default, chunks of work items handed to whichever worker is idle, results identical to
 *   the serial matrix because every pair runs the same code with the same options and seed.
 *
 * Worker modules loaded from `file:` URLs need read access to `metrics/`
 * (`metricWorkersAvailable` says whether it is granted).
 *
 * @module
 */
import { makeRng, randomPermutation } from "./rng.ts";
import { distributeChunks, withWorkers, type WorkerClient } from "./worker_pool.ts";

/** Options of the worker-parallel matrices (`dsaDistanceMatrixParallel`, `pifDistanceMatrixParallel`). */
export interface PairwiseParallelOptions {
  /**
   * Number of workers: an integer ≥ 1 (default `navigator.hardwareConcurrency`), capped at the
   * number of work items.
   */
  workers?: number;
  /** Work items (pairs or fits) per message to a worker (default: the metric's). */
  chunk?: number;
  /** Called after each finished chunk with (items done, items total), self-checks included. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * The pairs (i < j) of an S-item matrix, row by row.
 *
 * @example
 * ```ts
 * import { upperPairs } from "./pairwise.ts";
 * const pairs = upperPairs(3); // [[0, 1], [0, 2], [1, 2]]
 * if (JSON.stringify(pairs) !== "[[0,1],[0,2],[1,2]]") throw new Error(JSON.stringify(pairs));
 * ```
 */
export function upperPairs(S: number): [number, number][] {
  const pairs: [number, number][] = [];
  for (let i = 0; i < S; i++) for (let j = i + 1; j < S; j++) pairs.push([i, j]);
  return pairs;
}

/** A symmetric S×S matrix with zero diagonal from per-pair values (`value(k)` of pair k). */
export function mirrorPairs(
  S: number,
  pairs: readonly (readonly [number, number])[],
  value: (k: number) => number,
): number[][] {
  const m = Array.from({ length: S }, () => new Array<number>(S).fill(0));
  pairs.forEach(([i, j], k) => (m[i][j] = m[j][i] = value(k)));
  return m;
}

/**
 * The argument order `[max(i, j), min(i, j)]` that measures the pair {i, j} in the reverse of
 * the upper-triangle order (`upperPairs` computes d(min, max)), so a symmetry self-check really
 * re-measures the entry with its arguments swapped instead of repeating the same call.
 *
 * @example
 * ```ts
 * import { reversedPair } from "./pairwise.ts";
 * if (reversedPair(1, 4).join() !== "4,1" || reversedPair(4, 1).join() !== "4,1") throw new Error();
 * ```
 */
export function reversedPair(i: number, j: number): [number, number] {
  return i > j ? [i, j] : [j, i];
}

/**
 * Evenly spaced self-check samples of an S-item matrix (the DSA rule): `min(samples, S)` items
 * i = ⌊s·S/ns⌋, each measured against itself and, when S > 1, with a partner j ≠ i whose
 * reversed-order distance (`reversedPair(i, j)`) is compared with the matrix entry (`j` null
 * when S = 1).
 */
export function evenlySpacedSelfChecks(
  S: number,
  samples = 3,
): { i: number; j: number | null }[] {
  const ns = Math.min(samples, S);
  const out: { i: number; j: number | null }[] = [];
  for (let s = 0; s < ns; s++) {
    const i = Math.floor((s * S) / ns);
    const j = S > 1 ? ((i + 1 + s) % S === i ? (i + 1) % S : (i + 1 + s) % S) : null;
    out.push({ i, j });
  }
  return out;
}

/**
 * Seeded self-check samples of an S-item matrix (the PIF rule, `distanceSelfChecks`): items
 * in the order of a seeded permutation for the identities, then distinct random pairs for the
 * symmetry checks. Returns the `[a, b]` argument pairs whose distances the checks evaluate,
 * in evaluation order: identities (i, i) and reversed pairs (`reversedPair`: the larger index
 * first, the reverse of the matrix's upper-triangle call, whose value is taken from the matrix).
 */
export function seededSelfChecks(S: number, samples: number, seed: number): [number, number][] {
  const rng = makeRng(seed);
  const order = randomPermutation(S, rng);
  const requests: [number, number][] = [];
  for (const i of order.subarray(0, Math.min(samples, S))) requests.push([i, i]);
  if (S >= 2) {
    const seen = new Set<string>();
    const maxPairs = Math.min(samples, (S * (S - 1)) / 2);
    while (seen.size < maxPairs) {
      const i = Math.floor(rng() * S);
      const j = Math.floor(rng() * S);
      const key = `${Math.min(i, j)},${Math.max(i, j)}`;
      if (i === j || seen.has(key)) continue;
      seen.add(key);
      requests.push(reversedPair(i, j));
    }
  }
  return requests;
}

/**
 * Whether metric workers can be started under the current permissions: for local (`file:`)
 * modules, read access to the `metrics/` directory (the worker modules and their imports);
 * other schemes (e.g. `https:`) are assumed loadable.
 */
export function metricWorkersAvailable(): boolean {
  const dir = new URL("./", import.meta.url);
  if (dir.protocol !== "file:") return true;
  return Deno.permissions.querySync({ name: "read", path: dir }).state === "granted";
}

/**
 * The worker count and chunk size of a parallel matrix: `workers` (default
 * `navigator.hardwareConcurrency`) must be an integer ≥ 1 and is capped at `maxUseful(chunk)`
 * (more workers than chunks of work would idle); `chunk` (default `defaultChunk`) an integer
 * ≥ 1.
 */
export function resolveParallel(
  parallel: PairwiseParallelOptions,
  defaultChunk: number,
  maxUseful: (chunk: number) => number,
): { workers: number; chunk: number } {
  const requested = parallel.workers ?? navigator.hardwareConcurrency ?? 1;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new Error(`workers must be an integer ≥ 1, got ${requested}`);
  }
  const chunk = parallel.chunk ?? defaultChunk;
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new Error(`chunk must be an integer ≥ 1, got ${chunk}`);
  }
  return { workers: Math.max(1, Math.min(requested, maxUseful(chunk))), chunk };
}

/**
 * Runs a metric's worker module on Web Workers for an S-item matrix: the work items are the
 * upper pairs, then the self-check pairs not among them (each computed once; a pair's result
 * depends only on the pair, so reusing it changes nothing). `setup` prepares the workers (e.g.
 * sends the data once); the items then go out in chunks as `{ type: "pairs", pairs }` messages
 * to whichever worker is idle, and each reply's `results` (one per pair, in order) are kept.
 * Worker count and chunk size follow `parallel` (`resolveParallel`; at least `minWorkers`
 * are useful, e.g. for a setup phase with one task per item). Returns `result(i, j)` for every
 * upper pair and self-check pair.
 */
export async function computePairsOnWorkers<R>(
  workerUrl: URL,
  S: number,
  selfCheckPairs: readonly (readonly [number, number])[],
  parallel: PairwiseParallelOptions & { defaultChunk: number; minWorkers?: number },
  setup: (workers: WorkerClient[]) => Promise<void>,
): Promise<(i: number, j: number) => R> {
  const items = upperPairs(S);
  const index = new Map<string, number>(items.map(([i, j], k) => [`${i},${j}`, k]));
  for (const [a, b] of selfCheckPairs) {
    if (!index.has(`${a},${b}`)) {
      index.set(`${a},${b}`, items.length);
      items.push([a, b]);
    }
  }
  const { workers, chunk } = resolveParallel(
    parallel,
    parallel.defaultChunk,
    (c) => Math.max(parallel.minWorkers ?? 1, Math.ceil(items.length / c)),
  );
  const results: R[] = new Array(items.length);
  await withWorkers(workerUrl, workers, async (clients) => {
    await setup(clients);
    let done = 0;
    await distributeChunks(clients, items.length, chunk, async (w, start, end) => {
      const batch = items.slice(start, end);
      const r = await w.call<{ results: R[] }>({ type: "pairs", pairs: batch });
      if (!Array.isArray(r.results) || r.results.length !== batch.length) {
        throw new Error("metric worker: unexpected reply");
      }
      r.results.forEach((x, k) => (results[start + k] = x));
      done += batch.length;
      parallel.onProgress?.(done, items.length);
    });
  });
  return (i, j) => {
    const k = index.get(`${i},${j}`);
    if (k === undefined) throw new Error(`pair (${i}, ${j}) was not computed`);
    return results[k];
  };
}
