// The safetensors format, in memory (no file system here, so it also runs in the browser).
// Reference: https://github.com/huggingface/safetensors (README "Format" and safetensors/src/tensor.rs):
//   8 bytes   N, the header size, unsigned little-endian 64-bit
//   N bytes   a UTF-8 JSON object {"__metadata__"?: {string: string}, name: {dtype, shape, data_offsets: [begin, end]}}
//             padded with spaces to a multiple of 8 (as the reference writer does)
//   rest      the tensors' raw little-endian bytes, back to back, offsets relative to the end of the header;
//             written widest dtype first so that each tensor's data is aligned to its element size.
// Written: F32 F64 I32 BOOL (deeptype's dtypes). Read also: F16 BF16 (to float32), I64 U32 (to int32 when
// every value fits, else an error), U8 I8 I16 U16 (to int32).

import { checkOptions } from "../tensor/options.js";
import { Tensor } from "../tensor/tensor.js";
import type { DType, TypedArray } from "../tensor/dtype.js";
import { numelOf } from "../tensor/shape.js";

/** A tensor collection as the functions accept it: a record or a Map of name -> Tensor. */
export type TensorRecord = Record<string, Tensor> | Map<string, Tensor>;

/** String -> string metadata stored under "__metadata__". */
export type Metadata = Record<string, string>;

/** The reference reader's limit on the header size (100 MB). */
const MAX_HEADER_SIZE = 100_000_000;

const WRITE_DTYPE: { [D in DType]: string } = { float32: "F32", float64: "F64", int32: "I32", bool: "BOOL" };

/** Bytes per element of each file dtype we know how to read. */
const FILE_DTYPE_SIZE: Record<string, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, U32: 4, I32: 4, I16: 2, U16: 2, I8: 1, U8: 1, BOOL: 1,
};
/** Dtypes of the spec we recognise but cannot load, for a precise error. */
const KNOWN_UNSUPPORTED = new Set(["U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64", "C128"]);

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One entry of a parsed header. */
export interface TensorInfo {
  /** The tensor's name. */
  name: string;
  /** The file's dtype string ("F32", "I64", ...). */
  dtype: string;
  /** The tensor's shape. */
  shape: number[];
  /** Start of its bytes, relative to the end of the header. */
  begin: number;
  /** End of its bytes (exclusive), relative to the end of the header. */
  end: number;
}

/** Thrown for any malformed or unsupported file; the message names the source and the problem. */
export class SafetensorsError extends Error {
  constructor(source: string, what: string) {
    super(`safetensors: ${source}: ${what}`);
    this.name = "SafetensorsError";
  }
}

function entries(tensors: TensorRecord | { stateDict(): TensorRecord }): [string, Tensor][] {
  if (tensors !== null && typeof tensors === "object" && typeof (tensors as { stateDict?: unknown }).stateDict === "function")
    tensors = (tensors as { stateDict(): TensorRecord }).stateDict();
  if (tensors instanceof Map) return [...tensors.entries()];
  if (tensors === null || typeof tensors !== "object")
    throw new Error(`io.save: expected a record or Map of name -> Tensor, got ${tensors === null ? "null" : typeof tensors}`);
  return Object.entries(tensors);
}

/** Raw little-endian bytes of a tensor's elements (contiguous, row-major). */
function tensorBytes(t: Tensor): Uint8Array {
  const data = t.dataSync();
  if (LITTLE_ENDIAN || t.dtype === "bool") return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.byteLength);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (t.dtype === "float32") dv.setFloat32(i * 4, data[i], true);
    else if (t.dtype === "float64") dv.setFloat64(i * 8, data[i], true);
    else dv.setInt32(i * 4, data[i], true);
  }
  return out;
}

const SAVE_BYTES_KEYS = ["metadata"] as const;
const SOURCE_KEYS = ["source"] as const;

