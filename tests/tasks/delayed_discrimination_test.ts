/** Delayed discrimination semantics: pulse timing, delay range, target sign,
 * loss mask, auxiliary target f2 − f1, OOD doubled delay. */
import assert from "node:assert/strict";
import { delayedDiscriminationTask, type TaskBatch } from "../../mod.ts";

interface Trial {
  t1: number;
  t2: number;
  f1: number;
  f2: number;
}

/** Read the two pulses of trial b, channel c (asserting there are exactly two). */
function pulses(x: TaskBatch, b: number, c: number): Trial {
  const at: number[] = [];
  for (let t = 0; t < x.steps; t++) {
    if (x.inputs[(b * x.steps + t) * x.inputDim + c] !== 0) at.push(t);
  }
  assert.equal(at.length, 2, `trial ${b} channel ${c}: pulses at ${at}`);
  const v = (t: number) => x.inputs[(b * x.steps + t) * x.inputDim + c];
  return { t1: at[0], t2: at[1], f1: v(at[0]), f2: v(at[1]) };
}

function checkBatch(
  x: TaskBatch,
  onset: number,
  delays: number[],
  fMin: number,
  fMax: number,
  auxDivisor = fMax - fMin,
) {
  assert.ok(x.mask && x.aux && x.aux.mask);
  const n = x.inputDim;
  const seen: number[] = [];
  let positive = 0;
  for (let b = 0; b < x.batch; b++) {
    for (let c = 0; c < n; c++) {
      const { t1, t2, f1, f2 } = pulses(x, b, c);
      assert.equal(t1, onset);
      assert.ok(delays.includes(t2 - t1), `delay ${t2 - t1}`);
      seen.push(t2 - t1);
      assert.ok(f1 >= fMin && f1 < fMax && f2 >= fMin && f2 < fMax, `f1=${f1} f2=${f2}`);
      const sign = Math.sign(f2 - f1);
      if (sign > 0) positive++;
      for (let t = 0; t < x.steps; t++) {
        const i = (b * x.steps + t) * n + c;
        const after = t > t2;
        assert.equal(x.targets[i], after ? sign : 0, `target b=${b} c=${c} t=${t}`);
        assert.equal(x.mask[i], after ? 1 : 0, `mask b=${b} c=${c} t=${t}`);
        const aux = after ? Math.fround((f2 - f1) / auxDivisor) : 0;
        assert.equal(x.aux.targets[i], aux, `aux t=${t}`);
        assert.equal(x.aux.mask[i], x.mask[i]);
      }
    }
  }
  // Every allowed delay occurs (P(a given one is missing) = (15/16)^400 ≈ 6e-12).
  assert.deepEqual([...new Set(seen)].sort((a, b) => a - b), delays);
  // sign(f2 − f1) is +1 in half the trials: 5σ binomial bound.
  const m = x.batch * n;
  assert.ok(Math.abs(positive / m - 0.5) <= 5 * Math.sqrt(0.25 / m), `positive ${positive}/${m}`);
}

const range = (lo: number, hi: number, step = 1) =>
  Array.from({ length: Math.floor((hi - lo) / step) + 1 }, (_, k) => lo + k * step);

Deno.test("delayed discrimination: timing, delay range 5..20, sign target, mask, aux", () => {
  const task = delayedDiscriminationTask({ n: 2 });
  assert.equal(task.steps, 60);
  assert.equal(task.auxDim, 2);
  const x = task.sample(200, 5);
  assert.equal(x.steps, 60);
  checkBatch(x, 5, range(5, 20), 2, 10);
});

Deno.test("delayed discrimination: OOD doubles every delay, trial length unchanged", () => {
  const task = delayedDiscriminationTask({ n: 2 });
  const x = task.sample(200, 5);
  const o = task.sample(200, 5, { ood: true });
  assert.equal(o.steps, 60);
  checkBatch(o, 5, range(10, 40, 2), 2, 10);
  // Same seed: same amplitudes, each delay exactly twice the in-distribution one.
  for (let b = 0; b < x.batch; b++) {
    for (let c = 0; c < 2; c++) {
      const a = pulses(x, b, c), d = pulses(o, b, c);
      assert.equal(d.t2 - d.t1, 2 * (a.t2 - a.t1));
      assert.equal(d.f1, a.f1);
      assert.equal(d.f2, a.f2);
    }
  }
});

Deno.test("delayed discrimination: the auxiliary target spans [−1, 1] like the main one (raw on request)", () => {
  // f2 − f1 is triangular on [−8, 8]: P(|f2 − f1| > 6) = 1/16, so 400 trials reach ±0.75
  const scaled = delayedDiscriminationTask({ n: 1 }).sample(400, 3);
  const raw = delayedDiscriminationTask({ n: 1, auxScale: "raw" });
  assert.equal(raw.id, "dd-n1-auxscaleraw");
  const r = raw.sample(400, 3);
  checkBatch(r, 5, range(5, 20), 2, 10, 1);
  let lo = Infinity, hi = -Infinity;
  for (const v of scaled.aux!.targets) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  assert.ok(lo >= -1 && hi <= 1 && lo < -0.75 && hi > 0.75, `aux range [${lo}, ${hi}]`);
  // same amplitudes either way (the scale does not touch the random stream)
  assert.deepEqual(scaled.inputs, r.inputs);
  assert.throws(
    () => delayedDiscriminationTask({ auxScale: "unit" as never }),
    /auxScale" must be one of "range", "raw"/,
  );
});

Deno.test("delayed discrimination: parameters, aux off, id, timing constraint", () => {
  const t = delayedDiscriminationTask({
    aux: false,
    minDelay: 3,
    maxDelay: 4,
    onset: 2,
    steps: 12,
  });
  assert.equal(t.auxDim, 0);
  assert.equal(t.id, "dd-n1-t12-dmin3-dmax4-on2-aux0");
  const x = t.sample(50, 1);
  assert.equal(x.aux, null);
  for (let b = 0; b < 50; b++) {
    const { t1, t2 } = pulses(x, b, 0);
    assert.equal(t1, 2);
    assert.ok(t2 - t1 === 3 || t2 - t1 === 4);
  }
  assert.equal(delayedDiscriminationTask().id, "dd-n1");
  // onset + 2·maxDelay + 1 must be < steps: 5 + 40 + 1 = 46.
  assert.throws(() => delayedDiscriminationTask({ steps: 46 }), /"steps".*> onset \+ 2·maxDelay/);
  assert.throws(() => delayedDiscriminationTask({ minDelay: 9, maxDelay: 8 }), /"maxDelay"/);
  assert.throws(() => delayedDiscriminationTask({ fMin: 3, fMax: 2 }), /"fMax"/);
});
