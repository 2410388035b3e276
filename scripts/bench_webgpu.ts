/**
 * Throughput of the WebGPU population backend (docs/performance.md): network-steps/s
 * (one step = forward + full BPTT + Adam, per member) for K members trained together, on the
 * three Appendix A workloads (shapes as in `scripts/bench/torch_rnn.py`):
 *   flipflop                H=64,  B=256, T=100, I=O=3
 *   delayed_discrimination  H=128, B=256, T=60,  I=O=2
 *   sine                    H=128, B=32,  T=100, I=O=1
 *
 * Usage:
 *   deno run -A scripts/bench_webgpu.ts [--members 1,8,50] [--workloads flipflop,sine,...]
 *     [--steps 10] [--warmup 2] [--tiny] [--allow-fallback] [--recurrence fused|ops]
 *     [--tile N] [--batch N] [--check | --check-only] [--json FILE]
 *
 * `--tiny` shrinks every workload to B=4, T=5, H=8 (a smoke run on the software adapter);
 * `--batch N` overrides B (rows then no longer match the Appendix A workloads).
 * On a fallback (software) adapter the full workloads are refused unless `--allow-fallback`.
 * The first warm-up step includes shader compilation and is reported separately.
 * `--recurrence ops` times the plain-tfjs-ops time loops instead of the fused WGSL ones
 * (backend `webgpu-ops` in the output); `--tile N` overrides the trials per workgroup.
 * `--check` first verifies the backend on this adapter against `tsKernel` + a float64 Adam
 * (K=2, B=8, the workload's H and T, 3 steps) and stops on a mismatch; `--check-only` runs
 * just that (also on a software adapter).
 * `--json FILE` writes `[{ workload, backend: "webgpu", members, netStepsPerSec, ... }]`
 * atomically (temp file + rename).
 *
 * @module
 */
import { createWebGpuBackend, releaseWebGpu, webgpuAdapterInfo } from "../rnn/backends/webgpu.ts";
import type { RnnParams, RnnShape, StepData } from "../rnn/types.ts";
import { WORKLOADS as CPU_WORKLOADS } from "./bench/harness.ts";
import { tsKernel } from "../rnn/kernels/ts.ts";
import { writeTextAtomic } from "./lib/io.ts";
import { defineCli, f, type Parsed, runCli } from "./lib/cli.ts";

interface Workload {
  hidden: number;
  batch: number;
  steps: number;
  channels: number;
}

/** The Appendix A workloads, from the CPU bench's harness (one definition for both benches). */
const WORKLOADS: Record<string, Workload> = Object.fromEntries(
  Object.entries(CPU_WORKLOADS).map(([name, w]) => [
    name,
    { hidden: w.H, batch: w.B, steps: w.T, channels: w.I },
  ]),
);

/** One result row (the `--json` format shared with `deno task bench`). */
export interface BenchRow {
  workload: string;
  backend: string;
  members: number;
  netStepsPerSec: number;
  /** Milliseconds per population step (all K members). */
  msPerStep: number;
  /** Milliseconds of the first step, shader compilation included. */
  firstStepMs: number;
  shape: { hidden: number; batch: number; steps: number; channels: number };
  adapter: string;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** PyTorch-default uniform init U(−1/√H, 1/√H) from a seeded LCG (timing does not depend on it). */
function initParams(shape: RnnShape, seed: number): RnnParams {
  const { inputDim: I, hidden: H, outputDim: O } = shape;
  const rnd = lcg(seed);
  const s = 1 / Math.sqrt(H);
  const u = (n: number) => Float32Array.from({ length: n }, () => (2 * rnd() - 1) * s);
  return { wx: u(H * I), wh: u(H * H), b: u(H), wo: u(O * H), bo: u(O) };
}

/** Flip-flop-like sparse ±1 pulses; targets hold the last pulse per channel; plain MSE weights. */
function flipFlopData(w: Workload, seed: number): StepData {
  const { batch: B, steps: T, channels: N } = w;
  const rnd = lcg(seed);
  const inputs = new Float32Array(B * T * N);
  const targets = new Float32Array(B * T * N);
  for (let b = 0; b < B; b++) {
    const last = new Float32Array(N);
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < N; c++) {
        const i = (b * T + t) * N + c;
        if (rnd() < 0.05) {
          inputs[i] = rnd() < 0.5 ? -1 : 1;
          last[c] = inputs[i];
        }
        targets[i] = last[c];
      }
    }
  }
  const weights = new Float32Array(B * T * N).fill(1 / (B * T * N));
  return { batch: B, steps: T, inputs, targets, weights };
}

