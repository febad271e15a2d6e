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
  interface Tensor extends Methods {
    /** max() -> 0-d tensor; max(dim, keepdim?) -> { values, indices }. */
    max(): Tensor;
    max(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor } & Iterable<Tensor>;
    /** min() -> 0-d tensor; min(dim, keepdim?) -> { values, indices }. */
    min(): Tensor;
    min(dim: number, keepdim?: boolean): { values: Tensor; indices: Tensor } & Iterable<Tensor>;
    /** The transpose (2-D), dims reversed otherwise. */
    readonly T: Tensor;
    /** The transpose of the last two dims (a view), as torch's x.mT; needs at least 2 dims. */
    readonly mT: Tensor;
    /** int32 [N, ndim] indices of the non-zero elements; { asTuple: true }: one 1-D tensor per dim. */
    nonzero(): Tensor;
    nonzero(opts: { asTuple: true }): Tensor[];
    nonzero(opts?: { asTuple?: boolean }): Tensor | Tensor[];
    /** The sorted distinct values; with returnInverse / returnCounts: { values, inverse?, counts? } (see dt.unique). */
    unique(opts?: so.UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
    unique(opts: so.UniqueOptions & { returnInverse: true; returnCounts: true }): so.UniqueResult<true, true>;
    unique(opts: so.UniqueOptions & { returnInverse: true }): so.UniqueResult<true, false>;
    unique(opts: so.UniqueOptions & { returnCounts: true }): so.UniqueResult<false, true>;
    unique(opts?: so.UniqueOptions): Tensor | so.UniqueResult;
    /** torch's x.where(cond, other), or cond.where(a, b) on a bool tensor (dt.where's argument order). */
    where(condOrA: Operand, other: Operand): Tensor;
    /** A tensor sharing storage with no graph. */
    detach(): Tensor;
    backward(gradient?: Tensor | null, opts?: { retainGraph?: boolean; createGraph?: boolean }): void;
    requiresGrad_(flag?: boolean): Tensor;
    size(dim?: number): number | number[];
    dim(): number;
    float(): Tensor;
    double(): Tensor;
    int(): Tensor;
    bool(): Tensor;
    expandAs(other: Tensor): Tensor;
    reshapeAs(other: Tensor): Tensor;
    viewAs(other: Tensor): Tensor;
    typeAs(other: Tensor): Tensor;
    // in-place (under dt.noGrad for tensors that require grad)
    copy_(src: Operand): Tensor;
    fill_(v: number): Tensor;
    zero_(): Tensor;
    add_(other: Operand, alpha?: number): Tensor;
    sub_(other: Operand, alpha?: number): Tensor;
    mul_(other: Operand): Tensor;
    div_(other: Operand): Tensor;
    clamp_(min?: number | null, max?: number | null): Tensor;
    uniform_(low?: number, high?: number): Tensor;
    normal_(mean?: number, std?: number): Tensor;
  }
}

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
