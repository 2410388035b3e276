/**
 * DSA benchmark (docs/performance.md): one pair of seeded random 64-unit tanh RNNs
 * driven by noise, 50 trials × 100 steps, at (delays, rank) = (10,50), (10,100), (20,200),
 * (30,500): time of the two DMD fits and of the angular Procrustes comparison, compared
 * with the reference timings of docs/performance.md (torch 1.13 CPU, 1 thread,
 * 1500 Adam iterations × 2 runs). Optionally the 50-system pairwise matrix at 10/50 on
 * one worker per core (`--matrix`).
 *
 * Besides wall-clock time it reports process CPU time (robust to other processes on a
 * shared machine), the machine's current matmul speed, and the optimum reached by a
 * reference-style Adam optimiser (`scripts/bench/dsa_baseline.ts`, 1500 iterations × 2 runs) on
 * the same operators for ranks ≤ `--baseline` (default 100), to compare optima.
 *
 * Usage: deno run --allow-read --allow-write --allow-env --allow-sys scripts/bench_dsa.ts
 *          [--settings 10/50,10/100] [--repeats 1] [--baseline 100] [--matrix | --matrix-only]
 *          [--systems 50] [--workers 2] [--json out.json]
 *          [--procrustes '{"maxIter":70,"maxRuns":2}'] (overrides the per-rank settings)
 *
 * The timings follow a warm-up fit of both systems at the first setting's delays (rank 20)
 * and a short comparison: JIT and WASM compilation are excluded, as in a population, where
 * they are paid once.
 *
 * @module
 */
import { defineCli, f, InvalidValue, parseOrExit } from "./lib/cli.ts";
import { writeTextAtomic } from "./lib/io.ts";
import process from "node:process";
import { compareDmd } from "../metrics/dsa/dsa.ts";
import { type DmdFit, fitDmd, type FlatTrajectories } from "../metrics/dsa/dmd.ts";
import type { ProcrustesOptions } from "../metrics/dsa/procrustes.ts";
import { procrustesAdamBaseline } from "./bench/dsa_baseline.ts";
import { dsaDistanceMatrixParallel } from "../metrics/dsa/parallel.ts";
import { mmNT } from "../metrics/linalg/matmul.ts";
import { boxMuller, mulberry32 } from "../metrics/rng.ts";

/** Reference seconds (DMD fit both systems, Procrustes angular), docs/performance.md. */
const REFERENCE: Record<string, { fit: [number, number]; procrustes: number }> = {
  "10/50": { fit: [13, 15], procrustes: 13.5 },
  "10/100": { fit: [4, 4], procrustes: 27 },
  "20/200": { fit: [12, 19], procrustes: 154 },
  "30/500": { fit: [17, 27], procrustes: 900 },
};

/** Seeded normal sampler (Box–Muller of mulberry32 uniforms shifted to the open interval). */
function normalRng(seed: number): () => number {
  const u = mulberry32(seed), open = () => u() + 2 ** -33;
  return () => boxMuller(open(), open());
}

/**
 * Random tanh RNN h_{t+1} = tanh(W h_t + σ ξ_t), W ~ N(0, g²/n), g = 1.2, σ = 0.3,
 * h_0 ~ N(0, 0.25); returns trials × steps × units in flat form.
 */
export function randomRnnTrajectories(
  seed: number,
  units = 64,
  trials = 50,
  steps = 100,
): FlatTrajectories {
  const rnd = normalRng(seed);
  const n = units;
  const w = new Float64Array(n * n);
  for (let i = 0; i < w.length; i++) w[i] = (1.2 / Math.sqrt(n)) * rnd();
  const data = new Float64Array(trials * steps * n);
  const h = new Float64Array(n), nh = new Float64Array(n);
  for (let k = 0; k < trials; k++) {
    for (let i = 0; i < n; i++) h[i] = 0.5 * rnd();
    for (let t = 0; t < steps; t++) {
      data.set(h, (k * steps + t) * n);
      for (let i = 0; i < n; i++) {
        let s = 0.3 * rnd();
        for (let j = 0; j < n; j++) s += w[i * n + j] * h[j];
        nh[i] = Math.tanh(s);
      }
      h.set(nh);
    }
  }
  return { data, trials, steps, units };
}

/** Process CPU seconds (user + system) — robust to other processes on a shared machine. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/**
 * GFLOP/s of a 256³ float64 product right now, per wall second and per CPU second (how
 * loaded the machine is; about 2.7 for both on an idle core).
 */
function calibrate(): { wall: number; cpu: number } {
  const n = 256;
  const x = new Float64Array(n * n).map((_, i) => Math.sin(i));
  mmNT(x, x, n, n, n);
  const t = performance.now(), c = cpuSeconds();
  for (let r = 0; r < 5; r++) mmNT(x, x, n, n, n);
  const flop = 5 * 2 * n ** 3;
  return {
    wall: flop / ((performance.now() - t) / 1000) / 1e9,
    cpu: flop / (cpuSeconds() - c) / 1e9,
  };
}

