// nn.init: in-place initialisers, as torch.nn.init (fans, gains and bounds follow torch/nn/init.py).
// Each fills the tensor under noGrad and returns it. Arguments with a default in PyTorch go in an
// options object; the common ones are also accepted positionally (`uniform_(w, -0.1, 0.1)`).

import { checkOptions } from "../tensor/options.js";
import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "../tensor/autograd.js";
import { fmt } from "../tensor/shape.js";
import { normal } from "../tensor/random.js";

/** The nonlinearities calculateGain knows (PyTorch's names, and camelCase leakyRelu). */
export type Nonlinearity =
  | "linear" | "conv1d" | "conv2d" | "conv3d" | "conv_transpose1d" | "conv_transpose2d" | "conv_transpose3d"
  | "sigmoid" | "tanh" | "relu" | "leaky_relu" | "leakyRelu" | "selu";
/** Which fan kaiming init scales by: fan_in (default) or fan_out (also fanIn / fanOut). */
export type FanMode = "fan_in" | "fan_out" | "fanIn" | "fanOut";

function check(op: string, t: unknown): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`init.${op}: expected a Tensor, got ${t === null ? "null" : typeof t}`);
  return t;
}

/** The recommended gain for a nonlinearity (torch.nn.init.calculate_gain):
 *  linear/conv/sigmoid 1, tanh 5/3, relu sqrt(2), leaky_relu sqrt(2 / (1 + slope^2)) (slope 0.01 by default), selu 3/4.
 *  @example const g = nn.init.calculateGain("relu"); // 1.414... */
