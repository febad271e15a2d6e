// optim.RMSprop, as torch.optim.RMSprop (the single-tensor loop of torch/optim/rmsprop.py).
// Hinton's lecture 6e; the centered form of Graves 2013, "Generating Sequences With RNNs".
//   g = ±grad + weightDecay·p;  s = α·s + (1 − α)·g²
//   centered: ḡ = α·ḡ + (1 − α)·g, avg = √(s − ḡ²) + eps;  else avg = √s + eps
//   momentum > 0: b = momentum·b + g/avg, p = p − lr·b;  else p = p − lr·g/avg

import { Tensor } from "../tensor/tensor.js";
import type { TypedArray } from "../tensor/dtype.js";
import { Optimizer, buffer, check, checkKeys, readable, stateLike, writeParam, type ParamGroup, type ParamState, type ParamsInput } from "./optimizer.js";

/** Options of optim.RMSprop (PyTorch's names and defaults). */
export interface RMSpropOptions {
  /** Learning rate. Default 0.01. */
  lr?: number;
  /** Smoothing constant of the squared-gradient average. Default 0.99. */
  alpha?: number;
  /** Added to the denominator for numerical stability. Default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Momentum factor. Default 0. */
  momentum?: number;
  /** Normalise by the estimated variance of the gradient instead of its second moment. Default false. */
  centered?: boolean;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
}

const KEYS = ["lr", "alpha", "eps", "weightDecay", "momentum", "centered", "maximize"] as const;

/** RMSprop (torch.optim.RMSprop).
 *  @example const opt = new optim.RMSprop(model.parameters(), { lr: 1e-3, momentum: 0.9 }); */
export class RMSprop extends Optimizer<Required<RMSpropOptions>> {
  constructor(params: ParamsInput<RMSpropOptions>, options: RMSpropOptions = {}) {
    const { lr = 0.01, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false, maximize = false } = checkKeys("RMSprop", options, KEYS);
    super(params as ParamsInput<Required<RMSpropOptions>>, { lr, alpha, eps, weightDecay, momentum, centered, maximize });
  }

  protected override validate(o: Record<string, unknown>): void {
    check("RMSprop", "learning rate", o.lr, (x) => x >= 0);
    check("RMSprop", "epsilon", o.eps, (x) => x >= 0);
    check("RMSprop", "momentum", o.momentum, (x) => x >= 0);
    check("RMSprop", "weightDecay", o.weightDecay, (x) => x >= 0);
    check("RMSprop", "alpha", o.alpha, (x) => x >= 0);
  }

  protected override update(group: ParamGroup<Required<RMSpropOptions>>, p: Tensor, grad: Tensor, st: ParamState): void {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    if (st.step === undefined) {
      st.step = 0;
      st.square_avg = stateLike(p);
      if (momentum > 0) st.momentum_buffer = stateLike(p);
      if (centered) st.grad_avg = stateLike(p);
    }
    st.step = (st.step as number) + 1;
    if (momentum > 0 && !(st.momentum_buffer instanceof Tensor)) st.momentum_buffer = stateLike(p);
    if (centered && !(st.grad_avg instanceof Tensor)) st.grad_avg = stateLike(p);
    const sq = buffer(st.square_avg, "square_avg");
    const ga = centered ? buffer(st.grad_avg, "grad_avg") : null;
    const buf = momentum > 0 ? buffer(st.momentum_buffer, "momentum_buffer") : null;
    const sign = maximize ? -1 : 1;
    const { data: g, offset: go } = readable(grad);
    const n = p.numel();
    writeParam(p, (x, xo) => rmspropKernel(x, xo, g, go, sq, ga, buf, n, lr, alpha, eps, weightDecay, momentum, sign));
  }
}

/** The fused update of one parameter (arguments, not captured variables, so V8 keeps them in registers). */
function rmspropKernel(
  x: TypedArray, xo: number, g: TypedArray, go: number, sq: TypedArray, ga: TypedArray | null, buf: TypedArray | null, n: number,
  lr: number, alpha: number, eps: number, weightDecay: number, momentum: number, sign: number,
): void {
  for (let i = 0; i < n; i++) {
    const pi = x[xo + i];
    let gi = sign * g[go + i];
    if (weightDecay !== 0) gi = gi + weightDecay * pi;
    sq[i] = sq[i] * alpha + (1 - alpha) * gi * gi;
    let avg: number;
    if (ga !== null) {
      ga[i] = ga[i] * alpha + (1 - alpha) * gi;
      avg = Math.sqrt(sq[i] - ga[i] * ga[i]) + eps;
    } else avg = Math.sqrt(sq[i]) + eps;
    if (buf !== null) {
      buf[i] = buf[i] * momentum + gi / avg;
      x[xo + i] = pi + -lr * buf[i];
    } else x[xo + i] = pi + (-lr * gi) / avg;
  }
}
