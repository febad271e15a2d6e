// Elementwise ops: unary math, binary arithmetic with broadcasting, comparisons, where.
// Each op: forward through one backend kernel, backward beside it (derivative in the comment).

import { checkOptions } from "../tensor/options.js";
import { B, type BinaryOp, type UnaryOp } from "../backend/backend.js";
import { Tensor } from "../tensor/tensor.js";
import { attach, isGradEnabled } from "../tensor/autograd.js";
import { isFloat, type DType } from "../tensor/dtype.js";
import { broadcastShapes, fmt, shapesEqual } from "../tensor/shape.js";
import { defineOp } from "./registry.js";
import { checkTensor, expandView, floatOf, resultType, scalar, toTensor, wrap, type Operand } from "./util.js";
import { sumTo } from "./reduce.js";

// ---- plumbing ----------------------------------------------------------------------------------

function un(op: UnaryOp, x: Tensor, dtype: DType, p0?: number, p1?: number): Tensor {
  return wrap(B().unary(op, x, dtype, p0, p1), x.shape, dtype);
}

type OutKind = "same" | "float" | "bool";

/** Runs a binary kernel with broadcasting and promotion; returns [out, a, b] as tensors. */
function bin(name: string, op: BinaryOp, a: Operand, b: Operand, kind: OutKind): [Tensor, Tensor, Tensor] {
  let x: Tensor, y: Tensor, dt: DType;
  if (a instanceof Tensor && b instanceof Tensor && a.dtype === b.dtype) {
    x = a;
    y = b;
    dt = a.dtype;
  } else {
    if (!(a instanceof Tensor) && typeof a !== "number" && typeof a !== "boolean") checkTensor(name, a, "first operand");
    if (!(b instanceof Tensor) && typeof b !== "number" && typeof b !== "boolean") checkTensor(name, b, "second operand");
    dt = resultType(a, b);
    x = toTensor(a, dt);
    y = toTensor(b, dt);
  }
  const shape = x.shape === y.shape || shapesEqual(x.shape, y.shape) ? x.shape : broadcastShapes(name, x.shape, y.shape);
  const od: DType = kind === "bool" ? "bool" : kind === "float" ? floatOf(dt) : dt;
  if (od === "bool" && kind === "same" && op !== "maximum" && op !== "minimum") {
    // arithmetic on bools: compute in int32 and map back to {0, 1}
    const r = wrap(B().binary(op, expandView(x, shape), expandView(y, shape), "int32"), shape, "int32");
    return [wrap(B().unary("copy", ne(r, 0), "bool"), shape, "bool"), x, y];
  }
  return [wrap(B().binary(op, expandView(x, shape), expandView(y, shape), od), shape, od), x, y];
}

/** Casts to a dtype (t.to(dtype)); float -> int truncates toward zero, any -> bool is x != 0. */
export const cast = defineOp("to", (x: Tensor, dtype: DType): Tensor => {
  checkTensor("to", x);
  if (x.dtype === dtype) return x;
  if (dtype !== "float32" && dtype !== "float64" && dtype !== "int32" && dtype !== "bool")
    throw new Error(`to: unknown dtype '${dtype}' (expected float32, float64, int32 or bool)`);
  if (dtype === "bool") return ne(x, 0);
  const out = un("copy", x, dtype);
  // d/dx cast(x) = 1 (only between float types)
  if (!isFloat(dtype)) return out;
  return attach(out, "to", [x], (g) => [cast(g, x.dtype)]);
});

// ---- unary math --------------------------------------------------------------------------------

function unaryFloat(name: string, op: UnaryOp, grad: (g: Tensor, x: Tensor, y: Tensor) => Tensor) {
  return defineOp(name, (x: Tensor): Tensor => {
    checkTensor(name, x);
    const y = un(op, x, floatOf(x.dtype));
    return attach(y, name, [x], (g) => [grad(g, x, y)]);
  });
}

/** neg(x): -x, elementwise (not for bool tensors).
 *  y = -x, dy/dx = -1 */
