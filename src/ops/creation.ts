// Creating tensors: from JS values, constants, ranges, and random draws.

import { Tensor } from "../tensor/tensor.js";
import { alloc, ARRAY_TYPE, isDType, isFloat, type DType, type TypedArray } from "../tensor/dtype.js";
import { checkShape, fmt, numelOf } from "../tensor/shape.js";
import { setRequiresGrad } from "../tensor/autograd.js";
import { normal, randBelow, uniform } from "../tensor/random.js";
import { checkOptions } from "../tensor/options.js";

/** Options of the tensor constructors. */
export interface TensorOptions {
  /** The element type (default float32, or int32 for integer ranges and indices). */
  dtype?: DType;
  /** The shape, for flat values (a TypedArray or a flat array). */
  shape?: number[];
  /** Record ops on the tensor for backward() (default false). */
  requiresGrad?: boolean;
}
/** The options of dt.tensor; every other creation function takes all but shape. */
const TENSOR_KEYS = ["dtype", "shape", "requiresGrad"] as const;
const CREATION_KEYS = ["dtype", "requiresGrad"] as const;

/** The creation options, checked (a frozen {} when omitted). */
function creationOptions(op: string, opts: TensorOptions | undefined | null, arg?: number): TensorOptions {
  return checkOptions(`dt.${op}`, opts, op === "tensor" ? TENSOR_KEYS : CREATION_KEYS, arg);
}

/** Nested JS arrays of numbers or booleans, as dt.tensor takes them. */
export type Nested = number | boolean | Nested[];

function finish(t: Tensor, opts: TensorOptions | undefined): Tensor {
  if (opts?.requiresGrad) setRequiresGrad(t, true);
  return t;
}

function checkDType(op: string, d: unknown): DType | undefined {
  if (d === undefined) return undefined;
  if (!isDType(d)) throw new Error(`${op}: unknown dtype '${String(d)}' (expected float32, float64, int32 or bool)`);
  return d;
}

function fromTyped(a: ArrayLike<number>): DType {
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Int32Array || a instanceof Int16Array || a instanceof Int8Array || a instanceof Uint16Array || a instanceof Uint8Array || a instanceof Uint8ClampedArray)
    return "int32";
  return "float64";
}

function fill(dtype: DType, src: ArrayLike<number | boolean>): TypedArray {
  const out = alloc(dtype, src.length);
  if (dtype === "bool") for (let i = 0; i < src.length; i++) out[i] = src[i] ? 1 : 0;
  else for (let i = 0; i < src.length; i++) out[i] = +src[i];
  return out;
}

/** dt.tensor(values, { dtype, shape, requiresGrad }): a tensor holding a copy of the values.
 *  Numbers default to float32 (JS has no integer literals), booleans to bool, typed arrays to their own type.
 *  @example const x = dt.tensor([[1, 2], [3, 4]], { requiresGrad: true }); */
