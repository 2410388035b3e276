/**
 * The exact Deno permissions of the unit runner (`scripts/run_unit.ts`) and of the local
 * executor: read the run directory and the toolkit's module folders (the Web Workers of the
 * local executor and of CPU training load their modules from there), write only the run
 * directory. The Slurm executor builds its job command lines from {@link runnerPermissions}.
 *
 * @module
 */

/** Absolute path of the repository root (where deno.json lives). */
export function repoRoot(): string {
  return new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
}

/** Module folders (and files) a unit may load at run time, relative to the repository root. */
export const MODULE_PATHS = ["mod.ts", "tasks", "rnn", "metrics", "scripts"] as const;

/** Absolute path of `p` (relative paths are taken from the current directory). */
function absolute(p: string): string {
  if (p.startsWith("/")) return p.replace(/\/+$/, "") || "/";
  return `${Deno.cwd()}/${p}`.replace(/\/\.\//g, "/").replace(/\/+$/, "");
}

/**
 * The `deno run` permission flags the unit runner needs for the run directory `out` (absolute
 * paths): `--no-prompt`, read of `out` and of the module folders, write of `out`. Nothing else
 * (no network, environment, subprocesses).
 */
export function runnerPermissions(out: string): string[] {
  const root = repoRoot();
  const dir = absolute(out);
  return [
    "--no-prompt",
    `--allow-read=${[dir, ...MODULE_PATHS.map((p) => `${root}/${p}`)].join(",")}`,
    `--allow-write=${dir}`,
  ];
}
