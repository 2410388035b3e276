/**
 * The shape of `<out>/plan.json` (`degeneracy.plan/1`) as the executors read it: stages in
 * topological order, each a list of units with declared inputs/outputs (paths relative to the
 * run directory) and a cost estimate. Only the fields the executors use are typed here.
 */

/** One work unit of a stage. */
export interface PlanUnit {
  /** Stable id, e.g. `train/flipflop/n1/0-2`. */
  id: string;
  /** Input paths, relative to the run directory. */
  inputs: string[];
  /** Output paths, relative to the run directory; the unit is done when all exist. */
  outputs: string[];
  /** Estimated CPU time on one core, seconds. */
  coreSeconds: number;
  /** Estimated peak memory, MB. */
  memoryMB: number;
}

/** One stage: units of one kind that can run in any order once `dependsOn` stages are done. */
export interface PlanStage {
  name: string;
  dependsOn: string[];
  units: PlanUnit[];
}

/** The plan of a run. */
export interface Plan {
  schema: string;
  preset: string;
  options: object;
  stages: PlanStage[];
}

/** State of one unit in a run directory. */
export type UnitState = "done" | "failed" | "pending";

/** The state of every unit of a plan, keyed by unit id (what `unitStates` returns). */
export type PlanStates = Map<string, UnitState>;

/**
 * Checks the parts of a plan the executors rely on: schema tag, unique stage names, every
 * `dependsOn` naming an earlier stage (topological order), unique unit ids, finite
 * non-negative costs. Throws an Error naming the offending stage or unit.
 */
export function checkPlan(plan: Plan): void {
  if (plan?.schema !== "degeneracy.plan/1") {
    throw new Error(`plan.json: schema must be "degeneracy.plan/1", got ${plan?.schema}`);
  }
  if (!Array.isArray(plan.stages)) throw new Error("plan.json: stages must be an array");
  const seen = new Set<string>();
  const ids = new Set<string>();
  for (const s of plan.stages) {
    if (typeof s.name !== "string" || !/^[A-Za-z0-9_.-]+$/.test(s.name)) {
      throw new Error(`plan.json: stage name must match [A-Za-z0-9_.-]+, got "${s.name}"`);
    }
    if (seen.has(s.name)) throw new Error(`plan.json: stage "${s.name}" appears twice`);
    for (const d of s.dependsOn) {
      if (!seen.has(d)) {
        throw new Error(
          `plan.json: stage "${s.name}" depends on "${d}", which is not an earlier stage`,
        );
      }
    }
    seen.add(s.name);
    for (const u of s.units) {
      if (typeof u.id !== "string" || u.id === "" || /[\s'"\\]/.test(u.id)) {
        throw new Error(
          `plan.json: stage "${s.name}": unit id must be non-empty without spaces, quotes or ` +
            `backslashes, got ${JSON.stringify(u.id)}`,
        );
      }
      if (ids.has(u.id)) throw new Error(`plan.json: unit id "${u.id}" appears twice`);
      ids.add(u.id);
      for (const [k, v] of [["coreSeconds", u.coreSeconds], ["memoryMB", u.memoryMB]] as const) {
        if (!Number.isFinite(v) || v < 0) {
          throw new Error(`plan.json: unit "${u.id}": ${k} must be a number >= 0, got ${v}`);
        }
      }
    }
  }
}

/** File name of a unit's error or stamp file: its id with `/` replaced by `__`. */
export function unitFileName(id: string): string {
  return id.replaceAll("/", "__");
}
