// The "wasm" backend: the reference backend's table with the compute-heavy float32 kernels
// (matmul, im2col, reductions, transcendental and strided elementwise ops, where, strided copy)
// replaced by WebAssembly SIMD ones (assembly/, built by scripts/build-wasm.mjs) that run on the
// main thread plus a worker pool. Cheap ops on contiguous data stay in JS, where they cost no
// more than the copies into wasm would. Every kernel this file does not override, and every dtype other
// than float32, goes to the reference backend, so new interface kernels never break the build.
//
// Operands are copied into the shared wasm memory as the raw storage span they cover, keeping
// their strides (a transposed or broadcast operand is read in place, never materialised), or row by
// row when that span is much larger; the result is copied out into a new typed array (addInto writes
// it back into the destination instead). Cheap elementwise ops run here too once large enough: the
// SIMD loop plus two copies beats the generated JS loops from a few thousand elements on.

import { availableParallelism } from "node:os";
import { setNumThreads, type Backend, type BinaryOp, type ConvGeometry, type UnaryOp, type View } from "../backend.js";
import { isContig, jsBackend, offsets } from "../js/index.js";
import { pool, type Job } from "./pool.js";
import { contiguousStrides, numel, place, placeContig, type Placed } from "./place.js";
import { convKernels } from "./conv.js";
import { alloc, F32, HEAP_MIN_ELEMENTS, heapF32, I32, inMemory, outAlloc, reset, runtime, takeOut, U8 } from "./runtime.js";
import { setFloat32Source, type TypedArray } from "../../tensor/dtype.js";

/** Below this many multiply-adds a matmul stays in JS (copy and call overhead dominate). */
const MATMUL_MIN_WORK = 512;
/** Below this many multiply-adds a matmul runs on one thread. */
const MATMUL_THREAD_WORK = 64 * 64 * 64;
const MR = 6;
const NR = 8;

/** place() for a bool (byte) view: its storage span copied into wasm memory, strides kept. */
function placeBytes(v: View): Placed {
  let lo = v.offset, hi = v.offset;
  for (let d = 0; d < v.shape.length; d++) {
    const ext = (v.shape[d] - 1) * v.strides[d];
    if (ext < 0) lo += ext;
    else hi += ext;
  }
  const p = alloc(hi - lo + 1);
  U8().set((v.storage as Uint8Array).subarray(lo, hi + 1), p);
  return { ptr: p + (v.offset - lo), strides: v.strides.slice() };
}

/** True when b's batch dims all broadcast (stride 0) and a's batch dims step evenly over its rows,
 *  so the batch folds into M: a is then one [nb*M, K] matrix with row stride aStrides[nd-2]. */
function foldableRows(shape: number[], aStrides: number[], bStrides: number[]): boolean {
  const nd = shape.length;
  for (let d = 0; d < nd - 2; d++) if (shape[d] !== 1 && bStrides[d] !== 0) return false;
  if (shape[nd - 2] === 1) return false;
  let expect = aStrides[nd - 2] * shape[nd - 2];
  for (let d = nd - 3; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (aStrides[d] !== expect) return false;
    expect = aStrides[d] * shape[d];
  }
  return true;
}

