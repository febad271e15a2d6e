// Datasets as in torch.utils.data: anything with `length` and `get(i)`, TensorDataset (rows of
// tensors that share their first dim), Subset, ConcatDataset and randomSplit.
// Reference: https://pytorch.org/docs/stable/data.html

import { Tensor } from "../tensor/tensor.js";
import { alloc } from "../tensor/dtype.js";
import { fmt } from "../tensor/shape.js";
import { randperm } from "../ops/creation.js";
import { indexSelect } from "../ops/indexing.js";

/** What a DataLoader needs: a length and random access. `get` may return a Promise (async datasets,
 *  iterated with `for await`). */
export interface DatasetLike<T = unknown> {
  /** The number of items. */
  readonly length: number;
  /** The item at index (may be a Promise for an async dataset). */
  get(index: number): T;
}

/** Base class of map-style datasets: subclasses define `length` and `get(i)`.
 *  @example class Squares extends dt.data.Dataset<number> { get length() { return 10; } get(i: number) { return i * i; } } */
export abstract class Dataset<T = unknown> implements DatasetLike<T> {
  /** The number of items. */
  abstract get length(): number;
  /** The item at index (negative counts from the end). */
  abstract get(index: number): T;
  /** Items in order: `for (const item of dataset)`. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.length; i++) yield this.get(i);
  }
}

/** Checks an index against a length (negative counts from the end, as Python); returns it non-negative. */
export function checkIndex(what: string, i: number, n: number): number {
  if (!Number.isInteger(i)) throw new Error(`${what}: index must be an integer, got ${i}`);
  const j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) throw new Error(`${what}: index ${i} out of range for a dataset of ${n} items`);
  return j;
}

/** Row i of t (a view sharing t's storage; through the autograd ops when t requires grad). */
export function row(t: Tensor, i: number): Tensor {
  if (t.requiresGrad) return t.narrow(0, i, 1).squeeze(0);
  return new Tensor(t.storage, t.shape.slice(1), t.dtype, t.strides.slice(1), t.offset + i * t.strides[0]);
}

/** The rows `index` of t, stacked along dim 0 (a fresh contiguous tensor); memcpy per row when possible. */
export function takeRows(t: Tensor, index: ArrayLike<number>): Tensor {
  const n = index.length;
  if (t.requiresGrad || !t.isContiguous() || t.ndim === 0)
    return indexSelect(t, 0, new Tensor(Int32Array.from(index), [n], "int32"));
  const rowSize = t.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = alloc(t.dtype, n * rowSize);
  const src = t.storage;
  for (let k = 0; k < n; k++) {
    const start = t.offset + index[k] * rowSize;
    out.set(src.subarray(start, start + rowSize), k * rowSize);
  }
  return new Tensor(out, [n, ...t.shape.slice(1)], t.dtype);
}

/** Rows of tensors that share their first dimension; item i is `[t0[i], t1[i], ...]`.
 *  DataLoader batches it by copying whole rows (no per-item stacking).
 *  @example const ds = new dt.data.TensorDataset(x, y); const [xi, yi] = ds.get(0); */
export class TensorDataset extends Dataset<Tensor[]> {
  /** The tensors, each with the same first dim. */
  readonly tensors: Tensor[];
  constructor(...tensors: (Tensor | Tensor[])[]) {
    super();
    const flat = tensors.length === 1 && Array.isArray(tensors[0]) ? (tensors[0] as Tensor[]) : (tensors as Tensor[]);
    if (flat.length === 0) throw new Error(`TensorDataset: expected at least one tensor`);
    flat.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new Error(`TensorDataset: argument ${i} is not a Tensor (got ${t === null ? "null" : typeof t})`);
      if (t.ndim === 0) throw new Error(`TensorDataset: tensor ${i} is 0-d; every tensor needs a first dimension of items`);
      if (t.shape[0] !== flat[0].shape[0])
        throw new Error(`TensorDataset: size mismatch between tensors: tensor 0 has shape ${fmt(flat[0].shape)}, tensor ${i} has ${fmt(t.shape)} (first dims must agree)`);
    });
    this.tensors = flat;
  }
  /** The size of the tensors' first dim. */
  get length(): number {
    return this.tensors[0].shape[0];
  }
  /** Row index of each tensor. */
  get(index: number): Tensor[] {
    const i = checkIndex("TensorDataset.get", index, this.length);
    return this.tensors.map((t) => row(t, i));
  }
  /** The items at `indices`, already batched: `[t0[indices], t1[indices], ...]`. */
  getBatch(indices: ArrayLike<number>): Tensor[] {
    for (let k = 0; k < indices.length; k++) checkIndex("TensorDataset.getBatch", indices[k], this.length);
    return this.tensors.map((t) => takeRows(t, indices));
  }
}

