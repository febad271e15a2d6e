// optim.Optimizer: the base class of every optimiser, as torch.optim.Optimizer.
// Holds param groups (each a list of tensors plus its own options, defaults filled in), per-parameter
// state, and the state-dict format of PyTorch: { state: { paramIndex: {...} }, paramGroups: [{ ...options, params: [indices] }] }.
// Subclasses implement `update(group, p, grad, state)`; the base runs it under dt.noGrad for every
// parameter whose grad is not null. Updates are fused JS loops over the typed arrays and write the
// parameters in place, so parameter tensors stay the same objects.

import { Tensor } from "../tensor/tensor.js";
import { enableGrad, noGrad } from "../tensor/autograd.js";
import { alloc, type TypedArray } from "../tensor/dtype.js";
import { fmt } from "../tensor/shape.js";
import { checkOptions } from "../tensor/options.js";

/** One parameter group: its tensors and its options (every default filled in). Schedulers add
 *  keys such as `initialLr`, `maxLr`, `minLr`. */
export type ParamGroup<O extends object = object> = O & {
  /** The group's parameters. */
  params: Tensor[];
  /** The group's learning rate (schedulers set it). */
  lr: number;
  [key: string]: unknown;
};

/** A param group as passed to a constructor: tensors plus any options overriding the defaults. */
export type ParamGroupInput<O extends object = object> = Partial<O> & {
  /** The group's parameters. */
  params: Iterable<Tensor> | Tensor;
  [key: string]: unknown;
};

/** What optimisers accept: an iterable of tensors, or of param-group objects. */
export type ParamsInput<O extends object = object> = Iterable<Tensor> | Iterable<ParamGroupInput<O>>;

/** Per-parameter state: tensors, numbers (step counts) or null. */
export type ParamState = Record<string, Tensor | number | null>;

/** The serialisable state, in PyTorch's layout (parameters replaced by their index, counted across groups). */
export interface OptimizerStateDict {
  /** Per-parameter state by parameter index. */
  state: Record<number, ParamState>;
  /** Each group's options, with its parameters as indices. */
  paramGroups: ({
    /** The indices of the group's parameters. */
    params: number[];
  } & Record<string, unknown>)[];
}

const ZERO_GRAD_KEYS = ["setToNone"] as const;

/** Base class: subclasses pass their defaults to super() and implement `update` (and `validate`).
 *  @example
 *  class SignSGD extends optim.Optimizer<{ lr: number }> {
 *    constructor(params: Tensor[], { lr = 0.01 } = {}) { super(params, { lr }); }
 *    protected update(group: { lr: number }, p: Tensor, grad: Tensor) { p.sub_(grad.sign().mul(group.lr)); }
 *  } */
export abstract class Optimizer<O extends object = Record<string, unknown>> {
  /** The default options (the constructor's options with PyTorch's defaults filled in). */
  readonly defaults: O & {
    /** The default learning rate. */
    lr: number;
  };
  /** The param groups, each with its tensors and options (PyTorch's param_groups). */
  paramGroups: ParamGroup<O>[] = [];
  /** Per-parameter state, keyed by the parameter tensor. */
  state = new Map<Tensor, ParamState>();

  constructor(params: ParamsInput<O>, defaults: O & { lr: number }) {
    this.defaults = defaults;
    if (params instanceof Tensor || params === null || params === undefined || typeof (params as any)[Symbol.iterator] !== "function")
      throw new TypeError(
        `${this.constructor.name}: params should be an iterable of Tensors or of param-group objects ({ params, ...options }), got ${describe(params)}`,
      );
    const list = Array.from(params as Iterable<unknown>);
    if (list.length === 0) throw new Error(`${this.constructor.name}: optimizer got an empty parameter list`);
    const groups: ParamGroupInput<O>[] =
      list[0] instanceof Tensor || !isPlainObject(list[0]) ? [{ params: list as Tensor[] } as unknown as ParamGroupInput<O>] : (list as ParamGroupInput<O>[]);
    for (const g of groups) this.addParamGroup(g);
  }

  /** Checks one group's options (numbers in range...) and throws with a clear message; called by
   *  addParamGroup once the defaults are filled in. */
  protected validate(_options: Record<string, unknown>): void {}

  /** Updates one parameter in place from its gradient (called under noGrad, grad not null). */
  protected abstract update(group: ParamGroup<O>, p: Tensor, grad: Tensor, state: ParamState): void;

