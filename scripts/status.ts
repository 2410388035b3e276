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
import { parseArgs } from "node:util";
import { intFlag, runMain, UsageError } from "./lib/cli.ts";
import { readDone } from "./lib/io.ts";
import { planPath } from "./lib/layout.ts";
import { SCHEMA } from "./lib/formats.ts";
import type { PlanFile } from "./lib/units/graph.ts";
import { readUnitErrors, type StageCounts, stageCounts, unitStates } from "./lib/units/status.ts";

/** The status table of a run as text lines. */
export function statusTable(counts: StageCounts[]): string[] {
  const rows = counts.map((c) => [
    c.stage,
    String(c.units),
    String(c.done),
    String(c.failed),
    String(c.pending - c.blocked),
    String(c.blocked),
  ]);
  const head = ["stage", "units", "done", "failed", "pending", "blocked"];
  const total = counts.reduce(
    (a, c) => a.map((x, k) => x + [c.units, c.done, c.failed, c.pending - c.blocked, c.blocked][k]),
    [0, 0, 0, 0, 0],
  );
  rows.push(["total", ...total.map(String)]);
  const w = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (r: string[]) =>
    r.map((x, k) => (k === 0 ? x.padEnd(w[k]) : x.padStart(w[k]))).join("  ");
  return [line(head), ...rows.map(line)];
}

const USAGE = "usage: status.ts --out DIR [--wait] [--interval S] [--timeout S]\n" +
  "  --out       run directory (holding plan.json)\n" +
  "  --wait      poll until no unit can still run; exit 0 only if every unit is done\n" +
  "  --interval  seconds between polls (default 10)\n" +
  "  --timeout   give up waiting after S seconds (exit 1)";

if (import.meta.main) {
  await runMain(async () => {
    const { values: a } = parseArgs({
      args: Deno.args,
      options: {
        out: { type: "string" },
        wait: { type: "boolean", default: false },
        interval: { type: "string" },
        timeout: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (a.help) {
      console.log(USAGE);
      return;
    }
    if (!a.out) throw new UsageError("--out: required (the run directory holding plan.json)");
    const interval = intFlag(a.interval, "interval", 1) ?? 10;
    const timeout = intFlag(a.timeout, "timeout", 1);
    const plan = await readDone<PlanFile>(planPath(a.out), SCHEMA.plan);
    if (!plan) {
      throw new UsageError(`--out: ${planPath(a.out)} is missing or not a ${SCHEMA.plan} file`);
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
