// Sorting and set ops: sort argsort topk (differentiable in their values: a gather at the chosen
// indices, so the gradient is scattered back there), nonzero unique (not differentiable).
// Orderings follow PyTorch: NaN counts as larger than every number (last ascending, first descending);
// the sort is always stable (equal elements keep their order, in both directions).

import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "../tensor/autograd.js";
import { fmt, normDim } from "../tensor/shape.js";
import { defineOp } from "./registry.js";
import { checkTensor } from "./util.js";
import { checkOptions } from "../tensor/options.js";

const SORT_KEYS = ["dim", "descending", "stable"] as const;
const TOPK_KEYS = ["dim", "largest", "sorted"] as const;
const NONZERO_KEYS = ["asTuple"] as const;
const UNIQUE_KEYS = ["sorted", "returnInverse", "returnCounts", "dim"] as const;
import { gather, indexSelect } from "./indexing.js";
import { clone, contiguous, reshape, transpose } from "./shape.js";

/** { values, indices } of sort / topk, also destructurable as [values, indices] (torch returns a tuple). */
export type SortResult = {
  /** The sorted (or top k) values. */
  values: Tensor;
  /** Their int32 indices along dim in the input. */
  indices: Tensor;
} & Iterable<Tensor>;

function pair(values: Tensor, indices: Tensor): SortResult {
  const r = { values, indices };
  Object.defineProperty(r, Symbol.iterator, { value: function* () { yield values; yield indices; }, enumerable: false });
  return r as SortResult;
}

/** Ascending order with NaN after everything (PyTorch's order). */
function ascending(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const na = a !== a, nb = b !== b;
  return na === nb ? 0 : na ? 1 : -1;
}

/** int32 indices that sort x along dim d (stable), laid out as x with dim d last, for the first k
 *  positions of each row (k = the dim's size for a full sort). */
function sortIndices(x: Tensor, d: number, descending: boolean, k: number): Tensor {
  const last = x.ndim - 1;
  const xt = d === last ? x : transpose(x, d, last);
  const v = noGrad(() => xt.dataSync());
  const n = x.shape[d];
  const rows = n === 0 ? 0 : v.length / n;
  const out = new Int32Array(rows * k);
  const idx = new Array<number>(n);
  const cmp = descending ? (i: number, j: number) => ascending(row[j], row[i]) || i - j : (i: number, j: number) => ascending(row[i], row[j]) || i - j;
  let row = v.subarray(0, 0);
  if (k > 0 && k <= 64 && k * 4 <= n) {
    // a few of many (topk): keep the best k in a sorted buffer, one pass over the row; an element
    // enters only when strictly better than the current k-th, so equal values keep index order
    const bv = new Float64Array(k), bi = new Int32Array(k);
    const better = descending ? (a: number, b: number) => ascending(b, a) < 0 : (a: number, b: number) => ascending(a, b) < 0;
    for (let r = 0; r < rows; r++) {
      row = v.subarray(r * n, (r + 1) * n);
      let m = 0;
      for (let i = 0; i < n; i++) {
        const x = row[i];
        if (m === k && !better(x, bv[k - 1])) continue;
        let j = m < k ? m++ : k - 1;
        while (j > 0 && better(x, bv[j - 1])) {
          bv[j] = bv[j - 1];
          bi[j] = bi[j - 1];
          j--;
        }
        bv[j] = x;
        bi[j] = i;
      }
      out.set(bi, r * k);
    }
  } else
  for (let r = 0; r < rows; r++) {
    row = v.subarray(r * n, (r + 1) * n);
    for (let i = 0; i < n; i++) idx[i] = i;
    idx.sort(cmp);
    for (let i = 0; i < k; i++) out[r * k + i] = idx[i];
  }
  const shape = xt.shape.slice();
  shape[last] = k;
  const t = new Tensor(out, shape, "int32");
  return d === last ? t : contiguous(transpose(t, d, last));
}

/** Options of sort / argsort (torch.sort's keyword arguments). */
export interface SortOptions {
  /** The dim to sort along (default -1). */
  dim?: number;
  /** Largest first (default false). */
  descending?: boolean;
  /** Accepted for PyTorch compatibility: the sort is always stable. */
  stable?: boolean;
}

/** sort(x, { dim = -1, descending = false, stable }) -> { values, indices } (int32), as torch.sort.
 *  Stable always: equal elements keep their order. d values/dx: the gradient goes back to the
 *  position each value came from.
 *  @example const { values, indices } = dt.sort(x, { descending: true }); */
export const sort = defineOp("sort", (x: Tensor, opts: SortOptions = {}): SortResult => {
  checkTensor("sort", x);
  opts = checkOptions("dt.sort", opts, SORT_KEYS, 2);
  const { descending = false } = opts ?? {};
  if (x.ndim === 0) return pair(clone(x), new Tensor(new Int32Array(1), [], "int32"));
  const d = normDim("sort", opts?.dim ?? -1, x.ndim, x.shape);
  const indices = sortIndices(x, d, descending, x.shape[d]);
  return pair(gather(x, d, indices), indices);
});

