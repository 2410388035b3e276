/**
 * Golden values of every seeded random stream in the repository. Each list was produced by the
 * generator as it was written before the streams were merged into `metrics/rng.ts` (a private
 * copy in the Procrustes starts, the inverse-iteration start vectors, two benches and a test),
 * so the merge is pinned bit for bit: a change here changes data, initial weights, restarts or
 * benchmark inputs behind a seed.
 */
import assert from "node:assert/strict";
import {
  boxMuller,
  createRng,
  makeRng,
  mulberry32,
  randomInt,
  randomPermutation,
} from "../../metrics/rng.ts";

const take = (f: () => number, n: number) => Array.from({ length: n }, f);

Deno.test("makeRng: mulberry32 over a splitmix32-scrambled seed, golden values", () => {
  const golden: [number, number[]][] = [
    [0, [0.6225702704396099, 0.3551594908349216, 0.43118691933341324, 0.2533018789254129]],
    [1, [0.5223135030828416, 0.9062833907082677, 0.8789158053696156, 0.39771797391586006]],
    [42, [0.24572046380490065, 0.5754302670247853, 0.3558912726584822, 0.6564417483750731]],
    [-7, [0.021289386320859194, 0.11466765287332237, 0.7806293442845345, 0.1621713382191956]],
    [8589934597, [0.35033765714615583, 0.2536877060774714, 0.172955866670236, 0.32598403841257095]],
    [3.9, [0.1657054431270808, 0.3910158311482519, 0.39401109516620636, 0.5869032314512879]],
    [4294967295, [0.5340607839170843, 0.7939710442442447, 0.5863937973044813, 0.18510811473242939]],
  ];
  for (const [seed, values] of golden) {
    assert.deepEqual(take(makeRng(seed), 4), values, `seed ${seed}`);
  }
  assert.deepEqual(Array.from(randomPermutation(10, makeRng(3))), [5, 6, 9, 0, 7, 2, 4, 8, 3, 1]);
  const r = makeRng(5);
  assert.deepEqual(take(() => randomInt(7, r), 6), [2, 1, 1, 2, 6, 0]);
  assert.throws(() => makeRng(NaN), /seed must be a finite number/);
});

Deno.test("createRng: seedrandom alea streams (task data, weight init), golden values", () => {
  const r = createRng(11);
  assert.deepEqual(
    [r.uniform(), r.range(-2, 3), r.int(1, 6), r.normal(), r.normal(1, 2), r.sign(), r.uniform()],
    [
      0.802775870077312,
      -1.819325398420915,
      5,
      -0.6500239447870519,
      -1.082513184977425,
      1,
      0.6915705730207264,
    ],
  );
  assert.deepEqual(take(createRng("degeneracy.init/5").uniform, 3), [
    0.9273563700262457,
    0.8379333394113928,
    0.4719391097314656,
  ]);
});

Deno.test("mulberry32 from a raw 32-bit state (bench problems, kernel test data)", () => {
  const golden: [number, number[]][] = [
    [0, [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197, 0.1462021479383111]],
    [1, [0.6270739405881613, 0.002735721180215478, 0.5274470399599522, 0.9810509674716741]],
    [99, [0.2604658124037087, 0.8048227655235678, 0.5408715349622071, 0.6902434257790446]],
  ];
  for (const [seed, values] of golden) {
    assert.deepEqual(take(mulberry32(seed >>> 0), 4), values, `seed ${seed}`);
  }
  assert.throws(() => mulberry32(Infinity), /state must be a finite number/);
});

Deno.test("Procrustes Haar starts: mulberry32(seed ^ golden ratio) and its Box–Muller normals", () => {
  const golden: [number, number[], number[]][] = [
    [0, [0.3588899802416563, 0.10590326134115458, 0.675290479324758], [
      1.1261880167898186,
      0.7709155040814034,
      -0.6736868559449222,
      -2.6559815354290146,
    ]],
    [1, [0.18967728852294385, 0.31778763560578227, 0.7830808095168322], [
      -0.7533659309389981,
      -0.682793317057527,
      -0.29416212182042406,
      -0.26005428873281183,
    ]],
    [123456789, [0.18891781358979642, 0.4848657972179353, 0.6204874136019498], [
      -1.8173717801643294,
      -0.9545483248981346,
      -1.5390401776506444,
      0.4746849573726027,
    ]],
    [4294967295, [0.9919345872476697, 0.46276153065264225, 0.22555770655162632], [
      -0.123796730047212,
      -1.6885708884736415,
      0.3460028380732215,
      -1.9109746131114749,
    ]],
  ];
  for (const [seed, uniforms, normals] of golden) {
    assert.deepEqual(take(mulberry32((seed >>> 0) ^ 0x9e3779b9), 3), uniforms, `seed ${seed}`);
    const u = mulberry32((seed >>> 0) ^ 0x9e3779b9);
    const normal = () => {
      let x = 0;
      while (x === 0) x = u();
      return boxMuller(x, u());
    };
    assert.deepEqual(take(normal, 4), normals, `seed ${seed}`);
  }
});

