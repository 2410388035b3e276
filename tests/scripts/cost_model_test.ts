/**
 * The DSA part of the cost model: the Procrustes budget from rank 128 and the two per-iteration
 * laws (float64 below rank 128, mixed precision from 128).
 */
import { equal as assertEquals } from "node:assert/strict";
import {
  type CostRates,
  dsaPairSeconds,
  NOMINAL_RATES,
  procrustesBudget,
  procrustesIterations,
} from "../../scripts/lib/units/cost.ts";
import { MIXED_PRECISION_MIN } from "../../metrics/dsa/procrustes.ts";

const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

Deno.test("procrustesBudget: two smart starts to 300 iterations, Haar starts screened for 30", () => {
  assertEquals(procrustesBudget(0), 600);
  assertEquals(procrustesBudget(4), 6 * 30 + 2 * 270);
});

Deno.test("procrustesIterations: calibrated regimes below rank 128, the whole budget from 128", () => {
  const r: CostRates = {
    ...NOMINAL_RATES,
    procrustesIterations: { small: 11, medium: 22, large: 33 },
  };
  assertEquals(procrustesIterations(32, r, 4), 11);
  assertEquals(procrustesIterations(64, r, 4), 22);
  assertEquals(procrustesIterations(MIXED_PRECISION_MIN - 1, r, 4), 33);
  assertEquals(procrustesIterations(MIXED_PRECISION_MIN, r, 4), procrustesBudget(4));
  assertEquals(procrustesIterations(1000, r, 0), procrustesBudget(0));
});

Deno.test("dsaPairSeconds: float64 law below rank 128, mixed-precision law from 128", () => {
  const r: CostRates = {
    ...NOMINAL_RATES,
    procrustesA: 3e-9,
    procrustesB: 1e-7,
    procrustesMixedA: 1e-9,
    procrustesIterations: { small: 10, medium: 20, large: 30 },
  };
  assertEquals(close(dsaPairSeconds(100, r, 4), 30 * (3e-9 * 1e6 + 1e-7 * 1e4)), true);
  assertEquals(
    close(dsaPairSeconds(1000, r, 4), procrustesBudget(4) * (1e-9 * 1e9 + 1e-7 * 1e6)),
    true,
  );
});
