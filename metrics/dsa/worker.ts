/**
 * Web Worker for `dsaDistanceMatrixParallel` (`parallel.ts`): fits DMDs and computes Procrustes
 * or Wasserstein distances for the pairs it is sent, with the same code as the serial
 * `dsaDistanceMatrix`. Requests (answered through `serveRequests`, `metrics/worker_pool.ts`):
 *   {type: "fit", trajectories, options}   → {fit}
 *   {type: "operators", fits, options}     → {}   (keeps the fits and the options)
 *   {type: "pairs", pairs: [i, j][]}       → {results: {distance, spread}[]}
 *
 * @module
 */
/// <reference lib="deno.worker" />
import {
  compareDmd,
  type DsaOptions,
  type DsaPairMeasure,
  dsaPairMeasure,
  eigenvalueWasserstein,
} from "./dsa.ts";
import { dmdEigenvalues, type DmdFit, fitDmd, type Trajectories } from "./dmd.ts";
import { type PreparedOperator, prepareOperator } from "./procrustes.ts";
import { serveRequests } from "../worker_pool.ts";

let fits: DmdFit[] = [];
let options: DsaOptions = {};
let prepared: (PreparedOperator | undefined)[] = [];
let eigs: ([number, number][] | undefined)[] = [];

function pair(i: number, j: number): DsaPairMeasure {
  if (options.score === "wasserstein") {
    eigs[i] ??= dmdEigenvalues(fits[i]);
    eigs[j] ??= dmdEigenvalues(fits[j]);
    return dsaPairMeasure(eigenvalueWasserstein(eigs[i]!, eigs[j]!), undefined, options.score);
  }
  prepared[i] ??= prepareOperator(fits[i].operator, fits[i].size);
  prepared[j] ??= prepareOperator(fits[j].operator, fits[j].size);
  const c = compareDmd(fits[i], fits[j], options, [prepared[i], prepared[j]]);
  return dsaPairMeasure(c.distance, c.procrustes, options.score);
}

serveRequests((msg) => {
  switch (msg.type) {
    case "fit":
      return { fit: fitDmd(msg.trajectories as Trajectories, msg.options as DsaOptions) };
    case "operators":
      fits = msg.fits as DmdFit[];
      options = msg.options as DsaOptions;
      prepared = new Array(fits.length);
      eigs = new Array(fits.length);
      return {};
    case "pairs":
      return { results: (msg.pairs as [number, number][]).map(([i, j]) => pair(i, j)) };
    default:
      throw new Error(`unknown request type ${String(msg.type)}`);
  }
});
