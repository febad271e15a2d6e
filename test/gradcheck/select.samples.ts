// Gradient-check samples for the selection, einsum and resampling ops (sort, topk, einsum,
// interpolate) and the functional helpers normalize, cosineSimilarity, prelu, dropout2d.
// Sorting inputs are distinct values (gaps of 2/n >> eps) so finite differences never reorder them.

import * as dt from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { leaf, type GradSample, type SampleTable } from "./harness.js";

const F = dt.nn.functional;

/** A float64 leaf holding a shuffled arange scaled to [-1, 1): no ties. */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const p = dt.randperm(n).dataSync();
  const v = Float64Array.from(p, (k) => (2 * k) / n - 1 + 0.5 / n);
  return dt.tensor(v, { shape }).requiresGrad_(true);
}

const away = (v: number) => (v > 0 ? v + 0.1 : v - 0.1); // away from prelu's kink at 0

function ein(label: string, eq: string, shapes: number[][], secondOrder = false): GradSample {
  return { label, fn: (...xs: Tensor[]) => dt.einsum(eq, ...xs), inputs: () => shapes.map((s) => leaf(s)), secondOrder };
}

export const samples: SampleTable = {
  sort: [
    { label: "dim -1", fn: (x) => dt.sort(x).values, inputs: () => [distinct([3, 5])], secondOrder: true },
    { label: "descending dim 0", fn: (x) => x.sort({ dim: 0, descending: true }).values, inputs: () => [distinct([4, 3])] },
    { label: "non-contiguous mid dim", fn: (x) => dt.sort(x.transpose(0, 2), { dim: 1 }).values, inputs: () => [distinct([3, 4, 2])] },
    { label: "values times themselves", fn: (x) => { const v = dt.sort(x).values; return v.mul(v); }, inputs: () => [distinct([2, 4])], secondOrder: true },
  ],
  topk: [
    { label: "k 2", fn: (x) => dt.topk(x, 2).values, inputs: () => [distinct([3, 5])], secondOrder: true },
    { label: "smallest dim 0", fn: (x) => x.topk(2, { dim: 0, largest: false }).values, inputs: () => [distinct([4, 3])] },
    { label: "k = n, non-contiguous", fn: (x) => dt.topk(x.T, 4).values, inputs: () => [distinct([4, 3])] },
  ],
  einsum: [
    ein("matmul", "ij,jk->ik", [[2, 3], [3, 4]], true),
    ein("bmm", "bij,bjk->bik", [[2, 2, 3], [2, 3, 2]]),
    ein("attention scores", "bhqd,bhkd->bhqk", [[1, 2, 3, 2], [1, 2, 2, 2]], true),
    ein("trace", "ii", [[3, 3]]),
    ein("batch diagonal", "bii->bi", [[2, 3, 3]]),
    ein("repeated and shared", "iij,j->i", [[3, 3, 2], [2]], true),
    ein("implicit outer", "i,j", [[3], [2]]),
    ein("ellipsis broadcast", "...ij,...jk->...ik", [[2, 1, 2, 3], [2, 3, 2]]),
    ein("ellipsis summed", "...ij->ij", [[2, 2, 3]]),
    ein("size-1 broadcast", "ij,ij->i", [[1, 3], [2, 3]]),
    ein("three operands", "ij,jk,kl->il", [[2, 3], [3, 2], [2, 2]], true),
    ein("bilinear", "bn,anm,bm->ba", [[2, 3], [2, 3, 2], [2, 2]]),
    { label: "non-contiguous", fn: (a, b) => dt.einsum("ij,jk->ik", a.T, b.T), inputs: () => [leaf([3, 2]), leaf([2, 3])] },
  ],
  interpolate: [
    { label: "nearest 1-D size", fn: (x) => F.interpolate(x, { size: 7 }), inputs: () => [leaf([1, 2, 4])] },
    { label: "nearest-exact 2-D scale", fn: (x) => F.interpolate(x, { scaleFactor: 1.5, mode: "nearest-exact" }), inputs: () => [leaf([1, 1, 3, 3])] },
    { label: "linear", fn: (x) => F.interpolate(x, { size: 7, mode: "linear" }), inputs: () => [leaf([2, 1, 4])] },
    { label: "linear alignCorners down", fn: (x) => F.interpolate(x, { size: 3, mode: "linear", alignCorners: true }), inputs: () => [leaf([1, 2, 6])] },
    { label: "bilinear scale", fn: (x) => F.interpolate(x, { scaleFactor: [1.5, 2], mode: "bilinear" }), inputs: () => [leaf([1, 2, 3, 3])] },
    { label: "bilinear alignCorners", fn: (x) => F.interpolate(x, { size: [4, 5], mode: "bilinear", alignCorners: true }), inputs: () => [leaf([2, 1, 3, 2])] },
    { label: "bicubic", fn: (x) => F.interpolate(x, { size: [5, 4], mode: "bicubic" }), inputs: () => [leaf([1, 1, 3, 3])] },
    { label: "non-contiguous", fn: (x) => F.interpolate(x.transpose(2, 3), { scaleFactor: 2, mode: "bilinear" }), inputs: () => [leaf([1, 1, 2, 3])] },
    {
      label: "squared (double backward through the backward)",
      fn: (x) => { const y = F.interpolate(x, { size: [3, 4], mode: "bilinear" }); return y.mul(y); },
      inputs: () => [leaf([1, 1, 2, 3])],
      secondOrder: true,
    },
  ],
  normalize: [
    { label: "default", fn: (x) => F.normalize(x), inputs: () => [leaf([3, 4])], secondOrder: true },
    { label: "p 1 dim 0", fn: (x) => F.normalize(x, { p: 1, dim: 0 }), inputs: () => [leaf([3, 4], away)] },
    { label: "p 3 dim -1 non-contiguous", fn: (x) => F.normalize(x.T, { p: 3, dim: -1 }), inputs: () => [leaf([4, 3])] },
  ],
  cosineSimilarity: [
    { label: "default", fn: (a, b) => F.cosineSimilarity(a, b), inputs: () => [leaf([3, 4]), leaf([3, 4])], secondOrder: true },
    { label: "broadcast dim -1", fn: (a, b) => F.cosineSimilarity(a, b, { dim: -1 }), inputs: () => [leaf([2, 3, 4]), leaf([1, 4])] },
    { label: "dim 0", fn: (a, b) => F.cosineSimilarity(a, b, { dim: 0 }), inputs: () => [leaf([4, 2]), leaf([4, 2])] },
  ],
  prelu: [
    { label: "per channel", fn: (x, w) => F.prelu(x, w), inputs: () => [leaf([2, 3, 4], away), leaf([3])], secondOrder: true },
    { label: "one weight, 4-D", fn: (x, w) => F.prelu(x, w), inputs: () => [leaf([2, 2, 2, 2], away), leaf([1])] },
  ],
  dropout2d: [
    { label: "4-D", fn: (x) => F.dropout2d(x, { p: 0.5 }), inputs: () => [leaf([2, 4, 2, 2])], seed: 7 },
    { label: "3-D unbatched", fn: (x) => F.dropout2d(x, { p: 0.3 }), inputs: () => [leaf([4, 2, 3])], seed: 11 },
  ],
};
