/**
 * mod.ts must be importable by URL: serve the repository over HTTP on
 * 127.0.0.1, import `http://127.0.0.1:PORT/mod.ts` in a separate `deno` process that has no
 * config file (so no import map) and only `--allow-import` for that host, sample a task there
 * and compare its bytes with the same sample taken in this process.
 */
import assert from "node:assert/strict";
import { createTask } from "../mod.ts";

const ROOT = new URL("../", import.meta.url);

const CONTENT_TYPES: Record<string, string> = {
  ".ts": "application/typescript",
  ".js": "application/javascript",
  ".mjs": "application/javascript",
  ".json": "application/json",
};

/** A module with a bare specifier: must fail to load by URL (checks the harness can fail). */
const BARE_PROBE = `import seedrandom from "seedrandom";\nconsole.log(typeof seedrandom);\n`;

function startServer(): { port: number; server: Deno.HttpServer<Deno.NetAddr> } {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const path = decodeURIComponent(new URL(req.url).pathname);
      if (path === "/__bare_probe.ts") {
        return new Response(BARE_PROBE, {
          headers: { "content-type": "application/typescript" },
        });
      }
      if (path.includes("..") || path.includes("\0")) {
        return new Response("bad path", { status: 400 });
      }
      const ext = path.slice(path.lastIndexOf("."));
      const type = CONTENT_TYPES[ext];
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

async function runChild(
  dir: string,
  port: number,
  code: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = `${dir}/child.ts`;
  await Deno.writeTextFile(script, code);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-config", "--no-lock", `--allow-import=127.0.0.1:${port}`, script],
    cwd: dir,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function digest(...arrays: Float32Array[]): Promise<string> {
  let n = 0;
  for (const a of arrays) n += a.byteLength;
  const all = new Uint8Array(n);
  let o = 0;
  for (const a of arrays) {
    all.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), o);
    o += a.byteLength;
  }
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", all)));
}

Deno.test("mod.ts imports by URL in a separate deno process and samples a task", async () => {
  const { port, server } = startServer();
  const dir = await Deno.makeTempDir({ prefix: "degeneracy-url-" });
  try {
    const child = `
import * as mod from "http://127.0.0.1:${port}/mod.ts";
const task = mod.createTask({ name: "delayed_discrimination", n: 2 });
const b = task.sample(4, 7);
const bytes = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
const parts = [b.inputs, b.targets, b.mask, b.aux.targets].map(bytes);
const all = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
let o = 0;
for (const p of parts) { all.set(p, o); o += p.length; }
const h = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
console.log(JSON.stringify({
  id: task.id,
  steps: b.steps,
  inputDim: b.inputDim,
  digest: Array.from(h, (x) => x.toString(16).padStart(2, "0")).join(""),
  hasDefaults: typeof mod.defaultTrainingConfig === "function",
}));
`;
    const res = await runChild(dir, port, child);
    assert.equal(res.code, 0, `child failed:\n${res.stderr}`);
    const got = JSON.parse(res.stdout.trim().split("\n").at(-1)!);
    const task = createTask({ name: "delayed_discrimination", n: 2 });
    const b = task.sample(4, 7);
    const want = await digest(b.inputs, b.targets, b.mask!, b.aux!.targets);
    assert.deepEqual(got, {
      id: "dd-n2",
      steps: 60,
      inputDim: 2,
      digest: want,
      hasDefaults: true,
    });

    // The same harness rejects a bare specifier (nothing maps it for a remote module).
    const bare = await runChild(dir, port, `import "http://127.0.0.1:${port}/__bare_probe.ts";\n`);
    assert.notEqual(bare.code, 0, "a bare specifier must not resolve when imported by URL");
    assert.match(bare.stderr, /"seedrandom"/);
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
