// The reference backend: plain TypeScript loops over strided views. It is the oracle that every
// faster backend is compared with, so it favours being obviously right; elementwise loops are
// specialised per op (generated once per op and access pattern) to keep per-op overhead low.

import { alloc, type DType, type TypedArray } from "../../tensor/dtype.js";
import { lstmBackward, lstmForward } from "./lstm.js";
import { adamStep } from "./optim.js";
import type { Backend, BinaryOp, ConvGeometry, PoolWindows, ReduceOp, UnaryOp, View } from "../backend.js";

// ---- strided addressing ----------------------------------------------------------------------

function numel(shape: number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/** True when the view's elements are consecutive in storage from v.offset. */
export function isContig(v: { shape: number[]; strides: number[] }): boolean {
  let acc = 1;
  for (let i = v.shape.length - 1; i >= 0; i--) {
    if (v.shape[i] !== 1 && v.strides[i] !== acc) return false;
    acc *= v.shape[i];
  }
  return true;
}

function allZeroStrides(v: View): boolean {
  for (let i = 0; i < v.strides.length; i++) if (v.shape[i] !== 1 && v.strides[i] !== 0) return false;
  return true;
}

/** Storage offset of every element of (shape, strides, offset), in row-major order. */
export function offsets(shape: number[], strides: number[], offset: number): Int32Array {
  const n = numel(shape);
  const out = new Int32Array(n);
  const nd = shape.length;
  if (n === 0) return out;
  if (nd === 0) {
    out[0] = offset;
    return out;
  }
  const idx = new Array<number>(nd).fill(0);
  const last = nd - 1, sl = strides[last], dl = shape[last];
  let off = offset, i = 0;
  while (i < n) {
    for (let j = 0; j < dl; j++) out[i++] = off + j * sl;
    for (let d = last - 1; d >= 0; d--) {
      idx[d]++;
      off += strides[d];
      if (idx[d] < shape[d]) break;
      off -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

// ---- scalar helpers used by generated loops --------------------------------------------------

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}
/** Round half to even, as torch.round. */
function rne(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
/** erf to double precision (W. J. Cody's rational approximations). */
function erf(x: number): number {
  if (Number.isNaN(x)) return x;
  const ax = Math.abs(x);
  if (ax < 0.5) {
    const t = x * x;
    const p = (((0.185777706184603153 * t + 3.16112374387056560) * t + 113.864154151050156) * t + 377.485237685302021) * t + 3209.37758913846947;
    const q = (((t + 23.6012909523441209) * t + 244.024637934444173) * t + 1282.61652607737228) * t + 2844.23683343917062;
    return (x * p) / q;
  }
  if (ax >= 6) return x > 0 ? 1 : -1;
  return x > 0 ? 1 - erfcPos(ax) : erfcPos(ax) - 1;
}
function erfcPos(x: number): number {
  let r: number;
  if (x < 4) {
    const p = [5.64188496988670089e-1, 8.88314979438837594, 6.61191906371416295e1, 2.98635138197400131e2, 8.81952221241769090e2, 1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3, 2.15311535474403846e-8];
    const q = [1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3, 3.29079923573345963e3, 4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3];
    let num = p[8] * x, den = x;
    for (let i = 0; i < 7; i++) {
      num = (num + p[i]) * x;
      den = (den + q[i]) * x;
    }
    r = (num + p[7]) / (den + q[7]);
  } else {
    const p = [3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2];
    const q = [2.56852019228982242, 1.87295284992346725, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];
    const z = 1 / (x * x);
    let num = p[5] * z, den = z;
    for (let i = 0; i < 4; i++) {
      num = (num + p[i]) * z;
      den = (den + q[i]) * z;
    }
    r = (z * (num + p[4])) / (den + q[4]);
    r = (0.56418958354775628695 - r) / x;
  }
  const xsq = Math.trunc(x * 16) / 16;
  const del = (x - xsq) * (x + xsq);
  return Math.exp(-xsq * xsq) * Math.exp(-del) * r;
}
const GELU_K = Math.sqrt(2 / Math.PI), GELU_C = 0.044715;
function geluTanh(x: number): number {
  return 0.5 * x * (1 + Math.tanh(GELU_K * (x + GELU_C * x * x * x)));
}
function geluBackward(g: number, x: number): number {
  return g * (0.5 * (1 + erf(x * Math.SQRT1_2)) + (x * Math.exp(-0.5 * x * x)) / Math.sqrt(2 * Math.PI));
}
function geluTanhBackward(g: number, x: number): number {
  const t = Math.tanh(GELU_K * (x + GELU_C * x * x * x));
  return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_K * (1 + 3 * GELU_C * x * x));
}
function maximum(x: number, y: number): number {
  return x !== x || y !== y ? NaN : x > y ? x : y;
}
function minimum(x: number, y: number): number {
  return x !== x || y !== y ? NaN : x < y ? x : y;
}

const H = { sigmoid, rne, erf, maximum, minimum, geluTanh, geluBackward, geluTanhBackward };

const UNARY_EXPR: { [K in UnaryOp]: string } = {
  copy: "x",
  neg: "-x",
  abs: "Math.abs(x)",
  sign: "(x > 0 ? 1 : x < 0 ? -1 : 0)", // 0 for 0, -0 and NaN, as torch.sign
  exp: "Math.exp(x)",
  log: "Math.log(x)",
  log1p: "Math.log1p(x)",
  expm1: "Math.expm1(x)",
  sqrt: "Math.sqrt(x)",
  rsqrt: "1 / Math.sqrt(x)",
  square: "x * x",
  sin: "Math.sin(x)",
  cos: "Math.cos(x)",
  tanh: "Math.tanh(x)",
  sigmoid: "H.sigmoid(x)",
  floor: "Math.floor(x)",
  ceil: "Math.ceil(x)",
  round: "H.rne(x)",
  reciprocal: "1 / x",
  erf: "H.erf(x)",
  relu: "(x > 0 ? x : (x !== x ? x : 0))",
  logicalNot: "(x === 0 ? 1 : 0)",
  isnan: "(x !== x ? 1 : 0)",
  isfinite: "(x - x === 0 ? 1 : 0)",
  clamp: "(x < p0 ? Math.min(p0, p1) : x > p1 ? p1 : x)", // min(max(x, p0), p1), NaN kept, as torch
  leakyRelu: "(x > 0 ? x : x * p0)",
  elu: "(x > 0 ? x : p0 * Math.expm1(x))",
  softplus: "(x * p0 > p1 ? x : Math.log1p(Math.exp(x * p0)) / p0)",
  gelu: "(0.5 * x * (1 + H.erf(x * Math.SQRT1_2)))",
  geluTanh: "H.geluTanh(x)",
};

const BINARY_EXPR: { [K in BinaryOp]: string } = {
  add: "x + y",
  sub: "x - y",
  mul: "x * y",
  div: "x / y",
  pow: "Math.pow(x, y)",
  maximum: "H.maximum(x, y)",
  minimum: "H.minimum(x, y)",
  eq: "(x === y ? 1 : 0)",
  ne: "(x !== y ? 1 : 0)",
  lt: "(x < y ? 1 : 0)",
  le: "(x <= y ? 1 : 0)",
  gt: "(x > y ? 1 : 0)",
  ge: "(x >= y ? 1 : 0)",
  logicalAnd: "(x !== 0 && y !== 0 ? 1 : 0)",
  logicalOr: "(x !== 0 || y !== 0 ? 1 : 0)",
  reluBackward: "(y <= 0 ? 0 : x)",
  geluBackward: "H.geluBackward(x, y)",
  geluTanhBackward: "H.geluTanhBackward(x, y)",
};

// access patterns: c = contiguous from offset, s = one element broadcast everywhere, g = general
type Access = "c" | "s" | "g";
function accessOf(v: View): Access {
  if (allZeroStrides(v)) return "s";
  return isContig(v) ? "c" : "g";
}
function readExpr(v: "x" | "y", acc: Access): string {
  const A = v.toUpperCase();
  return acc === "c" ? `${A}[o${v} + i]` : acc === "s" ? `${v}s` : `${A}[i${v}[i]]`;
}
function prelude(v: "x" | "y", acc: Access): string {
  return acc === "s" ? `const ${v}s = ${v.toUpperCase()}[o${v}];` : "";
}

type UnaryLoop = (out: TypedArray, x: TypedArray, ox: number, ix: Int32Array | null, n: number, p0: number, p1: number, h: typeof H) => void;
type BinaryLoop = (out: TypedArray, x: TypedArray, ox: number, ix: Int32Array | null, y: TypedArray, oy: number, iy: Int32Array | null, n: number, h: typeof H) => void;
const unaryCache = new Map<string, UnaryLoop>();
const binaryCache = new Map<string, BinaryLoop>();

function unaryLoop(op: UnaryOp, acc: Access): UnaryLoop {
  const key = op + acc;
  let f = unaryCache.get(key);
  if (!f) {
    const body = `${prelude("x", acc)} for (let i = 0; i < n; i++) { const x = ${readExpr("x", acc)}; out[i] = ${UNARY_EXPR[op]}; }`;
    f = new Function("out", "X", "ox", "ix", "n", "p0", "p1", "H", body) as UnaryLoop;
    unaryCache.set(key, f);
  }
  return f;
}

function binaryLoop(op: BinaryOp, ax: Access, ay: Access): BinaryLoop {
  const key = op + ax + ay;
  let f = binaryCache.get(key);
  if (!f) {
    const body = `${prelude("x", ax)} ${prelude("y", ay)} for (let i = 0; i < n; i++) { const x = ${readExpr("x", ax)}; const y = ${readExpr("y", ay)}; out[i] = ${BINARY_EXPR[op]}; }`;
    f = new Function("out", "X", "ox", "ix", "Y", "oy", "iy", "n", "H", body) as BinaryLoop;
    binaryCache.set(key, f);
  }
  return f;
}

function idx(v: View, acc: Access): Int32Array | null {
  return acc === "g" ? offsets(v.shape, v.strides, v.offset) : null;
}

/** Splits a view into (outer dims kept, inner dims in `axes`) offset tables. */
function splitAxes(x: View, axes: number[]): { outer: Int32Array; inner: Int32Array } {
  const keptShape: number[] = [], keptStrides: number[] = [], redShape: number[] = [], redStrides: number[] = [];
  for (let d = 0; d < x.shape.length; d++) {
    if (axes.includes(d)) {
      redShape.push(x.shape[d]);
      redStrides.push(x.strides[d]);
    } else {
      keptShape.push(x.shape[d]);
      keptStrides.push(x.strides[d]);
    }
  }
  return { outer: offsets(keptShape, keptStrides, x.offset), inner: offsets(redShape, redStrides, 0) };
}

export const jsBackend: Backend = {
  name: "js",

  unary(op, x, outDtype, p0 = 0, p1 = 0) {
    const n = numel(x.shape);
    const out = alloc(outDtype, n);
    const acc = accessOf(x);
    unaryLoop(op, acc)(out, x.storage, x.offset, idx(x, acc), n, p0, p1, H);
    return out;
  },

  binary(op, a, b, outDtype) {
    const n = numel(a.shape);
    const out = alloc(outDtype, n);
    const aa = accessOf(a), ab = accessOf(b);
    binaryLoop(op, aa, ab)(out, a.storage, a.offset, idx(a, aa), b.storage, b.offset, idx(b, ab), n, H);
    return out;
  },

  where(cond, a, b, outDtype) {
    const n = numel(cond.shape);
    const out = alloc(outDtype, n);
    const ic = offsets(cond.shape, cond.strides, cond.offset);
    const ia = offsets(a.shape, a.strides, a.offset);
    const ib = offsets(b.shape, b.strides, b.offset);
    const c = cond.storage, x = a.storage, y = b.storage;
    for (let i = 0; i < n; i++) out[i] = c[ic[i]] ? x[ia[i]] : y[ib[i]];
    return out;
  },

  reduce(op, x, axes, outDtype) {
    const { outer, inner } = splitAxes(x, axes);
    const out = alloc(outDtype, outer.length);
    const s = x.storage, m = inner.length;
    if (m === 0 && (op === "max" || op === "min" || op === "argmax" || op === "argmin") && outer.length > 0)
      throw new Error(`${op}: cannot reduce over a dim of size 0 (shape [${x.shape.join(",")}]); the operation has no identity`);
    for (let o = 0; o < outer.length; o++) {
      const base = outer[o];
      let acc: number;
      switch (op as ReduceOp) {
        case "sum":
          acc = 0;
          for (let r = 0; r < m; r++) acc += s[base + inner[r]];
          break;
        case "prod":
          acc = 1;
          for (let r = 0; r < m; r++) acc *= s[base + inner[r]];
          break;
        case "max":
          acc = -Infinity;
          for (let r = 0; r < m; r++) {
            const v = s[base + inner[r]];
            if (v > acc || v !== v) acc = v;
            if (acc !== acc) break;
          }
          break;
        case "min":
          acc = Infinity;
          for (let r = 0; r < m; r++) {
            const v = s[base + inner[r]];
            if (v < acc || v !== v) acc = v;
            if (acc !== acc) break;
          }
          break;
        case "argmax": {
          let best = -Infinity;
          acc = 0;
          for (let r = 0; r < m; r++) {
            const v = s[base + inner[r]];
            if (v !== v) { acc = r; break; }
            if (v > best || r === 0) { best = v; acc = r; }
          }
          break;
        }
        case "argmin": {
          let best = Infinity;
          acc = 0;
          for (let r = 0; r < m; r++) {
            const v = s[base + inner[r]];
            if (v !== v) { acc = r; break; }
            if (v < best || r === 0) { best = v; acc = r; }
          }
          break;
        }
        case "any":
          acc = 0;
          for (let r = 0; r < m; r++) if (s[base + inner[r]] !== 0) { acc = 1; break; }
          break;
        case "all":
          acc = 1;
          for (let r = 0; r < m; r++) if (s[base + inner[r]] === 0) { acc = 0; break; }
          break;
      }
      out[o] = acc!;
    }
    return out;
  },

  matmul(a, b, outDtype, bias) {
    const nd = a.shape.length;
    const M = a.shape[nd - 2], K = a.shape[nd - 1], N = b.shape[nd - 1];
    const batchShape = a.shape.slice(0, nd - 2);
    const ao = offsets(batchShape, a.strides.slice(0, nd - 2), a.offset);
    const bo = offsets(batchShape, b.strides.slice(0, nd - 2), b.offset);
    const nb = ao.length;
    const out = alloc(outDtype, nb * M * N);
    const sam = a.strides[nd - 2], sak = a.strides[nd - 1], sbk = b.strides[nd - 2], sbn = b.strides[nd - 1];
    const A = a.storage, Bs = b.storage;
    const row = new Float64Array(N);
    for (let bi = 0; bi < nb; bi++) {
      const a0 = ao[bi], b0 = bo[bi], o0 = bi * M * N;
      for (let i = 0; i < M; i++) {
        row.fill(0);
        for (let k = 0; k < K; k++) {
          const aik = A[a0 + i * sam + k * sak];
          if (aik === 0) continue;
          const bk = b0 + k * sbk;
          for (let j = 0; j < N; j++) row[j] += aik * Bs[bk + j * sbn];
        }
        for (let j = 0; j < N; j++) out[o0 + i * N + j] = row[j];
      }
    }
    // 0 * inf/nan must still give nan, as in IEEE matmul: redo rows that skipped a zero against non-finite b
    if (hasNonFinite(b)) {
      for (let bi = 0; bi < nb; bi++) {
        const a0 = ao[bi], b0 = bo[bi], o0 = bi * M * N;
        for (let i = 0; i < M; i++)
          for (let j = 0; j < N; j++) {
            let acc = 0;
            for (let k = 0; k < K; k++) acc += A[a0 + i * sam + k * sak] * Bs[b0 + k * sbk + j * sbn];
            out[o0 + i * N + j] = acc;
          }
      }
    }
    if (bias) {
      const bi = offsets(bias.shape, bias.strides, bias.offset), bs = bias.storage;
      for (let i = 0; i < out.length; i++) out[i] = bs[bi[i]] + out[i];
    }
    return out;
  },

  cumsum(x, axis, outDtype) {
    const { outer } = splitAxes(x, [axis]);
    const len = x.shape[axis], st = x.strides[axis];
    const out = alloc(outDtype, numel(x.shape));
    // output is contiguous: element (outer o, position r) sits at outerIndex * ... ; compute out strides
    const outStrides: number[] = [];
    let acc = 1;
    for (let d = x.shape.length - 1; d >= 0; d--) {
      outStrides[d] = acc;
      acc *= x.shape[d];
    }
    const keptShape = x.shape.filter((_, d) => d !== axis);
    const outOuter = offsets(keptShape, outStrides.filter((_, d) => d !== axis), 0);
    const ost = outStrides[axis] ?? 1;
    const s = x.storage;
    for (let o = 0; o < outer.length; o++) {
      let sum = 0;
      for (let r = 0; r < len; r++) {
        sum += s[outer[o] + r * st];
        out[outOuter[o] + r * ost] = sum;
      }
    }
    return out;
  },

  gather(x, axis, index) {
    // x's offset for each index position with the axis coordinate set to 0
    const xs = x.strides.slice();
    const base = offsets(index.shape, xs.map((s, d) => (d === axis ? 0 : s)), x.offset);
    const ii = offsets(index.shape, index.strides, index.offset);
    const out = alloc(x.dtype, ii.length);
    const st = x.strides[axis], lim = x.shape[axis];
    for (let i = 0; i < ii.length; i++) {
      const k = index.storage[ii[i]];
      if (k < 0 || k >= lim) throw new Error(`gather: index ${k} out of range for dim ${axis} of size ${lim} (shape [${x.shape.join(",")}])`);
      out[i] = x.storage[base[i] + k * st];
    }
    return out;
  },

  scatter(dst, axis, index, src, mode) {
    const out = alloc(dst.dtype, numel(dst.shape));
    jsBackend.copy(dst, { storage: out, shape: dst.shape, strides: contiguous(dst.shape), offset: 0, dtype: dst.dtype });
    const os = contiguous(dst.shape);
    const base = offsets(index.shape, os.map((s, d) => (d === axis ? 0 : s)), 0);
    const ii = offsets(index.shape, index.strides, index.offset);
    const si = offsets(index.shape, src.strides, src.offset);
    const st = os[axis], lim = dst.shape[axis];
    for (let i = 0; i < ii.length; i++) {
      const k = index.storage[ii[i]];
      if (k < 0 || k >= lim) throw new Error(`scatter: index ${k} out of range for dim ${axis} of size ${lim} (shape [${dst.shape.join(",")}])`);
      const o = base[i] + k * st;
      if (mode === "add") out[o] += src.storage[si[i]];
      else out[o] = src.storage[si[i]];
    }
    return out;
  },

  softmax(x, log, outDtype) {
    const nd = x.shape.length;
    const n = numel(x.shape);
    const out = alloc(outDtype, n);
    if (n === 0) return out;
    const inner = nd === 0 ? 1 : x.shape[nd - 1], s = nd === 0 ? 0 : x.strides[nd - 1];
    const rows = offsets(x.shape.slice(0, -1), x.strides.slice(0, -1), x.offset);
    const X = x.storage;
    for (let r = 0; r < rows.length; r++) {
      const b = rows[r], o = r * inner;
      let m = -Infinity;
      for (let j = 0; j < inner; j++) {
        const v = X[b + j * s];
        if (v > m || v !== v) m = v;
      }
      let sum = 0;
      for (let j = 0; j < inner; j++) {
        const e = Math.exp(X[b + j * s] - m);
        out[o + j] = e;
        sum += e;
      }
      if (log) {
        const ls = Math.log(sum);
        for (let j = 0; j < inner; j++) out[o + j] = X[b + j * s] - m - ls;
      } else for (let j = 0; j < inner; j++) out[o + j] /= sum;
    }
    return out;
  },

  softmaxBackward(g, y, log, outDtype) {
    const nd = g.shape.length;
    const n = numel(g.shape);
    const out = alloc(outDtype, n);
    if (n === 0) return out;
    const inner = nd === 0 ? 1 : g.shape[nd - 1];
    const sg = nd === 0 ? 0 : g.strides[nd - 1], sy = nd === 0 ? 0 : y.strides[nd - 1];
    const gr = offsets(g.shape.slice(0, -1), g.strides.slice(0, -1), g.offset);
    const yr = offsets(y.shape.slice(0, -1), y.strides.slice(0, -1), y.offset);
    const G = g.storage, Y = y.storage;
    for (let r = 0; r < gr.length; r++) {
      const bg = gr[r], by = yr[r], o = r * inner;
      let sum = 0;
      for (let j = 0; j < inner; j++) sum += log ? G[bg + j * sg] : G[bg + j * sg] * Y[by + j * sy];
      if (log) for (let j = 0; j < inner; j++) out[o + j] = G[bg + j * sg] - Math.exp(Y[by + j * sy]) * sum;
      else for (let j = 0; j < inner; j++) out[o + j] = Y[by + j * sy] * (G[bg + j * sg] - sum);
    }
    return out;
  },

  addInto(dst, src, alpha = 1) {
    const n = numel(dst.shape);
    const d = dst.storage, s = src.storage;
    if (isContig(dst) && isContig(src)) {
      const od = dst.offset, os = src.offset;
      if (alpha === 1) for (let i = 0; i < n; i++) d[od + i] += s[os + i];
      else for (let i = 0; i < n; i++) d[od + i] += alpha * s[os + i];
      return;
    }
    const id = offsets(dst.shape, dst.strides, dst.offset);
    const is = offsets(src.shape, src.strides, src.offset);
    if (alpha === 1) for (let i = 0; i < n; i++) d[id[i]] += s[is[i]];
    else for (let i = 0; i < n; i++) d[id[i]] += alpha * s[is[i]];
  },

  copy(src, dst) {
    const n = numel(src.shape);
    if (isContig(src) && isContig(dst)) {
      const s = src.storage, d = dst.storage, os = src.offset, od = dst.offset;
      if (s.constructor === d.constructor) d.set(s.subarray(os, os + n) as any, od);
      else for (let i = 0; i < n; i++) d[od + i] = s[os + i];
      return;
    }
    const is = offsets(src.shape, src.strides, src.offset);
    const id = offsets(dst.shape, dst.strides, dst.offset);
    const s = src.storage, d = dst.storage;
    for (let i = 0; i < n; i++) d[id[i]] = s[is[i]];
  },

  im2col,
  col2im,
  maxPool2d,
  avgPool2d,
  avgPool2dBackward,
  maxPool2dBackward,
  conv2d,
  conv2dBackwardInput,
  conv2dBackwardWeight,
  layerNorm,
  layerNormBackward,
  batchNorm,
  batchNormBackward,
  lstmForward: (x, wihT, bias, h0, c0, whhT) => lstmForward(jsBackend, x, wihT, bias, h0, c0, whhT),
  lstmBackward: (gAll, act, all, c0, whh) => lstmBackward(jsBackend, gAll, act, all, c0, whh),
  adamStep,
};

function contiguous(shape: number[]): number[] {
  const s: number[] = [];
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

function hasNonFinite(v: View): boolean {
  if (v.dtype === "int32" || v.dtype === "bool") return false;
  const o = offsets(v.shape, v.strides, v.offset);
  for (let i = 0; i < o.length; i++) if (!Number.isFinite(v.storage[o[i]])) return true;
  return false;
}

// ---- convolution and pooling windows --------------------------------------------------------------

/** The output columns x in [lo, hi) whose tap x*s - p + j*d lies inside [0, W). */
function tapRange(j: number, s: number, p: number, d: number, W: number, ow: number): [number, number] {
  const shift = p - j * d; // x*s >= shift and x*s <= W - 1 + shift
  const lo = Math.max(0, Math.ceil(shift / s));
  const hi = Math.min(ow, Math.floor((W - 1 + shift) / s) + 1);
  return [lo, Math.max(lo, hi)];
}

function im2col(x: View, g: ConvGeometry): TypedArray {
  const [N, C, H, W] = x.shape, [sN, sC, sH, sW] = x.strides;
  const [kh, kw] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padding, [dh, dw] = g.dilation, [oh, ow] = g.out;
  const out = alloc(x.dtype, N * C * kh * kw * oh * ow);
  const X = x.storage;
  let o = 0;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * sN + c * sC;
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) {
          const [lo, hi] = tapRange(j, sw, pw, dw, W, ow);
          const xoff = j * dw - pw;
          for (let y = 0; y < oh; y++, o += ow) {
            const iy = y * sh - ph + i * dh;
            if (iy < 0 || iy >= H) continue;
            const row = base + iy * sH;
            if (sW === 1 && sw === 1) for (let xo = lo; xo < hi; xo++) out[o + xo] = X[row + xo + xoff];
            else for (let xo = lo; xo < hi; xo++) out[o + xo] = X[row + (xo * sw + xoff) * sW];
          }
        }
    }
  return out;
}

function col2im(col: View, g: ConvGeometry, H: number, W: number): TypedArray {
  const [N, C] = col.shape;
  const [kh, kw] = g.kernel, [sh, sw] = g.stride, [ph, pw] = g.padding, [dh, dw] = g.dilation, [oh, ow] = g.out;
  let src = col.storage, o = col.offset;
  if (!isContig(col)) {
    src = alloc(col.dtype, numel(col.shape));
    jsBackend.copy(col, { storage: src, shape: col.shape, strides: contiguous(col.shape), offset: 0, dtype: col.dtype });
    o = 0;
  }
  const out = alloc(col.dtype, N * C * H * W);
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * H * W;
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) {
          const [lo, hi] = tapRange(j, sw, pw, dw, W, ow);
          const xoff = j * dw - pw;
          for (let y = 0; y < oh; y++, o += ow) {
            const iy = y * sh - ph + i * dh;
            if (iy < 0 || iy >= H) continue;
            const row = base + iy * W;
            for (let xo = lo; xo < hi; xo++) out[row + xo * sw + xoff] += src[o + xo];
          }
        }
    }
  return out;
}

