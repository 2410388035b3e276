/**
 * Test helpers for the engine suites: a tiny hand-built 1-bit flip-flop Task (independent of
 * tasks/, so the engine tests pin their own data) and a base TrainingConfig.
 */
import seedrandom from "npm:seedrandom@3.0.5";
import type { Task, TaskBatch } from "../../tasks/types.ts";
import type { TrainingConfig } from "../../rnn/types.ts";
import { defaultTrainingConfig } from "../../rnn/defaults.ts";

/**
 * 1-bit flip-flop: input pulses ±1 with probability `p` per step, target = last non-zero
 * input (0 before the first pulse). With `aux`, an auxiliary target = the input itself.
 */
export function handFlipFlop(steps = 20, p = 0.3, aux = false): Task {
  return {
    name: "flipflop",
    id: `test-flipflop-t${steps}`,
    params: { steps, p, aux },
    inputDim: 1,
    outputDim: 1,
    auxDim: aux ? 1 : 0,
    steps,
    channels: 1,
    continuousTargets: false,
    continuousInputs: false,
    sample(batch: number, seed: number, options?: { ood?: boolean }): TaskBatch {
      const T = options?.ood ? 2 * steps : steps;
      const rand = seedrandom(`test-flipflop/${seed}`);
      const inputs = new Float32Array(batch * T);
      const targets = new Float32Array(batch * T);
      for (let b = 0; b < batch; b++) {
        let state = 0;
        for (let t = 0; t < T; t++) {
          let x = 0;
          if (rand() < p) x = rand() < 0.5 ? -1 : 1;
          if (x !== 0) state = x;
          inputs[b * T + t] = x;
          targets[b * T + t] = state;
        }
      }
      return {
        batch,
        steps: T,
        inputDim: 1,
        outputDim: 1,
        inputs,
        targets,
        mask: null,
        aux: aux ? { dim: 1, targets: inputs.slice(), mask: null } : null,
      };
    },
  };
}

/** A small, fast training configuration for flip-flop tests (Appendix A's, shrunk). */
export function testConfig(overrides: Partial<TrainingConfig> = {}): TrainingConfig {
  return defaultTrainingConfig("flipflop", {
    hidden: 16,
    lr: 0.01,
    scheduler: { kind: "none" },
    maxEpochs: 5,
    stepsPerEpoch: 10,
    batchSize: 16,
    testBatchSize: 32,
    earlyStopThreshold: 0.01,
    patience: 2,
    ...overrides,
  });
}
