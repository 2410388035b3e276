/**
 * RNN kernels: the TypeScript reference against central finite differences and closed forms,
 * and the WASM SIMD kernel against the reference on several shapes (odd sizes included).
 */
import assert from "node:assert/strict";
import { tsKernel } from "../../../rnn/kernels/ts.ts";
import { mulberry32 } from "../../../metrics/rng.ts";
import { zeroParams } from "../../../rnn/params.ts";
import type { RnnKernel, RnnParams, RnnShape, StepData } from "../../../rnn/types.ts";

function fill(n: number, r: () => number, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (2 * r() - 1) * scale;
  return a;
}

function makeParams(s: RnnShape, r: () => number, scale = 1): RnnParams {
  const { inputDim: I, hidden: H, outputDim: O } = s;
  const g = scale / Math.sqrt(H);
  return {
    wx: fill(H * I, r, g * 2),
    wh: fill(H * H, r, g * 1.5),
    b: fill(H, r, g),
    wo: fill(O * H, r, g * 2),
    bo: fill(O, r, g),
  };
}

const zerosLike = (s: RnnShape): RnnParams => zeroParams(s).params;

function makeData(s: RnnShape, B: number, T: number, r: () => number, masked = true): StepData {
  const { inputDim: I, outputDim: O } = s;
  const weights = new Float32Array(B * T * O);
  let kept = 0;
  for (let i = 0; i < weights.length; i++) {
    const keep = !masked || i === 0 || r() > 0.3;
    weights[i] = keep ? 1 : 0;
    if (keep) kept++;
  }
  for (let i = 0; i < weights.length; i++) weights[i] /= kept;
  return {
    batch: B,
    steps: T,
    inputs: fill(B * T * I, r, 1),
    targets: fill(B * T * O, r, 1),
    weights,
  };
}

const KEYS = ["wx", "wh", "b", "wo", "bo"] as const;

/** Central finite differences of the kernel's loss, using the float32-rounded step actually taken. */
function fdCheck(
  kernel: RnnKernel,
  s: RnnShape,
  p: RnnParams,
  d: StepData,
  relTol: number,
  eps = 1e-3,
  floor = 1e-3,
) {
  const g = zerosLike(s);
  kernel.lossAndGrads(s, p, d, g);
  let worst = 0;
  for (const key of KEYS) {
    const w = p[key];
    for (let i = 0; i < w.length; i++) {
      const w0 = w[i];
      w[i] = w0 + eps;
      const up = w[i];
      const lp = kernel.forward(s, p, d);
      w[i] = w0 - eps;
      const dn = w[i];
      const lm = kernel.forward(s, p, d);
      w[i] = w0;
      const fd = (lp - lm) / (up - dn);
      const err = Math.abs(fd - g[key][i]) / (Math.abs(fd) + floor);
      worst = Math.max(worst, err);
      assert.ok(
        err < relTol,
        `${kernel.name} ${key}[${i}]: analytic ${g[key][i]} vs finite difference ${fd}`,
      );
    }
  }
  return worst;
}

Deno.test("ts kernel: gradients match central finite differences (I=2, H=5, O=3, B=3, T=7)", () => {
  const s: RnnShape = { inputDim: 2, hidden: 5, outputDim: 3 };
  const r = mulberry32(1);
  const p = makeParams(s, r);
  const d = makeData(s, 3, 7, r);
  fdCheck(tsKernel, s, p, d, 1e-4);
});

Deno.test("ts kernel: gradients match finite differences with saturating weights (H=4, T=12)", () => {
  const s: RnnShape = { inputDim: 1, hidden: 4, outputDim: 2 };
  const r = mulberry32(7);
  const p = makeParams(s, r, 3);
  const d = makeData(s, 2, 12, r, false);
  fdCheck(tsKernel, s, p, d, 1e-4);
});

Deno.test("ts kernel: forward matches a closed form for H=1, one step", () => {
  const s: RnnShape = { inputDim: 1, hidden: 1, outputDim: 1 };
  const p: RnnParams = {
    wx: Float32Array.of(0.5),
    wh: Float32Array.of(0.25),
    b: Float32Array.of(0.125),
    wo: Float32Array.of(2),
    bo: Float32Array.of(-1),
  };
  const d: StepData = {
    batch: 1,
    steps: 2,
    inputs: Float32Array.of(1, -1),
    targets: Float32Array.of(0, 0.5),
    weights: Float32Array.of(0.5, 0.5),
  };
  const hidden = new Float32Array(2);
  const outputs = new Float32Array(2);
  const loss = tsKernel.forward(s, p, d, { hidden, outputs });
  const h1 = Math.tanh(0.5 + 0.125);
  const h2 = Math.tanh(-0.5 + 0.25 * h1 + 0.125);
  const y1 = 2 * h1 - 1, y2 = 2 * h2 - 1;
  assert.ok(Math.abs(hidden[0] - h1) < 1e-7 && Math.abs(hidden[1] - h2) < 1e-7);
  assert.ok(Math.abs(outputs[0] - y1) < 1e-6 && Math.abs(outputs[1] - y2) < 1e-6);
  const want = 0.5 * y1 * y1 + 0.5 * (y2 - 0.5) ** 2;
  assert.ok(Math.abs(loss - want) < 1e-6, `loss ${loss} vs ${want}`);
  // forward without targets returns NaN
  assert.ok(Number.isNaN(tsKernel.forward(s, p, { batch: 1, steps: 2, inputs: d.inputs })));
});

