// Shape ops. Views (reshape of contiguous, view, transpose, permute, expand, narrow, slice,
// squeeze, unsqueeze) share storage as in PyTorch; cat, stack, pad, repeat, flip copy.

import { checkOneOf, checkOptions } from "../tensor/options.js";
import { B } from "../backend/backend.js";
import { Tensor } from "../tensor/tensor.js";
import { attach } from "../tensor/autograd.js";
import { alloc } from "../tensor/dtype.js";
import { contiguousStrides, fmt, normDim, normDims, numelOf, shapesEqual, varArgs } from "../tensor/shape.js";
import { defineOp } from "./registry.js";
import { checkTensor, wrap } from "./util.js";
import { sumTo } from "./reduce.js";
import { indexSelect } from "./indexing.js";

function view_(x: Tensor, shape: number[], strides: number[], offset: number): Tensor {
  return new Tensor(x.storage, shape, x.dtype, strides, offset);
}

/** Resolves one -1 and checks the element count. */
function inferShape(op: string, x: Tensor, shape: number[]): number[] {
  const n = x.numel();
  let neg = -1, known = 1;
  const out = shape.slice();
  for (let i = 0; i < out.length; i++) {
    const s = out[i];
    if (s === -1) {
      if (neg >= 0) throw new Error(`${op}: only one dimension can be -1, got ${fmt(shape)}`);
      neg = i;
    } else if (!Number.isInteger(s) || s < 0) throw new Error(`${op}: invalid size ${s} in shape ${fmt(shape)}`);
    else known *= s;
  }
  if (neg >= 0) {
    if (known === 0 || n % known !== 0) throw new Error(`${op}: shape ${fmt(shape)} is invalid for input of shape ${fmt(x.shape)} (${n} elements)`);
    out[neg] = n / known;
  } else if (known !== n)
    throw new Error(`${op}: shape ${fmt(shape)} is invalid for input of shape ${fmt(x.shape)} (${n} elements, the new shape has ${known})`);
  return out;
}

/** Strides for viewing x as `shape` without copying, or null when impossible (as torch's computeStride). */
function viewStrides(x: Tensor, shape: number[]): number[] | null {
  if (x.isContiguous()) return contiguousStrides(shape);
  const oldShape = x.shape, oldStrides = x.strides;
  const newStrides = new Array<number>(shape.length);
  if (numelOf(oldShape) === 0) return contiguousStrides(shape);
  let viewD = shape.length - 1;
  let chunkBase = oldStrides[oldStrides.length - 1];
  let tensorNumel = 1, viewNumel = 1;
  for (let d = oldShape.length - 1; d >= 0; d--) {
    tensorNumel *= oldShape[d];
    if (d === 0 || (oldShape[d - 1] !== 1 && oldStrides[d - 1] !== tensorNumel * chunkBase)) {
      while (viewD >= 0 && (viewNumel < tensorNumel || shape[viewD] === 1)) {
        newStrides[viewD] = viewNumel * chunkBase;
        viewNumel *= shape[viewD];
        viewD--;
      }
      if (viewNumel !== tensorNumel) return null;
      if (d > 0) {
        chunkBase = oldStrides[d - 1];
        tensorNumel = 1;
        viewNumel = 1;
      }
    }
  }
  if (viewD !== -1) return null;
  return newStrides;
}

/** A contiguous copy (or x itself when already contiguous); gradient passes through. */
export const contiguous = defineOp("contiguous", (x: Tensor): Tensor => {
  checkTensor("contiguous", x);
  if (x.isContiguous()) return x;
  return clone(x);
});

/** A copy with its own storage; dy/dx = 1. */
export const clone = defineOp("clone", (x: Tensor): Tensor => {
  checkTensor("clone", x);
  const out = wrap(alloc(x.dtype, x.numel()), x.shape, x.dtype);
  B().copy(x, out);
  return attach(out, "clone", [x], (g) => [g]);
});

