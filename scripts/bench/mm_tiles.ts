/**
 * Register tiles of the float32 product `mmNT32` (metrics/linalg/wasm/src/linalg_kernel.ts),
 * compared in one process: each shape RA × RB (RA rows of A against RB rows of B, one f32x4
 * accumulator per entry, the same 256-term float32 chunks as the committed kernel) is generated
 * as AssemblyScript, appended to the kernel's source (whose `dot32` sums the edges, as in
 * `mmNT32`), compiled with the project's pinned compiler and flags, and timed on the same
 * operands in interleaved rounds (every shape once per round), so that a machine whose speed
 * drifts sees every shape alike. Prints per shape the best GFLOP/s and the median (quartiles)
 * over rounds of its speed relative to the first shape in the same round, and checks that every
 * shape's output equals the first one's to the last bit (the summation order of an entry does
 * not depend on the tile). The committed kernel uses 2 × 6 (docs/performance.md, "A 2 × 6
 * register tile").
 *
 * Usage: deno run --allow-read --allow-env scripts/bench/mm_tiles.ts
 *          [--shapes 2x4,2x6,3x3,2x5] [--sizes 256,500,1000] [--rounds 30]   (--help: the flags)
 *
 * @module
 */
import { defineCli, f, InvalidValue, parseOrExit } from "../lib/cli.ts";
import { compileKernel, LINALG_KERNEL } from "../../rnn/kernels/wasm/build.ts";
import { mulberry32 } from "../../metrics/rng.ts";

/** AssemblyScript of `mm_<ra>x<rb>`: mmNT32's loop nest with an ra × rb register tile. */
export function tileSource(ra: number, rb: number): string {
  const rows = (f: (r: number) => string) => Array.from({ length: ra }, (_, r) => f(r));
  const cols = (f: (q: number) => string) => Array.from({ length: rb }, (_, q) => f(q));
  const all = (f: (r: number, q: number) => string) => rows((r) => cols((q) => f(r, q)).join("\n"));
  return [
    `export function mm_${ra}x${rb}(a: usize, b: usize, c: usize, m: i32, kp: i32, n: i32): void {`,
    `  const row: usize = (<usize>kp) << 2; const rowC: usize = (<usize>n) << 3;`,
    `  let nb = (<i32>(65536 / max(kp, 1))) / ${rb} * ${rb}; if (nb < ${rb}) nb = ${rb};`,
    `  for (let j0 = 0; j0 < n; j0 += nb) {`,
    `    const j1 = min(n, j0 + nb); let i = 0;`,
    `    for (; i + ${ra} <= m; i += ${ra}) {`,
    ...rows((r) =>
      `const a${r} = a + <usize>(i + ${r}) * row, c${r} = c + <usize>(i + ${r}) * rowC;`
    ),
    `      let j = j0;`,
    `      for (; j + ${rb} <= j1; j += ${rb}) {`,
    ...cols((q) => `const b${q} = b + <usize>(j + ${q}) * row;`),
    ...all((r, q) => `let r${r}_${q}: f64 = 0;`),
    `        for (let p0: usize = 0; p0 < row; p0 += 1024) {`,
    `          const p1 = min(row, p0 + 1024);`,
    ...all((r, q) => `let s${r}_${q} = f32x4.splat(0);`),
    `          for (let p = p0; p < p1; p += 16) {`,
    ...rows((r) => `const x${r} = v128.load(a${r} + p);`),
    ...cols((q) =>
      [
        `{ const y = v128.load(b${q} + p);`,
        ...rows((r) => `s${r}_${q} = f32x4.relaxed_madd(x${r}, y, s${r}_${q});`),
        "}",
      ]
        .join("\n")
    ),
    `          }`,
    ...all((r, q) => `r${r}_${q} += hsum4(s${r}_${q});`),
    `        }`,
    ...all((r, q) => `store<f64>(c${r} + ((<usize>j) << 3) + ${8 * q}, r${r}_${q});`),
    `      }`,
    `      for (; j < j1; j++) {`,
    ...rows((r) => `store<f64>(c${r} + ((<usize>j) << 3), dot32(a${r}, b + <usize>j * row, kp));`),
    `      }`,
    `    }`,
    `    for (; i < m; i++) for (let j = j0; j < j1; j++) {`,
    `      store<f64>(c + <usize>i * rowC + ((<usize>j) << 3), dot32(a + <usize>i * row, b + <usize>j * row, kp));`,
    `    }`,
    `  }`,
    `}`,
  ].join("\n");
}

