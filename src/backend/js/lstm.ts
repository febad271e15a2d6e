// Reference LSTM sequence kernels (Backend.lstmForward / lstmBackward), any float dtype: the input
// projection as one matmul, then per step h_{t-1} W_hh^T and the gates in plain loops.

import { alloc, type TypedArray } from "../../tensor/dtype.js";
import type { Backend, View } from "../backend.js";

type Arr = Float32Array | Float64Array;

/** A contiguous copy of the view's elements. */
function dense(be: Backend, v: View): Arr {
  return be.unary("copy", v, v.dtype) as Arr;
}

function mat(a: TypedArray, rows: number, cols: number, off: number, dtype: View["dtype"]): View {
  return { storage: a, shape: [rows, cols], strides: [cols, 1], offset: off, dtype };
}

const sig = (v: number): number => 1 / (1 + Math.exp(-v));

export function lstmForward(be: Backend, x: View, wihT: View, bias: View | null, h0: View, c0: View, whhT: View): { act: TypedArray; all: TypedArray } {
  const dtype = x.dtype;
  const [N, H] = h0.shape, G = 4 * H, NH = N * H;
  const T = x.shape[0] / N;
  const act = be.matmul(x, wihT, dtype, bias ?? undefined) as Arr; // x W_ih^T + b, then the gates in place
  const all = alloc(dtype, 2 * T * NH) as Arr;
  const h0d = dense(be, h0), c0d = dense(be, c0);
  for (let t = 0; t < T; t++) {
    const hPrev = t === 0 ? mat(h0d, N, H, 0, dtype) : mat(all, N, H, (t - 1) * NH, dtype);
    const pre = be.matmul(hPrev, whhT, dtype, mat(act, N, G, t * N * G, dtype)) as Arr;
    cellForward(pre, act, t * N * G, t === 0 ? c0d : all, t === 0 ? 0 : T * NH + (t - 1) * NH, all, t * NH, T * NH + t * NH, N, H);
  }
  return { act, all };
}

function cellForward(pre: Arr, act: Arr, a0: number, cp: Arr, cpo: number, all: Arr, ho: number, co: number, N: number, H: number): void {
  const G = 4 * H;
  for (let n = 0; n < N; n++) {
    const r = n * G;
    for (let j = 0; j < H; j++) {
      const i = sig(pre[r + j]), f = sig(pre[r + H + j]), g = Math.tanh(pre[r + 2 * H + j]), o = sig(pre[r + 3 * H + j]);
      const q = a0 + r + j;
      act[q] = i;
      act[q + H] = f;
      act[q + 2 * H] = g;
      act[q + 3 * H] = o;
      const e = n * H + j;
      const c = f * cp[cpo + e] + i * g;
      all[co + e] = c;
      all[ho + e] = o * Math.tanh(c);
    }
  }
}

export function lstmBackward(be: Backend, gAll: View, actV: View, allV: View, c0: View, whh: View): { dG: TypedArray; dh0: TypedArray; dc0: TypedArray } {
  const dtype = gAll.dtype;
  const [, T, N, H] = gAll.shape, G = 4 * H, NH = N * H;
  const gd = dense(be, gAll), act = dense(be, actV), all = dense(be, allV), c0d = dense(be, c0);
  const dG = alloc(dtype, T * N * G) as Arr;
  let dh = alloc(dtype, NH) as Arr;
  const dc = alloc(dtype, NH) as Arr;
  for (let t = T - 1; t >= 0; t--) {
    cellBackward(gd, act, all, t === 0 ? c0d : all, t === 0 ? 0 : T * NH + (t - 1) * NH, dh, dc, dG, t, T, N, H);
    dh = be.matmul(mat(dG, N, G, t * N * G, dtype), whh, dtype) as Arr; // dL/dh_{t-1} = dG_t W_hh
  }
  return { dG, dh0: dh, dc0: dc };
}

function cellBackward(gd: Arr, act: Arr, all: Arr, cp: Arr, cpo: number, dh: Arr, dc: Arr, dG: Arr, t: number, T: number, N: number, H: number): void {
  const G = 4 * H, NH = N * H;
  const a0 = t * N * G, ho = t * NH, co = T * NH + t * NH;
  for (let n = 0; n < N; n++) {
    const r = n * G;
    for (let j = 0; j < H; j++) {
      const e = n * H + j, q = a0 + r + j;
      const i = act[q], f = act[q + H], g = act[q + 2 * H], o = act[q + 3 * H];
      const dht = gd[ho + e] + dh[e];
      const tc = Math.tanh(all[co + e]);
      const dct = dc[e] + gd[co + e] + dht * o * (1 - tc * tc);
      dG[q] = dct * g * i * (1 - i);
      dG[q + H] = dct * cp[cpo + e] * f * (1 - f);
      dG[q + 2 * H] = dct * i * (1 - g * g);
      dG[q + 3 * H] = dht * tc * o * (1 - o);
      dc[e] = dct * f;
    }
  }
}
