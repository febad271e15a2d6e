// nn.utils: gradient clipping and flat parameter vectors, as torch.nn.utils.

import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "../tensor/autograd.js";
import { fmt } from "../tensor/shape.js";
import { scalar } from "../ops/util.js";
import { cat, reshape, narrow } from "../ops/shape.js";
import { checkOptions } from "../tensor/options.js";

const CLIP_GRAD_NORM_KEYS = ["normType", "errorIfNonfinite"] as const;

/** Parameters as the utils take them: one tensor or an iterable of them (model.parameters()). */
export type Params = Tensor | Iterable<Tensor>;

function list(op: string, params: Params): Tensor[] {
  const ps = params instanceof Tensor ? [params] : [...params];
  ps.forEach((p, i) => {
    if (!(p instanceof Tensor)) throw new Error(`${op}: parameter ${i} is not a Tensor`);
  });
  return ps;
}

/** Scales all gradients together so that their joint norm is at most maxNorm; returns the total norm
 *  (before clipping) as a 0-d tensor. normType may be Infinity.
 *  @example nn.utils.clipGradNorm_(model.parameters(), 1.0); */
export function clipGradNorm_(
  params: Params,
  maxNorm: number,
  normType: number | { normType?: number; errorIfNonfinite?: boolean } = {},
): Tensor {
  const o = typeof normType === "number" ? { normType } : checkOptions("nn.utils.clipGradNorm_", normType, CLIP_GRAD_NORM_KEYS, 3);
  const p = o.normType ?? 2;
  const grads = list("clipGradNorm_", params).map((t) => t.grad).filter((g): g is Tensor => g !== null);
  if (grads.length === 0) return scalar(0, "float32");
  let total = 0;
  for (const g of grads) {
    const v = g.dataSync();
    if (p === Infinity) for (let i = 0; i < v.length; i++) total = Math.max(total, Math.abs(v[i]));
    else for (let i = 0; i < v.length; i++) total += Math.abs(v[i]) ** p;
  }
  if (p !== Infinity) total = total ** (1 / p);
  if (o.errorIfNonfinite && !Number.isFinite(total))
    throw new Error(`clipGradNorm_: the total norm of order ${p} of the gradients is non-finite (${total}), so it cannot be clipped`);
  const coef = maxNorm / (total + 1e-6);
  if (coef < 1) noGrad(() => grads.forEach((g) => g.mul_(coef)));
  return scalar(total, grads[0].dtype);
}

/** Clamps every gradient element to [-clipValue, clipValue].  @example nn.utils.clipGradValue_(model.parameters(), 0.5); */
export function clipGradValue_(params: Params, clipValue: number): void {
  const v = Math.abs(clipValue);
  noGrad(() => {
    for (const t of list("clipGradValue_", params)) if (t.grad) t.grad.clamp_(-v, v);
  });
}

/** The parameters flattened and joined into one vector (differentiable).  @example const v = nn.utils.parametersToVector(model.parameters()); */
export function parametersToVector(params: Params): Tensor {
  const ps = list("parametersToVector", params);
  if (ps.length === 0) throw new Error("parametersToVector: no parameters given");
  return cat(ps.map((p) => reshape(p, [-1])));
}

/** Copies consecutive slices of vec into the parameters (in place, so optimisers keep their references). */
export function vectorToParameters(vec: Tensor, params: Params): void {
  if (!(vec instanceof Tensor) || vec.ndim !== 1) throw new Error(`vectorToParameters: expected a 1-D tensor, got ${vec instanceof Tensor ? fmt(vec.shape) : typeof vec}`);
  const ps = list("vectorToParameters", params);
  const n = ps.reduce((a, p) => a + p.numel(), 0);
  if (n !== vec.shape[0]) throw new Error(`vectorToParameters: the vector has ${vec.shape[0]} elements but the parameters have ${n}`);
  noGrad(() => {
    let at = 0;
    for (const p of ps) {
      p.copy_(reshape(narrow(vec, 0, at, p.numel()), p.shape));
      at += p.numel();
    }
  });
}
