/**
 * Tests of the WebGPU population backend (`rnn/backends/webgpu.ts`).
 *
 * The GPU test is ONE cross-backend parity test (on the software adapter its first step
 * compiles shaders; it skips with a message where no adapter exists): same initial params
 * and data → the same loss curve and final weights as the CPU reference (`tsKernel`: plain
 * TypeScript forward + BPTT in float64; this file's float64 PyTorch-semantics Adam, L1 /
 * nuclear-norm subgradients, clip_grad_norm_) and as the engine's CPU backend
 * (`createCpuBackend`, TypeScript kernel) trained in lockstep,
 * to a float32 tolerance. The host-side helpers are tested without a GPU.
 *
 * Tolerance: every loss within 1e-4 relative (+1e-7 absolute) of the reference, final
 * weights within 1e-4 absolute. Float32 rounding of sums over ≤ 40 terms gives ~1e-6
 * relative error per loss, and Adam's normalised update carries a relative gradient error
 * into the weights as ≈ lr × that error per step, far below both bounds; the test also
 * checks that a reference without Adam's bias correction misses them (so it can fail).
 */
import assert from "node:assert/strict";
import { Matrix } from "npm:ml-matrix@6.15.1";
import {
  createWebGpuBackend,
  releaseWebGpu,
  webgpuAdapterInfo,
} from "../../../rnn/backends/webgpu.ts";
import { tsKernel } from "../../../rnn/kernels/ts.ts";
import { createCpuBackend } from "../../../rnn/backends/cpu.ts";
import { memory as tfMemory } from "npm:@tensorflow/tfjs-core@4.22.0";
import { packData, packParams, unpackParams } from "../../../rnn/backends/webgpu_host.ts";
import { paramLayout, zeroParams } from "../../../rnn/params.ts";
import { nuclearNormAndSubgradient } from "../../../rnn/loss.ts";
import type {
  AdamConfig,
  RnnParams,
  RnnShape,
  StepData,
  StepRegularisers,
} from "../../../rnn/types.ts";

// ---------- deterministic data ----------

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function uniform(rnd: () => number, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => (2 * rnd() - 1) * scale);
}

function makeParams(shape: RnnShape, seed: number): RnnParams {
  const { inputDim: I, hidden: H, outputDim: O } = shape;
  const rnd = lcg(seed);
  const s = 1 / Math.sqrt(H); // PyTorch's default U(−1/√H, 1/√H)
  return {
    wx: uniform(rnd, H * I, s),
    wh: uniform(rnd, H * H, s * 2),
    b: uniform(rnd, H, s),
    wo: uniform(rnd, O * H, s * 2),
    bo: uniform(rnd, O, s),
  };
}

function makeData(shape: RnnShape, batch: number, steps: number, seed: number): StepData {
  const { inputDim: I, outputDim: O } = shape;
  const rnd = lcg(seed);
  const n = batch * steps;
  const weights = new Float32Array(n * O);
  // A mask that drops every third element, renormalised (the StepData contract).
  let kept = 0;
  for (let i = 0; i < n * O; i++) if (i % 3 !== 0) kept++;
  for (let i = 0; i < n * O; i++) weights[i] = i % 3 !== 0 ? 1 / kept : 0;
  return {
    batch,
    steps,
    inputs: uniform(rnd, n * I, 1.5),
    targets: uniform(rnd, n * O, 1),
    weights,
  };
}

// ---------- float64 CPU reference ----------

type Key = keyof RnnParams;
const KEYS: Key[] = ["wx", "wh", "b", "wo", "bo"];

/**
 * Task loss and gradients of one network, float64, plain BPTT: an independent check of the
 * `tsKernel` reference the parity test steps with (see "reference kernels agree" below).
 */
