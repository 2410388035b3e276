/** Training flags for scripts: --backend/--workers/--kernel/--members/--seed/--quiet. */
import assert from "node:assert/strict";
import { parseTrainingFlags } from "../../mod.ts";

Deno.test("parseTrainingFlags parses the training flags and leaves the rest", () => {
  const f = parseTrainingFlags([
    "--task",
    "flipflop",
    "--backend",
    "cpu",
    "--workers=2",
    "--kernel",
    "ts",
    "--members",
    "8",
    "--seed",
    "3",
    "--quiet",
    "--out",
    "runs/x",
    "extra",
  ]);
  assert.deepEqual(f.options, { backend: "cpu", workers: 2, kernel: "ts", members: 8, seed: 3 });
  assert.equal(f.quiet, true);
  assert.deepEqual(f.rest, ["--task", "flipflop", "--out", "runs/x", "extra"]);
  assert.deepEqual(parseTrainingFlags([]), { options: {}, quiet: false, rest: [] });
});

Deno.test("parseTrainingFlags rejects bad values naming the flag", () => {
  assert.throws(() => parseTrainingFlags(["--backend", "tpu"]), /backend/);
  assert.throws(() => parseTrainingFlags(["--kernel", "cuda"]), /kernel/);
  assert.throws(() => parseTrainingFlags(["--workers", "-1"]), /--workers/);
  assert.throws(() => parseTrainingFlags(["--members", "0"]), /--members/);
  assert.throws(() => parseTrainingFlags(["--seed", "1.5"]), /--seed/);
  assert.throws(() => parseTrainingFlags(["--backend"]), /--backend/);
});
