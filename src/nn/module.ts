// nn.Module, nn.Parameter and the containers (Sequential, ModuleList, ModuleDict), as torch.nn.
//
// Registration scans the module's own fields when asked: a field holding a Parameter is a
// parameter, one holding a Module is a child, and a field named through registerBuffer is a
// buffer. Field order is JavaScript's own-property order, which is assignment order (a field
// declared in a TypeScript class body is created, empty, where it is declared; use `declare` to
// keep pure assignment order). State-dict keys are dotted field paths, as PyTorch's: `layers.0.weight`.

import { checkOptions } from "../tensor/options.js";
import { Tensor } from "../tensor/tensor.js";
import { noGrad, setRequiresGrad } from "../tensor/autograd.js";
import { isFloat, type DType } from "../tensor/dtype.js";
import { fmt, shapesEqual } from "../tensor/shape.js";
import { cast } from "../ops/elementwise.js";

const NUM_PARAMETERS_KEYS = ["trainableOnly"] as const;
const LOAD_STATE_DICT_KEYS = ["strict"] as const;

/** A Tensor that a Module registers as a parameter: a leaf that requires grad by default.
 *  It shares storage with the tensor it wraps.
 *  @example this.w = new nn.Parameter(dt.randn([3, 4])); */
export class Parameter extends Tensor {
  constructor(data: Tensor, requiresGrad = true) {
    if (!(data instanceof Tensor)) throw new Error(`Parameter: expected a Tensor, got ${data === null ? "null" : typeof data}`);
    super(data.storage, data.shape.slice(), data.dtype, data.strides.slice(), data.offset);
    if (requiresGrad) setRequiresGrad(this, true);
  }
}

/** What loadStateDict reports when it does not throw. */
export interface LoadResult {
  /** Keys the module has that the state dict lacked (only when not strict). */
  missingKeys: string[];
  /** Keys of the state dict that the module does not have (only when not strict). */
  unexpectedKeys: string[];
}

/** A module's state: tensors by PyTorch's dotted names (`layers.0.weight`, `bn.running_mean`). */
export type StateDict = Record<string, Tensor>;

/** Keys that strict loading tolerates when absent (older PyTorch BatchNorm files lack them). */
const OPTIONAL_KEY = /(^|\.)num_batches_tracked$/;

/** The base class of every layer and model, as torch.nn.Module.
 *  @example
 *  class Net extends nn.Module {
 *    fc1 = new nn.Linear(4, 8);
 *    fc2 = new nn.Linear(8, 2);
 *    override forward(x: Tensor): Tensor { return this.fc2.call(F.relu(this.fc1.call(x))); }
 *  }
 */
export class Module {
  /** Training mode (dropout active, batch norm uses batch statistics); set by train() / eval(). */
  training = true;
  /** Names of registered buffers, and of the ones left out of the state dict. */
  declare protected _bufferNames: Set<string>;
  /** Names of the buffers left out of the state dict (registerBuffer with persistent = false). */
  declare protected _nonPersistent: Set<string>;

  constructor() {
    Object.defineProperty(this, "_bufferNames", { value: new Set<string>(), enumerable: false, writable: true });
    Object.defineProperty(this, "_nonPersistent", { value: new Set<string>(), enumerable: false, writable: true });
  }

  /** The computation; subclasses override it. Users call `call`. */
  forward(...args: any[]): any {
    throw new Error(`${this.constructor.name}: forward() is not implemented`);
  }

  /** Runs forward (PyTorch's module(x)), with the forward pre-hooks before it and the forward hooks
   *  after it when any are registered.
   *  @example const y = model.call(x); */
  call(...args: Parameters<this["forward"]>): ReturnType<this["forward"]> {
    const hooks = (this as unknown as { _hooks?: ModuleHooks })._hooks;
    if (hooks === undefined) return this.forward(...args);
    return callWithHooks(this, hooks, args);
  }

  /** Registers `hook(module, args)`, run before every forward; returning an array replaces the
   *  arguments (PyTorch's register_forward_pre_hook). Returns a handle whose remove() unregisters it.
   *  @example const h = layer.registerForwardPreHook((m, args) => console.log(m.constructor.name)); h.remove(); */
  registerForwardPreHook(hook: ForwardPreHook<this>): RemovableHandle {
    if (typeof hook !== "function") throw new Error(`registerForwardPreHook: hook must be a function, got ${typeof hook}`);
    return addHook(this, "pre", hook as unknown as ForwardPreHook);
  }

