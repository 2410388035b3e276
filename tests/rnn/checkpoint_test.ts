/**
 * Training checkpoints: E epochs straight equal E₁ epochs, a checkpoint through its byte
 * serialisation, then E − E₁ epochs, bit for bit (weights, histories, statuses), on the CPU
 * backend with each kernel (TypeScript, WASM SIMD), in-process and in workers, and on WebGPU
 * where an adapter exists (the software adapter counts; skipped with a message otherwise).
 * Members that converge or diverge in the first segment stay done. Bad checkpoints fail with
 * an error naming the field.
 */
import assert from "node:assert/strict";
import {
  checkpointFromBytes,
  checkpointToBytes,
  createCpuBackend,
  flipFlopTask,
  loadKernel,
  trainPopulation,
  trainSegment,
} from "../../mod.ts";
import type {
  NetworkRecord,
  PopulationBackend,
  PopulationBackendFactory,
  TrainingCheckpoint,
  TrainingConfig,
  TrainPopulationOptions,
} from "../../mod.ts";
import { releaseWebGpu, webgpuAdapterInfo } from "../../rnn/backends/webgpu.ts";
import { testConfig } from "./helpers.ts";

const task = flipFlopTask({ n: 1, steps: 10 });
const base: TrainingConfig = testConfig({
  hidden: 8,
  maxEpochs: 5,
  stepsPerEpoch: 3,
  batchSize: 8,
  testBatchSize: 8,
  earlyStopThreshold: 0,
  patience: 1,
  scheduler: { kind: "reduce_on_plateau", factor: 0.5, patience: 0, threshold: 0.1, minLr: 0 },
});

/** Everything in a record except the wall time. */
function results(r: NetworkRecord): Omit<NetworkRecord, "wallTimeSec"> {
  const { wallTimeSec: _, ...rest } = r;
  return rest;
}

/** A threshold between the members' epoch-1 test losses: about half converge at epoch 1. */
async function midThreshold(opts: TrainPopulationOptions): Promise<number> {
  const probe = await trainPopulation(task, { ...base, maxEpochs: 1 }, opts);
  const losses = probe.map((r) => r.history.testLoss[0]).sort((a, b) => a - b);
  return (losses[1] + losses[2]) / 2;
}

/** Wraps a CPU backend so that member 1 gets an overflowing learning rate (it diverges). */
function divergingMember(workers: number, kernel: "ts" | "wasm"): PopulationBackendFactory {
  return async (shape, initial, config) => {
    const inner = await createCpuBackend({
      shape,
      initial,
      regularisers: { l1: config.l1, nuclear: config.nuclear, gradClip: config.gradClip },
      workers,
      kernel,
    });
    const wrapped: PopulationBackend = {
      name: inner.name,
      members: inner.members,
      step: (data, lrs, active) => {
        const l = lrs.slice();
        l[1] = 1e38;
        return inner.step(data, l, active);
      },
      evaluate: (d) => inner.evaluate(d),
      getParams: () => inner.getParams(),
      exportOptimiserState: () => inner.exportOptimiserState!(),
      importOptimiserState: (s) => inner.importOptimiserState!(s),
      dispose: () => inner.dispose(),
    };
    return wrapped;
  };
}

/** Trains straight and in two segments (checkpoint through bytes); asserts bitwise equality. */
async function assertSplitEqualsStraight(
  config: TrainingConfig,
  opts: TrainPopulationOptions,
  split: number,
  what: string,
): Promise<{ straight: NetworkRecord[]; checkpoint: TrainingCheckpoint }> {
  const straight = await trainPopulation(task, config, opts);
  const first = await trainSegment(task, config, { ...opts, stopAfterEpoch: split });
  assert.equal(first.done, false, `${what}: first segment should stop at epoch ${split}`);
  assert.equal(first.checkpoint.epoch, split);
  const saved = checkpointFromBytes(checkpointToBytes(first.checkpoint));
  const rest = await trainSegment(task, config, { ...opts, resume: saved });
  assert.equal(rest.done, true, `${what}: second segment should finish`);
  assert.equal(rest.records!.length, straight.length);
  for (let k = 0; k < straight.length; k++) {
    assert.deepEqual(results(rest.records![k]), results(straight[k]), `${what}: member ${k}`);
  }
  return { straight, checkpoint: first.checkpoint };
}

const wasmAvailable = await loadKernel("wasm").then(() => true, () => false);
if (!wasmAvailable) {
  console.log("checkpoint_test: the WASM kernel is unavailable; its case is skipped");
}

