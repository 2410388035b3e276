/**
 * Profile of one DSA Procrustes iteration, old path against new, at ranks n = 50, 200, 500,
 * 1000 (the bench's settings 10/50, 20/200, 30/500, 30/1000): the speed of the WASM kernels
 * it is made of (float64 and float32 products, the old row-operation Cayley solve, the new
 * blocked Cayley inverse with the float32 block products the iteration uses for n ≥ 128, and
 * with float64 ones) against the products' best in-cache speed (n = 128), and the
 * measured time of one L-BFGS iteration of each path expressed in float64 products, so that
 * the per-iteration cost (old: 4 float64 products + 1 Cayley solve; new: 4 float32 correction
 * products + 1 blocked inverse, 2n³ flops) and what remains of it can be read off. Operators
 * are seeded random near-orthogonal matrices (the iteration's cost does not depend on them).
 * Times are CPU seconds of this process, minimum over repeats (other jobs on a shared machine
 * only add to them).
 *
 * Usage: deno run --allow-read --allow-env --allow-sys scripts/bench/dsa_profile.ts
 *          [--ranks 50,200,500,1000] [--repeats 3]   (--help lists the flags)
 *
 * @module
 */
import process from "node:process";
import { defineCli, f, parseOrExit } from "../lib/cli.ts";
import { cayley, cayleyIncrement } from "../../metrics/linalg/solve.ts";
import { mmNT, mmNT32 } from "../../metrics/linalg/matmul.ts";
import { prepareOperator, procrustesDistance } from "../../metrics/dsa/procrustes.ts";
import { mulberry32 } from "../../metrics/rng.ts";

function cpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Minimum CPU seconds of `f` over `reps` calls. */
function best(f: () => void, reps: number): number {
  let b = Infinity;
  for (let r = 0; r < reps; r++) {
    const c = cpu();
    f();
    b = Math.min(b, cpu() - c);
  }
  return b;
}

/** Seeded near-orthogonal operator (Gram–Schmidt of a random matrix, plus noise). */
function operator(n: number, seed: number): Float64Array {
  const u = mulberry32(seed);
  const q = Float64Array.from({ length: n * n }, () => u() - 0.5);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * q[j * n + k];
      for (let k = 0; k < n; k++) q[i * n + k] -= s * q[j * n + k];
    }
    let nr = 0;
    for (let k = 0; k < n; k++) nr += q[i * n + k] ** 2;
    for (let k = 0; k < n; k++) q[i * n + k] /= Math.sqrt(nr);
  }
  return q.map((v) => 0.9 * v + (0.3 * (u() - 0.5)) / Math.sqrt(n));
}

/** The command line of scripts/bench/dsa_profile.ts. */
export const CLI = defineCli({
  name: "scripts/bench/dsa_profile.ts",
  command: "deno run --allow-read --allow-env --allow-sys scripts/bench/dsa_profile.ts",
  summary: "Profile of one DSA Procrustes iteration, old path against new, per rank: the " +
    "kernels' speeds and one L-BFGS iteration of each path in float64 products (CPU seconds, " +
    "minimum over repeats).",
  flags: {
    ranks: f.numbers("N,…", "ranks", { integer: true, min: 8 }),
    repeats: f.int("K", "repeats per measurement (the minimum is kept)", {
      min: 1,
      max: 1000,
      defaultText: "3",
    }),
  },
});

if (import.meta.main) {
  const values = parseOrExit(CLI, Deno.args);
  const ranks = values.ranks ?? [50, 200, 500, 1000];
  const reps = values.repeats ?? 3;
  // in-cache speed of the products (what the kernels reach without memory traffic)
  const m0 = 128, x0 = operator(m0, 1);
  for (let w = 0; w < 20; w++) mmNT(x0, x0, m0, m0, m0), mmNT32(x0, x0, m0, m0, m0);
  const g0 = (2 * m0 ** 3) / 1e9;
  const peak64 = g0 / best(() => mmNT(x0, x0, m0, m0, m0), 50);
  const peak32 = g0 / best(() => mmNT32(x0, x0, m0, m0, m0), 50);
  console.log(
    `products in cache (n = ${m0}): float64 ${peak64.toFixed(1)} GFLOP/s, float32 ${
      peak32.toFixed(1)
    } GFLOP/s; load average ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")}`,
  );
  console.log(
    "n | mmNT f64 GF/s (ms) | mmNT32 GF/s (ms) | Cayley solve old GF/s (ms) | blocked inverse new, " +
      "float32 products as in the iteration GF/s (ms) | same, float64 products GF/s (ms) | " +
      "iteration old ms (= f64 products) | iteration new ms (= f64 products) | ratio",
  );
  for (const n of ranks) {
    const a = operator(n, 2), b = operator(n, 3);
    const om = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) {
        const v = 0.02 * (a[i * n + j] - a[j * n + i]);
        om[i * n + j] = v;
        om[j * n + i] = -v;
      }
    }
    const out = new Float64Array(n * n);
    const r = n >= 500 ? reps : 3 * reps;
    for (let w = 0; w < 2; w++) {
      mmNT(a, b, n, n, n, out), mmNT32(a, b, n, n, n, out);
      cayley(om, n, out), cayleyIncrement(om, n, out);
      cayleyIncrement(om, n, out, 1, undefined, mmNT32);
    }
    const g = (2 * n ** 3) / 1e9;
    const t64 = best(() => mmNT(a, b, n, n, n, out), r);
    const t32 = best(() => mmNT32(a, b, n, n, n, out), r);
    const tc = best(() => cayley(om, n, out), r);
    // the new iteration ("mixed" precision, n ≥ 128) passes mmNT32 as the inverse's product
    const ti32 = best(() => cayleyIncrement(om, n, out, 1, undefined, mmNT32), r);
    const ti = best(() => cayleyIncrement(om, n, out), r);
    // one iteration: difference of two run lengths on the same start (line search included)
    const pa = prepareOperator(a, n), pb = prepareOperator(b, n);
    const k1 = 3, k2 = n >= 500 ? 8 : 23;
    const run = (legacy: boolean, k: number) =>
      best(
        () =>
          procrustesDistance(legacy ? a : pa, legacy ? b : pb, {
            maxRuns: 1,
            maxIter: k,
            restarts: 0,
            legacy,
          }),
        Math.max(1, Math.min(reps, 2)),
      );
    const itOld = (run(true, k2) - run(true, k1)) / (k2 - k1);
    const itNew = (run(false, k2) - run(false, k1)) / (k2 - k1);
    console.log(
      `${n} | ${(g / t64).toFixed(1)} (${(t64 * 1e3).toPrecision(3)}) | ${(g / t32).toFixed(1)} (${
        (t32 * 1e3).toPrecision(3)
      }) | ${((4 / 3) * g / tc).toFixed(1)} (${(tc * 1e3).toPrecision(3)}) | ${
        (g / ti32).toFixed(1)
      } (${(ti32 * 1e3).toPrecision(3)}) | ${(g / ti).toFixed(1)} (${
        (ti * 1e3).toPrecision(3)
      }) | ${(itOld * 1e3).toPrecision(3)} (${(itOld / t64).toFixed(1)}) | ${
        (itNew * 1e3).toPrecision(3)
      } (${(itNew / t64).toFixed(1)}) | ${(itOld / itNew).toFixed(2)}×`,
    );
  }
}
