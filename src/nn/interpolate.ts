// F.interpolate (torch.nn.functional.interpolate) for 3-D [N, C, W] and 4-D [N, C, H, W] inputs:
// modes "nearest", "nearest-exact", "linear" (3-D), "bilinear" (4-D), "bicubic" (4-D).
// Each spatial axis gets a table of source taps (index, weight) per output position, following
// aten/src/ATen/native/UpSample.h and UpSampleKernel.cpp (area_pixel_compute_scale / _source_index,
// the nearest helpers, the cubic coefficients with A = -0.75); the kernel then loops over the output once. The op is linear in x:
// its backward scatter-adds g through the same taps, and the backward of that is the forward again,
// so gradients of any order exist.

import { Tensor } from "../tensor/tensor.js";
import { attach } from "../tensor/autograd.js";
import { alloc } from "../tensor/dtype.js";
import { fmt } from "../tensor/shape.js";
import { defineOp } from "../ops/registry.js";
import { checkTensor, requireFloat } from "../ops/util.js";
import { checkOptions } from "../tensor/options.js";

const INTERPOLATE_KEYS = ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"] as const;

/** F.interpolate's modes: "linear" takes [N, C, W] inputs, "bilinear" and "bicubic" [N, C, H, W], the nearest
 *  modes either ("nearest": source pixel floor(o * in / out), as PyTorch; "nearest-exact": the one under o's centre). */
export type InterpolateMode = "nearest" | "nearest-exact" | "linear" | "bilinear" | "bicubic";

/** Options of F.interpolate (PyTorch's keyword arguments). */
export interface InterpolateOptions {
  /** Output spatial size (a number for every spatial dim, or one per dim). Give this or scaleFactor. */
  size?: number | number[] | null;
  /** Multiplier of the spatial size (output = floor(input * scaleFactor)). */
  scaleFactor?: number | number[] | null;
  /** How output pixels are sampled (default "nearest"). */
  mode?: InterpolateMode;
  /** Linear/bicubic modes: align the corner pixels' centres (default false). */
  alignCorners?: boolean | null;
  /** Use the scale implied by the output size (input / output) instead of 1 / scaleFactor in the coordinate
   *  mapping (default false, as PyTorch). */
  recomputeScaleFactor?: boolean | null;
}

/** Source taps of one axis: for output position o, taps idx[o * T + t] with weights w[o * T + t]. */
interface Axis {
  inSize: number;
  outSize: number;
  T: number;
  idx: Int32Array;
  w: Float64Array;
}

/** area_pixel_compute_scale (UpSample.h). */
function pixelScale(inSize: number, outSize: number, alignCorners: boolean, scale: number | null): number {
  if (alignCorners) return outSize > 1 ? (inSize - 1) / (outSize - 1) : 0;
  return scale !== null && scale > 0 ? 1 / scale : inSize / outSize;
}

/** area_pixel_compute_source_index (UpSample.h). */
function sourceIndex(scale: number, dst: number, alignCorners: boolean, cubic: boolean): number {
  if (alignCorners) return scale * dst;
  const src = scale * (dst + 0.5) - 0.5;
  return !cubic && src < 0 ? 0 : src;
}

function cubic1(x: number, A: number): number {
  return ((A + 2) * x - (A + 3)) * x * x + 1;
}
function cubic2(x: number, A: number): number {
  return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
}

function axisTable(mode: InterpolateMode, inSize: number, outSize: number, alignCorners: boolean, scale: number | null, f32 = false): Axis {
  if (mode === "nearest" || mode === "nearest-exact") {
    // HelperInterpNearest(Exact) of UpSampleKernel.cpp: floor(o * s) / floor(s (o + 0.5)), s = 1 / scale or
    // in / out, in the input's precision (float32 arithmetic for float32 inputs)
    const r = f32 ? Math.fround : (v: number) => v;
    const idx = new Int32Array(outSize), w = new Float64Array(outSize).fill(1);
    const s = r(scale !== null && scale > 0 ? 1 / scale : inSize / outSize);
    for (let o = 0; o < outSize; o++) {
      let src: number;
      if (mode === "nearest") src = r(o * s);
      else {
        const real = r(r(s * r(o + 0.5)) - 0.5);
        src = r((real < 0 ? 0 : real) + 0.5);
      }
      idx[o] = Math.min(Math.floor(src), inSize - 1);
    }
    return { inSize, outSize, T: 1, idx, w };
  }
  if (mode === "bicubic") {
    const T = 4, idx = new Int32Array(outSize * T), w = new Float64Array(outSize * T);
    const sc = pixelScale(inSize, outSize, alignCorners, scale);
    for (let o = 0; o < outSize; o++) {
      const real = sourceIndex(sc, o, alignCorners, true);
      const i0 = Math.floor(real), t = real - i0, A = -0.75;
      const c = [cubic2(t + 1, A), cubic1(t, A), cubic1(1 - t, A), cubic2(2 - t, A)];
      for (let k = 0; k < 4; k++) {
        idx[o * T + k] = Math.min(Math.max(i0 - 1 + k, 0), inSize - 1);
        w[o * T + k] = c[k];
      }
    }
    return { inSize, outSize, T, idx, w };
  }
  // linear: two taps, ATen's compute_source_index_and_lambda (a copy when the sizes agree)
  const T = 2, idx = new Int32Array(outSize * T), w = new Float64Array(outSize * T);
  const sc = pixelScale(inSize, outSize, alignCorners, scale);
  for (let o = 0; o < outSize; o++) {
    if (outSize === inSize) {
      idx[o * T] = idx[o * T + 1] = o;
      w[o * T] = 1;
      continue;
    }
    const real = sourceIndex(sc, o, alignCorners, false);
    const i0 = Math.floor(real);
    const i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
    const l1 = Math.min(Math.max(real - i0, 0), 1);
    idx[o * T] = i0;
    idx[o * T + 1] = i1;
    w[o * T] = 1 - l1;
    w[o * T + 1] = l1;
  }
  return { inSize, outSize, T, idx, w };
}

