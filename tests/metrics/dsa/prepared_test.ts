/**
 * The per-system prepared operator of the DSA Procrustes comparison (serialisation round trip,
 * bad headers), the spectral lower bound (a true lower bound; exact for commuting symmetric
 * operators), the pair result's gradient norm, and the current optimiser against the kept old
 * one (same trajectory from the same start) and against its own float64 path.
 */
import assert from "node:assert/strict";
import {
  deserializePreparedOperator,
  jacobiInverse,
  packedLength,
  prepareOperator,
  procrustesDistance,
  serializePreparedOperator,
  spectralLowerBound,
} from "../../../metrics/dsa/procrustes.ts";
import { mmNT, transpose } from "../../../metrics/linalg/matmul.ts";

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

function randomMatrix(n: number, seed: number): Float64Array {
  const r = seeded(seed);
  return Float64Array.from({ length: n * n }, r);
}

/** Random orthogonal n×n (Gram–Schmidt of a seeded matrix); the first row negated for det −1. */
function randomOrthogonal(n: number, seed: number, negate = false): Float64Array {
  const q = randomMatrix(n, seed);
  for (let i = 0; i < n; i++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < i; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += q[i * n + k] * q[j * n + k];
        for (let k = 0; k < n; k++) q[i * n + k] -= s * q[j * n + k];
      }
    }
    let nr = 0;
    for (let k = 0; k < n; k++) nr += q[i * n + k] ** 2;
    for (let k = 0; k < n; k++) q[i * n + k] /= Math.sqrt(nr);
  }
  if (negate) { for (let k = 0; k < n; k++) q[k] = -q[k]; }
  return q;
}

/** A random DMD-like operator: a scaled orthogonal matrix plus a small random part. */
function operator(n: number, seed: number): Float64Array {
  const q = randomOrthogonal(n, seed);
  const r = randomMatrix(n, seed + 1000);
  return q.map((v, i) => 0.9 * v + 0.3 * r[i] / Math.sqrt(n));
}

Deno.test("prepared operator: serialisation round trip gives the same operator and the same distance", () => {
  const n = 24;
  const pa = prepareOperator(operator(n, 1), n), pb = prepareOperator(operator(n, 2), n);
  const { header, data } = serializePreparedOperator(pa);
  assert.equal(data.length, 2 * n * n + 2 * n);
  const json = JSON.parse(JSON.stringify(header));
  const back = deserializePreparedOperator(json, Float64Array.from(data));
  for (
    const k of ["a", "at", "symValues", "symVectors", "rotated", "skewSingularValues"] as const
  ) {
    assert.deepEqual(back[k], pa[k], k);
  }
  for (
    const k of ["n", "scale", "symVectorsDet", "symValuesError", "skewSingularValuesError"] as const
  ) {
    assert.equal(back[k], pa[k], k);
  }
  const o = { maxRuns: 2, maxIter: 50 };
  assert.deepEqual(procrustesDistance(back, pb, o), procrustesDistance(pa, pb, o));
});

Deno.test("prepared operator: bad headers and data are refused naming the field", () => {
  const n = 5;
  const { header, data } = serializePreparedOperator(prepareOperator(operator(n, 3), n));
  assert.throws(
    () => deserializePreparedOperator({ ...header, format: "x" as never }, data),
    /format/,
  );
  assert.throws(() => deserializePreparedOperator({ ...header, n: 0 }, data), /header\.n/);
  assert.throws(() => deserializePreparedOperator({ ...header, scale: -1 }, data), /header\.scale/);
  assert.throws(
    () => deserializePreparedOperator({ ...header, symVectorsDet: 0 }, data),
    /symVectorsDet/,
  );
  assert.throws(
    () => deserializePreparedOperator({ ...header, fields: header.fields.slice(1) }, data),
    /header\.fields/,
  );
  assert.throws(() => deserializePreparedOperator(header, data.subarray(1)), /data must be/);
  const bad = Float64Array.from(data);
  bad[3] = NaN;
  assert.throws(() => deserializePreparedOperator(header, bad), /data\[3\]/);
  assert.throws(() => prepareOperator(new Float64Array(4), 2), /zero/);
  assert.throws(() => prepareOperator(new Float64Array(5), 2), /entries/);
});

