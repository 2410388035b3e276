/**
 * Fills a `DENO_DIR` with every remote module (npm packages) a program loads, so compute nodes
 * without network can run it with `--cached-only`. `deno cache` follows static and dynamic
 * imports but not worker entry points (`new Worker(new URL("./w.ts", import.meta.url))`), so
 * the local modules of the graph are scanned for module URLs built from `import.meta.url`, and
 * those become further roots, until no new one appears.
 */
import type { Exec } from "./slurm_queue.ts";

/** What {@link cacheModules} cached. */
export interface CacheResult {
  /** Absolute paths of the roots cached (the program and every worker module found). */
  roots: string[];
  /** Local modules in the graph. */
  localModules: number;
  /** npm packages in the cache's graph. */
  npmPackages: number;
}

/** Module URLs made from `import.meta.url` in `source` (relative specifiers of script files). */
export function workerModuleUrls(source: string): string[] {
  const re = /new\s+URL\(\s*(["'`])([^"'`$]+)\1\s*,\s*import\.meta\.url\s*\)/g;
  const out: string[] = [];
  for (const m of source.matchAll(re)) {
    if (/\.(ts|mts|js|mjs|tsx|jsx)$/.test(m[2])) out.push(m[2]);
  }
  return out;
}

function filePath(url: string): string {
  return decodeURIComponent(new URL(url).pathname);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * Caches `roots` (absolute paths) and every worker module reachable from them into `denoDir`,
 * running `deno` (the binary to cache for) in `cwd` so the project's `deno.json` and lock file
 * apply. Throws an Error with Deno's message when a module cannot be fetched.
 */
export async function cacheModules(o: {
  deno: string;
  denoDir: string;
  cwd: string;
  roots: string[];
  exec: Exec;
}): Promise<CacheResult> {
  const env = { DENO_DIR: o.denoDir, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" };
  const roots = [...o.roots];
  const scanned = new Set<string>();
  const npm = new Set<string>();
  for (let i = 0; i < roots.length; i++) {
    const r = await o.exec(o.deno, ["info", "--json", roots[i]], { cwd: o.cwd, env });
    if (r.code !== 0) {
      throw new Error(
        `caching the modules of ${roots[i]} into ${o.denoDir} failed (this step needs network ` +
          `access): ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`,
      );
    }
    const info = JSON.parse(r.stdout) as {
      modules: { specifier: string; error?: string }[];
      npmPackages?: Record<string, unknown>;
    };
    for (const k of Object.keys(info.npmPackages ?? {})) npm.add(k);
    for (const m of info.modules) {
      if (m.error) throw new Error(`caching ${roots[i]}: ${m.specifier}: ${m.error}`);
      if (!m.specifier.startsWith("file:") || scanned.has(m.specifier)) continue;
      scanned.add(m.specifier);
      let source: string;
      try {
        source = await Deno.readTextFile(filePath(m.specifier));
      } catch (e) {
        if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
          throw new Error(
            `finding the worker modules to cache needs read access to ${filePath(m.specifier)} ` +
              `(add it to --allow-read)`,
          );
        }
        throw e;
      }
      for (const rel of workerModuleUrls(source)) {
        const path = filePath(new URL(rel, m.specifier).href);
        if (!roots.includes(path) && await isFile(path)) roots.push(path);
      }
    }
  }
  const c = await o.exec(o.deno, ["cache", ...roots], { cwd: o.cwd, env });
  if (c.code !== 0) {
    throw new Error(`deno cache into ${o.denoDir} failed: ${c.stderr.trim().slice(-2000)}`);
  }
  return { roots, localModules: scanned.size, npmPackages: npm.size };
}
