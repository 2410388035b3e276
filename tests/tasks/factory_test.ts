/**
 * The `createTask` factory: variant ids, and errors that name the parameter and its allowed
 * range. (Shapes, determinism, OOD and sampling errors of every task: `registry_test.ts`.)
 */
import assert from "node:assert/strict";
import { createTask, type SineParams, sineWaveTask, type TaskSpec } from "../../mod.ts";

const SPECS: TaskSpec[] = [
  { name: "flipflop", n: 3 },
  { name: "delayed_discrimination", n: 2 },
  { name: "sine", n: 2, nFreq: 5 },
  { name: "path_integration" },
  { name: "path_integration", dims: 3 },
];

Deno.test("createTask: the ids of the registry's variants", () => {
  const ids = SPECS.map((spec) => createTask(spec).id);
  assert.deepEqual(ids, ["flipflop-n3", "dd-n2", "sine-n2-f5", "pathint-2d", "pathint-3d"]);
  assert.equal(createTask({ name: "sine", dt: 0.005 }).id, "sine-n1-f5-dt0.005");
  assert.equal(
    createTask({ name: "flipflop", n: 1, p: 0.5, steps: 50 }).id,
    "flipflop-n1-p0.5-t50",
  );
});

Deno.test("invalid parameters throw errors naming the parameter and its allowed range", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => createTask({ name: "flipflop", n: 0 }), /"n" must be an integer in \[1, 4096\], got 0/],
    [() => createTask({ name: "flipflop", p: 1.5 }), /"p" must be a finite number in \[0, 1\]/],
    [() => createTask({ name: "flipflop", p: -0.1 }), /"p" must be a finite number in \[0, 1\]/],
    [() => createTask({ name: "flipflop", steps: 10.5 }), /"steps" must be an integer/],
    [() => createTask({ name: "sine", n: Number.NaN }), /"n" must be an integer/],
    [() => createTask({ name: "sine", nFreq: 0 }), /"nFreq" must be an integer/],
    [
      () => createTask({ name: "sine", offGrid: 1 as unknown as boolean }),
      /"offGrid" must be a boolean/,
    ],
    [
      () => createTask({ name: "sine", dt: 0 }),
      /"dt" must be a finite number in \(0, 1000000\], got 0/,
    ],
    [
      () => createTask({ name: "delayed_discrimination", minDelay: 0 }),
      /"minDelay" must be an integer/,
    ],
    [
      () => createTask({ name: "path_integration", maxSpeed: -1 }),
      /"maxSpeed" must be a finite number/,
    ],
    [
      () => createTask({ name: "bogus" } as unknown as TaskSpec),
      /"name" must be one of "flipflop", "delayed_discrimination", "sine", "path_integration", got "bogus"/,
    ],
    [
      () => createTask({ name: "flipflop", N: 3 } as unknown as TaskSpec),
      /unknown parameter "N"; allowed parameters: n, p, steps/,
    ],
    [() => createTask(null as unknown as TaskSpec), /spec must be an object/],
    [() => sineWaveTask({ name: "flipflop" } as SineParams), /"name" must be "sine" here/],
  ];
  for (const [fn, re] of cases) assert.throws(fn, re);
});
