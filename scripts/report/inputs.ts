/**
 * Input checks of the report: what a run directory holds against what its plan says it should.
 *
 * - Completeness: the state of every unit of `plan.json` (`unitStates`), so an incomplete run
 *   says so in the report's first lines and names the failed and missing units.
 * - Provenance: a metric file is used only when it was computed from this run's networks with
 *   this run's settings: its `provenance` digests (scripts/lib/formats.ts) must equal the
 *   digest of the population's network files as they are now and the digest of the
 *   population's measurement settings in the plan. Anything else (another run's file, a file
 *   measured with other settings, a file from before the digests, networks replaced or
 *   duplicated since) is refused with one line naming the file and what to do.
 *
 * @module
 */
import { duplicateNetworks, readNetworkRecord } from "../../rnn/record.ts";
import type { NetworkRecord } from "../../rnn/types.ts";
import { readDone } from "../lib/io.ts";
import { networkPath, planPath } from "../lib/layout.ts";
import {
  type MetricFile,
  metricSettings,
  networkDigest,
  networksDigest,
  SCHEMA,
  settingsDigest,
} from "../lib/formats.ts";
// types only: a static import of the graph module would pull the study scripts into the report's
// module graph, and the report runs inside a study script's pipeline (see RunInputs.load)
import type { Graph, PlanFile, PlanOptions, VariantSettings } from "../lib/units/graph.ts";
import { unitStates } from "../lib/units/status.ts";

/** Units of the plan that are not done (the report unit itself excluded). */
export interface Completeness {
  /** Units in the plan (without the report). */
  total: number;
  done: number;
  /** Ids of failed units (an error file and a missing output). */
  failed: string[];
  /** Ids of units whose outputs are missing (not run yet, or waiting on a failed one). */
  pending: string[];
}

/** The expected provenance of one population, or why it cannot be known. */
interface Expected {
  networks: string | null;
  /** Why `networks` is null (missing, unreadable or duplicated network files). */
  reason?: string;
  settings: VariantSettings | null;
}

/** The checks of a run directory's inputs (one per report). */
export class RunInputs {
  private readonly expected = new Map<string, Promise<Expected>>();

  private constructor(
    readonly out: string,
    readonly plan: PlanFile | null,
    readonly graph: Graph | null,
    /** Unit states (null without a readable plan). */
    readonly completeness: Completeness | null,
    /** Why the plan could not be used (null when it could). */
    readonly planProblem: string | null,
  ) {}

  /**
   * Reads `OUT/plan.json` and the state of every unit. `makeGraph` builds the unit graph of the
   * plan's options (`buildGraph` of scripts/lib/units/graph.ts, passed in rather than imported:
   * the report unit runs inside the process of a study script, whose module is still being
   * evaluated, so importing the graph module, which imports every study script, from here
   * would wait for that script forever).
   */
  static async load(
    out: string,
    makeGraph: (options: PlanOptions) => Graph,
  ): Promise<RunInputs> {
    const plan = await readDone<PlanFile>(planPath(out), SCHEMA.plan);
    if (!plan) {
      return new RunInputs(
        out,
        null,
        null,
        null,
        `${planPath(out)} is missing or unreadable: nothing can be checked against the plan`,
      );
    }
    let graph: Graph;
    try {
      graph = makeGraph(plan.options);
    } catch (e) {
      return new RunInputs(
        out,
        plan,
        null,
        null,
        `${planPath(out)}: its options do not make a valid plan (${(e as Error).message})`,
      );
    }
    const states = unitStates(out, plan);
    const c: Completeness = { total: 0, done: 0, failed: [], pending: [] };
    for (const [id, s] of states) {
      if (id === "report") continue;
      c.total++;
      if (s === "done") c.done++;
      else if (s === "failed") c.failed.push(id);
      else c.pending.push(id);
    }
    return new RunInputs(out, plan, graph, c, null);
  }

  private variant(study: string, variant: string): VariantSettings | null {
    return this.graph?.variants.find((v) => v.study === study && v.variant === variant) ?? null;
  }

  /** The population's expected digests (network files read once per population). */
  private expectedFor(study: string, variant: string): Promise<Expected> {
    const key = `${study}/${variant}`;
    let p = this.expected.get(key);
    if (!p) {
      p = this.computeExpected(study, variant);
      this.expected.set(key, p);
    }
    return p;
  }

