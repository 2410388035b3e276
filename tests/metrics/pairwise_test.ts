/**
 * The pairwise layer's self-check samples: every symmetry check re-measures a matrix entry with
 * its arguments swapped (the matrix computes d(min, max) in upper-triangle order), so a check
 * never repeats the matrix's own call and can fail on an asymmetric distance.
 */
import assert from "node:assert/strict";
import {
  evenlySpacedSelfChecks,
  reversedPair,
  seededSelfChecks,
  upperPairs,
} from "../../metrics/pairwise.ts";

Deno.test("reversedPair puts the larger index first", () => {
  assert.deepEqual(reversedPair(1, 4), [4, 1]);
  assert.deepEqual(reversedPair(4, 1), [4, 1]);
});

Deno.test("symmetry self-checks swap the matrix's argument order, for every matrix size", () => {
  for (let S = 2; S <= 12; S++) {
    const upper = new Set(upperPairs(S).map(([i, j]) => `${i},${j}`));
    for (const { i, j } of evenlySpacedSelfChecks(S, 3)) {
      assert.notEqual(j, null);
      const [a, b] = reversedPair(i, j as number);
      assert.ok(a > b && !upper.has(`${a},${b}`) && upper.has(`${b},${a}`), `S=${S}: ${a},${b}`);
    }
    for (const [a, b] of seededSelfChecks(S, 3, 7)) {
      if (a === b) continue;
      assert.ok(a > b && upper.has(`${b},${a}`), `seeded S=${S}: ${a},${b}`);
    }
  }
});

Deno.test("an asymmetric distance fails the DSA-style symmetry check", () => {
  const d = (x: number, y: number) => x < y ? 1 : 2; // d(i, j) ≠ d(j, i)
  for (const { i, j } of evenlySpacedSelfChecks(5, 3)) {
    const [a, b] = reversedPair(i, j as number);
    assert.notEqual(d(Math.min(i, j as number), Math.max(i, j as number)), d(a, b));
  }
});
