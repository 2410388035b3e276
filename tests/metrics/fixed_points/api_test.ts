/**
 * The fixed-point finder's inputs and helpers: option and network validation (each error
 * names the field and its range), `fixedPointNet` (effective bias b + W_x x*), the stability
 * labels, the summaries and PC projection for metric files and figures, and the
 * reference-style Adam baseline of the bench.
 */
import assert from "node:assert/strict";
import {
  classifyEigenvalues,
  findFixedPoints,
  FIXED_POINT_DEFAULTS,
  fixedPointNet,
  projectFixedPoints,
  summarizeFixedPoints,
  UNIT_CIRCLE_TOL,
} from "../../../mod.ts";
import { adamFixedPoints } from "../../../scripts/bench/fixed_points_adam.ts";
import { sampleStarts } from "../../../metrics/fixed_points/finder.ts";

const net = { wh: [[1.5, 0], [0, 1.5]], b: [0, 0] };

Deno.test("bad options throw naming the field and its range", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ numStarts: 0 }, /options\.numStarts must be an integer in \[1, 100000\], got 0/],
    [{ numStarts: 2.5 }, /options\.numStarts/],
    [{ noise: -1 }, /options\.noise must be a number ≥ 0, got -1/],
    [{ midpoints: -1 }, /options\.midpoints must be an integer in \[0, 100000\]/],
    [{ fixedTol: 0 }, /options\.fixedTol must be a number in \(0, 1e-3\]/],
    [{ fixedTol: 1e-2 }, /options\.fixedTol/],
    [{ slowTol: 1e-12 }, /options\.slowTol must be a number ≥ fixedTol \(1e-10\)/],
    [{ handoffTol: 2 }, /options\.handoffTol must be a number in \[fixedTol, 1\]/],
    [{ maxIters: 0 }, /options\.maxIters must be an integer in \[1, 1000000\]/],
    [{ memory: 0 }, /options\.memory must be an integer in \[1, 100\]/],
    [{ gradTol: 0 }, /options\.gradTol must be a number > 0/],
    [{ maxNewtonIters: 0 }, /options\.maxNewtonIters must be an integer in \[1, 1000\]/],
    [{ uniqueTol: 0 }, /options\.uniqueTol must be a number > 0/],
    [{ mergeRadius: -1 }, /options\.mergeRadius must be a number > 0/],
    [{ slowRadius: 0 }, /options\.slowRadius must be a number > 0/],
    [{ maxSlowPoints: -1 }, /options\.maxSlowPoints must be an integer in \[0, 1000000\]/],
    [{ marginalTol: 1 }, /options\.marginalTol must be a number in \(0, 1\)/],
    [{ continua: "yes" }, /options\.continua must be true or false/],
    [{ continuumTol: 0 }, /options\.continuumTol must be a number > 0/],
    [{ traceStep: 0 }, /options\.traceStep must be a number > 0/],
    [{ maxTraceSteps: 0 }, /options\.maxTraceSteps must be an integer in \[1, 1000000\]/],
    [{ minContinuumLength: -1 }, /options\.minContinuumLength must be a number ≥ 0/],
    [{ seed: 0.5 }, /options\.seed must be an integer/],
    [{ seed: NaN }, /options\.seed/],
    [{ tolerance: 1 }, /options\.tolerance is not an option/],
    [{ starts: [] }, /options\.starts must be a non-empty array of states/],
    [{ starts: [[0, 0, 0]] }, /options\.starts\[0\] must have H = 2 numbers/],
    [{ starts: [[0, NaN]] }, /options\.starts\[0\]\[1\] must be a finite number/],
  ];
  for (const [opts, re] of cases) {
    assert.throws(() => findFixedPoints(net, opts as never), re, JSON.stringify(opts));
  }
});