/** Serialises tensors and optional string metadata to safetensors bytes. Tensors are laid out
 *  widest dtype first (float64, then float32 and int32, then bool), in the given order within each
 *  element size, so that each one's data is aligned to its element size; the header follows that order.
 *  @example const bytes = dt.io.saveBytes({ w: dt.ones([2, 2]) }, { metadata: { format: "pt" } }); */
export function saveBytes(tensors: TensorRecord | { stateDict(): TensorRecord }, opts: { metadata?: Metadata } = {}): Uint8Array {
  opts = checkOptions("io.saveBytes", opts, SAVE_BYTES_KEYS, 2);
  const list = entries(tensors);
  // the header is assembled by hand so that entries keep the given order even for names such as "0"
  // (a JS object would move integer-like keys first)
  const parts: string[] = [];
  if (opts.metadata !== undefined) {
    const md = opts.metadata;
    if (md === null || typeof md !== "object" || Array.isArray(md)) throw new Error(`io.save: metadata must be an object of string -> string`);
    for (const [k, v] of Object.entries(md))
      if (typeof v !== "string") throw new Error(`io.save: metadata value for '${k}' must be a string, got ${typeof v} (use JSON.stringify for structured values)`);
    parts.push(`"__metadata__":${JSON.stringify(md)}`);
  }
  const items: { name: string; dtype: string; shape: number[]; t: Tensor }[] = [];
  const seen = new Set<string>();
  for (const [name, t] of list) {
    if (!(t instanceof Tensor)) throw new Error(`io.save: value for '${name}' is not a Tensor (got ${t === null ? "null" : typeof t})`);
    if (name === "__metadata__") throw new Error(`io.save: '__metadata__' is reserved and cannot name a tensor`);
    if (seen.has(name)) throw new Error(`io.save: duplicate tensor name '${name}'`);
    seen.add(name);
    const dtype = WRITE_DTYPE[t.dtype];
    if (dtype === undefined) throw new Error(`io.save: tensor '${name}' has unsupported dtype ${t.dtype}`);
    items.push({ name, dtype, shape: [...t.shape], t });
  }
  // Every tensor's data starts at a multiple of its element size (the data area itself starts at a
  // multiple of 8), so readers can view it in place as a typed array: as the reference writer, the
  // widest dtypes come first. The sort is stable, so tensors of one element size keep the given order
  // (a float32 state dict with int32 buffers is written in order); the header lists the tensors in
  // data order, as the reference writer's does.
  items.sort((a, b) => FILE_DTYPE_SIZE[b.dtype] - FILE_DTYPE_SIZE[a.dtype]);
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const { name, dtype, shape, t } of items) {
    const b = tensorBytes(t);
    parts.push(`${JSON.stringify(name)}:${JSON.stringify({ dtype, shape, data_offsets: [offset, offset + b.byteLength] })}`);
    blobs.push(b);
    offset += b.byteLength;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, padded, true);
  dv.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let pos = 8 + padded;
  for (const b of blobs) {
    out.set(b, pos);
    pos += b.byteLength;
  }
  return out;
}