export function tensor(values: Nested | ArrayLike<number> | Tensor, opts: TensorOptions = {}): Tensor {
  opts = creationOptions("tensor", opts, 2);
  let dtype = checkDType("tensor", opts.dtype);
  if (values instanceof Tensor) {
    const t = values.detach().to(dtype ?? values.dtype).clone();
    return finish(opts.shape ? t.reshape(opts.shape) : t, opts);
  }
  if (ArrayBuffer.isView(values)) {
    const arr = values as unknown as ArrayLike<number>;
    const shape = opts.shape ? checkShape("tensor", opts.shape) : [arr.length];
    if (numelOf(shape) !== arr.length)
      throw new Error(`tensor: shape ${fmt(shape)} needs ${numelOf(shape)} values, got a typed array of ${arr.length}`);
    dtype ??= fromTyped(arr);
    let data: TypedArray;
    if (arr.constructor === ARRAY_TYPE[dtype] && dtype !== "bool") {
      data = alloc(dtype, arr.length, false);
      data.set(arr as any);
    } else data = fill(dtype, arr);
    return finish(new Tensor(data, shape, dtype), opts);
  }
  // nested JS arrays: infer the shape, refuse ragged input
  const shape: number[] = [];
  let probe: unknown = values;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: (number | boolean)[] = [];
  let sawBool = false, sawNumber = false;
  const walk = (v: unknown, d: number, path: string) => {
    if (d === shape.length) {
      if (typeof v === "boolean") sawBool = true;
      else if (typeof v === "number") sawNumber = true;
      else throw new Error(`tensor: expected numbers or booleans, got ${Array.isArray(v) ? "an array" : typeof v} at ${path || "top"} (shape so far ${fmt(shape)})`);
      flat.push(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[d])
      throw new Error(`tensor: ragged nested array: expected length ${shape[d]} at ${path || "top"}, got ${Array.isArray(v) ? v.length : typeof v}`);
    for (let i = 0; i < v.length; i++) walk(v[i], d + 1, `${path}[${i}]`);
  };
  walk(values, 0, "");
  dtype ??= sawBool && !sawNumber ? "bool" : "float32";
  let t = new Tensor(fill(dtype, flat), shape, dtype);
  if (opts.shape) t = t.reshape(checkShape("tensor", opts.shape));
  return finish(t, opts);
}

function shapeArg(op: string, shape: number[] | number): number[] {
  return checkShape(op, typeof shape === "number" ? [shape] : shape);
}

/** dt.full(shape, value, opts?) */
export function full(shape: number[] | number, value: number | boolean, opts: TensorOptions = {}): Tensor {
  opts = creationOptions("full", opts, 3);
  const s = shapeArg("full", shape);
  const dtype = checkDType("full", opts.dtype) ?? (typeof value === "boolean" ? "bool" : "float32");
  const data = alloc(dtype, numelOf(s));
  if (value) data.fill(typeof value === "boolean" ? 1 : value);
  return finish(new Tensor(data, s, dtype), opts);
}
/** Sizes given as PyTorch allows: `f([2, 3], opts?)`, or `f(2, 3)` / `f(2, 3, opts)` (varargs). */
export type Sizes = [shape: number[] | number, opts?: TensorOptions] | [...sizes: number[], opts: TensorOptions] | number[];

function sizesArgs(op: string, args: unknown[]): [number[] | number, TensorOptions] {
  while (args.length > 1 && (args[args.length - 1] === undefined || args[args.length - 1] === null)) args = args.slice(0, -1); // f(shape, undefined)
  const last = args[args.length - 1];
  const opts = typeof last === "object" && last !== null && !Array.isArray(last) ? (last as TensorOptions) : undefined;
  const sizes = opts ? args.slice(0, -1) : args;
  const o = creationOptions(op, opts, args.length);
  if (sizes.length === 1) return [sizes[0] as number[] | number, o];
  return [sizes as number[], o];
}

/** dt.zeros(shape, opts?) (or dt.zeros(2, 3)).  @example dt.zeros([2, 3], { dtype: "float64" }) */
export function zeros(...args: Sizes): Tensor {
  const [shape, opts] = sizesArgs("zeros", args);
  return full(shape, 0, opts);
}
/** dt.ones(shape, opts?) (or dt.ones(2, 3)). */
export function ones(...args: Sizes): Tensor {
  const [shape, opts] = sizesArgs("ones", args);
  return full(shape, 1, opts);
}
/** dt.zerosLike(t, opts?): zeros of t's shape and dtype. */
export function zerosLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 0, { dtype: t.dtype, ...creationOptions("zerosLike", opts, 2) });
}
/** dt.onesLike(t, opts?): ones of t's shape and dtype. */
export function onesLike(t: Tensor, opts: TensorOptions = {}): Tensor {
  return full(t.shape, 1, { dtype: t.dtype, ...creationOptions("onesLike", opts, 2) });
}
/** dt.fullLike(t, value, opts?): `value` everywhere, in t's shape and dtype. */
export function fullLike(t: Tensor, value: number | boolean, opts: TensorOptions = {}): Tensor {
  return full(t.shape, value, { dtype: t.dtype, ...creationOptions("fullLike", opts, 3) });
}

