// The wasm backend's convolution and pooling kernels (float32): fused conv2d forward and backward
// (im2col of output-row chunks into per-thread scratch, GEMM straight into the result, no round
// trip through JS; assembly/conv.ts) and the pooling kernels (assembly/pool.ts). Other dtypes,
// and any call wasm memory cannot hold, go to the reference backend.

import type { Backend, ConvGeometry, PoolWindows, View } from "../backend.js";
import { jsBackend } from "../js/index.js";
import { pool, type Job } from "./pool.js";
import { numel, place, placeContig } from "./place.js";
import { alloc, F32, I32, outAlloc, reset, runtime, takeOut, U8 } from "./runtime.js";

/** Floats of im2col scratch a chunk of output rows aims at (fits in L2 beside the GEMM panels). */
const CHUNK_FLOATS = 32768;
/** Multiply-adds from which a convolution is spread over threads. */
const CONV_THREAD_WORK = 1 << 18;
/** Elements from which a pooling kernel is spread over threads. */
const POOL_THREAD = 1 << 16;

function isF32(v: View): boolean {
  return v.dtype === "float32" && v.storage instanceof Float32Array;
}



function orReference<T>(wasm: () => T, reference: () => T): T {
  try {
    return wasm();
  } catch (e) {
    if (e instanceof RangeError) return reference();
    throw e;
  }
}

function run(fn: string, args: number[], lo: number, units: number, threads: number, scratchArg = -1, scratchStride = 0, step = 0): void {
  const job: Job = { fn, args, lo, hi: lo + 1, step: units, limit: units, scratchArg, scratchStride };
  if (threads > 1) job.step = step || Math.max(1, Math.ceil(units / (threads * 3)));
  pool.run(job, threads);
}

// ---- convolution -------------------------------------------------------------------------------

interface ConvPlan {
  desc: number;
  rows: number;
  chunks: number;
  colBytes: number;
  CgK: number;
  Cog: number;
}

/** Writes the geometry table of assembly/conv.ts (x strides as placed) and sizes the row chunks. */
function convPlan(xShape: number[], xStrides: number[], g: ConvGeometry, G: number, Cout: number, hasBias: boolean, transposed = false): ConvPlan {
  const [N, Cin, H, W] = xShape;
  const [kh, kw] = g.kernel, [oh, ow] = g.out;
  const Cg = Cin / G, Cog = Cout / G, CgK = Cg * kh * kw;
  const rowsMax = Math.max(1, Math.floor(CHUNK_FLOATS / (CgK * ow)));
  const chunks = Math.ceil(oh / rowsMax), rows = Math.ceil(oh / chunks);
  const colBytes = Math.ceil((CgK * rows * ow * 4 + 64) / 64) * 64;
  const tmpBytes = Math.ceil((Cog * CgK * 4 + 64) / 64) * 64;
  const desc = alloc(26 * 4);
  I32().set([N, Cin, H, W, ...xStrides, kh, kw, ...g.stride, ...g.padding, ...g.dilation, oh, ow, G, Cout, rows, chunks, colBytes, hasBias ? 1 : 0, tmpBytes, transposed ? 1 : 0], desc >> 2);
  return { desc, rows, chunks, colBytes, CgK, Cog };
}

/** Largest Cin * kh * kw the direct kernel takes (beyond it im2col + GEMM wins). */
const DIRECT_MAX_K = 64;

/** Direct convolution (assembly/conv.ts conv2dDirectF32: taps packed per output row, GEMM micro-kernel):
 *  stride 1, dilation 1, one group, small Cin*kh*kw. */
