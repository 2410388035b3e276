/**
 * Web Worker of the local executor: runs the units it is sent, one at a time, on the
 * single-threaded path (`runUnit` with `workers: 0`), and answers each with its outcome. The
 * unit graph is rebuilt from the run's options (and cached), exactly as `scripts/run_unit.ts`
 * does.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { buildGraph, type Graph, type PlanOptions } from "../units/graph.ts";
import { runUnit } from "../units/execute.ts";

/** A request: run unit `id` of the run `options` in `out`. */
export interface UnitRequest {
  out: string;
  options: PlanOptions;
  id: string;
  backend: string;
}

let cached: { key: string; graph: Graph } | null = null;

self.onmessage = async (ev: MessageEvent<UnitRequest>) => {
  const { out, options, id, backend } = ev.data;
  const key = JSON.stringify(options);
  if (!cached || cached.key !== key) cached = { key, graph: buildGraph(options) };
  const unit = cached.graph.byId.get(id);
  if (!unit) {
    self.postMessage({ id, status: "failed", seconds: 0, message: `unknown unit ${id}` });
    return;
  }
  const outcome = await runUnit(out, cached.graph, unit, {
    workers: 0,
    backend,
    quiet: true,
    runner: "local-worker",
  });
  self.postMessage(outcome);
};
