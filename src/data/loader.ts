// DataLoader and default collate, as torch.utils.data.DataLoader / default_collate.
// Batches come in order or shuffled by the global generator (reproducible after dt.manualSeed; a
// fresh permutation each epoch). `for ... of` builds batches on demand; `for await` also awaits
// async datasets and prepares batch i+1 while batch i is being used.

import { checkOptions } from "../tensor/options.js";
import { Tensor } from "../tensor/tensor.js";
import { stack } from "../ops/shape.js";
import { tensor } from "../ops/creation.js";
import { randperm } from "../ops/creation.js";
import { TensorDataset, Subset, takeRows, type DatasetLike } from "./dataset.js";

/** Runs f on the next turn of the event loop (setImmediate in Node, a 0 ms timer in browsers). */
const soon: (f: () => void) => void = typeof setImmediate === "function" ? (f) => setImmediate(f) : (f) => setTimeout(f, 0);

/** Merges a list of items into a batch:
 *  tensors -> stacked along a new dim 0; numbers -> int32 tensor when all are integers, else float32;
 *  booleans -> bool tensor; strings -> the array as is; arrays (tuples) and plain objects -> the same
 *  structure with each position / key collated. */
export function defaultCollate<T>(batch: T[]): Collated<T>;
export function defaultCollate(batch: unknown[]): unknown {
  if (!Array.isArray(batch) || batch.length === 0) throw new Error(`defaultCollate: expected a non-empty array of items`);
  const first = batch[0];
  if (first instanceof Tensor) {
    for (let i = 1; i < batch.length; i++)
      if (!(batch[i] instanceof Tensor)) throw new Error(`defaultCollate: item ${i} is not a Tensor while item 0 is`);
    return stack(batch as Tensor[], 0);
  }
  if (typeof first === "number") {
    if (!batch.every((v) => typeof v === "number")) throw new Error(`defaultCollate: mixed numbers and other values in a batch`);
    const ints = (batch as number[]).every((v) => Number.isInteger(v) && v >= -2147483648 && v <= 2147483647);
    return tensor(batch as number[], { dtype: ints ? "int32" : "float32" });
  }
  if (typeof first === "boolean") return tensor(batch as boolean[], { dtype: "bool" });
  if (typeof first === "string") return batch;
  if (Array.isArray(first)) {
    const n = first.length;
    for (let i = 1; i < batch.length; i++) {
      const it = batch[i];
      if (!Array.isArray(it) || it.length !== n)
        throw new Error(`defaultCollate: each item in the batch should have the same length: item 0 has ${n}, item ${i} has ${Array.isArray(it) ? it.length : typeof it}`);
    }
    return Array.from({ length: n }, (_, k) => defaultCollate(batch.map((it) => (it as unknown[])[k])));
  }
  if (first !== null && typeof first === "object" && Object.getPrototypeOf(first) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(first)) out[k] = defaultCollate(batch.map((it, i) => {
      if (it === null || typeof it !== "object" || !(k in it)) throw new Error(`defaultCollate: item ${i} has no key '${k}' (item 0 has it)`);
      return (it as Record<string, unknown>)[k];
    }));
    return out;
  }
  throw new Error(`defaultCollate: batch must contain tensors, numbers, booleans, strings, arrays or plain objects; found ${first === null ? "null" : typeof first === "object" ? (first as object).constructor?.name ?? "object" : typeof first}`);
}

/** The type of defaultCollate's batch of items of type T: tensors, numbers and booleans become a
 *  Tensor, strings a string[] (an async dataset's promises are awaited first), tuples and plain objects keep their shape with each entry collated. */
export type Collated<T> = T extends PromiseLike<infer U> ? Collated<U> // an async dataset's items
  : T extends Tensor ? Tensor
  : T extends number | boolean ? Tensor
  : T extends string ? string[]
  : T extends readonly unknown[] ? { -readonly [K in keyof T]: Collated<T[K]> }
  : T extends object ? { [K in keyof T]: Collated<T[K]> }
  : unknown;

/** Options of DataLoader. */
export interface DataLoaderOptions<T, B> {
  /** Items per batch (default 1). */
  batchSize?: number;
  /** Reshuffle the items at the start of every epoch (default false). */
  shuffle?: boolean;
  /** Drop the last batch when it is smaller than batchSize (default false). */
  dropLast?: boolean;
  /** Merges a list of items into a batch (default defaultCollate). */
  collate?: (items: T[]) => B;
  /** PyTorch's name for `collate`. */
  collateFn?: (items: T[]) => B;
}
const DATA_LOADER_KEYS = ["batchSize", "shuffle", "dropLast", "collate", "collateFn"] as const;

