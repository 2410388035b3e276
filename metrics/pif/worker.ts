/**
 * Web Worker for `pifDistanceMatrixParallel` (`metrics/pif/parallel.ts`): holds the matrices
 * and solves the PIF pairs it is sent with `pifPair` (the same code as the serial
 * `pifDistanceMatrix`). Messages:
 *   {type: "init", ws, options}        → {type: "ready"}
 *   {type: "pairs", pairs: [i, j][]}   → {type: "pairs", results: PifPairResult[]}
 * Errors are reported as {type: "error", message}.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { type PifMatrixOptions, pifPair, type PifPairResult } from "./pif.ts";

let ws: number[][][] = [];
let options: PifMatrixOptions = {};

self.onmessage = (ev: MessageEvent) => {
  const msg = ev.data;
  try {
    if (msg.type === "init") {
      ws = msg.ws;
      options = msg.options;
      self.postMessage({ type: "ready" });
    } else if (msg.type === "pairs") {
      const results: PifPairResult[] = [];
      for (const [i, j] of msg.pairs as [number, number][]) {
        results.push(pifPair(ws, i, j, options));
      }
      self.postMessage({ type: "pairs", results });
    } else {
      throw new Error(`unknown message type ${msg.type}`);
    }
  } catch (e) {
    self.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
};
