/**
 * The CPU worker backend starts from an http URL: a separate `deno` process without config
 * imports `http://127.0.0.1:PORT/mod.ts`, trains a 2-member population on two workers, and
 * gets bit-identical records to an in-process run here.
 */
import assert from "node:assert/strict";
import { flipFlopTask, trainPopulation } from "../../../mod.ts";
import { testConfig } from "../helpers.ts";
import { runChild, serveRepository } from "../../serve_repository.ts";

Deno.test("CPU workers load over http and match an in-process run bitwise", async () => {
  const { port, server } = serveRepository();
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
    const out = await runChild(dir, port, child);
    assert.equal(out.code, 0, `child failed:\n${out.stderr}`);
    const got = JSON.parse(out.stdout.trim().split("\n").at(-1)!);
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
