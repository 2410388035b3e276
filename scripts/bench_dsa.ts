/**
 * DSA benchmark (issue 3, "Performance"): one pair of seeded random 64-unit tanh RNNs
 * driven by noise, 50 trials × 100 steps, at (delays, rank) = (10,50), (10,100), (20,200),
 * (30,500): time of the two DMD fits and of the angular Procrustes comparison, compared
 * with the reference timings of ../shared/bench/README.md (torch 1.13 CPU, 1 thread,
 * 1500 Adam iterations × 2 runs). Optionally the 50-system pairwise matrix at 10/50 on
 * one worker per core (`--matrix`).
 *
 * Usage: deno run --allow-read --allow-write scripts/bench_dsa.ts [--settings 10/50,10/100]
 *          [--repeats 1] [--matrix] [--systems 50] [--workers 2] [--json out.json]
 *
 * @module
 */
import { parseArgs } from "node:util";
import { compareDmd, type DmdFit, fitDmd, type FlatTrajectories } from "../metrics/dsa.ts";

/** Reference seconds (DMD fit both systems, Procrustes angular), ../shared/bench/README.md. */
const REFERENCE: Record<string, { fit: [number, number]; procrustes: number }> = {
  "10/50": { fit: [13, 15], procrustes: 13.5 },
  "10/100": { fit: [4, 4], procrustes: 27 },
  "20/200": { fit: [12, 19], procrustes: 154 },
  "30/500": { fit: [17, 27], procrustes: 900 },
};

/** Seeded normal sampler (mulberry32 + Box–Muller). */
function normalRng(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
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

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      settings: { type: "string", default: "10/50,10/100,20/200,30/500" },
      repeats: { type: "string", default: "1" },
      restarts: { type: "string" },
      json: { type: "string" },
      matrix: { type: "boolean", default: false },
      systems: { type: "string", default: "50" },
      workers: { type: "string", default: "2" },
    },
  });
  const settings = values.settings!.split(",").map((s) => s.trim()).filter(Boolean);
  const repeats = Number(values.repeats);
  const a = randomRnnTrajectories(1);
  const b = randomRnnTrajectories(2);
  const rows: Record<string, unknown>[] = [];
  console.log(
    "delays/rank | fit both (s) | procrustes (s) | pair total (s) | ref pair (s) | speed-up | angular | spread | runs",
  );
  for (const st of settings) {
    const [d, r] = st.split("/").map(Number);
    for (let rep = 0; rep < repeats; rep++) {
      const t0 = performance.now();
      const fa: DmdFit = fitDmd(a, { delays: d, rank: r });
      const fb: DmdFit = fitDmd(b, { delays: d, rank: r });
      const t1 = performance.now();
      const c = compareDmd(fa, fb, {
        score: "angular",
        ...(values.restarts !== undefined ? { restarts: Number(values.restarts) } : {}),
      });
      const t2 = performance.now();
      const fit = (t1 - t0) / 1000, proc = (t2 - t1) / 1000, total = fit + proc;
      const ref = REFERENCE[st];
      const refTotal = ref ? (ref.fit[0] + ref.fit[1]) / 2 + ref.procrustes : NaN;
      const p = c.procrustes!;
      console.log(
        `${st.padEnd(11)} | ${fit.toFixed(2).padStart(12)} | ${proc.toFixed(2).padStart(14)} | ${
          total.toFixed(2).padStart(14)
        } | ${refTotal.toFixed(1).padStart(12)} | ${(refTotal / total).toFixed(1).padStart(8)} | ${
          c.distance.toFixed(6)
        } | ${p.restartsSpread.toExponential(2)} | ${
          p.runs.map((x) => `${x.start}:${x.angular.toFixed(4)}/${x.iterations}`).join(" ")
        }`,
      );
      rows.push({
        setting: st,
        delays: d,
        rank: r,
        fitBothSeconds: fit,
        procrustesSeconds: proc,
        pairSeconds: total,
        referencePairSeconds: refTotal,
        speedup: refTotal / total,
        angular: c.distance,
        restartsSpread: p.restartsSpread,
        runs: p.runs,
      });
    }
  }
  if (values.json) {
    const tmp = values.json + ".tmp";
    Deno.writeTextFileSync(
      tmp,
      JSON.stringify({ schema: "degeneracy.bench.dsa/1", rows }, null, 2),
    );
    Deno.renameSync(tmp, values.json);
  }
}
