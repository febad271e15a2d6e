// The small backend interface: about a dozen kernels over strided views. Every op of the
// API is built in src/ops from these; a new backend implements this table (or forwards
// parts of it to the reference backend) and passes test/conformance.test.ts.

import type { DType, TypedArray } from "../tensor/dtype.js";

/** What a kernel reads: storage seen through shape, strides (elements, may be 0) and offset. */
export interface View {
  /** The elements. */
  storage: TypedArray;
  /** The size of each dim. */
  shape: number[];
  /** Elements to step per dim (0 for a broadcast dim). */
  strides: number[];
  /** Index of the first element in storage. */
  offset: number;
  /** The element type. */
  dtype: DType;
}

/** Elementwise ops of one input. p0/p1 are the scalar parameters of the parametrised ones. */
export const UNARY_OPS = [
  "copy", "neg", "abs", "sign", "exp", "log", "log1p", "expm1", "sqrt", "rsqrt", "square",
  "sin", "cos", "tanh", "sigmoid", "floor", "ceil", "round", "reciprocal", "erf",
  "relu", "logicalNot", "isnan", "isfinite",
  "clamp", // p0 = min (or -Infinity), p1 = max (or Infinity)
  "leakyRelu", // p0 = negative slope
  "elu", // p0 = alpha
  "softplus", // p0 = beta, p1 = threshold
  "gelu", // x Phi(x) = 0.5 x (1 + erf(x / sqrt 2))
  "geluTanh", // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = [
  "add", "sub", "mul", "div", "pow", "maximum", "minimum",
  "eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr",
  "reluBackward", // a = gradient, b = relu's input: b <= 0 ? 0 : a (PyTorch's threshold_backward)
  "geluBackward", // a = gradient, b = gelu's input: a gelu'(b)
  "geluTanhBackward", // a = gradient, b = the input of gelu (approximate "tanh"): a geluTanh'(b)
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export const REDUCE_OPS = ["sum", "prod", "max", "min", "argmax", "argmin", "any", "all"] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

/** The kernels a backend provides (dt.registerBackend); every op of the API is built on them. */
export interface Backend {
  /** The name dt.setBackend selects it by. */
  readonly name: string;
  /** out[i] = op(x[i]); out is contiguous with x's shape. */
  unary(op: UnaryOp, x: View, outDtype: DType, p0?: number, p1?: number): TypedArray;
  /** out[i] = op(a[i], b[i]); a and b already have the output's shape (broadcast dims have stride 0). */
  binary(op: BinaryOp, a: View, b: View, outDtype: DType): TypedArray;
  /** out[i] = cond[i] ? a[i] : b[i]; all three have the output's shape. */
  where(cond: View, a: View, b: View, outDtype: DType): TypedArray;
  /** Reduces over `axes` (sorted); the result has x's shape without them. arg ops get one axis. */
  reduce(op: ReduceOp, x: View, axes: number[], outDtype: DType): TypedArray;
  /** Batched a[..., M, K] @ b[..., K, N]; batch dims already equal (stride 0 where broadcast). With bias (a view of
   *  the output's shape [..., M, N], usually a row broadcast), bias + a @ b (addmm: linear in one kernel). */
  matmul(a: View, b: View, outDtype: DType, bias?: View): TypedArray;
  /** Inclusive cumulative sum along one axis. */
  cumsum(x: View, axis: number, outDtype: DType): TypedArray;
  /** out[...i...] = x[... index[...i...] (at axis) ...]; out has index's shape. */
  gather(x: View, axis: number, index: View): TypedArray;
  /** A copy of dst with src written (or added) at index positions along axis. */
  scatter(dst: View, axis: number, index: View, src: View, mode: "set" | "add"): TypedArray;
  /** Strided copy: dst[i] = src[i], both of the same shape (dst may be a view of a bigger buffer). */
  copy(src: View, dst: View): void;
  /** Softmax (or, with log, logSoftmax) of x along its last dim: exp(x - max) / sum exp(x - max), in one pass per row;
   *  contiguous out of x's shape. */
  softmax(x: View, log: boolean, outDtype: DType): TypedArray;
  /** Gradient of softmax along the last dim from its output y: y (g - sum(g y)); with log, g - exp(y) sum(g). */
  softmaxBackward(g: View, y: View, log: boolean, outDtype: DType): TypedArray;
  /** In-place accumulation dst[i] += alpha * src[i] (alpha defaults to 1; same shape and dtype; dst may be
   *  strided, src may broadcast; dst and src must not be different views of overlapping storage):
   *  gradient accumulation and add_/sub_ without a new buffer. */
  addInto(dst: View, src: View, alpha?: number): void;
  /** Unfold (im2col): x [N, C, H, W] -> contiguous [N, C, kh, kw, oh, ow] with
   *  out[n,c,i,j,y,x] = x[n, c, y*sh - ph + i*dh, x*sw - pw + j*dw] (0 outside the input). */
  im2col(x: View, geom: ConvGeometry): TypedArray;
  /** Fold (col2im), the adjoint of im2col: col [N, C, kh, kw, oh, ow] -> contiguous [N, C, H, W], overlaps summed. */
  col2im(col: View, geom: ConvGeometry, inH: number, inW: number): TypedArray;
  /** Max over each window of x [N, C, H, W] -> values [N, C, oh, ow] and the flat index (h*W + w) of each max. NaN wins. */
  maxPool2d(x: View, win: PoolWindows): { values: TypedArray; indices: Int32Array };
  /** Sum over each window of x [N, C, H, W] divided by win.divisor -> [N, C, oh, ow]. */
  avgPool2d(x: View, win: PoolWindows): TypedArray;
  /** The adjoint of avgPool2d: g [N, C, oh, ow] spread back over the windows -> [N, C, inH, inW]. */
  avgPool2dBackward(g: View, win: PoolWindows, inH: number, inW: number): TypedArray;
  /** Convolution x [N, Cin, H, W] * weight [Cout, Cin/groups, kh, kw] (+ bias [Cout]) -> contiguous
   *  [N, Cout, oh, ow] (cross-correlation, as torch; geom.out gives oh, ow). */
  conv2d(x: View, weight: View, bias: View | null, geom: ConvGeometry, groups: number): TypedArray;
  /** Gradient of conv2d with respect to its input: g [N, Cout, oh, ow] -> contiguous [N, Cin, inH, inW]. */
  conv2dBackwardInput(g: View, weight: View, geom: ConvGeometry, groups: number, inH: number, inW: number): TypedArray;
  /** Gradients of conv2d with respect to its weight [Cout, Cin/groups, kh, kw] (contiguous) and, when
   *  withBias, its bias (sum of g over N, oh, ow; else an empty array). */
  conv2dBackwardWeight(g: View, x: View, geom: ConvGeometry, groups: number, withBias: boolean): { dweight: TypedArray; dbias: TypedArray };
  /** The adjoint of maxPool2d's values: g [N, C, oh, ow] added at the flat (h*W + w) indices -> contiguous [N, C, inH, inW]. */
  maxPool2dBackward(g: View, indices: View, inH: number, inW: number): TypedArray;
  /** Normalises each row of x [M, D]: y = (x - mean) * rstd * weight + bias with rstd = 1 / sqrt(var + eps)
   *  (biased var; weight and bias [D] optional); y contiguous [M, D], mean and rstd [M]. */
  layerNorm(x: View, weight: View | null, bias: View | null, eps: number): { y: TypedArray; mean: TypedArray; rstd: TypedArray };
  /** Gradients of layerNorm: with xhat = (x - mean) rstd and gw = g * weight (or g),
   *  dx = rstd (gw - mean_row(gw) - xhat mean_row(gw xhat)) [M, D], dweight = sum_rows(g xhat), dbias = sum_rows(g) [D]. */
  layerNormBackward(g: View, x: View, mean: View, rstd: View, weight: View | null): { dx: TypedArray; dweight: TypedArray; dbias: TypedArray };
  /** Batch norm of x [N, C, S] per channel c: y = (x - mean_c) / sqrt(var_c + eps) * weight_c + bias_c, with mean and
   *  (biased) var taken from `stats` (running statistics) or, when it is null, from the batch (and returned). */
  batchNorm(x: View, stats: { mean: View; var: View } | null, weight: View | null, bias: View | null, eps: number): { y: TypedArray; mean: TypedArray; var: TypedArray };
  /** Gradients of batchNorm for the statistics it used (mean, var [C]): with xhat and gw = g * weight,
   *  dx = rstd (gw - mean_c(gw) - xhat mean_c(gw xhat)) when the statistics came from the batch, else rstd gw;
   *  dweight = sum_c(g xhat), dbias = sum_c(g). */
  batchNormBackward(g: View, x: View, mean: View, var_: View, weight: View | null, eps: number, batchStats: boolean): { dx: TypedArray; dweight: TypedArray; dbias: TypedArray };
  /** One LSTM layer over T steps (gates i, f, g, o): with x [T*N, I], wihT [I, 4H], bias (a view of [T*N, 4H],
   *  usually a row broadcast, or null), h0, c0 [N, H], whhT [H, 4H]: pre_t = x_t wihT + bias + h_{t-1} whhT,
   *  i, f, g, o = sigma, sigma, tanh, sigma (pre_t), c_t = f c_{t-1} + i g, h_t = o tanh(c_t). Returns the
   *  activated gates act [T, N, 4H] and all [2, T, N, H] (every h_t, then every c_t), both contiguous. */
  lstmForward(x: View, wihT: View, bias: View | null, h0: View, c0: View, whhT: View): { act: TypedArray; all: TypedArray };
  /** Backpropagation through time for lstmForward: gAll [2, T, N, H] (gradients of every h_t and c_t), act and all
   *  from the forward, c0 [N, H], whh [4H, H] -> dG [T, N, 4H] (gradients of the gate pre-activations), dh0, dc0 [N, H]. */
  lstmBackward(gAll: View, act: View, all: View, c0: View, whh: View): { dG: TypedArray; dh0: TypedArray; dc0: TypedArray };
  /** One Adam/AdamW step over n contiguous elements, in place: parameter x from xo, gradient g from go, state m, v
   *  (and vmax with amsgrad) from 0. p' = p decay, g' = sign g + l2 p', m = b1 m + (1 - b1) g', v = b2 v + (1 - b2) g'^2,
   *  s = v (amsgrad: vmax = max(vmax, v), s = vmax), p = p' - stepSize m / (sqrt(s) / bc2Sqrt + eps). */
  adamStep(x: TypedArray, xo: number, g: TypedArray, go: number, m: TypedArray, v: TypedArray, vmax: TypedArray | null, n: number, h: AdamHyper): void;
}

/** Hyperparameters of one Backend.adamStep (bias corrections folded into stepSize and bc2Sqrt). */
export interface AdamHyper {
  /** The decay of the first moment. */
  beta1: number;
  /** The decay of the second moment. */
  beta2: number;
  /** Added to the denominator. */
  eps: number;
  /** lr / (1 - beta1^step). */
  stepSize: number;
  /** sqrt(1 - beta2^step). */
  bc2Sqrt: number;
  /** The factor of the parameter before the step (AdamW's 1 - lr weightDecay, else 1). */
  decay: number;
  /** The L2 penalty added to the gradient (Adam's weightDecay, else 0). */
  l2: number;
  /** -1 to maximise, 1 to minimise. */
  sign: number;
}

/** The sliding-window geometry of a 2-d convolution. Padding is the top/left pad; the bottom/right
 *  pad is implied by the output size (so asymmetric "same" padding needs nothing more). */
export interface ConvGeometry {
  /** Kernel [kh, kw]. */
  kernel: [number, number];
  /** Stride [sh, sw]. */
  stride: [number, number];
  /** Top and left padding [ph, pw]. */
  padding: [number, number];
  /** Dilation [dh, dw]. */
  dilation: [number, number];
  /** Output positions [oh, ow]. */
  out: [number, number];
}

/** Pooling windows, listed per output row and column: output row i reads input rows
 *  hStart[i] + t * dh for t < hCount[i] (taps outside [0, H) are skipped), likewise for columns.
 *  Covers plain, padded, dilated, ceil-mode and adaptive pooling alike. */
export interface PoolWindows {
  /** The first input row of each output row. */
  hStart: Int32Array;
  /** The number of taps of each output row. */
  hCount: Int32Array;
  /** The step between row taps. */
  dh: number;
  /** The first input column of each output column. */
  wStart: Int32Array;
  /** The number of taps of each output column. */
  wCount: Int32Array;
  /** The step between column taps. */
  dw: number;
  /** avg pooling only: the divisor of each output position, [oh * ow]. */
  divisor?: Float64Array;
}

const backends = new Map<string, Backend>();
let current: Backend | null = null;

/** dt.registerBackend(backend, makeDefault = false): makes a backend selectable by its name (and the current one when makeDefault, or when none is). */
export function registerBackend(b: Backend, makeDefault = false): void {
  backends.set(b.name, b);
  if (makeDefault || !current) current = b;
}

/** The backend in use. */
export function B(): Backend {
  return current!;
}

/** dt.setBackend("js"): selects the backend for every op that follows. */
export function setBackend(name: string): void {
  const b = backends.get(name);
  if (!b) throw new Error(`setBackend: unknown backend '${name}' (expected one of ${[...backends.keys()].join(", ")})`);
  current = b;
}
/** dt.getBackend(): the name of the backend in use. */
export function getBackend(): string {
  return current!.name;
}
/** dt.listBackends(): the names of the registered backends. */
export function listBackends(): string[] {
  return [...backends.keys()];
}

let numThreads = 1;
/** dt.setNumThreads(n): the number of threads kernels may use (a positive integer). */
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
  numThreads = n;
}
/** dt.getNumThreads(): the number of threads kernels may use. */
export function getNumThreads(): number {
  return numThreads;
}
