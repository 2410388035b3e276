import assert from "node:assert/strict";
import { PRESETS, STUDIES } from "../../scripts/presets.ts";
import { allStudies } from "../../scripts/lib/studies.ts";
import { validatePlan } from "../../scripts/lib/plan.ts";
import { contiguousRuns, flatTrajectories } from "../../scripts/lib/engine.ts";
import { resolveVariant } from "../../scripts/lib/studies.ts";
import { upperTriangle } from "../../scripts/lib/metrics.ts";

Deno.test("every preset's plan: all studies, unique file-safe ids, levels as in the preset, tasks resolve", () => {
  for (const preset of Object.values(PRESETS)) {
    const studies = allStudies(preset);
    assert.deepEqual(studies.map((s) => s.name), [...STUDIES]);
    for (const s of studies) {
      validatePlan(s);
      assert.deepEqual(
        s.variants.map((v) => v.level),
        preset.levels[s.name],
        `${preset.name}/${s.name}`,
      );
      for (const v of s.variants) {
        const rv = resolveVariant(preset, s, v);
        assert.equal(rv.task.name, s.family);
        if (s.name === "network_size") assert.equal(rv.config.hidden, v.level);
        if (s.name === "aux_loss") assert.equal(rv.config.auxWeight, v.level);
        if (s.name === "low_rank") assert.equal(rv.config.nuclear, v.level);
        if (s.name === "sparsity") assert.equal(rv.config.l1, v.level);
        if (preset.name === "paper" && s.kind === "experiment") {
          // Appendix A untouched: 50 networks, full epochs.
          assert.equal(preset.members, 50);
          assert.ok(rv.config.maxEpochs >= 300);
          assert.equal(rv.config.stepsPerEpoch, 128);
        }
      }
    }
  }
  assert.throws(
    () => validatePlan({ ...allStudies(PRESETS.smoke)[0], variants: [] }),
    /variants must be non-empty/,
  );
  const ff = allStudies(PRESETS.smoke)[0];
  assert.throws(
    () => validatePlan({ ...ff, variants: [ff.variants[0], ff.variants[0]] }),
    /duplicate/,
  );
});

Deno.test("contiguousRuns groups consecutive member indices", () => {
  assert.deepEqual(contiguousRuns([0, 1, 2, 5, 6, 9]), [[0, 1, 2], [5, 6], [9]]);
  assert.deepEqual(contiguousRuns([]), []);
});

Deno.test("flatTrajectories keeps the first steps of every trial", () => {
  // 2 trials × 3 steps × 2 units, value = 100·b + 10·t + u.
  const a = Float32Array.from({ length: 12 }, (_, i) => {
    const b = Math.floor(i / 6), t = Math.floor((i % 6) / 2), u = i % 2;
    return 100 * b + 10 * t + u;
  });
  const f = flatTrajectories(a, 2, 3, 2, 2);
  assert.deepEqual([...f.data], [0, 1, 10, 11, 100, 101, 110, 111]);
  assert.equal(f.steps, 2);
  assert.equal(flatTrajectories(a, 2, 3, 2).data, a);
  assert.deepEqual(upperTriangle([[0, 1, 2], [1, 0, 3], [2, 3, 0]]), [1, 2, 3]);
});
