// Loads the WebAssembly kernels synchronously at import (so `import * as dt` just works), over one
// shared WebAssembly.Memory that worker threads instantiate too. Relaxed SIMD is used when the
// runtime accepts it (Node 20 needs --experimental-wasm-relaxed-simd, which can be set at run time
// before compiling); otherwise the plain-SIMD module. Any failure leaves `runtime` null and the
// backend falls back to the reference one.
//
// Memory is managed from JS in two regions. The arena (the first ARENA_BYTES) is bump-allocated per
// kernel call: operands that live elsewhere are copied in, scratch is placed, and nothing is kept
// after the call. Above it, the tensor heap holds float32 tensor storage itself (see heapF32):
// kernels read such operands in place and write their results straight into new heap blocks, so
// nothing is copied in or out. Heap blocks are freed when their typed array is garbage collected,
// in a loop that awaits and in one that never yields alike (see "tensor heap" below).

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { totalmem } from "node:os";
import { createContext, runInNewContext, Script } from "node:vm";

export interface WasmExports {
  sgemmScratchBytes(): number;
  sgemm(...args: number[]): void;
  sgemmBatched(...args: number[]): void;
  [name: string]: (...args: number[]) => number | void;
}

export interface Runtime {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  exports: WasmExports;
  /** Names of the exported functions, in a fixed order shared with the workers. */
  fnNames: string[];
  relaxed: boolean;
}

const PAGE = 65536;
/** Arena start: the first page is left to the module's own statics. */
const BASE = PAGE;
const MAX_PAGES = 65536;

function findWasm(file: string): string | null {
  const here = dirname(fileURLToPath(import.meta.url));
  // src/backend/wasm/ (tsx) or dist/backend/wasm/ (compiled; the .wasm stays in src/)
  for (const p of [join(here, "gen", file), join(here, "../../../src/backend/wasm/gen", file)]) if (existsSync(p)) return p;
  return null;
}

function load(): Runtime | null {
  try {
    if (typeof WebAssembly === "undefined" || typeof SharedArrayBuffer === "undefined") return null;
    const plainPath = findWasm("kernels-simd.wasm"), relaxedPath = findWasm("kernels-relaxed.wasm");
    let module: WebAssembly.Module | null = null;
    let relaxed = false;
    if (relaxedPath) {
      const bytes = readFileSync(relaxedPath);
      if (!WebAssembly.validate(bytes)) {
        try {
          setFlagsFromString("--experimental-wasm-relaxed-simd");
        } catch {
          /* flag unknown: keep plain SIMD */
        }
      }
      if (WebAssembly.validate(bytes)) {
        try {
          module = new WebAssembly.Module(bytes);
          relaxed = true;
        } catch {
          module = null;
        }
      }
    }
    if (!module && plainPath) module = new WebAssembly.Module(readFileSync(plainPath));
    if (!module) return null;
    const memory = new WebAssembly.Memory({ initial: 64, maximum: MAX_PAGES, shared: true });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    const fnNames = WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
    return { module, memory, exports: instance.exports as unknown as WasmExports, fnNames, relaxed };
  } catch {
    return null;
  }
}

export const runtime: Runtime | null = load();

// ---- arena ----------------------------------------------------------------------------------

/** The arena's size: kernels needing more scratch than this go to the reference backend. */
const ARENA_BYTES = 1 << 30;
const HEAP_BASE = BASE + ARENA_BYTES;

let top = BASE;
let capacity = runtime ? runtime.memory.buffer.byteLength : 0;
let sab: ArrayBufferLike | null = runtime ? runtime.memory.buffer : null;
/** Every SharedArrayBuffer object the memory has had (one per growth): heap views may hold any. */
const buffers = new WeakSet<object>();
if (sab) buffers.add(sab);
let f32 = runtime ? new Float32Array(runtime.memory.buffer) : new Float32Array(0);
let i32 = runtime ? new Int32Array(runtime.memory.buffer) : new Int32Array(0);
let u8 = runtime ? new Uint8Array(runtime.memory.buffer) : new Uint8Array(0);

function ensure(end: number): void {
  if (end <= capacity) return;
  const mem = runtime!.memory;
  mem.grow(Math.ceil((end - capacity) / PAGE));
  capacity = mem.buffer.byteLength;
  sab = mem.buffer;
  buffers.add(sab);
  f32 = new Float32Array(sab);
  i32 = new Int32Array(sab);
  u8 = new Uint8Array(sab);
}

/** Starts a new kernel call: everything allocated in the arena before is free again. */
export function reset(): void {
  top = BASE;
  outs.clear();
}