/** Batches of a dataset, iterable with `for ... of` and `for await`.
 *  @example
 *  const loader = new dt.data.DataLoader(new dt.data.TensorDataset(x, y), { batchSize: 32, shuffle: true });
 *  for (const [xb, yb] of loader) { ... } */
export class DataLoader<T = unknown, B = Collated<T>> implements Iterable<B>, AsyncIterable<B> {
  /** The dataset batches are drawn from. */
  readonly dataset: DatasetLike<T>;
  /** Items per batch. */
  readonly batchSize: number;
  /** Whether each epoch draws a new random order. */
  readonly shuffle: boolean;
  /** Whether a last, smaller batch is dropped. */
  readonly dropLast: boolean;
  /** Merges a list of items into a batch. */
  readonly collate: (items: T[]) => B;
  private readonly customCollate: boolean;

  constructor(dataset: DatasetLike<T>, opts: DataLoaderOptions<T, B> = {}) {
    if (dataset === null || typeof dataset !== "object" || typeof dataset.get !== "function" || typeof dataset.length !== "number")
      throw new Error(`DataLoader: dataset must have a numeric length and a get(i) method`);
    opts = checkOptions("DataLoader", opts, DATA_LOADER_KEYS, 2);
    const { batchSize = 1, shuffle = false, dropLast = false } = opts;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`DataLoader: batchSize should be a positive integer, got ${batchSize}`);
    this.dataset = dataset;
    this.batchSize = batchSize;
    this.shuffle = !!shuffle;
    this.dropLast = !!dropLast;
    const c = opts.collate ?? opts.collateFn;
    this.customCollate = c !== undefined;
    this.collate = c ?? (defaultCollate as (items: T[]) => B);
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.length;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** The dataset indices of each batch of one epoch (drawing the shuffle now). */
  batchIndices(): Int32Array[] {
    const n = this.dataset.length;
    let order: Int32Array;
    if (this.shuffle) order = randperm(n).dataSync() as Int32Array;
    else {
      order = new Int32Array(n);
      for (let i = 0; i < n; i++) order[i] = i;
    }
    const out: Int32Array[] = [];
    for (let b = 0; b < this.length; b++) out.push(order.subarray(b * this.batchSize, Math.min(n, (b + 1) * this.batchSize)));
    return out;
  }

  /** Batch of the given indices, whole rows at once for a TensorDataset (or a Subset of one). */
  private fastBatch(indices: Int32Array): B | undefined {
    if (this.customCollate) return undefined;
    let ds: DatasetLike<T> = this.dataset;
    let idx: ArrayLike<number> = indices;
    while (ds instanceof Subset) {
      const map = (ds as Subset<T>).indices;
      const n = (ds as Subset<T>).dataset.length;
      idx = Array.from(idx, (i) => (map[i] < 0 ? map[i] + n : map[i]));
      ds = (ds as Subset<T>).dataset;
    }
    if (ds instanceof TensorDataset) return ds.getBatch(idx) as B;
    return undefined;
  }

  private buildSync(indices: Int32Array): B {
    const fast = this.fastBatch(indices);
    if (fast !== undefined) return fast;
    const items: T[] = [];
    for (const i of indices) {
      const item = this.dataset.get(i);
      if (item instanceof Promise)
        throw new Error(`DataLoader: the dataset's get() returned a Promise; iterate with 'for await (const batch of loader)'`);
      items.push(item);
    }
    return this.collate(items);
  }

  private async buildAsync(indices: Int32Array): Promise<B> {
    const fast = this.fastBatch(indices);
    if (fast !== undefined) return fast;
    const items = await Promise.all(Array.from(indices, (i) => this.dataset.get(i)));
    return this.collate(items as T[]);
  }

  /** The batches of one epoch, built on demand (`for ... of`; a sync dataset only). */
  *[Symbol.iterator](): Iterator<B> {
    for (const indices of this.batchIndices()) yield this.buildSync(indices);
  }

  /** The batches of one epoch (`for await`), the next one prepared while the current one is used. */
  async *[Symbol.asyncIterator](): AsyncIterator<B> {
    const batches = this.batchIndices();
    // batch i+1 is started (on the next turn of the event loop) before batch i is handed out,
    // so async loading and collation overlap with the work done on batch i
    const start = (b: number): Promise<B> => {
      const p = new Promise<B>((resolve, reject) => soon(() => this.buildAsync(batches[b]).then(resolve, reject)));
      p.catch(() => undefined); // a consumer that stops early must not leave an unhandled rejection
      return p;
    };
    let next = batches.length > 0 ? start(0) : null;
    for (let b = 0; b < batches.length; b++) {
      const current = await next!;
      next = b + 1 < batches.length ? start(b + 1) : null;
      yield current;
    }
  }
}