function maxPool2d(x: View, win: PoolWindows): { values: TypedArray; indices: Int32Array } {
  const [N, C, H, W] = x.shape, [sN, sC, sH, sW] = x.strides;
  const oh = win.hStart.length, ow = win.wStart.length, { dh, dw } = win;
  const values = alloc(x.dtype, N * C * oh * ow), indices = new Int32Array(N * C * oh * ow);
  const X = x.storage;
  let o = 0;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * sN + c * sC;
      for (let y = 0; y < oh; y++) {
        const hs = win.hStart[y], hc = win.hCount[y];
        for (let xo = 0; xo < ow; xo++, o++) {
          const ws = win.wStart[xo], wc = win.wCount[xo];
          let best = -Infinity, bi = -1;
          for (let t = 0; t < hc; t++) {
            const iy = hs + t * dh;
            if (iy < 0 || iy >= H) continue;
            for (let u = 0; u < wc; u++) {
              const ix = ws + u * dw;
              if (ix < 0 || ix >= W) continue;
              const v = X[base + iy * sH + ix * sW];
              if (bi < 0 || v > best || v !== v) {
                best = v;
                bi = iy * W + ix;
              }
            }
          }
          values[o] = best;
          indices[o] = bi;
        }
      }
    }
  return { values, indices };
}

