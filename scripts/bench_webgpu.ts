/**
 * Throughput of the WebGPU population backend (issue 4 "Performance"): network-steps/s
 * (one step = forward + full BPTT + Adam, per member) for K members trained together, on the
 * three Appendix A workloads (shapes as in `../shared/bench/torch_rnn.py`):
 *   flipflop                H=64,  B=256, T=100, I=O=3
 *   delayed_discrimination  H=128, B=256, T=60,  I=O=2
 *   sine                    H=128, B=32,  T=100, I=O=1
 *
 * Usage:
 *   deno run -A scripts/bench_webgpu.ts [--members 1,8,50] [--workloads flipflop,sine,...]
 *     [--steps 10] [--warmup 2] [--tiny] [--allow-fallback] [--recurrence fused|ops]
 *     [--tile N] [--json FILE]
 *
 * `--tiny` shrinks every workload to B=4, T=5, H=8 (a smoke run on the software adapter).
 * On a fallback (software) adapter the full workloads are refused unless `--allow-fallback`.
 * The first warm-up step includes shader compilation and is reported separately.
 * `--recurrence ops` times the plain-tfjs-ops time loops instead of the fused WGSL ones
 * (backend `webgpu-ops` in the output); `--tile N` overrides the trials per workgroup.
 * `--json FILE` writes `[{ workload, backend: "webgpu", members, netStepsPerSec, ... }]`
 * atomically (temp file + rename).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createWebGpuBackend, webgpuAdapterInfo } from "../rnn/backend_webgpu.ts";
import type { RnnParams, RnnShape, StepData } from "../rnn/types.ts";
import { WORKLOADS as CPU_WORKLOADS } from "./bench/harness.ts";

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

async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const tmp = `${path}.tmp-${Deno.pid}`;
  await Deno.writeTextFile(tmp, JSON.stringify(value, null, 2) + "\n");
  await Deno.rename(tmp, path);
}

function parseList(name: string, s: string): number[] {
  const out = s.split(",").map((x) => Number(x.trim()));
  for (const k of out) {
    if (!Number.isInteger(k) || k < 1) {
      throw new Error(`--${name} must list integers ≥ 1, got ${s}`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      members: { type: "string", default: "1,8,50" },
      workloads: { type: "string", default: Object.keys(WORKLOADS).join(",") },
      steps: { type: "string", default: "10" },
      warmup: { type: "string", default: "2" },
      tiny: { type: "boolean", default: false },
      "allow-fallback": { type: "boolean", default: false },
      recurrence: { type: "string", default: "fused" },
      tile: { type: "string" },
      json: { type: "string" },
    },
  });
  const members = parseList("members", values.members!);
  const [steps] = parseList("steps", values.steps!);
  const warmup = Number(values.warmup);
  if (!Number.isInteger(warmup) || warmup < 1) {
    throw new Error(`--warmup must be an integer ≥ 1, got ${values.warmup}`);
  }
  const recurrence = values.recurrence;
  if (recurrence !== "fused" && recurrence !== "ops") {
    throw new Error(`--recurrence must be fused or ops, got ${recurrence}`);
  }
  const tile = values.tile === undefined ? undefined : parseList("tile", values.tile)[0];
  const names = values.workloads!.split(",").map((s) => s.trim());
  for (const n of names) {
    if (!(n in WORKLOADS)) {
      throw new Error(`--workloads: unknown ${n}; allowed ${Object.keys(WORKLOADS).join(", ")}`);
    }
  }

  const info = await webgpuAdapterInfo();
  console.error(
    `WebGPU adapter: ${info.description} (available ${info.available}, fallback ${info.isFallbackAdapter})`,
  );
  if (!info.available) throw new Error(`no WebGPU adapter: ${info.description}`);
  if (info.isFallbackAdapter && !values.tiny && !values["allow-fallback"]) {
    throw new Error(
      "the adapter is a software fallback: full workloads would take hours; use --tiny or --allow-fallback",
    );
  }

  const rows: BenchRow[] = [];
  for (const name of names) {
    const w = values.tiny ? { ...WORKLOADS[name], hidden: 8, batch: 4, steps: 5 } : WORKLOADS[name];
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

if (import.meta.main) await main();