function toIndexArray(what: string, indices: ArrayLike<number> | Tensor | Iterable<number>): Int32Array {
  if (indices instanceof Tensor) {
    if (indices.ndim !== 1) throw new Error(`${what}: indices must be 1-D, got shape ${fmt(indices.shape)}`);
    return Int32Array.from(indices.dataSync() as ArrayLike<number>);
  }
  const arr = Array.from(indices as Iterable<number>);
  for (const v of arr) if (!Number.isInteger(v)) throw new Error(`${what}: indices must be integers, got ${v}`);
  return Int32Array.from(arr);
}

/** The items of `dataset` at `indices`, in that order.
 *  @example const firstHundred = new dt.data.Subset(ds, [...Array(100).keys()]); */
export class Subset<T = unknown> extends Dataset<T> {
  /** The dataset the items come from. */
  readonly dataset: DatasetLike<T>;
  /** The indices into dataset, in order. */
  readonly indices: Int32Array;
  constructor(dataset: DatasetLike<T>, indices: ArrayLike<number> | Tensor | Iterable<number>) {
    super();
    this.dataset = dataset;
    this.indices = toIndexArray("Subset", indices);
    const n = dataset.length;
    for (const i of this.indices) if (i < -n || i >= n) throw new Error(`Subset: index ${i} out of range for a dataset of ${n} items`);
  }
  /** The number of indices. */
  get length(): number {
    return this.indices.length;
  }
  /** Item indices[index] of the dataset. */
  get(index: number): T {
    return this.dataset.get(this.indices[checkIndex("Subset.get", index, this.length)]);
  }
}

/** Datasets one after another.
 *  @example const all = new dt.data.ConcatDataset([train, extra]); */
export class ConcatDataset<T = unknown> extends Dataset<T> {
  /** The datasets, in order. */
  readonly datasets: DatasetLike<T>[];
  private readonly ends: number[] = [];
  constructor(datasets: DatasetLike<T>[]) {
    super();
    if (!Array.isArray(datasets) || datasets.length === 0) throw new Error(`ConcatDataset: expected a non-empty array of datasets`);
    this.datasets = datasets;
    let acc = 0;
    for (const d of datasets) this.ends.push((acc += d.length));
  }
  /** The total number of items. */
  get length(): number {
    return this.ends[this.ends.length - 1];
  }
  /** The item at index, counting through the datasets in order. */
  get(index: number): T {
    const i = checkIndex("ConcatDataset.get", index, this.length);
    let k = 0;
    while (i >= this.ends[k]) k++;
    return this.datasets[k].get(i - (k === 0 ? 0 : this.ends[k - 1]));
  }
}

/** Splits a dataset into non-overlapping random subsets of the given lengths, or fractions summing
 *  to 1 (as torch.utils.data.random_split). Uses the global generator: reproducible after dt.manualSeed.
 *  @example const [train, val] = dt.data.randomSplit(ds, [0.8, 0.2]); */
export function randomSplit<T>(dataset: DatasetLike<T>, lengths: number[]): Subset<T>[] {
  const n = dataset.length;
  if (!Array.isArray(lengths) || lengths.length === 0) throw new Error(`randomSplit: expected an array of lengths or fractions`);
  let sizes: number[];
  const total = lengths.reduce((a, b) => a + b, 0);
  if (lengths.every((l) => l >= 0 && l <= 1) && Math.abs(total - 1) < 1e-9 && total !== n) {
    // fractions: floor each, then hand out the remainder one by one (PyTorch's rule)
    sizes = lengths.map((f) => Math.floor(n * f));
    const rest = n - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; i < rest; i++) sizes[i % sizes.length]++;
  } else {
    if (!lengths.every((l) => Number.isInteger(l) && l >= 0))
      throw new Error(`randomSplit: lengths must be non-negative integers or fractions summing to 1, got [${lengths.join(", ")}]`);
    if (total !== n) throw new Error(`randomSplit: sum of input lengths (${total}) does not equal the length of the input dataset (${n})`);
    sizes = lengths;
  }
  const perm = randperm(n).dataSync() as Int32Array;
  const out: Subset<T>[] = [];
  let at = 0;
  for (const s of sizes) {
    out.push(new Subset(dataset, perm.subarray(at, at + s)));
    at += s;
  }
  return out;
}
