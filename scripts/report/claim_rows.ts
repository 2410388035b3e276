/**
 * The parts every claim row starts from (scripts/report/claims.ts and fixed_point_claims.ts): the
 * networks its variants used, summed, and an empty row that the claim's test then fills.
 *
 * @module
 */
import type { ClaimResult, ClaimSpec, Partial0, VariantData } from "./claims.ts";

/** Networks of a claim's variants, summed (null when no variant knows its networks). */
export function sumNetworks(vs: VariantData[]): ClaimResult["networks"] {
  const known = vs.filter((v) => v.networks);
  if (!known.length) return null;
  return known.reduce(
    (a, v) => ({
      members: a.members + v.networks!.members,
      converged: a.converged + v.networks!.converged,
      used: a.used + v.networks!.used,
    }),
    { members: 0, converged: 0, used: 0 },
  );
}

/** A claim row before its test: no statistic yet, the networks of its variants. */
export function blank(spec: ClaimSpec, statistic: string, vs: VariantData[]): Partial0["result"] {
  return {
    ...spec,
    statistic,
    value: null,
    ciLow: null,
    ciHigh: null,
    units: 0,
    trends: [],
    equivalence: [],
    estimate: null,
    p: null,
    networks: sumNetworks(vs),
    note: "",
  };
}

/**
 * The note of a row whose networks include some that did not learn the task (none when every
 * network used learned, or the networks are unknown).
 */
export function partlyTrainedNote(networks: ClaimResult["networks"]): string[] {
  return networks && networks.used > networks.converged
    ? [
      `partly trained: ${
        networks.used - networks.converged
      } of ${networks.used} networks used did not learn the task`,
    ]
    : [];
}
