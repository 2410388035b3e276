/**
 * Adam, schedulers, clipping and regulariser gradients against reference values computed with
 * PyTorch 1.13 (float32; the script is in the comments of each test), plus init and seeds.
 */
import assert from "node:assert/strict";
import {
  AdamState,
  addRegularisers,
  clipGradNorm,
  createScheduler,
  initParams,
  memberSeeds,
  mixSeed,
  orthogonalFromGaussian,
  stepDataFromBatch,
} from "../../mod.ts";
import { handFlipFlop } from "./helpers.ts";

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    assert.ok(
      Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])),
      `${what}[${i}]: ${a[i]} vs ${b[i]}`,
    );
  }
}

Deno.test("Adam matches torch.optim.Adam(lr=0.1) over five steps", () => {
  // p = Parameter([0.5, -1, 2]); opt = Adam([p], lr=0.1); p.grad = g; opt.step()
  const grads = [[1.0, -2.0, 0.5], [0.3, 0.0, -1.5], [-2.0, 4.0, 0.25], [1e-3, -1e-4, 10.0], [
    0.5,
    0.5,
    0.5,
  ]];
  const want = [
    [0.4000000059604645, -0.9000000357627869, 1.899999976158142],
    [0.314430296421051, -0.8329942226409912, 1.9494189023971558],
    [0.3404853641986847, -0.8669976592063904, 1.9771686792373657],
    [0.3618023097515106, -0.8948498964309692, 1.9233742952346802],
    [0.3675757944583893, -0.924313485622406, 1.875269889831543],
  ];
  const p = Float32Array.from([0.5, -1.0, 2.0]);
  const adam = new AdamState(3);
  grads.forEach((g, i) => {
    adam.step(p, Float32Array.from(g), 0.1);
    close(p, want[i], 1e-6, `step ${i + 1}`);
  });
  assert.equal(adam.t, 5);
});

Deno.test("CosineAnnealingWarmRestarts(T_0=3, T_mult=2, eta_min=1e-5) matches PyTorch", () => {
  // lr after construction, then after each of 12 sch.step() calls.
  const want = [
    0.001,
    0.0007525,
    0.00025750000000000013,
    0.001,
    0.0009336825748732972,
    0.0007525,
    0.000505,
    0.00025750000000000013,
    7.631742512670284e-05,
    0.001,
    0.0009831332840130886,
    0.0009336825748732972,
    0.000855017856687341,
  ];
  const s = createScheduler({ kind: "cosine_warm_restarts", t0: 3, tMult: 2, etaMin: 1e-5 }, 1e-3);
  const got = [s.lr];
  for (let e = 0; e < 12; e++) {
    s.step(0);
    got.push(s.lr);
  }
  close(got, want, 1e-12, "lr");
});

Deno.test("ReduceLROnPlateau(min, factor 0.5, patience 2, threshold 1e-4 rel) matches PyTorch", () => {
  const losses = [
    1.0,
    0.9,
    0.89995,
    0.9,
    0.95,
    0.5,
    0.5,
    0.49999,
    0.6,
    0.7,
    0.8,
    0.9,
    1.0,
    1.1,
    1.2,
    1.3,
    NaN,
    1.0,
  ];
  const want = [
    0.001,
    0.001,
    0.001,
    0.001,
    0.0005,
    0.0005,
    0.0005,
    0.0005,
    0.00025,
    0.00025,
    0.00025,
    0.0002,
    0.0002,
    0.0002,
    0.0002,
    0.0002,
    0.0002,
    0.0002,
  ];
  const s = createScheduler(
    { kind: "reduce_on_plateau", factor: 0.5, patience: 2, threshold: 1e-4, minLr: 2e-4 },
    1e-3,
  );
  const got = losses.map((l) => {
    s.step(l);
    return s.lr;
  });
  close(got, want, 1e-12, "lr");
});

Deno.test("scheduler and Adam reject bad configuration", () => {
  assert.throws(
    () => createScheduler({ kind: "cosine_warm_restarts", t0: 0, tMult: 1, etaMin: 0 }, 1e-3),
    /t0/,
  );
  assert.throws(
    () =>
      createScheduler({
        kind: "reduce_on_plateau",
        factor: 1.5,
        patience: 1,
        threshold: 0,
        minLr: 0,
      }, 1e-3),
    /factor/,
  );
  assert.throws(() => createScheduler({ kind: "none" }, -1), /lr/);
  assert.throws(() => new AdamState(3, { beta1: 1, beta2: 0.9, eps: 1e-8 }), /beta1/);
});

Deno.test("clipGradNorm matches torch.nn.utils.clip_grad_norm_", () => {
  // w.grad = [3, 4, 0, 12]; clip_grad_norm_([w], 6.5) -> 13.0, grad [1.5, 2, 0, 6] (·(1 - 1e-6/13))
  const g = Float32Array.from([3, 4, 0, 12]);
  const n = clipGradNorm(g, 6.5);
  assert.equal(n, 13);
  close(g, [1.4999998807907104, 1.9999998807907104, 0.0, 5.999999523162842], 1e-7, "clipped");
  const h = Float32Array.from([0.3, 0.4]);
  clipGradNorm(h, 6.5);
  assert.deepEqual(Array.from(h), [Math.fround(0.3), Math.fround(0.4)]);
});

