// Tensor methods: every op as t.op(...) (the op with its first tensor dropped), conversions,
// autograd entry points and the few in-place ops that optimisers and init need.

import { Tensor } from "../tensor/tensor.js";
import { backward, isGradEnabled, setRequiresGrad } from "../tensor/autograd.js";
import { B } from "../backend/backend.js";
import { fmt } from "../tensor/shape.js";
import type { DType } from "../tensor/dtype.js";
import { normal, uniform } from "../tensor/random.js";
import * as ew from "./elementwise.js";
import * as red from "./reduce.js";
import * as la from "./linalg.js";
import * as sh from "./shape.js";
import * as ix from "./indexing.js";
import * as so from "./sort.js";
import * as act from "../nn/activation.js";
import { expandView, type Operand } from "./util.js";

type Method<F> = F extends (x: Tensor, ...rest: infer R) => infer O ? (...rest: R) => O : never;

const METHOD_OPS = {
  add: ew.add, sub: ew.sub, mul: ew.mul, div: ew.div, pow: ew.pow, neg: ew.neg, reciprocal: ew.reciprocal,
  abs: ew.abs, sign: ew.sign, exp: ew.exp, log: ew.log, log1p: ew.log1p, expm1: ew.expm1, sqrt: ew.sqrt,
  rsqrt: ew.rsqrt, square: ew.square, sin: ew.sin, cos: ew.cos, tanh: ew.tanh, sigmoid: ew.sigmoid,
  floor: ew.floor, ceil: ew.ceil, round: ew.round, clamp: ew.clamp, maximum: ew.maximum, minimum: ew.minimum,
  erf: ew.erf, relu: ew.relu,
  eq: ew.eq, ne: ew.ne, lt: ew.lt, le: ew.le, gt: ew.gt, ge: ew.ge,
  logicalAnd: ew.logicalAnd, logicalOr: ew.logicalOr, logicalNot: ew.logicalNot, isnan: ew.isnan, isfinite: ew.isfinite,
  sum: red.sum, mean: red.mean, prod: red.prod, max: red.max, min: red.min, amax: red.amax, amin: red.amin,
  argmax: red.argmax, argmin: red.argmin, logsumexp: red.logsumexp, all: red.all, any: red.any,
  var: red.variance, std: red.std, norm: red.norm, cumsum: red.cumsum,
  matmul: la.matmul, mm: la.mm, bmm: la.bmm, outer: la.outer, dot: la.dot,
  reshape: sh.reshape, view: sh.view, flatten: sh.flatten, squeeze: sh.squeeze, unsqueeze: sh.unsqueeze,
  transpose: sh.transpose, permute: sh.permute, expand: sh.expand, repeat: sh.repeat, flip: sh.flip,
  split: sh.split, chunk: sh.chunk, narrow: sh.narrow, slice: sh.slice, pad: sh.pad,
  contiguous: sh.contiguous, clone: sh.clone, select: sh.select, unbind: sh.unbind,
  indexSelect: ix.indexSelect, gather: ix.gather, scatter: ix.scatter, scatterAdd: ix.scatterAdd,
  maskedFill: ix.maskedFill, tril: ix.tril, triu: ix.triu, oneHot: ix.oneHot,
  to: ew.cast, softmax: act.softmax, logSoftmax: act.logSoftmax,
  sort: so.sort, argsort: so.argsort, topk: so.topk, nonzero: so.nonzero, unique: so.unique,
};

type Methods = { [K in Exclude<keyof typeof METHOD_OPS, "max" | "min" | "nonzero" | "unique">]: Method<(typeof METHOD_OPS)[K]> };

