// AssemblyScript source of the fused WASM SIMD kernel for one vanilla tanh RNN:
// h_t = tanh(W_h h_{t-1} + W_x x_t + b), y_t = W_o h_t + b_o, loss = sum w (y - target)^2,
// forward pass and backpropagation through time (paper §2.1).
//
// Build: `deno task build:wasm` (writes rnn/kernels/wasm/rnn_kernel.wasm.ts). The JS side
// (rnn/kernels/wasm.ts) owns the linear memory layout and passes byte pointers in.
//
// Layout (all f32, row-major, time-major so each step is one contiguous block):
//   X   [T][Bp][Ip]  inputs, then a constant 1 (column I, so the bias is row I of WxT), then
//                    zeros up to Ip = I + 1 rounded up to 4
//   WxT [Ip][Hp]     W_x transposed, row I = b, zero rows after
//   WhT [Hp][Hp]     W_h transposed (forward), Wh [Hp][Hp] W_h (backward)
//   Wo  [O4][Hp] (O4 = O rounded up to 4, zero rows after O), bo [O]
//   Tgt, Wt, Y [T][Bp][O]  targets, loss weights, outputs
//   S   [T][Bp][Hp]  hidden states; dY [T][Bp][O4] = 2 w (y - target), zero columns after O
// Bp = paddedBatch(B) (even, ≥ 4; pad rows have zero loss weight), Hp = H rounded
// up to 8 (pad units have zero weights, so their state stays tanh(0) = 0 and they carry no
// gradient).
//
// Register tiles: 6 rows (4 where needed to fill the batch) x 8 columns (2 f32x4 accumulators
// per row; 12 accumulators cover the 5-cycle FMA latency of two FMA pipes), relaxed-SIMD FMA (a
// real FMA on x86 with FMA3). The step kernels broadcast the row operand with splat loads;
// accumAtB loads 4 row values at once and broadcasts lanes with shuffles (fewer bounds-checked
// loads: Deno runs without V8's wasm trap handler, so every load is explicitly bounds-checked).

/** First byte after the module's static data (the JS side places its buffers above it). */
export function heapBase(): usize {
  return __heap_base;
}

const ATB_CHUNK: i32 = 64;

@inline function round4(n: i32): i32 {
  return (n + 3) & ~3;
}

@inline function fma(a: v128, b: v128, c: v128): v128 {
  return f32x4.relaxed_madd(a, b, c);
}

// Rational approximation of tanh (odd degree-13 / even degree-6, the form used by Eigen),
// max abs error 3.3e-7 against Math.tanh; NaN propagates.
// Coefficients as splatted vectors in a static data segment: a load from a constant address below
// the initial memory size needs no bounds check, while a v128 constant is rebuilt in registers
// at every use.
const TANH_C: usize = memory.data<f32>([
  7.90531110763549805, 7.90531110763549805, 7.90531110763549805, 7.90531110763549805,
  -7.90531110763549805, -7.90531110763549805, -7.90531110763549805, -7.90531110763549805,
  -2.76076847742355e-16, -2.76076847742355e-16, -2.76076847742355e-16, -2.76076847742355e-16,
  2.00018790482477e-13, 2.00018790482477e-13, 2.00018790482477e-13, 2.00018790482477e-13,
  -8.60467152213735e-11, -8.60467152213735e-11, -8.60467152213735e-11, -8.60467152213735e-11,
  5.12229709037114e-08, 5.12229709037114e-08, 5.12229709037114e-08, 5.12229709037114e-08,
  1.48572235717979e-05, 1.48572235717979e-05, 1.48572235717979e-05, 1.48572235717979e-05,
  6.37261928875436e-04, 6.37261928875436e-04, 6.37261928875436e-04, 6.37261928875436e-04,
  4.89352455891786e-03, 4.89352455891786e-03, 4.89352455891786e-03, 4.89352455891786e-03,
  1.19825839466702e-06, 1.19825839466702e-06, 1.19825839466702e-06, 1.19825839466702e-06,
  1.18534705686654e-04, 1.18534705686654e-04, 1.18534705686654e-04, 1.18534705686654e-04,
  2.26843463243900e-03, 2.26843463243900e-03, 2.26843463243900e-03, 2.26843463243900e-03,
  4.89352518554385e-03, 4.89352518554385e-03, 4.89352518554385e-03, 4.89352518554385e-03,
  1, 1, 1, 1,
], 16);

