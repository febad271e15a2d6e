// dtypes: the four element types of deeptype and PyTorch's type-promotion rules.
// Reference: https://pytorch.org/docs/stable/tensor_attributes.html#type-promotion-doc

/** The element types: float32 (the default for floats), float64, int32 (indices) and bool. */
export type DType = "float32" | "float64" | "int32" | "bool";
/** The typed arrays that hold a tensor's storage, one per dtype (bool in a Uint8Array). */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

/** Typed-array constructor for each dtype (bool is stored as one byte, 0 or 1). */
export const ARRAY_TYPE: { [D in DType]: new (n: number | ArrayBufferLike) => TypedArray } = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
};

export function isDType(x: unknown): x is DType {
  return x === "float32" || x === "float64" || x === "int32" || x === "bool";
}

export function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64";
}

/** Category order used by promotion: bool < int < float. */
export function category(d: DType): number {
  return d === "bool" ? 0 : d === "int32" ? 1 : 2;
}

/** The smallest dtype that holds both (same category: the wider one). */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  const ca = category(a), cb = category(b);
  if (ca !== cb) return ca > cb ? a : b;
  return a === "float64" || b === "float64" ? "float64" : a;
}

/** dtype of a bare JS number taking part in an op. */
export function scalarDType(v: number | boolean): DType {
  if (typeof v === "boolean") return "bool";
  return Number.isInteger(v) ? "int32" : "float32";
}

/** Where large float32 storage comes from when a backend provides it (the wasm backend's tensor
 *  heap, so its kernels read and write tensors in place); null (heap full) falls back to the JS heap. */
let float32Source: { minElements: number; alloc: (n: number, zero: boolean) => Float32Array | null } | null = null;

export function setFloat32Source(src: typeof float32Source): void {
  float32Source = src;
}

/** Allocates a zero-filled typed array of the dtype (with zero false, contents are unspecified:
 *  for outputs every element of which is written). */
export function alloc(dtype: DType, n: number, zero = true): TypedArray {
  if (dtype === "float32" && float32Source !== null && n >= float32Source.minElements) {
    const a = float32Source.alloc(n, zero);
    if (a) return a;
  }
  return new ARRAY_TYPE[dtype](n);
}

export function dtypeOfArray(a: TypedArray): DType {
  if (a instanceof Float32Array) return "float32";
  if (a instanceof Float64Array) return "float64";
  if (a instanceof Int32Array) return "int32";
  return "bool";
}