export const neg = defineOp("neg", (x: Tensor): Tensor => {
  checkTensor("neg", x);
  if (x.dtype === "bool") throw new Error(`neg: negation of a bool tensor of shape ${fmt(x.shape)} is not supported (use logicalNot)`);
  const y = un("neg", x, x.dtype);
  return attach(y, "neg", [x], (g) => [neg(g)]);
});
/** exp(x): e^x, elementwise (float result).
 *  y = e^x, dy/dx = y */
export const exp = unaryFloat("exp", "exp", (g, _x, y) => mul(g, y));
/** log(x): the natural logarithm, elementwise (float result).
 *  y = ln x, dy/dx = 1/x */
export const log = unaryFloat("log", "log", (g, x) => div(g, x));
/** log1p(x): log(1 + x), accurate for small x.
 *  y = ln(1+x), dy/dx = 1/(1+x) */
export const log1p = unaryFloat("log1p", "log1p", (g, x) => div(g, add(x, 1)));
/** expm1(x): e^x - 1, accurate for small x.
 *  y = e^x - 1, dy/dx = y + 1 */
export const expm1 = unaryFloat("expm1", "expm1", (g, _x, y) => mul(g, add(y, 1)));
/** sqrt(x): the square root, elementwise (float result).
 *  y = sqrt x, dy/dx = 1 / (2y) */
export const sqrt = unaryFloat("sqrt", "sqrt", (g, _x, y) => div(g, mul(y, 2)));
/** rsqrt(x): 1 / sqrt(x), elementwise.
 *  y = x^-1/2, dy/dx = -y^3 / 2 */
export const rsqrt = unaryFloat("rsqrt", "rsqrt", (g, _x, y) => mul(g, mul(pow(y, 3), -0.5)));
/** sin(x), elementwise (float result).
 *  y = sin x, dy/dx = cos x */
export const sin = unaryFloat("sin", "sin", (g, x) => mul(g, cos(x)));
/** cos(x), elementwise (float result).
 *  y = cos x, dy/dx = -sin x */
export const cos = unaryFloat("cos", "cos", (g, x) => mul(g, neg(sin(x))));
/** tanh(x), elementwise (float result).
 *  y = tanh x, dy/dx = 1 - y^2 */
export const tanh = unaryFloat("tanh", "tanh", (g, _x, y) => mul(g, rsub(square(y), 1)));
/** sigmoid(x): 1 / (1 + e^-x), elementwise.
 *  y = 1 / (1 + e^-x), dy/dx = y (1 - y) */
export const sigmoid = unaryFloat("sigmoid", "sigmoid", (g, _x, y) => mul(g, mul(y, rsub(y, 1))));
/** reciprocal(x): 1 / x, elementwise (float result).
 *  y = 1/x, dy/dx = -y^2 */
export const reciprocal = unaryFloat("reciprocal", "reciprocal", (g, _x, y) => mul(g, neg(square(y))));
/** erf(x): the Gauss error function, elementwise.
 *  y = erf x, dy/dx = 2/sqrt(pi) e^(-x^2) */
export const erf = unaryFloat("erf", "erf", (g, x) => mul(g, mul(exp(neg(square(x))), 2 / Math.sqrt(Math.PI))));

function unarySame(name: string, op: UnaryOp, grad: ((g: Tensor, x: Tensor, y: Tensor) => Tensor) | null) {
  return defineOp(
    name,
    (x: Tensor): Tensor => {
      checkTensor(name, x);
      const y = un(op, x, x.dtype);
      if (!grad) return y;
      return attach(y, name, [x], (g) => [grad(g, x, y)]);
    },
    { differentiable: grad !== null },
  );
}
/** abs(x): |x|, elementwise, same dtype.
 *  y = |x|, dy/dx = sign x */
export const abs = unarySame("abs", "abs", (g, x) => mul(g, sign(x)));
/** square(x): x * x, elementwise, same dtype.
 *  y = x^2, dy/dx = 2x */
export const square = unarySame("square", "square", (g, x) => mul(g, mul(x, 2)));
/** sign(x): -1, 0 or 1 by the sign of each element, same dtype.
 *  piecewise constant: dy/dx = 0 (as PyTorch) */