  /** Registers `hook(module, args, output)`, run after every forward; returning anything but
   *  undefined replaces the output (PyTorch's register_forward_hook). Returns a handle whose remove()
   *  unregisters it.
   *  @example const h = layer.registerForwardHook((m, args, out) => console.log(out.shape)); h.remove(); */
  registerForwardHook(hook: ForwardHook<this>): RemovableHandle {
    if (typeof hook !== "function") throw new Error(`registerForwardHook: hook must be a function, got ${typeof hook}`);
    return addHook(this, "post", hook as unknown as ForwardHook);
  }

  /** The [name, value] pairs this module holds directly, in order. Containers with their own storage override it. */
  protected _members(): [string, unknown][] {
    const self = this as unknown as Record<string, unknown>;
    return Object.keys(self).map((k) => [k, self[k]]);
  }

  /** Registers (or replaces) a buffer: a tensor of the state that is not trained, such as running_mean.
   *  `persistent = false` keeps it out of the state dict. The tensor is reachable as `this[name]`. */
  registerBuffer(name: string, tensor: Tensor | null, persistent = true): void {
    checkName("registerBuffer", name);
    if (tensor !== null && !(tensor instanceof Tensor))
      throw new Error(`registerBuffer: buffer '${name}' must be a Tensor or null, got ${typeof tensor}`);
    if (tensor instanceof Parameter) throw new Error(`registerBuffer: '${name}' is a Parameter; assign it as a field instead`);
    this._bufferNames.add(name);
    if (persistent) this._nonPersistent.delete(name);
    else this._nonPersistent.add(name);
    setField(this, name, tensor);
  }

  /** Registers a parameter under a name (as assigning a field does); null keeps the slot empty. */
  registerParameter(name: string, param: Parameter | null): void {
    checkName("registerParameter", name);
    if (param !== null && !(param instanceof Parameter))
      throw new Error(`registerParameter: '${name}' must be an nn.Parameter or null (wrap a tensor in new nn.Parameter(t))`);
    setField(this, name, param);
  }

  /** Registers a child module under a name (as assigning a field does). */
  registerModule(name: string, module: Module | null): void {
    checkName("registerModule", name);
    if (module !== null && !(module instanceof Module)) throw new Error(`registerModule: '${name}' must be an nn.Module or null`);
    setField(this, name, module);
  }
  /** Alias of registerModule (PyTorch's add_module). */
  addModule(name: string, module: Module | null): void {
    this.registerModule(name, module);
  }

  // ---- traversal ----

  /** Direct children as [name, module], in order. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    for (const [k, v] of this._members())
      if (v instanceof Module && !seen.has(v)) {
        seen.add(v);
        out.push([k, v]);
      }
    return out;
  }
  /** Direct child modules, in order. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** This module and every descendant, each once, as [dotted name, module] (this one is ""). */
  namedModules(prefix = "", memo: Set<Module> = new Set()): [string, Module][] {
    if (memo.has(this)) return [];
    memo.add(this);
    const out: [string, Module][] = [[prefix, this]];
    for (const [k, m] of this._childEntries()) out.push(...m.namedModules(prefix ? `${prefix}.${k}` : k, memo));
    return out;
  }
  /** This module and every descendant, each once. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** The descendant at a dotted path ("" is this module).  @example model.getSubmodule("layers.0.self_attn") */
  getSubmodule(target: string): Module {
    let m: Module = this;
    if (target === "") return m;
    for (const part of target.split(".")) {
      const next = m._members().find(([k]) => k === part)?.[1];
      if (!(next instanceof Module)) throw new Error(`getSubmodule: ${m.constructor.name} has no submodule '${part}' (path '${target}')`);
      m = next;
    }
    return m;
  }

