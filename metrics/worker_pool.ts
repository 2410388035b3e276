/**
 * Small Web Worker pool shared by the worker-parallel distance matrices
 * (`metrics/dsa/parallel.ts`, `metrics/pif/parallel.ts`): start a fixed set of module
 * workers, send one request at a time to a worker and await its reply, and hand out
 * contiguous chunks of a work list to whichever worker is idle (dynamic scheduling).
 *
 * @module
 */

/**
 * Starts `count` module workers from `url`, runs `body` with them and terminates them all
 * afterwards, whether `body` resolves or throws.
 */
export async function withWorkers<T>(
  url: URL,
  count: number,
  body: (workers: Worker[]) => Promise<T>,
): Promise<T> {
  const workers = Array.from({ length: count }, () => new Worker(url, { type: "module" }));
  try {
    return await body(workers);
  } finally {
    for (const w of workers) w.terminate();
  }
}

/**
 * Posts `msg` to worker `w` and resolves with its next reply. A reply
 * `{ type: "error", message }` or an uncaught error in the worker rejects with that message.
 */
export function callWorker<M extends { type: string }>(w: Worker, msg: unknown): Promise<M> {
  return new Promise((resolve, reject) => {
    w.onmessage = (ev: MessageEvent<M>) => {
      if (ev.data.type === "error") {
        reject(new Error((ev.data as unknown as { message: string }).message));
      } else resolve(ev.data);
    };
    w.onerror = (e) => {
      e.preventDefault();
      reject(new Error(e.message));
    };
    w.postMessage(msg);
  });
}

/**
 * Splits items `0 … total−1` into consecutive chunks of at most `chunk` and runs
 * `run(worker, start, end)` (items `start … end−1`) on whichever worker is free next,
 * until every chunk is done. Each worker handles one chunk at a time.
 */
export async function distributeChunks(
  workers: Worker[],
  total: number,
  chunk: number,
  run: (w: Worker, start: number, end: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(workers.map(async (w) => {
    while (next < total) {
      const start = next;
      const end = Math.min(start + chunk, total);
      next = end;
      await run(w, start, end);
    }
  }));
}
