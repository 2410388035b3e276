/**
 * Every entry point under bad input: a table of bad command lines and bad inputs walked through
 * every `deno task` of deno.json that runs a script with flags. Each must end with exactly one
 * line `error: …` on stderr, nothing on stdout, no stack trace, its exit code (2: the command
 * line is wrong, `error: <flag>: <what is wrong> (<allowed>)`; 1: an input file is wrong,
 * `error: <file>: <field> …`), and must write nothing (its run directory, the directory a
 * symlink leads to and the repository stay as they were). `--help` must print the usage and
 * exit 0. The flags a script has are read from its `--help`, so a case whose flag the script
 * lacks expects "unknown flag".
 *
 * The table it walks (case, entry point, exit code, message) is docs/errors.md: the test fails
 * when that file differs from what the entry points say now. To regenerate it:
 * `DEGENERACY_WRITE_ERRORS_DOC=1 deno test -A tests/scripts/bad_input_test.ts`.
 */
import assert from "node:assert/strict";
import { acquireRunLock } from "../../scripts/lib/io.ts";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)) as {
  tasks: Record<string, string>;
};
const DOC = "docs/errors.md";

/** This test's directory inside `runs/` (the tree the tasks may write). */
const DIR = `runs/.bad-input-test-${Deno.pid}`;
const OUT = `${DIR}/out`;
/** A directory with one JSON file that is not a network (for the measure scripts' --run). */
const INPUT = `${DIR}/input`;
/** An empty directory. */
const EMPTY = `${DIR}/empty`;
/** A directory with one network file whose final.wh[0][0] is null. */
const CORRUPT = `${DIR}/corrupt`;
/** A metric file with a null in its matrix. */
const NULL_METRIC = `${DIR}/null-metric.json`;
/** Outside `runs/`: never created. */
const OUTSIDE = "/tmp/degeneracy-outside";
/** Outside `runs/`, reached through the symlink ESCAPE inside it: must stay empty. */
const OUTSIDE_LINK = `/tmp/degeneracy-outside-link-${Deno.pid}`;
const ESCAPE = `${DIR}/escape`;

/** Tasks that run a script with flags (the others: the test runners, fmt/lint/check). */
const TASKS = Object.keys(config.tasks).filter((t) => t !== "check" && !/^test(:|$)/.test(t));

/** Measure tasks that read a directory of networks (`--run`). */
const readsRun = (t: string) =>
  t.startsWith("measure:") && t !== "measure:mds" && t !== "measure:complexity";
/** Tasks that take the run lock of `--out` (they drive a run). */
const locks = (t: string) =>
  t === "reproduce" || t === "report" || t.startsWith("experiment:") || t.startsWith("control:");
/** Tasks with no path that the task's grants confine (they may write anywhere, or nowhere). */
const unconfined = (t: string) =>
  t === "build:wasm" || (t.startsWith("bench") && t !== "bench:fixed_points");

/** Arguments that give each task a place to write inside DIR (before the case's arguments). */
function baseArgs(task: string): string[] {
  if (task === "plan") return ["--nominal", "--json", `${OUT}/plan.json`];
  if (task === "run_unit") return ["--out", OUT, "--id", "report"];
  if (task === "measure:mds") return ["--metric", `${INPUT}/x.json`, "--out", `${OUT}/m.json`];
  if (task === "measure:complexity") {
    return ["--task", '{"name":"flipflop","n":1}', "--out", `${OUT}/m.json`];
  }
  if (readsRun(task)) return ["--run", INPUT, "--out", `${OUT}/m.json`];
  if (task === "bench:fixed_points") return ["--json", `${OUT}/b.json`];
  if (unconfined(task)) return [];
  return ["--out", OUT];
}

/** `baseArgs(task)` with the value of `flag` replaced (null when the task lacks the flag). */
function replaced(task: string, flag: string, value: string): string[] | null {
  const base = baseArgs(task);
  const k = base.indexOf(flag);
  return k < 0 ? null : [...base.slice(0, k), flag, value, ...base.slice(k + 2)];
}

/** The flag naming the path a task writes (or, for status, reads), and a file name in it. */
function pathFlag(task: string): { flag: string; file: string } | null {
  if (unconfined(task)) return null;
  if (task === "plan" || task === "bench:fixed_points") return { flag: "--json", file: "/x.json" };
  if (task.startsWith("measure:")) return { flag: "--out", file: "/m.json" };
  return { flag: "--out", file: "" };
}