/** Reserves `bytes` (64-byte aligned) in the arena and returns the byte address; grows memory when
 *  needed. Views from F32()/I32() taken before an alloc may be stale: take them after allocating. */
export function alloc(bytes: number): number {
  const p = top;
  top = p + Math.ceil(bytes / 64) * 64;
  if (top > HEAP_BASE) throw new RangeError(`wasm backend: a kernel needs ${top - BASE} bytes of scratch memory, more than the ${ARENA_BYTES} of the arena`);
  ensure(top);
  return p;
}

/** Float32 view of the whole memory. */
export function F32(): Float32Array {
  return f32;
}
/** Int32 view of the whole memory. */
export function I32(): Int32Array {
  return i32;
}
/** Byte view of the whole memory. */
export function U8(): Uint8Array {
  return u8;
}

// ---- tensor heap -------------------------------------------------------------------------------
// Blocks are sized in 64-byte steps and recycled by exact size (a training loop asks for the same
// sizes every step), bump-allocated above the arena otherwise. A block is free again once the
// garbage collector has found the typed array over it dead. That is learnt two ways:
// - a FinalizationRegistry callback, which V8 runs only between tasks (a loop that awaits
//   something each step gets its blocks back this way, with no work of ours);
// - a sweep of the blocks' WeakRefs, which works in a loop that never yields: `clearKeptObjects`
//   ends the "current job" for WeakRef purposes (an empty script run in a vm context whose
//   microtasks run after each evaluation does that synchronously), so a collection clears the refs
//   of dead views, and the sweep reads them. The sweep runs when the heap has reached its soft cap
//   with no free block of the size asked for; if the event loop has not turned since the last time
//   (a synchronous stretch: no callback can have come), a full collection is run right there first.
// Heap memory is outside V8's heap, so V8 feels no pressure from it: a collection is also requested
// (run on the next turn of the event loop, concurrently) once COLLECT_MIN bytes have been handed out
// since blocks last came back. V8 only clears dead views from a full collection, not a minor one.
// A forced synchronous collection costs about 2-10 ms (the JS heap's size); the soft cap (128 MiB,
// doubled whenever a collection leaves more than half of it live) keeps them to one every 128 MiB
// of tensors handed out.

/** Smallest tensor (elements) stored on the heap: smaller ones cost little to copy. */
export const HEAP_MIN_ELEMENTS = 16384;
/** The heap's reserved size past which blocks are reclaimed before it grows further (adapts upward). */
const SOFT_CAP = 128 * 2 ** 20;
// (every heap address stays below 2^31, so JS code may turn addresses into indices with >> 2)
const MAX_CAP = Math.min(2 ** 31 - HEAP_BASE - 4 * PAGE, Math.max(512 * 2 ** 20, Math.floor(totalmem() / 16)));
/** Bytes handed out between collection requests. Fewer requests cost memory (dead blocks wait
 *  longer); more cost time (each is a full marking of the JS heap, on the same cores as the kernels). */
const COLLECT_MIN = 128 * 2 ** 20;

/** DEEPTYPE_WASM_HEAP=0: no tensor heap (every operand copied into the arena and results out, as before). */
const HEAP_ON = typeof process === "undefined" || process.env?.DEEPTYPE_WASM_HEAP !== "0";
const freeBySize = new Map<number, number[]>();
const blockSize = new Map<number, number>();
let heapTop = HEAP_BASE;
/** Memory above this has never been handed out (still zero from the memory's growth). */
let highWater = HEAP_BASE;
let returned = false;
let sinceCollect = 0;
let freeBytes = 0;
let collectRequested = false;
let softCap = SOFT_CAP;
let forcedCollections = 0;
let forcedMs = 0;
let sweeps = 0;
/** Kernel outputs placed on the heap during the current call: address -> view. */
const outs = new Map<number, Float32Array>();

/** One handed-out block: a weak reference to its view (the sweep's way of seeing it dead). */
interface Block {
  ref: WeakRef<Float32Array>;
  ptr: number;
  size: number;
}
/** Blocks handed out and not yet known dead. */
const live = new Set<Block>();

const registry = typeof FinalizationRegistry === "function" && typeof WeakRef === "function" ? new FinalizationRegistry<Block>(release) : null;

function release(b: Block): void {
  if (!live.delete(b)) return; // already swept
  returned = true;
  // a collection has just run (ours or one V8 scheduled itself): count the next COLLECT_MIN from here
  sinceCollect = 0;
  addFree(b.ptr, b.size);
}

