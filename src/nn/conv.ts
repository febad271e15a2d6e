// Convolutions of nn.functional: unfold/fold (im2col/col2im), conv1d, conv2d, convTranspose1d/2d.
// A convolution is im2col followed by one batched matmul (as Caffe; Chellapilla et al. 2006,
// "High Performance Convolutional Neural Networks for Document Processing"): the input gradient
// comes back through col2im (fold, the adjoint of unfold), the weight gradient through matmul.
// conv1d/conv2d run that as the backend kernels conv2d / conv2dBackwardInput / conv2dBackwardWeight
// (fused on the wasm backend: no im2col matrix ever leaves wasm memory); when a graph of the
// gradients is wanted (double backward) the gradients are built from the differentiable unfold,
// fold and matmul instead, which are linear and each other's adjoint, so gradients of gradients
// come for free.

import { B, type ConvGeometry } from "../backend/backend.js";
import { Tensor } from "../tensor/tensor.js";
import { attach, isGradEnabled } from "../tensor/autograd.js";
import { fmt } from "../tensor/shape.js";
import { defineOp } from "../ops/registry.js";
import { checkTensor, requireFloat, wrap } from "../ops/util.js";
import { add } from "../ops/elementwise.js";
import { matmul } from "../ops/linalg.js";
import { reshape, squeeze, transpose, unsqueeze } from "../ops/shape.js";
import { sum } from "../ops/reduce.js";
import { checkOptions } from "../tensor/options.js";

/** A size given as one number or one per spatial dim. */
export type Size2 = number | [number, number] | number[];
/** A 1-d size: a number or a one-element tuple. */
export type Size1 = number | [number] | number[];

/** Expands a number or tuple into `n` positive (or non-negative) integers; errors name the op. */
export function tuple(op: string, what: string, v: number | number[] | undefined, n: number, dflt: number, min = 1): number[] {
  const arr = v === undefined || v === null ? new Array<number>(n).fill(dflt) : typeof v === "number" ? new Array<number>(n).fill(v) : v;
  if (!Array.isArray(arr) || arr.length !== n || arr.some((k) => !Number.isInteger(k) || k < min))
    throw new Error(`${op}: ${what} must be an integer >= ${min} or a tuple of ${n} of them, got ${JSON.stringify(v)}`);
  return arr.slice();
}

// ---- unfold / fold: the two differentiable kernels every convolution is built on ------------------

/** x [N, C, H, W] -> cols [N, C*kh*kw, oh*ow]; d/dx is fold of the gradient. */
function im2col(x: Tensor, g: ConvGeometry): Tensor {
  const [N, C] = x.shape;
  const [kh, kw] = g.kernel, [oh, ow] = g.out;
  const out = wrap(B().im2col(x, g), [N, C * kh * kw, oh * ow], x.dtype);
  return attach(out, "unfold", [x], (gr) => [col2im(gr, g, x.shape[2], x.shape[3])]);
}

/** cols [N, C*kh*kw, oh*ow] -> [N, C, H, W] summing overlaps; d/dcols is unfold of the gradient. */
function col2im(cols: Tensor, g: ConvGeometry, H: number, W: number): Tensor {
  const [kh, kw] = g.kernel, [oh, ow] = g.out;
  const N = cols.shape[0], C = cols.shape[1] / (kh * kw);
  const view = reshape(cols.detach(), [N, C, kh, kw, oh, ow]);
  const out = wrap(B().col2im(view, g, H, W), [N, C, H, W], cols.dtype);
  return attach(out, "fold", [cols], (gr) => [im2col(gr, g)]);
}

/** Sliding positions along one dim: floor((n + padTotal - d(k-1) - 1) / s) + 1. */
function slots(n: number, padTotal: number, k: number, s: number, d: number): number {
  return Math.floor((n + padTotal - d * (k - 1) - 1) / s) + 1;
}

/** Options of F.unfold and F.fold. */
export interface UnfoldOptions {
  /** Spacing between kernel taps (default 1). */
  dilation?: Size2;
  /** Zero padding on both sides (default 0). */
  padding?: Size2;
  /** Step between windows (default 1). */
  stride?: Size2;
}
/** F.unfold/F.fold's options, in PyTorch's positional order. */
const UNFOLD_KEYS = ["dilation", "padding", "stride"] as const;

