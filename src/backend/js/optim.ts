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

/** The float32 update, rounding after every operation in the order of the wasm kernel (adamF32 in
 *  assembly/elementwise.ts), so both backends give the same bits (a parameter's update does not depend on
 *  whether its storage happens to live in wasm memory). */
function adamKernelF32(
  x: Float32Array, xo: number, g: Float32Array, go: number, m: Float32Array, v: Float32Array, vmax: Float32Array | null, n: number,
  beta1: number, beta2: number, eps: number, stepSize: number, bc2Sqrt: number, decay: number, l2: number, sign: number,
): void {
  const f = Math.fround;
  const b1 = f(beta1), b2 = f(beta2), c1 = f(1 - b1), c2 = f(1 - b2), e = f(eps), ns = -f(stepSize), bc = f(bc2Sqrt);
  const d = f(decay), l = f(l2), sg = f(sign);
  for (let i = 0; i < n; i++) {
    const p = f(x[xo + i] * d);
    const gi = f(f(sg * g[go + i]) + f(l * p));
    const mi = f(f(m[i] * b1) + f(c1 * gi));
    const vi = f(f(v[i] * b2) + f(f(c2 * gi) * gi));
    m[i] = mi;
    v[i] = vi;
    let s = vi;
    if (vmax !== null) {
      const old = vmax[i];
      if (!(vi > old || vi !== vi)) s = old;
      vmax[i] = s;
    }
    const den = f(f(f(Math.sqrt(s)) / bc) + e);
    x[xo + i] = f(p + f(f(ns * mi) / den));
  }
}

export function adamStep(x: TypedArray, xo: number, g: TypedArray, go: number, m: TypedArray, v: TypedArray, vmax: TypedArray | null, n: number, h: AdamHyper): void {
  if (x instanceof Float32Array && g instanceof Float32Array && m instanceof Float32Array && v instanceof Float32Array && (vmax === null || vmax instanceof Float32Array))
    adamKernelF32(x, xo, g, go, m, v, vmax, n, h.beta1, h.beta2, h.eps, h.stepSize, h.bc2Sqrt, h.decay, h.l2, h.sign);
  else adamKernel(x, xo, g, go, m, v, vmax, n, h.beta1, h.beta2, h.eps, h.stepSize, h.bc2Sqrt, h.decay, h.l2, h.sign);
}
