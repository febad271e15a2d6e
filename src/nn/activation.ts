// Activations and softmax-type ops of nn.functional that are plain math.

import { Tensor } from "../tensor/tensor.js";
import { attach, noGrad } from "../tensor/autograd.js";
import { isFloat } from "../tensor/dtype.js";
import { fmt, normDim } from "../tensor/shape.js";
import { defineOp } from "../ops/registry.js";
import { checkTensor } from "../ops/util.js";
import { add, div, erf, exp, log, mul, sigmoid, sub, tanh, lt } from "../ops/elementwise.js";
import { amax, sum } from "../ops/reduce.js";
import { rand } from "../ops/creation.js";

export { relu, leakyRelu, elu, softplus, sigmoid, tanh } from "../ops/elementwise.js";

/** GELU: x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)); approximate "tanh": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export const gelu = defineOp("gelu", (x: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor => {
  checkTensor("gelu", x);
  const a = opts.approximate ?? "none";
  if (a === "tanh") return mul(mul(x, 0.5), add(tanh(mul(add(x, mul(x.pow(3), 0.044715)), Math.sqrt(2 / Math.PI))), 1));
  if (a !== "none") throw new Error(`gelu: approximate must be "none" or "tanh", got ${String(a)}`);
  return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
});

/** SiLU (swish): x sigmoid(x). */
export const silu = defineOp("silu", (x: Tensor): Tensor => mul(checkTensor("silu", x), sigmoid(x)));

function softmaxDim(op: string, x: Tensor, dim: number): number {
  checkTensor(op, x);
  if (dim === undefined || dim === null) throw new Error(`${op}: dim is required (input shape ${fmt(x.shape)})`);
  return x.ndim === 0 ? 0 : normDim(op, dim, x.ndim, x.shape);
}

/** softmax(x, dim) = exp(x - max) / sum exp(x - max); dy/dx: y (g - sum(g y)). Finite at +/-1000. */
export const softmax = defineOp("softmax", (x: Tensor, dim: number): Tensor => {
  const d = softmaxDim("softmax", x, dim);
  const xf = isFloat(x.dtype) ? x : x.to("float32");
  if (xf.ndim === 0) return add(mul(xf, 0), 1).detach(); // 1 (NaN for inf/NaN), as torch
  const y = noGrad(() => {
    const e = exp(sub(xf, amax(xf, d, true)));
    return div(e, sum(e, d, true));
  });
  return attach(y, "softmax", [xf], (g) => [mul(y, sub(g, sum(mul(g, y), d, true)))]);
});

/** logSoftmax(x, dim) = x - max - log sum exp(x - max); dy/dx: g - exp(y) sum g. */
export const logSoftmax = defineOp("logSoftmax", (x: Tensor, dim: number): Tensor => {
  const d = softmaxDim("logSoftmax", x, dim);
  const xf = isFloat(x.dtype) ? x : x.to("float32");
  if (xf.ndim === 0) return sub(xf, xf).detach();
  const y = noGrad(() => {
    const s = sub(xf, amax(xf, d, true));
    return sub(s, log(sum(exp(s), d, true)));
  });
  return attach(y, "logSoftmax", [xf], (g) => [sub(g, mul(exp(y), sum(g, d, true)))]);
});

/** dropout(x, { p = 0.5, training = true }): zeroes elements with probability p and scales the rest by 1/(1-p). */
export const dropout = defineOp("dropout", (x: Tensor, opts: { p?: number; training?: boolean } = {}): Tensor => {
  checkTensor("dropout", x);
  const p = opts.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability p must be in [0, 1], got ${p}`);
  if (opts.training === false || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const keep = lt(rand(x.shape, { dtype: isFloat(x.dtype) ? x.dtype : "float32" }), 1 - p);
  return mul(x, mul(keep, 1 / (1 - p)));
});