/** The command line of scripts/bench/mm_tiles.ts. */
export const CLI = defineCli({
  name: "scripts/bench/mm_tiles.ts",
  command: "deno run --allow-read --allow-env scripts/bench/mm_tiles.ts",
  summary: "Register tiles of the float32 product mmNT32 compared in one process: each shape " +
    "generated as AssemblyScript, compiled with the pinned compiler, timed on the same operands " +
    "in interleaved rounds; prints the best GFLOP/s and the speed relative to the first shape.",
  flags: {
    shapes: f.custom(
      "RAxRB,…",
      "tile shapes, the first one the reference",
      "comma-separated distinct RAxRB with RA, RB integers from 1 to 12, e.g. 2x4,2x6",
      (raw) => {
        const shapes = raw.split(",").map((t) => t.trim());
        for (const t of shapes) {
          const m = /^(\d+)x(\d+)$/.exec(t);
          if (!m || [m[1], m[2]].some((x) => Number(x) < 1 || Number(x) > 12)) {
            throw new InvalidValue(`"${t}" is not RAxRB with RA, RB from 1 to 12`);
          }
        }
        if (new Set(shapes).size !== shapes.length) {
          throw new InvalidValue(`"${raw}" repeats a shape`);
        }
        return shapes.map((t) => t.split("x").map(Number) as [number, number]);
      },
      "2x4,2x6,3x3,2x5",
    ),
    sizes: f.numbers("N,…", "square sizes n (n × n times n × n)", {
      integer: true,
      min: 1,
      max: 4096,
    }),
    rounds: f.int("K", "timed rounds (after 3 untimed ones)", {
      min: 1,
      max: 1000,
      defaultText: "30",
    }),
  },
});

/** The kernel's exports (`memory`, `heapBase`, …) with the `mm_<ra>x<rb>` variants. */
export type TileExports = Record<string, (...a: number[]) => number> & {
  memory: WebAssembly.Memory;
};

/**
 * Compiles the linear-algebra kernel's source with the variants of `shapes` appended (they call
 * its helpers: hsum4, dot32, heapBase) and instantiates it.
 */
export async function compileTiles(shapes: number[][]): Promise<TileExports> {
  const kernel = await Deno.readTextFile(LINALG_KERNEL.source);
  const source = kernel + "\n" + shapes.map(([ra, rb]) => tileSource(ra, rb)).join("\n");
  return new WebAssembly.Instance(
    new WebAssembly.Module(new Uint8Array(await compileKernel(source, LINALG_KERNEL))),
    {},
  ).exports as unknown as TileExports;
}

/**
 * Byte offsets of a variant's operands from the kernel's heap base: A (m rows) and B (n rows) as
 * float32 rows of kp entries, back to back, then C (m × n float64); grows the memory to hold them.
 */
export function tileOperands(
  ex: TileExports,
  m: number,
  n: number,
  kp: number,
): { pa: number; pb: number; pc: number } {
  const pa = ex.heapBase(), pb = pa + m * kp * 4, pc = pb + n * kp * 4;
  const need = pc + m * n * 8 - ex.memory.buffer.byteLength;
  if (need > 0) ex.memory.grow(Math.ceil(need / 65536));
  return { pa, pb, pc };
}

/** Untimed rounds first: the engine compiles WASM in tiers, the optimised code arriving later. */
const WARM_UP = 3;

const quantile = (x: number[], q: number) =>
  [...x].sort((a, b) => a - b)[Math.floor(q * (x.length - 1) + 0.5)];

if (import.meta.main) {
  const values = parseOrExit(CLI, Deno.args);
  const shapes = values.shapes ?? [[2, 4], [2, 6], [3, 3], [2, 5]];
  const shapeNames = shapes.map(([ra, rb]) => `${ra}x${rb}`);
  const sizes = values.sizes ?? [256, 500, 1000];
  const rounds = values.rounds ?? 30;
  const ex = await compileTiles(shapes);
  console.log(
    `shapes ${
      shapeNames.join(",")
    }; ${rounds} interleaved rounds; ratio = speed / first shape's, same round`,
  );
  for (const n of sizes) {
    const kp = (n + 3) & ~3, { pa, pb, pc } = tileOperands(ex, n, n, kp);
    const u = mulberry32(n);
    new Float32Array(ex.memory.buffer, pa, 2 * n * kp).forEach((_, i, a) => (a[i] = u() - 0.5));
    const first = new Float64Array(n * n), gf = shapes.map(() => [] as number[]);
    for (let r = 0; r < WARM_UP + rounds; r++) {
      shapes.forEach(([ra, rb], s) => {
        const t0 = performance.now();
        ex[`mm_${ra}x${rb}`](pa, pb, pc, n, kp, n);
        const dt = performance.now() - t0;
        const c = new Float64Array(ex.memory.buffer, pc, n * n);
        if (r === 0 && s === 0) first.set(c);
        else if (r === 0 && c.some((v, i) => v !== first[i])) {
          throw new Error(`${ra}x${rb} differs from ${shapeNames[0]} at n = ${n}`);
        }
        if (r >= WARM_UP) gf[s].push((2 * n * n * n) / dt / 1e6);
      });
    }
    shapes.forEach(([ra, rb], s) => {
      const ratio = gf[s].map((g, r) => g / gf[0][r]);
      console.log(
        `n = ${String(n).padStart(4)}  ${ra}x${rb}: best ${
          Math.max(...gf[s]).toFixed(1)
        } GFLOP/s, ` +
          `ratio median ${quantile(ratio, 0.5).toFixed(3)} (quartiles ${
            quantile(ratio, 0.25).toFixed(3)
          }–${quantile(ratio, 0.75).toFixed(3)})`,
      );
    });
  }
}
