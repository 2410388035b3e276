import assert from "node:assert/strict";
import { attractorness, attractornessOrdering } from "../../metrics/attractorness.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("attractorness Δh: closed forms", () => {
  // constant non-zero state → 0
  assert.equal(attractorness([[[1, 2], [1, 2], [1, 2]]]).mean, 0);
  // alternating ±v: every step moves 2‖v‖, mean norm ‖v‖ → 2
  const v = [3, 4];
  const alt = [[v, v.map((x) => -x), v, v.map((x) => -x)]];
  close(attractorness(alt).mean, 2, 1e-15);
  // ramp h_t = t·v for t = 1..4: steps of ‖v‖, mean norm 2.5‖v‖ → 0.4
  const ramp = [[1, 2, 3, 4].map((t) => v.map((x) => t * x))];
  close(attractorness(ramp).perTrial[0], 0.4, 1e-15);
  // mean over trials, invariant to scaling the hidden states
  const both = attractorness([alt[0], ramp[0].map((r) => r.map((x) => 10 * x))]);
  close(both.perTrial[1], 0.4, 1e-15);
  close(both.mean, 1.2, 1e-15);
  assert.throws(() => attractorness([[[0, 0], [0, 0]]]), /hidden\[0\] is zero/);
  assert.throws(() => attractorness([[[1, 2]]]), /at least 2 steps/);
});

Deno.test("attractornessOrdering: Appendix B's flip-flop / path-integration ends with DD between", () => {
  const ok = attractornessOrdering({
    flipflop: 0.01,
    delayed_discrimination: 0.05,
    sine: 0.03,
    path_integration: 0.2,
  });
  assert.equal(ok.holds, true);
  assert.deepEqual(ok.ends, ["flipflop", "path_integration"]);
  // either order of the ends
  assert.equal(
    attractornessOrdering({
      flipflop: 0.3,
      delayed_discrimination: 0.1,
      sine: 0.2,
      path_integration: 0.01,
    })
      .holds,
    true,
  );
  // sine at an end
  const sineEnd = attractornessOrdering({
    flipflop: 0.01,
    delayed_discrimination: 0.05,
    sine: 0.5,
    path_integration: 0.2,
  });
  assert.equal(sineEnd.holds, false);
  assert.equal(sineEnd.ddBetween, true);
  // DD outside the flip-flop–path-integration interval
  assert.equal(
    attractornessOrdering({
      flipflop: 0.1,
      delayed_discrimination: 0.05,
      sine: 0.12,
      path_integration: 0.2,
    })
      .holds,
    false,
  );
  assert.throws(
    () =>
      attractornessOrdering({
        flipflop: NaN,
        delayed_discrimination: 1,
        sine: 1,
        path_integration: 1,
      }),
    /mean.flipflop/,
  );
});
