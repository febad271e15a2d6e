// Loss functions of nn.functional, following PyTorch's definitions and reductions
// (torch/nn/functional.py and aten/src/ATen/native/Loss*.cpp).

import { Tensor } from "../tensor/tensor.js";
import { isFloat } from "../tensor/dtype.js";
import { broadcastShapes, fmt, shapesEqual } from "../tensor/shape.js";
import { checkOptions } from "../tensor/options.js";
import { defineOp } from "../ops/registry.js";
import { checkTensor } from "../ops/util.js";
import { abs, add, clamp, div, exp, log, log1p, maximum, mul, neg, rsub, square, sub, where, lt, le, ne, eq } from "../ops/elementwise.js";
import { mean, sum } from "../ops/reduce.js";
import { gather } from "../ops/indexing.js";
import { squeeze, unsqueeze, reshape } from "../ops/shape.js";
import { logSoftmax } from "./activation.js";

/** How a loss combines its per-element values: their mean (the default), their sum, or none (the tensor of losses). */
export type Reduction = "none" | "mean" | "sum";

// The option keys of each loss, the first one being what PyTorch users would pass positionally.
/** The option keys of F.mseLoss / F.l1Loss and their nn modules (shared plumbing). @internal */
export const REDUCTION_KEYS = ["reduction"] as const;
/** The option keys of F.smoothL1Loss and its nn module (shared plumbing). @internal */
export const SMOOTH_L1_KEYS = ["reduction", "beta"] as const;
/** The option keys of F.huberLoss and its nn module (shared plumbing). @internal */
export const HUBER_KEYS = ["reduction", "delta"] as const;
/** The option keys of F.binaryCrossEntropy and its nn module (shared plumbing). @internal */
export const BCE_KEYS = ["weight", "reduction"] as const;
/** The option keys of F.binaryCrossEntropyWithLogits and its nn module (shared plumbing). @internal */
export const BCE_LOGITS_KEYS = ["weight", "reduction", "posWeight"] as const;
/** The option keys of F.klDiv and its nn module (shared plumbing). @internal */
export const KL_DIV_KEYS = ["reduction", "logTarget"] as const;
/** The option keys of F.nllLoss and its nn module (shared plumbing). @internal */
export const NLL_KEYS = ["weight", "ignoreIndex", "reduction"] as const;
/** The option keys of F.crossEntropy and its nn module (shared plumbing). @internal */
export const CROSS_ENTROPY_KEYS = ["weight", "ignoreIndex", "reduction", "labelSmoothing"] as const;

function reduce(op: string, loss: Tensor, reduction: string | undefined): Tensor {
  const r = reduction ?? "mean";
  if (r === "mean") return mean(loss);
  if (r === "sum") return sum(loss);
  if (r === "none") return loss;
  throw new Error(`${op}: reduction must be "none", "mean" or "sum", got ${JSON.stringify(reduction)}`);
}

/** Checks input and target of an elementwise loss. PyTorch only warns when their sizes differ ("This will
 *  likely lead to incorrect results due to broadcasting"); here the case that is almost always a bug throws:
 *  a target that broadcasts with the input to a *bigger* shape than the input's (mseLoss([4,1], [4]) would
 *  average a [4,4] matrix of every pair). Equal shapes, and a target that broadcasts into the input's own
 *  shape without enlarging it (a scalar target, [1,4] with [4]), are accepted: every element of the
 *  loss is still one input element against its target. */
function pair(op: string, a: Tensor, b: Tensor): void {
  checkTensor(op, a, "input");
  checkTensor(op, b, "target");
  if (shapesEqual(a.shape, b.shape)) return;
  const out = broadcastShapes(op, a.shape, b.shape);
  if (!shapesEqual(out, a.shape))
    throw new Error(
      `F.${op}: target size ${fmt(b.shape)} differs from input size ${fmt(a.shape)}; they would broadcast to ${fmt(out)}, which is likely wrong. ` +
        `Reshape one of them (e.g. target.reshape(${fmt(a.shape)}) or input.reshape(${fmt(b.shape)})).`,
    );
}

/** mseLoss(input, target, { reduction = "mean" }): (x - y)^2. */
export const mseLoss = defineOp("mseLoss", (a: Tensor, b: Tensor, opts: { reduction?: Reduction } = {}): Tensor => {
  opts = checkOptions("F.mseLoss", opts, REDUCTION_KEYS, 3);
  pair("mseLoss", a, b);
  return reduce("mseLoss", square(sub(a, b)), opts.reduction);
});

/** l1Loss: |x - y|. */
export const l1Loss = defineOp("l1Loss", (a: Tensor, b: Tensor, opts: { reduction?: Reduction } = {}): Tensor => {
  opts = checkOptions("F.l1Loss", opts, REDUCTION_KEYS, 3);
  pair("l1Loss", a, b);
  return reduce("l1Loss", abs(sub(a, b)), opts.reduction);
});

