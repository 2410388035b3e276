/**
 * Bench of the fixed-point finder against a reference-style run (the optimisation of Golub &
 * Sussillo's FixedPointFinder with its defaults: Adam on the mean q, lr 1.0, plateau decay,
 * tol_q 1e-12, at most 5000 iterations, unique to 1e-3; `fixed_points_adam.ts`) on the same
 * networks from the same starts (256 states drawn from each network's trajectories on 32
 * trials of its task, plus N(0, 0.05²) noise; ours adds its midpoint round). Per network and
 * method: wall time and process CPU time (one thread: the finder uses one core), fixed points
 * found, and their speeds ‖F(h) − h‖. "Recovered" counts our fixed points that the reference
 * run has a point within 1e-3 of with q < tol_q.
 *
 * Networks (`--only` picks, comma-separated):
 * - `fixture`: the trained 3-bit flip-flop of the tests (H = 32; 27 fixed points, 8 stable);
 * - `embedded`: the same network driving 96 further units, h₂ ← tanh(W₂₁ h₁ + b₂ + W₂₂ h₂)
 *   with random W₂₁, b₂ and ‖W₂₂‖ ≈ 0.6 < 1 (seed 1), so H = 128 and each fixed point of the
 *   32 units extends to exactly one: again 27 fixed points, 8 stable;
 * - `run`: every saved network under `--run DIR` (resting input 0), e.g. a population from
 *   `deno task experiment:flipflop`.
 *
 *   deno task bench:fixed_points [--run runs/DIR] [--only fixture,embedded,run] [--reps 3]
 *     [--adam-iters 5000] [--json runs/bench_fixed_points.json]
 *
 * Timings on a shared machine are noisy: compare the two methods within one run.
 *
 * @module
 */
import process from "node:process";
import { defineCli, f, requireAccess, runCli, UsageError } from "../lib/cli.ts";
import { findFixedPoints, sampleStarts } from "../../metrics/fixed_points/finder.ts";
import { fixedPointNet } from "../../metrics/fixed_points/network.ts";
import type { FixedPointNet, FixedPointResult } from "../../metrics/fixed_points/types.ts";
import { makeRng } from "../../metrics/rng.ts";
import { runNetwork } from "../../rnn/record.ts";
import type { NetworkRecord } from "../../rnn/types.ts";
import { createTask, type TaskSpec } from "../../tasks/factory.ts";
import { InputError, listJsonFiles, readJson, writeJsonAtomic } from "../measure/common.ts";
import {
  type AdamFixedPointResult,
  adamFixedPoints,
  ANCHOR_DEFAULTS,
} from "./fixed_points_adam.ts";

const FIXTURE = new URL("../../tests/fixtures/fixed_points/flipflop3.json", import.meta.url);

/** A network of the bench: its map and a pool of trajectory states (`[k, H]` flat). */
interface BenchNet {
  name: string;
  net: FixedPointNet;
  pool: Float64Array;
  expected?: { fixedPoints: number; stable: number };
}

/** Hidden states of a saved network on 32 trials of its task (data seed 0), flat `[k, H]`. */
function trajectoryPool(record: NetworkRecord): Float64Array {
  const task = createTask({ name: record.task.name, ...record.task.params } as TaskSpec);
  return Float64Array.from(runNetwork(record, null, task.sample(32, 0)).hidden);
}

