// Loss modules, each a thin wrapper of its nn.functional function (torch/nn/modules/loss.py).
// Class weights (weight, posWeight) are buffers, so they appear in the state dict as PyTorch's do.

import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import {
  BCE_KEYS, BCE_LOGITS_KEYS, CROSS_ENTROPY_KEYS, HUBER_KEYS, KL_DIV_KEYS, NLL_KEYS, REDUCTION_KEYS, SMOOTH_L1_KEYS, type Reduction,
} from "../loss.js";
import { checkOneOf, checkOptions } from "../../tensor/options.js";
import { Module } from "../module.js";

/** The options every loss module takes. */
export interface ReductionOptions {
  /** "mean" (default), "sum" or "none". */
  reduction?: Reduction;
}

const REDUCTIONS = ["mean", "sum", "none"] as const;

/** The options of a loss module: an options object checked against `keys`, or the reduction as a string
 *  (`new nn.MSELoss("sum")`); the reduction is checked too. */
function lossOptions<O extends { reduction?: string }>(op: string, arg: O | string | undefined, keys: readonly string[], reductions: readonly string[] = REDUCTIONS): O {
  const o = typeof arg === "string" ? ({ reduction: arg } as O) : checkOptions(op, arg, keys, 1);
  if (o.reduction !== undefined) checkOneOf(op, "reduction", o.reduction, reductions);
  return o;
}

function reductionOf(o: ReductionOptions): Reduction {
  return o.reduction ?? "mean";
}

/** Options whose first PyTorch argument is a weight tensor: `new nn.NLLLoss(w)` or `new nn.NLLLoss({ weight: w })`. */
function weightFirst<O extends { weight?: Tensor | null; reduction?: string }>(op: string, arg: Tensor | O | undefined, keys: readonly string[]): O {
  if (arg instanceof Tensor) return { weight: arg } as O;
  return lossOptions(op, arg as O | undefined, keys);
}

/** mean((x - y)^2).  @example const loss = new nn.MSELoss().call(pred, target); */
export class MSELoss extends Module {
  /** How the per-element losses are combined: "mean", "sum" or "none". */
  reduction: Reduction;
  constructor(opts?: ReductionOptions | Reduction) {
    super();
    this.reduction = reductionOf(lossOptions("nn.MSELoss", opts, REDUCTION_KEYS));
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.mseLoss(input, target, { reduction: this.reduction });
  }
}

/** mean(|x - y|). */
export class L1Loss extends Module {
  /** How the per-element losses are combined: "mean", "sum" or "none". */
  reduction: Reduction;
  constructor(opts?: ReductionOptions | Reduction) {
    super();
    this.reduction = reductionOf(lossOptions("nn.L1Loss", opts, REDUCTION_KEYS));
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.l1Loss(input, target, { reduction: this.reduction });
  }
}

/** Quadratic below beta, linear above (default beta 1). */
export class SmoothL1Loss extends Module {
  /** How the per-element losses are combined: "mean", "sum" or "none". */
  reduction: Reduction;
  /** Where the loss changes from quadratic to linear. */
  beta: number;
  constructor(opts: (ReductionOptions & { beta?: number }) | Reduction = {}) {
    super();
    const o = lossOptions<ReductionOptions & { beta?: number }>("nn.SmoothL1Loss", opts, SMOOTH_L1_KEYS);
    this.reduction = reductionOf(o);
    this.beta = o.beta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.smoothL1Loss(input, target, { reduction: this.reduction, beta: this.beta });
  }
}

/** Quadratic below delta, delta-scaled linear above (default delta 1). */
export class HuberLoss extends Module {
  /** How the per-element losses are combined: "mean", "sum" or "none". */
  reduction: Reduction;
  /** Where the loss changes from quadratic to linear. */
  delta: number;
  /** `new nn.HuberLoss({ reduction, delta })`, or the reduction first as PyTorch's HuberLoss("sum", 2). */
  constructor(opts: (ReductionOptions & { delta?: number }) | Reduction = {}, delta?: number) {
    super();
    const o = lossOptions<ReductionOptions & { delta?: number }>("nn.HuberLoss", opts, HUBER_KEYS);
    this.reduction = reductionOf(o);
    this.delta = delta ?? o.delta ?? 1;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.huberLoss(input, target, { reduction: this.reduction, delta: this.delta });
  }
}

export interface CrossEntropyLossOptions extends ReductionOptions {
  /** Per-class weight [C]. */
  weight?: Tensor | null;
  /** Targets equal to it are skipped (default -100). */
  ignoreIndex?: number;
  /** Mixes the target with the uniform distribution (default 0). */
  labelSmoothing?: number;
}

/** logSoftmax + nllLoss on logits [N, C, ...] and class indices [N, ...] (or class probabilities).
 *  @example const loss = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).call(logits, labels); */
