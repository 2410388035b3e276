/**
 * `scripts/measure/fixed_points.ts` under exactly the permissions of its deno task
 * (read and write one directory): a run directory holding the trained 3-bit flip-flop fixture
 * (8 stable fixed points), a user `--nets` file (W = 1.5·I: 2^n stable points), and bad input
 * (one line naming the field, exit 1, no file written).
 */
import assert from "node:assert/strict";
import { ROOT as root, runDeno } from "../run_deno.ts";

function measure(dir: string, args: string[]) {
  const perms = [`--allow-read=${dir}`, `--allow-write=${dir}`];
  const script = `${root}/scripts/measure/fixed_points.ts`;
  return runDeno(["run", "--quiet", "--no-prompt", ...perms, script, ...args]);
}

Deno.test("measure:fixed_points on a run directory and on a user file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(`${dir}/run/pop`, { recursive: true });
    await Deno.copyFile(
      `${root}/tests/fixtures/fixed_points/flipflop3.json`,
      `${dir}/run/pop/m000.json`,
    );
    const a = await measure(dir, ["--run", `${dir}/run`, "--out", `${dir}/fp.json`]);
    assert.equal(a.code, 0, a.stderr);
    const m = JSON.parse(await Deno.readTextFile(`${dir}/fp.json`));
    assert.equal(m.schema, "degeneracy.metric/2");
    assert.equal(m.metric, "fixed_points");
    assert.deepEqual(m.values, [8]);
    const net = m.extra.networks[m.ids[0]];
    assert.equal(net.stable, 8);
    assert.equal(net.points.length, net.fixedPoints);
    assert.equal(net.points[0].leadingEigenvalues.length, 4);
    assert.ok(net.points.every((p: { residual: number }) => p.residual <= 1e-10));
    assert.deepEqual(m.parameters.input, [0, 0, 0]);
    assert.equal(m.parameters.numStarts, 256);
    assert.equal(m.source.trials, 32);

    const wh = (n: number) =>
      Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => i === j ? 1.5 : 0));
    await Deno.writeTextFile(
      `${dir}/nets.json`,
      JSON.stringify({
        ids: ["two", "three"],
        networks: [{ wh: wh(2), b: [0, 0] }, { wh: wh(3), b: [0, 0, 0] }],
      }),
    );
    const b = await measure(dir, [
      "--nets",
      `${dir}/nets.json`,
      "--out",
      `${dir}/fp_nets.json`,
      "--starts",
      "600",
      "--noise",
      "0",
    ]);
    assert.equal(b.code, 0, b.stderr);
    const u = JSON.parse(await Deno.readTextFile(`${dir}/fp_nets.json`));
    assert.deepEqual(u.ids, ["two", "three"]);
    assert.deepEqual(u.values, [4, 8]);
    assert.deepEqual(u.extra.networks.three.byUnstableDims, { 0: 8, 1: 12, 2: 6, 3: 1 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("measure:fixed_points: bad input is one line naming the field, and no file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/nets.json`,
      JSON.stringify({ networks: [{ wh: [[1, 0], [0, 1]], b: [0] }] }),
    );
    // exit 1: an input file is wrong; exit 2: the command line is wrong
    const cases: [string[], RegExp, number][] = [
      [
        ["--nets", `${dir}/nets.json`, "--out", `${dir}/x.json`],
        /^error: \S+nets\.json: networks\[0\]\.b must be an array of 2/,
        1,
      ],
      [
        ["--out", `${dir}/x.json`],
        /^error: --run: no input given \(exactly one of --run, --nets\)/,
        2,
      ],
      [["--nets", `${dir}/nets.json`], /^error: --out: missing \(the metric file to write\)/, 2],
      [
        ["--nets", `${dir}/nets.json`, "--out", `${dir}/x.json`, "--starts", "0"],
        /^error: --starts: "0" is too small \(an integer from 1 to /,
        2,
      ],
      [
        ["--nets", `${dir}/missing.json`, "--out", `${dir}/x.json`],
        /missing\.json: cannot read/,
        1,
      ],
    ];
    for (const [args, re, code] of cases) {
      const r = await measure(dir, args);
      assert.equal(r.code, code, args.join(" "));
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    }
    await assert.rejects(Deno.stat(`${dir}/x.json`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
