/**
 * The measurement-sensitivity study of a finished run directory: recomputes the degeneracy
 * metrics of the SAME trained networks under a grid of measurement settings (other evaluation
 * batches and optimiser seeds, evaluation-trial counts, DSA delays × rank including Table 2's,
 * learned-only vs all networks, PIF relative to init; scripts/lib/sensitivity.ts), then every
 * claim under each setting, the variance of each population statistic by source and the
 * networks each verdict needs, and rewrites the report with a "Measurement sensitivity" section.
 *
 * It adds work units to the run's graph (ids `…@<setting>`, a `sensitivity` summary unit) and
 * runs them like `reproduce` does: `--executor local` (Web Workers) or `--executor slurm` (job
 * arrays, scripts/lib/executors/slurm.ts). It never trains: it refuses a directory whose
 * networks are not all trained. Resumable like every run.
 *
 * Run: `deno task sensitivity --out DIR [--grid NAME] [--settings a,b,…] [--dry-run]
 * [--executor local|slurm] [--workers N] [--quiet]`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { intFlag, runMain, UsageError } from "./lib/cli.ts";
import { readDone } from "./lib/io.ts";
import { planPath } from "./lib/layout.ts";
import { SCHEMA } from "./lib/formats.ts";
import { fmtDuration, Progress } from "./lib/progress.ts";
import { preparePlan, runPipeline } from "./lib/pipeline.ts";
import { SENSITIVITY_GRIDS, sensitivitySummaryPath } from "./lib/sensitivity.ts";
import { SENSITIVITY_SCHEMA } from "./report/sensitivity_view.ts";
import { unitStates } from "./lib/units/status.ts";
import {
  buildGraph,
  type Graph,
  PlanError,
  type PlanFile,
  type PlanOptions,
} from "./lib/units/graph.ts";
import type { SlurmSubmitOptions } from "./reproduce.ts";

const USAGE = "usage: sensitivity.ts --out DIR [--grid NAME] [--settings a,b,…] [--dry-run] " +
  "[--executor local|slurm] [--workers N] [--quiet]\n" +
  "  --out        a run directory made by `deno task reproduce` (its plan.json and networks)\n" +
  `  --grid       the settings grid (default: the run's preset; ${
    Object.keys(SENSITIVITY_GRIDS).join(", ")
  })\n` +
  "  --settings   only these settings of the grid (comma-separated ids)\n" +
  "  --dry-run    validate and print each setting's units and estimated core-hours, run nothing\n" +
  "  --executor   local (default) or slurm; --workers N local workers\n" +
  "  slurm only:  --partition P --account A --sbatch-flag F (repeatable) --max-array-size N " +
  "--array-throttle N";

const SLURM_FLAGS = ["partition", "account", "sbatch-flag", "max-array-size", "array-throttle"];

/** The run's options with a sensitivity grid; throws a UsageError naming the flag. */
export async function sensitivityOptions(
  out: string,
  grid: string | undefined,
  settings: string[] | undefined,
): Promise<PlanOptions> {
  const plan = await readDone<PlanFile>(planPath(out), SCHEMA.plan);
  if (!plan) {
    throw new UsageError(
      `--out: ${planPath(out)} is missing; run \`deno task reproduce --out ${out}\` first`,
    );
  }
  const g = grid ?? plan.options.preset;
  if (!(g in SENSITIVITY_GRIDS)) {
    throw new UsageError(
      `--grid: unknown grid "${g}" (allowed: ${Object.keys(SENSITIVITY_GRIDS).join(", ")})`,
    );
  }
  const ids = SENSITIVITY_GRIDS[g].settings.map((s) => s.id);
  for (const s of settings ?? []) {
    if (!ids.includes(s)) {
      throw new UsageError(`--settings: "${s}" is not in grid ${g} (allowed: ${ids.join(", ")})`);
    }
  }
  return { ...plan.options, sensitivity: { grid: g, ...(settings ? { settings } : {}) } };
}

/** Training units of `graph` whose networks are missing in `out` (the study never trains). */
export function untrained(out: string, graph: Graph): string[] {
  const states = unitStates(out, graph);
  return graph.stages.find((s) => s.name === "train")!.units.filter((u) =>
    states.get(u.id) !== "done"
  ).map((u) => u.id);
}

/** Per setting: its own units and their estimated core-seconds (nominal rates). */
export function settingCosts(graph: Graph): { id: string; units: number; coreSeconds: number }[] {
  const rows = new Map<string, { units: number; coreSeconds: number }>();
  for (const st of graph.stages) {
    for (const u of st.units) {
      const at = u.id.split("@")[1];
      if (at === undefined) continue;
      const r = rows.get(at) ?? { units: 0, coreSeconds: 0 };
      r.units++;
      r.coreSeconds += u.coreSeconds;
      rows.set(at, r);
    }
  }
  return graph.sensitivity!.settings.map((s) => ({
    id: s.id,
    ...(rows.get(s.id) ?? { units: 0, coreSeconds: 0 }),
  }));
}

/**
 * Removes `OUT/sensitivity/summary.json` when it no longer describes the directory: another
 * selection of settings, or units of the grid not done yet (the summary unit then runs again
 * once they are, as the report does).
 */