// Rational approximation of tanh (odd degree-13 / even degree-6, the form used by Eigen),
// max abs error 3.3e-7 against Math.tanh; NaN propagates.
@inline function tanh4(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, v128.load(TANH_C, 16)), v128.load(TANH_C));
  const x2 = f32x4.mul(x, x);
  let p = v128.load(TANH_C, 32);
  p = fma(p, x2, v128.load(TANH_C, 48));
  p = fma(p, x2, v128.load(TANH_C, 64));
  p = fma(p, x2, v128.load(TANH_C, 80));
  p = fma(p, x2, v128.load(TANH_C, 96));
  p = fma(p, x2, v128.load(TANH_C, 112));
  p = fma(p, x2, v128.load(TANH_C, 128));
  p = f32x4.mul(p, x);
  let q = v128.load(TANH_C, 144);
  q = fma(q, x2, v128.load(TANH_C, 160));
  q = fma(q, x2, v128.load(TANH_C, 176));
  q = fma(q, x2, v128.load(TANH_C, 192));
  return f32x4.div(p, q);
}

/** Scalar tanh through the vector path (used by tests). */
export function tanhTest(x: f32): f32 {
  return f32x4.extract_lane(tanh4(f32x4.splat(x)), 0);
}

// Forward pre-activation + tanh for the rows of one register tile and all hidden units:
// S[n, i] = tanh(sum_k X[n, k] WxT[k, i] + sum_j Sprev[n, j] WhT[j, i]).
function forwardRows6(
  Ip: i32,
  Hp: i32,
  xRow: usize,
  sRow: usize,
  hasPrev: bool,
  oRow: usize,
  pWxT: usize,
  pWhT: usize,
): void {
  const ldh = <usize>Hp << 2;
  const ldx = <usize>Ip << 2;
  for (let i0 = 0; i0 < Hp; i0 += 8) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
    let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0);
    let a30 = f32x4.splat(0), a31 = f32x4.splat(0);
    let a40 = f32x4.splat(0), a41 = f32x4.splat(0);
    let a50 = f32x4.splat(0), a51 = f32x4.splat(0);
    {
      let w = pWxT + (<usize>i0 << 2);
      let p = xRow;
      const pEnd = xRow + (Ip << 2);
      while (p < pEnd) {
        const w0 = v128.load(w), w1 = v128.load(w, 16);
        let s = v128.load32_splat(p);
        a00 = fma(s, w0, a00);
        a01 = fma(s, w1, a01);
        s = v128.load32_splat(p + ldx);
        a10 = fma(s, w0, a10);
        a11 = fma(s, w1, a11);
        s = v128.load32_splat(p + 2 * ldx);
        a20 = fma(s, w0, a20);
        a21 = fma(s, w1, a21);
        s = v128.load32_splat(p + 3 * ldx);
        a30 = fma(s, w0, a30);
        a31 = fma(s, w1, a31);
        s = v128.load32_splat(p + 4 * ldx);
        a40 = fma(s, w0, a40);
        a41 = fma(s, w1, a41);
        s = v128.load32_splat(p + 5 * ldx);
        a50 = fma(s, w0, a50);
        a51 = fma(s, w1, a51);
        w += ldh;
        p += 4;
      }
    }
    if (hasPrev) {
      let w = pWhT + (<usize>i0 << 2);
      let p = sRow;
      const pEnd = sRow + (Hp << 2);
      while (p < pEnd) {
        const w0 = v128.load(w), w1 = v128.load(w, 16);
        let s = v128.load32_splat(p);
        a00 = fma(s, w0, a00);
        a01 = fma(s, w1, a01);
        s = v128.load32_splat(p + ldh);
        a10 = fma(s, w0, a10);
        a11 = fma(s, w1, a11);
        s = v128.load32_splat(p + 2 * ldh);
        a20 = fma(s, w0, a20);
        a21 = fma(s, w1, a21);
        s = v128.load32_splat(p + 3 * ldh);
        a30 = fma(s, w0, a30);
        a31 = fma(s, w1, a31);
        s = v128.load32_splat(p + 4 * ldh);
        a40 = fma(s, w0, a40);
        a41 = fma(s, w1, a41);
        s = v128.load32_splat(p + 5 * ldh);
        a50 = fma(s, w0, a50);
        a51 = fma(s, w1, a51);
        w += ldh;
        p += 4;
      }
    }
    const o = oRow + (<usize>i0 << 2);
    v128.store(o, tanh4(a00));
    v128.store(o, tanh4(a01), 16);
    v128.store(o + ldh, tanh4(a10));
    v128.store(o + ldh, tanh4(a11), 16);
    v128.store(o + 2 * ldh, tanh4(a20));
    v128.store(o + 2 * ldh, tanh4(a21), 16);
    v128.store(o + 3 * ldh, tanh4(a30));
    v128.store(o + 3 * ldh, tanh4(a31), 16);
    v128.store(o + 4 * ldh, tanh4(a40));
    v128.store(o + 4 * ldh, tanh4(a41), 16);
    v128.store(o + 5 * ldh, tanh4(a50));
    v128.store(o + 5 * ldh, tanh4(a51), 16);
  }
}

