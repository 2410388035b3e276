/**
 * Unit states of a run directory, from its files alone: a unit is `done` when all its outputs
 * exist, `failed` when its error file (`OUT/errors/<unit>.json`) exists and an output is
 * missing, else `pending`. Executors (local, Slurm) and `deno task status` share this.
 *
 * @module
 */
import { exists, join, readDone } from "../io.ts";
import { errorsDir, unitErrorPath } from "../layout.ts";
import { SCHEMA, type UnitErrorFile } from "../formats.ts";
import type { PlanFile } from "./graph.ts";

/** State of a unit. */
export type UnitState = "done" | "failed" | "pending";

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * The state of every unit of `plan` in `outDir` (keyed by unit id): `done` = all outputs
 * exist; `failed` = an error file exists and an output is missing; `pending` otherwise. Reads
 * only file existence (no parsing), so it is cheap and safe while units run.
 */
export function unitStates(
  outDir: string,
  plan: Pick<PlanFile, "stages">,
): Map<string, UnitState> {
  const states = new Map<string, UnitState>();
  for (const st of plan.stages) {
    for (const u of st.units) {
      const done = u.outputs.every((o) => existsSync(join(outDir, o)));
      states.set(
        u.id,
        done ? "done" : existsSync(unitErrorPath(outDir, u.id)) ? "failed" : "pending",
      );
    }
  }
  return states;
}

/** Counts per stage. */
export interface StageCounts {
  stage: string;
  units: number;
  done: number;
  failed: number;
  pending: number;
  /** Pending units that cannot run because an input comes from a failed (or blocked) unit. */
  blocked: number;
  /** Estimated core-seconds of the units not done (the plan's `coreSeconds`). */
  remainingCoreSeconds: number;
}

/**
 * Per-stage counts of `states`, with the pending units that are blocked by a failure upstream
 * (an input produced by a failed or blocked unit).
 */
export function stageCounts(
  plan: Pick<PlanFile, "stages">,
  states: Map<string, UnitState>,
): StageCounts[] {
  const producer = new Map<string, string>();
  for (const st of plan.stages) {
    for (const u of st.units) for (const o of u.outputs) producer.set(o, u.id);
  }
  const blocked = new Set<string>();
  for (const st of plan.stages) {
    for (const u of st.units) {
      if (states.get(u.id) !== "pending") continue;
      for (const i of u.inputs) {
        const p = producer.get(i);
        if (p !== undefined && (states.get(p) === "failed" || blocked.has(p))) {
          blocked.add(u.id);
          break;
        }
      }
    }
  }
  return plan.stages.map((st) => {
    const c: StageCounts = {
      stage: st.name,
      units: st.units.length,
      done: 0,
      failed: 0,
      pending: 0,
      blocked: 0,
      remainingCoreSeconds: 0,
    };
    for (const u of st.units) {
      const s = states.get(u.id)!;
      c[s]++;
      if (blocked.has(u.id)) c.blocked++;
      if (s !== "done") c.remainingCoreSeconds += (u as { coreSeconds?: number }).coreSeconds ?? 0;
    }
    return c;
  });
}

/**
 * The failed units recorded in `OUT/errors/` (sorted by unit id); a field the file lacks reads
 * "no message recorded" (or the like), never "undefined".
 */
export async function readUnitErrors(out: string): Promise<UnitErrorFile[]> {
  const dir = errorsDir(out);
  if (!(await exists(dir))) return [];
  const errs: UnitErrorFile[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (!e.isFile || !e.name.endsWith(".json")) continue;
    const f = await readDone<Partial<UnitErrorFile>>(`${dir}/${e.name}`, SCHEMA.unitError);
    if (!f) continue;
    // a field missing from the file reads as such, never as "undefined"
    const text = (x: unknown, missing: string) =>
      typeof x === "string" && x.trim() !== "" ? x : missing;
    errs.push({
      schema: SCHEMA.unitError,
      unit: text(f.unit, e.name.replace(/\.json$/, "").replaceAll("__", "/")),
      stage: text(f.stage, "stage not recorded"),
      message: text(f.message, "no message recorded"),
      at: text(f.at, "time not recorded"),
    });
  }
  return errs.sort((a, b) => a.unit.localeCompare(b.unit));
}
