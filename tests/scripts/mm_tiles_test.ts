import assert from "node:assert/strict";
import { compileTiles, tileOperands } from "../../scripts/bench/mm_tiles.ts";
import { mmNT32 } from "../../metrics/linalg/matmul.ts";
import { wasmLinalgAvailable } from "../../metrics/linalg/wasm.ts";
import { mulberry32 } from "../../metrics/rng.ts";

Deno.test({
  name: "mm_tiles: generated tiles compute the committed mmNT32's product to the last bit",
  ignore: !wasmLinalgAvailable(),
  async fn() {
    const shapes = [[2, 4], [2, 6], [3, 3], [1, 5]];
    const ex = await compileTiles(shapes);
    // 61 rows and columns leave edges for every tile; k = 517 (padded to 520) spans 3 chunks
    const m = 61, k = 517, n = 61, kp = 520;
    const u = mulberry32(9);
    const a = Float64Array.from({ length: m * k }, () => u() - 0.5);
    const b = Float64Array.from({ length: n * k }, () => u() - 0.5);
    const want = mmNT32(a, b, m, k, n);
    const { pa, pb, pc } = tileOperands(ex, m, n, kp);
    const f32 = new Float32Array(ex.memory.buffer);
    f32.fill(0, pa / 4, pc / 4);
    for (let i = 0; i < m; i++) f32.set(a.subarray(i * k, (i + 1) * k), pa / 4 + i * kp);
    for (let j = 0; j < n; j++) f32.set(b.subarray(j * k, (j + 1) * k), pb / 4 + j * kp);
    for (const [ra, rb] of shapes) {
      ex[`mm_${ra}x${rb}`](pa, pb, pc, m, kp, n);
      assert.deepEqual(new Float64Array(ex.memory.buffer, pc, m * n).slice(), want, `${ra}x${rb}`);
    }
  },
});
