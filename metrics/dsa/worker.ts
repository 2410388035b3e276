/**
 * Web Worker for `dsaDistanceMatrixParallel` (`metrics/dsa/parallel.ts`): fits DMDs and
 * computes Procrustes / Wasserstein distances for the pairs it is sent. Messages:
 *   {type: "fit", index, trajectories, options}   → {type: "fit", index, fit}
 *   {type: "operators", fits, options}            → {type: "ready"}
 *   {type: "pairs", pairs: [i, j][], options}     → {type: "pairs", results}
 * Errors are reported as {type: "error", message}.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { compareDmd, type DsaOptions, eigenvalueWasserstein } from "./dsa.ts";
import { dmdEigenvalues, type DmdFit, fitDmd } from "./dmd.ts";
import { type PreparedOperator, prepareOperator } from "./procrustes.ts";

let fits: DmdFit[] = [];
let prepared: (PreparedOperator | undefined)[] = [];
let eigs: ([number, number][] | undefined)[] = [];

self.onmessage = (ev: MessageEvent) => {
  const msg = ev.data;
  try {
    if (msg.type === "fit") {
      const fit = fitDmd(msg.trajectories, msg.options as DsaOptions);
      self.postMessage({ type: "fit", index: msg.index, fit });
    } else if (msg.type === "operators") {
      fits = msg.fits;
      prepared = new Array(fits.length);
      eigs = new Array(fits.length);
      self.postMessage({ type: "ready" });
    } else if (msg.type === "pairs") {
      const options = msg.options as DsaOptions;
      const results: { i: number; j: number; distance: number; spread: number }[] = [];
      for (const [i, j] of msg.pairs as [number, number][]) {
        if (options.score === "wasserstein") {
          eigs[i] ??= dmdEigenvalues(fits[i]);
          eigs[j] ??= dmdEigenvalues(fits[j]);
          results.push({ i, j, distance: eigenvalueWasserstein(eigs[i]!, eigs[j]!), spread: 0 });
        } else {
          prepared[i] ??= prepareOperator(fits[i].operator, fits[i].size);
          prepared[j] ??= prepareOperator(fits[j].operator, fits[j].size);
          const c = compareDmd(fits[i], fits[j], options, [prepared[i], prepared[j]]);
          results.push({ i, j, distance: c.distance, spread: c.procrustes?.restartsSpread ?? 0 });
        }
      }
      self.postMessage({ type: "pairs", results });
    }
  } catch (e) {
    self.postMessage({ type: "error", message: e instanceof Error ? e.message : String(e) });
  }
};
