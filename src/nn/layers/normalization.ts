// BatchNorm1d/2d, LayerNorm, GroupNorm (torch/nn/modules/batchnorm.py, normalization.py).
// State-dict names are PyTorch's: weight, bias, running_mean, running_var, num_batches_tracked (int32 here);
// camelCase accessors (runningMean, runningVar, numBatchesTracked) reach the same tensors.

import { Tensor } from "../../tensor/tensor.js";
import { noGrad } from "../../tensor/autograd.js";
import { fmt } from "../../tensor/shape.js";
import { ones, zeros } from "../../ops/creation.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { Module, Parameter } from "../module.js";
import { optionsOf, param, positiveInt } from "./common.js";

/** Options of nn.BatchNorm1d / nn.BatchNorm2d. */
export interface BatchNormLayerOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of each new batch in the running statistics (default 0.1); null: a cumulative average. */
  momentum?: number | null;
  /** Learnable weight and bias (default true). */
  affine?: boolean;
  /** Keep running statistics for eval (default true); false uses batch statistics always. */
  trackRunningStats?: boolean;
}
const BATCHNORM_KEYS = ["eps", "momentum", "affine", "trackRunningStats"] as const;
const LAYERNORM_KEYS = ["eps", "elementwiseAffine", "bias"] as const;
const GROUPNORM_KEYS = ["eps", "affine"] as const;

abstract class BatchNormBase extends Module {
  /** The learnable scale [numFeatures] (null when not affine). */
  declare weight: Parameter | null;
  /** The learnable shift [numFeatures] (null when not affine). */
  declare bias: Parameter | null;
  /** The running mean [numFeatures], a buffer (null without trackRunningStats). */
  declare running_mean: Tensor | null;
  /** The running variance [numFeatures], a buffer (null without trackRunningStats). */
  declare running_var: Tensor | null;
  /** The number of training batches seen (int32 0-d buffer; null without trackRunningStats). */
  declare num_batches_tracked: Tensor | null;
  /** Added to the variance for stability. */
  eps: number;
  /** The weight of each new batch in the running statistics (null: a cumulative average). */
  momentum: number | null;
  /** Whether the layer has a learnable weight and bias. */
  affine: boolean;
  /** Whether running statistics are kept (and used in eval mode). */
  trackRunningStats: boolean;

  constructor(
    /** The number of channels C of the input [N, C, ...]. */
    public numFeatures: number,
    opts: BatchNormLayerOptions,
  ) {
    super();
    positiveInt(this.constructor.name, numFeatures, "numFeatures");
    opts = optionsOf(`nn.${this.constructor.name}`, opts, BATCHNORM_KEYS, 2);
    this.eps = opts.eps ?? 1e-5;
    this.momentum = opts.momentum === undefined ? 0.1 : opts.momentum;
    this.affine = opts.affine ?? true;
    this.trackRunningStats = opts.trackRunningStats ?? true;
    this.weight = this.affine ? param([numFeatures]) : null;
    this.bias = this.affine ? param([numFeatures]) : null;
    if (this.trackRunningStats) {
      this.registerBuffer("running_mean", zeros([numFeatures]));
      this.registerBuffer("running_var", ones([numFeatures]));
      this.registerBuffer("num_batches_tracked", zeros([], { dtype: "int32" }));
    } else {
      this.registerBuffer("running_mean", null);
      this.registerBuffer("running_var", null);
      this.registerBuffer("num_batches_tracked", null);
    }
    this.resetParameters();
  }

  /** camelCase alias of running_mean. */
  get runningMean(): Tensor | null {
    return this.running_mean;
  }
  /** Sets running_mean. */
  set runningMean(t: Tensor | null) {
    this.running_mean = t;
  }
  /** camelCase alias of running_var. */
  get runningVar(): Tensor | null {
    return this.running_var;
  }
  /** Sets running_var. */
  set runningVar(t: Tensor | null) {
    this.running_var = t;
  }
  /** camelCase alias of num_batches_tracked. */
  get numBatchesTracked(): Tensor | null {
    return this.num_batches_tracked;
  }

  /** Running mean 0, variance 1, batch count 0. */
  resetRunningStats(): void {
    noGrad(() => {
      this.running_mean?.fill_(0);
      this.running_var?.fill_(1);
      this.num_batches_tracked?.fill_(0);
    });
  }
  /** Resets the running statistics, and weight to 1 and bias to 0. */
  resetParameters(): void {
    this.resetRunningStats();
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }

  /** Throws unless x has the layer's number of dims and features. */
  protected abstract checkInput(x: Tensor): void;

  override forward(x: Tensor): Tensor {
    this.checkInput(x);
    let factor = this.momentum ?? 0;
    if (this.training && this.trackRunningStats && this.num_batches_tracked) {
      const n = this.num_batches_tracked;
      noGrad(() => n.add_(1));
      factor = this.momentum === null ? 1 / n.item() : this.momentum;
    }
    // batch statistics in training, or always when there are no running ones
    const useBatch = this.training || this.running_mean === null;
    const track = !this.training || this.trackRunningStats;
    return F.batchNorm(x, track ? this.running_mean : null, track ? this.running_var : null, this.weight, this.bias, {
      training: useBatch, momentum: factor, eps: this.eps,
    });
  }