function refLossAndGrads(
  shape: RnnShape,
  p: RnnParams,
  d: StepData,
): { loss: number; g: Record<Key, Float64Array> } {
  const { inputDim: I, hidden: H, outputDim: O } = shape;
  const B = d.batch;
  const T = d.steps;
  const hs = new Float64Array(B * T * H);
  const dy = new Float64Array(B * T * O);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const r = b * T + t;
      for (let i = 0; i < H; i++) {
        let a = p.b[i];
        for (let j = 0; j < I; j++) a += p.wx[i * I + j] * d.inputs[r * I + j];
        if (t > 0) { for (let j = 0; j < H; j++) a += p.wh[i * H + j] * hs[(r - 1) * H + j]; }
        hs[r * H + i] = Math.tanh(a);
      }
      for (let o = 0; o < O; o++) {
        let y = p.bo[o];
        for (let j = 0; j < H; j++) y += p.wo[o * H + j] * hs[r * H + j];
        const e = y - d.targets[r * O + o];
        const w = d.weights[r * O + o];
        loss += w * e * e;
        dy[r * O + o] = 2 * w * e;
      }
    }
  }
  const g: Record<Key, Float64Array> = {
    wx: new Float64Array(H * I),
    wh: new Float64Array(H * H),
    b: new Float64Array(H),
    wo: new Float64Array(O * H),
    bo: new Float64Array(O),
  };
  for (let b = 0; b < B; b++) {
    const daNext = new Float64Array(H);
    for (let t = T - 1; t >= 0; t--) {
      const r = b * T + t;
      const dh = new Float64Array(H);
      for (let o = 0; o < O; o++) {
        const v = dy[r * O + o];
        g.bo[o] += v;
        for (let j = 0; j < H; j++) {
          g.wo[o * H + j] += v * hs[r * H + j];
          dh[j] += v * p.wo[o * H + j];
        }
      }
      if (t < T - 1) {
        for (let i = 0; i < H; i++) {
          for (let j = 0; j < H; j++) dh[j] += daNext[i] * p.wh[i * H + j];
        }
      }
      for (let i = 0; i < H; i++) {
        const hv = hs[r * H + i];
        const da = dh[i] * (1 - hv * hv);
        daNext[i] = da;
        g.b[i] += da;
        for (let j = 0; j < I; j++) g.wx[i * I + j] += da * d.inputs[r * I + j];
        if (t > 0) { for (let j = 0; j < H; j++) g.wh[i * H + j] += da * hs[(r - 1) * H + j]; }
      }
    }
  }
  return { loss, g };
}

/** U Vᵀ by SVD in float64 (independent of the backend's helper: via W (WᵀW)^(-1/2)). */
function refPolar(w: Float32Array, n: number): Float64Array {
  const W = new Matrix(
    Array.from({ length: n }, (_, i) => Array.from(w.subarray(i * n, i * n + n))),
  );
  // U Vᵀ = W (WᵀW)^(-1/2) for full-rank W; (WᵀW)^(-1/2) from the symmetric eigendecomposition.
  const WtW = W.transpose().mmul(W);
  // Jacobi eigenvalue iterations on the symmetric matrix.
  const A = WtW.to2DArray();
  const V = Matrix.eye(n).to2DArray();
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p][q] * A[p][q];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(A[p][q]) < 1e-300) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k][p];
          const vkq = V[k][q];
          V[k][p] = c * vkp - s * vkq;
          V[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const Vm = new Matrix(V);
  const D = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) D.set(i, i, 1 / Math.sqrt(A[i][i]));
  const inv = Vm.mmul(D).mmul(Vm.transpose());
  const out = W.mmul(inv);
  return Float64Array.from(out.to1DArray());
}

interface RefMember {
  p: RnnParams;
  m: Record<Key, Float64Array>;
  v: Record<Key, Float64Array>;
  t: number;
}

/**
 * One reference step of one member (PyTorch semantics): loss.backward() with the L1 and
 * nuclear subgradients, clip_grad_norm_, then torch.optim.Adam. Returns the pre-update loss.
 */
