/**
 * The float64 WASM SIMD kernels behind `metrics/linalg/` against their plain-TypeScript
 * oracles (products, float32 products, Householder tridiagonalisation, Cayley transform,
 * leaf inverses, determinant signs), the blocked inverse / Cayley increment / Cholesky solve
 * against their scalar paths, and the committed artefact against its AssemblyScript source.
 */
import assert from "node:assert/strict";
import {
  cayley,
  cayleyIncrement,
  cayleyScalar,
  choleskySolve,
  invertBlocked,
  invertSmallScalar,
  setCholeskyBlocked,
} from "../../../metrics/linalg/solve.ts";
import { mmNT, mmNT32, mmNTScalar, transpose } from "../../../metrics/linalg/matmul.ts";
import { determinantSign } from "../../../metrics/dsa/starts.ts";
import {
  tridiagEigenvalues,
  tridiagonalizeBlocked,
  tridiagonalizeBlockedScalar,
} from "../../../metrics/linalg/symeig.ts";
import { dsaDistance } from "../../../metrics/dsa/dsa.ts";
import { fitDmd } from "../../../metrics/dsa/dmd.ts";
import {
  setLinalgWasmEnabled,
  wasmCayley,
  wasmDetSign,
  wasmLinalgAvailable,
  wasmMmNT,
  wasmMmNT32,
  wasmTridiagonalize,
} from "../../../metrics/linalg/wasm.ts";
import { SOURCE_SHA256 } from "../../../metrics/linalg/wasm/linalg_kernel.wasm.ts";
import { LINALG_KERNEL, renderArtefact, sourceDigest } from "../../../rnn/kernels/wasm/build.ts";

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

function randomMatrix(r: number, c: number, seed: number): Float64Array {
  const rnd = seeded(seed);
  return Float64Array.from({ length: r * c }, rnd);
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const a = randomMatrix(n, n, seed);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[j * n + i] = a[i * n + j];
  return a;
}

function maxAbs(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Q T Qᵀ from a tridiagonalisation (Q = H_0 … H_{n−3}), for the reconstruction check. */
function reconstruct(
  t: { d: Float64Array; e: Float64Array; vs: Float64Array[]; betas: number[] },
  n: number,
): Float64Array {
  // columns of M = T, then apply H_{n−3} … H_0 from the left and from the right
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    m[i * n + i] = t.d[i];
    if (i + 1 < n) {
      m[i * n + i + 1] = t.e[i];
      m[(i + 1) * n + i] = t.e[i];
    }
  }
  for (let h = t.vs.length - 1; h >= 0; h--) {
    const v = t.vs[h], b = t.betas[h], o = h + 1;
    // M ← H M H, H = I − b v vᵀ on indices o..n−1
    for (let c = 0; c < n; c++) {
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i] * m[(o + i) * n + c];
      for (let i = 0; i < v.length; i++) m[(o + i) * n + c] -= b * v[i] * s;
    }
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let i = 0; i < v.length; i++) s += v[i] * m[r * n + o + i];
      for (let i = 0; i < v.length; i++) m[r * n + o + i] -= b * v[i] * s;
    }
  }
  return m;
}

const available = wasmLinalgAvailable();
if (!available) console.log("linalg_wasm_test: WebAssembly SIMD unavailable; kernels skipped");

Deno.test({
  name: "linalg wasm: mmNT equals the TypeScript kernel on odd and even shapes",
  ignore: !available,
  fn: () => {
    for (
      const [m, k, n] of [[1, 1, 1], [3, 5, 7], [8, 8, 8], [9, 33, 6], [64, 640, 37], [130, 2, 129]]
    ) {
      const a = randomMatrix(m, k, m * 31 + k), b = randomMatrix(n, k, n * 17 + k + 1);
      const want = mmNTScalar(a, b, m, k, n);
      const got = wasmMmNT(a, b, m, k, n);
      assert.ok(maxAbs(got, want) <= 1e-13 * Math.max(1, k), `${m}×${k}×${n}`);
      const out = new Float64Array(m * n + 3).fill(7);
      mmNT(a, b, m, k, n, out.subarray(0, m * n));
      assert.ok(maxAbs(out.subarray(0, m * n), want) <= 1e-13 * Math.max(1, k));
      assert.equal(out[m * n], 7, "wrote past the output");
    }
  },
});