/** F.unfold(x [N, C, H, W], kernelSize, { dilation, padding, stride }) -> [N, C*kh*kw, L], as torch's im2col.
 *  @example F.unfold(dt.randn([1, 3, 8, 8]), 3, { padding: 1 }) // [1, 27, 64] */
export const unfold = defineOp("unfold", (x: Tensor, kernelSize: Size2, opts: UnfoldOptions = {}): Tensor => {
  checkTensor("unfold", x);
  opts = checkOptions("F.unfold", opts, UNFOLD_KEYS, 3);
  requireFloat("unfold", x);
  const batched = x.ndim === 4;
  if (x.ndim !== 4 && x.ndim !== 3) throw new Error(`unfold: expected a 3-d or 4-d input [N, C, H, W], got ${fmt(x.shape)}`);
  const xi = batched ? x : unsqueeze(x, 0);
  const k = tuple("unfold", "kernelSize", kernelSize, 2, 1), d = tuple("unfold", "dilation", opts.dilation, 2, 1);
  const p = tuple("unfold", "padding", opts.padding, 2, 0, 0), s = tuple("unfold", "stride", opts.stride, 2, 1);
  const out = [0, 1].map((i) => slots(xi.shape[2 + i], 2 * p[i], k[i], s[i], d[i]));
  if (out[0] < 1 || out[1] < 1)
    throw new Error(`unfold: input ${fmt(x.shape)} is too small for kernel ${fmt(k)} with padding ${fmt(p)} and dilation ${fmt(d)} (output would be ${fmt(out)})`);
  const y = im2col(xi, { kernel: [k[0], k[1]], stride: [s[0], s[1]], padding: [p[0], p[1]], dilation: [d[0], d[1]], out: [out[0], out[1]] });
  return batched ? y : squeeze(y, 0);
});

/** F.fold(cols [N, C*kh*kw, L], outputSize, kernelSize, { dilation, padding, stride }) -> [N, C, H, W]:
 *  sums the columns back into place (torch's col2im, the adjoint of unfold).
 *  @example F.fold(F.unfold(x, 2, { stride: 2 }), [8, 8], 2, { stride: 2 }) // x again */
export const fold = defineOp("fold", (cols: Tensor, outputSize: Size2, kernelSize: Size2, opts: UnfoldOptions = {}): Tensor => {
  checkTensor("fold", cols);
  opts = checkOptions("F.fold", opts, UNFOLD_KEYS, 4);
  requireFloat("fold", cols);
  const batched = cols.ndim === 3;
  if (cols.ndim !== 3 && cols.ndim !== 2) throw new Error(`fold: expected a 2-d or 3-d input [N, C*kh*kw, L], got ${fmt(cols.shape)}`);
  const ci = batched ? cols : unsqueeze(cols, 0);
  const os = tuple("fold", "outputSize", outputSize, 2, 1);
  const k = tuple("fold", "kernelSize", kernelSize, 2, 1), d = tuple("fold", "dilation", opts.dilation, 2, 1);
  const p = tuple("fold", "padding", opts.padding, 2, 0, 0), s = tuple("fold", "stride", opts.stride, 2, 1);
  const out = [0, 1].map((i) => slots(os[i], 2 * p[i], k[i], s[i], d[i]));
  if (ci.shape[1] % (k[0] * k[1]) !== 0)
    throw new Error(`fold: input ${fmt(cols.shape)}: expected dim 1 to be divisible by kernel size ${k[0]}*${k[1]} = ${k[0] * k[1]}`);
  if (out[0] < 1 || out[1] < 1 || ci.shape[2] !== out[0] * out[1])
    throw new Error(`fold: input ${fmt(cols.shape)}: expected ${Math.max(out[0], 0)}*${Math.max(out[1], 0)} = ${Math.max(out[0] * out[1], 0)} blocks for outputSize ${fmt(os)}, kernel ${fmt(k)}, padding ${fmt(p)}, stride ${fmt(s)}, dilation ${fmt(d)}, got ${ci.shape[2]}`);
  const y = col2im(ci, { kernel: [k[0], k[1]], stride: [s[0], s[1]], padding: [p[0], p[1]], dilation: [d[0], d[1]], out: [out[0], out[1]] }, os[0], os[1]);
  return batched ? y : squeeze(y, 0);
});

