import assert from "node:assert/strict";
import { distanceSelfChecks } from "../../metrics/selfcheck.ts";
import { pifDistance } from "../../metrics/pif/pif.ts";
import { makeRng } from "../../metrics/rng.ts";

Deno.test("self-checks: identity and symmetry recorded; a broken distance fails", () => {
  const rng = makeRng(5);
  const mats = Array.from(
    { length: 5 },
    () => Array.from({ length: 6 }, () => Array.from({ length: 6 }, () => rng())),
  );
  const pif = (a: number[][], b: number[][]) => pifDistance(a, b).distance; // exact at n ≤ 7
  const ok = distanceSelfChecks(mats, pif, { samples: 3, seed: 1 });
  assert.equal(ok.identity.length, 3);
  assert.equal(ok.symmetry.length, 3);
  assert.equal(ok.maxIdentity, 0);
  assert.ok(ok.maxAsymmetry < 1e-12);
  assert.equal(ok.pass, true);
  // deterministic sample
  assert.deepEqual(distanceSelfChecks(mats, pif, { samples: 3, seed: 1 }), ok);
  // an asymmetric "distance" is caught
  const bad = distanceSelfChecks([1, 2, 3], (a: number, b: number) => a - b + 1, { samples: 2 });
  assert.equal(bad.pass, false);
  assert.equal(bad.maxIdentity, 1);
  assert.equal(bad.maxAsymmetry > 0, true);
});
