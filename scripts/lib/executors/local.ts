/**
 * The local executor: runs the units of a graph on this machine, one Web Worker per core by
 * default, each worker one unit at a time on the single-threaded path (as a Slurm array task
 * would). A unit starts as soon as all its input files exist, earlier stages first and larger
 * units first within a stage; units that fail leave their error file and the rest go on. Units
 * already done are skipped, so a rerun after a kill resumes. With `workers: 0` everything runs
 * in this thread, in stage order. Training on a GPU (backend `webgpu`, or `auto` on a machine
 * with a real GPU adapter) runs on this thread, one training unit at a time.
 *
 * @module
 */
import { webgpuAdapterInfo } from "../../../mod.ts";
import { join, writeJsonAtomic } from "../io.ts";
import { unitErrorPath } from "../layout.ts";
import { SCHEMA, type UnitErrorFile } from "../formats.ts";
import { fmtDuration, Progress } from "../progress.ts";
import type { Graph, Unit } from "../units/graph.ts";
import { runUnit, type UnitOutcome } from "../units/execute.ts";
import { unitStates } from "../units/status.ts";
import type { UnitRequest } from "./local_worker.ts";

/** Options of {@link runLocal}. */
export interface LocalOptions {
  /** Web Workers (default one per core; 0 = this thread only). */
  workers: number;
  backend: string;
  quiet: boolean;
  /** Progress printer (one line per finished unit at most every few seconds). */
  progress?: Progress;
  /** Called after each unit (tests use it to follow the run). */
  onUnit?: (o: UnitOutcome) => void;
}

/** Whether training units must run on this thread (a GPU backend, not shareable by workers). */
async function trainOnMainThread(backend: string): Promise<boolean> {
  if (backend === "cpu") return false;
  if (backend === "webgpu") return true;
  const nav = navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } };
  if (!nav.gpu) return false;
  try {
    const info = await webgpuAdapterInfo();
    return info.available && !info.isFallbackAdapter;
  } catch {
    return false;
  }
}

/** Writes the error file of a unit whose worker died before it could report. */
async function recordCrash(out: string, u: Unit, message: string): Promise<void> {
  const err: UnitErrorFile = {
    schema: SCHEMA.unitError,
    unit: u.id,
    stage: u.stage,
    message: `worker crashed: ${message}`,
    at: new Date().toISOString(),
  };
  await writeJsonAtomic(unitErrorPath(out, u.id), err);
}

function fileExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs every unit of `graph` that is not done yet into `out`; resolves when no unit can run any
 * more. Returns the outcomes of the units it ran (failed ones carry their message).
 */
export async function runLocal(
  out: string,
  graph: Graph,
  options: LocalOptions,
): Promise<UnitOutcome[]> {
  const all = graph.stages.flatMap((s) => s.units);
  const stageIndex = new Map(graph.stages.map((s, i) => [s.name, i]));
  const states = unitStates(out, graph);
  const todo = all.filter((u) => states.get(u.id) !== "done");
  const progress = options.progress ??
    new Progress("local", 0, { quiet: options.quiet, intervalMs: 5000 });
  progress.addTotal(todo.reduce((a, u) => a + u.coreSeconds, 0));
  const outcomes: UnitOutcome[] = [];
  const mainTrain = await trainOnMainThread(options.backend);
  const request = (u: Unit): UnitRequest => ({
    out,
    options: graph.options,
    id: u.id,
    backend: options.backend,
  });
  // pending units, earlier stages first, then larger first
  const pending = [...todo].sort((a, b) =>
    stageIndex.get(a.stage)! - stageIndex.get(b.stage)! || b.coreSeconds - a.coreSeconds
  );
  const ready = (u: Unit) => u.inputs.every((i) => fileExists(join(out, i)));
  const finish = (u: Unit, o: UnitOutcome) => {
    outcomes.push(o);
    options.onUnit?.(o);
    const note = o.status === "failed"
      ? `${u.id} FAILED: ${o.message}`
      : `${u.id} ${o.status} in ${fmtDuration(o.seconds)}`;
    if (o.status === "failed") progress.log(note);
    progress.advance(u.coreSeconds, note);
  };

  if (options.workers <= 0) {
    // Passes until nothing more is ready: a unit may read what a later-sorted unit of its own
    // stage writes (epoch segments chained by checkpoints); a unit never ready had an input
    // fail upstream.
    for (let ran = true; ran;) {
      ran = false;
      for (let k = 0; k < pending.length; k++) {
        const u = pending[k];
        if (!ready(u)) continue;
        pending.splice(k--, 1);
        ran = true;
        finish(
          u,
          await runUnit(out, graph, u, {
            workers: 0,
            backend: options.backend,
            quiet: options.quiet,
          }),
        );
      }
    }
    return outcomes;
  }

  const workerUrl = new URL("./local_worker.ts", import.meta.url);
  const idle: Worker[] = [];
  const started: Worker[] = [];
  const spawn = () => {
    const w = new Worker(workerUrl, { type: "module" });
    started.push(w);
    return w;
  };
  for (let k = 0; k < options.workers; k++) idle.push(spawn());
  let mainBusy = false;
  const running = new Set<Promise<void>>();
  const runOnWorker = (w: Worker, u: Unit) =>
    new Promise<{ outcome: UnitOutcome; crashed: boolean }>((resolve) => {
      w.onmessage = (ev: MessageEvent<UnitOutcome>) =>
        resolve({ outcome: ev.data, crashed: false });
      w.onerror = (ev: ErrorEvent) => {
        ev.preventDefault();
        resolve({
          outcome: { id: u.id, status: "failed", seconds: 0, message: ev.message },
          crashed: true,
        });
      };
      w.postMessage(request(u));
    });
  try {
    while (true) {
      // start every ready unit a free slot can take
      for (let k = 0; k < pending.length; k++) {
        const u = pending[k];
        const onMain = u.stage === "report" || (u.stage === "train" && mainTrain);
        if (onMain ? mainBusy : idle.length === 0) continue;
        if (!ready(u)) continue;
        pending.splice(k--, 1);
        let p: Promise<void>;
        if (onMain) {
          mainBusy = true;
          p = runUnit(out, graph, u, {
            workers: 0,
            backend: options.backend,
            quiet: options.quiet,
          }).then((o) => {
            mainBusy = false;
            finish(u, o);
          });
        } else {
          const w = idle.pop()!;
          p = runOnWorker(w, u).then(async ({ outcome, crashed }) => {
            if (crashed) {
              // the worker itself died (e.g. an uncaught error): record it, replace the worker
              w.terminate();
              idle.push(spawn());
              await recordCrash(out, u, outcome.message ?? "worker crashed");
            } else idle.push(w);
            finish(u, outcome);
          });
        }
        const tracked: Promise<void> = p.finally(() => running.delete(tracked));
        running.add(tracked);
      }
      if (running.size === 0) break; // nothing runs and nothing more is ready
      await Promise.race(running);
    }
  } finally {
    for (const w of started) w.terminate();
  }
  return outcomes;
}
