/** Reading a training-budget probe: counts beyond the probed epochs are lower bounds. */
import assert from "node:assert/strict";
import { convergedBy } from "../../scripts/lib/budget_probe.ts";

Deno.test("budget probe: converged by E epochs, a lower bound beyond the probed epochs", () => {
  const members = [
    { status: "converged", stopEpoch: 101 },
    { status: "not_converged", stopEpoch: 150 },
    { status: "converged", stopEpoch: 142 },
  ];
  assert.equal(convergedBy(members, 100, 150), "0");
  assert.equal(convergedBy(members, 120, 150), "1");
  assert.equal(convergedBy(members, 150, 150), "2");
  // member 1 might still converge after the probe's 150 epochs
  assert.equal(convergedBy(members, 500, 150), "≥ 2");
  // every member decided within the probe: the count holds for any larger budget
  const done = [members[0], { status: "diverged", stopEpoch: 30 }, members[2]];
  assert.equal(convergedBy(done, 500, 150), "2");
});
