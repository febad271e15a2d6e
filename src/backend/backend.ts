// The small backend interface: about a dozen kernels over strided views. Every op of the
// API is built in src/ops from these; a new backend implements this table (or forwards
// parts of it to the reference backend) and passes test/conformance.test.ts.

import type { DType, TypedArray } from "../tensor/dtype.js";

/** What a kernel reads: storage seen through shape, strides (elements, may be 0) and offset. */
export interface View {
  storage: TypedArray;
  shape: number[];
  strides: number[];
  offset: number;
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
] as const;
export type UnaryOp = (typeof UNARY_OPS)[number];

export const BINARY_OPS = [
  "add", "sub", "mul", "div", "pow", "maximum", "minimum",
  "eq", "ne", "lt", "le", "gt", "ge", "logicalAnd", "logicalOr",
] as const;
export type BinaryOp = (typeof BINARY_OPS)[number];

export const REDUCE_OPS = ["sum", "prod", "max", "min", "argmax", "argmin", "any", "all"] as const;
export type ReduceOp = (typeof REDUCE_OPS)[number];

export interface Backend {
  readonly name: string;
  /** out[i] = op(x[i]); out is contiguous with x's shape. */
  unary(op: UnaryOp, x: View, outDtype: DType, p0?: number, p1?: number): TypedArray;
  /** out[i] = op(a[i], b[i]); a and b already have the output's shape (broadcast dims have stride 0). */
  binary(op: BinaryOp, a: View, b: View, outDtype: DType): TypedArray;
  /** out[i] = cond[i] ? a[i] : b[i]; all three have the output's shape. */
  where(cond: View, a: View, b: View, outDtype: DType): TypedArray;
  /** Reduces over `axes` (sorted); the result has x's shape without them. arg ops get one axis. */
  reduce(op: ReduceOp, x: View, axes: number[], outDtype: DType): TypedArray;
  /** Batched a[..., M, K] @ b[..., K, N]; batch dims already equal (stride 0 where broadcast). */
  matmul(a: View, b: View, outDtype: DType): TypedArray;
  /** Inclusive cumulative sum along one axis. */
  cumsum(x: View, axis: number, outDtype: DType): TypedArray;
  /** out[...i...] = x[... index[...i...] (at axis) ...]; out has index's shape. */
  gather(x: View, axis: number, index: View): TypedArray;
  /** A copy of dst with src written (or added) at index positions along axis. */
  scatter(dst: View, axis: number, index: View, src: View, mode: "set" | "add"): TypedArray;
  /** Strided copy: dst[i] = src[i], both of the same shape (dst may be a view of a bigger buffer). */
  copy(src: View, dst: View): void;
}

const backends = new Map<string, Backend>();
let current: Backend | null = null;

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
export function getBackend(): string {
  return current!.name;
}
export function listBackends(): string[] {
  return [...backends.keys()];
}

let numThreads = 1;
export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new Error(`setNumThreads: expected a positive integer, got ${n}`);
  numThreads = n;
}
export function getNumThreads(): number {
  return numThreads;
}