/** Frees the blocks whose views the collector has cleared; returns the bytes freed. */
function sweep(): number {
  sweeps++;
  sinceSweep = 0;
  clearKeptObjects();
  let freed = 0;
  for (const b of live) {
    if (b.ref.deref() !== undefined) continue;
    live.delete(b);
    registry!.unregister(b);
    addFree(b.ptr, b.size);
    freed += b.size;
  }
  // deref put every live view on the kept list; take them off again so the next collection may clear them
  clearKeptObjects();
  if (freed > 0) {
    returned = true;
    sinceCollect = 0;
  }
  return freed;
}

let keptCtx: { run(): void } | null | undefined;
/** Ends the current job for WeakRef purposes (ClearKeptObjects): WeakRefs created or read since are no
 *  longer held, so the next collection can clear them. Node runs it at each microtask checkpoint; a
 *  vm context with microtaskMode "afterEvaluate" has one after each script run, synchronously. */
function clearKeptObjects(): void {
  if (keptCtx === undefined) {
    try {
      const ctx = createContext({}, { microtaskMode: "afterEvaluate" });
      const script = new Script("0");
      keptCtx = { run: () => void script.runInContext(ctx) };
    } catch {
      keptCtx = null;
    }
  }
  keptCtx?.run();
}

let gcFn: ((o?: unknown) => void) | null | undefined;
function collector(): ((o?: unknown) => void) | null {
  if (gcFn !== undefined) return gcFn;
  try {
    setFlagsFromString("--expose-gc");
    gcFn = runInNewContext("gc") as (o?: unknown) => void;
  } catch {
    gcFn = null;
  }
  return gcFn;
}

function requestCollect(): void {
  if (collectRequested) return;
  collectRequested = true;
  // at the next turn of the event loop: a collection now would find the caller's temporaries alive
  setImmediate(() => {
    collectRequested = false;
    const gc = collector();
    if (gc) {
      try {
        // incremental and concurrent: costs the main thread little; freed blocks come back in a later task
        gc({ type: "major", execution: "async" });
      } catch {
        /* collections are a hint */
      }
    }
  }).unref();
}

// Whether the event loop has turned since `turned` was last reset: a tick scheduled each time it is asked.
let turned = true;
let tickPending = false;
/** Bytes handed out since watchTurn last reset `turned`. */
let sinceWatch = 0;
/** Bytes handed out since the last sweep. */
let sinceSweep = 0;
function watchTurn(): void {
  turned = false;
  sinceWatch = 0;
  if (tickPending) return;
  tickPending = true;
  setImmediate(() => {
    tickPending = false;
    turned = true;
  }).unref();
}

/** Runs a full collection now and sweeps (a synchronous stretch has reached the soft cap). */
function collectNow(): number {
  const gc = collector();
  if (!gc) return 0;
  clearKeptObjects();
  const t0 = performance.now();
  try {
    gc();
  } catch {
    return 0;
  }
  forcedCollections++;
  forcedMs += performance.now() - t0;
  const freed = sweep();
  // most of the cap still live after a full collection: the working set is that big, let it have room
  const liveBytes = heapTop - HEAP_BASE - freeBytes;
  if (liveBytes > softCap / 2) softCap = Math.min(MAX_CAP, 2 * liveBytes);
  return freed;
}

/** A free block for `bytes` at the soft cap: merged, split, swept or collected; -1 when none is. */
function reclaim(bytes: number): number {
  compact();
  let ptr = take(bytes);
  if (ptr < 0) ptr = takeSplit(bytes);
  if (ptr >= 0 || turned) {
    // the event loop has turned since the last time here: a loop that awaits, whose blocks come back by
    // the registry's callbacks; let the heap grow, and look again next time
    if (ptr < 0) watchTurn();
    return ptr;
  }
  // a synchronous stretch: views may have died in a collection whose callbacks cannot run (V8's own)
  if (sinceSweep >= softCap / 16 && sweep() > 0) {
    compact();
    ptr = take(bytes);
    if (ptr < 0) ptr = takeSplit(bytes);
    if (ptr >= 0) return ptr;
  }
  // ... and once it has handed out a quarter of the cap since it was first here, a full collection now
  // (a loop that awaits each step turns the event loop well before that)
  if (sinceWatch >= softCap / 4) {
    if (collectNow() > 0) {
      compact();
      ptr = take(bytes);
      if (ptr < 0) ptr = takeSplit(bytes);
    }
    watchTurn();
  }
  return ptr;
}

/** A float32 array of n elements on the tensor heap (zero-filled unless `zero` is false), or null
 *  when the heap is full or unavailable. */
