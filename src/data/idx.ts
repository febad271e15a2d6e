// The IDX format of MNIST and Fashion-MNIST (gzipped or not).
// Reference: http://yann.lecun.com/exdb/mnist/ ("THE IDX FILE FORMAT"): bytes 0-1 zero, byte 2 the
// element type (0x08 ubyte, 0x09 sbyte, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64), byte 3 the number of
// dims, then each dim as a big-endian u32, then the elements, big-endian, row-major.

import * as fs from "node:fs";
import { gunzipSync } from "node:zlib";
import { Tensor } from "../tensor/tensor.js";
import type { DType, TypedArray } from "../tensor/dtype.js";

const TYPES: Record<number, { name: string; size: number; dtype: DType }> = {
  0x08: { name: "ubyte", size: 1, dtype: "int32" },
  0x09: { name: "sbyte", size: 1, dtype: "int32" },
  0x0b: { name: "short", size: 2, dtype: "int32" },
  0x0c: { name: "int", size: 4, dtype: "int32" },
  0x0d: { name: "float", size: 4, dtype: "float32" },
  0x0e: { name: "double", size: 8, dtype: "float64" },
};

/** Raw IDX contents: shape, element type name, and the element bytes (for ubyte, the values themselves). */
export interface IdxArray {
  /** The size of each dim. */
  shape: number[];
  /** The element type declared by the file. */
  type: "ubyte" | "sbyte" | "short" | "int" | "float" | "double";
  /** The elements as stored (big-endian for multi-byte types). */
  bytes: Uint8Array;
}

/** Gunzips when the bytes start with the gzip magic; errors name `source`. */
export function maybeGunzip(bytes: Uint8Array, source: string, what = "readIdx"): Uint8Array {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      const out = gunzipSync(bytes); // native, and checks the CRC and length
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    } catch (e) {
      throw new Error(`${what}: ${source}: gzip data is corrupt or truncated (${(e as Error).message})`);
    }
  }
  return bytes;
}

/** Parses IDX bytes (gzipped or not) and checks that the size matches the header. */
export function parseIdx(input: Uint8Array, source = "<bytes>"): IdxArray {
  const bytes = maybeGunzip(input, source);
  const bad = (what: string) => new Error(`readIdx: ${source}: ${what}`);
  if (bytes.length < 4) throw bad(`${bytes.length} bytes, too short for an IDX header (truncated or not an IDX file)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) throw bad(`bad magic number 0x${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join("")} (not an IDX file)`);
  const type = TYPES[bytes[2]];
  if (!type) throw bad(`unknown element type 0x${bytes[2].toString(16)} (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)`);
  const ndim = bytes[3];
  const headerSize = 4 + 4 * ndim;
  if (bytes.length < headerSize) throw bad(`header declares ${ndim} dims but the file ends after ${bytes.length} bytes (truncated)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(dv.getUint32(4 + 4 * d, false));
  const want = shape.reduce((a, b) => a * b, 1) * type.size;
  const have = bytes.length - headerSize;
  if (have < want) throw bad(`header says shape [${shape.join(",")}] of ${type.name} (${want} bytes of data) but the file holds ${have}: truncated`);
  if (have > want) throw bad(`header says shape [${shape.join(",")}] of ${type.name} (${want} bytes of data) but the file holds ${have}: trailing bytes`);
  return { shape, type: type.name as IdxArray["type"], bytes: bytes.subarray(headerSize) };
}

/** The IDX elements as a tensor: integer types as int32, float as float32, double as float64. */
export function idxToTensor(a: IdxArray): Tensor {
  const n = a.shape.reduce((x, y) => x * y, 1);
  const dv = new DataView(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength);
  let data: TypedArray;
  let dtype: DType;
  switch (a.type) {
    case "ubyte": data = Int32Array.from(a.bytes); dtype = "int32"; break;
    case "sbyte": data = Int32Array.from(new Int8Array(a.bytes.buffer, a.bytes.byteOffset, n)); dtype = "int32"; break;
    case "short": data = new Int32Array(n); for (let i = 0; i < n; i++) data[i] = dv.getInt16(2 * i, false); dtype = "int32"; break;
    case "int": data = new Int32Array(n); for (let i = 0; i < n; i++) data[i] = dv.getInt32(4 * i, false); dtype = "int32"; break;
    case "float": data = new Float32Array(n); for (let i = 0; i < n; i++) data[i] = dv.getFloat32(4 * i, false); dtype = "float32"; break;
    case "double": data = new Float64Array(n); for (let i = 0; i < n; i++) data[i] = dv.getFloat64(8 * i, false); dtype = "float64"; break;
  }
  return new Tensor(data, a.shape.slice(), dtype);
}

/** Reads an IDX file (gzipped or not) into a tensor.
 *  @example const labels = dt.data.readIdx("train-labels-idx1-ubyte.gz"); // int32 [60000] */
export function readIdx(file: string): Tensor {
  return idxToTensor(parseIdx(readFileOrThrow(file, "readIdx"), file));
}

/** fs.readFileSync with an error naming the caller and the file. */
export function readFileOrThrow(file: string, what: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${what}: cannot read ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message}`);
  }
}
