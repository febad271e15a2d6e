// safetensors files on disk: io.save / io.load / io.loadSync, with atomic writes
// (temp file in the same directory, fsync, rename, so a crash never leaves a half-written file).

import { checkOptions } from "../tensor/options.js";
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import * as path from "node:path";
import type { Tensor } from "../tensor/tensor.js";
import { parse, saveBytes, readHeader, type Metadata, type TensorRecord } from "./safetensors.js";

function tempName(file: string): string {
  const rnd = Math.floor(Math.random() * 0xffffffff).toString(16);
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${rnd}.tmp`);
}

/** Writes bytes to `file` atomically (synchronous). */
export function writeFileAtomicSync(file: string, bytes: Uint8Array, what = "io.save"): void {
  const tmp = tempName(file);
  let fd: number | null = null;
  try {
    fd = fs.openSync(tmp, "w");
    let pos = 0;
    while (pos < bytes.byteLength) pos += fs.writeSync(fd, bytes, pos, bytes.byteLength - pos);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(tmp, file);
  } catch (e) {
    if (fd !== null) try { fs.closeSync(fd); } catch { /* already failing */ }
    try { fs.unlinkSync(tmp); } catch { /* may not exist */ }
    throw new Error(`${what}: could not write ${file}: ${(e as Error).message}`);
  }
  syncDirSync(path.dirname(file));
}

/** Writes bytes to `file` atomically. */
export async function writeFileAtomic(file: string, bytes: Uint8Array, what = "io.save"): Promise<void> {
  const tmp = tempName(file);
  let fh: fsp.FileHandle | null = null;
  try {
    fh = await fsp.open(tmp, "w");
    let pos = 0;
    while (pos < bytes.byteLength) pos += (await fh.write(bytes, pos, bytes.byteLength - pos)).bytesWritten;
    await fh.sync();
    await fh.close();
    fh = null;
    await fsp.rename(tmp, file);
  } catch (e) {
    if (fh !== null) await fh.close().catch(() => undefined);
    await fsp.unlink(tmp).catch(() => undefined);
    throw new Error(`${what}: could not write ${file}: ${(e as Error).message}`);
  }
  syncDirSync(path.dirname(file));
}

/** fsync of the directory so the rename itself is durable (not possible on every platform). */
function syncDirSync(dir: string): void {
  try {
    const fd = fs.openSync(dir, "r");
    try { fs.fsyncSync(fd); } finally { fs.closeSync(fd); }
  } catch { /* e.g. Windows: directories cannot be opened */ }
}

/** Options of io.save / io.saveSync. */
export interface SaveOptions {
  /** String -> string metadata stored in the header's `__metadata__` (default: none). */
  metadata?: Metadata;
}
const SAVE_KEYS = ["metadata"] as const;

/** Saves tensors (a record, a Map, or a module's stateDict()) as a safetensors file, atomically.
 *  @example await dt.io.save(model.stateDict(), "model.safetensors"); */
export async function save(tensors: TensorRecord | { stateDict(): TensorRecord }, file: string, opts: SaveOptions = {}): Promise<void> {
  await writeFileAtomic(file, saveBytes(tensors, checkOptions("io.save", opts, SAVE_KEYS, 3)));
}

/** Synchronous io.save. */
export function saveSync(tensors: TensorRecord | { stateDict(): TensorRecord }, file: string, opts: SaveOptions = {}): void {
  writeFileAtomicSync(file, saveBytes(tensors, checkOptions("io.saveSync", opts, SAVE_KEYS, 3)));
}

function readError(file: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code;
  const why = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message;
  return new Error(`io.load: cannot read ${file}: ${why}`);
}

/** Loads a safetensors file into a record of tensors, in file order.
 *  @example model.loadStateDict(await dt.io.load("model.safetensors")); */
export async function load(file: string): Promise<Record<string, Tensor>> {
  let bytes: Uint8Array;
  try {
    bytes = await fsp.readFile(file);
  } catch (e) {
    throw readError(file, e);
  }
  return parse(bytes, file).tensors;
}

/** Synchronous io.load. */
export function loadSync(file: string): Record<string, Tensor> {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw readError(file, e);
  }
  return parse(bytes, file).tensors;
}

/** The `__metadata__` of a safetensors file (null when there is none). */
export function loadMetadata(file: string): Metadata | null {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw readError(file, e);
  }
  return readHeader(bytes, file).metadata;
}

/** Reads a whole file (tensors and metadata), synchronously. */
export function readSafetensorsSync(file: string): ReturnType<typeof parse> {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw readError(file, e);
  }
  return parse(bytes, file);
}

/** Reads a whole file (tensors and metadata). */
export async function readSafetensors(file: string): Promise<ReturnType<typeof parse>> {
  let bytes: Uint8Array;
  try {
    bytes = await fsp.readFile(file);
  } catch (e) {
    throw readError(file, e);
  }
  return parse(bytes, file);
}
