/**
 * Progress of a run directory: done / failed / pending units per stage (from its `plan.json`
 * and the files alone; pending units that wait on a failed one are counted as blocked), and
 * the failed units with their messages. A run submitted with `--executor slurm` also shows, as
 * extra detail from `squeue`, how many units of each stage have an array task running or
 * queued, and the pending units whose array task ended without finishing them (cancelled, over
 * the time limit). With `--wait` it polls until nothing is pending that can still run (for a
 * Slurm run: until Slurm has no queued or running task of it left), then exits 0 only if every
 * unit is done (else 1).
 *
 * Run: `deno task status --out DIR [--wait] [--interval S] [--timeout S]`.
 *
 * @module
 */
import { defineCli, f, requireAccess, runCli, UsageError } from "./lib/cli.ts";
import { readDone } from "./lib/io.ts";
import { planPath } from "./lib/layout.ts";
import { SCHEMA } from "./lib/formats.ts";
import type { PlanFile } from "./lib/units/graph.ts";
import { readUnitErrors, type StageCounts, stageCounts, unitStates } from "./lib/units/status.ts";
import { type SlurmView, slurmView, stoppedUnits } from "./lib/executors/slurm_status.ts";
import { runProcess } from "./lib/executors/slurm_queue.ts";

const hours = (h: number) => (h === 0 ? "0" : h >= 10 ? h.toFixed(0) : h.toPrecision(2));

/**
 * The status table of a run as text lines (left = estimated core-hours of units not done); with
 * a Slurm queue view, two more columns: units whose array task is running and queued.
 */
export function statusTable(counts: StageCounts[], slurm: SlurmView = { kind: "none" }): string[] {
  const q = slurm.kind === "queue" ? slurm.detail.stages : null;
  const cells = (c: StageCounts) => [c.units, c.done, c.failed, c.pending - c.blocked, c.blocked];
  const queue = (c: StageCounts) => {
    const s = q?.get(c.stage) ?? { running: 0, queued: 0 };
    return [s.running, s.queued];
  };
  const rows = counts.map((c) => [
    c.stage,
    ...cells(c).map(String),
    hours(c.remainingCoreSeconds / 3600),
    ...(q ? queue(c).map(String) : []),
  ]);
  const head = [
    "stage",
    "units",
    "done",
    "failed",
    "pending",
    "blocked",
    "left (core-h)",
    ...(q ? ["running", "queued"] : []),
  ];
  const sum = (f: (c: StageCounts) => number[], n: number) =>
    counts.reduce((a, c) => a.map((x, k) => x + f(c)[k]), new Array<number>(n).fill(0));
  const left = counts.reduce((a, c) => a + c.remainingCoreSeconds, 0) / 3600;
  rows.push([
    "total",
    ...sum(cells, 5).map(String),
    hours(left),
    ...(q ? sum(queue, 2).map(String) : []),
  ]);
  const w = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]) =>
    r.map((x, k) => (k === 0 ? x.padEnd(w[k]) : x.padStart(w[k]))).join("  ");
  return [line(head), ...rows.map(line)];
}