Deno.test("ts kernel: zero-weight entries do not affect loss or gradients", () => {
  const s: RnnShape = { inputDim: 2, hidden: 3, outputDim: 2 };
  const r = mulberry32(3);
  const p = makeParams(s, r);
  const d = makeData(s, 2, 5, r);
  const g1 = zerosLike(s), g2 = zerosLike(s);
  const l1 = tsKernel.lossAndGrads(s, p, d, g1);
  const t2 = d.targets.slice();
  for (let i = 0; i < t2.length; i++) if (d.weights[i] === 0) t2[i] += 100;
  const l2 = tsKernel.lossAndGrads(s, p, { ...d, targets: t2 }, g2);
  assert.equal(l1, l2);
  for (const k of KEYS) assert.deepEqual(g1[k], g2[k]);
});

Deno.test("ts kernel: bad sizes throw naming the field", () => {
  const s: RnnShape = { inputDim: 2, hidden: 3, outputDim: 2 };
  const r = mulberry32(4);
  const p = makeParams(s, r);
  const d = makeData(s, 2, 5, r);
  assert.throws(
    () => tsKernel.lossAndGrads(s, p, { ...d, inputs: new Float32Array(3) }, zerosLike(s)),
    /data\.inputs/,
  );
  assert.throws(
    () => tsKernel.lossAndGrads({ ...s, hidden: 0 }, p, d, zerosLike(s)),
    /shape\.hidden/,
  );
  assert.throws(
    () =>
      tsKernel.lossAndGrads(
        s,
        p,
        { ...d, weights: undefined } as unknown as StepData,
        zerosLike(s),
      ),
    /data\.weights/,
  );
  const bad = zerosLike(s);
  bad.wh = new Float32Array(4);
  assert.throws(() => tsKernel.lossAndGrads(s, p, d, bad), /grads\.wh/);
});

// ---------------------------------------------------------------------------------------------
// WASM SIMD kernel

import { createWasmKernel } from "../../../rnn/kernels/wasm.ts";
import {
  ARTEFACT_URL,
  renderArtefact,
  SOURCE_URL,
  sourceDigest,
} from "../../../rnn/kernels/wasm/build.ts";
import { SOURCE_SHA256 } from "../../../rnn/kernels/wasm/rnn_kernel.wasm.ts";

/** Max over entries of |a − b| divided by max |a| (relative to the array's scale). */
function relErr(a: Float32Array, b: Float32Array): number {
  let scale = 0, err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return scale === 0 ? err : err / scale;
}

// [I, H, O, B, T]: odd sizes exercise the padding (B to even ≥ 4, covered by 6- and 4-row
// tiles; H to 8; I + 1 and O to 4).
const SHAPES: [number, number, number, number, number][] = [
  [1, 1, 1, 1, 1],
  [1, 5, 1, 1, 2],
  [2, 13, 3, 7, 9],
  [3, 64, 3, 8, 10],
  [4, 130, 2, 5, 3],
  [2, 16, 5, 13, 6],
  [3, 24, 2, 12, 4],
];

Deno.test("wasm kernel: loss, gradients, hidden states and outputs match the ts kernel", async () => {
  const k = await createWasmKernel();
  assert.equal(k.name, "wasm-simd");
  for (const [I, H, O, B, T] of SHAPES) {
    const s: RnnShape = { inputDim: I, hidden: H, outputDim: O };
    const r = mulberry32(100 + H * 7 + B);
    const p = makeParams(s, r);
    const d = makeData(s, B, T, r);
    const g1 = zerosLike(s), g2 = zerosLike(s);
    const l1 = tsKernel.lossAndGrads(s, p, d, g1);
    const l2 = k.lossAndGrads(s, p, d, g2);
    const tag = `I=${I} H=${H} O=${O} B=${B} T=${T}`;
    assert.ok(Math.abs(l1 - l2) <= 1e-5 * l1, `${tag}: loss ${l2} vs ${l1}`);
    for (const key of KEYS) {
      const e = relErr(g1[key], g2[key]);
      assert.ok(e < 1e-5, `${tag}: grads.${key} relative error ${e}`);
    }
    const h1 = new Float32Array(B * T * H), h2 = new Float32Array(B * T * H);
    const y1 = new Float32Array(B * T * O), y2 = new Float32Array(B * T * O);
    const f1 = tsKernel.forward(s, p, d, { hidden: h1, outputs: y1 });
    const f2 = k.forward(s, p, d, { hidden: h2, outputs: y2 });
    assert.ok(Math.abs(f1 - f2) <= 1e-5 * f1, `${tag}: forward loss ${f2} vs ${f1}`);
    for (let i = 0; i < h1.length; i++) {
      assert.ok(Math.abs(h1[i] - h2[i]) < 2e-6, `${tag}: hidden[${i}] ${h2[i]} vs ${h1[i]}`);
    }
    for (let i = 0; i < y1.length; i++) {
      assert.ok(Math.abs(y1[i] - y2[i]) < 1e-5, `${tag}: outputs[${i}] ${y2[i]} vs ${y1[i]}`);
    }
    assert.ok(Number.isNaN(k.forward(s, p, { batch: B, steps: T, inputs: d.inputs })));
  }
});

