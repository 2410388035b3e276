/**
 * The report's fixed-point part: reading a population's `metrics/fixed_points.json` (the
 * pipeline's, or a `measure:fixed_points` file placed there), the paper's Fig. 2E per task
 * (one network's trajectories in the leading PCs with its fixed points, slow points and
 * continua), a Fig. 7 analogue (line-attractor length against the auxiliary-loss weight) and the
 * fixed-point table of the populations.
 *
 * @module
 */
import { bootstrapCi, mean } from "../../metrics/statistics.ts";
import type { MetricFile } from "../lib/formats.ts";
import type { FixedPointView } from "../lib/fixed_points.ts";
import { base, type Figure, type Spec } from "./figures.ts";

/** The fixed-point numbers of one population, aligned with its ids. */
export interface FixedPointData {
  /** Mean number of stable fixed points over the resting inputs, per network. */
  stable: number[];
  /** Stable fixed points under each resting input, per network (`[network][input]`). */
  stableByInput: number[][];
  /** All fixed points under the first resting input, per network. */
  fixedPoints: number[];
  /** Fixed points by number of unstable directions under the first resting input. */
  byUnstableDims: Record<string, number>[];
  /** Longest line attractor over the resting inputs (0 when none), per network. */
  lineAttractorLength: number[];
  /** Training status per network (null when the file does not say, e.g. a measure file). */
  status: (string | null)[];
  /**
   * Distinct sign patterns of the task readout over the stable fixed points of the first
   * resting input (the output-cube corners they sit at), per network; null when unknown.
   */
  corners: (number | null)[];
  /** The resting inputs' labels (pipeline files). */
  inputs: string[];
  /** The Fig. 2E view of the population's example network (pipeline files). */
  example: { id: string; status: string | null; run: string | null; view: FixedPointView } | null;
}

interface RunLike {
  label?: string;
  summary: {
    stable: number;
    fixedPoints: number;
    byUnstableDims: Record<string, number>;
    lineAttractorLength: number;
  };
  stableReadouts?: number[][];
}

/** Distinct sign patterns among readout rows. */
export function cornerCount(readouts: number[][]): number {
  return new Set(readouts.map((r) => r.map((x) => (x >= 0 ? "+" : "-")).join(""))).size;
}

/**
 * The fixed-point numbers of a `fixed_points` metric file: the pipeline's (`extra.networks[id]`
 * with `runs`) or a measure script's (`extra.networks[id]` a single summary). Throws naming the
 * field when the file lacks them.
 */
export function fixedPointData(file: MetricFile, where = "fixed_points.json"): FixedPointData {
  const networks = (file.extra?.networks ?? null) as Record<string, unknown> | null;
  if (!file.values || !networks) {
    throw new Error(`${where}: a fixed_points metric file needs values and extra.networks`);
  }
  const runsOf = (id: string): { runs: RunLike[]; status: string | null } => {
    const n = networks[id] as Record<string, unknown> | undefined;
    if (!n) throw new Error(`${where}: extra.networks has no entry for ${id}`);
    if (Array.isArray(n.runs)) {
      return { runs: n.runs as RunLike[], status: (n.status as string) ?? null };
    }
    return { runs: [{ summary: n as unknown as RunLike["summary"] }], status: null };
  };
  const per = file.ids.map(runsOf);
  for (const [i, p] of per.entries()) {
    if (p.runs.length === 0) throw new Error(`${where}: ${file.ids[i]} has no fixed-point runs`);
  }
  const ex = file.extra?.example as FixedPointData["example"] | undefined;
  return {
    stable: file.values,
    stableByInput: per.map((p) => p.runs.map((r) => r.summary.stable)),
    fixedPoints: per.map((p) => p.runs[0].summary.fixedPoints),
    byUnstableDims: per.map((p) => p.runs[0].summary.byUnstableDims),
    lineAttractorLength: per.map((p) =>
      Math.max(...p.runs.map((r) => r.summary.lineAttractorLength))
    ),
    status: per.map((p) => p.status),
    corners: per.map((p) =>
      p.runs[0].stableReadouts ? cornerCount(p.runs[0].stableReadouts) : null
    ),
    inputs: per[0]?.runs.map((r) => r.label ?? "given input") ?? [],
    example: ex && ex.view ? ex : null,
  };
}

/** What the fixed-point figures and table read of a population. */
export interface FixedPointVariant {
  study: string;
  variant: string;
  label: string;
  level: number;
  ids: string[];
  fixedPoints?: FixedPointData;
}

/** The variant each task's Fig. 2E shows: this level, else the nearest one with a view. */
export const FIG2E_LEVEL: Record<string, number> = {
  flipflop: 3,
  delayed_discrimination: 1,
  sine_freq: 1,
  path_integration: 2,
};

