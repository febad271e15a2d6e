// deeptype: the public surface. `import * as dt from "deeptype"`.

import { registerBackend } from "./backend/backend.js";
import { jsBackend } from "./backend/js/index.js";
import { wasmBackend, wasmAvailable } from "./backend/wasm/index.js";
import "./ops/methods.js";

registerBackend(jsBackend, true);
if (wasmAvailable) registerBackend(wasmBackend, true); // the default when its kernels load; "js" stays selectable

export { Tensor } from "./tensor/tensor.js";
export type { DType, TypedArray } from "./tensor/dtype.js";
export { noGrad, enableGrad, isGradEnabled, setGradEnabled, grad } from "./tensor/autograd.js";
export { manualSeed } from "./tensor/random.js";
export { setBackend, getBackend, listBackends, setNumThreads, getNumThreads, registerBackend } from "./backend/backend.js";
export type { Backend, View } from "./backend/backend.js";
export { OPS } from "./ops/registry.js";
export type { OpSpec } from "./ops/registry.js";
export type { AdamHyper, ConvGeometry, PoolWindows } from "./backend/backend.js";
export type { Operand } from "./ops/util.js";
export type { PadOptions } from "./ops/shape.js";
export type { VarOptions, Dim, ValuesIndices } from "./ops/reduce.js";

export * from "./ops/creation.js";
export {
  add, sub, mul, div, pow, neg, reciprocal, abs, sign, exp, log, log1p, expm1, sqrt, rsqrt, square, sin, cos, tanh,
  sigmoid, floor, ceil, round, clamp, maximum, minimum, where, erf, relu, eq, ne, lt, le, gt, ge, logicalAnd, logicalOr,
  logicalNot, isnan, isfinite, cast as to,
} from "./ops/elementwise.js";
export { sum, mean, prod, max, min, amax, amin, argmax, argmin, logsumexp, all, any, variance as var, std, norm, cumsum } from "./ops/reduce.js";
export { matmul, mm, bmm, outer, dot } from "./ops/linalg.js";
export {
  reshape, view, flatten, squeeze, unsqueeze, transpose, permute, expand, repeat, flip, cat, stack, split, chunk,
  narrow, slice, pad, contiguous, clone, select, unbind,
} from "./ops/shape.js";
export { indexSelect, gather, scatter, scatterAdd, maskedFill, tril, triu, oneHot } from "./ops/indexing.js";
export { softmax, logSoftmax } from "./nn/activation.js";
export { sort, argsort, topk, nonzero, unique } from "./ops/sort.js";
export type { SortOptions, TopkOptions, UniqueOptions, UniqueResult, SortResult } from "./ops/sort.js";
export { einsum } from "./ops/einsum.js";

import { Tensor } from "./tensor/tensor.js";
/** dt.detach(t): the same values with no graph. */
export function detach(t: Tensor): Tensor {
  return t.detach();
}

export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as data from "./data/index.js";
export * as io from "./io/index.js";
export * as metrics from "./metrics/index.js";
export * as text from "./text/index.js";
export * as train from "./train/index.js";
export { fit, evaluate, earlyStopping, bestCheckpoint } from "./train/index.js";
