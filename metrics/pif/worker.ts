/**
 * Web Worker for `pifDistanceMatrixParallel` (`parallel.ts`): holds the matrices and solves the
 * PIF pairs it is sent with the same code as the serial `pifDistanceMatrix`. Requests
 * (answered through `serveRequests`, `metrics/worker_pool.ts`):
 *   {type: "init", ws, options}        → {}
 *   {type: "pairs", pairs: [i, j][]}   → {results: PifPairResult[]}
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { _pifPair, type PifMatrixOptions } from "./pif.ts";
import { serveRequests } from "../worker_pool.ts";

let ws: number[][][] = [];
let options: PifMatrixOptions = {};

serveRequests((msg) => {
  switch (msg.type) {
    case "init":
      ws = msg.ws as number[][][];
      options = msg.options as PifMatrixOptions;
      return {};
    case "pairs":
      return {
        results: (msg.pairs as [number, number][]).map(([i, j]) => _pifPair(ws, i, j, options)),
      };
    default:
      throw new Error(`unknown request type ${String(msg.type)}`);
  }
});
