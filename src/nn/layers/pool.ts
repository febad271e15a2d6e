// Pooling modules (torch/nn/modules/pooling.py), each a wrapper of its nn.functional function.

import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import { Module } from "../module.js";
import { poolOptions } from "../pool.js";

/** A window size: a number for every spatial dim, or one per dim. */
export type Size = number | number[];

/** Options of nn.MaxPool1d / nn.MaxPool2d. */
export interface MaxPoolLayerOptions {
  /** Step between windows (default kernelSize). */
  stride?: Size | null;
  /** -inf padding on both sides (default 0). */
  padding?: Size;
  /** Spacing between taps (default 1). */
  dilation?: Size;
  /** Round the output size up (default false). */
  ceilMode?: boolean;
  /** Also return the indices of the maxima (default false). */
  returnIndices?: boolean;
}
/** nn.MaxPool1d/2d's options in PyTorch's positional order (the module has return_indices before ceil_mode). */
const MAXPOOL_LAYER_KEYS = ["stride", "padding", "dilation", "returnIndices", "ceilMode"] as const;

/** Options of nn.AvgPool1d / nn.AvgPool2d. */
export interface AvgPoolLayerOptions {
  /** Step between windows (default kernelSize). */
  stride?: Size | null;
  /** Zero padding on both sides (default 0). */
  padding?: Size;
  /** Round the output size up (default false). */
  ceilMode?: boolean;
  /** Count the padding in the divisor (default true). */
  countIncludePad?: boolean;
}
const AVGPOOL1D_LAYER_KEYS = ["stride", "padding", "ceilMode", "countIncludePad"] as const;
const AVGPOOL2D_LAYER_KEYS = ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"] as const;

/** Options of nn.AvgPool2d: nn.AvgPool1d's and divisorOverride. */
export interface AvgPool2dLayerOptions extends AvgPoolLayerOptions {
  /** Divide by this instead of the window size (default null: the window size). */
  divisorOverride?: number | null;
}

/** The optional arguments of nn.MaxPool1d/2d after kernelSize: an options object, or PyTorch's positional ones. */
export type MaxPoolArgs = [opts?: MaxPoolLayerOptions] | [stride?: Size | null, padding?: Size, dilation?: Size, returnIndices?: boolean, ceilMode?: boolean];
/** The optional arguments of nn.AvgPool1d/2d after kernelSize: an options object O, or PyTorch's positional ones. */
export type AvgPoolArgs<O> = [opts?: O] | [stride?: Size | null, padding?: Size, ceilMode?: boolean, countIncludePad?: boolean, divisorOverride?: number | null];

/** Max over windows of [N, C, L].  @example new nn.MaxPool1d(2) */
export class MaxPool1d extends Module {
  /** The options given (stride, padding, dilation, ceilMode, returnIndices). */
  opts: MaxPoolLayerOptions;
  constructor(
    /** The window size. */
    public kernelSize: Size,
    ...args: MaxPoolArgs
  ) {
    super();
    this.opts = { ...poolOptions("nn.MaxPool1d", args, MAXPOOL_LAYER_KEYS, MAXPOOL_LAYER_KEYS, 2) };
  }
  override forward(x: Tensor): Tensor {
    // with returnIndices the result is [values, indices], as PyTorch (forwardWithIndices is the typed form)
    if (this.opts.returnIndices) return F.maxPool1d(x, this.kernelSize, { ...this.opts, returnIndices: true }) as unknown as Tensor;
    return F.maxPool1d(x, this.kernelSize, { ...this.opts, returnIndices: false });
  }
  /** [values, indices] (PyTorch's returnIndices). */
  forwardWithIndices(x: Tensor): [Tensor, Tensor] {
    return F.maxPool1d(x, this.kernelSize, { ...this.opts, returnIndices: true });
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, ${JSON.stringify(this.opts)}`;
  }
}

/** Max over windows of [N, C, H, W].  @example new nn.MaxPool2d(2) // halves H and W */
export class MaxPool2d extends Module {
  /** The options given (stride, padding, dilation, ceilMode, returnIndices). */
  opts: MaxPoolLayerOptions;
  constructor(
    /** The window size. */
    public kernelSize: Size,
    ...args: MaxPoolArgs
  ) {
    super();
    this.opts = { ...poolOptions("nn.MaxPool2d", args, MAXPOOL_LAYER_KEYS, MAXPOOL_LAYER_KEYS, 2) };
  }
  override forward(x: Tensor): Tensor {
    // with returnIndices the result is [values, indices], as PyTorch (forwardWithIndices is the typed form)
    if (this.opts.returnIndices) return F.maxPool2d(x, this.kernelSize, { ...this.opts, returnIndices: true }) as unknown as Tensor;
    return F.maxPool2d(x, this.kernelSize, { ...this.opts, returnIndices: false });
  }
  /** The pooled values and their flat int32 indices (as returnIndices), typed as a pair. */
  forwardWithIndices(x: Tensor): [Tensor, Tensor] {
    return F.maxPool2d(x, this.kernelSize, { ...this.opts, returnIndices: true });
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, ${JSON.stringify(this.opts)}`;
  }
}

/** Mean over windows of [N, C, L]. */
export class AvgPool1d extends Module {
  /** The options given (stride, padding, ceilMode, countIncludePad). */
  opts: AvgPoolLayerOptions;
  constructor(
    /** The window size. */
    public kernelSize: Size,
    ...args: AvgPoolArgs<AvgPoolLayerOptions>
  ) {
    super();
    this.opts = { ...poolOptions("nn.AvgPool1d", args, AVGPOOL1D_LAYER_KEYS, AVGPOOL1D_LAYER_KEYS, 2) };
  }
  override forward(x: Tensor): Tensor {
    return F.avgPool1d(x, this.kernelSize, this.opts);
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, ${JSON.stringify(this.opts)}`;
  }
}

/** Mean over windows of [N, C, H, W]. */
export class AvgPool2d extends Module {
  /** The options given (stride, padding, ceilMode, countIncludePad, divisorOverride). */
  opts: AvgPool2dLayerOptions;
  constructor(
    /** The window size. */
    public kernelSize: Size,
    ...args: AvgPoolArgs<AvgPool2dLayerOptions>
  ) {
    super();
    this.opts = { ...poolOptions("nn.AvgPool2d", args, AVGPOOL2D_LAYER_KEYS, AVGPOOL2D_LAYER_KEYS, 2) };
  }
  override forward(x: Tensor): Tensor {
    return F.avgPool2d(x, this.kernelSize, this.opts);
  }
  override extraRepr(): string {
    return `kernelSize=${JSON.stringify(this.kernelSize)}, ${JSON.stringify(this.opts)}`;
  }
}

/** Mean pooling to a fixed output size [oh, ow] (null keeps that input size).  @example new nn.AdaptiveAvgPool2d(1) // global average pool */
export class AdaptiveAvgPool2d extends Module {
  constructor(
    /** The output size [H, W] (a number for both; null keeps the input's). */
    public outputSize: number | (number | null)[],
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool2d(x, this.outputSize);
  }
  override extraRepr(): string {
    return `outputSize=${JSON.stringify(this.outputSize)}`;
  }
}

/** Mean pooling to a fixed output length. */
export class AdaptiveAvgPool1d extends Module {
  constructor(
    /** The output length. */
    public outputSize: number | [number],
  ) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return F.adaptiveAvgPool1d(x, this.outputSize);
  }
}
