/** Path integration semantics: position = start + integrated velocity, walls
 * (clamping) included, to 1e-5, in 2D and 3D, for both angle encodings and the OOD length. */
import assert from "node:assert/strict";
import { pathIntegrationTask, type TaskBatch } from "../../mod.ts";

/**
 * Integrate the inputs independently of the generator: start position from the step-0 start
 * channels, then pos ← clamp(pos + v·u(θ, φ)) with the documented channel layout.
 * Returns the largest |reconstruction − target| and how many moves were clipped by a wall.
 */
function integrate(x: TaskBatch, dims: number, raw: boolean, half: number) {
  const I = x.inputDim;
  const angleDim = dims === 2 ? (raw ? 1 : 2) : (raw ? 2 : 4);
  assert.equal(I, angleDim + 1 + dims);
  let maxErr = 0, clipped = 0;
  for (let b = 0; b < x.batch; b++) {
    const row = (t: number) => x.inputs.subarray((b * x.steps + t) * I, (b * x.steps + t + 1) * I);
    const pos = Array.from(row(0).subarray(angleDim + 1), Number);
    assert.equal(row(0)[angleDim], 0, "speed is 0 on step 0");
    for (let t = 0; t < x.steps; t++) {
      const r = row(t);
      if (t > 0) {
        for (let d = 0; d < dims; d++) assert.equal(r[angleDim + 1 + d], 0, "start only at t=0");
        const v = r[angleDim];
        let u: number[];
        if (dims === 2) {
          u = raw ? [Math.cos(r[0]), Math.sin(r[0])] : [r[0], r[1]];
        } else {
          const [ct, st, cp, sp] = raw
            ? [Math.cos(r[0]), Math.sin(r[0]), Math.cos(r[1]), Math.sin(r[1])]
            : [r[0], r[1], r[2], r[3]];
          u = [cp * ct, cp * st, sp];
        }
        for (let d = 0; d < dims; d++) {
          const free = pos[d] + v * u[d];
          pos[d] = Math.min(half, Math.max(-half, free));
          if (pos[d] !== free) clipped++;
        }
      }
      for (let d = 0; d < dims; d++) {
        const y = x.targets[(b * x.steps + t) * dims + d];
        assert.ok(Math.abs(y) <= half, "target inside the arena");
        maxErr = Math.max(maxErr, Math.abs(y - pos[d]));
      }
    }
  }
  return { maxErr, clipped };
}

for (const dims of [2, 3]) {
  for (const enc of ["cos_sin", "raw"] as const) {
    Deno.test(`path integration ${dims}D (${enc}): position = start + ∫velocity with walls`, () => {
      const task = pathIntegrationTask({ dims, angleEncoding: enc });
      assert.equal(task.outputDim, dims);
      for (const ood of [false, true]) {
        const x = task.sample(64, 21, { ood });
        assert.equal(x.steps, ood ? 200 : 100);
        const { maxErr, clipped } = integrate(x, dims, enc === "raw", 1);
        assert.ok(maxErr <= 1e-5, `max |error| ${maxErr}`);
        assert.ok(clipped > 0, "the sample should hit a wall at least once");
      }
    });
  }
}

Deno.test("path integration: without walls in reach, target − start is the plain velocity sum", () => {
  for (const dims of [2, 3]) {
    // Arena side 100: positions ≤ 50, max travel 200 · 0.05 = 10; starts near a wall are skipped
    // by asserting nothing was clipped, so the sum is free of clamping.
    const task = pathIntegrationTask({ dims, boxSize: 100 });
    const x = task.sample(8, 5);
    const { maxErr, clipped } = integrate(x, dims, false, 50);
    assert.equal(clipped, 0);
    assert.ok(maxErr <= 1e-5, `max |error| ${maxErr}`);
    // And the sum is not trivially zero: the agent moved.
    let moved = 0;
    for (let b = 0; b < x.batch; b++) {
      for (let d = 0; d < dims; d++) {
        moved += Math.abs(
          x.targets[(b * x.steps + x.steps - 1) * dims + d] - x.targets[b * x.steps * dims + d],
        );
      }
    }
    assert.ok(moved > 0.1, `moved ${moved}`);
  }
});

Deno.test("path integration: input ranges, headings, ids, metadata", () => {
  const t2 = pathIntegrationTask();
  assert.equal(t2.id, "pathint-2d");
  assert.equal(t2.inputDim, 5);
  assert.equal(t2.channels, 1);
  assert.equal(pathIntegrationTask({ dims: 3 }).id, "pathint-3d");
  assert.equal(pathIntegrationTask({ dims: 3 }).inputDim, 8);
  assert.equal(pathIntegrationTask({ dims: 2, angleEncoding: "raw" }).inputDim, 4);
  assert.equal(pathIntegrationTask({ dims: 3, angleEncoding: "raw" }).id, "pathint-3d-encraw");
  const raw = pathIntegrationTask({ dims: 3, angleEncoding: "raw" }).sample(32, 3);
  for (let i = 0; i < raw.batch * raw.steps; i++) {
    const r = raw.inputs.subarray(i * 6, i * 6 + 6);
    assert.ok(r[0] >= -Math.PI - 1e-6 && r[0] <= Math.PI + 1e-6, `θ ${r[0]}`);
    assert.ok(Math.abs(r[1]) <= Math.PI / 2 + 1e-6, `φ ${r[1]}`);
    assert.ok(r[2] >= 0 && r[2] <= 0.05, `v ${r[2]}`);
  }
  const trig = pathIntegrationTask({ dims: 3 }).sample(16, 3);
  for (let i = 0; i < trig.batch * trig.steps; i++) {
    const r = trig.inputs.subarray(i * 8, i * 8 + 8);
    assert.ok(Math.abs(r[0] ** 2 + r[1] ** 2 - 1) < 1e-6);
    assert.ok(Math.abs(r[2] ** 2 + r[3] ** 2 - 1) < 1e-6);
    assert.ok(r[2] >= 0, "cos φ ≥ 0 for elevation in [−π/2, π/2]");
  }
  assert.throws(() => pathIntegrationTask({ dims: 4 }), /"dims" must be an integer in \[2, 3\]/);
  assert.throws(
    () => pathIntegrationTask({ angleEncoding: "deg" as "raw" }),
    /"angleEncoding" must be one of "cos_sin", "raw"/,
  );
});