function avgPool2d(x: View, win: PoolWindows): TypedArray {
  const [N, C, H, W] = x.shape, [sN, sC, sH, sW] = x.strides;
  const oh = win.hStart.length, ow = win.wStart.length, { dh, dw } = win, div = win.divisor!;
  const out = alloc(x.dtype, N * C * oh * ow);
  const X = x.storage;
  let o = 0;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const base = x.offset + n * sN + c * sC;
      for (let y = 0; y < oh; y++) {
        const hs = win.hStart[y], hc = win.hCount[y];
        for (let xo = 0; xo < ow; xo++, o++) {
          const ws = win.wStart[xo], wc = win.wCount[xo];
          let acc = 0;
          for (let t = 0; t < hc; t++) {
            const iy = hs + t * dh;
            if (iy < 0 || iy >= H) continue;
            for (let u = 0; u < wc; u++) {
              const ix = ws + u * dw;
              if (ix >= 0 && ix < W) acc += X[base + iy * sH + ix * sW];
            }
          }
          out[o] = acc / div[y * ow + xo];
        }
      }
    }
  return out;
}

function avgPool2dBackward(g: View, win: PoolWindows, H: number, W: number): TypedArray {
  const [N, C] = g.shape, [sN, sC, sH, sW] = g.strides;
  const oh = win.hStart.length, ow = win.wStart.length, { dh, dw } = win, div = win.divisor!;
  const out = alloc(g.dtype, N * C * H * W);
  const G = g.storage;
  for (let n = 0; n < N; n++)
    for (let c = 0; c < C; c++) {
      const base = g.offset + n * sN + c * sC, ob = (n * C + c) * H * W;
      for (let y = 0; y < oh; y++) {
        const hs = win.hStart[y], hc = win.hCount[y];
        for (let xo = 0; xo < ow; xo++) {
          const ws = win.wStart[xo], wc = win.wCount[xo];
          const v = G[base + y * sH + xo * sW] / div[y * ow + xo];
          for (let t = 0; t < hc; t++) {
            const iy = hs + t * dh;
            if (iy < 0 || iy >= H) continue;
            for (let u = 0; u < wc; u++) {
              const ix = ws + u * dw;
              if (ix >= 0 && ix < W) out[ob + iy * W + ix] += v;
            }
          }
        }
      }
    }
  return out;
}

