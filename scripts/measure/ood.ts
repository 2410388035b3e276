/**
 * Behavioural degeneracy (paper §3.2.3, Fig. 5): OOD mean squared error per network and the
 * coefficient of variation σ/μ across the population (population σ, ddof 0, unless
 * --ddof 1), as a `degeneracy.metric/1` file (`summary.cv`).
 *
 * Input, one of:
 *   --outputs FILE  user JSON `{ "ids"?: string[], "targets": number[][][], "mask"?: number[][][],
 *                   "outputs": number[][][][] }`: each network's outputs (trials × steps ×
 *                   channels) on the same OOD trials; MSE over the target channels (extra
 *                   output channels beyond the targets' are ignored), weighted by the mask.
 *   --mse FILE      user JSON `{ "ids"?: string[], "mse": number[] }` (already computed).
 * (Trained networks: run them on `task.sample(trials, seed, { ood: true })` with the engine's
 * forward pass, or call `oodMse` from mod.ts.)
 *
 *   deno run --allow-read=out --allow-write=out scripts/measure/ood.ts \
 *     --outputs out/ood_outputs.json --out out/ood.json
 *
 * @module
 */
import { parseArgs } from "node:util";
import { coefficientOfVariation, meanSquaredError } from "../../metrics/ood.ts";
import {
  idsField,
  InputError,
  metricFile,
  numberOption,
  readJson,
  runScript,
  summarize,
  trialsField,
  writeJsonAtomic,
} from "./common.ts";

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

if (import.meta.main) {
  await runScript(async () => {
    const { values: a } = parseArgs({
      options: {
        outputs: { type: "string" },
        mse: { type: "string" },
        out: { type: "string" },
        ddof: { type: "string" },
      },
    });
    if (!a.out) throw new InputError("--out FILE is required");
    if ((a.outputs === undefined) === (a.mse === undefined)) {
      throw new InputError("give exactly one of --outputs FILE or --mse FILE");
    }
    const ddof = numberOption(a.ddof, "ddof", 0, (x) => x === 0 || x === 1, "0 or 1");
    const src = a.outputs ?? a.mse!;
    const { ids, mse } = a.outputs ? await fromOutputs(a.outputs) : await fromMse(a.mse!);
    const cv = mse.length >= ddof + 1 && mse.some((v) => v !== 0)
      ? coefficientOfVariation(mse, { ddof })
      : null;
    await writeJsonAtomic(
      a.out,
      metricFile({
        metric: "ood_mse",
        parameters: { ddof, cv: "σ/μ of the per-network OOD MSE" },
        ids,
        values: mse,
        summary: { ...summarize(mse), cv },
        selfChecks: null,
        source: a.outputs ? { outputs: src } : { mse: src },
      }),
    );
    console.log(`ood: ${ids.length} networks, CV = ${cv} → ${a.out}`);
  });
}
