import assert from "node:assert/strict";
import { attractorness } from "../metrics/attractorness.ts";
import { dimensionality, pcaSpectrum } from "../metrics/dimensionality.ts";
import { symmetricEigen } from "../metrics/linalg/jacobi.ts";
import { makeRng } from "../metrics/rng.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

/** A random orthogonal n × n matrix (Gram–Schmidt on uniform entries). */
function randomOrthogonal(n: number, rng: () => number): number[][] {
  const q: number[][] = [];
  while (q.length < n) {
    const v = Array.from({ length: n }, () => rng() - 0.5);
    for (const u of q) {
      const d = u.reduce((a, x, i) => a + x * v[i], 0);
      for (let i = 0; i < n; i++) v[i] -= d * u[i];
    }
    const norm = Math.hypot(...v);
    if (norm > 1e-6) q.push(v.map((x) => x / norm));
  }
  return q;
}

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

Deno.test("symmetric eigen: known spectrum and reconstruction", () => {
  const rng = makeRng(1);
  const n = 6;
  const q = randomOrthogonal(n, rng);
  const lam = [5, 3, 2, -1, 0.5, 0];
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      a[i * n + j] = lam.reduce((s, l, k) => s + l * q[k][i] * q[k][j], 0);
    }
  }
  const { values, vectors } = symmetricEigen(a, n);
  const sorted = [...lam].sort((x, y) => y - x);
  sorted.forEach((l, k) => close(values[k], l, 1e-12));
  // A v = λ v for each pair
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[j * n + k];
      close(s, values[k] * vectors[i * n + k], 1e-12);
    }
  }
});

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

Deno.test("attractorness Δh: closed forms", () => {
  // constant non-zero state → 0
  assert.equal(attractorness([[[1, 2], [1, 2], [1, 2]]]).mean, 0);
  // alternating ±v: every step moves 2‖v‖, mean norm ‖v‖ → 2
  const v = [3, 4];
  const alt = [[v, v.map((x) => -x), v, v.map((x) => -x)]];
  close(attractorness(alt).mean, 2, 1e-15);
  // ramp h_t = t·v for t = 1..4: steps of ‖v‖, mean norm 2.5‖v‖ → 0.4
  const ramp = [[1, 2, 3, 4].map((t) => v.map((x) => t * x))];
  close(attractorness(ramp).perTrial[0], 0.4, 1e-15);
  // mean over trials, invariant to scaling the hidden states
  const both = attractorness([alt[0], ramp[0].map((r) => r.map((x) => 10 * x))]);
  close(both.perTrial[1], 0.4, 1e-15);
  close(both.mean, 1.2, 1e-15);
  assert.throws(() => attractorness([[[0, 0], [0, 0]]]), /hidden\[0\] is zero/);
  assert.throws(() => attractorness([[[1, 2]]]), /at least 2 steps/);
});
