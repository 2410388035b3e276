/**
 * Report of a run directory: reads `config.json`, the complexity and metric files, computes
 * the claims table (`scripts/report/claims.ts`), renders the figures to `figures/*.svg`
 * (`scripts/report/figures.ts`) and writes `claims.json`, `report.md` and a self-contained
 * `report.html` (SVGs inlined). Reads and writes only under the run directory.
 *
 * Run: `deno task report [--out DIR] [--quiet]`.
 */
import {
  acquireRunLock,
  exists,
  readDone,
  removeStaleTemps,
  writeJsonAtomic,
  writeTextAtomic,
} from "./lib/io.ts";
import { defineCli, f, PRESET_NAMES, requireAccess, runCli, UsageError } from "./lib/cli.ts";
import { readUnitErrors } from "./lib/units/status.ts";
import {
  claimsPath,
  complexityPath,
  configPath,
  figuresDir,
  metricPath,
  reportHtmlPath,
  reportMdPath,
} from "./lib/layout.ts";
import {
  type ComplexityFile,
  type MetricFile,
  type RunConfig,
  SCHEMA,
  summaryNumber,
  type UnitErrorFile,
  upgradeMetricFile,
} from "./lib/formats.ts";
import {
  CLAIM_COLUMNS,
  claimCells,
  claimCounts,
  type ClaimResult,
  claimSpecs,
  evaluateClaims,
  MIN_NETWORKS_PER_LEVEL,
  type VariantData,
  VERDICT_RULE,
} from "./report/claims.ts";
import { buildFigures, renderSvg, studyLabel } from "./report/figures.ts";
import { inputWarnings, RunInputs } from "./report/inputs.ts";
import type { Graph } from "./lib/units/graph.ts";
import {
  annotateClaims,
  applyMeasurementVariance,
  MEASUREMENT_RULE,
  readSensitivitySummary,
  sensitivityHtml,
  sensitivityMarkdown,
} from "./report/sensitivity_view.ts";
import {
  complexityStatementRows,
  LEARNING_COLUMNS,
  LEARNING_RULE,
  learningRows,
  type LearningSummary,
  learningSummary,
  STATEMENT_COLUMNS,
} from "./report/fidelity.ts";
import {
  buildFixedPointFigures,
  fixedPointData,
  fixedPointsHtml,
  fixedPointsMarkdown,
} from "./report/fixed_points.ts";
import { STUDIES } from "./presets.ts";

/** Population row of the report. */
interface PopulationRow {
  study: string;
  variant: string;
  label: string;
  level: number;
  population: MetricFile["population"] | null;
  complexity: { input: number; output: number } | null;
  means: Record<string, number | null>;
  /** Whether its networks learned the task (the `learning` metric file). */
  learning: LearningSummary | null;
}

/** Everything read from a run directory. */
export interface RunData {
  config: RunConfig;
  variants: VariantData[];
  mds: Map<string, number[][]>;
  populations: PopulationRow[];
  missing: string[];
  /** Units that failed (their `OUT/errors/*.json` files). */
  failures: UnitErrorFile[];
  /** Metric files this version cannot read (with the reason). */
  unreadable: string[];
  /** Metric files not computed from this run's networks with its settings (with the reason). */
  refused: string[];
  /** The plan and unit states the run directory is checked against. */
  inputs: RunInputs;
}

/**
 * Reads a metric file of either schema version (`upgradeMetricFile`); null when it is missing
 * or half-written, an entry in `unreadable` when it is of a version this report cannot read.
 */
async function readMetric(path: string, unreadable: string[]): Promise<MetricFile | null> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const f = upgradeMetricFile(raw, path);
  if (f instanceof Error) {
    unreadable.push(f.message);
    return null;
  }
  return f;
}

/**
 * Reads the run's config, complexity and metric files (missing files are listed, not fatal),
 * checked against its plan: `graph` is the run's unit graph when the caller has it (the report
 * unit), else it is built from `OUT/plan.json`.
 */
