/**
 * The measurement-sensitivity summary as the report reads it (`OUT/sensitivity/summary.json`,
 * computed by scripts/report/sensitivity.ts): its types, its reader, the hook that adds each
 * population's shared measurement variance to the claims' trend tests, the note each claim row
 * gets (dominant noise source, stability across the grid) and the report section (Markdown and
 * HTML).
 *
 * @module
 */
import type { NoiseSource, NoiseSplit, RequiredNetworks } from "../../mod.ts";
import { readJson } from "../lib/io.ts";
import { sensitivitySummaryPath } from "../lib/sensitivity.ts";
import type { ClaimMetric, ClaimResult, ClaimSpec, VariantData, Verdict } from "./claims.ts";

/** Schema of `OUT/sensitivity/summary.json`. */
export const SENSITIVITY_SCHEMA = "degeneracy.sensitivity/1";

/** A population's noise split, as stored (the replicate summaries without their matrices). */
export type StoredNoiseSplit = NoiseSplit;

/** One claim under one setting. */
export interface SettingRow {
  /** `base` (the run's own measurement), `base+noise` (with the measurement variance), or a setting id. */
  setting: string;
  verdict: Verdict;
  estimate: number | null;
  p: number | null;
  q: number | null;
  /** Per study: population statistics with their 95% intervals, and the contrast with its CI. */
  trends: Array<{
    study: string;
    levels: number[];
    sizes: number[];
    means: { estimate: number; ciLow: number; ciHigh: number }[];
    contrast: { estimate: number; ciLow: number; ciHigh: number; p: number };
    monotone: string;
  }>;
  /** Networks used over the claim's populations. */
  used: number | null;
}

/** Stability of a claim's verdict across the grid. */
export interface Stability {
  /** Settings where the claim was computed. */
  computed: number;
  /** Verdict counts over the computed settings (base included). */
  verdicts: Partial<Record<Verdict, number>>;
  /** The same verdict under every computed setting. */
  stable: boolean;
  /** The same verdict as the base under every noise replicate. */
  stableUnderNoise: boolean;
  /** The same verdict as the base under every alternative setting. */
  stableUnderAlternatives: boolean;
  /** Dimensions (batch, optimiser, trials, dsa, members, pif-normalisation) that change it. */
  hingesOn: string[];
  /** The estimate keeps the base's sign under every computed setting. */
  directionStable: boolean;
  /**
   * Settings (ids) under which the claim could not be decided (too few networks in a level,
   * e.g. learned networks only in a partly trained population): not counted as computed, so
   * they neither make a verdict unstable nor move its sign. Absent in summaries written
   * before this field existed.
   */
  undecided?: string[];
}

/** Power of a trend claim. */
export interface ClaimPower {
  /** Networks per population of the preset. */
  members: number;
  /** Reference effect: relative change lowest → highest level (signed, the paper's direction). */
  referenceChange: number;
  /** Networks per population needed for the reference effect at 80% power. */
  reference: RequiredNetworks;
  /** The relative change this run measured (per study, averaged), and the networks it needs. */
  observedChange: number | null;
  observed: RequiredNetworks | null;
  /** Smallest relative change detectable at 80% power with the preset's networks. */
  minimalDetectableChange: number | null;
}

/** One claim of the summary. */
export interface ClaimSensitivity {
  id: string;
  claim: string;
  kind: ClaimSpec["kind"];
  metric: ClaimMetric;
  direction: number;
  studies: string[];
  byConstruction: boolean;
  rows: SettingRow[];
  stability: Stability;
  /** The contrast's variance by source (mean share over the claim's studies); null: no split. */
  noise: { shares: Record<NoiseSource, number>; dominant: NoiseSource } | null;
  power: ClaimPower | null;
}