Deno.test({
  name: "linalg wasm: tridiagonalisation reconstructs A and keeps its eigenvalues",
  ignore: !available,
  fn: () => {
    for (const n of [3, 4, 5, 33, 70, 200]) {
      const a = randomSymmetric(n, 1000 + n);
      const t = wasmTridiagonalize(a, n, n > 40 ? 16 : 32);
      assert.equal(t.vs.length, n - 2);
      assert.equal(t.e.length, n - 1);
      const err = maxAbs(reconstruct(t, n), a);
      assert.ok(err <= 1e-12 * n, `n = ${n}: ‖QTQᵀ − A‖∞ = ${err}`);
      const ref = tridiagonalizeBlockedScalar(a, n);
      const ev = tridiagEigenvalues(t.d, t.e), evRef = tridiagEigenvalues(ref.d, ref.e);
      assert.ok(maxAbs(ev, evRef) <= 1e-12 * n, `n = ${n}: eigenvalues differ`);
      // the dispatching entry point reads only the lower triangle
      const lower = Float64Array.from(a);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) lower[i * n + j] = NaN;
      const viaEntry = tridiagonalizeBlocked(lower, n);
      assert.ok(maxAbs(tridiagEigenvalues(viaEntry.d, viaEntry.e), evRef) <= 1e-12 * n);
    }
  },
});

Deno.test({
  name: "linalg wasm: Cayley transform equals the TypeScript one and is orthogonal",
  ignore: !available,
  fn: () => {
    for (const n of [2, 7, 8, 31, 100]) {
      const o = randomMatrix(n, n, 7 * n);
      for (let i = 0; i < n; i++) {
        o[i * n + i] = 0;
        for (let j = 0; j < i; j++) o[j * n + i] = -o[i * n + j];
      }
      const want = cayleyScalar(o, n);
      const got = wasmCayley(o, n);
      assert.ok(maxAbs(got, want) <= 1e-12, `n = ${n}`);
      assert.ok(maxAbs(cayley(o, n), want) <= 1e-12);
      const rrt = mmNTScalar(got, got, n, n, n);
      for (let i = 0; i < n; i++) rrt[i * n + i] -= 1;
      assert.ok(maxAbs(rrt, new Float64Array(n * n)) <= 1e-12, `n = ${n}: R Rᵀ ≠ I`);
    }
  },
});

Deno.test("linalg wasm artefact: built from the current source (hash) and rebuilding reproduces it", async () => {
  const source = await Deno.readTextFile(LINALG_KERNEL.source);
  assert.equal(
    SOURCE_SHA256,
    await sourceDigest(source),
    "metrics/linalg/wasm/linalg_kernel.wasm.ts is stale: run `deno task build:wasm`",
  );
  const committed = await Deno.readTextFile(LINALG_KERNEL.artefact);
  assert.equal(committed, await renderArtefact(source, LINALG_KERNEL), "rebuilt artefact differs");
});

Deno.test({
  name: "linalg wasm: a DMD fit and a DSA distance agree with the plain-TypeScript path",
  ignore: !available,
  fn: () => {
    const rnd = seeded(99);
    const make = (K: number, T: number, n: number) => {
      const data = new Float64Array(K * T * n);
      for (let i = 0; i < data.length; i++) data[i] = rnd();
      // a little temporal structure so the DMD is not trivial
      for (let k = 0; k < K; k++) {
        for (let t = 1; t < T; t++) {
          for (let u = 0; u < n; u++) {
            const o = (k * T + t) * n + u;
            data[o] = 0.8 * data[o - n] + 0.3 * data[o];
          }
        }
      }
      return { data, trials: K, steps: T, units: n };
    };
    const xa = make(6, 40, 5), xb = make(6, 40, 5);
    for (const opts of [{ delays: 4, rank: 8 }, { delays: 3, delayInterval: 2, rank: 6 }]) {
      const fast = fitDmd(xa, opts);
      setLinalgWasmEnabled(false);
      let slow;
      try {
        slow = fitDmd(xa, opts);
      } finally {
        setLinalgWasmEnabled(true);
      }
      assert.ok(maxAbs(fast.singularValues, slow.singularValues) <= 1e-10, "singular values");
      // eigenvector signs are arbitrary: A_v is defined up to D A_v D, D = diag(±1)
      const abs = (a: Float64Array) => a.map(Math.abs);
      assert.ok(maxAbs(abs(fast.operator), abs(slow.operator)) <= 1e-8, "operator");
    }
    const d1 = dsaDistance(xa, xb, { delays: 4, rank: 8, seed: 3 });
    setLinalgWasmEnabled(false);
    let d0;
    try {
      d0 = dsaDistance(xa, xb, { delays: 4, rank: 8, seed: 3 });
    } finally {
      setLinalgWasmEnabled(true);
    }
    assert.ok(Math.abs(d1 - d0) <= 1e-6, `DSA ${d1} (wasm) vs ${d0} (TypeScript)`);
  },
});

