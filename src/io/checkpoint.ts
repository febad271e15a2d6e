// Training checkpoints in one safetensors file: the model's state as `model.<name>` tensors, every
// tensor found in the optimizer / scheduler / extra state as its own entry, and everything else
// (numbers, arrays, param-group options, epoch, extra JSON-able values) as JSON in `__metadata__`,
// with each tensor replaced there by a reference to its entry. Loading rebuilds the same structure
// the stateDict() calls produced, so `model.loadStateDict(ck.model); opt.loadStateDict(ck.optimizer)`
// resumes exactly (PyTorch's torch.save({...}) pattern, without pickle).

import { Tensor } from "../tensor/tensor.js";
import { parse, saveBytes } from "./safetensors.js";
import { writeFileAtomic, writeFileAtomicSync, readSafetensors, readSafetensorsSync } from "./files.js";

/** Anything with a stateDict() (a module, an optimizer, a scheduler). */
export interface HasStateDict {
  /** The state to save. */
  stateDict(): unknown;
}

/** What saveCheckpoint accepts: `model` (a module or its state dict), `optimizer` and `scheduler`
 *  (objects with stateDict(), or their state), `epoch`, and any other JSON-able or tensor-holding values. */
export interface CheckpointInput {
  /** The model, or its state dict; saved as `model.<name>` tensors. */
  model?: HasStateDict | Record<string, Tensor> | Map<string, Tensor>;
  /** The optimizer (its stateDict() is saved), or its state. */
  optimizer?: HasStateDict | unknown;
  /** The scheduler (its stateDict() is saved), or its state. */
  scheduler?: HasStateDict | unknown;
  /** The epoch reached. */
  epoch?: number;
  [key: string]: unknown;
}

/** What loadCheckpoint returns: the model's tensors, and the other entries as they were saved. */
export interface Checkpoint {
  /** The model's state dict, for model.loadStateDict. */
  model: Record<string, Tensor>;
  /** The optimizer's state as saved, for optimizer.loadStateDict. */
  optimizer?: any;
  /** The scheduler's state as saved, for scheduler.loadStateDict. */
  scheduler?: any;
  /** The epoch saved. */
  epoch?: number;
  [key: string]: any;
}

const FORMAT = "deeptype.checkpoint";
const VERSION = "1";
/** Tag of the JSON objects that stand for values JSON cannot hold. */
const TAG = "$deeptype";

function hasStateDict(x: unknown): x is HasStateDict {
  return x !== null && typeof x === "object" && typeof (x as HasStateDict).stateDict === "function";
}

function modelTensors(model: unknown): [string, Tensor][] {
  const sd = hasStateDict(model) ? model.stateDict() : model;
  const list = sd instanceof Map ? [...sd.entries()] : sd !== null && typeof sd === "object" ? Object.entries(sd) : null;
  if (list === null) throw new Error(`io.saveCheckpoint: model must be a module or a state dict (record or Map of tensors), got ${typeof sd}`);
  for (const [k, t] of list)
    if (!(t instanceof Tensor)) throw new Error(`io.saveCheckpoint: model state '${k}' is not a Tensor (got ${t === null ? "null" : typeof t})`);
  return list as [string, Tensor][];
}

/** JSON-able form of a value; tensors are moved to `tensors` under unique names starting with `prefix`. */
function encode(v: unknown, where: string, tensors: Map<string, Tensor>): unknown {
  if (v instanceof Tensor) {
    let name = where;
    for (let i = 1; tensors.has(name); i++) name = `${where}#${i}`;
    tensors.set(name, v);
    return { [TAG]: "tensor", name };
  }
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (Number.isFinite(v) && !Object.is(v, -0)) return v;
    return { [TAG]: "number", value: Object.is(v, -0) ? "-0" : String(v) };
  }
  if (v === undefined) return { [TAG]: "undefined" };
  if (Array.isArray(v)) return v.map((x, i) => encode(x, `${where}.${i}`, tensors));
  if (v instanceof Map) return { [TAG]: "map", entries: [...v.entries()].map(([k, x]) => [encode(k, `${where}.key`, tensors), encode(x, `${where}.${String(k)}`, tensors)]) };
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return { [TAG]: "typed", type: v.constructor.name, values: Array.from(v as unknown as ArrayLike<number>).map((x) => encode(x, where, tensors)) };
  if (typeof v === "object") {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null)
      throw new Error(`io.saveCheckpoint: cannot store ${where} (an instance of ${proto?.constructor?.name ?? "a class"}); state must be plain objects, arrays, numbers, strings, booleans and tensors`);
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = encode(x, `${where}.${k}`, tensors);
    return out;
  }
  throw new Error(`io.saveCheckpoint: cannot store ${where} (a ${typeof v}); state must be plain objects, arrays, numbers, strings, booleans and tensors`);
}

