/**
 * Training-budget probe: trains the first K members of chosen populations of a preset with a
 * raised epoch limit and records, per member, the epoch at which it met the Appendix A
 * early-stopping rule (test loss under the threshold for `patience` epochs), its test-loss
 * history and the wall time. Because the learning-rate schedules do not depend on the epoch
 * limit and member k's seeds depend only on (seed, k), member k's history up to epoch E is
 * the one it would have had in the preset with `maxEpochs = E`: one long probe answers "how
 * many of these members converge within E epochs" for every E up to the limit.
 *
 * Run: `deno run -A scripts/probe_budget.ts --preset quick --members 4 --epochs 400
 *   --only delayed_discrimination/n1,sine_freq/f4 --out runs/probes`
 * (`--only` takes study/variant ids; default: every delayed-discrimination-family and sine
 * population). `--learned-ratio R` lowers each early-stopping threshold to R × the task's best
 * trivial baseline where that is stricter (tasks/baselines.ts `learnedThreshold`). Records
 * each member's final main and auxiliary loss on 512 fresh trials beside the trivial
 * baselines. Writes `OUT/<study>__<variant>.json` atomically and skips finished files.
 * `--override '{"hidden":128}'` changes training fields of every probed population (the file
 * name gets a `__o<hash>` suffix). `--report` trains nothing: it prints, for every probe file in
 * OUT, how many members had converged by each budget ("≥ k" for a budget beyond the probed epochs
 * while some member had not converged) and the smallest budget at which at least three quarters
 * had.
 */
import { parseArgs } from "node:util";
import { getPreset } from "./presets.ts";
import { allStudies } from "./reproduce.ts";
import { resolveVariant } from "./lib/studies.ts";
import { writeJsonAtomic } from "./lib/io.ts";
import { convergedBy } from "./lib/budget_probe.ts";
import * as M from "../mod.ts";
import { learnedThreshold, trivialBaselines } from "../tasks/baselines.ts";
import { outputLosses } from "../metrics/learning.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    preset: { type: "string", default: "quick" },
    members: { type: "string", default: "4" },
    epochs: { type: "string", default: "400" },
    only: { type: "string" },
    out: { type: "string", default: "runs/probes" },
    workers: { type: "string", default: "2" },
    "learned-ratio": { type: "string" },
    report: { type: "boolean", default: false },
    override: { type: "string" },
  },
});

function fail(msg: string): never {
  console.error(`probe_budget: ${msg}`);
  Deno.exit(2);
}

if (values.report) {
  const rows: string[] = [];
  for await (const e of Deno.readDir(values.out!)) {
    if (!e.name.endsWith(".json")) continue;
    const d = JSON.parse(await Deno.readTextFile(`${values.out}/${e.name}`));
    if (d.schema !== "degeneracy.budget-probe/1") continue;
    const k = d.members.length;
    const at = (E: number) => convergedBy(d.members, E, d.config.maxEpochs);
    const need = Math.ceil(0.75 * k);
    const stops = d.members.filter((m: { status: string }) => m.status === "converged")
      .map((m: { stopEpoch: number }) => m.stopEpoch).sort((a: number, b: number) => a - b);
    const budget = stops.length >= need ? stops[need - 1] : null;
    const losses = d.members.map((m: { evalMainLoss?: number; finalTestLoss: number }) =>
      (m.evalMainLoss ?? m.finalTestLoss).toPrecision(2)
    ).join(", ");
    rows.push(
      `| ${d.study}/${d.variant}${
        e.name.includes("__o")
          ? ` (hidden ${d.config.hidden}, batch ${d.config.batchSize}, ${d.config.stepsPerEpoch} steps/epoch, lr ${d.config.lr})`
          : ""
      } | ${d.config.earlyStopThreshold.toPrecision(3)} | ` +
        `${[d.presetMaxEpochs, 100, 200, 300, 400].map(at).join(" / ")} of ${k} | ` +
        `${budget ?? `> ${d.config.maxEpochs}`} | ${losses} | ` +
        `${(d.wallSeconds / d.epochsTrained).toFixed(3)} |`,
    );
  }
  console.log(
    "| population | threshold | converged by the preset's budget / 100 / 200 / 300 / 400 epochs | " +
      "epochs for ≥ ¾ converged | final loss per member | wall s per member-epoch (shared CPU) |\n" +
      "|---|---:|---|---:|---|---:|\n" + rows.sort().join("\n"),
  );
  Deno.exit(0);
}

