/**
 * The one command-line parser and validator of every entry point (`reproduce`, `plan`,
 * `status`, `run_unit`, `report`, the experiment, control, measure and bench scripts).
 *
 * A script declares its flags once ({@link f}: a switch, a string, a path, an integer or number
 * in a range, a choice, a comma-separated list, JSON), and {@link defineCli} turns that into a
 * parser, a `--help` text and the checks every entry point shares:
 *
 * - every flag value is validated before anything is read or written; a bad one is a
 *   {@link UsageError} whose message is `<flag>: <what is wrong> (<allowed>)`;
 * - unknown flags, positional arguments, a flag given twice, a missing or empty value, a value
 *   on a switch are errors of the same form;
 * - {@link runCli} prints `error: <message>` as ONE line and exits 2 for a usage error, 1 for
 *   any other error (stack traces only with `DEGENERACY_DEBUG=1`), and prints the usage text
 *   and exits 0 for `--help` / `-h`;
 * - {@link requireAccess} checks, before anything is touched, that the paths a run reads and
 *   writes are granted (and that a path inside the granted tree does not leave it through a
 *   symlink); otherwise the error gives the exact `deno run …` command that grants them.
 *
 * (`node:util` parseArgs is not used: its errors cannot be told apart reliably and it accepts
 * repeated flags silently.)
 *
 * @module
 */

/** A bad command-line value: printed as `error: <flag>: <what> (<allowed>)`, exit code 2. */
export class UsageError extends Error {
  constructor(
    /** The flag (e.g. `--members`) or the offending argument. */
    readonly flag: string,
    /** What is wrong, e.g. `"0" is below the minimum`. */
    readonly what: string,
    /** What is allowed, e.g. `an integer from 2 to 10000`. */
    readonly allowed: string,
  ) {
    super(`${flag}: ${what} (${allowed})`);
  }
}

/** A flag value the flag's own parser rejects; {@link parseFlags} adds the flag and range. */
export class InvalidValue extends Error {}

/** A switch: `--quiet` (no value); parsed as a boolean, false when absent. */
export interface SwitchFlag {
  readonly kind: "switch";
  readonly help: string;
  readonly short?: string;
}

/** A flag with one value (`--out DIR` or `--out=DIR`); `undefined` when absent. */
export interface ValueFlag<T> {
  readonly kind: "value";
  /** Placeholder of the value in the usage text, e.g. `DIR`, `K`. */
  readonly arg: string;
  readonly help: string;
  /** What values are allowed (shown in errors and, with the default, in the usage). */
  readonly allowed: string;
  /** The default, as the usage shows it (the script applies it). */
  readonly defaultText?: string;
  /** Parses and checks a raw value; throws {@link InvalidValue} saying what is wrong. */
  readonly parse: (raw: string) => T;
}

/** A repeatable flag (`--task JSON --task JSON`); `[]` when absent. */
export interface RepeatFlag<T> {
  readonly kind: "repeat";
  readonly arg: string;
  readonly help: string;
  readonly allowed: string;
  readonly parse: (raw: string) => T;
}

/** Any flag declaration. */
export type FlagSpec = SwitchFlag | ValueFlag<unknown> | RepeatFlag<unknown>;

/** The parsed values of a set of flag declarations. */
export type Parsed<S extends Record<string, FlagSpec>> = {
  -readonly [K in keyof S]: S[K] extends SwitchFlag ? boolean
    : S[K] extends RepeatFlag<infer T> ? T[]
    : S[K] extends ValueFlag<infer T> ? T | undefined
    : never;
};

const quoteValue = (raw: string) => JSON.stringify(raw);

function value<T>(
  arg: string,
  help: string,
  allowed: string,
  parse: (raw: string) => T,
  defaultText?: string,
): ValueFlag<T> {
  return { kind: "value", arg, help, allowed, parse, defaultText };
}

function numberIn(
  raw: string,
  o: { integer?: boolean; min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean },
): number {
  const s = raw.trim();
  if (s === "") throw new InvalidValue("empty value");
  const x = Number(s);
  if (!Number.isFinite(x)) throw new InvalidValue(`${quoteValue(raw)} is not a number`);
  if (o.integer && !Number.isInteger(x)) {
    throw new InvalidValue(`${quoteValue(raw)} is not an integer`);
  }
  if (o.min !== undefined && (o.minOpen ? x <= o.min : x < o.min)) {
    throw new InvalidValue(`${quoteValue(raw)} is too small`);
  }
  if (o.max !== undefined && (o.maxOpen ? x >= o.max : x > o.max)) {
    throw new InvalidValue(`${quoteValue(raw)} is too large`);
  }
  return x;
}

