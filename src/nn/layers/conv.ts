// Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d (torch/nn/modules/conv.py). Each holds weight and bias and
// calls its nn.functional convolution. Init as PyTorch: weight ~ kaiming_uniform(a = sqrt 5), i.e.
// U(+-1/sqrt(fanIn)), and bias ~ U(+-1/sqrt(fanIn)), fanIn = weight.shape[1] * kernel elements.

import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { Module, Parameter } from "../module.js";
import { param, positiveInt, tuple } from "./common.js";
import { checkBool, positionalOptions } from "../../tensor/options.js";

/** How a convolution's padding is filled. */
export type PaddingMode = "zeros" | "reflect" | "replicate" | "circular";

/** Options of nn.Conv1d / nn.Conv2d (PyTorch's keyword arguments). */
export interface ConvLayerOptions {
  /** Step between windows (default 1). */
  stride?: number | number[];
  /** Zero padding on each side, or "same" / "valid" (default 0). */
  padding?: number | number[] | "same" | "valid";
  /** Spacing between kernel taps (default 1). */
  dilation?: number | number[];
  /** Channel groups (default 1). */
  groups?: number;
  /** Learnable bias (default true). */
  bias?: boolean;
  /** How the padding is filled: "zeros" (default), "reflect", "replicate" or "circular". */
  paddingMode?: PaddingMode;
}
/** Conv1d/Conv2d's options, in PyTorch's positional order (`new nn.Conv2d(1, 8, 3, 1, 1)` is stride 1, padding 1). */
export const CONV_KEYS = ["stride", "padding", "dilation", "groups", "bias", "paddingMode"] as const;

/** The optional arguments after kernelSize, each a number/tuple in PyTorch's order or a trailing options object. */
export type ConvLayerArgs =
  | [opts?: ConvLayerOptions]
  | [stride: number | number[] | undefined, opts?: ConvLayerOptions]
  | [stride: number | number[] | undefined, padding: ConvLayerOptions["padding"], opts?: ConvLayerOptions]
  | [stride: number | number[] | undefined, padding: ConvLayerOptions["padding"], dilation: number | number[] | undefined, opts?: ConvLayerOptions]
  | [stride: number | number[] | undefined, padding: ConvLayerOptions["padding"], dilation: number | number[] | undefined, groups: number | undefined, opts?: ConvLayerOptions]
  | [stride: number | number[] | undefined, padding: ConvLayerOptions["padding"], dilation: number | number[] | undefined, groups: number | undefined, bias: boolean | undefined, paddingMode?: PaddingMode];

abstract class ConvNd extends Module {
  /** The learnable kernels [outC, inC / groups, ...kernelSize] ([inC, outC / groups, ...] for a transposed conv). */
  declare weight: Parameter;
  /** The learnable bias [outC] (null without bias). */
  declare bias: Parameter | null;
  /** The size of the kernel, per spatial dim. */
  kernelSize: number[];
  /** The step between windows, per spatial dim. */
  stride: number[];
  /** The zero padding on each side, per spatial dim, or "same" / "valid". */
  padding: number[] | "same" | "valid";
  /** The spacing between kernel taps, per spatial dim. */
  dilation: number[];
  /** The number of channel groups. */
  groups: number;
  /** How the padding is filled. */
  paddingMode: PaddingMode;