function forwardRows4(
  Ip: i32,
  Hp: i32,
  xRow: usize,
  sRow: usize,
  hasPrev: bool,
  oRow: usize,
  pWxT: usize,
  pWhT: usize,
): void {
  const ldh = <usize>Hp << 2;
  const ldx = <usize>Ip << 2;
  for (let i0 = 0; i0 < Hp; i0 += 8) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
    let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0);
    let a30 = f32x4.splat(0), a31 = f32x4.splat(0);
    {
      let w = pWxT + (<usize>i0 << 2);
      let p = xRow;
      const pEnd = xRow + (Ip << 2);
      while (p < pEnd) {
        const w0 = v128.load(w), w1 = v128.load(w, 16);
        let s = v128.load32_splat(p);
        a00 = fma(s, w0, a00);
        a01 = fma(s, w1, a01);
        s = v128.load32_splat(p + ldx);
        a10 = fma(s, w0, a10);
        a11 = fma(s, w1, a11);
        s = v128.load32_splat(p + 2 * ldx);
        a20 = fma(s, w0, a20);
        a21 = fma(s, w1, a21);
        s = v128.load32_splat(p + 3 * ldx);
        a30 = fma(s, w0, a30);
        a31 = fma(s, w1, a31);
        w += ldh;
        p += 4;
      }
    }
    if (hasPrev) {
      let w = pWhT + (<usize>i0 << 2);
      let p = sRow;
      const pEnd = sRow + (Hp << 2);
      while (p < pEnd) {
        const w0 = v128.load(w), w1 = v128.load(w, 16);
        let s = v128.load32_splat(p);
        a00 = fma(s, w0, a00);
        a01 = fma(s, w1, a01);
        s = v128.load32_splat(p + ldh);
        a10 = fma(s, w0, a10);
        a11 = fma(s, w1, a11);
        s = v128.load32_splat(p + 2 * ldh);
        a20 = fma(s, w0, a20);
        a21 = fma(s, w1, a21);
        s = v128.load32_splat(p + 3 * ldh);
        a30 = fma(s, w0, a30);
        a31 = fma(s, w1, a31);
        w += ldh;
        p += 4;
      }
    }
    const o = oRow + (<usize>i0 << 2);
    v128.store(o, tanh4(a00));
    v128.store(o, tanh4(a01), 16);
    v128.store(o + ldh, tanh4(a10));
    v128.store(o + ldh, tanh4(a11), 16);
    v128.store(o + 2 * ldh, tanh4(a20));
    v128.store(o + 2 * ldh, tanh4(a21), 16);
    v128.store(o + 3 * ldh, tanh4(a30));
    v128.store(o + 3 * ldh, tanh4(a31), 16);
  }
}

/**
 * Rows [0, n6) of a padded batch are covered by 6-row tiles, the rest by 4-row tiles
 * (Bp = 6a + 4b: Bp even and ≥ 4).
 */
@inline function sixRowEnd(Bp: i32): i32 {
  const h = (Bp >> 1) % 3;
  return h == 0 ? Bp : h == 2 ? Bp - 4 : Bp - 8;
}

/** Batch padded for the register tiles: even and at least 4. */
export function paddedBatch(B: i32): i32 {
  return B <= 4 ? 4 : (B + 1) & ~1;
}

