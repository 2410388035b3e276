/**
 * Fixed points, slow points and line / plane attractors of each network under a constant input
 * (`findFixedPoints`, metrics/fixed_points/), as a `degeneracy.metric/1` file: `values` holds
 * each network's number of stable fixed points; `extra.networks` holds, per network, the
 * counts by stability, the fixed and slow points (state, speed, kind, unstable directions,
 * the `--eigenvalues K` (4) leading Jacobian eigenvalues), the continua (dimension, extents)
 * and `lineAttractorLength` (the longest extent of a continuum of dimension 1; 0 when none).
 *
 * Input, one of:
 *   --run DIR   saved networks (converged only unless --include-unconverged; --task-id ID keeps
 *               one variant); the map is h ↦ tanh(W_h h + b + W_x x*) with x* = --input JSON
 *               (default all zeros: the resting input of flip-flop and of the delay period of
 *               delayed discrimination); starts are drawn from the network's hidden states on
 *               --trials N (32) trials of its task drawn with data seed --data-seed S (0).
 *   --nets FILE user JSON `{ "ids"?: string[], "networks": [{ "wh": number[][], "b": number[],
 *               "starts"?: number[][] }] }` (`b` the effective bias; without `starts`, starts
 *               are uniform in (−1, 1)^H).
 * Finder options: --starts N (256), --noise S (0.05), --midpoints N (256), --slow-tol T (1e-3),
 * --marginal-tol T (0.05), --continuum-tol T (1e-2), --seed S (0), --no-continua.
 *
 *   deno run --allow-read=runs --allow-write=runs scripts/measure/fixed_points.ts \
 *     --run runs/ff/flipflop/n3 --out runs/ff/metrics/fixed_points_n3.json
 *
 * @module
 */
import { parseArgs } from "node:util";
import { findFixedPoints } from "../../metrics/fixed_points/finder.ts";
import { fixedPointNet } from "../../metrics/fixed_points/network.ts";
import { summarizeFixedPoints } from "../../metrics/fixed_points/summary.ts";
import type {
  FixedPointNet,
  FixedPointOptions,
  FixedPointResult,
} from "../../metrics/fixed_points/types.ts";
import type { NetworkRecord } from "../../rnn/types.ts";
import {
  idsField,
  InputError,
  integerOption,
  loadRunDirectory,
  matrixField,
  metricFile,
  numberOption,
  readJson,
  runScript,
  summarize,
  writeJsonAtomic,
} from "./common.ts";
import { networkShape, networkTrajectories } from "./forward.ts";

/** One network to analyse. */
interface Job {
  id: string;
  net: FixedPointNet;
  starts?: number[][];
  file: string;
}

/** The finder options that affect the numbers (all resolved options but the start count given). */
function finderParameters(r: FixedPointResult): Record<string, unknown> {
  const out: Record<string, unknown> = { ...r.options };
  delete out.startsGiven;
  return out;
}

function parseInput(text: string | undefined, dim: number, file: string): number[] {
  if (text === undefined) return new Array(dim).fill(0);
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch {
    throw new InputError(`--input must be a JSON array of numbers, got ${text}`);
  }
  if (!Array.isArray(x) || x.length !== dim || !x.every((v) => Number.isFinite(v))) {
    throw new InputError(`--input must be a JSON array of ${dim} numbers (inputDim of ${file})`);
  }
  return x as number[];
}

async function loadNetsFile(path: string): Promise<Job[]> {
  const raw = await readJson(path);
  const obj = raw as { ids?: unknown; networks?: unknown };
  if (
    obj === null || typeof obj !== "object" || !Array.isArray(obj.networks) || !obj.networks.length
  ) {
    throw new InputError(`${path}: networks must be a non-empty array of { wh, b, starts? }`);
  }
  const ids = idsField(obj.ids, obj.networks.length, path);
  return obj.networks.map((n: unknown, k: number) => {
    const e = n as { wh?: unknown; b?: unknown; starts?: unknown };
    if (e === null || typeof e !== "object") {
      throw new InputError(`${path}: networks[${k}] must be an object { wh, b, starts? }`);
    }
    const wh = matrixField(e.wh, path, `networks[${k}].wh`, true);
    if (!Array.isArray(e.b) || e.b.length !== wh.length || !e.b.every(Number.isFinite)) {
      throw new InputError(`${path}: networks[${k}].b must be an array of ${wh.length} numbers`);
    }
    const starts = e.starts === undefined
      ? undefined
      : matrixField(e.starts, path, `networks[${k}].starts`);
    if (starts && starts[0].length !== wh.length) {
      throw new InputError(`${path}: networks[${k}].starts rows must have ${wh.length} numbers`);
    }
    return { id: ids[k], net: { wh, b: e.b as number[] }, starts, file: path };
  });
}