export const sign = unarySame("sign", "sign", (g) => mul(g, 0));
/** floor(x): rounds down, elementwise; gradient 0. */
export const floor = unarySame("floor", "floor", (g) => mul(g, 0));
/** ceil(x): rounds up, elementwise; gradient 0. */
export const ceil = unarySame("ceil", "ceil", (g) => mul(g, 0));
/** Rounds half to even, as torch.round. */
export const round = unarySame("round", "round", (g) => mul(g, 0));
/** relu(x): max(x, 0), elementwise.
 *  y = max(x, 0), dy/dx = [x > 0]
 *  (one kernel: x <= 0 ? 0 : g, as PyTorch's threshold_backward; with createGraph the differentiable form) */
export const relu = unarySame("relu", "relu", (g, x) =>
  isGradEnabled() || g.dtype !== x.dtype || !isFloat(g.dtype) ? mul(g, gt(x, 0)) : wrap(B().binary("reluBackward", g, x, g.dtype), g.shape, g.dtype),
);

/** clamp(x, min?, max?): dy/dx = 1 inside [min, max], 0 outside. min/max may be numbers or tensors. */
export const clamp = defineOp("clamp", (x: Tensor, min?: Operand | null, max?: Operand | null): Tensor => {
  checkTensor("clamp", x);
  if (min == null && max == null) throw new Error(`clamp: at least one of min and max must be given (input shape ${fmt(x.shape)})`);
  if (min instanceof Tensor || max instanceof Tensor) {
    let y: Tensor = x;
    if (min != null) y = maximum(y, min);
    if (max != null) y = minimum(y, max);
    return y;
  }
  const lo = min == null ? -Infinity : +min, hi = max == null ? Infinity : +max;
  const dt = resultType(x, ...(min == null ? [] : [min]), ...(max == null ? [] : [max]));
  const y = un("clamp", x, dt, lo, hi);
  return attach(y, "clamp", [x], (g) => [mul(g, logicalAnd(ge(x, lo), le(x, hi)))]);
});

const LEAKY_RELU_KEYS = ["negativeSlope", "inplace"] as const;
const ELU_KEYS = ["alpha", "inplace"] as const;
const SOFTPLUS_KEYS = ["beta", "threshold"] as const;

function checkNumber(op: string, what: string, v: unknown): void {
  if (v !== undefined && typeof v !== "number") throw new TypeError(`${op}: ${what} must be a number, got ${typeof v} ${String(v)}`);
}

/** LeakyReLU: y = x (x > 0) else slope x; dy/dx = 1 or slope. `inplace` is accepted and has no effect on the result. */
export const leakyRelu = defineOp("leakyRelu", (x: Tensor, opts: { negativeSlope?: number; inplace?: boolean } = {}): Tensor => {
  checkTensor("leakyRelu", x);
  opts = checkOptions("F.leakyRelu", opts, LEAKY_RELU_KEYS, 2);
  checkNumber("F.leakyRelu", "negativeSlope", opts.negativeSlope);
  const s = opts.negativeSlope ?? 0.01;
  const y = un("leakyRelu", x, floatOf(x.dtype), s);
  return attach(y, "leakyRelu", [x], (g) => [where(gt(x, 0), g, mul(g, s))]); // slope in g's dtype
});

/** ELU: y = x (x > 0) else alpha (e^x - 1); dy/dx = 1 or y + alpha. */
export const elu = defineOp("elu", (x: Tensor, opts: { alpha?: number; inplace?: boolean } = {}): Tensor => {
  checkTensor("elu", x);
  opts = checkOptions("F.elu", opts, ELU_KEYS, 2);
  checkNumber("F.elu", "alpha", opts.alpha);
  const a = opts.alpha ?? 1;
  const y = un("elu", x, floatOf(x.dtype), a);
  return attach(y, "elu", [x], (g) => [mul(g, where(gt(x, 0), 1, add(y, a)))]);
});