/** Procrustes settings per rank used by the bench ("fast" preset, printed with the table). */
export function benchProcrustes(rank: number): ProcrustesOptions {
  // the two eigenvector-alignment starts (one per component of O(n)), iterations scaled
  // down with the O(rank³) cost of an iteration
  if (rank <= 64) return { restarts: 0, maxRuns: 2, maxIter: 100 };
  if (rank <= 128) return { restarts: 0, maxRuns: 2, maxIter: 80 };
  if (rank <= 256) return { restarts: 0, maxRuns: 2, maxIter: 60 };
  return { restarts: 0, maxRuns: 1, maxIter: 100 };
}

/** The command line of `deno task bench:dsa`. */
export const CLI = defineCli({
  name: "bench:dsa",
  summary: "DSA speed: fit and compare two systems at delays/rank settings against the " +
    "reference-style optimiser, and optionally a whole matrix on Web Workers.",
  flags: {
    settings: f.custom(
      "D/R,…",
      "delays/rank settings",
      "comma-separated delays/rank pairs of integers ≥ 1, e.g. 10/50,20/200; default " +
        "10/50,10/100,20/200,30/500",
      (raw) =>
        raw.split(",").map((s, i) => {
          const m = /^\s*(\d+)\/(\d+)\s*$/.exec(s);
          if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
            throw new InvalidValue(`item ${i + 1} ${JSON.stringify(s)} is not delays/rank`);
          }
          return `${Number(m[1])}/${Number(m[2])}`;
        }),
    ),
    repeats: f.int("N", "repeats per setting", { min: 1, max: 1000, defaultText: "1" }),
    json: f.path("FILE", "also write the results as JSON"),
    baseline: f.int("R", "largest rank timed with the reference-style optimiser (0 = none)", {
      min: 0,
      defaultText: "100",
    }),
    matrix: f.switch("also time a whole matrix"),
    "matrix-only": f.switch("time only a whole matrix"),
    systems: f.int("S", "systems of the matrix", { min: 2, max: 10000, defaultText: "50" }),
    workers: f.int("W", "Web Workers of the matrix", { min: 1, max: 1024, defaultText: "2" }),
    procrustes: f.json(
      "JSON",
      "Procrustes option overrides",
      "a JSON object of Procrustes options",
      (v) => {
        if (v === null || typeof v !== "object" || Array.isArray(v)) {
          throw new InvalidValue("not a JSON object");
        }
        return v as ProcrustesOptions;
      },
    ),
  },
});

