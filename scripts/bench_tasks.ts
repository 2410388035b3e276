/**
 * Task-sampling bench: milliseconds per `task.sample(B, seed)` for every task at its Appendix A
 * batch size (flip-flop B=256 T=100 N=3; delayed discrimination B=256 T=60 N=2; sine B=32
 * T=100; path integration B=64 T=100 in 2D and 3D), plus the raw cost of one draw from each
 * `seedrandom@3.0.5` generator (ARC4 default, alea, xor4096, xorshift7).
 *
 *   deno run --allow-read --allow-write --allow-run scripts/bench_tasks.ts \
 *     [--reps 30] [--baseline <git ref>] [--json FILE]
 *
 * `--baseline REF` also times the task generators as they were at git commit REF (the `tasks/`
 * folder is extracted with `git archive` into a temporary directory and imported from there),
 * interleaved with the current ones in the same run, so the two columns are comparable on a
 * shared machine. Reported figures are medians over `--reps` calls after a warm-up: wall time
 * (`ms…`) and process CPU time (`cpuMs…`, user + system; the fairer figure on an overloaded
 * machine).
 *
 * @module
 */
import { defineCli, f, parseOrExit } from "./lib/cli.ts";
import { writeTextAtomic } from "./lib/io.ts";
import process from "node:process";
import seedrandomImport from "npm:seedrandom@3.0.5";
import aleaImport from "npm:seedrandom@3.0.5/lib/alea.js";
import xor4096Import from "npm:seedrandom@3.0.5/lib/xor4096.js";
import xorshift7Import from "npm:seedrandom@3.0.5/lib/xorshift7.js";
import { createTask, type TaskSpec } from "../tasks/factory.ts";
import type { Task } from "../tasks/types.ts";

type Gen = (seed: string) => () => number;

/** The command line of `deno task bench:tasks`. */
export const CLI = defineCli({
  name: "bench:tasks",
  summary: "Task-generator speed (batches per second) on Appendix A batch sizes, optionally " +
    "against a baseline tarball of an earlier version.",
  flags: {
    reps: f.int("N", "batches per timing", { min: 1, max: 10000, defaultText: "30" }),
    baseline: f.path("FILE", "tarball of an earlier version to compare with"),
    json: f.path("FILE", "also write the rows as JSON"),
  },
});
const args = parseOrExit(CLI, Deno.args);
const reps = args.reps ?? 30;