/** Text of a numeric range, e.g. `an integer from 2 to 10000`, `a number in (0, 1]`. */
export function rangeText(
  o: { integer?: boolean; min?: number; max?: number; minOpen?: boolean; maxOpen?: boolean },
): string {
  const kind = o.integer ? "an integer" : "a number";
  if (o.min !== undefined && o.max !== undefined) {
    if (o.integer && !o.minOpen && !o.maxOpen) return `${kind} from ${o.min} to ${o.max}`;
    return `${kind} in ${o.minOpen ? "(" : "["}${o.min}, ${o.max}${o.maxOpen ? ")" : "]"}`;
  }
  if (o.min !== undefined) return `${kind} ${o.minOpen ? ">" : "≥"} ${o.min}`;
  if (o.max !== undefined) return `${kind} ${o.maxOpen ? "<" : "≤"} ${o.max}`;
  return o.integer ? "an integer" : "a finite number";
}

/** Builders of flag declarations. */
export const f = {
  /** A switch (`--quiet`): true when given. */
  switch(help: string, short?: string): SwitchFlag {
    return { kind: "switch", help, ...(short ? { short } : {}) };
  },
  /** A non-empty string; `pattern` restricts it (with `allowed` describing the pattern). */
  string(
    arg: string,
    help: string,
    o: { allowed?: string; pattern?: RegExp; defaultText?: string } = {},
  ): ValueFlag<string> {
    const allowed = o.allowed ?? "a non-empty string";
    return value(arg, help, allowed, (raw) => {
      if (raw.trim() === "") throw new InvalidValue("empty value");
      if (o.pattern && !o.pattern.test(raw)) {
        throw new InvalidValue(`${quoteValue(raw)} is not allowed`);
      }
      return raw;
    }, o.defaultText);
  },
  /** A file or directory path (non-empty). */
  path(arg: string, help: string, defaultText?: string): ValueFlag<string> {
    return value(arg, help, `a ${arg === "DIR" ? "directory" : "file"} path`, (raw) => {
      if (raw.trim() === "") throw new InvalidValue("empty path");
      if (raw.includes("\0")) throw new InvalidValue("path holds a NUL character");
      return raw;
    }, defaultText);
  },
  /** An integer in [min, max]. */
  int(
    arg: string,
    help: string,
    o: { min?: number; max?: number; defaultText?: string } = {},
  ): ValueFlag<number> {
    const r = { integer: true, min: o.min, max: o.max };
    return value(arg, help, rangeText(r), (raw) => numberIn(raw, r), o.defaultText);
  },
  /** A finite number in a range (open or closed ends). */
  number(
    arg: string,
    help: string,
    o: {
      min?: number;
      max?: number;
      minOpen?: boolean;
      maxOpen?: boolean;
      integer?: boolean;
      defaultText?: string;
    } = {},
  ): ValueFlag<number> {
    return value(arg, help, rangeText(o), (raw) => numberIn(raw, o), o.defaultText);
  },
  /** One of `choices`. */
  choice<C extends string>(
    choices: readonly C[],
    help: string,
    defaultText?: string,
  ): ValueFlag<C> {
    const allowed = `one of ${choices.join(", ")}`;
    return value(choices.join("|"), help, allowed, (raw) => {
      if (raw.trim() === "") throw new InvalidValue("empty value");
      if (!(choices as readonly string[]).includes(raw)) {
        throw new InvalidValue(`unknown value ${quoteValue(raw)}`);
      }
      return raw as C;
    }, defaultText);
  },
  /** A comma-separated list of numbers in a range, at least one, no duplicates. */
  numbers(
    arg: string,
    help: string,
    o: { integer?: boolean; min?: number; max?: number; minOpen?: boolean; allowed?: string } = {},
  ): ValueFlag<number[]> {
    const allowed = o.allowed ??
      `comma-separated distinct ${rangeText(o).replace(/^an? /, "").replace(/^(\w+)/, "$1s")}`;
    return value(arg, help, allowed, (raw) => {
      if (raw.trim() === "") throw new InvalidValue("empty list");
      const parts = raw.split(",");
      const xs = parts.map((p, i) => {
        if (p.trim() === "") throw new InvalidValue(`item ${i + 1} of ${quoteValue(raw)} is empty`);
        try {
          return numberIn(p, o);
        } catch (e) {
          throw new InvalidValue(`item ${i + 1}: ${(e as Error).message}`);
        }
      });
      if (new Set(xs).size !== xs.length) {
        throw new InvalidValue(`${quoteValue(raw)} repeats a value`);
      }
      return xs;
    });
  },
  /** A comma-separated list of distinct `choices`, at least one. */
  choices<C extends string>(choices: readonly C[], arg: string, help: string): ValueFlag<C[]> {
    const allowed = `comma-separated, from ${choices.join(", ")}`;
    return value(arg, help, allowed, (raw) => {
      if (raw.trim() === "") throw new InvalidValue("empty list");
      const xs = raw.split(",").map((s) => s.trim());
      for (const [i, x] of xs.entries()) {
        if (x === "") throw new InvalidValue(`item ${i + 1} of ${quoteValue(raw)} is empty`);
        if (!(choices as readonly string[]).includes(x)) {
          throw new InvalidValue(`unknown value ${quoteValue(x)}`);
        }
      }
      if (new Set(xs).size !== xs.length) {
        throw new InvalidValue(`${quoteValue(raw)} repeats a value`);
      }
      return xs as C[];
    });
  },
  /** A JSON value (`check` may reject it by throwing {@link InvalidValue}). */
  json<T = unknown>(
    arg: string,
    help: string,
    allowed: string,
    check: (v: unknown) => T = (v) => v as T,
  ): ValueFlag<T> {
    return value(arg, help, allowed, (raw) => {
      if (raw.trim() === "") throw new InvalidValue("empty value");
      let v: unknown;
      try {
        v = JSON.parse(raw);
      } catch {
        throw new InvalidValue(`${quoteValue(raw)} is not valid JSON`);
      }
      return check(v);
    });
  },
  /** Any value checked by `parse` (throwing {@link InvalidValue}). */
  custom<T>(
    arg: string,
    help: string,
    allowed: string,
    parse: (raw: string) => T,
    defaultText?: string,
  ): ValueFlag<T> {
    return value(arg, help, allowed, (raw) => {
      if (raw.trim() === "") throw new InvalidValue("empty value");
      return parse(raw);
    }, defaultText);
  },
  /** The repeatable form of a value flag (`--task A --task B`). */
  repeat<T>(flag: ValueFlag<T>): RepeatFlag<T> {
    return {
      kind: "repeat",
      arg: flag.arg,
      help: flag.help,
      allowed: flag.allowed,
      parse: flag.parse,
    };
  },
};