// One forward step over the whole (padded) batch.
function forwardStep(
  Bp: i32,
  Ip: i32,
  Hp: i32,
  pX: usize,
  pWxT: usize,
  pSprev: usize,
  pWhT: usize,
  pS: usize,
): void {
  const ldh = <usize>Hp << 2;
  const ldx = <usize>Ip << 2;
  const hasPrev = pSprev != 0;
  const n6 = sixRowEnd(Bp);
  let n0 = 0;
  for (; n0 < n6; n0 += 6) {
    const r = <usize>n0;
    forwardRows6(Ip, Hp, pX + r * ldx, pSprev + r * ldh, hasPrev, pS + r * ldh, pWxT, pWhT);
  }
  for (; n0 < Bp; n0 += 4) {
    const r = <usize>n0;
    forwardRows4(Ip, Hp, pX + r * ldx, pSprev + r * ldh, hasPrev, pS + r * ldh, pWxT, pWhT);
  }
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) +
    f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// Loss term of one readout value (n, o): writes y (pY != 0) and dY = 2 w (y - target)
// (pTgt != 0); returns w (y - target)^2. idx: byte offset in [Bp][O], idy: in [Bp][O4].
@inline function readout(
  y: f32,
  idx: usize,
  idy: usize,
  pTgt: usize,
  pWt: usize,
  pY: usize,
  pdY: usize,
): f64 {
  if (pY != 0) store<f32>(pY + idx, y);
  if (pTgt == 0) return 0;
  const e: f32 = y - load<f32>(pTgt + idx);
  const wt: f32 = load<f32>(pWt + idx);
  store<f32>(pdY + idy, 2 * wt * e);
  return <f64>wt * <f64>e * <f64>e;
}

// Readout of one step: y[n, o] = bo[o] + sum_j S[n, j] Wo[o, j]; returns sum w (y - target)^2.
function outputStep(
  Bp: i32,
  Hp: i32,
  O: i32,
  pS: usize,
  pWo: usize,
  pBo: usize,
  pTgt: usize,
  pWt: usize,
  pY: usize,
  pdY: usize,
): f64 {
  const ldh = <usize>Hp << 2;
  const uO = <usize>O;
  const uO4 = <usize>round4(O);
  let loss: f64 = 0;
  let n0 = 0;
  for (; n0 + 4 <= Bp; n0 += 4) {
    const s = pS + <usize>n0 * ldh;
    for (let o = 0; o < O; o++) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
      const w = pWo + <usize>o * ldh;
      for (let j: usize = 0; j < ldh; j += 32) {
        const w0 = v128.load(w + j), w1 = v128.load(w + j, 16);
        a0 = fma(v128.load(s + j), w0, a0);
        b0 = fma(v128.load(s + j, 16), w1, b0);
        a1 = fma(v128.load(s + ldh + j), w0, a1);
        b1 = fma(v128.load(s + ldh + j, 16), w1, b1);
        a2 = fma(v128.load(s + 2 * ldh + j), w0, a2);
        b2 = fma(v128.load(s + 2 * ldh + j, 16), w1, b2);
        a3 = fma(v128.load(s + 3 * ldh + j), w0, a3);
        b3 = fma(v128.load(s + 3 * ldh + j, 16), w1, b3);
      }
      const bo = load<f32>(pBo + (<usize>o << 2));
      const bx = <usize>n0 * uO + <usize>o;
      const by = <usize>n0 * uO4 + <usize>o;
      loss += readout(hsum(f32x4.add(a0, b0)) + bo, bx << 2, by << 2, pTgt, pWt, pY, pdY);
      loss += readout(
        hsum(f32x4.add(a1, b1)) + bo,
        (bx + uO) << 2,
        (by + uO4) << 2,
        pTgt,
        pWt,
        pY,
        pdY,
      );
      loss += readout(
        hsum(f32x4.add(a2, b2)) + bo,
        (bx + 2 * uO) << 2,
        (by + 2 * uO4) << 2,
        pTgt,
        pWt,
        pY,
        pdY,
      );
      loss += readout(
        hsum(f32x4.add(a3, b3)) + bo,
        (bx + 3 * uO) << 2,
        (by + 3 * uO4) << 2,
        pTgt,
        pWt,
        pY,
        pdY,
      );
    }
  }
  for (; n0 < Bp; n0++) {
    const s = pS + <usize>n0 * ldh;
    for (let o = 0; o < O; o++) {
      let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
      const w = pWo + <usize>o * ldh;
      for (let j: usize = 0; j < ldh; j += 32) {
        a0 = fma(v128.load(s + j), v128.load(w + j), a0);
        b0 = fma(v128.load(s + j, 16), v128.load(w + j, 16), b0);
      }
      const y = hsum(f32x4.add(a0, b0)) + load<f32>(pBo + (<usize>o << 2));
      loss += readout(
        y,
        (<usize>n0 * uO + <usize>o) << 2,
        (<usize>n0 * uO4 + <usize>o) << 2,
        pTgt,
        pWt,
        pY,
        pdY,
      );
    }
  }
  return loss;
}