const TASK_NAME: Record<string, string> = {
  flipflop: "N-bit flip-flop",
  delayed_discrimination: "delayed discrimination",
  sine_freq: "sine wave",
  path_integration: "path integration",
};

/** Label of a fixed point by its number of unstable directions. */
export function stabilityClass(unstableDims: number): string {
  return unstableDims === 0
    ? "stable"
    : unstableDims === 1
    ? "1 unstable direction"
    : unstableDims === 2
    ? "2 unstable directions"
    : "≥ 3 unstable directions";
}

const CLASSES = [0, 1, 2, 3].map(stabilityClass);

/** Steps kept per drawn trajectory (every k-th step beyond this). */
const MAX_STEPS_DRAWN = 200;

/** Fig. 2E rows of one view: trajectories, fixed and slow points, continua, per PC pair. */
export function fig2eRows(view: FixedPointView): Record<string, unknown>[] {
  const pairs: [number, number][] = view.dims >= 3 ? [[0, 1], [0, 2], [1, 2]] : [[0, 1]];
  const pct = (k: number) => `${(100 * (view.explained[k] ?? 0)).toFixed(0)}%`;
  const rows: Record<string, unknown>[] = [];
  for (const [a, b] of pairs) {
    const panel = `x: PC${a + 1} (${pct(a)}), y: PC${b + 1} (${pct(b)})`;
    view.trajectories.forEach((tr, trial) => {
      const stride = Math.max(1, Math.ceil(tr.length / MAX_STEPS_DRAWN));
      tr.forEach((p, t) => {
        if (t % stride === 0 || t === tr.length - 1) {
          rows.push({ layer: "trajectory", panel, trial, t, x: p[a], y: p[b] });
        }
      });
    });
    view.continua.forEach((c, ci) =>
      c.forEach((curve, d) =>
        curve.forEach((p, k) =>
          rows.push({ layer: "continuum", panel, curve: `${ci}.${d}`, t: k, x: p[a], y: p[b] })
        )
      )
    );
    view.slowPoints.forEach((p) => rows.push({ layer: "slow point", panel, x: p[a], y: p[b] }));
    view.fixedPoints.forEach((p, i) =>
      rows.push({
        layer: "fixed point",
        panel,
        x: p[a],
        y: p[b],
        class: stabilityClass(view.unstableDims[i]),
      })
    );
  }
  return rows;
}

function fig2eSpec(title: string, rows: Record<string, unknown>[], columns: number): Spec {
  const only = (layer: string) => [{ filter: `datum.layer === '${layer}'` }];
  const xy = {
    x: { field: "x", type: "quantitative", title: null, scale: { zero: false } },
    y: { field: "y", type: "quantitative", title: null, scale: { zero: false } },
  };
  return {
    ...base(title, rows),
    facet: { field: "panel", type: "nominal", title: null },
    columns,
    resolve: { scale: { x: "independent", y: "independent" } },
    spec: {
      width: 200,
      height: 200,
      layer: [
        {
          transform: only("trajectory"),
          mark: { type: "line", strokeWidth: 0.7, opacity: 0.45, color: "#888" },
          encoding: { ...xy, detail: { field: "trial" }, order: { field: "t" } },
        },
        {
          transform: only("continuum"),
          mark: { type: "line", strokeWidth: 2.5, color: "#ff7f0e" },
          encoding: { ...xy, detail: { field: "curve" }, order: { field: "t" } },
        },
        {
          transform: only("slow point"),
          mark: { type: "point", filled: true, size: 10, color: "#555" },
          encoding: xy,
        },
        {
          transform: only("fixed point"),
          mark: { type: "point", filled: true, size: 60, stroke: "black", strokeWidth: 0.5 },
          encoding: {
            ...xy,
            color: {
              field: "class",
              type: "nominal",
              title: "fixed point",
              legend: { labelLimit: 200 },
              scale: { domain: CLASSES, range: ["#1f77b4", "#d62728", "#9467bd", "#2ca02c"] },
            },
            shape: {
              field: "class",
              type: "nominal",
              scale: { domain: CLASSES, range: ["circle", "triangle-up", "square", "diamond"] },
            },
          },
        },
      ],
    },
  };
}

/** Picks the variant of `study` whose level is nearest `level` among those with a view. */
function pickVariant(vs: FixedPointVariant[], study: string, level: number) {
  const cands = vs.filter((v) => v.study === study && v.fixedPoints?.example);
  cands.sort((a, b) => Math.abs(a.level - level) - Math.abs(b.level - level) || a.level - b.level);
  return cands[0];
}