// ---- convolution ------------------------------------------------------------------------------------

/** Options of F.conv1d / F.conv2d (S: a size of one or two dims). */
export interface ConvOptions<S> {
  /** Step between windows (default 1). */
  stride?: S;
  /** Zero padding on both sides, or "valid" (none) or "same" (output size = input size; stride 1 only). Default 0. */
  padding?: S | "same" | "valid";
  /** Spacing between kernel taps (default 1). */
  dilation?: S;
  /** Blocked connections: input and output channels split into this many groups (default 1). */
  groups?: number;
}
/** F.conv1d/F.conv2d's options. */
const CONV_KEYS = ["stride", "padding", "dilation", "groups"] as const;
/** F.convTranspose1d/2d's options, in PyTorch's positional order. */
const CONV_TRANSPOSE_KEYS = ["stride", "padding", "outputPadding", "groups", "dilation"] as const;

/** The trailing options object of a convolution (a frozen {} when omitted), checked: PyTorch's positional
 *  stride, padding, ... (`F.conv2d(x, w, b, 2)`) or a misspelt key would otherwise be silently ignored,
 *  so they are refused with the option names. */
function convOptions<O extends object>(op: string, opts: O | null | undefined, keys: readonly string[]): O {
  return checkOptions(`F.${op}`, opts, keys, 4);
}

/** The checks shared by convolution and transposed convolution: tensors, float dtypes, ranks, groups. */
function checkConvArgs(op: string, nd: 1 | 2, x: Tensor, weight: Tensor, groups: number | undefined, weightLayout: string): { G: number; batched: boolean } {
  checkTensor(op, x);
  checkTensor(op, weight, "weight");
  requireFloat(op, x);
  requireFloat(op, weight);
  if (x.dtype !== weight.dtype) throw new Error(`${op}: input ${fmt(x.shape)} is ${x.dtype} but weight ${fmt(weight.shape)} is ${weight.dtype} (expected the same dtype)`);
  if (x.ndim !== nd + 2 && x.ndim !== nd + 1)
    throw new Error(`${op}: expected a ${nd + 1}-d (unbatched) or ${nd + 2}-d (batched) input, got ${fmt(x.shape)}`);
  if (weight.ndim !== nd + 2) throw new Error(`${op}: weight must be ${nd + 2}-d [${weightLayout}, ${nd === 2 ? "kh, kw" : "k"}], got ${fmt(weight.shape)}`);
  const G = groups ?? 1;
  if (!Number.isInteger(G) || G < 1) throw new Error(`${op}: groups must be a positive integer, got ${G}`);
  return { G, batched: x.ndim === nd + 2 };
}

