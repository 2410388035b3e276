import assert from "node:assert/strict";
import { distanceFromInit, frobeniusDistance } from "../../metrics/distances.ts";

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

Deno.test("distance from init: ‖W_T − W_0‖_F / n²", () => {
  const w0 = [[0, 0], [0, 0]];
  const wT = [[3, 0], [0, 4]];
  const d = distanceFromInit(w0, wT);
  close(d.raw, 5);
  close(d.normalized, 5 / 4);
  assert.equal(d.entries, 4);
  close(frobeniusDistance(wT, wT), 0);
  assert.throws(() => distanceFromInit([[1]], [[1, 2]]), /same shape/);
  assert.throws(() => frobeniusDistance([[NaN]], [[1]]), /w1\[0\]\[0\]/);
});