const count = (xs: number[]) => {
  const m = new Map<number, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return [...m].sort((a, b) => a[0] - b[0]);
};

/** "8 (7 networks), 6 (1)": a histogram of per-network values. */
export function histogramText(xs: number[], digits = 0): string {
  return count(xs).map(([v, n], i) =>
    `${Number(v.toFixed(digits))} (${n}${i === 0 ? (n === 1 ? " network" : " networks") : ""})`
  ).join(", ");
}

/**
 * The fixed-point figures: Fig. 2E for each task with a view (flip-flop, delayed discrimination,
 * sine wave, path integration; the variant of {@link FIG2E_LEVEL}, its population's example
 * network) and the Fig. 7 analogue when the `aux_loss` study has fixed points.
 */
export function buildFixedPointFigures(variants: FixedPointVariant[], seed = 0): Figure[] {
  const figs: Figure[] = [];
  for (const [study, level] of Object.entries(FIG2E_LEVEL)) {
    const v = pickVariant(variants, study, level);
    if (!v) continue;
    const fp = v.fixedPoints!;
    const ex = fp.example!;
    const view = ex.view;
    const rows = fig2eRows(view);
    const nFix = view.fixedPoints.length;
    const byDims = count(view.unstableDims).map(([u, n]) => `${n} ${stabilityClass(u)}`);
    const i = v.ids.indexOf(ex.id);
    const lla = i >= 0 ? fp.lineAttractorLength[i] : null;
    figs.push({
      name: `fig2e_${study}`,
      title: `Fig. 2E: fixed points of a ${TASK_NAME[study]} network (${v.label})`,
      caption: `Network ${ex.id} (${ex.status ?? "status unknown"}): ${view.trajectories.length} ` +
        `evaluation trajectories (grey) in the ${view.dims} leading principal components of its ` +
        `hidden states, with its fixed points under the resting input ` +
        `${ex.run ?? ""} (${nFix}: ${byDims.join(", ") || "none"}), slow points (small dots) ` +
        `and continua (orange: ${view.continua.length}` +
        `${
          view.continua.length
            ? `, dimensions ${view.continuumDimensions.join(", ")}` +
              (lla !== null && lla > 0 ? `; longest line attractor ${lla.toFixed(2)}` : "")
            : ""
        }). Panels: pairs of PCs (share of variance in brackets). The population's stable ` +
        `fixed points per network: ${histogramText(fp.stable, 2)}.`,
      spec: fig2eSpec(
        `Fig. 2E — ${TASK_NAME[study]} (${v.label}): trajectories and fixed points`,
        rows,
        view.dims >= 3 ? 3 : 1,
      ),
    });
  }
  const aux = variants.filter((v) => v.study === "aux_loss" && v.fixedPoints)
    .sort((a, b) => a.level - b.level);
  if (aux.length) {
    const points = aux.flatMap((v) =>
      v.fixedPoints!.lineAttractorLength.map((value, i) => ({
        layer: "network",
        level: v.level,
        value,
        id: v.ids[i],
      }))
    );
    const stats = aux.filter((v) => v.fixedPoints!.lineAttractorLength.length).map((v) => {
      const xs = v.fixedPoints!.lineAttractorLength;
      const ci = bootstrapCi(xs, mean, { seed, resamples: 2000 });
      return { layer: "mean", level: v.level, value: mean(xs), lo: ci.lower, hi: ci.upper };
    });
    const share = aux.map((v) => {
      const xs = v.fixedPoints!.lineAttractorLength;
      return `${v.level}: ${xs.filter((x) => x > 0).length}/${xs.length}`;
    }).join(", ");
    const x = {
      field: "level",
      type: "ordinal",
      title: "auxiliary-loss weight",
      axis: { labelAngle: 0 },
    };
    figs.push({
      name: "fig7_aux_line_attractors",
      title: "Fig. 7 analogue: line attractors against the auxiliary-loss weight",
      caption: "Delayed discrimination (aux_loss study): length (hidden-state units, arc length) " +
        "of the longest line attractor (a one-dimensional continuum of slow points traced " +
        "through a Jacobian eigenvalue near 1) under the delay-period input, per network (grey " +
        "dots; 0 = none); red: mean with a bootstrap 95% CI. Networks with a line attractor " +
        `per weight: ${share}.`,
      spec: {
        ...base("Fig. 7 analogue — line-attractor length vs auxiliary-loss weight", [
          ...points,
          ...stats,
        ]),
        width: 300,
        height: 240,
        layer: [
          {
            transform: [{ filter: "datum.layer === 'network'" }],
            mark: { type: "point", filled: true, opacity: 0.5, size: 30, color: "#555" },
            encoding: {
              x,
              y: { field: "value", type: "quantitative", title: "line-attractor length" },
              tooltip: [{ field: "id" }, { field: "value" }],
            },
          },
          {
            transform: [{ filter: "datum.layer === 'mean'" }],
            mark: { type: "rule", color: "#d62728", strokeWidth: 2 },
            encoding: { x, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } },
          },
          {
            transform: [{ filter: "datum.layer === 'mean'" }],
            mark: { type: "point", filled: true, size: 80, color: "#d62728", shape: "diamond" },
            encoding: { x, y: { field: "value", type: "quantitative" } },
          },
        ],
      },
    });
  }
  return figs;
}

