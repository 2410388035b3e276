/**
 * Reading a training-budget probe (`scripts/probe_budget.ts`): how many of the probed members had
 * converged by a budget of E epochs, known only up to the epochs the probe ran.
 *
 * @module
 */

/** One probed member: its status at the end of the probe and the epoch training stopped. */
export interface ProbedMember {
  status: string;
  stopEpoch: number;
}

/**
 * The members converged within `epochs` epochs, as the report prints it: the count, or `≥ count`
 * when `epochs` exceeds the `probed` epochs and some member had not converged by then (it might
 * converge later, so only a lower bound is known).
 */
export function convergedBy(members: ProbedMember[], epochs: number, probed: number): string {
  const count = members.filter((m) => m.status === "converged" && m.stopEpoch <= epochs).length;
  const open = members.some((m) => m.status !== "converged" && m.status !== "diverged");
  return epochs > probed && open ? `≥ ${count}` : String(count);
}
