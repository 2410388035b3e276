/**
 * Report sections that say what the numbers mean (docs/fidelity.md): whether the networks that
 * "converged" learned their task (losses on fresh trials against the trivial baselines), and the
 * paper's complexity statements under both readings of the measure. Pure: data in, rows out.
 */
import { type ComplexityPoint, complexityStatements } from "../../metrics/complexity_claims.ts";
import type { MetricFile } from "../lib/formats.ts";
import type { VariantData } from "./claims.ts";

/** What a population's `learning` metric file says, for the report. */
export interface LearningSummary {
  /** Early-stopping threshold the networks were trained with. */
  threshold: number | null;
  /** Best trivial predictor of the main output and its loss. */
  trivialName: string | null;
  trivialLoss: number | null;
  /** Bound on the auxiliary loss (null without auxiliary output). */
  auxBound: number | null;
  /** Non-diverged networks evaluated, converged in training, learned. */
  evaluated: number;
  converged: number;
  learned: number;
  /** Median main loss / best trivial loss over the evaluated networks. */
  medianRatio: number | null;
  /** Largest ratio among learned networks. */
  maxLearnedRatio: number | null;
  /** Reasons networks converged in training were not counted as learned. */
  reasons: string[];
}

function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

/** Summary of a `learning` metric file (null when absent). */
export function learningSummary(f: MetricFile | null): LearningSummary | null {
  if (!f || !f.values) return null;
  const p = f.parameters as {
    earlyStopThreshold?: number;
    auxBound?: number | null;
    baselines?: { best?: { name: string; mse: number } };
  };
  const extra = (f.extra ?? {}) as {
    status?: string[];
    learned?: (boolean | null)[];
    reason?: (string | null)[];
  };
  const status = extra.status ?? [];
  const learned = extra.learned ?? [];
  const ratios = f.values;
  const learnedRatios = ratios.filter((_, i) => learned[i] === true);
  const reasons = (extra.reason ?? []).filter((r, i) => status[i] === "converged" && r) as string[];
  return {
    threshold: p.earlyStopThreshold ?? null,
    trivialName: p.baselines?.best?.name ?? null,
    trivialLoss: p.baselines?.best?.mse ?? null,
    auxBound: p.auxBound ?? null,
    evaluated: ratios.length,
    converged: status.filter((s) => s === "converged").length,
    learned: learnedRatios.length,
    medianRatio: median(ratios),
    maxLearnedRatio: learnedRatios.length ? Math.max(...learnedRatios) : null,
    reasons,
  };
}

const num = (x: number | null | undefined, d = 3) =>
  x === null || x === undefined || !Number.isFinite(x)
    ? "–"
    : Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-3)
    ? x.toExponential(2)
    : x.toFixed(d);

/** Column headers of the learning table. */
export const LEARNING_COLUMNS = [
  "study",
  "variant",
  "threshold",
  "best trivial predictor (loss)",
  "networks evaluated",
  "converged in training",
  "learned",
  "median loss / trivial",
  "largest loss / trivial among learned",
  "why converged ones were not counted",
];

/** Rows (plain text cells) of the learning table, one per population with a learning file. */
export function learningRows(
  rows: Array<{ study: string; label: string; learning: LearningSummary | null }>,
): string[][] {
  return rows.filter((r) => r.learning).map((r) => {
    const l = r.learning!;
    const why = [...new Set(l.reasons.map((x) => x.replace(/[0-9.e+-]+/g, "…")))];
    return [
      r.study,
      r.label,
      num(l.threshold, 4),
      l.trivialName ? `${l.trivialName} (${num(l.trivialLoss)})` : "–",
      String(l.evaluated),
      String(l.converged),
      String(l.learned),
      num(l.medianRatio),
      num(l.maxLearnedRatio),
      why.length ? `${l.reasons.length}: ${why.join("; ")}` : "–",
    ];
  });
}

/** The rule the learning table applies, in words. */
export const LEARNING_RULE = "A network counts as converged for the statistics only when its " +
  "training ended converged (the early-stopping threshold shown, which is Appendix A's capped at a " +
  "tenth of the best trivial loss), its main loss on 512 fresh trials is below that of the best " +
  "trivial predictor (predict 0, the constant mean, hold the start position, answer from f2 " +
  "alone), and, with the auxiliary loss, its auxiliary loss is at most a tenth of the auxiliary " +
  "trivial loss. The ratio columns give each network's fresh main loss as a share of the best " +
  "trivial loss (below 1: it beats it).";

function pick(
  variants: VariantData[],
  study: string,
  level: number,
  reading: "per-trial" | "time-averaged",
): ComplexityPoint | null {
  const v = variants.find((x) => x.study === study && x.level === level);
  if (!v?.complexity) return null;
  return reading === "per-trial" ? v.complexity : v.complexity.timeAveraged ?? null;
}

function series(
  variants: VariantData[],
  study: string,
  reading: "per-trial" | "time-averaged",
): Array<{ level: number } & ComplexityPoint> {
  return variants.filter((v) => v.study === study).flatMap((v) => {
    const c = pick(variants, study, v.level, reading);
    return c ? [{ level: v.level, ...c }] : [];
  });
}

/**
 * The paper's complexity statements (metrics/complexity_claims.ts) on the run's measured
 * complexities, under each reading: one row per statement with the verdict per reading, or null
 * when the base variants (flip-flop N = 1, delayed discrimination N = 1, sine N = 1 of the
 * `sine_n` study, 2D path integration) are missing.
 */
export function complexityStatementRows(variants: VariantData[]): string[][] | null {
  const out = new Map<string, string[]>();
  for (const reading of ["per-trial", "time-averaged"] as const) {
    const base = {
      flipflop: pick(variants, "flipflop", 1, reading),
      delayed_discrimination: pick(variants, "delayed_discrimination", 1, reading),
      sine: pick(variants, "sine_n", 1, reading),
      path_integration: pick(variants, "path_integration", 2, reading),
    };
    if (Object.values(base).some((b) => b === null)) return null;
    const st = complexityStatements({
      base: base as Record<keyof typeof base, ComplexityPoint>,
      nFreq: series(variants, "sine_freq", reading),
      channels: {
        flipflop: series(variants, "flipflop", reading),
        delayed_discrimination: series(variants, "delayed_discrimination", reading),
        sine: series(variants, "sine_n", reading),
      },
    });
    for (const s of st) {
      const row = out.get(s.id) ??
        [s.paper, s.check, "", "", s.byConstruction ? "yes" : "no"];
      const v = s.holds === null ? "undecided" : s.holds ? "holds" : "fails";
      row[reading === "per-trial" ? 2 : 3] = `${v} (${s.detail})`;
      out.set(s.id, row);
    }
  }
  return [...out.values()];
}

/** Column headers of the complexity-statement table. */
export const STATEMENT_COLUMNS = [
  "paper",
  "our check",
  "per trial (§3.1)",
  "time-averaged (Fig. 2)",
  "true by construction",
];
