/**
 * Population training on the CPU backend: a member alone equals the same member inside a
 * population (bitwise, in workers or in-process), early stopping, divergence handling,
 * shared data, abort, and the saved-record round trip.
 */
import assert from "node:assert/strict";
import {
  createCpuBackend,
  createTask,
  flipFlopTask,
  handOver,
  initParams,
  loadKernel,
  memberSeeds,
  paramsFromRecord,
  rebuildsIdentically,
  runNetwork,
  stepDataFromBatch,
  testBatchSeed,
  toNested,
  trainPopulation,
  validateRecord,
} from "../../mod.ts";
import type {
  NetworkRecord,
  PopulationBackendFactory,
  RnnParams,
  TrainingConfig,
} from "../../mod.ts";
import { handFlipFlop, testConfig } from "./helpers.ts";

const task = flipFlopTask({ n: 1, steps: 10 });
const small: TrainingConfig = testConfig({
  hidden: 8,
  maxEpochs: 3,
  stepsPerEpoch: 4,
  batchSize: 8,
  testBatchSize: 8,
  earlyStopThreshold: 0,
});

function sameRecordResults(a: NetworkRecord, b: NetworkRecord, what: string): void {
  assert.deepEqual(a.history, b.history, `${what}: history`);
  assert.deepEqual(a.final, b.final, `${what}: final weights`);
  assert.deepEqual(a.initial, b.initial, `${what}: initial weights`);
  assert.equal(a.initSeed, b.initSeed);
  assert.equal(a.dataSeed, b.dataSeed);
  assert.equal(a.status, b.status);
  assert.equal(a.stopEpoch, b.stopEpoch);
}

Deno.test("a member trained alone equals the same member in a population (bitwise)", async () => {
  const pop = await trainPopulation(task, small, {
    members: 4,
    seed: 7,
    backend: "cpu",
    workers: 2,
  });
  assert.equal(pop.length, 4);
  assert.match(pop[0].backend, /^cpu-/);
  const alone = await trainPopulation(task, small, {
    members: 1,
    seed: 7,
    firstMember: 2,
    backend: "cpu",
    workers: 0,
  });
  sameRecordResults(alone[0], pop[2], "alone vs population");
  assert.equal(alone[0].member, 2);
  assert.equal(alone[0].id, pop[2].id);
  const inProcess = await trainPopulation(task, small, {
    members: 4,
    seed: 7,
    backend: "cpu",
    workers: 0,
  });
  for (let k = 0; k < 4; k++) sameRecordResults(inProcess[k], pop[k], `member ${k}`);
  // Members differ from each other (own init and data) and losses fell.
  assert.notDeepEqual(pop[0].final, pop[1].final);
  assert.notEqual(pop[0].dataSeed, pop[1].dataSeed);
  for (const r of pop) {
    assert.equal(r.history.trainLoss.length, 3);
    assert.equal(r.status, "not_converged");
    assert.equal(r.stopEpoch, 3);
    assert.ok(r.wallTimeSec > 0);
  }
});

Deno.test("worker-side and main-thread sampling give identical records", async () => {
  for (const sharedData of [false, true]) {
    const cfg = { ...small, sharedData, maxEpochs: 2 };
    const opts = { members: 3, seed: 9, backend: "cpu" as const, workers: 2 };
    const inWorkers = await trainPopulation(task, cfg, opts);
    const here = await trainPopulation(task, cfg, { ...opts, sampleInWorkers: false });
    for (let k = 0; k < 3; k++) sameRecordResults(inWorkers[k], here[k], `member ${k}`);
  }
  assert.equal(rebuildsIdentically(task), true);
  // A task createTask cannot rebuild (hand-made) is sampled on the calling thread.
  const hand = handFlipFlop(10);
  assert.equal(rebuildsIdentically(hand), false);
  const a = await trainPopulation(hand, small, { members: 2, backend: "cpu", workers: 2 });
  const b = await trainPopulation(hand, small, { members: 2, backend: "cpu", workers: 0 });
  for (let k = 0; k < 2; k++) sameRecordResults(a[k], b[k], `hand member ${k}`);
});

Deno.test("shared data gives every member member 0's data seed", async () => {
  const recs = await trainPopulation(task, { ...small, sharedData: true, maxEpochs: 1 }, {
    members: 3,
    seed: 1,
    backend: "cpu",
    workers: 2,
  });
  assert.equal(new Set(recs.map((r) => r.dataSeed)).size, 1);
  assert.equal(new Set(recs.map((r) => r.initSeed)).size, 3);
  // Same data, same init seed as member 1 of an unshared run → same results as training
  // member 1 alone on member 0's data stream.
  const alone = await trainPopulation(task, { ...small, sharedData: true, maxEpochs: 1 }, {
    seeds: [{ initSeed: recs[1].initSeed, dataSeed: recs[1].dataSeed }],
    backend: "cpu",
    workers: 0,
  });
  assert.deepEqual(alone[0].final, recs[1].final);
});

