/**
 * Every entry point under bad input: a table of bad command lines walked through every
 * `deno task` of deno.json that runs a script. Each must end with exactly one line
 * `error: <flag>: <what is wrong> (<allowed>)` on stderr, nothing on stdout, exit code 2 and
 * no stack trace, and must write nothing (its run directory and the repository stay as they
 * were). `--help` must print the usage and exit 0. The flags a script has are read from its
 * `--help`, so a case whose flag the script lacks expects "unknown flag".
 *
 * With `BAD_INPUT_TABLE=FILE` in the environment the test also writes the table (case, entry
 * point, message) as Markdown to FILE.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`)) as {
  tasks: Record<string, string>;
};

/** This test's directory inside `runs/` (the tree the tasks may write). */
const DIR = `runs/.bad-input-test-${Deno.pid}`;
const OUT = `${DIR}/out`;
/** A directory with one JSON file that is not a network (for the measure scripts' --run). */
const INPUT = `${DIR}/input`;

/** Tasks that run a script with flags (the others: the test runners, fmt/lint/check). */
const TASKS = Object.keys(config.tasks).filter((t) => t !== "check" && !/^test(:|$)/.test(t));

/** Arguments that give each task a place to write inside DIR (before the case's arguments). */
function baseArgs(task: string): string[] {
  if (task === "plan") return ["--nominal", "--json", `${OUT}/plan.json`];
  if (task === "run_unit") return ["--out", OUT, "--id", "report"];
  if (task === "measure:mds") return ["--metric", `${INPUT}/x.json`, "--out", `${OUT}/m.json`];
  if (task === "measure:complexity") {
    return ["--task", '{"name":"flipflop","n":1}', "--out", `${OUT}/m.json`];
  }
  if (task.startsWith("measure:")) return ["--run", INPUT, "--out", `${OUT}/m.json`];
  if (task === "bench:fixed_points") return ["--json", `${OUT}/b.json`];
  if (task.startsWith("bench") || task === "build:wasm") return [];
  return ["--out", OUT];
}

/** A bad-input case: its label, the arguments, and the expected message given the flags. */
interface Case {
  label: string;
  args: (task: string) => string[];
  expect: (flags: Set<string>, task: string) => RegExp;
}

