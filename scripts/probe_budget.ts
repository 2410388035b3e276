/**
 * Training-budget probe: trains the first K members of chosen populations of a preset with a
 * raised epoch limit and records, per member, the epoch at which it met the Appendix A
 * early-stopping rule (test loss under the threshold for `patience` epochs), its test-loss
 * history and the wall time. Because the learning-rate schedules do not depend on the epoch
 * limit and member k's seeds depend only on (seed, k), member k's history up to epoch E is
 * the one it would have had in the preset with `maxEpochs = E`: one long probe answers "how
 * many of these members converge within E epochs" for every E up to the limit.
 *
 * Run: `deno task probe:budget --preset quick --members 4 --epochs 400
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
import { getPreset, type Preset } from "./presets.ts";
import { allStudies } from "./reproduce.ts";
import { resolveVariant } from "./lib/studies.ts";
import { writeJsonAtomic } from "./lib/io.ts";
import { convergedBy } from "./lib/budget_probe.ts";
import {
  defineCli,
  f,
  InvalidValue,
  MODULE_FOLDERS,
  PRESET_NAMES,
  requireAccess,
  runCli,
  UsageError,
} from "./lib/cli.ts";
import * as M from "../mod.ts";
import { learnedThreshold, trivialBaselines } from "../tasks/baselines.ts";
import { outputLosses } from "../metrics/learning.ts";

/** The command line of `deno task probe:budget`. */
export const CLI = defineCli({
  name: "probe:budget",
  summary: "Trains the first K members of chosen populations of a preset with a raised epoch " +
    "limit and records when each met the early-stopping rule (docs/fidelity.md, 'Training " +
    "budget'); --report prints, for every probe file in --out, how many had converged by each " +
    "budget. Writes only under --out.",
  flags: {
    preset: f.choice(PRESET_NAMES, "preset whose training is probed", "quick"),
    members: f.int("K", "members probed per population (the first K)", {
      min: 1,
      max: 1000,
      defaultText: "4",
    }),
    epochs: f.int("E", "epoch limit of the probe", { min: 1, max: 100_000, defaultText: "400" }),
    only: f.string(
      "IDS",
      "study/variant ids, comma-separated (default: every delayed-discrimination-family and " +
        "sine population)",
      { allowed: "comma-separated study/variant ids of the preset" },
    ),
    out: f.path("DIR", "directory of the probe files", "runs/probes"),
    workers: f.int("N", "CPU workers (0 = in-process)", { min: 0, max: 256, defaultText: "2" }),
    "learned-ratio": f.number(
      "R",
      "lower each early-stopping threshold to R × the task's best trivial loss where stricter",
      { min: 0, minOpen: true, max: 1 },
    ),
    override: f.json(
      "JSON",
      "training fields changed in every probed population (the file name gets a __o<hash> suffix)",
      "a JSON object of training fields",
      (v) => {
        if (typeof v !== "object" || v === null || Array.isArray(v)) {
          throw new InvalidValue("not a JSON object");
        }
        return v as Record<string, unknown>;
      },
    ),
    report: f.switch("train nothing: print the converged counts of every probe file in --out"),
  },
});

/** The report table of the probe files in `dir`. */
async function report(dir: string): Promise<string> {
  const rows: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.name.endsWith(".json")) continue;
    const d = JSON.parse(await Deno.readTextFile(`${dir}/${e.name}`));
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
  return "| population | threshold | converged by the preset's budget / 100 / 200 / 300 / 400 epochs | " +
    "epochs for ≥ ¾ converged | final loss per member | wall s per member-epoch (shared CPU) |\n" +
    "|---|---:|---|---:|---|---:|\n" + rows.sort().join("\n");
}

/** The populations to probe: `only`'s ids (each must exist), else the DD-family and sine ones. */
function probeTargets(preset: Preset, only: string | undefined) {
  const all = allStudies(preset).flatMap((s) =>
    s.variants.map((v) => ({ study: s, variant: v, key: `${s.name}/${v.id}` }))
  );
  if (only === undefined) {
    return all.filter((t) =>
      t.study.family === "delayed_discrimination" || t.study.family === "sine"
    );
  }
  const wanted = only.split(",").map((x) => x.trim());
  for (const w of wanted) {
    if (!all.some((t) => t.key === w)) {
      throw new UsageError(
        "--only",
        `unknown population "${w}"`,
        `study/variant ids of preset ${preset.name}, e.g. ${all[0].key}`,
      );
    }
  }
  return all.filter((t) => wanted.includes(t.key));
}

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    const out = a.out ?? "runs/probes";
    if (a.report) {
      requireAccess({
        script: "scripts/probe_budget.ts",
        read: [{ flag: "--out", path: out }],
        write: [],
      }, Deno.args);
      console.log(await report(out));
      return;
    }
    requireAccess({
      script: "scripts/probe_budget.ts",
      read: [{ flag: "--out", path: out }, ...MODULE_FOLDERS],
      write: [{ flag: "--out", path: out }],
      other: ["--allow-sys=hostname"],
    }, Deno.args);
    const preset = getPreset(a.preset ?? "quick");
    const members = a.members ?? 4, epochs = a.epochs ?? 400, workers = a.workers ?? 2;
    const targets = probeTargets(preset, a.only);
    const override = a.override ?? {};
    const known = Object.keys(M.defaultTrainingConfig("flipflop"));
    for (const key of Object.keys(override)) {
      if (!known.includes(key)) {
        throw new UsageError(
          "--override",
          `unknown training field "${key}"`,
          `fields of the training configuration: ${known.join(", ")}`,
        );
      }
    }
    const suffix = a.override
      ? `__o${
        Array.from(JSON.stringify(a.override)).reduce(
          (h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0,
          7,
        ).toString(36)
      }`
      : "";
    // every probed configuration is built and checked once, before anything is written
    const probes = targets.map((t) => {
      const rv = resolveVariant(preset, t.study, t.variant);
      const config = { ...rv.config, ...override, maxEpochs: epochs };
      try {
        M.validateTrainingConfig(config);
      } catch (e) {
        throw new UsageError("--override", (e as Error).message, "training values in range");
      }
      return { t, rv, config };
    });
    await Deno.mkdir(out, { recursive: true });
    for (const { t, rv, config } of probes) {
      const path = `${out}/${t.study.name}__${t.variant.id}${suffix}.json`;
      try {
        await Deno.stat(path);
        console.error(`${t.key}: done already (${path})`);
        continue;
      } catch { /* not there yet */ }
      const baselines = trivialBaselines(rv.task, { trials: 1024, seed: 900_004 });
      let threshold = null;
      if (a["learned-ratio"] !== undefined) {
        threshold = learnedThreshold(config.earlyStopThreshold, baselines, a["learned-ratio"]);
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
        epochsTrained: recs.reduce((x, r) => x + r.history.testLoss.length, 0),
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
  });
}
