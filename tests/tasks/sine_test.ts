/** Sine-wave generation semantics: the target's dominant DFT frequency is the
 * frequency encoded in the static input; training grid; Nyquist; OOD doubled length. */
import assert from "node:assert/strict";
import { sineFrequencies, sineWaveTask, type TaskBatch } from "../../mod.ts";

/** One channel of one trial as a plain array. */
function series(x: Float32Array, b: TaskBatch, bi: number, c: number): number[] {
  return Array.from({ length: b.steps }, (_, t) => x[(bi * b.steps + t) * b.inputDim + c]);
}

/** |DTFT| of `y` at frequency f (Hz), time step dt. */
function dtft(y: number[], f: number, dt: number): number {
  let re = 0, im = 0;
  for (let t = 0; t < y.length; t++) {
    re += y[t] * Math.cos(2 * Math.PI * f * t * dt);
    im -= y[t] * Math.sin(2 * Math.PI * f * t * dt);
  }
  return Math.hypot(re, im);
}

/** Frequency of the largest DFT bin k/(T·dt), k = 1 … ⌈T/2⌉ − 1. */
function dominantBin(y: number[], dt: number): number {
  const df = 1 / (y.length * dt);
  let best = 0, arg = 0;
  for (let k = 1; k < Math.ceil(y.length / 2); k++) {
    const m = dtft(y, k * df, dt);
    if (m > best) [best, arg] = [m, k * df];
  }
  return arg;
}

/** Peak of the zero-padded spectrum (a 1 Hz sine over 1 s peaks near 0.84 Hz, pulled by its
 * negative-frequency image; hence the half-bin tolerance below): 0.1 Hz grid below Nyquist, then refined to 0.001 Hz. */
function dominantFine(y: number[], dt: number): number {
  let best = 0, arg = 0;
  for (let f = 0.5; f < 1 / (2 * dt); f += 0.1) {
    const m = dtft(y, f, dt);
    if (m > best) [best, arg] = [m, f];
  }
  const centre = arg;
  for (let f = centre - 0.1; f <= centre + 0.1; f += 0.001) {
    const m = dtft(y, f, dt);
    if (m > best) [best, arg] = [m, f];
  }
  return arg;
}

Deno.test("sine: integer grid 1..30 Hz — the dominant DFT bin is exactly the input frequency", () => {
  const task = sineWaveTask({ n: 2, nFreq: 30 });
  assert.deepEqual(sineFrequencies(30, 1, 30), Array.from({ length: 30 }, (_, k) => k + 1));
  const b = task.sample(40, 9);
  const seen = new Set<number>();
  for (let bi = 0; bi < b.batch; bi++) {
    for (let c = 0; c < 2; c++) {
      const x = series(b.inputs, b, bi, c);
      assert.ok(x.every((v) => v === x[0]), "static input");
      const f = Math.round(x[0] * 30);
      assert.ok(Math.abs(x[0] * 30 - f) < 1e-5, `input ${x[0]} encodes f/30 for integer f`);
      seen.add(f);
      const y = series(b.targets, b, bi, c);
      assert.equal(dominantBin(y, 0.01), f);
      for (let t = 0; t < b.steps; t++) {
        assert.ok(Math.abs(y[t] - Math.sin(2 * Math.PI * f * t * 0.01)) < 1e-6);
      }
    }
  }
  assert.ok(seen.size > 20, `frequencies seen: ${seen.size}`);
});

Deno.test("sine: N_freq = 5 grid, off-bin frequencies — spectral peak within half a DFT bin", () => {
  const grid = sineFrequencies(5, 1, 30);
  assert.deepEqual(grid, [1, 8.25, 15.5, 22.75, 30]);
  const task = sineWaveTask();
  assert.equal(task.id, "sine-n1-f5");
  for (const ood of [false, true]) {
    const b = task.sample(60, 2, { ood });
    assert.equal(b.steps, ood ? 200 : 100);
    const halfBin = 0.5 / (b.steps * 0.01);
    const seen = new Set<number>();
    const peaks = new Map<number, number>(); // identical targets per frequency: compute once
    for (let bi = 0; bi < b.batch; bi++) {
      const f = b.inputs[bi * b.steps] * 30;
      const g = grid.find((v) => Math.abs(v - f) < 1e-4);
      assert.ok(g !== undefined, `input frequency ${f} on the grid`);
      seen.add(g);
      const y = series(b.targets, b, bi, 0);
      if (!peaks.has(g)) peaks.set(g, dominantFine(y, 0.01));
      const peak = peaks.get(g)!;
      assert.ok(Math.abs(peak - g) <= halfBin, `f=${g} peak=${peak} (ood=${ood})`);
      // The OOD trial continues the same sine: sin(2π f t dt) up to t = 2T − 1.
      assert.ok(Math.abs(y[b.steps - 1] - Math.sin(2 * Math.PI * g * (b.steps - 1) * 0.01)) < 1e-6);
    }
    assert.equal(seen.size, 5);
  }
});

Deno.test("sine: off-grid sampling, N_freq = 1, Nyquist check, metadata", () => {
  const off = sineWaveTask({ offGrid: true, nFreq: 2 });
  assert.equal(off.continuousInputs, true);
  const b = off.sample(50, 4);
  const fs = Array.from({ length: 50 }, (_, bi) => b.inputs[bi * b.steps] * 30);
  assert.ok(fs.every((f) => f >= 1 - 1e-5 && f <= 30 + 1e-5));
  assert.ok(fs.filter((f) => Math.abs(f - 1) > 1e-3 && Math.abs(f - 30) > 1e-3).length > 40);
  assert.deepEqual(sineFrequencies(1, 1, 30), [1]);
  const one = sineWaveTask({ nFreq: 1 }).sample(3, 1);
  assert.ok(one.inputs.every((v) => v === Math.fround(1 / 30)));
  const t = sineWaveTask();
  assert.equal(t.continuousTargets, true);
  assert.equal(t.continuousInputs, false);
  assert.deepEqual({ ...t.params }, {
    n: 1,
    nFreq: 5,
    fMin: 1,
    fMax: 30,
    steps: 100,
    dt: 0.01,
    offGrid: false,
  });
  // 30 Hz needs dt < 1/60 s.
  assert.throws(() => sineWaveTask({ dt: 1 / 60 }), /"dt" must be < .*Nyquist/);
  assert.throws(() => sineWaveTask({ fMin: 10, fMax: 5 }), /"fMax"/);
});