Deno.test("inverse-iteration start vectors: mulberry32 of a multiplicative hash, on (−1, 1)", () => {
  const golden: [number, number[]][] = [
    [1, [
      -0.028257906902581453,
      0.0718723009340465,
      0.4065245692618191,
      0.8171931589022279,
      -0.5263915965333581,
    ]],
    [2, [
      0.7420724956318736,
      -0.8194710495881736,
      -0.898054625838995,
      -0.9822346428409219,
      -0.03663475206121802,
    ]],
    [17, [
      0.5667334543541074,
      0.14406266808509827,
      0.0551601042971015,
      -0.7966211237944663,
      -0.6892129629850388,
    ]],
  ];
  for (const [seed, values] of golden) {
    const u = mulberry32((seed * 2654435761 + 12345) >>> 0);
    assert.deepEqual(take(() => u() * 2 - 1, 5), values, `seed ${seed}`);
  }
});

Deno.test("DSA bench trajectories: Box–Muller of mulberry32 shifted to the open interval", () => {
  const golden: [number, number[]][] = [
    [0, [1.6264323079191505, 1.0509958430290807, -1.1843874013082385, -0.5844050185461717]],
    [7, [2.75937298311562, -0.0680513561837266, -0.9459489607500458, 0.0781491332355436]],
    [4294967295, [
      0.17357398720041545,
      0.7679884283716245,
      -0.5624472349834511,
      -0.8671028726311477,
    ]],
  ];
  for (const [seed, values] of golden) {
    const u = mulberry32(seed >>> 0);
    const open = () => u() + 2 ** -33;
    assert.deepEqual(take(() => boxMuller(open(), open()), 4), values, `seed ${seed}`);
  }
});

Deno.test("Box–Muller of makeRng with u₁ = 1 − u (PIF bench matrices, statistics test data)", () => {
  const rng = makeRng(12345);
  const sd = 1 / Math.sqrt(3);
  const m = Array.from(
    { length: 3 },
    () => Array.from({ length: 3 }, () => boxMuller(1 - rng(), rng(), sd)),
  );
  assert.deepEqual(m, [[0.383949982576249, -0.1904533932877857, 0.6625696046016643], [
    -0.4978786909559566,
    -0.08433807863499543,
    0.038949541878202945,
  ], [-0.22452468506140846, 0.5543857225574609, 0.2833955607325649]]);
  const r7 = makeRng(7);
  assert.deepEqual(take(() => boxMuller(1 - r7(), r7()), 4), [
    -1.060902944855079,
    -1.4823321911989809,
    0.373705976024998,
    -0.37541973412671364,
  ]);
  assert.throws(() => boxMuller(0, 0.5), /u1 must be in \(0, 1\]/);
});

Deno.test("rng: reproducible stream, inclusive integer bounds, Gaussian moments", () => {
  // seedrandom's documented known answer for alea("hello.") (its README): createRng is alea.
  assert.equal(createRng("hello.").uniform(), 0.4783254903741181);
  const a = createRng(42), b = createRng(42), c = createRng(43);
  const sa = Array.from({ length: 20 }, () => a.uniform());
  assert.deepEqual(sa, Array.from({ length: 20 }, () => b.uniform()));
  assert.notDeepEqual(sa, Array.from({ length: 20 }, () => c.uniform()));
  assert.ok(sa.every((u) => u >= 0 && u < 1));
  const r = createRng(7);
  const counts = new Map<number, number>();
  for (let i = 0; i < 6000; i++) {
    const k = r.int(-2, 3);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  assert.deepEqual([...counts.keys()].sort((x, y) => x - y), [-2, -1, 0, 1, 2, 3]);
  // Each count ~ Binomial(6000, 1/6): 5σ bound.
  for (const n of counts.values()) assert.ok(Math.abs(n - 1000) <= 5 * Math.sqrt(6000 / 6 * 5 / 6));
  const m = 20000;
  let s = 0, s2 = 0;
  for (let i = 0; i < m; i++) {
    const z = r.normal(1, 2);
    s += z;
    s2 += z * z;
  }
  const mean = s / m, variance = s2 / m - mean * mean;
  // Standard errors: mean 2/√m ≈ 0.014, variance ≈ 4·√(2/m) ≈ 0.04; 5σ bounds.
  assert.ok(Math.abs(mean - 1) <= 5 * 2 / Math.sqrt(m), `mean ${mean}`);
  assert.ok(Math.abs(variance - 4) <= 5 * 4 * Math.sqrt(2 / m), `variance ${variance}`);
  assert.throws(() => createRng(1.5), /seed must be a safe integer/);
  assert.throws(() => r.int(3, 2), /lo ≤ hi/);
});
