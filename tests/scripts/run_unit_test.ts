/**
 * The unit runner's contract (what the Slurm executor relies on): `scripts/run_unit.ts` run with
 * exactly `runnerPermissions(OUT)` executes one unit of `OUT/plan.json` by stage and index or by
 * id, skips it when its outputs exist, exits 0; a failing unit writes
 * `OUT/errors/<unit id, "/" → "__">.json` (`degeneracy.unit-error/1`), prints one line and exits
 * 1; a later success removes the error file. Bad flags end with one line and exit code 2.
 */
import assert from "node:assert/strict";
import { buildGraph } from "../../scripts/lib/units/graph.ts";
import { preparePlan } from "../../scripts/lib/pipeline.ts";
import { runnerPermissions } from "../../scripts/lib/units/permissions.ts";
import { unitStates } from "../../scripts/lib/units/status.ts";
import { networkPath, unitErrorPath } from "../../scripts/lib/layout.ts";
import { ROOT, runDeno } from "../run_deno.ts";

function runUnit(out: string, args: string[]) {
  return runDeno(
    ["run", ...runnerPermissions(out), "scripts/run_unit.ts", "--out", out, ...args],
    { cwd: ROOT },
  );
}

Deno.test({
  name: "run_unit: by index or id, skip when done, error file on failure, removed on success",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "run_unit_" });
    try {
      const graph = buildGraph({
        preset: "smoke",
        members: 2,
        studies: ["flipflop"],
        backend: "cpu",
      });
      const plan = await preparePlan(out, graph);
      const stage = (n: string) => plan.stages.find((s) => s.name === n)!;

      // by stage and index: the unit at that position of plan.json
      const c0 = stage("complexity").units[0];
      let r = await runUnit(out, ["--stage", "complexity", "--index", "0"]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(c0.outputs.every((o) => Deno.statSync(`${out}/${o}`).isFile));
      assert.match(r.stderr, new RegExp(`unit ${c0.id} done`));
      r = await runUnit(out, ["--stage", "complexity", "--index", "0"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /skipped/);

      // by id; then a corrupt network makes its hidden unit fail
      const train = stage("train").units[0];
      r = await runUnit(out, ["--id", train.id, "--quiet"]);
      assert.equal(r.code, 0, r.stderr);
      const net = networkPath(out, "flipflop", "n1", 0);
      const good = Deno.readTextFileSync(net);
      const bad = JSON.parse(good);
      bad.final.wh[0][0] = null;
      Deno.writeTextFileSync(net, JSON.stringify(bad));
      const hid = "hidden/flipflop/n1/m000";
      r = await runUnit(out, ["--id", hid]);
      assert.equal(r.code, 1);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(
        r.stderr,
        /^unit hidden\/flipflop\/n1\/m000 failed: .*m000\.json: final\.wh\[0\]/,
      );
      const errFile = unitErrorPath(out, hid);
      assert.equal(errFile, `${out}/errors/hidden__flipflop__n1__m000.json`);
      const err = JSON.parse(Deno.readTextFileSync(errFile));
      assert.equal(err.schema, "degeneracy.unit-error/1");
      assert.equal(err.unit, hid);
      assert.equal(err.stage, "hidden");
      assert.match(err.message, /final\.wh\[0\]\[0\] must be a finite number/);
      assert.ok(!Number.isNaN(Date.parse(err.at)));
      assert.equal(unitStates(out, plan).get(hid), "failed");

      // fixed input: success removes the error file
      Deno.writeTextFileSync(net, good);
      const idx = stage("hidden").units.findIndex((u) => u.id === hid);
      r = await runUnit(out, ["--stage", "hidden", "--index", String(idx)]);
      assert.equal(r.code, 0, r.stderr);
      assert.throws(() => Deno.statSync(errFile));
      assert.equal(unitStates(out, plan).get(hid), "done");

      // bad flags: one line, exit 2
      for (
        const [args, msg] of [
          [["--stage", "bogus", "--index", "0"], /--stage: unknown value "bogus" \(one of /],
          [
            ["--stage", "fit", "--index", "99"],
            /--index: 99 is past the end of stage fit \(0 … 3\)/,
          ],
          [["--id", "nope"], /--id: no unit "nope"/],
          [
            ["--stage", "fit"],
            /--stage: given without --index \(--stage and --index go together\)/,
          ],
          [[], /either --stage NAME --index I or --id UNIT/],
          [
            ["--id", hid, "--workers", "two"],
            /--workers: "two" is not a number \(an integer from 0/,
          ],
        ] as [string[], RegExp][]
      ) {
        r = await runUnit(out, args);
        assert.equal(r.code, 2, `${args}: ${r.stderr}`);
        assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
        assert.match(r.stderr, msg);
      }
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});