/** `OUT/sensitivity/summary.json`. */
export interface SensitivitySummary {
  schema: typeof SENSITIVITY_SCHEMA;
  preset: string;
  grid: string;
  description: string;
  referenceChange: number;
  settings: Array<{
    id: string;
    label: string;
    role: "noise" | "alternative";
    dimension: string;
    /** Notes per population (e.g. trials raised for the geometry). */
    notes: Record<string, string[]>;
    /** Its own units, their measured seconds (sum of unit timings) and estimate (core-s). */
    units: number;
    measuredSeconds: number;
    estimatedSeconds: number;
  }>;
  /** Per population (`study/variant`) and metric: the variance split. */
  noise: Record<string, Partial<Record<ClaimMetric, StoredNoiseSplit>>>;
  claims: ClaimSensitivity[];
}

/**
 * Sets each variant's measurement variance (the shared parts of batch and optimiser noise,
 * `addOn` of the noise split) for the claims' trend tests.
 */
export function applyMeasurementVariance(
  variants: VariantData[],
  noise: SensitivitySummary["noise"],
): VariantData[] {
  return variants.map((v) => {
    const n = noise[`${v.study}/${v.variant}`];
    if (!n) return v;
    const mv: NonNullable<VariantData["measurementVariance"]> = {};
    for (const [m, s] of Object.entries(n) as [ClaimMetric, StoredNoiseSplit][]) {
      // JSON has no ∞: a df stored as null means infinitely many
      const df = typeof s.addOn.df === "number" && s.addOn.df > 0 ? s.addOn.df : Infinity;
      if (s.addOn.variance > 0) mv[m] = { variance: s.addOn.variance, df };
    }
    return Object.keys(mv).length ? { ...v, measurementVariance: mv } : v;
  });
}

/** Reads `OUT/sensitivity/summary.json` (null when absent or of another schema). */
export async function readSensitivitySummary(out: string): Promise<SensitivitySummary | null> {
  try {
    const s = await readJson<SensitivitySummary>(sensitivitySummaryPath(out));
    return s && s.schema === SENSITIVITY_SCHEMA ? s : null;
  } catch {
    return null;
  }
}

/** How the claims table uses the sensitivity study (printed below the verdict rule). */
export const MEASUREMENT_RULE = "A measurement-sensitivity study ran on these networks (section " +
  "'Measurement sensitivity' below): each trend's intervals and p-values include its " +
  "populations' shared measurement variance (the part of the evaluation-batch and optimiser " +
  "noise that resampling networks cannot see, with its degrees of freedom), and each row's note " +
  "names the source that dominates its contrast's variance and whether its verdict is stable " +
  "across the grid of measurement settings.";

/** A number with 3 significant digits (exponent form outside [1e-3, 1e4)); "–" when absent. */
function num(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return "–";
  if (x === 0) return "0";
  const a = Math.abs(x);
  return a >= 1e4 || a < 1e-3 ? x.toExponential(digits - 1) : x.toPrecision(digits);
}

const pct = (x: number) => `${Math.round(100 * x)}%`;

/** A claim's measurement note: variance split of its contrast and stability across the grid. */
export function claimNote(c: ClaimSensitivity, settings: number): string {
  const parts: string[] = [];
  if (c.noise) {
    const s = c.noise.shares;
    parts.push(
      `measurement: networks ${pct(s.networks)}, evaluation batch ${pct(s.batch)}, optimiser ` +
        `${pct(s.optimiser)} of the contrast's variance (dominant: ${c.noise.dominant})`,
    );
  }
  const st = c.stability;
  if (st.computed > 0) {
    parts.push(
      (st.stable
        ? `verdict stable across ${st.computed} of ${settings + 1} measurement settings`
        : `verdict changes with ${st.hingesOn.join(", ")} (${
          Object.entries(st.verdicts).map(([v, n]) => `${n}× ${v}`).join(", ")
        } over ${st.computed} settings)`) + undecidedText(st),
    );
  }
  return parts.join("; ");
}

/** The settings that could not decide the claim, labelled and comma-separated ("" if none). */
function undecidedList(st: Stability, label: (id: string) => string = (id) => id): string {
  return (st.undecided ?? []).map(label).join(", ");
}

/** "; insufficient data with …" for the settings that could not decide the claim, else "". */
function undecidedText(st: Stability, label?: (id: string) => string): string {
  const list = undecidedList(st, label);
  return list ? `; insufficient data with ${list}` : "";
}

