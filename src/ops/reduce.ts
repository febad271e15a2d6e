// Reductions: sum mean prod max min amax amin argmax argmin logsumexp all any var std norm cumsum.
// Each takes (dim?: number | number[], keepdim = false); no dim (or []) reduces every dim.

import { checkOptions } from "../tensor/options.js";
import { B, type ReduceOp } from "../backend/backend.js";
import { Tensor } from "../tensor/tensor.js";
import { attach, noGrad } from "../tensor/autograd.js";
import { isFloat, type DType } from "../tensor/dtype.js";
import { fmt, normDim, normDims, shapesEqual } from "../tensor/shape.js";
import { defineOp } from "./registry.js";
import { checkTensor, floatOf, wrap } from "./util.js";
import { abs, add, div, eq, exp, isfinite, log, mul, pow, sqrt, square, sub, where } from "./elementwise.js";
import { expand, flip, reshape } from "./shape.js";
import { scatterAdd } from "./indexing.js";
import { zeros } from "./creation.js";

/** The dims a reduction runs over: one, a list, or every dim (omitted, null or []). */
export type Dim = number | number[] | undefined | null;

function reduceCore(name: string, op: ReduceOp, x: Tensor, axes: number[], keepdim: boolean, dtype: DType): Tensor {
  const data = B().reduce(op, x, axes, dtype);
  return wrap(data, keptShape(x.shape, axes, keepdim), dtype);
}

function keptShape(shape: number[], axes: number[], keepdim: boolean): number[] {
  const out: number[] = [];
  for (let d = 0; d < shape.length; d++) {
    if (!axes.includes(d)) out.push(shape[d]);
    else if (keepdim) out.push(1);
  }
  return out;
}

/** Broadcasts a reduced gradient (or value) back over the reduced axes. */
function unreduce(g: Tensor, shape: number[], axes: number[]): Tensor {
  return expand(reshape(g, keptShape(shape, axes, true)), shape);
}

/** Sums g down to `shape` (the backward of broadcasting). */
export function sumTo(g: Tensor, shape: number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g;
  const lead = g.shape.length - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < g.shape.length; i++) if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) dims.push(i);
  return reshape(sum(g, dims, true), shape);
}

function intOrFloat(d: DType): DType {
  return isFloat(d) ? d : "int32";
}

/** sum(x, dim?, keepdim = false): the sum over dim (a number or a list; every dim when omitted).
 *  y = sum x, dy/dx = 1 (broadcast back) */
export const sum = defineOp("sum", (x: Tensor, dim?: Dim, keepdim = false): Tensor => {
  checkTensor("sum", x);
  const axes = normDims("sum", dim, x.ndim, x.shape);
  const y = reduceCore("sum", "sum", x, axes, keepdim, intOrFloat(x.dtype));
  return attach(y, "sum", [x], (g) => [unreduce(g, x.shape, axes)]);
});

function countOf(shape: number[], axes: number[]): number {
  let n = 1;
  for (const a of axes) n *= shape[a];
  return n;
}

/** mean(x, dim?, keepdim = false): the mean over dim (every dim when omitted); float result.
 *  y = sum x / n */
export const mean = defineOp("mean", (x: Tensor, dim?: Dim, keepdim = false): Tensor => {
  checkTensor("mean", x);
  const axes = normDims("mean", dim, x.ndim, x.shape);
  const xf = isFloat(x.dtype) ? x : x.to("float32");
  return div(sum(xf, axes.length ? axes : [], keepdim), countOf(x.shape, axes));
});

/** prod(x, dim?, keepdim = false): the product over dim (every dim when omitted).
 *  y = prod x, dy/dx_i = prod_{j != i} x_j (handles zeros exactly) */