/** out[p, oh, ow] = sum_taps wh wx x[p, ih, iw] over planes p (N*C of them); x contiguous. */
function forwardKernel(x: ArrayLike<number>, planes: number, H: Axis, W: Axis, out: { [i: number]: number }): void {
  const inPlane = H.inSize * W.inSize, outPlane = H.outSize * W.outSize;
  for (let p = 0; p < planes; p++) {
    const xo = p * inPlane, oo = p * outPlane;
    for (let oh = 0; oh < H.outSize; oh++) {
      for (let ow = 0; ow < W.outSize; ow++) {
        let acc = 0;
        for (let a = 0; a < H.T; a++) {
          const wh = H.w[oh * H.T + a];
          if (wh === 0) continue;
          const row = xo + H.idx[oh * H.T + a] * W.inSize;
          for (let b = 0; b < W.T; b++) acc += wh * W.w[ow * W.T + b] * x[row + W.idx[ow * W.T + b]];
        }
        out[oo + oh * W.outSize + ow] = acc;
      }
    }
  }
}

/** The adjoint: gx[p, ih, iw] += wh wx g[p, oh, ow]. */
function backwardKernel(g: ArrayLike<number>, planes: number, H: Axis, W: Axis, gx: Float64Array): void {
  const inPlane = H.inSize * W.inSize, outPlane = H.outSize * W.outSize;
  for (let p = 0; p < planes; p++) {
    const xo = p * inPlane, oo = p * outPlane;
    for (let oh = 0; oh < H.outSize; oh++) {
      for (let ow = 0; ow < W.outSize; ow++) {
        const gv = g[oo + oh * W.outSize + ow];
        if (gv === 0) continue;
        for (let a = 0; a < H.T; a++) {
          const wh = H.w[oh * H.T + a] * gv;
          if (wh === 0) continue;
          const row = xo + H.idx[oh * H.T + a] * W.inSize;
          for (let b = 0; b < W.T; b++) gx[row + W.idx[ow * W.T + b]] += wh * W.w[ow * W.T + b];
        }
      }
    }
  }
}

interface Plan {
  lead: number[];
  planes: number;
  H: Axis;
  W: Axis;
  inShape: number[];
  outShape: number[];
}

function applyForward(x: Tensor, plan: Plan): Tensor {
  const xv = x.dataSync();
  const out = alloc(x.dtype, plan.planes * plan.H.outSize * plan.W.outSize);
  forwardKernel(xv, plan.planes, plan.H, plan.W, out);
  const y = new Tensor(out, plan.outShape.slice(), x.dtype);
  return attach(y, "interpolate", [x], (g) => [applyBackward(g, plan)]);
}

function applyBackward(g: Tensor, plan: Plan): Tensor {
  const gv = g.dataSync();
  const acc = new Float64Array(plan.planes * plan.H.inSize * plan.W.inSize);
  backwardKernel(gv, plan.planes, plan.H, plan.W, acc);
  const data = alloc(g.dtype, acc.length);
  for (let i = 0; i < acc.length; i++) data[i] = acc[i];
  const gx = new Tensor(data, plan.inShape.slice(), g.dtype);
  return attach(gx, "interpolateBackward", [g], (gg) => [applyForward(gg, plan)]);
}

