/** PIF distance matrix: the pure serial version against pairwise `pifDistance`, and the
 * worker-parallel version against the serial one (identical results). */
import assert from "node:assert/strict";
import { pifDistance, pifDistanceMatrix } from "../../../metrics/pif/pif.ts";
import { pifDistanceMatrixParallel, pifWorkersAvailable } from "../../../metrics/pif/parallel.ts";
import { makeRng, randomPermutation } from "../../../metrics/rng.ts";
import { ROOT as root, runDeno } from "../../run_deno.ts";

function randomMatrix(n: number, m: number, rng: () => number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: m }, () => rng() * 2 - 1));
}

/** S random n×m matrices; matrix 1 is matrix 0 with planted row/column permutations. */
function population(S: number, n: number, m: number, seed: number): number[][][] {
  const rng = makeRng(seed);
  const ws = Array.from({ length: S }, () => randomMatrix(n, m, rng));
  const rp = randomPermutation(n, rng), cp = randomPermutation(m, rng);
  ws[1] = ws[0].map((_, i) => ws[0][rp[i]].map((_, j) => ws[0][rp[i]][cp[j]]));
  return ws;
}

/** ‖A − B[r][:, c]‖_F. */
function permutedDistance(a: number[][], b: number[][], r: number[], c: number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a[0].length; j++) s += (a[i][j] - b[r[i]][c[j]]) ** 2;
  }
  return Math.sqrt(s);
}

