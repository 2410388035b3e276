/**
 * PIF benchmark: time of `pifDistance` on random Gaussian n × n pairs (sd 1/√n, like
 * trained recurrent weights) with a given number of restarts, plus a planted pair
 * (W2 = W1 with rows and columns permuted; must give 0). Each pair is also solved side by
 * side with `search: "random"` (plain coordinate descent from random starts, the reference
 * generator's algorithm) at the same number of restarts, for the optimum reached.
 *
 *   deno run scripts/bench_pif.ts [--n 128] [--restarts 20] [--pairs 3]
 *
 * No permissions needed. Prints one JSON line per measurement: `ms` is wall time, `cpuMs`
 * the process CPU time over the same call (user + system, all threads); on a shared,
 * overloaded machine the CPU time is the fairer figure.
 */
import { parseArgs } from "node:util";
import process from "node:process";
import { pifDistance } from "../metrics/pif.ts";
import { makeRng, randomPermutation } from "../metrics/rng.ts";

function gaussianMatrix(n: number, rng: () => number): number[][] {
  const sd = 1 / Math.sqrt(n);
  return Array.from({ length: n }, () =>
    Array.from({ length: n }, () => {
      const u = 1 - rng();
      const v = rng();
      return sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }));
}

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "128" },
    restarts: { type: "string", default: "20" },
    pairs: { type: "string", default: "3" },
  },
});
const n = Number(values.n);
const restarts = Number(values.restarts);
const pairs = Number(values.pairs);
if (!Number.isInteger(n) || n < 2) throw new Error(`--n must be an integer ≥ 2, got ${values.n}`);
if (!Number.isInteger(pairs) || pairs < 1) {
  throw new Error(`--pairs must be ≥ 1, got ${values.pairs}`);
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
