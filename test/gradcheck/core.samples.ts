// Gradient-check cases for the core ops (src/ops) and the plain-math nn.functional ops.
// Inputs are float64; away from kinks where an op has them.

import * as dt from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { konst, leaf, type GradSample, type SampleTable } from "./harness.js";

const F = dt.nn.functional;
const pos = (v: number) => Math.abs(v) + 0.5; // strictly positive
const awayFromInt = (v: number) => Math.floor(v * 3) + 0.3 + 0.4 * (Math.abs(v) % 1); // fractional part in [0.3, 0.7)
// constants used inside sample functions are made once, here, so every evaluation sees the same values
dt.manualSeed(2024);
const K = {
  row3: konst([1, 3]),
  bin32: konst([3, 2], (v) => (v > 0 ? 1 : 0)),
  prob4: konst([4], (v) => 1 / (1 + Math.exp(-v))),
  bin23: konst([2, 3], (v) => (v > 0 ? 1 : 0)),
  pos3: konst([3], (v) => Math.abs(v) + 0.5),
  probs23: dt.softmax(konst([2, 3]), 1),
};
const i32 = (vals: number[], shape?: number[]) => dt.tensor(vals, { dtype: "int32", shape });

function unary(fn: (x: Tensor) => Tensor, map?: (v: number) => number, secondOrder = true): GradSample[] {
  return [
    { label: "[3,4]", fn, inputs: () => [leaf([3, 4], map)], secondOrder },
    { label: "non-contiguous (transposed)", fn: (x) => fn(x.T), inputs: () => [leaf([4, 3], map)] },
    { label: "0-d", fn, inputs: () => [leaf([], map)] },
  ];
}
function binary(fn: (a: Tensor, b: Tensor) => Tensor, mapA?: (v: number) => number, mapB?: (v: number) => number): GradSample[] {
  return [
    { label: "same shape", fn, inputs: () => [leaf([2, 3], mapA), leaf([2, 3], mapB)], secondOrder: true },
    { label: "broadcast [2,1,3] x [4,1]", fn, inputs: () => [leaf([2, 1, 3], mapA), leaf([4, 1], mapB)] },
    { label: "number operand", fn: (a) => fn(a, dt.tensor(1.7, { dtype: "float64" })), inputs: () => [leaf([3], mapA)] },
    { label: "non-contiguous", fn: (a, b) => fn(a.T, b.slice(0, 0, 4, 2)), inputs: () => [leaf([3, 2], mapA), leaf([4, 3], mapB)] },
  ];
}
function reduction(fn: (x: Tensor, dim?: number | number[], keepdim?: boolean) => Tensor, map?: (v: number) => number): GradSample[] {
  return [
    { label: "all dims", fn: (x) => fn(x), inputs: () => [leaf([3, 4], map)], secondOrder: true },
    { label: "dim -1 keepdim", fn: (x) => fn(x, -1, true), inputs: () => [leaf([2, 3, 4], map)] },
    { label: "dims [0,2]", fn: (x) => fn(x, [0, 2]), inputs: () => [leaf([2, 3, 4], map)] },
    { label: "non-contiguous dim 0", fn: (x) => fn(x.T, 0), inputs: () => [leaf([4, 3], map)] },
  ];
}

