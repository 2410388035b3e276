/**
 * The claims about attractors (claims table kind `fixed_points`):
 *
 * - **flip-flop networks have 2^N stable fixed points** (§3.1, Fig. 2E): the share of the
 *   converged flip-flop networks used whose map under the resting input (no pulse) has exactly
 *   2^N stable fixed points, pooled over N, with a Wilson 95% interval; an exact two-sided
 *   binomial test of that share against 1/2 gives the p-value that enters the table's
 *   Benjamini–Hochberg family. Verdict: adjusted p ≤ 0.05 and share > 1/2 → reproduced (most
 *   converged networks have exactly 2^N), share < 1/2 → not reproduced, otherwise inconclusive;
 *   no converged network with fixed points → not computed (networks that did not learn the task
 *   are no evidence). The note gives the count per N and how many of those networks put their
 *   stable points on 2^N distinct corners of the output cube (sign patterns of the readout).
 * - **the auxiliary loss produces line attractors** (§3.3, Fig. 7): Spearman's ρ between the
 *   auxiliary-loss weight and the line-attractor length (0 when none) over every network used
 *   in the `aux_loss` study, p by permuting the networks (10 000 permutations), a bootstrap CI
 *   that resamples networks within each weight; verdict by the table's rule (adjusted p ≤ 0.05
 *   and ρ > 0 → reproduced, ρ < 0 → not reproduced). The note gives the share of networks with a
 *   line attractor at weight 0 and at weights > 0.
 *
 * @module
 */
import seedrandom from "npm:seedrandom@3.0.5";
import { quantileSorted, spearman, spearmanPermutationTest } from "../../metrics/statistics.ts";
import type { ClaimResult, ClaimSpec, Partial0, VariantData, Verdict } from "./claims.ts";
import { blank } from "./claim_rows.ts";

/** The attractor claims as specs of the claims table. */
export function fixedPointClaimSpecs(): ClaimSpec[] {
  return [
    {
      id: "fig2e.flipflop.stable_fixed_points",
      group: "fixed_points",
      claim: "N-bit flip-flop: converged networks have 2^N stable fixed points",
      source: "§3.1, Fig. 2E",
      kind: "fixed_points",
      metric: "stable_fixed_points",
      studies: ["flipflop"],
      direction: 1,
      levelSign: 1,
    },
    {
      id: "fig7.aux_loss.line_attractors",
      group: "fixed_points",
      claim:
        "Delayed discrimination: the auxiliary loss produces line attractors (line-attractor " +
        "length ↑ with the auxiliary-loss weight)",
      source: "§3.3, Fig. 7",
      kind: "fixed_points",
      metric: "line_attractor_length",
      studies: ["aux_loss"],
      direction: 1,
      levelSign: 1,
    },
  ];
}

/** Wilson score interval of a proportion k/n (95%). */
export function wilsonInterval(k: number, n: number, z = 1.959963984540054): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n, z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * Exact two-sided binomial test of k successes in n trials against success probability p0: the
 * total probability of the outcomes no more likely than k (with a relative tolerance of 1e-7).
 */
export function binomialTwoSidedP(k: number, n: number, p0 = 0.5): number {
  if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && k <= n && n >= 1)) {
    throw new Error(`binomial test needs integers 0 ≤ k ≤ n, n ≥ 1; got k = ${k}, n = ${n}`);
  }
  const logPmf: number[] = [];
  let logC = 0;
  for (let i = 0; i <= n; i++) {
    if (i > 0) logC += Math.log((n - i + 1) / i);
    logPmf.push(logC + i * Math.log(p0) + (n - i) * Math.log(1 - p0));
  }
  const obs = logPmf[k];
  let p = 0;
  for (const lp of logPmf) if (lp <= obs + 1e-7 * Math.abs(obs) + 1e-12) p += Math.exp(lp);
  return Math.min(1, p);
}

/** An empty row of a fixed-point claim (verdict "not computed" until data fill it). */
function empty(spec: ClaimSpec, statistic: string, vs: VariantData[]): ClaimResult {
  return { ...blank(spec, statistic, vs), q: null, verdict: "not computed" };
}

const NO_DATA = "no fixed-point file for this claim's variants (failed or not produced)";

