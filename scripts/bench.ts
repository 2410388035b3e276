/**
 * Training-speed bench (docs/performance.md): network-steps/s of one training step
 * (forward + BPTT + Adam) on the Appendix A workloads, for
 *   - the plain TypeScript kernel and the fused WASM SIMD kernel on one core (main thread),
 *   - two workers, one per core, each training its own network (`wasm-simd x2 workers`),
 *   - populations of K members (`--members`, default 1,8,50) through the engine's CPU
 *     `PopulationBackend` when `rnn/backends/cpu.ts` is present, else through this script's own
 *     minimal worker harness (step-synchronous, members split over 2 workers),
 * and, when `python3 -c 'import torch'` works, PyTorch (`scripts/bench/torch_rnn.py`, torch.nn.RNN)
 * with 1 thread, and as two single-threaded processes side by side. The two-core comparison is
 * repeated `--rounds` times, alternating PyTorch and ours, and the ratio is the median of the
 * per-round ratios (the machine is shared: compare ratios measured in one run).
 *
 * Usage: deno task bench [--json FILE] [--only flipflop|delayed_discrimination|sine]
 *        [--members 1,8,50] [--seconds 3] [--rounds 2] [--no-torch] [--torch-impl nnrnn|loop]
 *
 * JSON (`--json`): an array of `{ workload, backend, members, netStepsPerSec, cores, ... }`.
 *
 * @module
 */
import { defineCli, f, parseOrExit } from "./lib/cli.ts";
import { writeTextAtomic } from "./lib/io.ts";
import process from "node:process";
import { makeProblem, stepFlops, Trainee, type WorkloadName, WORKLOADS } from "./bench/harness.ts";
import { tsKernel } from "../rnn/kernels/ts.ts";
import { createWasmKernel } from "../rnn/kernels/wasm.ts";
import type { PopulationBackend, RnnKernel, RnnParams, RnnShape } from "../rnn/types.ts";

/** One bench row (also the JSON record). */
interface Result {
  workload: WorkloadName;
  backend: string;
  members: number;
  netStepsPerSec: number;
  cores: number;
  /** Achieved matmul GFLOP/s (all cores together). */
  gflops: number;
  /** Ratio to PyTorch on the same number of cores, when measured. */
  vsTorch?: number;
  /**
   * Network-steps per CPU-second (all threads of the process(es)), a contention-robust
   * companion of `netStepsPerSec` on this shared machine.
   */
  netStepsPerCpuSec?: number;
  /** Ratio of `netStepsPerCpuSec` to PyTorch's on the same number of cores. */
  vsTorchCpu?: number;
  note?: string;
}

const workloads = Object.keys(WORKLOADS) as WorkloadName[];

/** The command line of `deno task bench`. */
export const CLI = defineCli({
  name: "bench",
  summary: "Training-speed bench: network-steps/s of one training step on the Appendix A " +
    "workloads for our kernels and, when available, PyTorch (ratios measured in one run).",
  flags: {
    json: f.path("FILE", "also write the rows as JSON"),
    only: f.choice(workloads, "one workload only"),
    members: f.numbers("K,…", "population sizes", {
      integer: true,
      min: 1,
      max: 1000,
      allowed: "comma-separated distinct integers from 1 to 1000; default 1,8,50",
    }),
    seconds: f.number("S", "seconds per measurement", {
      min: 0,
      max: 600,
      minOpen: true,
      defaultText: "3",
    }),
    rounds: f.int("N", "rounds of the two-core comparison", { min: 1, max: 20, defaultText: "2" }),
    "no-torch": f.switch("skip the PyTorch baseline"),
    "torch-impl": f.choice(["nnrnn", "loop"] as const, "PyTorch implementation", "nnrnn"),
    python: f.path("FILE", "Python with torch", "/usr/bin/python3"),
  },
});
const parsed = parseOrExit(CLI, Deno.args);
const args = {
  ...parsed,
  "torch-impl": parsed["torch-impl"] ?? "nnrnn",
  python: parsed.python ?? "/usr/bin/python3",
};
const memberCounts = parsed.members ?? [1, 8, 50];
const seconds = parsed.seconds ?? 3;
const rounds = parsed.rounds ?? 2;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// ------------------------------------------------------------------------------------------
// PyTorch baseline (separate processes)

const torchScript = new URL("./bench/torch_rnn.py", import.meta.url).pathname;