/** Softplus: y = log(1 + e^(beta x)) / beta, linear above threshold; dy/dx = sigmoid(beta x). */
export const softplus = defineOp("softplus", (x: Tensor, opts: { beta?: number; threshold?: number } = {}): Tensor => {
  checkTensor("softplus", x);
  opts = checkOptions("F.softplus", opts, SOFTPLUS_KEYS, 2);
  checkNumber("F.softplus", "beta", opts.beta);
  checkNumber("F.softplus", "threshold", opts.threshold);
  const beta = opts.beta ?? 1, th = opts.threshold ?? 20;
  const y = un("softplus", x, floatOf(x.dtype), beta, th);
  return attach(y, "softplus", [x], (g) => [mul(g, where(gt(mul(x, beta), th), 1, sigmoid(mul(x, beta))))]);
});

// ---- logic on one input (no gradient) ------------------------------------------------------------

/** logicalNot(x): !x as a bool tensor (non-zero is true). */
export const logicalNot = defineOp("logicalNot", (x: Tensor) => un("logicalNot", checkTensor("logicalNot", x), "bool"), { differentiable: false });
/** isnan(x): true where an element is NaN (bool result). */
export const isnan = defineOp("isnan", (x: Tensor) => un("isnan", checkTensor("isnan", x), "bool"), { differentiable: false });
/** isfinite(x): true where an element is neither infinite nor NaN (bool result). */
export const isfinite = defineOp("isfinite", (x: Tensor) => un("isfinite", checkTensor("isfinite", x), "bool"), { differentiable: false });

// ---- binary arithmetic ---------------------------------------------------------------------------

/** add(a, b): a + b, broadcast; either operand may be a number.
 *  z = a + b, dz/da = 1, dz/db = 1 (summed over broadcast dims) */
export const add = defineOp("add", (a: Operand, b: Operand): Tensor => {
  const [z, x, y] = bin("add", "add", a, b, "same");
  return attach(z, "add", [x, y], (g) => [sumTo(g, x.shape), sumTo(g, y.shape)]);
});
/** sub(a, b): a - b, broadcast; either operand may be a number.
 *  z = a - b, dz/da = 1, dz/db = -1 */
export const sub = defineOp("sub", (a: Operand, b: Operand): Tensor => {
  const [z, x, y] = bin("sub", "sub", a, b, "same");
  return attach(z, "sub", [x, y], (g) => [sumTo(g, x.shape), y.requiresGrad ? sumTo(neg(g), y.shape) : null]);
});
/** b - a (reversed subtraction, for numbers on the left). */
export function rsub(a: Operand, b: Operand): Tensor {
  return sub(b, a);
}
/** mul(a, b): a * b, broadcast; either operand may be a number.
 *  z = a b, dz/da = b, dz/db = a */
export const mul = defineOp("mul", (a: Operand, b: Operand): Tensor => {
  const [z, x, y] = bin("mul", "mul", a, b, "same");
  return attach(z, "mul", [x, y], (g) => [
    x.requiresGrad ? sumTo(mul(g, y), x.shape) : null,
    y.requiresGrad ? sumTo(mul(g, x), y.shape) : null,
  ]);
});
/** div(a, b): a / b (true division, float result), broadcast; either operand may be a number.
 *  z = a / b (true division), dz/da = 1/b, dz/db = -a/b^2 = -z/b */
export const div = defineOp("div", (a: Operand, b: Operand): Tensor => {
  const [z, x, y] = bin("div", "div", a, b, "float");
  return attach(z, "div", [x, y], (g) => [
    x.requiresGrad ? sumTo(div(g, y), x.shape) : null,
    y.requiresGrad ? sumTo(neg(div(mul(g, x), mul(y, y))), y.shape) : null,
  ]);
});
/** pow(a, b): a ** b, broadcast; either operand may be a number.
 *  z = a^b, dz/da = b a^(b-1), dz/db = z ln a (0 where a = 0 and b >= 0, as PyTorch) */