const members = Number(values.members);
const epochs = Number(values.epochs);
const workers = Number(values.workers);
if (!Number.isInteger(members) || members < 1) fail("--members must be an integer ≥ 1");
if (!Number.isInteger(epochs) || epochs < 1) fail("--epochs must be an integer ≥ 1");
if (!Number.isInteger(workers) || workers < 0) fail("--workers must be an integer ≥ 0");
let preset;
try {
  preset = getPreset(values.preset!);
} catch (e) {
  fail((e as Error).message);
}
const wanted = values.only?.split(",").map((s) => s.trim()).filter(Boolean);
const targets = allStudies(preset).flatMap((s) =>
  s.variants.map((v) => ({ study: s, variant: v, key: `${s.name}/${v.id}` }))
).filter((t) =>
  wanted
    ? wanted.includes(t.key)
    : t.study.family === "delayed_discrimination" || t.study.family === "sine"
);
if (wanted) {
  for (const w of wanted) if (!targets.some((t) => t.key === w)) fail(`--only: unknown ${w}`);
}
let override: Record<string, unknown> = {};
if (values.override) {
  try {
    override = JSON.parse(values.override);
  } catch {
    fail("--override must be a JSON object of training fields");
  }
}
const suffix = values.override
  ? `__o${
    Array.from(values.override).reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7)
      .toString(36)
  }`
  : "";
await Deno.mkdir(values.out!, { recursive: true });
for (const t of targets) {
  const path = `${values.out}/${t.study.name}__${t.variant.id}${suffix}.json`;
  try {
    await Deno.stat(path);
    console.error(`${t.key}: done already (${path})`);
    continue;
  } catch { /* not there yet */ }
  const rv = resolveVariant(preset, t.study, t.variant);
  const config = { ...rv.config, ...override, maxEpochs: epochs };
  const baselines = trivialBaselines(rv.task, { trials: 1024, seed: 900_004 });
  let threshold = null;
  if (values["learned-ratio"] !== undefined) {
    const r = Number(values["learned-ratio"]);
    if (!(r > 0 && r <= 1)) fail("--learned-ratio must be in (0, 1]");
    threshold = learnedThreshold(config.earlyStopThreshold, baselines, r);
    config.earlyStopThreshold = threshold.threshold;
  }
  const t0 = performance.now();
  const recs = await M.trainPopulation(rv.task, config, {
    seeds: Array.from(
      { length: members },
      (_, k) => M.memberSeeds(preset.seed, k, config.sharedData),
    ),
    backend: "cpu",
    workers,
    onProgress: M.progressPrinter({ label: t.key }),
  });
  const wall = (performance.now() - t0) / 1000;
  const evalBatch = rv.task.sample(512, 900_001);
  const losses = recs.map((r) =>
    outputLosses(M.runNetwork(r, null, evalBatch).outputs, evalBatch, r.shape.auxDim)
  );
  const result = {
    schema: "degeneracy.budget-probe/1",
    study: t.study.name,
    variant: t.variant.id,
    taskId: rv.task.id,
    preset: preset.name,
    presetMaxEpochs: rv.config.maxEpochs,
    config,
    threshold,
    baselines,
    wallSeconds: wall,
    epochsTrained: recs.reduce((a, r) => a + r.history.testLoss.length, 0),
    members: recs.map((r, i) => ({
      member: r.member,
      status: r.status,
      stopEpoch: r.stopEpoch,
      finalTestLoss: r.history.testLoss[r.history.testLoss.length - 1],
      evalMainLoss: losses[i].main,
      evalAuxLoss: losses[i].aux,
      testLoss: r.history.testLoss,
    })),
  };
  await writeJsonAtomic(path, result);
  console.error(
    `${t.key}: ${recs.filter((r) => r.status === "converged").length}/${members} converged, ` +
      `stop epochs ${recs.map((r) => r.stopEpoch).join(",")}, ${wall.toFixed(0)} s wall`,
  );
}