Deno.test("spectral lower bound: below every found distance, 0 for similar operators, exact for symmetric ones", () => {
  for (const [n, seed] of [[6, 1], [12, 2], [30, 3]]) {
    const a = operator(n, seed), b = operator(n, seed + 7);
    const r = procrustesDistance(a, b, { maxRuns: 2, maxIter: 200 });
    assert(r.lowerBound.euclidean > 0 && r.lowerBound.euclidean <= r.euclidean, `n=${n}`);
    assert(r.lowerBound.angular <= r.angular);
    assert(Math.abs(r.lowerBound.angular - 2 * Math.asin(r.lowerBound.euclidean / 2)) < 1e-15);
    // B = Q A Qᵀ (both determinants): distance 0 and bound 0 (to rounding)
    for (const negate of [false, true]) {
      const q = randomOrthogonal(n, seed + 11, negate);
      const bq = mmNT(mmNT(q, transpose(a, n, n), n, n, n), q, n, n, n);
      const pa = prepareOperator(a, n), pq = prepareOperator(bq, n);
      assert(spectralLowerBound(pa, pq).euclidean < 1e-12);
    }
  }
  // symmetric A, B: min over C of ‖A − C B Cᵀ‖ = ‖λ↓(A) − λ↓(B)‖ (Hoffman–Wielandt), which the
  // bound gives and the optimiser reaches
  const n = 10;
  const sym = (seed: number) => {
    const x = randomMatrix(n, seed);
    return x.map((v, k) => v + x[(k % n) * n + Math.floor(k / n)]);
  };
  const r = procrustesDistance(sym(4), sym(5));
  assert(
    Math.abs(r.euclidean - r.lowerBound.euclidean) < 1e-6,
    `${r.euclidean} vs ${r.lowerBound.euclidean}`,
  );
});

Deno.test("Procrustes result: gradient norm ~0 at a converged optimum, positive when stopped early", () => {
  const n = 8;
  const a = operator(n, 21), q = randomOrthogonal(n, 22);
  const b = mmNT(mmNT(q, transpose(a, n, n), n, n, n), q, n, n, n);
  const r = procrustesDistance(a, b);
  assert(r.angular < 1e-6 && r.gradNorm < 1e-6, `angular ${r.angular}, grad ${r.gradNorm}`);
  assert(r.normDrift < 1e-12);
  const early = procrustesDistance(operator(n, 23), operator(n, 24), { maxRuns: 1, maxIter: 2 });
  assert(early.gradNorm > 1e-4);
  assert.equal(early.totalIterations, 2);
});

Deno.test("Procrustes: the current optimiser follows the old one from the same start", () => {
  // float64 at n = 40 (products, blocked Cayley inverse from n ≥ 80 not involved) and mixed
  // precision with the blocked inverse at n = 130: same starts, same iterations
  for (const [n, tol] of [[40, 1e-10], [130, 1e-6]]) {
    const a = operator(n, 31), b = operator(n, 32);
    // the old recursion had no preconditioner: compare like with like
    const o = { maxRuns: 2, maxIter: 25, restarts: 0, precondition: "none" as const };
    const old = procrustesDistance(a, b, { ...o, legacy: true });
    const cur = procrustesDistance(a, b, o);
    assert.equal(cur.runs.length, old.runs.length);
    for (let i = 0; i < old.runs.length; i++) {
      assert.equal(cur.runs[i].start, old.runs[i].start);
      assert.equal(cur.runs[i].det, old.runs[i].det);
      assert.equal(cur.runs[i].iterations, old.runs[i].iterations);
      assert(
        Math.abs(cur.runs[i].angular - old.runs[i].angular) < tol,
        `n=${n} ${cur.runs[i].start}: ${cur.runs[i].angular} vs ${old.runs[i].angular}`,
      );
    }
    if (n >= 128) {
      const f64 = procrustesDistance(a, b, { ...o, precision: "float64" });
      assert(Math.abs(f64.angular - cur.angular) < 1e-6);
      assert(cur.normDrift < 1e-7 && f64.normDrift < 1e-12);
    }
  }
});