export async function loadRun(out: string, graph?: Graph): Promise<RunData> {
  const config = await readDone<RunConfig>(configPath(out), SCHEMA.config);
  if (!config) throw new Error(`${configPath(out)}: missing or not a ${SCHEMA.config} file`);
  const variants: VariantData[] = [];
  const mds = new Map<string, number[][]>();
  const populations: PopulationRow[] = [];
  const missing: string[] = [];
  const unreadable: string[] = [];
  const refused: string[] = [];
  const inputs = await RunInputs.load(
    out,
    graph ? () => graph : await import("./lib/units/graph.ts").then((m) => m.buildGraph),
  );
  const studyNames = STUDIES.filter((s) => s in config.studies);
  for (const s of studyNames) {
    const study = config.studies[s];
    for (const v of study.plan.variants) {
      const cPath = complexityPath(out, s, v.id);
      const c = await readDone<ComplexityFile>(cPath, SCHEMA.complexity);
      if (!c) missing.push(cPath);
      const read = async (m: string) => {
        const p = metricPath(out, s, v.id, m);
        let f = await readMetric(p, unreadable);
        if (f) {
          const why = f.metric !== m
            ? `${p}: holds metric "${f.metric}", not ${m}`
            : await inputs.refusal(f, p, s, v.id);
          if (why !== null) {
            refused.push(why);
            f = null;
          }
        }
        if (!f) missing.push(p);
        return f;
      };
      const [dim, att, dfi, ood, pif, dsa, mdsF, rdfi, learn] = await Promise.all(
        [
          "dimensionality",
          "attractorness",
          "distance_from_init",
          "ood",
          "pif",
          "dsa",
          "mds",
          "relative_distance_from_init",
          "learning",
        ].map(read),
      );
      const ids = (dsa ?? pif ?? dim ?? dfi ?? ood)?.ids ?? [];
      const aligned = (f: MetricFile | null) => {
        if (!f) return undefined;
        if (JSON.stringify(f.ids) !== JSON.stringify(ids)) {
          throw new Error(
            `${metricPath(out, s, v.id, f.metric)}: ids differ from the variant's other metrics`,
          );
        }
        return f;
      };
      const vd: VariantData = {
        study: s,
        variant: v.id,
        label: v.label,
        level: v.level,
        family: study.plan.family,
        complexity: c
          ? {
            input: c.input,
            output: c.output,
            ...(c.timeAveraged ? { timeAveraged: c.timeAveraged } : {}),
          }
          : null,
        ids,
        perNetwork: {},
        pairwise: {},
      };
      if (aligned(dim)) vd.perNetwork.dimensionality = dim!.values;
      if (aligned(att)) vd.perNetwork.attractorness = att!.values;
      if (aligned(dfi)) vd.perNetwork.distance_from_init = dfi!.values;
      if (aligned(ood)) vd.perNetwork.ood = ood!.values;
      if (aligned(rdfi)) vd.perNetwork.relative_distance_from_init = rdfi!.values;
      if (aligned(pif)) vd.pairwise.pif = pif!.matrix;
      const rel = pif?.extra?.relativeToInit;
      if (pif && Array.isArray(rel) && rel.length === ids.length) {
        vd.pairwise.pif_relative = rel as number[][];
      }
      if (aligned(dsa)) vd.pairwise.dsa = dsa!.matrix;
      if (mdsF?.points) mds.set(`${s}/${v.id}`, mdsF.points);
      const fpPath = metricPath(out, s, v.id, "fixed_points");
      const fpF = await read("fixed_points");
      if (fpF && aligned(fpF)) {
        try {
          vd.fixedPoints = fixedPointData(fpF, fpPath);
        } catch (e) {
          unreadable.push((e as Error).message);
        }
      }
      variants.push(vd);
      const any = dim ?? dsa ?? pif ?? dfi ?? ood;
      if (any?.population) {
        const p = any.population;
        vd.networks = { members: p.members, converged: p.learned ?? p.converged, used: p.used };
      }
      populations.push({
        study: s,
        variant: v.id,
        label: v.label,
        level: v.level,
        population: any?.population ?? null,
        complexity: vd.complexity,
        means: {
          dsa: summaryNumber(dsa?.summary, "mean"),
          dsa_max_grad: typeof dsa?.checks?.maxGradNorm === "number"
            ? dsa.checks.maxGradNorm
            : null,
          pif: summaryNumber(pif?.summary, "mean"),
          distance_from_init: summaryNumber(dfi?.summary, "mean"),
          ood_mse: summaryNumber(ood?.summary, "mean"),
          ood_cv: summaryNumber(ood?.summary, "cv"),
          dimensionality: summaryNumber(dim?.summary, "mean"),
          attractorness: summaryNumber(att?.summary, "mean"),
        },
        learning: learningSummary(learn),
      });
    }
  }
  const failures = await readUnitErrors(out);
  return { config, variants, mds, populations, missing, failures, unreadable, refused, inputs };
}

