/**
 * mod.ts must be importable by URL: serve the repository over HTTP on
 * 127.0.0.1, import `http://127.0.0.1:PORT/mod.ts` in a separate `deno` process that has no
 * config file (so no import map) and only `--allow-import` for that host, sample a task there
 * and compare its bytes with the same sample taken in this process.
 */
import assert from "node:assert/strict";
import { createTask } from "../mod.ts";
import { runChild, serveRepository } from "./serve_repository.ts";

/** A module with a bare specifier: must fail to load by URL (checks the harness can fail). */
const BARE_PROBE = `import seedrandom from "seedrandom";\nconsole.log(typeof seedrandom);\n`;

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
  const { port, server } = serveRepository({ "/__bare_probe.ts": BARE_PROBE });
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