/**
 * Forward pass over all T steps. Writes S (and Y when pY != 0); when pTgt != 0 also writes dY and
 * returns the loss, else returns 0.
 */
export function forwardAll(
  Bp: i32,
  T: i32,
  Ip: i32,
  Hp: i32,
  O: i32,
  pX: usize,
  pWxT: usize,
  pWhT: usize,
  pWo: usize,
  pBo: usize,
  pS: usize,
  pTgt: usize,
  pWt: usize,
  pY: usize,
  pdY: usize,
): f64 {
  const sBlock = <usize>Bp * <usize>Hp << 2;
  const xBlock = <usize>Bp * <usize>Ip << 2;
  const yBlock = <usize>Bp * <usize>O << 2;
  const dyBlock = <usize>Bp * <usize>round4(O) << 2;
  let loss: f64 = 0;
  for (let t = 0; t < T; t++) {
    const tt = <usize>t;
    const pSt = pS + tt * sBlock;
    forwardStep(Bp, Ip, Hp, pX + tt * xBlock, pWxT, t > 0 ? pSt - sBlock : 0, pWhT, pSt);
    loss += outputStep(
      Bp,
      Hp,
      O,
      pSt,
      pWo,
      pBo,
      pTgt != 0 ? pTgt + tt * yBlock : 0,
      pTgt != 0 ? pWt + tt * yBlock : 0,
      pY != 0 ? pY + tt * yBlock : 0,
      pTgt != 0 ? pdY + tt * dyBlock : 0,
    );
  }
  return loss;
}

// Backward through one step for the rows of one register tile:
// dA[n, j] = (sum_i dAnext[n, i] Wh[i, j] + sum_o dY[n, o] Wo[o, j]) (1 - S[n, j]^2).
function backwardRows6(
  Hp: i32,
  O: i32,
  dRow: usize,
  hasNext: bool,
  yRow: usize,
  sRow: usize,
  dARow: usize,
  pWh: usize,
  pWo: usize,
): void {
  const ldh = <usize>Hp << 2;
  const O4 = round4(O);
  const ldy = <usize>O4 << 2;
  const one = v128.load(TANH_C, 208);
  for (let j0 = 0; j0 < Hp; j0 += 8) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
    let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0);
    let a30 = f32x4.splat(0), a31 = f32x4.splat(0);
    let a40 = f32x4.splat(0), a41 = f32x4.splat(0);
    let a50 = f32x4.splat(0), a51 = f32x4.splat(0);
    {
      let w = pWo + (<usize>j0 << 2);
      let p = yRow;
      const pEnd = yRow + (O4 << 2);
      while (p < pEnd) {
        const w0 = v128.load(w), w1 = v128.load(w, 16);
        let s = v128.load32_splat(p);
        a00 = fma(s, w0, a00);
        a01 = fma(s, w1, a01);
        s = v128.load32_splat(p + ldy);
        a10 = fma(s, w0, a10);
        a11 = fma(s, w1, a11);
        s = v128.load32_splat(p + 2 * ldy);
        a20 = fma(s, w0, a20);
        a21 = fma(s, w1, a21);
        s = v128.load32_splat(p + 3 * ldy);
        a30 = fma(s, w0, a30);
        a31 = fma(s, w1, a31);
        s = v128.load32_splat(p + 4 * ldy);
        a40 = fma(s, w0, a40);
        a41 = fma(s, w1, a41);
        s = v128.load32_splat(p + 5 * ldy);
        a50 = fma(s, w0, a50);
        a51 = fma(s, w1, a51);
        w += ldh;
        p += 4;
      }
    }
    if (hasNext) {
      let w = pWh + (<usize>j0 << 2);
      let p = dRow;
      const pEnd = dRow + (Hp << 2);
      while (p < pEnd) {
        const w0 = v128.load(w), w1 = v128.load(w, 16);
        let s = v128.load32_splat(p);
        a00 = fma(s, w0, a00);
        a01 = fma(s, w1, a01);
        s = v128.load32_splat(p + ldh);
        a10 = fma(s, w0, a10);
        a11 = fma(s, w1, a11);
        s = v128.load32_splat(p + 2 * ldh);
        a20 = fma(s, w0, a20);
        a21 = fma(s, w1, a21);
        s = v128.load32_splat(p + 3 * ldh);
        a30 = fma(s, w0, a30);
        a31 = fma(s, w1, a31);
        s = v128.load32_splat(p + 4 * ldh);
        a40 = fma(s, w0, a40);
        a41 = fma(s, w1, a41);
        s = v128.load32_splat(p + 5 * ldh);
        a50 = fma(s, w0, a50);
        a51 = fma(s, w1, a51);
        w += ldh;
        p += 4;
      }
    }
    const off = <usize>j0 << 2;
    const s = sRow + off;
    const d = dARow + off;
    let h: v128;
    h = v128.load(s);
    v128.store(d, f32x4.mul(a00, f32x4.sub(one, f32x4.mul(h, h))));
    h = v128.load(s, 16);
    v128.store(d, f32x4.mul(a01, f32x4.sub(one, f32x4.mul(h, h))), 16);
    h = v128.load(s + ldh);
    v128.store(d + ldh, f32x4.mul(a10, f32x4.sub(one, f32x4.mul(h, h))));
    h = v128.load(s + ldh, 16);
    v128.store(d + ldh, f32x4.mul(a11, f32x4.sub(one, f32x4.mul(h, h))), 16);
    h = v128.load(s + 2 * ldh);
    v128.store(d + 2 * ldh, f32x4.mul(a20, f32x4.sub(one, f32x4.mul(h, h))));
    h = v128.load(s + 2 * ldh, 16);
    v128.store(d + 2 * ldh, f32x4.mul(a21, f32x4.sub(one, f32x4.mul(h, h))), 16);
    h = v128.load(s + 3 * ldh);
    v128.store(d + 3 * ldh, f32x4.mul(a30, f32x4.sub(one, f32x4.mul(h, h))));
    h = v128.load(s + 3 * ldh, 16);
    v128.store(d + 3 * ldh, f32x4.mul(a31, f32x4.sub(one, f32x4.mul(h, h))), 16);
    h = v128.load(s + 4 * ldh);
    v128.store(d + 4 * ldh, f32x4.mul(a40, f32x4.sub(one, f32x4.mul(h, h))));
    h = v128.load(s + 4 * ldh, 16);
    v128.store(d + 4 * ldh, f32x4.mul(a41, f32x4.sub(one, f32x4.mul(h, h))), 16);
    h = v128.load(s + 5 * ldh);
    v128.store(d + 5 * ldh, f32x4.mul(a50, f32x4.sub(one, f32x4.mul(h, h))));
    h = v128.load(s + 5 * ldh, 16);
    v128.store(d + 5 * ldh, f32x4.mul(a51, f32x4.sub(one, f32x4.mul(h, h))), 16);
  }
}

