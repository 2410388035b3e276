/**
 * Power of the claims' trend test (`trendTest` of `trend.ts`: a linear contrast of the
 * per-population statistics over the level ranks, two-sided t test with Welch–Satterthwaite
 * degrees of freedom) and the number of networks per population a verdict needs.
 *
 * An effect is planted as a relative change of the statistic between the lowest and the
 * highest level, linear in the level rank and anchored at the lowest level's measured
 * statistic: mᵢ = m₁·(1 + change·(i − 1)/(k − 1)). The contrast is then δ = Σ cᵢ mᵢ (weights of
 * `trendContrastWeights`), its standard error se(n) = √(Σ cᵢ² Vᵢ(n)), and the power of the
 * two-sided level-α test is P(|T| > t_{α/2}) for T a t variable shifted by δ/se(n) (the
 * shifted-central-t approximation of the noncentral t).
 *
 * Vᵢ(n) is the variance the TEST uses with n networks ({@link testVariance}) plus the shared
 * measurement variance, which more networks do not remove (`noise.ts`). `trendTest` takes its
 * standard error from a bootstrap that resamples networks, scaled by n/(n − 1): for a mean
 * value that is σ²/n, for a CV a/n; for a mean pairwise distance the bootstrap's expected
 * variance is (4/n²)·E Σᵢ(rᵢ − r̄)² + ζ₂/P (rᵢ a network's mean distance to the others, P pairs;
 * the first- and second-order terms in the resampling counts), with
 * E Σᵢ(rᵢ − r̄)² = ((n − 2)²ζ₁ + (n − 2)(ζ₂ − 2ζ₁))/(n − 1). That exceeds the U-statistic's true
 * variance at small n (by about 20 % at n = 13 when ζ₂ ≈ 6ζ₁): the test is conservative there,
 * and the power model says so.
 *
 * Several studies combined by Stouffer's method (Table 1's "increase task complexity") have
 * power Φ(Σ_k ncp_k / √K − z_{α/2}) with ncp_k = δ_k/se_k(n).
 *
 * @module
 */
import { type SamplingModel, satterthwaite } from "./noise.ts";
import { normalCdf, studentTCdf, studentTQuantile, trendContrastWeights } from "./trend.ts";

/** One population of a power calculation. */
export interface PowerPopulation {
  /** Level of the manipulated factor. */
  level: number;
  /** The population's measured statistic (anchors the planted effect at the lowest level). */
  statistic: number;
  /** How the statistic's variance scales with the number of networks. */
  model: SamplingModel;
  /** Shared measurement variance (does not shrink with n) and its degrees of freedom. */
  shared?: { variance: number; df: number };
}

/** Options of the power functions. */
export interface PowerOptions {
  /** Size of the two-sided test (default 0.05). */
  alpha?: number;
  /** Target power (default 0.8). */
  power?: number;
  /** Largest number of networks per population searched (default 10,000). */
  maxNetworks?: number;
}

function sorted(pops: PowerPopulation[]): PowerPopulation[] {
  if (!Array.isArray(pops) || pops.length < 2) {
    throw new Error(`populations must hold at least 2 populations, got ${pops?.length}`);
  }
  pops.forEach((p, i) => {
    if (!Number.isFinite(p.level)) throw new Error(`populations[${i}].level must be finite`);
    if (!Number.isFinite(p.statistic)) {
      throw new Error(`populations[${i}].statistic must be finite, got ${p.statistic}`);
    }
  });
  return [...pops].sort((a, b) => a.level - b.level);
}

function options(o: PowerOptions) {
  const alpha = o.alpha ?? 0.05, power = o.power ?? 0.8, maxNetworks = o.maxNetworks ?? 10_000;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`alpha must be in (0, 1), got ${alpha}`);
  if (!(power > 0 && power < 1)) throw new Error(`power must be in (0, 1), got ${power}`);
  if (!(Number.isInteger(maxNetworks) && maxNetworks >= 4)) {
    throw new Error(`maxNetworks must be an integer ≥ 4, got ${maxNetworks}`);
  }
  return { alpha, power, maxNetworks };
}

/**
 * The contrast δ = Σ cᵢ mᵢ of a planted relative change between the lowest and the highest
 * level (module doc); e.g. three levels and change −0.2: δ = −0.2·m₁.
 */
export function plantedContrast(populations: PowerPopulation[], relativeChange: number): number {
  const pops = sorted(populations);
  const k = pops.length;
  const w = trendContrastWeights(k);
  const m1 = pops[0].statistic;
  return w.reduce((a, wi, i) => a + wi * m1 * (1 + (relativeChange * i) / (k - 1)), 0);
}

/**
 * Expected variance of a population statistic as `trendTest` estimates it with n networks: the
 * bootstrap variance over networks times n/(n − 1) (module doc). Mean value: σ²/n; CV: a/n;
 * mean pairwise distance: n/(n − 1)·[4((n − 2)²ζ₁ + (n − 2)(ζ₂ − 2ζ₁))/(n²(n − 1)) +
 * 2ζ₂/(n(n − 1))]. Floored at 0; n ≥ 3.
 */