/** reshape(...shape): a view when strides allow, else a copy. One size may be -1. */
export const reshape = defineOp("reshape", (x: Tensor, ...shape: (number | number[])[]): Tensor => {
  checkTensor("reshape", x);
  const s = inferShape("reshape", x, varArgs(shape));
  if (shapesEqual(s, x.shape)) return x;
  const st = viewStrides(x, s);
  if (!st) {
    const c = clone(x);
    const o = view_(c, s, contiguousStrides(s), 0);
    return attach(o, "reshape", [c], (g) => [reshape(g, x.shape)]);
  }
  // dy/dx: the gradient reshaped back
  return attach(view_(x, s, st, x.offset), "reshape", [x], (g) => [reshape(g, x.shape)]);
});

/** view(...shape): like reshape but never copies; throws when strides are incompatible. */
export const view = defineOp("view", (x: Tensor, ...shape: (number | number[])[]): Tensor => {
  checkTensor("view", x);
  const s = inferShape("view", x, varArgs(shape));
  const st = viewStrides(x, s);
  if (!st)
    throw new Error(
      `view: size ${fmt(s)} is not compatible with input of shape ${fmt(x.shape)} and strides ${fmt(x.strides)} (at least one dim spans two contiguous subspaces); use reshape(...) instead`,
    );
  return attach(view_(x, s, st, x.offset), "view", [x], (g) => [reshape(g, x.shape)]);
});

/** flatten(x, startDim = 0, endDim = -1): merges dims startDim..endDim into one (a view when strides allow). */
export const flatten = defineOp("flatten", (x: Tensor, startDim = 0, endDim = -1): Tensor => {
  checkTensor("flatten", x);
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normDim("flatten", startDim, x.ndim, x.shape), e = normDim("flatten", endDim, x.ndim, x.shape);
  if (s > e) throw new Error(`flatten: startDim ${startDim} comes after endDim ${endDim} (shape ${fmt(x.shape)})`);
  const mid = x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1);
  return reshape(x, [...x.shape.slice(0, s), mid, ...x.shape.slice(e + 1)]);
});

/** squeeze(dim?): drops size-1 dims (all, or the given ones; others are left as is). */
export const squeeze = defineOp("squeeze", (x: Tensor, dim?: number | number[]): Tensor => {
  checkTensor("squeeze", x);
  const dims = dim === undefined ? null : normDims("squeeze", dim, x.ndim, x.shape);
  const shape: number[] = [];
  for (let d = 0; d < x.ndim; d++) if (!(x.shape[d] === 1 && (dims === null || dims.includes(d)))) shape.push(x.shape[d]);
  return reshape(x, shape);
});

/** unsqueeze(x, dim): a view with a size-1 dim inserted at dim. */
export const unsqueeze = defineOp("unsqueeze", (x: Tensor, dim: number): Tensor => {
  checkTensor("unsqueeze", x);
  const d = normDim("unsqueeze", dim, x.ndim + 1, x.shape);
  const shape = x.shape.slice(), strides = x.strides.slice();
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d] * x.shape[d] : 1);
  return attach(view_(x, shape, strides, x.offset), "unsqueeze", [x], (g) => [reshape(g, x.shape)]);
});

/** permute(...dims): a view with dims reordered; dy/dx: the inverse permutation. */
export const permute = defineOp("permute", (x: Tensor, ...dims: (number | number[])[]): Tensor => {
  checkTensor("permute", x);
  const p = varArgs(dims);
  if (p.length !== x.ndim) throw new Error(`permute: got ${p.length} dims ${fmt(p)} for a ${x.ndim}-d tensor of shape ${fmt(x.shape)} (expected ${x.ndim})`);
  const perm = p.map((d) => normDim("permute", d, x.ndim, x.shape));
  if (new Set(perm).size !== perm.length) throw new Error(`permute: dims ${fmt(p)} repeat a dim (shape ${fmt(x.shape)})`);
  const out = view_(x, perm.map((d) => x.shape[d]), perm.map((d) => x.strides[d]), x.offset);
  const inv = new Array<number>(perm.length);
  perm.forEach((d, i) => (inv[d] = i));
  return attach(out, "permute", [x], (g) => [permute(g, inv)]);
});