function maxPool2dBackward(g: View, indices: View, H: number, W: number): TypedArray {
  const [N, C, oh, ow] = g.shape;
  const gc = contig(g), ic = contig(indices);
  const out = alloc(g.dtype, N * C * H * W);
  const L = oh * ow, P = H * W;
  for (let r = 0; r < N * C; r++) {
    const ob = r * P, ib = r * L;
    for (let l = 0; l < L; l++) {
      const k = ic[ib + l];
      if (k >= 0) out[ob + k] += gc[ib + l];
    }
  }
  return out;
}

// ---- convolution as im2col + batched matmul (the reference the fused kernels are checked against) ----

/** The view's elements as a contiguous array (the storage itself when it already is). */
function contig(v: View): TypedArray {
  if (isContig(v) && v.offset === 0 && v.storage.length === numel(v.shape)) return v.storage;
  const out = alloc(v.dtype, numel(v.shape));
  jsBackend.copy(v, { storage: out, shape: v.shape, strides: contiguous(v.shape), offset: 0, dtype: v.dtype });
  return out;
}

function mview(storage: TypedArray, dtype: DType, shape: number[], strides: number[]): View {
  return { storage, shape, strides, offset: 0, dtype };
}

function conv2d(x: View, weight: View, bias: View | null, geom: ConvGeometry, groups: number): TypedArray {
  const N = x.shape[0], Cout = weight.shape[0], G = groups, Cog = Cout / G;
  const CgK = weight.shape[1] * geom.kernel[0] * geom.kernel[1], L = geom.out[0] * geom.out[1];
  const cols = im2col(x, geom); // [N, G, CgK, L]
  const w = contig(weight); // [G, Cog, CgK]
  const y = jsBackend.matmul(
    mview(w, weight.dtype, [N, G, Cog, CgK], [0, Cog * CgK, CgK, 1]),
    mview(cols, x.dtype, [N, G, CgK, L], [G * CgK * L, CgK * L, L, 1]),
    x.dtype,
  );
  if (bias) {
    const b = vec(bias);
    for (let n = 0; n < N; n++)
      for (let o = 0; o < Cout; o++) {
        const base = (n * Cout + o) * L, bv = b[o];
        for (let l = 0; l < L; l++) y[base + l] += bv;
      }
  }
  return y;
}