export function testVariance(model: SamplingModel, n: number): number {
  if (!(Number.isInteger(n) && n >= 3)) throw new Error(`n must be an integer ≥ 3, got ${n}`);
  switch (model.kind) {
    case "values":
      return Math.max(0, model.sigma2 / n);
    case "cv":
      return Math.max(0, model.a / n);
    case "pairwise": {
      const { zeta1: z1, zeta2: z2 } = model;
      const rows = ((n - 2) ** 2 * z1 + (n - 2) * (z2 - 2 * z1)) / (n - 1);
      const boot = (4 * rows) / (n * n) + (2 * z2) / (n * (n - 1));
      return Math.max(0, (boot * n) / (n - 1));
    }
  }
}

/** Standard error and Welch–Satterthwaite df of the contrast with n networks per population. */
export function contrastStandardError(
  populations: PowerPopulation[],
  n: number,
): { se: number; df: number } {
  const pops = sorted(populations);
  const w = trendContrastWeights(pops.length);
  const parts: { variance: number; df: number }[] = [];
  pops.forEach((p, i) => {
    parts.push({ variance: w[i] * w[i] * testVariance(p.model, n), df: n - 1 });
    if (p.shared && p.shared.variance > 0) {
      parts.push({ variance: w[i] * w[i] * p.shared.variance, df: p.shared.df });
    }
  });
  const v = parts.reduce((a, p) => a + p.variance, 0);
  return { se: Math.sqrt(v), df: v > 0 ? satterthwaite(parts) : Infinity };
}

/** Power of the two-sided t test of a contrast δ with standard error se and df degrees of freedom. */
export function tTestPower(delta: number, se: number, df: number, alpha = 0.05): number {
  if (!(se > 0)) return delta === 0 ? alpha : 1;
  const ncp = Math.abs(delta) / se;
  const tc = studentTQuantile(1 - alpha / 2, df);
  return 1 - studentTCdf(tc - ncp, df) + studentTCdf(-tc - ncp, df);
}

/** Power of the trend test with n networks per population for a planted relative change. */
export function trendPower(
  populations: PowerPopulation[],
  relativeChange: number,
  n: number,
  o: PowerOptions = {},
): number {
  const { alpha } = options(o);
  const delta = plantedContrast(populations, relativeChange);
  const { se, df } = contrastStandardError(populations, n);
  return tTestPower(delta, se, df, alpha);
}

/**
 * Power of Stouffer's combination of several studies' trend tests (each with n networks per
 * population and the same planted relative change, all in the direction of `relativeChange`).
 */
export function combinedPower(
  studies: PowerPopulation[][],
  relativeChange: number,
  n: number,
  o: PowerOptions = {},
): number {
  const { alpha } = options(o);
  if (!Array.isArray(studies) || studies.length < 1) throw new Error("studies must be non-empty");
  if (studies.length === 1) return trendPower(studies[0], relativeChange, n, o);
  let sum = 0;
  for (const s of studies) {
    const delta = plantedContrast(s, relativeChange);
    const { se } = contrastStandardError(s, n);
    sum += se > 0 ? Math.abs(delta) / se : (delta === 0 ? 0 : 1e6);
  }
  const z = studentTQuantile(1 - alpha / 2, Infinity);
  const mu = sum / Math.sqrt(studies.length);
  return normalCdf(mu - z) + normalCdf(-mu - z);
}

/** Result of {@link requiredNetworks}. */
export interface RequiredNetworks {
  /** Smallest n (≥ 4) with at least the target power; null when none up to maxNetworks. */
  networks: number | null;
  /** Power at that n (or at maxNetworks when none suffices). */
  power: number;
  /** Why there is none (e.g. the shared measurement variance alone keeps the power low). */
  reason?: string;
}

/**
 * Networks per population the trend test needs to reach the target power (default 80%) for a
 * planted relative change; `studies` with more than one entry use Stouffer's combination.
 */
export function requiredNetworks(
  studies: PowerPopulation[][],
  relativeChange: number,
  o: PowerOptions = {},
): RequiredNetworks {
  const { power, maxNetworks } = options(o);
  if (!Number.isFinite(relativeChange) || relativeChange === 0) {
    return { networks: null, power: NaN, reason: "no effect to detect (relative change 0)" };
  }
  const pw = (n: number) => combinedPower(studies, relativeChange, n, o);
  const atMax = pw(maxNetworks);
  if (atMax < power) {
    return {
      networks: null,
      power: atMax,
      reason: `power stays below ${power} up to ${maxNetworks} networks (the shared ` +
        `measurement variance does not shrink with more networks)`,
    };
  }
  let lo = 4, hi = maxNetworks;
  if (pw(lo) >= power) return { networks: lo, power: pw(lo) };
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (pw(mid) >= power) hi = mid;
    else lo = mid;
  }
  return { networks: hi, power: pw(hi) };
}

/**
 * The smallest relative change (lowest → highest level, in absolute value) that the trend test
 * detects with the target power with n networks per population; null when even a 100-fold
 * change is not detected (the shared measurement variance dominates).
 */
export function minimalDetectableChange(
  studies: PowerPopulation[][],
  n: number,
  o: PowerOptions = {},
): number | null {
  const { power } = options(o);
  const pw = (c: number) => combinedPower(studies, c, n, o);
  let hi = 1;
  while (pw(hi) < power) {
    hi *= 2;
    if (hi > 100) return null;
  }
  let lo = 0;
  for (let i = 0; i < 60; i++) {
    const mid = 0.5 * (lo + hi);
    if (pw(mid) >= power) hi = mid;
    else lo = mid;
  }
  return hi;
}
