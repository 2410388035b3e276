import assert from "node:assert/strict";
import { coefficientOfVariation, meanSquaredError, oodMse } from "../../metrics/ood.ts";
import type { Task, TaskBatch } from "../../tasks/types.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

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
