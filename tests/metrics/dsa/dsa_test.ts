/**
 * DSA tests: every case of tests/fixtures/dsa_cases.json (reference github.com/mitchellostrow/DSA
 * @ 8cbddcf, see meta.conventions) stage by stage, invariances, bad inputs, and the
 * linear-algebra helpers against closed forms / brute force.
 */
import assert from "node:assert/strict";
import { dmdEigenvalues, fitDmd, hankelNumericalRank } from "../../../metrics/dsa/dmd.ts";
import {
  compareDmd,
  dsaDistance,
  dsaDistanceDetailed,
  dsaDistanceMatrix,
  dsaLinearSumAssignment,
  dsaOptimiser,
  type DsaOptions,
  dsaPairMeasure,
  eigenvalueWasserstein,
} from "../../../metrics/dsa/dsa.ts";
import {
  PROCRUSTES_LEGACY_OPTIMISER,
  PROCRUSTES_OPTIMISER,
  procrustesDistance,
} from "../../../metrics/dsa/procrustes.ts";
import { eigenvaluesReal } from "../../../metrics/linalg/eig_real.ts";
import { mmNT } from "../../../metrics/linalg/matmul.ts";
import { symEigTop } from "../../../metrics/linalg/symeig.ts";

// deno-lint-ignore no-explicit-any
type Any = any;
const fixture = JSON.parse(
  Deno.readTextFileSync(new URL("../../fixtures/dsa_cases.json", import.meta.url)),
);
const cases: Any[] = fixture.cases;

function optionsOf(c: Any): DsaOptions {
  const p = c.params.dmd;
  assert.equal(p.steps_ahead, 1);
  return {
    delays: p.n_delays,
    delayInterval: p.delay_interval,
    rank: p.rank ?? undefined,
    rankThreshold: p.rank_thresh ?? undefined,
    rankExplainedVariance: p.rank_explained_variance ?? undefined,
    ridge: p.lamb,
    reducedRankRegression: p.reduced_rank_reg,
  };
}

/** Max distance between two eigenvalue sets under the best matching (robust to order ties). */
function matchedEigError(a: [number, number][], b: number[][]): number {
  assert.equal(a.length, b.length);
  const n = a.length;
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) cost[i * n + j] = Math.hypot(a[i][0] - b[j][0], a[i][1] - b[j][1]);
  }
  const { assign } = dsaLinearSumAssignment(cost, n, n);
  let mx = 0;
  for (let i = 0; i < n; i++) mx = Math.max(mx, cost[i * n + assign[i]]);
  return mx;
}

const fits = new Map<string, ReturnType<typeof fitDmd>[]>();
function fitsOf(c: Any) {
  let f = fits.get(c.name);
  if (!f) {
    f = c.systems.map((s: Any) => fitDmd(s.data, optionsOf(c)));
    fits.set(c.name, f!);
  }
  return f!;
}

