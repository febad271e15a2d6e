// Indexing ops: indexSelect gather scatter scatterAdd maskedFill tril triu oneHot.

import { B } from "../backend/backend.js";
import { Tensor } from "../tensor/tensor.js";
import { attach } from "../tensor/autograd.js";
import { fmt, normDim, broadcastShapes } from "../tensor/shape.js";
import { defineOp } from "./registry.js";
import { checkTensor, expandView, scalar, wrap, type Operand } from "./util.js";
import { where } from "./elementwise.js";
import { zeros } from "./creation.js";
import { pad as padOp } from "./shape.js";

/** Index tensors are int32 (or float/bool holding integers, which JS number arrays produce). */
function asIndex(op: string, index: Tensor): Tensor {
  checkTensor(op, index, "index");
  if (index.dtype === "int32") return index;
  const v = index.dataSync();
  for (let i = 0; i < v.length; i++)
    if (!Number.isInteger(v[i])) throw new Error(`${op}: index must hold integers, got ${index.dtype} of shape ${fmt(index.shape)} with value ${v[i]} (expected an int32 tensor)`);
  return new Tensor(Int32Array.from(v), index.shape, "int32");
}

function checkGatherShapes(op: string, x: Tensor, d: number, index: Tensor, src?: Tensor): void {
  if (index.ndim !== x.ndim && !(x.ndim === 0 && index.ndim <= 1))
    throw new Error(`${op}: index ${fmt(index.shape)} must have the same number of dims as the input ${fmt(x.shape)}`);
  for (let k = 0; k < index.ndim; k++) {
    if (k !== d && index.shape[k] > x.shape[k])
      throw new Error(`${op}: index ${fmt(index.shape)} is larger than the input ${fmt(x.shape)} at dim ${k} (expected index.shape[${k}] <= ${x.shape[k]})`);
    if (src && index.shape[k] > src.shape[k])
      throw new Error(`${op}: index ${fmt(index.shape)} is larger than src ${fmt(src.shape)} at dim ${k}`);
  }
}

/** Zeros of `shape` with g in its leading corner (when src is larger than index). */
function padTo(g: Tensor, shape: number[]): Tensor {
  if (g.shape.every((s, i) => s === shape[i])) return g;
  const pads: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) pads.push(0, shape[d] - g.shape[d]);
  return padOp(g, pads);
}

/** out[i][j] = x[index[i][j]][j] for dim 0 (and likewise for other dims).
 *  d/dx: g scatter-added back at the index positions. */
export const gather = defineOp("gather", (x: Tensor, dim: number, index: Tensor): Tensor => {
  checkTensor("gather", x);
  const idx = asIndex("gather", index);
  const d = normDim("gather", dim, x.ndim, x.shape);
  checkGatherShapes("gather", x, d, idx);
  const out = wrap(B().gather(x, Math.min(d, Math.max(x.ndim - 1, 0)), idx), idx.shape, x.dtype);
  return attach(out, "gather", [x], (g) => [scatterAdd(zeros(x.shape, { dtype: g.dtype }), d, idx, g)]);
});

/** A copy of x with src written at index positions along dim (src may be a number).
 *  d/dx: g with the overwritten positions zeroed; d/dsrc: g gathered at index. */
export const scatter = defineOp("scatter", (x: Tensor, dim: number, index: Tensor, src: Operand): Tensor => {
  checkTensor("scatter", x);
  const idx = asIndex("scatter", index);
  const d = normDim("scatter", dim, x.ndim, x.shape);
  const s = src instanceof Tensor ? src : scalar(src, x.dtype);
  checkGatherShapes("scatter", x, d, idx, s.ndim ? s : undefined);
  const sv = s.ndim === 0 ? expandView(s, idx.shape) : s;
  const out = wrap(B().scatter(x, d, idx, sv, "set"), x.shape, x.dtype);
  return attach(out, "scatter", [x, s], (g) => [
    x.requiresGrad ? scatter(g, d, idx, 0) : null,
    s.requiresGrad ? (s.ndim === 0 ? gather(g, d, idx).sum() : padTo(gather(g, d, idx), s.shape)) : null,
  ]);
});

/** A copy of x with src added at index positions along dim (repeated indices add up).
 *  d/dx = g; d/dsrc: g gathered at index. */
