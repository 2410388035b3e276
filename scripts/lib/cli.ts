/**
 * Command-line parsing shared by the experiment, control, reproduce and report scripts
 * (`node:util` parseArgs; JSR's std/cli is unreachable here).
 */
import { parseArgs } from "node:util";

/** Options every pipeline script accepts. */
export interface CommonArgs {
  /** Preset name: `smoke`, `quick` (default) or `paper`. */
  preset: string;
  /** Output (run) directory. */
  out: string;
  /** Override of the preset's networks per variant. */
  members?: number;
  /** Training backend: `auto` (default), `cpu`, `webgpu` … (passed to the engine). */
  backend: string;
  /** Suppress progress output on stderr. */
  quiet: boolean;
  /** Override of the study's variant levels (e.g. `1,2,3` channels). */
  levels?: number[];
  /** Print usage and exit. */
  help: boolean;
}

/** Usage text shared by the scripts; `script` is the script's name. */
export function usage(script: string, extra = ""): string {
  return `usage: ${script} [--preset smoke|quick|paper] [--out DIR] [--members K] ` +
    `[--backend auto|cpu|webgpu] [--levels a,b,c] [--quiet]${extra}\n` +
    `  --preset   scale of the run (default quick)\n` +
    `  --out      run directory (default runs/<preset>)\n` +
    `  --members  networks per variant (default: the preset's)\n` +
    `  --backend  training backend (default auto: WebGPU on a real GPU, else CPU workers)\n` +
    `  --levels   comma-separated variant levels of this study (default: the preset's)\n` +
    `  --quiet    no progress on stderr`;
}

/** Parses the common options; throws an Error naming the flag on a bad value. */
export function parseCommon(args: string[]): CommonArgs {
  const { values } = parseArgs({
    args,
    options: {
      preset: { type: "string", default: "quick" },
      out: { type: "string" },
      members: { type: "string" },
      backend: { type: "string", default: "auto" },
      levels: { type: "string" },
      quiet: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const preset = values.preset!;
  if (!["smoke", "quick", "paper"].includes(preset)) {
    throw new UsageError(`--preset must be smoke, quick or paper, got "${preset}"`);
  }
  let members: number | undefined;
  if (values.members !== undefined) {
    members = Number(values.members);
    if (!Number.isInteger(members) || members < 1 || members > 10000) {
      throw new UsageError(`--members must be an integer in [1, 10000], got "${values.members}"`);
    }
  }
  let levels: number[] | undefined;
  if (values.levels !== undefined) {
    levels = values.levels.split(",").map((s) => s.trim() === "" ? NaN : Number(s.trim()));
    if (levels.length === 0 || levels.some((x) => !Number.isFinite(x))) {
      throw new UsageError(`--levels must be comma-separated numbers, got "${values.levels}"`);
    }
  }
  const backend = values.backend!;
  if (!/^[a-z0-9-]+$/.test(backend)) {
    throw new UsageError(
      `--backend must be a backend name (auto, cpu, webgpu …), got "${backend}"`,
    );
  }
  return {
    preset,
    out: values.out ?? `runs/${preset}`,
    members,
    backend,
    quiet: values.quiet!,
    levels,
    help: values.help!,
  };
}

/** A bad command-line value: the entry point prints its message as one line and exits 2. */
export class UsageError extends Error {}

/** Whether `DEGENERACY_DEBUG=1` is set (checked without prompting for the permission). */
export function debugEnabled(): boolean {
  try {
    const q = Deno.permissions.querySync({ name: "env", variable: "DEGENERACY_DEBUG" });
    return q.state === "granted" && Deno.env.get("DEGENERACY_DEBUG") === "1";
  } catch {
    return false;
  }
}

/**
 * Runs an entry point's `main`: a `UsageError` (or a `node:util` parseArgs error: unknown
 * flag, missing value, positional argument) prints `error: <message>` and exits 2; any other
 * error prints `error: <first line>` and exits 1. Stack traces only with DEGENERACY_DEBUG=1.
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    const usage = e instanceof UsageError ||
      (e instanceof TypeError && /^ERR_PARSE_ARGS/.test((e as { code?: string }).code ?? ""));
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`error: ${msg.split("\n")[0]}`);
    if (debugEnabled() && e instanceof Error) console.error(e.stack);
    Deno.exit(usage ? 2 : 1);
  }
}

/** Parses `--name VALUE` as an integer ≥ `min` (undefined when absent); UsageError otherwise. */
export function intFlag(value: string | undefined, name: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === "" || !Number.isInteger(x) || x < min) {
    throw new UsageError(`--${name}: must be an integer ≥ ${min}, got "${value}"`);
  }
  return x;
}