export class CrossEntropyLoss extends Module {
  /** A weight per class [C], or null. */
  declare weight: Tensor | null;
  /** Targets of this class are left out of the loss and its mean. */
  ignoreIndex: number;
  /** How the per-element losses are combined: "mean", "sum" or "none". */
  reduction: Reduction;
  /** The amount of smoothing of the target, in [0, 1]. */
  labelSmoothing: number;
  constructor(opts?: Tensor | CrossEntropyLossOptions) {
    super();
    const o = weightFirst<CrossEntropyLossOptions>("nn.CrossEntropyLoss", opts, CROSS_ENTROPY_KEYS);
    this.registerBuffer("weight", o.weight ?? null);
    this.ignoreIndex = o.ignoreIndex ?? -100;
    this.reduction = reductionOf(o);
    this.labelSmoothing = o.labelSmoothing ?? 0;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.crossEntropy(input, target, {
      weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction, labelSmoothing: this.labelSmoothing,
    });
  }
}

/** Negative log likelihood of log-probabilities [N, C, ...] at class indices [N, ...]. */
export class NLLLoss extends Module {
  /** A weight per class [C], or null. */
  declare weight: Tensor | null;
  /** Targets of this class are left out of the loss and its mean. */
  ignoreIndex: number;
  /** How the per-element losses are combined: "mean", "sum" or "none". */
  reduction: Reduction;
  constructor(opts?: Tensor | { weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction }) {
    super();
    const o = weightFirst<{ weight?: Tensor | null; ignoreIndex?: number; reduction?: Reduction }>("nn.NLLLoss", opts, NLL_KEYS);
    this.registerBuffer("weight", o.weight ?? null);
    this.ignoreIndex = o.ignoreIndex ?? -100;
    this.reduction = reductionOf(o);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.nllLoss(input, target, { weight: this.weight, ignoreIndex: this.ignoreIndex, reduction: this.reduction });
  }
}

/** Binary cross entropy of probabilities. */
export class BCELoss extends Module {
  /** A weight per element (broadcast to the input), or null. */
  declare weight: Tensor | null;
  /** How the per-element losses are combined: "mean", "sum" or "none". */
  reduction: Reduction;
  constructor(opts?: Tensor | { weight?: Tensor | null; reduction?: Reduction }) {
    super();
    const o = weightFirst<{ weight?: Tensor | null; reduction?: Reduction }>("nn.BCELoss", opts, BCE_KEYS);
    this.registerBuffer("weight", o.weight ?? null);
    this.reduction = reductionOf(o);
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropy(input, target, { weight: this.weight, reduction: this.reduction });
  }
}

/** Binary cross entropy of logits (sigmoid folded in, numerically stable); posWeight weighs positives. */
export class BCEWithLogitsLoss extends Module {
  /** A weight per element (broadcast to the input), or null. */
  declare weight: Tensor | null;
  /** A weight of the positive examples per class, or null. */
  declare pos_weight: Tensor | null;
  /** How the per-element losses are combined: "mean", "sum" or "none". */
  reduction: Reduction;
  constructor(opts?: Tensor | { weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null }) {
    super();
    const o = weightFirst<{ weight?: Tensor | null; reduction?: Reduction; posWeight?: Tensor | null }>("nn.BCEWithLogitsLoss", opts, BCE_LOGITS_KEYS);
    this.registerBuffer("weight", o.weight ?? null);
    this.registerBuffer("pos_weight", o.posWeight ?? null);
    this.reduction = reductionOf(o);
  }
  /** camelCase alias of pos_weight. */
  get posWeight(): Tensor | null {
    return this.pos_weight;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.binaryCrossEntropyWithLogits(input, target, { weight: this.weight, posWeight: this.pos_weight, reduction: this.reduction });
  }
}

/** KL divergence of log-probabilities from a target (probabilities, or log-probabilities with logTarget). */
export class KLDivLoss extends Module {
  /** "mean", "batchmean" (the sum divided by the batch size, the true KL divergence), "sum" or "none". */
  reduction: Reduction | "batchmean";
  /** Whether the target holds log-probabilities. */
  logTarget: boolean;
  constructor(opts: { reduction?: Reduction | "batchmean"; logTarget?: boolean } | Reduction | "batchmean" = {}) {
    super();
    const o = lossOptions<{ reduction?: Reduction | "batchmean"; logTarget?: boolean }>("nn.KLDivLoss", opts, KL_DIV_KEYS, [...REDUCTIONS, "batchmean"]);
    this.reduction = o.reduction ?? "mean";
    this.logTarget = o.logTarget ?? false;
  }
  override forward(input: Tensor, target: Tensor): Tensor {
    return F.klDiv(input, target, { reduction: this.reduction, logTarget: this.logTarget });
  }
}