export async function removeStaleSummary(out: string, graph: Graph): Promise<boolean> {
  const path = sensitivitySummaryPath(out);
  const s = await readDone<{ settings: { id: string }[] }>(path, SENSITIVITY_SCHEMA);
  if (!s) return false;
  const wanted = graph.sensitivity!.settings.map((x) => x.id).join(",");
  const states = unitStates(out, graph);
  const pending = graph.stages.some((st) =>
    st.name !== "sensitivity" && st.name !== "report" &&
    st.units.some((u) => states.get(u.id) !== "done")
  );
  if (s.settings.map((x) => x.id).join(",") === wanted && !pending) return false;
  await Deno.remove(path);
  return true;
}

if (import.meta.main) {
  await runMain(async () => {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        out: { type: "string" },
        grid: { type: "string" },
        settings: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        executor: { type: "string", default: "local" },
        workers: { type: "string" },
        partition: { type: "string" },
        account: { type: "string" },
        "sbatch-flag": { type: "string", multiple: true },
        "max-array-size": { type: "string" },
        "array-throttle": { type: "string" },
        quiet: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      console.log(USAGE);
      return;
    }
    if (!values.out) throw new UsageError("--out: required (a run directory)");
    const executor = values.executor!;
    if (executor !== "local" && executor !== "slurm") {
      throw new UsageError(`--executor: must be local or slurm, got "${executor}"`);
    }
    if (executor === "local") {
      for (const f of SLURM_FLAGS) {
        if ((values as Record<string, unknown>)[f] !== undefined) {
          throw new UsageError(`--${f}: only with --executor slurm`);
        }
      }
    } else if (values.workers !== undefined) {
      throw new UsageError("--workers: only with --executor local");
    }
    const settings = values.settings?.split(",").map((s) => s.trim());
    if (settings?.some((s) => s === "")) {
      throw new UsageError("--settings: a comma-separated list of setting ids");
    }
    const workers = intFlag(values.workers, "workers", 0);
    const out = values.out;
    const options = await sensitivityOptions(out, values.grid, settings);
    let graph: Graph;
    try {
      graph = buildGraph(options);
    } catch (e) {
      if (e instanceof PlanError) {
        for (const p of e.problems) console.error(`error: ${p}`);
        Deno.exit(2);
      }
      throw e;
    }
    const costs = settingCosts(graph);
    const total = costs.reduce((a, c) => a + c.coreSeconds, 0);
    const progress = new Progress("sensitivity", 0, { quiet: values.quiet, intervalMs: 5000 });
    progress.log(
      `grid ${options.sensitivity!.grid}: ${costs.length} settings, ` +
        `${costs.reduce((a, c) => a + c.units, 0)} units, ${(total / 3600).toFixed(2)} ` +
        `core-hours at nominal rates → ${out}`,
    );
    if (values["dry-run"]) {
      console.log("| setting | units | core-hours (nominal) |\n| --- | ---: | ---: |");
      for (const c of costs) {
        console.log(`| \`${c.id}\` | ${c.units} | ${(c.coreSeconds / 3600).toFixed(3)} |`);
      }
      console.log(
        `| total | ${costs.reduce((a, c) => a + c.units, 0)} | ${(total / 3600).toFixed(3)} |`,
      );
      return;
    }
    const missing = untrained(out, graph);
    if (missing.length) {
      throw new UsageError(
        `--out: ${missing.length} training unit(s) are not done (e.g. ${missing[0]}); the ` +
          `sensitivity study never trains: finish the run with \`deno task reproduce\` first`,
      );
    }
    await removeStaleSummary(out, graph);
    if (executor === "slurm") {
      const plan: PlanFile = await preparePlan(out, graph);
      const slurm: SlurmSubmitOptions = {
        out,
        quiet: values.quiet!,
        partition: values.partition,
        account: values.account,
        sbatchFlags: values["sbatch-flag"] ?? [],
        maxArraySize: values["max-array-size"],
        arrayThrottle: values["array-throttle"],
      };
      let mod: { submitSlurm?: (p: PlanFile, s: SlurmSubmitOptions) => Promise<void> };
      try {
        mod = await import(new URL("./lib/executors/slurm.ts", import.meta.url).href);
      } catch (e) {
        throw new Error(
          `--executor slurm: the Slurm executor (scripts/lib/executors/slurm.ts) cannot be ` +
            `loaded: ${(e as Error).message.split("\n")[0]}`,
        );
      }
      if (typeof mod.submitSlurm !== "function") {
        throw new Error("--executor slurm: scripts/lib/executors/slurm.ts has no submitSlurm");
      }
      await mod.submitSlurm(plan, slurm);
      return;
    }
    const t0 = performance.now();
    const failures = await runPipeline({
      out,
      options,
      workers: workers ?? undefined,
      quiet: values.quiet!,
      progress,
    });
    progress.log(`done in ${fmtDuration((performance.now() - t0) / 1000)}`);
    if (failures.length) {
      console.error(
        `[sensitivity] ${failures.length} unit(s) failed; rerun to retry:\n` +
          failures.map((f) => `  ${f.id}: ${f.message}`).join("\n"),
      );
      Deno.exitCode = 2;
    }
  });
}
