import assert from "node:assert/strict";
import {
  contrastNoise,
  meanPairwiseVariance,
  noiseSplit,
  pairwiseComponents,
  replicateVariance,
  samplingModel,
  samplingVariance,
} from "../../metrics/noise.ts";
import { type PopulationData, populationStatistic } from "../../metrics/trend.ts";
import { makeRng } from "../../metrics/rng.ts";

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

function near(actual: number, expected: number, relTol: number, label = ""): void {
  assert.ok(
    Math.abs(actual - expected) <= relTol * Math.abs(expected),
    `${label} ${actual} vs ${expected} (relative tolerance ${relTol})`,
  );
}

/**
 * A synthetic population with known components: true distance θ + a_i + a_j + u_ij
 * (ζ₁ = σa², ζ₂ = 2σa² + σu²); a measurement adds a shared shift β, per-network terms α_i and
 * per-pair terms ε_ij.
 */
interface Truth {
  theta: number;
  sa: number;
  su: number;
}
interface Net {
  a: number[];
  u: number[][];
}
function drawNetworks(t: Truth, n: number, r: () => number): Net {
  const a = Array.from({ length: n }, () => t.sa * gauss(r));
  const u = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) u[i][j] = u[j][i] = t.su * gauss(r);
  }
  return { a, u };
}
function measure(
  t: Truth,
  net: Net,
  noise: { shared: number; perNetwork: number; perPair: number },
  r: () => number,
): number[][] {
  const n = net.a.length;
  const beta = noise.shared * gauss(r);
  const alpha = net.a.map(() => noise.perNetwork * gauss(r));
  const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      m[i][j] = m[j][i] = t.theta + net.a[i] + net.a[j] + net.u[i][j] + beta + alpha[i] +
        alpha[j] + noise.perPair * gauss(r);
    }
  }
  return m;
}
const pw = (m: number[][]): PopulationData => ({ kind: "pairwise", matrix: m });
const all = (n: number) => Array.from({ length: n }, (_, i) => i);

Deno.test("pairwiseComponents: unbiased for ζ₁ and ζ₂ of a known model", () => {
  const t: Truth = { theta: 1, sa: 0.2, su: 0.1 };
  const r = makeRng(1);
  let z1 = 0, z2 = 0, mean = 0;
  const reps = 3000, n = 8;
  for (let k = 0; k < reps; k++) {
    const c = pairwiseComponents(measure(t, drawNetworks(t, n, r), {
      shared: 0,
      perNetwork: 0,
      perPair: 0,
    }, r));
    z1 += c.zeta1 / reps;
    z2 += c.zeta2 / reps;
    mean += c.mean / reps;
  }
  near(z1, 0.04, 0.05, "ζ₁");
  near(z2, 2 * 0.04 + 0.01, 0.05, "ζ₂");
  near(mean, 1, 0.01, "θ");
});

Deno.test("meanPairwiseVariance: matches the Monte Carlo variance of the mean pairwise distance", () => {
  const t: Truth = { theta: 1, sa: 0.15, su: 0.2 };
  const r = makeRng(2);
  for (const n of [5, 12]) {
    const s: number[] = [];
    for (let k = 0; k < 4000; k++) {
      const m = measure(t, drawNetworks(t, n, r), { shared: 0, perNetwork: 0, perPair: 0 }, r);
      s.push(populationStatistic(pw(m), all(n)));
    }
    const mu = s.reduce((a, b) => a + b, 0) / s.length;
    const v = s.reduce((a, x) => a + (x - mu) ** 2, 0) / (s.length - 1);
    const expected = meanPairwiseVariance({ zeta1: 0.0225, zeta2: 2 * 0.0225 + 0.04 }, n);
    near(v, expected, 0.08, `n = ${n}`);
  }
  // closed form at n = 2: one pair, variance ζ₂
  assert.equal(meanPairwiseVariance({ zeta1: 0.3, zeta2: 0.5 }, 2), 0.5);
});

Deno.test("samplingModel: values σ²/n and the CV variance (jackknife, scaled as 1/n)", () => {
  const r = makeRng(3);
  const n = 20, sims = 4000;
  const cvs: number[] = [];
  let a = 0;
  for (let k = 0; k < sims; k++) {
    const x = Array.from({ length: n }, () => 2 + 0.3 * gauss(r));
    const d: PopulationData = { kind: "cv", values: x };
    cvs.push(populationStatistic(d, all(n)));
    const m = samplingModel(d);
    assert.equal(m.kind, "cv");
    a += samplingVariance(m, n) / sims;
  }
  const mu = cvs.reduce((s, v) => s + v, 0) / sims;
  const v = cvs.reduce((s, c) => s + (c - mu) ** 2, 0) / (sims - 1);
  near(a, v, 0.15, "CV variance");
  const mv = samplingModel({ kind: "values", values: [1, 2, 3, 4] });
  assert.deepEqual(mv, { kind: "values", sigma2: 5 / 3 });
  assert.equal(samplingVariance(mv, 4), 5 / 12);
});