export const prod = defineOp("prod", (x: Tensor, dim?: Dim, keepdim = false): Tensor => {
  checkTensor("prod", x);
  const axes = normDims("prod", dim, x.ndim, x.shape);
  const y = reduceCore("prod", "prod", x, axes, keepdim, intOrFloat(x.dtype));
  return attach(y, "prod", [x], (g) => {
    const gk = unreduce(g, x.shape, axes), yk = unreduce(y, x.shape, axes);
    const isZero = eq(x, 0);
    const zeroCount = expand(sum(isZero, axes, true), x.shape);
    const othersIfOneZero = expand(prod(where(isZero, 1, x), axes, true), x.shape);
    const noZero = div(yk, where(isZero, 1, x));
    const grad = where(eq(zeroCount, 0), noZero, where(logicalAndT(eq(zeroCount, 1), isZero), othersIfOneZero, 0));
    return [mul(gk, grad)];
  });
});

function logicalAndT(a: Tensor, b: Tensor): Tensor {
  return mul(a, b).to("bool");
}

/** Gradient of amax/amin: split evenly among the elements equal to the extreme. */
function extremeGrad(g: Tensor, x: Tensor, y: Tensor, axes: number[]): Tensor {
  const mask = eq(x, unreduce(y, x.shape, axes));
  const count = sum(mask, axes, true);
  return div(mul(unreduce(g, x.shape, axes), mask), count);
}

function amaxLike(name: string, op: "max" | "min") {
  return (x: Tensor, dim?: Dim, keepdim = false): Tensor => {
    checkTensor(name, x);
    const axes = normDims(name, dim, x.ndim, x.shape);
    if (x.numel() === 0) throw new Error(`${name}: expected a non-empty tensor, got shape ${fmt(x.shape)}`);
    const y = reduceCore(name, op, x, axes, keepdim, x.dtype);
    return attach(y, name, [x], (g) => [extremeGrad(g, x, y, axes)]);
  };
}
/** amax(x, dim?, keepdim = false): the maximum over dim (every dim when omitted); ties share the gradient. */
export const amax = defineOp("amax", amaxLike("amax", "max"));
/** amin(x, dim?, keepdim = false): the minimum over dim (every dim when omitted); ties share the gradient. */
export const amin = defineOp("amin", amaxLike("amin", "min"));

function argLike(name: string, op: "argmax" | "argmin") {
  return (x: Tensor, dim?: number | null, keepdim = false): Tensor => {
    checkTensor(name, x);
    if (x.numel() === 0) throw new Error(`${name}: expected a non-empty tensor, got shape ${fmt(x.shape)}`);
    if (dim === undefined || dim === null) {
      const flat = reshape(x.contiguous(), [-1]);
      const r = reduceCore(name, op, flat, [0], false, "int32");
      return keepdim ? reshape(r, x.shape.map(() => 1)) : r;
    }
    const d = normDim(name, dim, x.ndim, x.shape);
    return reduceCore(name, op, x, x.ndim === 0 ? [] : [d], keepdim, "int32");
  };
}
/** argmax(x, dim?, keepdim = false): int32 index of the maximum along dim (of the flattened tensor when omitted). */
export const argmax = defineOp("argmax", argLike("argmax", "argmax"), { differentiable: false });
/** argmin(x, dim?, keepdim = false): int32 index of the minimum along dim (of the flattened tensor when omitted). */
export const argmin = defineOp("argmin", argLike("argmin", "argmin"), { differentiable: false });

function maxLike(name: string, op: "max" | "min", whole: (x: Tensor) => Tensor, arg: (x: Tensor, d: number, k: boolean) => Tensor) {
  function f(x: Tensor): Tensor;
  function f(x: Tensor, dim: number, keepdim?: boolean): ValuesIndices;
  function f(x: Tensor, dim?: number | null, keepdim = false): Tensor | { values: Tensor; indices: Tensor } {
    checkTensor(name, x);
    if (dim === undefined || dim === null) return whole(x);
    if (Array.isArray(dim)) throw new Error(`${name}: dim must be a single number, got ${JSON.stringify(dim)} (use amax/amin for several dims)`);
    const d = normDim(name, dim, x.ndim, x.shape);
    const axes = x.ndim === 0 ? [] : [d];
    const indices = arg(x, d, keepdim);
    const values = reduceCore(name, op, x, axes, keepdim, x.dtype);
    // dy/dx: the gradient goes to the selected index only (as PyTorch's max(dim))
    attach(values, name, [x], (g) => {
      if (x.ndim === 0) return [g];
      const gk = reshape(g, keptShape(x.shape, axes, true));
      const ik = reshape(indices, keptShape(x.shape, axes, true));
      return [scatterAdd(zeros(x.shape, { dtype: g.dtype }), d, ik, gk)];
    });
    const r = { values, indices };
    // also destructures like torch's namedtuple: const [v, i] = x.max(1)
    Object.defineProperty(r, Symbol.iterator, { value: function* () { yield values; yield indices; }, enumerable: false });
    return r as ValuesIndices;
  }
  return f;
}

