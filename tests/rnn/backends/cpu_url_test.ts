/**
 * The CPU worker backend starts from an http URL: a separate `deno` process without config
 * imports `http://127.0.0.1:PORT/mod.ts`, trains a 2-member population on two workers, and
 * gets bit-identical records to an in-process run here.
 */
import assert from "node:assert/strict";
import { flipFlopTask, trainPopulation } from "../../../mod.ts";
import { testConfig } from "../helpers.ts";

const ROOT = new URL("../../../", import.meta.url);
const TYPES: Record<string, string> = {
  ".ts": "application/typescript",
  ".js": "application/javascript",
  ".json": "application/json",
  ".wasm": "application/wasm",
};

Deno.test("CPU workers load over http and match an in-process run bitwise", async () => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    const type = TYPES[path.slice(path.lastIndexOf("."))];
    if (path.includes("..") || type === undefined) return new Response("no", { status: 404 });
    try {
      return new Response(await Deno.readFile(new URL("../.." + path, ROOT)), {
        headers: { "content-type": type },
      });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const port = server.addr.port;
  const dir = await Deno.makeTempDir({ prefix: "degeneracy-engine-url-" });
  const config = testConfig({ hidden: 6, maxEpochs: 2, stepsPerEpoch: 3, batchSize: 4 });
  try {
    const child = `
import * as mod from "http://127.0.0.1:${port}/mod.ts";
const task = mod.flipFlopTask({ n: 1, steps: 8 });
const recs = await mod.trainPopulation(task, ${JSON.stringify(config)}, {
  members: 2, seed: 4, backend: "cpu", workers: 2,
});
console.log(JSON.stringify(recs.map((r) => ({ backend: r.backend, final: r.final, history: r.history }))));
`;
    await Deno.writeTextFile(`${dir}/child.ts`, child);
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-config", "--no-lock", `--allow-import=127.0.0.1:${port}`, "child.ts"],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const dec = new TextDecoder();
    assert.equal(out.code, 0, `child failed:\n${dec.decode(out.stderr)}`);
    const got = JSON.parse(dec.decode(out.stdout).trim().split("\n").at(-1)!);
    const want = await trainPopulation(flipFlopTask({ n: 1, steps: 8 }), config, {
      members: 2,
      seed: 4,
      backend: "cpu",
      workers: 0,
    });
    assert.equal(got.length, 2);
    for (let k = 0; k < 2; k++) {
      assert.equal(got[k].backend, want[k].backend);
      assert.deepEqual(got[k].final, want[k].final);
      assert.deepEqual(got[k].history, want[k].history);
    }
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