Deno.test("replicateVariance: separates the shared and the network-specific measurement noise", () => {
  const t: Truth = { theta: 1, sa: 0.1, su: 0.05 };
  const noise = { shared: 0.02, perNetwork: 0.015, perPair: 0.03 };
  const n = 8, P = 28, R = 3;
  const r = makeRng(4);
  let v = 0, specific = 0, shared = 0;
  const sims = 3000;
  for (let k = 0; k < sims; k++) {
    const net = drawNetworks(t, n, r);
    const rv = replicateVariance(Array.from({ length: R }, () => pw(measure(t, net, noise, r))));
    assert.equal(rv.df, R - 1);
    v += rv.variance / sims;
    specific += rv.networkSpecific / sims;
    shared += rv.shared / sims;
  }
  const trueSpecific = (4 * noise.perNetwork ** 2) / n + noise.perPair ** 2 / P;
  near(v, noise.shared ** 2 + trueSpecific, 0.05, "variance");
  near(specific, trueSpecific, 0.05, "network-specific");
  // shared is floored at 0 per experiment, so its mean is biased up a little
  near(shared, noise.shared ** 2, 0.15, "shared");
});

Deno.test("noiseSplit: recovers known network, batch and optimiser variances", () => {
  // batch: shared 0.02, per network 0.01, per pair 0.02; optimiser: per pair 0.03 (no shared)
  const t: Truth = { theta: 0.5, sa: 0.05, su: 0.04 };
  const n = 8, P = 28;
  const r = makeRng(5);
  const sims = 2000;
  let batch = 0, opt = 0, nets = 0, addOn = 0;
  const dominant: Record<string, number> = {};
  for (let k = 0; k < sims; k++) {
    const net = drawNetworks(t, n, r);
    // a batch measurement: batch terms fixed for the batch, optimiser noise per (batch, seed)
    const batchTerms = () => {
      const beta = 0.02 * gauss(r);
      const alpha = net.a.map(() => 0.01 * gauss(r));
      const e = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) e[i][j] = 0.02 * gauss(r);
      return { beta, alpha, e };
    };
    const withSeed = (b: ReturnType<typeof batchTerms>) => {
      const m = Array.from({ length: n }, () => new Array<number>(n).fill(0));
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          m[i][j] = m[j][i] = t.theta + net.a[i] + net.a[j] + net.u[i][j] + b.beta + b.alpha[i] +
            b.alpha[j] + b.e[i][j] + 0.03 * gauss(r);
        }
      }
      return pw(m);
    };
    const b0 = batchTerms();
    const base = withSeed(b0);
    const s = noiseSplit(base, {
      batch: [base, withSeed(batchTerms()), withSeed(batchTerms())],
      optimiser: [base, withSeed(b0), withSeed(b0)],
    });
    batch += s.batch! / sims;
    opt += s.optimiser! / sims;
    nets += s.networks / sims;
    addOn += s.addOn.variance / sims;
    dominant[s.dominant] = (dominant[s.dominant] ?? 0) + 1;
  }
  const trueBatch = 0.02 ** 2 + (4 * 0.01 ** 2) / n + 0.02 ** 2 / P;
  const trueOpt = 0.03 ** 2 / P;
  near(batch, trueBatch, 0.1, "batch");
  near(opt, trueOpt, 0.1, "optimiser");
  // networks: U-statistic variance of the observed distances (true model + measurement terms)
  const zeta1 = 0.05 ** 2 + 0.01 ** 2;
  const zeta2 = 2 * zeta1 + 0.04 ** 2 + 0.02 ** 2 + 0.03 ** 2;
  near(nets, meanPairwiseVariance({ zeta1, zeta2 }, n), 0.1, "networks");
  // the add-on is the shared batch variance (the optimiser noise is pair-specific)
  near(addOn, 0.02 ** 2, 0.35, "add-on");
  // here the networks' variance (1.4e-3) exceeds the batch's (4.6e-4) and the optimiser's
  // (R = 3 replicates give the batch estimate 2 df, so it overshoots now and then)
  assert.ok((dominant.networks ?? 0) > sims * 0.75, JSON.stringify(dominant));
});

Deno.test("contrastNoise: weights the sources and names the dominant one", () => {
  const c = contrastNoise([-1, 0, 1], [
    { networks: 1, batch: 2, optimiser: null },
    { networks: 100, batch: 100, optimiser: 100 },
    { networks: 1, batch: 4, optimiser: 0.5 },
  ]);
  assert.deepEqual(c.variance, { networks: 2, batch: 6, optimiser: 0.5 });
  assert.equal(c.dominant, "batch");
  assert.ok(Math.abs(c.shares.batch - 6 / 8.5) < 1e-12);
});

Deno.test("noise: bad input names the field", () => {
  assert.throws(() => pairwiseComponents([[0, 1], [1, 0]]), /n ≥ 4/);
  assert.throws(() => replicateVariance([pw([[0, 1], [1, 0]])]), /at least 2/);
  assert.throws(
    () => replicateVariance([pw([[0, 1], [1, 0]]), { kind: "values", values: [1, 2] }]),
    /replicates\[1\]\.kind/,
  );
  assert.throws(() => meanPairwiseVariance({ zeta1: 0, zeta2: 0 }, 1.5), /integer ≥ 2/);
  assert.throws(
    () => pairwiseComponents([[0, NaN, 1, 1], [1, 0, 1, 1], [1, 1, 0, 1], [1, 1, 1, 0]]),
    /must be finite/,
  );
});
