/**
 * Stability of a verdict across the sensitivity grid: a setting that cannot decide the claim
 * (insufficient data) is reported apart and does not count as a change of verdict or of sign.
 */
import assert from "node:assert/strict";
import { stabilityOf } from "../../scripts/report/sensitivity.ts";
import type { SettingRow } from "../../scripts/report/sensitivity_view.ts";
import type { Verdict } from "../../scripts/report/claims.ts";

const row = (setting: string, verdict: Verdict, estimate: number | null): SettingRow => ({
  setting,
  verdict,
  estimate,
  p: null,
  q: null,
  trends: [],
  used: null,
});
const settings = [
  { id: "batch2", role: "noise" as const, dimension: "batch" },
  { id: "dsa20x50", role: "alternative" as const, dimension: "dsa" },
  { id: "learned", role: "alternative" as const, dimension: "members" },
];

Deno.test("stabilityOf: insufficient data under a setting is undecided, not a change", () => {
  const st = stabilityOf([
    row("base", "reproduced", 0.5),
    row("base+noise", "reproduced", 0.5),
    row("batch2", "reproduced", 0.4),
    row("dsa20x50", "reproduced", 0.3),
    row("learned", "insufficient data", null),
  ], settings);
  assert.equal(st.stable, true);
  assert.equal(st.computed, 3);
  assert.deepEqual(st.hingesOn, []);
  assert.equal(st.directionStable, true);
  assert.deepEqual(st.undecided, ["learned"]);
});

Deno.test("stabilityOf: a different verdict under a setting still makes the claim hinge on it", () => {
  const st = stabilityOf([
    row("base", "inconclusive", 0.01),
    row("batch2", "inconclusive", 0.02),
    row("dsa20x50", "reproduced", -0.06),
    row("learned", "insufficient data", null),
  ], settings);
  assert.equal(st.stable, false);
  assert.deepEqual(st.hingesOn, ["dsa"]);
  assert.equal(st.directionStable, false);
  assert.deepEqual(st.undecided, ["learned"]);
});
