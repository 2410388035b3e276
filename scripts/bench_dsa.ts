/**
 * DSA benchmark: one pair of seeded random 64-unit tanh RNNs driven by noise, 50 trials × 100
 * steps, at (delays, rank) = 10/50, 20/200, 30/500 and 30/1000 (the flip-flop setting of the
 * paper's Table 2). For every setting, in one run and on the same fitted operators, the
 * previous path ("old": scalar Cholesky in the fit, `procrustesDistance(…, { legacy: true })`)
 * and the current one ("new": blocked Cholesky, per-system prepared operators, the current
 * optimiser) with the same Procrustes budget (`benchProcrustes`): fit time of both systems,
 * Procrustes time (the new one including the per-system preparation), the pair, the ratio,
 * the angular distance each reached, the new run's final gradient norm and the spectral
 * lower bound on the distance. Times are wall seconds with process CPU seconds beside them
 * (robust to other jobs on a shared machine); compare ratios from one run.
 *
 * `--defaults 20/200,30/1000` also times the default options of `dsaDistance` (no Procrustes
 * budget: every smart start and `restarts` Haar starts, screening, 300 iterations), old and
 * new, at those settings (the old path at 30/1000 takes about ten minutes on a fast core).
 * `--paper` prints the projected core-hours of the `paper` preset's DSA stage before and after
 * (every study's populations and Table 2 delays/rank, 50 networks per population, the preset's
 * restarts), from per-pair and per-network times measured here on the bench pair at the
 * preset's settings (rank 100: measured with the preset's options; rank 1000: from the
 * `--defaults` measurement at 30/1000 when present, else estimated, and labelled so).
 * For the settings the DSA package was timed at (docs/performance.md, torch 1.13 CPU, 1 thread,
 * 1500 Adam steps × 2 runs) its pair time is printed beside ours.
 * `--baseline R` adds the optimum of a reference-style Adam optimiser
 * (`scripts/bench/dsa_baseline.ts`, 1500 iterations × 2 runs) for ranks ≤ R (default 0);
 * `--matrix` the 50-system matrix at 10/50 on workers; `--json FILE` writes every row.
 * `--interleave K` also times both paths per iteration alternately (old, new, K times; each
 * the difference of a 25- and a 5-iteration run) at every single-run setting and prints the
 * medians, their ratio and the time to the old optimum they imply: robust to a machine whose
 * speed drifts over the minutes between the old and the new measurement (docs/performance.md).
 *
 * Usage: deno task bench:dsa [--settings 10/50,20/200,30/500,30/1000] [--new-only]
 *          [--defaults 30/1000] [--paper] [--interleave 3] [--baseline 100]
 *          [--matrix | --matrix-only]
 *          [--systems 50] [--workers 2] [--json out.json]
 *          [--procrustes '{"maxIter":70,"maxRuns":2}'] (overrides the per-rank budget)
 *
 * The timings follow a warm-up fit of both systems and a short comparison on both paths: JIT
 * and WASM compilation are excluded, as in a population, where they are paid once.
 *
 * @module
 */
import { defineCli, f, InvalidValue, parseOrExit } from "./lib/cli.ts";
import { writeTextAtomic } from "./lib/io.ts";
import process from "node:process";
import { compareDmd } from "../metrics/dsa/dsa.ts";
import { type DmdFit, fitDmd, type FlatTrajectories } from "../metrics/dsa/dmd.ts";
import {
  prepareDsaOperator,
  procrustesDistance,
  type ProcrustesOptions,
  type ProcrustesResult,
} from "../metrics/dsa/procrustes.ts";
import {
  fillLegacyCache,
  prepareLegacyOperator,
  procrustesDistanceLegacy,
} from "../metrics/dsa/procrustes_legacy.ts";
import { procrustesAdamBaseline } from "./bench/dsa_baseline.ts";
import { dsaDistanceMatrixParallel } from "../metrics/dsa/parallel.ts";
import { mmNT } from "../metrics/linalg/matmul.ts";
import { boxMuller, mulberry32 } from "../metrics/rng.ts";
import { setCholeskyBlocked } from "../metrics/linalg/solve.ts";
import { PRESETS, STUDIES, type StudyName } from "./presets.ts";
import type { TaskName } from "../tasks/types.ts";

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

