import assert from "node:assert/strict";
import { readDone, removeStaleTemps, writeJsonAtomic } from "../../scripts/lib/io.ts";
import { parseCommon } from "../../scripts/lib/cli.ts";
import { getPreset, PRESETS } from "../../scripts/presets.ts";
import { metricPath, networkPath } from "../../scripts/lib/layout.ts";

Deno.test("writeJsonAtomic writes whole files; readDone rejects truncated or foreign ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "repro_io_" });
  try {
    const p = `${dir}/a/b/x.json`;
    await writeJsonAtomic(p, { schema: "t/1", v: [1, 2] });
    assert.deepEqual(await readDone(p, "t/1"), { schema: "t/1", v: [1, 2] });
    assert.equal(await readDone(p, "other/1"), null);
    assert.equal(await readDone(`${dir}/missing.json`, "t/1"), null);
    await Deno.writeTextFile(p, '{"schema":"t/1","v":[1,');
    assert.equal(await readDone(p, "t/1"), null);
    await assert.rejects(() => writeJsonAtomic(p, { v: 1 }), /schema/);
    // No temp files left behind by successful writes; stale ones are swept.
    await writeJsonAtomic(p, { schema: "t/1" });
    assert.deepEqual([...Deno.readDirSync(`${dir}/a/b`)].map((e) => e.name), ["x.json"]);
    await Deno.writeTextFile(`${p}.tmp-123-4`, "{");
    assert.equal(await removeStaleTemps(dir), 1);
    assert.deepEqual([...Deno.readDirSync(`${dir}/a/b`)].map((e) => e.name), ["x.json"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("layout paths", () => {
  assert.equal(networkPath("o", "flipflop", "n3", 7), "o/flipflop/n3/networks/m007.json");
  assert.equal(metricPath("o/", "sine_n", "n1", "dsa"), "o/sine_n/n1/metrics/dsa.json");
});

Deno.test("CLI parsing and presets reject bad values by name", () => {
  const a = parseCommon(["--preset", "smoke", "--members", "4", "--levels", "1,2"]);
  assert.equal(a.out, "runs/smoke");
  assert.equal(a.members, 4);
  assert.deepEqual(a.levels, [1, 2]);
  assert.throws(() => parseCommon(["--members", "0"]), /--members/);
  assert.throws(() => parseCommon(["--levels", "1,x"]), /--levels/);
  assert.throws(() => parseCommon(["--bogus"]), /bogus/);
  assert.throws(() => getPreset("huge"), /preset must be one of smoke, quick, paper/);
  assert.equal(getPreset("quick", { members: 3 }).members, 3);
  assert.equal(PRESETS.quick.members, 8);
  // paper = Appendix A (no training overrides) with 50 networks and Table 2's DSA settings.
  assert.equal(PRESETS.paper.members, 50);
  for (const t of Object.values(PRESETS.paper.training)) assert.deepEqual(t, {});
  assert.equal(PRESETS.paper.dsa.flipflop.delays, 30);
  assert.equal(PRESETS.paper.dsa.flipflop.rank, 1000);
  assert.equal(PRESETS.paper.dsa.delayed_discrimination.delays, 20);
  assert.ok(PRESETS.quick.members >= 8);
});
