import assert from "node:assert/strict";
import {
  frobeniusNorm,
  pifRelativeToInit,
  relativeDistanceFromInit,
} from "../../metrics/size_invariant.ts";
import { pifDistance } from "../../metrics/pif/pif.ts";
import { initParams } from "../../rnn/init.ts";

/** W_h of a freshly initialised network (PyTorch's uniform init) as rows. */
function untrained(hidden: number, seed: number): number[][] {
  const wh = initParams({ inputDim: 1, hidden, outputDim: 1 }, seed, "uniform").wh;
  return Array.from(
    { length: hidden },
    (_, i) => Array.from(wh.subarray(i * hidden, (i + 1) * hidden)),
  );
}

/** W + ε·E: a planted "training" update of relative size ε (E drawn like W). */
function update(w: number[][], e: number[][], eps: number): number[][] {
  return w.map((row, i) => row.map((v, j) => v + eps * e[i][j]));
}

const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;

Deno.test("untrained networks of every size: PIF relative to init is 1, relative distance from init 0", () => {
  for (const h of [8, 16, 32, 64]) {
    const w1 = untrained(h, 10), w2 = untrained(h, 11);
    const d0 = pifDistance(w1, w2, { restarts: 3, seed: 1 }).distance;
    // "trained" = initial: the same search on the same pair gives the same distance
    const dT = pifDistance(w1, w2, { restarts: 3, seed: 1 }).distance;
    assert.equal(pifRelativeToInit(dT, d0), 1);
    const r = relativeDistanceFromInit(w1, w1);
    assert.equal(r.relative, 0);
    assert.equal(r.perEntry, 0);
  }
});

Deno.test("a planted update of relative size ε reads the same at every size (size-invariant), unlike / n²", () => {
  const eps = 1;
  const ratios: number[] = [],
    perEntry: number[] = [],
    relInit: number[] = [],
    initPerEntry: number[] = [];
  for (const h of [8, 16, 32]) {
    const r: number[] = [], pe: number[] = [], ri: number[] = [], ie: number[] = [];
    for (let k = 0; k < 6; k++) {
      const w1 = untrained(h, 100 + 4 * k), w2 = untrained(h, 101 + 4 * k);
      const e1 = untrained(h, 102 + 4 * k), e2 = untrained(h, 103 + 4 * k);
      const t1 = update(w1, e1, eps), t2 = update(w2, e2, eps);
      const d0 = pifDistance(w1, w2, { restarts: 3, seed: k }).distance;
      const dT = pifDistance(t1, t2, { restarts: 3, seed: k });
      r.push(pifRelativeToInit(dT.distance, d0));
      pe.push(dT.normalized);
      const rd = relativeDistanceFromInit(w1, t1);
      ri.push(rd.relative);
      ie.push(rd.perEntry);
    }
    ratios.push(mean(r));
    perEntry.push(mean(pe));
    relInit.push(mean(ri));
    initPerEntry.push(mean(ie));
  }
  // independent updates of relative size ε: PIF grows by √(1 + ε²) whatever the size
  for (const r of ratios) assert.ok(Math.abs(r - Math.SQRT2) < 0.06, `PIF_T/PIF_0 ${ratios}`);
  for (const r of relInit) assert.ok(Math.abs(r - eps) < 0.05, `‖ΔW‖/‖W_0‖ ${relInit}`);
  // the paper's per-entry readings of the same updates fall ≥ 2.3× per doubling of n
  for (let i = 1; i < 3; i++) {
    assert.ok(perEntry[i - 1] / perEntry[i] > 2.3, `PIF/n² ${perEntry}`);
    assert.ok(initPerEntry[i - 1] / initPerEntry[i] > 2.3, `‖ΔW‖/n² ${initPerEntry}`);
  }
});

Deno.test("PIF divided by ‖W‖_F is not size-invariant between untrained networks (why we do not use it)", () => {
  const byNorm = [8, 64].map((h) => {
    const v: number[] = [];
    for (let k = 0; k < 4; k++) {
      const w1 = untrained(h, 200 + 2 * k), w2 = untrained(h, 201 + 2 * k);
      const d = pifDistance(w1, w2, { restarts: 3, seed: k }).distance;
      v.push(d / Math.sqrt((frobeniusNorm(w1) ** 2 + frobeniusNorm(w2) ** 2) / 2));
    }
    return mean(v);
  });
  // the best permutation removes a larger share of the distance in small matrices
  assert.ok(byNorm[1] / byNorm[0] > 1.15, `PIF/‖W‖ at n = 8, 64: ${byNorm}`);
});

Deno.test("size-invariant readings: bad input", () => {
  assert.throws(() => relativeDistanceFromInit([[0, 0]], [[1, 1]]), /zero matrix/);
  assert.throws(() => relativeDistanceFromInit([[1, 0]], [[1]]), /columns/);
  assert.throws(() => relativeDistanceFromInit([], []), /non-empty/);
  assert.throws(() => relativeDistanceFromInit([[1, NaN]], [[1, 1]]), /finite/);
  assert.throws(() => pifRelativeToInit(1, 0), /initialDistance/);
  assert.throws(() => pifRelativeToInit(-1, 1), /trainedDistance/);
  assert.throws(() => frobeniusNorm([[1, Infinity]]), /\[0\]\[1\]/);
});