function refStep(
  shape: RnnShape,
  mem: RefMember,
  d: StepData,
  lr: number,
  adam: AdamConfig,
  reg: StepRegularisers,
  biasCorrection = true,
): number {
  const H = shape.hidden;
  const g32 = zeros(shape);
  const loss = tsKernel.lossAndGrads(shape, mem.p, d, g32);
  const g: Record<Key, Float64Array> = {
    wx: Float64Array.from(g32.wx),
    wh: Float64Array.from(g32.wh),
    b: Float64Array.from(g32.b),
    wo: Float64Array.from(g32.wo),
    bo: Float64Array.from(g32.bo),
  };
  if (reg.l1 > 0) { for (let i = 0; i < H * H; i++) g.wh[i] += reg.l1 * Math.sign(mem.p.wh[i]); }
  if (reg.nuclear > 0) {
    const uvt = refPolar(mem.p.wh, H);
    for (let i = 0; i < H * H; i++) g.wh[i] += reg.nuclear * uvt[i];
  }
  if (reg.gradClip > 0) {
    let sq = 0;
    for (const k of KEYS) for (const x of g[k]) sq += x * x;
    const coef = Math.min(reg.gradClip / (Math.sqrt(sq) + 1e-6), 1);
    for (const k of KEYS) for (let i = 0; i < g[k].length; i++) g[k][i] *= coef;
  }
  mem.t++;
  const bc1 = biasCorrection ? 1 - Math.pow(adam.beta1, mem.t) : 1;
  const bc2 = biasCorrection ? 1 - Math.pow(adam.beta2, mem.t) : 1;
  for (const k of KEYS) {
    const p = mem.p[k];
    const m = mem.m[k];
    const v = mem.v[k];
    for (let i = 0; i < p.length; i++) {
      m[i] = m[i] + (1 - adam.beta1) * (g[k][i] - m[i]);
      v[i] = adam.beta2 * v[i] + (1 - adam.beta2) * g[k][i] * g[k][i];
      const denom = Math.sqrt(v[i]) / Math.sqrt(bc2) + adam.eps;
      p[i] = p[i] - (lr / bc1) * (m[i] / denom);
    }
  }
  return loss;
}

const zeros = (shape: RnnShape): RnnParams => zeroParams(shape).params;

function newRefMember(p: RnnParams): RefMember {
  const z = (): Record<Key, Float64Array> => ({
    wx: new Float64Array(p.wx.length),
    wh: new Float64Array(p.wh.length),
    b: new Float64Array(p.b.length),
    wo: new Float64Array(p.wo.length),
    bo: new Float64Array(p.bo.length),
  });
  const copy: RnnParams = {
    wx: p.wx.slice(),
    wh: p.wh.slice(),
    b: p.b.slice(),
    wo: p.wo.slice(),
    bo: p.bo.slice(),
  };
  return { p: copy, m: z(), v: z(), t: 0 };
}

function maxAbsDiff(a: RnnParams, b: RnnParams): number {
  let d = 0;
  for (const k of KEYS) {
    for (let i = 0; i < a[k].length; i++) d = Math.max(d, Math.abs(a[k][i] - b[k][i]));
  }
  return d;
}

const REL_TOL = 1e-4;
const ABS_TOL = 1e-7;
const PARAM_TOL = 1e-4;

function lossClose(got: number, want: number): boolean {
  return Math.abs(got - want) <= REL_TOL * Math.abs(want) + ABS_TOL;
}

// ---------- host helpers (no GPU) ----------

Deno.test("webgpu host: packParams / unpackParams round-trip and layout", () => {
  const shape = { inputDim: 2, hidden: 3, outputDim: 2 };
  const ps = [makeParams(shape, 1), makeParams(shape, 2)];
  const L = paramLayout(shape);
  assert.equal(L.total, 3 * 2 + 3 * 3 + 3 + 2 * 3 + 2);
  const flat = packParams(shape, ps);
  assert.equal(flat[L.total + L.wh + 4], ps[1].wh[4]);
  const back = unpackParams(shape, flat, 2);
  assert.deepEqual(back, ps);
  assert.throws(() => unpackParams(shape, flat.subarray(1), 2), /length/);
});

