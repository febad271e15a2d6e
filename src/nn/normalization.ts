// Normalisation of nn.functional: batchNorm (Ioffe & Szegedy 2015), layerNorm (Ba et al. 2016),
// groupNorm (Wu & He 2018). Each is y = (x - mean) / sqrt(var + eps) * weight + bias with the
// statistics taken over different dims. Forward and first backward are fused backend kernels
// (layerNorm rows, batchNorm channels); under createGraph the backward is rebuilt from
// differentiable ops, so gradients of gradients stay exact.

import { Tensor } from "../tensor/tensor.js";
import { B } from "../backend/backend.js";
import { attach, isGradEnabled, noGrad } from "../tensor/autograd.js";
import { fmt } from "../tensor/shape.js";
import { defineOp } from "../ops/registry.js";
import { checkTensor, requireFloat, wrap } from "../ops/util.js";
import { add, mul, rsqrt, sub } from "../ops/elementwise.js";
import { mean, sum } from "../ops/reduce.js";
import { reshape } from "../ops/shape.js";
import { checkBool, checkOptions } from "../tensor/options.js";

const BATCH_NORM_KEYS = ["training", "momentum", "eps"] as const;
const EPS_KEYS = ["eps"] as const;

/** Each row of x [M, D] normalised by the fused kernel, times weight [D] plus bias [D] when given.
 *  dx = rstd (gw - mean gw - xhat mean(gw xhat)) with gw = g weight, dweight = sum_rows g xhat,
 *  dbias = sum_rows g; under createGraph the same formulas are rebuilt from differentiable ops on x,
 *  so they can be differentiated again. */
function normalizeRows(x: Tensor, eps: number, weight: Tensor | null = null, bias: Tensor | null = null): Tensor {
  const [M, D] = x.shape;
  const r = B().layerNorm(x, weight, bias, eps);
  const y = wrap(r.y, [M, D], x.dtype);
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return attach(y, "layerNorm", inputs, (g) => {
    let gx: Tensor, gw: Tensor | null = null, gb: Tensor | null = null;
    if (!isGradEnabled()) {
      const k = B().layerNormBackward(g, x, wrap(r.mean, [M], x.dtype), wrap(r.rstd, [M], x.dtype), weight);
      gx = wrap(k.dx, [M, D], g.dtype);
      gw = wrap(k.dweight, [D], g.dtype);
      gb = wrap(k.dbias, [D], g.dtype);
    } else {
      const xc = sub(x, mean(x, 1, true));
      const rs = rsqrt(add(mean(mul(xc, xc), 1, true), eps));
      const xhat = mul(xc, rs);
      const gg = weight ? mul(g, weight) : g;
      gx = mul(rs, sub(sub(gg, mean(gg, 1, true)), mul(xhat, mean(mul(gg, xhat), 1, true))));
      if (weight?.requiresGrad) gw = sum(mul(g, xhat), 0);
      if (bias?.requiresGrad) gb = sum(g, 0);
    }
    return [gx, ...(weight ? [gw] : []), ...(bias ? [gb] : [])];
  });
}

/** x * weight + bias with weight and bias of `shape` (either may be absent). */
function affine(y: Tensor, weight: Tensor | null | undefined, bias: Tensor | null | undefined, shape: number[]): Tensor {
  let out = y;
  if (weight != null) out = mul(out, reshape(weight, shape));
  if (bias != null) out = add(out, reshape(bias, shape));
  return out;
}

function checkParam(op: string, t: Tensor | null | undefined, what: string, shape: number[], x: Tensor): void {
  if (t == null) return;
  checkTensor(op, t, what);
  if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i]))
    throw new Error(`${op}: ${what} ${fmt(t.shape)} must have shape ${fmt(shape)} for input ${fmt(x.shape)}`);
}

/** Options of F.batchNorm. */
export interface BatchNormOptions {
  /** Use the batch statistics and update the running ones (default false: use the running ones). */
  training?: boolean;
  /** Weight of the new batch statistics in the running averages (default 0.1). */
  momentum?: number;
  /** Added to the variance before the square root (default 1e-5). */
  eps?: number;
}

/** F.batchNorm(x [N, C, ...], runningMean [C], runningVar [C], weight? [C], bias? [C], { training = false, momentum = 0.1, eps = 1e-5 }).
 *  In training the batch statistics normalise x and the running ones are updated in place:
 *  running = (1 - momentum) running + momentum batch (the variance unbiased), as torch.
 *  @example F.batchNorm(x, rm, rv, null, null, { training: true }) */