function conv2dDirectF32(x: View, w: View, bias: View | null, g: ConvGeometry): Float32Array {
  const [N, Cin] = x.shape, Cout = w.shape[0];
  const [kh, kw] = g.kernel, [oh, ow] = g.out, L = oh * ow, K = Cin * kh * kw;
  const Hp = oh + kh - 1, Wp = ow + kw - 1;
  reset();
  const X = place(x);
  const Bp = bias ? placeContig(bias) : 0;
  const plan = convPlan(x.shape, X.strides, g, 1, Cout, bias !== null);
  // weights packed [cout block of 6][k][6], taps as offsets into the padded image
  const blocks = Math.ceil(Cout / 6);
  const WP = alloc(blocks * 6 * K * 4), OFF = alloc(K * 4);
  const wd = new Float32Array(K * Cout);
  jsBackend.copy(w, { storage: wd, shape: w.shape, strides: [K, kh * kw, kw, 1], offset: 0, dtype: "float32" });
  const f = F32(), t = I32();
  f.fill(0, WP >> 2, (WP >> 2) + blocks * 6 * K);
  for (let co = 0; co < Cout; co++) {
    const base = (WP >> 2) + Math.floor(co / 6) * 6 * K + (co % 6);
    for (let k = 0; k < K; k++) f[base + k * 6] = wd[co * K + k];
  }
  let k = 0;
  for (let c = 0; c < Cin; c++) for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) t[(OFF >> 2) + k++] = c * Hp * Wp + i * Wp + j;
  const out = outAlloc(N * Cout * L);
  const stride = Math.ceil((Cin * Hp * Wp * 4 + 64) / 64) * 64 + 6 * 8 * 4 + 64 + Math.ceil(ow / 8) * K * 8 * 4 + 64;
  const threads = N * Cout * L * K >= CONV_THREAD_WORK ? pool.threads() : 1;
  const scratch = alloc(stride * threads);
  // one image per claim: images are large units, and few (a batch), so finer claims balance the threads
  run("conv2dDirectF32", [plan.desc, X.ptr, WP, OFF, Bp, out, 0, N, scratch], 6, N, threads, 8, stride, 1);
  return takeOut(out, N * Cout * L);
}

function conv2dF32(x: View, w: View, bias: View | null, g: ConvGeometry, G: number): Float32Array {
  const ex = runtime!.exports;
  const N = x.shape[0], Cout = w.shape[0], L = g.out[0] * g.out[1];
  const direct = G === 1 && g.stride[0] === 1 && g.stride[1] === 1 && g.dilation[0] === 1 && g.dilation[1] === 1 && w.shape[1] * g.kernel[0] * g.kernel[1] <= DIRECT_MAX_K &&
    Math.ceil(g.out[1] / 8) * 8 <= 1.1 * g.out[1]; // tiles are 8 columns wide: little waste in the last one
  if (direct) return conv2dDirectF32(x, w, bias, g);
  reset();
  const X = place(x);
  const Wt = placeContig(w);
  const Bp = bias ? placeContig(bias) : 0;
  const plan = convPlan(x.shape, X.strides, g, G, Cout, bias !== null);
  const nOut = N * Cout * L;
  const out = outAlloc(nOut);
  const units = N * G * plan.chunks;
  const threads = N * Cout * L * plan.CgK >= CONV_THREAD_WORK ? pool.threads() : 1;
  const stride = plan.colBytes + (ex.convGemmScratchBytes() as number);
  const scratch = alloc(stride * threads);
  run("conv2dF32", [plan.desc, X.ptr, Wt, Bp, out, 0, units, scratch], 5, units, threads, 7, stride);
  return takeOut(out, nOut);
}

function conv2dBackwardInputF32(gr: View, w: View, g: ConvGeometry, G: number, H: number, W: number): Float32Array {
  const ex = runtime!.exports;
  const N = gr.shape[0], Cout = w.shape[0], Cin = w.shape[1] * G;
  reset();
  const Gp = placeContig(gr);
  const Wt = placeContig(w);
  const plan = convPlan([N, Cin, H, W], [Cin * H * W, H * W, W, 1], g, G, Cout, false);
  const nOut = N * Cin * H * W;
  const out = outAlloc(nOut);
  const units = N * G;
  const threads = N * Cout * g.out[0] * g.out[1] * plan.CgK >= CONV_THREAD_WORK ? pool.threads() : 1;
  const stride = plan.colBytes + (ex.convGemmScratchBytes() as number);
  const scratch = alloc(stride * threads);
  run("conv2dBwdInputF32", [plan.desc, Gp, Wt, out, 0, units, scratch], 4, units, threads, 6, stride);
  return takeOut(out, nOut);
}

