// Placing operands in wasm memory for a kernel call: a view on the tensor heap is used where it is;
// any other is copied into the call's arena (with 64 bytes of slack after it: vector loops may read
// up to 3 floats past a row). Shared by the wasm backend's kernels (index.ts, conv.ts).

import type { View } from "../backend.js";
import { isContig, jsBackend, offsets } from "../js/index.js";
import { alloc, F32, I32, inMemory } from "./runtime.js";

export function numel(shape: number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

export function contiguousStrides(shape: number[]): number[] {
  const s: number[] = new Array(shape.length);
  let acc = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    s[d] = acc;
    acc *= shape[d];
  }
  return s;
}

export interface Placed {
  /** Byte address of the view's first element in wasm memory. */
  ptr: number;
  strides: number[];
}

/** Copies the storage span a float32 view covers into wasm memory (keeping its strides), or, when
 *  that span is much larger than the view, the view's elements contiguously. */
export function place(v: View): Placed {
  const nd = v.shape.length;
  let lo = v.offset, hi = v.offset, n = 1;
  for (let d = 0; d < nd; d++) {
    const ext = (v.shape[d] - 1) * v.strides[d];
    n *= v.shape[d];
    if (ext < 0) lo += ext;
    else hi += ext;
  }
  if (n === 0) return { ptr: alloc(64), strides: v.strides.slice() };
  if (inMemory(v.storage)) return { ptr: v.storage.byteOffset + v.offset * 4, strides: v.strides.slice() };
  const span = hi - lo + 1;
  if (span <= 4 * n + 64) {
    const p = alloc(span * 4 + 64);
    F32().set((v.storage as Float32Array).subarray(lo, hi + 1), p >> 2);
    return { ptr: p + (v.offset - lo) * 4, strides: v.strides.slice() };
  }
  const p = alloc(n * 4 + 64);
  const strides = contiguousStrides(v.shape);
  const inner = v.shape[nd - 1];
  if (v.strides[nd - 1] === 1 && inner >= 16) {
    // rows contiguous (a slice or chunk along an outer dim): one memcpy per row
    const src = v.storage as Float32Array, dst = F32();
    const outer = offsets(v.shape.slice(0, -1), v.strides.slice(0, -1), v.offset);
    let o = p >> 2;
    for (let r = 0; r < outer.length; r++, o += inner) dst.set(src.subarray(outer[r], outer[r] + inner), o);
    return { ptr: p, strides };
  }
  jsBackend.copy(v, { storage: F32(), shape: v.shape, strides, offset: p >> 2, dtype: "float32" });
  return { ptr: p, strides };
}

/** Copies a float32 (or int32, into the I32 view) view into wasm memory as a dense row-major array
 *  (a contiguous view on the heap is used where it is); returns the byte address of element 0. */
export function placeContig(v: View, int = false): number {
  const n = numel(v.shape);
  if (isContig(v) && inMemory(v.storage)) return v.storage.byteOffset + v.offset * 4;
  const p = alloc(n * 4 + 64);
  const mem = int ? I32() : F32();
  if (isContig(v)) mem.set((v.storage as Float32Array | Int32Array).subarray(v.offset, v.offset + n), p >> 2);
  else jsBackend.copy(v, { storage: mem, shape: v.shape, strides: contiguousStrides(v.shape), offset: p >> 2, dtype: v.dtype });
  return p;
}
