// optim.Adagrad, as torch.optim.Adagrad (the single-tensor loop of torch/optim/adagrad.py).
// Duchi, Hazan & Singer 2011, "Adaptive Subgradient Methods for Online Learning".
//   t += 1;  g = ±grad + weightDecay·p;  clr = lr / (1 + (t − 1)·lrDecay)
//   s = s + g²;  p = p − clr·g / (√s + eps)

import { Tensor } from "../tensor/tensor.js";
import type { TypedArray } from "../tensor/dtype.js";
import { Optimizer, buffer, check, checkKeys, readable, stateLike, writeParam, type ParamGroup, type ParamState, type ParamsInput } from "./optimizer.js";

/** Options of optim.Adagrad (PyTorch's names and defaults). */
export interface AdagradOptions {
  /** Learning rate. Default 0.01. */
  lr?: number;
  /** Learning-rate decay per step. Default 0. */
  lrDecay?: number;
  /** L2 penalty added to the gradient. Default 0. */
  weightDecay?: number;
  /** Starting value of the sum of squared gradients. Default 0. */
  initialAccumulatorValue?: number;
  /** Added to the denominator for numerical stability. Default 1e-10. */
  eps?: number;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
}

const KEYS = ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps", "maximize"] as const;

/** Adagrad (torch.optim.Adagrad). As PyTorch, the state of every parameter exists from construction.
 *  @example const opt = new optim.Adagrad(model.parameters(), { lr: 0.1 }); */
export class Adagrad extends Optimizer<Required<AdagradOptions>> {
  constructor(params: ParamsInput<AdagradOptions>, options: AdagradOptions = {}) {
    const { lr = 0.01, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10, maximize = false } = checkKeys("Adagrad", options, KEYS);
    super(params as ParamsInput<Required<AdagradOptions>>, { lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize });
    for (const g of this.paramGroups) for (const p of g.params) this.state.set(p, this.initState(g, p));
  }

  private initState(group: ParamGroup<Required<AdagradOptions>>, p: Tensor): ParamState {
    return { step: 0, sum: stateLike(p, group.initialAccumulatorValue) };
  }

  protected override validate(o: Record<string, unknown>): void {
    check("Adagrad", "learning rate", o.lr, (x) => x >= 0);
    check("Adagrad", "lrDecay", o.lrDecay, (x) => x >= 0);
    check("Adagrad", "weightDecay", o.weightDecay, (x) => x >= 0);
    check("Adagrad", "initialAccumulatorValue", o.initialAccumulatorValue, (x) => x >= 0);
    check("Adagrad", "epsilon", o.eps, (x) => x >= 0);
  }

  protected override update(group: ParamGroup<Required<AdagradOptions>>, p: Tensor, grad: Tensor, st: ParamState): void {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    if (st.step === undefined) Object.assign(st, this.initState(group, p));
    const step = (st.step as number) + 1;
    st.step = step;
    const sum = buffer(st.sum, "sum");
    const clr = lr / (1 + (step - 1) * lrDecay);
    const sign = maximize ? -1 : 1;
    const { data: g, offset: go } = readable(grad);
    const n = p.numel();
    writeParam(p, (x, xo) => adagradKernel(x, xo, g, go, sum, n, clr, weightDecay, eps, sign));
  }
}

/** The fused update of one parameter (arguments, not captured variables, so V8 keeps them in registers). */
function adagradKernel(
  x: TypedArray, xo: number, g: TypedArray, go: number, sum: TypedArray, n: number, clr: number, weightDecay: number, eps: number, sign: number,
): void {
  for (let i = 0; i < n; i++) {
    const pi = x[xo + i];
    let gi = sign * g[go + i];
    if (weightDecay !== 0) gi = gi + weightDecay * pi;
    sum[i] = sum[i] + gi * gi;
    x[xo + i] = pi + (-clr * gi) / (Math.sqrt(sum[i]) + eps);
  }
}
