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
import { taskComplexity } from "../../metrics/complexity.ts";
import { createTask, type TaskSpec } from "../../tasks/factory.ts";
import type { Task } from "../../tasks/types.ts";
import { defineCli, f, runCli, UsageError } from "../lib/cli.ts";
import {
  InputError,
  loadRunDirectory,
  measureAccess,
  metricFile,
  OUT_FLAG,
  requireOut,
  writeJsonAtomic,
} from "./common.ts";

/** The command line of `deno task measure:complexity`. */
export const CLI = defineCli({
  name: "measure:complexity",
  summary: "Input and output complexity (§3.1: N × mean single-channel Shannon entropy per " +
    "trial, bits) of task variants, as a degeneracy.metric/2 file (values: output complexity).",
  flags: {
    task: f.repeat(
      f.json("JSON", 'a task spec, e.g. {"name":"flipflop","n":3}', "a JSON task spec object"),
    ),
    run: f.path("DIR", "the distinct task variants of the saved networks under DIR"),
    ...OUT_FLAG,
    trials: f.int("N", "trials sampled per task", { min: 1, max: 1_000_000, defaultText: "200" }),
    seed: f.int("S", "data seed of those trials", { defaultText: "0" }),
    bins: f.int("B", "histogram bins", { min: 1, max: 100000, defaultText: "10" }),
    binning: f.choice(["global", "per-trial"] as const, "bin edges", "global"),
  },
});

if (import.meta.main) {
  await runCli(CLI, Deno.args, async (a) => {
    if (a.task.length === 0 && a.run === undefined) {
      throw new UsageError("--task", "no task given", "at least one --task JSON or a --run DIR");
    }
    const out = requireOut(a.out);
    const trials = a.trials ?? 200;
    const seed = a.seed ?? 0;
    const bins = a.bins ?? 10;
    const binning = a.binning ?? "global";
    const tasks = new Map<string, Task>();
    for (const [k, spec] of a.task.entries()) {
      let t: Task;
      try {
        t = createTask(spec as TaskSpec);
      } catch (e) {
        throw new UsageError(
          "--task",
          `task ${k + 1}: ${(e as Error).message.split("\n")[0]}`,
          'a JSON task spec, e.g. {"name":"flipflop","n":3}',
        );
      }
      tasks.set(t.id, t);
    }
    measureAccess("scripts/measure/complexity.ts", [["--run", a.run]], out, Deno.args);
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
    const ids = [...tasks.keys()];
    const res = ids.map((id) => taskComplexity(tasks.get(id)!, { trials, seed, bins, binning }));
    await writeJsonAtomic(
      out,
      metricFile({
        metric: "complexity",
        parameters: {
          trials,
          seed,
          bins,
          binning,
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