/** dt.arange(end) or dt.arange(start, end, step = 1): int32 when every bound is an integer, else float32. */
export function arange(a: number, b?: number | TensorOptions, c?: number | TensorOptions, d?: TensorOptions): Tensor {
  let start = 0, end: number, step = 1, opts: TensorOptions = {};
  const args = [a, b, c, d];
  const nums = args.filter((x): x is number => typeof x === "number");
  const o = args.find((x) => typeof x === "object" && x !== null) as TensorOptions | undefined;
  if (o) opts = creationOptions("arange", o);
  if (nums.length === 1) end = nums[0];
  else [start, end, step = 1] = nums as [number, number, number?];
  if (step === 0 || !Number.isFinite(step)) throw new Error(`arange: step must be a non-zero finite number, got ${step}`);
  if ((end - start) / step < 0) throw new Error(`arange: the range [${start}, ${end}) is not consistent with step ${step}`);
  const n = Math.max(0, Math.ceil((end - start) / step));
  const dtype = checkDType("arange", opts.dtype) ?? (Number.isInteger(start) && Number.isInteger(end) && Number.isInteger(step) ? "int32" : "float32");
  const data = alloc(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return finish(new Tensor(data, [n], dtype), opts);
}

/** dt.linspace(start, end, steps): evenly spaced, end included (float32). */
export function linspace(start: number, end: number, steps: number, opts: TensorOptions = {}): Tensor {
  opts = creationOptions("linspace", opts, 4);
  if (!Number.isInteger(steps) || steps < 0) throw new Error(`linspace: steps must be a non-negative integer, got ${steps}`);
  const dtype = checkDType("linspace", opts.dtype) ?? "float32";
  const data = alloc(dtype, steps);
  const step = steps > 1 ? (end - start) / (steps - 1) : 0;
  const half = steps === 1 ? 1 : Math.floor(steps / 2); // one step gives [start], as torch
  for (let i = 0; i < steps; i++) data[i] = i < half ? start + i * step : end - (steps - 1 - i) * step;
  return finish(new Tensor(data, [steps], dtype), opts);
}

/** dt.eye(n, m = n): ones on the diagonal. */
export function eye(n: number, m?: number | TensorOptions, opts: TensorOptions = {}): Tensor {
  if (typeof m === "object") {
    opts = m;
    m = undefined;
  }
  opts = creationOptions("eye", opts);
  const cols = m ?? n;
  const dtype = checkDType("eye", opts.dtype) ?? "float32";
  const data = alloc(dtype, n * cols);
  for (let i = 0; i < Math.min(n, cols); i++) data[i * cols + i] = 1;
  return finish(new Tensor(data, [n, cols], dtype), opts);
}

function randomFill(op: string, shape: number[] | number, opts: TensorOptions, draw: () => number): Tensor {
  const s = shapeArg(op, shape);
  const dtype = checkDType(op, opts.dtype) ?? "float32";
  if (!isFloat(dtype)) throw new Error(`${op}: dtype must be float32 or float64, got ${dtype}`);
  const data = alloc(dtype, numelOf(s));
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return finish(new Tensor(data, s, dtype), opts);
}

/** Uniform on [0, 1): dt.rand(shape, opts?) (or dt.rand(2, 3)). */
export function rand(...args: Sizes): Tensor {
  const [shape, opts] = sizesArgs("rand", args);
  return randomFill("rand", shape, opts, uniform);
}
/** Standard normal: dt.randn(shape, opts?) (or dt.randn(2, 3)). */
export function randn(...args: Sizes): Tensor {
  const [shape, opts] = sizesArgs("randn", args);
  return randomFill("randn", shape, opts, normal);
}
/** Uniform integers in [low, high), int32: dt.randint(low, high, shape), or dt.randint(high, shape) (low = 0), as torch. */
export function randint(high: number, shape: number[], opts?: TensorOptions): Tensor;
export function randint(low: number, high: number, shape: number[] | number, opts?: TensorOptions): Tensor;
export function randint(low: number, high: number | number[], shape?: number[] | number | TensorOptions, opts: TensorOptions = {}): Tensor {
  if (Array.isArray(high)) return randint(0, low, high, (shape as TensorOptions | undefined) ?? {});
  if (shape === undefined || (typeof shape === "object" && !Array.isArray(shape)))
    throw new Error(`randint: expected randint(low, high, shape) or randint(high, shape), got no shape`);
  if (!(high > low)) throw new Error(`randint: expected low < high, got low=${low}, high=${high}`);
  opts = creationOptions("randint", opts, 4);
  const s = shapeArg("randint", shape);
  const dtype = checkDType("randint", opts.dtype) ?? "int32";
  const data = alloc(dtype, numelOf(s));
  for (let i = 0; i < data.length; i++) data[i] = low + randBelow(high - low);
  return new Tensor(data, s, dtype);
}
/** A random permutation of 0..n-1 (int32), Fisher-Yates. */
export function randperm(n: number, opts: TensorOptions = {}): Tensor {
  opts = creationOptions("randperm", opts, 2);
  const dtype = checkDType("randperm", opts.dtype) ?? "int32";
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = randBelow(i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  return dtype === "int32" ? new Tensor(p, [n], "int32") : new Tensor(fill(dtype, p), [n], dtype);
}

