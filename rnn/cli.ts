/**
 * Command-line plumbing shared by training scripts: parses `--backend auto|cpu|webgpu`,
 * `--workers N`, `--kernel auto|ts|wasm`, `--members K`, `--seed S` and `--quiet` into
 * `trainPopulation` options. Pure (no I/O); unknown flags are left to the caller.
 *
 * @module
 */
import { parseArgs } from "node:util";
import type { TrainPopulationOptions } from "./train.ts";
import { validateBackendChoice } from "./backends/select.ts";
import { validateKernelChoice } from "./kernels/select.ts";
import { validateSeed } from "./seeds.ts";

/** Training flags as parsed by `parseTrainingFlags`. */
export interface TrainingFlags {
  /** The `trainPopulation` options the flags set. */
  options: Pick<TrainPopulationOptions, "backend" | "workers" | "kernel" | "members" | "seed">;
  /** `--quiet`: no progress lines. */
  quiet: boolean;
  /** Arguments this parser did not consume (other flags and positionals), in order. */
  rest: string[];
}

/** Help text for the training flags, for a script's `--help`. */
export const TRAINING_FLAGS_HELP =
  `  --backend auto|cpu|webgpu  population backend (default auto: WebGPU on a real GPU, else CPU)
  --workers N                CPU worker threads (default one per core; 0 = in-process)
  --kernel auto|ts|wasm      CPU kernel (default auto: WASM SIMD when available)
  --members K                population size
  --seed S                   base seed (integer in [0, 2147483647])
  --quiet                    no progress lines`;

function intFlag(name: string, v: string, lo: number, hi: number): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isInteger(n) || n < lo || n > hi) {
    throw new Error(`--${name} must be an integer in [${lo}, ${hi}], got ${v}`);
  }
  return n;
}

/**
 * Parses the training flags out of `args` (e.g. `Deno.args`); throws naming a bad flag.
 *
 * @example
 * ```ts
 * import { parseTrainingFlags } from "@degeneracy/degeneracy";
 * const { options, quiet, rest } = parseTrainingFlags(["--members", "8", "--quiet", "--out", "x"]);
 * if (options.members !== 8 || !quiet || rest.join(" ") !== "--out x") throw new Error("parse");
 * ```
 */
export function parseTrainingFlags(args: string[]): TrainingFlags {
  const { values, tokens } = parseArgs({
    args,
    options: {
      backend: { type: "string" },
      workers: { type: "string" },
      kernel: { type: "string" },
      members: { type: "string" },
      seed: { type: "string" },
      quiet: { type: "boolean" },
    },
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const mine = new Set(["backend", "workers", "kernel", "members", "seed", "quiet"]);
  const rest: string[] = [];
  for (const t of tokens ?? []) {
    if (t.kind === "option" && mine.has(t.name)) continue;
    if (t.kind === "option-terminator") rest.push("--");
    else if (t.kind === "positional") rest.push(t.value);
    else if (t.kind === "option") {
      rest.push(t.rawName);
      if (t.value !== undefined && !t.inlineValue) rest.push(t.value);
      else if (t.value !== undefined) rest[rest.length - 1] = `${t.rawName}=${t.value}`;
    }
  }
  const options: TrainingFlags["options"] = {};
  const str = (k: string): string | undefined => {
    const v = values[k];
    if (v === undefined) return undefined;
    if (typeof v !== "string") throw new Error(`--${k} needs a value`);
    return v;
  };
  const backend = str("backend");
  if (backend !== undefined) {
    validateBackendChoice(backend);
    options.backend = backend;
  }
  const kernel = str("kernel");
  if (kernel !== undefined) {
    validateKernelChoice(kernel);
    options.kernel = kernel;
  }
  const workers = str("workers");
  if (workers !== undefined) options.workers = intFlag("workers", workers, 0, 1024);
  const members = str("members");
  if (members !== undefined) options.members = intFlag("members", members, 1, 100_000);
  const seed = str("seed");
  if (seed !== undefined) {
    options.seed = intFlag("seed", seed, 0, 0x7fffffff);
    validateSeed("--seed", options.seed);
  }
  const quiet = values.quiet;
  if (quiet !== undefined && typeof quiet !== "boolean") throw new Error("--quiet takes no value");
  return { options, quiet: quiet === true, rest };
}