function gaussian(rng: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** The fixture driving `extra` contracting units (see the module doc). */
function embedded(record: NetworkRecord, extra: number, seed: number): BenchNet {
  const base = fixedPointNet(record, new Array(record.shape.inputDim).fill(0));
  const h = base.b.length, n = h + extra;
  const rng = makeRng(seed);
  const w21 = Array.from(
    { length: extra },
    () => Array.from({ length: h }, () => gaussian(rng) / Math.sqrt(h)),
  );
  const w22 = Array.from(
    { length: extra },
    () => Array.from({ length: extra }, () => 0.3 * gaussian(rng) / Math.sqrt(extra)),
  );
  const b2 = Array.from({ length: extra }, () => 0.1 * gaussian(rng));
  const wh = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      if (i < h) return j < h ? base.wh[i][j] : 0;
      return j < h ? w21[i - h][j] : w22[i - h][j - h];
    }));
  const pool1 = trajectoryPool(record);
  const steps = record.task.params.steps as number ?? 100;
  const k = pool1.length / h, pool = new Float64Array(k * n);
  let h2 = new Array(extra).fill(0);
  for (let s = 0; s < k; s++) {
    if (s % steps === 0) h2 = new Array(extra).fill(0); // new trial
    const h1 = pool1.subarray(s * h, (s + 1) * h);
    h2 = h2.map((_, i) => {
      let z = b2[i];
      for (let j = 0; j < h; j++) z += w21[i][j] * h1[j];
      for (let j = 0; j < extra; j++) z += w22[i][j] * h2[j];
      return Math.tanh(z);
    });
    pool.set(h1, s * n);
    pool.set(h2, s * n + h);
  }
  return {
    name: `flip-flop N=3 H=${h} + ${extra} driven units (H=${n})`,
    net: { wh, b: [...base.b, ...b2] },
    pool,
    expected: { fixedPoints: 27, stable: 8 },
  };
}

