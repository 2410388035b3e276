/**
 * Host side of the float64 WASM SIMD linear-algebra kernel (`metrics/linalg/wasm/src/linalg_kernel.ts`,
 * built into `metrics/linalg/wasm/linalg_kernel.wasm.ts` by `deno task build:wasm`). The module is
 * compiled and instantiated synchronously on first use (one instance per thread, with its own
 * linear memory that grows on demand); operands are copied in and results copied out, which
 * costs O(size) against the O(m·k·n) product. Where WebAssembly SIMD with relaxed SIMD is
 * unavailable, `wasmLinalgAvailable()` is false and callers use their plain-TypeScript path.
 *
 * @module
 */
import { WASM_BASE64 } from "./wasm/linalg_kernel.wasm.ts";

interface LinalgExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  mmNT(a: number, b: number, c: number, m: number, k: number, n: number): void;
  mmNT32(a: number, b: number, c: number, m: number, kp: number, n: number): void;
  tridiagonalize(
    a: number,
    n: number,
    nb: number,
    d: number,
    e: number,
    vr: number,
    beta: number,
    ws: number,
  ): void;
  cayley(omega: number, n: number, k: number, r: number): void;
  invertNoPivot(a: number, n: number, r: number): void;
  detSign(a: number, n: number): number;
  mmTNAcc(
    a: number,
    lda: number,
    b: number,
    ldb: number,
    c: number,
    N: number,
    m: number,
    n: number,
    alpha: number,
  ): void;
}

let state: { ex: LinalgExports; base: number } | null | undefined;

let enabled = true;

/**
 * Turns the WASM kernel on or off for this thread (default on); off, every caller takes its
 * plain-TypeScript path. For tests and benchmarks of the fallback.
 */
export function setLinalgWasmEnabled(on: boolean): void {
  enabled = on;
}