Deno.test("early stopping freezes a member; NaN/Inf freezes it as diverged, others go on", async () => {
  // Member 1 gets an absurd learning rate (1e38): its weights overflow float32 within a few
  // steps, so it must end `diverged` while members 0 and 2 keep training.
  const wrap: PopulationBackendFactory = async (shape, initial) => {
    const inner = await createCpuBackend({
      shape,
      initial,
      regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
      workers: 2,
    });
    return {
      name: inner.name,
      members: inner.members,
      step: (data, lrs, active) => {
        const l = lrs.slice();
        l[1] = 1e38;
        return inner.step(data, l, active);
      },
      evaluate: (d) => inner.evaluate(d),
      getParams: () => inner.getParams(),
      dispose: () => inner.dispose(),
    };
  };
  const cfg = { ...small, maxEpochs: 4 };
  const recs = await trainPopulation(task, cfg, { members: 3, seed: 3, backend: wrap });
  assert.equal(recs[1].status, "diverged");
  assert.equal(recs[1].history.trainLoss.length, recs[1].stopEpoch);
  assert.ok(recs[1].stopEpoch <= 2, `diverged at epoch ${recs[1].stopEpoch}`);
  validateRecord(recs[1]); // weights stay finite: the overflowing update was rolled back
  for (const k of [0, 2]) {
    assert.equal(recs[k].status, "not_converged");
    assert.equal(recs[k].stopEpoch, 4);
    assert.equal(recs[k].history.testLoss.length, 4);
  }
  // Early stopping: a threshold every member meets at once → converged after `patience`.
  const easy = await trainPopulation(
    task,
    { ...small, maxEpochs: 6, earlyStopThreshold: 100, patience: 2 },
    { members: 2, seed: 3, backend: "cpu", workers: 0 },
  );
  for (const r of easy) {
    assert.equal(r.status, "converged");
    assert.equal(r.stopEpoch, 2);
    assert.equal(r.history.testLoss.length, 2);
  }
  // Frozen means frozen: the converged member's weights equal those after 2 epochs of training.
  const twoEpochs = await trainPopulation(task, { ...small, maxEpochs: 2 }, {
    members: 2,
    seed: 3,
    backend: "cpu",
    workers: 0,
  });
  assert.deepEqual(easy[0].final, twoEpochs[0].final);
});

Deno.test("saved record round trip reproduces weights and outputs exactly", async () => {
  const [rec] = await trainPopulation(task, small, {
    members: 1,
    seed: 5,
    backend: "cpu",
    workers: 0,
  });
  const loaded = JSON.parse(JSON.stringify(rec)) as NetworkRecord;
  validateRecord(loaded);
  assert.equal(loaded.schema, "degeneracy.network/1");
  const p = paramsFromRecord(loaded);
  // Final weights from an identical in-process run held in memory.
  const backend = await createCpuBackend({
    shape: { inputDim: 1, hidden: 8, outputDim: 1 },
    initial: [initParams({ inputDim: 1, hidden: 8, outputDim: 1 }, rec.initSeed)],
    regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
    workers: 0,
  });
  assert.deepEqual(paramsFromRecord(loaded, "initial"), (await backend.getParams())[0]);
  await backend.dispose();
  const batch = task.sample(5, 99);
  const a = runNetwork(loaded, null, batch);
  const b = runNetwork(p, { inputDim: 1, hidden: 8, outputDim: 1 }, batch);
  const c = runNetwork(rec, null, batch);
  assert.deepEqual(a, b);
  assert.deepEqual(a, c);
  assert.equal(a.hidden.length, 5 * 10 * 8);
  const nested = toNested(a.hidden, 5, 10, 8);
  assert.equal(nested.length, 5);
  assert.equal(nested[4].length, 10);
  assert.equal(nested[4][9][7], a.hidden[(4 * 10 + 9) * 8 + 7]);
  assert.equal(nested[1][2][3], a.hidden[(1 * 10 + 2) * 8 + 3]);
  assert.throws(() => toNested(a.hidden, 5, 10, 7), /length/);
  // The record's last test loss is the test batch's loss of its final weights.
  const kernel = await loadKernel("auto");
  const test = stepDataFromBatch(task.sample(small.testBatchSize, testBatchSeed(rec.dataSeed)));
  const loss = kernel.forward({ inputDim: 1, hidden: 8, outputDim: 1 }, p, test);
  assert.ok(Math.abs(loss - rec.history.testLoss.at(-1)!) <= 1e-6 * loss);
  // A corrupted record is rejected with the field named.
  const bad = structuredClone(loaded);
  bad.final.wh[0].pop();
  assert.throws(() => paramsFromRecord(bad), /record\.final\.wh\[0\]/);
});