Deno.test("bad networks throw naming the field", () => {
  assert.throws(() => findFixedPoints({ wh: [], b: [] }), /net\.wh must be a non-empty H×H/);
  assert.throws(() => findFixedPoints({ wh: [[1, 0]], b: [0] }), /net\.wh\[0\] must have H = 1/);
  assert.throws(
    () => findFixedPoints({ wh: [[1]], b: [0, 0] }),
    /net\.b must be an array of H = 1/,
  );
  assert.throws(
    () => findFixedPoints({ wh: [[1, Infinity], [0, 1]], b: [0, 0] }),
    /net\.wh\[0\]\[1\] must be a finite number/,
  );
  assert.throws(() => findFixedPoints({ wh: [[1]], b: [NaN] }), /net\.b\[0\] must be a finite/);
});

Deno.test("the result echoes every option, defaults filled in", () => {
  const r = findFixedPoints(net, { seed: 3, numStarts: 20 });
  assert.deepEqual(r.options, { ...FIXED_POINT_DEFAULTS, seed: 3, numStarts: 20, startsGiven: 0 });
  // second round: one start per pair of first-round fixed points (at most `midpoints`)
  const extra = r.diagnostics.starts - 20;
  assert.ok(extra > 0 && extra <= 36 && extra <= FIXED_POINT_DEFAULTS.midpoints, `${extra}`);
});

Deno.test("fixedPointNet: W_h and the effective bias b + W_x x*", () => {
  const record = {
    shape: { inputDim: 2, hidden: 2, outputDim: 1, auxDim: 0 },
    final: {
      wx: [[1, 2], [3, 4]],
      wh: [[0.5, 0], [0, 0.5]],
      b: [0.1, -0.1],
      wo: [[1, 1]],
      bo: [0],
    },
    initial: { wx: [[0, 0], [0, 0]], wh: [[0, 0], [0, 0]], b: [9, 9], wo: [[0, 0]], bo: [0] },
  };
  const m = fixedPointNet(record, [1, -1]);
  assert.deepEqual(m.wh, [[0.5, 0], [0, 0.5]]);
  assert.deepEqual(m.b, [0.1 + 1 - 2, -0.1 + 3 - 4]);
  assert.deepEqual(fixedPointNet(record, [0, 0], "initial").b, [9, 9]);
  assert.throws(() => fixedPointNet(record, [1]), /input must be an array of inputDim = 2 numbers/);
  assert.throws(() => fixedPointNet(record, [1, NaN]), /input\[1\] must be a finite number/);
  assert.throws(
    () => fixedPointNet({ ...record, final: { ...record.final, wh: [[1]] } }, [0, 0]),
    /record\.final\.wh must be an array of 2 rows/,
  );
  assert.throws(
    () => fixedPointNet({ ...record, final: { ...record.final, b: [0] } }, [0, 0]),
    /record\.final\.b\[0\] must have 2 numbers/,
  );
});

Deno.test("stability labels from eigenvalue moduli", () => {
  const e = (re: number, im = 0) => ({ re, im });
  assert.deepEqual(classifyEigenvalues([e(0.9), e(0.1)]), {
    stable: true,
    unstableDims: 0,
    kind: "stable",
  });
  assert.deepEqual(classifyEigenvalues([e(1.2), e(0.5)]), {
    stable: false,
    unstableDims: 1,
    kind: "saddle",
  });
  assert.deepEqual(classifyEigenvalues([e(0.9, 0.9), e(0.9, -0.9)]), {
    stable: false,
    unstableDims: 2,
    kind: "unstable",
  });
  assert.deepEqual(classifyEigenvalues([e(1), e(0.5)]), {
    stable: false,
    unstableDims: 0,
    kind: "marginal",
  });
  assert.deepEqual(classifyEigenvalues([e(1 + 2 * UNIT_CIRCLE_TOL), e(0.5)]).unstableDims, 1);
  assert.deepEqual(classifyEigenvalues([e(1 - 2 * UNIT_CIRCLE_TOL)]).kind, "stable");
});