/** Parses and validates the header of safetensors bytes (throws SafetensorsError naming `source`). */
export function readHeader(bytes: Uint8Array, source = "<bytes>"): {
  /** The tensors' entries, in file order. */
  tensors: TensorInfo[];
  /** The `__metadata__` strings, or null. */
  metadata: Metadata | null;
  /** The byte offset where the tensor data begins. */
  dataStart: number;
} {
  if (!(bytes instanceof Uint8Array)) throw new SafetensorsError(source, `expected a Uint8Array, got ${typeof bytes}`);
  if (bytes.byteLength < 8)
    throw new SafetensorsError(source, `file is ${bytes.byteLength} bytes, too short to hold the 8-byte header length (truncated or not a safetensors file)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(0, true) + dv.getUint32(4, true) * 2 ** 32;
  if (n > MAX_HEADER_SIZE) throw new SafetensorsError(source, `header length ${n} is larger than the 100 MB limit (corrupt or not a safetensors file)`);
  if (8 + n > bytes.byteLength)
    throw new SafetensorsError(source, `header length ${n} runs past the end of the file (${bytes.byteLength} bytes): truncated or not a safetensors file`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError(source, `header is not valid UTF-8`);
  }
  if (!text.startsWith("{")) throw new SafetensorsError(source, `header does not start with '{' (not a safetensors file)`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    throw new SafetensorsError(source, `header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) throw new SafetensorsError(source, `header is not a JSON object`);
  let metadata: Metadata | null = null;
  const tensors: TensorInfo[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (info === null || typeof info !== "object" || Array.isArray(info)) throw new SafetensorsError(source, `__metadata__ is not an object of strings`);
      for (const [k, v] of Object.entries(info))
        if (typeof v !== "string") throw new SafetensorsError(source, `__metadata__ value for '${k}' is not a string`);
      metadata = info as Metadata;
      continue;
    }
    const bad = (what: string) => new SafetensorsError(source, `tensor '${name}': ${what}`);
    if (info === null || typeof info !== "object") throw bad(`header entry is not an object`);
    const { dtype, shape, data_offsets } = info as { dtype: unknown; shape: unknown; data_offsets: unknown };
    if (typeof dtype !== "string") throw bad(`missing or non-string dtype`);
    if (!(dtype in FILE_DTYPE_SIZE)) {
      if (KNOWN_UNSUPPORTED.has(dtype)) throw bad(`dtype ${dtype} is not supported by deeptype`);
      throw bad(`unknown dtype '${dtype}'`);
    }
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0))
      throw bad(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
    if (!Array.isArray(data_offsets) || data_offsets.length !== 2 || !data_offsets.every((s) => Number.isSafeInteger(s) && s >= 0))
      throw bad(`data_offsets must be [begin, end] non-negative integers, got ${JSON.stringify(data_offsets)}`);
    const [begin, end] = data_offsets as number[];
    if (end < begin) throw bad(`data_offsets [${begin}, ${end}] end before they begin`);
    const want = numelOf(shape) * FILE_DTYPE_SIZE[dtype];
    if (end - begin !== want)
      throw bad(`shape [${shape.join(",")}] x ${dtype} needs ${want} bytes but data_offsets [${begin}, ${end}] span ${end - begin}`);
    tensors.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // As the reference validator: sorted by offset, the tensors tile the data area exactly.
  const sorted = [...tensors].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const t of sorted) {
    if (t.begin !== expected)
      throw new SafetensorsError(source, t.begin < expected
        ? `tensor '${t.name}': data_offsets [${t.begin}, ${t.end}] overlap the previous tensor (which ends at ${expected})`
        : `tensor '${t.name}': data_offsets [${t.begin}, ${t.end}] leave a gap after byte ${expected} (tensors must be contiguous)`);
    expected = t.end;
  }
  const dataStart = 8 + n;
  const available = bytes.byteLength - dataStart;
  if (expected > available)
    throw new SafetensorsError(source, `tensor data needs ${expected} bytes after the header but the file has ${available}: truncated`);
  if (expected < available)
    throw new SafetensorsError(source, `file has ${available - expected} bytes after the last tensor (header says ${expected} bytes of data, file has ${available})`);
  return { tensors: sorted, metadata, dataStart };
}