/** smoothL1Loss: 0.5 d^2 / beta where |d| < beta, else |d| - beta / 2. */
export const smoothL1Loss = defineOp("smoothL1Loss", (a: Tensor, b: Tensor, opts: { reduction?: Reduction; beta?: number } = {}): Tensor => {
  opts = checkOptions("F.smoothL1Loss", opts, SMOOTH_L1_KEYS, 3);
  pair("smoothL1Loss", a, b);
  const beta = opts.beta ?? 1;
  const d = abs(sub(a, b));
  if (beta === 0) return reduce("smoothL1Loss", d, opts.reduction);
  return reduce("smoothL1Loss", where(lt(d, beta), div(mul(square(d), 0.5), beta), sub(d, 0.5 * beta)), opts.reduction);
});

/** huberLoss: 0.5 d^2 where |d| <= delta, else delta (|d| - delta / 2). */
export const huberLoss = defineOp("huberLoss", (a: Tensor, b: Tensor, opts: { reduction?: Reduction; delta?: number } = {}): Tensor => {
  opts = checkOptions("F.huberLoss", opts, HUBER_KEYS, 3);
  pair("huberLoss", a, b);
  const delta = opts.delta ?? 1;
  const d = abs(sub(a, b));
  return reduce("huberLoss", where(le(d, delta), mul(square(d), 0.5), mul(sub(d, 0.5 * delta), delta)), opts.reduction);
});

/** binaryCrossEntropy(p, y, { weight, reduction }): -w (y log p + (1 - y) log(1 - p)), logs clamped at -100. */
export const binaryCrossEntropy = defineOp(
  "binaryCrossEntropy",
  (p: Tensor, y: Tensor, opts: { weight?: Tensor | null; reduction?: Reduction } = {}): Tensor => {
    opts = checkOptions("F.binaryCrossEntropy", opts, BCE_KEYS, 3);
    pair("binaryCrossEntropy", p, y);
    if (!shapesEqual(p.shape, y.shape))
      throw new Error(`binaryCrossEntropy: target ${fmt(y.shape)} must have the same shape as input ${fmt(p.shape)}`);
    let l = neg(add(mul(y, clamp(log(p), -100)), mul(rsub(y, 1), clamp(log(rsub(p, 1)), -100))));
    if (opts.weight) l = mul(l, opts.weight);
    return reduce("binaryCrossEntropy", l, opts.reduction);
  },
);

/** binaryCrossEntropyWithLogits(x, y, { weight, posWeight, reduction }), in the stable form
 *  (1 - y) x + (1 + (pw - 1) y) (log(1 + e^-|x|) + max(-x, 0)). */
export const binaryCrossEntropyWithLogits = defineOp(
  "binaryCrossEntropyWithLogits",
  (x: Tensor, y: Tensor, opts: { weight?: Tensor | null; posWeight?: Tensor | null; reduction?: Reduction } = {}): Tensor => {
    opts = checkOptions("F.binaryCrossEntropyWithLogits", opts, BCE_LOGITS_KEYS, 3);
    pair("binaryCrossEntropyWithLogits", x, y);
    if (!shapesEqual(x.shape, y.shape))
      throw new Error(`binaryCrossEntropyWithLogits: target ${fmt(y.shape)} must have the same shape as input ${fmt(x.shape)}`);
    const sp = add(log1p(exp(neg(abs(x)))), maximum(neg(x), 0)); // log(1 + e^-x), stable
    const coef = opts.posWeight ? add(mul(sub(opts.posWeight, 1), y), 1) : null;
    let l = add(mul(rsub(y, 1), x), coef ? mul(coef, sp) : sp);
    if (opts.weight) l = mul(l, opts.weight);
    return reduce("binaryCrossEntropyWithLogits", l, opts.reduction);
  },
);

/** klDiv(input (log-probs), target, { reduction = "mean", logTarget = false }): target (log target - input).
 *  reduction "batchmean" divides the sum by the batch size. */
export const klDiv = defineOp(
  "klDiv",
  (input: Tensor, target: Tensor, opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } = {}): Tensor => {
    opts = checkOptions("F.klDiv", opts, KL_DIV_KEYS, 3);
    pair("klDiv", input, target);
    const l = opts.logTarget
      ? mul(exp(target), sub(target, input))
      : where(eq(target, 0), 0, mul(target, sub(log(where(eq(target, 0), 1, target)), input)));
    if (opts.reduction === "batchmean") return input.ndim ? div(sum(l), input.shape[0]) : sum(l);
    return reduce("klDiv", l, opts.reduction);
  },
);

/** Options of F.nllLoss. */
export interface NllOptions {
  /** A weight per class [C] (default none). */
  weight?: Tensor | null;
  /** Targets of this class are left out of the loss and its mean (default -100). */
  ignoreIndex?: number;
  /** "mean" (default), "sum" or "none". */
  reduction?: Reduction;
}