function conv2dBackwardWeightF32(gr: View, x: View, g: ConvGeometry, G: number, withBias: boolean): { dweight: Float32Array; dbias: Float32Array } {
  const ex = runtime!.exports;
  const N = x.shape[0], Cout = gr.shape[1], Cin = x.shape[1];
  const Cog = Cout / G, CgK = (Cin / G) * g.kernel[0] * g.kernel[1];
  reset();
  const Gp = placeContig(gr);
  const X = place(x);
  const plan = convPlan(x.shape, X.strides, g, G, Cout, withBias, Cog < CgK);
  const threads = N * Cout * g.out[0] * g.out[1] * CgK >= CONV_THREAD_WORK ? pool.threads() : 1;
  const tmpBytes = I32()[(plan.desc >> 2) + 24];
  const stride = plan.colBytes + (ex.convGemmScratchBytes() as number) + tmpBytes;
  const scratch = alloc(stride * threads);
  // partial sums per group of units, not per thread: a fixed number of groups (whatever the thread count,
  // up to 4 threads), added in order, so the gradient does not depend on which thread ran which group
  const units = N * G * plan.chunks;
  const groups = Math.min(units, Math.max(4, threads)), step = Math.ceil(units / groups);
  const partFloats = Cout * CgK + Cout, partBytes = Math.ceil((partFloats * 4 + 64) / 64) * 64;
  const nParts = Math.ceil(units / step);
  const part = alloc(partBytes * nParts);
  U8().fill(0, part, part + partBytes * nParts);
  pool.run({ fn: "conv2dBwdWeightF32", args: [plan.desc, Gp, X.ptr, 0, units, scratch, part, partBytes, step], lo: 3, hi: 4, step, limit: units, scratchArg: 5, scratchStride: stride }, threads);
  const f = F32();
  const dweight = new Float32Array(Cout * CgK), dbias = new Float32Array(withBias ? Cout : 0);
  for (let q = 0; q < nParts; q++) {
    const p = (part + q * partBytes) >> 2;
    if (q === 0) dweight.set(f.subarray(p, p + Cout * CgK));
    else for (let i = 0; i < Cout * CgK; i++) dweight[i] += f[p + i];
    if (withBias) for (let o = 0; o < Cout; o++) dbias[o] += f[p + Cout * CgK + o];
  }
  return { dweight, dbias };
}

// ---- pooling -----------------------------------------------------------------------------------

/** Places the window tables (and the f32 divisors when given); returns their addresses. */
function placeWindows(win: PoolWindows): number[] {
  const t = [win.hStart, win.hCount, win.wStart, win.wCount].map((a) => {
    const p = alloc(a.length * 4 + 4);
    I32().set(a, p >> 2);
    return p;
  });
  if (win.divisor) {
    const p = alloc(win.divisor.length * 4 + 4);
    F32().set(win.divisor, p >> 2);
    t.push(p);
  }
  return t;
}

function poolDesc(shape: number[], strides: number[], win: PoolWindows): number {
  const desc = alloc(12 * 4);
  I32().set([...shape, ...strides, win.hStart.length, win.wStart.length, win.dh, win.dw], desc >> 2);
  return desc;
}

function poolThreads(n: number): number {
  return n >= POOL_THREAD ? pool.threads() : 1;
}

function maxPool2dF32(x: View, win: PoolWindows): { values: Float32Array; indices: Int32Array } {
  const [N, C] = x.shape, n = N * C * win.hStart.length * win.wStart.length;
  reset();
  const X = place(x);
  const [hs, hc, ws, wc] = placeWindows(win);
  const desc = poolDesc(x.shape, X.strides, win);
  const ov = outAlloc(n), oi = alloc(n * 4);
  run("maxPool2dF32", [desc, X.ptr, hs, hc, ws, wc, ov, oi, 0, N * C], 8, N * C, poolThreads(numel(x.shape) + n));
  const indices = new Int32Array(n);
  indices.set(I32().subarray(oi >> 2, (oi >> 2) + n));
  return { values: takeOut(ov, n), indices };
}

function maxPool2dBackwardF32(gr: View, indices: View, H: number, W: number): Float32Array {
  const [N, C, oh, ow] = gr.shape, n = N * C * H * W;
  reset();
  const Gp = placeContig(gr), Ip = placeContig(indices, true);
  const out = outAlloc(n);
  run("maxPool2dBackwardF32", [Gp, Ip, out, oh * ow, H * W, 0, N * C], 5, N * C, poolThreads(n));
  return takeOut(out, n);
}

