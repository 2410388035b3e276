/**
 * The import-by-URL tests must see this checkout's files even when their random port was drawn
 * before by a run of another checkout: Deno caches remote modules by URL, and CI once failed
 * because a child loaded an older layout's cached `mod.ts` from the same port.
 */
import assert from "node:assert/strict";
import { runChild, serveRepository } from "./serve_repository.ts";

Deno.test("runChild loads what the server serves now, not what an earlier server on the port served", async () => {
  const dir = await Deno.makeTempDir({ prefix: "degeneracy-serve-" });
  const first = serveRepository({ "/__version.ts": 'console.log("first");\n' });
  const port = first.port;
  try {
    const code = `import "http://127.0.0.1:${port}/__version.ts";\n`;
    const a = await runChild(dir, port, code);
    await first.server.shutdown();
    const second = serveRepository({ "/__version.ts": 'console.log("second");\n' }, port);
    try {
      const b = await runChild(dir, port, code);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      assert.equal(a.stdout.trim(), "first");
      assert.equal(b.stdout.trim(), "second");
    } finally {
      await second.server.shutdown();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