function backwardRows4(
  Hp: i32,
  O: i32,
  dRow: usize,
  hasNext: bool,
  yRow: usize,
  sRow: usize,
  dARow: usize,
  pWh: usize,
  pWo: usize,
): void {
  const ldh = <usize>Hp << 2;
  const O4 = round4(O);
  const ldy = <usize>O4 << 2;
  const one = v128.load(TANH_C, 208);
  for (let j0 = 0; j0 < Hp; j0 += 8) {
    let a00 = f32x4.splat(0), a01 = f32x4.splat(0);
    let a10 = f32x4.splat(0), a11 = f32x4.splat(0);
    let a20 = f32x4.splat(0), a21 = f32x4.splat(0);
    let a30 = f32x4.splat(0), a31 = f32x4.splat(0);
    {
      let w = pWo + (<usize>j0 << 2);
      let p = yRow;
      const pEnd = yRow + (O4 << 2);
      while (p < pEnd) {
        const w0 = v128.load(w), w1 = v128.load(w, 16);
        let s = v128.load32_splat(p);
        a00 = fma(s, w0, a00);
        a01 = fma(s, w1, a01);
        s = v128.load32_splat(p + ldy);
        a10 = fma(s, w0, a10);
        a11 = fma(s, w1, a11);
        s = v128.load32_splat(p + 2 * ldy);
        a20 = fma(s, w0, a20);
        a21 = fma(s, w1, a21);
        s = v128.load32_splat(p + 3 * ldy);
        a30 = fma(s, w0, a30);
        a31 = fma(s, w1, a31);
        w += ldh;
        p += 4;
      }
    }
    if (hasNext) {
      let w = pWh + (<usize>j0 << 2);
      let p = dRow;
      const pEnd = dRow + (Hp << 2);
      while (p < pEnd) {
        const w0 = v128.load(w), w1 = v128.load(w, 16);
        let s = v128.load32_splat(p);
        a00 = fma(s, w0, a00);
        a01 = fma(s, w1, a01);
        s = v128.load32_splat(p + ldh);
        a10 = fma(s, w0, a10);
        a11 = fma(s, w1, a11);
        s = v128.load32_splat(p + 2 * ldh);
        a20 = fma(s, w0, a20);
        a21 = fma(s, w1, a21);
        s = v128.load32_splat(p + 3 * ldh);
        a30 = fma(s, w0, a30);
        a31 = fma(s, w1, a31);
        w += ldh;
        p += 4;
      }
    }
    const off = <usize>j0 << 2;
    const s = sRow + off;
    const d = dARow + off;
    let h: v128;
    h = v128.load(s);
    v128.store(d, f32x4.mul(a00, f32x4.sub(one, f32x4.mul(h, h))));
    h = v128.load(s, 16);
    v128.store(d, f32x4.mul(a01, f32x4.sub(one, f32x4.mul(h, h))), 16);
    h = v128.load(s + ldh);
    v128.store(d + ldh, f32x4.mul(a10, f32x4.sub(one, f32x4.mul(h, h))));
    h = v128.load(s + ldh, 16);
    v128.store(d + ldh, f32x4.mul(a11, f32x4.sub(one, f32x4.mul(h, h))), 16);
    h = v128.load(s + 2 * ldh);
    v128.store(d + 2 * ldh, f32x4.mul(a20, f32x4.sub(one, f32x4.mul(h, h))));
    h = v128.load(s + 2 * ldh, 16);
    v128.store(d + 2 * ldh, f32x4.mul(a21, f32x4.sub(one, f32x4.mul(h, h))), 16);
    h = v128.load(s + 3 * ldh);
    v128.store(d + 3 * ldh, f32x4.mul(a30, f32x4.sub(one, f32x4.mul(h, h))));
    h = v128.load(s + 3 * ldh, 16);
    v128.store(d + 3 * ldh, f32x4.mul(a31, f32x4.sub(one, f32x4.mul(h, h))), 16);
  }
}

