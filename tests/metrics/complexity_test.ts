import assert from "node:assert/strict";
import { entropyOfCounts, seriesEntropy, taskComplexity } from "../../metrics/complexity.ts";
import type { Task, TaskBatch } from "../../tasks/types.ts";

/** A hand-made Task whose values are a closed-form function of (trial, step, dim). */
function makeTask(spec: {
  inputDim: number;
  outputDim: number;
  channels: number;
  steps: number;
  continuousInputs?: boolean;
  continuousTargets?: boolean;
  input: (b: number, t: number, k: number) => number;
  target: (b: number, t: number, k: number) => number;
}): Task {
  return {
    name: "flipflop",
    id: "test",
    params: {},
    inputDim: spec.inputDim,
    outputDim: spec.outputDim,
    auxDim: 0,
    steps: spec.steps,
    channels: spec.channels,
    continuousInputs: spec.continuousInputs ?? false,
    continuousTargets: spec.continuousTargets ?? false,
    sample(batch: number, _seed: number): TaskBatch {
      const fill = (dim: number, f: (b: number, t: number, k: number) => number) => {
        const a = new Float32Array(batch * spec.steps * dim);
        for (let b = 0; b < batch; b++) {
          for (let t = 0; t < spec.steps; t++) {
            for (let k = 0; k < dim; k++) a[(b * spec.steps + t) * dim + k] = f(b, t, k);
          }
        }
        return a;
      };
      return {
        batch,
        steps: spec.steps,
        inputDim: spec.inputDim,
        outputDim: spec.outputDim,
        inputs: fill(spec.inputDim, spec.input),
        targets: fill(spec.outputDim, spec.target),
        mask: null,
        aux: null,
      };
    },
  };
}

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("entropy of counts: closed forms", () => {
  close(entropyOfCounts([10]), 0);
  close(entropyOfCounts([5, 5]), 1);
  close(entropyOfCounts([1, 1, 1, 1]), 2);
  close(entropyOfCounts([2, 1, 1]), 1.5);
  close(entropyOfCounts([3, 0, 3]), 1); // zero counts ignored
});

Deno.test("complexity: constant series 0 bits, two equiprobable values 1 bit, four values 2 bits", () => {
  const task = makeTask({
    inputDim: 1,
    outputDim: 1,
    channels: 1,
    steps: 8,
    input: () => 0.5,
    target: (_b, t) => (t % 2 ? 1 : -1),
  });
  const c = taskComplexity(task, { trials: 4 });
  close(c.input, 0);
  close(c.output, 1);
  const four = makeTask({
    inputDim: 1,
    outputDim: 1,
    channels: 1,
    steps: 8,
    input: (_b, t) => t % 4,
    target: (_b, t) => Math.floor(t / 2), // 4 values, each twice → 2 bits
  });
  const c4 = taskComplexity(four, { trials: 3 });
  close(c4.input, 2);
  close(c4.output, 2);
});

Deno.test("complexity: averaged over trials, multiplied by N channels", () => {
  // trial b even: constant target (0 bits); odd: two equiprobable values (1 bit) → mean 0.5
  const task = makeTask({
    inputDim: 3,
    outputDim: 3,
    channels: 3,
    steps: 10,
    input: (_b, t, k) => (t + k) % 2,
    target: (b, t) => (b % 2 ? t % 2 : 0),
  });
  const c = taskComplexity(task, { trials: 6 });
  close(c.inputPerChannel, 1);
  close(c.input, 3);
  close(c.outputPerChannel, 0.5);
  close(c.output, 1.5);
  assert.equal(c.outputMultiplier, 3);
});

