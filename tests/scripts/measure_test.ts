import assert from "node:assert/strict";
import { makeRng, randomPermutation } from "../../metrics/rng.ts";
import { ROOT as root, runDeno } from "../run_deno.ts";

/** Runs a measure script with exactly the given permissions; returns code, stdout, stderr. */
function runMeasure(script: string, perms: string[], args: string[]) {
  const path = `${root}/scripts/measure/${script}`;
  return runDeno(["run", "--quiet", "--no-lock", ...perms, path, ...args]);
}

function matrix(n: number, rng: () => number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: n }, () => rng() * 2 - 1));
}

/** A minimal `degeneracy.network/1` record (H hidden units, 1 input, 1 output). */
function record(id: string, member: number, wh0: number[][], wh: number[][], status = "converged") {
  const H = wh.length;
  const params = (w: number[][]) => ({
    wx: w.map(() => [0.1]),
    wh: w,
    b: w.map(() => 0),
    wo: [w.map(() => 0.2)],
    bo: [0],
  });
  return {
    schema: "degeneracy.network/1",
    id,
    task: { name: "flipflop", id: "flipflop-n1", params: { n: 1 } },
    config: {},
    member,
    initSeed: member,
    dataSeed: member,
    shape: { inputDim: 1, hidden: H, outputDim: 1, auxDim: 0 },
    initial: params(wh0),
    final: params(wh),
    history: { trainLoss: [1], testLoss: [1], lr: [0.001] },
    stopEpoch: 1,
    status,
    backend: "test",
    wallTimeSec: 0,
  };
}

async function makeRun(dir: string) {
  const rng = makeRng(3);
  const H = 6; // ≤ 7: PIF is exact, so the distances embed exactly in the plane
  const a = matrix(H, rng);
  const rp = randomPermutation(H, rng);
  const cp = randomPermutation(H, rng);
  const aPerm = a.map((_, i) => a[rp[i]].map((_, j) => a[rp[i]][cp[j]]));
  const zero = a.map((r) => r.map(() => 0));
  await Deno.mkdir(`${dir}/run/pop`, { recursive: true });
  const recs = [
    record("net/a", 0, zero, a),
    record("net/b", 1, zero, aPerm),
    record("net/c", 2, zero, matrix(H, rng)),
    record("net/d", 3, zero, matrix(H, rng), "not_converged"),
  ];
  for (const r of recs) {
    await Deno.writeTextFile(`${dir}/run/pop/${r.id.replace("/", "_")}.json`, JSON.stringify(r));
  }
  await Deno.writeTextFile(`${dir}/run/manifest.json`, JSON.stringify({ schema: "other/1" }));
  return { a, H };
}