function matmulF32(a: View, b: View, bias?: View): Float32Array {
  const ex = runtime!.exports;
  const nd = a.shape.length;
  let M = a.shape[nd - 2];
  const K = a.shape[nd - 1], N = b.shape[nd - 1];
  let nb = 1;
  for (let d = 0; d < nd - 2; d++) nb *= a.shape[d];
  reset();
  const A = place(a), Bp = place(b);
  const sam = A.strides[nd - 2];
  const sak = A.strides[nd - 1], sbk = Bp.strides[nd - 2], sbn = Bp.strides[nd - 1];
  // offsets table of (aOff, bOff) element pairs per batch, relative to the placed pointers
  let offs = 0;
  if (nb > 1 && foldableRows(a.shape, A.strides, Bp.strides)) {
    M *= nb;
    nb = 1;
  }
  if (nb > 1) {
    const batch = a.shape.slice(0, nd - 2);
    const ao = offsets(batch, A.strides.slice(0, nd - 2), 0), bo = offsets(batch, Bp.strides.slice(0, nd - 2), 0);
    offs = alloc(nb * 8);
    const T = I32(), o = offs >> 2;
    for (let i = 0; i < nb; i++) {
      T[o + 2 * i] = ao[i];
      T[o + 2 * i + 1] = bo[i];
    }
  } else {
    offs = alloc(8);
    const T = I32();
    T[offs >> 2] = 0;
    T[(offs >> 2) + 1] = 0;
  }
  const outN = nb * M * N;
  const C = outAlloc(outN);
  if (bias) fillBias(bias, C, outN, N);
  const work = nb * M * N * K;
  const threads = work >= MATMUL_THREAD_WORK ? pool.threads() : 1;
  const scratchBytes = ex.sgemmScratchBytes();
  const scratch = alloc(scratchBytes * threads);
  // sgemmBatched(offs, b0, b1, A, sam, sak, B, sbk, sbn, C, cbs, ldc, m0, m1, n0, n1, K, scratch)
  const args = [offs, 0, nb, A.ptr, sam, sak, Bp.ptr, sbk, sbn, C, M * N, N, 0, M, 0, N, K, scratch, bias ? 1 : 0];
  const job: Job = { fn: "sgemmBatched", args, lo: 1, hi: 2, step: nb, limit: nb, scratchArg: 17, scratchStride: scratchBytes };
  if (threads > 1) {
    // two units per thread: a thread that starts late still finds work, and since every unit packs its own copy of
    // the shared operand (all of A when N is split), more units would cost more packing than they balance
    const parts = work >= 1 << 28 ? threads : threads * 2;
    if (nb >= parts) job.step = Math.ceil(nb / parts);
    else if (splitRows(M, N)) Object.assign(job, { lo: 12, hi: 13, limit: M, step: roundUp(Math.ceil(M / parts), MR) });
    else Object.assign(job, { lo: 14, hi: 15, limit: N, step: roundUp(Math.ceil(N / parts), NR) });
  }
  pool.run(job, threads);
  return takeOut(C, outN);
}

/** Writes the bias view (of the output's shape, usually a row broadcast down the rows) into C (outN floats, rows of N). */
function fillBias(bias: View, C: number, outN: number, N: number): void {
  const nd = bias.shape.length;
  const mem = F32(), c = C >> 2;
  let rowBroadcast = bias.strides[nd - 1] === 1 || N === 1;
  for (let d = 0; d < nd - 1; d++) if (bias.shape[d] !== 1 && bias.strides[d] !== 0) rowBroadcast = false;
  if (rowBroadcast && N > 0) {
    mem.set((bias.storage as Float32Array).subarray(bias.offset, bias.offset + N), c);
    for (let o = c + N; o < c + outN; o += N) mem.copyWithin(o, c, c + N);
    return;
  }
  jsBackend.copy(bias, { storage: mem, shape: bias.shape, strides: contiguousStrides(bias.shape), offset: c, dtype: "float32" });
}

/** Whether a product's threads take rows of C (each then packs all of B) rather than columns (each packs all
 *  of A). Packing A costs less per element than packing B, and a thread's B block stays in L2 only at half the
 *  columns of a square 1024 product, so columns are split unless C is at least twice as tall as wide. */
function splitRows(M: number, N: number): boolean {
  return M >= 2 * N;
}

function roundUp(x: number, m: number): number {
  return Math.ceil(x / m) * m;
}

/** Runs a wasm kernel; if wasm memory cannot grow to what it needs (RangeError), the reference backend does the op. */
function orReference<T, U>(wasm: () => T, reference: () => U): T | U {
  try {
    return wasm();
  } catch (e) {
    if (e instanceof RangeError) return reference();
    throw e;
  }
}

function allF32(...vs: View[]): boolean {
  for (const v of vs) if (v.dtype !== "float32" || !(v.storage instanceof Float32Array)) return false;
  return true;
}


/** C (row stride ldc) = (into ? C : 0) + A @ B for one M x K by K x N product already in wasm memory
 *  (byte addresses, element strides), split over the pool like matmul. Per-thread scratch is allocated here. */