for (const kernel of ["ts", "wasm"] as const) {
  Deno.test({
    name: `checkpoint: straight = segmented, bitwise (cpu-${kernel}, in-process and workers)`,
    ignore: kernel === "wasm" && !wasmAvailable,
    fn: async () => {
      for (const workers of [0, 2]) {
        const opts: TrainPopulationOptions = {
          members: 4,
          seed: 11,
          backend: "cpu",
          workers,
          kernel,
        };
        const config = { ...base, earlyStopThreshold: await midThreshold(opts) };
        const { straight, checkpoint } = await assertSplitEqualsStraight(
          config,
          opts,
          2,
          `${kernel} workers=${workers}`,
        );
        assert.ok(checkpoint.backend.startsWith("cpu-"));
        // Some members converged in the first segment and stayed done; some trained on.
        const early = checkpoint.members.filter((m) => m.status === "converged");
        assert.ok(early.some((m) => m.stopEpoch === 1), "a member converges in the first segment");
        assert.ok(straight.some((r) => r.stopEpoch > 2), "a member trains past the split");
        // The learning rate changed along the way (the schedule's state matters).
        assert.ok(straight.some((r) => new Set(r.history.lr).size > 1));
      }
      // Cosine warm restarts, split at each epoch boundary of a 4-epoch run.
      const cosine = {
        ...base,
        maxEpochs: 4,
        scheduler: { kind: "cosine_warm_restarts" as const, t0: 2, tMult: 2, etaMin: 1e-4 },
      };
      for (const split of [1, 3]) {
        await assertSplitEqualsStraight(
          cosine,
          { members: 2, seed: 5, backend: "cpu", workers: 0, kernel },
          split,
          `${kernel} cosine split ${split}`,
        );
      }
    },
  });
}

Deno.test("checkpoint: a member that diverges in the first segment stays diverged", async () => {
  const backend = divergingMember(2, "ts");
  const opts = { members: 3, seed: 3, backend };
  const config = { ...base, maxEpochs: 4 };
  const { straight, checkpoint } = await assertSplitEqualsStraight(config, opts, 2, "diverging");
  assert.equal(checkpoint.members[1].status, "diverged");
  assert.ok(checkpoint.members[1].stopEpoch <= 2);
  assert.equal(straight[1].status, "diverged");
  assert.equal(straight[0].stopEpoch, 4);
});

Deno.test("checkpoint: resuming when every member has stopped starts no backend", async () => {
  const opts: TrainPopulationOptions = { members: 2, seed: 3, backend: "cpu", workers: 0 };
  const config = { ...base, maxEpochs: 6, earlyStopThreshold: 100, patience: 2 };
  const first = await trainSegment(task, config, { ...opts, stopAfterEpoch: 4 });
  assert.equal(first.done, true); // both converged at epoch 2
  assert.equal(first.checkpoint.epoch, 2);
  const straight = await trainPopulation(task, config, opts);
  const refuse: PopulationBackendFactory = () => {
    throw new Error("no backend should be started");
  };
  const again = await trainSegment(task, config, {
    ...opts,
    backend: refuse,
    resume: checkpointFromBytes(checkpointToBytes(first.checkpoint)),
    stopAfterEpoch: 5,
  });
  assert.equal(again.done, true);
  assert.equal(again.checkpoint.epoch, 2);
  for (let k = 0; k < 2; k++) {
    const { dataSampling: _a, ...got } = results(again.records![k]);
    const { dataSampling: _b, ...want } = results(straight[k]);
    assert.deepEqual(got, want);
  }
  // The carried checkpoint is the same state, byte for byte apart from nothing.
  assert.deepEqual(checkpointToBytes(again.checkpoint), checkpointToBytes(first.checkpoint));
});

