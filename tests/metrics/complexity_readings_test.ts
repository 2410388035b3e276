import assert from "node:assert/strict";
import {
  complexityReadings,
  taskComplexity,
  timeAveragedEntropy,
} from "../../metrics/complexity.ts";
import {
  type BaseComplexities,
  type ComplexityStatement,
  complexityStatements,
} from "../../metrics/complexity_claims.ts";
import { createTask } from "../../tasks/factory.ts";
import type { Task, TaskBatch } from "../../tasks/types.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

/** A one-channel task whose input and target are closed-form functions of (trial, step). */
function signalTask(
  steps: number,
  input: (b: number, t: number) => number,
  target: (b: number, t: number) => number,
): Task {
  return {
    name: "sine",
    id: "test",
    params: {},
    inputDim: 1,
    outputDim: 1,
    auxDim: 0,
    steps,
    channels: 1,
    continuousInputs: true,
    continuousTargets: true,
    sample(batch: number): TaskBatch {
      const inputs = new Float32Array(batch * steps), targets = new Float32Array(batch * steps);
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < steps; t++) {
          inputs[b * steps + t] = input(b, t);
          targets[b * steps + t] = target(b, t);
        }
      }
      return { batch, steps, inputDim: 1, outputDim: 1, inputs, targets, mask: null, aux: null };
    },
  };
}

Deno.test("time-averaged reading on known signals: static levels vs oscillations", () => {
  // input: a static level per trial, 4 equiprobable levels across trials (b mod 4);
  // target: ±1 alternating within every trial (time average 0 for every trial)
  const task = signalTask(8, (b) => b % 4, (_b, t) => (t % 2 ? 1 : -1));
  const perTrial = taskComplexity(task, { trials: 64, bins: 4 });
  const timeAvg = taskComplexity(task, { trials: 64, bins: 4, reading: "time-averaged" });
  // per trial: a constant series carries 0 bits, a two-valued one 1 bit
  close(perTrial.input, 0);
  close(perTrial.output, 1);
  // time-averaged: 4 equiprobable levels → 2 bits; a zero-mean oscillation → 0 bits
  close(timeAvg.input, 2);
  close(timeAvg.output, 0);
  assert.equal(timeAvg.reading, "time-averaged");
  assert.equal(perTrial.reading, "per-trial");
  const both = complexityReadings(task, { trials: 64, bins: 4 });
  assert.deepEqual(both["per-trial"], perTrial);
  assert.deepEqual(both["time-averaged"], timeAvg);
});

Deno.test("time-averaged reading: sines over whole periods all average to 0 bits", () => {
  // over whole periods the time average is 0 whatever the frequency: 0 bits
  const whole = signalTask(
    100,
    (b) => 1 + (b % 3),
    (b, t) => Math.sin(2 * Math.PI * (1 + (b % 3)) * t / 100),
  );
  close(taskComplexity(whole, { trials: 30, reading: "time-averaged" }).output, 0, 1e-9);
  // per trial, the same sines fill the 10 global bins: high entropy
  assert.ok(taskComplexity(whole, { trials: 30 }).output > 2.5);
});

Deno.test("timeAveragedEntropy: channels, joint dims, binning and bad input", () => {
  // 2 channels × 1 dim, 4 trials, 2 steps; channel means: trial b → b (ch 0) and 3 − b (ch 1)
  const x = new Float32Array(4 * 2 * 2);
  for (let b = 0; b < 4; b++) {
    for (let t = 0; t < 2; t++) {
      x[(b * 2 + t) * 2] = b;
      x[(b * 2 + t) * 2 + 1] = 3 - b;
    }
  }
  const r = timeAveragedEntropy(x, { batch: 4, steps: 2, dim: 2 }, { channels: 2, bins: 4 });
  assert.equal(r.multiplier, 2);
  close(r.perChannel, 2); // 8 pooled values, 4 levels twice each
  // as one channel of 2 dims: the joint value (b, 3 − b) takes 4 values
  const j = timeAveragedEntropy(x, { batch: 4, steps: 2, dim: 2 }, { channels: 1, bins: 4 });
  assert.equal(j.multiplier, 1);
  close(j.perChannel, 2);
  // one bin: everything in it
  close(
    timeAveragedEntropy(x, { batch: 4, steps: 2, dim: 2 }, { channels: 2, bins: 1 }).perChannel,
    0,
  );
  assert.throws(
    () => timeAveragedEntropy(x, { batch: 4, steps: 3, dim: 2 }, { channels: 2 }),
    /batch·steps·dim/,
  );
  assert.throws(
    () =>
      timeAveragedEntropy(new Float32Array([NaN, 1]), { batch: 1, steps: 2, dim: 1 }, {
        channels: 1,
      }),
    /not finite/,
  );
  assert.throws(
    () => taskComplexity(createTask({ name: "flipflop" }), { reading: "x" as never }),
    /reading/,
  );
});

