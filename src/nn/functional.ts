// nn.functional (F): every function of API.md's list, gathered from where each is defined.

import { Tensor } from "../tensor/tensor.js";
import { fmt } from "../tensor/shape.js";
import { defineOp } from "../ops/registry.js";
import { checkTensor } from "../ops/util.js";
import { add, where, eq, gt, mul, div, clamp, cast, sqrt } from "../ops/elementwise.js";
import { norm, sum } from "../ops/reduce.js";
import { expand } from "../ops/shape.js";
import { attach, noGrad } from "../tensor/autograd.js";
import { broadcastShapes, normDim } from "../tensor/shape.js";
import { addmm, matmul } from "../ops/linalg.js";
import { isFloat } from "../tensor/dtype.js";
import { indexSelect, oneHot as oneHotOp } from "../ops/indexing.js";
import { pad as padOp, type PadOptions, reshape, T } from "../ops/shape.js";
import { checkOptions } from "../tensor/options.js";

const EMBEDDING_KEYS = ["paddingIdx"] as const;

export * from "./activation.js";
export * from "./loss.js";

/** linear(x [..., in], weight [out, in], bias? [out]) = x W^T + b. */
export const linear = defineOp("linear", (x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor => {
  checkTensor("linear", x);
  checkTensor("linear", weight, "weight");
  if (weight.ndim !== 2) throw new Error(`linear: weight must be 2-D [out, in], got ${fmt(weight.shape)}`);
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== weight.shape[1])
    throw new Error(`linear: input ${fmt(x.shape)} and weight ${fmt(weight.shape)}: in_features ${x.shape[x.ndim - 1]} ≠ ${weight.shape[1]}`);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== weight.shape[0]))
    throw new Error(`linear: bias ${fmt(bias.shape)} must be [${weight.shape[0]}] for weight ${fmt(weight.shape)}`);
  if (bias && x.ndim >= 2 && x.numel() > 0 && isFloat(x.dtype) && x.dtype === weight.dtype && x.dtype === bias.dtype) {
    // one kernel: bias + x W^T over the rows of x
    const rows = x.numel() / x.shape[x.ndim - 1];
    const y = addmm(bias, x.ndim === 2 ? x : reshape(x, [rows, x.shape[x.ndim - 1]]), T(weight));
    return x.ndim === 2 ? y : reshape(y, [...x.shape.slice(0, -1), weight.shape[0]]);
  }
  const y = matmul(x, T(weight));
  return bias ? add(y, bias) : y;
});

/** F.pad(x, pads, { mode = "constant", value = 0 }): pads last dim first, as torch.nn.functional.pad. */
export function pad(x: Tensor, pads: number[], opts: PadOptions = {}): Tensor {
  return padOp(x, pads, opts);
}

/** F.oneHot(indices, numClasses = -1). */
export function oneHot(indices: Tensor, numClasses = -1): Tensor {
  return oneHotOp(indices, numClasses);
}

/** embedding(indices, weight [num, dim], { paddingIdx }): rows of weight; the paddingIdx row gets no gradient. */
export const embedding = defineOp("embedding", (indices: Tensor, weight: Tensor, opts: { paddingIdx?: number | null } = {}): Tensor => {
  checkTensor("embedding", indices, "indices");
  checkTensor("embedding", weight, "weight");
  opts = checkOptions("F.embedding", opts, EMBEDDING_KEYS, 3);
  if (weight.ndim !== 2) throw new Error(`embedding: weight must be 2-D [num, dim], got ${fmt(weight.shape)}`);
  const flat = reshape(indices, [-1]);
  let rows = indexSelect(weight, 0, flat); // [n, dim]
  if (opts.paddingIdx !== undefined && opts.paddingIdx !== null) {
    const p = opts.paddingIdx < 0 ? opts.paddingIdx + weight.shape[0] : opts.paddingIdx;
    rows = where(reshape(eq(flat, p), [-1, 1]), rows.detach(), rows);
  }
  return reshape(rows, [...indices.shape, weight.shape[1]]);
});
/** normalize(x, { p = 2, dim = 1, eps = 1e-12 }) = x / max(||x||_p, eps) along dim, as
 *  torch.nn.functional.normalize (the clamp passes no gradient where it is active, as torch's clamp_min). */
