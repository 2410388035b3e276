// AssemblyScript source of the float64 WASM SIMD kernels behind `metrics/linalg/`
// (compiled by `deno task build:wasm` into metrics/linalg/wasm/linalg_kernel.wasm.ts).
// Matrices are row-major f64 in linear memory; the host (metrics/linalg/wasm.ts) owns the
// layout and passes byte pointers.

/** First free byte of linear memory (the host places its buffers from here). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}

@inline function fma(a: v128, b: v128, c: v128): v128 {
  return f64x2.relaxed_madd(a, b, c);
}

@inline function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Σ_p x[p]·y[p] over k doubles (pairs with SIMD, odd tail scalar). */
@inline function dotK(x: usize, y: usize, k: i32): f64 {
  const kb = (<usize>(k & ~1)) << 3;
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let p: usize = 0;
  for (; p + 32 <= kb; p += 32) {
    s0 = fma(v128.load(x + p), v128.load(y + p), s0);
    s1 = fma(v128.load(x + p + 16), v128.load(y + p + 16), s1);
  }
  if (p < kb) s0 = fma(v128.load(x + p), v128.load(y + p), s0);
  let s = hsum(f64x2.add(s0, s1));
  if (k & 1) s += load<f64>(x + kb) * load<f64>(y + kb);
  return s;
}

/**
 * C (m×n) = A (m×k) · Bᵀ with B given as n×k: every entry is a dot product of two
 * contiguous rows. Register tile of 2 rows of A × 4 rows of B (eight f64x2 accumulators);
 * B is walked in blocks of rows that fit in L2 while all rows of A pass over them.
 */
export function mmNT(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32): void {
  const row: usize = (<usize>k) << 3;
  const kb: usize = (<usize>(k & ~1)) << 3;
  const odd = (k & 1) != 0;
  const rowC: usize = (<usize>n) << 3;
  let nb = (<i32>(393216 / max(k, 1))) & ~3;
  if (nb < 4) nb = 4;
  for (let j0 = 0; j0 < n; j0 += nb) {
    const j1 = min(n, j0 + nb);
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      const a0 = a + <usize>i * row, a1 = a0 + row;
      const c0 = c + <usize>i * rowC, c1 = c0 + rowC;
      let j = j0;
      for (; j + 4 <= j1; j += 4) {
        const b0 = b + <usize>j * row, b1 = b0 + row, b2 = b1 + row, b3 = b2 + row;
        let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s02 = f64x2.splat(0), s03 = f64x2.splat(0);
        let s10 = f64x2.splat(0), s11 = f64x2.splat(0), s12 = f64x2.splat(0), s13 = f64x2.splat(0);
        for (let p: usize = 0; p < kb; p += 16) {
          const x0 = v128.load(a0 + p), x1 = v128.load(a1 + p);
          const y0 = v128.load(b0 + p), y1 = v128.load(b1 + p);
          const y2 = v128.load(b2 + p), y3 = v128.load(b3 + p);
          s00 = fma(x0, y0, s00);
          s01 = fma(x0, y1, s01);
          s02 = fma(x0, y2, s02);
          s03 = fma(x0, y3, s03);
          s10 = fma(x1, y0, s10);
          s11 = fma(x1, y1, s11);
          s12 = fma(x1, y2, s12);
          s13 = fma(x1, y3, s13);
        }
        let r00 = hsum(s00), r01 = hsum(s01), r02 = hsum(s02), r03 = hsum(s03);
        let r10 = hsum(s10), r11 = hsum(s11), r12 = hsum(s12), r13 = hsum(s13);
        if (odd) {
          const x0 = load<f64>(a0 + kb), x1 = load<f64>(a1 + kb);
          const y0 = load<f64>(b0 + kb), y1 = load<f64>(b1 + kb);
          const y2 = load<f64>(b2 + kb), y3 = load<f64>(b3 + kb);
          r00 += x0 * y0;
          r01 += x0 * y1;
          r02 += x0 * y2;
          r03 += x0 * y3;
          r10 += x1 * y0;
          r11 += x1 * y1;
          r12 += x1 * y2;
          r13 += x1 * y3;
        }
        const o: usize = (<usize>j) << 3;
        store<f64>(c0 + o, r00);
        store<f64>(c0 + o + 8, r01);
        store<f64>(c0 + o + 16, r02);
        store<f64>(c0 + o + 24, r03);
        store<f64>(c1 + o, r10);
        store<f64>(c1 + o + 8, r11);
        store<f64>(c1 + o + 16, r12);
        store<f64>(c1 + o + 24, r13);
      }
      for (; j < j1; j++) {
        const bj = b + <usize>j * row;
        store<f64>(c0 + ((<usize>j) << 3), dotK(a0, bj, k));
        store<f64>(c1 + ((<usize>j) << 3), dotK(a1, bj, k));
      }
    }
    if (i < m) {
      const ai = a + <usize>i * row;
      const ci = c + <usize>i * rowC;
      for (let j = j0; j < j1; j++) {
        store<f64>(ci + ((<usize>j) << 3), dotK(ai, b + <usize>j * row, k));
      }
    }
  }
}