  override extraRepr(): string {
    return `${this.numFeatures}, eps=${this.eps}, momentum=${this.momentum}, affine=${this.affine}, trackRunningStats=${this.trackRunningStats}`;
  }
}

/** Batch normalisation over [N, C] or [N, C, L] (Ioffe & Szegedy 2015).  @example const bn = new nn.BatchNorm1d(64); */
export class BatchNorm1d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(numFeatures, opts);
  }
  protected checkInput(x: Tensor): void {
    if (!(x instanceof Tensor) || (x.ndim !== 2 && x.ndim !== 3))
      throw new Error(`BatchNorm1d: expected 2D or 3D input [N, C(, L)], got ${x instanceof Tensor ? fmt(x.shape) : typeof x}`);
  }
}

/** Batch normalisation over [N, C, H, W].  @example const bn = new nn.BatchNorm2d(16); */
export class BatchNorm2d extends BatchNormBase {
  constructor(numFeatures: number, opts: BatchNormLayerOptions = {}) {
    super(numFeatures, opts);
  }
  protected checkInput(x: Tensor): void {
    if (!(x instanceof Tensor) || x.ndim !== 4)
      throw new Error(`BatchNorm2d: expected 4D input [N, C, H, W], got ${x instanceof Tensor ? fmt(x.shape) : typeof x}`);
  }
}

/** Layer normalisation over the last dims (Ba et al. 2016); weight ones, bias zeros.
 *  @example const ln = new nn.LayerNorm(512); // or new nn.LayerNorm([8, 8], { eps: 1e-6 }) */
export class LayerNorm extends Module {
  /** The learnable scale of normalizedShape (null without elementwiseAffine). */
  declare weight: Parameter | null;
  /** The learnable shift of normalizedShape (null without elementwiseAffine or bias). */
  declare bias: Parameter | null;
  /** The trailing dims normalised over. */
  normalizedShape: number[];
  /** Added to the variance for stability. */
  eps: number;
  /** Whether the layer has a learnable weight (and bias). */
  elementwiseAffine: boolean;
  constructor(normalizedShape: number | number[], opts: { eps?: number; elementwiseAffine?: boolean; bias?: boolean } = {}) {
    super();
    opts = optionsOf("nn.LayerNorm", opts, LAYERNORM_KEYS, 2);
    this.normalizedShape = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape.slice();
    this.normalizedShape.forEach((s) => positiveInt("LayerNorm", s, "normalizedShape"));
    this.eps = opts.eps ?? 1e-5;
    this.elementwiseAffine = opts.elementwiseAffine ?? true;
    this.weight = this.elementwiseAffine ? param(this.normalizedShape) : null;
    this.bias = this.elementwiseAffine && (opts.bias ?? true) ? param(this.normalizedShape) : null;
    this.resetParameters();
  }
  /** Weight to 1, bias to 0. */
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }
  override forward(x: Tensor): Tensor {
    return F.layerNorm(x, this.normalizedShape, this.weight, this.bias, { eps: this.eps });
  }
  override extraRepr(): string {
    return `${fmt(this.normalizedShape)}, eps=${this.eps}, elementwiseAffine=${this.elementwiseAffine}`;
  }
}

/** Group normalisation (Wu & He 2018): channels split into numGroups groups.  @example const gn = new nn.GroupNorm(4, 32); */
export class GroupNorm extends Module {
  /** The learnable scale [numChannels] (null when not affine). */
  declare weight: Parameter | null;
  /** The learnable shift [numChannels] (null when not affine). */
  declare bias: Parameter | null;
  /** Added to the variance for stability. */
  eps: number;
  /** Whether the layer has a learnable weight and bias. */
  affine: boolean;
  constructor(
    /** The number of groups the channels are split into. */
    public numGroups: number,
    /** The number of channels C of the input [N, C, ...]. */
    public numChannels: number,
    opts: { eps?: number; affine?: boolean } = {},
  ) {
    super();
    positiveInt("GroupNorm", numGroups, "numGroups");
    positiveInt("GroupNorm", numChannels, "numChannels");
    opts = optionsOf("nn.GroupNorm", opts, GROUPNORM_KEYS, 3);
    if (numChannels % numGroups) throw new Error(`GroupNorm: numChannels ${numChannels} must be divisible by numGroups ${numGroups}`);
    this.eps = opts.eps ?? 1e-5;
    this.affine = opts.affine ?? true;
    this.weight = this.affine ? param([numChannels]) : null;
    this.bias = this.affine ? param([numChannels]) : null;
    this.resetParameters();
  }
  /** Weight to 1, bias to 0. */
  resetParameters(): void {
    if (this.weight) init.ones_(this.weight);
    if (this.bias) init.zeros_(this.bias);
  }
  override forward(x: Tensor): Tensor {
    return F.groupNorm(x, this.numGroups, this.weight, this.bias, { eps: this.eps });
  }
  override extraRepr(): string {
    return `${this.numGroups}, ${this.numChannels}, eps=${this.eps}, affine=${this.affine}`;
  }
}
