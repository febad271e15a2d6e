// nn.functional (F): every function of API.md's list, gathered from where each is defined.

import { Tensor } from "../tensor/tensor.js";
import { fmt } from "../tensor/shape.js";
import { defineOp } from "../ops/registry.js";
import { checkTensor } from "../ops/util.js";
import { add, where, eq } from "../ops/elementwise.js";
import { addmm, matmul } from "../ops/linalg.js";
import { isFloat } from "../tensor/dtype.js";
import { indexSelect, oneHot as oneHotOp } from "../ops/indexing.js";
import { pad as padOp, type PadOptions, reshape, T } from "../ops/shape.js";

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
  if (weight.ndim !== 2) throw new Error(`embedding: weight must be 2-D [num, dim], got ${fmt(weight.shape)}`);
  const flat = reshape(indices, [-1]);
  let rows = indexSelect(weight, 0, flat); // [n, dim]
  if (opts.paddingIdx !== undefined && opts.paddingIdx !== null) {
    const p = opts.paddingIdx < 0 ? opts.paddingIdx + weight.shape[0] : opts.paddingIdx;
    rows = where(reshape(eq(flat, p), [-1, 1]), rows.detach(), rows);
  }
  return reshape(rows, [...indices.shape, weight.shape[1]]);
});
export { unfold, fold, conv1d, conv2d, convTranspose1d, convTranspose2d } from "./conv.js";
export { maxPool1d, maxPool2d, avgPool1d, avgPool2d, adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveMaxPool1d, adaptiveMaxPool2d } from "./pool.js";
export { batchNorm, layerNorm, groupNorm } from "./normalization.js";
export { scaledDotProductAttention } from "./attention.js";
export { lstm } from "./lstm.js";
export type { Size1, Size2, ConvOptions, ConvTransposeOptions, UnfoldOptions } from "./conv.js";
export type { AvgPoolOptions, MaxPoolOptions, MaxPoolFn, AdaptiveMaxFn } from "./pool.js";
export type { BatchNormOptions } from "./normalization.js";
export type { AttentionOptions } from "./attention.js";
