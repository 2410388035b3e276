/**
 * Progress of a run directory: done / failed / pending units per stage (from its `plan.json`
 * and the files alone; pending units that wait on a failed one are counted as blocked), and
 * the failed units with their messages. With `--wait` it polls until nothing is pending that
 * can still run, then exits 0 only if every unit is done (else 1).
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

const hours = (h: number) => (h === 0 ? "0" : h >= 10 ? h.toFixed(0) : h.toPrecision(2));

/** The status table of a run as text lines (left = estimated core-hours of units not done). */
export function statusTable(counts: StageCounts[]): string[] {
  const rows = counts.map((c) => [
    c.stage,
    String(c.units),
    String(c.done),
    String(c.failed),
    String(c.pending - c.blocked),
    String(c.blocked),
    hours(c.remainingCoreSeconds / 3600),
  ]);
  const head = ["stage", "units", "done", "failed", "pending", "blocked", "left (core-h)"];
  const total = counts.reduce(
    (a, c) => a.map((x, k) => x + [c.units, c.done, c.failed, c.pending - c.blocked, c.blocked][k]),
    [0, 0, 0, 0, 0],
  );
  const left = counts.reduce((a, c) => a + c.remainingCoreSeconds, 0) / 3600;
  rows.push(["total", ...total.map(String), hours(left)]);
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
    while (true) {
      const counts = stageCounts(plan, unitStates(a.out, plan));
      const runnable = counts.reduce((x, c) => x + c.pending - c.blocked, 0);
      const allDone = counts.every((c) => c.done === c.units);
      const waitedOut = timeout !== undefined && (performance.now() - t0) / 1000 >= timeout;
      if (!a.wait || runnable === 0 || waitedOut) {
        console.log(`${a.out} (preset ${plan.preset})`);
        for (const l of statusTable(counts)) console.log(l);
        const errors = await readUnitErrors(a.out);
        for (const e of errors.slice(0, 20)) console.log(`failed: ${e.unit}: ${e.message}`);
        if (errors.length > 20) console.log(`… and ${errors.length - 20} more in ${a.out}/errors/`);
        if (a.wait) {
          if (waitedOut && runnable > 0) console.log(`timed out after ${timeout} s`);
          Deno.exit(allDone ? 0 : 1);
        }
        return;
      }
      await new Promise((r) => setTimeout(r, interval * 1000));
    }
  });
}