  constructor(
    /** The number of spatial dims. */
    protected nd: 1 | 2,
    transposed: boolean,
    /** The number of input channels. */
    public inChannels: number,
    /** The number of output channels. */
    public outChannels: number,
    kernelSize: number | number[],
    args: readonly unknown[],
  ) {
    super();
    const name = `nn.${transposed ? "ConvTranspose" : "Conv"}${nd}d`;
    const keys = transposed ? CONV_TRANSPOSE_KEYS : CONV_KEYS;
    const opts = positionalOptions<ConvLayerOptions & { outputPadding?: number | number[] }>(name, args, keys, keys, 4);
    checkBool(name, "bias", opts.bias);
    positiveInt(name, inChannels, "inChannels");
    positiveInt(name, outChannels, "outChannels");
    this.groups = positiveInt(name, opts.groups ?? 1, "groups");
    if (inChannels % this.groups) throw new Error(`${name}: inChannels ${inChannels} must be divisible by groups ${this.groups}`);
    if (outChannels % this.groups) throw new Error(`${name}: outChannels ${outChannels} must be divisible by groups ${this.groups}`);
    this.kernelSize = tuple(name, kernelSize, nd, "kernelSize");
    this.stride = tuple(name, opts.stride ?? 1, nd, "stride");
    const p = opts.padding ?? 0;
    this.padding = typeof p === "string" ? p : tuple(name, p, nd, "padding");
    if (typeof p === "string" && p !== "same" && p !== "valid") throw new Error(`${name}: padding must be a number, a tuple, "same" or "valid", got "${p}"`);
    this.dilation = tuple(name, opts.dilation ?? 1, nd, "dilation");
    this.paddingMode = opts.paddingMode ?? "zeros";
    if (!["zeros", "reflect", "replicate", "circular"].includes(this.paddingMode))
      throw new Error(`${name}: paddingMode must be "zeros", "reflect", "replicate" or "circular", got ${JSON.stringify(this.paddingMode)}`);
    const wShape = transposed
      ? [inChannels, outChannels / this.groups, ...this.kernelSize]
      : [outChannels, inChannels / this.groups, ...this.kernelSize];
    this.weight = param(wShape);
    this.bias = opts.bias ?? true ? param([outChannels]) : null;
    this.resetParameters();
  }

  /** PyTorch's init: weight kaiming_uniform(a = sqrt 5), bias U(+-1/sqrt(fanIn)). */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const [fanIn] = init.calculateFanInAndFanOut(this.weight);
      const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
      init.uniform_(this.bias, { a: -bound, b: bound });
    }
  }

  /** For paddingMode other than "zeros": pads x explicitly and returns it with the padding to pass on (0). */
  protected padInput(x: Tensor): [Tensor, number | number[] | "same" | "valid"] {
    if (this.paddingMode === "zeros") return [x, this.padding];
    let lo: number[], hi: number[];
    if (this.padding === "valid") return [x, 0];
    if (this.padding === "same") {
      const tot = this.kernelSize.map((k, i) => this.dilation[i] * (k - 1));
      lo = tot.map((t) => Math.floor(t / 2));
      hi = tot.map((t, i) => t - lo[i]);
    } else lo = hi = this.padding;
    const pads: number[] = [];
    for (let i = this.nd - 1; i >= 0; i--) pads.push(lo[i], hi[i]); // last dim first
    return [F.pad(x, pads, { mode: this.paddingMode }), 0];
  }

  override extraRepr(): string {
    let s = `${this.inChannels}, ${this.outChannels}, kernelSize=[${this.kernelSize}], stride=[${this.stride}]`;
    if (this.padding !== "valid" && (typeof this.padding === "string" || this.padding.some((v) => v))) s += `, padding=${JSON.stringify(this.padding)}`;
    if (this.dilation.some((v) => v !== 1)) s += `, dilation=[${this.dilation}]`;
    if (this.groups !== 1) s += `, groups=${this.groups}`;
    if (!this.bias) s += ", bias=false";
    if (this.paddingMode !== "zeros") s += `, paddingMode=${this.paddingMode}`;
    return s;
  }
}

/** 1-d convolution over [N, Cin, L] (or unbatched [Cin, L]).  @example const conv = new nn.Conv1d(16, 33, 3, { stride: 2 }); */
export class Conv1d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], ...args: ConvLayerArgs) {
    super(1, false, inChannels, outChannels, kernelSize, args);
  }
  override forward(x: Tensor): Tensor {
    const [xp, padding] = this.padInput(x);
    return F.conv1d(xp, this.weight, this.bias, { stride: this.stride, padding, dilation: this.dilation, groups: this.groups });
  }
}

/** 2-d convolution over [N, Cin, H, W] (or unbatched [Cin, H, W]).
 *  The optional arguments are an options object, or PyTorch's positional stride, padding, dilation, groups,
 *  bias, paddingMode (optionally followed by an options object): `new nn.Conv2d(3, 16, 3, 1, 1)`.
 *  @example const conv = new nn.Conv2d(3, 16, 3, { padding: 1 }); const y = conv.call(x); // [N, 3, H, W] -> [N, 16, H, W] */