const fmt = (x: number | null | undefined, d = 3) =>
  x === null || x === undefined || !Number.isFinite(x)
    ? "–"
    : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3)
    ? x.toExponential(2)
    : x.toFixed(d);

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** A markdown table of plain-text cells. */
function tableMarkdown(columns: string[], rows: string[][]): string {
  const cell = (x: string) => x.replace(/\|/g, "\\|");
  return [
    `| ${columns.join(" | ")} |`,
    `| ${columns.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
  ].join("\n");
}

/** An HTML table of plain-text cells. */
function tableHtml(columns: string[], rows: string[][]): string {
  return `<table><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join("")}</tr>\n` +
    rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join("")}</tr>`).join("\n") +
    "</table>";
}

/** Markdown rows of the claims table. */
function claimsMarkdown(claims: ClaimResult[]): string {
  const cell = (x: string) => x.replace(/\|/g, "\\|");
  const lines = [
    `| ${CLAIM_COLUMNS.join(" | ")} |`,
    `| ${CLAIM_COLUMNS.map(() => "---").join(" | ")} |`,
  ];
  for (const c of claims) {
    const cells = claimCells(c).map(cell);
    cells[7] = `**${cells[7]}**`;
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Columns of the Populations table (Markdown and HTML). */
const POPULATION_COLUMNS = [
  "study",
  "variant",
  "networks",
  "converged",
  "learned",
  "not conv.",
  "diverged",
  "used",
  "input bits",
  "output bits",
  "mean DSA",
  "DSA max ‖∇‖",
  "mean PIF/n²",
  "dist. init",
  "OOD MSE",
  "OOD CV",
  "PCs 95%",
  "Δh",
];

/**
 * The numeric cells of one Populations row (every column after study and variant), as text,
 * in {@link POPULATION_COLUMNS} order.
 */
function populationCells(r: PopulationRow): string[] {
  const p = r.population;
  const count = (x: number | undefined) => `${x ?? "–"}`;
  return [
    count(p?.members),
    count(p?.converged),
    count(p?.learned),
    count(p?.notConverged),
    count(p?.diverged),
    count(p?.used),
    fmt(r.complexity?.input, 2),
    fmt(r.complexity?.output, 2),
    fmt(r.means.dsa),
    fmt(r.means.dsa_max_grad),
    fmt(r.means.pif),
    fmt(r.means.distance_from_init),
    fmt(r.means.ood_mse),
    fmt(r.means.ood_cv),
    fmt(r.means.dimensionality, 1),
    fmt(r.means.attractorness),
  ];
}

function populationsMarkdown(rows: PopulationRow[]): string {
  const lines = [
    `| ${POPULATION_COLUMNS.join(" | ")} |`,
    `| --- | --- | ${POPULATION_COLUMNS.slice(2).map(() => "---:").join(" | ")} |`,
  ];
  for (const r of rows) {
    lines.push(`| ${[r.study, r.label, ...populationCells(r)].join(" | ")} |`);
  }
  return lines.join("\n");
}

const POPULATIONS_NOTE = "Means over each population's used networks (pairs for DSA and PIF). " +
  "DSA max ‖∇‖: the largest final gradient norm of the Procrustes runs behind the population's " +
  "DSA distances (0 at a local optimum; how far the optimiser was from stopping). Each pair's " +
  "gradient norm and spectral lower bound on its distance are in the population's dsa.json " +
  "(extra.gradNorm, extra.lowerBound); '–' where the run's pair blocks predate them.";

const TABLE1_NOTE = "Note on Table 1, representational load: the table lists dynamical ↓ and " +
  "weight ↑ with load (load ↑ = smaller network), while the caption of Fig. 6B and §3.3 say that " +
  "a larger network raises both dynamical and weight degeneracy (weight ↓ with load). The paper's " +
  "per-entry normalisation (PIF/n²) already falls ≈2.6× per doubling of the hidden size between " +
  "untrained networks, so that row is marked true by construction; the size-invariant row (PIF " +
  "of the trained pair relative to the same pair at initialisation) decides between the two " +
  "readings.";

/** Writes figures, claims.json, report.md and report.html for the run in `out`. */
export async function writeReport(
  out: string,
  options: { quiet?: boolean; graph?: Graph } = {},
): Promise<ClaimResult[]> {
  const data = await loadRun(out, options.graph);
  const preset = data.config.preset;
  const studies = new Set(data.variants.map((v) => v.study));
  const experiments = [
    "flipflop",
    "delayed_discrimination",
    "sine_freq",
    "sine_n",
    "path_integration",
  ]
    .filter((s) => studies.has(s));
  const controls = ["aux_loss", "network_size", "low_rank", "sparsity"].filter((s) =>
    studies.has(s)
  );
  // Every claim of the paper; those whose studies this run directory lacks are "not computed".
  const specs = claimSpecs();
  // a sensitivity study (deno task sensitivity) adds each population's shared measurement
  // variance to the trend tests and a note on its noise and stability to each row
  const sensitivity = await readSensitivitySummary(out);
  const claims = evaluateClaims(
    specs,
    sensitivity ? applyMeasurementVariance(data.variants, sensitivity.noise) : data.variants,
    preset.bootstrap,
    preset.seed,
  );
  if (sensitivity) annotateClaims(claims, sensitivity);
  await writeJsonAtomic(claimsPath(out), {
    schema: SCHEMA.claims,
    preset: preset.name,
    rule: VERDICT_RULE,
    bootstrap: preset.bootstrap,
    seed: preset.seed,
    claims,
  });
  const figures = [
    ...buildFigures({ variants: data.variants, mds: data.mds, experiments, controls }),
    ...buildFixedPointFigures(data.variants, preset.seed),
  ];
  const svgs: string[] = [];
  for (const f of figures) {
    const svg = await renderSvg(f.spec);
    svgs.push(svg);
    await writeTextAtomic(`${figuresDir(out)}/${f.name}.svg`, svg);
    await writeJsonAtomic(`${figuresDir(out)}/${f.name}.vl.json`, {
      schema: "vega-lite/v6",
      ...f.spec,
    });
  }
  const backends = [
    ...new Set(data.populations.flatMap((p) => p.population?.backends ?? [])),
  ].join(", ") || data.config.backend;
  const cc = claimCounts(claims);
  const learnRows = learningRows(
    data.populations.map((r) => ({ study: r.study, label: r.label, learning: r.learning })),
  );
  const statementRows = complexityStatementRows(data.variants);
  const summary = `${cc.tested} claims tested (${cc.byConstruction} more rows hold by ` +
    `construction and are not counted; false-discovery rate controlled over ${cc.fdrFamily} ` +
    `p-values): ${cc.counts.reproduced} reproduced, ${cc.counts["not reproduced"]} not ` +
    `reproduced, ${cc.counts.inconclusive} inconclusive, ${
      cc.counts["insufficient data"]
    } with insufficient data (fewer than ${MIN_NETWORKS_PER_LEVEL} networks in a level), ${
      cc.counts["not computed"]
    } not computed.`;
  const warnings = inputWarnings(
    data.inputs,
    data.refused,
    data.unreadable,
    new Map(data.failures.map((f) => [f.unit, f.message.split("\n")[0]])),
  );
  const head = [
    `# Reproduction report — preset \`${preset.name}\``,
    "",
    ...warnings.flatMap((w) => [`> ${w}`, ">"]).slice(0, -1),
    ...(warnings.length ? [""] : []),
    `${preset.description}`,
    "",
    `Networks per variant: ${preset.members}; statistics use ${
      preset.useMembers === "all" ? "all non-diverged" : "converged"
    } networks; ` +
    `bootstrap resamples: ${preset.bootstrap}; trained on: \`${backends}\`.`,
    "",
    `**${summary}**`,
    "",
  ];
  const md = [
    ...head,
    "## Claims",
    "",
    VERDICT_RULE,
    "",
    ...(sensitivity ? [MEASUREMENT_RULE, ""] : []),
    claimsMarkdown(claims),
    "",
    TABLE1_NOTE,
    "",
    ...(sensitivity ? [sensitivityMarkdown(sensitivity)] : []),
    "## Populations",
    "",
    POPULATIONS_NOTE,
    "",
    populationsMarkdown(data.populations),
    "",
    "## Did the converged networks learn the task?",
    "",
    LEARNING_RULE,
    "",
    tableMarkdown(LEARNING_COLUMNS, learnRows),
    "",
    "## The paper's complexity statements under both readings",
    "",
    statementRows
      ? tableMarkdown(STATEMENT_COLUMNS, statementRows)
      : "Not computed: the base variants (N = 1 flip-flop, delayed discrimination and sine, 2D " +
        "path integration) are not all in this run.",
    "",
    ...fixedPointsMarkdown(data.variants),
    "## Figures",
    "",
    ...figures.flatMap((
      f,
    ) => [`### ${f.title}`, "", `![${f.title}](figures/${f.name}.svg)`, "", f.caption, ""]),
    "## Notes",
    "",
    ...preset.notes.map((n) => `- ${n}`),
    ...(data.missing.length ? [`- Missing files (run incomplete): ${data.missing.length}`] : []),
    ...data.failures.map((f) =>
      `- Unit failed: ${f.unit} (stage ${f.stage}): ${f.message} (no value; its claims use the other variants)`
    ),
    ...data.unreadable.map((m) => `- Cannot read a metric file: ${m}`),
    "",
  ].join("\n");
  await writeTextAtomic(reportMdPath(out), md);
  const verdictColor = {
    reproduced: "#1a7f37",
    "not reproduced": "#cf222e",
    inconclusive: "#9a6700",
    "insufficient data": "#8250df",
    "not computed": "#57606a",
  };
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Reproduction report — ${esc(preset.name)}</title>
<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}
table{border-collapse:collapse;font-size:13px;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}
th{background:#f4f4f4}td.num{text-align:right;font-variant-numeric:tabular-nums}figure{margin:2em 0}
figcaption{color:#444;font-size:14px}figure svg{max-width:100%;height:auto}
table{display:block;max-width:100%;overflow-x:auto}</style></head><body>
<h1>Reproduction report — preset <code>${esc(preset.name)}</code></h1>
${
    warnings.length
      ? `<div id="run-warnings" style="border-left:4px solid #cf222e;padding:0 1em">${
        warnings.map((w) => `<p>${esc(w).replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")}</p>`).join("")
      }</div>`
      : ""
  }
<p>${esc(preset.description)}</p>
<p>Networks per variant: ${preset.members}; statistics use ${
    preset.useMembers === "all" ? "all non-diverged" : "converged"
  } networks; bootstrap resamples: ${preset.bootstrap}; trained on: <code>${
    esc(backends)
  }</code>.</p>
<p><strong>${esc(summary)}</strong></p>
<h2>Claims</h2><p>${esc(VERDICT_RULE).replace(/\*\*(.+?)\*\*/g, "<b>$1</b>")}</p>
${sensitivity ? `<p>${esc(MEASUREMENT_RULE)}</p>` : ""}
<table><tr>${CLAIM_COLUMNS.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>
${
    claims.map((c) => {
      const cells = claimCells(c);
      return "<tr>" + cells.map((x, i) =>
        i === 7
          ? `<td style="color:${verdictColor[c.verdict]};font-weight:bold">${esc(x)}</td>`
          : `<td${i >= 2 && i <= 6 ? ' class="num"' : ""}>${esc(x)}</td>`
      ).join("") + "</tr>";
    }).join("\n")
  }
</table>
<p>${esc(TABLE1_NOTE)}</p>
${sensitivity ? sensitivityHtml(sensitivity) : ""}
<h2>Populations</h2>
<p>${esc(POPULATIONS_NOTE)}</p>
<table><tr>${POPULATION_COLUMNS.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>
${
    data.populations.map((r) => {
      const nums = populationCells(r).map((x) => `<td class="num">${esc(x)}</td>`).join("");
      return `<tr><td>${esc(studyLabel(r.study))}</td><td>${esc(r.label)}</td>${nums}</tr>`;
    }).join("\n")
  }
</table>
<h2>Did the converged networks learn the task?</h2><p>${esc(LEARNING_RULE)}</p>
${tableHtml(LEARNING_COLUMNS, learnRows)}
<h2>The paper's complexity statements under both readings</h2>
${
    statementRows
      ? tableHtml(STATEMENT_COLUMNS, statementRows)
      : "<p>Not computed: the base variants are not all in this run.</p>"
  }
${fixedPointsHtml(data.variants, esc)}<h2>Figures</h2>
${
    figures.map((f, i) =>
      `<figure id="${f.name}"><h3>${esc(f.title)}</h3>${
        svgs[i].replace(/^<\?xml[^>]*>/, "")
      }<figcaption>${esc(f.caption)}</figcaption></figure>`
    ).join("\n")
  }
<h2>Notes</h2><ul>${preset.notes.map((n) => `<li>${esc(n)}</li>`).join("")}${
    data.missing.length ? `<li>Missing files (run incomplete): ${data.missing.length}</li>` : ""
  }${
    data.failures.map((f) =>
      `<li>Unit failed: ${esc(`${f.unit} (stage ${f.stage}): ${f.message}`)}</li>`
    ).join("")
  }${data.unreadable.map((m) => `<li>Cannot read a metric file: ${esc(m)}</li>`).join("")}</ul>
</body></html>
`;
  await writeTextAtomic(reportHtmlPath(out), html);
  if (!options.quiet) {
    console.error(`[report] ${summary} → ${reportMdPath(out)}, ${reportHtmlPath(out)}`);
  }
  return claims;
}

/** The command line of `deno task report`. */
export const CLI = defineCli({
  name: "report",
  summary: "Writes the figures, claims.json, report.md and report.html of a run directory from " +
    "its config, plan, networks, complexity and metric files. Reads and writes only there.",
  flags: {
    out: f.path("DIR", "run directory", "runs/<preset>"),
    preset: f.choice(PRESET_NAMES, "preset whose default run directory to report", "quick"),
    quiet: f.switch("no summary line on stderr"),
  },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (values) => {
    if (values.out !== undefined && values.preset !== undefined) {
      throw new UsageError("--preset", "given with --out", "one of --out DIR or --preset P");
    }
    const out = values.out ?? `runs/${values.preset ?? "quick"}`;
    requireAccess({
      script: "scripts/report.ts",
      read: [{ flag: "--out", path: out }],
      write: [{ flag: "--out", path: out }],
      other: ["--allow-sys=hostname"],
    }, Deno.args);
    if (!(await exists(out))) {
      throw new UsageError("--out", `${out} does not exist`, "a run directory");
    }
    const lock = await acquireRunLock(out, `deno task report ${Deno.args.join(" ")}`.trim());
    try {
      await removeStaleTemps(out);
      await writeReport(out, { quiet: values.quiet });
    } finally {
      lock.release();
    }
  });
}
