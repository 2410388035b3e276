/**
 * The main job: reproduces the paper end to end into one run directory — task complexity of
 * every variant, training of every population (experiments and controls), every metric
 * (§3.1–3.3, Appendix B), the figures and the report with its claims table. Resumable: after a
 * kill at any point, rerunning skips every finished network and metric file.
 *
 * Run: `deno task reproduce [--preset smoke|quick|paper] [--out DIR] [--members K]
 * [--backend auto|cpu|webgpu] [--only study,study] [--quiet]`.
 */
import { parseArgs } from "node:util";
import { getPreset, type Preset, STUDIES } from "./presets.ts";
import type { StudyPlan } from "./lib/plan.ts";
import { runStudies } from "./lib/study.ts";
import { releaseWebGpu } from "./lib/engine.ts";
import { fmtDuration, Progress } from "./lib/progress.ts";
import { writeReport } from "./report.ts";
import * as flipflop from "./experiments/flipflop.ts";
import * as dd from "./experiments/delayed_discrimination.ts";
import * as sine from "./experiments/sine.ts";
import * as pi from "./experiments/path_integration.ts";
import * as aux from "./control/aux_loss.ts";
import * as size from "./control/network_size.ts";
import * as lowRank from "./control/low_rank.ts";
import * as sparsity from "./control/sparsity.ts";

/** Every study of the paper for `preset`, experiments first. */
export function allStudies(preset: Preset): StudyPlan[] {
  return [
    ...flipflop.plan(preset),
    ...dd.plan(preset),
    ...sine.plan(preset),
    ...pi.plan(preset),
    ...aux.plan(preset),
    ...size.plan(preset),
    ...lowRank.plan(preset),
    ...sparsity.plan(preset),
  ];
}

/** Options of {@link reproduce}. */
export interface ReproduceOptions {
  preset: string;
  out: string;
  members?: number;
  backend: string;
  quiet: boolean;
  /** Restrict to these studies (default all). */
  only?: string[];
}

/** Runs the whole pipeline and the report; returns the wall time in seconds. */
export async function reproduce(o: ReproduceOptions): Promise<number> {
  const t0 = performance.now();
  const preset = getPreset(o.preset, { members: o.members });
  let studies = allStudies(preset);
  if (o.only) {
    for (const s of o.only) {
      if (!(STUDIES as readonly string[]).includes(s)) {
        throw new Error(`--only: unknown study "${s}"; allowed: ${STUDIES.join(", ")}`);
      }
    }
    studies = studies.filter((s) => o.only!.includes(s.name));
  }
  const progress = new Progress("reproduce", 0, { quiet: o.quiet, intervalMs: 5000 });
  progress.log(
    `preset ${preset.name}: ${studies.length} studies, ` +
      `${
        studies.reduce((a, s) => a + s.variants.length, 0)
      } populations × ${preset.members} networks → ${o.out}`,
  );
  const failures = await runStudies(
    { out: o.out, backend: o.backend, quiet: o.quiet, progress },
    preset,
    studies,
  );
  await writeReport(o.out, { quiet: o.quiet });
  const sec = (performance.now() - t0) / 1000;
  progress.log(`done in ${fmtDuration(sec)}`);
  if (failures.length) {
    console.error(
      `[reproduce] ${failures.length} metric(s) failed; the report lists them; rerun to retry:\n` +
        failures.map((f) => `  ${f.study}/${f.variant}/${f.metric}: ${f.message}`).join("\n"),
    );
    Deno.exitCode = 2;
  }
  return sec;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      preset: { type: "string", default: "quick" },
      out: { type: "string" },
      members: { type: "string" },
      backend: { type: "string", default: "auto" },
      only: { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(
      "usage: reproduce.ts [--preset smoke|quick|paper] [--out DIR] [--members K] " +
        "[--backend auto|cpu|webgpu] [--only study,study] [--quiet]\n" +
        `studies: ${STUDIES.join(", ")}`,
    );
  } else {
    let members: number | undefined;
    if (values.members !== undefined) {
      members = Number(values.members);
      if (!Number.isInteger(members) || members < 1) {
        throw new Error(`--members must be an integer >= 1, got "${values.members}"`);
      }
    }
    try {
      await reproduce({
        preset: values.preset!,
        out: values.out ?? `runs/${values.preset}`,
        members,
        backend: values.backend!,
        quiet: values.quiet!,
        only: values.only?.split(",").map((s) => s.trim()),
      });
    } finally {
      // Destroy the GPU device (when one was used) before the process exits.
      await releaseWebGpu();
    }
  }
}