/**
 * Correctness check on this adapter before timing: K = 2 members of the workload's H, I, O
 * with B = 8 trials, 3 Adam steps, against `tsKernel` (float64 BPTT) + PyTorch-semantics Adam
 * in float64. Returns the worst relative loss error and the worst final-weight difference.
 */
async function parityCheck(
  w: Workload,
  recurrence: "fused" | "ops",
  tile: number | undefined,
): Promise<{ lossRel: number; paramAbs: number }> {
  const shape: RnnShape = { inputDim: w.channels, hidden: w.hidden, outputDim: w.channels };
  const small = { ...w, batch: 8 };
  const K = 2;
  const adam = { beta1: 0.9, beta2: 0.999, eps: 1e-8 };
  const lr = 1e-3;
  const init = [initParams(shape, 5), initParams(shape, 6)];
  const backend = await createWebGpuBackend({
    shape,
    initialParams: init,
    adam,
    regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
    recurrence,
    recurrenceTile: tile,
  });
  const keys = ["wx", "wh", "b", "wo", "bo"] as const;
  const ref = init.map((p) => ({
    p: { wx: p.wx.slice(), wh: p.wh.slice(), b: p.b.slice(), wo: p.wo.slice(), bo: p.bo.slice() },
    m: keys.map((k) => new Float64Array(p[k].length)),
    v: keys.map((k) => new Float64Array(p[k].length)),
  }));
  let lossRel = 0;
  try {
    for (let s = 1; s <= 3; s++) {
      const data = [flipFlopData(small, 10 * s), flipFlopData(small, 10 * s + 1)];
      const got = await backend.step(data, new Float64Array(K).fill(lr), [true, true]);
      for (let k = 0; k < K; k++) {
        const g: RnnParams = {
          wx: new Float32Array(init[k].wx.length),
          wh: new Float32Array(init[k].wh.length),
          b: new Float32Array(init[k].b.length),
          wo: new Float32Array(init[k].wo.length),
          bo: new Float32Array(init[k].bo.length),
        };
        const want = tsKernel.lossAndGrads(shape, ref[k].p, data[k], g);
        lossRel = Math.max(lossRel, Math.abs(got[k] - want) / Math.abs(want));
        const bc1 = 1 - Math.pow(adam.beta1, s);
        const bc2 = Math.sqrt(1 - Math.pow(adam.beta2, s));
        keys.forEach((key, q) => {
          const p = ref[k].p[key];
          const m = ref[k].m[q];
          const v = ref[k].v[q];
          for (let i = 0; i < p.length; i++) {
            m[i] += (1 - adam.beta1) * (g[key][i] - m[i]);
            v[i] = adam.beta2 * v[i] + (1 - adam.beta2) * g[key][i] * g[key][i];
            p[i] -= (lr / bc1) * (m[i] / (Math.sqrt(v[i]) / bc2 + adam.eps));
          }
        });
      }
    }
    const final = await backend.getParams();
    let paramAbs = 0;
    for (let k = 0; k < K; k++) {
      for (const key of keys) {
        for (let i = 0; i < final[k][key].length; i++) {
          paramAbs = Math.max(paramAbs, Math.abs(final[k][key][i] - ref[k].p[key][i]));
        }
      }
    }
    return { lossRel, paramAbs };
  } finally {
    await backend.dispose();
  }
}

/** Writes `value` as indented JSON, durably and atomically (temp + fsync + rename). */
async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeTextAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

/** The command line of scripts/bench_webgpu.ts (flags as in the module comment). */
export const CLI = defineCli({
  name: "scripts/bench_webgpu.ts",
  command: "deno run -A scripts/bench_webgpu.ts",
  summary: "Throughput of the WebGPU population backend: network-steps/s for K members trained " +
    "together on the Appendix A workloads, optionally after a parity check against the CPU " +
    "reference.",
  flags: {
    members: f.numbers("K,…", "population sizes", { integer: true, min: 1, max: 100000 }),
    workloads: f.choices(Object.keys(WORKLOADS), "NAME,…", "workloads (default: all)"),
    steps: f.int("N", "timed steps", { min: 1, max: 100000, defaultText: "10" }),
    warmup: f.int("N", "warm-up steps (the first includes shader compilation)", {
      min: 1,
      max: 1000,
      defaultText: "2",
    }),
    tiny: f.switch("every workload shrunk to B=4, T=5, H=8 (a smoke run on a software adapter)"),
    "allow-fallback": f.switch("run the full workloads on a software (fallback) adapter"),
    recurrence: f.choice(
      ["fused", "ops"] as const,
      "time loops: fused WGSL or plain tfjs ops",
      "fused",
    ),
    tile: f.int("N", "trials per workgroup (default: the backend's)", { min: 1, max: 1024 }),
    batch: f.int("B", "batch size override (rows then differ from Appendix A)", {
      min: 1,
      max: 1000000,
    }),
    check: f.switch("verify the backend against the CPU reference first, stop on a mismatch"),
    "check-only": f.switch("run only that check (also on a software adapter)"),
    json: f.path("FILE", "also write the rows as JSON (atomically)"),
  },
});

