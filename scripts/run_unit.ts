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
import { defineCli, f, MODULE_FOLDERS, requireAccess, runCli, UsageError } from "./lib/cli.ts";
import { readDone } from "./lib/io.ts";
import { planPath } from "./lib/layout.ts";
import { SCHEMA } from "./lib/formats.ts";
import { buildGraph, type PlanFile, STAGES } from "./lib/units/graph.ts";
import { runUnit } from "./lib/units/execute.ts";
import { releaseWebGpu } from "./lib/engine.ts";

/** The command line of `deno task run_unit`. */
export const CLI = defineCli({
  name: "run_unit",
  summary: "Runs exactly one work unit of a run directory's plan.json, by position " +
    "(--stage NAME --index I) or by id (--id UNIT); skipped when its outputs exist. Takes no " +
    "run lock: the command that drives the run (reproduce, or the Slurm submission) holds it.",
  flags: {
    out: f.path("DIR", "run directory holding plan.json (required)"),
    stage: f.choice(STAGES, "stage of the unit (with --index)"),
    index: f.int("I", "the unit's 0-based position in its stage (with --stage)", { min: 0 }),
    id: f.string("UNIT", "the unit id (instead of --stage and --index)", {
      allowed: "a unit id of plan.json, e.g. fit/flipflop/n1/m003",
    }),
    workers: f.int("N", "CPU training workers", { min: 0, max: 1024, defaultText: "0" }),
    quiet: f.switch("no training progress on stderr"),
  },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    if (!a.out) {
      throw new UsageError("--out", "missing", "the run directory holding plan.json");
    }
    const byPosition = a.stage !== undefined || a.index !== undefined;
    if (byPosition === (a.id !== undefined)) {
      throw new UsageError(
        a.id !== undefined ? "--id" : "--stage",
        byPosition ? "given with --id" : "no unit named",
        "either --stage NAME --index I or --id UNIT",
      );
    }
    if (byPosition && (a.stage === undefined || a.index === undefined)) {
      throw new UsageError(
        a.stage === undefined ? "--index" : "--stage",
        `given without ${a.stage === undefined ? "--stage" : "--index"}`,
        "--stage and --index go together",
      );
    }
    const workers = a.workers ?? 0;
    requireAccess({
      script: "scripts/run_unit.ts",
      read: [{ flag: "--out", path: a.out }, ...MODULE_FOLDERS],
      write: [{ flag: "--out", path: a.out }],
    }, Deno.args);
    const plan = await readDone<PlanFile>(planPath(a.out), SCHEMA.plan);
    if (!plan) {
      throw new UsageError(
        "--out",
        `${planPath(a.out)} is missing or not a ${SCHEMA.plan} file`,
        "a run directory written by reproduce or plan",
      );
    }
    let id = a.id;
    if (byPosition) {
      const st = plan.stages.find((s) => s.name === a.stage);
      if (!st || st.units.length === 0) {
        throw new UsageError(
          "--stage",
          `the plan has no unit in stage "${a.stage}"`,
          `plan stages: ${plan.stages.filter((s) => s.units.length).map((s) => s.name).join(", ")}`,
        );
      }
      if (a.index! >= st.units.length) {
        throw new UsageError(
          "--index",
          `${a.index} is past the end of stage ${st.name}`,
          `0 … ${st.units.length - 1}`,
        );
      }
      id = st.units[a.index!].id;
    }
    const graph = buildGraph(plan.options);
    const unit = graph.byId.get(id!);
    if (!unit) {
      throw new UsageError(
        "--id",
        `no unit "${id}" in ${planPath(a.out)}`,
        "a unit id of plan.json",
      );
    }
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
        quiet: a.quiet,
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