function conv2dBackwardInput(g: View, weight: View, geom: ConvGeometry, groups: number, H: number, W: number): TypedArray {
  const N = g.shape[0], Cout = weight.shape[0], G = groups, Cog = Cout / G, Cg = weight.shape[1];
  const [kh, kw] = geom.kernel, [oh, ow] = geom.out;
  const CgK = Cg * kh * kw, L = oh * ow;
  const w = contig(weight), gc = contig(g);
  // cols[n, g] = W[g]^T @ g[n, g]: [N, G, CgK, L]
  const cols = jsBackend.matmul(
    mview(w, weight.dtype, [N, G, CgK, Cog], [0, Cog * CgK, 1, CgK]),
    mview(gc, g.dtype, [N, G, Cog, L], [G * Cog * L, Cog * L, L, 1]),
    g.dtype,
  );
  const C = G * Cg;
  return col2im(mview(cols, g.dtype, [N, C, kh, kw, oh, ow], contiguous([N, C, kh, kw, oh, ow])), geom, H, W);
}

function conv2dBackwardWeight(g: View, x: View, geom: ConvGeometry, groups: number, withBias: boolean): { dweight: TypedArray; dbias: TypedArray } {
  const N = g.shape[0], Cout = g.shape[1], G = groups, Cog = Cout / G, Cg = x.shape[1] / G;
  const CgK = Cg * geom.kernel[0] * geom.kernel[1], L = geom.out[0] * geom.out[1];
  const cols = im2col(x, geom), gc = contig(g);
  // per image: g[n, g] @ cols[n, g]^T: [N, G, Cog, CgK], summed over N
  const per = jsBackend.matmul(
    mview(gc, g.dtype, [N, G, Cog, L], [G * Cog * L, Cog * L, L, 1]),
    mview(cols, x.dtype, [N, G, L, CgK], [G * CgK * L, CgK * L, 1, L]),
    g.dtype,
  );
  const M = Cout * CgK;
  const dweight = alloc(g.dtype, M);
  for (let n = 0; n < N; n++) for (let i = 0; i < M; i++) dweight[i] += per[n * M + i];
  const dbias = alloc(g.dtype, withBias ? Cout : 0);
  if (withBias)
    for (let n = 0; n < N; n++)
      for (let o = 0; o < Cout; o++) {
        const base = (n * Cout + o) * L;
        let s = 0;
        for (let l = 0; l < L; l++) s += gc[base + l];
        dbias[o] += s;
      }
  return { dweight, dbias };
}

