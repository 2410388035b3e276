/** N-bit flip-flop semantics: target = last non-zero input, pulse rate = p. */
import assert from "node:assert/strict";
import { flipFlopTask } from "../../mod.ts";

/** |rate − p| must stay within 5 binomial standard deviations (two-sided p ≈ 6e-7). */
function assertRate(count: number, total: number, p: number, what: string) {
  const sd = Math.sqrt((p * (1 - p)) / total);
  const rate = count / total;
  assert.ok(
    Math.abs(rate - p) <= 5 * sd,
    `${what}: rate ${rate} vs ${p} (±5σ = ${5 * sd}, ${total} draws)`,
  );
}

Deno.test("flip-flop: target is the last non-zero input at every step (0 before the first)", () => {
  for (const ood of [false, true]) {
    const task = flipFlopTask({ n: 3 });
    const b = task.sample(40, 11, { ood });
    const { batch, steps, inputDim: n } = b;
    assert.equal(steps, ood ? 200 : 100);
    assert.equal(n, 3);
    assert.equal(b.outputDim, 3);
    assert.equal(b.mask, null);
    assert.equal(b.inputs.length, batch * steps * n);
    for (let bi = 0; bi < batch; bi++) {
      for (let c = 0; c < n; c++) {
        let last = 0;
        for (let t = 0; t < steps; t++) {
          const i: number = (bi * steps + t) * n + c;
          const x = b.inputs[i];
          assert.ok(x === -1 || x === 0 || x === 1, `input ${x} not in {−1, 0, 1}`);
          if (x !== 0) last = x;
          assert.equal(b.targets[i], last, `b=${bi} c=${c} t=${t}`);
        }
      }
    }
  }
});

Deno.test("flip-flop: pulse rate matches p and pulse signs are balanced (binomial bound)", () => {
  for (const p of [0.3, 0.05, 0.9]) {
    const b = flipFlopTask({ n: 4, p }).sample(64, 3);
    let pulses = 0, plus = 0;
    for (const x of b.inputs) {
      if (x !== 0) pulses++;
      if (x === 1) plus++;
    }
    assertRate(pulses, b.inputs.length, p, `pulse rate p=${p}`);
    assertRate(plus, pulses, 0.5, `fraction of +1 pulses, p=${p}`);
  }
});

Deno.test("flip-flop: p = 0 gives no pulses and zero targets; p = 1 pulses every step", () => {
  const none = flipFlopTask({ n: 2, p: 0 }).sample(8, 1);
  assert.ok(none.inputs.every((x) => x === 0));
  assert.ok(none.targets.every((x) => x === 0));
  const all = flipFlopTask({ n: 2, p: 1 }).sample(8, 1);
  assert.ok(all.inputs.every((x) => x === 1 || x === -1));
  assert.deepEqual(all.targets, all.inputs);
});

Deno.test("flip-flop: Appendix A defaults and task metadata", () => {
  const t = flipFlopTask();
  assert.deepEqual({ ...t.params }, { n: 3, p: 0.3, steps: 100 });
  assert.equal(t.id, "flipflop-n3");
  assert.equal(t.channels, 3);
  assert.equal(t.auxDim, 0);
  assert.equal(t.continuousInputs, false);
  assert.equal(t.continuousTargets, false);
  assert.equal(flipFlopTask({ n: 1, p: 0.5, steps: 50 }).id, "flipflop-n1-p0.5-t50");
});