Deno.test("wasm kernel: gradients match central finite differences (H=11, B=5)", async () => {
  const k = await createWasmKernel();
  const s: RnnShape = { inputDim: 2, hidden: 11, outputDim: 3 };
  const r = mulberry32(11);
  const p = makeParams(s, r);
  const d = makeData(s, 5, 6, r);
  // The wasm forward pass is float32 (loss noise ~1e-7 relative), so a wider step and an
  // absolute floor keep rounding noise out of the finite difference.
  const worst = fdCheck(k, s, p, d, 1e-3, 1e-2, 1e-2);
  assert.ok(worst > 0);
});

Deno.test("wasm kernel: buffers are reused across shapes without stale data; memory grows", async () => {
  const k = await createWasmKernel();
  const big: RnnShape = { inputDim: 3, hidden: 72, outputDim: 3 };
  const small: RnnShape = { inputDim: 1, hidden: 6, outputDim: 2 };
  const r = mulberry32(21);
  const pb = makeParams(big, r), db = makeData(big, 64, 40, r);
  const ps = makeParams(small, r), ds = makeData(small, 3, 5, r);
  const first = zerosLike(small);
  const l0 = k.lossAndGrads(small, ps, ds, first);
  const gb = zerosLike(big);
  const lb = k.lossAndGrads(big, pb, db, gb); // grows memory
  const again = zerosLike(small);
  const l1 = k.lossAndGrads(small, ps, ds, again);
  assert.equal(l0, l1);
  for (const key of KEYS) assert.deepEqual(first[key], again[key]);
  const gb2 = zerosLike(big);
  assert.equal(k.lossAndGrads(big, pb, db, gb2), lb);
  for (const key of KEYS) assert.deepEqual(gb[key], gb2[key]);
});

Deno.test("wasm kernel: NaN weights propagate to the loss (no silent clamping)", async () => {
  const k = await createWasmKernel();
  const s: RnnShape = { inputDim: 2, hidden: 8, outputDim: 1 };
  const r = mulberry32(5);
  const p = makeParams(s, r);
  p.wh[3] = NaN;
  const d = makeData(s, 4, 4, r, false);
  assert.ok(Number.isNaN(k.lossAndGrads(s, p, d, zerosLike(s))));
});

Deno.test("wasm kernel: vectorised tanh is within 4e-7 of Math.tanh", async () => {
  const k = await createWasmKernel();
  let worst = 0;
  for (let x = -12; x <= 12; x += 1e-3) {
    worst = Math.max(worst, Math.abs(k.tanh(x) - Math.tanh(x)));
  }
  assert.ok(worst < 4e-7, `max error ${worst}`);
  assert.equal(k.tanh(0), 0);
  assert.ok(Number.isNaN(k.tanh(NaN)));
});

Deno.test("wasm kernel: bad sizes throw naming the field", async () => {
  const k = await createWasmKernel();
  const s: RnnShape = { inputDim: 2, hidden: 3, outputDim: 2 };
  const r = mulberry32(4);
  const p = makeParams(s, r);
  const d = makeData(s, 2, 5, r);
  assert.throws(
    () => k.lossAndGrads(s, p, { ...d, targets: new Float32Array(1) }, zerosLike(s)),
    /data\.targets/,
  );
  assert.throws(() => k.forward(s, p, d, { hidden: new Float32Array(2) }), /out\.hidden/);
});

Deno.test("wasm artefact: built from the current source (hash) and rebuilding reproduces it", async () => {
  const source = await Deno.readTextFile(SOURCE_URL);
  assert.equal(
    SOURCE_SHA256,
    await sourceDigest(source),
    "rnn/kernels/wasm/rnn_kernel.wasm.ts is stale: run `deno task build:wasm`",
  );
  const committed = await Deno.readTextFile(ARTEFACT_URL);
  assert.equal(committed, await renderArtefact(source), "rebuilt artefact differs");
});

Deno.test("wasm kernel: a problem beyond 4 GiB of linear memory throws naming the limit", async () => {
  const k = await createWasmKernel();
  const s: RnnShape = { inputDim: 1, hidden: 2048, outputDim: 1 };
  const B = 2048, T = 300; // hidden states alone: 2048 · 300 · 2048 · 4 B = 5 GB
  const p = zerosLike(s);
  const d = {
    batch: B,
    steps: T,
    inputs: new Float32Array(B * T),
    targets: new Float32Array(B * T),
    weights: new Float32Array(B * T),
  };
  assert.throws(() => k.lossAndGrads(s, p, d, zerosLike(s)), /4 GiB/);
});