for (const c of cases) {
  Deno.test(`DSA fixture ${c.name}: Hankel shape, rank, singular values, A_v eigenvalues`, () => {
    const f = fitsOf(c);
    c.systems.forEach((s: Any, i: number) => {
      const fit = f[i];
      assert.deepEqual(fit.hankelShape, s.hankel_shape, `${s.label} hankel shape`);
      assert.equal(fit.rank, s.rank, `${s.label} rank`);
      assert.deepEqual([fit.size, fit.size], s.A_v_shape, `${s.label} A_v shape`);
      const sv: number[] = s.hankel_singular_values;
      assert.equal(fit.singularValues.length, sv.length);
      const smax = sv[0];
      sv.forEach((v, k) => {
        const err = Math.abs(fit.singularValues[k] - v);
        assert(
          err <= 1e-6 * smax + 5e-6 * Math.abs(v),
          `${s.label} S[${k}] = ${fit.singularValues[k]} vs reference ${v}`,
        );
      });
      const ev = dmdEigenvalues(fit);
      const eRef = matchedEigError(ev, s.A_v_eigenvalues);
      const eF64 = matchedEigError(ev, s.independent_f64.A_v_eigenvalues);
      assert(eRef < 2e-5, `${s.label} eigenvalues vs float32 reference: ${eRef}`);
      assert(eF64 < 1e-6, `${s.label} eigenvalues vs independent float64: ${eF64}`);
      let fro = 0;
      for (const v of fit.operator) fro += v * v;
      assert(Math.abs(Math.sqrt(fro) - s.A_v_fro) < 2e-5 * s.A_v_fro, `${s.label} ‖A_v‖_F`);
    });
  });

  Deno.test(`DSA fixture ${c.name}: eigenvalue Wasserstein (W2², POT emd2)`, () => {
    const f = fitsOf(c);
    const w = eigenvalueWasserstein(dmdEigenvalues(f[0]), dmdEigenvalues(f[1]));
    const r = c.results.wasserstein;
    assert(
      Math.abs(w - r.independent_f64_value) <= 5e-5 * r.independent_f64_value + 1e-9,
      `W ${w} vs independent f64 ${r.independent_f64_value}`,
    );
    assert(Math.abs(w - r.value) <= 1e-3 * r.value + 1e-7, `W ${w} vs reference ${r.value}`);
    // the OT solver alone, on the reference's own eigenvalues: ~1e-6 relative (the reference
    // computes the cost in float32, hence the 1e-7 absolute floor for near-zero values)
    const wr = eigenvalueWasserstein(c.systems[0].A_v_eigenvalues, c.systems[1].A_v_eigenvalues);
    assert(
      Math.abs(wr - r.value) <= 2e-6 * r.value + 1e-7,
      `W on reference eigenvalues ${wr} vs ${r.value}`,
    );
    const viaApi = dsaDistance(c.systems[0].data, c.systems[1].data, {
      ...optionsOf(c),
      score: "wasserstein",
    });
    assert.equal(viaApi, w);
  });

  if (c.results.procrustes) {
    Deno.test(`DSA fixture ${c.name}: Procrustes angular within [independent best − 1e-4, reference max]`, () => {
      const f = fitsOf(c);
      const det = dsaDistanceDetailed(c.systems[0].data, c.systems[1].data, optionsOf(c));
      const ours = det.distance;
      const best = c.results.independent_best_f64.angular;
      const refMax = Math.max(...c.results.procrustes.runs.map((r: Any) => r.angular));
      assert(ours >= best - 1e-4, `angular ${ours} below independent best ${best} by > 1e-4`);
      assert(ours <= refMax, `angular ${ours} above the reference's worst run ${refMax}`);
      if (c.expected_distance === 0) assert(ours < 1e-3, `expected 0, got ${ours}`);
      // angular and euclidean come from the same optimum: angular = 2 asin(euclid / 2)
      const p = det.procrustes!;
      assert(Math.abs(p.angular - 2 * Math.asin(p.euclidean / 2)) < 1e-12);
      assert(p.restartsSpread >= 0 && p.runs.length >= 8);
      // euclidean score of the same optimum; the contract's "euclidean" on the small cases
      const e = p.euclidean;
      const eBest = c.results.independent_best_f64.euclidean;
      const eMax = Math.max(...c.results.procrustes.runs.map((r: Any) => r.euclidean));
      assert(e >= eBest - 1e-4 && e <= eMax, `euclidean ${e} not in [${eBest}, ${eMax}]`);
      if (f[0].size <= 12) {
        const ec = dsaDistance(c.systems[0].data, c.systems[1].data, {
          ...optionsOf(c),
          score: "euclidean",
        });
        assert(Math.abs(ec - e) < 1e-6, `contract euclidean ${ec} vs ${e}`);
      }
      // on the reference's own A_v (when stored): same interval
      if (c.systems[0].A_v) {
        const rr = procrustesDistance(c.systems[0].A_v, c.systems[1].A_v);
        assert(
          rr.angular >= best - 1e-4 && rr.angular <= refMax,
          `on reference A_v: ${rr.angular}`,
        );
        if (c.expected_distance === 0) assert(rr.angular < 1e-3);
      }
      // fits are reused: compare the cached fits directly too
      assert.equal(f[0].size, f[1].size);
    });
  }
}