const unknown = (flag: string) => new RegExp(`^error: ${flag}: unknown flag \\(flags: `);
const CASES: Case[] = [
  {
    label: "--levels ''",
    args: () => ["--levels", ""],
    expect: (f) => f.has("--levels") ? /^error: --levels: empty list \(/ : unknown("--levels"),
  },
  {
    label: "--members 0",
    args: () => ["--members", "0"],
    expect: (f, t) =>
      t === "bench"
        ? /^error: --members: item 1: "0" is too small \(comma-separated /
        : f.has("--members")
        ? /^error: --members: "0" is too small \(an integer from /
        : unknown("--members"),
  },
  {
    label: "--preset bogus",
    args: () => ["--preset", "bogus"],
    expect: (f) =>
      f.has("--preset")
        ? /^error: --preset: unknown value "bogus" \(one of smoke, quick, paper\)$/
        : unknown("--preset"),
  },
  {
    label: "a positional argument",
    args: () => ["extra"],
    expect: () => /^error: extra: unexpected positional argument \(/,
  },
  {
    label: "an unknown flag",
    args: () => ["--bogus"],
    expect: () => unknown("--bogus"),
  },
  {
    label: "a flag without its value",
    args: (t) => [valueFlag(t)],
    expect: (_f, t) =>
      t === "build:wasm"
        ? unknown("--check=1")
        : new RegExp(`^error: ${valueFlag(t)}: needs a value \\(`),
  },
  {
    label: "--out outside runs/",
    args: (t) => outsideArgs(t),
    expect: (f, t) =>
      outsideArgs(t).length === 0
        ? /^$/
        : t === "status"
        ? /^error: --out: \/tmp\/\S+ is outside the tree this task may read \(runs\/\) \(read under runs\/, or run: deno run --no-prompt --allow-read=\/tmp\/\S+ --allow-run=squeue scripts\/status\.ts /
        : f.has("--out")
        ? new RegExp(
          `^error: --out: /tmp/\\S+ is outside the tree this task may write \\(runs/\\) \\(write under runs/, or run: deno run --no-prompt .*--allow-write=/tmp/\\S+ .*scripts/\\S+\\.ts `,
        )
        : /^$/,
  },
];

/** A flag of `task` that takes a value (build:wasm has none: a value on its switch). */
function valueFlag(task: string): string {
  if (task === "build:wasm") return "--check=1";
  if (task === "bench:pif") return "--n";
  if (task === "plan" || task.startsWith("bench")) return "--json";
  return "--out";
}

/** `--out` outside `runs/` for the tasks that have it (else no case). */
function outsideArgs(task: string): string[] {
  if (task.startsWith("bench") || task === "build:wasm" || task === "plan") return [];
  const base = baseArgs(task);
  const k = base.indexOf("--out");
  const outside = task.startsWith("measure:")
    ? "/tmp/degeneracy-outside/m.json"
    : "/tmp/degeneracy-outside";
  return [...base.slice(0, k), "--out", outside, ...base.slice(k + 2)];
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

/** Every path under `dir` (relative), recursively, sorted. */
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

Deno.test({
  name: "every entry point: bad flags end with one line, exit 2, and write nothing",
  sanitizeResources: false,
  fn: async (t) => {
    await Deno.mkdir(`${ROOT}/${INPUT}`, { recursive: true });
    await Deno.writeTextFile(`${ROOT}/${INPUT}/x.json`, '{"schema":"other/1"}\n');
    await Deno.mkdir(`${ROOT}/${OUT}`, { recursive: true });
    const before = tree(`${ROOT}/${DIR}`);
    const rows: string[][] = [];
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
      const jobs = TASKS.flatMap((task) =>
        CASES.map((c) => ({ task, c, args: c.args(task) }))
          .filter((j) => j.args.length > 0)
      );
      const results = await pool(
        jobs,
        4,
        (j) =>
          run(j.task, [
            ...(j.c.label === "--out outside runs/" ? [] : baseArgs(j.task)),
            ...j.args,
          ]),
      );
      await t.step(
        "each case: exactly one line 'error: <flag>: <what> (<allowed>)', exit 2",
        () => {
          const problems: string[] = [];
          jobs.forEach((j, i) => {
            const r = results[i];
            const line = r.stderr.replace(/\n$/, "");
            const expect = j.c.expect(flags.get(j.task)!, j.task);
            rows.push([j.c.label, j.task, line]);
            const where = `deno task ${j.task} ${j.args.join(" ")}`;
            if (r.code !== 2) problems.push(`${where}: exit ${r.code}: ${r.stderr}${r.stdout}`);
            else if (line.includes("\n")) {
              problems.push(`${where}: more than one line:\n${r.stderr}`);
            } else if (!/^error: \S+: .+ \(.+\)$/.test(line)) {
              problems.push(`${where}: form: ${line}`);
            } else if (!expect.test(line)) {
              problems.push(`${where}: ${line} does not match ${expect}`);
            } else if (r.stdout !== "") problems.push(`${where}: wrote to stdout: ${r.stdout}`);
            else if (/\bat .*:\d+:\d+/.test(r.stderr)) problems.push(`${where}: stack trace`);
          });
          assert.deepEqual(problems, []);
        },
      );
      await t.step("nothing was written", async () => {
        assert.deepEqual(tree(`${ROOT}/${DIR}`), before);
        assert.equal(
          await Deno.stat("/tmp/degeneracy-outside").then(() => true, () => false),
          false,
        );
      });
      const file = Deno.env.get("BAD_INPUT_TABLE");
      if (file) {
        await Deno.writeTextFile(
          file,
          ["| case | entry point | message |", "| --- | --- | --- |"].concat(
            rows.map((r) => `| ${r.map((x) => x.replace(/\|/g, "\\|")).join(" | ")} |`),
          ).join("\n") + "\n",
        );
      }
    } finally {
      await Deno.remove(`${ROOT}/${DIR}`, { recursive: true }).catch(() => {});
    }
  },
});