export const batchNorm = defineOp(
  "batchNorm",
  (x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight?: Tensor | null, bias?: Tensor | null, opts: BatchNormOptions = {}): Tensor => {
    const op = "batchNorm";
    checkTensor(op, x);
    requireFloat(op, x);
    if (x.ndim < 2) throw new Error(`batchNorm: expected an input [N, C, ...] with at least 2 dims, got ${fmt(x.shape)}`);
    const C = x.shape[1];
    checkParam(op, runningMean, "runningMean", [C], x);
    checkParam(op, runningVar, "runningVar", [C], x);
    checkParam(op, weight, "weight", [C], x);
    checkParam(op, bias, "bias", [C], x);
    opts = checkOptions("F.batchNorm", opts, BATCH_NORM_KEYS, 6);
    checkBool("F.batchNorm", "training", opts.training);
    const training = opts.training ?? false, momentum = opts.momentum ?? 0.1, eps = opts.eps ?? 1e-5;
    const N = x.shape[0], S = x.numel() / Math.max(N * C, 1);
    if (training && N * S <= 1) throw new Error(`batchNorm: expected more than 1 value per channel when training, got input ${fmt(x.shape)}`);
    if (!training && (runningMean == null || runningVar == null))
      throw new Error(`batchNorm: runningMean and runningVar are required when not training (input ${fmt(x.shape)})`);
    const x3 = reshape(x, [N, C, S]);
    const r = B().batchNorm(x3, training ? null : { mean: runningMean!, var: runningVar! }, weight ?? null, bias ?? null, eps);
    if (training)
      noGrad(() => {
        const n = N * S;
        if (runningMean != null) runningMean.copy_(add(mul(runningMean, 1 - momentum), mul(wrap(r.mean, [C], x.dtype), momentum)));
        if (runningVar != null) runningVar.copy_(add(mul(runningVar, 1 - momentum), mul(wrap(r.var, [C], x.dtype), (momentum * n) / (n - 1))));
      });
    const y = wrap(r.y, [N, C, S], x.dtype);
    const inputs = [x3, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
    // d/dx with batch statistics: rstd (gw - mean gw - xhat mean(gw xhat)), gw = g weight; with running ones: rstd gw.
    // dweight = sum g xhat, dbias = sum g (sums over N and S).
    attach(y, "batchNorm", inputs, (g) => {
      let gx: Tensor, gw: Tensor | null = null, gb: Tensor | null = null;
      if (!isGradEnabled()) {
        const k = B().batchNormBackward(g, x3, wrap(r.mean, [C], x.dtype), wrap(r.var, [C], x.dtype), weight ?? null, eps, training);
        gx = wrap(k.dx, [N, C, S], g.dtype);
        gw = wrap(k.dweight, [C], g.dtype);
        gb = wrap(k.dbias, [C], g.dtype);
      } else {
        // the same formulas from differentiable ops, so they can be differentiated again
        const axes = [0, 2];
        let xc: Tensor, rs: Tensor;
        if (training) {
          xc = sub(x3, mean(x3, axes, true));
          rs = rsqrt(add(mean(mul(xc, xc), axes, true), eps));
        } else {
          xc = sub(x3, reshape(runningMean!.to(x.dtype), [C, 1]));
          rs = reshape(rsqrt(add(runningVar!.to(x.dtype), eps)), [C, 1]);
        }
        const xhat = mul(xc, rs);
        const gg = weight ? mul(g, reshape(weight, [C, 1])) : g;
        gx = training ? mul(rs, sub(sub(gg, mean(gg, axes, true)), mul(xhat, mean(mul(gg, xhat), axes, true)))) : mul(gg, rs);
        if (weight?.requiresGrad) gw = sum(mul(g, xhat), axes);
        if (bias?.requiresGrad) gb = sum(g, axes);
      }
      return [gx, ...(weight ? [gw] : []), ...(bias ? [gb] : [])];
    });
    return reshape(y, x.shape);
  },
);

/** F.layerNorm(x [..., *normalizedShape], normalizedShape, weight?, bias?, { eps = 1e-5 }): normalises over the last dims.
 *  @example F.layerNorm(dt.randn([2, 5, 8]), [8]) */
export const layerNorm = defineOp(
  "layerNorm",
  (x: Tensor, normalizedShape: number | number[], weight?: Tensor | null, bias?: Tensor | null, opts: { eps?: number } = {}): Tensor => {
    const op = "layerNorm";
    checkTensor(op, x);
    opts = checkOptions("F.layerNorm", opts, EPS_KEYS, 5);
    requireFloat(op, x);
    const ns = typeof normalizedShape === "number" ? [normalizedShape] : normalizedShape;
    const k = ns.length;
    if (!Array.isArray(ns) || k === 0 || k > x.ndim || ns.some((s, i) => s !== x.shape[x.ndim - k + i]))
      throw new Error(`layerNorm: input ${fmt(x.shape)} does not end with normalizedShape ${JSON.stringify(normalizedShape)} (expected input shape [*, ${ns.join(", ")}])`);
    checkParam(op, weight, "weight", ns, x);
    checkParam(op, bias, "bias", ns, x);
    const D = ns.reduce((a, b) => a * b, 1);
    const w = weight == null ? null : reshape(weight, [D]), b = bias == null ? null : reshape(bias, [D]);
    return reshape(normalizeRows(reshape(x, [-1, D]), opts.eps ?? 1e-5, w, b), x.shape);
  },
);

/** F.groupNorm(x [N, C, ...], numGroups, weight? [C], bias? [C], { eps = 1e-5 }): normalises over each group of C / numGroups channels.
 *  @example F.groupNorm(dt.randn([2, 6, 4, 4]), 3) */
export const groupNorm = defineOp(
  "groupNorm",
  (x: Tensor, numGroups: number, weight?: Tensor | null, bias?: Tensor | null, opts: { eps?: number } = {}): Tensor => {
    const op = "groupNorm";
    checkTensor(op, x);
    opts = checkOptions("F.groupNorm", opts, EPS_KEYS, 5);
    requireFloat(op, x);
    if (x.ndim < 2) throw new Error(`groupNorm: expected an input [N, C, ...] with at least 2 dims, got ${fmt(x.shape)}`);
    const [N, C] = x.shape;
    if (!Number.isInteger(numGroups) || numGroups < 1 || C % numGroups !== 0)
      throw new Error(`groupNorm: input ${fmt(x.shape)}: expected the number of channels ${C} to be divisible by numGroups ${numGroups}`);
    checkParam(op, weight, "weight", [C], x);
    checkParam(op, bias, "bias", [C], x);
    const y = reshape(normalizeRows(reshape(x, [N * numGroups, -1]), opts.eps ?? 1e-5), x.shape);
    return affine(y, weight, bias, x.shape.map((s, i) => (i === 1 ? s : 1)));
  },
);
