/**
 * The costed plan of a run, before anything runs: builds the unit graph of a preset (every unit
 * validated: e.g. a DSA delay embedding with fewer rows than columns is an error naming study,
 * variant and the numbers), and prints per stage the number of units, the estimated core-hours,
 * the largest unit and the peak memory of one unit, from a cost model calibrated on this machine
 * (a short calibration, cached in `--calibration FILE`). `--json FILE` also writes the plan
 * (`degeneracy.plan/1`) there.
 *
 * Run: `deno task plan --preset P [--only study,…] [--members K] [--train-block K]
 * [--train-segment E] [--pair-block P] [--sensitivity GRID] [--nominal] [--recalibrate] [--json FILE]`.
 *
 * @module
 */
import { STUDIES } from "./presets.ts";
import {
  COMMON_FLAGS,
  defineCli,
  f,
  MAX_MEMBERS,
  MODULE_FOLDERS,
  requireAccess,
  runCli,
  UsageError,
} from "./lib/cli.ts";
import { SENSITIVITY_GRIDS } from "./lib/sensitivity.ts";
import { readDone, writeJsonAtomic } from "./lib/io.ts";
import { planPath, unitTimingPath } from "./lib/layout.ts";
import { SCHEMA, type UnitTimingFile } from "./lib/formats.ts";
import { fmtDuration } from "./lib/progress.ts";
import {
  buildGraph,
  checkPlanStructure,
  type Graph,
  PlanError,
  type PlanFile,
  planFile,
  type PlanOptions,
} from "./lib/units/graph.ts";
import { type CostRates, loadOrCalibrate, NOMINAL_RATES } from "./lib/units/cost.ts";

/** One row of the stage table. */
export interface StageRow {
  stage: string;
  units: number;
  coreHours: number;
  largestUnitHours: number;
  largestUnit: string;
  peakMemoryMB: number;
}

/** Per-stage totals of a graph. */
export function stageTable(g: Graph): StageRow[] {
  return g.stages.map((st) => {
    let largest = st.units[0];
    for (const u of st.units) if (u.coreSeconds > largest.coreSeconds) largest = u;
    return {
      stage: st.name,
      units: st.units.length,
      coreHours: st.units.reduce((a, u) => a + u.coreSeconds, 0) / 3600,
      largestUnitHours: (largest?.coreSeconds ?? 0) / 3600,
      largestUnit: largest?.id ?? "",
      peakMemoryMB: Math.max(0, ...st.units.map((u) => u.memoryMB)),
    };
  });
}

const hours = (h: number) =>
  h >= 100 ? h.toFixed(0) : h >= 1 ? h.toFixed(1) : h >= 0.01 ? h.toFixed(2) : h.toExponential(1);

/** The stage table as Markdown. */
export function stageTableMarkdown(rows: StageRow[]): string {
  const total = rows.reduce((a, r) => a + r.coreHours, 0);
  const lines = [
    "| stage | units | core-hours | largest unit (core-h) | largest unit | peak memory / unit (MB) |",
    "| --- | ---: | ---: | ---: | --- | ---: |",
    ...rows.map((r) =>
      `| ${r.stage} | ${r.units} | ${hours(r.coreHours)} | ${hours(r.largestUnitHours)} | ` +
      `\`${r.largestUnit}\` | ${r.peakMemoryMB} |`
    ),
    `| total | ${rows.reduce((a, r) => a + r.units, 0)} | ${hours(total)} | | | |`,
  ];
  return lines.join("\n");
}

/** One row of the estimate-vs-measured table. */
export interface CompareRow {
  stage: string;
  measuredUnits: number;
  measuredSeconds: number;
  /** Estimated core-seconds of the same units, without the per-unit start-up overhead. */
  estimatedSeconds: number;
}

/**
 * Estimate vs measured per stage for the units of `out` that recorded a timing
 * (`OUT/timings/*.json`): the estimates of `graph` minus `overheadSec` per unit (a local run
 * starts no process per unit) against the measured seconds.
 */