export const normalize = defineOp("normalize", (x: Tensor, opts: { p?: number; dim?: number; eps?: number } = {}): Tensor => {
  checkTensor("normalize", x);
  opts = checkOptions("F.normalize", opts, ["p", "dim", "eps"], 2);
  const p = opts?.p ?? 2, eps = opts?.eps ?? 1e-12;
  const xf = isFloat(x.dtype) ? x : cast(x, "float32");
  if (xf.ndim === 0) return div(xf, clamp(norm(xf, p), eps));
  const d = normDim("normalize", opts?.dim ?? 1, xf.ndim, xf.shape);
  return div(xf, clamp(norm(xf, p, d, true), eps));
});

/** max(v, m) in value, the identity in gradient: torch 1.13's cosine_similarity clamps its squared
 *  norms in place under no_grad, so the clamp is invisible to autograd. */
function clampMinStraightThrough(v: Tensor, m: number): Tensor {
  const c = noGrad(() => clamp(v, m));
  return attach(c, "clampMin", [v], (g) => [g]);
}

/** cosineSimilarity(x1, x2, { dim = 1, eps = 1e-8 }) = sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps)) along
 *  dim, after broadcasting x1 and x2 together. As torch >= 1.12 (Debian's 1.13 included): each norm is
 *  clamped separately (not their product). As torch 1.13 computes it, the clamp is applied to the squared
 *  norms (at eps^2) and is invisible to autograd: the gradient is that of x1 x2 / sqrt(|x1|^2 |x2|^2) even
 *  where a norm was clamped (so it differs from the gradient of the formula above for norms below eps). */
export const cosineSimilarity = defineOp("cosineSimilarity", (x1: Tensor, x2: Tensor, opts: { dim?: number; eps?: number } = {}): Tensor => {
  checkTensor("cosineSimilarity", x1, "x1");
  checkTensor("cosineSimilarity", x2, "x2");
  opts = checkOptions("F.cosineSimilarity", opts, ["dim", "eps"], 3);
  const eps = opts?.eps ?? 1e-8;
  const shape = broadcastShapes("cosineSimilarity", x1.shape, x2.shape);
  if (shape.length === 0) throw new Error(`cosineSimilarity: inputs ${fmt(x1.shape)} and ${fmt(x2.shape)} are 0-d (expected at least 1 dim)`);
  let a = expand(x1, shape), b = expand(x2, shape);
  if (!isFloat(a.dtype)) a = cast(a, "float32");
  if (!isFloat(b.dtype)) b = cast(b, "float32");
  const d = normDim("cosineSimilarity", opts?.dim ?? 1, shape.length, shape);
  const sa = clampMinStraightThrough(sum(mul(a, a), d, true), eps * eps), sb = clampMinStraightThrough(sum(mul(b, b), d, true), eps * eps);
  return sum(mul(div(a, sqrt(sa)), div(b, sqrt(sb))), d);
});

/** prelu(x, weight) = x where x > 0, weight * x elsewhere; weight holds 1 value or one per channel
 *  (dim 1 of x), as torch.nn.functional.prelu. */
export const prelu = defineOp("prelu", (x: Tensor, weight: Tensor): Tensor => {
  checkTensor("prelu", x);
  checkTensor("prelu", weight, "weight");
  const n = weight.numel();
  const C = x.ndim >= 2 ? x.shape[1] : 1;
  if (weight.ndim > 1) throw new Error(`prelu: weight must be 0-d or 1-d, got ${fmt(weight.shape)}`);
  if (n !== 1 && n !== C)
    throw new Error(`prelu: weight ${fmt(weight.shape)} has ${n} parameters but the input ${fmt(x.shape)} has ${C} channels at dim 1 (expected 1 or ${C})`);
  const w = n === 1 ? reshape(weight, []) : reshape(weight, [n, ...new Array<number>(x.ndim - 2).fill(1)]);
  return where(gt(x, 0), x, mul(w, x));
});

export { interpolate } from "./interpolate.js";
export type { InterpolateOptions, InterpolateMode } from "./interpolate.js";

export { unfold, fold, conv1d, conv2d, convTranspose1d, convTranspose2d } from "./conv.js";
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d } from "./pool.js";
export { batchNorm, layerNorm, groupNorm } from "./normalization.js";
export { scaledDotProductAttention } from "./attention.js";
export { lstm } from "./lstm.js";
export type { Size1, Size2, ConvOptions, ConvTransposeOptions, UnfoldOptions } from "./conv.js";
export type { AvgPoolOptions, MaxPoolOptions, MaxPoolFn, AvgPoolFn, AdaptiveMaxFn } from "./pool.js";
export type { BatchNormOptions } from "./normalization.js";
export type { AttentionOptions } from "./attention.js";