Deno.test({
  name: "linalg wasm: float32 products (mmNT32) agree with mmNT to float32 rounding on odd shapes",
  ignore: !available,
  fn() {
    for (const [m, k, n] of [[7, 13, 9], [33, 300, 17], [64, 64, 64], [2, 1, 5]]) {
      const a = randomMatrix(m, k, m + k), b = randomMatrix(n, k, n + 2 * k);
      const ref = mmNT(a, b, m, k, n), got = mmNT32(a, b, m, k, n);
      const scale = Math.sqrt(k) * 0.5 * 0.5;
      const err = maxAbs(ref, got);
      assert.ok(err <= 1e-6 * scale, `${m}×${k}×${n}: ${err}`);
      if (m * k * n >= 512) {
        assert.ok(err > 0, "float32 operands should round"); // not the float64 path
        assert.deepEqual(wasmMmNT32(a, b, m, k, n), got);
      } else assert.deepEqual(got, mmNTScalar(a, b, m, k, n)); // tiny: the float64 path
    }
  },
});

Deno.test({
  name:
    "linalg wasm: every entry of mmNT32 is summed in one order whatever the tile (rows of a full product equal one-row products)",
  ignore: !available,
  fn() {
    // One row of A never reaches the 2 × 6 register tile (it goes through the edge path), so
    // equality to the last bit shows the tile sums each entry as the edges do; k = 517 spans
    // three 256-term float32 chunks and is padded to 520, n = 61 leaves an edge of 1 column.
    for (const [m, k, n] of [[9, 517, 61], [4, 40, 13], [6, 300, 120]]) {
      const a = randomMatrix(m, k, 3 * m + k), b = randomMatrix(n, k, 5 * n + k);
      const full = mmNT32(a, b, m, k, n);
      for (let i = 0; i < m; i++) {
        const one = mmNT32(a.subarray(i * k, (i + 1) * k), b, 1, k, n);
        assert.deepEqual(full.subarray(i * n, (i + 1) * n), one, `${m}×${k}×${n}, row ${i}`);
      }
    }
  },
});

