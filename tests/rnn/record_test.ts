/**
 * Saved networks from before the auxiliary target was scaled: a delayed-discrimination record
 * without `auxScale` rebuilds the task it was trained on (raw f2 − f1).
 */
import assert from "node:assert/strict";
import { readNetworkRecord } from "../../rnn/record.ts";
import { createTask, type TaskSpec } from "../../tasks/factory.ts";

const FIXTURE = new URL("../fixtures/fixed_points/dd_aux.json", import.meta.url).pathname;

Deno.test("an old delayed-discrimination record (no auxScale) rebuilds its task with the raw auxiliary target", async () => {
  const raw = JSON.parse(await Deno.readTextFile(FIXTURE));
  assert.equal("auxScale" in raw.task.params, false, "the fixture predates auxScale");
  const rec = await readNetworkRecord(FIXTURE);
  assert.equal(rec.task.params.auxScale, "raw");
  const task = createTask({ name: rec.task.name, ...rec.task.params } as TaskSpec);
  const x = task.sample(50, 1);
  // raw f2 − f1 reaches beyond [−1, 1]
  assert.ok(x.aux!.targets.some((v) => Math.abs(v) > 1));
  // a record that names its auxScale keeps it
  const withScale = {
    ...raw,
    task: { ...raw.task, params: { ...raw.task.params, auxScale: "range" } },
  };
  const tmp = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(tmp, JSON.stringify(withScale));
    assert.equal((await readNetworkRecord(tmp)).task.params.auxScale, "range");
  } finally {
    await Deno.remove(tmp);
  }
});