// ---- row normalisation (layerNorm, groupNorm) -------------------------------------------------------

function layerNorm(x: View, weight: View | null, bias: View | null, eps: number): { y: TypedArray; mean: TypedArray; rstd: TypedArray } {
  const [M, D] = x.shape, [sM, sD] = x.strides, X = x.storage;
  const y = alloc(x.dtype, M * D), mean = alloc(x.dtype, M), rstd = alloc(x.dtype, M);
  const w = weight ? vec(weight) : null, b = bias ? vec(bias) : null;
  for (let m = 0; m < M; m++) {
    const base = x.offset + m * sM, o = m * D;
    let s = 0;
    for (let d = 0; d < D; d++) s += X[base + d * sD];
    const mu = s / D;
    let ss = 0;
    for (let d = 0; d < D; d++) {
      const c = X[base + d * sD] - mu;
      ss += c * c;
    }
    const r = 1 / Math.sqrt(ss / D + eps);
    if (w && b) for (let d = 0; d < D; d++) y[o + d] = (X[base + d * sD] - mu) * r * w[d] + b[d];
    else if (w) for (let d = 0; d < D; d++) y[o + d] = (X[base + d * sD] - mu) * r * w[d];
    else if (b) for (let d = 0; d < D; d++) y[o + d] = (X[base + d * sD] - mu) * r + b[d];
    else for (let d = 0; d < D; d++) y[o + d] = (X[base + d * sD] - mu) * r;
    mean[m] = mu;
    rstd[m] = r;
  }
  return { y, mean, rstd };
}

