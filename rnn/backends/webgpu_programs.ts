/**
 * Fused WGSL programs for the recurrent part of the WebGPU population backend
 * (`rnn/backends/webgpu.ts`): the whole time loop of the forward pass, and the whole time
 * loop of BPTT, each in ONE dispatch for all K members, instead of ~3 tfjs dispatches per
 * time step (tfjs's per-op overhead dominates a T-step recurrence on a GPU).
 *
 * Both run through tfjs-backend-webgpu's `runWebGPUProgram`, so inputs and outputs are
 * ordinary tfjs tensors. Layout: every sequence tensor is `[K, B, T, H]` flat (the backend's
 * rows r = b·T + t per member). One workgroup of 64 threads owns member k and a tile of
 * `tile` trials; it keeps the current hidden state (or da) of its tile in workgroup memory
 * and walks the time steps, each thread computing units j, j + 64, …; W_h is read from
 * global memory (cache-resident: H² floats per member), laid out so that the threads of a
 * workgroup read consecutive addresses (W_hᵀ forward, W_h backward), each load serving the
 * whole tile.
 *
 * - forward: h_t = tanh(pre_t + W_h h_{t−1}), h_0 = 0, where pre = X W_xᵀ + b;
 * - backward: da_t = (g_t + W_hᵀ da_{t+1}) ⊙ (1 − h_t²), da_T = 0, where g = dY W_o.
 *
 * tanh is evaluated as sign(a)·(1 − e^{−2|a|})/(1 + e^{−2|a|}) (as tfjs does), which stays
 * finite for every input on every driver.
 *
 * @module
 */

/** Threads per workgroup. */
const WG = 64;

/** Sizes a recurrence program is specialised for (all baked into the shader). */
export interface RecurrenceDims {
  /** Members K. */
  members: number;
  /** Trials B. */
  batch: number;
  /** Time steps T. */
  steps: number;
  /** Hidden units H. */
  hidden: number;
}

/** Largest H the fused programs support (workgroup memory holds 2·H floats per trial). */
export const MAX_FUSED_HIDDEN = 2048;

/**
 * Trials per workgroup: enough workgroups to fill a GPU (≥ ~1024 when K·B allows), up to 8
 * trials sharing each W_h load, and at most 16 KiB of workgroup memory. A heuristic, not
 * tuned on hardware.
 */
export function recurrenceTile(members: number, batch: number, hidden: number): number {
  let tile = 1;
  while (
    tile < 8 && tile * 2 <= batch && (members * batch) / (tile * 2) >= 1024 &&
    2 * (tile * 2) * hidden * 4 <= 16384
  ) tile *= 2;
  return tile;
}

/**
 * The subset of tfjs-backend-webgpu's `WebGPUProgram` interface these programs implement
 * (flat dispatch layout: tfjs calls `main(index)`; the code uses the `workgroupId`,
 * `numWorkgroups` and `localId` globals tfjs's shader header defines).
 */
export interface RawWebGpuProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  getUserCode(): string;
}

function header(d: RecurrenceDims, tile: number): string {
  return `
const K_: i32 = ${d.members};
const B_: i32 = ${d.batch};
const T_: i32 = ${d.steps};
const H_: i32 = ${d.hidden};
const BT_: i32 = ${tile};
const WG_: i32 = ${WG};
const UPT_: i32 = ${Math.ceil(d.hidden / WG)};
var<workgroup> sh: array<f32, ${2 * tile * d.hidden}>;

fn tanhStable(a: f32) -> f32 {
  let e = exp(-2.0 * abs(a));
  return sign(a) * (1.0 - e) / (1.0 + e);
}

fn workgroupLinear() -> i32 {
  return i32(workgroupId.x + workgroupId.y * numWorkgroups.x +
      workgroupId.z * numWorkgroups.x * numWorkgroups.y);
}
`;
}