  /** Adds a param group (e.g. layers unfrozen while fine-tuning), filling in the defaults.
   *  @example opt.addParamGroup({ params: head.parameters(), lr: 1e-3 }); */
  addParamGroup(group: ParamGroupInput<O>): void {
    const name = this.constructor.name;
    if (!isPlainObject(group)) throw new TypeError(`${name}.addParamGroup: a param group must be an object { params, ...options }, got ${describe(group)}`);
    const raw = group.params;
    if (raw === undefined) throw new TypeError(`${name}: a param group needs a 'params' entry`);
    let params: unknown[];
    if (raw instanceof Tensor) params = [raw];
    else if (raw instanceof Set) throw new TypeError(`${name}: parameters must come in an ordered collection (an array), not a Set`);
    else if (raw !== null && typeof (raw as any)[Symbol.iterator] === "function") params = Array.from(raw as Iterable<unknown>);
    else throw new TypeError(`${name}: a param group's 'params' must be a Tensor or an iterable of Tensors, got ${describe(raw)}`);
    params.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`${name}: optimizer can only optimize Tensors, but parameter ${i} is ${describe(p)}`);
      if (!p.isLeaf) throw new Error(`${name}: can't optimize a non-leaf Tensor (parameter ${i}, shape ${fmt(p.shape)}, made by ${p.gradFn})`);
      if (p.dtype !== "float32" && p.dtype !== "float64")
        throw new TypeError(`${name}: parameters must be float32 or float64, parameter ${i} is ${p.dtype}`);
    });
    for (const k of Object.keys(group)) {
      const c = camel(k);
      if (c !== k && !(k in this.defaults) && c in this.defaults) throw new TypeError(`${name}: unknown param-group option '${k}' (did you mean '${c}'?)`);
    }
    const out: Record<string, unknown> = { ...group, params };
    for (const [k, v] of Object.entries(this.defaults)) if (out[k] === undefined) out[k] = copyOption(v);
    this.validate(out);
    const taken = new Set<Tensor>();
    for (const g of this.paramGroups) for (const p of g.params) taken.add(p);
    for (const p of params as Tensor[]) if (taken.has(p)) throw new Error(`${name}: some parameters appear in more than one parameter group`);
    this.paramGroups.push(out as ParamGroup<O>);
  }

  /** PyTorch's summary: each group's options, sorted by name.
   *  @example console.log(String(opt)); */
  toString(): string {
    const lines = [`${this.constructor.name} (`];
    this.paramGroups.forEach((g, i) => {
      lines.push(`Parameter Group ${i}`);
      for (const k of Object.keys(g).filter((k) => k !== "params").sort()) lines.push(`    ${k}: ${JSON.stringify(g[k])}`);
    });
    lines.push(")");
    return lines.join("\n");
  }

  /** Sets every parameter's grad to null (default), or to zeros with `setToNone: false`.
   *  @example opt.zeroGrad(); loss.backward(); opt.step(); */
  zeroGrad(opts: { setToNone?: boolean } = {}): void {
    const { setToNone = true } = checkOptions(`${this.constructor.name}.zeroGrad`, opts, ZERO_GRAD_KEYS, 1);
    for (const g of this.paramGroups)
      for (const p of g.params) {
        if (p.grad === null) continue;
        if (setToNone) p.grad = null;
        else {
          const grad = p.grad.isLeaf ? p.grad : p.grad.detach();
          grad.requiresGrad = false;
          noGrad(() => grad.zero_());
          p.grad = grad;
        }
      }
  }

  /** One optimisation step over every parameter that has a grad. `closure`, when given, recomputes
   *  the loss (with grad mode on) and its value is returned.
   *  @example loss.backward(); opt.step(); */
  step(closure?: () => number | Tensor): number | Tensor | undefined {
    const loss = closure ? enableGrad(closure) : undefined;
    noGrad(() => {
      for (const group of this.paramGroups)
        for (const p of group.params) {
          const grad = p.grad;
          if (grad === null) continue;
          if (grad.numel() !== p.numel())
            throw new Error(`${this.constructor.name}.step: the grad of shape ${fmt(grad.shape)} does not match its parameter of shape ${fmt(p.shape)}`);
          let st = this.state.get(p);
          if (st === undefined) this.state.set(p, (st = {}));
          this.update(group, p, grad, st);
        }
    });
    return loss;
  }

  /** The optimiser's state (copies), parameters replaced by their index across groups.
   *  @example const saved = opt.stateDict(); fresh.loadStateDict(saved); */
  stateDict(): OptimizerStateDict {
    const index = new Map<Tensor, number>();
    let next = 0;
    const paramGroups = this.paramGroups.map((g) => {
      const packed: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(g)) if (k !== "params") packed[k] = copyOption(v);
      packed.params = g.params.map((p) => {
        if (!index.has(p)) index.set(p, next++);
        return index.get(p)!;
      });
      return packed as { params: number[] } & Record<string, unknown>;
    });
    const state: Record<number, ParamState> = {};
    for (const [p, st] of this.state) {
      const i = index.get(p);
      if (i === undefined) continue;
      state[i] = copyState(st, null);
    }
    return { state, paramGroups };
  }

  /** Loads a state from `stateDict()` (the same groups, each with as many parameters). Values are
   *  copied; float state tensors take their parameter's dtype. Accepts PyTorch's `param_groups` key too.
   *  @example opt.loadStateDict(checkpoint.optimizer); */
  loadStateDict(sd: OptimizerStateDict | { state: Record<number, ParamState>; param_groups: OptimizerStateDict["paramGroups"] }): void {
    const name = this.constructor.name;
    if (!isPlainObject(sd) || !isPlainObject((sd as any).state))
      throw new TypeError(`${name}.loadStateDict: expected { state, paramGroups }, got ${describe(sd)}`);
    const saved = ((sd as any).paramGroups ?? (sd as any).param_groups) as OptimizerStateDict["paramGroups"] | undefined;
    if (!Array.isArray(saved)) throw new TypeError(`${name}.loadStateDict: the state dict has no paramGroups array`);
    if (saved.length !== this.paramGroups.length)
      throw new Error(`${name}.loadStateDict: loaded state dict has ${saved.length} parameter groups, the optimizer has ${this.paramGroups.length}`);
    saved.forEach((sg, i) => {
      if (!Array.isArray(sg.params) || sg.params.length !== this.paramGroups[i].params.length)
        throw new Error(
          `${name}.loadStateDict: loaded state dict contains a parameter group (${i}) of ${sg.params?.length} parameters that doesn't match the size of optimizer's group (${this.paramGroups[i].params.length})`,
        );
    });
    const idToParam = new Map<number, Tensor>();
    saved.forEach((sg, i) => sg.params.forEach((id, j) => idToParam.set(id, this.paramGroups[i].params[j])));
    const state = new Map<Tensor, ParamState>();
    for (const [k, v] of Object.entries((sd as any).state as Record<string, ParamState>)) {
      const p = idToParam.get(Number(k));
      if (p === undefined) continue;
      state.set(p, copyState(v, p));
    }
    this.paramGroups = saved.map((sg, i) => {
      const g: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(sg)) if (k !== "params") g[camel(k)] = copyOption(v);
      g.params = this.paramGroups[i].params;
      return g as ParamGroup<O>;
    });
    this.state = state;
  }
}