Deno.test("measure scripts: PIF, distance from init, MDS on a run directory", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const { a, H } = await makeRun(dir);
    const perms = [`--allow-read=${dir}/run,${dir}/out`, `--allow-write=${dir}/out`];
    const pif = await runMeasure("pif.ts", perms, [
      "--run",
      `${dir}/run`,
      "--out",
      `${dir}/out/pif.json`,
      "--restarts",
      "10",
    ]);
    assert.equal(pif.code, 0, pif.stderr);
    const m = JSON.parse(await Deno.readTextFile(`${dir}/out/pif.json`));
    assert.equal(m.schema, "degeneracy.metric/2");
    assert.equal(m.metric, "pif");
    assert.deepEqual(m.ids, ["net/a", "net/b", "net/c"]); // unconverged excluded
    assert.deepEqual(m.source.excluded, [{ id: "net/d", status: "not_converged" }]);
    assert.equal(m.source.skippedFiles, 1);
    assert.equal(m.matrix[0][1], 0); // planted permutation
    assert.ok(m.matrix[0][2] > 0);
    assert.equal(m.matrix[2][0], m.matrix[0][2]);
    assert.ok(Math.abs(m.extra.rawMatrix[0][2] / (H * H) - m.matrix[0][2]) < 1e-15);
    assert.equal(m.checks.maxIdentity, 0);
    assert.equal(m.checks.identity.length, 3);
    assert.ok(m.extra.lowerBound[0][2] <= m.extra.rawMatrix[0][2]);
    // no temp files left behind
    assert.deepEqual([...Deno.readDirSync(`${dir}/out`)].map((e) => e.name), ["pif.json"]);

    const dinit = await runMeasure("distance_from_init.ts", perms, [
      "--run",
      `${dir}/run`,
      "--out",
      `${dir}/out/dinit.json`,
      "--include-unconverged",
    ]);
    assert.equal(dinit.code, 0, dinit.stderr);
    const d = JSON.parse(await Deno.readTextFile(`${dir}/out/dinit.json`));
    assert.equal(d.ids.length, 4);
    const fro = Math.sqrt(a.flat().reduce((s, x) => s + x * x, 0));
    assert.ok(Math.abs(d.values[0] - fro / (H * H)) < 1e-12);
    assert.ok(Math.abs(d.values[1] - d.values[0]) < 1e-12); // a permuted has the same norm

    const mds = await runMeasure(
      "mds.ts",
      [`--allow-read=${dir}/out`, `--allow-write=${dir}/out`],
      [
        "--metric",
        `${dir}/out/pif.json`,
        "--out",
        `${dir}/out/mds.json`,
      ],
    );
    assert.equal(mds.code, 0, mds.stderr);
    const md = JSON.parse(await Deno.readTextFile(`${dir}/out/mds.json`));
    const c = md.points as number[][];
    const dist = (p: number[], q: number[]) => Math.hypot(p[0] - q[0], p[1] - q[1]);
    assert.ok(Math.abs(dist(c[0], c[2]) - m.matrix[0][2]) < 1e-9);
    assert.ok(dist(c[0], c[1]) < 1e-9);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("measure scripts: a malformed file gives a one-line error naming file and field; nothing written", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await makeRun(dir);
    const bad = `${dir}/run/pop/net_c.json`;
    const rec = JSON.parse(await Deno.readTextFile(bad));
    rec.final.wh[1][2] = "x";
    await Deno.writeTextFile(bad, JSON.stringify(rec));
    const perms = [`--allow-read=${dir}/run,${dir}/out`, `--allow-write=${dir}/out`];
    const r = await runMeasure("pif.ts", perms, [
      "--run",
      `${dir}/run`,
      "--out",
      `${dir}/out/pif.json`,
    ]);
    assert.equal(r.code, 1);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /net_c\.json: final\.wh\[1\]\[2\] must be a finite number/);
    assert.equal(await Deno.stat(`${dir}/out`).then(() => true, () => false), false);
    // invalid JSON
    await Deno.writeTextFile(`${dir}/run/pop/broken.json`, "{ not json");
    const r2 = await runMeasure("distance_from_init.ts", perms, [
      "--run",
      `${dir}/run`,
      "--out",
      `${dir}/out/d.json`,
    ]);
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /broken\.json: invalid JSON/);
    // user trajectories with a ragged trial
    await Deno.mkdir(`${dir}/user`);
    await Deno.writeTextFile(
      `${dir}/user/h.json`,
      JSON.stringify({ trajectories: [[[[1, 2], [3, 4]], [[1, 2]]]] }),
    );
    const r3 = await runMeasure("dimensionality.ts", [
      `--allow-read=${dir}/user,${dir}/out`,
      `--allow-write=${dir}/out`,
    ], [
      "--hidden",
      `${dir}/user/h.json`,
      "--out",
      `${dir}/out/dim.json`,
    ]);
    assert.equal(r3.code, 1);
    assert.match(r3.stderr, /h\.json: trajectories\[0\]\[1\] must have 2 steps/);
    assert.equal(await Deno.stat(`${dir}/out`).then(() => true, () => false), false);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("measure scripts: a valid-JSON but wrong network file names itself and the field", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await makeRun(dir);
    const file = `${dir}/run/pop/net_c.json`;
    const good = await Deno.readTextFile(file);
    const perms = [`--allow-read=${dir}/run,${dir}/out`, `--allow-write=${dir}/out`];
    // deno-lint-ignore no-explicit-any
    const cases: [string, (r: any) => void, RegExp][] = [
      [
        "a null weight",
        (r) => r.final.wh[2][3] = null,
        /final\.wh\[2\]\[3\] must be a finite number, got null/,
      ],
      ["a null matrix", (r) => r.initial.wx = null, /initial\.wx must be an array of 6 rows/],
      ["a wrong shape", (r) => r.final.wh.pop(), /final\.wh must be an array of 6 rows/],
      [
        "a shape that disagrees",
        (r) => r.shape.hidden = 5,
        /initial\.wx must be an array of 5 rows/,
      ],
      [
        "another variant's task",
        (r) => r.task = { name: "flipflop", id: "flipflop-n2", params: { n: 2 } },
        /task\.id is "flipflop-n2", but .*net_a\.json is "flipflop-n1".*--task-id/,
      ],
    ];
    for (const [what, edit, expect] of cases) {
      const rec = JSON.parse(good);
      edit(rec);
      await Deno.writeTextFile(file, JSON.stringify(rec));
      const r = await runMeasure("distance_from_init.ts", perms, [
        "--run",
        `${dir}/run`,
        "--out",
        `${dir}/out/d.json`,
      ]);
      const lines = r.stderr.trim().split("\n");
      assert.equal(r.code, 1, `${what}: ${r.stderr}`);
      assert.equal(lines.length, 1, `${what}: ${r.stderr}`);
      assert.match(lines[0], /^error: /, what);
      assert.ok(lines[0].includes("net_c.json"), `${what}: ${lines[0]}`);
      assert.match(lines[0], expect, what);
      assert.equal(await Deno.stat(`${dir}/out`).then(() => true, () => false), false, what);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("measure scripts: dimensionality, attractorness, OOD, complexity on user data", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/user`);
    const v = [3, 4];
    const alt = [v, v.map((x) => -x), v, v.map((x) => -x)]; // Δh = 2, one PC
    const ramp = [1, 2, 3, 4].map((t) => [t, 0, 0]); // Δh = 0.4, one PC
    await Deno.writeTextFile(
      `${dir}/user/h.json`,
      JSON.stringify({ ids: ["alt", "ramp"], trajectories: [[alt], [ramp]] }),
    );
    await Deno.writeTextFile(
      `${dir}/user/ood.json`,
      JSON.stringify({
        ids: ["n1", "n2"],
        targets: [[[1], [1]]],
        outputs: [[[[0, 9], [0, 9]]], [[[1, 9], [-1, 9]]]], // MSE 1 and 2 (extra channel ignored)
      }),
    );
    const perms = [`--allow-read=${dir}/user,${dir}/out`, `--allow-write=${dir}/out`];
    const dim = await runMeasure("dimensionality.ts", perms, [
      "--hidden",
      `${dir}/user/h.json`,
      "--out",
      `${dir}/out/dim.json`,
    ]);
    assert.equal(dim.code, 0, dim.stderr);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/out/dim.json`)).values, [1, 1]);
    const dh = await runMeasure("attractorness.ts", perms, [
      "--hidden",
      `${dir}/user/h.json`,
      "--out",
      `${dir}/out/dh.json`,
    ]);
    assert.equal(dh.code, 0, dh.stderr);
    const dhv = JSON.parse(await Deno.readTextFile(`${dir}/out/dh.json`)).values;
    assert.ok(Math.abs(dhv[0] - 2) < 1e-12 && Math.abs(dhv[1] - 0.4) < 1e-12);
    const ood = await runMeasure("ood.ts", perms, [
      "--outputs",
      `${dir}/user/ood.json`,
      "--out",
      `${dir}/out/ood.json`,
    ]);
    assert.equal(ood.code, 0, ood.stderr);
    const o = JSON.parse(await Deno.readTextFile(`${dir}/out/ood.json`));
    assert.deepEqual(o.values, [1, 2]);
    assert.ok(Math.abs(o.summary.cv - 0.5 / 1.5) < 1e-12);
    const cx = await runMeasure("complexity.ts", perms, [
      "--task",
      '{"name":"flipflop","n":2}',
      "--trials",
      "20",
      "--out",
      `${dir}/out/cx.json`,
    ]);
    assert.equal(cx.code, 0, cx.stderr);
    const c = JSON.parse(await Deno.readTextFile(`${dir}/out/cx.json`));
    assert.equal(c.ids.length, 1);
    assert.ok(c.values[0] > 0 && c.extra.input[0] > 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("measure scripts: hidden-state metrics and OOD MSE from a run directory (forward pass)", async () => {
  const { tsKernel } = await import("../../rnn/kernels/ts.ts");
  const { createTask } = await import("../../tasks/factory.ts");
  const { dimensionality } = await import("../../metrics/dimensionality.ts");
  const { attractorness } = await import("../../metrics/attractorness.ts");
  const { meanSquaredError } = await import("../../metrics/ood.ts");
  const dir = await Deno.makeTempDir();
  try {
    await makeRun(dir);
    const perms = [`--allow-read=${dir}/run,${dir}/out`, `--allow-write=${dir}/out`];
    const args = (
      name: string,
    ) => [
      "--run",
      `${dir}/run`,
      "--trials",
      "8",
      "--seed",
      "5",
      "--out",
      `${dir}/out/${name}.json`,
    ];
    for (const s of ["dimensionality", "attractorness", "ood"]) {
      const r = await runMeasure(`${s}.ts`, perms, args(s));
      assert.equal(r.code, 0, r.stderr);
    }
    const read = async (n: string) => JSON.parse(await Deno.readTextFile(`${dir}/out/${n}.json`));
    const dim = await read("dimensionality");
    const dh = await read("attractorness");
    const ood = await read("ood");
    assert.deepEqual(dim.ids, ["net/a", "net/b", "net/c"]);
    assert.equal(dim.source.trials, 8);
    // recompute in process for net/a: same task, same trials, same kernel
    const rec = JSON.parse(await Deno.readTextFile(`${dir}/run/pop/net_a.json`));
    const H = rec.shape.hidden;
    const params = {
      wx: Float32Array.from(rec.final.wx.flat()),
      wh: Float32Array.from(rec.final.wh.flat()),
      b: Float32Array.from(rec.final.b),
      wo: Float32Array.from(rec.final.wo.flat()),
      bo: Float32Array.from(rec.final.bo),
    };
    const task = createTask({ name: "flipflop", n: 1 });
    const shape = { inputDim: 1, hidden: H, outputDim: 1 };
    const run = (ood: boolean, trials: number) => {
      const batch = task.sample(trials, 5, { ood });
      const hidden = new Float32Array(batch.batch * batch.steps * H);
      const outputs = new Float32Array(batch.batch * batch.steps);
      tsKernel.forward(shape, params, batch, { hidden, outputs });
      return { batch, hidden, outputs };
    };
    const id = run(false, 8);
    const flat = { data: id.hidden, trials: 8, steps: id.batch.steps, units: H };
    assert.equal(dim.values[0], dimensionality(flat));
    assert.ok(Math.abs(dh.values[0] - attractorness(flat).mean) < 1e-12);
    const o = run(true, 8);
    assert.ok(o.batch.steps === 2 * id.batch.steps, "OOD trials are twice as long");
    assert.ok(
      Math.abs(ood.values[0] - meanSquaredError(o.outputs, o.batch.targets, o.batch.mask)) < 1e-12,
    );
    assert.equal(ood.source.ood, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