/** transpose(x, dim0, dim1): a view with the two dims swapped. */
export const transpose = defineOp("transpose", (x: Tensor, dim0: number, dim1: number): Tensor => {
  checkTensor("transpose", x);
  if (x.ndim === 0) return x;
  const a = normDim("transpose", dim0, x.ndim, x.shape), b = normDim("transpose", dim1, x.ndim, x.shape);
  const perm = x.shape.map((_, i) => i);
  perm[a] = b;
  perm[b] = a;
  return permute(x, perm);
});

/** t.T: the transpose of a 2-D tensor (dims reversed for others, as PyTorch). */
export function T(x: Tensor): Tensor {
  return permute(x, x.shape.map((_, i) => x.ndim - 1 - i));
}

/** expand(...shape): broadcasts size-1 dims without copying (-1 keeps a size);
 *  dy/dx: the gradient summed over the expanded dims. */
export const expand = defineOp("expand", (x: Tensor, ...shape: (number | number[])[]): Tensor => {
  checkTensor("expand", x);
  const s = varArgs(shape);
  if (s.length < x.ndim) throw new Error(`expand: the target shape ${fmt(s)} has fewer dims than the input shape ${fmt(x.shape)}`);
  const off = s.length - x.ndim;
  const outShape = new Array<number>(s.length), strides = new Array<number>(s.length);
  for (let i = 0; i < s.length; i++) {
    const j = i - off;
    const src = j >= 0 ? x.shape[j] : 1;
    const want = s[i] === -1 ? (j >= 0 ? src : NaN) : s[i];
    if (Number.isNaN(want)) throw new Error(`expand: -1 is not allowed for a new leading dim (target ${fmt(s)}, input ${fmt(x.shape)})`);
    if (j >= 0 && src !== 1 && src !== want)
      throw new Error(`expand: the input size ${src} at dim ${j} must match the target size ${want} (or be 1): input ${fmt(x.shape)}, target ${fmt(s)}`);
    outShape[i] = want;
    strides[i] = j >= 0 && src === want ? x.strides[j] : 0;
  }
  if (shapesEqual(outShape, x.shape)) return x;
  return attach(view_(x, outShape, strides, x.offset), "expand", [x], (g) => [sumTo(g, x.shape)]);
});

