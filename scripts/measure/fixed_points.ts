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
import { findFixedPoints } from "../../metrics/fixed_points/finder.ts";
import { fixedPointNet } from "../../metrics/fixed_points/network.ts";
import { summarizeFixedPoints } from "../../metrics/fixed_points/summary.ts";
import type {
  FixedPointNet,
  FixedPointOptions,
  FixedPointResult,
} from "../../metrics/fixed_points/types.ts";
import type { NetworkRecord } from "../../rnn/types.ts";
import { defineCli, f, runCli, UsageError } from "../lib/cli.ts";
import {
  exactlyOne,
  idsField,
  InputError,
  loadRunDirectory,
  matrixField,
  measureAccess,
  metricFile,
  OUT_FLAG,
  readJson,
  requireOut,
  RUN_FLAGS,
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
    throw new UsageError(
      "--input",
      `${JSON.stringify(text)} is not valid JSON`,
      "a JSON array of numbers",
    );
  }
  if (!Array.isArray(x) || x.length !== dim || !x.every((v) => Number.isFinite(v))) {
    throw new UsageError(
      "--input",
      `${JSON.stringify(text)} is not ${dim} numbers`,
      `a JSON array of ${dim} numbers, the inputDim of ${file}`,
    );
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

/** The command line of `deno task measure:fixed_points`. */
export const CLI = defineCli({
  name: "measure:fixed_points",
  summary: "Fixed points, slow points and line attractors of the autonomous map " +
    "h ↦ tanh(W_h h + b + W_x x*) of each network, as a degeneracy.metric/2 file (values: " +
    "number of stable fixed points).",
  flags: {
    ...RUN_FLAGS,
    nets: f.path("FILE", 'user networks: { "ids"?, "networks": [{ "wh", "b", "starts"? }] }'),
    ...OUT_FLAG,
    input: f.string("JSON", "the constant input x* (with --run)", {
      allowed: "a JSON array of inputDim numbers; default zeros",
    }),
    trials: f.int("N", "trials whose hidden states seed the starts (with --run)", {
      min: 1,
      max: 1_000_000,
      defaultText: "32",
    }),
    "data-seed": f.int("S", "data seed of those trials", { defaultText: "0" }),
    starts: f.int("N", "finder starts", { min: 1, max: 1_000_000, defaultText: "256" }),
    noise: f.number("S", "noise added to the starts", { min: 0, defaultText: "0.05" }),
    midpoints: f.int("N", "midpoints probed between fixed points", {
      min: 0,
      max: 1_000_000,
      defaultText: "256",
    }),
    "slow-tol": f.number("T", "speed below which a point is slow", {
      min: 0,
      minOpen: true,
      defaultText: "1e-3",
    }),
    "marginal-tol": f.number("T", "|λ| − 1 below which a mode is marginal", {
      min: 0,
      max: 1,
      minOpen: true,
      maxOpen: true,
      defaultText: "0.05",
    }),
    "continuum-tol": f.number("T", "tolerance of continua (line attractors)", {
      min: 0,
      minOpen: true,
      defaultText: "1e-2",
    }),
    seed: f.int("S", "finder seed", { defaultText: "0" }),
    eigenvalues: f.int("K", "leading Jacobian eigenvalues kept", {
      min: 0,
      max: 100000,
      defaultText: "4",
    }),
    "no-continua": f.switch("skip the search for continua"),
  },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    exactlyOne({ run: a.run, nets: a.nets });
    const out = requireOut(a.out);
    measureAccess(
      "scripts/measure/fixed_points.ts",
      [["--run", a.run], ["--nets", a.nets]],
      out,
      Deno.args,
    );
    const finder: FixedPointOptions = {
      numStarts: a.starts ?? 256,
      noise: a.noise ?? 0.05,
      midpoints: a.midpoints ?? 256,
      slowTol: a["slow-tol"] ?? 1e-3,
      marginalTol: a["marginal-tol"] ?? 0.05,
      continuumTol: a["continuum-tol"] ?? 1e-2,
      seed: a.seed ?? 0,
      continua: !a["no-continua"],
    };
    const eigenvalues = a.eigenvalues ?? 4;
    let jobs: Job[];
    let source: Record<string, unknown>;
    let input: number[] | null = null;
    if (a.nets !== undefined) {
      jobs = await loadNetsFile(a.nets);
      source = { nets: a.nets };
    } else {
      const trials = a.trials ?? 32;
      const dataSeed = a["data-seed"] ?? 0;
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
      out,
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
    console.log(`fixed_points: ${jobs.length} networks → ${out}`);
  });
}
