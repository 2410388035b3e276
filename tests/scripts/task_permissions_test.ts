/**
 * Every `deno task` runs without a permission prompt: each `deno run`/`deno test` task carries
 * `--no-prompt`, and each task's script, run through `deno task` under a pseudo-terminal
 * (`script -qec`, where Deno would prompt if it could), finishes with exit code 0 and prints no
 * permission request or denial. Training must run off the main thread where the worker modules
 * (task, engine, metric and unit modules) load under the task's read grant: each training unit
 * runs in a Web Worker of the local executor, single-threaded, so it samples its own batches
 * (the records state `dataSampling`), and a worker that cannot load its modules fails the unit
 * and the task's exit code.
 *
 * The table below must name every task of deno.json: a new task without an entry fails the test.
 */
import assert from "node:assert/strict";

const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const deno = Deno.execPath();
const config = JSON.parse(await Deno.readTextFile(`${root}/deno.json`)) as {
  tasks: Record<string, string>;
};

/** Run directory of this test, inside `runs/` (the only tree the pipeline tasks may write). */
const RUN = `runs/.permissions-test-${Deno.pid}`;

/**
 * How each task is exercised: the arguments of a small but real run, or why it is not run here
 * (with the test that covers it instead). Order matters: later entries read what earlier ones wrote.
 */
const CASES: [task: string, args: string[] | { skip: string }][] = [
  ["test", { skip: "this is the test runner itself" }],
  ["test:doc", { skip: "the documentation examples; the test task runs it after the suite" }],
  ["check", { skip: "fmt/lint/type check, no deno run; .ci/run runs it" }],
  ["test:slurm", {
    skip: "needs a Slurm cluster; .ci/run runs it against scripts/ci/slurm_cluster.sh's",
  }],
  ["build:wasm", ["--check"]],
  ...(["flipflop", "delayed_discrimination", "sine", "path_integration", "dd_delay", "pi_arena"]
    .map((
      name,
    ) =>
      [`experiment:${name}`, [
        "--preset",
        "smoke",
        "--members",
        "2",
        "--backend",
        "cpu",
        "--out",
        `${RUN}/pipeline`,
        "--quiet",
      ]] as [string, string[]]
    )),
  ...(["aux_loss", "network_size", "low_rank", "sparsity"].map((name) =>
    [`control:${name}`, [
      "--preset",
      "smoke",
      "--members",
      "2",
      "--backend",
      "cpu",
      "--out",
      `${RUN}/pipeline`,
      "--quiet",
    ]] as [string, string[]]
  )),
  ["report", ["--out", `${RUN}/pipeline`, "--quiet"]],
  ["reproduce", [
    "--preset",
    "smoke",
    "--members",
    "2",
    "--only",
    "flipflop",
    "--backend",
    "cpu",
    "--out",
    `${RUN}/reproduce`,
    "--quiet",
  ]],
  ["plan", ["--preset", "smoke", "--only", "flipflop", "--nominal"]],
  ["status", ["--out", `${RUN}/reproduce`, "--wait", "--timeout", "60"]],
  ["run_unit", ["--out", `${RUN}/reproduce`, "--stage", "train", "--index", "0", "--quiet"]],
  ["sensitivity", ["--out", `${RUN}/reproduce`, "--settings", "optimiser2,trials16", "--quiet"]],
  ["probe:budget", [
    "--preset",
    "smoke",
    "--members",
    "2",
    "--epochs",
    "2",
    "--only",
    "delayed_discrimination/n1",
    "--workers",
    "2",
    "--out",
    `${RUN}/probes`,
  ]],
  ["probe:budget", ["--report", "--out", `${RUN}/probes`]],
  ["measure:pif", [
    "--run",
    `${RUN}/pipeline/flipflop/n1`,
    "--out",
    `${RUN}/measure/pif.json`,
    "--restarts",
    "2",
    "--include-unconverged",
  ]],
  ["measure:distance_from_init", [
    "--run",
    `${RUN}/pipeline/flipflop/n1`,
    "--out",
    `${RUN}/measure/dfi.json`,
    "--include-unconverged",
  ]],
  ...(["dimensionality", "attractorness", "ood", "dsa"].map((name) =>
    [`measure:${name}`, [
      "--run",
      `${RUN}/pipeline/flipflop/n1`,
      "--out",
      `${RUN}/measure/${name}.json`,
      "--trials",
      "8",
      "--include-unconverged",
      ...(name === "dsa" ? ["--delays", "2", "--rank", "6"] : []),
    ]] as [string, string[]]
  )),
  ["measure:mds", ["--metric", `${RUN}/measure/pif.json`, "--out", `${RUN}/measure/mds.json`]],
  ["measure:fixed_points", [
    "--run",
    `${RUN}/pipeline/flipflop/n1`,
    "--out",
    `${RUN}/measure/fixed_points.json`,
    "--trials",
    "4",
    "--starts",
    "16",
    "--midpoints",
    "8",
    "--include-unconverged",
  ]],
  ["measure:complexity", [
    "--task",
    '{"name":"flipflop","n":2}',
    "--trials",
    "8",
    "--out",
    `${RUN}/measure/complexity.json`,
  ]],
  ["bench", [
    "--only",
    "flipflop",
    "--members",
    "1",
    "--seconds",
    "0.1",
    "--rounds",
    "1",
    "--no-torch",
  ]],
  ["bench:pif", ["--n", "16", "--restarts", "2", "--pairs", "1", "--matrix", "3"]],
  ["bench:tasks", ["--reps", "1"]],
  ["bench:dsa", ["--settings", "2/8", "--baseline", "0"]],
  ["bench:fixed_points", [
    "--only",
    "fixture",
    "--reps",
    "1",
    "--starts",
    "16",
    "--adam-iters",
    "20",
    "--json",
    `${RUN}/bench_fixed_points.json`,
  ]],
];

