/**
 * Gradient of the full training objective (masked task MSE + auxiliary loss + L1 + nuclear
 * norm on W_h) against central finite differences, on a small network. The reference kernel
 * computes in float64 from float32 parameters, so the objective is a float64-accurate
 * function of the (float32) parameters and the check can be tight.
 */
import assert from "node:assert/strict";
import {
  addRegularisers,
  initParams,
  loadKernel,
  MemberTrainer,
  objectiveAndGrads,
  stepDataFromBatch,
} from "../../mod.ts";
import type { RnnParams, RnnShape, StepData, StepRegularisers } from "../../mod.ts";
import { handFlipFlop } from "./helpers.ts";
import { zeroParams } from "../../rnn/params.ts";

const FIELDS = ["wx", "wh", "b", "wo", "bo"] as const;

const zeros = (shape: RnnShape): RnnParams => zeroParams(shape).params;

async function objective(
  shape: RnnShape,
  p: RnnParams,
  data: StepData,
  reg: StepRegularisers,
): Promise<number> {
  const kernel = await loadKernel("ts");
  return kernel.forward(shape, p, data) + addRegularisers(shape.hidden, p, zeros(shape), reg);
}

Deno.test("full-objective gradient (task + aux + L1 + nuclear) matches central differences", async () => {
  const kernel = await loadKernel("ts");
  const task = handFlipFlop(7, 0.4, true);
  const shape: RnnShape = { inputDim: 1, hidden: 6, outputDim: 2 };
  const batch = task.sample(3, 11);
  // A mask that drops the first two steps of the task output: weights renormalised.
  const mask = new Float32Array(batch.batch * batch.steps);
  for (let b = 0; b < batch.batch; b++) for (let t = 2; t < batch.steps; t++) mask[b * 7 + t] = 1;
  const data = stepDataFromBatch({ ...batch, mask }, 0.3);
  const params = initParams(shape, 5);
  for (let i = 0; i < params.wh.length; i++) params.wh[i] *= 3; // larger weights, stronger dynamics
  const reg = { l1: 0.01, nuclear: 0.02, gradClip: 0 };
  const grads = zeros(shape);
  const { total } = objectiveAndGrads(kernel, shape, params, data, reg, grads);
  assert.ok(Math.abs(total - await objective(shape, params, data, reg)) < 1e-12);
  const eps = 1e-3;
  let checked = 0;
  for (const f of FIELDS) {
    for (let i = 0; i < params[f].length; i++) {
      const orig = params[f][i];
      if (f === "wh") assert.ok(Math.abs(orig) > 2 * eps, "W_h entry too close to the L1 kink");
      params[f][i] = orig + eps;
      const up = params[f][i];
      const lp = await objective(shape, params, data, reg);
      params[f][i] = orig - eps;
      const dn = params[f][i];
      const lm = await objective(shape, params, data, reg);
      params[f][i] = orig;
      const fd = (lp - lm) / (up - dn);
      const g = grads[f][i];
      assert.ok(
        Math.abs(fd - g) <= 2e-6 + 1e-4 * Math.abs(fd),
        `${f}[${i}]: analytic ${g} vs finite difference ${fd}`,
      );
      checked++;
    }
  }
  assert.equal(checked, 6 + 36 + 6 + 12 + 2);
});

Deno.test("the available CPU kernels agree on the full objective and its gradient", async () => {
  const ts = await loadKernel("ts");
  const auto = await loadKernel("auto");
  const task = handFlipFlop(12);
  const shape: RnnShape = { inputDim: 1, hidden: 16, outputDim: 1 };
  const data = stepDataFromBatch(task.sample(8, 3));
  const params = initParams(shape, 9, "orthogonal");
  const reg = { l1: 1e-3, nuclear: 1e-3, gradClip: 0 };
  const ga = zeros(shape), gb = zeros(shape);
  const a = objectiveAndGrads(ts, shape, params, data, reg, ga);
  const b = objectiveAndGrads(auto, shape, params, data, reg, gb);
  assert.ok(Math.abs(a.total - b.total) <= 1e-5 * a.total, `${ts.name} vs ${auto.name}`);
  for (const f of FIELDS) {
    let scale = 0;
    for (const v of ga[f]) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < ga[f].length; i++) {
      assert.ok(Math.abs(ga[f][i] - gb[f][i]) <= 1e-4 * scale + 1e-7, `${f}[${i}]`);
    }
  }
});

Deno.test("clipping bounds the applied update; a non-finite step is rejected", async () => {
  const kernel = await loadKernel("ts");
  const shape: RnnShape = { inputDim: 1, hidden: 8, outputDim: 1 };
  const data = stepDataFromBatch(handFlipFlop(10).sample(4, 1));
  const init = initParams(shape, 1);
  // Adam's first step moves each weight by lr·g/(|g| + ε) ≈ lr whatever the gradient's scale,
  // unless clipping shrinks g below ε = 1e-8: with gradClip = 1e-9 every |g_i| ≤ 1e-9, so
  // every |Δp| ≤ lr·1e-9/1e-8 = lr/10. Unclipped, the largest |Δp| is ≈ lr.
  const maxDelta = (a: RnnParams, b: RnnParams) =>
    Math.max(...FIELDS.flatMap((f) => Array.from(a[f], (v, i) => Math.abs(v - b[f][i]))));
  const free = new MemberTrainer(shape, init);
  free.step(kernel, data, 1e-3, { l1: 0, nuclear: 0, gradClip: 0 });
  assert.ok(maxDelta(free.getParams(), init) > 0.9e-3);
  const m = new MemberTrainer(shape, init);
  const loss = m.step(kernel, data, 1e-3, { l1: 0, nuclear: 0, gradClip: 1e-9 });
  assert.ok(Number.isFinite(loss));
  assert.equal(m.steps, 1);
  assert.ok(
    maxDelta(m.getParams(), init) <= 1.01e-4,
    `clipped step ${maxDelta(m.getParams(), init)}`,
  );
  // Non-finite data → loss NaN → no update, no Adam step.
  const bad = { ...data, inputs: data.inputs.slice().fill(NaN) };
  const before = m.getParams();
  const l2 = m.step(kernel, bad, 1e-3, { l1: 0, nuclear: 0, gradClip: 0 });
  assert.ok(Number.isNaN(l2));
  assert.deepEqual(m.getParams(), before);
  assert.equal(m.steps, 1);
  // An update overflowing float32 is rolled back and reported as Infinity.
  const l3 = m.step(kernel, data, 1e39, { l1: 0, nuclear: 0, gradClip: 0 });
  assert.equal(l3, Infinity);
  assert.deepEqual(m.getParams(), before);
  assert.equal(m.steps, 1);
});