/** A script's command line: its name, what it does, its flags. */
export interface CliSpec<S extends Record<string, FlagSpec>> {
  /** The `deno task` name (e.g. `reproduce`, `measure:pif`) or script name. */
  name: string;
  /**
   * How the script is started when it has no `deno task` (e.g. `deno run --allow-read
   * scripts/bench/dsa_profile.ts`); the usage line shows it instead of `deno task <name>`.
   */
  command?: string;
  /** One or two sentences: what the script does. */
  summary: string;
  flags: S;
  /** Extra lines after the flag list (studies, examples, notes). */
  notes?: string[];
}

/** A declared command line: `parse` its arguments, print its `usage`. */
export interface Cli<S extends Record<string, FlagSpec>> {
  readonly spec: CliSpec<S>;
  /** Parses and validates `args`; `null` when `--help`/`-h` was given. Throws UsageError. */
  parse(args: string[]): Parsed<S> | null;
  /** The `--help` text. */
  usage(): string;
}

const HELP: SwitchFlag = { kind: "switch", help: "print this help and exit", short: "h" };

/** Parses `args` against `flags` (see the module doc); `help` true when `--help`/`-h` given. */
export function parseFlags<S extends Record<string, FlagSpec>>(
  flags: S,
  args: string[],
): { values: Parsed<S>; help: boolean } {
  const all: Record<string, FlagSpec> = { ...flags, help: HELP };
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(all)) {
    if (spec.kind === "switch" && spec.short) byShort.set(`-${spec.short}`, name);
  }
  const names = Object.keys(all).map((n) => `--${n}`);
  const known = `flags: ${names.join(", ")}`;
  const raw = new Map<string, string[]>();
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let name: string;
    let inline: string | undefined;
    if (a.startsWith("--") && a.length > 2) {
      const eq = a.indexOf("=");
      name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      inline = eq < 0 ? undefined : a.slice(eq + 1);
    } else if (byShort.has(a)) {
      name = byShort.get(a)!;
    } else if (a === "--") {
      const rest = args.slice(i + 1);
      if (rest.length === 0) continue;
      throw new UsageError(rest[0], "unexpected positional argument", `${known}; no positionals`);
    } else if (a.startsWith("-") && a.length > 1 && !/^-[\d.]/.test(a)) {
      throw new UsageError(a, "unknown flag", known);
    } else {
      throw new UsageError(
        a === "" ? '""' : a,
        "unexpected positional argument",
        `this script takes flags only; ${known}`,
      );
    }
    const spec = all[name];
    if (!spec) throw new UsageError(`--${name}`, "unknown flag", known);
    if (name === "help") {
      help = true;
      continue;
    }
    if (spec.kind === "switch") {
      if (inline !== undefined) {
        throw new UsageError(
          `--${name}`,
          `a switch takes no value, got ${quoteValue(inline)}`,
          "give --" + name + " alone",
        );
      }
      if (raw.has(name)) throw new UsageError(`--${name}`, "given twice", "at most once");
      raw.set(name, []);
      continue;
    }
    let v = inline;
    if (v === undefined) {
      const next = args[i + 1];
      if (next === undefined || (next.startsWith("--") && next.length > 2)) {
        throw new UsageError(
          `--${name}`,
          "needs a value",
          `--${name} ${spec.arg}: ${spec.allowed}`,
        );
      }
      v = next;
      i++;
    }
    const list = raw.get(name) ?? [];
    if (spec.kind === "value" && list.length > 0) {
      throw new UsageError(`--${name}`, "given twice", `at most once; ${spec.allowed}`);
    }
    list.push(v);
    raw.set(name, list);
  }
  const values: Record<string, unknown> = {};
  if (help) return { values: values as Parsed<S>, help };
  for (const [name, spec] of Object.entries(flags)) {
    const given = raw.get(name);
    if (spec.kind === "switch") {
      values[name] = given !== undefined;
      continue;
    }
    const parseOne = (r: string) => {
      try {
        return spec.parse(r);
      } catch (e) {
        if (e instanceof InvalidValue) throw new UsageError(`--${name}`, e.message, spec.allowed);
        if (e instanceof UsageError) throw e;
        throw new UsageError(`--${name}`, (e as Error).message.split("\n")[0], spec.allowed);
      }
    };
    if (spec.kind === "repeat") values[name] = (given ?? []).map(parseOne);
    else values[name] = given === undefined ? undefined : parseOne(given[0]);
  }
  return { values: values as Parsed<S>, help };
}

