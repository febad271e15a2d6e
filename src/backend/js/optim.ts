// Reference optimizer kernels (Backend.adamStep): the update loops of optim/, in plain JS.

import type { TypedArray } from "../../tensor/dtype.js";
import type { AdamHyper } from "../backend.js";

/** The fused update of one parameter in JS (the reference backend's adamStep; arguments, not captured
 *  variables, so V8 keeps them in registers). */
function adamKernel(
  x: TypedArray, xo: number, g: TypedArray, go: number, m: TypedArray, v: TypedArray, vmax: TypedArray | null, n: number,
  beta1: number, beta2: number, eps: number, stepSize: number, bc2Sqrt: number, decay: number, l2: number, sign: number,
): void {
  for (let i = 0; i < n; i++) {
    const pi = decay !== 1 ? x[xo + i] * decay : x[xo + i];
    let gi = sign * g[go + i];
    if (l2 !== 0) gi = gi + l2 * pi;
    m[i] = m[i] * beta1 + (1 - beta1) * gi;
    v[i] = v[i] * beta2 + (1 - beta2) * gi * gi;
    let s = v[i];
    if (vmax !== null) {
      if (s > vmax[i] || Number.isNaN(s)) vmax[i] = s;
      s = vmax[i];
    }
    const denom = Math.sqrt(s) / bc2Sqrt + eps;
    x[xo + i] = pi + (-stepSize * m[i]) / denom;
  }
}

export function adamStep(x: TypedArray, xo: number, g: TypedArray, go: number, m: TypedArray, v: TypedArray, vmax: TypedArray | null, n: number, h: AdamHyper): void {
  adamKernel(x, xo, g, go, m, v, vmax, n, h.beta1, h.beta2, h.eps, h.stepSize, h.bc2Sqrt, h.decay, h.l2, h.sign);
}