/** argsort(x, { dim = -1, descending = false, stable }): the int32 indices of sort. */
export const argsort = defineOp(
  "argsort",
  (x: Tensor, opts: SortOptions = {}): Tensor => {
    checkTensor("argsort", x);
    opts = checkOptions("dt.argsort", opts, SORT_KEYS, 2);
    if (x.ndim === 0) return new Tensor(new Int32Array(1), [], "int32");
    const d = normDim("argsort", opts?.dim ?? -1, x.ndim, x.shape);
    return sortIndices(x, d, opts?.descending ?? false, x.shape[d]);
  },
  { differentiable: false },
);

/** Options of topk (torch.topk's keyword arguments). */
export interface TopkOptions {
  /** The dim to search (default -1). */
  dim?: number;
  /** The k largest (default true) or the k smallest. */
  largest?: boolean;
  /** Accepted for PyTorch compatibility: the result is always sorted (largest first, or smallest first). */
  sorted?: boolean;
}

/** topk(x, k, { dim = -1, largest = true, sorted = true }) -> { values, indices } (int32), as torch.topk.
 *  Among equal values the lower index comes first (PyTorch leaves that order unspecified).
 *  @example const { values, indices } = logits.topk(5); */
export const topk = defineOp("topk", (x: Tensor, k: number, opts: TopkOptions = {}): SortResult => {
  checkTensor("topk", x);
  opts = checkOptions("dt.topk", opts, TOPK_KEYS, 3);
  if (typeof k !== "number" || !Number.isInteger(k) || k < 0) throw new Error(`topk: k must be a non-negative integer, got ${String(k)} (input shape ${fmt(x.shape)})`);
  const largest = opts?.largest ?? true;
  if (x.ndim === 0) {
    if (k > 1) throw new Error(`topk: k = ${k} is larger than the 1 element of a 0-d tensor`);
    const i = new Tensor(new Int32Array(k), k === 0 ? [0] : [], "int32");
    return k === 0 ? pair(gather(reshape(x, [1]), 0, i), i) : pair(clone(x), i);
  }
  const d = normDim("topk", opts?.dim ?? -1, x.ndim, x.shape);
  if (k > x.shape[d]) throw new Error(`topk: k = ${k} is larger than dim ${d} of size ${x.shape[d]} (input shape ${fmt(x.shape)})`);
  const indices = sortIndices(x, d, largest, k);
  return pair(gather(x, d, indices), indices);
});

/** nonzero(x) -> int32 [N, ndim]: the indices of the non-zero elements in row-major order (NaN counts
 *  as non-zero); nonzero(x, { asTuple: true }) -> one 1-D int32 tensor per dim, as torch.nonzero. */
function nonzeroImpl(x: Tensor): Tensor;
function nonzeroImpl(x: Tensor, opts: { asTuple: true }): Tensor[];
function nonzeroImpl(x: Tensor, opts?: { asTuple?: boolean }): Tensor | Tensor[];
function nonzeroImpl(x: Tensor, opts: { asTuple?: boolean } = {}): Tensor | Tensor[] {
  checkTensor("nonzero", x);
  opts = checkOptions("dt.nonzero", opts, NONZERO_KEYS, 2);
  const v = x.dataSync();
  const nd = x.ndim, shape = x.shape;
  let count = 0;
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) count++;
  const out = new Int32Array(count * nd);
  const pos = new Array<number>(nd).fill(0);
  let w = 0;
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== 0) for (let k = 0; k < nd; k++) out[w++] = pos[k];
    for (let k = nd - 1; k >= 0; k--) {
      if (++pos[k] < shape[k]) break;
      pos[k] = 0;
    }
  }
  if (opts?.asTuple) {
    if (nd === 0) return [new Tensor(new Int32Array(count), [count], "int32")];
    const cols: Tensor[] = [];
    for (let k = 0; k < nd; k++) {
      const c = new Int32Array(count);
      for (let i = 0; i < count; i++) c[i] = out[i * nd + k];
      cols.push(new Tensor(c, [count], "int32"));
    }
    return cols;
  }
  return new Tensor(out, [count, nd], "int32");
}
/** nonzero(x) -> int32 [N, ndim] indices of the non-zero elements (NaN counts as non-zero);
 *  { asTuple: true }: one 1-D int32 tensor per dim, as torch.nonzero. Not differentiable.
 *  @example const [rows, cols] = dt.nonzero(mask, { asTuple: true }); */
export const nonzero = defineOp("nonzero", nonzeroImpl, { differentiable: false });

/** Options of unique (torch.unique's keyword arguments). */
export interface UniqueOptions {
  /** Accepted for PyTorch compatibility: the values always come out sorted ascending (PyTorch leaves the
   *  order unspecified when false). */
  sorted?: boolean;
  /** Also return `inverse`: for each input element (or slice along dim) the index of its value in `values`. */
  returnInverse?: boolean;
  /** Also return `counts`: how often each value occurs. */
  returnCounts?: boolean;
  /** Unique slices along this dim instead of unique elements of the flattened input. */
  dim?: number | null;
}

/** What unique returns when returnInverse or returnCounts is set; destructures in PyTorch's tuple
 *  order ([values, inverse?, counts?], only the requested ones). */