function perDim(op: string, v: number | number[], n: number, what: string): number[] {
  const a = typeof v === "number" ? new Array<number>(n).fill(v) : v.slice();
  if (a.length !== n || a.some((s) => typeof s !== "number" || !Number.isFinite(s)))
    throw new Error(`${op}: ${what} must be a number or ${n} number${n === 1 ? "" : "s"} (one per spatial dim), got ${JSON.stringify(v)}`);
  return a;
}

/** interpolate(x, { size, scaleFactor, mode = "nearest", alignCorners = false, recomputeScaleFactor = false }),
 *  as torch.nn.functional.interpolate, for [N, C, W] ("nearest", "nearest-exact", "linear") and
 *  [N, C, H, W] ("nearest", "nearest-exact", "bilinear", "bicubic") inputs. With scaleFactor the output
 *  size is floor(input * scaleFactor) and, as PyTorch, the coordinate mapping uses 1 / scaleFactor
 *  (unless recomputeScaleFactor). Differentiable; the backward scatter-adds through the same weights.
 *  @example F.interpolate(x, { scaleFactor: 2, mode: "bilinear", alignCorners: false }) */
export const interpolate = defineOp("interpolate", (x: Tensor, opts: InterpolateOptions = {}): Tensor => {
  const op = "interpolate";
  checkTensor(op, x);
  requireFloat(op, x);
  const o = checkOptions("F.interpolate", opts, INTERPOLATE_KEYS, 2);
  const mode = o.mode ?? "nearest";
  if (!["nearest", "nearest-exact", "linear", "bilinear", "bicubic"].includes(mode))
    throw new Error(`${op}: unknown mode ${JSON.stringify(mode)} (expected "nearest", "nearest-exact", "linear", "bilinear" or "bicubic")`);
  if (x.ndim !== 3 && x.ndim !== 4) throw new Error(`${op}: expected a 3-d [N, C, W] or 4-d [N, C, H, W] input, got ${fmt(x.shape)}`);
  const nsp = x.ndim - 2;
  if (mode === "linear" && x.ndim !== 3) throw new Error(`${op}: mode "linear" needs a 3-d input [N, C, W], got ${fmt(x.shape)}`);
  if ((mode === "bilinear" || mode === "bicubic") && x.ndim !== 4) throw new Error(`${op}: mode "${mode}" needs a 4-d input [N, C, H, W], got ${fmt(x.shape)}`);
  const linearish = mode === "linear" || mode === "bilinear" || mode === "bicubic";
  if (!linearish && o.alignCorners !== undefined && o.alignCorners !== null)
    throw new Error(`${op}: alignCorners can only be set with the interpolating modes "linear", "bilinear" and "bicubic" (mode is "${mode}")`);
  const alignCorners = !!o.alignCorners;
  const hasSize = o.size !== undefined && o.size !== null, hasScale = o.scaleFactor !== undefined && o.scaleFactor !== null;
  if (hasSize === hasScale) throw new Error(`${op}: give exactly one of size and scaleFactor (input ${fmt(x.shape)})`);
  const inSp = x.shape.slice(2);
  let outSp: number[], scales: (number | null)[];
  if (hasSize) {
    outSp = perDim(op, o.size!, nsp, "size");
    if (outSp.some((s) => !Number.isInteger(s) || s <= 0)) throw new Error(`${op}: size must hold positive integers, got ${JSON.stringify(o.size)} (input ${fmt(x.shape)})`);
    scales = outSp.map(() => null);
  } else {
    const sf = perDim(op, o.scaleFactor!, nsp, "scaleFactor");
    if (sf.some((s) => !(s > 0))) throw new Error(`${op}: scaleFactor must be positive, got ${JSON.stringify(o.scaleFactor)}`);
    outSp = inSp.map((n, i) => Math.floor(n * sf[i]));
    if (outSp.some((s) => s <= 0)) throw new Error(`${op}: scaleFactor ${JSON.stringify(o.scaleFactor)} gives an empty output for input ${fmt(x.shape)}`);
    scales = o.recomputeScaleFactor ? sf.map(() => null) : sf;
  }
  if (inSp.some((s) => s === 0) || x.shape[1] === 0) throw new Error(`${op}: input ${fmt(x.shape)} has an empty dim`);
  const f32 = x.dtype === "float32";
  const H = nsp === 2 ? axisTable(mode, inSp[0], outSp[0], alignCorners, scales[0], f32) : axisTable("nearest", 1, 1, false, null);
  const W = axisTable(mode, inSp[nsp - 1], outSp[nsp - 1], alignCorners, scales[nsp - 1], f32);
  const plan: Plan = { lead: x.shape.slice(0, 2), planes: x.shape[0] * x.shape[1], H, W, inShape: x.shape.slice(), outShape: [...x.shape.slice(0, 2), ...outSp] };
  return applyForward(x, plan);
});