// ---- helpers shared by the optimisers -------------------------------------------------------

/** A contiguous zero (or `value`) tensor like p: the shape and dtype of a state buffer. */
export function stateLike(p: Tensor, value = 0): Tensor {
  const data = alloc(p.dtype, p.numel());
  if (value !== 0) data.fill(value);
  return new Tensor(data, p.shape.slice(), p.dtype);
}

/** A contiguous copy of t (a state buffer such as the first momentum buffer). */
export function cloneContiguous(t: Tensor): Tensor {
  return new Tensor(t.dataSync(), t.shape.slice(), t.dtype);
}

/** The elements of t as an array read from `offset` on (no copy when t is contiguous). */
export function readable(t: Tensor): { data: TypedArray; offset: number } {
  if (t.isContiguous()) return { data: t.storage, offset: t.offset };
  return { data: t.dataSync(), offset: 0 };
}

/** Runs `fn` on p's elements as one writable array (p's storage when contiguous; else a copy
 *  written back afterwards). */
export function writeParam(p: Tensor, fn: (data: TypedArray, offset: number) => void): void {
  if (p.isContiguous()) {
    fn(p.storage, p.offset);
    return;
  }
  const buf = p.dataSync();
  fn(buf, 0);
  p.copy_(new Tensor(buf, p.shape.slice(), p.dtype));
}

/** A state buffer's array: the tensor's own storage (state tensors are contiguous at offset 0). */
export function buffer(t: Tensor | number | null | undefined, what: string): TypedArray {
  if (!(t instanceof Tensor)) throw new Error(`optimizer state '${what}' is missing or not a tensor`);
  return t.storage;
}

/** Throws `${name}: Invalid ${what} value: ${v}` unless ok(v) (PyTorch's messages). */
export function check(name: string, what: string, v: unknown, ok: (x: number) => boolean): void {
  if (typeof v !== "number" || Number.isNaN(v) || !ok(v)) throw new RangeError(`${name}: Invalid ${what} value: ${String(v)}`);
}

/** The optimiser's options object, checked (the shared checkOptions): throws when it is not an object
 *  (`new optim.SGD(params, 0.1)`) or has keys the optimiser doesn't know (e.g. snake_case names). */
export function checkKeys<O extends object>(name: string, opts: O | undefined, known: readonly string[]): O {
  return checkOptions(name, opts, known, 2);
}

function camel(k: string): string {
  return k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !(x instanceof Tensor) && !Array.isArray(x) && typeof (x as any)[Symbol.iterator] !== "function";
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (x instanceof Tensor) return `a Tensor of shape ${fmt(x.shape)}`;
  if (Array.isArray(x)) return "an array";
  return typeof x === "object" ? (x.constructor?.name ?? "object") : `${typeof x} ${String(x)}`;
}

function copyOption(v: unknown): unknown {
  return Array.isArray(v) ? v.slice() : v;
}

/** Deep-copies one parameter's state; with `like`, float tensors are cast to its dtype (not 'step'). */
function copyState(st: ParamState, like: Tensor | null): ParamState {
  const out: ParamState = {};
  for (const [k, v] of Object.entries(st)) {
    if (v instanceof Tensor) {
      let t = cloneContiguous(v);
      if (like && k !== "step" && t.dtype !== like.dtype && (t.dtype === "float32" || t.dtype === "float64")) t = t.to(like.dtype);
      out[k] = k === "step" && like ? (t.numel() === 1 ? t.item() : t) : t;
    } else out[k] = v;
  }
  return out;
}
