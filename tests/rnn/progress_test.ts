/** The throttled progress printer: one line per interval, always the last epoch, silent when quiet. */
import assert from "node:assert/strict";
import { formatDuration, progressPrinter } from "../../mod.ts";
import type { TrainProgress } from "../../mod.ts";

const p = (epoch: number, active = 2): TrainProgress => ({
  epoch,
  maxEpochs: 10,
  members: 2,
  active,
  converged: 2 - active,
  diverged: 0,
  meanTrainLoss: 0.5,
  meanTestLoss: 0.25,
  elapsedSec: epoch,
  etaSec: 10 - epoch,
  backend: "cpu-ts",
});

Deno.test("progressPrinter throttles to one line per interval and prints the end", () => {
  const lines: string[] = [];
  let clock = 0;
  const print = progressPrinter({
    intervalSec: 2,
    write: (l) => lines.push(l),
    now: () => clock,
    label: "ff",
  });
  for (let e = 1; e <= 5; e++) {
    clock = e * 0.9;
    print(p(e, e === 5 ? 0 : 2));
  }
  // t = 0.9 prints, 1.8 and 2.7 are within 2 s, 3.6 prints, 4.5 is the end (no one active).
  assert.equal(lines.length, 3);
  assert.match(lines[0], /^ff epoch 1\/10 train 5\.000e-1 test 2\.500e-1 converged 0\/2/);
  assert.match(lines[1], /epoch 4\/10/);
  assert.match(lines[2], /epoch 5\/10 .*converged 2\/2/);
  const quiet: string[] = [];
  const silent = progressPrinter({ quiet: true, write: (l) => quiet.push(l) });
  silent(p(1));
  assert.equal(quiet.length, 0);
  assert.throws(() => progressPrinter({ intervalSec: -1 }), /intervalSec/);
});

Deno.test("formatDuration", () => {
  assert.equal(formatDuration(42.4), "42s");
  assert.equal(formatDuration(185), "3m05s");
  assert.equal(formatDuration(7620), "2h07m");
  assert.equal(formatDuration(NaN), "?");
});