  private async computeExpected(study: string, variant: string): Promise<Expected> {
    const v = this.variant(study, variant);
    if (!v || !this.graph) {
      return {
        networks: null,
        reason: this.planProblem ?? `${study}/${variant} is not in ${planPath(this.out)}`,
        settings: null,
      };
    }
    const recs: { file: string; record: NetworkRecord }[] = [];
    for (let m = 0; m < this.graph.preset.members; m++) {
      const file = networkPath(this.out, study, variant, m);
      try {
        recs.push({
          file,
          record: await readNetworkRecord(file, {
            taskId: v.rv.task.id,
            member: m,
            hidden: v.rv.config.hidden,
          }),
        });
      } catch (e) {
        return {
          networks: null,
          reason: `its network ${(e as Error).message.split("\n")[0]}`,
          settings: v,
        };
      }
    }
    const dup = duplicateNetworks(recs);
    if (dup !== null) return { networks: null, reason: dup, settings: v };
    const digests = await Promise.all(
      recs.map(async ({ record }) => ({ id: record.id, digest: await networkDigest(record) })),
    );
    return { networks: await networksDigest(digests), settings: v };
  }

  /**
   * Null when `file` (read from `path`, population `study/variant`) was computed from this
   * run's networks with this run's settings; else one line naming the file and what to do.
   */
  async refusal(
    file: MetricFile,
    path: string,
    study: string,
    variant: string,
  ): Promise<string | null> {
    const redo = "delete it and rerun to recompute it";
    if (!file.provenance) {
      return `${path}: records no provenance (written before the digests, by hand or by ` +
        `another tool), so it cannot be checked against this run; ${redo}`;
    }
    const e = await this.expectedFor(study, variant);
    if (e.networks === null) return `${path}: cannot be checked: ${e.reason}`;
    if (file.provenance.networks !== e.networks) {
      return `${path}: was computed from other networks than this run's ${study}/${variant} ` +
        `networks (provenance.networks differs); ${redo}`;
    }
    const expected = await settingsDigest(metricSettings(file.metric, e.settings!.measure));
    if (file.provenance.settings !== expected) {
      return `${path}: was computed with other settings than this run's for ${file.metric} ` +
        `(${JSON.stringify(metricSettings(file.metric, e.settings!.measure))}); ${redo}`;
    }
    return null;
  }
}

/** Ids grouped by stage, e.g. `train: 2 (train/a/n1/m000-m001, train/a/n2/m000-m001)`. */
export function unitsByStage(ids: string[], max = 4): string[] {
  const by = new Map<string, string[]>();
  for (const id of ids) {
    const stage = id.split("/")[0];
    by.set(stage, [...(by.get(stage) ?? []), id]);
  }
  return [...by].map(([stage, xs]) =>
    `${stage}: ${xs.length} (${xs.slice(0, max).join(", ")}${
      xs.length > max ? `, … ${xs.length - max} more` : ""
    })`
  );
}

/**
 * The report's first lines about its inputs (Markdown; empty when the run is complete and every
 * file was usable): an incomplete run names its failed and missing units, then the refused
 * and unreadable metric files.
 */
export function inputWarnings(
  inputs: RunInputs,
  refused: string[],
  unreadable: string[],
  failureMessages: Map<string, string>,
): string[] {
  const lines: string[] = [];
  const c = inputs.completeness;
  if (inputs.planProblem) {
    lines.push(`**Cannot check this run against its plan**: ${inputs.planProblem}.`);
  } else if (c && c.done < c.total) {
    const notDone = c.total - c.done;
    lines.push(
      `**Incomplete run: ${notDone} of ${c.total} units are not done** (${c.failed.length} ` +
        `failed, ${c.pending.length} not run or waiting on a failed unit). Every number below ` +
        `comes from the units that finished; rerun the same command to finish the run.`,
    );
    if (c.failed.length) {
      lines.push(
        `Failed: ${
          c.failed.slice(0, 8).map((id) =>
            `${id}${failureMessages.has(id) ? ` (${failureMessages.get(id)})` : ""}`
          ).join("; ")
        }${c.failed.length > 8 ? `; … ${c.failed.length - 8} more` : ""}.`,
      );
    }
    if (c.pending.length) lines.push(`Not done: ${unitsByStage(c.pending).join("; ")}.`);
  }
  if (refused.length) {
    lines.push(
      `**${refused.length} metric file(s) refused** (not computed from this run's networks ` +
        `with this run's settings; their claims read "not computed"): ${refused.join(" · ")}`,
    );
  }
  if (unreadable.length) {
    lines.push(`**${unreadable.length} metric file(s) unreadable**: ${unreadable.join(" · ")}`);
  }
  return lines;
}
