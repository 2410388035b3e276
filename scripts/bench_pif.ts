/**
 * PIF benchmark: time of `pifDistance` on random Gaussian n × n pairs (sd 1/√n, like
 * trained recurrent weights) with a given number of restarts, plus a planted pair
 * (W2 = W1 with rows and columns permuted; must give 0). Each pair is also solved side by
 * side with `search: "random"` (plain coordinate descent from random starts, the reference
 * generator's algorithm) at the same number of restarts, for the optimum reached.
 *
 * Then a whole matrix of `--matrix` (20) random networks, serially (`pifDistanceMatrix`) and on
 * `--workers` Web Workers (`pifDistanceMatrixParallel`, default one per core), checking that
 * both give the same matrix.
 *
 *   deno run --allow-read=metrics scripts/bench_pif.ts [--n 128] [--restarts 20] [--pairs 3]
 *     [--matrix 20] [--workers N]
 *
 * (`deno task bench:pif`). `--allow-read=metrics` lets the workers load; without it, or with
 * `--matrix 0`, the matrix part is skipped. Prints one JSON line per measurement: `ms` is wall
 * time, `cpuMs` the process CPU time over the same call (user + system, all threads); on a
 * shared, overloaded machine the CPU time is the fairer figure for one thread, the wall time
 * the one that shows what workers gain.
 */
import { defineCli, f, InvalidValue, parseOrExit } from "./lib/cli.ts";
import process from "node:process";
import { pifDistance, pifDistanceMatrix } from "../metrics/pif/pif.ts";
import { pifDistanceMatrixParallel, pifWorkersAvailable } from "../metrics/pif/parallel.ts";
import { boxMuller, makeRng, randomPermutation } from "../metrics/rng.ts";

function gaussianMatrix(n: number, rng: () => number): number[][] {
  const sd = 1 / Math.sqrt(n);
  return Array.from(
    { length: n },
    () => Array.from({ length: n }, () => boxMuller(1 - rng(), rng(), sd)),
  );
}

/** The command line of `deno task bench:pif`. */
export const CLI = defineCli({
  name: "bench:pif",
  summary: "PIF speed: single pairs of random n × n matrices, and a whole matrix serially and " +
    "on Web Workers (identical results).",
  flags: {
    n: f.int("N", "matrix size", { min: 2, max: 4096, defaultText: "128" }),
    restarts: f.int("R", "optimiser restarts", { min: 1, max: 100000, defaultText: "20" }),
    pairs: f.int("P", "timed single pairs", { min: 1, max: 1000, defaultText: "3" }),
    matrix: f.custom(
      "K",
      "networks of the timed matrix",
      "0 (skip) or an integer from 2 to 1000; default 20",
      (raw) => {
        const x = Number(raw);
        if (!Number.isInteger(x) || x < 0 || x === 1 || x > 1000) {
          throw new InvalidValue(`${JSON.stringify(raw)} is not allowed`);
        }
        return x;
      },
    ),
    workers: f.int("W", "Web Workers of the parallel matrix", {
      min: 1,
      max: 1024,
      defaultText: "one per core",
    }),
  },
});
const values = parseOrExit(CLI, Deno.args);
const n = values.n ?? 128;
const restarts = values.restarts ?? 20;
const pairs = values.pairs ?? 3;
const networks = values.matrix ?? 20;
const workers = values.workers ?? navigator.hardwareConcurrency ?? 1;

const rng = makeRng(12345);
// warm-up (JIT) on a small pair, not timed
pifDistance(gaussianMatrix(32, rng), gaussianMatrix(32, rng), { restarts: 5 });

const times: number[] = [];
const cpuTimes: number[] = [];
for (let p = 0; p < pairs; p++) {
  const w1 = gaussianMatrix(n, rng);
  const w2 = gaussianMatrix(n, rng);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = pifDistance(w1, w2, { restarts, seed: p });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  times.push(ms);
  cpuTimes.push(cpuMs);
  const c1 = process.cpuUsage();
  const plain = pifDistance(w1, w2, { restarts, seed: p, search: "random" });
  const cpuPlain = process.cpuUsage(c1);
  console.log(JSON.stringify({
    bench: "pif",
    case: "unrelated_gaussian",
    n,
    restarts,
    ms: Math.round(ms),
    cpuMs: Math.round(cpuMs),
    distance: r.distance,
    plainCdDistance: plain.distance,
    plainCdCpuMs: Math.round((cpuPlain.user + cpuPlain.system) / 1000),
    lowerBound: r.lowerBound,
    identityDistance: Math.hypot(...w1.flatMap((row, i) => row.map((x, j) => x - w2[i][j]))),
  }));
}
{
  const w1 = gaussianMatrix(n, rng);
  const rp = randomPermutation(n, rng);
  const cp = randomPermutation(n, rng);
  const w2 = w1.map((_, i) => w1[rp[i]].map((_, j) => w1[rp[i]][cp[j]]));
  const t0 = performance.now();
  const r = pifDistance(w1, w2, { restarts, seed: 0 });
  console.log(JSON.stringify({
    bench: "pif",
    case: "planted_permutation",
    n,
    restarts,
    ms: Math.round(performance.now() - t0),
    distance: r.distance,
    startsUsed: r.startDistances.length,
  }));
}
times.sort((a, b) => a - b);
cpuTimes.sort((a, b) => a - b);
console.log(JSON.stringify({
  bench: "pif",
  summary: `n=${n}, ${restarts} restarts`,
  medianMs: Math.round(times[Math.floor(times.length / 2)]),
  medianCpuMs: Math.round(cpuTimes[Math.floor(cpuTimes.length / 2)]),
  goalMs: 1000,
}));

if (networks >= 2 && !pifWorkersAvailable()) {
  console.log(JSON.stringify({
    bench: "pif_matrix",
    skipped: "workers need --allow-read=metrics (use deno task bench:pif)",
  }));
} else if (networks >= 2) {
  const ws = Array.from({ length: networks }, () => gaussianMatrix(n, rng));
  const options = { restarts, seed: 0 };
  const timed = async <T>(f: () => T | Promise<T>) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const value = await f();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    return { value, ms, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  // parallel first, then serial: a load change on the shared machine hits both orders alike
  const par = await timed(() => pifDistanceMatrixParallel(ws, options, { workers }));
  const ser = await timed(() => pifDistanceMatrix(ws, options));
  const same = JSON.stringify(par.value) === JSON.stringify(ser.value);
  if (!same) throw new Error("parallel and serial PIF matrices differ");
  const pairsTotal = (networks * (networks - 1)) / 2;
  console.log(JSON.stringify({
    bench: "pif_matrix",
    networks,
    n,
    restarts,
    pairs: pairsTotal,
    workers,
    serialMs: Math.round(ser.ms),
    serialCpuMs: Math.round(ser.cpuMs),
    parallelMs: Math.round(par.ms),
    parallelCpuMs: Math.round(par.cpuMs),
    speedupWall: +(ser.ms / par.ms).toFixed(2),
    serialMsPerPair: Math.round(ser.ms / pairsTotal),
    identical: same,
    // d(i, j) vs d(j, i): nonzero when the heuristic misses the global minimum on one side
    maxAsymmetry: ser.value.selfChecks.maxAsymmetry,
  }));
}
