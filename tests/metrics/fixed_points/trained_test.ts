/**
 * The fixed-point finder on trained networks, committed as fixtures made by
 * `scripts/fixtures/fixed_points.ts` (tests/fixtures/fixed_points/):
 * - `flipflop3.json`, a 3-bit flip-flop (H = 32, converged to test MSE < 5e-4). Under the resting
 *   input (no pulse) a converged N-bit flip-flop holds 2^N stable fixed points, each reading out
 *   near one corner of the output cube {−1, 1}^N (paper §3.1, Fig. 2E).
 * - `dd_aux.json`, delayed discrimination with the auxiliary f1 − f2 output (H = 64, converged):
 *   during the delay it stores f1 − f2 on a line attractor (paper Fig. 7).
 */
import assert from "node:assert/strict";
import {
  findFixedPoints,
  fixedPointNet,
  type NetworkRecord,
  runNetwork,
  sampleStarts,
} from "../../../mod.ts";
import { createTask } from "../../../tasks/factory.ts";

const record = JSON.parse(
  await Deno.readTextFile(new URL("../../fixtures/fixed_points/flipflop3.json", import.meta.url)),
) as NetworkRecord;

/** Hidden states of the network on 32 trials of its task (data seed 0), one state per row. */
function trajectoryStates(): number[][] {
  const task = createTask({ name: "flipflop", ...record.task.params } as never);
  const run = runNetwork(record, null, task.sample(32, 0));
  const H = record.shape.hidden, out: number[][] = [];
  for (let i = 0; i < run.hidden.length; i += H) {
    out.push(Array.from(run.hidden.subarray(i, i + H)));
  }
  return out;
}

const readout = (h: number[]) =>
  record.final.wo.map((row, o) => row.reduce((s, w, j) => s + w * h[j], record.final.bo[o]));

const net = fixedPointNet(record, [0, 0, 0]);
const states = trajectoryStates();

Deno.test("fixture: a converged 3-bit flip-flop", () => {
  assert.equal(record.status, "converged");
  assert.equal(record.task.name, "flipflop");
  assert.equal(record.task.params.n, 3);
  assert.ok(record.history.testLoss.slice(-3).every((l) => l < 5e-4));
});

Deno.test("trained 3-bit flip-flop: 8 stable fixed points, one next to each corner of the output cube", () => {
  const r = findFixedPoints(net, { starts: states, seed: 0 });
  const stable = r.fixedPoints.filter((p) => p.stable);
  assert.equal(stable.length, 8);
  const corners = new Set<string>();
  for (const p of stable) {
    const y = readout(p.h);
    const corner = y.map((v) => (v > 0 ? 1 : -1));
    const gap = Math.max(...y.map((v, i) => Math.abs(v - corner[i])));
    assert.ok(gap < 0.1, `readout ${y} is ${gap} from corner ${corner}`);
    corners.add(corner.join(","));
    assert.equal(p.kind, "stable");
    assert.ok(Math.hypot(p.eigenvalues[0].re, p.eigenvalues[0].im) < 1);
  }
  assert.equal(corners.size, 8, "every corner once");
  for (const p of r.fixedPoints) assert.ok(p.residual <= 1e-10, `residual ${p.residual}`);
  // this network holds the full 3^3 set of the flip-flop solution (checked with 2048 starts
  // and noise 0.2, and with 4096 starts and noise 0.5): 8 stable, 12 saddles with one unstable
  // direction, 6 with two, 1 with three
  const byDims = [0, 1, 2, 3].map((k) => r.fixedPoints.filter((p) => p.unstableDims === k).length);
  assert.deepEqual(byDims, [8, 12, 6, 1]);
  assert.equal(r.fixedPoints.length, 27);
  assert.equal(r.continua.length, 0, "no line attractor in a flip-flop");
});

Deno.test("trained flip-flop: eigenvalues match a finite-difference Jacobian (traces of J and J²)", () => {
  const r = findFixedPoints(net, { starts: states, seed: 1, midpoints: 0 });
  const H = net.b.length;
  const F = (h: number[]) =>
    net.wh.map((row, i) => Math.tanh(row.reduce((s, w, j) => s + w * h[j], net.b[i])));
  for (const p of r.fixedPoints.slice(0, 4)) {
    const eps = 1e-6;
    const J = Array.from({ length: H }, () => new Array(H).fill(0));
    for (let j = 0; j < H; j++) {
      const hp = p.h.slice(), hm = p.h.slice();
      hp[j] += eps;
      hm[j] -= eps;
      const fp = F(hp), fm = F(hm);
      for (let i = 0; i < H; i++) J[i][j] = (fp[i] - fm[i]) / (2 * eps);
    }
    let tr = 0, tr2 = 0;
    for (let i = 0; i < H; i++) {
      tr += J[i][i];
      for (let k = 0; k < H; k++) tr2 += J[i][k] * J[k][i];
    }
    const sum = p.eigenvalues.reduce((s, e) => s + e.re, 0);
    const sum2 = p.eigenvalues.reduce((s, e) => s + e.re * e.re - e.im * e.im, 0);
    assert.ok(Math.abs(sum - tr) < 1e-7, `Σλ ${sum} vs tr J ${tr}`);
    assert.ok(Math.abs(sum2 - tr2) < 1e-7, `Σλ² ${sum2} vs tr J² ${tr2}`);
    assert.equal(p.eigenvalues.reduce((s, e) => s + e.im, 0) < 1e-9, true, "conjugate pairs");
  }
});