Deno.test("pifDistanceMatrix: symmetric, zero diagonal, each entry is pifDistance of the pair", () => {
  const ws = population(5, 10, 9, 11);
  const opts = { restarts: 6, seed: 4 };
  const progress: number[] = [];
  const r = pifDistanceMatrix(ws, { ...opts, keepPermutations: true }, (d, t) => {
    assert.equal(t, 10);
    progress.push(d);
  });
  assert.deepEqual(progress, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(r.entries, 90);
  for (let i = 0; i < 5; i++) {
    assert.equal(r.matrix[i][i], 0);
    for (let j = 0; j < 5; j++) {
      assert.equal(r.matrix[i][j], r.matrix[j][i]);
      assert.equal(r.normalized[i][j], r.matrix[i][j] / 90);
      if (i < j) {
        const p = pifDistance(ws[i], ws[j], opts);
        assert.equal(r.matrix[i][j], p.distance);
        assert.equal(r.lowerBound[i][j], p.lowerBound);
        const sd = p.startDistances;
        assert.equal(r.restartsSpread[i][j], Math.max(...sd) - Math.min(...sd));
      }
      // perms[i][j] maps W_j onto W_i at the reported distance (inverses below the diagonal)
      const { rowPerm, colPerm } = r.perms![i][j];
      assert.ok(
        Math.abs(permutedDistance(ws[i], ws[j], rowPerm, colPerm) - r.matrix[i][j]) < 1e-12,
        `perms[${i}][${j}]`,
      );
    }
  }
  assert.equal(r.matrix[0][1], 0, "planted permutation");
  assert.ok(r.exactPairs >= 1);
  assert.ok(r.matrix[0][2] > 0 && r.lowerBound[0][2] <= r.matrix[0][2]);
  assert.equal(r.selfChecks.identity.length, 3);
  assert.equal(r.selfChecks.symmetry.length, 3);
  assert.equal(r.selfChecks.maxIdentity, 0);
  for (const s of r.selfChecks.symmetry) {
    assert.equal(s.dij, r.matrix[s.i][s.j]);
    assert.equal(s.dji, pifDistance(ws[s.j], ws[s.i], opts).distance);
  }
  assert.equal(pifDistanceMatrix(ws, opts).perms, undefined);
});

Deno.test("pifDistanceMatrixParallel: identical to the serial matrix (workers, chunks)", async () => {
  assert.ok(pifWorkersAvailable(), "tests run with --allow-read");
  const ws = population(6, 12, 12, 5);
  const opts = { restarts: 5, seed: 2, keepPermutations: true, selfCheckSamples: 4 };
  const serial = pifDistanceMatrix(ws, opts);
  for (const [workers, chunk] of [[2, 1], [3, 4]]) {
    let last = 0, total = 0;
    const par = await pifDistanceMatrixParallel(ws, opts, {
      workers,
      chunk,
      onProgress: (d, t) => {
        assert.ok(d > last && d <= t);
        last = d;
        total = t;
      },
    });
    assert.deepEqual(par, serial, `workers=${workers} chunk=${chunk}`);
    // the 15 pairs, the 4 identities, and the reversed self-check pairs not among the 15
    assert.equal(last, total, "every work item reported");
    assert.ok(total >= 15 + 4 && total <= 15 + 4 + 4, `${total} work items`);
  }
  // exact small case (n ≤ 7 is enumerated)
  const small = population(3, 5, 5, 8);
  assert.deepEqual(
    await pifDistanceMatrixParallel(small, {}, { workers: 2 }),
    pifDistanceMatrix(small),
  );
});

Deno.test("pifDistanceMatrix(Parallel): bad input throws naming the field", async () => {
  const rng = makeRng(1);
  const a = randomMatrix(4, 4, rng);
  const cases: [number[][][], object, RegExp][] = [
    [[a], {}, /ws must be an array of at least 2 matrices/],
    [[a, randomMatrix(4, 3, rng)], {}, /ws\[1\] must be 4×4 like ws\[0\], got 4×3/],
    [[a, [[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, NaN], [0, 0, 0, 0]]], {}, /ws\[1\]\[2\]\[3\]/],
    [[a, a], { selfCheckSamples: -1 }, /selfCheckSamples must be an integer ≥ 0/],
    [[a, a], { restarts: 0 }, /restarts must be an integer ≥ 1/],
  ];
  for (const [ws, o, re] of cases) {
    assert.throws(() => pifDistanceMatrix(ws, o), re);
    await assert.rejects(pifDistanceMatrixParallel(ws, o, { workers: 1 }), re);
  }
  await assert.rejects(
    pifDistanceMatrixParallel([a, a], {}, { workers: 0 }),
    /workers must be an integer ≥ 1, got 0/,
  );
  await assert.rejects(
    pifDistanceMatrixParallel([a, a], {}, { chunk: 1.5 }),
    /chunk must be an integer ≥ 1/,
  );
});

/** Runs scripts/measure/pif.ts with exactly the given permissions. */
function runPifScript(perms: string[], args: string[]) {
  return runDeno([
    "run",
    "--quiet",
    "--no-lock",
    ...perms,
    `${root}/scripts/measure/pif.ts`,
    ...args,
  ]);
}

Deno.test("measure script pif.ts: --workers gives the serial file; narrow permissions stay serial", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const ws = population(4, 9, 9, 21);
    await Deno.writeTextFile(`${dir}/w.json`, JSON.stringify({ matrices: ws }));
    const narrow = [`--allow-read=${dir}`, `--allow-write=${dir}`];
    const wide = [`--allow-read=${dir},${root}/metrics`, `--allow-write=${dir}`];
    const common = ["--weights", `${dir}/w.json`, "--restarts", "4", "--seed", "3"];
    const serial = await runPifScript(narrow, [...common, "--out", `${dir}/serial.json`]);
    assert.equal(serial.code, 0, serial.stderr);
    assert.match(serial.stdout, /\(serial\)/);
    const par = await runPifScript(wide, [...common, "--workers", "2", "--out", `${dir}/par.json`]);
    assert.equal(par.code, 0, par.stderr);
    assert.match(par.stdout, /\(2 workers\)/);
    const a = JSON.parse(await Deno.readTextFile(`${dir}/serial.json`));
    const b = JSON.parse(await Deno.readTextFile(`${dir}/par.json`));
    assert.equal(a.summary.workers, 0);
    assert.equal(b.summary.workers, 2);
    for (const k of ["matrix", "selfChecks", "extra", "parameters", "ids"]) {
      assert.deepEqual(b[k], a[k], k);
    }
    const expect = pifDistanceMatrix(ws, { restarts: 4, seed: 3 });
    assert.deepEqual(a.matrix, expect.normalized);
    assert.deepEqual(a.extra.rawMatrix, expect.matrix);
    // workers asked for without read access to metrics/: a one-line error, nothing written
    const denied = await runPifScript(narrow, [
      ...common,
      "--workers",
      "2",
      "--out",
      `${dir}/denied.json`,
    ]);
    assert.notEqual(denied.code, 0);
    assert.match(
      denied.stderr,
      /^error: --workers: 2 workers need read access to .*metrics\/ .*\(add it to --allow-read, or --workers 0\)$/m,
    );
    await assert.rejects(Deno.stat(`${dir}/denied.json`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
