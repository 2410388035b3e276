/**
 * End-to-end learning on the CPU backend: a K=4 population learns 1-bit flip-flop (T=20,
 * H=16) to the paper's flip-flop threshold (test MSE < 5e-4 for 3 epochs, Appendix A.1), and
 * the L1 / nuclear-norm controls (§3.3) shrink ‖W_h‖₁ / ‖W_h‖_* against an unregularised twin
 * with the same seeds.
 */
import assert from "node:assert/strict";
import {
  flipFlopTask,
  nuclearNormAndSubgradient,
  paramsFromRecord,
  trainPopulation,
} from "../../mod.ts";
import type { NetworkRecord } from "../../mod.ts";
import { testConfig } from "./helpers.ts";

const task = flipFlopTask({ n: 1, steps: 20 });

Deno.test("K=4 population learns 1-bit flip-flop to the 5e-4 threshold on CPU", async () => {
  const config = testConfig({
    hidden: 16,
    lr: 0.01,
    maxEpochs: 60,
    stepsPerEpoch: 25,
    batchSize: 32,
    testBatchSize: 64,
    earlyStopThreshold: 5e-4,
    patience: 3,
  });
  const epochs: number[] = [];
  const recs = await trainPopulation(task, config, {
    members: 4,
    seed: 0,
    backend: "cpu",
    onProgress: (p) => epochs.push(p.epoch),
  });
  for (const r of recs) {
    assert.equal(r.status, "converged", `${r.id}: ${r.status}, test ${r.history.testLoss.at(-1)}`);
    const last3 = r.history.testLoss.slice(-3);
    assert.ok(last3.every((l) => l < 5e-4), `${r.id}: last test losses ${last3}`);
    assert.ok(r.history.testLoss[0] > 5e-4, "already below threshold before training?");
    assert.equal(r.history.testLoss.length, r.stopEpoch);
  }
  assert.deepEqual(epochs, Array.from({ length: epochs.length }, (_, i) => i + 1));
  assert.equal(epochs.at(-1), Math.max(...recs.map((r) => r.stopEpoch)));
});

function norms(r: NetworkRecord): { l1: number; nuclear: number } {
  const p = paramsFromRecord(r);
  return {
    l1: p.wh.reduce((s, v) => s + Math.abs(v), 0),
    nuclear: nuclearNormAndSubgradient(p.wh, r.shape.hidden).value,
  };
}

Deno.test("L1 and nuclear penalties shrink ‖W_h‖₁ and ‖W_h‖_* against an unregularised twin", async () => {
  const base = testConfig({
    hidden: 16,
    lr: 0.01,
    maxEpochs: 8,
    stepsPerEpoch: 25,
    batchSize: 32,
    testBatchSize: 64,
    earlyStopThreshold: 0,
  });
  const opts = { members: 2, seed: 0, backend: "cpu" as const, workers: 2 };
  const plain = await trainPopulation(task, base, opts);
  const l1 = await trainPopulation(task, { ...base, l1: 1e-3 }, opts);
  const nuc = await trainPopulation(task, { ...base, nuclear: 1e-2 }, opts);
  for (let k = 0; k < 2; k++) {
    assert.deepEqual(l1[k].initial, plain[k].initial); // twins: same init and data
    const n0 = norms(plain[k]), n1 = norms(l1[k]), n2 = norms(nuc[k]);
    assert.ok(n1.l1 < 0.8 * n0.l1, `member ${k}: ‖W_h‖₁ ${n1.l1} (L1) vs ${n0.l1} (plain)`);
    assert.ok(
      n2.nuclear < 0.8 * n0.nuclear,
      `member ${k}: ‖W_h‖_* ${n2.nuclear} (nuclear) vs ${n0.nuclear} (plain)`,
    );
  }
});
