/**
 * Behavioural degeneracy (paper §3.2.3, Fig. 5): OOD mean squared error per network and the
 * coefficient of variation σ/μ across the population (population σ, ddof 0, unless
 * --ddof 1), as a `degeneracy.metric/1` file (`summary.cv`).
 *
 * Input, one of:
 *   --run DIR       saved networks: each runs forward on the same --trials N (200) OOD trials
 *                   `task.sample(N, --seed S (0), { ood: true })` (doubled delay for delayed
 *                   discrimination, doubled length otherwise); MSE over the task outputs
 *                   (auxiliary readouts ignored), masked; converged only unless
 *                   --include-unconverged; --task-id ID keeps one variant.
 *   --outputs FILE  user JSON `{ "ids"?: string[], "targets": number[][][], "mask"?: number[][][],
 *                   "outputs": number[][][][] }`: each network's outputs (trials × steps ×
 *                   channels) on the same OOD trials; MSE over the target channels (extra
 *                   output channels beyond the targets' are ignored), weighted by the mask.
 *   --mse FILE      user JSON `{ "ids"?: string[], "mse": number[] }` (already computed).
 *
 *   deno run --allow-read=runs/flipflop-n3,out --allow-write=out scripts/measure/ood.ts \
 *     --run runs/flipflop-n3 --out out/ood_flipflop-n3.json
 *
 * @module
 */
import { meanSquaredError } from "../../metrics/ood.ts";
import { METRIC_REGISTRY, summarizeOod } from "../lib/metrics.ts";
import { defineCli, f, runCli } from "../lib/cli.ts";
import {
  exactlyOne,
  idsField,
  InputError,
  loadRunDirectory,
  measureAccess,
  measureProvenance,
  type MetricFile,
  metricFile,
  OUT_FLAG,
  readJson,
  requireOut,
  RUN_FLAGS,
  trialsField,
  writeJsonAtomic,
} from "./common.ts";
import { networkTask, runForward } from "./forward.ts";

async function fromRun(
  dir: string,
  a: { trials?: number; seed?: number; "include-unconverged"?: boolean; "task-id"?: string },
): Promise<{
  ids: string[];
  mse: number[];
  source: Record<string, unknown>;
  population?: MetricFile["population"];
  networksDigest?: string;
}> {
  const trials = a.trials ?? 200;
  const seed = a.seed ?? 0;
  const run = await loadRunDirectory(dir, {
    includeUnconverged: a["include-unconverged"],
    taskId: a["task-id"],
  });
  const mse = run.networks.map((net) =>
    METRIC_REGISTRY.ood.compute(networkTask(net), (batch) => {
      const { outputs, shape } = runForward(net, batch);
      return { outputs, outDim: shape.outputDim };
    }, { trials, seed }).value
  );
  return {
    ids: run.networks.map((n) => n.id),
    mse,
    population: run.population,
    networksDigest: run.networksDigest,
    source: {
      run: dir,
      trials,
      seed,
      ood: true,
      excluded: run.excluded,
      skippedFiles: run.skippedFiles,
    },
  };
}

async function fromOutputs(f: string): Promise<{ ids: string[]; mse: number[] }> {
  const raw = await readJson(f) as Record<string, unknown>;
  if (raw === null || typeof raw !== "object") throw new InputError(`${f}: must be a JSON object`);
  const targets = trialsField(raw.targets, f, "targets");
  const [B, T, O] = [targets.length, targets[0].length, targets[0][0].length];
  const mask = raw.mask === undefined || raw.mask === null
    ? null
    : trialsField(raw.mask, f, "mask");
  if (mask && (mask.length !== B || mask[0].length !== T || mask[0][0].length !== O)) {
    throw new InputError(`${f}: mask must have the shape of targets (${B}×${T}×${O})`);
  }
  if (!Array.isArray(raw.outputs) || raw.outputs.length === 0) {
    throw new InputError(
      `${f}: outputs must be a non-empty array (networks × trials × steps × channels)`,
    );
  }
  const flatT = targets.flat(2);
  const flatM = mask ? mask.flat(2) : null;
  const mse = raw.outputs.map((o, k) => {
    const y = trialsField(o, f, `outputs[${k}]`);
    if (y.length !== B || y[0].length !== T || y[0][0].length < O) {
      throw new InputError(`${f}: outputs[${k}] must be ${B}×${T}×(≥ ${O}) like targets`);
    }
    const sel = y.flatMap((tr) => tr.flatMap((row) => row.slice(0, O)));
    return meanSquaredError(sel, flatT, flatM);
  });
  return { ids: idsField(raw.ids, mse.length, f), mse };
}

async function fromMse(f: string): Promise<{ ids: string[]; mse: number[] }> {
  const raw = await readJson(f) as Record<string, unknown>;
  if (raw === null || typeof raw !== "object" || !Array.isArray(raw.mse) || raw.mse.length === 0) {
    throw new InputError(`${f}: mse must be a non-empty array of numbers`);
  }
  raw.mse.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new InputError(`${f}: mse[${i}] must be a finite number ≥ 0, got ${v}`);
    }
  });
  return { ids: idsField(raw.ids, raw.mse.length, f), mse: raw.mse as number[] };
}

/** The command line of `deno task measure:ood`. */
export const CLI = defineCli({
  name: "measure:ood",
  summary: "Out-of-distribution MSE per network and its coefficient of variation across " +
    "networks (§3.2.3, Fig. 5), as a degeneracy.metric/2 file (summary.cv).",
  flags: {
    ...RUN_FLAGS,
    outputs: f.path("FILE", 'user outputs: { "ids"?, "targets", "mask"?, "outputs" }'),
    mse: f.path("FILE", 'already computed MSEs: { "ids"?, "mse": number[] }'),
    trials: f.int("N", "OOD trials per network (with --run)", {
      min: 1,
      max: 1_000_000,
      defaultText: "200",
    }),
    seed: f.int("S", "data seed of the OOD trials (with --run)", { defaultText: "0" }),
    ...OUT_FLAG,
    ddof: f.int("D", "delta degrees of freedom of σ in the CV", {
      min: 0,
      max: 1,
      defaultText: "0",
    }),
  },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    exactlyOne({ run: a.run, outputs: a.outputs, mse: a.mse });
    const out = requireOut(a.out);
    measureAccess(
      "scripts/measure/ood.ts",
      [["--run", a.run], ["--outputs", a.outputs], ["--mse", a.mse]],
      out,
      Deno.args,
    );
    const ddof = a.ddof ?? 0;
    const { ids, mse, source, population, networksDigest } = a.run !== undefined
      ? await fromRun(a.run, a)
      : a.outputs !== undefined
      ? { ...(await fromOutputs(a.outputs)), source: { outputs: a.outputs } }
      : { ...(await fromMse(a.mse!)), source: { mse: a.mse } };
    const summary = summarizeOod(mse, ddof);
    const provenance = networksDigest === undefined ? undefined : await measureProvenance(
      "ood",
      networksDigest,
      {
        oodTrials: a.trials ?? 200,
        oodSeed: a.seed ?? 0,
        includeUnconverged: a["include-unconverged"],
        population,
      },
    );
    await writeJsonAtomic(
      out,
      metricFile({
        metric: "ood",
        ...(population ? { population } : {}),
        parameters: { ddof, cv: "σ/μ of the per-network OOD MSE" },
        ids,
        values: mse,
        summary,
        checks: null,
        source,
        ...(provenance ? { provenance } : {}),
      }),
    );
    console.log(`ood: ${ids.length} networks, CV = ${summary.cv} → ${out}`);
  });
}
