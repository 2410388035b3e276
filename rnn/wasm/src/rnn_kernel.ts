// AssemblyScript source of the fused WASM SIMD kernel for one vanilla tanh RNN:
// h_t = tanh(W_h h_{t-1} + W_x x_t + b), y_t = W_o h_t + b_o, loss = sum w (y - target)^2,
// forward pass and backpropagation through time (paper §2.1).
//
// Build: `deno task build:wasm` (writes rnn/wasm/rnn_kernel.wasm.ts). The JS side
// (rnn/kernel_wasm.ts) owns the linear memory layout and passes byte pointers in.
//
// Layout (all f32, row-major, time-major so each step is one contiguous block):
//   X   [T][Bp][Ip]  inputs with a constant 1 appended (Ip = I + 1), so the bias is row I of WxT
//   WxT [Ip][Hp]     W_x transposed, last row = b
//   WhT [Hp][Hp]     W_h transposed (forward), Wh [Hp][Hp] W_h (backward)
//   Wo  [O][Hp], bo [O]
//   S   [T][Bp][Hp]  hidden states; dY [T][Bp][O] = 2 w (y - target)
// Bp = B rounded up to a multiple of TILE_ROWS (pad rows have zero loss weight), Hp = H rounded
// up to 8 (pad units have zero weights, so their state stays tanh(0) = 0 and they carry no
// gradient).
//
// Register tiles: TILE_ROWS rows x 8 columns (2 f32x4 accumulators per row; 12 accumulators
// cover the 5-cycle FMA latency of two FMA pipes), relaxed-SIMD FMA (a real FMA on x86 with
// FMA3). The step kernels broadcast the row operand with splat loads; accumAtB loads 4 row
// values at once and broadcasts lanes with shuffles (fewer bounds-checked loads: Deno runs
// without V8's wasm trap handler, so every load is explicitly bounds-checked).

/** Rows of a register tile; the batch is padded to a multiple of this. */
const TILE_ROWS: i32 = 6;

/** Rows of a register tile (the JS side pads the batch to a multiple of it). */
export function tileRows(): i32 {
  return TILE_ROWS;
}

@inline function fma(a: v128, b: v128, c: v128): v128 {
  return f32x4.relaxed_madd(a, b, c);
}

// Rational approximation of tanh (odd degree-13 / even degree-6, the form used by Eigen),
// max abs error 3.3e-7 against Math.tanh; NaN propagates.
@inline function tanh4(x0: v128): v128 {
  const c = f32x4.splat(7.90531110763549805);
  const x = f32x4.pmin(f32x4.pmax(x0, f32x4.neg(c)), c);
  const x2 = f32x4.mul(x, x);
  let p = f32x4.splat(-2.76076847742355e-16);
  p = fma(p, x2, f32x4.splat(2.00018790482477e-13));
  p = fma(p, x2, f32x4.splat(-8.60467152213735e-11));
  p = fma(p, x2, f32x4.splat(5.12229709037114e-08));
  p = fma(p, x2, f32x4.splat(1.48572235717979e-05));
  p = fma(p, x2, f32x4.splat(6.37261928875436e-04));
  p = fma(p, x2, f32x4.splat(4.89352455891786e-03));
  p = f32x4.mul(p, x);
  let q = f32x4.splat(1.19825839466702e-06);
  q = fma(q, x2, f32x4.splat(1.18534705686654e-04));
  q = fma(q, x2, f32x4.splat(2.26843463243900e-03));
  q = fma(q, x2, f32x4.splat(4.89352518554385e-03));
  return f32x4.div(p, q);
}

/** Scalar tanh through the vector path (used by tests). */
export function tanhTest(x: f32): f32 {
  return f32x4.extract_lane(tanh4(f32x4.splat(x)), 0);
}

// One forward step: S[n, i] = tanh(sum_k X[n, k] WxT[k, i] + sum_j Sprev[n, j] WhT[j, i]).
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
  for (let n0 = 0; n0 < Bp; n0 += TILE_ROWS) {
    const xRow = pX + <usize>n0 * ldx;
    const sRow = pSprev + <usize>n0 * ldh;
    const oRow = pS + <usize>n0 * ldh;
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
      if (pSprev != 0) {
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
}

@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) +
    f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

// Loss term of one readout value: writes y (pY != 0) and dY = 2 w (y - target) (pTgt != 0);
// returns w (y - target)^2.
@inline function readout(y: f32, idx: usize, pTgt: usize, pWt: usize, pY: usize, pdY: usize): f64 {
  if (pY != 0) store<f32>(pY + idx, y);
  if (pTgt == 0) return 0;
  const e: f32 = y - load<f32>(pTgt + idx);
  const wt: f32 = load<f32>(pWt + idx);
  store<f32>(pdY + idx, 2 * wt * e);
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
      const base = <usize>n0 * uO + <usize>o;
      loss += readout(hsum(f32x4.add(a0, b0)) + bo, base << 2, pTgt, pWt, pY, pdY);
      loss += readout(hsum(f32x4.add(a1, b1)) + bo, (base + uO) << 2, pTgt, pWt, pY, pdY);
      loss += readout(hsum(f32x4.add(a2, b2)) + bo, (base + 2 * uO) << 2, pTgt, pWt, pY, pdY);
      loss += readout(hsum(f32x4.add(a3, b3)) + bo, (base + 3 * uO) << 2, pTgt, pWt, pY, pdY);
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
      loss += readout(y, (<usize>n0 * uO + <usize>o) << 2, pTgt, pWt, pY, pdY);
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
      pTgt != 0 ? pdY + tt * yBlock : 0,
    );
  }
  return loss;
}