Deno.test({
  name:
    "linalg: blocked inverse, Cayley increment and blocked Cholesky agree with the scalar paths",
  ignore: !available,
  fn() {
    for (const n of [37, 130]) {
      // K = I − Ω/2 with Ω skew (positive definite symmetric part), as in the Procrustes search
      const w = randomMatrix(n, n, n);
      const omega = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) omega[i * n + j] = 0.3 * (w[i * n + j] - w[j * n + i]);
      }
      const k = omega.map((v) => -0.5 * v);
      for (let i = 0; i < n; i++) k[i * n + i] += 1;
      const inv = invertBlocked(k, n, 16);
      const kinv = mmNT(k, transpose(inv, n, n), n, n, n);
      for (let i = 0; i < n; i++) kinv[i * n + i] -= 1;
      assert.ok(maxAbs(kinv, new Float64Array(n * n)) < 1e-12, `K K⁻¹ − I at n=${n}`);
      assert.ok(maxAbs(invertSmallScalar(k, n), inv) < 1e-12);
      const r = cayleyScalar(omega, n);
      for (let i = 0; i < n; i++) r[i * n + i] -= 1;
      assert.ok(maxAbs(cayleyIncrement(omega, n), r) < 1e-12, `Cayley increment at n=${n}`);
      const half = omega.map((v) => 0.5 * v);
      assert.ok(
        maxAbs(cayleyIncrement(omega, n, undefined, 0.5), cayleyIncrement(half, n)) < 1e-14,
      );
    }
    // Cholesky: blocked (n ≥ 192) against the scalar path, with a ridge and a non-square RHS
    const n = 200, c = 37;
    const x = randomMatrix(n, n, 5);
    const spd = mmNT(x, x, n, n, n);
    const rhs = randomMatrix(n, c, 6);
    const blocked = choleskySolve(spd, n, 1e-3, Float64Array.from(rhs), c);
    setCholeskyBlocked(false);
    let scalar: Float64Array;
    try {
      scalar = choleskySolve(spd, n, 1e-3, Float64Array.from(rhs), c);
    } finally {
      setCholeskyBlocked(true);
    }
    assert.ok(maxAbs(blocked, scalar) < 1e-9 * Math.max(...scalar.map(Math.abs)), "Cholesky");
    const indefinite = Float64Array.from(spd);
    indefinite[150 * n + 150] = -1e6;
    assert.throws(
      () => choleskySolve(indefinite, n, 0, new Float64Array(n), 1),
      /positive definite/,
    );
  },
});

Deno.test({
  name: "linalg wasm: determinant sign of orthogonal matrices of both signs",
  ignore: !available,
  fn() {
    for (const n of [9, 40]) {
      const q = randomMatrix(n, n, 7 * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < i; j++) {
          let s = 0;
          for (let t = 0; t < n; t++) s += q[i * n + t] * q[j * n + t];
          for (let t = 0; t < n; t++) q[i * n + t] -= s * q[j * n + t];
        }
        let nr = 0;
        for (let t = 0; t < n; t++) nr += q[i * n + t] ** 2;
        for (let t = 0; t < n; t++) q[i * n + t] /= Math.sqrt(nr);
      }
      const flipped = Float64Array.from(q);
      for (let t = 0; t < n; t++) flipped[t] = -flipped[t];
      assert.equal(wasmDetSign(q, n), determinantSign(q, n));
      assert.equal(wasmDetSign(flipped, n), -determinantSign(q, n));
    }
  },
});

Deno.test({
  name:
    "linalg: Cayley increment with float32 block products — error ~1e-7·‖Ω‖, R orthogonal to that",
  ignore: !available,
  fn() {
    // the Procrustes iteration's "mixed" precision: every block product of the inverse of
    // I − Ω/2 has a factor Ω, so float32 rounding (2^-24 ≈ 6e-8 per operand) costs ~1e-7·‖Ω‖
    const n = 300;
    const w = randomMatrix(n, n, 11);
    for (const scale of [0.3, 0.003]) {
      const omega = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) omega[i * n + j] = scale * (w[i * n + j] - w[j * n + i]);
      }
      let norm2 = 0;
      for (const v of omega) norm2 += v * v;
      const omegaNorm = Math.sqrt(norm2); // ‖Ω‖_F
      const d64 = cayleyIncrement(omega, n);
      const d32 = cayleyIncrement(omega, n, undefined, 1, undefined, mmNT32);
      const err = maxAbs(d32, d64);
      assert.ok(err > 0, "the float32 path must differ from the float64 one (it ran)");
      assert.ok(err < 1e-6 * omegaNorm, `scale ${scale}: |Δ32 − Δ64| ${err} vs ‖Ω‖ ${omegaNorm}`);
      // orthogonality of R = I + Δ: Δ + Δᵀ + ΔᵀΔ = RᵀR − I
      const dtd = mmNT(transpose(d32, n, n), transpose(d32, n, n), n, n, n);
      let orth = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          orth = Math.max(orth, Math.abs(d32[i * n + j] + d32[j * n + i] + dtd[i * n + j]));
        }
      }
      assert.ok(orth < 1e-6 * omegaNorm, `scale ${scale}: ‖RᵀR − I‖max ${orth}`);
    }
  },
});