/**
 * Reference seconds (DMD fit of both systems, Procrustes angular) of the DSA package (torch
 * 1.13 CPU, 1 thread, 1500 Adam iterations × 2 runs), docs/performance.md.
 */
const REFERENCE: Record<string, { fit: [number, number]; procrustes: number }> = {
  "10/50": { fit: [13, 15], procrustes: 13.5 },
  "10/100": { fit: [4, 4], procrustes: 27 },
  "20/200": { fit: [12, 19], procrustes: 154 },
  "30/500": { fit: [17, 27], procrustes: 900 },
};

/** Process CPU seconds (user + system) — robust to other processes on a shared machine. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Wall and CPU seconds of `f()`, with its result. */
function timed<T>(f: () => T): { value: T; wall: number; cpu: number } {
  const t = performance.now(), c = cpuSeconds();
  const value = f();
  return { value, wall: (performance.now() - t) / 1000, cpu: cpuSeconds() - c };
}

/**
 * GFLOP/s of a 256³ float64 product right now, per wall second and per CPU second (how
 * loaded the machine is).
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

/** Procrustes budget per rank used by the bench's single-run setting (both paths). */
export function benchProcrustes(rank: number): ProcrustesOptions {
  // the two eigenvector-alignment starts (one per component of O(n)), iterations scaled
  // down with the O(rank³) cost of an iteration
  if (rank <= 64) return { restarts: 0, maxRuns: 2, maxIter: 100 };
  if (rank <= 128) return { restarts: 0, maxRuns: 2, maxIter: 80 };
  if (rank <= 256) return { restarts: 0, maxRuns: 2, maxIter: 60 };
  return { restarts: 0, maxRuns: 1, maxIter: 100 };
}

/** Fits of both systems, timed, with the old (scalar Cholesky) or the new fit path. */
function fitBoth(
  a: FlatTrajectories,
  b: FlatTrajectories,
  delays: number,
  rank: number,
  old: boolean,
) {
  setCholeskyBlocked(!old);
  try {
    return timed(() => [fitDmd(a, { delays, rank }), fitDmd(b, { delays, rank })] as const);
  } finally {
    setCholeskyBlocked(true);
  }
}

/**
 * One Procrustes comparison of two fitted systems, old or new path, with the per-system work
 * (old: normalisation and the eigenvectors its starts use; new: `prepareDsaOperator`) timed
 * apart from the pair, as in a distance matrix where it is done once per system.
 */
function comparePair(
  fa: DmdFit,
  fb: DmdFit,
  options: ProcrustesOptions,
  old: boolean,
): { res: ProcrustesResult; prepWall: number; prepCpu: number; pairWall: number; pairCpu: number } {
  const opts: ProcrustesOptions = { score: "angular", ...options };
  if (old) {
    // the eig-gram starts come after the first two (eig-sym and its flip)
    const kinds: ("sym" | "gram")[] = (opts.maxRuns ?? Infinity) > 2 ? ["sym", "gram"] : ["sym"];
    const prep = timed(() =>
      [fa, fb].map((f) => {
        const p = prepareLegacyOperator(f.operator, f.size);
        fillLegacyCache(p, kinds);
        return p;
      })
    );
    const t = timed(() => procrustesDistanceLegacy(prep.value[0], prep.value[1], opts));
    const res: ProcrustesResult = {
      ...t.value,
      gradNorm: NaN,
      lowerBound: { euclidean: NaN, angular: NaN },
      normDrift: NaN,
      totalIterations: t.value.runs.reduce((x, r) => x + r.iterations, 0),
    };
    return { res, prepWall: prep.wall, prepCpu: prep.cpu, pairWall: t.wall, pairCpu: t.cpu };
  }
  const prep = timed(() => [prepareDsaOperator(fa), prepareDsaOperator(fb)]);
  const t = timed(() => procrustesDistance(prep.value[0], prep.value[1], opts));
  return { res: t.value, prepWall: prep.wall, prepCpu: prep.cpu, pairWall: t.wall, pairCpu: t.cpu };
}