function layerNormBackward(g: View, x: View, mean: View, rstd: View, weight: View | null): { dx: TypedArray; dweight: TypedArray; dbias: TypedArray } {
  const [M, D] = g.shape, [gM, gD] = g.strides, [xM, xD] = x.strides, G = g.storage, X = x.storage;
  const dx = alloc(g.dtype, M * D);
  const dw = new Float64Array(D), db = new Float64Array(D), w = weight ? vec(weight) : null;
  const gw = new Float64Array(D), xh = new Float64Array(D);
  for (let m = 0; m < M; m++) {
    const gb = g.offset + m * gM, xb = x.offset + m * xM, o = m * D;
    const mu = mean.storage[mean.offset + m * mean.strides[0]], r = rstd.storage[rstd.offset + m * rstd.strides[0]];
    let sg = 0, sgh = 0;
    for (let d = 0; d < D; d++) {
      const gv = G[gb + d * gD], h = (X[xb + d * xD] - mu) * r;
      dw[d] += gv * h;
      db[d] += gv;
      const gwv = w ? gv * w[d] : gv;
      gw[d] = gwv;
      xh[d] = h;
      sg += gwv;
      sgh += gwv * h;
    }
    const mg = sg / D, mgh = sgh / D;
    for (let d = 0; d < D; d++) dx[o + d] = r * (gw[d] - mg - xh[d] * mgh);
  }
  const dweight = alloc(g.dtype, D), dbias = alloc(g.dtype, D);
  dweight.set(dw);
  dbias.set(db);
  return { dx, dweight, dbias };
}

