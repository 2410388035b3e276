/** Appendix A training defaults (`defaultTrainingConfig`). */
import assert from "node:assert/strict";
import { createTask, defaultTrainingConfig } from "../../mod.ts";

Deno.test("defaultTrainingConfig: Appendix A values per task", () => {
  const pick = (n: Parameters<typeof defaultTrainingConfig>[0]) => {
    const c = defaultTrainingConfig(n);
    return [
      c.hidden,
      c.lr,
      c.scheduler.kind,
      c.maxEpochs,
      c.stepsPerEpoch,
      c.batchSize,
      c.earlyStopThreshold,
      c.patience,
    ];
  };
  assert.deepEqual(pick("flipflop"), [64, 0.001, "none", 300, 128, 256, 0.0005, 3]);
  assert.deepEqual(pick("delayed_discrimination"), [
    128,
    0.001,
    "cosine_warm_restarts",
    500,
    128,
    256,
    0.05,
    3,
  ]);
  assert.deepEqual(pick("sine"), [128, 0.0005, "none", 500, 128, 32, 0.05, 3]);
  assert.deepEqual(pick("path_integration"), [
    64,
    0.001,
    "reduce_on_plateau",
    1000,
    128,
    64,
    0.1,
    3,
  ]);
  assert.equal(
    defaultTrainingConfig({ name: "path_integration", dims: 3 }).earlyStopThreshold,
    0.3,
  );
  assert.equal(
    defaultTrainingConfig(createTask({ name: "path_integration", dims: 3 })).earlyStopThreshold,
    0.3,
  );
  assert.deepEqual(defaultTrainingConfig("path_integration").scheduler, {
    kind: "reduce_on_plateau",
    factor: 0.5,
    patience: 40,
    threshold: 1e-4,
    minLr: 0,
  });
  assert.deepEqual(defaultTrainingConfig("delayed_discrimination").scheduler, {
    kind: "cosine_warm_restarts",
    t0: 10,
    tMult: 1,
    etaMin: 0,
  });
  const c = defaultTrainingConfig("flipflop", { hidden: 32, auxWeight: 0.5 });
  assert.equal(c.hidden, 32);
  assert.equal(c.auxWeight, 0.5);
  assert.equal(defaultTrainingConfig("flipflop").hidden, 64, "defaults are not mutated");
  assert.throws(
    () => defaultTrainingConfig("flipflop", { hiden: 3 } as never),
    /unknown override "hiden"/,
  );
  assert.throws(() => defaultTrainingConfig("nope" as never), /task name must be one of/);
});
