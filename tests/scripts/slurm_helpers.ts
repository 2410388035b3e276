/**
 * Shared by the Slurm executor tests: a small hand-written plan for the stand-in unit runner
 * (tests/fixtures/slurm/stand_in_unit.ts, a test fixture) and an environment that runs it.
 */
import type { Plan } from "../../scripts/lib/executors/plan_types.ts";
import { unitStates } from "../../scripts/lib/units/status.ts";
import { processEnvironment, type SlurmEnvironment } from "../../scripts/lib/executors/slurm.ts";

/** Repository root. */
export const ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/** The stand-in runner, relative to the repository. */
export const STAND_IN = "tests/fixtures/slurm/stand_in_unit.ts";

/**
 * A three-stage plan: `a` (n units), `b` (n units, each reading one `a` output) after `a`, and
 * `merge` (one unit reading every `b` output) after `b`.
 */
export function standInPlan(n: number, options: Record<string, unknown> = {}): Plan {
  const unit = (id: string, inputs: string[], outputs: string[]) => ({
    id,
    inputs,
    outputs,
    coreSeconds: 1,
    memoryMB: 50,
  });
  const idx = Array.from({ length: n }, (_, i) => i);
  return {
    schema: "degeneracy.plan/1",
    preset: "stand-in",
    options,
    stages: [
      { name: "a", dependsOn: [], units: idx.map((i) => unit(`a/${i}`, [], [`a/${i}.json`])) },
      {
        name: "b",
        dependsOn: ["a"],
        units: idx.map((i) => unit(`b/${i}`, [`a/${i}.json`], [`b/${i}.json`])),
      },
      {
        name: "merge",
        dependsOn: ["b"],
        units: [unit("merge", idx.map((i) => `b/${i}.json`), ["merge.json"])],
      },
    ],
  };
}

/** Writes `plan` to `<out>/plan.json`. */
export function writePlan(out: string, plan: Plan): void {
  Deno.mkdirSync(out, { recursive: true });
  Deno.writeTextFileSync(`${out}/plan.json`, JSON.stringify(plan));
}

/** The environment that submits the stand-in runner (real processes). */
export function standInEnvironment(overrides: Partial<SlurmEnvironment> = {}): SlurmEnvironment {
  return {
    ...processEnvironment(),
    repo: ROOT,
    runner: STAND_IN,
    permissions: (out) => [`--allow-read=${out},tests/fixtures/slurm`, `--allow-write=${out}`],
    unitStates,
    log: () => {},
    ...overrides,
  };
}

/** The default DENO_DIR of this Deno (already holding the project's npm packages). */
export async function defaultDenoDir(): Promise<string> {
  const r = await new Deno.Command(Deno.execPath(), { args: ["info", "--json"] }).output();
  return JSON.parse(new TextDecoder().decode(r.stdout)).denoDir;
}

/**
 * Runs `scripts/status.ts --out OUT --wait` (with read access to OUT and squeue) and returns
 * its exit code and output.
 */
export async function statusWait(out: string): Promise<{ code: number; stdout: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      `--allow-read=${out}`,
      "--allow-run=squeue",
      "scripts/status.ts",
      "--out",
      out,
      "--wait",
      "--interval",
      "1",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).output();
  return { code: r.code, stdout: new TextDecoder().decode(r.stdout) };
}
