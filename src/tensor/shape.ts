// Shapes, strides, broadcasting and dim normalisation, with the error messages users see.

export type Shape = number[];

export function fmt(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Broadcast two shapes as NumPy/PyTorch do; throws naming the op. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): number[] {
  if (shapesEqual(a, b)) return a as number[];
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else
      throw new Error(
        `${op}: shapes ${fmt(a)} and ${fmt(b)} cannot be broadcast: dim ${i - n} is ${da} vs ${db} (expected equal sizes or 1)`,
      );
  }
  return out;
}

/** Normalises a possibly negative dim against ndim; throws naming the op. */
export function normDim(op: string, dim: number, ndim: number, shape?: readonly number[]): number {
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi)
    throw new Error(
      `${op}: dim ${dim} out of range for a ${ndim}-d tensor${shape ? " of shape " + fmt(shape) : ""} (expected a dim in [${lo}, ${hi}])`,
    );
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/** Normalises a dim list (undefined or [] = every dim), sorted and unique. */
export function normDims(op: string, dims: number | number[] | undefined | null, ndim: number, shape?: readonly number[]): number[] {
  if (dims === undefined || dims === null || (Array.isArray(dims) && dims.length === 0)) {
    const all = new Array<number>(ndim);
    for (let i = 0; i < ndim; i++) all[i] = i;
    return all;
  }
  const list = Array.isArray(dims) ? dims : [dims];
  const out = list.map((d) => normDim(op, d, ndim, shape));
  const sorted = [...new Set(out)].sort((x, y) => x - y);
  if (sorted.length !== out.length) throw new Error(`${op}: dim ${JSON.stringify(list)} repeats a dim`);
  if (ndim === 0) return [];
  return sorted;
}

/** Accepts `f(2, 3)` and `f([2, 3])` alike. */
export function varArgs(args: (number | number[])[]): number[] {
  if (args.length === 1 && Array.isArray(args[0])) return [...args[0]];
  return args as number[];
}

export function checkShape(op: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) throw new Error(`${op}: shape must be an array of non-negative integers, got ${String(shape)}`);
  for (const d of shape)
    if (!Number.isInteger(d) || d < 0)
      throw new Error(`${op}: shape ${JSON.stringify(shape)} has an invalid size ${d} (expected non-negative integers)`);
  return shape as number[];
}