export class Conv2d extends ConvNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], ...args: ConvLayerArgs) {
    super(2, false, inChannels, outChannels, kernelSize, args);
  }
  override forward(x: Tensor): Tensor {
    const [xp, padding] = this.padInput(x);
    return F.conv2d(xp, this.weight, this.bias, { stride: this.stride, padding, dilation: this.dilation, groups: this.groups });
  }
}

/** Options of nn.ConvTranspose1d / nn.ConvTranspose2d. */
export interface ConvTransposeLayerOptions {
  /** Step of the convolution this inverts (default 1). */
  stride?: number | number[];
  /** dilation * (k - 1) - padding zero padding on each side of the input (default 0). */
  padding?: number | number[];
  /** Extra size on one side of the output (default 0). */
  outputPadding?: number | number[];
  /** Channel groups (default 1). */
  groups?: number;
  /** Learnable bias (default true). */
  bias?: boolean;
  /** Spacing between kernel taps (default 1). */
  dilation?: number | number[];
}
/** ConvTranspose1d/2d's options, in PyTorch's positional order. */
export const CONV_TRANSPOSE_KEYS = ["stride", "padding", "outputPadding", "groups", "bias", "dilation"] as const;

/** The optional arguments after kernelSize: PyTorch's positional order or a trailing options object. */
export type ConvTransposeLayerArgs =
  | [opts?: ConvTransposeLayerOptions]
  | [stride: number | number[] | undefined, opts?: ConvTransposeLayerOptions]
  | [stride: number | number[] | undefined, padding: number | number[] | undefined, opts?: ConvTransposeLayerOptions]
  | [stride: number | number[] | undefined, padding: number | number[] | undefined, outputPadding: number | number[] | undefined, opts?: ConvTransposeLayerOptions]
  | [stride: number | number[] | undefined, padding: number | number[] | undefined, outputPadding: number | number[] | undefined, groups: number | undefined, opts?: ConvTransposeLayerOptions]
  | [stride: number | number[] | undefined, padding: number | number[] | undefined, outputPadding: number | number[] | undefined, groups: number | undefined, bias: boolean | undefined, opts?: ConvTransposeLayerOptions]
  | [stride: number | number[] | undefined, padding: number | number[] | undefined, outputPadding: number | number[] | undefined, groups: number | undefined, bias: boolean | undefined, dilation?: number | number[]];

abstract class ConvTransposeNd extends ConvNd {
  /** Extra size added to one side of the output, per spatial dim. */
  outputPadding: number[];
  constructor(nd: 1 | 2, inChannels: number, outChannels: number, kernelSize: number | number[], args: readonly unknown[]) {
    super(nd, true, inChannels, outChannels, kernelSize, args);
    const opts = positionalOptions<ConvTransposeLayerOptions>(`nn.ConvTranspose${nd}d`, args, CONV_TRANSPOSE_KEYS, CONV_TRANSPOSE_KEYS, 4);
    this.outputPadding = tuple(this.constructor.name, opts.outputPadding ?? 0, nd, "outputPadding");
  }
}

/** Transposed 1-d convolution: weight [Cin, Cout/groups, k]. */
export class ConvTranspose1d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], ...args: ConvTransposeLayerArgs) {
    super(1, inChannels, outChannels, kernelSize, args);
  }
  override forward(x: Tensor): Tensor {
    return F.convTranspose1d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding as number[], outputPadding: this.outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }
}

/** Transposed 2-d convolution (fractionally strided): weight [Cin, Cout/groups, kh, kw].
 *  @example const up = new nn.ConvTranspose2d(16, 8, 2, { stride: 2 }); // [N, 16, H, W] -> [N, 8, 2H, 2W] */
export class ConvTranspose2d extends ConvTransposeNd {
  constructor(inChannels: number, outChannels: number, kernelSize: number | number[], ...args: ConvTransposeLayerArgs) {
    super(2, inChannels, outChannels, kernelSize, args);
  }
  override forward(x: Tensor): Tensor {
    return F.convTranspose2d(x, this.weight, this.bias, {
      stride: this.stride, padding: this.padding as number[], outputPadding: this.outputPadding, groups: this.groups, dilation: this.dilation,
    });
  }
}
