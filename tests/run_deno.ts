/** Test helper: run this Deno on a script, as a user would from a shell. */

/** The repository root (absolute path, no trailing slash). */
export const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/**
 * Runs `deno <args>` with `NO_COLOR=1` (in `cwd` when given) and returns its exit code and
 * decoded stdout and stderr.
 */
export async function runDeno(
  args: string[],
  options: { cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}
