/**
 * Fused WASM SIMD kernel for one vanilla tanh RNN: forward pass and backpropagation through
 * time in one compiled module (AssemblyScript source `rnn/kernels/wasm/src/rnn_kernel.ts`, relaxed-SIMD
 * FMA, 4×8 register tiles), same semantics as the reference `tsKernel` (paper §2.1).
 *
 * Each kernel owns one WebAssembly instance and its linear memory, which grows on demand and is
 * reused between calls: create one kernel per worker. The module is embedded as base64
 * (`rnn/kernels/wasm/rnn_kernel.wasm.ts`), so no file access is needed.
 *
 * @module
 */
import type { RnnKernel, RnnParams, RnnShape, StepData } from "../types.ts";
import { validateKernelArgs } from "./ts.ts";
import { WASM_BASE64 } from "./wasm/rnn_kernel.wasm.ts";

interface KernelExports {
  memory: WebAssembly.Memory;
  paddedBatch(B: number): number;
  heapBase(): number;
  tanhTest(x: number): number;
  forwardAll(
    Bp: number,
    T: number,
    Ip: number,
    Hp: number,
    O: number,
    pX: number,
    pWxT: number,
    pWhT: number,
    pWo: number,
    pBo: number,
    pS: number,
    pTgt: number,
    pWt: number,
    pY: number,
    pdY: number,
  ): number;
  backwardAll(
    Bp: number,
    T: number,
    Ip: number,
    Hp: number,
    O: number,
    pX: number,
    pWh: number,
    pWo: number,
    pS: number,
    pdY: number,
    pdA0: number,
    pdA1: number,
    pgWh: number,
    pgWxT: number,
    pgWo: number,
    pgBo: number,
  ): void;
}

let modulePromise: Promise<WebAssembly.Module> | undefined;