// One backward step over the whole (padded) batch.
function backwardStep(
  Bp: i32,
  Hp: i32,
  O: i32,
  pdAnext: usize,
  pWh: usize,
  pdY: usize,
  pWo: usize,
  pS: usize,
  pdA: usize,
): void {
  const ldh = <usize>Hp << 2;
  const ldy = <usize>round4(O) << 2;
  const hasNext = pdAnext != 0;
  const n6 = sixRowEnd(Bp);
  let n0 = 0;
  for (; n0 < n6; n0 += 6) {
    const r = <usize>n0;
    backwardRows6(
      Hp,
      O,
      pdAnext + r * ldh,
      hasNext,
      pdY + r * ldy,
      pS + r * ldh,
      pdA + r * ldh,
      pWh,
      pWo,
    );
  }
  for (; n0 < Bp; n0 += 4) {
    const r = <usize>n0;
    backwardRows4(
      Hp,
      O,
      pdAnext + r * ldh,
      hasNext,
      pdY + r * ldy,
      pS + r * ldh,
      pdA + r * ldh,
      pWh,
      pWo,
    );
  }
}

// C[r, j] += sum_{n < N} M[n * ldm + r] V[n * ldv + j] for r < R, j < ncol
// (R multiple of 4, ncol multiple of 8).
function accumAtB(
  pC: usize,
  R: i32,
  ncol: i32,
  pM: usize,
  ldm: i32,
  pV: usize,
  ldv: i32,
  N: i32,
): void {
  const ldc = <usize>ncol << 2;
  const lm = <usize>ldm << 2;
  const lv = <usize>ldv << 2;
  // Rows in chunks of ATB_CHUNK, so a chunk of M and V stays in L1 while every C tile passes.
  for (let n0 = 0; n0 < N; n0 += ATB_CHUNK) {
    const nc = min(ATB_CHUNK, N - n0);
    const mBase = pM + <usize>n0 * lm;
    const vBase = pV + <usize>n0 * lv;
    for (let r0 = 0; r0 < R; r0 += 4) {
      for (let j0 = 0; j0 < ncol; j0 += 8) {
        const c = pC + <usize>r0 * ldc + (<usize>j0 << 2);
        let a00 = v128.load(c), a01 = v128.load(c, 16);
        let a10 = v128.load(c + ldc), a11 = v128.load(c + ldc, 16);
        let a20 = v128.load(c + 2 * ldc), a21 = v128.load(c + 2 * ldc, 16);
        let a30 = v128.load(c + 3 * ldc), a31 = v128.load(c + 3 * ldc, 16);
        let m = mBase + (<usize>r0 << 2);
        let v = vBase + (<usize>j0 << 2);
        for (let n = 0; n < nc; n++) {
          const v0 = v128.load(v), v1 = v128.load(v, 16);
          const mm = v128.load(m);
          let s = f32x4.shuffle(mm, mm, 0, 0, 0, 0);
          a00 = fma(s, v0, a00);
          a01 = fma(s, v1, a01);
          s = f32x4.shuffle(mm, mm, 1, 1, 1, 1);
          a10 = fma(s, v0, a10);
          a11 = fma(s, v1, a11);
          s = f32x4.shuffle(mm, mm, 2, 2, 2, 2);
          a20 = fma(s, v0, a20);
          a21 = fma(s, v1, a21);
          s = f32x4.shuffle(mm, mm, 3, 3, 3, 3);
          a30 = fma(s, v0, a30);
          a31 = fma(s, v1, a31);
          m += lm;
          v += lv;
        }
        v128.store(c, a00);
        v128.store(c, a01, 16);
        v128.store(c + ldc, a10);
        v128.store(c + ldc, a11, 16);
        v128.store(c + 2 * ldc, a20);
        v128.store(c + 2 * ldc, a21, 16);
        v128.store(c + 3 * ldc, a30);
        v128.store(c + 3 * ldc, a31, 16);
      }
    }
  }
}

