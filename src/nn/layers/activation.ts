// Activation modules, each a thin wrapper of its nn.functional function (torch/nn/modules/activation.py).

import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import { Module } from "../module.js";
import { firstOrOptions } from "./common.js";

/** max(x, 0). */
export class ReLU extends Module {
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
    this.approximate = firstOrOptions<{ approximate?: "none" | "tanh" }, "approximate">(approximate, "approximate").approximate ?? "none";
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
    this.dim = firstOrOptions<{ dim?: number | null }, "dim">(dim, "dim").dim ?? null;
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
    this.dim = firstOrOptions<{ dim?: number | null }, "dim">(dim, "dim").dim ?? null;
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
  constructor(negativeSlope?: number | { negativeSlope?: number }) {
    super();
    this.negativeSlope = firstOrOptions<{ negativeSlope?: number }, "negativeSlope">(negativeSlope, "negativeSlope").negativeSlope ?? 0.01;
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
  constructor(alpha?: number | { alpha?: number }) {
    super();
    this.alpha = firstOrOptions<{ alpha?: number }, "alpha">(alpha, "alpha").alpha ?? 1;
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
    const o = firstOrOptions<{ beta?: number; threshold?: number }, "beta">(beta, "beta");
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