const TYPED: Record<string, new (a: number[]) => ArrayLike<number>> = {
  Float32Array, Float64Array, Int32Array, Uint8Array, Int8Array, Int16Array, Uint16Array, Uint32Array, Uint8ClampedArray,
};

function decode(v: unknown, tensors: Record<string, Tensor>, source: string): unknown {
  if (Array.isArray(v)) return v.map((x) => decode(x, tensors, source));
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  switch (o[TAG]) {
    case "tensor": {
      const t = tensors[o.name as string];
      if (!t) throw new Error(`io.loadCheckpoint: ${source}: the state refers to tensor '${String(o.name)}', which the file does not hold`);
      return t;
    }
    case "number": return o.value === "-0" ? -0 : Number(o.value);
    case "undefined": return undefined;
    case "map": return new Map((o.entries as [unknown, unknown][]).map(([k, x]) => [decode(k, tensors, source), decode(x, tensors, source)]));
    case "typed": {
      const C = TYPED[o.type as string];
      if (!C) throw new Error(`io.loadCheckpoint: ${source}: unknown typed array ${String(o.type)}`);
      return new C((o.values as unknown[]).map((x) => decode(x, tensors, source) as number));
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(o)) out[k] = decode(x, tensors, source);
  return out;
}

/** The bytes of a checkpoint file. */
export function checkpointBytes(ck: CheckpointInput): Uint8Array {
  if (ck === null || typeof ck !== "object") throw new Error(`io.saveCheckpoint: expected an object { model, optimizer, epoch, ... }`);
  const tensors = new Map<string, Tensor>();
  if (ck.model !== undefined) for (const [k, t] of modelTensors(ck.model)) tensors.set(`model.${k}`, t);
  const state: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(ck)) {
    if (key === "model") continue;
    const v = hasStateDict(value) ? value.stateDict() : value;
    state[key] = encode(v, key, tensors);
  }
  return saveBytes(tensors, { metadata: { format: FORMAT, version: VERSION, state: JSON.stringify(state) } });
}

function fromParsed(parsed: ReturnType<typeof parse>, source: string): Checkpoint {
  const md = parsed.metadata;
  if (!md || md.format !== FORMAT)
    throw new Error(`io.loadCheckpoint: ${source} is a safetensors file but not a deeptype checkpoint (no '${FORMAT}' metadata); use io.load for plain tensor files`);
  if (md.version !== VERSION) throw new Error(`io.loadCheckpoint: ${source}: checkpoint version ${md.version} is not supported (expected ${VERSION})`);
  let state: Record<string, unknown>;
  try {
    state = JSON.parse(md.state ?? "{}");
  } catch (e) {
    throw new Error(`io.loadCheckpoint: ${source}: the checkpoint state is not valid JSON (${(e as Error).message})`);
  }
  const referenced = new Set<string>();
  const collect = (v: unknown): void => {
    if (v === null || typeof v !== "object") return;
    const o = v as Record<string, unknown>;
    if (o[TAG] === "tensor") referenced.add(o.name as string);
    else for (const x of Array.isArray(v) ? v : Object.values(o)) collect(x);
  };
  collect(state);
  const model: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(parsed.tensors)) if (k.startsWith("model.") && !referenced.has(k)) model[k.slice(6)] = t;
  const out: Checkpoint = { model };
  for (const [k, v] of Object.entries(state)) out[k] = decode(v, parsed.tensors, source);
  return out;
}

/** Saves a training checkpoint atomically: one safetensors file holding the model, optimizer and
 *  scheduler state, the epoch and any extra values.
 *  @example await dt.io.saveCheckpoint("ck.safetensors", { model, optimizer: opt, scheduler, epoch }); */
export async function saveCheckpoint(file: string, ck: CheckpointInput): Promise<void> {
  await writeFileAtomic(file, checkpointBytes(ck), "io.saveCheckpoint");
}

/** Synchronous io.saveCheckpoint. */
export function saveCheckpointSync(file: string, ck: CheckpointInput): void {
  writeFileAtomicSync(file, checkpointBytes(ck), "io.saveCheckpoint");
}

/** Loads a checkpoint written by saveCheckpoint: `{ model, optimizer, scheduler, epoch, ...extra }`.
 *  @example const ck = await dt.io.loadCheckpoint("ck.safetensors");
 *           model.loadStateDict(ck.model); opt.loadStateDict(ck.optimizer); */
export async function loadCheckpoint(file: string): Promise<Checkpoint> {
  return fromParsed(await readSafetensors(file), file);
}

/** Synchronous io.loadCheckpoint. */
export function loadCheckpointSync(file: string): Checkpoint {
  return fromParsed(readSafetensorsSync(file), file);
}

/** Checkpoint from bytes (browser). */
export function loadCheckpointBytes(bytes: Uint8Array, source = "<bytes>"): Checkpoint {
  return fromParsed(parse(bytes, source), source);
}