function compiledModule(): Promise<WebAssembly.Module> {
  if (!modulePromise) {
    const bin = atob(WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    modulePromise = WebAssembly.compile(bytes);
  }
  return modulePromise;
}

/** Byte offsets of every buffer in linear memory for one call's sizes (16-byte aligned). */
interface Layout {
  B: number;
  T: number;
  I: number;
  H: number;
  O: number;
  Bp: number;
  Ip: number;
  Hp: number;
  O4: number;
  wxT: number;
  whT: number;
  wh: number;
  wo: number;
  bo: number;
  x: number;
  tgt: number;
  wt: number;
  dy: number;
  y: number;
  s: number;
  dA0: number;
  dA1: number;
  gWh: number;
  gWxT: number;
  gWo: number;
  gBo: number;
  end: number;
}

function makeLayout(
  B: number,
  T: number,
  I: number,
  H: number,
  O: number,
  Bp: number,
  heapBase: number,
): Layout {
  const Hp = Math.ceil(H / 8) * 8;
  const Ip = Math.ceil((I + 1) / 4) * 4;
  const O4 = Math.ceil(O / 4) * 4;
  // Above the module's static data (and never at 0, which means "absent" inside the kernel).
  let at = Math.max(64, Math.ceil(heapBase / 64) * 64);
  const take = (floats: number) => {
    const p = at;
    at += Math.ceil(floats / 4) * 16;
    return p;
  };
  const L: Layout = {
    B,
    T,
    I,
    H,
    O,
    Bp,
    Ip,
    Hp,
    O4,
    wxT: take(Ip * Hp),
    whT: take(Hp * Hp),
    wh: take(Hp * Hp),
    wo: take(O4 * Hp),
    bo: take(O),
    x: take(T * Bp * Ip),
    tgt: take(T * Bp * O),
    wt: take(T * Bp * O),
    dy: take(T * Bp * O4),
    y: take(T * Bp * O),
    s: take(T * Bp * Hp),
    dA0: take(Bp * Hp),
    dA1: take(Bp * Hp),
    gWh: take(Hp * Hp),
    gWxT: take(Ip * Hp),
    gWo: take(O4 * Hp),
    gBo: take(O4),
    end: 0,
  };
  L.end = at;
  return L;
}

class WasmKernel implements RnnKernel {
  readonly name = "wasm-simd";
  #ex: KernelExports;
  #f32: Float32Array;

  constructor(ex: KernelExports) {
    this.#ex = ex;
    this.#f32 = new Float32Array(ex.memory.buffer);
  }

  /** Grows linear memory to hold `bytes` and refreshes the view. */
  #ensure(bytes: number): Float32Array {
    const mem = this.#ex.memory;
    if (mem.buffer.byteLength < bytes) {
      const limit = 65536 * 65536;
      if (bytes > limit) {
        throw new Error(
          `wasm kernel: batch × steps × hidden too large: needs ${bytes} bytes of linear memory, ` +
            `at most ${limit} (4 GiB); use a smaller batch or the ts kernel`,
        );
      }
      try {
        mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
      } catch (err) {
        throw new Error(`wasm kernel: cannot grow memory to ${bytes} bytes: ${err}`);
      }
    }
    if (this.#f32.buffer !== mem.buffer) this.#f32 = new Float32Array(mem.buffer);
    return this.#f32;
  }

  /** Copies parameters and data into linear memory (padded, time-major). */
  #load(
    shape: RnnShape,
    params: RnnParams,
    data: Pick<StepData, "batch" | "steps" | "inputs"> & Partial<StepData>,
    withTargets: boolean,
  ): Layout {
    const L = makeLayout(
      data.batch,
      data.steps,
      shape.inputDim,
      shape.hidden,
      shape.outputDim,
      this.#ex.paddedBatch(data.batch),
      this.#ex.heapBase(),
    );
    const m = this.#ensure(L.end);
    const { B, T, I, H, O, Bp, Ip, Hp, O4 } = L;
    const { wx, wh, b, wo, bo } = params;
    // Parameters: zero the padded blocks first, then fill the real entries.
    m.fill(0, L.wxT >> 2, (L.bo >> 2) + O);
    const wxT = L.wxT >> 2, whT = L.whT >> 2, whp = L.wh >> 2, wop = L.wo >> 2;
    for (let i = 0; i < H; i++) {
      for (let k = 0; k < I; k++) m[wxT + k * Hp + i] = wx[i * I + k];
      m[wxT + I * Hp + i] = b[i];
      for (let j = 0; j < H; j++) {
        const w = wh[i * H + j];
        m[whT + j * Hp + i] = w;
        m[whp + i * Hp + j] = w;
      }
    }
    for (let o = 0; o < O; o++) {
      for (let j = 0; j < H; j++) m[wop + o * Hp + j] = wo[o * H + j];
    }
    m.set(bo, L.bo >> 2);
    // Inputs [B, T, I] -> X [T][Bp][Ip]: inputs, 1 (bias), zeros; padded rows are zero.
    const x = L.x >> 2;
    m.fill(0, x, x + T * Bp * Ip);
    const inputs = data.inputs;
    for (let n = 0; n < B; n++) {
      for (let t = 0; t < T; t++) {
        const dst = x + (t * Bp + n) * Ip;
        const src = (n * T + t) * I;
        for (let k = 0; k < I; k++) m[dst + k] = inputs[src + k];
        m[dst + I] = 1;
      }
    }
    if (withTargets) {
      const tg = L.tgt >> 2, wt = L.wt >> 2, dy = L.dy >> 2;
      m.fill(0, dy, dy + T * Bp * O4); // padded columns of dY stay zero
      m.fill(0, tg, tg + T * Bp * O);
      m.fill(0, wt, wt + T * Bp * O);
      const targets = data.targets!, weights = data.weights!;
      for (let n = 0; n < B; n++) {
        for (let t = 0; t < T; t++) {
          const dst = (t * Bp + n) * O;
          const src = (n * T + t) * O;
          for (let o = 0; o < O; o++) {
            m[tg + dst + o] = targets[src + o];
            m[wt + dst + o] = weights[src + o];
          }
        }
      }
    }
    return L;
  }

  #forward(L: Layout, withTargets: boolean, wantY: boolean): number {
    return this.#ex.forwardAll(
      L.Bp,
      L.T,
      L.Ip,
      L.Hp,
      L.O,
      L.x,
      L.wxT,
      L.whT,
      L.wo,
      L.bo,
      L.s,
      withTargets ? L.tgt : 0,
      L.wt,
      wantY ? L.y : 0,
      L.dy,
    );
  }

  forward(
    shape: RnnShape,
    params: RnnParams,
    data: Pick<StepData, "batch" | "steps" | "inputs"> & Partial<StepData>,
    out?: { hidden?: Float32Array; outputs?: Float32Array },
  ): number {
    validateKernelArgs(shape, params, data, { needTargets: false, out });
    const withTargets = data.targets !== undefined && data.weights !== undefined;
    const L = this.#load(shape, params, data, withTargets);
    const loss = this.#forward(L, withTargets, out?.outputs !== undefined);
    const m = this.#f32;
    const { B, T, H, O, Bp, Hp } = L;
    if (out?.hidden) {
      const s = L.s >> 2, h = out.hidden;
      for (let n = 0; n < B; n++) {
        for (let t = 0; t < T; t++) {
          const src = s + (t * Bp + n) * Hp;
          h.set(m.subarray(src, src + H), (n * T + t) * H);
        }
      }
    }
    if (out?.outputs) {
      const y = L.y >> 2, dst = out.outputs;
      for (let n = 0; n < B; n++) {
        for (let t = 0; t < T; t++) {
          const src = y + (t * Bp + n) * O;
          for (let o = 0; o < O; o++) dst[(n * T + t) * O + o] = m[src + o];
        }
      }
    }
    return withTargets ? loss : NaN;
  }

  lossAndGrads(shape: RnnShape, params: RnnParams, data: StepData, grads: RnnParams): number {
    validateKernelArgs(shape, params, data, { needTargets: true, grads });
    const L = this.#load(shape, params, data, true);
    const loss = this.#forward(L, true, false);
    this.#ex.backwardAll(
      L.Bp,
      L.T,
      L.Ip,
      L.Hp,
      L.O,
      L.x,
      L.wh,
      L.wo,
      L.s,
      L.dy,
      L.dA0,
      L.dA1,
      L.gWh,
      L.gWxT,
      L.gWo,
      L.gBo,
    );
    const m = this.#f32;
    const { I, H, O, Hp } = L;
    const gWh = L.gWh >> 2, gWxT = L.gWxT >> 2, gWo = L.gWo >> 2;
    for (let i = 0; i < H; i++) {
      grads.wh.set(m.subarray(gWh + i * Hp, gWh + i * Hp + H), i * H);
      for (let k = 0; k < I; k++) grads.wx[i * I + k] = m[gWxT + k * Hp + i];
    }
    grads.b.set(m.subarray(gWxT + I * Hp, gWxT + I * Hp + H));
    for (let o = 0; o < O; o++) {
      grads.wo.set(m.subarray(gWo + o * Hp, gWo + o * Hp + H), o * H);
    }
    grads.bo.set(m.subarray(L.gBo >> 2, (L.gBo >> 2) + O));
    return loss;
  }

  /** The kernel's vectorised tanh approximation at one point (for tests). */
  tanh(x: number): number {
    return this.#ex.tanhTest(x);
  }
}

/**
 * Creates a fused WASM SIMD `RnnKernel` (name `"wasm-simd"`) with its own WebAssembly instance
 * and memory. Needs WebAssembly SIMD and relaxed SIMD (Deno ≥ 2 / V8 ≥ 11.4).
 *
 * @example
 * ```ts
 * import { createWasmKernel, initParams, tsKernel } from "@degeneracy/degeneracy";
 * const wasm = await createWasmKernel();
 * const shape = { inputDim: 1, hidden: 8, outputDim: 1 };
 * const params = initParams(shape, 3);
 * const data = { batch: 2, steps: 4, inputs: new Float32Array(8).fill(0.5) };
 * const a = wasm.forward(shape, params, data), b = tsKernel.forward(shape, params, data);
 * console.log(a, b); // NaN NaN: no targets given, so no loss; pass `out` to read states
 * ```
 */
export async function createWasmKernel(): Promise<RnnKernel & { tanh(x: number): number }> {
  const instance = await WebAssembly.instantiate(await compiledModule(), {});
  return new WasmKernel(instance.exports as unknown as KernelExports);
}