export function calculateGain(nonlinearity: Nonlinearity, param?: number | null): number {
  switch (nonlinearity) {
    case "linear": case "conv1d": case "conv2d": case "conv3d":
    case "conv_transpose1d": case "conv_transpose2d": case "conv_transpose3d": case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": case "leakyRelu": {
      const slope = param ?? 0.01;
      if (typeof slope !== "number") throw new Error(`calculateGain: negative_slope ${String(param)} is not a valid number`);
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new Error(`calculateGain: unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** [fanIn, fanOut] of a weight: fanIn = size(1) * receptive field, fanOut = size(0) * receptive field. */
export function calculateFanInAndFanOut(t: Tensor): [number, number] {
  if (t.ndim < 2)
    throw new Error(`init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape ${fmt(t.shape)})`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

function fan(t: Tensor, mode: FanMode): number {
  const [fanIn, fanOut] = calculateFanInAndFanOut(t);
  if (mode === "fan_in" || mode === "fanIn") return fanIn;
  if (mode === "fan_out" || mode === "fanOut") return fanOut;
  throw new Error(`init: mode ${JSON.stringify(mode)} not supported, please use "fan_in" or "fan_out"`);
}

const UNIFORM_KEYS = ["a", "b"] as const;
const NORMAL_KEYS = ["mean", "std"] as const;
const TRUNC_NORMAL_KEYS = ["mean", "std", "a", "b"] as const;
const GAIN_KEYS = ["gain"] as const;
const KAIMING_KEYS = ["a", "mode", "nonlinearity"] as const;

/** Fills with U(a, b).  @example nn.init.uniform_(w, { a: -0.1, b: 0.1 }); */
export function uniform_(t: Tensor, a: number | { a?: number; b?: number } = {}, b?: number): Tensor {
  check("uniform_", t);
  const o = typeof a === "number" ? { a, b } : checkOptions("nn.init.uniform_", a, UNIFORM_KEYS, 2);
  return noGrad(() => t.uniform_(o.a ?? 0, o.b ?? 1));
}

/** Fills with N(mean, std^2).  @example nn.init.normal_(w, { std: 0.02 }); */
export function normal_(t: Tensor, mean: number | { mean?: number; std?: number } = {}, std?: number): Tensor {
  check("normal_", t);
  const o = typeof mean === "number" ? { mean, std } : checkOptions("nn.init.normal_", mean, NORMAL_KEYS, 2);
  return noGrad(() => t.normal_(o.mean ?? 0, o.std ?? 1));
}

/** Fills with N(mean, std^2) redrawn until inside [a, b] (torch.nn.init.trunc_normal_). */
export function truncNormal_(t: Tensor, opts: { mean?: number; std?: number; a?: number; b?: number } = {}): Tensor {
  check("truncNormal_", t);
  const { mean = 0, std = 1, a = -2, b = 2 } = checkOptions("nn.init.truncNormal_", opts, TRUNC_NORMAL_KEYS, 2);
  const n = t.numel();
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let x: number;
    let tries = 0;
    do {
      x = mean + std * normal();
      if (++tries > 1000) x = Math.min(Math.max(x, a), b);
    } while (x < a || x > b);
    v[i] = x;
  }
  return noGrad(() => t.copy_(new Tensor(v, t.shape.slice(), "float64")));
}

/** Fills with val.  @example nn.init.constant_(b, 0.1); */
export function constant_(t: Tensor, val: number): Tensor {
  check("constant_", t);
  if (typeof val !== "number") throw new Error(`init.constant_: val must be a number, got ${typeof val}`);
  return noGrad(() => t.fill_(val));
}
/** Fills with 0. */
export function zeros_(t: Tensor): Tensor {
  return constant_(check("zeros_", t), 0);
}
/** Fills with 1. */
export function ones_(t: Tensor): Tensor {
  return constant_(check("ones_", t), 1);
}

/** Fills a 2-D tensor with the identity. */
export function eye_(t: Tensor): Tensor {
  check("eye_", t);
  if (t.ndim !== 2) throw new Error(`init.eye_: only 2-D tensors are supported, got shape ${fmt(t.shape)}`);
  const [r, c] = t.shape;
  const v = new Float64Array(r * c);
  for (let i = 0; i < Math.min(r, c); i++) v[i * c + i] = 1;
  return noGrad(() => t.copy_(new Tensor(v, [r, c], "float64")));
}

function gainOf(op: string, gain: number | { gain?: number }): number {
  return typeof gain === "number" ? gain : checkOptions(`nn.init.${op}`, gain, GAIN_KEYS, 2).gain ?? 1;
}

/** Glorot uniform: U(-bound, bound), bound = gain sqrt(6 / (fanIn + fanOut)).  @example nn.init.xavierUniform_(w); */
export function xavierUniform_(t: Tensor, gain: number | { gain?: number } = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(check("xavierUniform_", t));
  const bound = gainOf("xavierUniform_", gain) * Math.sqrt(6 / (fanIn + fanOut));
  return noGrad(() => t.uniform_(-bound, bound));
}

/** Glorot normal: N(0, std^2), std = gain sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, gain: number | { gain?: number } = {}): Tensor {
  const [fanIn, fanOut] = calculateFanInAndFanOut(check("xavierNormal_", t));
  const std = gainOf("xavierNormal_", gain) * Math.sqrt(2 / (fanIn + fanOut));
  return noGrad(() => t.normal_(0, std));
}

/** Options of kaimingUniform_ and kaimingNormal_. */
export interface KaimingOptions {
  /** Negative slope of the rectifier after this layer (for leaky_relu). Default 0. */
  a?: number;
  /** "fan_in" (default) keeps the forward variance, "fan_out" the backward one. */
  mode?: FanMode;
  /** Default "leaky_relu". */
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, a: number | KaimingOptions): number {
  check(op, t);
  const o = typeof a === "number" ? { a } : checkOptions(`nn.init.${op}`, a, KAIMING_KEYS, 2);
  const f = fan(t, o.mode ?? "fan_in");
  return calculateGain(o.nonlinearity ?? "leaky_relu", o.a ?? 0) / Math.sqrt(f);
}

/** He uniform: U(-bound, bound), bound = gain sqrt(3 / fan).
 *  @example nn.init.kaimingUniform_(w, { a: Math.sqrt(5) }); // the default of Linear and Conv */
export function kaimingUniform_(t: Tensor, a: number | KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd("kaimingUniform_", t, a);
  return noGrad(() => t.uniform_(-bound, bound));
}

/** He normal: N(0, std^2), std = gain / sqrt(fan).  @example nn.init.kaimingNormal_(w, { mode: "fan_out", nonlinearity: "relu" }); */
export function kaimingNormal_(t: Tensor, a: number | KaimingOptions = {}): Tensor {
  const std = kaimingStd("kaimingNormal_", t, a);
  return noGrad(() => t.normal_(0, std));
}

/** A (semi-)orthogonal matrix from the QR decomposition of a normal one (Saxe et al. 2013), times gain.
 *  Dimensions after the first are flattened.  @example nn.init.orthogonal_(w); */
export function orthogonal_(t: Tensor, gain: number | { gain?: number } = {}): Tensor {
  check("orthogonal_", t);
  if (t.ndim < 2) throw new Error(`init.orthogonal_: only tensors with 2 or more dimensions are supported, got shape ${fmt(t.shape)}`);
  const rows = t.shape[0];
  const cols = t.numel() / rows;
  // QR of an [m, n] normal matrix with m >= n (transposed when rows < cols), by modified Gram-Schmidt,
  // whose R has a positive diagonal: the same Q as torch's q * sign(diag(r)).
  const m = Math.max(rows, cols), n = Math.min(rows, cols);
  const cols_: Float64Array[] = [];
  for (let j = 0; j < n; j++) {
    const v = new Float64Array(m);
    for (let i = 0; i < m; i++) v[i] = normal();
    cols_.push(v);
  }
  for (let j = 0; j < n; j++) {
    const v = cols_[j];
    for (let k = 0; k < j; k++) {
      const q = cols_[k];
      let d = 0;
      for (let i = 0; i < m; i++) d += q[i] * v[i];
      for (let i = 0; i < m; i++) v[i] -= d * q[i];
    }
    let nrm = 0;
    for (let i = 0; i < m; i++) nrm += v[i] * v[i];
    nrm = Math.sqrt(nrm);
    for (let i = 0; i < m; i++) v[i] /= nrm;
  }
  const g = gainOf("orthogonal_", gain);
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) out[r * cols + c] = g * (rows >= cols ? cols_[c][r] : cols_[r][c]);
  return noGrad(() => t.copy_(new Tensor(out, t.shape.slice(), "float64")));
}
