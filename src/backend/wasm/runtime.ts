// Loads the WebAssembly kernels synchronously at import (so `import * as dt` just works), over one
// shared WebAssembly.Memory that worker threads instantiate too. Relaxed SIMD is used when the
// runtime accepts it (Node 20 needs --experimental-wasm-relaxed-simd, which can be set at run time
// before compiling); otherwise the plain-SIMD module. Any failure leaves `runtime` null and the
// backend falls back to the reference one.
//
// Memory is managed from JS with a bump arena: each kernel call resets it, places its operands,
// outputs and per-thread scratch, runs, and copies the result out. Nothing is kept in between.

import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";

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

// ---- arena -----------------------------------------------------------------------------------

let top = BASE;
let capacity = runtime ? runtime.memory.buffer.byteLength : 0;
let f32 = runtime ? new Float32Array(runtime.memory.buffer) : new Float32Array(0);
let i32 = runtime ? new Int32Array(runtime.memory.buffer) : new Int32Array(0);
let u8 = runtime ? new Uint8Array(runtime.memory.buffer) : new Uint8Array(0);

/** Starts a new kernel call: everything allocated before is free again. */
export function reset(): void {
  top = BASE;
}

/** Reserves `bytes` (64-byte aligned) and returns the byte address; grows memory when needed.
 *  Views from F32()/I32() taken before an alloc may be stale: take them after allocating. */
export function alloc(bytes: number): number {
  const p = top;
  top = p + Math.ceil(bytes / 64) * 64;
  if (top > capacity) {
    if (top > MAX_PAGES * PAGE - PAGE) throw new RangeError(`wasm backend: a kernel needs ${top} bytes of memory, more than the 4 GiB of wasm32`);
    const mem = runtime!.memory;
    mem.grow(Math.ceil((top - capacity) / PAGE));
    capacity = mem.buffer.byteLength;
    f32 = new Float32Array(mem.buffer);
    i32 = new Int32Array(mem.buffer);
    u8 = new Uint8Array(mem.buffer);
  }
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
