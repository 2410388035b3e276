/** Backend selection: `auto` is CPU unless a real (non-fallback) WebGPU adapter exists. */
import assert from "node:assert/strict";
import { createBackend, hasRealGpu, initParams } from "../../../mod.ts";

Deno.test("auto selects the CPU backend unless a non-fallback GPU adapter exists", async () => {
  const gpu = (navigator as unknown as {
    gpu?: { requestAdapter(): Promise<{ info?: { isFallbackAdapter?: boolean } } | null> };
  }).gpu;
  const adapter = gpu ? await gpu.requestAdapter() : null;
  const real = adapter !== null && adapter.info?.isFallbackAdapter === false;
  assert.equal(await hasRealGpu(), real);
  if (real) return; // on a GPU machine `auto` means WebGPU, covered by the WebGPU suite
  const shape = { inputDim: 1, hidden: 4, outputDim: 1 };
  const b = await createBackend("auto", {
    shape,
    initial: [initParams(shape, 1)],
    regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
    workers: 0,
  });
  try {
    assert.match(b.name, /^cpu-/);
  } finally {
    await b.dispose();
  }
  await assert.rejects(
    () =>
      createBackend("tpu" as "cpu", {
        shape,
        initial: [],
        regularisers: { l1: 0, nuclear: 0, gradClip: 0 },
      }),
    /backend must be/,
  );
});