export function heapF32(n: number, zero = true): Float32Array | null {
  if (!runtime || !registry || !HEAP_ON) return null;
  // 64 bytes of slack: vector loops may store up to 3 floats past the end of a row
  const bytes = Math.ceil((n * 4) / 64) * 64 + 64;
  let ptr = take(bytes);
  let clean = false;
  if (ptr < 0 && heapTop + bytes - HEAP_BASE > softCap) ptr = reclaim(bytes);
  if (ptr < 0) {
    if (heapTop + bytes - HEAP_BASE > MAX_CAP) {
      requestCollect();
      return null;
    }
    ptr = heapTop;
    try {
      ensure(heapTop + bytes);
    } catch {
      return null;
    }
    heapTop += bytes;
    clean = ptr >= highWater;
    if (heapTop > highWater) highWater = heapTop;
    blockSize.set(ptr, bytes);
  }
  const view = new Float32Array(sab!, ptr, n);
  if (zero && !clean) view.fill(0);
  const b: Block = { ref: new WeakRef(view), ptr, size: bytes };
  live.add(b);
  registry.register(view, b, b);
  sinceCollect += bytes;
  sinceWatch += bytes;
  sinceSweep += bytes;
  if (sinceCollect >= COLLECT_MIN) {
    sinceCollect = 0;
    requestCollect();
  }
  return view;
}

/** A free block of exactly `bytes`, or -1. */
function take(bytes: number): number {
  const list = freeBySize.get(bytes);
  const ptr = list?.pop();
  if (ptr === undefined) return -1;
  freeBytes -= bytes;
  return ptr;
}

/** The first free block larger than `bytes`, split (the rest stays free), or -1. */
function takeSplit(bytes: number): number {
  for (const [size, list] of freeBySize) {
    if (size <= bytes || list.length === 0) continue;
    const ptr = list.pop()!;
    freeBytes -= size;
    blockSize.set(ptr, bytes);
    const rest = ptr + bytes;
    blockSize.set(rest, size - bytes);
    addFree(rest, size - bytes);
    return ptr;
  }
  return -1;
}

function addFree(ptr: number, size: number): void {
  let list = freeBySize.get(size);
  if (!list) freeBySize.set(size, (list = []));
  list.push(ptr);
  freeBytes += size;
}

/** Merges adjacent free blocks and lowers the bump pointer over free blocks at the top. */
function compact(): void {
  const blocks: number[] = [];
  for (const list of freeBySize.values()) for (const p of list) blocks.push(p);
  if (blocks.length === 0) return;
  blocks.sort((a, b) => a - b);
  freeBySize.clear();
  freeBytes = 0;
  const merged: [number, number][] = [];
  for (const p of blocks) {
    const size = blockSize.get(p)!;
    blockSize.delete(p);
    const last = merged[merged.length - 1];
    if (last && last[0] + last[1] === p) last[1] += size;
    else merged.push([p, size]);
  }
  const top = merged[merged.length - 1];
  if (top[0] + top[1] === heapTop) {
    heapTop = top[0];
    merged.pop();
  }
  for (const [p, size] of merged) {
    blockSize.set(p, size);
    addFree(p, size);
  }
}

/** True when the typed array lives in this memory (a heap block): kernels read it in place. */
export function inMemory(a: ArrayBufferView): boolean {
  return a.buffer === sab || buffers.has(a.buffer);
}

/** Room for a kernel's float32 output of n elements: a new heap block when one is free (its address
 *  is returned and takeOut gives the array, no copy), else arena memory that takeOut copies out. */
export function outAlloc(n: number): number {
  if (n >= HEAP_MIN_ELEMENTS) {
    const v = heapF32(n, false);
    if (v) {
      outs.set(v.byteOffset, v);
      return v.byteOffset;
    }
  }
  return alloc(n * 4);
}

/** The n floats a kernel wrote at p (from outAlloc or alloc) as a Float32Array of their own. */
export function takeOut(p: number, n: number): Float32Array {
  const v = outs.get(p);
  if (v && v.length === n) {
    outs.delete(p);
    return v;
  }
  const out = new Float32Array(n);
  out.set(f32.subarray(p >> 2, (p >> 2) + n));
  return out;
}

/** Heap statistics (for tests and the memory script). */
export function heapStats(): { reservedBytes: number; freeBlocks: number; freeBytes: number; returned: boolean; liveBlocks: number; softCapBytes: number; forcedCollections: number; forcedCollectionMs: number; sweeps: number } {
  let freeBlocks = 0;
  for (const l of freeBySize.values()) freeBlocks += l.length;
  return { reservedBytes: heapTop - HEAP_BASE, freeBlocks, freeBytes, returned, liveBlocks: live.size, softCapBytes: softCap, forcedCollections, forcedCollectionMs: Math.round(forcedMs), sweeps };
}