Deno.test("Procrustes: returnC gives the optimum's C in raw coordinates", () => {
  const n = 84; // ≥ 80: the blocked Cayley inverse
  const a = operator(n, 41), b = operator(n, 42);
  const r = procrustesDistance(a, b, { maxRuns: 1, maxIter: 10, returnC: true });
  const c = r.C!;
  // ‖A/‖A‖ − C (B/‖B‖) Cᵀ‖ equals the reported euclidean score; C is orthogonal
  const norm = (x: Float64Array) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
  const an = a.map((v) => v / norm(a)), bn = b.map((v) => v / norm(b));
  const cbc = mmNT(mmNT(c, transpose(bn, n, n), n, n, n), c, n, n, n);
  const e = norm(an.map((v, i) => v - cbc[i]));
  assert(Math.abs(e - r.euclidean) < 1e-6, `${e} vs ${r.euclidean}`);
  const cct = mmNT(c, c, n, n, n);
  let orth = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) orth = Math.max(orth, Math.abs(cct[i * n + j] - (i === j ? 1 : 0)));
  }
  assert(orth < 1e-8, `CCᵀ − I ${orth}`);
});

Deno.test("Procrustes Jacobi preconditioner: the Hessian diagonal matches finite differences", () => {
  // h_ij = d²/dt² ‖e^{−tK} M e^{tK} − B‖² at t = 0, K = E_ij − E_ji (a plane rotation by t);
  // jacobiInverse returns 2 / h_ij (i < j, packed) where h_ij is above its floor
  const n = 7;
  // M near B, as near an optimum (where most h_ij are positive), and M far from B
  const b = randomMatrix(n, 6);
  const near = randomMatrix(n, 5).map((v, k) => b[k] + 0.1 * v);
  for (const m of [near, randomMatrix(n, 5)]) {
    checkDiagonal(m, b, n, m === near ? (n * (n - 1)) / 2 - 2 : 0);
  }
});

function checkDiagonal(m: Float64Array, b: Float64Array, n: number, minExact: number): void {
  const loss = (t: number, i: number, j: number) => {
    const r = new Float64Array(n * n);
    for (let k = 0; k < n; k++) r[k * n + k] = 1;
    r[i * n + i] = r[j * n + j] = Math.cos(t);
    r[i * n + j] = Math.sin(t);
    r[j * n + i] = -Math.sin(t);
    const mr = mmNT(m, transpose(r, n, n), n, n, n); // M R
    const rtmr = mmNT(transpose(r, n, n), transpose(mr, n, n), n, n, n); // Rᵀ M R
    return rtmr.reduce((s, v, k) => s + (v - b[k]) ** 2, 0);
  };
  // packed upper triangle: entry (i, j), i < j, at position i·n − i(i+1)/2 + j − i − 1
  const pre = jacobiInverse(m, b, n, new Float64Array(packedLength(n)));
  let checked = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const e = 1e-4;
      const h = (loss(e, i, j) - 2 * loss(0, i, j) + loss(-e, i, j)) / (e * e);
      const implied = 2 / pre[i * n - (i * (i + 1)) / 2 + j - i - 1];
      // either the exact value, or floored: then the implied h is the floor, above the exact one
      if (Math.abs(implied - h) < 1e-5 * Math.max(1, Math.abs(h))) checked++;
      else assert(implied > h, `h_${i}${j}: ${implied} is neither ${h} nor a floor above it`);
    }
  }
  assert(checked >= minExact, `only ${checked} entries above the floor`);
}

Deno.test("Procrustes Jacobi preconditioner: the same optimum as the plain recursion at convergence", () => {
  // n = 12, every start run to convergence: both recursions find the same global optimum
  for (const seed of [51, 53]) {
    const a = operator(12, seed), b = operator(12, seed + 1);
    const plain = procrustesDistance(a, b, { precondition: "none", maxIter: 3000 });
    const pre = procrustesDistance(a, b, { precondition: "jacobi", maxIter: 3000 });
    assert(Math.abs(plain.angular - pre.angular) < 1e-8, `${plain.angular} vs ${pre.angular}`);
    assert(pre.gradNorm < 1e-5, `grad ${pre.gradNorm}`);
  }
});

Deno.test("Procrustes targetAngular: a run stops once it reaches the target, and bad targets are refused", () => {
  const a = operator(40, 61), b = operator(40, 62);
  const o = { maxRuns: 1, restarts: 0, maxIter: 200 };
  const full = procrustesDistance(a, b, o);
  const target = full.angular + 0.01;
  const early = procrustesDistance(a, b, { ...o, targetAngular: target });
  assert(early.angular <= target && early.totalIterations < full.totalIterations);
  assert.throws(
    () => procrustesDistance(a, b, { targetAngular: -1 }),
    /targetAngular must be in \[0, π\]/,
  );
  assert.throws(
    () => procrustesDistance(a, b, { precondition: "diag" as "none" }),
    /precondition must be "jacobi" or "none"/,
  );
});
