/**
 * Vega-Lite specs of the report's figures (paper Fig. 2–6, A1), built from the run's data,
 * and their headless rendering to SVG with `vega` (renderer "none": no canvas or browser).
 */
import * as vega from "npm:vega@6.4.0";
import * as vl from "npm:vega-lite@6.5.0";
import { cvOf, type VariantData } from "./claims.ts";

/** A Vega-Lite spec (plain JSON). */
export type Spec = Record<string, unknown>;

/** One figure: file stem, caption, spec. */
export interface Figure {
  name: string;
  title: string;
  caption: string;
  spec: Spec;
}

/** Renders a Vega-Lite spec to an SVG string headlessly. */
export async function renderSvg(spec: Spec): Promise<string> {
  const compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v6.json";
const STUDY_LABEL: Record<string, string> = {
  flipflop: "flip-flop (N)",
  delayed_discrimination: "delayed discr. (N)",
  sine_freq: "sine (N_freq)",
  sine_n: "sine (N)",
  path_integration: "path integ. (dims)",
  dd_delay: "delayed discr. (max delay)",
  pi_arena: "path integ. (arena size)",
  aux_loss: "aux loss weight",
  network_size: "hidden units",
  low_rank: "nuclear-norm weight",
  sparsity: "L1 weight",
};

/** Labels of the two readings of the complexity measure (docs/fidelity.md). */
const READING_LABEL = {
  "per-trial": "per trial (§3.1)",
  "time-averaged": "time-averaged (Fig. 2)",
} as const;

/** Label of a study for figures. */
export const studyLabel = (s: string) => STUDY_LABEL[s] ?? s;

/** The common part of every figure's Vega-Lite spec: schema, title ("(no data)" when empty), data. */
export function base(title: string, values: unknown[]): Spec {
  return {
    $schema: SCHEMA_URL,
    title: values.length ? title : `${title} (no data)`,
    data: { values },
    config: { font: "sans-serif", view: { stroke: "#ddd" } },
  };
}

/**
 * Panels per row of a faceted figure: a 140–160 px panel with its axes takes up to ~250 px, so
 * three fit a 1000-px window (the report also scales any wider figure down to its column).
 */
export const FACET_COLUMNS = 3;

/**
 * Faceted trend: one panel per study, x = variant level (ordinal), points = units (networks or
 * pairs), line = mean per variant. Panels wrap after `columns`.
 */
function trend(
  title: string,
  rows: { study: string; level: number; value: number }[],
  yTitle: string,
  columns = FACET_COLUMNS,
): Spec {
  const values = rows.map((r) => ({ ...r, studyLabel: studyLabel(r.study) }));
  const order = [...new Set(values.map((v) => v.studyLabel))];
  return {
    ...base(title, values),
    facet: { field: "studyLabel", type: "nominal", title: null, sort: order },
    columns,
    resolve: { scale: { x: "independent", y: "independent" } },
    spec: {
      width: 140,
      height: 140,
      layer: [
        {
          mark: { type: "point", filled: true, opacity: 0.35, size: 18 },
          encoding: {
            x: { field: "level", type: "ordinal", title: "level", axis: { labelAngle: 0 } },
            y: { field: "value", type: "quantitative", title: yTitle, scale: { zero: false } },
          },
        },
        {
          mark: { type: "line", point: { color: "#d62728" }, color: "#d62728" },
          encoding: {
            x: { field: "level", type: "ordinal" },
            y: { field: "value", type: "quantitative", aggregate: "mean" },
          },
        },
      ],
    },
  };
}

function pairValues(m: number[][] | undefined): number[] {
  const xs: number[] = [];
  if (!m) return xs;
  for (let i = 0; i < m.length; i++) for (let j = i + 1; j < m.length; j++) xs.push(m[i][j]);
  return xs.filter(Number.isFinite);
}

/** Everything the figures need beyond the variant data. */
export interface FigureInput {
  variants: VariantData[];
  /** MDS points per variant key `study/variant`. */
  mds: Map<string, number[][]>;
  experiments: string[];
  controls: string[];
}

/** All report figures, in paper order. */
export function buildFigures(input: FigureInput): Figure[] {
  const { variants } = input;
  const exp = variants.filter((v) => input.experiments.includes(v.study));
  const figs: Figure[] = [];
  // One row per variant and reading of the complexity measure (§3.1 per trial; Fig. 2's
  // time-averaged signal, when computed).
  const cx = exp.filter((v) => v.complexity).flatMap((v) => {
    const row = (reading: string, c: { input: number; output: number }) => ({
      study: studyLabel(v.study),
      variant: v.label,
      level: v.level,
      reading,
      input: c.input,
      output: c.output,
    });
    return [
      row(READING_LABEL["per-trial"], v.complexity!),
      ...(v.complexity!.timeAveraged
        ? [row(READING_LABEL["time-averaged"], v.complexity!.timeAveraged)]
        : []),
    ];
  });
  for (
    const [name, key, letter] of [
      ["fig2a_input_complexity", "input", "A"],
      ["fig2b_output_complexity", "output", "B"],
    ] as const
  ) {
    figs.push({
      name,
      title: `Fig. 2${letter}: ${key} complexity per variant`,
      caption: `Shannon entropy (bits) of the ${key} time series, times N, under both readings ` +
        "of the paper: per trial, averaged over trials (§3.1), and of the time-averaged signal " +
        "(Fig. 2 captions); docs/fidelity.md compares them.",
      spec: {
        ...base(`Fig. 2${letter} — ${key} complexity (bits)`, cx),
        facet: { row: { field: "reading", type: "nominal", title: null } },
        resolve: { scale: { y: "independent" } },
        spec: {
          width: 420,
          height: 160,
          mark: "bar",
          encoding: {
            x: {
              field: "variant",
              type: "nominal",
              sort: null,
              title: null,
              axis: { labelAngle: -40 },
            },
            y: { field: key, type: "quantitative", title: `${key} entropy (bits)` },
            color: { field: "study", type: "nominal", title: "task" },
          },
        },
      },
    });
  }
  figs.push({
    name: "fig2c_complexity_plane",
    title: "Fig. 2C: input vs output complexity",
    caption: "Each variant in the input–output complexity plane under both readings; marker " +
      "size grows with the level.",
    spec: {
      ...base("Fig. 2C — input vs output complexity", cx),
      facet: { column: { field: "reading", type: "nominal", title: null } },
      resolve: { scale: { x: "independent", y: "independent" } },
      spec: {
        width: 260,
        height: 240,
        mark: { type: "point", filled: true },
        encoding: {
          x: { field: "input", type: "quantitative", title: "input entropy (bits)" },
          y: { field: "output", type: "quantitative", title: "output entropy (bits)" },
          color: { field: "study", type: "nominal", title: "task" },
          size: { field: "level", type: "quantitative", legend: null },
          tooltip: [{ field: "variant" }],
        },
      },
    },
  });
  const perNet = (metric: keyof VariantData["perNetwork"], vs: VariantData[]) =>
    vs.flatMap((v) =>
      (v.perNetwork[metric] ?? []).filter(Number.isFinite).map((value) => ({
        study: v.study,
        level: v.level,
        value,
      }))
    );
  const pairs = (metric: "dsa" | "pif", vs: VariantData[]) =>
    vs.flatMap((v) =>
      pairValues(v.pairwise[metric]).map((value) => ({ study: v.study, level: v.level, value }))
    );
  figs.push({
    name: "fig2d_dimensionality",
    title: "Fig. 2D: dimensionality of hidden states",
    caption: "Number of PCs explaining 95% of hidden-state variance; dots: networks, line: mean.",
    spec: trend("Fig. 2D — PCs for 95% variance", perNet("dimensionality", exp), "PCs (95%)"),
  });
  figs.push({
    name: "fig3a_dsa",
    title: "Fig. 3A: pairwise DSA vs complexity",
    caption: "Pairwise DSA distance between networks of a variant; dots: pairs, line: mean.",
    spec: trend("Fig. 3A — pairwise DSA", pairs("dsa", exp), "DSA distance"),
  });
  const mdsRows = variants.filter((v) => v.study === "flipflop").flatMap((v) =>
    (input.mds.get(`${v.study}/${v.variant}`) ?? []).map((p, i) => ({
      variant: v.label,
      level: v.level,
      x: p[0],
      y: p[1],
      id: v.ids[i],
    }))
  );
  figs.push({
    name: "fig3b_mds",
    title: "Fig. 3B: MDS of pairwise DSA (flip-flop)",
    caption: "Classical MDS of each flip-flop variant's DSA matrix (same scale in every panel: " +
      "distances are preserved, so the spread is comparable). Dots: networks.",
    spec: {
      ...base("Fig. 3B — MDS of DSA distances, flip-flop", mdsRows),
      facet: {
        field: "variant",
        type: "nominal",
        title: null,
        sort: [...new Set(mdsRows.map((r) => r.variant))],
      },
      columns: FACET_COLUMNS,
      spec: {
        width: 160,
        height: 160,
        mark: { type: "point", filled: true },
        encoding: {
          x: { field: "x", type: "quantitative", title: "MDS 1" },
          y: { field: "y", type: "quantitative", title: "MDS 2" },
          tooltip: [{ field: "id" }],
        },
      },
    },
  });
  const c3 = exp.filter((v) => v.complexity && pairValues(v.pairwise.dsa).length).flatMap((v) => {
    const xs = pairValues(v.pairwise.dsa);
    const dsa = xs.reduce((a, b) => a + b, 0) / xs.length;
    const row = (reading: string, output: number) => ({
      study: studyLabel(v.study),
      variant: v.label,
      level: v.level,
      reading,
      output,
      dsa,
    });
    return [
      row(READING_LABEL["per-trial"], v.complexity!.output),
      ...(v.complexity!.timeAveraged
        ? [row(READING_LABEL["time-averaged"], v.complexity!.timeAveraged.output)]
        : []),
    ];
  });
  figs.push({
    name: "fig3c_output_complexity_vs_dsa",
    title: "Fig. 3C: output complexity vs mean DSA",
    caption: "Mean pairwise DSA of each variant against its output complexity, under both " +
      "readings of the complexity measure; marker size grows with the level.",
    spec: {
      ...base("Fig. 3C — output complexity vs dynamical degeneracy", c3),
      facet: { column: { field: "reading", type: "nominal", title: null } },
      resolve: { scale: { x: "independent" } },
      spec: {
        width: 260,
        height: 240,
        mark: { type: "point", filled: true },
        encoding: {
          x: { field: "output", type: "quantitative", title: "output entropy (bits)" },
          y: {
            field: "dsa",
            type: "quantitative",
            title: "mean pairwise DSA",
            scale: { zero: false },
          },
          color: { field: "study", type: "nominal", title: "task" },
          size: { field: "level", type: "quantitative", legend: null },
          tooltip: [{ field: "variant" }],
        },
      },
    },
  });
  figs.push({
    name: "fig4a_pif",
    title: "Fig. 4A: pairwise PIF distance vs complexity",
    caption: "Permutation-independent Frobenius distance between recurrent weights, " +
      "normalised by n²; dots: pairs, line: mean.",
    spec: trend("Fig. 4A — pairwise PIF distance (÷n²)", pairs("pif", exp), "PIF / n²"),
  });
  figs.push({
    name: "fig4b_distance_from_init",
    title: "Fig. 4B: distance from initial weights",
    caption: "‖W_T − W_0‖_F / n² per network; dots: networks, line: mean.",
    spec: trend(
      "Fig. 4B — distance from init (÷n²)",
      perNet("distance_from_init", exp),
      "‖W_T−W_0‖/n²",
    ),
  });
  const cvRows = exp.flatMap((v) => {
    const xs = (v.perNetwork.ood ?? []).filter(Number.isFinite);
    if (xs.length < 2) return [];
    const cv = cvOf(xs);
    return Number.isFinite(cv) ? [{ study: v.study, level: v.level, value: cv }] : [];
  });
  figs.push({
    name: "fig5_ood_cv",
    title: "Fig. 5: CV of OOD performance",
    caption:
      "Coefficient of variation (σ/μ, population σ) of the OOD MSE across networks of each variant " +
      "(doubled delay for delayed discrimination, doubled trial length otherwise).",
    spec: trend("Fig. 5 — CV of OOD MSE", cvRows, "CV of OOD MSE"),
  });
  const ctl: Array<[string, string, string]> = [
    ["aux_loss", "A", "auxiliary loss"],
    ["network_size", "B", "network size"],
    ["low_rank", "C", "low-rank (nuclear-norm) regularisation"],
    ["sparsity", "D", "sparsity (L1) regularisation"],
  ];
  for (const [study, letter, what] of ctl) {
    if (!input.controls.includes(study)) continue;
    const vs = variants.filter((v) => v.study === study);
    const rows = [
      ...pairs("dsa", vs).map((r) => ({ ...r, study: "DSA (dynamics)" })),
      ...pairs("pif", vs).map((r) => ({ ...r, study: "PIF ÷n² (weights)" })),
      ...perNet("distance_from_init", vs).map((r) => ({ ...r, study: "distance from init" })),
    ];
    const spec = trend(`Fig. 6${letter} — ${what} (delayed discrimination)`, rows, "value", 3);
    (spec.spec as Spec).layer = ((spec.spec as Spec).layer as Spec[]).map((l) => ({
      ...l,
      encoding: {
        ...(l.encoding as Spec),
        x: { ...((l.encoding as Spec).x as Spec), title: studyLabel(study) },
      },
    }));
    figs.push({
      name: `fig6${letter.toLowerCase()}_${study}`,
      title: `Fig. 6${letter}: control by ${what}`,
      caption: `Delayed discrimination: pairwise DSA, pairwise PIF and distance from init ` +
        `against the ${studyLabel(study)}; dots: pairs/networks, line: mean.`,
      spec,
    });
  }
  const att = exp.flatMap((v) =>
    (v.perNetwork.attractorness ?? []).filter(Number.isFinite).map((value) => ({
      variant: v.label,
      study: studyLabel(v.study),
      value,
    }))
  );
  figs.push({
    name: "figA1_attractorness",
    title: "Fig. A1: attractorness Δh",
    caption: "Normalised speed of change of the hidden state (Appendix B) per network, " +
      "averaged over trials; low = attractor-heavy.",
    spec: {
      ...base("Fig. A1 — attractorness Δh per network", att),
      width: 420,
      height: 220,
      layer: [
        {
          mark: { type: "boxplot", extent: "min-max", opacity: 0.5 },
          encoding: {
            x: {
              field: "variant",
              type: "nominal",
              sort: null,
              title: null,
              axis: { labelAngle: -40 },
            },
            y: { field: "value", type: "quantitative", title: "Δh", scale: { zero: false } },
            color: { field: "study", type: "nominal", title: "task" },
          },
        },
        {
          mark: { type: "point", filled: true, size: 14, color: "black", opacity: 0.5 },
          encoding: {
            x: { field: "variant", type: "nominal", sort: null },
            y: { field: "value", type: "quantitative" },
          },
        },
      ],
    },
  });
  return figs;
}