/**
 * Appends each claim's measurement note (dominant source, stability across the grid) to the
 * claims table's rows, in place.
 */
export function annotateClaims(claims: ClaimResult[], s: SensitivitySummary): ClaimResult[] {
  for (const c of claims) {
    const x = s.claims.find((y) => y.id === c.id);
    if (!x) continue;
    const note = claimNote(x, s.settings.length);
    if (note) c.note = c.note ? `${c.note}; ${note}` : note;
  }
  return claims;
}

type Block =
  | { kind: "h"; level: number; text: string }
  | { kind: "p"; text: string }
  | { kind: "list"; items: string[] }
  | { kind: "table"; head: string[]; rows: string[][]; align?: ("l" | "r")[] };

function settingLabel(s: SensitivitySummary, id: string): string {
  if (id === "base") return "the run's own";
  if (id === "base+noise") return "the run's own + measurement variance";
  return s.settings.find((x) => x.id === id)?.label ?? id;
}

function rowCells(r: SettingRow): { stats: string; contrast: string } {
  const stats = r.trends.map((t) =>
    (r.trends.length > 1 ? `${t.study}: ` : "") +
    t.means.map((m) => `${num(m.estimate)} [${num(m.ciLow)}, ${num(m.ciHigh)}]`).join(" → ")
  ).join("; ");
  const contrast = r.trends.length === 1
    ? `${num(r.trends[0].contrast.estimate)} [${num(r.trends[0].contrast.ciLow)}, ${
      num(r.trends[0].contrast.ciHigh)
    }]`
    : num(r.estimate);
  return { stats: stats || "–", contrast };
}

function powerText(c: ClaimSensitivity): string {
  const p = c.power;
  if (!p) return "";
  const need = (r: { networks: number | null; reason?: string }) =>
    r.networks === null ? `more than searched (${r.reason ?? "no effect"})` : `${r.networks}`;
  const parts = [
    `networks per population for 80% power at a ${pct(Math.abs(p.referenceChange))} change ` +
    `(reference effect): ${need(p.reference)} (the preset has ${p.members})`,
  ];
  if (p.observedChange !== null) {
    parts.push(
      `measured change ${pct(p.observedChange)}` +
        (p.observed ? `, which needs ${need(p.observed)}` : " (not the paper's direction)"),
    );
  }
  parts.push(
    p.minimalDetectableChange === null
      ? `no change is detectable with ${p.members} networks`
      : `smallest change detectable with ${p.members} networks: ${pct(p.minimalDetectableChange)}`,
  );
  return parts.join("; ");
}