/** Usage text of a declared command line. */
export function usageText<S extends Record<string, FlagSpec>>(spec: CliSpec<S>): string {
  const entries = Object.entries({ ...spec.flags, help: HELP });
  const left = entries.map(([name, s]) =>
    (s.kind === "switch" && s.short ? `-${s.short}, ` : "") + `--${name}` +
    (s.kind === "switch" ? "" : ` ${s.arg}`) + (s.kind === "repeat" ? " (repeatable)" : "")
  );
  const w = Math.min(34, Math.max(...left.map((l) => l.length)));
  const lines = [
    `usage: ${spec.command ?? `deno task ${spec.name}`} [flags]`,
    "",
    spec.summary,
    "",
    "flags:",
  ];
  entries.forEach(([, s], i) => {
    let text = s.help;
    if (s.kind !== "switch") {
      text += ` (${s.allowed}${
        s.kind === "value" && s.defaultText ? `; default ${s.defaultText}` : ""
      })`;
    }
    const pad = left[i].length > w ? `\n${" ".repeat(w + 4)}` : " ".repeat(w - left[i].length);
    lines.push(`  ${left[i]}${pad}  ${text}`);
  });
  if (spec.notes?.length) lines.push("", ...spec.notes);
  return lines.join("\n");
}

/** Declares a script's command line (see the module doc). */
export function defineCli<S extends Record<string, FlagSpec>>(spec: CliSpec<S>): Cli<S> {
  return {
    spec,
    parse(args: string[]) {
      const r = parseFlags(spec.flags, args);
      return r.help ? null : r.values;
    },
    usage: () => usageText(spec),
  };
}

/** Whether `DEGENERACY_DEBUG=1` is set (checked without prompting for the permission). */
export function debugEnabled(): boolean {
  try {
    const q = Deno.permissions.querySync({ name: "env", variable: "DEGENERACY_DEBUG" });
    return q.state === "granted" && Deno.env.get("DEGENERACY_DEBUG") === "1";
  } catch {
    return false;
  }
}