/**
 * Backpropagation through time after `forwardAll` (which wrote S and dY). Overwrites the
 * gradients gWh [Hp][Hp], gWxT [Ip][Hp] (row I: bias), gWo [O4][Hp], gBo [O4].
 * dA0, dA1: two scratch blocks of [Bp][Hp]. Every gradient term of step t is accumulated
 * while that step's blocks are hot in cache.
 */
export function backwardAll(
  Bp: i32,
  T: i32,
  Ip: i32,
  Hp: i32,
  O: i32,
  pX: usize,
  pWh: usize,
  pWo: usize,
  pS: usize,
  pdY: usize,
  pdA0: usize,
  pdA1: usize,
  pgWh: usize,
  pgWxT: usize,
  pgWo: usize,
  pgBo: usize,
): void {
  const O4 = round4(O);
  const sBlock = <usize>Bp * <usize>Hp << 2;
  const xBlock = <usize>Bp * <usize>Ip << 2;
  const dyBlock = <usize>Bp * <usize>O4 << 2;
  const ldy = <usize>O4 << 2;
  memory.fill(pgWh, 0, <usize>Hp * <usize>Hp << 2);
  memory.fill(pgWxT, 0, <usize>Ip * <usize>Hp << 2);
  memory.fill(pgWo, 0, <usize>O4 * <usize>Hp << 2);
  memory.fill(pgBo, 0, <usize>O4 << 2);
  for (let t = T - 1; t >= 0; t--) {
    const tt = <usize>t;
    const pdA = (t & 1) != 0 ? pdA1 : pdA0;
    const pdAnext: usize = t == T - 1 ? 0 : ((t & 1) != 0 ? pdA0 : pdA1);
    const pSt = pS + tt * sBlock;
    const pdYt = pdY + tt * dyBlock;
    backwardStep(Bp, Hp, O, pdAnext, pWh, pdYt, pWo, pSt, pdA);
    if (t > 0) accumAtB(pgWh, Hp, Hp, pdA, Hp, pSt - sBlock, Hp, Bp);
    accumAtB(pgWxT, Ip, Hp, pX + tt * xBlock, Ip, pdA, Hp, Bp);
    accumAtB(pgWo, O4, Hp, pdYt, O4, pSt, Hp, Bp);
    // gBo += sum_n dY[n, :], four columns at a time.
    for (let g: usize = 0; g < ldy; g += 16) {
      let a = f32x4.splat(0), b = f32x4.splat(0);
      let p = pdYt + g;
      let n = 0;
      for (; n + 2 <= Bp; n += 2) {
        a = f32x4.add(a, v128.load(p));
        b = f32x4.add(b, v128.load(p + ldy));
        p += 2 * ldy;
      }
      if (n < Bp) a = f32x4.add(a, v128.load(p));
      v128.store(pgBo + g, f32x4.add(v128.load(pgBo + g), f32x4.add(a, b)));
    }
  }
}