/** What max(x, dim) and min(x, dim) return; also destructurable: `const [values, indices] = x.max(1)`. */
export type ValuesIndices = {
  /** The largest (smallest) values along dim. */
  values: Tensor;
  /** Their int32 indices along dim. */
  indices: Tensor;
} & Iterable<Tensor>;

/** max(x) -> 0-d tensor; max(x, dim, keepdim?) -> { values, indices }. */
export const max = defineOp("max", maxLike("max", "max", (x) => amax(x), (x, d, k) => argmax(x, d, k)));
/** min(x) -> 0-d tensor; min(x, dim, keepdim?) -> { values, indices }. */
export const min = defineOp("min", maxLike("min", "min", (x) => amin(x), (x, d, k) => argmin(x, d, k)));

/** logsumexp(x, dim?, keepdim = false): log(sum(exp(x))) over dim, computed stably.
 *  y = log sum exp x, computed as m + log sum exp(x - m) with m = max x; dy/dx = exp(x - y) */
export const logsumexp = defineOp("logsumexp", (x: Tensor, dim?: Dim, keepdim = false): Tensor => {
  checkTensor("logsumexp", x);
  const axes = normDims("logsumexp", dim, x.ndim, x.shape);
  const xf = isFloat(x.dtype) ? x : x.to("float32");
  const y = noGrad(() => {
    let m = amax(xf, axes, true);
    m = where(isfinite(m), m, 0);
    const s = add(log(sum(exp(sub(xf, m)), axes, true)), m);
    return keepdim ? s : reshape(s, keptShape(x.shape, axes, false));
  });
  return attach(y, "logsumexp", [xf], (g) => [mul(unreduce(g, x.shape, axes), exp(sub(xf, unreduce(y, x.shape, axes))))]);
});

/** all(x, dim?, keepdim = false): true where every element over dim is non-zero (bool result). */
export const all = defineOp(
  "all",
  (x: Tensor, dim?: Dim, keepdim = false): Tensor => reduceCore("all", "all", checkTensor("all", x), normDims("all", dim, x.ndim, x.shape), keepdim, "bool"),
  { differentiable: false },
);
/** any(x, dim?, keepdim = false): true where some element over dim is non-zero (bool result). */
export const any = defineOp(
  "any",
  (x: Tensor, dim?: Dim, keepdim = false): Tensor => reduceCore("any", "any", checkTensor("any", x), normDims("any", dim, x.ndim, x.shape), keepdim, "bool"),
  { differentiable: false },
);

/** Options of var and std. */
export interface VarOptions {
  /** Subtracted from the count in the denominator: 1 = unbiased (default), 0 = population. */
  correction?: number;
  /** Keep the reduced dims with size 1 (default false). */
  keepdim?: boolean;
  /** PyTorch's older spelling: unbiased false is correction 0 (not together with correction). */
  unbiased?: boolean;
}
const VAR_KEYS = ["correction", "keepdim", "unbiased"] as const;

/** var(x, dim?, { correction = 1, keepdim = false }): the variance over dim (every dim when omitted).
 *  var = sum (x - mean)^2 / (n - correction)
 *  Also PyTorch's legacy positional form var(dim?, unbiased, keepdim?): unbiased false is correction 0. */