@inline function fma4(a: v128, b: v128, c: v128): v128 {
  return f32x4.relaxed_madd(a, b, c);
}

@inline function hsum4(v: v128): f64 {
  return <f64>(f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
    <f64>(f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Σ_p x[p]·y[p] over kp float32 (kp a multiple of 4), f32 within chunks of 256, f64 across. */
@inline function dot32(x: usize, y: usize, kp: i32): f64 {
  let r: f64 = 0;
  const kb: usize = (<usize>kp) << 2;
  for (let p0: usize = 0; p0 < kb; p0 += 1024) {
    const p1 = min(kb, p0 + 1024);
    let s = f32x4.splat(0);
    for (let p = p0; p < p1; p += 16) s = fma4(v128.load(x + p), v128.load(y + p), s);
    r += hsum4(s);
  }
  return r;
}

/**
 * C (m×n, float64) = A (m×kp) · Bᵀ with B given as n×kp, both float32 row-major with a row length
 * kp that is a multiple of 4 (zero-padded by the host). Products and partial sums in float32
 * within chunks of 256 columns, chunk sums accumulated in float64: twice the lanes per
 * instruction and half the memory traffic of `mmNT`, for products whose rounding error
 * (~1e-6 relative) is harmless, e.g. small corrections added to float64 matrices.
 * Register tile of 2 rows of A × 6 rows of B (twelve f32x4 accumulators, two A and one B
 * register live: 15 of x64's 16 vector registers; 1.09–1.24× the 2 × 4 tile at n = 500–1000,
 * docs/performance.md); B walked in blocks of rows that fit in L2. Every entry is summed in
 * the same order whatever the tile (one accumulator per entry, `dot32` for the edges), so the
 * output does not depend on the tile shape.
 */
export function mmNT32(a: usize, b: usize, c: usize, m: i32, kp: i32, n: i32): void {
  const row: usize = (<usize>kp) << 2;
  const kb: usize = row;
  const rowC: usize = (<usize>n) << 3;
  let nb = (<i32>(65536 / max(kp, 1))) / 6 * 6;
  if (nb < 6) nb = 6;
  for (let j0 = 0; j0 < n; j0 += nb) {
    const j1 = min(n, j0 + nb);
    let i = 0;
    for (; i + 2 <= m; i += 2) {
      const a0 = a + <usize>i * row, a1 = a0 + row;
      const c0 = c + <usize>i * rowC, c1 = c0 + rowC;
      let j = j0;
      for (; j + 6 <= j1; j += 6) tile2x6(a0, a1, b + <usize>j * row, row, kb, c0, c1, (<usize>j) << 3);
      for (; j < j1; j++) {
        const bj = b + <usize>j * row;
        store<f64>(c0 + ((<usize>j) << 3), dot32(a0, bj, kp));
        store<f64>(c1 + ((<usize>j) << 3), dot32(a1, bj, kp));
      }
    }
    if (i < m) {
      const ai = a + <usize>i * row;
      const ci = c + <usize>i * rowC;
      for (let j = j0; j < j1; j++) {
        store<f64>(ci + ((<usize>j) << 3), dot32(ai, b + <usize>j * row, kp));
      }
    }
  }
}

/**
 * The 2 × 6 tile of `mmNT32`: rows a0, a1 of A against the six B rows from b0 (row stride `row`
 * bytes, kb bytes each), into C rows c0, c1 at byte offset o.
 */
@inline function tile2x6(
  a0: usize, a1: usize, b0: usize, row: usize, kb: usize, c0: usize, c1: usize, o: usize,
): void {
  const b1 = b0 + row, b2 = b1 + row, b3 = b2 + row, b4 = b3 + row, b5 = b4 + row;
  let r00: f64 = 0, r01: f64 = 0, r02: f64 = 0, r03: f64 = 0, r04: f64 = 0, r05: f64 = 0;
  let r10: f64 = 0, r11: f64 = 0, r12: f64 = 0, r13: f64 = 0, r14: f64 = 0, r15: f64 = 0;
  for (let p0: usize = 0; p0 < kb; p0 += 1024) {
    const p1 = min(kb, p0 + 1024);
    let s00 = f32x4.splat(0), s01 = f32x4.splat(0), s02 = f32x4.splat(0);
    let s03 = f32x4.splat(0), s04 = f32x4.splat(0), s05 = f32x4.splat(0);
    let s10 = f32x4.splat(0), s11 = f32x4.splat(0), s12 = f32x4.splat(0);
    let s13 = f32x4.splat(0), s14 = f32x4.splat(0), s15 = f32x4.splat(0);
    for (let p = p0; p < p1; p += 16) {
      const x0 = v128.load(a0 + p), x1 = v128.load(a1 + p);
      let y = v128.load(b0 + p);
      s00 = fma4(x0, y, s00);
      s10 = fma4(x1, y, s10);
      y = v128.load(b1 + p);
      s01 = fma4(x0, y, s01);
      s11 = fma4(x1, y, s11);
      y = v128.load(b2 + p);
      s02 = fma4(x0, y, s02);
      s12 = fma4(x1, y, s12);
      y = v128.load(b3 + p);
      s03 = fma4(x0, y, s03);
      s13 = fma4(x1, y, s13);
      y = v128.load(b4 + p);
      s04 = fma4(x0, y, s04);
      s14 = fma4(x1, y, s14);
      y = v128.load(b5 + p);
      s05 = fma4(x0, y, s05);
      s15 = fma4(x1, y, s15);
    }
    r00 += hsum4(s00);
    r01 += hsum4(s01);
    r02 += hsum4(s02);
    r03 += hsum4(s03);
    r04 += hsum4(s04);
    r05 += hsum4(s05);
    r10 += hsum4(s10);
    r11 += hsum4(s11);
    r12 += hsum4(s12);
    r13 += hsum4(s13);
    r14 += hsum4(s14);
    r15 += hsum4(s15);
  }
  store<f64>(c0 + o, r00);
  store<f64>(c0 + o + 8, r01);
  store<f64>(c0 + o + 16, r02);
  store<f64>(c0 + o + 24, r03);
  store<f64>(c0 + o + 32, r04);
  store<f64>(c0 + o + 40, r05);
  store<f64>(c1 + o, r10);
  store<f64>(c1 + o + 8, r11);
  store<f64>(c1 + o + 16, r12);
  store<f64>(c1 + o + 24, r13);
  store<f64>(c1 + o + 32, r14);
  store<f64>(c1 + o + 40, r15);
}

/**
 * w[r] = Σ_{q=r0}^{n−1} A[r, q]·v[q] for r = r0..n−1 (A n×n row-major at a; v, w length n):
 * the trailing block's matrix–vector product of the tridiagonalisation, four rows at a time.
 */
function trailingMatVec(a: usize, n: i32, r0: i32, v: usize, w: usize): void {
  const len = n - r0;
  const lb: usize = (<usize>(len & ~1)) << 3;
  const odd = (len & 1) != 0;
  const row: usize = (<usize>n) << 3;
  const vs = v + ((<usize>r0) << 3);
  let r = r0;
  for (; r + 4 <= n; r += 4) {
    const p0 = a + <usize>r * row + ((<usize>r0) << 3);
    const p1 = p0 + row, p2 = p1 + row, p3 = p2 + row;
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    for (let p: usize = 0; p < lb; p += 16) {
      const x = v128.load(vs + p);
      s0 = fma(v128.load(p0 + p), x, s0);
      s1 = fma(v128.load(p1 + p), x, s1);
      s2 = fma(v128.load(p2 + p), x, s2);
      s3 = fma(v128.load(p3 + p), x, s3);
    }
    let r0s = hsum(s0), r1s = hsum(s1), r2s = hsum(s2), r3s = hsum(s3);
    if (odd) {
      const x = load<f64>(vs + lb);
      r0s += load<f64>(p0 + lb) * x;
      r1s += load<f64>(p1 + lb) * x;
      r2s += load<f64>(p2 + lb) * x;
      r3s += load<f64>(p3 + lb) * x;
    }
    const o = w + ((<usize>r) << 3);
    store<f64>(o, r0s);
    store<f64>(o + 8, r1s);
    store<f64>(o + 16, r2s);
    store<f64>(o + 24, r3s);
  }
  for (; r < n; r++) {
    store<f64>(w + ((<usize>r) << 3), dotK(a + <usize>r * row + ((<usize>r0) << 3), vs, len));
  }
}

/**
 * w[r] = Σ_{q=r0}^{n−1} A[r, q]·v[q] for r = r0..n−1, reading only the lower triangle of the
 * symmetric A (n×n row-major at a): row r's strictly lower segment contributes a dot product
 * to w[r] and, by symmetry, an axpy into w[r0..r−1]. Half the memory traffic of a full
 * matrix–vector product.
 */
function trailingSymMatVecLower(a: usize, n: i32, r0: i32, v: usize, w: usize): void {
  const row: usize = (<usize>n) << 3;
  const base: usize = (<usize>r0) << 3;
  for (let t = r0; t < n; t++) store<f64>(w + ((<usize>t) << 3), 0);
  for (let r = r0; r < n; r++) {
    const seg = a + <usize>r * row + base;
    const vb = v + base, wb = w + base;
    const len = r - r0;
    const lb: usize = (<usize>(len & ~1)) << 3;
    const vr = load<f64>(v + ((<usize>r) << 3));
    const vr2 = f64x2.splat(vr);
    let s0 = f64x2.splat(0);
    for (let p: usize = 0; p < lb; p += 16) {
      const x = v128.load(seg + p);
      s0 = fma(x, v128.load(vb + p), s0);
      v128.store(wb + p, fma(x, vr2, v128.load(wb + p)));
    }
    let s = hsum(s0);
    if (len & 1) {
      const x = load<f64>(seg + lb);
      s += x * load<f64>(vb + lb);
      store<f64>(wb + lb, load<f64>(wb + lb) + x * vr);
    }
    const ro: usize = (<usize>r) << 3;
    store<f64>(w + ro, load<f64>(w + ro) + s + load<f64>(a + <usize>r * row + ro) * vr);
  }
}

/** y[t] += α·x[t] for t in [from, n) (arrays of doubles). */
@inline function axpyFrom(y: usize, x: usize, alpha: f64, from: i32, n: i32): void {
  for (let t = from; t < n; t++) {
    const o: usize = (<usize>t) << 3;
    store<f64>(y + o, load<f64>(y + o) + alpha * load<f64>(x + o));
  }
}

/** Σ_{t=from}^{n−1} x[t]·y[t]. */
@inline function dotFrom(x: usize, y: usize, from: i32, n: i32): f64 {
  const o: usize = (<usize>from) << 3;
  return dotK(x + o, y + o, n - from);
}

/**
 * Blocked Householder tridiagonalisation (LAPACK dsytrd/dlatrd scheme, lower, panel width nb)
 * of the symmetric n×n matrix at `a` (lower triangle read and updated), n ≥ 3.
 * Outputs: d (n doubles), e (n−1), reflector rows vr (row i, i = 0..n−3, holds v_i in entries
 * i+1..n−1; the host zero-fills vr) and beta (n−2), so A = Q T Qᵀ with Q = H_0 … H_{n−3},
 * H_i = I − β_i v_i v_iᵀ. Workspace ws: nb·n (panel W) + n (column) + 2·n·2nb (X, Y) +
 * 64·n (update tile) doubles.
 */
export function tridiagonalize(
  a: usize,
  n: i32,
  nb: i32,
  d: usize,
  e: usize,
  vr: usize,
  beta: usize,
  ws: usize,
): void {
  const row: usize = (<usize>n) << 3;
  const wp = ws; // panel W rows (nb × n)
  const col = wp + <usize>nb * row; // n
  const X = col + row; // n × 2nb
  const Y = X + <usize>n * (<usize>(2 * nb) << 3); // n × 2nb
  const tile = Y + <usize>n * (<usize>(2 * nb) << 3); // 64 × n
  for (let k0 = 0; k0 < n - 2; k0 += nb) {
    const nbe = min(nb, n - 2 - k0);
    for (let c = 0; c < nbe; c++) {
      const i = k0 + c;
      // column i (rows i..n−1) of the current matrix: row i of a minus the panel's corrections
      const ci: usize = (<usize>i) << 3;
      for (let r = i; r < n; r++) {
        store<f64>(col + ((<usize>r) << 3), load<f64>(a + <usize>r * row + ci));
      }
      for (let q = 0; q < c; q++) {
        const vq = vr + <usize>(k0 + q) * row, wq = wp + <usize>q * row;
        const io: usize = (<usize>i) << 3;
        axpyFrom(col, vq, -load<f64>(wq + io), i, n);
        axpyFrom(col, wq, -load<f64>(vq + io), i, n);
      }
      store<f64>(d + ((<usize>i) << 3), load<f64>(col + ((<usize>i) << 3)));
      const norm2 = dotFrom(col, col, i + 1, n);
      const v = vr + <usize>i * row, w = wp + <usize>c * row;
      const norm = Math.sqrt(norm2);
      let b: f64 = 0;
      if (norm == 0) {
        store<f64>(e + ((<usize>i) << 3), 0);
      } else {
        const c1 = load<f64>(col + ((<usize>(i + 1)) << 3));
        const alpha = c1 > 0 ? -norm : norm;
        store<f64>(e + ((<usize>i) << 3), alpha);
        for (let r = i + 1; r < n; r++) {
          store<f64>(v + ((<usize>r) << 3), load<f64>(col + ((<usize>r) << 3)));
        }
        store<f64>(v + ((<usize>(i + 1)) << 3), c1 - alpha);
        const vn2 = norm2 - 2 * alpha * c1 + alpha * alpha;
        b = vn2 > 0 ? 2 / vn2 : 0;
      }
      store<f64>(beta + ((<usize>i) << 3), b);
      const r0 = i + 1;
      if (b != 0) {
        // w = β (A v) − β [W (Vᵀv) + V (Wᵀv)] over rows r0..n−1, then w += −½β(wᵀv) v
        trailingSymMatVecLower(a, n, r0, v, w);
        for (let q = 0; q < c; q++) {
          const vq = vr + <usize>(k0 + q) * row, wq = wp + <usize>q * row;
          const sv = dotFrom(vq, v, r0, n), sw = dotFrom(wq, v, r0, n);
          axpyFrom(w, wq, -sv, r0, n);
          axpyFrom(w, vq, -sw, r0, n);
        }
        let wv: f64 = 0;
        for (let t = r0; t < n; t++) {
          const o: usize = (<usize>t) << 3;
          const wt = load<f64>(w + o) * b;
          store<f64>(w + o, wt);
          wv += wt * load<f64>(v + o);
        }
        axpyFrom(w, v, -0.5 * b * wv, r0, n);
      } else {
        for (let t = r0; t < n; t++) store<f64>(w + ((<usize>t) << 3), 0);
      }
    }
    // trailing update: A[t0.., t0..] −= V Wᵀ + W Vᵀ (lower triangle, by row tiles)
    const t0 = k0 + nbe;
    const len = n - t0;
    const w2 = 2 * nbe;
    const xrow: usize = (<usize>w2) << 3;
    for (let r = 0; r < len; r++) {
      const src: usize = (<usize>(t0 + r)) << 3;
      const xo = X + <usize>r * xrow, yo = Y + <usize>r * xrow;
      for (let q = 0; q < nbe; q++) {
        const vq = load<f64>(vr + <usize>(k0 + q) * row + src);
        const wq = load<f64>(wp + <usize>q * row + src);
        const qo: usize = (<usize>q) << 3, qo2: usize = (<usize>(q + nbe)) << 3;
        store<f64>(xo + qo, vq);
        store<f64>(xo + qo2, wq);
        store<f64>(yo + qo, wq);
        store<f64>(yo + qo2, vq);
      }
    }
    for (let ra = 0; ra < len; ra += 64) {
      const rb = min(len, ra + 64);
      mmNT(X + <usize>ra * xrow, Y, tile, rb - ra, w2, rb);
      for (let r = ra; r < rb; r++) {
        const ao = a + <usize>(t0 + r) * row + ((<usize>t0) << 3);
        const to = tile + <usize>(r - ra) * (<usize>rb << 3);
        for (let c = 0; c <= r; c++) {
          const o: usize = (<usize>c) << 3;
          store<f64>(ao + o, load<f64>(ao + o) - load<f64>(to + o));
        }
      }
    }
  }
  store<f64>(d + ((<usize>(n - 2)) << 3), load<f64>(a + <usize>(n - 2) * row + ((<usize>(n - 2)) << 3)));
  store<f64>(e + ((<usize>(n - 2)) << 3), load<f64>(a + <usize>(n - 1) * row + ((<usize>(n - 2)) << 3)));
  store<f64>(d + ((<usize>(n - 1)) << 3), load<f64>(a + <usize>(n - 1) * row + ((<usize>(n - 1)) << 3)));
}

/** y[0..len) −= f·x[0..len) (f64x2 SIMD). */
@inline function subScaled(y: usize, x: usize, f: f64, len: i32): void {
  const lb: usize = (<usize>(len & ~1)) << 3;
  const f2 = f64x2.splat(-f);
  for (let p: usize = 0; p < lb; p += 16) {
    v128.store(y + p, fma(v128.load(x + p), f2, v128.load(y + p)));
  }
  if (len & 1) store<f64>(y + lb, load<f64>(y + lb) - f * load<f64>(x + lb));
}

/**
 * Cayley transform of the skew-symmetric n×n Ω at `omega`: R = (I − Ω/2)⁻¹ (I + Ω/2) into
 * `r`, by Gaussian elimination without pivoting (I − Ω/2 has a positive definite symmetric
 * part) with SIMD row operations; `k` is n×n workspace.
 */
export function cayley(omega: usize, n: i32, k: usize, r: usize): void {
  const nn = n * n;
  for (let i = 0; i < nn; i++) {
    const o: usize = (<usize>i) << 3;
    const w = load<f64>(omega + o);
    store<f64>(k + o, -0.5 * w);
    store<f64>(r + o, 0.5 * w);
  }
  const row: usize = (<usize>n) << 3;
  for (let i = 0; i < n; i++) {
    const o: usize = <usize>i * row + ((<usize>i) << 3);
    store<f64>(k + o, load<f64>(k + o) + 1);
    store<f64>(r + o, load<f64>(r + o) + 1);
  }
  for (let p = 0; p < n; p++) {
    const kp = k + <usize>p * row, rp = r + <usize>p * row;
    const inv = 1 / load<f64>(kp + ((<usize>p) << 3));
    const tail: usize = (<usize>(p + 1)) << 3;
    for (let i = p + 1; i < n; i++) {
      const ki = k + <usize>i * row;
      const f = load<f64>(ki + ((<usize>p) << 3)) * inv;
      if (f == 0) continue;
      subScaled(ki + tail, kp + tail, f, n - p - 1);
      subScaled(r + <usize>i * row, rp, f, n);
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    const ki = k + <usize>i * row, ri = r + <usize>i * row;
    for (let q = i + 1; q < n; q++) {
      const f = load<f64>(ki + ((<usize>q) << 3));
      if (f == 0) continue;
      subScaled(ri, r + <usize>q * row, f, n);
    }
    const inv = 1 / load<f64>(ki + ((<usize>i) << 3));
    const ib = f64x2.splat(inv);
    const lb: usize = (<usize>(n & ~1)) << 3;
    for (let p: usize = 0; p < lb; p += 16) v128.store(ri + p, f64x2.mul(v128.load(ri + p), ib));
    if (n & 1) store<f64>(ri + lb, load<f64>(ri + lb) * inv);
  }
}

/**
 * Inverse of the n×n matrix at `a` (overwritten) into `r`, by Gauss–Jordan elimination without
 * pivoting (for matrices with a positive definite symmetric part, whose pivots cannot vanish)
 * with SIMD row operations: the leaves of the host's recursive block inverse.
 */
export function invertNoPivot(a: usize, n: i32, r: usize): void {
  const row: usize = (<usize>n) << 3;
  for (let i = 0; i < n * n; i++) store<f64>(r + ((<usize>i) << 3), 0);
  for (let i = 0; i < n; i++) store<f64>(r + <usize>i * row + ((<usize>i) << 3), 1);
  for (let p = 0; p < n; p++) {
    const ap = a + <usize>p * row, rp = r + <usize>p * row;
    const po: usize = (<usize>p) << 3;
    const inv = 1 / load<f64>(ap + po);
    for (let j = p; j < n; j++) {
      const o: usize = (<usize>j) << 3;
      store<f64>(ap + o, load<f64>(ap + o) * inv);
    }
    const ib = f64x2.splat(inv);
    const lb: usize = (<usize>(n & ~1)) << 3;
    for (let q: usize = 0; q < lb; q += 16) v128.store(rp + q, f64x2.mul(v128.load(rp + q), ib));
    if (n & 1) store<f64>(rp + lb, load<f64>(rp + lb) * inv);
    for (let i = 0; i < n; i++) {
      if (i == p) continue;
      const ai = a + <usize>i * row;
      const f = load<f64>(ai + po);
      if (f == 0) continue;
      subScaled(ai + po, ap + po, f, n - p);
      subScaled(r + <usize>i * row, rp, f, n);
    }
  }
}

/**
 * Sign of det(A) (+1, −1, or 0 when singular) of the n×n matrix at `a` (overwritten) by LU
 * with partial pivoting and SIMD row operations.
 */
export function detSign(a: usize, n: i32): f64 {
  const row: usize = (<usize>n) << 3;
  let sign: f64 = 1;
  for (let p = 0; p < n; p++) {
    const po: usize = (<usize>p) << 3;
    let piv = p;
    let best = Math.abs(load<f64>(a + <usize>p * row + po));
    for (let i = p + 1; i < n; i++) {
      const v = Math.abs(load<f64>(a + <usize>i * row + po));
      if (v > best) {
        best = v;
        piv = i;
      }
    }
    if (best == 0) return 0;
    if (piv != p) {
      sign = -sign;
      const x = a + <usize>p * row, y = a + <usize>piv * row;
      for (let j = 0; j < n; j++) {
        const o: usize = (<usize>j) << 3;
        const t = load<f64>(x + o);
        store<f64>(x + o, load<f64>(y + o));
        store<f64>(y + o, t);
      }
    }
    const ap = a + <usize>p * row;
    const d = load<f64>(ap + po);
    if (d < 0) sign = -sign;
    for (let i = p + 1; i < n; i++) {
      const ai = a + <usize>i * row;
      const fct = load<f64>(ai + po) / d;
      if (fct == 0) continue;
      subScaled(ai + po, ap + po, fct, n - p);
    }
  }
  return sign;
}

/**
 * C (m×n, row-major) += α · Aᵀ B with A: N×m and B: N×n given by their first element and
 * row strides lda, ldb (in doubles): sums of outer products of rows (the lagged
 * cross-products of the delay-embedding Gram matrix). Register tile: 2 rows of C × 8
 * columns (eight f64x2 accumulators) over all N rows.
 */
export function mmTNAcc(
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  c: usize,
  N: i32,
  m: i32,
  n: i32,
  alpha: f64,
): void {
  const sa: usize = (<usize>lda) << 3, sb: usize = (<usize>ldb) << 3;
  const rowC: usize = (<usize>n) << 3;
  const al = f64x2.splat(alpha);
  let u = 0;
  for (; u < m; u += 2) {
    const two = u + 1 < m;
    const au: usize = (<usize>u) << 3;
    const c0 = c + <usize>u * rowC, c1 = c0 + rowC;
    let v = 0;
    for (; v + 8 <= n; v += 8) {
      const bv: usize = (<usize>v) << 3;
      let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s02 = f64x2.splat(0), s03 = f64x2.splat(0);
      let s10 = f64x2.splat(0), s11 = f64x2.splat(0), s12 = f64x2.splat(0), s13 = f64x2.splat(0);
      let pa = a + au, pb = b + bv;
      for (let p = 0; p < N; p++) {
        const x0 = v128.load64_splat(pa);
        const x1 = two ? v128.load64_splat(pa + 8) : f64x2.splat(0);
        const y0 = v128.load(pb), y1 = v128.load(pb + 16);
        const y2 = v128.load(pb + 32), y3 = v128.load(pb + 48);
        s00 = fma(x0, y0, s00);
        s01 = fma(x0, y1, s01);
        s02 = fma(x0, y2, s02);
        s03 = fma(x0, y3, s03);
        s10 = fma(x1, y0, s10);
        s11 = fma(x1, y1, s11);
        s12 = fma(x1, y2, s12);
        s13 = fma(x1, y3, s13);
        pa += sa;
        pb += sb;
      }
      const o0 = c0 + bv;
      v128.store(o0, fma(s00, al, v128.load(o0)));
      v128.store(o0 + 16, fma(s01, al, v128.load(o0 + 16)));
      v128.store(o0 + 32, fma(s02, al, v128.load(o0 + 32)));
      v128.store(o0 + 48, fma(s03, al, v128.load(o0 + 48)));
      if (two) {
        const o1 = c1 + bv;
        v128.store(o1, fma(s10, al, v128.load(o1)));
        v128.store(o1 + 16, fma(s11, al, v128.load(o1 + 16)));
        v128.store(o1 + 32, fma(s12, al, v128.load(o1 + 32)));
        v128.store(o1 + 48, fma(s13, al, v128.load(o1 + 48)));
      }
    }
    for (; v < n; v++) {
      const bv: usize = (<usize>v) << 3;
      let s0: f64 = 0, s1: f64 = 0;
      let pa = a + au, pb = b + bv;
      for (let p = 0; p < N; p++) {
        const y = load<f64>(pb);
        s0 += load<f64>(pa) * y;
        if (two) s1 += load<f64>(pa + 8) * y;
        pa += sa;
        pb += sb;
      }
      store<f64>(c0 + bv, load<f64>(c0 + bv) + alpha * s0);
      if (two) store<f64>(c1 + bv, load<f64>(c1 + bv) + alpha * s1);
    }
  }
}