/** Exit code of a usage error (bad flag, refused run directory). */
export const USAGE_EXIT = 2;

/**
 * Runs an entry point's `main`: a {@link UsageError} prints `error: <message>` and exits 2;
 * any other error prints `error: <first line>` and exits 1. Stack traces only with
 * `DEGENERACY_DEBUG=1`.
 */
export async function runMain(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    const usage = e instanceof UsageError;
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`error: ${msg.split("\n")[0]}`);
    if (debugEnabled() && e instanceof Error) console.error(e.stack);
    Deno.exit(usage ? USAGE_EXIT : 1);
  }
}

/**
 * Runs a script: parses `args` with `cli` (printing the usage and returning on `--help`), then
 * `main(values)`; errors as {@link runMain}.
 */
export function runCli<S extends Record<string, FlagSpec>>(
  cli: Cli<S>,
  args: string[],
  main: (values: Parsed<S>) => Promise<void> | void,
): Promise<void> {
  return runMain(async () => {
    const values = cli.parse(args);
    if (values === null) {
      console.log(cli.usage());
      return;
    }
    await main(values);
  });
}

function reportAndExit(e: unknown): never {
  const msg = e instanceof Error ? e.message : String(e);
  console.error(`error: ${msg.split("\n")[0]}`);
  if (debugEnabled() && e instanceof Error) console.error(e.stack);
  Deno.exit(e instanceof UsageError ? USAGE_EXIT : 1);
}

/**
 * For scripts whose work runs at the top level of the module (the bench scripts): makes any
 * uncaught error end the process with one line (exit 1; a UsageError exit 2), then parses
 * `args` with `cli`: prints the usage and exits 0 on `--help`, prints the error and exits 2 on
 * a bad flag, else returns the values.
 */
