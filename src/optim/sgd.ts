// optim.SGD: stochastic gradient descent with momentum, dampening, Nesterov momentum, L2 weight
// decay and maximize, as torch.optim.SGD (the single-tensor loop of torch/optim/sgd.py):
//   d = ±g + weightDecay·p
//   b = d (first step) | momentum·b + (1 − dampening)·d
//   d = nesterov ? d + momentum·b : b
//   p = p − lr·d

import { Tensor } from "../tensor/tensor.js";
import type { TypedArray } from "../tensor/dtype.js";
import { Optimizer, check, checkKeys, readable, stateLike, writeParam, type ParamGroup, type ParamState, type ParamsInput } from "./optimizer.js";

/** Options of optim.SGD (PyTorch's names and defaults). */
export interface SGDOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Dampening of the momentum (the new gradient's weight is 1 − dampening). Default 0. */
  dampening?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov?: boolean;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
}

const KEYS = ["lr", "momentum", "dampening", "weightDecay", "nesterov", "maximize"] as const;

/** Stochastic gradient descent, optionally with momentum (torch.optim.SGD).
 *  @example const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 }); */
export class SGD extends Optimizer<Required<SGDOptions>> {
  constructor(params: ParamsInput<SGDOptions>, options: SGDOptions = {}) {
    const { lr = 1e-3, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = checkKeys("SGD", options, KEYS);
    super(params as ParamsInput<Required<SGDOptions>>, { lr, momentum, dampening, weightDecay, nesterov, maximize });
  }

  protected override validate(o: Record<string, unknown>): void {
    check("SGD", "learning rate", o.lr, (x) => x >= 0);
    check("SGD", "momentum", o.momentum, (x) => x >= 0);
    check("SGD", "dampening", o.dampening, () => true);
    check("SGD", "weightDecay", o.weightDecay, (x) => x >= 0);
    if (o.nesterov && (!((o.momentum as number) > 0) || o.dampening !== 0))
      throw new RangeError("SGD: Nesterov momentum requires a momentum and zero dampening");
  }

  protected override update(group: ParamGroup<Required<SGDOptions>>, p: Tensor, grad: Tensor, st: ParamState): void {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    const { data: g, offset: go } = readable(grad);
    const n = p.numel();
    let buf: TypedArray | null = null;
    let first = false;
    if (momentum !== 0) {
      const b = st.momentum_buffer;
      if (b instanceof Tensor) buf = b.storage;
      else {
        const t = stateLike(p);
        st.momentum_buffer = t;
        buf = t.storage;
        first = true;
      }
    } else if (!("momentum_buffer" in st)) st.momentum_buffer = null;
    writeParam(p, (x, xo) => sgdKernel(x, xo, g, go, buf, n, lr, momentum, dampening, weightDecay, nesterov, maximize ? -1 : 1, first));
  }
}

/** The fused update of one parameter (arguments, not captured variables, so V8 keeps them in registers). */
function sgdKernel(
  x: TypedArray, xo: number, g: TypedArray, go: number, buf: TypedArray | null, n: number,
  lr: number, momentum: number, dampening: number, weightDecay: number, nesterov: boolean, sign: number, first: boolean,
): void {
  for (let i = 0; i < n; i++) {
    const pi = x[xo + i];
    let d = sign * g[go + i];
    if (weightDecay !== 0) d = d + weightDecay * pi;
    if (buf !== null) {
      buf[i] = first ? d : buf[i] * momentum + (1 - dampening) * d;
      d = nesterov ? d + momentum * buf[i] : buf[i];
    }
    x[xo + i] = pi + -lr * d;
  }
}
