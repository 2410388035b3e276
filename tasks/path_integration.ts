/**
 * Path integration in a bounded 2D or 3D arena (paper §2.2, Appendix A.4).
 *
 * Arena: the box [−L, L]^dims with L = boxSize/2 (default boxSize 2). The start position is
 * uniform in the box. Heading: azimuth θ (and, in 3D, elevation φ) follows a random walk,
 * θ_t = wrap(θ_{t−1} + N(0, turnStd²)) into [−π, π); φ_t = φ_{t−1} + N(0, turnStd²) reflected
 * into [−π/2, π/2]; θ_0 ~ U[−π, π), φ_0 = asin(U[−1, 1]) (uniform direction on the sphere).
 * Speed v_t ~ U[0, maxSpeed] (arena units per step), independently per step.
 *
 * **How the start position reaches the network:** as extra input channels that carry the start
 * coordinates on step 0 only (0 afterwards); on step 0 the speed is 0 and the target is the start
 * position itself. **Walls:** after each move every coordinate is clamped to [−L, L] (the agent
 * slides along the wall). So target_t = clamp(target_{t−1} + v_t · u(θ_t, φ_t)) with the unit
 * vector u = (cos θ, sin θ) in 2D and (cos φ cos θ, cos φ sin θ, sin φ) in 3D, computed from the
 * float32 input values themselves, so the targets are exactly the integral of the inputs.
 *
 * Input channels (`angleEncoding`): `"cos_sin"` (default; avoids the jump of a raw angle at ±π):
 * 2D `[cos θ, sin θ, v, x0, y0]`, 3D `[cos θ, sin θ, cos φ, sin φ, v, x0, y0, z0]`;
 * `"raw"`: 2D `[θ, v, x0, y0]`, 3D `[θ, φ, v, x0, y0, z0]` (radians). Targets: the position
 * `[x, y]` or `[x, y, z]`. No loss mask.
 *
 * OOD (§3.2.3): doubled trial length (2T steps).
 *
 * @module
 */
import type { Task, TaskBatch } from "./types.ts";
import { createRng } from "../metrics/rng.ts";
import { checkSampleArgs, type ParamSchema, resolveParams, variantId } from "./params.ts";

/** Parameters of the path-integration task (all optional; defaults in brackets). */
export interface PathIntegrationParams {
  /** Space dimension, 2 or 3 [2]. */
  dims?: number;
  /** Time steps T [100, Appendix A.4]; the OOD variant uses 2T. */
  steps?: number;
  /** Side length of the cubic arena [2], so positions lie in [−1, 1]^dims. */
  boxSize?: number;
  /** Largest speed, arena units per step [0.05]; v ~ U[0, maxSpeed]. */
  maxSpeed?: number;
  /** Standard deviation of the per-step heading change, radians [0.3]. */
  turnStd?: number;
  /** How angles enter the network: `"cos_sin"` or `"raw"` radians ["cos_sin"]. */
  angleEncoding?: "cos_sin" | "raw";
}

/** Schema of {@link PathIntegrationParams}. */
export const PATH_INTEGRATION_SCHEMA: Readonly<Record<string, ParamSchema>> = {
  dims: { kind: "int", default: 2, min: 2, max: 3, tag: "" },
  steps: { kind: "int", default: 100, min: 1, max: 1_000_000, tag: "t" },
  boxSize: { kind: "number", default: 2, gt: 0, max: 1e6, tag: "box" },
  maxSpeed: { kind: "number", default: 0.05, min: 0, max: 1e6, tag: "vmax" },
  turnStd: { kind: "number", default: 0.3, min: 0, max: 1e3, tag: "turn" },
  angleEncoding: { kind: "enum", default: "cos_sin", values: ["cos_sin", "raw"], tag: "enc" },
};

/** Wrap an angle into [−π, π). */
function wrapAngle(a: number): number {
  const twoPi = 2 * Math.PI;
  return a - twoPi * Math.floor((a + Math.PI) / twoPi);
}

/** Reflect an elevation into [−π/2, π/2]. */
function reflectElevation(a: number): number {
  let x = wrapAngle(a); // now in [−π, π)
  if (x > Math.PI / 2) x = Math.PI - x;
  else if (x < -Math.PI / 2) x = -Math.PI - x;
  return x;
}