/** The blocks of the report's sensitivity section. */
function sectionBlocks(s: SensitivitySummary): Block[] {
  const blocks: Block[] = [];
  const secs = s.settings.reduce((a, x) => a + x.measuredSeconds, 0);
  const units = s.settings.reduce((a, x) => a + x.units, 0);
  blocks.push({ kind: "h", level: 2, text: "Measurement sensitivity" });
  blocks.push({
    kind: "p",
    text: `Every claim recomputed on the same trained networks under ${s.settings.length} ` +
      `measurement settings (grid \`${s.grid}\`: ${s.description}): ${units} extra units, ` +
      `${num(secs / 60)} core-minutes measured (a shared machine: compare within the run only). ` +
      "Noise replicates redraw one source (the evaluation batch, or the optimiser seed of DSA " +
      "and PIF); alternatives change one choice. The variance of each population statistic is " +
      "split into networks (Hoeffding components of its matrix, or σ²/n), evaluation batch and " +
      "optimiser (from the replicates; batch replicates redraw the optimiser too, so the " +
      "optimiser's variance is taken off); the part that resampling networks cannot see (a " +
      "shift shared by the whole population) is added to the claims' intervals in the table " +
      "above (row `base+noise` below).",
  });
  // robustness narrative
  const tested = s.claims.filter((c) => !c.byConstruction && c.stability.computed > 0);
  const robust = tested.filter((c) => c.stability.stable);
  const fragile = tested.filter((c) => !c.stability.stable);
  const base = (c: ClaimSensitivity) => c.rows.find((r) => r.setting === "base")!;
  const noisy = (c: ClaimSensitivity) => c.rows.find((r) => r.setting === "base+noise");
  const flipped = tested.filter((c) => noisy(c) && noisy(c)!.verdict !== base(c).verdict);
  blocks.push({ kind: "h", level: 3, text: "Which verdicts rest on the measurement" });
  blocks.push({
    kind: "p",
    text: `${robust.length} of ${tested.length} computed claims keep their verdict under every ` +
      `setting; ${fragile.length} change it with at least one measurement choice.` +
      (flipped.length
        ? ` Adding the measurement variance to the intervals changes ${flipped.length}: ` +
          flipped.map((c) => `${c.id} (${base(c).verdict} → ${noisy(c)!.verdict})`).join(", ") +
          "."
        : " Adding the measurement variance to the intervals changes no verdict."),
  });
  if (robust.length) {
    blocks.push({
      kind: "list",
      items: robust.map((c) => {
        const r = base(c);
        return `robust: ${c.claim} — **${r.verdict}** under all ${c.stability.computed} settings` +
          (c.noise ? ` (dominant noise: ${c.noise.dominant})` : "") +
          undecidedText(c.stability, (id) => settingLabel(s, id)) +
          (c.kind === "fixed_points"
            ? " (fixed points are found once, on the run's trajectories: only the settings " +
              "that change the networks used can move it)"
            : "");
      }),
    });
  }
  if (fragile.length) {
    blocks.push({
      kind: "list",
      items: fragile.map((c) => {
        const r = base(c);
        const diff = c.rows.filter((x) =>
          x.setting !== "base" && x.setting !== "base+noise" && x.verdict !== r.verdict &&
          !(c.stability.undecided ?? []).includes(x.setting)
        );
        return `hinges on ${c.stability.hingesOn.join(", ")}: ${c.claim} — **${r.verdict}** ` +
          `with the run's settings; ` +
          diff.map((x) => `${x.verdict} with ${settingLabel(s, x.setting)}`).join("; ") +
          (c.stability.directionStable ? " (the estimate keeps its sign)" : " (the sign moves)") +
          undecidedText(c.stability, (id) => settingLabel(s, id));
      }),
    });
  }
  const short = tested.filter((c) =>
    c.power && (c.power.reference.networks === null || c.power.reference.networks > c.power.members)
  );
  if (short.length) {
    blocks.push({
      kind: "p",
      text: `At the reference effect (a ${pct(s.referenceChange)} change of the population ` +
        `statistic from the lowest to the highest level; our copy of the paper gives directions, ` +
        `not magnitudes) ${short.length} claims need more networks per population than the ` +
        `preset has: ` +
        short.map((c) =>
          `${c.id} ${c.power!.reference.networks ?? "> search limit"} vs ${c.power!.members}`
        ).join(", ") + ".",
    });
  }
  // settings
  blocks.push({ kind: "h", level: 3, text: "Settings" });
  blocks.push({
    kind: "table",
    head: [
      "setting",
      "what",
      "role",
      "own units",
      "measured (core-s)",
      "estimate (core-s)",
      "notes",
    ],
    align: ["l", "l", "l", "r", "r", "r", "l"],
    rows: s.settings.map((x) => [
      `\`${x.id}\``,
      x.label,
      x.role,
      String(x.units),
      num(x.measuredSeconds),
      num(x.estimatedSeconds),
      Object.entries(x.notes).map(([p, n]) => `${p}: ${n.join("; ")}`).join(" · "),
    ]),
  });
  // variance split
  blocks.push({ kind: "h", level: 3, text: "Variance of each population statistic by source" });
  const vrows: string[][] = [];
  for (const [pop, metrics] of Object.entries(s.noise)) {
    for (const [m, x] of Object.entries(metrics) as [string, StoredNoiseSplit][]) {
      vrows.push([
        pop,
        m,
        num(x.statistic),
        String(x.n),
        num(x.networks),
        num(x.batch),
        num(x.optimiser),
        num(x.addOn.variance),
        `${x.dominant} (${pct(x.shares[x.dominant])})`,
      ]);
    }
  }
  blocks.push({
    kind: "table",
    head: [
      "population",
      "metric",
      "statistic",
      "networks",
      "var: networks",
      "var: batch",
      "var: optimiser",
      "shared (added)",
      "dominant",
    ],
    align: ["l", "l", "r", "r", "r", "r", "r", "r", "l"],
    rows: vrows,
  });
  // per claim
  blocks.push({ kind: "h", level: 3, text: "Each claim across the grid" });
  for (const c of s.claims) {
    if (c.stability.computed === 0) continue;
    blocks.push({
      kind: "h",
      level: 4,
      text: `${c.claim}${c.byConstruction ? " (true by construction, not counted)" : ""}`,
    });
    blocks.push({
      kind: "table",
      head: ["setting", "verdict", "population statistic [95% CI]", "estimate [95% CI]", "p", "q"],
      align: ["l", "l", "l", "l", "r", "r"],
      rows: c.rows.map((r) => {
        const cells = rowCells(r);
        return [
          settingLabel(s, r.setting),
          r.verdict,
          cells.stats,
          cells.contrast,
          num(r.p),
          num(r.q),
        ];
      }),
    });
    const st = c.stability;
    const undecided = undecidedList(st, (id) => settingLabel(s, id));
    const lines = [
      undecided ? `Insufficient data with ${undecided} (not counted as computed).` : "",
      st.stable
        ? `Stable: ${Object.keys(st.verdicts)[0]} under all ${st.computed} computed settings.`
        : `Not stable: ${
          Object.entries(st.verdicts).map(([v, n]) => `${n}× ${v}`).join(", ")
        }; changes with ${st.hingesOn.join(", ")}; noise replicates ${
          st.stableUnderNoise ? "agree" : "disagree"
        }, alternatives ${st.stableUnderAlternatives ? "agree" : "disagree"}.`,
      c.noise
        ? `Variance of the contrast: networks ${pct(c.noise.shares.networks)}, batch ${
          pct(c.noise.shares.batch)
        }, optimiser ${pct(c.noise.shares.optimiser)} (dominant: ${c.noise.dominant}).`
        : "",
      powerText(c) ? `Power: ${powerText(c)}.` : "",
    ].filter(Boolean);
    blocks.push({ kind: "p", text: lines.join(" ") });
  }
  return blocks;
}