function gemmPlaced(A: number, sam: number, sak: number, Bp: number, sbk: number, sbn: number, C: number, ldc: number, M: number, N: number, K: number, into: boolean, offs: number, scratch: number, threads: number): void {
  const scratchBytes = runtime!.exports.sgemmScratchBytes();
  const args = [offs, 0, 1, A, sam, sak, Bp, sbk, sbn, C, M * N, ldc, 0, M, 0, N, K, scratch, into ? 1 : 0];
  const job: Job = { fn: "sgemmBatched", args, lo: 1, hi: 2, step: 1, limit: 1, scratchArg: 17, scratchStride: scratchBytes };
  if (threads > 1) {
    const parts = M * N * K >= 1 << 28 ? threads : threads * 2;
    if (splitRows(M, N)) Object.assign(job, { lo: 12, hi: 13, limit: M, step: roundUp(Math.ceil(M / parts), MR) });
    else Object.assign(job, { lo: 14, hi: 15, limit: N, step: roundUp(Math.ceil(N / parts), NR) });
  }
  pool.run(job, M * N * K >= MATMUL_THREAD_WORK ? threads : 1);
}

/** A zeroed (aOff, bOff) = (0, 0) table for gemmPlaced, and per-thread GEMM scratch. */
function gemmSetup(): { offs: number; scratch: number; threads: number } {
  const offs = alloc(8);
  I32()[offs >> 2] = 0;
  I32()[(offs >> 2) + 1] = 0;
  const threads = pool.threads();
  const scratch = alloc(runtime!.exports.sgemmScratchBytes() * threads);
  return { offs, scratch, threads };
}

/** Backend.lstmForward in wasm: the input projection, every step's GEMM and gates run in wasm memory,
 *  with the weights placed once. */
function lstmForwardF32(x: View, wihT: View, bias: View | null, h0: View, c0: View, whhT: View): { act: Float32Array; all: Float32Array } {
  const ex = runtime!.exports;
  const [N, H] = h0.shape, G = 4 * H, NH = N * H;
  const TN = x.shape[0], I = x.shape[1], T = TN / N;
  reset();
  const X = place(x), WI = place(wihT), WH = place(whhT);
  const H0 = placeContig(h0), C0 = placeContig(c0);
  const ACT = outAlloc(TN * G), ALL = outAlloc(2 * T * NH);
  const { offs, scratch, threads } = gemmSetup();
  if (bias) fillBias(bias, ACT, TN * G, G);
  gemmPlaced(X.ptr, X.strides[0], X.strides[1], WI.ptr, WI.strides[0], WI.strides[1], ACT, G, TN, G, I, bias !== null, offs, scratch, threads);
  for (let t = 0; t < T; t++) {
    const hp = t === 0 ? H0 : ALL + (t - 1) * NH * 4;
    const cp = t === 0 ? C0 : ALL + (T * NH + (t - 1) * NH) * 4;
    const pre = ACT + t * N * G * 4;
    gemmPlaced(hp, H, 1, WH.ptr, WH.strides[0], WH.strides[1], pre, G, N, G, H, true, offs, scratch, threads);
    ex.lstmCellF32(pre, cp, ALL + t * NH * 4, ALL + (T * NH + t * NH) * 4, H, 0, N);
  }
  return { act: takeOut(ACT, TN * G), all: takeOut(ALL, 2 * T * NH) };
}

/** Backend.lstmBackward in wasm (H a multiple of 4). */
function lstmBackwardF32(gAll: View, act: View, all: View, c0: View, whh: View): { dG: Float32Array; dh0: Float32Array; dc0: Float32Array } {
  const ex = runtime!.exports;
  const [, T, N, H] = gAll.shape, G = 4 * H, NH = N * H;
  reset();
  const GA = placeContig(gAll), A = placeContig(act), AL = placeContig(all), C0 = placeContig(c0), W = place(whh);
  const DG = outAlloc(T * N * G), DH = alloc(NH * 4), DC = alloc(NH * 4);
  U8().fill(0, DH, DH + NH * 4);
  U8().fill(0, DC, DC + NH * 4);
  const { offs, scratch, threads } = gemmSetup();
  for (let t = T - 1; t >= 0; t--) {
    const cp = t === 0 ? C0 : AL + (T * NH + (t - 1) * NH) * 4;
    const dg = DG + t * N * G * 4;
    ex.lstmCellBackwardF32(GA + t * NH * 4, GA + (T * NH + t * NH) * 4, A + t * N * G * 4, AL + (T * NH + t * NH) * 4, cp, DH, DC, dg, H, 0, N);
    gemmPlaced(dg, G, 1, W.ptr, W.strides[0], W.strides[1], DH, H, N, H, G, false, offs, scratch, threads);
  }
  return { dG: takeOut(DG, T * N * G), dh0: takeOut(DH, NH), dc0: takeOut(DC, NH) };
}