function batchNorm(x: View, stats: { mean: View; var: View } | null, weight: View | null, bias: View | null, eps: number): { y: TypedArray; mean: TypedArray; var: TypedArray } {
  const [N, C, S] = x.shape, [sN, sC, sS] = x.strides, X = x.storage;
  const y = alloc(x.dtype, N * C * S), mean = alloc(x.dtype, C), var_ = alloc(x.dtype, C);
  const w = weight ? vec(weight) : null, b = bias ? vec(bias) : null;
  const rm = stats ? vec(stats.mean) : null, rv = stats ? vec(stats.var) : null;
  const cnt = N * S;
  for (let c = 0; c < C; c++) {
    let mu: number, v: number;
    if (rm && rv) {
      mu = rm[c];
      v = rv[c];
    } else {
      let s = 0;
      for (let n = 0; n < N; n++) {
        const base = x.offset + n * sN + c * sC;
        for (let i = 0; i < S; i++) s += X[base + i * sS];
      }
      mu = s / cnt;
      let ss = 0;
      for (let n = 0; n < N; n++) {
        const base = x.offset + n * sN + c * sC;
        for (let i = 0; i < S; i++) {
          const d = X[base + i * sS] - mu;
          ss += d * d;
        }
      }
      v = ss / cnt;
    }
    mean[c] = mu;
    var_[c] = v;
    const scale = (w ? w[c] : 1) / Math.sqrt(v + eps), shift = (b ? b[c] : 0) - mu * scale;
    for (let n = 0; n < N; n++) {
      const base = x.offset + n * sN + c * sC, o = (n * C + c) * S;
      for (let i = 0; i < S; i++) y[o + i] = X[base + i * sS] * scale + shift;
    }
  }
  return { y, mean, var: var_ };
}

function batchNormBackward(g: View, x: View, mean: View, var_: View, weight: View | null, eps: number, batchStats: boolean): { dx: TypedArray; dweight: TypedArray; dbias: TypedArray } {
  const [N, C, S] = x.shape, [sN, sC, sS] = x.strides, [gN, gC, gS] = g.strides, X = x.storage, G = g.storage;
  const dx = alloc(g.dtype, N * C * S), dweight = alloc(g.dtype, C), dbias = alloc(g.dtype, C);
  const w = weight ? vec(weight) : null, mu = vec(mean), vr = vec(var_);
  const cnt = N * S;
  for (let c = 0; c < C; c++) {
    const r = 1 / Math.sqrt(vr[c] + eps), m = mu[c], wc = w ? w[c] : 1;
    let sg = 0, sgh = 0;
    for (let n = 0; n < N; n++) {
      const xb = x.offset + n * sN + c * sC, gb = g.offset + n * gN + c * gC;
      for (let i = 0; i < S; i++) {
        const gv = G[gb + i * gS];
        sg += gv;
        sgh += gv * (X[xb + i * sS] - m) * r;
      }
    }
    dweight[c] = sgh;
    dbias[c] = sg;
    // with gw = g wc: mean(gw) = wc sg / cnt, mean(gw xhat) = wc sgh / cnt
    const k = wc * r, mg = sg / cnt, mgh = sgh / cnt;
    for (let n = 0; n < N; n++) {
      const xb = x.offset + n * sN + c * sC, gb = g.offset + n * gN + c * gC, o = (n * C + c) * S;
      if (batchStats) for (let i = 0; i < S; i++) dx[o + i] = k * (G[gb + i * gS] - mg - (X[xb + i * sS] - m) * r * mgh);
      else for (let i = 0; i < S; i++) dx[o + i] = k * G[gb + i * gS];
    }
  }
  return { dx, dweight, dbias };
}

/** A 1-d view's values as a dense array. */
function vec(v: View): Float64Array {
  const n = v.shape[0], out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = v.storage[v.offset + i * v.strides[0]];
  return out;
}

export type { DType };
