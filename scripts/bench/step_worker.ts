/**
 * Bench worker (one per core): owns `members` networks of one workload and trains them with
 * its own kernel instance. Messages in: `{ init }`, then `{ run: seconds }` (train member 0
 * repeatedly for that long) or `{ step: true }` (one step of every member). Replies with step
 * counts and elapsed milliseconds.
 *
 * @module
 */
/// <reference lib="deno.worker" />
import { makeProblem, Trainee, type WorkloadName } from "./harness.ts";
import { createWasmKernel } from "../../rnn/kernels/wasm.ts";
import { tsKernel } from "../../rnn/kernels/ts.ts";
import type { StepData } from "../../rnn/types.ts";

let trainees: Trainee[] = [];
let data: StepData | undefined;

self.onmessage = async (e: MessageEvent) => {
  const msg = e.data;
  try {
    if (msg.init) {
      const { workload, members, kernel, seed } = msg.init as {
        workload: WorkloadName;
        members: number;
        kernel: "wasm" | "ts";
        seed: number;
      };
      const k = kernel === "ts" ? tsKernel : await createWasmKernel();
      trainees = [];
      for (let m = 0; m < members; m++) {
        const p = makeProblem(workload, seed + m);
        trainees.push(new Trainee(k, p.shape, p.params));
        data = p.data;
      }
      trainees.forEach((t) => t.step(data!)); // warm-up (compile, memory growth)
      self.postMessage({ ready: true });
    } else if (msg.run !== undefined) {
      const t0 = performance.now();
      let steps = 0;
      do {
        trainees[0].step(data!);
        steps++;
      } while (performance.now() - t0 < msg.run * 1000);
      self.postMessage({ steps, ms: performance.now() - t0 });
    } else if (msg.step) {
      for (const t of trainees) t.step(data!);
      self.postMessage({ stepped: trainees.length });
    }
  } catch (err) {
    self.postMessage({ error: String((err as Error)?.stack ?? err) });
  }
};
