import assert from "node:assert/strict";
import { makeRng } from "../../metrics/rng.ts";
import { ROOT as root, runDeno } from "../run_deno.ts";

/** Trajectories of a stable linear system x_{t+1} = A x_t from random starts, then mapped by Q. */
function linearSystem(a: number[][], q: number[][], trials: number, steps: number, seed: number) {
  const rng = makeRng(seed);
  const n = a.length;
  return Array.from({ length: trials }, () => {
    let x = Array.from({ length: n }, () => rng() * 2 - 1);
    const out: number[][] = [];
    for (let t = 0; t < steps; t++) {
      out.push(q.map((row) => row.reduce((s, v, j) => s + v * x[j], 0)));
      x = a.map((row) => row.reduce((s, v, j) => s + v * x[j], 0));
    }
    return out;
  });
}

Deno.test({
  name: "measure dsa script: a rotated copy is at distance ~0, a different system is not",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const c = Math.cos(0.3), s = Math.sin(0.3);
      const rot = [[0.95 * c, -0.95 * s, 0], [0.95 * s, 0.95 * c, 0], [0, 0, 0.5]];
      const other = [[0.2, 0, 0], [0, -0.6, 0], [0, 0, 0.9]];
      const id = [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
      const q = [[0, 1, 0], [0, 0, -1], [1, 0, 0]]; // orthogonal relabelling with a sign flip
      const systems = [
        linearSystem(rot, id, 6, 30, 1),
        linearSystem(rot, q, 6, 30, 1), // same trajectories, relabelled: exactly conjugate
        linearSystem(other, id, 6, 30, 3),
      ];
      await Deno.writeTextFile(
        `${dir}/h.json`,
        JSON.stringify({ ids: ["a", "a_rot", "b"], trajectories: systems }),
      );
      const r = await runDeno([
        "run",
        "--quiet",
        "--no-lock",
        `--allow-read=${dir}`,
        `--allow-write=${dir}/out`,
        `${root}/scripts/measure/dsa.ts`,
        "--hidden",
        `${dir}/h.json`,
        "--rank",
        "3",
        "--out",
        `${dir}/out/dsa.json`,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const m = JSON.parse(await Deno.readTextFile(`${dir}/out/dsa.json`));
      assert.equal(m.schema, "degeneracy.metric/2");
      assert.equal(m.metric, "dsa");
      assert.ok(m.matrix[0][1] < 1e-3, `rotated copy: ${m.matrix[0][1]}`);
      assert.ok(m.matrix[0][2] > 0.05, `different system: ${m.matrix[0][2]}`);
      assert.equal(m.matrix[1][0], m.matrix[0][1]);
      assert.ok(Array.isArray(m.checks.symmetry));
      // each pair's bracket [lowerBound, distance] and final gradient norm
      assert.ok(m.extra.lowerBound[0][2] <= m.matrix[0][2]);
      assert.equal(m.extra.lowerBound[2][0], m.extra.lowerBound[0][2]);
      assert.ok(m.extra.gradNorm[0][2] >= 0);
      assert.equal(m.checks.maxGradNorm, Math.max(...m.extra.gradNorm.flat()));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
