/**
 * Self-checks every metric run records: a distance must give d(X, X) = 0
 * and be symmetric; both are checked on a seeded sample of items / pairs and returned for
 * the metric JSON. For optimised distances (PIF, DSA) small asymmetries measure how far the
 * optimiser is from the true minimum.
 *
 * @module
 */
import { seededSelfChecks } from "./pairwise.ts";

/** Recorded self-check results. */
export interface SelfChecks {
  /** d(X_i, X_i) for each sampled item i. */
  identity: { i: number; d: number }[];
  /** d(X_i, X_j) and d(X_j, X_i) for each sampled pair. */
  symmetry: { i: number; j: number; dij: number; dji: number; diff: number }[];
  /** max |d(X_i, X_i)|. */
  maxIdentity: number;
  /** max |d(X_i, X_j) − d(X_j, X_i)|. */
  maxAsymmetry: number;
  /** Tolerance used for `pass`. */
  tolerance: number;
  /** Whether both maxima are ≤ tolerance. */
  pass: boolean;
}

/**
 * Checks identity and symmetry of `distance` on `samples` seeded items and pairs of
 * `items` (default 3 each, fewer when there are fewer items). `known` can supply already
 * computed d(X_i, X_j) (e.g. from the pairwise matrix) so that only the reverse direction
 * is computed. Pass when both deviations are ≤ `tolerance` (default 1e-9).
 *
 * @example
 * ```ts
 * import { distanceSelfChecks } from "@degeneracy/degeneracy";
 * const points = [0, 1, 5, 7];
 * const checks = distanceSelfChecks(points, (a, b) => Math.abs(a - b), { samples: 2, seed: 1 });
 * if (!checks.pass || checks.identity.length !== 2) throw new Error("a metric passes");
 * ```
 */
export function distanceSelfChecks<T>(
  items: T[],
  distance: (a: T, b: T) => number,
  options: {
    samples?: number;
    seed?: number;
    tolerance?: number;
    known?: (i: number, j: number) => number | undefined;
  } = {},
): SelfChecks {
  const tolerance = options.tolerance ?? 1e-9;
  const n = items.length;
  if (n < 1) throw new Error("items must hold at least 1 element");
  const identity: SelfChecks["identity"] = [];
  const symmetry: SelfChecks["symmetry"] = [];
  for (const [a, b] of seededSelfChecks(n, options.samples ?? 3, options.seed ?? 0)) {
    if (a === b) {
      identity.push({ i: a, d: distance(items[a], items[a]) });
    } else {
      // the sampled pair (i, j) comes as its reversed argument pair (j, i)
      const i = b, j = a;
      const dij = options.known?.(i, j) ?? distance(items[i], items[j]);
      const dji = distance(items[j], items[i]);
      symmetry.push({ i, j, dij, dji, diff: Math.abs(dij - dji) });
    }
  }
  const maxIdentity = identity.reduce((a, x) => Math.max(a, Math.abs(x.d)), 0);
  const maxAsymmetry = symmetry.reduce((a, x) => Math.max(a, x.diff), 0);
  return {
    identity,
    symmetry,
    maxIdentity,
    maxAsymmetry,
    tolerance,
    pass: maxIdentity <= tolerance && maxAsymmetry <= tolerance,
  };
}
