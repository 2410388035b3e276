import assert from "node:assert/strict";
import { classicalMds } from "../../metrics/mds.ts";
import { makeRng } from "../../metrics/rng.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("classical MDS recovers a planar configuration up to rotation/reflection", () => {
  const rng = makeRng(4);
  const pts = Array.from({ length: 9 }, () => [rng() * 4 - 2, rng() * 4 - 2]);
  const dist = (p: number[], q: number[]) => Math.hypot(p[0] - q[0], p[1] - q[1]);
  const D = pts.map((p) => pts.map((q) => dist(p, q)));
  const { coords, eigenvalues, explained } = classicalMds(D, 2);
  for (let i = 0; i < 9; i++) {
    for (let j = 0; j < 9; j++) close(dist(coords[i], coords[j]), D[i][j], 1e-9);
  }
  // centred, two positive eigenvalues, the rest ~0
  close(coords.reduce((a, c) => a + c[0], 0), 0, 1e-9);
  assert.ok(eigenvalues[1] > 1e-6);
  for (const l of eigenvalues.slice(2)) close(l, 0, 1e-9);
  close(explained, 1, 1e-9);
  // 1-D embedding of collinear points is exact too
  const line = [0, 1, 3, 7];
  const L = classicalMds(line.map((a) => line.map((b) => Math.abs(a - b))), 1);
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      close(Math.abs(L.coords[i][0] - L.coords[j][0]), Math.abs(line[i] - line[j]), 1e-9);
    }
  }
  assert.throws(() => classicalMds([[0, 1]]), /square/);
  assert.throws(() => classicalMds([[0, -1], [-1, 0]]), /≥ 0/);
});