/** The sensitivity section as Markdown. */
export function sensitivityMarkdown(s: SensitivitySummary): string {
  const cell = (x: string) => x.replace(/\|/g, "\\|");
  return sectionBlocks(s).map((b) => {
    switch (b.kind) {
      case "h":
        return `${"#".repeat(b.level)} ${b.text}\n`;
      case "p":
        return `${b.text}\n`;
      case "list":
        return b.items.map((i) => `- ${i}`).join("\n") + "\n";
      case "table":
        return [
          `| ${b.head.map(cell).join(" | ")} |`,
          `| ${b.head.map((_, i) => (b.align?.[i] === "r" ? "---:" : "---")).join(" | ")} |`,
          ...b.rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
        ].join("\n") + "\n";
    }
  }).join("\n");
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(
    /"/g,
    "&quot;",
  );
}

/** Inline Markdown of the section's text (`code`, **bold**) as HTML. */
function inline(s: string): string {
  return esc(s).replace(/`([^`]+)`/g, "<code>$1</code>").replace(/\*\*(.+?)\*\*/g, "<b>$1</b>");
}

/** The sensitivity section as HTML. */
export function sensitivityHtml(s: SensitivitySummary): string {
  return sectionBlocks(s).map((b) => {
    switch (b.kind) {
      case "h":
        return `<h${b.level}>${inline(b.text)}</h${b.level}>`;
      case "p":
        return `<p>${inline(b.text)}</p>`;
      case "list":
        return `<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join("")}</ul>`;
      case "table":
        return `<table><tr>${b.head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>\n` +
          b.rows.map((r) =>
            `<tr>${
              r.map((x, i) => `<td${b.align?.[i] === "r" ? ' class="num"' : ""}>${inline(x)}</td>`)
                .join("")
            }</tr>`
          ).join("\n") + "</table>";
    }
  }).join("\n");
}