Deno.test("checkpoint: bad input is an error naming the field", async () => {
  const opts: TrainPopulationOptions = { members: 2, seed: 9, backend: "cpu", workers: 0 };
  const config = { ...base, maxEpochs: 3 };
  const { checkpoint } = await trainSegment(task, config, { ...opts, stopAfterEpoch: 1 });
  const bytes = checkpointToBytes(checkpoint);
  const fresh = () => checkpointFromBytes(bytes);
  const resumeWith = (
    cp: TrainingCheckpoint,
    o: Partial<TrainPopulationOptions> = {},
    c = config,
  ) => trainSegment(task, c, { ...opts, ...o, resume: cp });

  // The same configuration with its keys in another order is the same configuration.
  const reordered = Object.fromEntries(
    Object.entries(config).reverse(),
  ) as unknown as TrainingConfig;
  reordered.scheduler = Object.fromEntries(
    Object.entries(config.scheduler).reverse(),
  ) as TrainingConfig["scheduler"];
  assert.equal((await resumeWith(fresh(), {}, reordered)).done, true);
  await assert.rejects(resumeWith(fresh(), {}, { ...config, lr: 0.02 }), /checkpoint\.config\.lr/);
  await assert.rejects(
    resumeWith(fresh(), {}, { ...config, hidden: 16 }),
    /checkpoint\.config\.hidden/,
  );
  await assert.rejects(
    resumeWith(fresh(), { seed: 10 }),
    /checkpoint\.members\[0\]\.seeds\.initSeed/,
  );
  await assert.rejects(resumeWith(fresh(), { members: 3 }), /checkpoint\.members has 2 members/);
  await assert.rejects(
    resumeWith(fresh(), { firstMember: 1 }),
    /checkpoint\.members\[0\]\.member/,
  );
  await assert.rejects(
    trainSegment(flipFlopTask({ n: 2, steps: 10 }), config, { ...opts, resume: fresh() }),
    /checkpoint\.task\.id/,
  );
  // Another backend or kernel would not continue bit-identically: refused.
  await assert.rejects(
    resumeWith({ ...fresh(), backend: "cpu-other" }),
    /checkpoint\.backend is cpu-other/,
  );
  await assert.rejects(
    trainSegment(task, config, { ...opts, resume: fresh(), stopAfterEpoch: 1 }),
    /stopAfterEpoch must be an integer > 1/,
  );
  const wrongShape = fresh();
  wrongShape.members[1].params.wh = new Float32Array(3);
  await assert.rejects(resumeWith(wrongShape), /checkpoint\.members\[1\]\.params\.wh/);
  const wrongMoments = fresh();
  wrongMoments.members[0].optimiser.v = new Float32Array(5);
  await assert.rejects(resumeWith(wrongMoments), /checkpoint\.members\[0\]\.optimiser\.v/);
  const shortHistory = fresh();
  shortHistory.members[0].history.lr = [];
  await assert.rejects(resumeWith(shortHistory), /checkpoint\.members\[0\]\.history\.lr/);
  const badSchedule = fresh();
  delete badSchedule.members[0].scheduler.best;
  await assert.rejects(resumeWith(badSchedule), /checkpoint\.members\[0\]\.scheduler state\.best/);
  assert.throws(() => checkpointFromBytes(bytes.subarray(0, bytes.length - 4)), /truncated/);
  assert.throws(() => checkpointFromBytes(new Uint8Array(16)), /wrong magic/);
  const notCheckpoint = {
    ...fresh(),
    schema: "degeneracy.network/1",
  } as unknown as TrainingCheckpoint;
  assert.throws(() => checkpointToBytes(notCheckpoint), /checkpoint\.schema/);
  // A backend without optimiser export cannot write a checkpoint.
  const plain: PopulationBackendFactory = async (shape, initial) => {
    const inner = await createCpuBackend({
      shape,
      initial,
      regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
      workers: 0,
    });
    return {
      name: inner.name,
      members: inner.members,
      step: (d, l, a) => inner.step(d, l, a),
      evaluate: (d) => inner.evaluate(d),
      getParams: () => inner.getParams(),
      dispose: () => inner.dispose(),
    };
  };
  await assert.rejects(
    trainSegment(task, config, { ...opts, backend: plain, stopAfterEpoch: 1 }),
    /cannot write a checkpoint: it lacks exportOptimiserState/,
  );
});

const adapter = await webgpuAdapterInfo();
if (!adapter.available) {
  console.log(`checkpoint_test: skipping the WebGPU checkpoint test: ${adapter.description}`);
}

Deno.test({
  name: "checkpoint: straight = segmented, bitwise (webgpu)",
  ignore: !adapter.available,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    try {
      const opts: TrainPopulationOptions = { members: 2, seed: 4, backend: "webgpu" };
      const config = { ...base, maxEpochs: 2, stepsPerEpoch: 2 };
      const { checkpoint } = await assertSplitEqualsStraight(config, opts, 1, "webgpu");
      assert.equal(checkpoint.backend, "webgpu");
      assert.ok(checkpoint.members.every((m) => m.optimiser.t === 2));
    } finally {
      await releaseWebGpu();
    }
  },
});