/** The shared 2-d core: x [N, Cin, H, W], weight [Cout, Cin/groups, kh, kw]. */
function convNd(op: string, nd: 1 | 2, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvOptions<number | number[]>): Tensor {
  opts = convOptions(op, opts, CONV_KEYS);
  const { G, batched } = checkConvArgs(op, nd, x, weight, opts.groups, "out, in/groups");
  let xi = batched ? x : unsqueeze(x, 0);
  const Cin = xi.shape[1], Cout = weight.shape[0], Cg = weight.shape[1];
  if (Cin !== Cg * G)
    throw new Error(`${op}: input ${fmt(x.shape)} and weight ${fmt(weight.shape)}: expected input channels ${Cg} * groups ${G} = ${Cg * G}, got ${Cin}`);
  if (Cout % G !== 0) throw new Error(`${op}: weight ${fmt(weight.shape)}: out channels ${Cout} must be divisible by groups ${G}`);
  if (bias != null) {
    checkTensor(op, bias, "bias");
    if (bias.ndim !== 1 || bias.shape[0] !== Cout) throw new Error(`${op}: bias ${fmt(bias.shape)} must be [${Cout}] for weight ${fmt(weight.shape)}`);
  }
  let w = weight;
  if (nd === 1) {
    xi = unsqueeze(xi, 2); // [N, C, 1, L]
    w = unsqueeze(w, 2); // [Cout, Cg, 1, k]
  }
  const k = [w.shape[2], w.shape[3]];
  const s = nd === 1 ? [1, ...tuple(op, "stride", opts.stride, 1, 1)] : tuple(op, "stride", opts.stride, 2, 1);
  const d = nd === 1 ? [1, ...tuple(op, "dilation", opts.dilation, 1, 1)] : tuple(op, "dilation", opts.dilation, 2, 1);
  const H = xi.shape[2], W = xi.shape[3];
  let padLo: number[], padTotal: number[];
  if (opts.padding === "same") {
    if (s[0] !== 1 || s[1] !== 1) throw new Error(`${op}: padding "same" is not supported for strided convolutions (stride ${fmt(s.slice(2 - nd))})`);
    padTotal = [0, 1].map((i) => d[i] * (k[i] - 1));
    padLo = padTotal.map((t) => Math.floor(t / 2)); // the odd extra pad goes on the right, as PyTorch
  } else if (opts.padding === "valid") {
    padLo = [0, 0];
    padTotal = [0, 0];
  } else if (typeof opts.padding === "string") {
    throw new Error(`${op}: padding must be a number, a tuple, "same" or "valid", got "${opts.padding}"`);
  } else {
    const p = nd === 1 ? [0, ...tuple(op, "padding", opts.padding, 1, 0, 0)] : tuple(op, "padding", opts.padding, 2, 0, 0);
    padLo = p;
    padTotal = p.map((v) => 2 * v);
  }
  const out = [0, 1].map((i) => slots(i === 0 ? H : W, padTotal[i], k[i], s[i], d[i]));
  if (out[0] < 1 || out[1] < 1) {
    const eff = k.map((v, i) => d[i] * (v - 1) + 1).slice(2 - nd);
    throw new Error(`${op}: input ${fmt(x.shape)} (padded size ${fmt([H + padTotal[0], W + padTotal[1]].slice(2 - nd))}) is smaller than the dilated kernel ${fmt(eff)} of weight ${fmt(weight.shape)}`);
  }
  const geom: ConvGeometry = { kernel: [k[0], k[1]], stride: [s[0], s[1]], padding: [padLo[0], padLo[1]], dilation: [d[0], d[1]], out: [out[0], out[1]] };
  let y = convCore(xi, w, bias ?? null, geom, G); // [N, Cout, oh, ow]
  if (nd === 1) y = reshape(y, [xi.shape[0], Cout, out[1]]);
  return batched ? y : squeeze(y, 0);
}

/** The 2-d convolution of x [N, Cin, H, W] and w [Cout, Cg, kh, kw] (+ bias [Cout]) by the backend's
 *  conv2d kernel; its gradients come from conv2dBackwardInput / conv2dBackwardWeight, or, when a graph
 *  of the gradients is being built (double backward), from the differentiable im2col + matmul form. */
function convCore(x: Tensor, w: Tensor, bias: Tensor | null, geom: ConvGeometry, G: number): Tensor {
  const [N, , H, W] = x.shape, Cout = w.shape[0];
  const y = wrap(B().conv2d(x, w, bias, geom, G), [N, Cout, geom.out[0], geom.out[1]], x.dtype);
  const inputs = bias ? [x, w, bias] : [x, w];
  return attach(y, "conv2d", inputs, (g) => {
    if (isGradEnabled()) return convBackwardComposite(g, x, w, bias, geom, G);
    const gx = x.requiresGrad ? wrap(B().conv2dBackwardInput(g, w, geom, G, H, W), x.shape, g.dtype) : null;
    let gw: Tensor | null = null, gb: Tensor | null = null;
    if (w.requiresGrad || (bias !== null && bias.requiresGrad)) {
      const r = B().conv2dBackwardWeight(g, x, geom, G, bias !== null && bias.requiresGrad);
      gw = wrap(r.dweight, w.shape, g.dtype);
      if (bias !== null && bias.requiresGrad) gb = wrap(r.dbias, [Cout], g.dtype);
    }
    return bias ? [gx, gw, gb] : [gx, gw];
  });
}

