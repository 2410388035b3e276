/**
 * Test helper for the import-by-URL tests: serve this repository over HTTP on 127.0.0.1 (as a
 * static host would, with TypeScript's content type) and run a child `deno` process that has no
 * config file (so no import map) and only `--allow-import` for that host.
 */

import { runDeno } from "./run_deno.ts";

const ROOT = new URL("../", import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  ".ts": "application/typescript",
  ".js": "application/javascript",
  ".mjs": "application/javascript",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

/**
 * Serves the repository's files on a free port; `extra` maps a path (e.g. `/__probe.ts`) to a
 * TypeScript module served instead of a file; `port` 0 (the default) takes a free one. Paths with
 * `..` are refused.
 */
export function serveRepository(
  extra: Record<string, string> = {},
  port = 0,
): { port: number; server: Deno.HttpServer<Deno.NetAddr> } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port, onListen: () => {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname);
      if (extra[path] !== undefined) {
        return new Response(extra[path], {
          headers: { "content-type": "application/typescript" },
        });
      }
      if (path.includes("..") || path.includes("\0")) {
        return new Response("bad path", { status: 400 });
      }
      const type = CONTENT_TYPES[path.slice(path.lastIndexOf("."))];
      if (type === undefined) return new Response("not served", { status: 404 });
      try {
        const body = await Deno.readFile(new URL("." + path, ROOT));
        return new Response(body, { headers: { "content-type": type } });
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  return { port: server.addr.port, server };
}

/**
 * Writes `code` to `dir/child.ts` and runs it with `deno run --no-config --no-lock
 * --allow-import=127.0.0.1:PORT --reload=http://127.0.0.1:PORT` in `dir`; returns its exit code
 * and output. The reload matters: Deno caches remote modules by URL, so a port that an earlier
 * run (of an older checkout) also drew would otherwise get that run's cached modules.
 */
export async function runChild(
  dir: string,
  port: number,
  code: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  await Deno.writeTextFile(`${dir}/child.ts`, code);
  const args = [
    "run",
    "--no-config",
    "--no-lock",
    `--allow-import=127.0.0.1:${port}`,
    `--reload=http://127.0.0.1:${port}`,
    "child.ts",
  ];
  return await runDeno(args, { cwd: dir });
}
