import assert from "node:assert/strict";
import { distanceFromInit, frobeniusDistance } from "../metrics/distances.ts";
import { classicalMds } from "../metrics/mds.ts";
import { coefficientOfVariation, meanSquaredError, oodMse } from "../metrics/ood.ts";
import { distanceSelfChecks } from "../metrics/selfcheck.ts";
import { pifDistance } from "../metrics/pif/pif.ts";
import { makeRng } from "../metrics/rng.ts";
import type { Task, TaskBatch } from "../tasks/types.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("distance from init: ‖W_T − W_0‖_F / n²", () => {
  const w0 = [[0, 0], [0, 0]];
  const wT = [[3, 0], [0, 4]];
  const d = distanceFromInit(w0, wT);
  close(d.raw, 5);
  close(d.normalized, 5 / 4);
  assert.equal(d.entries, 4);
  close(frobeniusDistance(wT, wT), 0);
  assert.throws(() => distanceFromInit([[1]], [[1, 2]]), /same shape/);
  assert.throws(() => frobeniusDistance([[NaN]], [[1]]), /w1\[0\]\[0\]/);
});

Deno.test("MSE and coefficient of variation: closed forms", () => {
  close(meanSquaredError([1, 2, 3], [1, 2, 5]), 4 / 3);
  close(meanSquaredError([1, 2, 3], [1, 2, 5], [1, 1, 0]), 0); // masked entry ignored
  close(meanSquaredError([0, 0], [1, 2], [1, 3]), (1 + 3 * 4) / 4); // weighted
  assert.throws(() => meanSquaredError([1], [1], [0]), /mask selects no entries/);
  // values 1, 3: μ = 2, population σ = 1 → 0.5; sample σ = √2 → √2/2
  close(coefficientOfVariation([1, 3]), 0.5);
  close(coefficientOfVariation([1, 3], { ddof: 1 }), Math.SQRT2 / 2);
  close(coefficientOfVariation([2, 2, 2]), 0);
  assert.throws(() => coefficientOfVariation([1, -1]), /mean of values is 0/);
  assert.throws(() => coefficientOfVariation([1], { ddof: 1 }), /at least 2/);
});

Deno.test("oodMse samples the OOD variant and scores the task outputs only", () => {
  let sawOod = false;
  const task: Task = {
    name: "sine",
    id: "t",
    params: {},
    inputDim: 1,
    outputDim: 1,
    auxDim: 0,
    steps: 3,
    channels: 1,
    continuousInputs: true,
    continuousTargets: true,
    sample(batch, _seed, options): TaskBatch {
      sawOod = options?.ood === true;
      const steps = sawOod ? 6 : 3;
      return {
        batch,
        steps,
        inputDim: 1,
        outputDim: 1,
        inputs: new Float32Array(batch * steps),
        targets: new Float32Array(batch * steps).fill(1),
        mask: null,
        aux: null,
      };
    },
  };
  // the network outputs 0 on the task channel and garbage on an extra (auxiliary) channel
  const mse = oodMse(task, (b) => {
    const out = new Float64Array(b.batch * b.steps * 2);
    for (let r = 0; r < b.batch * b.steps; r++) out[r * 2 + 1] = 100;
    return { outputs: out, outDim: 2 };
  }, { trials: 4 });
  assert.equal(sawOod, true);
  close(mse, 1);
});

Deno.test("classical MDS recovers a planar configuration up to rotation/reflection", () => {
  const rng = makeRng(4);
  const pts = Array.from({ length: 9 }, () => [rng() * 4 - 2, rng() * 4 - 2]);
  const dist = (p: number[], q: number[]) => Math.hypot(p[0] - q[0], p[1] - q[1]);
  const D = pts.map((p) => pts.map((q) => dist(p, q)));
  const { coords, eigenvalues, explained } = classicalMds(D, 2);
  for (let i = 0; i < 9; i++) {
    for (let j = 0; j < 9; j++) close(dist(coords[i], coords[j]), D[i][j], 1e-9);
  }
  // centred, two positive eigenvalues, the rest ~0
  close(coords.reduce((a, c) => a + c[0], 0), 0, 1e-9);
  assert.ok(eigenvalues[1] > 1e-6);
  for (const l of eigenvalues.slice(2)) close(l, 0, 1e-9);
  close(explained, 1, 1e-9);
  // 1-D embedding of collinear points is exact too
  const line = [0, 1, 3, 7];
  const L = classicalMds(line.map((a) => line.map((b) => Math.abs(a - b))), 1);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      close(Math.abs(L.coords[i][0] - L.coords[j][0]), Math.abs(line[i] - line[j]), 1e-9);
    }
  }
  assert.throws(() => classicalMds([[0, 1]]), /square/);
  assert.throws(() => classicalMds([[0, -1], [-1, 0]]), /≥ 0/);
});

Deno.test("self-checks: identity and symmetry recorded; a broken distance fails", () => {
  const rng = makeRng(5);
  const mats = Array.from(
    { length: 5 },
    () => Array.from({ length: 6 }, () => Array.from({ length: 6 }, () => rng())),
  );
  const pif = (a: number[][], b: number[][]) => pifDistance(a, b).distance; // exact at n ≤ 7
  const ok = distanceSelfChecks(mats, pif, { samples: 3, seed: 1 });
  assert.equal(ok.identity.length, 3);
  assert.equal(ok.symmetry.length, 3);
  assert.equal(ok.maxIdentity, 0);
  assert.ok(ok.maxAsymmetry < 1e-12);
  assert.equal(ok.pass, true);
  // deterministic sample
  assert.deepEqual(distanceSelfChecks(mats, pif, { samples: 3, seed: 1 }), ok);
  // an asymmetric "distance" is caught
  const bad = distanceSelfChecks([1, 2, 3], (a: number, b: number) => a - b + 1, { samples: 2 });
  assert.equal(bad.pass, false);
  assert.equal(bad.maxIdentity, 1);
  assert.equal(bad.maxAsymmetry > 0, true);
});