/** The elements for start..end (step) along dim, as a view. Negative bounds count from the end. */
export const slice = defineOp("slice", (x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor => {
  checkTensor("slice", x);
  const d = normDim("slice", dim, x.ndim, x.shape);
  const n = x.shape[d];
  if (!Number.isInteger(step) || step <= 0) throw new Error(`slice: step must be a positive integer, got ${step}`);
  let s = start ?? 0, e = end ?? n;
  if (s < 0) s += n;
  if (e < 0) e += n;
  s = Math.min(Math.max(s, 0), n);
  e = Math.min(Math.max(e, s), n);
  const len = Math.ceil((e - s) / step);
  const shape = x.shape.slice(), strides = x.strides.slice();
  shape[d] = len;
  strides[d] = x.strides[d] * step;
  const out = view_(x, shape, strides, x.offset + s * x.strides[d]);
  attach(out, "slice", [x], (g) => [sliceBackward(g, x.shape, d, s, step)]);
  if (out._node) out._node.accumulate = (acc, g) => {
    const view = new Tensor(acc.storage, shape, acc.dtype, strides.map((st, k) => (k === d ? acc.strides[k] * step : acc.strides[k])), acc.offset + s * acc.strides[d]);
    B().addInto(view, g);
  };
  return out;
});

/** Zeros of `shape` with g written at start::step along dim: the backward of slice (its own backward is slice). */
export const sliceBackward = defineOp("sliceBackward", (g: Tensor, shape: number[], dim: number, start: number, step: number): Tensor => {
  const out = wrap(alloc(g.dtype, numelOf(shape)), shape, g.dtype);
  const strides = out.strides.slice();
  strides[dim] *= step;
  B().copy(g, view_(out, g.shape, strides, start * out.strides[dim]));
  return attach(out, "sliceBackward", [g], (gg) => [slice(gg, dim, start, start + (g.shape[dim] - 1) * step + 1, step)]);
});

/** narrow(x, dim, start, length): a view of `length` elements along dim from start. */
export const narrow = defineOp("narrow", (x: Tensor, dim: number, start: number, length: number): Tensor => {
  checkTensor("narrow", x);
  const d = normDim("narrow", dim, x.ndim, x.shape);
  const s = start < 0 ? start + x.shape[d] : start;
  if (s < 0 || length < 0 || s + length > x.shape[d])
    throw new Error(`narrow: start ${start} and length ${length} exceed dim ${dim} of size ${x.shape[d]} (shape ${fmt(x.shape)})`);
  return slice(x, d, s, s + length);
});

/** cat(tensors, dim = 0): joins along an existing dim; dy/dx_i: the matching slice of g. */
export const cat = defineOp("cat", (tensors: Tensor[], dim = 0): Tensor => {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error(`cat: expected a non-empty array of tensors`);
  tensors.forEach((t, i) => checkTensor("cat", t, `tensor ${i}`));
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0)); // torch skips legacy empty [0] tensors
  const ref = parts.length ? parts[0] : tensors[0];
  const d = normDim("cat", dim, ref.ndim, ref.shape);
  let dt = ref.dtype;
  for (const t of parts) {
    if (t.ndim !== ref.ndim)
      throw new Error(`cat: tensors must have the same number of dims: ${fmt(ref.shape)} and ${fmt(t.shape)}`);
    for (let k = 0; k < t.ndim; k++)
      if (k !== d && t.shape[k] !== ref.shape[k])
        throw new Error(`cat: sizes must match except in dim ${d}: ${fmt(ref.shape)} and ${fmt(t.shape)} differ at dim ${k}`);
    dt = dt === t.dtype ? dt : (["bool", "int32", "float32", "float64"] as const)[Math.max(["bool", "int32", "float32", "float64"].indexOf(dt), ["bool", "int32", "float32", "float64"].indexOf(t.dtype))];
  }
  const shape = ref.shape.slice();
  shape[d] = parts.reduce((a, t) => a + t.shape[d], 0);
  const out = wrap(alloc(dt, numelOf(shape)), shape, dt);
  let at = 0;
  const starts: number[] = [];
  for (const t of parts) {
    starts.push(at);
    const s = out.shape.slice();
    s[d] = t.shape[d];
    B().copy(t, view_(out, s, out.strides, at * out.strides[d]));
    at += t.shape[d];
  }
  return attach(out, "cat", parts, (g) => parts.map((t, i) => (t.requiresGrad ? slice(g, d, starts[i], starts[i] + t.shape[d]) : null)));
});

/** stack(tensors, dim = 0): joins tensors of one shape along a new dim. */
export const stack = defineOp("stack", (tensors: Tensor[], dim = 0): Tensor => {
  if (!Array.isArray(tensors) || tensors.length === 0) throw new Error(`stack: expected a non-empty array of tensors`);
  tensors.forEach((t, i) => checkTensor("stack", t, `tensor ${i}`));
  for (const t of tensors)
    if (!shapesEqual(t.shape, tensors[0].shape))
      throw new Error(`stack: expects each tensor to be equal size, got ${fmt(tensors[0].shape)} and ${fmt(t.shape)}`);
  const d = normDim("stack", dim, tensors[0].ndim + 1, tensors[0].shape);
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
});