async function main(values: Parsed<typeof CLI.spec.flags>): Promise<void> {
  const members = values.members ?? [1, 8, 50];
  const steps = values.steps ?? 10;
  const warmup = values.warmup ?? 2;
  const recurrence = values.recurrence ?? "fused";
  const tile = values.tile;
  const names = values.workloads ?? Object.keys(WORKLOADS);

  const info = await webgpuAdapterInfo();
  console.error(
    `WebGPU adapter: ${info.description} (available ${info.available}, fallback ${info.isFallbackAdapter})`,
  );
  if (!info.available) throw new Error(`no WebGPU adapter: ${info.description}`);
  if (
    info.isFallbackAdapter && !values.tiny && !values["allow-fallback"] && !values["check-only"]
  ) {
    throw new Error(
      "the adapter is a software fallback: full workloads would take hours; use --tiny or --allow-fallback",
    );
  }

  if (values.check || values["check-only"]) {
    // Same tolerance as tests/rnn/backends/webgpu_test.ts: loss 1e-4 relative, weights 1e-4 absolute.
    for (const name of names) {
      const w = values.tiny ? { ...WORKLOADS[name], hidden: 8, steps: 5 } : WORKLOADS[name];
      const r = await parityCheck(w, recurrence, tile);
      const ok = r.lossRel <= 1e-4 && r.paramAbs <= 1e-4;
      console.log(
        `check ${name.padEnd(24)} H=${w.hidden} T=${w.steps} B=8 K=2: worst loss error ` +
          `${r.lossRel.toExponential(2)} (relative), weights ${r.paramAbs.toExponential(2)} ` +
          `(absolute) → ${ok ? "OK" : "FAILED"}`,
      );
      if (!ok) throw new Error(`parity check failed on ${name}`);
    }
  }
  if (values["check-only"]) return;
  const rows: BenchRow[] = [];
  for (const name of names) {
    let w = values.tiny ? { ...WORKLOADS[name], hidden: 8, batch: 4, steps: 5 } : WORKLOADS[name];
    if (values.batch !== undefined) w = { ...w, batch: values.batch };
    const shape: RnnShape = { inputDim: w.channels, hidden: w.hidden, outputDim: w.channels };
    for (const K of members) {
      const initialParams = Array.from({ length: K }, (_, k) => initParams(shape, 17 + k));
      const data = Array.from({ length: K }, (_, k) => flipFlopData(w, 1000 + k));
      const lrs = new Float64Array(K).fill(1e-3);
      const active = new Array(K).fill(true);
      const backend = await createWebGpuBackend({
        shape,
        initialParams,
        adam: { beta1: 0.9, beta2: 0.999, eps: 1e-8 },
        regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
        recurrence,
        recurrenceTile: tile,
      });
      try {
        let t0 = performance.now();
        await backend.step(data, lrs, active);
        const firstStepMs = performance.now() - t0;
        for (let i = 1; i < warmup; i++) await backend.step(data, lrs, active);
        t0 = performance.now();
        let last: Float64Array = new Float64Array(K);
        for (let i = 0; i < steps; i++) last = await backend.step(data, lrs, active);
        const ms = (performance.now() - t0) / steps;
        if (!last.every(Number.isFinite)) throw new Error(`${name} K=${K}: non-finite loss`);
        const row: BenchRow = {
          workload: name,
          backend: recurrence === "fused" ? "webgpu" : "webgpu-ops",
          members: K,
          netStepsPerSec: (1000 * K) / ms,
          msPerStep: ms,
          firstStepMs,
          shape: { hidden: w.hidden, batch: w.batch, steps: w.steps, channels: w.channels },
          adapter: info.description,
        };
        rows.push(row);
        console.log(
          `${name.padEnd(24)} K=${String(K).padStart(3)}  ${
            row.netStepsPerSec.toFixed(2).padStart(9)
          } network-steps/s  (${ms.toFixed(1)} ms/step, first step ${firstStepMs.toFixed(0)} ms)`,
        );
      } finally {
        await backend.dispose();
      }
    }
  }
  if (values.json) await writeJsonAtomic(values.json, rows);
}

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (values) => {
    try {
      await main(values);
    } finally {
      await releaseWebGpu();
    }
  });
}