function timed<T>(f: () => T): { value: T; wallMs: number; cpuMs: number } {
  const c0 = process.cpuUsage(), t0 = performance.now();
  const value = f();
  const c = process.cpuUsage(c0);
  return { value, wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

const fmtE = (x: number) => Number.isFinite(x) ? x.toExponential(1) : "–";
const median = (xs: number[]) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

/** The command line of `deno task bench:fixed_points`. */
export const CLI = defineCli({
  name: "bench:fixed_points",
  summary: "Fixed-point finder against a reference-style Adam run on the same networks from " +
    "the same starts (wall and CPU time, fixed points found and recovered).",
  flags: {
    run: f.path("DIR", "also bench every saved network under DIR (with --only …,run)"),
    only: f.choices(["fixture", "embedded", "run"] as const, "a,b", "networks to bench"),
    reps: f.int("N", "repeats of ours (best kept)", { min: 1, max: 1000, defaultText: "3" }),
    "adam-iters": f.int("N", "most Adam iterations of the reference", {
      min: 1,
      defaultText: String(ANCHOR_DEFAULTS.maxIters),
    }),
    starts: f.int("N", "starts per network", { min: 1, max: 1_000_000, defaultText: "256" }),
    json: f.path("FILE", "also write the rows as JSON"),
  },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    const only = new Set(a.only ?? ["fixture", "embedded", "run"]);
    if (a.run !== undefined && !only.has("run")) {
      throw new UsageError("--run", "given without run in --only", "add run to --only");
    }
    const reps = a.reps ?? 3, numStarts = a.starts ?? 256;
    const adamIters = a["adam-iters"] ?? ANCHOR_DEFAULTS.maxIters;
    const dirOf = (p: string) => p.includes("/") ? p.slice(0, p.lastIndexOf("/")) || "/" : ".";
    requireAccess({
      script: "scripts/bench/fixed_points.ts",
      read: [
        ...(a.run !== undefined ? [{ flag: "--run", path: a.run }] : []),
        ...(a.json !== undefined ? [{ flag: "--json", path: dirOf(a.json) }] : []),
        "tests/fixtures/fixed_points",
      ],
      write: a.json !== undefined ? [{ flag: "--json", path: dirOf(a.json) }] : [],
    }, Deno.args);
    const fixture = await readJson(FIXTURE.pathname) as NetworkRecord;
    const nets: BenchNet[] = [];
    if (only.has("fixture")) {
      nets.push({
        name: "flip-flop N=3 H=32 (test fixture)",
        net: fixedPointNet(fixture, [0, 0, 0]),
        pool: trajectoryPool(fixture),
        expected: { fixedPoints: 27, stable: 8 },
      });
    }
    if (only.has("embedded")) nets.push(embedded(fixture, 96, 1));
    if (only.has("run") && a.run !== undefined) {
      for (const file of await listJsonFiles(a.run)) {
        const rec = await readJson(file) as NetworkRecord;
        if (rec?.schema !== "degeneracy.network/1") continue;
        nets.push({
          name: `${rec.id} (H=${rec.shape.hidden}, ${rec.status})`,
          net: fixedPointNet(rec, new Array(rec.shape.inputDim).fill(0)),
          pool: trajectoryPool(rec),
        });
      }
    }
    if (nets.length === 0) throw new InputError("no networks to bench (check --only and --run)");

    const rows: Record<string, unknown>[] = [];
    console.log(
      `fixed points: ours (default options, best of ${reps}) vs reference-style Adam ` +
        `(anchor defaults, max ${adamIters} iterations), same ${numStarts} starts\n`,
    );
    console.log(
      "| network | method | wall s | CPU s | fixed points (stable) | recovered | max / median speed | iterations |",
    );
    console.log("|---|---|---:|---:|---|---:|---|---:|");
    for (const b of nets) {
      const n = b.net.b.length;
      const starts = sampleStarts(b.pool, n, { numStarts, noise: 0.05, seed: 0 });
      const pool: number[][] = [];
      for (let i = 0; i < b.pool.length; i += n) pool.push(Array.from(b.pool.subarray(i, i + n)));
      let best: { value: FixedPointResult; wallMs: number; cpuMs: number } | null = null;
      for (let r = 0; r < reps; r++) {
        const t = timed(() => findFixedPoints(b.net, { starts: pool, seed: 0, numStarts }));
        if (!best || t.cpuMs < best.cpuMs) best = t;
      }
      const ours = best!.value;
      const adam = timed(() => adamFixedPoints(b.net, starts, { maxIters: adamIters }));
      const converged = adam.value.points.filter((p) => p.q < ANCHOR_DEFAULTS.tolQ);
      const recovered = ours.fixedPoints.filter((p) =>
        converged.some((q) =>
          Math.hypot(...q.h.map((x, i) => x - p.h[i])) <= 1e-3
        )
      ).length;
      const oursRes = ours.fixedPoints.map((p) => p.residual);
      const adamRes = converged.map((p) => p.residual);
      const stable = ours.fixedPoints.filter((p) => p.stable).length;
      const expect = b.expected
        ? ` [expected ${b.expected.fixedPoints} (${b.expected.stable})]`
        : "";
      console.log(
        `| ${b.name}${expect} | ours | ${(best!.wallMs / 1000).toFixed(2)} | ${
          (best!.cpuMs / 1000).toFixed(2)
        } | ` +
          `${ours.fixedPoints.length} (${stable}), ${ours.slowPoints.length} slow | ${ours.fixedPoints.length} | ` +
          `${fmtE(Math.max(...oursRes))} / ${
            fmtE(median(oursRes))
          } | ${ours.diagnostics.lbfgsIterations} L-BFGS + ${ours.diagnostics.newtonIterations} Newton |`,
      );
      console.log(
        `| | reference (Adam) | ${(adam.wallMs / 1000).toFixed(2)} | ${
          (adam.cpuMs / 1000).toFixed(2)
        } | ` +
          `${converged.length} with q < 1e-12 of ${adam.value.points.length} unique | ${recovered} of ${ours.fixedPoints.length} | ` +
          `${fmtE(Math.max(...adamRes))} / ${fmtE(median(adamRes))} | ${adam.value.iterations} |`,
      );
      rows.push({
        network: b.name,
        hidden: n,
        expected: b.expected ?? null,
        ours: {
          wallMs: best!.wallMs,
          cpuMs: best!.cpuMs,
          fixedPoints: ours.fixedPoints.length,
          stable,
          slowPoints: ours.slowPoints.length,
          maxResidual: Math.max(...oursRes),
          medianResidual: median(oursRes),
          diagnostics: ours.diagnostics,
        },
        reference: summarizeAdam(adam, converged, recovered),
      });
    }
    if (a.json) {
      await writeJsonAtomic(a.json, {
        schema: "degeneracy.bench.fixed_points/1",
        numStarts,
        reps,
        adamIters,
        rows,
      });
      console.log(`\n→ ${a.json}`);
    }
  });
}

function summarizeAdam(
  adam: { value: AdamFixedPointResult; wallMs: number; cpuMs: number },
  converged: AdamFixedPointResult["points"],
  recovered: number,
) {
  const res = converged.map((p) => p.residual);
  return {
    wallMs: adam.wallMs,
    cpuMs: adam.cpuMs,
    iterations: adam.value.iterations,
    uniquePoints: adam.value.points.length,
    convergedPoints: converged.length,
    recoveredOfOurs: recovered,
    maxResidual: res.length ? Math.max(...res) : null,
    medianResidual: res.length ? median(res) : null,
  };
}
