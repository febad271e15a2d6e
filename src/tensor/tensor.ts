// The Tensor: a typed-array storage viewed through shape, strides and offset (as torch.Tensor),
// plus the autograd fields. Ops live in src/ops and are attached as methods there.

import { type DType, type TypedArray } from "./dtype.js";
import { contiguousStrides, numelOf } from "./shape.js";
import { format } from "./format.js";

/** One recorded op in the autograd graph: its inputs and the closure that maps the output's
 *  gradient to theirs. `backward` is null once the graph was freed by a backward pass. */
export class Node {
  constructor(
    public op: string,
    public inputs: Tensor[],
    public backward: ((g: Tensor) => (Tensor | null | undefined)[]) | null,
    public shape: number[],
  ) {}
  /** Optional fast path for ops whose gradient touches a part of their single input (slice):
   *  adds g into the input's gradient buffer `acc` in place, instead of building a full-size
   *  gradient. Used only when the gradient itself is not being recorded. */
  accumulate?: (acc: Tensor, g: Tensor) => void;
}

/** An n-dimensional array of one dtype, with autograd (torch.Tensor). Made by dt.tensor, dt.zeros, ...;
 *  every op is also a method (`x.matmul(w).relu()`). Views share `storage`. */
export class Tensor {
  /** Storage shared by every view of it. */
  storage: TypedArray;
  /** The size of each dim, outermost first. */
  shape: number[];
  /** Elements to step in `storage` for one step along each dim (0 for a broadcast dim). */
  strides: number[];
  /** Index in `storage` of the first element. */
  offset: number;
  /** The element type: "float32", "float64", "int32" or "bool". */
  dtype: DType;
  /** Whether ops on this tensor are recorded for backward(); set with requiresGrad_() or { requiresGrad: true }. */
  requiresGrad = false;
  /** The gradient accumulated by backward() (a leaf that requires grad), or null. */
  grad: Tensor | null = null;
  /** The op that produced this tensor, or null for a leaf.
   *  @internal */
  _node: Node | null = null;

  constructor(data: TypedArray, shape: number[], dtype: DType, strides?: number[], offset = 0) {
    this.storage = data;
    this.shape = shape;
    this.dtype = dtype;
    this.strides = strides ?? contiguousStrides(shape);
    this.offset = offset;
  }

  /** The number of dims. */
  get ndim(): number {
    return this.shape.length;
  }
  /** The number of elements. */
  numel(): number {
    return numelOf(this.shape);
  }
  /** The op that made this tensor (PyTorch's grad_fn), or null for a leaf. */
  get gradFn(): string | null {
    return this._node ? this._node.op : null;
  }
  /** True for a tensor made by the user (not by an op that records a gradient). */
  get isLeaf(): boolean {
    return this._node === null;
  }

  /** True when elements lie in row-major order without gaps (any offset). */
  isContiguous(): boolean {
    const { shape, strides } = this;
    let acc = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      if (shape[i] !== 1 && strides[i] !== acc) return false;
      acc *= shape[i];
    }
    return true;
  }

  /** A contiguous copy of the elements, as a typed array of this dtype. */
  dataSync(): TypedArray {
    const n = this.numel();
    if (this.isContiguous()) return this.storage.slice(this.offset, this.offset + n) as TypedArray;
    const out = new (this.storage.constructor as new (n: number) => TypedArray)(n);
    const { shape, strides } = this;
    const nd = shape.length;
    const idx = new Array<number>(nd).fill(0);
    let off = this.offset;
    for (let i = 0; i < n; i++) {
      out[i] = this.storage[off];
      for (let d = nd - 1; d >= 0; d--) {
        idx[d]++;
        off += strides[d];
        if (idx[d] < shape[d]) break;
        off -= strides[d] * shape[d];
        idx[d] = 0;
      }
    }
    return out;
  }

  /** Resolves to the same values as dataSync (for backends that compute asynchronously). */
  async data(): Promise<TypedArray> {
    return this.dataSync();
  }

  /** The single element as a number (bool gives 0/1 as number, like PyTorch's True==1). */
  item(): number {
    if (this.numel() !== 1)
      throw new Error(`item: a tensor with ${this.numel()} elements of shape [${this.shape.join(",")}] cannot be converted to a number (expected exactly one element)`);
    return this.storage[this.offset];
  }

  /** Nested JS arrays, like tolist(); bool gives booleans. */
  toArray(): any {
    const flat = this.dataSync();
    const isBool = this.dtype === "bool";
    const shape = this.shape;
    if (shape.length === 0) return isBool ? flat[0] !== 0 : flat[0];
    let pos = 0;
    const build = (d: number): any[] => {
      const out = new Array(shape[d]);
      for (let i = 0; i < shape[d]; i++) {
        if (d === shape.length - 1) {
          out[i] = isBool ? flat[pos++] !== 0 : flat[pos++];
        } else out[i] = build(d + 1);
      }
      return out;
    };
    return build(0);
  }

  /** A readable, truncated print of the values, shape and dtype. */
  toString(): string {
    return format(this);
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}
