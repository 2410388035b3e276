/**
 * The unit runner: runs exactly one work unit of a run directory's `plan.json`, by position
 * (`--stage NAME --index I`, 0-based within the stage) or by id (`--id UNIT`). Skips the unit
 * when its outputs exist; exits 0 on success. On failure it writes
 * `OUT/errors/<unit id with "/" → "__">.json` (`degeneracy.unit-error/1`), prints one line and
 * exits 1; a later success removes that file. Single-threaded (one core per unit), except
 * training with `--workers N` CPU workers.
 *
 *   deno run --no-prompt <runnerPermissions(OUT)> scripts/run_unit.ts --out OUT --stage fit --index 3
 *
 * (`runnerPermissions` of scripts/lib/units/permissions.ts gives the exact flags.)
 *
 * @module
 */
import { parseArgs } from "node:util";
import { intFlag, runMain, UsageError } from "./lib/cli.ts";
import { readDone } from "./lib/io.ts";
import { planPath } from "./lib/layout.ts";
import { SCHEMA } from "./lib/formats.ts";
import { buildGraph, type PlanFile } from "./lib/units/graph.ts";
import { runUnit } from "./lib/units/execute.ts";
import { releaseWebGpu } from "./lib/engine.ts";

const USAGE = "usage: run_unit.ts --out DIR (--stage NAME --index I | --id UNIT) " +
  "[--workers N] [--quiet]\n" +
  "  --out      run directory holding plan.json\n" +
  "  --stage    stage name and --index the unit's 0-based position in it (plan.json), or\n" +
  "  --id       the unit id\n" +
  "  --workers  CPU training workers (default 0: single-threaded)\n" +
  "  --quiet    no training progress on stderr";

if (import.meta.main) {
  await runMain(async () => {
    const { values: a } = parseArgs({
      args: Deno.args,
      options: {
        out: { type: "string" },
        stage: { type: "string" },
        index: { type: "string" },
        id: { type: "string" },
        workers: { type: "string" },
        quiet: { type: "boolean", default: false },
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
    const byPosition = a.stage !== undefined || a.index !== undefined;
    if (byPosition === (a.id !== undefined)) {
      throw new UsageError("give either --stage NAME --index I or --id UNIT");
    }
    if (byPosition && (a.stage === undefined || a.index === undefined)) {
      throw new UsageError("--stage and --index go together");
    }
    const index = intFlag(a.index, "index", 0);
    const workers = intFlag(a.workers, "workers", 0) ?? 0;
    const plan = await readDone<PlanFile>(planPath(a.out), SCHEMA.plan);
    if (!plan) {
      throw new UsageError(`--out: ${planPath(a.out)} is missing or not a ${SCHEMA.plan} file`);
    }
    let id = a.id;
    if (byPosition) {
      const st = plan.stages.find((s) => s.name === a.stage);
      if (!st) {
        throw new UsageError(
          `--stage: unknown stage "${a.stage}" (plan stages: ${
            plan.stages.map((s) => s.name).join(", ")
          })`,
        );
      }
      if (index! >= st.units.length) {
        throw new UsageError(
          `--index: stage ${st.name} has ${st.units.length} units (0 … ${st.units.length - 1})`,
        );
      }
      id = st.units[index!].id;
    }
    const graph = buildGraph(plan.options);
    const unit = graph.byId.get(id!);
    if (!unit) throw new UsageError(`--id: no unit "${id}" in ${planPath(a.out)}`);
    const planned = plan.stages.flatMap((s) => s.units).find((u) => u.id === id);
    if (!planned || JSON.stringify(planned.outputs) !== JSON.stringify(unit.outputs)) {
      throw new Error(
        `${planPath(a.out)}: unit ${id} differs from this version's plan; rewrite the plan`,
      );
    }
    let outcome;
    try {
      outcome = await runUnit(a.out, graph, unit, {
        workers,
        backend: plan.options.backend,
        quiet: a.quiet!,
        runner: "run_unit",
      });
    } finally {
      await releaseWebGpu();
    }
    if (outcome.status === "failed") {
      console.error(`unit ${unit.id} failed: ${(outcome.message ?? "").split("\n")[0]}`);
      Deno.exit(1);
    }
    if (!a.quiet) {
      console.error(
        `unit ${unit.id} ${outcome.status}${
          outcome.status === "done" ? ` in ${outcome.seconds.toFixed(1)} s` : ""
        }`,
      );
    }
  });
}
