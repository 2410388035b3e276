/**
 * The library's Web Worker plumbing, main-thread side, shared by the CPU training backend
 * (`rnn/backends/cpu.ts`) and the worker-parallel distance matrices (`metrics/pairwise.ts`):
 *
 * - `WorkerClient`: request/reply calls to one module worker. Every request carries an `id`
 *   that the worker echoes in its reply, so several calls may be in flight; a reply with an
 *   `error` string rejects that call, and a crash of the worker (an uncaught error, a message
 *   that cannot be decoded) rejects every pending call and every later one.
 * - `withWorkers`: start a fixed set of workers, run a body with them, terminate them all.
 * - `distributeChunks`: hand out contiguous chunks of a work list to whichever worker is idle
 *   (dynamic scheduling), stopping at the first failure.
 * - `serveRequests`: the worker side of the protocol, for workers that may import this file.
 *
 * Nothing here starts a worker at import. The module sits in `metrics/` because the metric
 * workers, which may read only `metrics/`, use `serveRequests`. (The CPU training worker, which
 * may read only `rnn/`, answers the same protocol with its own small loop.)
 *
 * @module
 */

/** What a worker sends back: `id` echoes the request's, `error` is set when it failed. */
export interface WorkerReply {
  /** The id of the request this answers. */
  id: number;
  /** Error message when the request failed. */
  error?: string;
}

/** Request/reply calls to one Web Worker (module doc). */
export class WorkerClient {
  #nextId = 1;
  #pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  #failed: Error | null = null;

  /**
   * Wraps `worker`; `label` prefixes error messages (`"<label>: <error>"`,
   * `"<label> crashed: <message>"`), none by default.
   */
  constructor(readonly worker: Worker, readonly label = "") {
    const prefix = label ? `${label}: ` : "";
    worker.onmessage = (e: MessageEvent<WorkerReply>) => {
      const r = e.data;
      const p = this.#pending.get(r?.id);
      if (!p) return;
      this.#pending.delete(r.id);
      if (r.error !== undefined) p.reject(new Error(`${prefix}${r.error}`));
      else p.resolve(r);
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#fail(new Error(label ? `${label} crashed: ${e.message}` : e.message));
    };
    worker.onmessageerror = () => this.#fail(new Error(`${prefix}message could not be decoded`));
  }

  #fail(err: Error): void {
    this.#failed = err;
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }

  /**
   * Posts `{ ...msg, id }` (transferring `transfer`) and resolves with the worker's reply to
   * it; rejects with the reply's `error` or when the worker has crashed.
   */
  call<R extends object = Record<string, unknown>>(
    msg: Record<string, unknown>,
    transfer: Transferable[] = [],
  ): Promise<R & WorkerReply> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (r: WorkerReply) => void, reject });
      this.worker.postMessage({ ...msg, id }, transfer);
    });
  }

  /** Stops the worker; calls still pending never settle. */
  terminate(): void {
    this.worker.terminate();
  }
}

/**
 * Starts `count` module workers from `url` (as `WorkerClient`s labelled `label`), runs `body`
 * with them and terminates them all afterwards, whether `body` resolves or throws.
 */
export async function withWorkers<T>(
  url: URL,
  count: number,
  body: (workers: WorkerClient[]) => Promise<T>,
  label = "",
): Promise<T> {
  const workers: WorkerClient[] = [];
  try {
    for (let k = 0; k < count; k++) {
      workers.push(new WorkerClient(new Worker(url, { type: "module" }), label));
    }
    return await body(workers);
  } finally {
    for (const w of workers) w.terminate();
  }
}

/**
 * Splits items `0 … total−1` into consecutive chunks of at most `chunk` and runs
 * `run(worker, start, end)` (items `start … end−1`) on whichever worker is free next, until
 * every chunk is done. Each worker handles one chunk at a time; after a failure no new chunk
 * starts and the first error is thrown.
 */
export async function distributeChunks<W>(
  workers: W[],
  total: number,
  chunk: number,
  run: (w: W, start: number, end: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(workers.map(async (w) => {
    while (next < total) {
      const start = next;
      const end = Math.min(start + chunk, total);
      next = end;
      try {
        await run(w, start, end);
      } catch (e) {
        next = total;
        throw e;
      }
    }
  }));
}

/**
 * The worker side of the `WorkerClient` protocol: answers every request `{ id, ...msg }` with
 * `{ id, ...await handle(msg) }`, or `{ id, error }` when `handle` throws. Call it once at the
 * top level of a worker module.
 */
export function serveRequests(
  handle: (msg: Record<string, unknown>) => object | Promise<object>,
): void {
  const scope = globalThis as unknown as {
    onmessage: ((ev: MessageEvent) => void) | null;
    postMessage(msg: unknown): void;
  };
  scope.onmessage = async (ev: MessageEvent) => {
    const { id, ...msg } = ev.data as { id: number } & Record<string, unknown>;
    try {
      scope.postMessage({ ...(await handle(msg)), id });
    } catch (e) {
      scope.postMessage({ id, error: e instanceof Error ? e.message : String(e) });
    }
  };
}
