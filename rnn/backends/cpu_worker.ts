/**
 * Worker side of the CPU population backend (`rnn/backends/cpu.ts`): holds some members'
 * parameters and Adam state and runs their steps with one kernel. Messages are handled one
 * at a time in arrival order.
 *
 * @module
 */
import type { AdamConfig, RnnKernel, RnnShape, StepData, StepRegularisers } from "../types.ts";
import type { Task } from "../../tasks/types.ts";
import { MemberTrainer } from "../member.ts";
import { viewParams } from "../params.ts";
import { type KernelChoice, loadKernel } from "../kernels/select.ts";
import { stepDataFromBatch } from "../loss.ts";

interface Item {
  index: number;
  data: StepData;
  lr?: number;
}

let kernel: RnnKernel | null = null;
let regularisers: StepRegularisers = { l1: 0, nuclear: 0, gradClip: 0 };
const trainers = new Map<number, MemberTrainer>();
/** Task the worker samples itself from (`"sampling"` message), with its batch settings. */
let sampler: { task: Task; batchSize: number; auxWeight: number; auxRows: boolean } | null = null;

async function handle(msg: Record<string, unknown>): Promise<Record<string, unknown>> {
  switch (msg.type) {
    case "init": {
      const shape = msg.shape as RnnShape;
      kernel = await loadKernel(msg.kernel as KernelChoice);
      regularisers = msg.regularisers as StepRegularisers;
      for (const m of msg.members as { index: number; flat: Float32Array }[]) {
        trainers.set(
          m.index,
          new MemberTrainer(shape, viewParams(shape, m.flat), msg.adam as AdamConfig),
        );
      }
      return { kernel: kernel.name };
    }
    case "step":
    case "evaluate": {
      if (!kernel) throw new Error("worker not initialised");
      const losses = [];
      for (const it of msg.items as Item[]) {
        const t = trainers.get(it.index);
        if (!t) throw new Error(`member ${it.index} does not live in this worker`);
        const loss = msg.type === "step"
          ? t.step(kernel, it.data, it.lr as number, regularisers)
          : t.evaluate(kernel, it.data);
        losses.push({ index: it.index, loss });
      }
      return { losses };
    }
    case "sampling": {
      // Loaded lazily: only this path needs the task modules (read access to tasks/ and metrics/).
      const { createTask } = await import("../../tasks/factory.ts");
      const spec = msg.task as { name: string; params: Record<string, unknown> };
      const task = createTask(
        { ...spec.params, name: spec.name } as Parameters<typeof createTask>[0],
      );
      sampler = {
        task,
        batchSize: msg.batchSize as number,
        auxWeight: msg.auxWeight as number,
        auxRows: msg.auxRows as boolean,
      };
      return { taskId: task.id };
    }
    case "stepSeeded": {
      if (!kernel || !sampler) throw new Error("worker sampling not configured");
      const losses = [];
      // Members of this worker that share a seed (shared data) share one sampled batch.
      const cache = new Map<number, StepData>();
      for (const it of msg.items as { index: number; seed: number; lr: number }[]) {
        const t = trainers.get(it.index);
        if (!t) throw new Error(`member ${it.index} does not live in this worker`);
        let data = cache.get(it.seed);
        if (!data) {
          const { task, batchSize, auxWeight, auxRows } = sampler;
          data = stepDataFromBatch(task.sample(batchSize, it.seed), auxWeight, auxRows);
          cache.set(it.seed, data);
        }
        losses.push({ index: it.index, loss: t.step(kernel, data, it.lr, regularisers) });
      }
      return { losses };
    }
    case "getParams": {
      const params = [...trainers.entries()].map(([index, t]) => ({ index, flat: t.flat.slice() }));
      return { params, transfer: params.map((p) => p.flat.buffer) };
    }
    case "getOptimiser": {
      const optimiser = [...trainers.entries()].map(([index, t]) => ({
        index,
        ...t.getOptimiserState(),
      }));
      return {
        optimiser,
        transfer: optimiser.flatMap((o) => [o.m.buffer, o.v.buffer]),
      };
    }
    case "setOptimiser": {
      for (
        const it of msg.items as { index: number; m: Float32Array; v: Float32Array; t: number }[]
      ) {
        const t = trainers.get(it.index);
        if (!t) throw new Error(`member ${it.index} does not live in this worker`);
        t.setOptimiserState({ m: it.m, v: it.v, t: it.t }, `optimiser[${it.index}]`);
      }
      return {};
    }
    default:
      throw new Error(`unknown message type ${String(msg.type)}`);
  }
}

/** The worker global scope, typed narrowly (this file is also type-checked as a window module). */
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Record<string, unknown>>) => void) | null;
  postMessage(msg: unknown, transfer?: Transferable[]): void;
};

let queue: Promise<void> = Promise.resolve();
scope.onmessage = (e: MessageEvent<Record<string, unknown>>) => {
  const msg = e.data;
  queue = queue.then(async () => {
    try {
      const reply = await handle(msg);
      const transfer = (reply.transfer as ArrayBuffer[] | undefined) ?? [];
      delete reply.transfer;
      scope.postMessage({ id: msg.id, ...reply }, transfer);
    } catch (err) {
      scope.postMessage({ id: msg.id, error: (err as Error)?.message ?? String(err) });
    }
  });
};