/** Copies bytes [a, b) of `bytes` into a fresh, aligned buffer. */
function copyBytes(bytes: Uint8Array, a: number, b: number): ArrayBuffer {
  const out = new Uint8Array(b - a);
  out.set(bytes.subarray(a, b));
  return out.buffer;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function decodeTensor(bytes: Uint8Array, dataStart: number, info: TensorInfo, source: string): Tensor {
  const a = dataStart + info.begin, b = dataStart + info.end;
  const n = numelOf(info.shape);
  const shape = [...info.shape];
  const dv = new DataView(bytes.buffer, bytes.byteOffset + a, b - a);
  let data: TypedArray, dtype: DType;
  switch (info.dtype) {
    case "F32":
      dtype = "float32";
      if (LITTLE_ENDIAN) data = new Float32Array(copyBytes(bytes, a, b));
      else { data = new Float32Array(n); for (let i = 0; i < n; i++) data[i] = dv.getFloat32(i * 4, true); }
      break;
    case "F64":
      dtype = "float64";
      if (LITTLE_ENDIAN) data = new Float64Array(copyBytes(bytes, a, b));
      else { data = new Float64Array(n); for (let i = 0; i < n; i++) data[i] = dv.getFloat64(i * 8, true); }
      break;
    case "I32":
      dtype = "int32";
      if (LITTLE_ENDIAN) data = new Int32Array(copyBytes(bytes, a, b));
      else { data = new Int32Array(n); for (let i = 0; i < n; i++) data[i] = dv.getInt32(i * 4, true); }
      break;
    case "F16": {
      dtype = "float32";
      data = new Float32Array(n);
      // table of all 65536 halves would be faster; files of F16 weights are rare enough here
      for (let i = 0; i < n; i++) data[i] = halfToFloat(dv.getUint16(i * 2, true));
      break;
    }
    case "BF16": {
      dtype = "float32";
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = dv.getUint16(i * 2, true) << 16;
      data = new Float32Array(bits.buffer);
      break;
    }
    case "I64":
    case "U32": {
      dtype = "int32";
      const out = new Int32Array(n);
      const wide = info.dtype === "I64";
      for (let i = 0; i < n; i++) {
        const lo = dv.getUint32(i * (wide ? 8 : 4), true);
        const hi = wide ? dv.getInt32(i * 8 + 4, true) : 0;
        if (!((hi === 0 && lo < 2 ** 31) || (hi === -1 && lo >= 2 ** 31))) {
          const v = wide ? dv.getBigInt64(i * 8, true) : BigInt(lo);
          throw new SafetensorsError(source, `tensor '${info.name}' (${info.dtype}) holds ${v} at flat index ${i}, which does not fit int32 (deeptype's integer dtype)`);
        }
        out[i] = lo | 0;
      }
      data = out;
      break;
    }
    case "I16": dtype = "int32"; data = new Int32Array(n); for (let i = 0; i < n; i++) data[i] = dv.getInt16(i * 2, true); break;
    case "U16": dtype = "int32"; data = new Int32Array(n); for (let i = 0; i < n; i++) data[i] = dv.getUint16(i * 2, true); break;
    case "I8": dtype = "int32"; data = new Int32Array(n); for (let i = 0; i < n; i++) data[i] = dv.getInt8(i); break;
    case "U8": dtype = "int32"; data = new Int32Array(n); for (let i = 0; i < n; i++) data[i] = dv.getUint8(i); break;
    case "BOOL": {
      dtype = "bool";
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = dv.getUint8(i) ? 1 : 0;
      data = out;
      break;
    }
    default:
      throw new SafetensorsError(source, `tensor '${info.name}': unknown dtype '${info.dtype}'`);
  }
  return new Tensor(data, shape, dtype);
}

/** Everything in a safetensors buffer: tensors in file order, and the metadata (null when absent). */
export function parse(bytes: Uint8Array, source = "<bytes>"): { tensors: Record<string, Tensor>; metadata: Metadata | null } {
  const { tensors: infos, metadata, dataStart } = readHeader(bytes, source);
  const tensors: Record<string, Tensor> = {};
  for (const info of infos) tensors[info.name] = decodeTensor(bytes, dataStart, info, source);
  return { tensors, metadata };
}

/** Deserialises safetensors bytes into a record of tensors in file order.
 *  @example const sd = dt.io.loadBytes(bytes); */
export function loadBytes(bytes: Uint8Array, opts: { source?: string } = {}): Record<string, Tensor> {
  return parse(bytes, checkOptions("io.loadBytes", opts, SOURCE_KEYS, 2).source).tensors;
}

/** The `__metadata__` of safetensors bytes (null when there is none). */
export function metadataOfBytes(bytes: Uint8Array, opts: { source?: string } = {}): Metadata | null {
  return readHeader(bytes, checkOptions("io.metadataOfBytes", opts, SOURCE_KEYS, 2).source).metadata;
}