export async function compareTimings(
  out: string,
  graph: Graph,
  overheadSec: number,
): Promise<CompareRow[]> {
  const rows: CompareRow[] = [];
  for (const st of graph.stages) {
    const r = { stage: st.name, measuredUnits: 0, measuredSeconds: 0, estimatedSeconds: 0 };
    for (const u of st.units) {
      const t = await readDone<UnitTimingFile>(unitTimingPath(out, u.id), SCHEMA.unitTiming);
      if (!t) continue;
      r.measuredUnits++;
      r.measuredSeconds += t.seconds;
      r.estimatedSeconds += Math.max(0, u.coreSeconds - overheadSec);
    }
    rows.push(r);
  }
  return rows;
}

/** The comparison as Markdown (ratio = estimate / measured). */
export function compareMarkdown(rows: CompareRow[]): string {
  const lines = [
    "| stage | units measured | measured (s) | estimated (s) | estimate / measured |",
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  let m = 0, e = 0, n = 0;
  for (const r of rows) {
    if (r.measuredUnits === 0) continue;
    m += r.measuredSeconds;
    e += r.estimatedSeconds;
    n += r.measuredUnits;
    lines.push(
      `| ${r.stage} | ${r.measuredUnits} | ${r.measuredSeconds.toFixed(1)} | ` +
        `${r.estimatedSeconds.toFixed(1)} | ${
          (r.estimatedSeconds / r.measuredSeconds).toFixed(2)
        } |`,
    );
  }
  lines.push(`| total | ${n} | ${m.toFixed(1)} | ${e.toFixed(1)} | ${(e / m).toFixed(2)} |`);
  return lines.join("\n");
}

/** The command line of `deno task plan`. */
export const CLI = defineCli({
  name: "plan",
  summary: "The costed plan of a run, before anything runs: builds and validates every work " +
    "unit of a preset and prints per stage the units, estimated core-hours, largest unit and " +
    "peak memory (rates calibrated on this machine, cached in --calibration).",
  flags: {
    preset: COMMON_FLAGS.preset,
    only: f.choices(STUDIES, "study,…", "plan only these studies (default: all)"),
    members: COMMON_FLAGS.members,
    "train-block": f.int("K", "networks per training unit", {
      min: 1,
      max: MAX_MEMBERS,
      defaultText: "automatic",
    }),
    "pair-block": f.int("P", "pairs per DSA / PIF unit", { min: 1, defaultText: "automatic" }),
    "train-segment": f.int("E", "epochs per training unit when a unit is split into segments", {
      min: 1,
      defaultText: "automatic",
    }),
    sensitivity: f.choice(
      Object.keys(SENSITIVITY_GRIDS),
      "include a measurement-sensitivity grid's units (docs/sensitivity.md)",
    ),
    nominal: f.switch("use the fixed nominal rates instead of calibrating this machine"),
    recalibrate: f.switch("measure the machine again (else the cached calibration is reused)"),
    calibration: f.path("FILE", "calibration cache", "runs/.cost-model.json"),
    json: f.path("FILE", "also write the plan (degeneracy.plan/1) to FILE"),
    compare: f.path("DIR", "compare the estimates with the unit timings of the run in DIR"),
  },
  notes: [`studies: ${STUDIES.join(", ")}`],
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    if (a.nominal && a.recalibrate) {
      throw new UsageError("--recalibrate", "given with --nominal", "one of the two");
    }
    const calibration = a.calibration ?? "runs/.cost-model.json";
    const calRead = a.nominal ? [] : [{ flag: "--calibration", path: calibration }];
    const dirOf = (p: string) => p.includes("/") ? p.slice(0, p.lastIndexOf("/")) || "/" : ".";
    requireAccess({
      script: "scripts/plan.ts",
      read: [
        ...calRead,
        ...(a.compare !== undefined ? [{ flag: "--compare", path: a.compare }] : []),
        ...MODULE_FOLDERS,
      ],
      write: [
        ...(a.nominal ? [] : [{ flag: "--calibration", path: dirOf(calibration) }]),
        ...(a.json !== undefined ? [{ flag: "--json", path: dirOf(a.json) }] : []),
      ],
    }, Deno.args);
    const options: PlanOptions = {
      preset: a.preset ?? "quick",
      ...(a.members !== undefined ? { members: a.members } : {}),
      ...(a.only ? { studies: a.only } : {}),
      backend: "auto",
      ...(a["train-block"] !== undefined ? { trainBlock: a["train-block"] } : {}),
      ...(a["pair-block"] !== undefined ? { pairBlock: a["pair-block"] } : {}),
      ...(a.sensitivity !== undefined ? { sensitivity: { grid: a.sensitivity } } : {}),
      ...(a["train-segment"] !== undefined ? { trainSegmentEpochs: a["train-segment"] } : {}),
    };
    if (a.compare !== undefined) {
      const plan = await readDone<PlanFile>(planPath(a.compare), SCHEMA.plan);
      if (!plan) {
        throw new UsageError(
          "--compare",
          `${planPath(a.compare)} is missing or not a ${SCHEMA.plan} file`,
          "a run directory written by reproduce or plan",
        );
      }
      const cal = a.nominal ? null : await loadOrCalibrate(calibration, {
        recalibrate: a.recalibrate,
        log: (l) => console.error(l),
      });
      const rates = cal?.rates ?? NOMINAL_RATES;
      const graph = buildGraph(plan.options, rates);
      console.log(
        `${a.compare} (preset ${plan.preset}): estimates from ${
          cal ? `the calibration of ${cal.measuredAt}` : "nominal rates"
        }, without the ${rates.unitOverheadSec} s start-up per unit`,
      );
      console.log(compareMarkdown(await compareTimings(a.compare, graph, rates.unitOverheadSec)));
      return;
    }
    // validate before calibrating (nothing runs when the plan is invalid)
    try {
      buildGraph(options, NOMINAL_RATES);
    } catch (e) {
      if (e instanceof PlanError) {
        throw new UsageError(
          "--preset",
          `the plan of preset ${options.preset} is invalid: ${e.problems.join("; ")}`,
          "fix the preset or its studies, or plan other studies with --only",
        );
      }
      throw e;
    }
    let rates: CostRates = NOMINAL_RATES;
    let source = "nominal rates (not calibrated)";
    if (!a.nominal) {
      const cal = await loadOrCalibrate(calibration, {
        recalibrate: a.recalibrate,
        log: (l) => console.error(l),
      });
      rates = cal.rates;
      source = `calibrated ${cal.measuredAt} on ${cal.key} (${a.calibration})`;
    }
    const graph = buildGraph(options, rates);
    const plan = planFile(graph);
    const problems = checkPlanStructure(plan);
    if (problems.length) throw new Error(`plan structure: ${problems.join("; ")}`);
    const rows = stageTable(graph);
    const total = rows.reduce((x, r) => x + r.coreHours, 0);
    console.log(
      `preset ${graph.preset.name}: ${graph.studies.length} studies, ${graph.variants.length} ` +
        `populations × ${graph.preset.members} networks; the plan is valid`,
    );
    console.log(`cost model: ${source}`);
    console.log(stageTableMarkdown(rows));
    const cores = navigator.hardwareConcurrency ?? 1;
    console.log(
      `total ${hours(total)} core-hours ≈ ${fmtDuration((total * 3600) / cores)} wall on ` +
        `${cores} cores of this machine (training estimates assume every epoch runs; early ` +
        `stopping shortens them)`,
    );
    const evalRaised = graph.variants.filter((v) => v.evalTrials > graph.preset.evalTrials);
    if (evalRaised.length) {
      console.log(
        `evaluation trials raised for the DSA embedding: ` +
          evalRaised.map((v) => `${v.study}/${v.variant} ${v.evalTrials}`).join(", "),
      );
    }
    if (a.json) await writeJsonAtomic(a.json, plan);
  });
}