// ---- elementwise -----------------------------------------------------------------------------

/** Op codes of assembly/elementwise.ts; ops not listed run in the reference backend. */
const UNARY_CODE: Partial<Record<UnaryOp, number>> = {
  copy: 0, neg: 1, abs: 2, exp: 3, sqrt: 4, square: 5, tanh: 6, sigmoid: 7, relu: 8, reciprocal: 9, clamp: 10, leakyRelu: 11, rsqrt: 12, log: 13, geluTanh: 14,
};
const BINARY_CODE: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5, pow: 6, reluBackward: 7, geluTanhBackward: 8 };
/** Ops that cost tens of cycles per element in JS (wasm wins even on small tensors). */
const COSTLY = new Set<string>(["exp", "tanh", "sigmoid", "log", "pow", "geluTanh", "geluTanhBackward"]);
/** Elements below which an elementwise op stays in JS: cheap ops, costly ops. */
const EW_MIN = 4096, EW_MIN_COSTLY = 256;
/** Elements from which an elementwise op is spread over threads: cheap ops, costly ops. */
const EW_THREAD = 1 << 18, EW_THREAD_COSTLY = 1 << 15;

/** Merges dims that every operand walks contiguously and drops size-1 dims; returns [shape, strides per operand]. */
function collapse(shape: number[], strides: number[][]): [number[], number[][]] {
  const sh: number[] = [];
  const st: number[][] = strides.map(() => []);
  for (let d = 0; d < shape.length; d++) {
    if (shape[d] === 1) continue;
    const k = sh.length - 1;
    if (k >= 0 && strides.every((s, i) => st[i][k] === s[d] * shape[d])) {
      sh[k] *= shape[d];
      strides.forEach((s, i) => (st[i][k] = s[d]));
    } else {
      sh.push(shape[d]);
      strides.forEach((s, i) => st[i].push(s[d]));
    }
  }
  if (sh.length === 0) {
    sh.push(1);
    st.forEach((s) => s.push(0));
  }
  // one long row: cut it into rows so threads can share it
  if (sh.length === 1 && sh[0] >= 8192)
    for (const c of [4096, 2048, 1024, 512, 256, 128, 64, 32, 16, 8, 4])
      if (sh[0] % c === 0) {
        const rows = sh[0] / c;
        sh.splice(0, 1, rows, c);
        st.forEach((s) => s.splice(0, 1, s[0] * c, s[0]));
        break;
      }
  return [sh, st];
}

/** Writes [nd, shape, strides...] as i32 into wasm memory; returns its address. */
function descriptor(shape: number[], strides: number[][]): number {
  const nd = shape.length;
  const p = alloc(4 * (1 + nd * (1 + strides.length)));
  const T = I32();
  let o = p >> 2;
  T[o++] = nd;
  for (const s of shape) T[o++] = s;
  for (const st of strides) for (const s of st) T[o++] = s;
  return p;
}

/** Runs an elementwise kernel over rows [0, rows) of the collapsed shape, threaded when large. */
function runRows(fn: string, args: number[], lo: number, rows: number, n: number, costly: boolean): void {
  const threads = n >= (costly ? EW_THREAD_COSTLY : EW_THREAD) ? pool.threads() : 1;
  const job: Job = { fn, args, lo, hi: lo + 1, step: rows, limit: rows, scratchArg: -1, scratchStride: 0 };
  if (threads > 1) job.step = Math.max(1, Math.ceil(rows / (threads * 3)));
  pool.run(job, threads);
}

function unaryF32(code: number, x: View, n: number, p0: number, p1: number, costly: boolean): Float32Array {
  reset();
  const X = place(x);
  const [shape, [sx]] = collapse(x.shape, [X.strides]);
  const desc = descriptor(shape, [sx]);
  const out = outAlloc(n);
  const rows = n / shape[shape.length - 1];
  runRows("unaryF32", [code, desc, X.ptr, out, 0, rows, p0, p1], 4, rows, n, costly);
  return takeOut(out, n);
}