export const scatterAdd = defineOp("scatterAdd", (x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor => {
  checkTensor("scatterAdd", x);
  checkTensor("scatterAdd", src, "src");
  const idx = asIndex("scatterAdd", index);
  const d = normDim("scatterAdd", dim, x.ndim, x.shape);
  checkGatherShapes("scatterAdd", x, d, idx, src);
  const out = wrap(B().scatter(x, d, idx, src, "add"), x.shape, x.dtype);
  return attach(out, "scatterAdd", [x, src], (g) => [g, src.requiresGrad ? padTo(gather(g, d, idx), src.shape) : null]);
});

/** The entries of x at the positions `index` (1-D) along dim; built on gather, so repeated
 *  indices get summed gradients. */
export const indexSelect = defineOp("indexSelect", (x: Tensor, dim: number, index: Tensor): Tensor => {
  checkTensor("indexSelect", x);
  const idx = asIndex("indexSelect", index);
  if (idx.ndim > 1) throw new Error(`indexSelect: index must be 0-d or 1-d, got shape ${fmt(idx.shape)}`);
  const d = normDim("indexSelect", dim, x.ndim, x.shape);
  if (x.ndim === 0) return gather(x, 0, idx.reshape([]));
  const n = idx.ndim === 0 ? 1 : idx.shape[0];
  const shape = x.shape.slice();
  shape[d] = n;
  const strides = shape.map((_, k) => (k === d ? (idx.ndim === 0 ? 0 : idx.strides[0]) : 0));
  const lim = x.shape[d], v = idx.dataSync();
  for (let i = 0; i < v.length; i++)
    if (v[i] < -lim || v[i] >= lim) throw new Error(`indexSelect: index ${v[i]} out of range for dim ${dim} of size ${lim} (shape ${fmt(x.shape)})`);
  let iv = new Tensor(idx.storage, shape, "int32", strides, idx.offset);
  if (v.some((k) => k < 0)) {
    const pos = Int32Array.from(v, (k) => (k < 0 ? k + lim : k));
    iv = new Tensor(pos, shape, "int32", shape.map((_, k) => (k === d ? 1 : 0)), 0);
  }
  return gather(x, d, iv);
});

/** maskedFill(x, mask, value): value where mask is true; mask broadcasts to x. */
export const maskedFill = defineOp("maskedFill", (x: Tensor, mask: Tensor, value: Operand): Tensor => {
  checkTensor("maskedFill", x);
  checkTensor("maskedFill", mask, "mask");
  if (mask.dtype !== "bool") throw new Error(`maskedFill: mask must be a bool tensor, got ${mask.dtype} of shape ${fmt(mask.shape)}`);
  const shape = broadcastShapes("maskedFill", x.shape, mask.shape);
  if (shape.length !== x.ndim || shape.some((s, i) => s !== x.shape[i]))
    throw new Error(`maskedFill: mask ${fmt(mask.shape)} must broadcast to the input ${fmt(x.shape)} without growing it`);
  const v = value instanceof Tensor ? value.to(x.dtype) : scalar(value, x.dtype);
  return where(mask, v, x);
});

function triangle(name: string, keep: (i: number, j: number, k: number) => boolean) {
  return defineOp(name, (x: Tensor, k = 0): Tensor => {
    checkTensor(name, x);
    if (x.ndim < 2) throw new Error(`${name}: expected a tensor with at least 2 dims, got shape ${fmt(x.shape)}`);
    const R = x.shape[x.ndim - 2], C = x.shape[x.ndim - 1];
    const m = new Uint8Array(R * C);
    for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) m[i * C + j] = keep(i, j, k) ? 1 : 0;
    return where(new Tensor(m, [R, C], "bool"), x, scalar(0, x.dtype));
  });
}
/** Lower triangle (j - i <= k); the rest is 0. */
export const tril = triangle("tril", (i, j, k) => j - i <= k);
/** Upper triangle (j - i >= k); the rest is 0. */
export const triu = triangle("triu", (i, j, k) => j - i >= k);

/** oneHot(indices, numClasses = max + 1): int32 [..., numClasses]. */
export const oneHot = defineOp(
  "oneHot",
  (x: Tensor, numClasses = -1): Tensor => {
    const idx = asIndex("oneHot", x);
    const v = idx.dataSync();
    let c = numClasses;
    if (c < 0) c = v.length ? Math.max(...v) + 1 : 0;
    const out = new Int32Array(v.length * c);
    for (let i = 0; i < v.length; i++) {
      if (v[i] < 0 || v[i] >= c) throw new Error(`oneHot: class value ${v[i]} is out of range for numClasses ${c} (shape ${fmt(x.shape)})`);
      out[i * c + v[i]] = 1;
    }
    return new Tensor(out, [...x.shape, c], "int32");
  },
  { differentiable: false },
);

