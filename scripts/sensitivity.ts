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
 * `--settings` adds settings to the study: the summary and the report cover the named settings
 * and those the directory's summary already had (`--only` drops the others).
 *
 * Run: `deno task sensitivity --out DIR [--grid NAME] [--settings a,b,… [--only]] [--dry-run]
 * [--executor local|slurm] [--workers N] [--quiet]`.
 *
 * @module
 */
import {
  defineCli,
  f,
  InvalidValue,
  MODULE_FOLDERS,
  requireAccess,
  runCli,
  UsageError,
} from "./lib/cli.ts";
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
import {
  checkExecutorFlags,
  EXECUTOR_FLAGS,
  SLURM_FLAGS,
  submitToSlurm,
} from "./lib/executors/submit.ts";

/** The command line of `deno task sensitivity`. */
export const CLI = defineCli({
  name: "sensitivity",
  summary: "The measurement-sensitivity study of a finished run directory: the degeneracy " +
    "metrics of the same trained networks under a grid of measurement settings, every claim " +
    "under each setting, the variance by source; rewrites the report with its section. Never " +
    "trains. Resumable.",
  flags: {
    out: f.path("DIR", "a run directory made by `deno task reproduce` (required)"),
    grid: f.choice(
      Object.keys(SENSITIVITY_GRIDS),
      "the settings grid",
      "the run's preset",
    ),
    settings: f.custom(
      "ID,…",
      "run these settings of the grid; the summary keeps the settings it already had " +
        "(see --only)",
      "comma-separated setting ids of the grid",
      (raw) => {
        const xs = raw.split(",").map((s) => s.trim());
        if (xs.some((x) => x === "")) throw new InvalidValue(`"${raw}" has an empty item`);
        if (new Set(xs).size !== xs.length) throw new InvalidValue(`"${raw}" repeats an id`);
        return xs;
      },
    ),
    only: f.switch(
      "with --settings: summarise only the named settings, dropping the others from the summary " +
        "and the report (their files stay)",
    ),
    "dry-run": f.switch("validate and print each setting's units and core-hours; run nothing"),
    ...EXECUTOR_FLAGS,
    quiet: f.switch("no progress lines"),
    ...SLURM_FLAGS,
  },
  notes: [`grids: ${Object.keys(SENSITIVITY_GRIDS).join(", ")}`],
});

/**
 * The run's options with a sensitivity grid; throws a UsageError naming the flag. Named
 * `settings` are joined by those of the directory's summary of the same grid (in grid order),
 * unless `only`; `kept` lists the settings taken from the summary.
 */
export async function sensitivityOptions(
  out: string,
  grid: string | undefined,
  settings: string[] | undefined,
  only = false,
): Promise<PlanOptions & { kept?: string[] }> {
  const plan = await readDone<PlanFile>(planPath(out), SCHEMA.plan);
  if (!plan) {
    throw new UsageError(
      "--out",
      `${planPath(out)} is missing`,
      `a run directory: run \`deno task reproduce --out ${out}\` first`,
    );
  }
  const g = grid ?? plan.options.preset;
  if (!(g in SENSITIVITY_GRIDS)) {
    throw new UsageError(
      "--grid",
      `no grid for the run's preset "${g}"`,
      `one of ${Object.keys(SENSITIVITY_GRIDS).join(", ")}`,
    );
  }
  const ids = SENSITIVITY_GRIDS[g].settings.map((s) => s.id);
  for (const s of settings ?? []) {
    if (!ids.includes(s)) {
      throw new UsageError("--settings", `"${s}" is not in grid ${g}`, `from ${ids.join(", ")}`);
    }
  }
  if (!settings) return { ...plan.options, sensitivity: { grid: g } };
  const before = only ? null : await readDone<{ grid?: string; settings: { id: string }[] }>(
    sensitivitySummaryPath(out),
    SENSITIVITY_SCHEMA,
  );
  const kept = before && before.grid === g
    ? before.settings.map((x) => x.id).filter((id) => ids.includes(id) && !settings.includes(id))
    : [];
  const selected = ids.filter((id) => settings.includes(id) || kept.includes(id));
  return {
    ...plan.options,
    sensitivity: { grid: g, settings: selected },
    ...(kept.length ? { kept } : {}),
  };
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
  await runCli(CLI, Deno.args, async (values) => {
    if (!values.out) {
      throw new UsageError("--out", "missing", "a run directory made by `deno task reproduce`");
    }
    const executor = checkExecutorFlags(values);
    const out = values.out;
    requireAccess({
      script: "scripts/sensitivity.ts",
      read: [{ flag: "--out", path: out }, ...MODULE_FOLDERS],
      write: [{ flag: "--out", path: out }],
      other: [
        "--allow-sys=hostname",
        ...(executor === "slurm" ? [`--allow-run=sbatch,squeue,scancel,${Deno.execPath()}`] : []),
      ],
    }, Deno.args);
    if (values.only && !values.settings) {
      throw new UsageError(
        "--only",
        "needs --settings",
        "name the settings to keep: --settings a,b",
      );
    }
    const { kept, ...options } = await sensitivityOptions(
      out,
      values.grid,
      values.settings,
      values.only,
    );
    let graph: Graph;
    try {
      graph = buildGraph(options);
    } catch (e) {
      if (e instanceof PlanError) {
        throw new UsageError("--out", e.problems[0], "a run directory whose plan this grid fits");
      }
      throw e;
    }
    const costs = settingCosts(graph);
    const total = costs.reduce((a, c) => a + c.coreSeconds, 0);
    const progress = new Progress("sensitivity", 0, { quiet: values.quiet, intervalMs: 5000 });
    const announce = () =>
      progress.log(
        `grid ${options.sensitivity!.grid}: ${costs.length} settings, ` +
          `${costs.reduce((a, c) => a + c.units, 0)} units, ${(total / 3600).toFixed(2)} ` +
          `core-hours at nominal rates → ${out}` +
          (kept
            ? `; keeps ${kept.join(", ")} from the directory's summary (--only drops them)`
            : ""),
      );
    if (values["dry-run"]) {
      announce();
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
        "--out",
        `${missing.length} training unit(s) are not done (e.g. ${missing[0]})`,
        "the sensitivity study never trains: finish the run with `deno task reproduce` first",
      );
    }
    const command = `deno task sensitivity ${Deno.args.join(" ")}`.trim();
    if (executor === "slurm") {
      await submitToSlurm(out, command, values, values.quiet, async () => {
        announce();
        await removeStaleSummary(out, graph);
        return await preparePlan(out, graph);
      });
      return;
    }
    const t0 = performance.now();
    const failures = await runPipeline({
      out,
      options,
      workers: values.workers,
      quiet: values.quiet,
      progress,
      command,
      onLocked: async () => {
        announce();
        await removeStaleSummary(out, graph);
      },
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
