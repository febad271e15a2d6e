// Gradient-check samples for nn.functional's conv, pooling, normalisation and attention ops
// (keyed by registered op name; format in harness.ts). Shapes are tiny: each input element costs
// two forward passes. Max pooling draws distinct values so no window has a tie within eps.

import * as dt from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { leaf, konst, type SampleTable } from "./harness.js";

const F = dt.nn.functional;

/** A float64 leaf holding a shuffled arange scaled to [-1, 1): no ties, gaps of 2/n >> eps. */
function distinct(shape: number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const p = dt.randperm(n).dataSync();
  const v = Float64Array.from(p, (k) => (2 * k) / n - 1);
  return dt.tensor(v, { shape }).requiresGrad_(true);
}

export const samples: SampleTable = {
  conv2d: [
    { label: "stride 2, padding 1, bias", fn: (x, w, b) => F.conv2d(x, w, b, { stride: 2, padding: 1 }), inputs: () => [leaf([2, 2, 4, 4]), leaf([3, 2, 3, 3]), leaf([3])] },
    { label: "groups 2, dilation 2, same", fn: (x, w) => F.conv2d(x, w, null, { groups: 2, dilation: 2, padding: "same" }), inputs: () => [leaf([1, 4, 4, 4]), leaf([2, 2, 2, 2])] },
    { label: "second order", fn: (x, w) => F.conv2d(x, w, null, { padding: 1 }), inputs: () => [leaf([1, 2, 3, 3]), leaf([2, 2, 2, 2])], secondOrder: true },
  ],
  conv1d: [
    { label: "stride, padding, dilation, groups", fn: (x, w, b) => F.conv1d(x, w, b, { stride: 2, padding: 1, dilation: 2, groups: 2 }), inputs: () => [leaf([2, 2, 7]), leaf([4, 1, 3]), leaf([4])] },
  ],
  convTranspose2d: [
    { label: "stride 2, padding 1, outputPadding 1", fn: (x, w, b) => F.convTranspose2d(x, w, b, { stride: 2, padding: 1, outputPadding: 1 }), inputs: () => [leaf([1, 2, 3, 3]), leaf([2, 2, 3, 3]), leaf([2])] },
    { label: "groups 2, second order", fn: (x, w) => F.convTranspose2d(x, w, null, { groups: 2, dilation: [1, 2] }), inputs: () => [leaf([1, 2, 2, 3]), leaf([2, 1, 2, 2])], secondOrder: true },
  ],
  convTranspose1d: [
    { label: "stride 3, outputPadding 2", fn: (x, w) => F.convTranspose1d(x, w, null, { stride: 3, padding: 1, outputPadding: 2 }), inputs: () => [leaf([1, 2, 4]), leaf([2, 3, 4])] },
  ],
  unfold: [{ label: "kernel, dilation, padding, stride", fn: (x) => F.unfold(x, [2, 3], { dilation: [2, 1], padding: 1, stride: [1, 2] }), inputs: () => [leaf([1, 2, 4, 5])], secondOrder: true }],
  fold: [{ label: "overlapping windows", fn: (x) => F.fold(x, [4, 5], [2, 3], { padding: 1, stride: 1 }), inputs: () => [leaf([1, 12, 5 * 5])] }],
  maxPool2d: [
    { label: "k3 s2 p1 ceilMode", fn: (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true }), inputs: () => [distinct([1, 2, 5, 6])] },
    { label: "dilation 2, second order", fn: (x) => F.maxPool2d(x, 2, { dilation: 2, stride: 1 }), inputs: () => [distinct([1, 1, 4, 5])], secondOrder: true },
  ],
  maxPool1d: [{ label: "k2 s1", fn: (x) => F.maxPool1d(x, 2, { stride: 1 }), inputs: () => [distinct([2, 2, 6])] }],
  avgPool2d: [
    { label: "k3 s2 p1 ceilMode, exclude pad", fn: (x) => F.avgPool2d(x, 3, { stride: 2, padding: 1, ceilMode: true, countIncludePad: false }), inputs: () => [leaf([1, 2, 5, 6])] },
    { label: "k2, second order", fn: (x) => F.avgPool2d(x, 2), inputs: () => [leaf([1, 1, 4, 4])], secondOrder: true },
  ],
  avgPool1d: [{ label: "k3 s2 p1", fn: (x) => F.avgPool1d(x, 3, { stride: 2, padding: 1 }), inputs: () => [leaf([2, 2, 7])] }],
  adaptiveAvgPool2d: [{ label: "7x5 -> 3x2", fn: (x) => F.adaptiveAvgPool2d(x, [3, 2]), inputs: () => [leaf([1, 2, 7, 5])] }],
  adaptiveAvgPool1d: [{ label: "10 -> 4", fn: (x) => F.adaptiveAvgPool1d(x, 4), inputs: () => [leaf([1, 2, 10])] }],
  adaptiveMaxPool2d: [{ label: "5x7 -> 2x3", fn: (x) => F.adaptiveMaxPool2d(x, [2, 3]), inputs: () => [distinct([1, 2, 5, 7])] }],
  adaptiveMaxPool1d: [{ label: "9 -> 4", fn: (x) => F.adaptiveMaxPool1d(x, 4), inputs: () => [distinct([1, 2, 9])] }],
  batchNorm: [
    {
      label: "training, affine, second order",
      fn: (x, rm, rv, w, b) => F.batchNorm(x, rm, rv, w, b, { training: true }),
      inputs: () => [leaf([4, 3, 2]), konst([3]), konst([3], (v) => 1 + Math.abs(v)), leaf([3]), leaf([3])],
      secondOrder: true,
    },
    { label: "training, second order", fn: (x) => F.batchNorm(x, null, null, null, null, { training: true }), inputs: () => [leaf([3, 2, 2])], secondOrder: true },
    {
      label: "training, 2-d input, fused backward",
      fn: (x, rm, rv, w, b) => F.batchNorm(x, rm, rv, w, b, { training: true, momentum: 0.3 }),
      inputs: () => [leaf([5, 3]), konst([3]), konst([3], (v) => 1 + Math.abs(v)), leaf([3]), leaf([3])],
    },
    {
      label: "eval, second order",
      fn: (x, rm, rv, w, b) => F.batchNorm(x, rm, rv, w, b),
      inputs: () => [leaf([3, 2, 2]), konst([2]), konst([2], (v) => 1 + Math.abs(v)), leaf([2]), leaf([2])],
      secondOrder: true,
    },
  ],
  layerNorm: [
    { label: "affine", fn: (x, w, b) => F.layerNorm(x, [4], w, b), inputs: () => [leaf([3, 4]), leaf([4]), leaf([4])] },
    { label: "two dims, second order", fn: (x, w, b) => F.layerNorm(x, [2, 3], w, b), inputs: () => [leaf([2, 2, 3]), leaf([2, 3]), leaf([2, 3])], secondOrder: true },
  ],
  groupNorm: [
    { label: "2 groups, affine", fn: (x, w, b) => F.groupNorm(x, 2, w, b), inputs: () => [leaf([2, 4, 3]), leaf([4]), leaf([4])] },
    { label: "second order", fn: (x, w, b) => F.groupNorm(x, 1, w, b), inputs: () => [leaf([1, 2, 3]), leaf([2]), leaf([2])], secondOrder: true },
  ],
  lstm: [
    {
      label: "bias, all outputs",
      fn: (x, h0, c0, wih, whh, bih, bhh) => {
        const [out, h, c] = F.lstm(x, h0, c0, wih, whh, bih, bhh);
        return out.sum(2).add(h.sum(1).unsqueeze(0)).add(c.square().sum(1).unsqueeze(0));
      },
      inputs: () => [leaf([3, 2, 3]), leaf([2, 2]), leaf([2, 2]), leaf([8, 3]), leaf([8, 2]), leaf([8]), leaf([8])],
    },
    { label: "no bias, second order", fn: (x, h0, c0, wih, whh) => F.lstm(x, h0, c0, wih, whh)[0], inputs: () => [leaf([2, 2, 2]), leaf([2, 2]), leaf([2, 2]), leaf([8, 2]), leaf([8, 2])], secondOrder: true },
  ],
  scaledDotProductAttention: [
    { label: "plain", fn: (q, k, v) => F.scaledDotProductAttention(q, k, v), inputs: () => [leaf([2, 3, 4]), leaf([2, 5, 4]), leaf([2, 5, 3])] },
    { label: "causal, second order", fn: (q, k, v) => F.scaledDotProductAttention(q, k, v, { isCausal: true }), inputs: () => [leaf([1, 3, 2]), leaf([1, 4, 2]), leaf([1, 4, 2])], secondOrder: true },
    {
      label: "bool and float masks",
      fn: (q, k, v) => [
        F.scaledDotProductAttention(q, k, v, { attnMask: dt.tensor([[true, false, true], [true, true, false]]) }),
        F.scaledDotProductAttention(q, k, v, { attnMask: dt.tensor([[0.5, -1, 0], [0, 2, -0.25]], { dtype: "float64" }) }),
      ],
      inputs: () => [leaf([2, 2, 3]), leaf([2, 3, 3]), leaf([2, 3, 2])],
    },
  ],
};
