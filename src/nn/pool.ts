// Pooling of nn.functional: maxPool1d/2d, avgPool1d/2d, adaptiveAvgPool1d/2d, adaptiveMaxPool1d/2d.
// Every variant is one of two backend kernels over a list of windows (PoolWindows): the window
// arithmetic (padding, dilation, ceilMode, adaptive bins) is worked out here, following
// aten/src/ATen/native/Pool.h and AdaptiveAveragePooling.cpp. Max pooling's gradient is a
// scatterAdd at the argmax positions; average pooling's is its adjoint kernel.

import { B, type PoolWindows } from "../backend/backend.js";
import { Tensor } from "../tensor/tensor.js";
import { attach, isGradEnabled } from "../tensor/autograd.js";
import { fmt } from "../tensor/shape.js";
import { defineOp } from "../ops/registry.js";
import { checkTensor, requireFloat, wrap } from "../ops/util.js";
import { scatterAdd } from "../ops/indexing.js";
import { zeros } from "../ops/creation.js";
import { reshape } from "../ops/shape.js";
import { tuple, type Size1, type Size2 } from "./conv.js";
import { checkBool, checkOptions, positionalOptions } from "../tensor/options.js";

/** Windows along one dim: start i*s - p, k taps spaced d, as Pool.h's pooling_output_shape. */
function slidingAxis(op: string, n: number, k: number, s: number, p: number, d: number, ceilMode: boolean) {
  if (p > k / 2) throw new Error(`${op}: padding ${p} must be at most half of the kernel size ${k}`);
  const span = n + 2 * p - d * (k - 1) - 1;
  let out = (ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
  // with ceilMode the last window must start inside the input or its left padding
  if (ceilMode && (out - 1) * s >= n + p) out--;
  const start = new Int32Array(Math.max(out, 0)), count = new Int32Array(Math.max(out, 0));
  for (let i = 0; i < out; i++) {
    start[i] = i * s - p;
    count[i] = k;
  }
  return { out, start, count };
}

/** Adaptive bins along one dim: [floor(i n / o), ceil((i + 1) n / o)). */
function adaptiveAxis(n: number, o: number) {
  const start = new Int32Array(o), count = new Int32Array(o);
  for (let i = 0; i < o; i++) {
    start[i] = Math.floor((i * n) / o);
    count[i] = Math.ceil(((i + 1) * n) / o) - start[i];
  }
  return { out: o, start, count };
}

/** Brings 1-d/2-d, batched/unbatched input to [N, C, H, W]; returns it and the output shape maker. */
function as4d(op: string, x: Tensor, nd: 1 | 2): { x4: Tensor; back: (oh: number, ow: number) => number[] } {
  checkTensor(op, x);
  requireFloat(op, x);
  if (x.ndim !== nd + 1 && x.ndim !== nd + 2)
    throw new Error(`${op}: expected a ${nd + 1}-d (unbatched) or ${nd + 2}-d (batched) input, got ${fmt(x.shape)}`);
  const lead = x.shape.slice(0, x.ndim - nd);
  const N = lead.length === 2 ? lead[0] : 1, C = lead[lead.length - 1];
  const H = nd === 2 ? x.shape[x.ndim - 2] : 1, W = x.shape[x.ndim - 1];
  if (H === 0 || W === 0 || C === 0) throw new Error(`${op}: input ${fmt(x.shape)} has an empty dim`);
  return { x4: reshape(x, [N, C, H, W]), back: (oh, ow) => [...lead, ...(nd === 2 ? [oh, ow] : [ow])] };
}

function windows(h: { start: Int32Array; count: Int32Array }, w: { start: Int32Array; count: Int32Array }, dh: number, dw: number, divisor?: Float64Array): PoolWindows {
  return { hStart: h.start, hCount: h.count, dh, wStart: w.start, wCount: w.count, dw, divisor };
}

/** Max over windows of x [N, C, H, W]: values and int32 flat (h*W + w) indices.
 *  d/dx: the gradient scatter-added at the argmax positions (its own gradient is a gather). */
function maxCore(op: string, x: Tensor, win: PoolWindows): [Tensor, Tensor] {
  const [N, C, H, W] = x.shape, oh = win.hStart.length, ow = win.wStart.length;
  const r = B().maxPool2d(x, win);
  const idx = wrap(r.indices, [N, C, oh, ow], "int32");
  const y = wrap(r.values, [N, C, oh, ow], x.dtype);
  attach(y, op, [x], (g) => [
    // the kernel when no graph of the gradient is wanted; else scatterAdd (whose gradient is a gather)
    isGradEnabled()
      ? reshape(scatterAdd(zeros([N, C, H * W], { dtype: g.dtype }), 2, reshape(idx, [N, C, oh * ow]), reshape(g, [N, C, oh * ow])), [N, C, H, W])
      : wrap(B().maxPool2dBackward(g, idx, H, W), [N, C, H, W], g.dtype),
  ]);
  return [y, idx];
}

/** Window sums over divisors; d/dx: the adjoint kernel (whose own gradient is this one again). */
function avgCore(x: Tensor, win: PoolWindows): Tensor {
  const [N, C, H, W] = x.shape;
  const y = wrap(B().avgPool2d(x, win), [N, C, win.hStart.length, win.wStart.length], x.dtype);
  return attach(y, "avgPool2d", [x], (g) => [avgBackCore(g, win, H, W)]);
}
function avgBackCore(g: Tensor, win: PoolWindows, H: number, W: number): Tensor {
  const [N, C] = g.shape;
  const y = wrap(B().avgPool2dBackward(g, win, H, W), [N, C, H, W], g.dtype);
  return attach(y, "avgPool2dBackward", [g], (gg) => [avgCore(gg, win)]);
}

/** Options of F.maxPool1d / F.maxPool2d. */
export interface MaxPoolOptions<S> {
  /** Step between windows (default kernelSize). */
  stride?: S | null;
  /** -inf padding on both sides, at most half the kernel (default 0). */
  padding?: S;
  /** Spacing between taps (default 1). */
  dilation?: S;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Also return the int32 flat indices of the maxima (default false). */
  returnIndices?: boolean;
}
/** F.maxPool1d/2d's options, in PyTorch's positional order (F.max_pool2d: ceil_mode before return_indices). */
export const MAXPOOL_KEYS = ["stride", "padding", "dilation", "ceilMode", "returnIndices"] as const;

/** The signature of F.maxPool1d/2d: with `returnIndices: true` the result is [values, indices]. */
export type MaxPoolFn<S> = {
  (x: Tensor, kernelSize: S, opts?: MaxPoolOptions<S> & { returnIndices?: false }): Tensor;
  (x: Tensor, kernelSize: S, opts: MaxPoolOptions<S> & { returnIndices: true }): [Tensor, Tensor];
  (x: Tensor, kernelSize: S, stride?: S | null, padding?: S, dilation?: S, ceilMode?: boolean, returnIndices?: false): Tensor;
  (x: Tensor, kernelSize: S, opts?: MaxPoolOptions<S>): Tensor | [Tensor, Tensor];
};

const BOOL_KEYS = ["ceilMode", "returnIndices", "countIncludePad"] as const;

/** The options of a pooling function or module: an options object, or PyTorch's positional arguments after
 *  kernelSize (`F.maxPool2d(x, 3, 2)` is stride 2; `new nn.MaxPool2d(3, 2, 1)` adds padding 1) in the
 *  order `order`, optionally followed by an options object; anything else is refused (checkOptions). */
export function poolOptions<O extends { stride?: number | number[] | null }>(op: string, args: readonly unknown[], order: readonly string[], keys: readonly string[], firstArg: number): O {
  if (args.length === 1 && (args[0] === undefined || args[0] === null)) return {} as O;
  const o = positionalOptions<O>(op, args, order, keys, firstArg);
  for (const k of BOOL_KEYS) checkBool(op, k, (o as Record<string, unknown>)[k]);
  return o;
}

function maxPoolNd(op: string, nd: 1 | 2, x: Tensor, kernelSize: number | number[], opts: MaxPoolOptions<number | number[]>): Tensor | [Tensor, Tensor] {
  const { x4, back } = as4d(op, x, nd);
  const pre = (v: number[]) => (nd === 1 ? [1, ...v] : v);
  const k = pre(tuple(op, "kernelSize", kernelSize, nd, 1));
  const s = opts.stride == null ? k : pre(tuple(op, "stride", opts.stride, nd, 1));
  const p = pre(tuple(op, "padding", opts.padding, nd, 0, 0)).map((v, i) => (nd === 1 && i === 0 ? 0 : v));
  const d = pre(tuple(op, "dilation", opts.dilation, nd, 1));
  const ceil = opts.ceilMode ?? false;
  const [H, W] = [x4.shape[2], x4.shape[3]];
  const h = slidingAxis(op, H, k[0], s[0], p[0], d[0], ceil), w = slidingAxis(op, W, k[1], s[1], p[1], d[1], ceil);
  if (h.out < 1 || w.out < 1)
    throw new Error(`${op}: input ${fmt(x.shape)} is too small for kernel ${fmt(k.slice(2 - nd))} with padding ${fmt(p.slice(2 - nd))} and dilation ${fmt(d.slice(2 - nd))} (output would be ${fmt([h.out, w.out].slice(2 - nd))})`);
  const [y, idx] = maxCore(op, x4, windows(h, w, d[0], d[1]));
  const shape = back(h.out, w.out);
  return opts.returnIndices ? [reshape(y, shape), reshape(idx, shape)] : reshape(y, shape);
}

/** F.maxPool2d(x [N, C, H, W], kernelSize, { stride = kernelSize, padding = 0, dilation = 1, ceilMode = false, returnIndices = false }).
 *  @example F.maxPool2d(dt.randn([1, 3, 8, 8]), 2) // [1, 3, 4, 4] */
export const maxPool2d = defineOp("maxPool2d", ((x: Tensor, kernelSize: Size2, ...rest: unknown[]) =>
  maxPoolNd("maxPool2d", 2, x, kernelSize, poolOptions("F.maxPool2d", rest, MAXPOOL_KEYS, MAXPOOL_KEYS, 3))) as MaxPoolFn<Size2>);

/** F.maxPool1d(x [N, C, L], kernelSize, { stride = kernelSize, padding = 0, dilation = 1, ceilMode = false, returnIndices = false }). */
export const maxPool1d = defineOp("maxPool1d", ((x: Tensor, kernelSize: Size1, ...rest: unknown[]) =>
  maxPoolNd("maxPool1d", 1, x, kernelSize, poolOptions("F.maxPool1d", rest, MAXPOOL_KEYS, MAXPOOL_KEYS, 3))) as MaxPoolFn<Size1>);

/** Options of F.avgPool1d / F.avgPool2d. */
export interface AvgPoolOptions<S> {
  /** Step between windows (default kernelSize). */
  stride?: S | null;
  /** Zero padding on both sides, at most half the kernel (default 0). */
  padding?: S;
  /** Round the output size up instead of down (default false). */
  ceilMode?: boolean;
  /** Count padded zeros in the divisor (default true). */
  countIncludePad?: boolean;
  /** Divide by this instead of the window size (2-d only, as torch). */
  divisorOverride?: number | null;
}
/** F.avgPool2d's options in PyTorch's positional order; avgPool1d has all but divisorOverride. */
export const AVGPOOL2D_KEYS = ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"] as const;
export const AVGPOOL1D_KEYS = ["stride", "padding", "ceilMode", "countIncludePad"] as const;

/** The signature of F.avgPool1d/2d: an options object O, or PyTorch's positional arguments after kernelSize. */
export type AvgPoolFn<S, O> = {
  (x: Tensor, kernelSize: S, opts?: O): Tensor;
  (x: Tensor, kernelSize: S, stride?: S | null, padding?: S, ceilMode?: boolean, countIncludePad?: boolean, divisorOverride?: number | null): Tensor;
};

function avgPoolNd(op: string, nd: 1 | 2, x: Tensor, kernelSize: number | number[], opts: AvgPoolOptions<number | number[]>): Tensor {
  const { x4, back } = as4d(op, x, nd);
  const pre = (v: number[], first: number) => (nd === 1 ? [first, ...v] : v);
  const k = pre(tuple(op, "kernelSize", kernelSize, nd, 1), 1);
  const s = opts.stride == null ? k : pre(tuple(op, "stride", opts.stride, nd, 1), 1);
  const p = pre(tuple(op, "padding", opts.padding, nd, 0, 0), 0);
  const ceil = opts.ceilMode ?? false, inc = opts.countIncludePad ?? true, over = opts.divisorOverride ?? null;
  if (over !== null && !(over !== 0 && Number.isFinite(over))) throw new Error(`${op}: divisorOverride must be a non-zero number, got ${over}`);
  const [H, W] = [x4.shape[2], x4.shape[3]];
  const h = slidingAxis(op, H, k[0], s[0], p[0], 1, ceil), w = slidingAxis(op, W, k[1], s[1], p[1], 1, ceil);
  if (h.out < 1 || w.out < 1)
    throw new Error(`${op}: input ${fmt(x.shape)} is too small for kernel ${fmt(k.slice(2 - nd))} with padding ${fmt(p.slice(2 - nd))} (output would be ${fmt([h.out, w.out].slice(2 - nd))})`);
  // divisor as avg_pool2d: the window clipped to the padded input, or to the input itself
  const div = new Float64Array(h.out * w.out);
  for (let i = 0; i < h.out; i++)
    for (let j = 0; j < w.out; j++) {
      const hs = h.start[i], ws = w.start[j];
      const he = Math.min(hs + k[0], H + p[0]), we = Math.min(ws + k[1], W + p[1]);
      const valid = (Math.min(he, H) - Math.max(hs, 0)) * (Math.min(we, W) - Math.max(ws, 0));
      div[i * w.out + j] = over ?? (inc ? (he - hs) * (we - ws) : valid);
    }
  return reshape(avgCore(x4, windows(h, w, 1, 1, div)), back(h.out, w.out));
}

/** F.avgPool2d(x [N, C, H, W], kernelSize, { stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true, divisorOverride }).
 *  @example F.avgPool2d(dt.randn([1, 3, 8, 8]), 2) // [1, 3, 4, 4] */
export const avgPool2d = defineOp("avgPool2d", ((x: Tensor, kernelSize: Size2, ...rest: unknown[]): Tensor =>
  avgPoolNd("avgPool2d", 2, x, kernelSize, poolOptions("F.avgPool2d", rest, AVGPOOL2D_KEYS, AVGPOOL2D_KEYS, 3))) as AvgPoolFn<Size2, AvgPoolOptions<Size2>>);

/** F.avgPool1d(x [N, C, L], kernelSize, { stride = kernelSize, padding = 0, ceilMode = false, countIncludePad = true }). */
export const avgPool1d = defineOp("avgPool1d", ((x: Tensor, kernelSize: Size1, ...rest: unknown[]): Tensor =>
  avgPoolNd("avgPool1d", 1, x, kernelSize, poolOptions("F.avgPool1d", rest, AVGPOOL1D_KEYS, AVGPOOL1D_KEYS, 3))) as AvgPoolFn<Size1, Omit<AvgPoolOptions<Size1>, "divisorOverride">>);

function adaptiveSize(op: string, outputSize: number | (number | null)[], nd: 1 | 2, x: Tensor): number[] {
  const arr = typeof outputSize === "number" ? new Array<number>(nd).fill(outputSize) : outputSize;
  if (!Array.isArray(arr) || arr.length !== nd)
    throw new Error(`${op}: outputSize must be an integer or a tuple of ${nd}, got ${JSON.stringify(outputSize)}`);
  return arr.map((v, i) => {
    const n = x.shape[x.ndim - nd + i];
    const o = v === null ? n : v;
    if (!Number.isInteger(o) || o < 1) throw new Error(`${op}: outputSize ${JSON.stringify(outputSize)} must hold positive integers (or null to keep the input size ${n})`);
    return o;
  });
}

function adaptiveNd(op: string, nd: 1 | 2, kind: "avg" | "max", x: Tensor, outputSize: number | (number | null)[], returnIndices = false): Tensor | [Tensor, Tensor] {
  const { x4, back } = as4d(op, x, nd);
  const os = adaptiveSize(op, outputSize, nd, x);
  const [oh, ow] = nd === 2 ? os : [1, os[0]];
  const h = adaptiveAxis(x4.shape[2], oh), w = adaptiveAxis(x4.shape[3], ow);
  if (kind === "max") {
    const [y, idx] = maxCore(op, x4, windows(h, w, 1, 1));
    return returnIndices ? [reshape(y, back(oh, ow)), reshape(idx, back(oh, ow))] : reshape(y, back(oh, ow));
  }
  const div = new Float64Array(oh * ow);
  for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) div[i * ow + j] = h.count[i] * w.count[j];
  return reshape(avgCore(x4, windows(h, w, 1, 1, div)), back(oh, ow));
}

