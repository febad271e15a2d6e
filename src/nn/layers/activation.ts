// Activation modules, each a thin wrapper of its nn.functional function (torch/nn/modules/activation.py).

import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import { Module, Parameter } from "../module.js";
import { firstOrOptions, positiveInt } from "./common.js";
import { checkOneOf } from "../../tensor/options.js";
import { full } from "../../ops/creation.js";
import { noGrad } from "../../tensor/autograd.js";

const GELU_KEYS = ["approximate"] as const;
const DIM_KEYS = ["dim"] as const;
const LEAKY_KEYS = ["negativeSlope", "inplace"] as const;
const ELU_KEYS = ["alpha", "inplace"] as const;
const SOFTPLUS_KEYS = ["beta", "threshold"] as const;
const INPLACE_KEYS = ["inplace"] as const;
const PRELU_KEYS = ["numParameters", "init"] as const;

/** max(x, 0). */
export class ReLU extends Module {
  /** `inplace` (PyTorch's memory saving) is accepted and has no effect on the result. */
  constructor(inplace?: boolean | { inplace?: boolean }) {
    super();
    firstOrOptions<{ inplace?: boolean }, "inplace">("nn.ReLU", inplace, "inplace", INPLACE_KEYS);
  }
  override forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

/** x Phi(x); `new nn.GELU({ approximate: "tanh" })` or `new nn.GELU("tanh")`. */
export class GELU extends Module {
  /** "none" (the exact erf form) or "tanh". */
  approximate: "none" | "tanh";
  constructor(approximate?: "none" | "tanh" | { approximate?: "none" | "tanh" }) {
    super();
    const a = firstOrOptions<{ approximate?: "none" | "tanh" }, "approximate">("nn.GELU", approximate, "approximate", GELU_KEYS).approximate ?? "none";
    this.approximate = checkOneOf("nn.GELU", "approximate", a, ["none", "tanh"] as const);
  }
  override forward(x: Tensor): Tensor {
    return F.gelu(x, { approximate: this.approximate });
  }
  override extraRepr(): string {
    return `approximate=${JSON.stringify(this.approximate)}`;
  }
}

/** x sigmoid(x). */
export class SiLU extends Module {
  /** `inplace` (PyTorch's memory saving) is accepted and has no effect on the result. */
  constructor(inplace?: boolean | { inplace?: boolean }) {
    super();
    firstOrOptions<{ inplace?: boolean }, "inplace">("nn.SiLU", inplace, "inplace", INPLACE_KEYS);
  }
  override forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}

export class Tanh extends Module {
  override forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

export class Sigmoid extends Module {
  override forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

/** PyTorch's implicit dim when none is given (legacy): 0 for 0-, 1- and 3-D inputs, else 1. */
function implicitDim(x: Tensor): number {
  return x.ndim === 0 || x.ndim === 1 || x.ndim === 3 ? 0 : 1;
}

/** softmax along dim: `new nn.Softmax(1)` or `new nn.Softmax({ dim: 1 })`. */
export class Softmax extends Module {
  /** The dim the softmax runs along. */
  dim: number | null;
  constructor(dim?: number | null | { dim?: number | null }) {
    super();
    this.dim = firstOrOptions<{ dim?: number | null }, "dim">("nn.Softmax", dim, "dim", DIM_KEYS).dim ?? null;
  }
  override forward(x: Tensor): Tensor {
    return F.softmax(x, this.dim ?? implicitDim(x));
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** logSoftmax along dim: `new nn.LogSoftmax(1)` or `new nn.LogSoftmax({ dim: 1 })`. */
export class LogSoftmax extends Module {
  /** The dim the log-softmax runs along. */
  dim: number | null;
  constructor(dim?: number | null | { dim?: number | null }) {
    super();
    this.dim = firstOrOptions<{ dim?: number | null }, "dim">("nn.LogSoftmax", dim, "dim", DIM_KEYS).dim ?? null;
  }
  override forward(x: Tensor): Tensor {
    return F.logSoftmax(x, this.dim ?? implicitDim(x));
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

/** x or negativeSlope x: `new nn.LeakyReLU(0.2)` or `new nn.LeakyReLU({ negativeSlope: 0.2 })` (default 0.01). */
export class LeakyReLU extends Module {
  /** The slope for negative inputs. */
  negativeSlope: number;
  constructor(negativeSlope?: number | { negativeSlope?: number; inplace?: boolean }) {
    super();
    this.negativeSlope = firstOrOptions<{ negativeSlope?: number }, "negativeSlope">("nn.LeakyReLU", negativeSlope, "negativeSlope", LEAKY_KEYS).negativeSlope ?? 0.01;
  }
  override forward(x: Tensor): Tensor {
    return F.leakyRelu(x, { negativeSlope: this.negativeSlope });
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

/** x or alpha (e^x - 1): `new nn.ELU(0.5)` or `new nn.ELU({ alpha: 0.5 })` (default 1). */
export class ELU extends Module {
  /** The value the output approaches for large negative inputs (-alpha). */
  alpha: number;
  constructor(alpha?: number | { alpha?: number; inplace?: boolean }) {
    super();
    this.alpha = firstOrOptions<{ alpha?: number }, "alpha">("nn.ELU", alpha, "alpha", ELU_KEYS).alpha ?? 1;
  }
  override forward(x: Tensor): Tensor {
    return F.elu(x, { alpha: this.alpha });
  }
  override extraRepr(): string {
    return `alpha=${this.alpha}`;
  }
}

/** log(1 + e^(beta x)) / beta: `new nn.Softplus(2)` or `new nn.Softplus({ beta: 2, threshold: 20 })`. */
export class Softplus extends Module {
  /** The sharpness: log(1 + e^(beta x)) / beta. */
  beta: number;
  /** Above beta x > threshold the output is x. */
  threshold: number;
  constructor(beta?: number | { beta?: number; threshold?: number }, threshold?: number) {
    super();
    const o = firstOrOptions<{ beta?: number; threshold?: number }, "beta">("nn.Softplus", beta, "beta", SOFTPLUS_KEYS);
    this.beta = o.beta ?? 1;
    this.threshold = threshold ?? o.threshold ?? 20;
  }
  override forward(x: Tensor): Tensor {
    return F.softplus(x, { beta: this.beta, threshold: this.threshold });
  }
  override extraRepr(): string {
    return `beta=${this.beta}, threshold=${this.threshold}`;
  }
}

/** Options of nn.PReLU. */
export interface PReLUOptions {
  /** 1 (one slope for every channel, the default) or the number of channels (dim 1 of the input). */
  numParameters?: number;
  /** The initial slope (default 0.25). */
  init?: number;
}

/** max(0, x) + weight * min(0, x) with a learnt slope: `new nn.PReLU()`, `new nn.PReLU(64)` or
 *  `new nn.PReLU({ numParameters: 64, init: 0.1 })`. Parameter `weight` [numParameters]. */
export class PReLU extends Module {
  /** The learnable slopes for negative inputs [numParameters]. */
  declare weight: Parameter;
  /** torch's `num_parameters` (`numParameters()` is Module's parameter count). */
  numParams: number;
  /** The initial slope, which resetParameters() restores. */
  init: number;
  constructor(numParameters?: number | PReLUOptions, init?: number) {
    super();
    const o = firstOrOptions<PReLUOptions, "numParameters">("nn.PReLU", numParameters, "numParameters", PRELU_KEYS);
    this.numParams = positiveInt("PReLU", o.numParameters ?? 1, "numParameters");
    this.init = init ?? o.init ?? 0.25;
    this.weight = new Parameter(full([this.numParams], this.init));
  }
  /** Fills weight with init again. */
  resetParameters(): void {
    noGrad(() => this.weight.fill_(this.init));
  }
  override forward(x: Tensor): Tensor {
    return F.prelu(x, this.weight);
  }
  override extraRepr(): string {
    return `numParameters=${this.numParams}`;
  }
}
