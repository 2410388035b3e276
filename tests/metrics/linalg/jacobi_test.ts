import assert from "node:assert/strict";
import { symmetricEigen } from "../../../metrics/linalg/jacobi.ts";
import { makeRng } from "../../../metrics/rng.ts";
import { randomOrthogonal } from "../helpers.ts";

const close = (a: number, b: number, tol = 1e-9) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("symmetric eigen: known spectrum and reconstruction", () => {
  const rng = makeRng(1);
  const n = 6;
  const q = randomOrthogonal(n, rng);
  const lam = [5, 3, 2, -1, 0.5, 0];
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      a[i * n + j] = lam.reduce((s, l, k) => s + l * q[k][i] * q[k][j], 0);
    }
  }
  const { values, vectors } = symmetricEigen(a, n);
  const sorted = [...lam].sort((x, y) => y - x);
  sorted.forEach((l, k) => close(values[k], l, 1e-12));
  // A v = λ v for each pair
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * vectors[j * n + k];
      close(s, values[k] * vectors[i * n + k], 1e-12);
    }
  }
});