function avgPool2dF32(x: View, win: PoolWindows): Float32Array {
  const [N, C] = x.shape, n = N * C * win.hStart.length * win.wStart.length;
  reset();
  const X = place(x);
  const [hs, hc, ws, wc, div] = placeWindows(win);
  const desc = poolDesc(x.shape, X.strides, win);
  const out = outAlloc(n);
  run("avgPool2dF32", [desc, X.ptr, hs, hc, ws, wc, div, out, 0, N * C], 8, N * C, poolThreads(numel(x.shape) + n));
  return takeOut(out, n);
}

function avgPool2dBackwardF32(gr: View, win: PoolWindows, H: number, W: number): Float32Array {
  const [N, C] = gr.shape, n = N * C * H * W;
  reset();
  const Gp = place(gr);
  const [hs, hc, ws, wc, div] = placeWindows(win);
  const desc = poolDesc([N, C, H, W], Gp.strides, win);
  const out = outAlloc(n);
  run("avgPool2dBackwardF32", [desc, Gp.ptr, hs, hc, ws, wc, div, out, 0, N * C], 8, N * C, poolThreads(n + numel(gr.shape)));
  return takeOut(out, n);
}

/** The kernels above as Backend entries (spread into the wasm backend object). */
export const convKernels: Pick<Backend, "conv2d" | "conv2dBackwardInput" | "conv2dBackwardWeight" | "maxPool2d" | "maxPool2dBackward" | "avgPool2d" | "avgPool2dBackward"> = {
  conv2d(x, w, bias, g, groups) {
    if (!runtime || !isF32(x) || !isF32(w) || (bias && !isF32(bias)) || numel(x.shape) === 0) return jsBackend.conv2d(x, w, bias, g, groups);
    return orReference(() => conv2dF32(x, w, bias, g, groups), () => jsBackend.conv2d(x, w, bias, g, groups));
  },
  conv2dBackwardInput(gr, w, g, groups, H, W) {
    if (!runtime || !isF32(gr) || !isF32(w) || numel(gr.shape) === 0) return jsBackend.conv2dBackwardInput(gr, w, g, groups, H, W);
    return orReference(() => conv2dBackwardInputF32(gr, w, g, groups, H, W), () => jsBackend.conv2dBackwardInput(gr, w, g, groups, H, W));
  },
  conv2dBackwardWeight(gr, x, g, groups, withBias) {
    if (!runtime || !isF32(gr) || !isF32(x) || numel(x.shape) === 0) return jsBackend.conv2dBackwardWeight(gr, x, g, groups, withBias);
    return orReference(() => conv2dBackwardWeightF32(gr, x, g, groups, withBias), () => jsBackend.conv2dBackwardWeight(gr, x, g, groups, withBias));
  },
  maxPool2d(x, win) {
    if (!runtime || !isF32(x) || numel(x.shape) === 0) return jsBackend.maxPool2d(x, win);
    return orReference(() => maxPool2dF32(x, win), () => jsBackend.maxPool2d(x, win));
  },
  maxPool2dBackward(gr, indices, H, W) {
    if (!runtime || !isF32(gr) || !(indices.storage instanceof Int32Array) || numel(gr.shape) === 0) return jsBackend.maxPool2dBackward(gr, indices, H, W);
    return orReference(() => maxPool2dBackwardF32(gr, indices, H, W), () => jsBackend.maxPool2dBackward(gr, indices, H, W));
  },
  avgPool2d(x, win) {
    if (!runtime || !isF32(x) || numel(x.shape) === 0) return jsBackend.avgPool2d(x, win);
    return orReference(() => avgPool2dF32(x, win), () => jsBackend.avgPool2d(x, win));
  },
  avgPool2dBackward(gr, win, H, W) {
    if (!runtime || !isF32(gr) || numel(gr.shape) === 0) return jsBackend.avgPool2dBackward(gr, win, H, W);
    return orReference(() => avgPool2dBackwardF32(gr, win, H, W), () => jsBackend.avgPool2dBackward(gr, win, H, W));
  },
};