/** split(sizeOrSections, dim = 0): pieces of a given size (last may be smaller) or of the listed sizes. */
export const split = defineOp("split", (x: Tensor, sizeOrSections: number | number[], dim = 0): Tensor[] => {
  checkTensor("split", x);
  const d = normDim("split", dim, x.ndim, x.shape);
  const n = x.shape[d];
  let sizes: number[];
  if (Array.isArray(sizeOrSections)) {
    sizes = sizeOrSections;
    if (sizes.reduce((a, b) => a + b, 0) !== n)
      throw new Error(`split: sections ${fmt(sizes)} do not add up to ${n}, the size of dim ${dim} (shape ${fmt(x.shape)})`);
  } else {
    if (!Number.isInteger(sizeOrSections) || sizeOrSections <= 0) throw new Error(`split: size must be a positive integer, got ${sizeOrSections}`);
    sizes = [];
    for (let s = 0; s < n; s += sizeOrSections) sizes.push(Math.min(sizeOrSections, n - s));
    if (n === 0) sizes.push(0);
  }
  const out: Tensor[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(narrow(x, d, at, s));
    at += s;
  }
  return out;
});

/** chunk(n, dim = 0): at most n pieces of size ceil(len / n), as torch.chunk. */
export const chunk = defineOp("chunk", (x: Tensor, chunks: number, dim = 0): Tensor[] => {
  checkTensor("chunk", x);
  if (!Number.isInteger(chunks) || chunks <= 0) throw new Error(`chunk: number of chunks must be a positive integer, got ${chunks}`);
  const d = normDim("chunk", dim, x.ndim, x.shape);
  const size = Math.ceil(x.shape[d] / chunks);
  return split(x, Math.max(size, 1), d);
});

/** flip(dims): reverses the order along dims (a copy, as PyTorch); `t.flip(0, 1)` and `t.flip([0, 1])` alike.
 *  dy/dx: g flipped back. */
export const flip = defineOp("flip", (x: Tensor, ...dims: (number | number[])[]): Tensor => {
  checkTensor("flip", x);
  const list = varArgs(dims);
  const ds = list.length ? normDims("flip", list, x.ndim, x.shape) : []; // flip([]) is a copy, as torch
  const strides = x.strides.slice();
  let offset = x.offset;
  for (const d of ds) {
    offset += (x.shape[d] - 1) * x.strides[d];
    strides[d] = -x.strides[d];
  }
  const out = wrap(alloc(x.dtype, x.numel()), x.shape, x.dtype);
  if (out.numel() > 0) B().copy(view_(x, x.shape, strides, offset), out);
  return attach(out, "flip", [x], (g) => [flip(g, ds)]);
});

/** repeat(...times): tiles the tensor (like numpy.tile); built from expand, so its gradient sums the tiles. */
export const repeat = defineOp("repeat", (x: Tensor, ...times: (number | number[])[]): Tensor => {
  checkTensor("repeat", x);
  const t = varArgs(times);
  if (t.length < x.ndim) throw new Error(`repeat: got ${t.length} repeat counts for a ${x.ndim}-d tensor of shape ${fmt(x.shape)} (expected at least ${x.ndim})`);
  const src = [...new Array(t.length - x.ndim).fill(1), ...x.shape];
  const inter: number[] = [], big: number[] = [];
  src.forEach((s, i) => {
    inter.push(1, s);
    big.push(t[i], s);
  });
  return reshape(contiguous(expand(reshape(x, inter), big)), src.map((s, i) => s * t[i]));
});

/** Options of pad / F.pad. */
export interface PadOptions {
  /** How the padding is filled (default "constant"). */
  mode?: "constant" | "reflect" | "replicate" | "circular";
  /** The fill value of constant padding (default 0). */
  value?: number;
}
const PAD_KEYS = ["mode", "value"] as const;
const PAD_MODES = ["constant", "reflect", "replicate", "circular"] as const;

/** pad(x, pads, value | { mode, value }): pads as F.pad, last dim first ([left, right, top, bottom, ...]).
 *  Negative pads crop. Constant: dy/dx is g cropped back; other modes index, so gradients add up. */