/** A flag of `task` that takes a value (build:wasm has none: a value on its switch). */
function valueFlag(task: string): string {
  if (task === "build:wasm") return "--check=1";
  if (task === "bench:pif") return "--n";
  if (task === "plan" || task.startsWith("bench")) return "--json";
  return "--out";
}

/** A bad-input case. */
interface Case {
  label: string;
  /** The whole command line for `task`, or null where the case does not apply. */
  args: (task: string) => string[] | null;
  /** The expected message, given the flags the task's --help lists. */
  expect: (flags: Set<string>, task: string) => RegExp;
  /** Expected exit code: 2 for a wrong command line (default), 1 for a wrong input file. */
  code?: 1 | 2;
}

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
const unknown = (flag: string) => new RegExp(`^error: ${esc(flag)}: unknown flag \\(flags: `);
const withBase = (extra: string[]) => (t: string) => [...baseArgs(t), ...extra];

const CASES: Case[] = [
  {
    label: "--levels ''",
    args: withBase(["--levels", ""]),
    expect: (f) => f.has("--levels") ? /^error: --levels: empty list \(/ : unknown("--levels"),
  },
  {
    label: "--members 0",
    args: withBase(["--members", "0"]),
    expect: (f, t) =>
      t === "bench"
        ? /^error: --members: item 1: "0" is too small \(comma-separated /
        : f.has("--members")
        ? /^error: --members: "0" is too small \(an integer from /
        : unknown("--members"),
  },
  {
    label: "--preset bogus",
    args: withBase(["--preset", "bogus"]),
    expect: (f) =>
      f.has("--preset")
        ? /^error: --preset: unknown value "bogus" \(one of smoke, quick, paper\)$/
        : unknown("--preset"),
  },
  {
    label: "a positional argument",
    args: withBase(["extra"]),
    expect: () => /^error: extra: unexpected positional argument \(/,
  },
  {
    label: "an unknown flag",
    args: withBase(["--bogus"]),
    expect: () => unknown("--bogus"),
  },
  {
    label: "a flag without its value",
    args: (t) => [...baseArgs(t), valueFlag(t)],
    expect: (_f, t) =>
      t === "build:wasm"
        ? unknown("--check=1")
        : new RegExp(`^error: ${valueFlag(t)}: needs a value \\(`),
  },
  {
    label: "a path outside runs/",
    args: (t) => {
      const p = pathFlag(t);
      return p && replaced(t, p.flag, `${OUTSIDE}${p.file}`);
    },
    expect: (_f, t) =>
      t === "status"
        ? /^error: --out: \/tmp\/degeneracy-outside is outside the tree this task may read \(runs\/\) \(read under runs\/, or run: deno run --no-prompt --allow-read=\/tmp\/degeneracy-outside --allow-run=squeue scripts\/status\.ts /
        : new RegExp(
          `^error: ${pathFlag(t)!.flag}: /tmp/degeneracy-outside\\S* is outside the tree this ` +
            `task may write \\(runs/\\) \\(write under runs/, or run: deno run --no-prompt .*` +
            `--allow-write=/tmp/degeneracy-outside\\S* .*scripts/\\S+\\.ts `,
        ),
  },
  {
    label: "a path through a symlink out of runs/",
    args: (t) => {
      const p = pathFlag(t);
      return p && t !== "status" ? replaced(t, p.flag, `${ESCAPE}${p.file || "/run"}`) : null;
    },
    expect: (_f, t) =>
      new RegExp(
        `^error: ${pathFlag(t)!.flag}: ${esc(ESCAPE)}\\S* leads through a symlink to ` +
          `${esc(OUTSIDE_LINK)}\\S*, outside the granted tree \\(write under runs/ without ` +
          `leaving it, or grant the target: deno run `,
      ),
  },
  {
    label: "--out in use by another run",
    args: (t) => locks(t) ? ["--out", OUT] : null,
    expect: () =>
      new RegExp(
        `^error: --out: ${esc(OUT)} is in use by another run \\(pid ${Deno.pid} on \\S+, ` +
          `started \\S+: bad-input test\\) \\(one run per directory: `,
      ),
  },
  {
    label: "an empty input directory",
    args: (t) => readsRun(t) ? replaced(t, "--run", EMPTY) : null,
    expect: () => new RegExp(`^error: ${esc(EMPTY)}: no JSON files here \\(`),
    code: 1,
  },
  {
    label: "a network file with a null weight",
    args: (t) => readsRun(t) ? replaced(t, "--run", CORRUPT) : null,
    expect: () =>
      new RegExp(
        `^error: ${esc(CORRUPT)}/net\\.json: final\\.wh\\[0\\]\\[0\\] must be a finite number, ` +
          `got null$`,
      ),
    code: 1,
  },
  {
    label: "a metric file with a null entry",
    args: (t) => t === "measure:mds" ? replaced(t, "--metric", NULL_METRIC) : null,
    expect: () =>
      new RegExp(
        `^error: ${esc(NULL_METRIC)}: matrix\\[0\\]\\[1\\] must be a finite number, got null$`,
      ),
    code: 1,
  },
];

/** A valid network record of 3 hidden units (1 input, 1 output) with final.wh[0][0] null. */
function corruptNetwork() {
  const params = () => ({
    wx: [[0.1], [0.2], [0.3]],
    wh: [[0.1, 0, 0], [0, 0.2, 0], [0, 0, 0.3]] as (number | null)[][],
    b: [0, 0, 0],
    wo: [[0.1, 0.2, 0.3]],
    bo: [0],
  });
  const final = params();
  final.wh[0][0] = null;
  return {
    schema: "degeneracy.network/1",
    id: "flipflop-n1/m0",
    task: { name: "flipflop", id: "flipflop-n1", params: { n: 1 } },
    config: {},
    member: 0,
    initSeed: 1,
    dataSeed: 2,
    shape: { inputDim: 1, hidden: 3, outputDim: 1, auxDim: 0 },
    initial: params(),
    final,
    history: { trainLoss: [1], testLoss: [1], lr: [0.001] },
    stopEpoch: 1,
    status: "converged",
    backend: "test",
    wallTimeSec: 0,
  };
}

async function run(task: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", task, ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Every path under `dir` (relative), recursively (symlinks not followed), sorted. */
function tree(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(`${dir}/${prefix}`)) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    out.push(rel);
    if (e.isDirectory) out.push(...tree(dir, rel));
  }
  return out.sort();
}

/** Runs `f` over `xs` with at most `k` at a time. */
async function pool<T, R>(xs: T[], k: number, f: (x: T) => Promise<R>): Promise<R[]> {
  const res: R[] = new Array(xs.length);
  let next = 0;
  await Promise.all(Array.from({ length: k }, async () => {
    while (next < xs.length) {
      const i = next++;
      res[i] = await f(xs[i]);
    }
  }));
  return res;
}

/** A message with this run's paths, pid, host and time replaced by fixed names. */
function normalise(line: string): string {
  return line.replaceAll(DIR, "runs/T").replaceAll(OUTSIDE_LINK, "/tmp/outside-link")
    .replace(/pid \d+ on \S+, started \S+:/g, "pid PID on HOST, started TIME:");
}

/** docs/errors.md from the table's rows (case, entry point, exit code, message). */
function errorsDoc(rows: string[][]): string {
  const cell = (x: string) => x.replace(/\|/g, "\\|");
  return [
    "# What every entry point says to bad input",
    "",
    "Generated by `tests/scripts/bad_input_test.ts`, which runs each case below through `deno task`",
    "and fails when this file differs from what the entry points say (regenerate it with",
    "`DEGENERACY_WRITE_ERRORS_DOC=1 deno test -A tests/scripts/bad_input_test.ts`). Every entry",
    "point answers with exactly one line on stderr, writes nothing and prints no stack trace",
    "(stack traces only with `DEGENERACY_DEBUG=1`). Exit code 2: the command line is wrong,",
    "`error: <flag>: <what is wrong> (<allowed>)`; exit code 1: an input file is wrong,",
    "`error: <file>: <field> …`. In the messages, `runs/T` is the test's run directory,",
    "`/tmp/outside-link` the directory its symlink `runs/T/escape` leads to, and",
    "`PID`, `HOST`, `TIME` the process holding the run lock.",
    "",
    "| case | entry point | exit | message |",
    "| --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`),
    "",
  ].join("\n");
}

/** `text` as `deno fmt` writes Markdown with this repository's settings. */
async function formatMarkdown(text: string): Promise<string> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--ext=md", "-"],
    cwd: ROOT,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = child.stdin.getWriter();
  await w.write(new TextEncoder().encode(text));
  await w.close();
  const out = await child.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

Deno.test({
  name: "every entry point: bad input ends with one line and its exit code, and writes nothing",
  sanitizeResources: false,
  fn: async (t) => {
    await Deno.mkdir(`${ROOT}/${INPUT}`, { recursive: true });
    await Deno.writeTextFile(`${ROOT}/${INPUT}/x.json`, '{"schema":"other/1"}\n');
    await Deno.mkdir(`${ROOT}/${OUT}`, { recursive: true });
    await Deno.mkdir(`${ROOT}/${EMPTY}`, { recursive: true });
    await Deno.mkdir(`${ROOT}/${CORRUPT}`, { recursive: true });
    await Deno.writeTextFile(`${ROOT}/${CORRUPT}/net.json`, JSON.stringify(corruptNetwork()));
    await Deno.writeTextFile(
      `${ROOT}/${NULL_METRIC}`,
      JSON.stringify({
        schema: "degeneracy.metric/2",
        metric: "dsa",
        ids: ["a", "b"],
        matrix: [[0, null], [1, 0]],
      }),
    );
    await Deno.mkdir(OUTSIDE_LINK, { recursive: true });
    await Deno.symlink(OUTSIDE_LINK, `${ROOT}/${ESCAPE}`);
    // another run holds OUT (this process, as a driving command would)
    const lock = await acquireRunLock(`${ROOT}/${OUT}`, "bad-input test");
    const before = tree(`${ROOT}/${DIR}`);
    try {
      const helps = await pool(TASKS, 4, (task) => run(task, ["--help"]));
      const flags = new Map<string, Set<string>>();
      await t.step("--help prints the usage and exits 0", () => {
        TASKS.forEach((task, i) => {
          const h = helps[i];
          assert.equal(h.code, 0, `deno task ${task} --help: exit ${h.code}\n${h.stderr}`);
          assert.match(h.stdout, /^usage: /, `deno task ${task} --help`);
          assert.equal(h.stderr, "", `deno task ${task} --help wrote to stderr`);
          flags.set(task, new Set(h.stdout.match(/--[a-z][a-z0-9-]*/g) ?? []));
        });
      });
      const jobs = CASES.flatMap((c) =>
        TASKS.map((task) => ({ task, c, args: c.args(task) }))
          .filter((j): j is { task: string; c: Case; args: string[] } => j.args !== null)
      );
      const results = await pool(jobs, 4, (j) => run(j.task, j.args));
      const rows: string[][] = [];
      await t.step("each case: exactly one line 'error: …', its exit code, no stack trace", () => {
        const problems: string[] = [];
        jobs.forEach((j, i) => {
          const r = results[i];
          const line = r.stderr.replace(/\n$/, "");
          const code = j.c.code ?? 2;
          const expect = j.c.expect(flags.get(j.task)!, j.task);
          rows.push([j.c.label, j.task, String(r.code), normalise(line)]);
          const where = `deno task ${j.task} ${j.args.join(" ")}`;
          const form = code === 2 ? /^error: \S+: .+ \(.+\)$/ : /^error: \S+: .+$/;
          if (r.code !== code) {
            problems.push(`${where}: exit ${r.code}, not ${code}: ${r.stderr}${r.stdout}`);
          } else if (line.includes("\n")) {
            problems.push(`${where}: more than one line:\n${r.stderr}`);
          } else if (!form.test(line)) problems.push(`${where}: form: ${line}`);
          else if (!expect.test(line)) problems.push(`${where}: ${line} does not match ${expect}`);
          else if (r.stdout !== "") problems.push(`${where}: wrote to stdout: ${r.stdout}`);
          else if (/\bat .*:\d+:\d+/.test(r.stderr)) problems.push(`${where}: stack trace`);
        });
        assert.deepEqual(problems, []);
      });
      await t.step("nothing was written", async () => {
        assert.deepEqual(tree(`${ROOT}/${DIR}`), before);
        assert.equal(await Deno.stat(OUTSIDE).then(() => true, () => false), false);
        assert.deepEqual([...Deno.readDirSync(OUTSIDE_LINK)], []);
      });
      await t.step(`${DOC} is the table of this run`, async () => {
        const doc = await formatMarkdown(errorsDoc(rows));
        if (Deno.env.get("DEGENERACY_WRITE_ERRORS_DOC") === "1") {
          await Deno.writeTextFile(`${ROOT}/${DOC}`, doc);
        }
        const current = await Deno.readTextFile(`${ROOT}/${DOC}`).catch(() => "");
        assert.ok(
          current === doc,
          `${DOC} differs from what the entry points say now; regenerate it with ` +
            "DEGENERACY_WRITE_ERRORS_DOC=1 deno test -A tests/scripts/bad_input_test.ts",
        );
      });
    } finally {
      lock.release();
      await Deno.remove(`${ROOT}/${DIR}`, { recursive: true }).catch(() => {});
      await Deno.remove(OUTSIDE_LINK, { recursive: true }).catch(() => {});
    }
  },
});