// One backward step:
// dA[n, j] = (sum_i dAnext[n, i] Wh[i, j] + sum_o dY[n, o] Wo[o, j]) (1 - S[n, j]^2).
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
  const ldy = <usize>O << 2;
  const one = f32x4.splat(1);
  for (let n0 = 0; n0 < Bp; n0 += TILE_ROWS) {
    const dRow = pdAnext + <usize>n0 * ldh;
    const yRow = pdY + <usize>n0 * ldy;
    const rowOff = <usize>n0 * ldh;
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
      const pEnd = yRow + (O << 2);
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
      if (pdAnext != 0) {
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
      const off = rowOff + (<usize>j0 << 2);
      const s = pS + off;
      const d = pdA + off;
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
}

// C[r, j] += sum_{n < N} M[n * ldm + r] V[n * ldv + j] for r < R, j < ncol (ncol multiple of 8).
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
  let r0 = 0;
  for (; r0 + 4 <= R; r0 += 4) {
    for (let j0 = 0; j0 < ncol; j0 += 8) {
      const c = pC + <usize>r0 * ldc + (<usize>j0 << 2);
      let a00 = v128.load(c), a01 = v128.load(c, 16);
      let a10 = v128.load(c + ldc), a11 = v128.load(c + ldc, 16);
      let a20 = v128.load(c + 2 * ldc), a21 = v128.load(c + 2 * ldc, 16);
      let a30 = v128.load(c + 3 * ldc), a31 = v128.load(c + 3 * ldc, 16);
      let m = pM + (<usize>r0 << 2);
      let v = pV + (<usize>j0 << 2);
      for (let n = 0; n < N; n++) {
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
  // Remaining rows one at a time; four interleaved partial sums hide the FMA latency.
  for (; r0 < R; r0++) {
    for (let j0 = 0; j0 < ncol; j0 += 8) {
      const c = pC + <usize>r0 * ldc + (<usize>j0 << 2);
      let a0 = v128.load(c), a1 = v128.load(c, 16);
      let b0 = f32x4.splat(0), b1 = f32x4.splat(0);
      let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
      let d0 = f32x4.splat(0), d1 = f32x4.splat(0);
      let m = pM + (<usize>r0 << 2);
      let v = pV + (<usize>j0 << 2);
      let n = 0;
      for (; n + 4 <= N; n += 4) {
        let s = v128.load32_splat(m);
        a0 = fma(s, v128.load(v), a0);
        a1 = fma(s, v128.load(v, 16), a1);
        s = v128.load32_splat(m + lm);
        b0 = fma(s, v128.load(v + lv), b0);
        b1 = fma(s, v128.load(v + lv, 16), b1);
        s = v128.load32_splat(m + 2 * lm);
        c0 = fma(s, v128.load(v + 2 * lv), c0);
        c1 = fma(s, v128.load(v + 2 * lv, 16), c1);
        s = v128.load32_splat(m + 3 * lm);
        d0 = fma(s, v128.load(v + 3 * lv), d0);
        d1 = fma(s, v128.load(v + 3 * lv, 16), d1);
        m += 4 * lm;
        v += 4 * lv;
      }
      for (; n < N; n++) {
        const s = v128.load32_splat(m);
        a0 = fma(s, v128.load(v), a0);
        a1 = fma(s, v128.load(v, 16), a1);
        m += lm;
        v += lv;
      }
      v128.store(c, f32x4.add(f32x4.add(a0, b0), f32x4.add(c0, d0)));
      v128.store(c, f32x4.add(f32x4.add(a1, b1), f32x4.add(c1, d1)), 16);
    }
  }
}

/**
 * Backpropagation through time after `forwardAll` (which wrote S and dY). Overwrites the
 * gradients gWh [Hp][Hp], gWxT [Ip][Hp] (last row: bias), gWo [O][Hp], gBo [O].
 * dA0, dA1: two scratch blocks of [Bp][Hp].
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
  const sBlock = <usize>Bp * <usize>Hp << 2;
  const xBlock = <usize>Bp * <usize>Ip << 2;
  const yBlock = <usize>Bp * <usize>O << 2;
  memory.fill(pgWh, 0, <usize>Hp * <usize>Hp << 2);
  memory.fill(pgWxT, 0, <usize>Ip * <usize>Hp << 2);
  memory.fill(pgWo, 0, <usize>O * <usize>Hp << 2);
  for (let t = T - 1; t >= 0; t--) {
    const tt = <usize>t;
    const pdA = (t & 1) != 0 ? pdA1 : pdA0;
    const pdAnext: usize = t == T - 1 ? 0 : ((t & 1) != 0 ? pdA0 : pdA1);
    const pSt = pS + tt * sBlock;
    backwardStep(Bp, Hp, O, pdAnext, pWh, pdY + tt * yBlock, pWo, pSt, pdA);
    if (t > 0) accumAtB(pgWh, Hp, Hp, pdA, Hp, pSt - sBlock, Hp, Bp);
    accumAtB(pgWxT, Ip, Hp, pX + tt * xBlock, Ip, pdA, Hp, Bp);
  }
  // Readout gradients over all steps at once: gWo[o, j] = sum_{t,n} dY[t, n, o] S[t, n, j].
  accumAtB(pgWo, O, Hp, pdY, O, pS, Hp, Bp * T);
  const ld = <usize>O << 2;
  for (let o = 0; o < O; o++) {
    let s: f64 = 0;
    let p = pdY + (<usize>o << 2);
    for (let n = 0; n < Bp * T; n++) {
      s += <f64>load<f32>(p);
      p += ld;
    }
    store<f32>(pgBo + (<usize>o << 2), <f32>s);
  }
}