export function parseOrExit<S extends Record<string, FlagSpec>>(
  cli: Cli<S>,
  args: string[],
): Parsed<S> {
  globalThis.addEventListener("error", (e) => {
    e.preventDefault();
    reportAndExit(e.error ?? e.message);
  });
  globalThis.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    reportAndExit(e.reason);
  });
  let values: Parsed<S> | null;
  try {
    values = cli.parse(args);
  } catch (e) {
    reportAndExit(e);
  }
  if (values === null) {
    console.log(cli.usage());
    Deno.exit(0);
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Access to the paths a run reads and writes

/** A path a flag names, and whether the script reads or writes it. */
export interface PathAccess {
  /** The flag that names it (e.g. `--out`), for the error message. */
  flag: string;
  path: string;
}

/** What a script needs to run (besides its own modules, which `deno run` loads itself). */
export interface AccessNeeds {
  /** The script, relative to the repository root (e.g. `scripts/reproduce.ts`). */
  script: string;
  /** Paths read (the flags' paths and fixed ones such as the module folders). */
  read: (PathAccess | string)[];
  /** Paths written. */
  write: (PathAccess | string)[];
  /** Other permission flags of its task (e.g. `--allow-sys=hostname`). */
  other?: string[];
}

/** The folders the pipeline's Web Workers load modules from (read grants of the tasks). */
export { MODULE_PATHS as MODULE_FOLDERS } from "./units/permissions.ts";

function state(name: "read" | "write", path: string): Deno.PermissionState {
  try {
    return Deno.permissions.querySync({ name, path }).state;
  } catch {
    return "denied";
  }
}

const shellQuote = (s: string) =>
  /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;

/** The nearest existing ancestor of `path` resolved through symlinks, plus the rest. */
function resolveThroughLinks(path: string): string | null {
  const parts = path.split("/");
  for (let k = parts.length; k > 0; k--) {
    const head = parts.slice(0, k).join("/") || "/";
    if (state("read", head) !== "granted") return null;
    try {
      const real = Deno.realPathSync(head);
      const rest = parts.slice(k).filter((p) => p !== "");
      return [real, ...rest].join("/").replace(/\/+/g, "/");
    } catch {
      // does not exist yet: try its parent
    }
  }
  return null;
}

/**
 * Checks that every path of `needs` is granted (read or write, as declared) and that a written
 * path does not leave its granted tree through a symlink; otherwise throws a UsageError naming
 * the flag and giving the exact `deno run` command that runs the script with `args` and the
 * grants it needs. Touches nothing (permission queries and `realPath` only).
 */
export function requireAccess(needs: AccessNeeds, args: string[]): void {
  const norm = (p: PathAccess | string): PathAccess =>
    typeof p === "string" ? { flag: "", path: p } : p;
  const reads = needs.read.map(norm), writes = needs.write.map(norm);
  const command = (extraRead: string[] = [], extraWrite: string[] = []) => {
    const uniq = (xs: string[]) => [...new Set(xs)];
    const r = uniq([...reads.map((x) => x.path), ...writes.map((x) => x.path), ...extraRead]);
    const w = uniq([...writes.map((x) => x.path), ...extraWrite]);
    return [
      "deno run --no-prompt",
      `--allow-read=${r.map(shellQuote).join(",")}`,
      ...(w.length ? [`--allow-write=${w.map(shellQuote).join(",")}`] : []),
      ...(needs.other ?? []),
      needs.script,
      ...args.map(shellQuote),
    ].join(" ");
  };
  for (const w of writes) {
    if (w.flag === "") continue;
    if (state("write", w.path) !== "granted") {
      throw new UsageError(
        w.flag,
        `${w.path} is outside the tree this task may write (runs/)`,
        `write under runs/, or run: ${command()}`,
      );
    }
    const real = resolveThroughLinks(w.path);
    if (real !== null && state("write", real) !== "granted") {
      throw new UsageError(
        w.flag,
        `${w.path} leads through a symlink to ${real}, outside the granted tree`,
        `write under runs/ without leaving it, or grant the target: ${command([real], [real])}`,
      );
    }
  }
  for (const r of reads) {
    if (r.flag === "") continue;
    if (state("read", r.path) !== "granted") {
      throw new UsageError(
        r.flag,
        `${r.path} is outside the tree this task may read (runs/)`,
        `read under runs/, or run: ${command()}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The pipeline scripts' common flags (experiments and controls)

/** Options every experiment and control script accepts. */
export interface CommonArgs {
  /** Preset name: `smoke`, `quick` (default) or `paper`. */
  preset: "smoke" | "quick" | "paper";
  /** Output (run) directory. */
  out: string;
  /** Override of the preset's networks per variant. */
  members?: number;
  /** Training backend: `auto` (default), `cpu`, `webgpu`. */
  backend: "auto" | "cpu" | "webgpu";
  /** Suppress progress output on stderr. */
  quiet: boolean;
  /** Override of the study's variant levels (e.g. `1,2,3` channels). */
  levels?: number[];
  /** Print usage and exit. */
  help: boolean;
}

/** Presets of the pipeline. */
export const PRESET_NAMES = ["smoke", "quick", "paper"] as const;
/** Training backends a pipeline script accepts. */
export const BACKENDS = ["auto", "cpu", "webgpu"] as const;
/** Most networks per population a run accepts. */
export const MAX_MEMBERS = 10000;

/** Flags of `--preset`, `--out`, `--members`, `--backend`, `--quiet` shared by pipeline scripts. */
export const COMMON_FLAGS = {
  preset: f.choice(PRESET_NAMES, "scale of the run", "quick"),
  out: f.path("DIR", "run directory", "runs/<preset>"),
  members: f.int("K", "networks per population (a population needs 2 to compare)", {
    min: 2,
    max: MAX_MEMBERS,
    defaultText: "the preset's",
  }),
  backend: f.choice(BACKENDS, "training backend (auto: WebGPU on a real GPU, else CPU)", "auto"),
  quiet: f.switch("no progress on stderr"),
};

/** The flags of an experiment or control script (`levels` describes its study's levels). */
export function studyFlags(levels: { allowed: string; integer?: boolean; min?: number }) {
  return {
    ...COMMON_FLAGS,
    levels: f.numbers("a,b,c", "variant levels of this study (default: the preset's)", {
      integer: levels.integer,
      min: levels.min,
      allowed: levels.allowed,
    }),
  };
}

/**
 * Parses the common flags of an experiment or control script (`levels` as any distinct finite
 * numbers); throws a {@link UsageError} naming the flag. `help` is true for `--help`.
 */
export function parseCommon(args: string[]): CommonArgs {
  const { values, help } = parseFlags(
    studyFlags({ allowed: "comma-separated distinct numbers" }),
    args,
  );
  const preset = values.preset ?? "quick";
  return {
    preset,
    out: values.out ?? `runs/${preset}`,
    members: values.members,
    backend: values.backend ?? "auto",
    quiet: values.quiet ?? false,
    levels: values.levels,
    help,
  };
}
