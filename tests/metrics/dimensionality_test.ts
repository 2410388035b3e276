import assert from "node:assert/strict";
import { dimensionality, pcaSpectrum } from "../../metrics/dimensionality.ts";
import { makeRng } from "../../metrics/rng.ts";
import { randomOrthogonal } from "./helpers.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

/**
 * Hidden states with exactly known PCA: 2 trials × 8 steps; along latent axis k the 16
 * samples are ±s_k in a balanced ±1 pattern (orthogonal across k, zero mean), so the
 * covariance eigenvalues are s_k²·16/15. Rotated into `units` dims by a random orthogonal map.
 */
function plantedHidden(scales: number[], units: number, seed: number): number[][][] {
  const rng = makeRng(seed);
  const q = randomOrthogonal(units, rng);
  // columns of a 16×16 Hadamard-like ±1 pattern: bit parity patterns, mutually orthogonal
  const pattern = (sample: number, k: number) => {
    let bits = sample & (k + 1);
    let parity = 0;
    while (bits) {
      parity ^= bits & 1;
      bits >>= 1;
    }
    return parity ? -1 : 1;
  };
  return [0, 1].map((b) =>
    Array.from({ length: 8 }, (_, t) => {
      const s = b * 8 + t;
      const z = scales.map((sc, k) => sc * pattern(s, k));
      return Array.from({ length: units }, (_, u) => z.reduce((a, zk, k) => a + zk * q[k][u], 0));
    })
  );
}

Deno.test("dimensionality: planted variances give the closed-form PC count", () => {
  // variances ∝ 10², 5², 2², 1² → shares 100/130, 25/130, 4/130, 1/130
  const h = plantedHidden([10, 5, 2, 1], 12, 3);
  const spec = pcaSpectrum(h);
  close(spec.variances[0], 100 * 16 / 15, 1e-9);
  close(spec.variances[3], 16 / 15, 1e-9);
  close(spec.variances[4], 0, 1e-9);
  close(spec.cumulative[1], 125 / 130, 1e-12);
  assert.equal(dimensionality(h), 2); // 125/130 = 0.9615 ≥ 0.95
  assert.equal(dimensionality(h, { threshold: 0.97 }), 3); // 129/130 = 0.992
  assert.equal(dimensionality(h, { threshold: 0.7 }), 1); // 100/130 = 0.769
  assert.equal(dimensionality(h, { threshold: 1 }), 4);
  // invariant to the rotation of the unit basis and to a constant offset
  const h2 = plantedHidden([10, 5, 2, 1], 12, 99).map((tr) =>
    tr.map((row) => row.map((x) => x + 7))
  );
  assert.equal(dimensionality(h2), 2);
  // flat input with shape gives the same answer
  const flat = { data: h.flat(2), trials: 2, steps: 8, units: 12 };
  assert.equal(dimensionality(flat), 2);
  // constant hidden state: no variance → 0
  assert.equal(dimensionality([[[1, 2], [1, 2]]]), 0);
  assert.throws(() => dimensionality(h, { threshold: 0 }), /threshold/);
  assert.throws(() => dimensionality([[[1, 2], [1]]]), /hidden\[0\]\[1\]/);
});