Deno.test("complexity: continuous values are binned (global edges vs per-trial edges)", () => {
  // trial 0: values 0, 1, 2, 3 for 10 steps each; the global range [0, 3] in 4 bins puts
  // them in 4 different bins → 2 bits. Trial 1: values 0, 0.5, 1, 1.4: with the global edges
  // (width 0.75) they fall in 2 bins, 20 steps each → 1 bit; with per-trial edges over
  // [0, 1.4] (width 0.35) in 4 bins → 2 bits.
  const task = makeTask({
    inputDim: 1,
    outputDim: 1,
    channels: 1,
    steps: 40,
    continuousInputs: true,
    continuousTargets: true,
    input: () => 3,
    target: (b, t) => (b === 0 ? Math.floor(t / 10) : [0, 0.5, 1, 1.4][Math.floor(t / 10)]),
  });
  const g = taskComplexity(task, { trials: 2, bins: 4 });
  close(g.input, 0);
  close(g.output, (2 + 1) / 2);
  const p = taskComplexity(task, { trials: 2, bins: 4, binning: "per-trial" });
  close(p.output, 2);
  // default is 10 bins
  assert.equal(taskComplexity(task, { trials: 2 }).bins, 10);
});

Deno.test("complexity: continuous channels are binned per dimension", () => {
  // channel 0 ramps over [0, 1], channel 1 over [0, 100]: each gets its own edges, so both
  // fill 4 bins evenly (2 bits); edges shared across dims would put channel 0 in one bin.
  const task = makeTask({
    inputDim: 2,
    outputDim: 2,
    channels: 2,
    steps: 8,
    continuousInputs: true,
    continuousTargets: true,
    input: () => 0,
    target: (
      _b,
      t,
      k,
    ) => (k === 0 ? [0, 0, 0.3, 0.3, 0.6, 0.6, 1, 1][t] : [0, 0, 30, 30, 60, 60, 100, 100][t]),
  });
  const c = taskComplexity(task, { trials: 2, bins: 4 });
  close(c.outputPerChannel, 2);
  close(c.output, 4);
});

Deno.test("complexity: multi-dimensional channels use the joint value", () => {
  // one channel of 2 dims: (t%2, t%2) takes 2 joint values → 1 bit (not 2);
  // (t%2, floor(t/2)%2) takes 4 joint values → 2 bits
  const x = new Float32Array(8 * 2);
  const y = new Float32Array(8 * 2);
  for (let t = 0; t < 8; t++) {
    x[t * 2] = t % 2;
    x[t * 2 + 1] = t % 2;
    y[t * 2] = t % 2;
    y[t * 2 + 1] = Math.floor(t / 2) % 2;
  }
  const shape = { batch: 1, steps: 8, dim: 2 };
  close(seriesEntropy(x, shape, { channels: 1, continuous: false }).perChannel, 1);
  close(seriesEntropy(y, shape, { channels: 1, continuous: false }).perChannel, 2);
  // 2 channels of 1 dim each: each channel 1 bit, multiplier 2
  const two = seriesEntropy(y, shape, { channels: 2, continuous: false });
  close(two.perChannel, 1);
  assert.equal(two.multiplier, 2);
  // dims not divisible by channels → one joint series, multiplier 1
  const odd = seriesEntropy(y, shape, { channels: 3, continuous: false });
  assert.equal(odd.multiplier, 1);
  close(odd.perChannel, 2);
});

Deno.test("complexity: bad options and values throw naming the field", () => {
  const task = makeTask({
    inputDim: 1,
    outputDim: 1,
    channels: 1,
    steps: 4,
    input: () => 0,
    target: () => 0,
  });
  assert.throws(() => taskComplexity(task, { trials: 0 }), /trials/);
  assert.throws(() => taskComplexity(task, { bins: 0 }), /bins/);
  assert.throws(() => taskComplexity({ ...task, channels: 0 }), /task\.channels/);
  const nan = makeTask({
    inputDim: 1,
    outputDim: 1,
    channels: 1,
    steps: 4,
    input: () => NaN,
    target: () => 0,
  });
  assert.throws(() => taskComplexity(nan), /not finite/);
});