/** Iterations of the long and short runs whose difference {@link interleaved} times. */
const INTERLEAVE_LONG = 25, INTERLEAVE_SHORT = 5;

/**
 * Per-iteration CPU seconds of the old and new Procrustes paths, timed alternately (old, new,
 * old, new, …) `rounds` times on the same fitted pair, so that a drift of the machine's speed
 * over the minutes a setting takes hits both paths alike: each value is the difference of a
 * 25- and a 5-iteration run (per start) from the same starts, over the difference of their
 * iteration counts (the fixed per-pair work cancels), and the fixed part (preparation, starts)
 * is the short run's time less its iterations at that rate. Returns the medians and every value.
 */
function interleaved(
  fa: DmdFit,
  fb: DmdFit,
  options: ProcrustesOptions,
  rounds: number,
): {
  old: number;
  new: number;
  oldAll: number[];
  newAll: number[];
  oldFixed: number;
  newFixed: number;
} {
  const one = (old: boolean, maxIter: number) => {
    const c = comparePair(fa, fb, { ...options, maxIter }, old);
    return { cpu: c.prepCpu + c.pairCpu, iterations: c.res.totalIterations };
  };
  const oldAll: number[] = [], newAll: number[] = [];
  const oldFixed: number[] = [], newFixed: number[] = [];
  for (let k = 0; k < rounds; k++) {
    for (
      const [old, into, fixed] of [[true, oldAll, oldFixed], [false, newAll, newFixed]] as const
    ) {
      const long = one(old, INTERLEAVE_LONG), short = one(old, INTERLEAVE_SHORT);
      const per = (long.cpu - short.cpu) / (long.iterations - short.iterations);
      into.push(per);
      fixed.push(short.cpu - short.iterations * per); // preparation, starts: no iterations
    }
  }
  const median = (x: number[]) => {
    const y = x.toSorted((p, q) => p - q), h = y.length >> 1;
    return y.length % 2 ? y[h] : (y[h - 1] + y[h]) / 2;
  };
  return {
    old: median(oldAll),
    new: median(newAll),
    oldAll,
    newAll,
    oldFixed: median(oldFixed),
    newFixed: median(newFixed),
  };
}

const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : "-");
const f3 = (x: number) => (Number.isFinite(x) ? x.toPrecision(3) : "-");
const f5 = (x: number) => (Number.isFinite(x) ? x.toFixed(5) : "-");

/** Task of each study's populations (the controls train delayed discrimination). */
const STUDY_TASK: Record<StudyName, TaskName> = {
  flipflop: "flipflop",
  delayed_discrimination: "delayed_discrimination",
  sine_freq: "sine",
  sine_n: "sine",
  path_integration: "path_integration",
  dd_delay: "delayed_discrimination",
  pi_arena: "path_integration",
  aux_loss: "delayed_discrimination",
  network_size: "delayed_discrimination",
  low_rank: "delayed_discrimination",
  sparsity: "delayed_discrimination",
};

/** delays/rank settings, e.g. `10/50,20/200`. */
function settingsFlag(defaultText: string, what: string) {
  return f.custom(
    "D/R,…",
    what,
    `comma-separated delays/rank pairs of integers ≥ 1, e.g. 10/50,30/1000; default ${defaultText}`,
    (raw) =>
      raw.split(",").filter((x) => x.trim() !== "").map((x, i) => {
        const m = /^\s*(\d+)\/(\d+)\s*$/.exec(x);
        if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) {
          throw new InvalidValue(`item ${i + 1} ${JSON.stringify(x)} is not delays/rank`);
        }
        return `${Number(m[1])}/${Number(m[2])}`;
      }),
  );
}