/** F.adaptiveAvgPool2d(x [N, C, H, W], outputSize): averages over oh x ow bins [floor(i H / oh), ceil((i+1) H / oh)).
 *  @example F.adaptiveAvgPool2d(dt.randn([2, 8, 7, 7]), 1) // [2, 8, 1, 1] */
export const adaptiveAvgPool2d = defineOp("adaptiveAvgPool2d", (x: Tensor, outputSize: number | (number | null)[]): Tensor =>
  adaptiveNd("adaptiveAvgPool2d", 2, "avg", x, outputSize) as Tensor,
);

/** F.adaptiveAvgPool1d(x [N, C, L], outputSize). */
export const adaptiveAvgPool1d = defineOp("adaptiveAvgPool1d", (x: Tensor, outputSize: number | [number]): Tensor =>
  adaptiveNd("adaptiveAvgPool1d", 1, "avg", x, outputSize) as Tensor,
);

/** The signature of F.adaptiveMaxPool1d/2d: with `returnIndices: true` the result is [values, indices]. */
export type AdaptiveMaxFn<S> = {
  (x: Tensor, outputSize: S, opts?: { returnIndices?: false }): Tensor;
  (x: Tensor, outputSize: S, opts: { returnIndices: true }): [Tensor, Tensor];
};