/** conv2d's gradients built from differentiable ops (so they can be differentiated again). */
function convBackwardComposite(g: Tensor, x: Tensor, w: Tensor, bias: Tensor | null, geom: ConvGeometry, G: number): (Tensor | null)[] {
  const [N, Cin, H, W] = x.shape, Cout = w.shape[0];
  const CgK = w.shape[1] * geom.kernel[0] * geom.kernel[1], L = geom.out[0] * geom.out[1];
  const gr = reshape(g, [N, G, Cout / G, L]);
  const wr = reshape(w, [G, Cout / G, CgK]);
  const gx = x.requiresGrad ? col2im(reshape(matmul(transpose(wr, 1, 2), gr), [N, Cin * geom.kernel[0] * geom.kernel[1], L]), geom, H, W) : null;
  const gw = w.requiresGrad ? reshape(sum(matmul(gr, transpose(reshape(im2col(x, geom), [N, G, CgK, L]), 2, 3)), 0), w.shape) : null;
  const gb = bias !== null && bias.requiresGrad ? sum(g, [0, 2, 3]) : null;
  return bias ? [gx, gw, gb] : [gx, gw];
}

/** F.conv2d(x [N, Cin, H, W], weight [Cout, Cin/groups, kh, kw], bias? [Cout], { stride, padding, dilation, groups })
 *  -> [N, Cout, oh, ow] (cross-correlation, as torch). Unbatched [Cin, H, W] input gives [Cout, oh, ow].
 *  @example F.conv2d(dt.randn([1, 3, 8, 8]), dt.randn([4, 3, 3, 3]), null, { padding: 1 }) // [1, 4, 8, 8] */
export const conv2d = defineOp("conv2d", (x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions<Size2> = {}): Tensor =>
  convNd("conv2d", 2, x, weight, bias, opts),
);

/** F.conv1d(x [N, Cin, L], weight [Cout, Cin/groups, k], bias? [Cout], { stride, padding, dilation, groups }) -> [N, Cout, Lout].
 *  @example F.conv1d(dt.randn([2, 3, 16]), dt.randn([5, 3, 3])) // [2, 5, 14] */
export const conv1d = defineOp("conv1d", (x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvOptions<Size1> = {}): Tensor =>
  convNd("conv1d", 1, x, weight, bias, opts),
);

/** Options of F.convTranspose1d / F.convTranspose2d. */
export interface ConvTransposeOptions<S> {
  /** Step of the forward convolution this inverts (default 1). */
  stride?: S;
  /** Rows/columns removed from each side of the full output: dilation * (k - 1) - padding of zero padding (default 0). */
  padding?: S;
  /** Extra rows/columns added to one side of the output to pick among the sizes a strided conv maps from (default 0). */
  outputPadding?: S;
  /** Blocked connections (default 1). */
  groups?: number;
  /** Spacing between kernel taps (default 1). */
  dilation?: S;
}

/** The transposed convolution: x [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw] -> [N, Cout, Hout, Wout],
 *  Hout = (H - 1) s - 2p + d (k - 1) + outputPadding + 1. Computed as W^T @ x followed by fold (col2im). */