/** Appendix A batch sizes and shapes. */
const WORKLOADS: { label: string; spec: TaskSpec; batch: number }[] = [
  { label: "flipflop B=256 T=100 N=3", spec: { name: "flipflop", n: 3 }, batch: 256 },
  {
    label: "delayed_discrimination B=256 T=60 N=2",
    spec: { name: "delayed_discrimination", n: 2 },
    batch: 256,
  },
  { label: "sine B=32 T=100", spec: { name: "sine" }, batch: 32 },
  { label: "path_integration 2D B=64 T=100", spec: { name: "path_integration" }, batch: 64 },
  {
    label: "path_integration 3D B=64 T=100",
    spec: { name: "path_integration", dims: 3 },
    batch: 64,
  },
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Imports the `createTask` of `tasks/` at git commit `ref` (extracted into a temp dir). */
async function baselineFactory(ref: string): Promise<(spec: TaskSpec) => Task> {
  const dir = await Deno.makeTempDir({ prefix: "bench_tasks_" });
  const root = new URL("..", import.meta.url).pathname;
  const archive = new Deno.Command("git", {
    args: ["-C", root, "archive", "--format=tar", ref, "tasks"],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  if (!archive.success) {
    throw new Error(
      `--baseline: git archive ${ref} failed: ${new TextDecoder().decode(archive.stderr)}`,
    );
  }
  const tar = new Deno.Command("tar", { args: ["-x", "-C", dir], stdin: "piped" }).spawn();
  const w = tar.stdin.getWriter();
  await w.write(archive.stdout);
  await w.close();
  if (!(await tar.status).success) throw new Error("--baseline: tar -x failed");
  const mod = await import(`file://${dir}/tasks/factory.ts`);
  await Deno.remove(dir, { recursive: true }); // already loaded
  return mod.createTask as (spec: TaskSpec) => Task;
}

const results: Record<string, unknown>[] = [];

interface Timing {
  wall: number[];
  cpu: number[];
}
/** Wall and process CPU milliseconds (user + system) of one call. */
function time(into: Timing, f: () => unknown): void {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  into.wall.push(performance.now() - t0);
  const c = process.cpuUsage(c0);
  into.cpu.push((c.user + c.system) / 1000);
}

// ---- raw generator cost (ns per draw) --------------------------------------------------------
{
  const draws = 1_000_000;
  // One timing loop per generator (a shared loop would see a polymorphic call site and time
  // the dispatch, not the generator).
  const gens: [string, (seed: string) => number][] = [
    ["arc4 (seedrandom default)", (seed) => {
      const next = (seedrandomImport as unknown as Gen)(seed);
      let s = 0;
      for (let i = 0; i < draws; i++) s += next();
      return s;
    }],
    ["alea", (seed) => {
      const next = (aleaImport as unknown as Gen)(seed);
      let s = 0;
      for (let i = 0; i < draws; i++) s += next();
      return s;
    }],
    ["xor4096", (seed) => {
      const next = (xor4096Import as unknown as Gen)(seed);
      let s = 0;
      for (let i = 0; i < draws; i++) s += next();
      return s;
    }],
    ["xorshift7", (seed) => {
      const next = (xorshift7Import as unknown as Gen)(seed);
      let s = 0;
      for (let i = 0; i < draws; i++) s += next();
      return s;
    }],
  ];
  const times = gens.map(() => [] as number[]);
  for (let r = 0; r < 5; r++) {
    gens.forEach(([_, loop], g) => {
      const t0 = performance.now();
      const s = loop(`bench/${r}`);
      times[g].push(((performance.now() - t0) * 1e6) / draws);
      if (!(s > 0)) throw new Error("generator produced no positive draws");
    });
  }
  gens.forEach(([name], g) => {
    const row = { bench: "rng", generator: name, nsPerDraw: +median(times[g]).toFixed(1) };
    results.push(row);
    console.log(JSON.stringify(row));
  });
}

// ---- sample(B) per task ----------------------------------------------------------------------
const old = args.baseline ? await baselineFactory(args.baseline) : null;
for (const { label, spec, batch } of WORKLOADS) {
  const cur = createTask(spec);
  const base = old ? old(spec) : null;
  for (let w = 0; w < 3; w++) {
    cur.sample(batch, 1000 + w);
    base?.sample(batch, 1000 + w);
  }
  const cur_: Timing = { wall: [], cpu: [] }, base_: Timing = { wall: [], cpu: [] };
  for (let r = 0; r < reps; r++) {
    const seed = 7 + r;
    time(cur_, () => cur.sample(batch, seed));
    if (base) time(base_, () => base.sample(batch, seed));
  }
  const row: Record<string, unknown> = {
    bench: "task_sample",
    workload: label,
    msPerSample: +median(cur_.wall).toFixed(3),
    cpuMsPerSample: +median(cur_.cpu).toFixed(3),
  };
  if (base) {
    row.baseline = args.baseline;
    row.baselineMsPerSample = +median(base_.wall).toFixed(3);
    row.baselineCpuMsPerSample = +median(base_.cpu).toFixed(3);
    row.speedupWall = +(median(base_.wall) / median(cur_.wall)).toFixed(1);
    row.speedupCpu = +(median(base_.cpu) / median(cur_.cpu)).toFixed(1);
  }
  results.push(row);
  console.log(JSON.stringify(row));
}

if (args.json) await writeTextAtomic(args.json, JSON.stringify(results, null, 2) + "\n");