function baseProgram(
  kind: string,
  d: RecurrenceDims,
  variableNames: string[],
  code: (tile: number) => string,
  tileOverride?: number,
): RawWebGpuProgram {
  for (const [k, v] of Object.entries(d)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${kind}: ${k} must be an integer ≥ 1`);
  }
  if (d.hidden > MAX_FUSED_HIDDEN) {
    throw new Error(`${kind}: hidden must be ≤ ${MAX_FUSED_HIDDEN}, got ${d.hidden}`);
  }
  const tile = tileOverride ?? recurrenceTile(d.members, d.batch, d.hidden);
  if (!Number.isInteger(tile) || tile < 1 || 2 * tile * d.hidden * 4 > 16384) {
    throw new Error(`${kind}: tile must be an integer ≥ 1 with 2·tile·hidden·4 ≤ 16384`);
  }
  const groups = d.members * Math.ceil(d.batch / tile);
  return {
    variableNames,
    outputShape: [d.members, d.batch * d.steps, d.hidden],
    shaderKey: `degeneracy_${kind}_${d.members}_${d.batch}_${d.steps}_${d.hidden}_${tile}`,
    dispatchLayout: { x: [0, 1, 2] },
    dispatch: [groups, 1, 1],
    workgroupSize: [WG, 1, 1],
    getUserCode: () => header(d, tile) + code(tile),
  };
}

/**
 * Forward recurrence. Inputs `pre [K, B·T, H]` (X W_xᵀ + b) and `recT [K, H, H]` (W_hᵀ:
 * `recT[k][j][i]` multiplies h_j into unit i, so that neighbouring threads read neighbouring
 * addresses); output all hidden states `[K, B·T, H]`.
 */
export function forwardRecurrenceProgram(d: RecurrenceDims, tile?: number): RawWebGpuProgram {
  return baseProgram("rnn_fwd", d, ["pre", "recT"], () => `
fn main(index: i32) {
  let tiles = (B_ + BT_ - 1) / BT_;
  let wid = workgroupLinear();
  let k = wid / tiles;
  let b0 = (wid % tiles) * BT_;
  // (reading a uniform keeps tfjs's uniform binding in the 'auto' pipeline layout)
  let valid = k < K_ && uniforms.outShape.x == K_;
  let lid = i32(localId.x);
  for (var x = lid; x < BT_ * H_; x += WG_) { sh[x] = 0.0; }
  workgroupBarrier();
  var cur = 0;
  for (var t = 0; t < T_; t++) {
    for (var q = 0; q < UPT_; q++) {
      let i = lid + q * WG_;
      if (valid && i < H_) {
        var acc: array<f32, BT_>;
        for (var r = 0; r < BT_; r++) { acc[r] = 0.0; }
        let hbase = cur * BT_ * H_;
        for (var j = 0; j < H_; j++) {
          let w = recT[(k * H_ + j) * H_ + i];
          for (var r = 0; r < BT_; r++) { acc[r] = fma(w, sh[hbase + r * H_ + j], acc[r]); }
        }
        for (var r = 0; r < BT_; r++) {
          let b = b0 + r;
          var h = 0.0;
          if (b < B_) {
            let o = ((k * B_ + b) * T_ + t) * H_ + i;
            h = tanhStable(pre[o] + acc[r]);
            result[o] = h;
          }
          sh[(1 - cur) * BT_ * H_ + r * H_ + i] = h;
        }
      }
    }
    workgroupBarrier();
    cur = 1 - cur;
  }
}
`, tile);
}

/**
 * Backward recurrence (BPTT through the tanh units). Inputs `g [K, B·T, H]` (dL/dh_t from the
 * readout, dY W_o), `hs [K, B·T, H]` (hidden states) and `rec [K, H, H]` (W_h); output
 * da_t = dL/da_t `[K, B·T, H]`.
 */
export function backwardRecurrenceProgram(d: RecurrenceDims, tile?: number): RawWebGpuProgram {
  return baseProgram("rnn_bwd", d, ["g", "hs", "rec"], () => `
fn main(index: i32) {
  let tiles = (B_ + BT_ - 1) / BT_;
  let wid = workgroupLinear();
  let k = wid / tiles;
  let b0 = (wid % tiles) * BT_;
  // (reading a uniform keeps tfjs's uniform binding in the 'auto' pipeline layout)
  let valid = k < K_ && uniforms.outShape.x == K_;
  let lid = i32(localId.x);
  for (var x = lid; x < BT_ * H_; x += WG_) { sh[x] = 0.0; }
  workgroupBarrier();
  var cur = 0;
  for (var s = 0; s < T_; s++) {
    let t = T_ - 1 - s;
    for (var q = 0; q < UPT_; q++) {
      let j = lid + q * WG_;
      if (valid && j < H_) {
        var acc: array<f32, BT_>;
        for (var r = 0; r < BT_; r++) { acc[r] = 0.0; }
        let dbase = cur * BT_ * H_;
        for (var i = 0; i < H_; i++) {
          let w = rec[(k * H_ + i) * H_ + j];
          for (var r = 0; r < BT_; r++) { acc[r] = fma(w, sh[dbase + r * H_ + i], acc[r]); }
        }
        for (var r = 0; r < BT_; r++) {
          let b = b0 + r;
          var da = 0.0;
          if (b < B_) {
            let o = ((k * B_ + b) * T_ + t) * H_ + j;
            let h = hs[o];
            da = (g[o] + acc[r]) * (1.0 - h * h);
            result[o] = da;
          }
          sh[(1 - cur) * BT_ * H_ + r * H_ + j] = da;
        }
      }
    }
    workgroupBarrier();
    cur = 1 - cur;
  }
}
`, tile);
}