Deno.test("the CPU backend copies data unless handed over, then transfers it", async () => {
  const shape = { inputDim: 1, hidden: 4, outputDim: 1 };
  const initial: RnnParams[] = [0, 1].map((k) => initParams(shape, memberSeeds(0, k).initSeed));
  const backend = await createCpuBackend({
    shape,
    initial,
    regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
    workers: 2,
  });
  try {
    const d0 = stepDataFromBatch(task.sample(2, 1));
    const d1 = stepDataFromBatch(task.sample(2, 2));
    const ev = await backend.evaluate([d0, d1]);
    assert.equal(d0.inputs.length, 20); // evaluation copies
    const some = await (backend.evaluate as (
      d: unknown[],
      only?: boolean[],
    ) => Promise<Float64Array>).call(backend, [d0, d1], [false, true]);
    assert.ok(Number.isNaN(some[0]));
    assert.equal(some[1], ev[1]);
    // Unmarked data is copied and can be reused for the next step.
    const lrs = Float64Array.from([1e-3, 1e-3]);
    const first = await backend.step([d0, d1], lrs, [true, false]);
    assert.equal(first[0], ev[0]);
    assert.ok(Number.isNaN(first[1]));
    assert.equal(d0.inputs.length, 20);
    const second = await backend.step([d0, d1], lrs, [true, false]);
    assert.ok(second[0] < first[0], `loss ${first[0]} → ${second[0]}`);
    // Handed-over data is transferred to the worker (detached here); an inactive member's
    // data is not sent at all.
    const d2 = handOver(stepDataFromBatch(task.sample(2, 3)));
    const d3 = handOver(stepDataFromBatch(task.sample(2, 4)));
    await backend.step([d2, d3], lrs, [true, false]);
    assert.equal(d2.inputs.length, 0);
    assert.equal(d3.inputs.length, 20);
    const after = await backend.getParams();
    assert.notDeepEqual(after[0], initial[0]);
    assert.deepEqual(after[1], initial[1]);
    await assert.rejects(
      () => backend.step([d1], Float64Array.from([1e-3]), [true]),
      /data must be an array of 2/,
    );
  } finally {
    await backend.dispose();
  }
});

Deno.test("abort signal stops training between steps", async () => {
  const ctl = new AbortController();
  await assert.rejects(
    trainPopulation(task, { ...small, maxEpochs: 50 }, {
      members: 2,
      backend: "cpu",
      workers: 0,
      signal: ctl.signal,
      onProgress: (p) => {
        if (p.epoch === 1) ctl.abort(new Error("stop here"));
      },
    }),
    /stop here/,
  );
});

Deno.test("bad options are rejected with the field named", async () => {
  await assert.rejects(() => trainPopulation(task, { ...small, hidden: 0 }), /config\.hidden/);
  await assert.rejects(() => trainPopulation(task, { ...small, lr: NaN }), /config\.lr/);
  await assert.rejects(
    () => trainPopulation(task, small, { backend: "tpu" as "cpu" }),
    /backend must be/,
  );
  await assert.rejects(() => trainPopulation(task, { ...small, auxWeight: 1 }), /auxiliary/);
  await assert.rejects(() => trainPopulation(task, small, { members: 0 }), /members/);
});

Deno.test("schedulers drive each member's lr history per epoch", async () => {
  const plateau = await trainPopulation(task, {
    ...small,
    maxEpochs: 4,
    scheduler: { kind: "reduce_on_plateau", factor: 0.5, patience: 0, threshold: 0.99, minLr: 0 },
  }, { members: 2, backend: "cpu", workers: 0 });
  // Epoch 1 improves on +∞; every later epoch misses the 99% improvement bar → halve.
  for (const r of plateau) assert.deepEqual(r.history.lr, [0.01, 0.01, 0.005, 0.0025]);
  const cosine = await trainPopulation(task, {
    ...small,
    maxEpochs: 4,
    scheduler: { kind: "cosine_warm_restarts", t0: 2, tMult: 1, etaMin: 0 },
  }, { members: 1, backend: "cpu", workers: 0 });
  assert.deepEqual(cosine[0].history.lr, [0.01, 0.005, 0.01, 0.005]);
});

Deno.test("auxiliary loss adds readout rows; test loss is the masked task MSE only", async () => {
  const dd = createTask({
    name: "delayed_discrimination",
    n: 1,
    steps: 20,
    minDelay: 2,
    maxDelay: 5,
  });
  const cfg = { ...small, auxWeight: 0.5, maxEpochs: 2 };
  const [rec] = await trainPopulation(dd, cfg, { members: 1, seed: 2, backend: "cpu", workers: 0 });
  assert.deepEqual(rec.shape, { inputDim: 1, hidden: 8, outputDim: 2, auxDim: 1 });
  const test = dd.sample(small.testBatchSize, testBatchSeed(rec.dataSeed));
  const { outputs } = runNetwork(rec, null, test);
  // Masked MSE over the task output (column 0) only.
  let num = 0, den = 0;
  for (let r = 0; r < test.batch * test.steps; r++) {
    const m = test.mask![r];
    num += m * (outputs[2 * r] - test.targets[r]) ** 2;
    den += m;
  }
  const want = num / den;
  const got = rec.history.testLoss.at(-1)!;
  assert.ok(Math.abs(got - want) <= 1e-5 * want, `test loss ${got} vs task-only MSE ${want}`);
});