const BASE: BaseComplexities = {
  flipflop: { input: 5, output: 5 },
  delayed_discrimination: { input: 4, output: 1 },
  sine: { input: 1, output: 3 },
  path_integration: { input: 4, output: 4 },
};

function byId(s: ComplexityStatement[]): Record<string, boolean | null> {
  return Object.fromEntries(s.map((x) => [x.id, x.holds]));
}

Deno.test("complexityStatements: a table shaped like Fig. 2C satisfies every statement", () => {
  const s = complexityStatements({
    base: BASE,
    nFreq: [{ level: 4, input: 2, output: 4 }, { level: 1, input: 0, output: 2 }],
    channels: { flipflop: [{ level: 1, input: 1, output: 1 }, { level: 2, input: 2, output: 2 }] },
  });
  assert.deepEqual(byId(s), {
    dd_high_in_low_out: true,
    sine_low_in_high_out: true,
    flipflop_highest: true,
    output_rises_with_nfreq: true,
    rises_with_n: true,
  });
  assert.equal(s.find((x) => x.id === "rises_with_n")!.byConstruction, true);
  assert.equal(s.filter((x) => x.byConstruction).length, 1);
});

Deno.test("complexityStatements: each statement fails when its ordering breaks", () => {
  const run = (base: BaseComplexities, out = [2, 4]) =>
    byId(complexityStatements({
      base,
      nFreq: [{ level: 1, input: 0, output: out[0] }, { level: 4, input: 2, output: out[1] }],
      channels: {},
    }));
  const pi = (o: number) => ({ ...BASE, path_integration: { input: 4, output: o } });
  // PI output below DD's: DD is no longer the lowest-output task
  assert.equal(run(pi(0.5)).dd_high_in_low_out, false);
  // PI output above FF's: flip-flop no longer highest
  assert.equal(run(pi(6)).flipflop_highest, false);
  // sine input above DD's: sine no longer the lowest-input task, DD not above sine
  const s2 = run({ ...BASE, sine: { input: 4.5, output: 3 } });
  assert.equal(s2.sine_low_in_high_out, false);
  assert.equal(s2.dd_high_in_low_out, false);
  assert.equal(run(BASE, [4, 2]).output_rises_with_nfreq, false);
  assert.equal(
    byId(complexityStatements({ base: BASE, nFreq: [], channels: {} })).rises_with_n,
    null,
  );
  assert.throws(
    () =>
      complexityStatements({
        base: { ...BASE, sine: { input: NaN, output: 1 } },
        nFreq: [],
        channels: {},
      }),
    /base.sine/,
  );
});

/** Statements on this repository's tasks under one reading (base variants: N = 1, sine N_freq 5, 2D). */
function statementsOnTasks(reading: "per-trial" | "time-averaged") {
  const c = (spec: Parameters<typeof createTask>[0]) =>
    taskComplexity(createTask(spec), { trials: 512, seed: 900_003, reading });
  return byId(complexityStatements({
    base: {
      flipflop: c({ name: "flipflop", n: 1 }),
      delayed_discrimination: c({ name: "delayed_discrimination", n: 1 }),
      sine: c({ name: "sine", n: 1, nFreq: 5 }),
      path_integration: c({ name: "path_integration", dims: 2 }),
    },
    nFreq: [1, 2, 4, 8].map((f) => ({ level: f, ...c({ name: "sine", n: 1, nFreq: f }) })),
    channels: {
      flipflop: [1, 2, 3].map((n) => ({ level: n, ...c({ name: "flipflop", n }) })),
      delayed_discrimination: [1, 2, 3].map((n) => ({
        level: n,
        ...c({ name: "delayed_discrimination", n }),
      })),
      sine: [1, 2, 3].map((n) => ({ level: n, ...c({ name: "sine", n }) })),
    },
  }));
}

Deno.test("the paper's complexity statements on our tasks, per-trial reading (§3.1)", () => {
  // pinned facts about the definitions (README, "Task complexity: two readings"), not tuned:
  const s = statementsOnTasks("per-trial");
  assert.equal(s.dd_high_in_low_out, true); // DD 0.24/0.87 bits vs sine 0/3.0
  assert.equal(s.sine_low_in_high_out, true); // a static input carries 0 bits per trial
  assert.equal(s.flipflop_highest, false); // PI (6.1/3.0) and sine output (3.0) above FF (1.2/1.1)
  assert.equal(s.output_rises_with_nfreq, false); // every trial is one sine: ~3 bits whatever N_freq
  assert.equal(s.rises_with_n, false); // sine input: 0 bits × N stays 0
});

Deno.test("the paper's complexity statements on our tasks, time-averaged reading (Fig. 2)", () => {
  const s = statementsOnTasks("time-averaged");
  assert.equal(s.flipflop_highest, false); // PI's joint position means fill ~log2(trials) bits
  assert.equal(s.output_rises_with_nfreq, true); // N_freq distinct means: ~log2(N_freq) bits
  assert.equal(s.rises_with_n, true);
  // DD and sine (N_freq 5) outputs tie at 1.95 bits within sampling noise: not pinned
});