Deno.test("DSA: different sizes — Procrustes refuses, Wasserstein without and with zero padding", () => {
  const c = cases.find((x) => x.name === "different_dims");
  const o = optionsOf(c);
  assert.throws(() => dsaDistance(c.systems[0].data, c.systems[1].data, o), /equal size.*rank/);
  const [fa, fb] = fitsOf(c);
  const ea = dmdEigenvalues(fa), eb = dmdEigenvalues(fb);
  const padded: [number, number][] = [...ea];
  while (padded.length < eb.length) padded.push([0, 0]);
  const wp = eigenvalueWasserstein(padded, eb);
  const ref = c.results.angular_requested_on_different_sizes.value;
  assert(Math.abs(wp - ref) < 1e-5 * ref, `zero-padded W ${wp} vs ${ref}`);
});

Deno.test("DSA invariances: d(X,X) = 0, symmetry, orthogonal change of data coordinates", () => {
  const c = cases.find((x) => x.name === "linear_different");
  const o = optionsOf(c);
  const [X, Y] = [c.systems[0].data as number[][][], c.systems[1].data as number[][][]];
  assert(dsaDistance(X, X, o) < 1e-6);
  const dxy = dsaDistance(X, Y, o), dyx = dsaDistance(Y, X, o);
  assert(Math.abs(dxy - dyx) < 1e-6, `symmetry ${dxy} vs ${dyx}`);
  // random orthogonal Q (6×6) from Gram–Schmidt of a fixed matrix; det −1 on purpose
  const n = X[0][0].length;
  const q: number[][] = [];
  for (let i = 0; i < n; i++) {
    const v = Array.from({ length: n }, (_, j) => Math.sin(1.7 * i + 2.3 * j + 0.4 * i * j));
    for (const u of q) {
      const s = u.reduce((a, uj, j) => a + uj * v[j], 0);
      for (let j = 0; j < n; j++) v[j] -= s * u[j];
    }
    const nr = Math.hypot(...v);
    q.push(v.map((x) => x / nr));
  }
  q[0] = q[0].map((x) => -x);
  const rot = (data: number[][][]) =>
    data.map((tr) => tr.map((row) => q.map((qi) => qi.reduce((a, qij, j) => a + qij * row[j], 0))));
  const dRot = dsaDistance(X, rot(Y), o);
  assert(Math.abs(dRot - dxy) < 1e-6, `rotated data ${dRot} vs ${dxy}`);
  assert(dsaDistance(X, rot(X), o) < 1e-4, "X vs rotated X must be ~0");
  // flat Float32Array input gives the same fit as nested arrays (up to float32 rounding)
  const K = X.length, T = X[0].length;
  const flat = new Float32Array(K * T * n);
  X.forEach((tr, k) =>
    tr.forEach((row, t) => row.forEach((v, u) => (flat[(k * T + t) * n + u] = v)))
  );
  const d32 = dsaDistance({ data: flat, trials: K, steps: T, units: n }, Y, o);
  assert(Math.abs(d32 - dxy) < 1e-5);
});

Deno.test("DSA distance matrix: symmetric, zero diagonal, self-checks recorded", () => {
  const c = cases.find((x) => x.name === "linear_different");
  const o = optionsOf(c);
  const r = cases.find((x) => x.name === "linear_rotated");
  const systems = [c.systems[0].data, c.systems[1].data, r.systems[1].data];
  const res = dsaDistanceMatrix(systems, { ...o, rank: 6, rankThreshold: undefined });
  const S = systems.length;
  for (let i = 0; i < S; i++) {
    assert.equal(res.matrix[i][i], 0);
    for (let j = 0; j < S; j++) assert.equal(res.matrix[i][j], res.matrix[j][i]);
  }
  // X and rotated-X: same dynamics
  assert(res.matrix[0][2] < 1e-3);
  assert(res.matrix[0][1] > 0.3);
  assert.equal(res.selfChecks.selfDistance.length, 3);
  for (const s of res.selfChecks.selfDistance) assert(s.distance < 1e-6);
  for (const s of res.selfChecks.symmetry) assert(s.absDiff < 1e-6);
  assert(res.selfChecks.maxRestartsSpread >= 0);
  const w = dsaDistanceMatrix(systems, { ...o, score: "wasserstein" });
  assert.equal(
    w.matrix[0][1],
    eigenvalueWasserstein(dmdEigenvalues(w.fits[0]), dmdEigenvalues(w.fits[1])),
  );
});