Deno.test("webgpu host: packData stacks [K,B,T,C], pads with zero weights, skips unused members", () => {
  const shape = { inputDim: 1, hidden: 2, outputDim: 1 };
  const d0 = makeData(shape, 2, 3, 5); // B=2, T=3
  const d1 = makeData(shape, 1, 2, 6); // B=1, T=2: padded to B=2, T=3
  const packed = packData(shape, [d0, d1, d0], [true, true, false], true);
  assert.equal(packed.batch, 2);
  assert.equal(packed.steps, 3);
  const rows = 6;
  // member 0 is copied unchanged.
  assert.deepEqual(packed.inputs.subarray(0, rows), d0.inputs);
  assert.deepEqual(packed.weights!.subarray(0, rows), d0.weights);
  // member 1, trial 0, time 1 → row b·T + t = 1; source b·T₁ + t = 1.
  assert.equal(packed.targets![rows + 1], d1.targets[1]);
  assert.equal(packed.weights![rows + 1], d1.weights[1]);
  assert.equal(packed.inputs[rows + 1], d1.inputs[1]);
  // member 1's padded step (t=2) and padded trial (b=1) carry zero loss weight and input.
  for (const r of [2, 3, 4, 5]) {
    assert.equal(packed.weights![rows + r], 0);
    assert.equal(packed.inputs[rows + r], 0);
  }
  // member 2 is unused: all zeros.
  assert.ok(packed.weights!.subarray(2 * rows).every((x) => x === 0));
  assert.ok(packed.inputs.subarray(2 * rows).every((x) => x === 0));
});

Deno.test("nuclear-norm subgradient (both backends) is the orthogonal polar factor U Vᵀ", () => {
  // W = Q S with Q orthogonal (a rotation) and S symmetric positive definite ⇒ U Vᵀ = Q.
  const c = Math.cos(0.7);
  const s = Math.sin(0.7);
  const Q = new Matrix([[c, -s, 0], [s, c, 0], [0, 0, 1]]);
  const S = new Matrix([[3, 0.5, 0], [0.5, 2, 0.1], [0, 0.1, 0.5]]);
  const W = Float32Array.from(Q.mmul(S).to1DArray());
  const g = nuclearNormAndSubgradient(W, 3).grad;
  const q = Q.to1DArray();
  for (let i = 0; i < 9; i++) {
    assert.ok(Math.abs(g[i] - q[i]) < 1e-5, `entry ${i}: ${g[i]} vs ${q[i]}`);
  }
  // The independent reference used by the parity test agrees.
  const r = refPolar(W, 3);
  for (let i = 0; i < 9; i++) assert.ok(Math.abs(r[i] - q[i]) < 1e-5, `ref entry ${i}`);
  assert.throws(() => nuclearNormAndSubgradient(W, 2), /length H·H = 4/);
});

Deno.test("webgpu reference: tsKernel agrees with this file's float64 BPTT", () => {
  const shape = { inputDim: 3, hidden: 8, outputDim: 2 };
  const p = makeParams(shape, 3);
  const d = makeData(shape, 3, 4, 9);
  const g = zeros(shape);
  const loss = tsKernel.lossAndGrads(shape, p, d, g);
  const ref = refLossAndGrads(shape, p, d);
  assert.ok(Math.abs(loss - ref.loss) <= 1e-6 * ref.loss, `loss ${loss} vs ${ref.loss}`);
  for (const k of KEYS) {
    for (let i = 0; i < g[k].length; i++) {
      assert.ok(
        Math.abs(g[k][i] - ref.g[k][i]) <= 1e-6,
        `${k}[${i}]: ${g[k][i]} vs ${ref.g[k][i]}`,
      );
    }
  }
});

Deno.test("webgpu: bad options throw naming the field", async () => {
  const shape = { inputDim: 2, hidden: 3, outputDim: 1 };
  const ok = {
    shape,
    initialParams: [makeParams(shape, 1)],
    adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
    regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
  };
  await assert.rejects(
    createWebGpuBackend({ ...ok, shape: { ...shape, hidden: 0 } }),
    /shape\.hidden/,
  );
  await assert.rejects(createWebGpuBackend({ ...ok, initialParams: [] }), /initialParams/);
  await assert.rejects(
    createWebGpuBackend({ ...ok, adam: { ...ok.adam, beta2: 1 } }),
    /adam\.beta2/,
  );
  await assert.rejects(
    createWebGpuBackend({ ...ok, regularisers: { l1: -1, nuclear: 0, gradClip: 0 } }),
    /regularisers\.l1/,
  );
  await assert.rejects(
    createWebGpuBackend({ ...ok, recurrence: "loop" as "ops" }),
    /recurrence/,
  );
  await assert.rejects(createWebGpuBackend({ ...ok, recurrenceTile: 0 }), /recurrenceTile/);
  const bad = makeParams(shape, 1);
  bad.wh = new Float32Array(4);
  await assert.rejects(
    createWebGpuBackend({ ...ok, initialParams: [bad] }),
    /initialParams\[0\]\.wh/,
  );
});