/** Lines that mean Deno asked for, or refused, a permission. */
const PERMISSION_TEXT =
  /Deno requests|Allow\? \[y\/n|NotCapable|PermissionDenied|Requires (read|write|net|env|run|sys|ffi|import) access|--allow-[a-z]+ flag/;

/** Runs `deno task <name> <args>` under a pseudo-terminal; returns exit code and all output. */
async function runUnderPty(name: string, args: string[]): Promise<{ code: number; out: string }> {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const line = [deno, "task", name, ...args].map(quote).join(" ");
  const out = await new Deno.Command("script", {
    args: ["-qec", line, "/dev/null"],
    cwd: root,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
    signal: AbortSignal.timeout(300_000),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, out: dec.decode(out.stdout) + dec.decode(out.stderr) };
}

async function hasScript(): Promise<boolean> {
  try {
    return (await new Deno.Command("script", {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    })
      .output()).success;
  } catch {
    return false;
  }
}

async function jsonFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory) files.push(...await jsonFiles(p));
    else if (e.name.endsWith(".json")) files.push(p);
  }
  return files;
}

Deno.test("every deno run/test task carries --no-prompt", () => {
  for (const [name, cmd] of Object.entries(config.tasks)) {
    for (const part of cmd.split("&&")) {
      if (/\bdeno (run|test)\b/.test(part)) {
        assert(part.includes("--no-prompt"), `task ${name}: "${part.trim()}" lacks --no-prompt`);
      }
    }
  }
});

Deno.test("the permission table covers every task of deno.json", () => {
  assert.deepEqual(new Set(CASES.map(([n]) => n)), new Set(Object.keys(config.tasks)));
});

const HAS_SCRIPT = await hasScript();
/** `.ci/run` sets this: there the test must run, so a missing `script` fails it. */
const PTY_REQUIRED = Deno.env.get("DEGENERACY_REQUIRE_PTY") === "1";
if (!HAS_SCRIPT && !PTY_REQUIRED) {
  console.warn(
    "task_permissions_test: pseudo-terminal test SKIPPED: no `script` on PATH (Debian's " +
      "bsdutils); .ci/run requires it",
  );
}

Deno.test({
  name: "every task runs under a pseudo-terminal without a permission prompt or denial",
  ignore: !HAS_SCRIPT && !PTY_REQUIRED,
  fn: async (t) => {
    assert(HAS_SCRIPT, "DEGENERACY_REQUIRE_PTY=1 but no `script` on PATH (Debian's bsdutils)");
    try {
      for (const [name, args] of CASES) {
        if (!Array.isArray(args)) continue;
        await t.step(name, async () => {
          const { code, out } = await runUnderPty(name, args);
          const bad = out.split("\n").find((l) => PERMISSION_TEXT.test(l));
          assert.deepEqual(bad, undefined, `deno task ${name}: permission text "${bad}"\n${out}`);
          assert.deepEqual(code, 0, `deno task ${name} exited ${code}:\n${out}`);
        });
      }
      await t.step(
        "training units ran in executor workers that sampled their own batches",
        async () => {
          let networks = 0, trainUnits = 0;
          for (const file of await jsonFiles(`${root}/${RUN}`)) {
            const rec = JSON.parse(await Deno.readTextFile(file));
            if (file.includes("/networks/") && rec.schema === "degeneracy.network/1") {
              networks++;
              // in-process training inside the worker: the worker's own thread samples the batches
              assert.equal(rec.dataSampling, "main", `${file}: dataSampling`);
            }
            if (rec.schema === "degeneracy.unit-timing/1" && rec.stage === "train") {
              trainUnits++;
              assert.equal(rec.runner, "local-worker", `${file}: runner`);
            }
          }
          assert(networks >= 8, `expected the training tasks to write networks, found ${networks}`);
          assert(trainUnits >= 4, `expected timing files of training units, found ${trainUnits}`);
        },
      );
    } finally {
      await Deno.remove(`${root}/${RUN}`, { recursive: true }).catch(() => {});
    }
  },
});
