/**
 * The fixed-point finder on networks whose fixed points are known in closed form: one unit
 * h = tanh(w h + b) (roots of atanh(h) − w h = b, fold at h = ±√(1 − 1/w)); W = a·I with
 * a > 1 (3^n points with coordinates in {0, ±h*}, 2^n stable, C(n,k)·2^(n−k) with k unstable
 * directions); a rotation-like 2-unit network (one unstable focus, an invariant closed curve
 * around it, nothing else); linear-regime line and plane attractors (W = u uᵀ [+ v vᵀ] +
 * c·(rest) with ±1/√n entries, so h = s·u is the slow curve with speed
 * √n·|tanh(s/√n) − s/√n|).
 */
import assert from "node:assert/strict";
import { findFixedPoints, type FixedPointResult } from "../../../mod.ts";

const close = (a: number, b: number, tol: number, what = "") =>
  assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b} (tol ${tol})`);

/** All roots of g(h) = atanh(h) − w h − b on (−1, 1), by bisection on sign changes. */
function oneUnitRoots(w: number, b: number): number[] {
  const g = (h: number) => Math.atanh(h) - w * h - b;
  const grid = 20001, roots: number[] = [];
  let prevH = -1 + 1e-12, prevG = g(prevH);
  for (let k = 1; k <= grid; k++) {
    const h = -1 + 1e-12 + (2 - 2e-12) * k / grid;
    const gh = g(h);
    if (gh === 0 || Math.sign(gh) !== Math.sign(prevG)) {
      let lo = prevH, hi = h;
      for (let it = 0; it < 200; it++) {
        const mid = 0.5 * (lo + hi);
        if (Math.sign(g(mid)) === Math.sign(g(lo))) lo = mid;
        else hi = mid;
      }
      roots.push(0.5 * (lo + hi));
    }
    prevH = h;
    prevG = gh;
  }
  return roots;
}

function eye(n: number, a: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => i === j ? a : 0));
}

function assertTrueFixedPoints(r: FixedPointResult, net: { wh: number[][]; b: number[] }) {
  for (const p of r.fixedPoints) {
    // recompute the residual independently
    const f = net.wh.map((row, i) => Math.tanh(row.reduce((s, w, j) => s + w * p.h[j], net.b[i])));
    const res = Math.hypot(...f.map((fi, i) => fi - p.h[i]));
    assert.ok(res <= 1e-10, `residual ${res}`);
    close(p.residual, res, 1e-14, "reported residual");
  }
}

Deno.test("one unit, w = 0.5, b = 0: the single fixed point 0, stable with λ = 0.5", () => {
  const net = { wh: [[0.5]], b: [0] };
  const r = findFixedPoints(net, { seed: 3 });
  assert.equal(r.fixedPoints.length, 1);
  const p = r.fixedPoints[0];
  close(p.h[0], 0, 1e-12, "h");
  close(p.eigenvalues[0].re, 0.5, 1e-12, "λ");
  assert.equal(p.eigenvalues[0].im, 0);
  assert.deepEqual([p.stable, p.unstableDims, p.kind], [true, 0, "stable"]);
  assert.equal(r.slowPoints.length, 0);
  assertTrueFixedPoints(r, net);
});

for (const [w, b, count] of [[2, 0, 3], [2, 0.5, 3], [2, -0.5, 3], [2, 0.6, 1], [3, 1.2, 3]]) {
  Deno.test(`one unit, w = ${w}, b = ${b}: ${count} fixed points at the roots of atanh(h) − w h = b`, () => {
    // fold: |b| < |atanh(h_t) − w h_t| with h_t = √(1 − 1/w) gives three roots, else one
    const ht = Math.sqrt(1 - 1 / w);
    const fold = Math.abs(Math.atanh(ht) - w * ht);
    assert.equal(Math.abs(b) < fold ? 3 : 1, count, "closed-form count");
    const roots = oneUnitRoots(w, b);
    assert.equal(roots.length, count, "bisection oracle");
    const net = { wh: [[w]], b: [b] };
    const r = findFixedPoints(net, { seed: 1 });
    assert.equal(r.fixedPoints.length, count);
    assertTrueFixedPoints(r, net);
    const found = r.fixedPoints.map((p) => p.h[0]).sort((x, y) => x - y);
    found.forEach((h, i) => close(h, roots[i], 1e-9, `root ${i}`));
    for (const p of r.fixedPoints) {
      const lambda = w * (1 - p.h[0] ** 2);
      close(p.eigenvalues[0].re, lambda, 1e-12, "λ = w(1 − h²)");
      assert.equal(p.stable, lambda < 1);
      assert.equal(p.kind, lambda < 1 ? "stable" : "unstable");
      assert.equal(p.unstableDims, lambda > 1 ? 1 : 0);
    }
  });
}

for (const n of [2, 3, 4]) {
  Deno.test(`W = 1.5·I, n = ${n}: all 3^${n} sign patterns, 2^${n} stable, saddles by unstable dims`, () => {
    const a = 1.5;
    const hs = oneUnitRoots(a, 0).filter((h) => h > 0.1)[0]; // h* = tanh(a h*)
    const net = { wh: eye(n, a), b: new Array(n).fill(0) };
    const r = findFixedPoints(net, { seed: 7, numStarts: 40 * 3 ** n, noise: 0 });
    assertTrueFixedPoints(r, net);
    assert.equal(r.fixedPoints.length, 3 ** n);
    const patterns = new Set<string>();
    for (const p of r.fixedPoints) {
      const pattern = p.h.map((x) => {
        if (Math.abs(x) <= 1e-12) return "0";
        close(Math.abs(x), hs, 1e-10, "coordinate");
        return x > 0 ? "+" : "-";
      }).join("");
      patterns.add(pattern);
      const zeros = [...pattern].filter((c) => c === "0").length;
      assert.equal(p.unstableDims, zeros, `pattern ${pattern}`);
      assert.equal(p.stable, zeros === 0);
      assert.equal(p.kind, zeros === 0 ? "stable" : zeros === n ? "unstable" : "saddle");
      const expected = [...pattern].map((c) => c === "0" ? a : a * (1 - hs * hs))
        .sort((x, y) => y - x);
      p.eigenvalues.forEach((e, i) => {
        close(e.re, expected[i], 1e-9, `λ${i}`);
        close(e.im, 0, 1e-12, `Im λ${i}`);
      });
    }
    assert.equal(patterns.size, 3 ** n);
    const binom = (m: number, k: number): number =>
      k === 0 ? 1 : (binom(m, k - 1) * (m - k + 1)) / k;
    for (let k = 0; k <= n; k++) {
      assert.equal(
        r.fixedPoints.filter((p) => p.unstableDims === k).length,
        binom(n, k) * 2 ** (n - k),
        `points with ${k} unstable directions`,
      );
    }
    assert.equal(r.fixedPoints.filter((p) => p.stable).length, 2 ** n);
  });
}

Deno.test("rotation-like 2-unit network: one unstable focus at 0, a closed invariant curve, nothing else", () => {
  const rho = 1.2, theta = 0.3;
  const wh = [
    [rho * Math.cos(theta), -rho * Math.sin(theta)],
    [rho * Math.sin(theta), rho * Math.cos(theta)],
  ];
  const net = { wh, b: [0, 0] };
  const step = (h: number[]) => wh.map((row) => Math.tanh(row[0] * h[0] + row[1] * h[1]));
  // the orbit from near the focus leaves it and settles on a closed curve
  let h = [1e-3, 0];
  for (let t = 0; t < 2000; t++) h = step(h);
  const orbit: number[][] = [];
  let turned = 0;
  for (let t = 0; t < 2000; t++) {
    const next = step(h);
    turned += Math.atan2(h[0] * next[1] - h[1] * next[0], h[0] * next[0] + h[1] * next[1]);
    h = next;
    orbit.push(h);
  }
  const radii = orbit.map(([x, y]) => Math.hypot(x, y));
  const rMin = Math.min(...radii), rMax = Math.max(...radii);
  assert.ok(rMin > 0.3, `orbit stays away from the focus (min radius ${rMin})`);
  assert.ok(rMax < 1.5 && rMax - rMin < 0.5, `bounded band ${rMin}..${rMax}`);
  assert.ok(turned > 2 * Math.PI * 50, `keeps turning (${turned / (2 * Math.PI)} turns)`);
  // brute-force oracle: the speed is bounded away from 0 outside a small disc around 0
  let minSpeed = Infinity;
  for (let i = -200; i <= 200; i++) {
    for (let j = -200; j <= 200; j++) {
      const p = [i / 200, j / 200];
      if (Math.hypot(p[0], p[1]) < 0.05) continue;
      const f = step(p);
      minSpeed = Math.min(minSpeed, Math.hypot(f[0] - p[0], f[1] - p[1]));
    }
  }
  assert.ok(minSpeed > 1e-2, `no other zero of F(h) − h (min speed ${minSpeed})`);

  const r = findFixedPoints(net, { starts: orbit, seed: 2, noise: 0.1 });
  assert.equal(r.fixedPoints.length, 1);
  const p = r.fixedPoints[0];
  assert.ok(Math.hypot(p.h[0], p.h[1]) <= 1e-12);
  assert.deepEqual([p.stable, p.unstableDims, p.kind], [false, 2, "unstable"]);
  close(p.eigenvalues[0].re, rho * Math.cos(theta), 1e-12, "Re λ");
  close(p.eigenvalues[0].im, rho * Math.sin(theta), 1e-12, "Im λ");
  close(p.eigenvalues[1].im, -rho * Math.sin(theta), 1e-12, "conjugate");
  assert.equal(r.slowPoints.length, 0, "the cycle is not slow");
  assert.equal(r.continua.length, 0);
});

/** Orthonormal ±1/√n vectors: rows of a Sylvester–Hadamard matrix. */
function hadamardRow(n: number, k: number): number[] {
  return Array.from({ length: n }, (_, i) => {
    let bits = i & k, parity = 0;
    while (bits) {
      parity ^= bits & 1;
      bits >>= 1;
    }
    return (parity ? -1 : 1) / Math.sqrt(n);
  });
}

/** W = Σ_k u_k u_kᵀ + c·(I − Σ_k u_k u_kᵀ) for orthonormal u_k. */
function plantedAttractor(n: number, us: number[][], c: number): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      const proj = us.reduce((s, u) => s + u[i] * u[j], 0);
      return proj + c * ((i === j ? 1 : 0) - proj);
    }));
}

/** s* > 0 where √n·|tanh(s/√n) − s/√n| = tol. */
function lineHalfLength(n: number, tol: number): number {
  const speed = (s: number) =>
    Math.sqrt(n) * Math.abs(Math.tanh(s / Math.sqrt(n)) - s / Math.sqrt(n));
  let lo = 0, hi = Math.sqrt(n);
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (speed(mid) <= tol) lo = mid;
    else hi = mid;
  }
  return lo;
}

Deno.test("linear-regime line attractor: one continuum of dimension 1 along u, length from the closed form", () => {
  const n = 8, c = 0.5, tol = 1e-3; // speed bound of the continuum
  const u = hadamardRow(n, 0);
  const net = { wh: plantedAttractor(n, [u], c), b: new Array(n).fill(0) };
  const starts = Array.from({ length: 41 }, (_, k) => u.map((x) => x * (-0.4 + 0.02 * k)));
  const r = findFixedPoints(net, { starts, seed: 5, noise: 0.01, slowTol: tol, continuumTol: tol });
  // the only exact fixed point is 0 (non-hyperbolic: λ = 1 along u, c elsewhere)
  assert.ok(r.fixedPoints.length >= 1);
  for (const p of r.fixedPoints) {
    assert.ok(Math.hypot(...p.h) < 1e-2, `fixed point near 0, |h| = ${Math.hypot(...p.h)}`);
    close(p.eigenvalues[0].re, 1, 1e-4, "marginal eigenvalue");
    p.eigenvalues.slice(1).forEach((e) => close(e.re, c, 1e-4, "contracting eigenvalue"));
  }
  assert.equal(r.continua.length, 1);
  const line = r.continua[0];
  assert.equal(line.dimension, 1);
  const cos = Math.abs(line.directions[0].reduce((s, x, i) => s + x * u[i], 0));
  close(cos, 1, 1e-6, "direction ∥ u");
  const expected = 2 * lineHalfLength(n, tol);
  close(line.extents[0], expected, 0.01 * expected, "length");
  assert.ok(line.maxResidual <= tol);
  assert.deepEqual(line.closed, [false]);
  // the traced curve is the straight segment s·u
  for (const h of line.curves[0]) {
    const s = h.reduce((acc, x, i) => acc + x * u[i], 0);
    const off = Math.hypot(...h.map((x, i) => x - s * u[i]));
    assert.ok(off < 1e-6, `curve off the line by ${off}`);
  }
});

Deno.test("linear-regime plane attractor: one continuum of dimension 2 spanning {u, v}", () => {
  const n = 8, c = 0.5, tol = 1e-3; // speed bound of the continuum
  const u = hadamardRow(n, 0), v = hadamardRow(n, 1);
  const net = { wh: plantedAttractor(n, [u, v], c), b: new Array(n).fill(0) };
  const starts: number[][] = [];
  for (let a = -4; a <= 4; a++) {
    for (let b = -4; b <= 4; b++) starts.push(u.map((x, i) => 0.08 * (a * x + b * v[i])));
  }
  const r = findFixedPoints(net, { starts, seed: 5, noise: 0.01, slowTol: tol, continuumTol: tol });
  assert.equal(r.continua.length, 1);
  const plane = r.continua[0];
  assert.equal(plane.dimension, 2);
  for (const d of plane.directions) {
    const pu = d.reduce((s, x, i) => s + x * u[i], 0), pv = d.reduce((s, x, i) => s + x * v[i], 0);
    close(Math.hypot(pu, pv), 1, 1e-6, "direction in span{u, v}");
  }
  // along a unit t = αu + βv the correction (kept off the plane) stays 0 by symmetry, so the
  // curve is s·t, whose speed ‖tanh(s t) − s t‖ reaches tol at ±s*(t)
  plane.directions.forEach((t, k) => {
    const speed = (s: number) => Math.hypot(...t.map((x) => Math.tanh(s * x) - s * x));
    let lo = 0, hi = 3;
    for (let it = 0; it < 200; it++) {
      const mid = 0.5 * (lo + hi);
      if (speed(mid) <= tol) lo = mid;
      else hi = mid;
    }
    close(plane.extents[k], 2 * lo, 0.01 * 2 * lo, `extent ${k}`);
    for (const h of plane.curves[k]) {
      const d = h.map((x, i) => x - plane.seed[i]);
      const s = d.reduce((acc, x, i) => acc + x * t[i], 0);
      const off = Math.hypot(...d.map((x, i) => x - s * t[i]));
      assert.ok(off < 1e-6, `curve ${k} off the line seed + s·t by ${off}`);
    }
  });
});