/** The command line of `deno task status`. */
export const CLI = defineCli({
  name: "status",
  summary: "Progress of a run directory: done / failed / pending units per stage and the failed " +
    "units with their messages, from its plan.json and files alone. Reads only.",
  flags: {
    out: f.path("DIR", "run directory holding plan.json (required)"),
    wait: f.switch("poll until no unit can still run; exit 0 only if every unit is done"),
    interval: f.int("S", "seconds between polls", { min: 1, max: 86400, defaultText: "10" }),
    timeout: f.int("S", "give up waiting after S seconds (exit 1)", { min: 1 }),
  },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    if (!a.out) {
      throw new UsageError("--out", "missing", "the run directory holding plan.json");
    }
    if (!a.wait && (a.interval !== undefined || a.timeout !== undefined)) {
      throw new UsageError(
        a.interval !== undefined ? "--interval" : "--timeout",
        "only with --wait",
        "add --wait",
      );
    }
    const interval = a.interval ?? 10;
    const timeout = a.timeout;
    requireAccess({
      script: "scripts/status.ts",
      read: [{ flag: "--out", path: a.out }],
      write: [],
      other: ["--allow-run=squeue"],
    }, Deno.args);
    const plan = await readDone<PlanFile>(planPath(a.out), SCHEMA.plan);
    if (!plan) {
      throw new UsageError(
        "--out",
        `${planPath(a.out)} is missing or not a ${SCHEMA.plan} file`,
        "a run directory written by reproduce or plan",
      );
    }
    const t0 = performance.now();
    let last = "";
    while (true) {
      // Slurm first, files second: a task that ends in between then shows as done, never as
      // pending with nothing queued.
      const slurm = await slurmView(a.out, plan, runProcess);
      const counts = stageCounts(plan, unitStates(a.out, plan));
      const runnable = counts.reduce((x, c) => x + c.pending - c.blocked, 0);
      const allDone = counts.every((c) => c.done === c.units);
      // A Slurm run is busy while Slurm may still run a task of it: a pending unit whose task
      // was cancelled (or whose node was lost) stays pending until the next submission.
      // When squeue fails (the controller did not answer), keep waiting.
      const busy = slurm.kind === "queue"
        ? slurm.detail.liveTasks > 0
        : slurm.kind === "error" || runnable > 0;
      const waitedOut = timeout !== undefined && (performance.now() - t0) / 1000 >= timeout;
      if (a.wait) {
        const d = counts.reduce((x, c) => x + c.done, 0);
        const n = counts.reduce((x, c) => x + c.units, 0);
        const f = counts.reduce((x, c) => x + c.failed, 0);
        const line = `${d}/${n} done, ${f} failed` +
          (slurm.kind === "queue" ? `, ${slurm.detail.liveTasks} Slurm task(s) left` : "");
        if (line !== last) console.error(`[status] ${line}`);
        last = line;
      }
      if (!a.wait || !busy || waitedOut) {
        console.log(`${a.out} (preset ${plan.preset})`);
        for (const l of statusTable(counts, slurm)) console.log(l);
        if (slurm.kind === "queue") {
          console.log(`slurm: ${slurm.detail.liveTasks} array task(s) queued or running (squeue)`);
        } else if (slurm.kind === "no-squeue") {
          console.log("slurm: submitted (slurm/jobs.json), but squeue is not available here");
        } else if (slurm.kind === "error") {
          console.log(`slurm: ${slurm.message}`);
        }
        const errors = await readUnitErrors(a.out);
        for (const e of errors.slice(0, 20)) console.log(`failed: ${e.unit}: ${e.message}`);
        if (errors.length > 20) console.log(`… and ${errors.length - 20} more in ${a.out}/errors/`);
        if (slurm.kind === "queue") {
          const stopped = await stoppedUnits(
            a.out,
            plan,
            unitStates(a.out, plan),
            slurm.detail.liveUnits,
          );
          for (const u of stopped.slice(0, 20)) {
            console.log(
              `stopped: ${u.unit}: array task ${u.task} ended ` +
                (u.exitCode === 143
                  ? "on SIGTERM (scancel, preemption or its time limit)"
                  : u.exitCode === null
                  ? "without recording how (its node failed or it was killed)"
                  : `with exit code ${u.exitCode}`) +
                ` before finishing; see ${u.log}; rerun the submit command to resubmit it`,
            );
          }
          if (stopped.length > 20) console.log(`… and ${stopped.length - 20} more stopped units`);
        }
        if (a.wait) {
          if (waitedOut && busy) console.log(`timed out after ${timeout} s`);
          Deno.exit(allDone ? 0 : 1);
        }
        return;
      }
      await new Promise((r) => setTimeout(r, interval * 1000));
    }
  });
}