export const pad = defineOp("pad", (x: Tensor, pads: number[], opts: number | PadOptions = {}): Tensor => {
  checkTensor("pad", x);
  const o: PadOptions = typeof opts === "number" ? { value: opts } : checkOptions("F.pad", opts, PAD_KEYS, 3);
  const mode = o.mode === undefined ? "constant" : checkOneOf("F.pad", "mode", o.mode, PAD_MODES);
  if (!Array.isArray(pads) || pads.length % 2 !== 0 || pads.length / 2 > x.ndim)
    throw new Error(`pad: pads ${JSON.stringify(pads)} must have an even length of at most 2 * ndim = ${2 * x.ndim} (shape ${fmt(x.shape)})`);
  let y = x;
  if (mode !== "constant") {
    for (let i = 0; i < pads.length / 2; i++) {
      const d = x.ndim - 1 - i, n = x.shape[d], lo = pads[2 * i], hi = pads[2 * i + 1];
      if (lo === 0 && hi === 0) continue;
      if (mode === "reflect" && (lo >= n || hi >= n))
        throw new Error(`pad: reflect padding (${lo}, ${hi}) must be smaller than the size ${n} of dim ${d} (shape ${fmt(x.shape)})`);
      const idx: number[] = [];
      for (let k = -lo; k < n + hi; k++) {
        if (mode === "replicate") idx.push(Math.min(Math.max(k, 0), n - 1));
        else if (mode === "circular") idx.push(((k % n) + n) % n);
        else {
          let r = k;
          if (r < 0) r = -r;
          if (r >= n) r = 2 * (n - 1) - r;
          idx.push(r);
        }
      }
      y = indexSelect(y, d, new Tensor(Int32Array.from(idx), [idx.length], "int32"));
    }
    return y;
  }
  const value = o.value ?? 0;
  // crop first (negative pads), then pad
  const shape = x.shape.slice();
  const starts = new Array<number>(x.ndim).fill(0);
  for (let i = 0; i < pads.length / 2; i++) {
    const d = x.ndim - 1 - i, lo = pads[2 * i], hi = pads[2 * i + 1];
    if (lo < 0) y = slice(y, d, -lo);
    if (hi < 0) y = slice(y, d, 0, y.shape[d] + hi);
    starts[d] = Math.max(lo, 0);
    shape[d] = y.shape[d] + Math.max(lo, 0) + Math.max(hi, 0);
  }
  for (let d = 0; d < x.ndim; d++) if (d < x.ndim - pads.length / 2) shape[d] = y.shape[d];
  const src = y;
  const out = wrap(alloc(x.dtype, numelOf(shape)), shape, x.dtype);
  if (value !== 0) out.storage.fill(value);
  let off = 0;
  for (let d = 0; d < x.ndim; d++) off += starts[d] * out.strides[d];
  if (src.numel() > 0) B().copy(src, view_(out, src.shape, out.strides, off));
  return attach(out, "pad", [src], (g) => {
    let r = g;
    for (let d = 0; d < x.ndim; d++) if (r.shape[d] !== src.shape[d]) r = slice(r, d, starts[d], starts[d] + src.shape[d]);
    return [r];
  });
});

/** select(dim, index): the slice at `index` along dim, with that dim removed (x[..., index, ...]).
 *  Composed of narrow and squeeze, so its gradient comes from theirs. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  checkTensor("select", x);
  const d = normDim("select", dim, x.ndim, x.shape);
  const n = x.shape[d];
  if (!Number.isInteger(index) || index < -n || index >= n)
    throw new Error(`select: index ${index} out of range for dim ${dim} of size ${n} (shape ${fmt(x.shape)})`);
  return squeeze(narrow(x, d, index < 0 ? index + n : index, 1), d);
}

/** unbind(dim = 0): every slice along dim, each with that dim removed. */
export function unbind(x: Tensor, dim = 0): Tensor[] {
  checkTensor("unbind", x);
  const d = normDim("unbind", dim, x.ndim, x.shape);
  return Array.from({ length: x.shape[d] }, (_, i) => select(x, d, i));
}