export type UniqueResult<I extends boolean = boolean, C extends boolean = boolean> = {
  /** The sorted distinct values (or slices along dim). */
  values: Tensor;
} & (I extends true ? {
  /** int32, the input's shape (or [size of dim]): the index in values of each element (or slice). */
  inverse: Tensor;
} : {
  /** int32, the input's shape (or [size of dim]): the index in values of each element (or slice); only with returnInverse. */
  inverse?: Tensor;
}) & (C extends true ? {
  /** int32 [number of values]: how often each value occurs. */
  counts: Tensor;
} : {
  /** int32 [number of values]: how often each value occurs; only with returnCounts. */
  counts?: Tensor;
}) & Iterable<Tensor>;

/** unique(x, { sorted = true, returnInverse = false, returnCounts = false, dim }), as torch.unique:
 *  the sorted distinct values of x (flattened unless dim is given, then the distinct slices along dim).
 *  Returns the values tensor alone, or `{ values, inverse?, counts? }` (int32 inverse and counts) when a
 *  flag is set. Not differentiable.
 *  @example const { values, counts } = dt.unique(labels, { returnCounts: true }); */
function uniqueImpl(x: Tensor, opts?: UniqueOptions & { returnInverse?: false; returnCounts?: false }): Tensor;
function uniqueImpl(x: Tensor, opts: UniqueOptions & { returnInverse: true; returnCounts: true }): UniqueResult<true, true>;
function uniqueImpl(x: Tensor, opts: UniqueOptions & { returnInverse: true }): UniqueResult<true, false>;
function uniqueImpl(x: Tensor, opts: UniqueOptions & { returnCounts: true }): UniqueResult<false, true>;
function uniqueImpl(x: Tensor, opts?: UniqueOptions): Tensor | UniqueResult;
function uniqueImpl(x: Tensor, opts: UniqueOptions = {}): Tensor | UniqueResult {
  checkTensor("unique", x);
  const o = checkOptions("dt.unique", opts, UNIQUE_KEYS, 2);
  return noGrad(() => {
    let values: Tensor, inverse: Tensor, counts: Tensor;
    if (o.dim === undefined || o.dim === null) {
      const v = x.dataSync();
      const n = v.length;
      const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => ascending(v[i], v[j]) || i - j);
      const vals: number[] = [], cnt: number[] = [];
      const inv = new Int32Array(n);
      for (let r = 0; r < n; r++) {
        const i = order[r];
        if (r === 0 || v[i] !== v[order[r - 1]]) {
          vals.push(v[i]);
          cnt.push(0);
        }
        cnt[cnt.length - 1]++;
        inv[i] = vals.length - 1;
      }
      const V = new (v.constructor as new (a: number[]) => typeof v)(vals);
      values = new Tensor(V, [vals.length], x.dtype);
      inverse = new Tensor(inv, x.shape.slice(), "int32");
      counts = new Tensor(Int32Array.from(cnt), [cnt.length], "int32");
    } else {
      if (x.ndim === 0) throw new Error(`unique: dim ${o.dim} given for a 0-d tensor`);
      const d = normDim("unique", o.dim, x.ndim, x.shape);
      const n = x.shape[d];
      const v = (d === 0 ? x : transpose(x, 0, d)).dataSync();
      const m = n === 0 ? 0 : v.length / n;
      const cmpRows = (i: number, j: number): number => {
        for (let t = 0; t < m; t++) {
          const c = ascending(v[i * m + t], v[j * m + t]);
          if (c) return c;
        }
        return 0;
      };
      const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => cmpRows(i, j) || i - j);
      const first: number[] = [], cnt: number[] = [];
      const inv = new Int32Array(n);
      for (let r = 0; r < n; r++) {
        const i = order[r];
        if (r === 0 || cmpRows(i, order[r - 1]) !== 0) {
          first.push(i);
          cnt.push(0);
        }
        cnt[cnt.length - 1]++;
        inv[i] = first.length - 1;
      }
      values = contiguous(indexSelect(x.detach(), d, new Tensor(Int32Array.from(first), [first.length], "int32")));
      inverse = new Tensor(inv, [n], "int32");
      counts = new Tensor(Int32Array.from(cnt), [cnt.length], "int32");
    }
    if (!o.returnInverse && !o.returnCounts) return values;
    const r: { values: Tensor; inverse?: Tensor; counts?: Tensor } = { values };
    const seq = [values];
    if (o.returnInverse) seq.push((r.inverse = inverse));
    if (o.returnCounts) seq.push((r.counts = counts));
    Object.defineProperty(r, Symbol.iterator, { value: function* () { yield* seq; }, enumerable: false });
    return r as UniqueResult;
  });
}
/** unique(x, { sorted = true, returnInverse = false, returnCounts = false, dim }) -> the sorted distinct
 *  values, or { values, inverse?, counts? } when a flag is set, as torch.unique. Not differentiable.
 *  @example const { values, counts } = dt.unique(labels, { returnCounts: true }); */
export const unique = defineOp("unique", uniqueImpl, { differentiable: false });