export const samples: SampleTable = {
  to: [{ label: "through float32", fn: (x) => x.to("float32").to("float64"), inputs: () => [leaf([3])], eps: 1e-2, atol: 1e-4, rtol: 1e-4 }, { fn: (x) => x.to("float64"), inputs: () => [leaf([2, 2])] }],
  neg: unary((x) => dt.neg(x)),
  exp: unary((x) => dt.exp(x)),
  log: unary((x) => dt.log(x), pos),
  log1p: unary((x) => dt.log1p(x), pos),
  expm1: unary((x) => dt.expm1(x)),
  sqrt: unary((x) => dt.sqrt(x), pos),
  rsqrt: unary((x) => dt.rsqrt(x), pos),
  sin: unary((x) => dt.sin(x)),
  cos: unary((x) => dt.cos(x)),
  tanh: unary((x) => dt.tanh(x)),
  sigmoid: unary((x) => dt.sigmoid(x)),
  reciprocal: unary((x) => dt.reciprocal(x), pos),
  erf: unary((x) => dt.erf(x)),
  abs: unary((x) => dt.abs(x), (v) => (v > 0 ? v + 0.1 : v - 0.1)),
  square: unary((x) => dt.square(x)),
  sign: unary((x) => dt.sign(x), (v) => (v > 0 ? v + 0.1 : v - 0.1)),
  floor: unary((x) => dt.floor(x), awayFromInt),
  ceil: unary((x) => dt.ceil(x), awayFromInt),
  round: unary((x) => dt.round(x), (v) => Math.floor(v * 3) + 0.1 + 0.3 * (Math.abs(v) % 1)),
  relu: unary((x) => dt.relu(x), (v) => (v > 0 ? v + 0.1 : v - 0.1)),
  clamp: [
    { fn: (x) => dt.clamp(x, -0.5, 0.5), inputs: () => [leaf([4, 3], (v) => (Math.abs(Math.abs(v) - 0.5) < 0.05 ? v + 0.2 : v))] },
    { label: "min only", fn: (x) => x.clamp(0.1), inputs: () => [leaf([5], (v) => (Math.abs(v - 0.1) < 0.05 ? v + 0.2 : v))] },
    { label: "tensor bounds", fn: (x, lo) => dt.clamp(x, lo, 1), inputs: () => [leaf([2, 3], (v) => v + 0.03), leaf([3], (v) => v / 2)] },
  ],
  leakyRelu: unary((x) => F.leakyRelu(x, { negativeSlope: 0.2 }), (v) => (v > 0 ? v + 0.1 : v - 0.1)),
  elu: unary((x) => F.elu(x, { alpha: 1.3 }), (v) => (v > 0 ? v + 0.1 : v - 0.1)),
  softplus: [...unary((x) => F.softplus(x, { beta: 2 })), { label: "threshold", fn: (x) => F.softplus(x, { beta: 1, threshold: 1 }), inputs: () => [leaf([6], (v) => (Math.abs(v - 1) < 0.1 ? v + 0.3 : v))] }],
  add: binary((a, b) => dt.add(a, b)),
  sub: binary((a, b) => a.sub(b)),
  mul: binary((a, b) => dt.mul(a, b)),
  div: binary((a, b) => dt.div(a, b), undefined, (v) => (v > 0 ? v + 0.5 : v - 0.5)),
  pow: [
    ...binary((a, b) => dt.pow(a, b), pos),
    { label: "integer exponent, negative base", fn: (a) => a.pow(3), inputs: () => [leaf([4])], secondOrder: true },
  ],
  maximum: binary((a, b) => dt.maximum(a, b)),
  minimum: binary((a, b) => dt.minimum(a, b)),
  where: [
    { fn: (a, b) => dt.where(dt.tensor([[true, false, true], [false, false, true]]), a, b), inputs: () => [leaf([2, 3]), leaf([3])] },
    { label: "number branch", fn: (a) => dt.where(a.gt(0), a, 0), inputs: () => [leaf([5], (v) => v + (v > 0 ? 0.1 : -0.1))] },
  ],
  sum: reduction((x, d, k) => dt.sum(x, d, k)),
  mean: reduction((x, d, k) => dt.mean(x, d, k)),
  prod: [
    ...reduction((x, d, k) => dt.prod(x, d, k)),
    { label: "one zero", fn: (x) => dt.prod(x.mul(dt.tensor([1, 0, 1, 1], { dtype: "float64" })).add(dt.tensor([0, 0, 0, 0], { dtype: "float64" }))), inputs: () => [leaf([4])] },
  ],
  amax: reduction((x, d, k) => dt.amax(x, d, k)),
  amin: reduction((x, d, k) => dt.amin(x, d, k)),
  max: [
    { label: "max(dim)", fn: (x) => dt.max(x, 1).values, inputs: () => [leaf([3, 4])] },
    { label: "max(dim, keepdim) non-contiguous", fn: (x) => x.T.max(-1, true).values, inputs: () => [leaf([4, 3])] },
    { label: "max()", fn: (x) => dt.max(x), inputs: () => [leaf([3, 4])] },
  ],
  min: [
    { label: "min(dim)", fn: (x) => dt.min(x, 0).values, inputs: () => [leaf([3, 4])] },
    { label: "min()", fn: (x) => x.min(), inputs: () => [leaf([5])] },
  ],
  logsumexp: reduction((x, d, k) => dt.logsumexp(x, d, k)),
  var: [
    { fn: (x) => dt.var(x), inputs: () => [leaf([3, 4])], secondOrder: true },
    { label: "dim 1 correction 0 keepdim", fn: (x) => x.var(1, { correction: 0, keepdim: true }), inputs: () => [leaf([3, 4])] },
  ],
  std: [
    { fn: (x) => dt.std(x, 0), inputs: () => [leaf([3, 4])] },
    { label: "all dims", fn: (x) => x.std(), inputs: () => [leaf([6])] },
  ],
  norm: [
    { label: "p=2", fn: (x) => dt.norm(x), inputs: () => [leaf([3, 4])], secondOrder: true },
    { label: "p=1 dim 1", fn: (x) => x.norm(1, 1), inputs: () => [leaf([3, 4], (v) => v + (v > 0 ? 0.1 : -0.1))] },
    { label: "p=3 keepdim", fn: (x) => x.norm(3, -1, true), inputs: () => [leaf([2, 5])] },
    { label: "p=inf", fn: (x) => x.norm(Infinity, 0), inputs: () => [leaf([3, 2])] },
  ],
  cumsum: [
    { fn: (x) => dt.cumsum(x, 1), inputs: () => [leaf([3, 4])], secondOrder: true },
    { label: "dim -1 non-contiguous", fn: (x) => x.T.cumsum(-1), inputs: () => [leaf([4, 3])] },
  ],
  contiguous: [{ fn: (x) => x.T.contiguous(), inputs: () => [leaf([3, 4])] }],
  clone: [{ fn: (x) => x.clone().mul(x), inputs: () => [leaf([3])] }],
  reshape: [
    { fn: (x) => x.reshape(4, -1), inputs: () => [leaf([2, 6])] },
    { label: "copying reshape of a transpose", fn: (x) => dt.reshape(x.T, [12]), inputs: () => [leaf([3, 4])] },
  ],
  view: [{ fn: (x) => x.view([3, 2, 2]), inputs: () => [leaf([12])] }],
  flatten: [{ fn: (x) => x.flatten(1), inputs: () => [leaf([2, 3, 2])] }],
  squeeze: [{ fn: (x) => x.squeeze(), inputs: () => [leaf([1, 3, 1])] }, { label: "dim", fn: (x) => x.squeeze(-1), inputs: () => [leaf([1, 3, 1])] }],
  unsqueeze: [{ fn: (x) => x.unsqueeze(-1), inputs: () => [leaf([2, 3])] }],
  permute: [{ fn: (x) => x.permute(2, 0, 1), inputs: () => [leaf([2, 3, 4])] }],
  transpose: [{ fn: (x) => x.transpose(0, -1), inputs: () => [leaf([2, 3, 4])] }],
  expand: [{ fn: (x) => x.expand(2, 3, -1), inputs: () => [leaf([3, 1]).expand(3, 4).contiguous().detach().requiresGrad_()] }, { label: "size-1", fn: (x) => x.expand([4, 3]), inputs: () => [leaf([1, 3])] }],
  slice: [
    { fn: (x) => x.slice(1, 1, 4), inputs: () => [leaf([2, 5])] },
    { label: "step 2, negative bounds", fn: (x) => dt.slice(x, 0, -5, -1, 2), inputs: () => [leaf([6, 2])], secondOrder: true },
  ],
  sliceBackward: [{ fn: (g) => dt.OPS.get("sliceBackward")!.fn(g, [3, 7], 1, 1, 2), inputs: () => [leaf([3, 3])] }],
  narrow: [{ fn: (x) => dt.narrow(x, -1, 1, 2), inputs: () => [leaf([3, 4])] }],
  cat: [
    { fn: (a, b) => dt.cat([a, b], 1), inputs: () => [leaf([2, 3]), leaf([2, 2])] },
    { label: "dim 0 with constant", fn: (a) => dt.cat([a, K.row3, a], 0), inputs: () => [leaf([2, 3])] },
  ],
  stack: [{ fn: (a, b) => dt.stack([a, b], -1), inputs: () => [leaf([2, 3]), leaf([2, 3])] }],
  split: [{ fn: (x) => dt.split(x, [1, 3], 1).map((t, i) => t.mul(i + 1)), inputs: () => [leaf([2, 4])] }],
  chunk: [{ fn: (x) => x.chunk(3, 0), inputs: () => [leaf([5, 2])] }],
  flip: [{ fn: (x) => dt.flip(x, [0, -1]), inputs: () => [leaf([2, 3])] }],
  repeat: [{ fn: (x) => x.repeat(2, 1, 3), inputs: () => [leaf([2, 2])] }],
  pad: [
    { label: "constant", fn: (x) => dt.pad(x, [1, 2, 0, 1], 0.5), inputs: () => [leaf([2, 3])] },
    { label: "negative (crop)", fn: (x) => dt.pad(x, [-1, 1]), inputs: () => [leaf([2, 4])] },
    { label: "reflect", fn: (x) => F.pad(x, [2, 1], { mode: "reflect" }), inputs: () => [leaf([2, 4])] },
    { label: "replicate", fn: (x) => F.pad(x, [1, 1, 2, 0], { mode: "replicate" }), inputs: () => [leaf([1, 2, 3])] },
    { label: "circular", fn: (x) => F.pad(x, [1, 2], { mode: "circular" }), inputs: () => [leaf([2, 3])] },
  ],
  gather: [{ fn: (x) => dt.gather(x, 1, i32([0, 2, 2, 1, 0, 0], [3, 2])), inputs: () => [leaf([3, 3])] }],
  scatter: [
    { fn: (x, s) => dt.scatter(x, 0, i32([1, 0, 2, 2], [2, 2]), s), inputs: () => [leaf([3, 3]), leaf([2, 3])] },
    { label: "number src", fn: (x) => x.scatter(1, i32([2, 0], [2, 1]), 5), inputs: () => [leaf([2, 3])] },
  ],
  scatterAdd: [{ fn: (x, s) => dt.scatterAdd(x, 1, i32([0, 0, 2, 1, 1, 1], [2, 3]), s), inputs: () => [leaf([2, 3]), leaf([2, 3])] }],
  indexSelect: [
    { fn: (x) => dt.indexSelect(x, 0, i32([2, 0, 2])), inputs: () => [leaf([3, 2])] },
    { label: "dim -1, negative index", fn: (x) => x.indexSelect(-1, i32([-1, 1])), inputs: () => [leaf([2, 3])] },
  ],
  maskedFill: [{ fn: (x) => dt.maskedFill(x, dt.tensor([true, false, true]), -2), inputs: () => [leaf([2, 3])] }],
  tril: [{ fn: (x) => dt.tril(x, -1), inputs: () => [leaf([3, 4])] }],
  triu: [{ fn: (x) => x.triu(1), inputs: () => [leaf([2, 3, 3])] }],
  matmul: [
    { label: "2-D", fn: (a, b) => dt.matmul(a, b), inputs: () => [leaf([3, 4]), leaf([4, 2])], secondOrder: true },
    { label: "1-D @ 1-D", fn: (a, b) => dt.matmul(a, b), inputs: () => [leaf([4]), leaf([4])] },
    { label: "1-D @ 3-D", fn: (a, b) => dt.matmul(a, b), inputs: () => [leaf([3]), leaf([2, 3, 2])] },
    { label: "3-D @ 1-D", fn: (a, b) => dt.matmul(a, b), inputs: () => [leaf([2, 2, 3]), leaf([3])] },
    { label: "broadcast batch", fn: (a, b) => dt.matmul(a, b), inputs: () => [leaf([2, 1, 2, 3]), leaf([3, 3, 2])] },
    { label: "transposed operands", fn: (a, b) => dt.matmul(a.T, b.T), inputs: () => [leaf([4, 3]), leaf([2, 4])] },
  ],
  mm: [{ fn: (a, b) => dt.mm(a, b), inputs: () => [leaf([2, 3]), leaf([3, 2])] }],
  bmm: [{ fn: (a, b) => dt.bmm(a, b), inputs: () => [leaf([2, 2, 3]), leaf([2, 3, 2])] }],
  outer: [{ fn: (a, b) => dt.outer(a, b), inputs: () => [leaf([3]), leaf([2])] }],
  dot: [{ fn: (a, b) => dt.dot(a, b), inputs: () => [leaf([4]), leaf([4])], secondOrder: true }],
  gelu: [...unary((x) => F.gelu(x)), { label: "tanh", fn: (x) => F.gelu(x, { approximate: "tanh" }), inputs: () => [leaf([5])] }],
  silu: unary((x) => F.silu(x)),
  softmax: [
    { fn: (x) => dt.softmax(x, -1), inputs: () => [leaf([3, 4])], secondOrder: true },
    { label: "dim 0 non-contiguous", fn: (x) => F.softmax(x.T, 0), inputs: () => [leaf([4, 3])] },
  ],
  logSoftmax: [
    { fn: (x) => dt.logSoftmax(x, 1), inputs: () => [leaf([3, 4])], secondOrder: true },
    { label: "3-D dim 1", fn: (x) => F.logSoftmax(x, 1), inputs: () => [leaf([2, 3, 2])] },
  ],
  dropout: [{ fn: (x) => F.dropout(x, { p: 0.4 }), inputs: () => [leaf([4, 5])], seed: 7 }],
  linear: [
    { fn: (x, w, b) => F.linear(x, w, b), inputs: () => [leaf([2, 3]), leaf([4, 3]), leaf([4])], secondOrder: true },
    { label: "3-D input, no bias", fn: (x, w) => F.linear(x, w), inputs: () => [leaf([2, 2, 3]), leaf([2, 3])] },
  ],
  embedding: [
    { fn: (w) => F.embedding(i32([1, 3, 1, 0], [2, 2]), w), inputs: () => [leaf([4, 3])] },
    // paddingIdx blocks the gradient of a row the output depends on (PyTorch's definition), so finite
    // differences disagree by design there: it is checked against PyTorch fixtures instead.
  ],
  mseLoss: [{ fn: (a, b) => F.mseLoss(a, b), inputs: () => [leaf([3, 4]), leaf([3, 4])], secondOrder: true }, { label: "sum", fn: (a, b) => F.mseLoss(a, b, { reduction: "sum" }), inputs: () => [leaf([5]), leaf([5])] }],
  l1Loss: [{ fn: (a, b) => F.l1Loss(a, b), inputs: () => [leaf([3, 4]), leaf([3, 4])] }],
  smoothL1Loss: [{ fn: (a, b) => F.smoothL1Loss(a, b, { beta: 0.5 }), inputs: () => [leaf([3, 4], (v) => v * 2), leaf([3, 4])] }],
  huberLoss: [{ fn: (a, b) => F.huberLoss(a, b, { delta: 0.7, reduction: "none" }), inputs: () => [leaf([3, 4], (v) => v * 2), leaf([3, 4])] }],
  binaryCrossEntropy: [
    { fn: (p) => F.binaryCrossEntropy(p, K.bin32), inputs: () => [leaf([3, 2], (v) => 1 / (1 + Math.exp(-v)))] },
    { label: "weight, sum", fn: (p, w) => F.binaryCrossEntropy(p, K.prob4, { weight: w, reduction: "sum" }), inputs: () => [leaf([4], (v) => 1 / (1 + Math.exp(-v))), leaf([4])] },
  ],
  binaryCrossEntropyWithLogits: [
    { fn: (x, y) => F.binaryCrossEntropyWithLogits(x, y), inputs: () => [leaf([3, 2]), leaf([3, 2], (v) => 1 / (1 + Math.exp(-v)))] },
    { label: "posWeight, weight", fn: (x, pw) => F.binaryCrossEntropyWithLogits(x, K.bin23, { posWeight: pw, weight: K.pos3 }), inputs: () => [leaf([2, 3]), leaf([3], pos)] },
  ],
  klDiv: [
    { fn: (x, t) => F.klDiv(x, t, { reduction: "batchmean" }), inputs: () => [leaf([3, 4], (v) => -Math.abs(v)), leaf([3, 4], (v) => Math.abs(v) / 3)] },
    { label: "logTarget", fn: (x, t) => F.klDiv(x, t, { logTarget: true }), inputs: () => [leaf([3, 4]), leaf([3, 4], (v) => -Math.abs(v))] },
  ],
  nllLoss: [
    { fn: (x) => F.nllLoss(x, i32([0, 2, 1])), inputs: () => [leaf([3, 4])] },
    { label: "weight + ignoreIndex, 3-D", fn: (x, w) => F.nllLoss(x, i32([0, 2, -100, 1], [2, 2]), { weight: w }), inputs: () => [leaf([2, 3, 2]), leaf([3], pos)] },
  ],
  crossEntropy: [
    { fn: (x) => F.crossEntropy(x, i32([0, 2, 1])), inputs: () => [leaf([3, 4])], secondOrder: true },
    { label: "labelSmoothing + weight", fn: (x, w) => F.crossEntropy(x, i32([3, 0, 1]), { weight: w, labelSmoothing: 0.2 }), inputs: () => [leaf([3, 4]), leaf([4], pos)] },
    { label: "probability targets", fn: (x) => F.crossEntropy(x, K.probs23), inputs: () => [leaf([2, 3])] },
  ],
};