Deno.test("DSA distance matrix: each pair's gradient norm and lower bound bracket its distance", () => {
  const c = cases.find((x) => x.name === "linear_different");
  const r = cases.find((x) => x.name === "linear_rotated");
  const systems = [c.systems[0].data, c.systems[1].data, r.systems[1].data];
  for (const score of ["angular", "euclidean"] as const) {
    const o = { ...optionsOf(c), rank: 6, rankThreshold: undefined, score };
    const res = dsaDistanceMatrix(systems, o);
    let max = 0;
    for (let i = 0; i < 3; i++) {
      assert.equal(res.gradNorm[i][i], 0);
      assert.equal(res.lowerBound[i][i], 0);
      for (let j = i + 1; j < 3; j++) {
        assert.equal(res.gradNorm[i][j], res.gradNorm[j][i]);
        assert.equal(res.lowerBound[i][j], res.lowerBound[j][i]);
        assert(res.gradNorm[i][j] >= 0 && Number.isFinite(res.gradNorm[i][j]));
        assert(res.lowerBound[i][j] >= 0);
        assert(res.lowerBound[i][j] <= res.matrix[i][j] + 1e-12, `${score} (${i}, ${j})`);
        // the entry is the pair's own Procrustes result, in the requested score
        const p = compareDmd(res.fits[i], res.fits[j], o).procrustes!;
        assert.deepEqual(
          dsaPairMeasure(res.matrix[i][j], p, score),
          {
            distance: res.matrix[i][j],
            spread: res.restartsSpread[i][j],
            gradNorm: res.gradNorm[i][j],
            lowerBound: res.lowerBound[i][j],
          },
        );
        assert.equal(res.lowerBound[i][j], p.lowerBound[score]);
        max = Math.max(max, res.gradNorm[i][j]);
      }
    }
    assert.equal(res.selfChecks.maxGradNorm, max);
    // the different systems' spectra differ: the bound is informative there, and ≈ 0 for the
    // rotated copy (same dynamics)
    assert(res.lowerBound[0][1] > 0, `${score}: bound ${res.lowerBound[0][1]}`);
    assert(res.lowerBound[0][2] < 1e-3);
  }
  // an exactly solved score: no optimiser left to converge, the bound is the distance
  const w = dsaDistanceMatrix(systems, { ...optionsOf(c), score: "wasserstein" });
  assert.deepEqual(w.lowerBound, w.matrix);
  assert(w.gradNorm.every((row) => row.every((g) => g === 0)));
  assert.equal(w.selfChecks.maxGradNorm, 0);
});

Deno.test("DSA optimiser names: the current optimiser, the legacy one, exact for wasserstein", () => {
  assert.equal(dsaOptimiser(), PROCRUSTES_OPTIMISER);
  assert.equal(dsaOptimiser({ score: "euclidean", rank: 4 }), PROCRUSTES_OPTIMISER);
  assert.equal(dsaOptimiser({ procrustes: { legacy: true } }), PROCRUSTES_LEGACY_OPTIMISER);
  assert.notEqual(PROCRUSTES_LEGACY_OPTIMISER, PROCRUSTES_OPTIMISER);
  assert.equal(dsaOptimiser({ score: "wasserstein", procrustes: { legacy: true } }), "exact");
  assert.throws(
    () => dsaOptimiser({ score: "cosine" as unknown as "angular" }),
    /score: must be "angular", "euclidean" or "wasserstein", got cosine/,
  );
});