const ADAPTIVE_MAX_KEYS = ["returnIndices"] as const;

/** F.adaptiveMaxPool2d(x [N, C, H, W], outputSize, { returnIndices = false }). */
export const adaptiveMaxPool2d = defineOp("adaptiveMaxPool2d", ((x: Tensor, outputSize: number | (number | null)[], opts: { returnIndices?: boolean } = {}) =>
  adaptiveNd("adaptiveMaxPool2d", 2, "max", x, outputSize, adaptiveMaxOptions("F.adaptiveMaxPool2d", opts))) as AdaptiveMaxFn<number | (number | null)[]>);

/** F.adaptiveMaxPool1d(x [N, C, L], outputSize, { returnIndices = false }). */
export const adaptiveMaxPool1d = defineOp("adaptiveMaxPool1d", ((x: Tensor, outputSize: number | [number], opts: { returnIndices?: boolean } = {}) =>
  adaptiveNd("adaptiveMaxPool1d", 1, "max", x, outputSize, adaptiveMaxOptions("F.adaptiveMaxPool1d", opts))) as AdaptiveMaxFn<number | [number]>);

/** returnIndices of adaptiveMaxPool: an options object { returnIndices } or, as PyTorch, a boolean. */
function adaptiveMaxOptions(op: string, opts: { returnIndices?: boolean } | boolean | undefined): boolean {
  if (typeof opts === "boolean") return opts;
  return checkBool(op, "returnIndices", checkOptions(op, opts, ADAPTIVE_MAX_KEYS, 3).returnIndices) ?? false;
}