export const variance = defineOp("var", (x: Tensor, dim?: Dim | VarOptions | boolean, opts: VarOptions | boolean = {}, keepdim?: boolean): Tensor => {
  checkTensor("var", x);
  if (typeof dim === "boolean") [dim, opts] = [undefined, dim]; // var(unbiased)
  if (dim !== null && typeof dim === "object" && !Array.isArray(dim)) [dim, opts] = [undefined, dim]; // var({ correction })
  if (typeof opts === "boolean") opts = { correction: opts ? 1 : 0, keepdim };
  else {
    opts = checkOptions("var", opts, VAR_KEYS);
    if (opts.unbiased !== undefined) {
      if (opts.correction !== undefined) throw new Error(`var: give either correction or unbiased, not both`);
      opts = { correction: opts.unbiased ? 1 : 0, keepdim: opts.keepdim ?? keepdim };
    } else if (keepdim !== undefined && opts.keepdim === undefined) opts = { correction: opts.correction, keepdim };
  }
  const axes = normDims("var", dim, x.ndim, x.shape);
  const xf = isFloat(x.dtype) ? x : x.to("float32");
  const mu = mean(xf, axes, true);
  const ss = sum(square(sub(xf, mu)), axes, opts.keepdim ?? false);
  return div(ss, Math.max(0, countOf(x.shape, axes) - (opts.correction ?? 1)));
});

/** std(x, dim?, { correction = 1, keepdim = false }): the standard deviation, sqrt(var).
 *  std = sqrt(var) */
export const std = defineOp("std", (x: Tensor, dim?: Dim | VarOptions | boolean, opts: VarOptions | boolean = {}, keepdim?: boolean): Tensor =>
  sqrt(variance(x, dim, opts, keepdim)),
);

/** Vector p-norm over dims (all by default): (sum |x|^p)^(1/p); p = Infinity gives max |x|.
 *  d/dx = x |x|^(p-2) / norm^(p-1), taken as 0 where the norm is 0 (as PyTorch). */
export const norm = defineOp("norm", (x: Tensor, p: number | "fro" = 2, dim?: Dim, keepdim = false): Tensor => {
  checkTensor("norm", x);
  const pp = p === "fro" ? 2 : p;
  if (typeof pp !== "number" || Number.isNaN(pp)) throw new Error(`norm: p must be a number, Infinity or "fro", got ${String(p)}`);
  const axes = normDims("norm", dim, x.ndim, x.shape);
  const xf = isFloat(x.dtype) ? x : x.to("float32");
  if (pp === Infinity) return amax(abs(xf), axes, keepdim);
  if (pp === -Infinity) return amin(abs(xf), axes, keepdim);
  if (pp === 0) return sum(x.ne(0).to(floatOf(x.dtype)), axes, keepdim);
  const y = noGrad(() => {
    if (pp === 2) return sqrt(sum(square(xf), axes, keepdim));
    if (pp === 1) return sum(abs(xf), axes, keepdim);
    return pow(sum(pow(abs(xf), pp), axes, keepdim), 1 / pp);
  });
  return attach(y, "norm", [xf], (g) => {
    const yk = unreduce(y, x.shape, axes), gk = unreduce(g, x.shape, axes);
    let d: Tensor;
    if (pp === 1) d = xf.sign();
    else if (pp === 2) d = div(xf, yk);
    else d = div(mul(xf, pow(abs(xf), pp - 2)), pow(yk, pp - 1));
    return [mul(gk, where(eq(yk, 0), 0, d))];
  });
});

/** cumsum(x, dim): the cumulative sum along dim.
 *  y_i = sum_{j <= i} x_j; dy/dx: reversed cumulative sum of g */
export const cumsum = defineOp("cumsum", (x: Tensor, dim: number): Tensor => {
  checkTensor("cumsum", x);
  if (dim === undefined) throw new Error(`cumsum: dim is required (input shape ${fmt(x.shape)})`);
  const d = normDim("cumsum", dim, x.ndim, x.shape);
  const dt = intOrFloat(x.dtype);
  if (x.ndim === 0) return x.to(dt).clone();
  const y = wrap(B().cumsum(x, d, dt), x.shape, dt);
  return attach(y, "cumsum", [x], (g) => [flip(cumsum(flip(g, [d]), d), [d])]);
});
