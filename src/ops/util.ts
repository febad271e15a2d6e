// Shared plumbing for op definitions: operands, result dtypes, views, and un-broadcasting.

import { Tensor } from "../tensor/tensor.js";
import { alloc, category, isFloat, promote, scalarDType, type DType, type TypedArray } from "../tensor/dtype.js";
import { contiguousStrides, fmt, shapesEqual } from "../tensor/shape.js";

/** A tensor operand, or a number or boolean in its place. */
export type Operand = Tensor | number | boolean;

export function wrap(data: TypedArray, shape: number[], dtype: DType): Tensor {
  return new Tensor(data, shape, dtype);
}

/** A 0-d tensor holding v in the given dtype. */
export function scalar(v: number | boolean, dtype: DType): Tensor {
  const a = alloc(dtype, 1);
  a[0] = dtype === "bool" ? (v ? 1 : 0) : +v;
  return new Tensor(a, [], dtype, []);
}

export function checkTensor(op: string, x: unknown, what = "input"): Tensor {
  if (!(x instanceof Tensor)) throw new Error(`${op}: expected a Tensor as ${what}, got ${x === null ? "null" : typeof x}`);
  return x;
}

/** PyTorch's result dtype: dimensioned tensors > 0-d tensors > JS numbers, by category. */
export function resultType(...xs: Operand[]): DType {
  let dim: DType | null = null, zero: DType | null = null, sc: DType | null = null;
  for (const x of xs) {
    if (x instanceof Tensor) {
      if (x.shape.length > 0) dim = dim ? promote(dim, x.dtype) : x.dtype;
      else zero = zero ? promote(zero, x.dtype) : x.dtype;
    } else sc = sc ? promote(sc, scalarDType(x)) : scalarDType(x);
  }
  let r: DType | null = dim;
  if (zero) r = r === null || category(zero) > category(r) ? (r === null ? zero : zero) : r;
  if (sc) {
    if (r === null) r = sc;
    else if (category(sc) > category(r)) r = sc === "float32" || sc === "float64" ? "float32" : sc;
  }
  return r ?? "float32";
}

export function toTensor(x: Operand, dtype: DType): Tensor {
  return x instanceof Tensor ? x : scalar(x, dtype);
}

export function floatOf(d: DType): DType {
  return isFloat(d) ? d : "float32";
}

/** A view of t broadcast to shape (stride 0 along broadcast dims). Copies nothing. */
export function expandView(t: Tensor, shape: number[]): Tensor {
  if (shapesEqual(t.shape, shape)) return t;
  const nd = shape.length, off = nd - t.shape.length;
  const strides = new Array<number>(nd);
  for (let i = 0; i < nd; i++) {
    const j = i - off;
    strides[i] = j < 0 || t.shape[j] === 1 ? 0 : t.strides[j];
  }
  return new Tensor(t.storage, shape, t.dtype, strides, t.offset);
}

export function contiguousView(t: Tensor, shape: number[]): Tensor {
  return new Tensor(t.storage, shape, t.dtype, contiguousStrides(shape), t.offset);
}

export function describe(t: Tensor): string {
  return `${fmt(t.shape)} ${t.dtype}`;
}

export function requireFloat(op: string, t: Tensor): void {
  if (!isFloat(t.dtype)) throw new Error(`${op}: expected a floating point tensor, got ${t.dtype} of shape ${fmt(t.shape)}`);
}
