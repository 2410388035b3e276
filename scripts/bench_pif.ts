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
import { parseArgs } from "node:util";
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

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "128" },
    restarts: { type: "string", default: "20" },
    pairs: { type: "string", default: "3" },
    matrix: { type: "string", default: "20" },
    workers: { type: "string" },
  },
});
const n = Number(values.n);
const restarts = Number(values.restarts);
const pairs = Number(values.pairs);
if (!Number.isInteger(n) || n < 2) throw new Error(`--n must be an integer ≥ 2, got ${values.n}`);
if (!Number.isInteger(pairs) || pairs < 1) {
  throw new Error(`--pairs must be ≥ 1, got ${values.pairs}`);
}
const networks = Number(values.matrix);
if (!Number.isInteger(networks) || networks < 0 || networks === 1) {
  throw new Error(`--matrix must be 0 (skip) or an integer ≥ 2, got ${values.matrix}`);
}
const workers = Number(values.workers ?? navigator.hardwareConcurrency ?? 1);
if (!Number.isInteger(workers) || workers < 1) {
  throw new Error(`--workers must be an integer ≥ 1, got ${values.workers}`);
}

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