/** Class indices as int32, checked against the input's shape and class count. */
function classTarget(op: string, input: Tensor, target: Tensor, ignoreIndex: number): Tensor {
  checkTensor(op, input, "input");
  checkTensor(op, target, "target");
  if (input.ndim === 0) throw new Error(`${op}: input must have at least 1 dim (classes), got shape []`);
  const expected = input.ndim === 1 ? [] : [input.shape[0], ...input.shape.slice(2)];
  if (!shapesEqual(target.shape, expected))
    throw new Error(`${op}: target ${fmt(target.shape)} does not match input ${fmt(input.shape)} (expected target shape ${fmt(expected)})`);
  const v = target.dataSync();
  const C = input.shape[input.ndim === 1 ? 0 : 1];
  for (let i = 0; i < v.length; i++) {
    if (v[i] === ignoreIndex) continue;
    if (!Number.isInteger(v[i]) || v[i] < 0 || v[i] >= C)
      throw new Error(`${op}: target value ${v[i]} is out of bounds for ${C} classes (input ${fmt(input.shape)})`);
  }
  return target.dtype === "int32" ? target : new Tensor(Int32Array.from(v), target.shape, "int32");
}

/** nllLoss(logProbs [N, C, ...] or [C], target [N, ...] int, { weight, ignoreIndex = -100, reduction = "mean" }):
 *  -w[t] logProbs[t]; "mean" divides by the sum of the weights of the non-ignored targets. */
export const nllLoss = defineOp("nllLoss", (input: Tensor, target: Tensor, opts: NllOptions = {}): Tensor => {
  opts = checkOptions("F.nllLoss", opts, NLL_KEYS, 3);
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const t = classTarget("nllLoss", input, target, ignoreIndex);
  const cdim = input.ndim === 1 ? 0 : 1;
  const valid = ne(t, ignoreIndex);
  const safe = where(valid, t, 0);
  const picked = squeeze(gather(input, cdim, unsqueeze(safe, cdim)), cdim);
  let w: Tensor = valid.to(input.dtype);
  if (opts.weight) w = mul(w, reshape(gather(opts.weight, 0, reshape(safe, [-1])), safe.shape));
  const loss = where(valid, neg(mul(picked, w)), 0); // ignored: exactly 0, and no NaN gradient when all are ignored
  const r = opts.reduction ?? "mean";
  if (r === "mean") return div(sum(loss), sum(w));
  return reduce("nllLoss", loss, r);
});

/** Options of F.crossEntropy: those of F.nllLoss and labelSmoothing. */
export interface CrossEntropyOptions extends NllOptions {
  /** The amount of smoothing of the target, in [0, 1] (default 0). */
  labelSmoothing?: number;
}

/** crossEntropy(logits, target, { weight, ignoreIndex, reduction, labelSmoothing }): logSoftmax then nllLoss;
 *  target holds class indices, or class probabilities of the input's shape. */
export const crossEntropy = defineOp("crossEntropy", (input: Tensor, target: Tensor, opts: CrossEntropyOptions = {}): Tensor => {
  opts = checkOptions("F.crossEntropy", opts, CROSS_ENTROPY_KEYS, 3);
  checkTensor("crossEntropy", input, "input");
  checkTensor("crossEntropy", target, "target");
  if (input.ndim === 0) throw new Error(`crossEntropy: input must have at least 1 dim (classes), got shape []`);
  const cdim = input.ndim === 1 ? 0 : 1;
  const C = input.shape[cdim];
  const eps = opts.labelSmoothing ?? 0;
  if (!(eps >= 0 && eps <= 1)) throw new Error(`crossEntropy: labelSmoothing must be in [0, 1], got ${eps}`);
  const logp = logSoftmax(input, cdim);
  const wShape = input.shape.map((s, i) => (i === cdim ? s : 1));
  if (isFloat(target.dtype) && shapesEqual(target.shape, input.shape)) {
    // class probabilities
    let t = target;
    if (eps > 0) t = add(mul(t, 1 - eps), eps / C);
    let l = mul(logp, t);
    if (opts.weight) l = mul(l, reshape(opts.weight, wShape));
    const loss = neg(sum(l, cdim));
    const r = opts.reduction ?? "mean";
    if (r === "mean") return input.ndim === 1 ? loss : div(sum(loss), input.numel() / C);
    return reduce("crossEntropy", loss, r);
  }
  const ignoreIndex = opts.ignoreIndex ?? -100;
  const t = classTarget("crossEntropy", input, target, ignoreIndex);
  const nll = nllLoss(logp, t, { weight: opts.weight, ignoreIndex: opts.ignoreIndex, reduction: opts.reduction });
  if (eps === 0) return nll;
  const valid = ne(t, ignoreIndex);
  let smooth = opts.weight ? neg(sum(mul(logp, reshape(opts.weight, wShape)), cdim)) : neg(sum(logp, cdim));
  smooth = where(valid, smooth, 0);
  const r = opts.reduction ?? "mean";
  let ret: Tensor;
  if (r === "mean") {
    if (opts.weight) {
      const wt = where(valid, reshape(gather(opts.weight, 0, reshape(where(valid, t, 0), [-1])), t.shape), 0);
      ret = div(sum(smooth), sum(wt));
    } else ret = div(sum(smooth), sum(valid));
  } else ret = reduce("crossEntropy", smooth, r);
  return add(mul(nll, 1 - eps), mul(ret, eps / C));
});