  /** Every parameter as [dotted name, parameter], each tensor once.
   *  @example for (const [name, p] of model.namedParameters()) console.log(name, p.shape); */
  namedParameters(prefix = "", recurse = true): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Tensor>();
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods)
      for (const [k, p] of m._ownParameters())
        if (!seen.has(p)) {
          seen.add(p);
          out.push([mp ? `${mp}.${k}` : k, p]);
        }
    return out;
  }
  /** The parameters of this module and, with recurse, its descendants (each shared one once); pass them to an optimizer. */
  parameters(recurse = true): Parameter[] {
    return this.namedParameters("", recurse).map(([, p]) => p);
  }

  /** Every buffer (persistent or not) as [dotted name, tensor], each once. */
  namedBuffers(prefix = "", recurse = true): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    const mods: [string, Module][] = recurse ? this.namedModules(prefix) : [[prefix, this]];
    for (const [mp, m] of mods)
      for (const [k, b] of m._ownBuffers())
        if (!seen.has(b)) {
          seen.add(b);
          out.push([mp ? `${mp}.${k}` : k, b]);
        }
    return out;
  }
  /** The buffers (running_mean, ...) of this module and, with recurse, its descendants. */
  buffers(recurse = true): Tensor[] {
    return this.namedBuffers("", recurse).map(([, b]) => b);
  }

  /** Number of parameter elements (each shared tensor counted once). */
  numParameters(opts: { trainableOnly?: boolean } = {}): number {
    opts = checkOptions("numParameters", opts, NUM_PARAMETERS_KEYS, 1);
    let n = 0;
    for (const p of this.parameters()) if (!opts.trainableOnly || p.requiresGrad) n += p.numel();
    return n;
  }

  /** This module's own parameters as [name, parameter], in order. */
  protected _ownParameters(): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [k, v] of this._members()) if (v instanceof Parameter && !this._bufferNames.has(k)) out.push([k, v]);
    return out;
  }
  /** This module's own buffers as [name, tensor] (only the persistent ones when asked). */
  protected _ownBuffers(persistentOnly = false): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, v] of this._members())
      if (this._bufferNames.has(k) && v instanceof Tensor && !(persistentOnly && this._nonPersistent.has(k))) out.push([k, v]);
    return out;
  }
  /** Children with duplicates kept (state dicts list a shared module under every name, as PyTorch). */
  protected _childEntries(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, v] of this._members()) if (v instanceof Module) out.push([k, v]);
    return out;
  }

  // ---- modes ----

  /** Sets training mode on this module and every descendant; returns this. */
  train(mode = true): this {
    if (typeof mode !== "boolean") throw new Error(`train: mode must be a boolean, got ${typeof mode}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }
  /** Evaluation mode: train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Calls fn on every descendant (children first) and then on this module; returns this.
   *  @example model.apply((m) => { if (m instanceof nn.Linear) nn.init.zeros_(m.bias!); }); */
  apply(fn: (m: Module) => void): this {
    for (const c of this.children()) c.apply(fn);
    fn(this);
    return this;
  }

  /** Sets every parameter's gradient to null. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /** Turns gradient tracking of every parameter on or off (freezing); returns this. */
  requiresGrad_(flag = true): this {
    for (const p of this.parameters()) setRequiresGrad(p, flag);
    return this;
  }

  /** Casts floating point parameters and buffers (and their grads) to dtype, in place: the Parameter
   *  objects stay the same, so optimisers built before keep working. Returns this.
   *  @example model.to("float64"); */
  to(dtype: DType): this {
    if (!isFloat(dtype)) throw new Error(`Module.to: dtype must be float32 or float64, got ${String(dtype)}`);
    const tensors = [...this.parameters(), ...this.buffers()];
    for (const t of tensors) {
      if (!isFloat(t.dtype) || t.dtype === dtype) continue;
      retype(t, dtype);
      if (t.grad) retype(t.grad, dtype);
    }
    return this;
  }
  /** Casts every parameter and buffer to float32 in place; returns this module. */
  float(): this {
    return this.to("float32");
  }
  /** Casts every parameter and buffer to float64 in place; returns this module. */
  double(): this {
    return this.to("float64");
  }

  // ---- state ----

  /** Parameters and persistent buffers by PyTorch-style dotted name, in order (tensors share storage
   *  with the module's, with no graph).
   *  @example await dt.io.save(model.stateDict(), "model.safetensors"); */
  stateDict(): StateDict {
    const out: StateDict = {};
    for (const [k, t] of this._stateEntries("")) out[k] = t.detach();
    return out;
  }

  /** [key, live tensor] for every state-dict entry. */
  private _stateEntries(prefix: string): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [k, p] of this._ownParameters()) out.push([prefix + k, p]);
    for (const [k, b] of this._ownBuffers(true)) out.push([prefix + k, b]);
    for (const [k, m] of this._childEntries()) out.push(...m._stateEntries(`${prefix}${k}.`));
    return out;
  }

  /** Copies tensors into the parameters and buffers by name (values cast to each one's dtype).
   *  Strict (the default) throws when keys are missing or unexpected; a shape mismatch always throws.
   *  `num_batches_tracked` may be present or absent. Returns the missing and unexpected keys.
   *  @example model.loadStateDict(await dt.io.load("model.safetensors")); */
  loadStateDict(sd: StateDict | Map<string, Tensor>, opts: { strict?: boolean } | boolean = {}): LoadResult {
    // also loadStateDict(sd, false), PyTorch's positional strict
    const strict = typeof opts === "boolean" ? opts : checkOptions("loadStateDict", opts, LOAD_STATE_DICT_KEYS, 2).strict ?? true;
    if (sd === null || typeof sd !== "object") throw new Error(`loadStateDict: expected a record or Map of tensors, got ${sd === null ? "null" : typeof sd}`);
    const given = new Map<string, Tensor>(sd instanceof Map ? sd : Object.entries(sd));
    for (const [k, v] of given)
      if (!(v instanceof Tensor)) throw new Error(`loadStateDict: entry '${k}' is not a Tensor (got ${v === null ? "null" : typeof v})`);
    const own = this._stateEntries("");
    const ownKeys = new Set(own.map(([k]) => k));
    const missingKeys = own.map(([k]) => k).filter((k) => !given.has(k));
    const unexpectedKeys = [...given.keys()].filter((k) => !ownKeys.has(k));
    const mismatched: string[] = [];
    for (const [k, t] of own) {
      const v = given.get(k);
      if (v && !shapesEqual(v.shape, t.shape)) mismatched.push(`${k}: expected ${fmt(t.shape)}, got ${fmt(v.shape)}`);
    }
    const hardMissing = missingKeys.filter((k) => !OPTIONAL_KEY.test(k));
    if (mismatched.length || (strict && (hardMissing.length || unexpectedKeys.length))) {
      const parts: string[] = [];
      if (strict && hardMissing.length) parts.push(`missing keys: ${hardMissing.join(", ")}`);
      if (strict && unexpectedKeys.length) parts.push(`unexpected keys: ${unexpectedKeys.join(", ")}`);
      if (mismatched.length) parts.push(`shape mismatches: ${mismatched.join("; ")}`);
      throw new Error(`loadStateDict: error(s) loading the state dict into ${this.constructor.name}: ${parts.join("; ")}`);
    }
    noGrad(() => {
      for (const [k, t] of own) {
        const v = given.get(k);
        if (v) t.copy_(v);
      }
    });
    return { missingKeys, unexpectedKeys };
  }

  // ---- printing ----

  /** One line of settings shown after the class name (subclasses override it). */
  extraRepr(): string {
    return "";
  }
  /** The module tree as PyTorch prints it: class name, extraRepr() and the children, indented. */
  toString(): string {
    const kids = this.namedChildren();
    const head = `${this.constructor.name}(${this.extraRepr()}`;
    if (!kids.length) return head + ")";
    const lines = kids.map(([k, m]) => `  (${k}): ${m.toString().split("\n").join("\n  ")}`);
    return `${head}\n${lines.join("\n")}\n)`;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

/** A forward pre-hook: gets the module and its arguments; may return replacement arguments. Its
 *  types follow M's forward, as call()'s do (`args: [x: Tensor]` for an nn.Linear). */
export type ForwardPreHook<M extends Module = Module> =
  (module: M, args: Parameters<M["forward"]>) => Parameters<M["forward"]> | void;
/** A forward hook: gets the module, its arguments and its output; may return a replacement output.
 *  Its types follow M's forward (`output: Tensor` for an nn.Linear). */
export type ForwardHook<M extends Module = Module> =
  (module: M, args: Parameters<M["forward"]>, output: ReturnType<M["forward"]>) => ReturnType<M["forward"]> | void;
/** What the register*Hook methods return (PyTorch's RemovableHandle). */
export interface RemovableHandle {
  /** Unregisters the hook (calling it again does nothing). */
  remove(): void;
}

/** A module's hooks, kept in a non-enumerable field that exists only while some are registered,
 *  so that call() costs one property read when there are none. */
interface ModuleHooks {
  pre: Map<number, ForwardPreHook>;
  post: Map<number, ForwardHook>;
}
let nextHookId = 0;

function addHook(m: Module, kind: "pre" | "post", hook: ForwardPreHook | ForwardHook): RemovableHandle {
  const holder = m as unknown as { _hooks?: ModuleHooks };
  let hooks = holder._hooks;
  if (hooks === undefined) {
    hooks = { pre: new Map(), post: new Map() };
    Object.defineProperty(m, "_hooks", { value: hooks, enumerable: false, writable: true, configurable: true });
  }
  const id = nextHookId++;
  (hooks[kind] as Map<number, unknown>).set(id, hook);
  const own = hooks;
  return {
    remove() {
      own[kind].delete(id);
      if (own.pre.size === 0 && own.post.size === 0 && holder._hooks === own) holder._hooks = undefined;
    },
  };
}

function callWithHooks(m: Module, hooks: ModuleHooks, args: any[]): any {
  for (const hook of [...hooks.pre.values()]) {
    const r = hook(m, args);
    if (r !== undefined && r !== null) args = Array.isArray(r) ? r : [r];
  }
  let out = m.forward(...args);
  for (const hook of [...hooks.post.values()]) {
    const r = hook(m, args, out);
    if (r !== undefined) out = r;
  }
  return out;
}

function checkName(op: string, name: string): void {
  if (typeof name !== "string" || name === "" || name.includes("."))
    throw new Error(`${op}: name must be a non-empty string without '.', got ${JSON.stringify(name)}`);
}

function setField(m: Module, name: string, value: unknown): void {
  Object.defineProperty(m, name, { value, writable: true, enumerable: true, configurable: true });
}

/** Replaces t's storage by a cast copy, keeping the object (and so every reference to it). */
function retype(t: Tensor, dtype: DType): void {
  const c = noGrad(() => cast(t.detach(), dtype).contiguous());
  t.storage = c.storage;
  t.dtype = dtype;
  t.strides = c.strides;
  t.offset = c.offset;
}

/** A deep copy of a module (PyTorch's copy.deepcopy): new parameters, buffers and children with the
 *  same values; shared tensors and modules stay shared within the copy. */
export function cloneModule<M extends Module>(m: M): M {
  return deepCopy(m, new Map()) as M;
}

function deepCopy(v: unknown, memo: Map<unknown, unknown>): unknown {
  if (v === null || typeof v !== "object") return v;
  if (memo.has(v)) return memo.get(v);
  if (v instanceof Parameter) {
    const p = new Parameter(v.detach().clone(), v.requiresGrad);
    memo.set(v, p);
    return p;
  }
  if (v instanceof Tensor) {
    const t = v.detach().clone();
    memo.set(v, t);
    return t;
  }
  if (v instanceof Module) {
    const out = Object.create(Object.getPrototypeOf(v));
    memo.set(v, out);
    for (const key of Reflect.ownKeys(v)) {
      const d = Object.getOwnPropertyDescriptor(v, key)!;
      if ("value" in d) d.value = deepCopy(d.value, memo);
      Object.defineProperty(out, key, d);
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    memo.set(v, out);
    for (const x of v) out.push(deepCopy(x, memo));
    return out;
  }
  if (v instanceof Set) return new Set([...v].map((x) => deepCopy(x, memo)));
  if (v instanceof Map) return new Map([...v].map(([a, b]) => [a, deepCopy(b, memo)]));
  if (Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    memo.set(v, out);
    for (const [k, x] of Object.entries(v)) out[k] = deepCopy(x, memo);
    return out;
  }
  return v; // functions, class instances of other kinds: shared
}

function checkModule(op: string, m: unknown, i: number | string): Module {
  if (!(m instanceof Module)) throw new Error(`${op}: entry ${i} is not an nn.Module (got ${m === null ? "null" : typeof m})`);
  return m;
}

/** Index into [0, n) with negative values counting from the end. */
function index(op: string, i: number, n: number): number {
  const j = i < 0 ? i + n : i;
  if (!Number.isInteger(j) || j < 0 || j >= n) throw new Error(`${op}: index ${i} is out of range for ${n} modules`);
  return j;
}

/** Modules held under the keys "0", "1", ...: the shared part of ModuleList and Sequential. */
abstract class IndexedModules<T extends Module> extends Module {
  [index: number]: T;

  /** The number of modules held. */
  get length(): number {
    let n = 0;
    while (Object.prototype.hasOwnProperty.call(this, String(n))) n++;
    return n;
  }
  /** The module at i (negative counts from the end). */
  get(i: number): T {
    return this[index(`${this.constructor.name}.get`, i, this.length)];
  }
  /** Replaces the module at i (negative counts from the end). */
  set(i: number, m: T): void {
    setField(this, String(index(`${this.constructor.name}.set`, i, this.length)), checkModule(`${this.constructor.name}.set`, m, i));
  }
  /** Adds a module at the end; returns this. */
  append(m: T): this {
    setField(this, String(this.length), checkModule(`${this.constructor.name}.append`, m, this.length));
    return this;
  }
  /** Adds each module at the end, in order; returns this. */
  extend(ms: Iterable<T>): this {
    for (const m of ms) this.append(m);
    return this;
  }
  /** Inserts a module before index i (negative counts from the end). */
  insert(i: number, m: T): void {
    const n = this.length;
    const at = i < 0 ? Math.max(0, i + n) : Math.min(i, n);
    checkModule(`${this.constructor.name}.insert`, m, i);
    for (let k = n; k > at; k--) setField(this, String(k), this[k - 1]);
    setField(this, String(at), m);
  }
  /** The modules in order. */
  *[Symbol.iterator](): Iterator<T> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this[i];
  }
}

/** Holds modules in a list, registered as children "0", "1", ...
 *  @example this.layers = new nn.ModuleList([new nn.Linear(4, 4), new nn.Linear(4, 4)]); */
export class ModuleList<T extends Module = Module> extends IndexedModules<T> {
  constructor(modules: Iterable<T> = []) {
    super();
    this.extend(modules);
  }
  override forward(): never {
    throw new Error("ModuleList has no forward(): iterate over its modules instead");
  }
}

/** Chains modules: call(x) runs each on the previous one's output. Also takes a record of named modules.
 *  @example const mlp = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2)); */
export class Sequential extends IndexedModules<Module> {
  constructor(...modules: (Module | Record<string, Module> | Map<string, Module>)[]) {
    super();
    const first = modules[0];
    if (modules.length === 1 && first !== undefined && !(first instanceof Module)) {
      const entries = first instanceof Map ? [...first] : Object.entries(first);
      for (const [k, m] of entries) this.registerModule(k, checkModule("Sequential", m, k));
    } else modules.forEach((m, i) => this.append(checkModule("Sequential", m, i) as Module));
  }
  /** The number of modules in the chain. */
  override get length(): number {
    return this._childEntries().length;
  }
  override get(i: number): Module {
    const kids = this._childEntries();
    return kids[index("Sequential.get", i, kids.length)][1];
  }
  /** The modules in order. */
  override *[Symbol.iterator](): Iterator<Module> {
    for (const [, m] of this._childEntries()) yield m;
  }
  /** Runs each module on the previous one's output; returns the last output. */
  override forward(x: any): any {
    for (const [, m] of this._childEntries()) x = m.call(x);
    return x;
  }
}

/** Holds modules by name (kept in a Map, so names never shadow methods).
 *  @example const heads = new nn.ModuleDict({ cls: new nn.Linear(8, 3), reg: new nn.Linear(8, 1) }); */
export class ModuleDict<T extends Module = Module> extends Module {
  declare private _items: Map<string, T>;

  constructor(modules: Record<string, T> | Map<string, T> | Iterable<[string, T]> = {}) {
    super();
    Object.defineProperty(this, "_items", { value: new Map<string, T>(), enumerable: false, writable: true });
    const entries = modules instanceof Map || Symbol.iterator in (modules as object) ? [...(modules as Iterable<[string, T]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
  }
  protected override _members(): [string, unknown][] {
    return [...super._members(), ...this._items];
  }
  /** The module under key, or undefined. */
  get(key: string): T | undefined {
    return this._items.get(key);
  }
  /** Adds or replaces the module under key; returns this. */
  set(key: string, m: T): this {
    checkName("ModuleDict.set", key);
    this._items.set(key, checkModule("ModuleDict.set", m, key) as T);
    return this;
  }
  /** Whether a module is held under key. */
  has(key: string): boolean {
    return this._items.has(key);
  }
  /** Removes the module under key; false when there was none. */
  delete(key: string): boolean {
    return this._items.delete(key);
  }
  /** PyTorch's pop: removes and returns the module under key. */
  pop(key: string): T {
    const m = this._items.get(key);
    if (!m) throw new Error(`ModuleDict.pop: no module named '${key}' (have: ${[...this._items.keys()].join(", ")})`);
    this._items.delete(key);
    return m;
  }
  /** The number of modules held. */
  get size(): number {
    return this._items.size;
  }
  /** The keys, in insertion order. */
  keys(): string[] {
    return [...this._items.keys()];
  }
  /** The modules, in insertion order. */
  values(): T[] {
    return [...this._items.values()];
  }
  /** The [key, module] pairs, in insertion order. */
  entries(): [string, T][] {
    return [...this._items];
  }
  /** Iterates over the keys, as a Python dict. */
  [Symbol.iterator](): Iterator<string> {
    return this._items.keys();
  }
  override forward(): never {
    throw new Error("ModuleDict has no forward(): call its modules by name instead");
  }
}

/** Holds parameters in a list, registered as "0", "1", ...
 *  @example this.scales = new nn.ParameterList([new nn.Parameter(dt.ones([4])), new nn.Parameter(dt.ones([4]))]); */
export class ParameterList extends Module {
  [index: number]: Parameter;
  constructor(params: Iterable<Parameter | Tensor> = []) {
    super();
    for (const p of params) this.append(p);
  }
  /** The number of parameters held. */
  get length(): number {
    let n = 0;
    while (Object.prototype.hasOwnProperty.call(this, String(n))) n++;
    return n;
  }
  /** The parameter at i (negative counts from the end). */
  get(i: number): Parameter {
    return this[index("ParameterList.get", i, this.length)];
  }
  /** Appends a parameter (a plain tensor is wrapped in a Parameter, as PyTorch does). */
  append(p: Parameter | Tensor): this {
    if (!(p instanceof Tensor)) throw new Error(`ParameterList.append: expected a Parameter or Tensor, got ${p === null ? "null" : typeof p}`);
    setField(this, String(this.length), p instanceof Parameter ? p : new Parameter(p));
    return this;
  }
  /** The parameters in order. */
  *[Symbol.iterator](): Iterator<Parameter> {
    const n = this.length;
    for (let i = 0; i < n; i++) yield this[i];
  }
  override forward(): never {
    throw new Error("ParameterList has no forward()");
  }
}

/** Holds parameters by name (kept in a Map, so names never shadow methods). */
export class ParameterDict extends Module {
  declare private _items: Map<string, Parameter>;
  constructor(params: Record<string, Parameter | Tensor> | Map<string, Parameter | Tensor> = {}) {
    super();
    Object.defineProperty(this, "_items", { value: new Map<string, Parameter>(), enumerable: false, writable: true });
    for (const [k, p] of params instanceof Map ? params : Object.entries(params)) this.set(k, p);
  }
  protected override _members(): [string, unknown][] {
    return [...super._members(), ...this._items];
  }
  /** The parameter under key, or undefined. */
  get(key: string): Parameter | undefined {
    return this._items.get(key);
  }
  /** Adds or replaces the parameter under key (a tensor is wrapped as a Parameter); returns this. */
  set(key: string, p: Parameter | Tensor): this {
    checkName("ParameterDict.set", key);
    if (!(p instanceof Tensor)) throw new Error(`ParameterDict.set: '${key}' must be a Parameter or Tensor`);
    this._items.set(key, p instanceof Parameter ? p : new Parameter(p));
    return this;
  }
  /** Whether a parameter is held under key. */
  has(key: string): boolean {
    return this._items.has(key);
  }
  /** Removes the parameter under key; false when there was none. */
  delete(key: string): boolean {
    return this._items.delete(key);
  }
  /** The number of parameters held. */
  get size(): number {
    return this._items.size;
  }
  /** The keys, in insertion order. */
  keys(): string[] {
    return [...this._items.keys()];
  }
  /** The parameters, in insertion order. */
  values(): Parameter[] {
    return [...this._items.values()];
  }
  /** The [key, parameter] pairs, in insertion order. */
  entries(): [string, Parameter][] {
    return [...this._items];
  }
  /** The keys, as PyTorch's ParameterDict iterates. */
  [Symbol.iterator](): Iterator<string> {
    return this._items.keys();
  }
  override forward(): never {
    throw new Error("ParameterDict has no forward()");
  }
}