Deno.test("trained flip-flop: seeded — same seed, same result; other seeds, same fixed points", () => {
  const a = findFixedPoints(net, { starts: states, seed: 4, numStarts: 64, midpoints: 64 });
  const b = findFixedPoints(net, { starts: states, seed: 4, numStarts: 64, midpoints: 64 });
  assert.deepEqual(a.fixedPoints, b.fixedPoints);
  assert.deepEqual(a.slowPoints, b.slowPoints);
  const c = findFixedPoints(net, { starts: states, seed: 5 });
  const d = findFixedPoints(net, { starts: states, seed: 0 });
  assert.equal(c.fixedPoints.length, d.fixedPoints.length);
  c.fixedPoints.forEach((p, i) => {
    const q = d.fixedPoints[i];
    assert.equal(p.unstableDims, q.unstableDims);
    assert.ok(Math.hypot(...p.h.map((x, j) => x - q.h[j])) < 1e-9, "same point");
  });
});

Deno.test("sampleStarts: seeded draws from the pool, without replacement, plus noise", () => {
  const pool = Float64Array.from({ length: 10 * 3 }, (_, i) => i);
  const s1 = sampleStarts(pool, 3, { numStarts: 10, noise: 0, seed: 9 });
  const rows = Array.from({ length: 10 }, (_, k) => s1[k * 3]);
  assert.deepEqual([...rows].sort((x, y) => x - y), [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]);
  assert.deepEqual(sampleStarts(pool, 3, { numStarts: 10, noise: 0, seed: 9 }), s1);
  const s2 = sampleStarts(pool, 3, { numStarts: 25, noise: 0, seed: 9 });
  const counts = new Map<number, number>();
  for (let k = 0; k < 25; k++) counts.set(s2[k * 3], (counts.get(s2[k * 3]) ?? 0) + 1);
  assert.ok([...counts.values()].every((c) => c === 2 || c === 3), "cycles through the pool");
  const big = Float64Array.from({ length: 4000 }, () => 0.5);
  const noisy = sampleStarts(big, 1, { numStarts: 4000, noise: 0.1, seed: 1 });
  const mean = noisy.reduce((s, x) => s + x, 0) / 4000;
  const sd = Math.sqrt(noisy.reduce((s, x) => s + (x - mean) ** 2, 0) / 3999);
  assert.ok(Math.abs(mean - 0.5) < 0.01 && Math.abs(sd - 0.1) < 0.01, `mean ${mean} sd ${sd}`);
  const uniform = sampleStarts(null, 2, { numStarts: 1000, noise: 0, seed: 1 });
  assert.ok(uniform.every((x) => x > -1 && x < 1));
});

Deno.test("trained delayed discrimination with the auxiliary f1 − f2 output: a line attractor storing f1 − f2", () => {
  // `dd_aux.json`: H = 64, auxiliary weight 1, converged (test loss < 0.05)
  const dd = JSON.parse(
    Deno.readTextFileSync(new URL("../../fixtures/fixed_points/dd_aux.json", import.meta.url)),
  ) as NetworkRecord;
  assert.equal(dd.status, "converged");
  assert.equal(dd.shape.auxDim, 1);
  const task = createTask({ name: "delayed_discrimination", ...dd.task.params } as never);
  const run = runNetwork(dd, null, task.sample(32, 0));
  const H = dd.shape.hidden, pool: number[][] = [];
  for (let i = 0; i < run.hidden.length; i += H) {
    pool.push(Array.from(run.hidden.subarray(i, i + H)));
  }
  // delay period: no input
  const r = findFixedPoints(fixedPointNet(dd, [0]), { starts: pool, seed: 0, numStarts: 64 });
  assert.equal(r.continua.length, 1);
  const line = r.continua[0];
  assert.equal(line.dimension, 1);
  assert.ok(line.extents[0] > 8, `length ${line.extents[0]}`);
  assert.ok(line.maxResidual <= r.options.continuumTol);
  // every fixed point lies on it, and the auxiliary readout runs monotonically along it over
  // most of the range of f1 − f2 (±8)
  assert.deepEqual(line.members.fixedPoints, r.fixedPoints.map((_, i) => i));
  const aux = (h: number[]) => dd.final.wo[1].reduce((s, w, j) => s + w * h[j], dd.final.bo[1]);
  const ys = line.curves[0].map(aux);
  const rising = ys.at(-1)! > ys[0];
  ys.slice(1).forEach((y, i) =>
    assert.ok(rising ? y >= ys[i] : y <= ys[i], `readout not monotone at ${i}`)
  );
  assert.ok(
    Math.min(...ys) < -6 && Math.max(...ys) > 6,
    `readout range ${Math.min(...ys)}..${Math.max(...ys)}`,
  );
});