Deno.test("L1 + nuclear penalty and subgradient match PyTorch autograd", () => {
  // loss = 0.7·matrix_norm(W, 'nuc') + 0.2·W.abs().sum(); loss.backward()
  const wh = Float32Array.from([0.3, -0.2, 0.1, 0.05, 0.4, -0.3, -0.1, 0.2, 0.25]);
  const params = {
    wx: new Float32Array(3),
    wh,
    b: new Float32Array(3),
    wo: new Float32Array(3),
    bo: new Float32Array(1),
  };
  const grads = {
    wx: new Float32Array(3),
    wh: new Float32Array(9),
    b: new Float32Array(3),
    wo: new Float32Array(3),
    bo: new Float32Array(1),
  };
  const penalty = addRegularisers(3, params, grads, { l1: 0.2, nuclear: 0.7, gradClip: 0 });
  close([penalty], [1.1972296237945557], 1e-6, "penalty");
  close(
    grads.wh,
    [
      0.8595290780067444,
      -0.341706782579422,
      0.3869243264198303,
      0.4237975776195526,
      0.7472238540649414,
      -0.5747811198234558,
      -0.27025777101516724,
      0.6128746867179871,
      0.7608906626701355,
    ],
    1e-5,
    "grad",
  );
});

Deno.test("uniform init: deterministic, within ±1/√H, roughly uniform", () => {
  const shape = { inputDim: 3, hidden: 64, outputDim: 2 };
  const a = initParams(shape, 7);
  const b = initParams(shape, 7);
  const c = initParams(shape, 8);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.wh, c.wh);
  const k = 1 / 8;
  for (const arr of [a.wx, a.wh, a.b, a.wo, a.bo]) {
    for (const v of arr) assert.ok(Math.abs(v) <= k, `|${v}| > 1/√H`);
  }
  // U(−k, k) has mean 0 and variance k²/3; 4096 draws: mean within 4 s.e., variance within 5%.
  const n = a.wh.length;
  const mean = a.wh.reduce((s, v) => s + v, 0) / n;
  const varc = a.wh.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
  assert.ok(Math.abs(mean) < 4 * k / Math.sqrt(3 * n), `mean ${mean}`);
  assert.ok(Math.abs(varc / (k * k / 3) - 1) < 0.05, `variance ratio ${varc / (k * k / 3)}`);
});

Deno.test("orthogonal init: W_h Wᵀ_h = I, equals sign-fixed QR, other fields as uniform", () => {
  const H = 32;
  const shape = { inputDim: 2, hidden: H, outputDim: 1 };
  const p = initParams(shape, 3, "orthogonal");
  const u = initParams(shape, 3, "uniform");
  assert.deepEqual(p.wx, u.wx); // drawn first from the same stream
  for (let i = 0; i < H; i++) {
    for (let j = 0; j < H; j++) {
      let s = 0;
      for (let l = 0; l < H; l++) s += p.wh[i * H + l] * p.wh[j * H + l];
      assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-5, `(W Wᵀ)[${i},${j}] = ${s}`);
    }
  }
  // QR of a known 2×2: g = [[3, 1], [4, 2]] -> Q = [[0.6, -0.8], [0.8, 0.6]], R diag > 0.
  const q = orthogonalFromGaussian(Float64Array.from([3, 1, 4, 2]), 2);
  close(q, [0.6, -0.8, 0.8, 0.6], 1e-12, "Q");
  // Sign fix: negating the first column of g negates Q's first column (R diag stays positive).
  const q2 = orthogonalFromGaussian(Float64Array.from([-3, 1, -4, 2]), 2);
  close(q2, [-0.6, -0.8, -0.8, 0.6], 1e-12, "Q sign-fixed");
});

Deno.test("member seeds: fixed rule, data independent of init, shared data option", () => {
  const s0 = memberSeeds(42, 0);
  const s1 = memberSeeds(42, 1);
  assert.equal(s0.initSeed, mixSeed(42, 0));
  assert.equal(s0.dataSeed, mixSeed(42, 1));
  assert.equal(s1.initSeed, mixSeed(42, 2));
  assert.equal(s1.dataSeed, mixSeed(42, 3));
  const all = new Set([s0.initSeed, s0.dataSeed, s1.initSeed, s1.dataSeed]);
  assert.equal(all.size, 4);
  assert.equal(memberSeeds(42, 5, true).dataSeed, memberSeeds(42, 0).dataSeed);
  assert.throws(() => memberSeeds(-1, 0), /seed/);
  assert.throws(() => memberSeeds(1.5, 0), /seed/);
});

Deno.test("stepDataFromBatch: plain MSE weights, mask renormalised, aux rows weighted", () => {
  const task = handFlipFlop(5, 0.5, true);
  const batch = task.sample(4, 1);
  const plain = stepDataFromBatch(batch);
  assert.equal(plain.weights.length, 20);
  for (const w of plain.weights) assert.equal(w, Math.fround(1 / 20));
  const mask = new Float32Array(20);
  mask[3] = 1;
  mask[7] = 1;
  const masked = stepDataFromBatch({ ...batch, mask });
  assert.equal(masked.weights[3], 0.5);
  assert.equal(masked.weights[7], 0.5);
  assert.equal(masked.weights.reduce((a, b) => a + b, 0), 1);
  const withAux = stepDataFromBatch(batch, 0.25);
  assert.equal(withAux.targets.length, 40);
  assert.equal(withAux.targets[0], batch.targets[0]);
  assert.equal(withAux.targets[1], batch.aux!.targets[0]);
  assert.equal(withAux.weights[0], Math.fround(1 / 20));
  assert.equal(withAux.weights[1], Math.fround(0.25 / 20));
  const evalAux = stepDataFromBatch(batch, 0, true);
  assert.equal(evalAux.weights[1], 0);
  assert.throws(() => stepDataFromBatch({ ...batch, mask: new Float32Array(20) }), /mask/);
  assert.throws(() => stepDataFromBatch({ ...batch, aux: null }, 0.5), /aux/);
});