function flipflopClaim(spec: ClaimSpec, vs: VariantData[]): Partial0 {
  const r = empty(
    spec,
    "share of converged networks with exactly 2^N stable fixed points (resting input 0), " +
      "Wilson 95% CI; exact binomial test against 1/2",
    vs,
  );
  const withFp = vs.filter((v) => v.fixedPoints).sort((a, b) => a.level - b.level);
  if (!withFp.length) return { result: { ...r, note: NO_DATA }, decide: null };
  let k = 0, n = 0, left = 0, unknown = 0;
  const perN: string[] = [], corners: string[] = [];
  for (const v of withFp) {
    const fp = v.fixedPoints!;
    const N = v.level, target = 2 ** N;
    let kv = 0, nv = 0, cv = 0;
    fp.stableByInput.forEach((s, i) => {
      const status = fp.status[i];
      if (status === null) unknown++;
      else if (status !== "converged") return void left++;
      nv++;
      if (s[0] === target) {
        kv++;
        if (fp.corners[i] === target) cv++;
      }
    });
    k += kv;
    n += nv;
    perN.push(`N = ${N}: ${kv}/${nv}`);
    corners.push(`${cv}/${kv}`);
  }
  const notes = [
    `exactly 2^N stable: ${perN.join(", ")}`,
    `of those, stable points on 2^N distinct output corners: ${corners.join(", ")}`,
  ];
  if (left) notes.push(`${left} used networks that did not converge are left out`);
  if (unknown) notes.push(`${unknown} networks of unknown training status counted as converged`);
  if (n === 0) {
    return {
      result: { ...r, note: `no converged flip-flop network; ${notes.join("; ")}` },
      decide: null,
    };
  }
  const share = k / n;
  const [lo, hi] = wilsonInterval(k, n);
  const p = binomialTwoSidedP(k, n, 0.5);
  const decide = (q: number | null): Verdict =>
    q === null || q > 0.05 || share === 0.5
      ? "inconclusive"
      : share > 0.5
      ? "reproduced"
      : "not reproduced";
  return {
    result: {
      ...r,
      value: share,
      ciLow: lo,
      ciHigh: hi,
      units: n,
      estimate: share,
      p,
      note: notes.join("; "),
    },
    decide,
  };
}

function auxClaim(
  spec: ClaimSpec,
  vs: VariantData[],
  resamples: number,
  seed: number,
): Partial0 {
  const r = empty(
    spec,
    "Spearman ρ(auxiliary-loss weight, line-attractor length per network); p by permuting " +
      "networks; CI by resampling networks within each weight",
    vs,
  );
  const withFp = vs.filter((v) => v.fixedPoints).sort((a, b) => a.level - b.level);
  if (withFp.length < 2) return { result: { ...r, note: NO_DATA }, decide: null };
  const x: number[] = [], y: number[] = [];
  for (const v of withFp) {
    for (const l of v.fixedPoints!.lineAttractorLength) {
      x.push(v.level);
      y.push(l);
    }
  }
  const share = (f: (level: number) => boolean) => {
    const ls = withFp.filter((v) => f(v.level)).flatMap((v) => v.fixedPoints!.lineAttractorLength);
    return `${ls.filter((l) => l > 0).length}/${ls.length}`;
  };
  const notes = [
    `with a line attractor: weight 0 ${share((l) => l === 0)}, weight > 0 ${share((l) => l > 0)}`,
    `mean length per weight: ${
      withFp.map((v) => {
        const l = v.fixedPoints!.lineAttractorLength;
        return `${v.level}: ${(l.reduce((a, b) => a + b, 0) / Math.max(1, l.length)).toFixed(2)}`;
      }).join(", ")
    }`,
  ];
  const net = r.networks;
  if (net && net.used > net.converged) {
    notes.push(
      `partly trained: ${net.used - net.converged} of ${net.used} networks used did not converge`,
    );
  }
  if (new Set(x).size < 2 || new Set(y).size < 2) {
    notes.push(
      new Set(y).size < 2
        ? (y[0] === 0
          ? "no network has a line attractor"
          : "every network has the same line-attractor length")
        : "one weight only",
    );
    return {
      result: { ...r, units: x.length, note: notes.join("; ") },
      decide: () => "inconclusive",
    };
  }
  const seedOf = (tag: string) =>
    Math.floor(seedrandom(`claims:${seed}:${spec.id}:${tag}`)() * 2 ** 31);
  const perm = spearmanPermutationTest(x, y, { permutations: 10000, seed: seedOf("perm") });
  const rng = seedrandom(`claims:${seed}:${spec.id}:boot`);
  const reps: number[] = [];
  for (let b = 0; b < resamples; b++) {
    const bx: number[] = [], by: number[] = [];
    for (const v of withFp) {
      const l = v.fixedPoints!.lineAttractorLength;
      for (let i = 0; i < l.length; i++) {
        bx.push(v.level);
        by.push(l[Math.floor(rng() * l.length)]);
      }
    }
    const s = spearman(bx, by);
    if (Number.isFinite(s)) reps.push(s);
  }
  reps.sort((a, b) => a - b);
  return {
    result: {
      ...r,
      value: perm.rho,
      ciLow: reps.length ? quantileSorted(reps, 0.025) : null,
      ciHigh: reps.length ? quantileSorted(reps, 0.975) : null,
      units: x.length,
      estimate: perm.rho,
      p: perm.p,
      note: notes.join("; "),
    },
    decide: (q) =>
      q === null || q > 0.05 ? "inconclusive" : perm.rho > 0 ? "reproduced" : "not reproduced",
  };
}

/**
 * Evaluates an attractor claim (module doc) on the variants of its studies; the verdict comes
 * from `decide` once the table's false-discovery control has adjusted the p-value.
 */
export function evaluateFixedPointClaim(
  spec: ClaimSpec,
  byStudy: Map<string, VariantData[]>,
  resamples: number,
  seed: number,
): Partial0 {
  const vs = spec.studies.flatMap((s) => byStudy.get(s) ?? []);
  return spec.metric === "stable_fixed_points"
    ? flipflopClaim(spec, vs)
    : auxClaim(spec, vs, resamples, seed);
}