async function torchAvailable(): Promise<boolean> {
  if (args["no-torch"]) return false;
  try {
    const out = await new Deno.Command(args.python, {
      args: ["-c", "import torch"],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

async function* lines(stream: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let buf = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    buf += chunk;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      yield buf.slice(0, i);
      buf = buf.slice(i + 1);
    }
  }
  if (buf) yield buf;
}

/** Runs `procs` single-threaded PyTorch processes at once; returns their summed steps/s. */
async function runTorch(
  workload: WorkloadName,
  procs: number,
): Promise<{ rate: number; cpuMsPerStep: number; perCpuSec: number }> {
  const children = Array.from({ length: procs }, () =>
    new Deno.Command(args.python, {
      args: [
        torchScript,
        "--workload",
        workload,
        "--threads",
        "1",
        "--seconds",
        String(seconds),
        "--impl",
        args["torch-impl"]!,
        "--wait-go",
      ],
      env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn());
  const readers = children.map((c) => lines(c.stdout));
  const errs = children.map((c) => new Response(c.stderr).text());
  for (const r of readers) {
    const first = await r.next();
    if (first.value !== "READY") {
      throw new Error(`torch_rnn.py did not start: ${first.value ?? ""} ${await errs[0]}`);
    }
  }
  const writers = children.map((c) => c.stdin.getWriter());
  const go = new TextEncoder().encode("go\n");
  await Promise.all(writers.map((w) => w.write(go)));
  const res = await Promise.all(readers.map(async (r) => {
    const line = await r.next();
    if (!line.value) throw new Error("torch_rnn.py gave no result");
    return JSON.parse(line.value) as {
      netStepsPerSec: number;
      cpuMsPerStep: number;
      steps: number;
    };
  }));
  await Promise.all(writers.map((w) => w.close()));
  await Promise.all(children.map((c) => c.status));
  const steps = res.reduce((s, r) => s + r.steps, 0);
  const cpuSec = res.reduce((s, r) => s + (r.steps * r.cpuMsPerStep) / 1000, 0);
  return {
    rate: res.reduce((s, r) => s + r.netStepsPerSec, 0),
    cpuMsPerStep: median(res.map((r) => r.cpuMsPerStep)),
    perCpuSec: steps / cpuSec,
  };
}

// ------------------------------------------------------------------------------------------
// Ours: one core (main thread)

function timeSingle(
  kernel: RnnKernel,
  workload: WorkloadName,
  maxSteps = Infinity,
  warmup = true,
): { rate: number; cpuMsPerStep: number; perCpuSec: number } {
  const p = makeProblem(workload, 1);
  const tr = new Trainee(kernel, p.shape, p.params);
  if (warmup) tr.step(p.data);
  const c0 = cpuMs();
  const t0 = performance.now();
  let steps = 0;
  do {
    tr.step(p.data);
    steps++;
  } while (performance.now() - t0 < seconds * 1000 && steps < maxSteps);
  const ms = performance.now() - t0;
  const cpu = cpuMs() - c0;
  return { rate: (steps * 1000) / ms, cpuMsPerStep: cpu / steps, perCpuSec: (steps * 1000) / cpu };
}

// ------------------------------------------------------------------------------------------
// Ours: workers (one per core)

class WorkerPool {
  #workers: Worker[] = [];
  constructor(n: number) {
    for (let i = 0; i < n; i++) {
      this.#workers.push(
        new Worker(new URL("./bench/step_worker.ts", import.meta.url), { type: "module" }),
      );
    }
  }
  #ask(w: Worker, msg: unknown): Promise<Record<string, number>> {
    return new Promise((resolve, reject) => {
      w.onmessage = (e) => e.data.error ? reject(new Error(e.data.error)) : resolve(e.data);
      w.onerror = (e) => reject(new Error(e.message));
      w.postMessage(msg);
    });
  }
  async init(workload: WorkloadName, members: number[], kernel: "wasm" | "ts"): Promise<void> {
    await Promise.all(
      this.#workers.map((w, i) =>
        this.#ask(w, { init: { workload, members: members[i], kernel, seed: 100 * i } })
      ),
    );
  }
  /**
   * Each worker trains its first network for `s` seconds; returns the summed steps/s and the
   * steps per CPU-second of this process (all threads).
   */
  async run(s: number): Promise<{ rate: number; perCpuSec: number }> {
    const c0 = cpuMs();
    const r = await Promise.all(this.#workers.map((w) => this.#ask(w, { run: s })));
    const cpu = cpuMs() - c0;
    const steps = r.reduce((acc, x) => acc + x.steps, 0);
    return {
      rate: r.reduce((acc, x) => acc + (x.steps * 1000) / x.ms, 0),
      perCpuSec: (steps * 1000) / cpu,
    };
  }
  /** One step of every member on every worker. */
  async step(): Promise<void> {
    await Promise.all(this.#workers.map((w) => this.#ask(w, { step: true })));
  }
  terminate() {
    this.#workers.forEach((w) => w.terminate());
  }
}

const CORES = 2;

async function timeTwoWorkers(
  workload: WorkloadName,
): Promise<{ rate: number; perCpuSec: number }> {
  const pool = new WorkerPool(CORES);
  try {
    await pool.init(workload, [1, 1], "wasm");
    return await pool.run(seconds);
  } finally {
    pool.terminate();
  }
}

// ------------------------------------------------------------------------------------------
// Populations: the engine's CPU PopulationBackend when present, else the harness.

type CreateCpuBackend = (opts: {
  shape: RnnShape;
  initial: RnnParams[];
  regularisers: { l1: number; nuclear: number; gradClip: number };
  kernel?: "auto" | "ts" | "wasm";
}) => Promise<PopulationBackend>;

async function engineBackend(): Promise<CreateCpuBackend | undefined> {
  try {
    const spec = new URL("../rnn/backends/cpu.ts", import.meta.url).href;
    const mod = await import(spec) as { createCpuBackend?: CreateCpuBackend };
    return mod.createCpuBackend;
  } catch {
    return undefined;
  }
}

async function timePopulation(
  workload: WorkloadName,
  K: number,
): Promise<{ backend: string; rate: number; note: string }> {
  const minSteps = 2;
  const create = await engineBackend();
  if (create) {
    const problems = Array.from({ length: K }, (_, k) => makeProblem(workload, 1000 + k));
    const backend = await create({
      shape: problems[0].shape,
      initial: problems.map((p) => p.params),
      regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
      kernel: "wasm",
    });
    try {
      const data = problems.map((p) => p.data);
      const lrs = new Float64Array(K).fill(1e-3);
      const active = new Array(K).fill(true);
      await backend.step(data, lrs, active); // warm-up
      const t0 = performance.now();
      let steps = 0;
      do {
        await backend.step(data, lrs, active);
        steps++;
      } while (performance.now() - t0 < seconds * 1000 || steps < minSteps);
      const rate = (K * steps * 1000) / (performance.now() - t0);
      return { backend: backend.name, rate, note: "engine PopulationBackend" };
    } finally {
      await backend.dispose();
    }
  }
  const workers = Math.min(CORES, K);
  const pool = new WorkerPool(workers);
  try {
    const split = Array.from({ length: workers }, (_, i) => Math.floor((K + i) / workers));
    await pool.init(workload, split, "wasm");
    const t0 = performance.now();
    let steps = 0;
    do {
      await pool.step();
      steps++;
    } while (performance.now() - t0 < seconds * 1000 || steps < minSteps);
    const rate = (K * steps * 1000) / (performance.now() - t0);
    return {
      backend: `wasm-simd x${workers} workers`,
      rate,
      note: "bench harness (engine backend not found)",
    };
  } finally {
    pool.terminate();
  }
}

// ------------------------------------------------------------------------------------------

const results: Result[] = [];
const withTorch = await torchAvailable();
const wasm = await createWasmKernel();
console.log(
  `bench: ${seconds}s per measurement, ${rounds} round(s) for the 2-core comparison; ` +
    `PyTorch baseline: ${withTorch ? `yes (${args["torch-impl"]})` : "not available"}`,
);

function add(r: Omit<Result, "gflops">) {
  const full = { ...r, gflops: (r.netStepsPerSec * stepFlops(r.workload)) / 1e9 };
  results.push(full);
  const ratio = (full.vsTorch !== undefined ? `  ${full.vsTorch.toFixed(2)}× PyTorch` : "") +
    (full.vsTorchCpu !== undefined ? ` (per CPU-second ${full.vsTorchCpu.toFixed(2)}×)` : "");
  console.log(
    `  ${full.backend.padEnd(26)} K=${String(full.members).padStart(3)} cores=${full.cores}  ` +
      `${full.netStepsPerSec.toFixed(2).padStart(8)} net-steps/s  ` +
      `${full.gflops.toFixed(1).padStart(5)} GFLOP/s${ratio}`,
  );
}

for (const w of workloads) {
  if (args.only && w !== args.only) continue;
  const { B, T, H, I, O } = WORKLOADS[w];
  console.log(
    `\n${w}: B=${B} T=${T} H=${H} I=${I} O=${O}, ${
      (stepFlops(w) / 1e6).toFixed(0)
    } MFLOP of matmuls per step`,
  );
  // One core.
  const torch1 = withTorch ? await runTorch(w, 1) : undefined;
  if (torch1) {
    add({
      workload: w,
      backend: "torch-1thread",
      members: 1,
      cores: 1,
      netStepsPerSec: torch1.rate,
      netStepsPerCpuSec: torch1.perCpuSec,
      note: `cpu ${torch1.cpuMsPerStep.toFixed(1)} ms/step`,
    });
  }
  const ts = timeSingle(tsKernel, w, 2, false);
  add({
    workload: w,
    backend: "ts",
    members: 1,
    cores: 1,
    netStepsPerSec: ts.rate,
    vsTorch: torch1 ? ts.rate / torch1.rate : undefined,
    netStepsPerCpuSec: ts.perCpuSec,
    vsTorchCpu: torch1 ? ts.perCpuSec / torch1.perCpuSec : undefined,
  });
  const one = timeSingle(wasm, w);
  add({
    workload: w,
    backend: "wasm-simd",
    members: 1,
    cores: 1,
    netStepsPerSec: one.rate,
    vsTorch: torch1 ? one.rate / torch1.rate : undefined,
    netStepsPerCpuSec: one.perCpuSec,
    vsTorchCpu: torch1 ? one.perCpuSec / torch1.perCpuSec : undefined,
    note: `cpu ${one.cpuMsPerStep.toFixed(1)} ms/step`,
  });
  // Two cores, alternating PyTorch and ours.
  const t2: number[] = [], o2: number[] = [], ratios: number[] = [];
  const t2c: number[] = [], o2c: number[] = [], ratiosCpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = withTorch ? await runTorch(w, CORES) : { rate: NaN, perCpuSec: NaN };
    const o = await timeTwoWorkers(w);
    t2.push(t.rate);
    o2.push(o.rate);
    ratios.push(o.rate / t.rate);
    t2c.push(t.perCpuSec);
    o2c.push(o.perCpuSec);
    ratiosCpu.push(o.perCpuSec / t.perCpuSec);
    const torchPart = withTorch ? `PyTorch 2 processes ${t.rate.toFixed(2)}, ` : "";
    const ratioPart = withTorch ? ` (${(o.rate / t.rate).toFixed(2)}×)` : "";
    console.log(
      `  round ${r + 1}: ${torchPart}wasm-simd 2 workers ${
        o.rate.toFixed(2)
      } net-steps/s${ratioPart}`,
    );
  }
  if (withTorch) {
    add({
      workload: w,
      backend: "torch-2procs",
      members: 2,
      cores: CORES,
      netStepsPerSec: median(t2),
      netStepsPerCpuSec: median(t2c),
    });
  }
  add({
    workload: w,
    backend: "wasm-simd x2 workers",
    members: 2,
    cores: CORES,
    netStepsPerSec: median(o2),
    vsTorch: withTorch ? median(ratios) : undefined,
    netStepsPerCpuSec: median(o2c),
    vsTorchCpu: withTorch ? median(ratiosCpu) : undefined,
    note: "median over rounds; ratio = median of per-round ratios",
  });
  // Populations.
  for (const K of memberCounts) {
    const p = await timePopulation(w, K);
    add({
      workload: w,
      backend: p.backend,
      members: K,
      cores: Math.min(CORES, K),
      netStepsPerSec: p.rate,
      vsTorch: !withTorch ? undefined : K === 1 ? p.rate / torch1!.rate : p.rate / median(t2),
      note: p.note,
    });
  }
}

if (args.json) {
  await writeTextAtomic(args.json, JSON.stringify(results, null, 1) + "\n");
  console.log(`\nwrote ${args.json}`);
}
