import assert from "node:assert/strict";
import { type Population, trendContrastWeights, trendTest } from "../../metrics/trend.ts";
import { makeRng } from "../../metrics/rng.ts";

function pops(measurement?: number): Population[] {
  const r = makeRng(3);
  return [0, 1, 2].map((level) => ({
    level,
    data: { kind: "values", values: Array.from({ length: 8 }, () => 1 + 0.1 * level + 0.2 * r()) },
    ...(measurement !== undefined ? { measurementVariance: { variance: measurement } } : {}),
  }));
}

Deno.test("trendTest measurementVariance: 0 changes nothing; v adds Σ c² v to the contrast variance", () => {
  const plain = trendTest(pops(), { resamples: 500, seed: 1 });
  assert.deepEqual(trendTest(pops(0), { resamples: 500, seed: 1 }), plain);
  const v = 0.002;
  const noisy = trendTest(pops(v), { resamples: 500, seed: 1 });
  const w = trendContrastWeights(3);
  const added = w.reduce((a, c) => a + c * c * v, 0);
  assert.ok(Math.abs(noisy.contrast.se ** 2 - plain.contrast.se ** 2 - added) < 1e-12);
  assert.equal(noisy.contrast.estimate, plain.contrast.estimate);
  assert.ok(noisy.contrast.p > plain.contrast.p);
  // the percentile intervals widen too (an independent Gaussian per replicate)
  const width = (i: { ciLow: number; ciHigh: number }) => i.ciHigh - i.ciLow;
  noisy.means.forEach((m, i) => assert.ok(width(m) > width(plain.means[i])));
  // with finite df the Welch–Satterthwaite df falls
  const fewDf = trendTest(
    pops(v).map((p) => ({ ...p, measurementVariance: { variance: v, df: 2 } })),
    { resamples: 500, seed: 1 },
  );
  assert.ok(fewDf.contrast.df < noisy.contrast.df);
  assert.throws(
    () => trendTest(pops(-1), { resamples: 500 }),
    /populations\[0\]\.measurementVariance\.variance/,
  );
});