// ---------- the one GPU test: cross-backend parity ----------

const adapter = await webgpuAdapterInfo();
if (!adapter.available) {
  console.log(`webgpu_test: skipping the WebGPU parity test: ${adapter.description}`);
}

Deno.test({
  name:
    "webgpu: parity with the CPU reference (tsKernel + PyTorch Adam; fused and ops recurrences)",
  ignore: !adapter.available,
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const K = 3;
    const adam: AdamConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
    const steps = 5;
    const lrsArr = [0.01, 0.02, 0.005];
    // Member 2 has fewer trials and steps (padded inside the backend).
    const sizes = [[4, 5], [4, 5], [3, 4]];
    const initFor = (shape: RnnShape) => [0, 1, 2].map((k) => makeParams(shape, 100 + k));
    const dataFor = (shape: RnnShape, s: number, uniform: boolean) =>
      sizes.map(([B, T], k) =>
        uniform
          ? makeData(shape, 4, 5, 1000 * s + 10 * k + 7)
          : makeData(shape, B, T, 1000 * s + 10 * k + 7)
      );
    // Member 1 is frozen at steps 2 and 3 (indices), member 0 at step 4.
    const activeAt = (s: number) => [s !== 4, s !== 2 && s !== 3, true];

    const configs: {
      name: string;
      reg: StepRegularisers;
      recurrence: "fused" | "ops";
      tile?: number;
      hidden?: number;
      /** All members with B = 4, T = 5 (direct per-member upload instead of host padding). */
      uniform?: boolean;
    }[] = [
      // H = 70 > 64 threads: each thread owns two units.
      {
        name: "fused H=70 l1+nuclear+clip",
        reg: { l1: 0.01, nuclear: 0.02, gradClip: 0.05 },
        recurrence: "fused",
        hidden: 70,
      },
      // 3 trials per workgroup: a partial last tile (B = 4, and B = 3 for member 2).
      {
        name: "fused tile=3 clip",
        reg: { l1: 0, nuclear: 0, gradClip: 0.05 },
        recurrence: "fused",
        tile: 3,
      },
    ];
    for (const recurrence of ["fused", "ops"] as const) {
      configs.push(
        {
          name: `${recurrence} plain, uniform sizes`,
          reg: { l1: 0, nuclear: 0, gradClip: 0 },
          recurrence,
          uniform: true,
        },
        {
          name: `${recurrence} l1+nuclear+clip`,
          reg: { l1: 0.01, nuclear: 0.02, gradClip: 0.05 },
          recurrence,
        },
      );
    }
    for (const { name, reg, recurrence, tile, hidden, uniform } of configs) {
      const shape: RnnShape = { inputDim: 3, hidden: hidden ?? 8, outputDim: 2 };
      const init = initFor(shape);
      const dataAt = (s: number) => dataFor(shape, s, uniform ?? false);
      const t0 = performance.now();
      const gpu = await createWebGpuBackend({
        shape,
        initialParams: init,
        adam,
        regularisers: reg,
        recurrence,
        recurrenceTile: tile,
      });
      assert.equal(gpu.name, "webgpu");
      assert.equal(gpu.members, K);
      // The engine's CPU backend (in-process, TypeScript kernel) trained in lockstep.
      const cpu = await createCpuBackend({
        shape,
        initial: init,
        regularisers: reg,
        adam,
        workers: 0,
        kernel: "ts",
      });
      let worstCpuRel = 0;
      const ref = init.map(newRefMember);
      const noBc = init.map(newRefMember);
      let worstRel = 0;
      let noBcMissed = false;

      // evaluate() before training equals the reference loss.
      const ev = await gpu.evaluate(dataAt(0));
      for (let k = 0; k < K; k++) {
        const want = tsKernel.lossAndGrads(shape, init[k], dataAt(0)[k], zeros(shape));
        assert.ok(lossClose(ev[k], want), `${name} evaluate[${k}]: ${ev[k]} vs ${want}`);
      }
      // The engine's optional mask: skipped members are not read and get NaN.
      const masked = await (gpu.evaluate as (d: StepData[], o?: boolean[]) => Promise<Float64Array>)
        .call(gpu, dataAt(0), [false, true, false]);
      assert.ok(Number.isNaN(masked[0]) && Number.isNaN(masked[2]), `${name}: masked evaluate`);
      assert.ok(lossClose(masked[1], ev[1]), `${name}: masked evaluate[1] ${masked[1]}`);
      let frozenBefore: RnnParams | null = null;
      let liveAfterFirst = 0;
      for (let s = 0; s < steps; s++) {
        const data = dataAt(s);
        const active = activeAt(s);
        if (s === 2) frozenBefore = (await gpu.getParams())[1];
        const got = await gpu.step(data, Float64Array.from(lrsArr), active);
        const cpuGot = await cpu.step(data, Float64Array.from(lrsArr), active);
        // No tensor leaks: the live tensor count is the same after every step.
        if (s === 0) liveAfterFirst = tfMemory().numTensors;
        else assert.equal(tfMemory().numTensors, liveAfterFirst, `${name}: tensors leak`);
        if (s === 0) {
          console.log(
            `  [${name}] first step (incl. shader compile): ${
              (performance.now() - t0).toFixed(0)
            } ms`,
          );
        }
        for (let k = 0; k < K; k++) {
          if (!active[k]) {
            assert.ok(
              Number.isNaN(got[k]),
              `${name} step ${s}: inactive member ${k} must give NaN`,
            );
            continue;
          }
          const want = refStep(shape, ref[k], data[k], lrsArr[k], adam, reg);
          const wrong = refStep(shape, noBc[k], data[k], lrsArr[k], adam, reg, false);
          worstRel = Math.max(worstRel, Math.abs(got[k] - want) / Math.abs(want));
          worstCpuRel = Math.max(worstCpuRel, Math.abs(got[k] - cpuGot[k]) / Math.abs(cpuGot[k]));
          assert.ok(
            lossClose(got[k], cpuGot[k]),
            `${name} step ${s} member ${k}: webgpu ${got[k]} vs cpu backend ${cpuGot[k]}`,
          );
          assert.ok(lossClose(got[k], want), `${name} step ${s} member ${k}: ${got[k]} vs ${want}`);
          if (!lossClose(got[k], wrong)) noBcMissed = true;
        }
        if (s === 3) {
          // Member 1 was inactive at steps 2 and 3: bitwise unchanged.
          const now = (await gpu.getParams())[1];
          assert.deepEqual(now, frozenBefore, `${name}: frozen member changed`);
        }
      }
      const final = await gpu.getParams();
      const cpuFinal = await cpu.getParams();
      await cpu.dispose();
      for (let k = 0; k < K; k++) {
        const dc = maxAbsDiff(final[k], cpuFinal[k]);
        assert.ok(dc <= PARAM_TOL, `${name} member ${k}: weights differ from cpu backend by ${dc}`);
        const d = maxAbsDiff(final[k], ref[k].p);
        assert.ok(d <= PARAM_TOL, `${name} member ${k}: final weights differ by ${d}`);
        assert.ok(
          maxAbsDiff(final[k], init[k]) > 10 * PARAM_TOL,
          `${name} member ${k} did not move`,
        );
      }
      // The comparison is sharp enough to see a missing Adam bias correction.
      assert.ok(noBcMissed, `${name}: the reference without bias correction also agreed`);
      console.log(
        `  [${name}] ${steps} steps in ${(performance.now() - t0).toFixed(0)} ms; ` +
          `worst relative loss error ${worstRel.toExponential(2)} (reference), ` +
          `${worstCpuRel.toExponential(2)} (engine cpu backend)`,
      );
      const before = tfMemory().numTensors;
      await gpu.dispose();
      assert.ok(tfMemory().numTensors < before, `${name}: dispose released nothing`);
      await assert.rejects(gpu.getParams(), /disposed/);
      // A fresh device for the next configuration (also exercises re-initialisation).
      await releaseWebGpu();
    }
  },
});
