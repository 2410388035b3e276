/**
 * Entry points without a `deno task` (profiling and fixture scripts run with `deno run`): each
 * file under scripts/ that runs as a program (`import.meta.main`) and that no task of deno.json
 * names prints its usage on `--help` (exit 0, nothing on stderr) and answers an unknown flag with
 * exactly one line `error: --bogus: unknown flag (…)` and exit 2, no stack trace. The scripts a
 * task names are covered, with many more bad inputs, by tests/scripts/bad_input_test.ts.
 */
import assert from "node:assert/strict";
import { ROOT as root, runDeno } from "../run_deno.ts";

const tasks = Object.values(
  (JSON.parse(await Deno.readTextFile(`${root}/deno.json`)) as { tasks: Record<string, string> })
    .tasks,
).join(" ");

/** Files under `dir` (relative to the root) ending in .ts, recursively. */
function tsFiles(dir: string): string[] {
  return [...Deno.readDirSync(`${root}/${dir}`)].flatMap((e) =>
    e.isDirectory
      ? tsFiles(`${dir}/${e.name}`)
      : e.isFile && e.name.endsWith(".ts")
      ? [`${dir}/${e.name}`]
      : []
  );
}

const programs = tsFiles("scripts")
  .filter((p) => Deno.readTextFileSync(`${root}/${p}`).includes("if (import.meta.main)"))
  .filter((p) => !tasks.includes(p))
  .sort();

const run = (script: string, args: string[]) =>
  runDeno(["run", "--no-prompt", "-A", script, ...args], { cwd: root });

Deno.test("entry points without a deno task: --help prints the usage, an unknown flag one line", async (t) => {
  // the ones known when this test was written; a new one joins automatically
  for (const known of ["scripts/bench/dsa_profile.ts", "scripts/bench/mm_tiles.ts"]) {
    assert.ok(programs.includes(known), `${known} not found among ${programs.join(", ")}`);
  }
  for (const script of programs) {
    await t.step(script, async () => {
      const help = await run(script, ["--help"]);
      assert.equal(help.code, 0, `${script} --help: exit ${help.code}\n${help.stderr}`);
      assert.match(help.stdout, /^usage: deno run .*\[flags\]\n/, `${script} --help`);
      assert.equal(help.stderr, "", `${script} --help wrote to stderr`);
      const bad = await run(script, ["--bogus"]);
      assert.equal(bad.code, 2, `${script} --bogus: exit ${bad.code}\n${bad.stderr}`);
      assert.match(bad.stderr, /^error: --bogus: unknown flag \(flags: .*--help\)\n$/, script);
      assert.equal(bad.stdout, "", `${script} --bogus wrote to stdout`);
    });
  }
});