Deno.test("DSA bad inputs throw errors naming the field and range", () => {
  const good = [[[0.1, 0.2], [0.3, 0.1], [0.2, 0.5], [0.4, 0.3], [0.1, 0.0], [0.2, 0.2]]];
  const ragged = [[[0.1, 0.2], [0.3]]];
  assert.throws(() => fitDmd(ragged), /\[0\]\[1\].*ragged.*2 units/);
  assert.throws(() => fitDmd([good[0], good[0].slice(1)]), /\[1\].*ragged.*6 steps/);
  assert.throws(() => fitDmd([[[0.1, NaN], [0.3, 0.1], [0.2, 0.5]]]), /\[0\]\[0\]\[1\].*finite/);
  assert.throws(() => fitDmd(good, { delays: 6 }), /delays.*≤ steps − 2/);
  assert.throws(() => fitDmd(good, { delays: 0 }), /delays.*\[1,/);
  assert.throws(() => fitDmd(good, { delays: 2, rank: 5 }), /rank.*\[1, 4\]/);
  assert.throws(() => fitDmd(good, { rank: 2, rankThreshold: 0.1 }), /at most one of rank/);
  assert.throws(
    () => fitDmd(good, { rankExplainedVariance: 1.5 }),
    /rankExplainedVariance.*\(0, 1\]/,
  );
  assert.throws(() => fitDmd(good, { ridge: -1 }), /ridge.*≥ 0/);
  assert.throws(() => fitDmd(good, { delays: 4 }), /rows.*reduce the number of delays/);
  assert.throws(() => dsaDistance(good, good, { score: "cosine" as never }), /score.*angular/);
  assert.throws(
    () => fitDmd({ data: new Float64Array(5), trials: 1, steps: 3, units: 2 }),
    /data.*length/,
  );
  assert.throws(
    () => procrustesDistance([[1, 0], [0, 1]], [[1, 0], [0, 1]], { restarts: -1 }),
    /restarts/,
  );
});

Deno.test("linear algebra: symmetric eigensolver, general eigenvalues, assignment vs brute force", () => {
  // symmetric: residuals and orthogonality on a Gram matrix with a repeated eigenvalue
  const n = 40;
  const x = new Float64Array(n * 50).map((_, i) => Math.sin(i * 0.37) + Math.cos(i * i * 0.011));
  const g = mmNT(x, x, n, 50, n);
  for (let i = 0; i < n; i++) g[i * n + i] += 1;
  const e = symEigTop(g, n, 12);
  for (let j = 0; j < 12; j++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let q = 0; q < n; q++) s += g[i * n + q] * e.vectors[j * n + q];
      assert(Math.abs(s - e.values[j] * e.vectors[j * n + i]) < 1e-10 * e.values[0]);
    }
    for (let q = 0; q < 12; q++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += e.vectors[j * n + i] * e.vectors[q * n + i];
      assert(Math.abs(s - (j === q ? 1 : 0)) < 1e-10);
    }
  }
  let tr = 0;
  for (let i = 0; i < n; i++) tr += g[i * n + i];
  assert(Math.abs(e.values.reduce((a, b) => a + b, 0) - tr) < 1e-9 * tr);
  // general eigenvalues: companion matrix of (z−1)(z+2)(z²+1)(z−0.5) has known roots
  const coeffs = [1, 0.5, -1, 2.5, -3, 1]; // monic degree 5, lowest first? build below
  void coeffs;
  const roots: [number, number][] = [[1, 0], [-2, 0], [0, 1], [0, -1], [0.5, 0]];
  // polynomial coefficients from the roots
  let poly: [number, number][] = [[1, 0]];
  for (const r of roots) {
    const next: [number, number][] = Array.from({ length: poly.length + 1 }, () => [0, 0]);
    poly.forEach((c, k) => {
      next[k + 1][0] += c[0];
      next[k + 1][1] += c[1];
      next[k][0] -= c[0] * r[0] - c[1] * r[1];
      next[k][1] -= c[0] * r[1] + c[1] * r[0];
    });
    poly = next;
  }
  const deg = 5;
  const comp = new Float64Array(deg * deg);
  for (let i = 1; i < deg; i++) comp[i * deg + i - 1] = 1;
  for (let i = 0; i < deg; i++) comp[i * deg + deg - 1] = -poly[i][0];
  const ev = eigenvaluesReal(comp, deg);
  const got: [number, number][] = Array.from(ev.re, (re, i) => [re, ev.im[i]]);
  assert(matchedEigError(got, roots) < 1e-9);
  // assignment vs brute force over all permutations (n = 6)
  const perms = (k: number): number[][] =>
    k === 0
      ? [[]]
      : perms(k - 1).flatMap((p) =>
        Array.from({ length: k }, (_, i) => [...p.slice(0, i), k - 1, ...p.slice(i)])
      );
  const all = perms(6);
  for (let trial = 0; trial < 5; trial++) {
    const c = new Float64Array(36).map((_, i) =>
      Math.abs(Math.sin(i * 12.9898 + trial * 78.233) * 43758.5453) % 1
    );
    const brute = Math.min(...all.map((p) => p.reduce((a, j, i) => a + c[i * 6 + j], 0)));
    const got2 = dsaLinearSumAssignment(c, 6, 6);
    assert(Math.abs(got2.cost - brute) < 1e-12);
    assert.equal(new Set(got2.assign).size, 6);
  }
});