/**
 * Create a path-integration task (2D: inputs θ, v; 3D: θ, φ, v; plus the start position).
 *
 * @throws Error naming the invalid parameter and its allowed range.
 *
 * @example
 * ```ts
 * import { pathIntegrationTask } from "@degeneracy/degeneracy";
 * const task = pathIntegrationTask({ dims: 2 });
 * const { targets, steps } = task.sample(1, 3);
 * const inside = targets.every((x) => x >= -1 && x <= 1); // walls clamp to [−1, 1]
 * if (!inside || steps !== 100) throw new Error("arena");
 * ```
 */
export function pathIntegrationTask(params: PathIntegrationParams = {}): Task {
  const task = "path_integration";
  const r = resolveParams(task, PATH_INTEGRATION_SCHEMA, params as Record<string, unknown>);
  const D = r.dims as number, T = r.steps as number, L = (r.boxSize as number) / 2;
  const vMax = r.maxSpeed as number, turn = r.turnStd as number;
  const trig = r.angleEncoding === "cos_sin";
  const angleDim = D === 2 ? (trig ? 2 : 1) : (trig ? 4 : 2);
  const speedCh = angleDim;
  const startCh = angleDim + 1;
  const I = angleDim + 1 + D;
  const clamp = (x: number) => (x < -L ? -L : x > L ? L : x);
  return Object.freeze({
    name: task,
    id: variantId(`pathint-${D}d`, PATH_INTEGRATION_SCHEMA, r),
    params: Object.freeze(r),
    inputDim: I,
    outputDim: D,
    auxDim: 0,
    steps: T,
    channels: 1,
    continuousTargets: true,
    continuousInputs: true,
    sample(batch: number, seed: number, options?: { ood?: boolean }): TaskBatch {
      const ood = checkSampleArgs(task, batch, seed, options, 2 * T, I);
      const steps = ood ? 2 * T : T;
      const rng = createRng(seed);
      const inputs = new Float32Array(batch * steps * I);
      const targets = new Float32Array(batch * steps * D);
      const pos = new Float64Array(D);
      const u = new Float64Array(D);
      for (let b = 0; b < batch; b++) {
        let theta = rng.range(-Math.PI, Math.PI);
        let phi = D === 3 ? Math.asin(rng.range(-1, 1)) : 0;
        for (let d = 0; d < D; d++) pos[d] = Math.fround(rng.range(-L, L));
        for (let t = 0; t < steps; t++) {
          const xi = (b * steps + t) * I;
          if (t > 0) {
            theta = wrapAngle(theta + rng.normal(0, turn));
            if (D === 3) phi = reflectElevation(phi + rng.normal(0, turn));
          }
          const v = t === 0 ? 0 : Math.fround(rng.range(0, vMax));
          // Write the angle channels, then read the stored float32 values back to build u.
          let ct: number, st: number, cp = 1, sp = 0;
          if (trig) {
            inputs[xi] = Math.cos(theta);
            inputs[xi + 1] = Math.sin(theta);
            ct = inputs[xi];
            st = inputs[xi + 1];
            if (D === 3) {
              inputs[xi + 2] = Math.cos(phi);
              inputs[xi + 3] = Math.sin(phi);
              cp = inputs[xi + 2];
              sp = inputs[xi + 3];
            }
          } else {
            inputs[xi] = theta;
            ct = Math.cos(inputs[xi]);
            st = Math.sin(inputs[xi]);
            if (D === 3) {
              inputs[xi + 1] = phi;
              cp = Math.cos(inputs[xi + 1]);
              sp = Math.sin(inputs[xi + 1]);
            }
          }
          inputs[xi + speedCh] = v;
          if (t === 0) {
            for (let d = 0; d < D; d++) inputs[xi + startCh + d] = pos[d];
          } else {
            u[0] = cp * ct;
            u[1] = cp * st;
            if (D === 3) u[2] = sp;
            for (let d = 0; d < D; d++) pos[d] = clamp(pos[d] + v * u[d]);
          }
          const yi = (b * steps + t) * D;
          for (let d = 0; d < D; d++) targets[yi + d] = pos[d];
        }
      }
      return { batch, steps, inputDim: I, outputDim: D, inputs, targets, mask: null, aux: null };
    },
  });
}