Deno.test("reference-style Adam baseline: stops at the anchor's tolerance near true fixed points", () => {
  const starts = sampleStarts(null, 2, { numStarts: 64, noise: 0, seed: 2 });
  const r = adamFixedPoints(net, starts, { maxIters: 3000 });
  const exact = findFixedPoints(net, { seed: 2, numStarts: 64 }).fixedPoints;
  assert.ok(r.iterations <= 3000);
  // every point it keeps at small q lies near one of the 9 exact fixed points
  const kept = r.points.filter((p) => p.q < 1e-8);
  assert.ok(kept.length >= 4, `${kept.length} points`);
  for (const p of kept) {
    const d = Math.min(...exact.map((e) => Math.hypot(p.h[0] - e.h[0], p.h[1] - e.h[1])));
    assert.ok(d < 1e-3, `point ${p.h} is ${d} from every exact fixed point`);
  }
  assert.ok(r.iterations < 3000, "stopped at tol_q, not at the iteration limit");
  // no refinement: its residuals stay at the optimiser's tolerance, not at rounding level
  assert.ok(Math.max(...r.points.map((p) => p.residual)) > 1e-10);
});

Deno.test("projectFixedPoints: planted axes recovered, points projected in the same coordinates", () => {
  // states on two orthogonal planted axes of a 4-unit space: coordinates (±2, ±1) in every
  // combination (uncorrelated, variances 4 : 1) around the mean m
  const u = [0.5, 0.5, 0.5, 0.5], v = [0.5, -0.5, 0.5, -0.5], m = [0.1, 0.2, 0.3, 0.4];
  const combos = [[2, 1], [2, -1], [-2, 1], [-2, -1]];
  const all = [0, 1, 2, 3].map(() =>
    combos.map(([a, b]) => m.map((x, i) => x + a * u[i] + b * v[i]))
  );
  const p = { h: m.map((x, i) => x + 1.5 * u[i] - 0.5 * v[i]), residual: 0 };
  const point = { ...p, eigenvalues: [], stable: true, unstableDims: 0, kind: "stable" as const };
  const proj = projectFixedPoints(all, { fixedPoints: [point], slowPoints: [], continua: [] }, 2);
  const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
  assert.ok(Math.abs(Math.abs(dot(proj.axes[0], u)) - 1) < 1e-9, "first axis is u");
  assert.ok(Math.abs(Math.abs(dot(proj.axes[1], v)) - 1) < 1e-9, "second axis is v");
  proj.mean.forEach((x, i) => assert.ok(Math.abs(x - m[i]) < 1e-12));
  const su = Math.sign(dot(proj.axes[0], u)), sv = Math.sign(dot(proj.axes[1], v));
  assert.ok(Math.abs(proj.fixedPoints[0][0] - 1.5 * su) < 1e-9);
  assert.ok(Math.abs(proj.fixedPoints[0][1] + 0.5 * sv) < 1e-9);
  assert.ok(Math.abs(proj.explained[0] + proj.explained[1] - 1) < 1e-9);
  assert.ok(proj.explained[0] > proj.explained[1]);
  assert.equal(proj.trajectories.length, 4);
  assert.equal(proj.trajectories[0][0].length, 2);
  assert.throws(
    () => projectFixedPoints(all, { fixedPoints: [], slowPoints: [], continua: [] }, 5),
    /dims must be an integer in \[1, 4\]/,
  );
});

Deno.test("summarizeFixedPoints: counts, line-attractor length, leading eigenvalues", () => {
  const r = findFixedPoints(net, { seed: 1 });
  const s = summarizeFixedPoints(r, 1);
  assert.equal(s.fixedPoints, 9);
  assert.equal(s.stable, 4);
  assert.deepEqual(s.byUnstableDims, { 0: 4, 1: 4, 2: 1 });
  assert.equal(s.lineAttractorLength, 0);
  assert.ok(s.points.every((p) => p.leadingEigenvalues.length === 1));
});