function binaryF32(code: number, a: View, b: View, n: number, costly: boolean): Float32Array;
function binaryF32(code: number, a: View, b: View, n: number, costly: boolean, into: View): null;
/** op(a, b) into a new array, or, with `into` (contiguous, of a's shape), written into that view's storage. */
function binaryF32(code: number, a: View, b: View, n: number, costly: boolean, into?: View): Float32Array | null {
  reset();
  const A = place(a), Bv = place(b);
  const [shape, [sa, sb]] = collapse(a.shape, [A.strides, Bv.strides]);
  const desc = descriptor(shape, [sa, sb]);
  // into a contiguous destination on the heap (a is that destination): written in place
  const inPlace = into !== undefined && isContig(into) && inMemory(into.storage);
  const out = inPlace ? A.ptr : into ? alloc(n * 4) : outAlloc(n);
  const rows = n / shape[shape.length - 1];
  runRows("binaryF32", [code, desc, A.ptr, Bv.ptr, out, 0, rows], 5, rows, n, costly);
  if (!into) return takeOut(out, n);
  if (inPlace) return null;
  const mem = F32(), dst = into.storage as Float32Array;
  if (isContig(into)) {
    dst.set(mem.subarray(out >> 2, (out >> 2) + n), into.offset);
    return null;
  }
  // rows contiguous (see addInto): one copy per row
  const nd = into.shape.length, inner = into.shape[nd - 1];
  const rowsAt = offsets(into.shape.slice(0, -1), into.strides.slice(0, -1), into.offset);
  let o = out >> 2;
  for (let r = 0; r < rowsAt.length; r++, o += inner) dst.set(mem.subarray(o, o + inner), rowsAt[r]);
  return null;
}

// ---- reductions ------------------------------------------------------------------------------

const REDUCE_CODE: Partial<Record<string, number>> = { sum: 0, max: 1, min: 2 };

/** sum/max/min of a float32 view over `axes`, or null when the layout has no vector path here. */
function reduceF32(code: number, x: View, axes: number[]): Float32Array | null {
  const keptShape: number[] = [], keptStr: number[] = [], redShape: number[] = [], redStr: number[] = [];
  reset();
  const X = place(x);
  for (let d = 0; d < x.shape.length; d++) {
    if (axes.includes(d)) {
      redShape.push(x.shape[d]);
      redStr.push(X.strides[d]);
    } else {
      keptShape.push(x.shape[d]);
      keptStr.push(X.strides[d]);
    }
  }
  const nOut = numel(keptShape), nRed = numel(redShape);
  const [ks, [kst]] = collapse(keptShape, [keptStr]);
  const [rs, [rst]] = collapse(redShape, [redStr]);
  const out = outAlloc(nOut);
  const table = (shape: number[], strides: number[]): [number, number] => {
    const t = offsets(shape, strides, 0);
    const p = alloc(t.length * 4);
    I32().set(t, p >> 2);
    return [p, t.length];
  };
  const nk = ks.length;
  if (code === REDUCE_CODE.sum && nk === 1 && kst[0] === 1 && ks[0] >= 16 && nRed >= 16) {
    // column sums (over leading dims): rows streamed in order, columns split over threads
    const [red, nred] = table(rs, rst);
    const cols = ks[0];
    const threads = nOut * nRed >= EW_THREAD ? pool.threads() : 1;
    const step = Math.min(2048, roundUp(Math.ceil(cols / (threads * 2)), 16));
    const acc = alloc(step * 8 * threads);
    pool.run({ fn: "sumColumnsF32", args: [X.ptr, red, nred, out, acc, 0, cols], lo: 5, hi: 6, step, limit: cols, scratchArg: 4, scratchStride: step * 8 }, threads);
  } else if (kst[nk - 1] === 1 && ks[nk - 1] >= 4) {
    const desc = descriptor(ks, [kst]);
    const [red, nred] = table(rs, rst);
    const rows = nOut / ks[nk - 1];
    runRows("reduceVerticalF32", [code, desc, X.ptr, red, nred, out, 0, rows], 6, rows, nOut * nRed, false);
  } else if (rst[rs.length - 1] === 1 && rs[rs.length - 1] >= 4) {
    const desc = descriptor(ks, [kst]);
    const [red, nred] = table(rs.slice(0, -1), rst.slice(0, -1));
    runRows("reduceHorizontalF32", [code, desc, X.ptr, red, nred, rs[rs.length - 1], out, 0, nOut], 7, nOut, nOut * nRed, false);
  } else return null;
  return takeOut(out, nOut);
}