/** The command line of `deno task bench:dsa`. */
export const CLI = defineCli({
  name: "bench:dsa",
  summary: "DSA speed: fit and compare two systems at delays/rank settings, the old path " +
    "(legacy Procrustes, scalar Cholesky) against the new one in one run, optionally " +
    "dsaDistance's default options, the paper preset's DSA core-hours, the reference-style " +
    "optimiser and a whole matrix on Web Workers.",
  flags: {
    settings: settingsFlag("10/50,20/200,30/500,30/1000", "delays/rank settings"),
    "new-only": f.switch("time only the new path"),
    defaults: settingsFlag("none", "settings at which to time dsaDistance's default options"),
    paper: f.switch("project the paper preset's DSA core-hours"),
    interleave: f.int(
      "K",
      "also time old and new per iteration alternately, K rounds each, at every single-run setting",
      { min: 0, max: 100, defaultText: "0" },
    ),
    json: f.path("FILE", "also write the results as JSON"),
    baseline: f.int("R", "largest rank timed with the reference-style optimiser (0 = none)", {
      min: 0,
      defaultText: "0",
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
  const toSettings = (xs: string[]) =>
    xs.map((key) => {
      const [d, r] = key.split("/").map(Number);
      return { key, d, r };
    });
  const procOverride: ProcrustesOptions = values.procrustes ?? {};
  const withOld = !values["new-only"];
  const settings = values["matrix-only"]
    ? []
    : toSettings(values.settings ?? ["10/50", "20/200", "30/500", "30/1000"]);
  const defaults = toSettings(values.defaults ?? []);
  const baselineMaxRank = values.baseline ?? 0;
  const a = randomRnnTrajectories(1);
  const b = randomRnnTrajectories(2);
  // warm-up (JIT, WASM compilation) on small fits and comparisons of both paths
  {
    const [wa, wb] = fitBoth(a, b, 10, 20, false).value;
    for (const legacy of [false, true]) {
      compareDmd(wa, wb, { procrustes: { maxIter: 5, maxRuns: 1, legacy } });
    }
    const [xa, xb] = fitBoth(a, b, 10, 200, false).value;
    compareDmd(xa, xb, { procrustes: { maxIter: 3, maxRuns: 1 } });
  }
  const gflops0 = calibrate();
  console.log(
    `machine now: mmNT 256³ at ${f2(gflops0.wall)} GFLOP/s per wall second, ` +
      `${f2(gflops0.cpu)} per CPU second; load average ${
        Deno.loadavg().map((x) => x.toFixed(1)).join(" ")
      }`,
  );
  const rows: Record<string, unknown>[] = [];
  const fitsOf = new Map<string, readonly [DmdFit, DmdFit]>();
  if (settings.length > 0) {
    console.log(
      "\nsingle run (budget per rank, both paths): wall s (CPU s)\n" +
        "delays/rank | fit both old | fit both new | procrustes old | procrustes new (prep) | " +
        "pair old | pair new | ratio wall (cpu) | angular old | angular new | grad norm new | " +
        "lower bound | iterations old/new | to the old optimum: procrustes new, pair new, " +
        "ratio wall (cpu), angular, iterations | budget",
    );
  }
  for (const { key, d, r } of settings) {
    const fitOld = withOld ? fitBoth(a, b, d, r, true) : undefined;
    const fitNew = fitBoth(a, b, d, r, false);
    const [fa, fb] = fitNew.value;
    fitsOf.set(key, fitNew.value);
    const po = { ...benchProcrustes(r), ...procOverride };
    const cOld = withOld ? comparePair(fa, fb, po, true) : undefined;
    const cNew = comparePair(fa, fb, po, false);
    // the same budget, stopped once the old path's optimum is reached: time to equal accuracy
    const cTarget = cOld
      ? comparePair(fa, fb, { ...po, targetAngular: cOld.res.angular }, false)
      : undefined;
    // a single pair does its per-system work itself: Procrustes = preparation + pair
    const whole = (c: ReturnType<typeof comparePair>) => ({
      res: c.res,
      wall: c.prepWall + c.pairWall,
      cpu: c.prepCpu + c.pairCpu,
      prepWall: c.prepWall,
    });
    const pOld = cOld ? whole(cOld) : undefined, pNew = whole(cNew);
    const pTarget = cTarget ? whole(cTarget) : undefined;
    // the pair: fits of both systems + Procrustes (NaN where a path did not run)
    const pair = (fit?: { wall: number; cpu: number }, p?: { wall: number; cpu: number }) =>
      fit && p ? { wall: fit.wall + p.wall, cpu: fit.cpu + p.cpu } : { wall: NaN, cpu: NaN };
    const { wall: pairOld, cpu: pairOldCpu } = pair(fitOld, pOld);
    const { wall: pairNew, cpu: pairNewCpu } = pair(fitNew, pNew);
    const { wall: pairTarget, cpu: pairTargetCpu } = pair(fitNew, pTarget);
    let baseline: number | undefined;
    if (r <= baselineMaxRank) {
      baseline = procrustesAdamBaseline(fa.operator, fb.operator, r).angular;
    }
    const itOld = pOld?.res.runs.reduce((t, x) => t + x.iterations, 0);
    const ref = REFERENCE[key];
    const refPair = ref ? (ref.fit[0] + ref.fit[1]) / 2 + ref.procrustes : NaN;
    console.log(
      `${key.padEnd(11)} | ${fitOld ? `${f2(fitOld.wall)} (${f2(fitOld.cpu)})` : "-"} | ${
        f2(fitNew.wall)
      } (${f2(fitNew.cpu)}) | ${pOld ? `${f2(pOld.wall)} (${f2(pOld.cpu)})` : "-"} | ${
        f2(pNew.wall)
      } (${f2(pNew.cpu)}; prep ${f2(pNew.prepWall)}) | ${f2(pairOld)} (${f2(pairOldCpu)}) | ${
        f2(pairNew)
      } (${f2(pairNewCpu)}) | ${f2(pairOld / pairNew)}× (${f2(pairOldCpu / pairNewCpu)}×) | ${
        f5(pOld?.res.angular ?? NaN)
      } | ${f5(pNew.res.angular)} | ${pNew.res.gradNorm.toExponential(2)} | ${
        f5(pNew.res.lowerBound.angular)
      } | ${itOld ?? "-"}/${pNew.res.totalIterations} | ${
        pTarget
          ? `${f2(pTarget.wall)} (${f2(pTarget.cpu)}), ${f2(pairTarget)} (${f2(pairTargetCpu)}), ${
            f2(pairOld / pairTarget)
          }× (${f2(pairOldCpu / pairTargetCpu)}×), ${
            f5(pTarget.res.angular)
          }, ${pTarget.res.totalIterations}`
          : "-"
      } | ${JSON.stringify(po)}${
        baseline !== undefined ? ` | reference-style Adam ${f5(baseline)}` : ""
      }${
        REFERENCE[key]
          ? ` | DSA package pair ${refPair} s (new ${f2(refPair / pairNew)}× faster)`
          : ""
      }`,
    );
    const rounds = values.interleave ?? 0;
    const inter = rounds > 0 && cOld && cTarget ? interleaved(fa, fb, po, rounds) : undefined;
    let interleavedRow: Record<string, unknown> | undefined;
    if (inter && pTarget) {
      // the whole Procrustes at each path's iteration count, from the interleaved medians of
      // its per-iteration time and its fixed part
      const itTarget = pTarget.res.totalIterations, itOldRun = itOld ?? 0;
      const implied = (itOldRun * inter.old + inter.oldFixed) /
        (itTarget * inter.new + inter.newFixed);
      console.log(
        `${"".padEnd(11)}   interleaved (${rounds} rounds, CPU s per iteration): old ${
          inter.oldAll.map(f3).join(" / ")
        }, new ${inter.newAll.map(f3).join(" / ")}; medians ${f3(inter.old)} and ${
          f3(inter.new)
        }: ${f2(inter.old / inter.new)}× per iteration; to the old optimum at these medians ` +
          `(${itOldRun} old and ${itTarget} new iterations, fixed parts ${f2(inter.oldFixed)} and ${
            f2(inter.newFixed)
          } s): ${f2(implied)}×`,
      );
      interleavedRow = {
        rounds,
        oldPerIterationCpuSeconds: inter.oldAll,
        newPerIterationCpuSeconds: inter.newAll,
        medianRatio: inter.old / inter.new,
        impliedToOldOptimumRatio: implied,
      };
    }
    rows.push({
      kind: "single-run",
      interleaved: interleavedRow,
      setting: key,
      delays: d,
      rank: r,
      procrustesOptions: po,
      old: fitOld && pOld
        ? {
          fitBothSeconds: fitOld.wall,
          fitBothCpuSeconds: fitOld.cpu,
          procrustesSeconds: pOld.wall,
          procrustesCpuSeconds: pOld.cpu,
          pairSeconds: pairOld,
          pairCpuSeconds: pairOldCpu,
          angular: pOld.res.angular,
          runs: pOld.res.runs,
        }
        : undefined,
      new: {
        fitBothSeconds: fitNew.wall,
        fitBothCpuSeconds: fitNew.cpu,
        prepareBothSeconds: pNew.prepWall,
        procrustesSeconds: pNew.wall,
        procrustesCpuSeconds: pNew.cpu,
        pairSeconds: pairNew,
        pairCpuSeconds: pairNewCpu,
        angular: pNew.res.angular,
        gradNorm: pNew.res.gradNorm,
        lowerBound: pNew.res.lowerBound,
        normDrift: pNew.res.normDrift,
        runs: pNew.res.runs,
      },
      toOldOptimum: pTarget
        ? {
          procrustesSeconds: pTarget.wall,
          procrustesCpuSeconds: pTarget.cpu,
          pairSeconds: pairTarget,
          pairCpuSeconds: pairTargetCpu,
          angular: pTarget.res.angular,
          iterations: pTarget.res.totalIterations,
          ratioWall: pairOld / pairTarget,
          ratioCpu: pairOldCpu / pairTargetCpu,
        }
        : undefined,
      ratioWall: pairOld / pairNew,
      ratioCpu: pairOldCpu / pairNewCpu,
      referencePackagePairSeconds: ref ? refPair : undefined,
      referenceStyleAdamAngular: baseline,
    });
  }
  // default options of dsaDistance (optionally with the paper preset's restarts)
  const defaultRows: Record<
    string,
    { old: number; new: number; oldPrep: number; newPrep: number }
  > = {};
  const runDefaults = (key: string, d: number, r: number, restarts?: number) => {
    let fits = fitsOf.get(key);
    if (!fits) {
      fits = fitBoth(a, b, d, r, false).value;
      fitsOf.set(key, fits);
    }
    const [fa, fb] = fits;
    const opts: ProcrustesOptions = restarts === undefined ? {} : { restarts };
    const pOld = withOld ? comparePair(fa, fb, opts, true) : undefined;
    const pNew = comparePair(fa, fb, opts, false);
    const pTarget = pOld
      ? comparePair(fa, fb, { ...opts, targetAngular: pOld.res.angular }, false)
      : undefined;
    const tag = restarts === undefined ? "defaults" : `defaults, restarts ${restarts}`;
    const sec = (c: ReturnType<typeof comparePair>) =>
      `${f2(c.prepWall + c.pairWall)} s (${f2(c.prepCpu + c.pairCpu)}; per-system ${
        f2(c.prepWall)
      })`;
    const tot = (c?: ReturnType<typeof comparePair>) =>
      c ? { wall: c.prepWall + c.pairWall, cpu: c.prepCpu + c.pairCpu } : { wall: NaN, cpu: NaN };
    const to = tot(pOld), tn = tot(pNew), tt = tot(pTarget);
    console.log(
      `${key.padEnd(11)} ${tag}: procrustes old ${pOld ? sec(pOld) : "-"}, new ${sec(pNew)}, ` +
        `ratio ${f2(to.wall / tn.wall)}× (${f2(to.cpu / tn.cpu)}×); angular old ${
          f5(pOld?.res.angular ?? NaN)
        } (${pOld?.res.bestStart ?? "-"}), new ${f5(pNew.res.angular)} (${pNew.res.bestStart}), ` +
        `grad norm ${pNew.res.gradNorm.toExponential(2)}, lower bound ${
          f5(pNew.res.lowerBound.angular)
        }, iterations old ${pOld?.res.totalIterations ?? "-"} new ${pNew.res.totalIterations}` +
        (pTarget
          ? `; to the old optimum: new ${sec(pTarget)}, ratio ${f2(to.wall / tt.wall)}× (${
            f2(to.cpu / tt.cpu)
          }×), angular ${f5(pTarget.res.angular)}, iterations ${pTarget.res.totalIterations}`
          : ""),
    );
    rows.push({
      kind: tag,
      setting: key,
      old: pOld
        ? {
          perSystemSeconds: pOld.prepWall,
          pairSeconds: pOld.pairWall,
          cpuSeconds: to.cpu,
          angular: pOld.res.angular,
          runs: pOld.res.runs,
        }
        : undefined,
      new: {
        perSystemSeconds: pNew.prepWall,
        pairSeconds: pNew.pairWall,
        cpuSeconds: tn.cpu,
        angular: pNew.res.angular,
        gradNorm: pNew.res.gradNorm,
        lowerBound: pNew.res.lowerBound,
        runs: pNew.res.runs,
      },
      toOldOptimum: pTarget
        ? {
          cpuSeconds: tt.cpu,
          wallSeconds: tt.wall,
          angular: pTarget.res.angular,
          iterations: pTarget.res.totalIterations,
          ratioCpu: to.cpu / tt.cpu,
        }
        : undefined,
    });
    return {
      old: pOld?.pairCpu ?? NaN,
      new: pNew.pairCpu,
      oldPrep: (pOld?.prepCpu ?? NaN) / 2,
      newPrep: pNew.prepCpu / 2,
    };
  };
  if (defaults.length > 0) console.log("\ndsaDistance default options (same fits):");
  for (const { key, d, r } of defaults) defaultRows[key] = runDefaults(key, d, r);
  let paperRow: Record<string, unknown> | undefined;
  if (values.paper) {
    const preset = PRESETS.paper;
    const members = preset.members, pairs = (members * (members - 1)) / 2 + 6;
    console.log(
      `\npaper preset DSA stage (${members} networks per population, ${pairs} pairs incl. ` +
        "6 self-check pairs): per-pair Procrustes CPU seconds with the preset's options, measured " +
        "on the bench pair at each Table 2 setting",
    );
    // per pair: Procrustes CPU seconds; per network: fit + per-system preparation
    const perPair: Record<string, { old: number; new: number; how: string }> = {};
    const perNet: Record<string, { old: number; new: number }> = {};
    const fitCpu = (key: string, d: number, r: number) => {
      const fo = fitBoth(a, b, d, r, true), fn = fitBoth(a, b, d, r, false);
      fitsOf.set(key, fn.value);
      return { old: fo.cpu / 2, new: fn.cpu / 2 };
    };
    for (const study of STUDIES) {
      const s = preset.dsa[STUDY_TASK[study]];
      const key = `${s.delays}/${s.rank}`;
      if (perPair[key]) continue;
      const fit = fitCpu(key, s.delays, s.rank);
      if (s.rank >= 500) {
        // the default schedule at this rank is too long to time routinely: scale the measured
        // default-options pair (restarts 2: 10 starts screened) to the preset's restarts, or
        // the single run (100 iterations) to the schedule's iteration count, and say which
        const iters = 30 * (8 + s.restarts) + 270 * 2;
        const dm = defaultRows[key];
        const single = rows.find((x) => x.kind === "single-run" && x.setting === key) as
          | {
            old?: { procrustesCpuSeconds: number };
            new: { procrustesCpuSeconds: number };
          }
          | undefined;
        if (dm) {
          const f = iters / (30 * 10 + 270 * 2);
          perPair[key] = { old: dm.old * f, new: dm.new * f, how: `defaults measured × ${f2(f)}` };
          perNet[key] = { old: fit.old + dm.oldPrep, new: fit.new + dm.newPrep };
        } else if (single) {
          const f = iters / 100;
          perPair[key] = {
            old: (single.old?.procrustesCpuSeconds ?? NaN) * f,
            new: single.new.procrustesCpuSeconds * f,
            how: `estimated: single run × ${iters}/100 iterations (add --defaults ${key})`,
          };
          perNet[key] = fit;
        } else {
          perPair[key] = { old: NaN, new: NaN, how: `not measured (add ${key} to --settings)` };
          perNet[key] = fit;
        }
      } else {
        const m = runDefaults(key, s.delays, s.rank, s.restarts);
        perPair[key] = { old: m.old, new: m.new, how: "measured" };
        perNet[key] = { old: fit.old + m.oldPrep, new: fit.new + m.newPrep };
      }
    }
    let hOld = 0, hNew = 0;
    const studies: Record<string, unknown>[] = [];
    console.log("study | task | delays/rank | populations | pairs | core-hours old | new | how");
    for (const study of STUDIES) {
      const s = preset.dsa[STUDY_TASK[study]];
      const key = `${s.delays}/${s.rank}`;
      const pops = preset.levels[study].length;
      const pp = perPair[key], pn = perNet[key];
      const old = (pops * (pairs * pp.old + members * pn.old)) / 3600;
      const nw = (pops * (pairs * pp.new + members * pn.new)) / 3600;
      hOld += old;
      hNew += nw;
      console.log(
        `${study} | ${STUDY_TASK[study]} | ${key} | ${pops} | ${pops * pairs} | ${
          old.toFixed(1)
        } | ${nw.toFixed(1)} | ${pp.how}`,
      );
      studies.push({
        study,
        key,
        populations: pops,
        coreHoursOld: old,
        coreHoursNew: nw,
        how: pp.how,
      });
    }
    console.log(
      `total DSA stage: ${hOld.toFixed(1)} core-hours before, ${hNew.toFixed(1)} after (${
        f2(hOld / hNew)
      }×). Proxy: the bench pair (64-unit random RNNs, 50 trials × 100 steps) stands for every ` +
        "network; fits per network at the same delays/rank.",
    );
    paperRow = { perPair, perNetwork: perNet, studies, coreHoursOld: hOld, coreHoursNew: hNew };
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
        `(${(secs / pairs).toFixed(3)} s/pair wall); CPU ${cpu.toFixed(0)} s in all; distances ${
          Math.min(...off).toFixed(4)
        }–${Math.max(...off).toFixed(4)}; self-check max d(X,X) ${
          Math.max(...res.selfChecks.selfDistance.map((x) => x.distance)).toExponential(1)
        }, max |d(i,j)−d(j,i)| ${
          Math.max(...res.selfChecks.symmetry.map((x) => x.absDiff)).toExponential(1)
        }, max restart spread ${res.selfChecks.maxRestartsSpread.toExponential(1)}`,
    );
    matrixRow = { systems: S, pairs, workers, seconds: secs, selfChecks: res.selfChecks };
  }
  const gflops1 = calibrate();
  console.log(
    `machine at the end: ${f2(gflops1.wall)} GFLOP/s per wall second, ${f2(gflops1.cpu)} per CPU ` +
      "second",
  );
  if (values.json) {
    await writeTextAtomic(
      values.json,
      JSON.stringify(
        {
          schema: "degeneracy.bench.dsa/2",
          machineGflops: [gflops0, gflops1],
          loadavg: Deno.loadavg(),
          rows,
          paper: paperRow,
          matrix: matrixRow,
        },
        null,
        2,
      ),
    );
  }
}
