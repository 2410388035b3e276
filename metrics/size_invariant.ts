/**
 * Size-invariant readings of the weight-level measures, for comparing networks of different
 * sizes (paper Fig. 6B, Table 1 "Representational Load").
 *
 * The paper normalises both weight measures "by the number of parameters in the weight matrix"
 * (§3.2.2): PIF / n² and ‖W_T − W_0‖_F / n². Between UNTRAINED networks with PyTorch's
 * initialisation (entries ~ U(−1/√n, 1/√n), variance 1/(3n)) both already fall with n:
 * ‖W_1 − W_2‖_F ≈ √(2n/3), so / n² ∝ n^(−3/2), 2.8× per doubling of n (PIF a little less,
 * its permutation search gains relatively more in small matrices). A size trend read from
 * them is decided by the normalisation before any training happens.
 *
 * The readings here are 1 (or 0) for untrained networks of every size and scale-free after
 * training:
 * - {@link pifRelativeToInit}: the trained pair's PIF distance divided by the same pair's PIF
 *   distance at initialisation (same n, same search), "how much more (> 1) or less (< 1)
 *   different the two networks became than they started". Exactly 1 for untrained networks;
 *   √(1 + ε²) at every n when training adds to each W_0 an independent update of relative
 *   size ε (tests/metrics_size_invariant_test.ts).
 * - {@link relativeDistanceFromInit}: ‖W_T − W_0‖_F / ‖W_0‖_F, the relative change of the
 *   recurrent matrix; 0 untrained, ε for an update of relative size ε at every n.
 *
 * Dividing PIF by ‖W‖_F instead (the other option) is not size-invariant: for untrained pairs
 * it rises from 0.88 (n = 8) to 1.19 (n = 128), because the share of the distance the best
 * permutation removes shrinks with n; the test pins this too.
 *
 * @module
 */

/** Frobenius norm of a matrix given as rows. */
export function frobeniusNorm(w: number[][]): number {
  let s = 0;
  w.forEach((row, i) => {
    if (!Array.isArray(row)) throw new Error(`row ${i} must be an array`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new Error(`entry [${i}][${j}] must be finite, got ${v}`);
      s += v * v;
    });
  });
  return Math.sqrt(s);
}

/** Result of {@link relativeDistanceFromInit}. */
export interface RelativeDistanceFromInit {
  /** ‖W_T − W_0‖_F / ‖W_0‖_F (size-invariant reading). */
  relative: number;
  /** ‖W_T − W_0‖_F. */
  raw: number;
  /** ‖W_T − W_0‖_F / (rows · columns) (the paper's reading, Fig. 4B / Table 1). */
  perEntry: number;
}

/**
 * Distance of a trained matrix from its initialisation, raw, per entry (paper) and relative
 * to ‖W_0‖_F (size-invariant). Both matrices must have the same shape; W_0 must not be 0.
 */
export function relativeDistanceFromInit(
  w0: number[][],
  wT: number[][],
): RelativeDistanceFromInit {
  if (!Array.isArray(w0) || !Array.isArray(wT) || w0.length === 0 || w0.length !== wT.length) {
    throw new Error("w0 and wT must be non-empty matrices with the same number of rows");
  }
  const cols = w0[0].length;
  let s = 0;
  for (let i = 0; i < w0.length; i++) {
    if (w0[i].length !== cols || wT[i].length !== cols) {
      throw new Error(`row ${i}: w0 and wT must both have ${cols} columns`);
    }
    for (let j = 0; j < cols; j++) {
      const d = wT[i][j] - w0[i][j];
      if (!Number.isFinite(d)) throw new Error(`entry [${i}][${j}] must be finite`);
      s += d * d;
    }
  }
  const norm0 = frobeniusNorm(w0);
  if (!(norm0 > 0)) throw new Error("w0 must not be the zero matrix (‖W_0‖_F = 0)");
  const raw = Math.sqrt(s);
  return { relative: raw / norm0, raw, perEntry: raw / (w0.length * cols) };
}

/**
 * PIF distance of a trained pair relative to the same pair at initialisation:
 * d_PIF(W₁ᵀ, W₂ᵀ) / d_PIF(W₁⁰, W₂⁰) (module doc). Both distances must come from the same
 * search settings; the initial distance must be > 0.
 */
export function pifRelativeToInit(trainedDistance: number, initialDistance: number): number {
  if (!(trainedDistance >= 0 && Number.isFinite(trainedDistance))) {
    throw new Error(`trainedDistance must be a finite number ≥ 0, got ${trainedDistance}`);
  }
  if (!(initialDistance > 0 && Number.isFinite(initialDistance))) {
    throw new Error(`initialDistance must be a finite number > 0, got ${initialDistance}`);
  }
  return trainedDistance / initialDistance;
}