// ---- convolution -----------------------------------------------------------------------------

function im2colF32(x: View, g: ConvGeometry): Float32Array {
  const [N, C, H, W] = x.shape;
  const [kh, kw] = g.kernel, [oh, ow] = g.out;
  const n = N * C * kh * kw * oh * ow;
  reset();
  const X = place(x);
  const desc = alloc(18 * 4);
  I32().set([N, C, H, W, ...X.strides, kh, kw, ...g.stride, ...g.padding, ...g.dilation, oh, ow], desc >> 2);
  const out = outAlloc(n);
  runRows("im2colF32", [desc, X.ptr, out, 0, N * C], 3, N * C, n, false);
  return takeOut(out, n);
}

export const wasmBackend: Backend = {
  ...jsBackend,
  ...convKernels,
  name: "wasm",

  unary(op, x, outDtype, p0 = 0, p1 = 0) {
    const code = UNARY_CODE[op];
    if (code === undefined || outDtype !== "float32" || !allF32(x)) return jsBackend.unary(op, x, outDtype, p0, p1);
    const n = numel(x.shape), costly = COSTLY.has(op);
    if (n < (costly ? EW_MIN_COSTLY : EW_MIN)) return jsBackend.unary(op, x, outDtype, p0, p1);
    return orReference(() => unaryF32(code, x, n, p0, p1, costly), () => jsBackend.unary(op, x, outDtype, p0, p1));
  },

  binary(op, a, b, outDtype) {
    const code = BINARY_CODE[op];
    if (code === undefined || outDtype !== "float32" || !allF32(a, b)) return jsBackend.binary(op, a, b, outDtype);
    const n = numel(a.shape), costly = COSTLY.has(op);
    if (n < (costly ? EW_MIN_COSTLY : EW_MIN)) return jsBackend.binary(op, a, b, outDtype);
    return orReference(() => binaryF32(code, a, b, n, costly), () => jsBackend.binary(op, a, b, outDtype));
  },

  where(cond, a, b, outDtype) {
    const n = numel(cond.shape);
    if (n < EW_MIN || outDtype !== "float32" || !allF32(a, b) || !(cond.storage instanceof Uint8Array)) return jsBackend.where(cond, a, b, outDtype);
    return orReference(() => {
      reset();
      const C = placeBytes(cond), A = place(a), Bv = place(b);
      const [shape, strides] = collapse(cond.shape, [C.strides, A.strides, Bv.strides]);
      const desc = descriptor(shape, strides);
      const out = outAlloc(n);
      const rows = n / shape[shape.length - 1];
      runRows("whereF32", [desc, C.ptr, A.ptr, Bv.ptr, out, 0, rows], 5, rows, n, false);
      return takeOut(out, n);
    }, () => jsBackend.where(cond, a, b, outDtype));
  },

  layerNorm(x, weight, bias, eps) {
    const [M, D] = x.shape;
    const unit = (v: View | null) => !v || (allF32(v) && (v.strides[0] === 1 || D === 1));
    if (M * D < EW_MIN || !allF32(x) || (x.strides[1] !== 1 && D > 1) || !unit(weight) || !unit(bias)) return jsBackend.layerNorm(x, weight, bias, eps);
    return orReference(() => {
      reset();
      const X = place(x), Wp = weight ? place(weight).ptr : 0, Bp = bias ? place(bias).ptr : 0;
      const Y = outAlloc(M * D), MEAN = alloc(M * 4), RSTD = alloc(M * 4);
      const args = [X.ptr, X.strides[0], D, Wp, Bp, weight ? 1 : 0, bias ? 1 : 0, eps, Y, MEAN, RSTD, 0, M];
      runRows("layerNormF32", args, 11, M, M * D, true);
      return { y: takeOut(Y, M * D), mean: takeOut(MEAN, M), rstd: takeOut(RSTD, M) };
    }, () => jsBackend.layerNorm(x, weight, bias, eps));
  },

  layerNormBackward(g, x, mean, rstd, weight) {
    const [M, D] = g.shape;
    const rowsOk = (v: View) => allF32(v) && (v.strides[1] === 1 || D === 1);
    const vecOk = (v: View | null, n: number) => !v || (allF32(v) && (v.strides[0] === 1 || n === 1));
    if (M * D < EW_MIN || !rowsOk(g) || !rowsOk(x) || !vecOk(mean, M) || !vecOk(rstd, M) || !vecOk(weight, D))
      return jsBackend.layerNormBackward(g, x, mean, rstd, weight);
    return orReference(() => {
      reset();
      const G = place(g), X = place(x), MEAN = place(mean).ptr, RSTD = place(rstd).ptr, Wp = weight ? place(weight).ptr : 0;
      const DX = outAlloc(M * D), ACC = alloc(D * 16);
      U8().fill(0, ACC, ACC + D * 16);
      // one thread: every row adds into the same dweight/dbias accumulators
      const args = [G.ptr, G.strides[0], X.ptr, X.strides[0], MEAN, RSTD, Wp, weight ? 1 : 0, D, DX, ACC, ACC + D * 8, 0, M];
      pool.run({ fn: "layerNormBackwardF32", args, lo: 12, hi: 13, step: M, limit: M, scratchArg: -1, scratchStride: 0 }, 1);
      const acc = new Float64Array(runtime!.memory.buffer, ACC, 2 * D);
      return { dx: takeOut(DX, M * D), dweight: Float32Array.from(acc.subarray(0, D)), dbias: Float32Array.from(acc.subarray(D)) };
    }, () => jsBackend.layerNormBackward(g, x, mean, rstd, weight));
  },

  softmax(x, log, outDtype) {
    const n = numel(x.shape);
    if (n < EW_MIN_COSTLY || outDtype !== "float32" || !allF32(x) || x.shape.length === 0) return jsBackend.softmax(x, log, outDtype);
    return orReference(() => {
      reset();
      const X = place(x);
      const desc = descriptor(x.shape, [X.strides]);
      const out = outAlloc(n);
      const rows = n / x.shape[x.shape.length - 1];
      runRows("softmaxF32", [desc, X.ptr, out, 0, rows, log ? 1 : 0], 3, rows, n, true);
      return takeOut(out, n);
    }, () => jsBackend.softmax(x, log, outDtype));
  },

  softmaxBackward(g, y, log, outDtype) {
    const n = numel(g.shape);
    if (n < EW_MIN_COSTLY || outDtype !== "float32" || !allF32(g, y) || g.shape.length === 0) return jsBackend.softmaxBackward(g, y, log, outDtype);
    return orReference(() => {
      reset();
      const G = place(g), Y = place(y);
      const desc = descriptor(g.shape, [G.strides, Y.strides]);
      const out = outAlloc(n);
      const rows = n / g.shape[g.shape.length - 1];
      runRows("softmaxBackwardF32", [desc, G.ptr, Y.ptr, out, 0, rows, log ? 1 : 0], 4, rows, n, true);
      return takeOut(out, n);
    }, () => jsBackend.softmaxBackward(g, y, log, outDtype));
  },

  addInto(dst, src, alpha = 1) {
    const n = numel(dst.shape);
    // a destination with contiguous rows (a slice of a gradient buffer) is summed in wasm and copied back row by
    // row; other strided destinations are added into in place by the reference loop
    const nd = dst.shape.length;
    const rowsContig = isContig(dst) || (nd > 0 && dst.strides[nd - 1] === 1 && dst.shape[nd - 1] >= 16 && !dst.strides.some((st, d) => st === 0 && dst.shape[d] > 1));
    if (n < EW_MIN || !allF32(dst, src) || !rowsContig || (alpha !== 1 && alpha !== -1)) return jsBackend.addInto(dst, src, alpha);
    const code = alpha === 1 ? BINARY_CODE.add! : BINARY_CODE.sub!;
    const done = orReference(() => (binaryF32(code, dst, src, n, false, dst), true), () => false);
    if (!done) jsBackend.addInto(dst, src, alpha);
  },

  copy(src, dst) {
    const n = numel(src.shape);
    // a strided gather (contiguous() of a transposed or sliced view) runs in wasm; plain copies stay memcpy
    if (n >= EW_MIN && allF32(src, dst) && !isContig(src) && isContig(dst)) {
      const r = orReference(() => unaryF32(UNARY_CODE.copy!, src, n, 0, 0, false), () => null);
      if (r) {
        (dst.storage as Float32Array).set(r, dst.offset);
        return;
      }
    }
    jsBackend.copy(src, dst);
  },

  im2col(x, g) {
    if (!allF32(x) || numel(x.shape) * g.kernel[0] * g.kernel[1] < EW_MIN) return jsBackend.im2col(x, g);
    return orReference(() => im2colF32(x, g), () => jsBackend.im2col(x, g));
  },

  reduce(op, x, axes, outDtype) {
    const code = REDUCE_CODE[op];
    if (code === undefined || outDtype !== "float32" || !allF32(x) || numel(x.shape) < EW_MIN) return jsBackend.reduce(op, x, axes, outDtype);
    let nRed = 1;
    for (const a of axes) nRed *= x.shape[a];
    if (nRed === 0) return jsBackend.reduce(op, x, axes, outDtype);
    return orReference(() => reduceF32(code, x, axes), () => null) ?? jsBackend.reduce(op, x, axes, outDtype);
  },

  adamStep(x, xo, g, go, m, v, vmax, n, h) {
    const all = [x, g, m, v, ...(vmax ? [vmax] : [])];
    // in place on the tensor heap only (copying parameters in and out would cost more than the update)
    if (n < EW_MIN || !all.every((a) => a instanceof Float32Array && inMemory(a))) return jsBackend.adamStep(x, xo, g, go, m, v, vmax, n, h);
    const ptr = (a: TypedArray, o: number) => a.byteOffset + o * 4;
    const args = [ptr(x, xo), ptr(g, go), ptr(m, 0), ptr(v, 0), vmax ? ptr(vmax, 0) : 0, vmax ? 1 : 0, h.beta1, h.beta2, h.eps, h.stepSize, h.bc2Sqrt, h.decay, h.l2, h.sign, 0, n];
    const threads = n >= EW_THREAD_COSTLY ? pool.threads() : 1;
    const job: Job = { fn: "adamF32", args, lo: 14, hi: 15, step: n, limit: n, scratchArg: -1, scratchStride: 0 };
    if (threads > 1) job.step = roundUp(Math.ceil(n / (threads * 2)), 16);
    pool.run(job, threads);
  },

  lstmForward(x, wihT, bias, h0, c0, whhT) {
    if (!allF32(x, wihT, h0, c0, whhT) || (bias && !allF32(bias))) return jsBackend.lstmForward(x, wihT, bias, h0, c0, whhT);
    return orReference(() => lstmForwardF32(x, wihT, bias, h0, c0, whhT), () => jsBackend.lstmForward(x, wihT, bias, h0, c0, whhT));
  },

  lstmBackward(gAll, act, all, c0, whh) {
    const H = gAll.shape[3];
    if (H % 4 !== 0 || !allF32(gAll, act, all, c0, whh)) return jsBackend.lstmBackward(gAll, act, all, c0, whh);
    return orReference(() => lstmBackwardF32(gAll, act, all, c0, whh), () => jsBackend.lstmBackward(gAll, act, all, c0, whh));
  },

  matmul(a, b, outDtype, bias) {
    if (outDtype !== "float32" || !allF32(a, b) || (bias && !allF32(bias))) return jsBackend.matmul(a, b, outDtype, bias);
    const nd = a.shape.length;
    const work = numel(a.shape) * b.shape[nd - 1];
    if (work < MATMUL_MIN_WORK) return jsBackend.matmul(a, b, outDtype, bias);
    return orReference(() => matmulF32(a, b, bias), () => jsBackend.matmul(a, b, outDtype, bias));
  },
};

// Large float32 tensors live in wasm memory (DEEPTYPE_WASM_HEAP=0 keeps them in ordinary typed arrays).
if (runtime && process.env.DEEPTYPE_WASM_HEAP !== "0") setFloat32Source({ minElements: HEAP_MIN_ELEMENTS, alloc: heapF32 });

// The pool is sized to the machine by default (dt.setNumThreads overrides it).
if (runtime) setNumThreads(Math.max(1, Math.min(availableParallelism(), 16)));

/** True when the wasm kernels loaded (else the backend is the reference one under another name). */
export const wasmAvailable = runtime !== null;
