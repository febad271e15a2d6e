// optim.Adam and optim.AdamW, as torch.optim.Adam / AdamW (the single-tensor loops of
// torch/optim/adam.py and adamw.py). Kingma & Ba 2015, "Adam: A Method for Stochastic
// Optimization"; Loshchilov & Hutter 2019, "Decoupled Weight Decay Regularization" (AdamW).
//   t += 1;  g = ±grad (+ weightDecay·p for Adam; AdamW instead scales p by 1 − lr·weightDecay)
//   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²;  v̂max = max(v̂max, v) with amsgrad
//   p = p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps)

import { Tensor } from "../tensor/tensor.js";
import { B } from "../backend/backend.js";
import type { TypedArray } from "../tensor/dtype.js";
import { Optimizer, buffer, check, checkKeys, readable, stateLike, writeParam, type ParamGroup, type ParamState, type ParamsInput } from "./optimizer.js";

/** Options of optim.Adam and optim.AdamW (PyTorch's names and defaults). */
export interface AdamOptions {
  /** Learning rate. Default 1e-3. */
  lr?: number;
  /** Decay rates of the first and second moment averages. Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to the denominator for numerical stability. Default 1e-8. */
  eps?: number;
  /** L2 penalty (Adam: added to the gradient; AdamW: decoupled decay of the weights). Default 0 (AdamW: 0.01). */
  weightDecay?: number;
  /** Use the AMSGrad variant (the running maximum of the second moment). Default false. */
  amsgrad?: boolean;
  /** Maximise the objective instead of minimising it. Default false. */
  maximize?: boolean;
}

const KEYS = ["lr", "betas", "eps", "weightDecay", "amsgrad", "maximize"] as const;

function resolve(name: string, options: AdamOptions, weightDecayDefault: number): Required<AdamOptions> {
  const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = weightDecayDefault, amsgrad = false, maximize = false } = checkKeys(name, options, KEYS);
  return { lr, betas: [betas[0], betas[1]], eps, weightDecay, amsgrad, maximize };
}

function validate(name: string, o: Record<string, unknown>): void {
  check(name, "learning rate", o.lr, (x) => x >= 0);
  check(name, "epsilon", o.eps, (x) => x >= 0);
  const betas = o.betas as unknown;
  if (!Array.isArray(betas) || betas.length !== 2) throw new TypeError(`${name}: betas must be a pair [beta1, beta2], got ${String(betas)}`);
  check(name, "beta parameter at index 0", betas[0], (x) => x >= 0 && x < 1);
  check(name, "beta parameter at index 1", betas[1], (x) => x >= 0 && x < 1);
  check(name, "weightDecay", o.weightDecay, (x) => x >= 0);
}

/** One Adam/AdamW step for one parameter; `decoupled` selects AdamW's weight decay. */
function adamUpdate(group: ParamGroup<Required<AdamOptions>>, p: Tensor, grad: Tensor, st: ParamState, decoupled: boolean): void {
  const { lr, betas, eps, weightDecay, amsgrad, maximize } = group;
  const [beta1, beta2] = betas;
  if (st.step === undefined) {
    st.step = 0;
    st.exp_avg = stateLike(p);
    st.exp_avg_sq = stateLike(p);
    if (amsgrad) st.max_exp_avg_sq = stateLike(p);
  }
  const step = (st.step as number) + 1;
  st.step = step;
  const m = buffer(st.exp_avg, "exp_avg");
  const v = buffer(st.exp_avg_sq, "exp_avg_sq");
  if (amsgrad && !(st.max_exp_avg_sq instanceof Tensor)) st.max_exp_avg_sq = stateLike(p);
  const vmax = amsgrad ? buffer(st.max_exp_avg_sq, "max_exp_avg_sq") : null;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const decay = decoupled ? 1 - lr * weightDecay : 1;
  const l2 = decoupled ? 0 : weightDecay;
  const sign = maximize ? -1 : 1;
  const { data: g, offset: go } = readable(grad);
  const n = p.numel();
  const h = { beta1, beta2, eps, stepSize, bc2Sqrt, decay, l2, sign };
  writeParam(p, (x, xo) => B().adamStep(x, xo, g, go, m, v, vmax, n, h));
}

/** Adam (torch.optim.Adam); weightDecay is an L2 term added to the gradient.
 *  @example const opt = new optim.Adam(model.parameters(), { lr: 1e-3, betas: [0.9, 0.999] }); */
export class Adam extends Optimizer<Required<AdamOptions>> {
  constructor(params: ParamsInput<AdamOptions>, options: AdamOptions = {}) {
    super(params as ParamsInput<Required<AdamOptions>>, resolve("Adam", options, 0));
  }
  protected override validate(o: Record<string, unknown>): void {
    validate("Adam", o);
  }
  protected override update(group: ParamGroup<Required<AdamOptions>>, p: Tensor, grad: Tensor, st: ParamState): void {
    adamUpdate(group, p, grad, st, false);
  }
}

/** AdamW (torch.optim.AdamW): Adam with decoupled weight decay (default 0.01).
 *  @example const opt = new optim.AdamW(model.parameters(), { lr: 3e-4, weightDecay: 0.1 }); */
export class AdamW extends Optimizer<Required<AdamOptions>> {
  constructor(params: ParamsInput<AdamOptions>, options: AdamOptions = {}) {
    super(params as ParamsInput<Required<AdamOptions>>, resolve("AdamW", options, 0.01));
  }
  protected override validate(o: Record<string, unknown>): void {
    validate("AdamW", o);
  }
  protected override update(group: ParamGroup<Required<AdamOptions>>, p: Tensor, grad: Tensor, st: ParamState): void {
    adamUpdate(group, p, grad, st, true);
  }
}
