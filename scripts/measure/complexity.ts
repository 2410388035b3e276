/**
 * Task complexity (paper §3.1): input and output Shannon entropy (bits) of task variants, as
 * a `degeneracy.metric/1` file with `values` = output complexity and `extra.input` = input
 * complexity, one entry per task variant.
 *
 * Input, one or more of:
 *   --task JSON     a task spec, e.g. '{"name":"flipflop","n":3}' (repeatable)
 *   --run DIR       the distinct task variants of the saved networks under DIR
 * Options: --trials N (200), --seed S (0), --bins B (10), --binning global|per-trial.
 *
 *   deno run --allow-write=out --allow-read=out scripts/measure/complexity.ts \
 *     --task '{"name":"flipflop","n":3}' --task '{"name":"sine","n":2}' --out out/complexity.json
 *
 * @module
 */
import { parseArgs } from "node:util";
import { taskComplexity } from "../../metrics/complexity.ts";
import { createTask, type TaskSpec } from "../../tasks/factory.ts";
import type { Task } from "../../tasks/types.ts";
import {
  InputError,
  integerOption,
  loadRunDirectory,
  metricFile,
  numberOption,
  runScript,
  writeJsonAtomic,
} from "./common.ts";

if (import.meta.main) {
  await runScript(async () => {
    const { values: a } = parseArgs({
      options: {
        task: { type: "string", multiple: true },
        run: { type: "string" },
        out: { type: "string" },
        trials: { type: "string" },
        seed: { type: "string" },
        bins: { type: "string" },
        binning: { type: "string", default: "global" },
      },
    });
    if (!a.out) throw new InputError("--out FILE is required");
    const trials = integerOption(a.trials, "trials", 200, 1);
    const seed = numberOption(a.seed, "seed", 0, Number.isInteger, "an integer");
    const bins = integerOption(a.bins, "bins", 10, 1);
    if (a.binning !== "global" && a.binning !== "per-trial") {
      throw new InputError(`--binning must be global or per-trial, got ${a.binning}`);
    }
    const tasks = new Map<string, Task>();
    for (const spec of a.task ?? []) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(spec);
      } catch {
        throw new InputError(`--task must be a JSON task spec, got ${spec}`);
      }
      const t = createTask(parsed as TaskSpec);
      tasks.set(t.id, t);
    }
    if (a.run !== undefined) {
      const run = await loadRunDirectory(a.run, { includeUnconverged: true });
      for (const n of run.networks) {
        if (tasks.has(n.task.id)) continue;
        try {
          tasks.set(n.task.id, createTask({ name: n.task.name, ...n.task.params } as TaskSpec));
        } catch (e) {
          throw new InputError(`${n.file}: task: ${(e as Error).message}`);
        }
      }
    }
    if (tasks.size === 0) throw new InputError("give at least one --task JSON or a --run DIR");
    const ids = [...tasks.keys()];
    const res = ids.map((id) =>
      taskComplexity(tasks.get(id)!, {
        trials,
        seed,
        bins,
        binning: a.binning as "global" | "per-trial",
      })
    );
    await writeJsonAtomic(
      a.out,
      metricFile({
        metric: "complexity",
        parameters: {
          trials,
          seed,
          bins,
          binning: a.binning,
          units: "bits",
          values: "output complexity",
        },
        ids,
        values: res.map((r) => r.output),
        summary: { n: ids.length },
        checks: null,
        source: { tasks: ids.map((id) => tasks.get(id)!.params), run: a.run ?? null },
        extra: { input: res.map((r) => r.input), details: res },
      }),
    );
    for (let k = 0; k < ids.length; k++) {
      console.log(
        `${ids[k]}: input ${res[k].input.toFixed(3)} bits, output ${res[k].output.toFixed(3)} bits`,
      );
    }
  });
}