if (import.meta.main) {
  await runScript(async () => {
    const { values: a } = parseArgs({
      options: {
        run: { type: "string" },
        nets: { type: "string" },
        out: { type: "string" },
        input: { type: "string" },
        trials: { type: "string" },
        "data-seed": { type: "string" },
        "include-unconverged": { type: "boolean", default: false },
        "task-id": { type: "string" },
        starts: { type: "string" },
        noise: { type: "string" },
        midpoints: { type: "string" },
        "slow-tol": { type: "string" },
        "marginal-tol": { type: "string" },
        "continuum-tol": { type: "string" },
        seed: { type: "string" },
        eigenvalues: { type: "string" },
        "no-continua": { type: "boolean", default: false },
      },
    });
    if (!a.out) throw new InputError("--out FILE is required");
    if ((a.run === undefined) === (a.nets === undefined)) {
      throw new InputError("give exactly one of --run DIR or --nets FILE");
    }
    const finder: FixedPointOptions = {
      numStarts: integerOption(a.starts, "starts", 256, 1),
      noise: numberOption(a.noise, "noise", 0.05, (x) => x >= 0, "a number ≥ 0"),
      midpoints: integerOption(a.midpoints, "midpoints", 256, 0),
      slowTol: numberOption(a["slow-tol"], "slow-tol", 1e-3, (x) => x > 0, "a number > 0"),
      marginalTol: numberOption(
        a["marginal-tol"],
        "marginal-tol",
        0.05,
        (x) => x > 0 && x < 1,
        "a number in (0, 1)",
      ),
      continuumTol: numberOption(
        a["continuum-tol"],
        "continuum-tol",
        1e-2,
        (x) => x > 0,
        "a number > 0",
      ),
      seed: numberOption(a.seed, "seed", 0, Number.isInteger, "an integer"),
      continua: !a["no-continua"],
    };
    const eigenvalues = integerOption(a.eigenvalues, "eigenvalues", 4, 0);
    let jobs: Job[];
    let source: Record<string, unknown>;
    let input: number[] | null = null;
    if (a.nets !== undefined) {
      jobs = await loadNetsFile(a.nets);
      source = { nets: a.nets };
    } else {
      const trials = integerOption(a.trials, "trials", 32, 1);
      const dataSeed = numberOption(a["data-seed"], "data-seed", 0, Number.isInteger, "an integer");
      const run = await loadRunDirectory(a.run!, {
        includeUnconverged: a["include-unconverged"],
        taskId: a["task-id"],
      });
      if (run.networks.length === 0) throw new InputError(`${a.run}: no networks to measure`);
      const traj = networkTrajectories(run.networks, { trials, seed: dataSeed });
      jobs = run.networks.map((n, k) => {
        const shape = networkShape(n);
        input = parseInput(a.input, shape.inputDim, n.file);
        let net: FixedPointNet;
        try {
          net = fixedPointNet(n.record as unknown as NetworkRecord, input);
        } catch (e) {
          throw new InputError(`${n.file}: ${e instanceof Error ? e.message : e}`);
        }
        const t = traj[k], H = t.units, starts: number[][] = [];
        for (let i = 0; i < t.data.length; i += H) {
          starts.push(Array.from(t.data.subarray(i, i + H)));
        }
        return { id: n.id, net, starts, file: n.file };
      });
      source = {
        run: a.run,
        forward: "tsKernel.forward on task.sample(trials, dataSeed)",
        trials,
        dataSeed,
        excluded: run.excluded,
        skippedFiles: run.skippedFiles,
      };
    }
    const results = jobs.map((j) => {
      try {
        return findFixedPoints(j.net, { ...finder, starts: j.starts });
      } catch (e) {
        throw new InputError(`${j.file}: ${j.id}: ${e instanceof Error ? e.message : e}`);
      }
    });
    const networks = Object.fromEntries(
      jobs.map((j, k) => [j.id, summarizeFixedPoints(results[k], eigenvalues)]),
    );
    const values = results.map((r) => r.fixedPoints.filter((p) => p.stable).length);
    const counts = (f: (s: ReturnType<typeof summarizeFixedPoints>) => number) =>
      summarize(jobs.map((j) => f(networks[j.id])));
    await writeJsonAtomic(
      a.out,
      metricFile({
        metric: "fixed_points",
        parameters: {
          value: "number of stable fixed points of h ↦ tanh(W_h h + b + W_x x*)",
          input: input ?? "effective bias given per network",
          ...finderParameters(results[0]),
        },
        ids: jobs.map((j) => j.id),
        values,
        summary: {
          stable: summarize(values),
          fixedPoints: counts((s) => s.fixedPoints),
          slowPoints: counts((s) => s.slowPoints),
          lineAttractorLength: counts((s) => s.lineAttractorLength),
          withContinuum: jobs.filter((j) => networks[j.id].continua.length > 0).length,
        },
        checks: null,
        source,
        extra: { networks },
      }),
    );
    console.log(`fixed_points: ${jobs.length} networks → ${a.out}`);
  });
}