/** One row of the fixed-point table. */
export interface FixedPointRow {
  study: string;
  label: string;
  networks: number;
  converged: number | null;
  stable: string;
  fixedPoints: string;
  withLineAttractor: string;
  meanLineAttractorLength: number | null;
  inputs: string;
}

/** Rows of the fixed-point table, one per population with fixed points. */
export function fixedPointRows(variants: FixedPointVariant[]): FixedPointRow[] {
  return variants.filter((v) => v.fixedPoints).map((v) => {
    const fp = v.fixedPoints!;
    const known = fp.status.filter((s) => s !== null);
    const lla = fp.lineAttractorLength;
    return {
      study: v.study,
      label: v.label,
      networks: fp.stable.length,
      converged: known.length === fp.status.length
        ? known.filter((s) => s === "converged").length
        : null,
      stable: histogramText(fp.stable, 2),
      fixedPoints: histogramText(fp.fixedPoints),
      withLineAttractor: `${lla.filter((x) => x > 0).length}/${lla.length}`,
      meanLineAttractorLength: lla.length ? mean(lla) : null,
      inputs: fp.inputs.length === 1 ? fp.inputs[0] : `${fp.inputs.length} inputs`,
    };
  });
}

/** Column headers of the fixed-point table. */
export const FIXED_POINT_COLUMNS = [
  "study",
  "variant",
  "networks used",
  "converged",
  "stable fixed points per network (networks)",
  "fixed points, first input (networks)",
  "with a line attractor",
  "mean line-attractor length",
  "resting input",
];

/** The cells of a fixed-point table row, as text, in {@link FIXED_POINT_COLUMNS} order. */
export function fixedPointCells(r: FixedPointRow): string[] {
  return [
    r.study,
    r.label,
    String(r.networks),
    r.converged === null ? "–" : String(r.converged),
    r.stable,
    r.fixedPoints,
    r.withLineAttractor,
    r.meanLineAttractorLength === null ? "–" : r.meanLineAttractorLength.toFixed(2),
    r.inputs,
  ];
}

/** What the fixed-point section says before its table. */
export const FIXED_POINT_NOTE = "Fixed points of every network used, under its task's resting " +
  "input (flip-flop: no pulse; delayed discrimination and its controls: the delay-period input " +
  "0; path integration: speed 0, heading 0; sine: f / fMax for each training frequency, counts " +
  "averaged over the frequencies), found from 256 states of its evaluation trajectories plus " +
  "256 midpoints and refined by Newton's method to a speed ≤ 1e-10 (docs/fixed_points.md). A " +
  "line attractor is a one-dimensional continuum of slow points (speed ≤ 1e-2) traced through a " +
  "Jacobian eigenvalue within 0.05 of 1, at least 0.1 long.";

/** The fixed-point section as Markdown lines (empty when no population has fixed points). */
export function fixedPointsMarkdown(variants: FixedPointVariant[]): string[] {
  const rows = fixedPointRows(variants);
  if (!rows.length) return [];
  const cell = (x: string) => x.replace(/\|/g, "\\|");
  return [
    "## Fixed points",
    "",
    FIXED_POINT_NOTE,
    "",
    `| ${FIXED_POINT_COLUMNS.join(" | ")} |`,
    `| ${FIXED_POINT_COLUMNS.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${fixedPointCells(r).map(cell).join(" | ")} |`),
    "",
  ];
}

/** The fixed-point section as HTML (empty when no population has fixed points). */
export function fixedPointsHtml(
  variants: FixedPointVariant[],
  esc: (s: string) => string,
): string {
  const rows = fixedPointRows(variants);
  if (!rows.length) return "";
  return `<h2>Fixed points</h2><p>${esc(FIXED_POINT_NOTE)}</p>
<table><tr>${FIXED_POINT_COLUMNS.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>
${
    rows.map((r) =>
      "<tr>" +
      fixedPointCells(r).map((x, i) =>
        `<td${i === 2 || i === 3 || i === 7 ? ' class="num"' : ""}>${esc(x)}</td>`
      ).join("") + "</tr>"
    ).join("\n")
  }
</table>
`;
}