declare module "../tensor/tensor.js" {
  // Every op of METHOD_OPS written out (checked against the ops below: methodsMatch), so that each
  // method has its own doc comment in the declarations and the API docs.
  interface Tensor {
    /** t.add(b): t + b, broadcast; either operand may be a number. */
    add(b: Operand): Tensor;
    /** t.sub(b): t - b, broadcast; either operand may be a number. */
    sub(b: Operand): Tensor;
    /** t.mul(b): t * b, broadcast; either operand may be a number. */
    mul(b: Operand): Tensor;
    /** t.div(b): t / b (true division, float result), broadcast; either operand may be a number. */
    div(b: Operand): Tensor;
    /** t.pow(b): t ** b, broadcast; either operand may be a number. */
    pow(b: Operand): Tensor;
    /** t.neg(): -t, elementwise (not for bool tensors). */
    neg(): Tensor;
    /** t.reciprocal(): 1 / t, elementwise (float result). */
    reciprocal(): Tensor;
    /** t.abs(): |t|, elementwise, same dtype. */
    abs(): Tensor;
    /** t.sign(): -1, 0 or 1 by the sign of each element, same dtype. */
    sign(): Tensor;
    /** t.exp(): e^t, elementwise (float result). */
    exp(): Tensor;
    /** t.log(): the natural logarithm, elementwise (float result). */
    log(): Tensor;
    /** t.log1p(): log(1 + t), accurate for small x. */
    log1p(): Tensor;
    /** t.expm1(): e^t - 1, accurate for small x. */
    expm1(): Tensor;
    /** t.sqrt(): the square root, elementwise (float result). */
    sqrt(): Tensor;
    /** t.rsqrt(): 1 / sqrt(t), elementwise. */
    rsqrt(): Tensor;
    /** t.square(): t * t, elementwise, same dtype. */
    square(): Tensor;
    /** t.sin(): sin, elementwise (float result). */
    sin(): Tensor;
    /** t.cos(): cos, elementwise (float result). */
    cos(): Tensor;
    /** t.tanh(): tanh, elementwise (float result). */
    tanh(): Tensor;
    /** t.sigmoid(): 1 / (1 + e^-t), elementwise. */
    sigmoid(): Tensor;
    /** t.floor(): rounds down, elementwise; gradient 0. */
    floor(): Tensor;
    /** t.ceil(): rounds up, elementwise; gradient 0. */
    ceil(): Tensor;
    /** t.round(): rounds to the nearest integer, half to even, as torch.round. */
    round(): Tensor;
    /** t.clamp(min?, max?): each element limited to [min, max]; min/max may be numbers or tensors. */
    clamp(min?: Operand | null, max?: Operand | null): Tensor;
    /** t.maximum(b): the larger of t and b, elementwise, broadcast. */
    maximum(b: Operand): Tensor;
    /** t.minimum(b): the smaller of t and b, elementwise, broadcast; the gradient as maximum's. */
    minimum(b: Operand): Tensor;
    /** t.erf(): the Gauss error function, elementwise. */
    erf(): Tensor;
    /** t.relu(): max(t, 0), elementwise. */
    relu(): Tensor;
    /** t.eq(b): t == b, elementwise, broadcast (bool result). */
    eq(b: Operand): Tensor;
    /** t.ne(b): t != b, elementwise, broadcast (bool result). */
    ne(b: Operand): Tensor;
    /** t.lt(b): t < b, elementwise, broadcast (bool result). */
    lt(b: Operand): Tensor;
    /** t.le(b): t <= b, elementwise, broadcast (bool result). */
    le(b: Operand): Tensor;
    /** t.gt(b): t > b, elementwise, broadcast (bool result). */
    gt(b: Operand): Tensor;
    /** t.ge(b): t >= b, elementwise, broadcast (bool result). */
    ge(b: Operand): Tensor;
    /** t.logicalAnd(b): t && b (non-zero is true), broadcast (bool result). */
    logicalAnd(b: Operand): Tensor;
    /** t.logicalOr(b): t || b (non-zero is true), broadcast (bool result). */
    logicalOr(b: Operand): Tensor;
    /** t.logicalNot(): !t as a bool tensor (non-zero is true). */
    logicalNot(): Tensor;
    /** t.isnan(): true where an element is NaN (bool result). */
    isnan(): Tensor;
    /** t.isfinite(): true where an element is neither infinite nor NaN (bool result). */
    isfinite(): Tensor;
    /** t.sum(dim?, keepdim = false): the sum over dim (a number or a list; every dim when omitted). */
    sum(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** t.mean(dim?, keepdim = false): the mean over dim (every dim when omitted); float result. */
    mean(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** t.prod(dim?, keepdim = false): the product over dim (every dim when omitted). */
    prod(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** t.amax(dim?, keepdim = false): the maximum over dim (every dim when omitted); ties share the gradient. */
    amax(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** t.amin(dim?, keepdim = false): the minimum over dim (every dim when omitted); ties share the gradient. */
    amin(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** t.argmax(dim?, keepdim = false): int32 index of the maximum along dim (of the flattened tensor when omitted). */
    argmax(dim?: number | null, keepdim?: boolean): Tensor;
    /** t.argmin(dim?, keepdim = false): int32 index of the minimum along dim (of the flattened tensor when omitted). */
    argmin(dim?: number | null, keepdim?: boolean): Tensor;
    /** t.logsumexp(dim?, keepdim = false): log(sum(exp(t))) over dim, computed stably. */
    logsumexp(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** t.all(dim?, keepdim = false): true where every element over dim is non-zero (bool result). */
    all(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** t.any(dim?, keepdim = false): true where some element over dim is non-zero (bool result). */
    any(dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** t.var(dim?, { correction = 1, keepdim = false }): the variance over dim (every dim when omitted). */
    var(dim?: number | number[] | null | red.VarOptions | boolean, opts?: red.VarOptions | boolean, keepdim?: boolean): Tensor;
    /** t.std(dim?, { correction = 1, keepdim = false }): the standard deviation, sqrt(var). */
    std(dim?: number | number[] | null | red.VarOptions | boolean, opts?: red.VarOptions | boolean, keepdim?: boolean): Tensor;
    /** t.norm(p = 2, dim?, keepdim = false): the vector p-norm over dim (every dim when omitted); p = Infinity gives max |t|. */
    norm(p?: number | "fro", dim?: number | number[] | null, keepdim?: boolean): Tensor;
    /** t.cumsum(dim): the cumulative sum along dim. */
    cumsum(dim: number): Tensor;
    /** t.matmul(b): the matrix product with torch.matmul's rules (1-D operands, batched dims broadcast). */
    matmul(b: Tensor): Tensor;
    /** t.mm(b): 2-D only. */
    mm(b: Tensor): Tensor;
    /** t.bmm(b): [B, M, K] @ [B, K, N], no broadcasting. */
    bmm(b: Tensor): Tensor;
    /** t.outer(b): t[i] b[j] for 1-D t and b. */
    outer(b: Tensor): Tensor;
    /** t.dot(b): sum t[i] b[i] for 1-D tensors of the same length. */
    dot(b: Tensor): Tensor;
    /** t.reshape(...shape): a view when strides allow, else a copy. One size may be -1. */
    reshape(...shape: (number | number[])[]): Tensor;
    /** t.view(...shape): like reshape but never copies; throws when strides are incompatible. */
    view(...shape: (number | number[])[]): Tensor;
    /** t.flatten(startDim = 0, endDim = -1): merges dims startDim..endDim into one (a view when strides allow). */
    flatten(startDim?: number, endDim?: number): Tensor;
    /** t.squeeze(dim?): drops size-1 dims (all, or the given ones; others are left as is). */
    squeeze(dim?: number | number[]): Tensor;
    /** t.unsqueeze(dim): a view with a size-1 dim inserted at dim. */
    unsqueeze(dim: number): Tensor;
    /** t.transpose(dim0, dim1): a view with the two dims swapped. */
    transpose(dim0: number, dim1: number): Tensor;
    /** t.permute(...dims): a view with dims reordered. */
    permute(...dims: (number | number[])[]): Tensor;
    /** t.expand(...shape): broadcasts size-1 dims without copying (-1 keeps a size). */
    expand(...shape: (number | number[])[]): Tensor;
    /** t.repeat(...times): tiles the tensor (like numpy.tile). */
    repeat(...times: (number | number[])[]): Tensor;
    /** t.flip(...dims): reverses the order along dims (a copy, as PyTorch); `t.flip(0, 1)` and `t.flip([0, 1])` alike. */
    flip(...dims: (number | number[])[]): Tensor;
    /** t.split(sizeOrSections, dim = 0): pieces of a given size (last may be smaller) or of the listed sizes. */
    split(sizeOrSections: number | number[], dim?: number): Tensor[];
    /** t.chunk(n, dim = 0): at most n pieces of size ceil(len / n), as torch.chunk. */
    chunk(chunks: number, dim?: number): Tensor[];
    /** t.narrow(dim, start, length): a view of `length` elements along dim from start. */
    narrow(dim: number, start: number, length: number): Tensor;
    /** t.slice(dim, start?, end?, step = 1): the elements start..end (step) along dim, as a view. Negative bounds count from the end. */
    slice(dim: number, start?: number | null, end?: number | null, step?: number): Tensor;
    /** t.pad(pads, value | { mode, value }): pads as F.pad, last dim first ([left, right, top, bottom, ...]). */
    pad(pads: number[], opts?: number | sh.PadOptions): Tensor;
    /** t.contiguous(): a contiguous copy (or t itself when already contiguous). */
    contiguous(): Tensor;
    /** t.clone(): a copy with its own storage (differentiable). */
    clone(): Tensor;
    /** t.select(dim, index): the slice at `index` along dim, with that dim removed (t[..., index, ...]). */
    select(dim: number, index: number): Tensor;
    /** t.unbind(dim = 0): every slice along dim, each with that dim removed. */
    unbind(dim?: number): Tensor[];
    /** t.indexSelect(dim, index): the entries at the positions `index` (1-D) along dim. */
    indexSelect(dim: number, index: Tensor): Tensor;
    /** t.gather(dim, index): out[i][j] = t[index[i][j]][j] for dim 0 (likewise for other dims). */
    gather(dim: number, index: Tensor): Tensor;
    /** t.scatter(dim, index, src): a copy with src written at the index positions along dim (src may be a number). */
    scatter(dim: number, index: Tensor, src: Operand): Tensor;
    /** t.scatterAdd(dim, index, src): a copy with src added at the index positions along dim (repeated indices add up). */
    scatterAdd(dim: number, index: Tensor, src: Tensor): Tensor;
    /** t.maskedFill(mask, value): value where mask is true; mask broadcasts to t. */
    maskedFill(mask: Tensor, value: Operand): Tensor;
    /** t.tril(k = 0): the lower triangle (j - i <= k); the rest is 0. */
    tril(k?: number): Tensor;
    /** t.triu(k = 0): the upper triangle (j - i >= k); the rest is 0. */
    triu(k?: number): Tensor;
    /** t.oneHot(numClasses = max + 1): int32 [..., numClasses] (on an int tensor of class indices). */
    oneHot(numClasses?: number): Tensor;
    /** t.to(dtype): a cast; float -> int truncates toward zero, any -> bool is x != 0. */
    to(dtype: DType): Tensor;
    /** t.softmax(dim): exp(t) / sum exp(t) along dim, computed stably. */
    softmax(dim: number): Tensor;
    /** t.logSoftmax(dim): t - logsumexp(t) along dim, computed stably. */
    logSoftmax(dim: number): Tensor;
    /** max() -> 0-d tensor; max(dim, keepdim?) -> { values, indices }. */
    max(): Tensor;
    /** max(dim, keepdim = false): the largest values along dim and their int32 indices. */
    max(dim: number, keepdim?: boolean): red.ValuesIndices;
    /** min() -> 0-d tensor; min(dim, keepdim?) -> { values, indices }. */
    min(): Tensor;
    /** min(dim, keepdim = false): the smallest values along dim and their int32 indices. */
    min(dim: number, keepdim?: boolean): red.ValuesIndices;
    /** The transpose (2-D), dims reversed otherwise. */
    readonly T: Tensor;
    /** The transpose of the last two dims (a view), as torch's x.mT; needs at least 2 dims. */
    readonly mT: Tensor;
    /** sort({ dim = -1, descending = false, stable }) -> { values, indices } (see dt.sort). */
    sort(opts?: so.SortOptions): so.SortResult;
    /** argsort({ dim = -1, descending = false, stable }): the int32 indices that sort the tensor along dim. */
    argsort(opts?: so.SortOptions): Tensor;
    /** topk(k, { dim = -1, largest = true, sorted = true }) -> { values, indices } (see dt.topk). */
    topk(k: number, opts?: so.TopkOptions): so.SortResult;
    /** int32 [N, ndim] indices of the non-zero elements; { asTuple: true }: one 1-D tensor per dim. */
    nonzero(): Tensor;
    /** One 1-D int32 tensor of indices per dim (torch's as_tuple=True). */
    nonzero(opts: { asTuple: true }): Tensor[];
    /** [N, ndim] indices, or one tensor per dim with asTuple (see dt.nonzero). */
    nonzero(opts?: { asTuple?: boolean }): Tensor | Tensor[];
    /** The sorted distinct values; with returnInverse / returnCounts: { values, inverse?, counts? } (see dt.unique). */
    unique(opts?: so.UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
    /** { values, inverse, counts }: the distinct values, each element's index in them, and their counts. */
    unique(opts: so.UniqueOptions & { returnInverse: true; returnCounts: true }): so.UniqueResult<true, true>;
    /** { values, inverse }: the distinct values and each element's index in them. */
    unique(opts: so.UniqueOptions & { returnInverse: true }): so.UniqueResult<true, false>;
    /** { values, counts }: the distinct values and how often each occurs. */
    unique(opts: so.UniqueOptions & { returnCounts: true }): so.UniqueResult<false, true>;
    /** The distinct values, or { values, inverse?, counts? } when a flag is set (see dt.unique). */
    unique(opts?: so.UniqueOptions): Tensor | so.UniqueResult;
    /** torch's x.where(cond, other), or cond.where(a, b) on a bool tensor (dt.where's argument order). */
    where(condOrA: Operand, other: Operand): Tensor;
    /** A tensor sharing storage with no graph. */
    detach(): Tensor;
    /** Computes the gradient of this tensor w.r.t. the graph's leaves, accumulating into their `.grad`.
     *  `gradient` (default 1) is needed unless the tensor has one element; `retainGraph` keeps the graph for another backward. */
    backward(gradient?: Tensor | null, opts?: { retainGraph?: boolean; createGraph?: boolean }): void;
    /** Sets requiresGrad in place (default true) and returns this tensor. */
    requiresGrad_(flag?: boolean): Tensor;
    /** size() -> the shape (a copy); size(dim) -> the size of one dim (negative counts from the end). */
    size(): number[];
    /** The size of one dim (negative counts from the end). */
    size(dim: number): number;
    /** The number of dims (ndim). */
    dim(): number;
    /** t.to("float32"). */
    float(): Tensor;
    /** t.to("float64"). */
    double(): Tensor;
    /** t.to("int32"); floats truncate toward zero. */
    int(): Tensor;
    /** t.to("bool"): true where non-zero. */
    bool(): Tensor;
    /** t.expand(other.shape). */
    expandAs(other: Tensor): Tensor;
    /** t.reshape(other.shape). */
    reshapeAs(other: Tensor): Tensor;
    /** t.view(other.shape). */
    viewAs(other: Tensor): Tensor;
    /** t.to(other.dtype). */
    typeAs(other: Tensor): Tensor;
    // in-place (under dt.noGrad for tensors that require grad)
    /** Writes src (broadcast, cast to this dtype) into this tensor in place. */
    copy_(src: Operand): Tensor;
    /** Sets every element to v in place. */
    fill_(v: number): Tensor;
    /** Sets every element to 0 in place. */
    zero_(): Tensor;
    /** In place: t += alpha * other (alpha default 1). */
    add_(other: Operand, alpha?: number): Tensor;
    /** In place: t -= alpha * other (alpha default 1). */
    sub_(other: Operand, alpha?: number): Tensor;
    /** In place: t *= other. */
    mul_(other: Operand): Tensor;
    /** In place: t /= other. */
    div_(other: Operand): Tensor;
    /** In place: each element limited to [min, max]. */
    clamp_(min?: number | null, max?: number | null): Tensor;
    /** In place: draws from U(low, high) (default [0, 1)). */
    uniform_(low?: number, high?: number): Tensor;
    /** In place: draws from N(mean, std^2) (default 0, 1). */
    normal_(mean?: number, std?: number): Tensor;
  }
}

/** true when A and B are the same type (not merely assignable). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
/** The methods declared above whose types differ from their op's (the op with its first tensor dropped). */
type Mismatched = { [K in keyof Methods]: K extends keyof Tensor ? (Same<Methods[K], Tensor[K]> extends true ? never : K) : K }[keyof Methods];
/** Fails to compile, naming the method, when a declaration above drifts from its op. */
const methodsMatch: [Mismatched] extends [never] ? true : Mismatched = true;
void methodsMatch;

const proto = Tensor.prototype as any;
for (const [name, fn] of Object.entries(METHOD_OPS)) {
  proto[name] = function (this: Tensor, ...args: unknown[]) {
    return (fn as (...a: unknown[]) => unknown)(this, ...args);
  };
}
// fast paths for the hottest binary methods (no rest-args array)
proto.add = function (this: Tensor, b: Operand) { return ew.add(this, b); };
proto.sub = function (this: Tensor, b: Operand) { return ew.sub(this, b); };
proto.mul = function (this: Tensor, b: Operand) { return ew.mul(this, b); };
proto.div = function (this: Tensor, b: Operand) { return ew.div(this, b); };

Object.defineProperty(proto, "T", { get(this: Tensor) { return sh.T(this); } });
Object.defineProperty(proto, "mT", {
  get(this: Tensor) {
    if (this.ndim < 2) throw new Error(`mT: expected a tensor with at least 2 dims, got shape ${fmt(this.shape)}`);
    return sh.transpose(this, -2, -1);
  },
});

proto.where = function (this: Tensor, a: Operand, b: Operand) {
  if (this.dtype === "bool" && !(a instanceof Tensor && a.dtype === "bool")) return ew.where(this, a, b);
  return ew.where(a as Tensor, this, b);
};
proto.detach = function (this: Tensor) {
  return new Tensor(this.storage, this.shape, this.dtype, this.strides, this.offset);
};
proto.backward = function (this: Tensor, gradient?: Tensor | null, opts?: { retainGraph?: boolean; createGraph?: boolean }) {
  backward(this, gradient, opts);
};
proto.requiresGrad_ = function (this: Tensor, flag = true) { return setRequiresGrad(this, flag); };
proto.size = function (this: Tensor, dim?: number) {
  if (dim === undefined) return this.shape.slice();
  const d = dim < 0 ? dim + this.ndim : dim;
  if (d < 0 || d >= this.ndim) throw new Error(`size: dim ${dim} out of range for shape ${fmt(this.shape)}`);
  return this.shape[d];
};
proto.dim = function (this: Tensor) { return this.ndim; };
proto.float = function (this: Tensor) { return ew.cast(this, "float32"); };
proto.double = function (this: Tensor) { return ew.cast(this, "float64"); };
proto.int = function (this: Tensor) { return ew.cast(this, "int32"); };
proto.bool = function (this: Tensor) { return ew.cast(this, "bool"); };
proto.expandAs = function (this: Tensor, o: Tensor) { return sh.expand(this, o.shape); };
proto.reshapeAs = function (this: Tensor, o: Tensor) { return sh.reshape(this, o.shape); };
proto.viewAs = function (this: Tensor, o: Tensor) { return sh.view(this, o.shape); };
proto.typeAs = function (this: Tensor, o: Tensor) { return ew.cast(this, o.dtype as DType); };

/** Writes src (broadcast to t's shape, cast to its dtype) into t's storage. */
function writeInto(op: string, t: Tensor, src: Tensor): Tensor {
  if (isGradEnabled() && t.requiresGrad)
    throw new Error(`${op}: a tensor of shape ${fmt(t.shape)} that requires grad cannot be changed in place while grad mode is on (wrap the update in dt.noGrad)`);
  const s = src.dtype === t.dtype ? src : ew.cast(src, t.dtype);
  if (s.ndim > t.ndim || s.shape.some((d, i) => d !== 1 && d !== t.shape[t.ndim - s.ndim + i]))
    throw new Error(`${op}: the value of shape ${fmt(src.shape)} cannot be broadcast to the tensor's shape ${fmt(t.shape)}`);
  B().copy(expandView(s, t.shape), t);
  return t;
}
function asT(v: Operand, like: Tensor): Tensor {
  return v instanceof Tensor ? v : ew.add(ew.mul(like, 0).detach(), v as number);
}
proto.copy_ = function (this: Tensor, src: Operand) { return writeInto("copy_", this, asT(src, this)); };
proto.fill_ = function (this: Tensor, v: number) { return writeInto("fill_", this, asT(v, this)); };
proto.zero_ = function (this: Tensor) { return writeInto("zero_", this, asT(0, this)); };
/** add_/sub_ of a float tensor of the same shape and dtype held in other storage: added in place
 *  (one kernel, no new buffer). Returns false where the general path is needed. */
function addInPlace(t: Tensor, o: Operand, sign: 1 | -1): boolean {
  if (!(o instanceof Tensor) || o.dtype !== t.dtype || (t.dtype !== "float32" && t.dtype !== "float64") || o.storage === t.storage) return false;
  if (isGradEnabled() && t.requiresGrad) return false; // writeInto's error
  if (o.ndim !== t.ndim || o.shape.some((d, i) => d !== t.shape[i])) return false;
  if (t.shape.some((d, i) => d > 1 && t.strides[i] === 0)) return false; // an expanded destination
  B().addInto(t, o, sign);
  return true;
}
proto.add_ = function (this: Tensor, o: Operand, alpha = 1) {
  if (alpha === 1 && addInPlace(this, o, 1)) return this;
  return writeInto("add_", this, ew.add(this.detach(), alpha === 1 ? o : ew.mul(o as Tensor, alpha)));
};
proto.sub_ = function (this: Tensor, o: Operand, alpha = 1) {
  if (alpha === 1 && addInPlace(this, o, -1)) return this;
  return writeInto("sub_", this, ew.sub(this.detach(), alpha === 1 ? o : ew.mul(o as Tensor, alpha)));
};
proto.mul_ = function (this: Tensor, o: Operand) { return writeInto("mul_", this, ew.mul(this.detach(), o)); };
proto.div_ = function (this: Tensor, o: Operand) { return writeInto("div_", this, ew.div(this.detach(), o)); };
proto.clamp_ = function (this: Tensor, lo?: number | null, hi?: number | null) { return writeInto("clamp_", this, ew.clamp(this.detach(), lo, hi)); };
proto.uniform_ = function (this: Tensor, low = 0, high = 1) {
  const n = this.numel();
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = low + (high - low) * uniform();
  return writeInto("uniform_", this, new Tensor(v, this.shape.slice(), "float64"));
};
proto.normal_ = function (this: Tensor, mean = 0, std = 1) {
  const n = this.numel();
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = mean + std * normal();
  return writeInto("normal_", this, new Tensor(v, this.shape.slice(), "float64"));
};

export {};
