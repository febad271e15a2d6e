// Activations and softmax-type ops of nn.functional that are plain math.

import { Tensor } from "../tensor/tensor.js";
import { attach, isGradEnabled, noGrad } from "../tensor/autograd.js";
import { B } from "../backend/backend.js";
import { isFloat } from "../tensor/dtype.js";
import { fmt, normDim } from "../tensor/shape.js";
import { defineOp } from "../ops/registry.js";
import { checkTensor, wrap } from "../ops/util.js";
import { add, div, erf, exp, log, mul, sigmoid, sub, tanh, lt } from "../ops/elementwise.js";
import { sum } from "../ops/reduce.js";
import { transpose } from "../ops/shape.js";
import type { TypedArray } from "../tensor/dtype.js";
import { rand } from "../ops/creation.js";
import { checkBool, checkOneOf, checkOptions } from "../tensor/options.js";

const GELU_KEYS = ["approximate"] as const;
const DROPOUT_KEYS = ["p", "training", "inplace"] as const;
const APPROXIMATE = ["none", "tanh"] as const;

export { relu, leakyRelu, elu, softplus, sigmoid, tanh } from "../ops/elementwise.js";

/** GELU: x Phi(x) = 0.5 x (1 + erf(x / sqrt 2)); approximate "tanh": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
export const gelu = defineOp("gelu", (x: Tensor, opts: { approximate?: "none" | "tanh" } = {}): Tensor => {
  checkTensor("gelu", x);
  opts = checkOptions("F.gelu", opts, GELU_KEYS, 2);
  const a = opts.approximate === undefined ? "none" : checkOneOf("F.gelu", "approximate", opts.approximate, APPROXIMATE);
  if (!isFloat(x.dtype)) {
    if (a === "tanh") return mul(mul(x, 0.5), add(tanh(mul(add(x, mul(x.pow(3), 0.044715)), Math.sqrt(2 / Math.PI))), 1));
    return mul(mul(x, 0.5), add(erf(mul(x, Math.SQRT1_2)), 1));
  }
  // one kernel each way; with createGraph the gradient is built from differentiable ops instead
  const y = wrap(B().unary(a === "tanh" ? "geluTanh" : "gelu", x, x.dtype), x.shape, x.dtype);
  return attach(y, "gelu", [x], (g) => {
    if (!isGradEnabled() && g.dtype === x.dtype) return [wrap(B().binary(a === "tanh" ? "geluTanhBackward" : "geluBackward", g, x, g.dtype), g.shape, g.dtype)];
    if (a === "tanh") {
      // d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3 c x^2), t = tanh(k (x + c x^3))
      const k = Math.sqrt(2 / Math.PI);
      const t = tanh(mul(add(x, mul(x.pow(3), 0.044715)), k));
      const d = add(mul(add(t, 1), 0.5), mul(mul(mul(x, 0.5), sub(1, mul(t, t))), mul(add(mul(mul(x, x), 3 * 0.044715), 1), k)));
      return [mul(g, d)];
    }
    // d/dx = Phi(x) + x phi(x)
    const d = add(mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5), mul(x, mul(exp(mul(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI))));
    return [mul(g, d)];
  });
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
  const y = lastDimKernel(xf, d, (v) => B().softmax(v, false, xf.dtype));
  return attach(y, "softmax", [xf], (g) =>
    isGradEnabled() || g.dtype !== y.dtype ? [mul(y, sub(g, sum(mul(g, y), d, true)))] : [lastDimKernel(g, d, (gv) => B().softmaxBackward(gv, lastDim(y, d), false, g.dtype))],
  );
});

/** x with dim d swapped to the last place (a view). */
function lastDim(x: Tensor, d: number): Tensor {
  return d === x.ndim - 1 ? x : noGrad(() => transpose(x, d, -1));
}
/** Runs a kernel over the last dim of x's dim-d-last view and returns its result in x's dim order (no graph). */
function lastDimKernel(x: Tensor, d: number, kernel: (v: Tensor) => TypedArray): Tensor {
  const v = lastDim(x, d);
  const out = wrap(kernel(v), v.shape, x.dtype);
  return lastDim(out, d);
}

/** logSoftmax(x, dim) = x - max - log sum exp(x - max); dy/dx: g - exp(y) sum g. */
export const logSoftmax = defineOp("logSoftmax", (x: Tensor, dim: number): Tensor => {
  const d = softmaxDim("logSoftmax", x, dim);
  const xf = isFloat(x.dtype) ? x : x.to("float32");
  if (xf.ndim === 0) return sub(xf, xf).detach();
  const y = lastDimKernel(xf, d, (v) => B().softmax(v, true, xf.dtype));
  return attach(y, "logSoftmax", [xf], (g) =>
    isGradEnabled() || g.dtype !== y.dtype ? [sub(g, mul(exp(y), sum(g, d, true)))] : [lastDimKernel(g, d, (gv) => B().softmaxBackward(gv, lastDim(y, d), true, g.dtype))],
  );
});

/** dropout(x, { p = 0.5, training = true }): zeroes elements with probability p and scales the rest by 1/(1-p).
 *  `inplace` is accepted and has no effect on the result (a new tensor is returned). */
export const dropout = defineOp("dropout", (x: Tensor, opts: { p?: number; training?: boolean; inplace?: boolean } = {}): Tensor => {
  checkTensor("dropout", x);
  opts = checkOptions("F.dropout", opts, DROPOUT_KEYS, 2);
  const p = opts.p ?? 0.5;
  if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`F.dropout: probability p must be in [0, 1], got ${String(p)}`);
  checkBool("F.dropout", "training", opts.training);
  if (opts.training === false || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const keep = lt(rand(x.shape, { dtype: isFloat(x.dtype) ? x.dtype : "float32" }), 1 - p);
  return mul(x, mul(keep, 1 / (1 - p)));
});

/** dropout2d(x, { p = 0.5, training = true }): zeroes whole channels with probability p (of [N, C, H, W],
 *  or of an unbatched [C, H, W]) and scales the rest by 1/(1-p), as torch.nn.functional.dropout2d.
 *  A 3-D input is one unbatched image, as in PyTorch 2 (torch 1.13 still read it as [N, C, L] with a warning). */
export const dropout2d = defineOp("dropout2d", (x: Tensor, opts: { p?: number; training?: boolean } = {}): Tensor => {
  checkTensor("dropout2d", x);
  opts = checkOptions("F.dropout2d", opts, ["p", "training", "inplace"], 2);
  const p = opts?.p ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout2d: probability p must be in [0, 1], got ${p}`);
  if (x.ndim !== 3 && x.ndim !== 4) throw new Error(`dropout2d: expected a 3-d [C, H, W] or 4-d [N, C, H, W] input, got ${fmt(x.shape)}`);
  if (opts?.training === false || p === 0) return x;
  if (p === 1) return mul(x, 0);
  const maskShape = x.ndim === 4 ? [x.shape[0], x.shape[1], 1, 1] : [x.shape[0], 1, 1];
  const keep = lt(rand(maskShape, { dtype: isFloat(x.dtype) ? x.dtype : "float32" }), 1 - p);
  return mul(x, mul(keep, 1 / (1 - p)));
});