if (import.meta.main) {
  const values = parseOrExit(CLI, Deno.args);
  const procOverride: ProcrustesOptions = values.procrustes ?? {};
  const settings = values["matrix-only"]
    ? []
    : values.settings ?? ["10/50", "10/100", "20/200", "30/500"];
  const repeats = values.repeats ?? 1;
  const baselineMaxRank = values.baseline ?? 100;
  const a = randomRnnTrajectories(1);
  const b = randomRnnTrajectories(2);
  const rows: Record<string, unknown>[] = [];
  // warm-up (JIT, WASM compilation) on a small fit and comparison, outside the timings
  {
    const d0 = settings.length > 0 ? Number(settings[0].split("/")[0]) : 10;
    const wa = fitDmd(a, { delays: d0, rank: 20 }), wb = fitDmd(b, { delays: d0, rank: 20 });
    compareDmd(wa, wb, { score: "angular", procrustes: { maxIter: 5, maxRuns: 1 } });
  }
  const gflops0 = calibrate();
  console.log(
    `machine now: mmNT 256³ at ${gflops0.wall.toFixed(2)} GFLOP/s per wall second, ` +
      `${gflops0.cpu.toFixed(2)} per CPU second (both about 2.7 on an idle core); ` +
      `load average ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")}`,
  );
  if (settings.length > 0) {
    console.log(
      "delays/rank | fit both s (cpu) | procrustes s (cpu) | pair s (cpu) | ref pair s | speed-up wall (cpu) | angular | ref-style Adam angular | spread | procrustes options",
    );
  }
  for (const st of settings) {
    const [d, r] = st.split("/").map(Number);
    for (let rep = 0; rep < repeats; rep++) {
      const c0 = cpuSeconds(), t0 = performance.now();
      const fa: DmdFit = fitDmd(a, { delays: d, rank: r });
      const fb: DmdFit = fitDmd(b, { delays: d, rank: r });
      const c1 = cpuSeconds(), t1 = performance.now();
      const po = { ...benchProcrustes(r), ...procOverride };
      const c = compareDmd(fa, fb, { score: "angular", restarts: po.restarts, procrustes: po });
      const c2 = cpuSeconds(), t2 = performance.now();
      const fit = (t1 - t0) / 1000, proc = (t2 - t1) / 1000, total = fit + proc;
      const fitCpu = c1 - c0, procCpu = c2 - c1, totalCpu = fitCpu + procCpu;
      const ref = REFERENCE[st];
      const refTotal = ref ? (ref.fit[0] + ref.fit[1]) / 2 + ref.procrustes : NaN;
      let baseline: { angular: number; seconds: number } | undefined;
      if (r <= baselineMaxRank && rep === 0) {
        const tb = performance.now();
        const bl = procrustesAdamBaseline(fa.operator, fb.operator, r);
        baseline = { angular: bl.angular, seconds: (performance.now() - tb) / 1000 };
      }
      const p = c.procrustes!;
      console.log(
        `${st.padEnd(11)} | ${fit.toFixed(2)} (${fitCpu.toFixed(2)}) | ${proc.toFixed(2)} (${
          procCpu.toFixed(2)
        }) | ${total.toFixed(2)} (${totalCpu.toFixed(2)}) | ${refTotal.toFixed(1)} | ${
          (refTotal / total).toFixed(1)
        } (${(refTotal / totalCpu).toFixed(1)}) | ${c.distance.toFixed(5)} | ${
          baseline ? baseline.angular.toFixed(5) : "-"
        } | ${p.restartsSpread.toExponential(1)} | ${JSON.stringify(po)}`,
      );
      console.log(
        `    runs: ${
          p.runs.map((x) => `${x.start}:${x.angular.toFixed(4)}/${x.iterations}`).join(" ")
        }`,
      );
      rows.push({
        setting: st,
        delays: d,
        rank: r,
        fitBothSeconds: fit,
        fitBothCpuSeconds: fitCpu,
        procrustesSeconds: proc,
        procrustesCpuSeconds: procCpu,
        pairSeconds: total,
        pairCpuSeconds: totalCpu,
        referencePairSeconds: refTotal,
        speedupWall: refTotal / total,
        speedupCpu: refTotal / totalCpu,
        angular: c.distance,
        referenceStyleAdamAngular: baseline?.angular,
        referenceStyleAdamSeconds: baseline?.seconds,
        restartsSpread: p.restartsSpread,
        procrustesOptions: po,
        runs: p.runs,
      });
    }
  }
  let matrixRow: Record<string, unknown> | undefined;
  if (values.matrix || values["matrix-only"]) {
    const S = values.systems ?? 50, workers = values.workers ?? 2;
    const systems = Array.from({ length: S }, (_, i) => randomRnnTrajectories(100 + i));
    const po = benchProcrustes(50);
    const t0 = performance.now(), cpu0 = cpuSeconds();
    let last = 0;
    const res = await dsaDistanceMatrixParallel(
      systems,
      { delays: 10, rank: 50, restarts: po.restarts, procrustes: po },
      {
        workers,
        onProgress: (done, total) => {
          const now = performance.now();
          if (now - last > 30000) {
            last = now;
            console.log(`  matrix: ${done}/${total} pairs, ${((now - t0) / 1000).toFixed(0)} s`);
          }
        },
      },
    );
    const secs = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds() - cpu0; // main thread + workers (same process)
    const pairs = (S * (S - 1)) / 2;
    const off = res.matrix.flatMap((row, i) => row.filter((_, j) => j !== i));
    console.log(
      `matrix ${S} systems (${pairs} pairs) at 10/50 on ${workers} workers: ${secs.toFixed(1)} s ` +
        `(${(secs / pairs).toFixed(3)} s/pair wall); CPU ${cpu.toFixed(0)} s in all ` +
        `(= ${(cpu / workers).toFixed(0)} s on ${workers} fully available cores); distances ${
          Math.min(...off).toFixed(4)
        }–${Math.max(...off).toFixed(4)}; self-check max d(X,X) ${
          Math.max(...res.selfChecks.selfDistance.map((x) => x.distance)).toExponential(1)
        }, max |d(i,j)−d(j,i)| ${
          Math.max(...res.selfChecks.symmetry.map((x) => x.absDiff)).toExponential(1)
        }, max restart spread ${res.selfChecks.maxRestartsSpread.toExponential(1)}`,
    );
    matrixRow = {
      systems: S,
      pairs,
      workers,
      seconds: secs,
      secondsPerPair: secs / pairs,
      selfChecks: res.selfChecks,
    };
  }
  const gflops1 = calibrate();
  console.log(
    `machine at the end: ${gflops1.wall.toFixed(2)} GFLOP/s per wall second, ${
      gflops1.cpu.toFixed(2)
    } per CPU second`,
  );
  if (values.json) {
    await writeTextAtomic(
      values.json,
      JSON.stringify(
        {
          schema: "degeneracy.bench.dsa/1",
          machineGflops: [gflops0, gflops1],
          loadavg: Deno.loadavg(),
          reference: REFERENCE,
          rows,
          matrix: matrixRow,
        },
        null,
        2,
      ),
    );
  }
}