function convTransposeNd(op: string, nd: 1 | 2, x: Tensor, weight: Tensor, bias: Tensor | null | undefined, opts: ConvTransposeOptions<number | number[]>): Tensor {
  opts = convOptions(op, opts, CONV_TRANSPOSE_KEYS);
  const { G, batched } = checkConvArgs(op, nd, x, weight, opts.groups, "in, out/groups");
  let xi = batched ? x : unsqueeze(x, 0);
  const Cin = xi.shape[1], Cog = weight.shape[1], Cout = Cog * G;
  if (weight.shape[0] !== Cin)
    throw new Error(`${op}: input ${fmt(x.shape)} and weight ${fmt(weight.shape)}: expected input channels ${weight.shape[0]} (weight dim 0), got ${Cin}`);
  if (Cin % G !== 0) throw new Error(`${op}: input channels ${Cin} must be divisible by groups ${G} (weight ${fmt(weight.shape)})`);
  if (bias != null) {
    checkTensor(op, bias, "bias");
    if (bias.ndim !== 1 || bias.shape[0] !== Cout) throw new Error(`${op}: bias ${fmt(bias.shape)} must be [${Cout}] for weight ${fmt(weight.shape)} and groups ${G}`);
  }
  let w = weight;
  if (nd === 1) {
    xi = unsqueeze(xi, 2);
    w = unsqueeze(w, 2);
  }
  const t = (what: string, v: number | number[] | undefined, dflt: number, min: number) =>
    nd === 1 ? [what === "stride" || what === "dilation" ? 1 : 0, ...tuple(op, what, v, 1, dflt, min)] : tuple(op, what, v, 2, dflt, min);
  const s = t("stride", opts.stride, 1, 1), d = t("dilation", opts.dilation, 1, 1);
  const p = t("padding", opts.padding, 0, 0), op_ = t("outputPadding", opts.outputPadding, 0, 0);
  for (let i = 2 - nd; i < 2; i++)
    if (op_[i] >= s[i] && op_[i] >= d[i])
      throw new Error(`${op}: outputPadding ${fmt(op_.slice(2 - nd))} must be smaller than either stride ${fmt(s.slice(2 - nd))} or dilation ${fmt(d.slice(2 - nd))}`);
  const k = [w.shape[2], w.shape[3]];
  const H = xi.shape[2], W = xi.shape[3];
  const outH = (H - 1) * s[0] - 2 * p[0] + d[0] * (k[0] - 1) + op_[0] + 1;
  const outW = (W - 1) * s[1] - 2 * p[1] + d[1] * (k[1] - 1) + op_[1] + 1;
  if (outH < 1 || outW < 1) throw new Error(`${op}: input ${fmt(x.shape)} with weight ${fmt(weight.shape)} and padding ${fmt(p.slice(2 - nd))} gives an empty output ${fmt([outH, outW].slice(2 - nd))}`);
  const N = xi.shape[0], K = k[0] * k[1], Cig = Cin / G;
  // cols [N, G, Cog*K, H*W] = W_g^T [G, Cog*K, Cig] @ x [N, G, Cig, H*W]
  const wt = transpose(reshape(w, [G, Cig, Cog * K]), 1, 2);
  const cols = reshape(matmul(wt, reshape(xi, [N, G, Cig, H * W])), [N, Cout * K, H * W]);
  let y = col2im(cols, { kernel: [k[0], k[1]], stride: [s[0], s[1]], padding: [p[0], p[1]], dilation: [d[0], d[1]], out: [H, W] }, outH, outW);
  if (nd === 1) y = reshape(y, [N, Cout, outW]);
  if (bias != null) y = add(y, reshape(bias, nd === 2 ? [Cout, 1, 1] : [Cout, 1]));
  return batched ? y : squeeze(y, 0);
}

/** F.convTranspose2d(x [N, Cin, H, W], weight [Cin, Cout/groups, kh, kw], bias? [Cout], { stride, padding, outputPadding, groups, dilation }).
 *  @example F.convTranspose2d(dt.randn([1, 4, 4, 4]), dt.randn([4, 2, 3, 3]), null, { stride: 2, padding: 1, outputPadding: 1 }) // [1, 2, 8, 8] */
export const convTranspose2d = defineOp(
  "convTranspose2d",
  (x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions<Size2> = {}): Tensor => convTransposeNd("convTranspose2d", 2, x, weight, bias, opts),
);

/** F.convTranspose1d(x [N, Cin, L], weight [Cin, Cout/groups, k], bias? [Cout], { stride, padding, outputPadding, groups, dilation }). */
export const convTranspose1d = defineOp(
  "convTranspose1d",
  (x: Tensor, weight: Tensor, bias?: Tensor | null, opts: ConvTransposeOptions<Size1> = {}): Tensor => convTransposeNd("convTranspose1d", 1, x, weight, bias, opts),
);