export const pow = defineOp("pow", (a: Operand, b: Operand): Tensor => {
  const [z, x, y] = bin("pow", "pow", a, b, "same");
  return attach(z, "pow", [x, y], (g) => [
    x.requiresGrad ? sumTo(mul(g, where(eq(y, 0), 0, mul(y, pow(x, sub(y, 1))))), x.shape) : null,
    y.requiresGrad ? sumTo(mul(g, where(logicalAnd(eq(x, 0), ge(y, 0)), 0, mul(z, log(x)))), y.shape) : null,
  ]);
});
/** maximum(a, b): the larger of a and b, elementwise, broadcast.
 *  z = max(a, b): the gradient goes to the larger input, split evenly on ties (as PyTorch) */
export const maximum = defineOp("maximum", (a: Operand, b: Operand): Tensor => {
  const [z, x, y] = bin("maximum", "maximum", a, b, "same");
  return attach(z, "maximum", [x, y], (g) => {
    const w = add(gt(x, y), mul(eq(x, y), 0.5)); // share of a
    return [x.requiresGrad ? sumTo(mul(g, w), x.shape) : null, y.requiresGrad ? sumTo(mul(g, rsub(w, 1)), y.shape) : null];
  });
});
/** minimum(a, b): the smaller of a and b, elementwise, broadcast; the gradient as maximum's. */
export const minimum = defineOp("minimum", (a: Operand, b: Operand): Tensor => {
  const [z, x, y] = bin("minimum", "minimum", a, b, "same");
  return attach(z, "minimum", [x, y], (g) => {
    const w = add(lt(x, y), mul(eq(x, y), 0.5));
    return [x.requiresGrad ? sumTo(mul(g, w), x.shape) : null, y.requiresGrad ? sumTo(mul(g, rsub(w, 1)), y.shape) : null];
  });
});

// ---- comparisons and logic (bool results, no gradient) -------------------------------------------

function compare(name: string, op: BinaryOp) {
  return defineOp(name, (a: Operand, b: Operand): Tensor => bin(name, op, a, b, "bool")[0], { differentiable: false });
}
/** eq(a, b): a == b, elementwise, broadcast (bool result). */
export const eq = compare("eq", "eq");
/** ne(a, b): a != b, elementwise, broadcast (bool result). */
export const ne = compare("ne", "ne");
/** lt(a, b): a < b, elementwise, broadcast (bool result). */
export const lt = compare("lt", "lt");
/** le(a, b): a <= b, elementwise, broadcast (bool result). */
export const le = compare("le", "le");
/** gt(a, b): a > b, elementwise, broadcast (bool result). */
export const gt = compare("gt", "gt");
/** ge(a, b): a >= b, elementwise, broadcast (bool result). */
export const ge = compare("ge", "ge");
/** logicalAnd(a, b): a && b (non-zero is true), broadcast (bool result). */
export const logicalAnd = compare("logicalAnd", "logicalAnd");
/** logicalOr(a, b): a || b (non-zero is true), broadcast (bool result). */
export const logicalOr = compare("logicalOr", "logicalOr");

/** where(cond, a, b): a where cond is true, else b; broadcasts all three.
 *  d/da = [cond], d/db = [!cond]. */
export const where = defineOp("where", (cond: Tensor, a: Operand, b: Operand): Tensor => {
  checkTensor("where", cond, "condition");
  if (cond.dtype !== "bool") throw new Error(`where: condition must be a bool tensor, got ${cond.dtype} of shape ${fmt(cond.shape)}`);
  const dt = resultType(a, b);
  const x = toTensor(a, dt), y = toTensor(b, dt);
  const shape = broadcastShapes("where", broadcastShapes("where", cond.shape, x.shape), y.shape);
  const out = wrap(B().where(expandView(cond, shape), expandView(x, shape), expandView(y, shape), dt), shape, dt);
  return attach(out, "where", [x, y], (g) => {
    const zero = scalar(0, g.dtype);
    return [
      x.requiresGrad ? sumTo(where(cond, g, zero), x.shape) : null,
      y.requiresGrad ? sumTo(where(cond, zero, g), y.shape) : null,
    ];
  });
});
