// Linear, Bilinear, Identity, Flatten, Unflatten: as torch.nn (torch/nn/modules/linear.py, flatten.py).

import { Tensor } from "../../tensor/tensor.js";
import { fmt } from "../../tensor/shape.js";
import { add, mul } from "../../ops/elementwise.js";
import { sum } from "../../ops/reduce.js";
import { matmul } from "../../ops/linalg.js";
import { flatten, reshape, permute, unsqueeze } from "../../ops/shape.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { Module, Parameter } from "../module.js";
import { param, positiveInt, firstOrOptions, optionsOf } from "./common.js";

const BIAS_KEYS = ["bias"] as const;
const FLATTEN_KEYS = ["startDim", "endDim"] as const;

/** y = x W^T + b, weight [outFeatures, inFeatures]. Init: W ~ kaiming_uniform(a = sqrt 5), i.e. U(+-1/sqrt(in)); b the same.
 *  @example const fc = new nn.Linear(784, 10); const y = fc.call(x); // [N, 784] -> [N, 10] */
export class Linear extends Module {
  /** The learnable weight [outFeatures, inFeatures]. */
  declare weight: Parameter;
  /** The learnable bias [outFeatures] (null without bias). */
  declare bias: Parameter | null;
  constructor(
    /** The size of each input sample. */
    public inFeatures: number,
    /** The size of each output sample. */
    public outFeatures: number,
    opts: { /** add a learnable bias (default true) */ bias?: boolean } | boolean = {},
  ) {
    super();
    positiveInt("Linear", inFeatures, "inFeatures");
    positiveInt("Linear", outFeatures, "outFeatures");
    const o = typeof opts === "boolean" ? { bias: opts } : optionsOf("nn.Linear", opts, BIAS_KEYS, 3); // also Linear(4, 3, false), as PyTorch
    this.weight = param([outFeatures, inFeatures]);
    this.bias = o.bias ?? true ? param([outFeatures]) : null;
    this.resetParameters();
  }
  /** PyTorch's init: weight kaiming_uniform(a = sqrt 5), bias U(+-1/sqrt(inFeatures)). */
  resetParameters(): void {
    init.kaimingUniform_(this.weight, { a: Math.sqrt(5) });
    if (this.bias) {
      const bound = this.inFeatures > 0 ? 1 / Math.sqrt(this.inFeatures) : 0;
      init.uniform_(this.bias, { a: -bound, b: bound });
    }
  }
  override forward(x: Tensor): Tensor {
    return F.linear(x, this.weight, this.bias);
  }
  override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** y = x1^T A x2 + b, weight [out, in1, in2]. Init: U(+-1/sqrt(in1)) for weight and bias.
 *  @example const bl = new nn.Bilinear(4, 5, 3); const y = bl.call(x1, x2); // [N, 4], [N, 5] -> [N, 3] */
export class Bilinear extends Module {
  /** The learnable weight [outFeatures, in1Features, in2Features]. */
  declare weight: Parameter;
  /** The learnable bias [outFeatures] (null without bias). */
  declare bias: Parameter | null;
  constructor(
    /** The size of each first input sample. */
    public in1Features: number,
    /** The size of each second input sample. */
    public in2Features: number,
    /** The size of each output sample. */
    public outFeatures: number,
    opts: { bias?: boolean } | boolean = {},
  ) {
    super();
    for (const [v, w] of [[in1Features, "in1Features"], [in2Features, "in2Features"], [outFeatures, "outFeatures"]] as const)
      positiveInt("Bilinear", v, w);
    const o = typeof opts === "boolean" ? { bias: opts } : optionsOf("nn.Bilinear", opts, BIAS_KEYS, 4);
    this.weight = param([outFeatures, in1Features, in2Features]);
    this.bias = o.bias ?? true ? param([outFeatures]) : null;
    this.resetParameters();
  }
  /** PyTorch's init: weight and bias U(+-1/sqrt(in1Features)). */
  resetParameters(): void {
    const bound = 1 / Math.sqrt(this.in1Features);
    init.uniform_(this.weight, { a: -bound, b: bound });
    if (this.bias) init.uniform_(this.bias, { a: -bound, b: bound });
  }
  override forward(x1: Tensor, x2: Tensor): Tensor {
    const [O, I, J] = this.weight.shape;
    if (x1.ndim < 1 || x1.shape[x1.ndim - 1] !== I || x2.ndim < 1 || x2.shape[x2.ndim - 1] !== J)
      throw new Error(`Bilinear: inputs ${fmt(x1.shape)} and ${fmt(x2.shape)} do not end in in1Features ${I} and in2Features ${J}`);
    if (x1.shape.slice(0, -1).join() !== x2.shape.slice(0, -1).join())
      throw new Error(`Bilinear: inputs ${fmt(x1.shape)} and ${fmt(x2.shape)} must have the same leading (batch) dims`);
    const lead = x1.shape.slice(0, -1);
    const a = reshape(x1, [-1, I]); // [N, I]
    const b = reshape(x2, [-1, J]); // [N, J]
    const w = reshape(permute(this.weight, 1, 0, 2), [I, O * J]); // [I, O*J]
    const t = reshape(matmul(a, w), [-1, O, J]); // [N, O, J]
    let y = sum(mul(t, unsqueeze(b, 1)), -1); // [N, O]
    if (this.bias) y = add(y, this.bias);
    return reshape(y, [...lead, O]);
  }
  override extraRepr(): string {
    return `in1Features=${this.in1Features}, in2Features=${this.in2Features}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}

/** Returns its input (any constructor arguments are ignored, as PyTorch). */
export class Identity extends Module {
  constructor(..._args: unknown[]) {
    super();
  }
  override forward(x: Tensor): Tensor {
    return x;
  }
}

/** Flattens dims startDim..endDim (default 1..-1, keeping the batch dim).
 *  @example new nn.Flatten() // [N, C, H, W] -> [N, C*H*W] */
export class Flatten extends Module {
  /** The first dim flattened. */
  startDim: number;
  /** The last dim flattened. */
  endDim: number;
  constructor(startDim?: number | { startDim?: number; endDim?: number }, endDim?: number) {
    super();
    const o = firstOrOptions<{ startDim?: number; endDim?: number }, "startDim">("nn.Flatten", startDim, "startDim", FLATTEN_KEYS);
    this.startDim = o.startDim ?? 1;
    this.endDim = endDim ?? o.endDim ?? -1;
  }
  override forward(x: Tensor): Tensor {
    return flatten(x, this.startDim, this.endDim);
  }
  override extraRepr(): string {
    return `startDim=${this.startDim}, endDim=${this.endDim}`;
  }
}

/** Expands dim into unflattenedSize.  @example new nn.Unflatten(1, [2, 5]) // [N, 10] -> [N, 2, 5] */
export class Unflatten extends Module {
  constructor(
    /** The dim unflattened. */
    public dim: number,
    /** The shape it is unflattened into. */
    public unflattenedSize: number[],
  ) {
    super();
    if (!Array.isArray(unflattenedSize)) throw new Error(`Unflatten: unflattenedSize must be an array of sizes, got ${typeof unflattenedSize}`);
  }
  override forward(x: Tensor): Tensor {
    const d = this.dim < 0 ? this.dim + x.ndim : this.dim;
    if (d < 0 || d >= x.ndim) throw new Error(`Unflatten: dim ${this.dim} is out of range for input ${fmt(x.shape)}`);
    return reshape(x, [...x.shape.slice(0, d), ...this.unflattenedSize, ...x.shape.slice(d + 1)]);
  }
  override extraRepr(): string {
    return `dim=${this.dim}, unflattenedSize=${fmt(this.unflattenedSize)}`;
  }
}