Deno.test("Procrustes: planted rotation and planted reflection are recovered exactly", () => {
  // B = Qᵀ A Q for a random orthogonal Q of each determinant: distance 0
  const n = 12;
  const a = new Float64Array(n * n).map((_, i) => Math.sin(i * 1.31) * Math.cos(i * 0.17));
  for (const sign of [1, -1]) {
    const q = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const v = Array.from({ length: n }, (_, j) => Math.cos(0.9 * i * j + 0.3 * i + 0.7 * j));
      for (let p = 0; p < i; p++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += q[p * n + j] * v[j];
        for (let j = 0; j < n; j++) v[j] -= s * q[p * n + j];
      }
      const nr = Math.hypot(...v);
      for (let j = 0; j < n; j++) q[i * n + j] = (i === 0 ? sign : 1) * v[j] / nr;
    }
    // B = Q A Qᵀ
    const qa = mmNT(
      q,
      Float64Array.from({ length: n * n }, (_, k) => a[(k % n) * n + Math.floor(k / n)]),
      n,
      n,
      n,
    );
    const b = mmNT(qa, q, n, n, n);
    const r = procrustesDistance(a, b, { returnC: true, restarts: 2 });
    assert(r.angular < 1e-6, `planted (${sign}) angular ${r.angular}`);
    assert(r.C && r.C.length === n * n);
  }
});

Deno.test("DSA parallel matrix (workers) equals the single-thread matrix", async () => {
  const { dsaDistanceMatrixParallel } = await import("../../../metrics/dsa/parallel.ts");
  const c = cases.find((x) => x.name === "linear_different");
  const r = cases.find((x) => x.name === "linear_rotated");
  const systems = [c.systems[0].data, c.systems[1].data, r.systems[1].data];
  const o = { ...optionsOf(c), rank: 6, rankThreshold: undefined };
  const seq = dsaDistanceMatrix(systems, o);
  const par = await dsaDistanceMatrixParallel(systems, o, { workers: 2, chunk: 1 });
  assert.deepEqual(par.matrix, seq.matrix);
  assert.deepEqual(par.gradNorm, seq.gradNorm);
  assert.deepEqual(par.lowerBound, seq.lowerBound);
  assert.deepEqual(par.selfChecks, seq.selfChecks);
  await assert.rejects(
    () => dsaDistanceMatrixParallel(systems, { ...o, delays: 0 }, { workers: 2 }),
    /delays/,
  );
});

Deno.test("DSA on repeated trials: the eigensolver converges and the numerical rank is reported", () => {
  // Every trial identical (as in sine with one training frequency): the Hankel Gram matrix has
  // a large cluster of zero eigenvalues, which once made the QL iteration fail to converge.
  const units = 32, steps = 80, trials = 16, delays = 6;
  let seed = 7;
  const rnd = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  };
  const w = Array.from({ length: units }, () => Array.from({ length: units }, () => rnd() * 0.4));
  const base: number[][] = [];
  let h = new Array(units).fill(0);
  for (let t = 0; t < steps; t++) {
    const drive = Math.sin(2 * Math.PI * t * 0.02);
    h = h.map((_, i) =>
      Math.tanh(w[i].reduce((a, wij, j) => a + wij * h[j], 0) + drive * (i % 3 === 0 ? 1 : 0.1))
    );
    base.push(h.slice());
  }
  const traj = Array.from({ length: trials }, () => base.map((r) => r.slice()));
  const r = hankelNumericalRank(traj, { delays });
  assert.ok(r >= 1 && r < units * delays, `numerical rank ${r} should be < ${units * delays}`);
  assert.ok(r <= steps - delays + 1, `repeated trials: rank ${r} ≤ distinct rows`);
  // a rank within the numerical rank fits, and a system is at distance 0 from itself
  const fit = fitDmd(traj, { delays, rank: r });
  assert.equal(fit.rank, r);
  assert.ok(dsaDistance(traj, traj, { delays, rank: r }) < 1e-6);
  // a rank above it is refused with a message that names the numerical rank
  assert.throws(
    () => fitDmd(traj, { delays, rank: Math.min(r + 5, units * delays) }),
    new RegExp(`numerical rank ${r}`),
  );
});