function instance(): { ex: LinalgExports; base: number } | null {
  if (!enabled) return null;
  if (state !== undefined) return state;
  try {
    const bin = atob(WASM_BASE64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const ex = inst.exports as unknown as LinalgExports;
    state = { ex, base: ex.heapBase() };
  } catch {
    state = null; // no SIMD / relaxed SIMD in this engine
  }
  return state;
}

/** The kernel instance; throws when it is unavailable (check `wasmLinalgAvailable`). */
function requireInstance(): { ex: LinalgExports; base: number } {
  const st = instance();
  if (!st) throw new Error("linalg wasm kernel unavailable (no WebAssembly SIMD)");
  return st;
}

/** Whether the WASM SIMD kernel can run here (compiles it on first call). */
export function wasmLinalgAvailable(): boolean {
  return instance() !== null;
}

/** Largest linear memory the kernel may use (4 GiB, the wasm32 limit). */
const MAX_BYTES = 4 * 1024 ** 3;

function ensure(ex: LinalgExports, bytes: number): void {
  const mem = ex.memory;
  if (bytes <= mem.buffer.byteLength) return;
  if (bytes > MAX_BYTES) {
    throw new Error(
      `linalg wasm kernel: operands need ${bytes} bytes of linear memory, above the 4 GiB limit`,
    );
  }
  mem.grow(Math.ceil((bytes - mem.buffer.byteLength) / 65536));
}

/**
 * C (m×n) = A (m×k) · Bᵀ, B given as n×k, row-major float64, on the WASM SIMD kernel
 * (fused multiply–add where the CPU has it, so the last bits may differ from the
 * TypeScript kernel). Throws when the kernel is unavailable (check `wasmLinalgAvailable`).
 */
export function wasmMmNT(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out?: Float64Array,
): Float64Array {
  const { ex, base } = requireInstance();
  const pa = base, pb = pa + m * k * 8, pc = pb + n * k * 8;
  ensure(ex, pc + m * n * 8);
  const heap = new Float64Array(ex.memory.buffer);
  heap.set(a.subarray(0, m * k), pa / 8);
  heap.set(b.subarray(0, n * k), pb / 8);
  ex.mmNT(pa, pb, pc, m, k, n);
  const c = out ?? new Float64Array(m * n);
  c.set(new Float64Array(ex.memory.buffer, pc, m * n));
  return c;
}

/** Copies r×k row-major float64 rows into float32 memory at element `at` with row length kp ≥ k. */
function putRows32(
  f32: Float32Array,
  at: number,
  x: Float64Array,
  r: number,
  k: number,
  kp: number,
) {
  if (kp === k) {
    f32.set(x.subarray(0, r * k), at);
    return;
  }
  for (let i = 0; i < r; i++) {
    const o = at + i * kp;
    f32.set(x.subarray(i * k, (i + 1) * k), o);
    f32.fill(0, o + k, o + kp);
  }
}

/**
 * C (m×n, float64) ≈ A (m×k) · Bᵀ (B given as n×k), with A and B rounded to float32 and the
 * products summed in float32 within chunks of 256 terms (chunk sums in float64), on the WASM
 * SIMD kernel: about twice the speed of `wasmMmNT`, relative error ~1e-6 of ‖A‖‖B‖. For
 * products whose rounding is harmless (e.g. small corrections added to float64 matrices).
 * Throws when the kernel is unavailable (check `wasmLinalgAvailable`).
 */
export function wasmMmNT32(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  out?: Float64Array,
): Float64Array {
  const { ex, base } = requireInstance();
  const kp = (k + 3) & ~3;
  const pa = base, pb = pa + m * kp * 4, pc = pb + ((n * kp * 4 + 15) & ~15);
  ensure(ex, pc + m * n * 8);
  const f32 = new Float32Array(ex.memory.buffer);
  putRows32(f32, pa / 4, a, m, k, kp);
  putRows32(f32, pb / 4, b, n, k, kp);
  ex.mmNT32(pa, pb, pc, m, kp, n);
  const c = out ?? new Float64Array(m * n);
  c.set(new Float64Array(ex.memory.buffer, pc, m * n));
  return c;
}

/**
 * Blocked Householder tridiagonalisation of a symmetric n×n matrix (n ≥ 3; lower triangle
 * read, as `tridiagonalize` of `symeig.ts`) on the WASM SIMD kernel (LAPACK
 * dsytrd/dlatrd scheme, panel width `nb`). Returns the diagonal `d` (n), subdiagonal `e`
 * (n−1) and the n−2 reflectors (`vs[i]` = v_i on indices i+1..n−1, `betas[i]` = β_i) with
 * A = Q T Qᵀ, Q = H_0 … H_{n−3}, H_i = I − β_i v_i v_iᵀ.
 */
export function wasmTridiagonalize(
  aIn: Float64Array,
  n: number,
  nb = 32,
): { d: Float64Array; e: Float64Array; vs: Float64Array[]; betas: number[] } {
  if (!(Number.isInteger(n) && n >= 3)) throw new Error(`n must be an integer ≥ 3, got ${n}`);
  const { ex, base } = requireInstance();
  const nn = n * n;
  const pa = base, pd = pa + nn * 8, pe = pd + n * 8, pv = pe + n * 8, pb = pv + nn * 8;
  const pw = pb + n * 8;
  const wsDoubles = nb * n + n + 4 * n * nb + 64 * n;
  ensure(ex, pw + wsDoubles * 8);
  const heap = new Float64Array(ex.memory.buffer);
  const a0 = pa / 8;
  heap.set(aIn.subarray(0, nn), a0);
  heap.fill(0, pv / 8, pv / 8 + nn);
  ex.tridiagonalize(pa, n, nb, pd, pe, pv, pb, pw);
  const d = heap.slice(pd / 8, pd / 8 + n);
  const e = heap.slice(pe / 8, pe / 8 + n - 1);
  const vs: Float64Array[] = [];
  const betas: number[] = [];
  for (let i = 0; i < n - 2; i++) {
    const o = pv / 8 + i * n;
    vs.push(heap.slice(o + i + 1, o + n));
    betas.push(heap[pb / 8 + i]);
  }
  return { d, e, vs, betas };
}

/**
 * Cayley transform R = (I − Ω/2)⁻¹ (I + Ω/2) of a skew-symmetric n×n Ω (row-major) on the
 * WASM SIMD kernel (as `cayley` of `solve.ts`). Returns `out` (allocated when omitted).
 */
export function wasmCayley(omega: Float64Array, n: number, out?: Float64Array): Float64Array {
  const { ex, base } = requireInstance();
  const nn = n * n;
  const po = base, pk = po + nn * 8, pr = pk + nn * 8;
  ensure(ex, pr + nn * 8);
  new Float64Array(ex.memory.buffer).set(omega.subarray(0, nn), po / 8);
  ex.cayley(po, n, pk, pr);
  const r = out ?? new Float64Array(nn);
  r.set(new Float64Array(ex.memory.buffer, pr, nn));
  return r;
}

/**
 * Inverse of an n×n matrix without pivoting (Gauss–Jordan, SIMD row operations) on the WASM
 * kernel; only for matrices whose pivots cannot vanish, e.g. with a positive definite
 * symmetric part. Returns `out` (allocated when omitted).
 */
export function wasmInvertNoPivot(a: Float64Array, n: number, out?: Float64Array): Float64Array {
  const { ex, base } = requireInstance();
  const nn = n * n;
  const pa = base, pr = pa + nn * 8;
  ensure(ex, pr + nn * 8);
  new Float64Array(ex.memory.buffer).set(a.subarray(0, nn), pa / 8);
  ex.invertNoPivot(pa, n, pr);
  const r = out ?? new Float64Array(nn);
  r.set(new Float64Array(ex.memory.buffer, pr, nn));
  return r;
}

/** Sign of det(A) (±1, 0 when singular) of an n×n matrix by LU with partial pivoting (WASM). */
export function wasmDetSign(a: Float64Array, n: number): number {
  const { ex, base } = requireInstance();
  ensure(ex, base + n * n * 8);
  new Float64Array(ex.memory.buffer).set(a.subarray(0, n * n), base / 8);
  return ex.detSign(base, n);
}

/** Lagged cross-product sums over the trials of one multi-trial series (see `wasmLagSums`). */
export interface LagSums {
  /** acc ← 0 (n×n). */
  reset(): void;
  /** acc += sign · Σ_k Σ_{t=t0}^{t1−1} x_k[t+a] x_k[t+b]ᵀ (time indices must stay in range). */
  add(a: number, b: number, t0: number, t1: number, sign: number): void;
  /** Copies acc into `out` at (row0, col0) of a row-major matrix with `cols` columns. */
  store(out: Float64Array, cols: number, row0: number, col0: number): void;
}

/** Throws unless the time indices t+a, t+b of a lag-sum window t ∈ [t0, t1) lie in [0, T). */
export function checkLagWindow(a: number, b: number, t0: number, t1: number, T: number): void {
  if (t1 > t0 && (t0 + Math.min(a, b) < 0 || t1 + Math.max(a, b) > T)) {
    throw new Error(`lag sum out of range: t ∈ [${t0}, ${t1}) + (${a}, ${b}), T = ${T}`);
  }
}

/**
 * Places the series x (K trials × T steps × n units, flat) in the WASM kernel's memory and
 * returns accumulators of its lagged cross-products Σ_k Σ_t x_k[t+a] x_k[t+b]ᵀ (n×n), the
 * blocks of the delay-embedding Gram matrices of DSA. Valid until the next use of the
 * kernel by another function. Null when the kernel is unavailable.
 */
export function wasmLagSums(x: Float64Array, K: number, T: number, n: number): LagSums | null {
  const st = instance();
  if (!st) return null;
  const { ex, base } = st;
  const px = base, pacc = px + K * T * n * 8;
  ensure(ex, pacc + n * n * 8);
  new Float64Array(ex.memory.buffer).set(x.subarray(0, K * T * n), px / 8);
  const acc0 = pacc / 8;
  return {
    reset: () => new Float64Array(ex.memory.buffer).fill(0, acc0, acc0 + n * n),
    add: (a, b, t0, t1, sign) => {
      checkLagWindow(a, b, t0, t1, T);
      if (t1 <= t0) return;
      for (let k = 0; k < K; k++) {
        const row = k * T + t0;
        ex.mmTNAcc(px + (row + a) * n * 8, n, px + (row + b) * n * 8, n, pacc, t1 - t0, n, n, sign);
      }
    },
    store: (out, cols, row0, col0) => {
      const heap = new Float64Array(ex.memory.buffer);
      for (let u = 0; u < n; u++) {
        out.set(heap.subarray(acc0 + u * n, acc0 + (u + 1) * n), (row0 + u) * cols + col0);
      }
    },
  };
}
