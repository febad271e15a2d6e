// Reverse-mode autograd: grad mode, recording (attach), and the backward pass.
// As micrograd: a topological sort from the outputs, then a reversed loop calling each op's
// backward closure. Closures are written with tensor ops, so with createGraph the gradient is
// itself recorded and can be differentiated again (double backward, Hessian-vector products).

import { checkOptions } from "./options.js";
import { Node, Tensor } from "./tensor.js";
import { fmt, shapesEqual } from "./shape.js";
import { isFloat } from "./dtype.js";
import { add, cast } from "../ops/elementwise.js";
import { onesLike, zerosLike } from "../ops/creation.js";
import { B } from "../backend/backend.js";

let gradEnabled = true;

/** Whether ops record the graph now (false inside dt.noGrad). */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Sets grad mode; returns the previous mode. */
export function setGradEnabled(on: boolean): boolean {
  const prev = gradEnabled;
  gradEnabled = on;
  return prev;
}

/** Runs fn with no graph recorded and returns its value, as `with torch.no_grad()`.
 *  @example const y = dt.noGrad(() => model.call(x)); */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Runs fn with grad mode on (inside a noGrad block too). */
export function enableGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = true;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

export type BackwardFn = (g: Tensor) => (Tensor | null | undefined)[];

/** Records `out = op(inputs)` in the graph when grad mode is on and an input requires grad.
 *  `backward` maps the gradient of out to one gradient per input (null where none). */
export function attach(out: Tensor, op: string, inputs: Tensor[], backward: BackwardFn): Tensor {
  if (!gradEnabled) return out;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].requiresGrad) {
      out.requiresGrad = true;
      out._node = new Node(op, inputs, backward, out.shape);
      return out;
    }
  }
  return out;
}

interface RunOptions {
  retainGraph: boolean;
  createGraph: boolean;
  /** For dt.grad: collect gradients of these tensors instead of accumulating into leaves. */
  inputs?: Tensor[];
}

function topoSort(roots: Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  // iterative post-order DFS (graphs of long loops would overflow the call stack)
  const stack: [Tensor, number][] = [];
  for (const r of roots) {
    if (seen.has(r)) continue;
    seen.add(r);
    stack.push([r, 0]);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const node = top[0]._node;
      const inputs = node ? node.inputs : [];
      if (top[1] < inputs.length) {
        const child = inputs[top[1]++];
        if (child.requiresGrad && !seen.has(child)) {
          seen.add(child);
          stack.push([child, 0]);
        }
      } else {
        order.push(top[0]);
        stack.pop();
      }
    }
  }
  return order;
}

function run(roots: Tensor[], seeds: Tensor[], opts: RunOptions): Map<Tensor, Tensor> {
  const order = topoSort(roots);
  const grads = new Map<Tensor, Tensor>();
  for (let i = 0; i < roots.length; i++) {
    const prev = grads.get(roots[i]);
    grads.set(roots[i], prev ? add(prev, seeds[i]) : seeds[i]);
  }
  const wanted = opts.inputs ? new Set(opts.inputs) : null;
  const collected = new Map<Tensor, Tensor>();
  const owned = new Set<Tensor>(); // gradient buffers created here, safe to add into in place
  const prevMode = setGradEnabled(opts.createGraph);
  try {
    for (let i = order.length - 1; i >= 0; i--) {
      const t = order[i];
      const g = grads.get(t);
      if (!g) continue;
      grads.delete(t);
      owned.delete(g); // handed on from here (to .grad or a backward closure): never written in place again
      if (wanted) {
        if (wanted.has(t)) collected.set(t, g);
      } else if (t._node === null) {
        // a leaf: accumulate into .grad
        const gg = opts.createGraph ? g : detachTensor(g);
        t.grad = t.grad ? (opts.createGraph ? add(t.grad, gg) : noGrad(() => add(t.grad!, gg))) : gg;
        continue;
      }
      const node = t._node;
      if (!node) continue;
      if (!node.backward)
        throw new Error(
          `backward: trying to backward through the graph a second time (op '${node.op}', output shape ${fmt(node.shape)}): ` +
            `its saved values were freed after the first backward; pass { retainGraph: true } to the first backward or dt.grad call`,
        );
      const x0 = node.inputs[0];
      if (node.accumulate && !opts.createGraph && x0.requiresGrad && node.inputs.length === 1) {
        // in-place accumulation (slices of one tensor: RNN time steps, chunked gates)
        let acc = grads.get(x0);
        if (!acc || !owned.has(acc)) {
          const fresh = zerosLike(x0);
          if (acc) B().copy(acc, fresh);
          acc = fresh;
          owned.add(acc);
          grads.set(x0, acc);
        }
        node.accumulate(acc, g.dtype === acc.dtype ? g : cast(g, acc.dtype));
        if (!opts.retainGraph) node.backward = null;
        continue;
      }
      const inGrads = node.backward(g);
      const inputs = node.inputs;
      if (!opts.retainGraph) node.backward = null;
      for (let k = 0; k < inputs.length; k++) {
        const x = inputs[k];
        let gx = inGrads[k];
        if (!x.requiresGrad || gx === null || gx === undefined) continue;
        if (!shapesEqual(gx.shape, x.shape))
          throw new Error(`backward: op '${node.op}' returned a gradient of shape ${fmt(gx.shape)} for an input of shape ${fmt(x.shape)} (internal error)`);
        if (gx.dtype !== x.dtype) gx = cast(gx, x.dtype);
        const prev = grads.get(x);
        if (!prev) grads.set(x, gx);
        else if (owned.has(prev)) B().addInto(prev, gx); // keep accumulating into the owned buffer
        else {
          // a second contribution: the sum is a fresh buffer that only this map holds, so (without
          // createGraph) later contributions are added into it in place
          const sum = add(prev, gx);
          if (!opts.createGraph) owned.add(sum);
          grads.set(x, sum);
        }
      }
    }
  } finally {
    setGradEnabled(prevMode);
  }
  return collected;
}

function detachTensor(t: Tensor): Tensor {
  if (!t.requiresGrad) return t;
  return new Tensor(t.storage, t.shape, t.dtype, t.strides, t.offset);
}

function checkSeed(op: string, out: Tensor, g: Tensor | undefined | null): Tensor {
  if (!out.requiresGrad)
    throw new Error(`${op}: tensor of shape ${fmt(out.shape)} does not require grad and has no gradFn (expected a result of ops on tensors with requiresGrad: true)`);
  if (g === undefined || g === null) {
    if (out.numel() !== 1)
      throw new Error(`${op}: grad can be implicitly created only for scalar outputs, got shape ${fmt(out.shape)} (expected a gradient argument of that shape)`);
    return onesLike(out);
  }
  if (!shapesEqual(g.shape, out.shape))
    throw new Error(`${op}: gradient of shape ${fmt(g.shape)} does not match the output shape ${fmt(out.shape)}`);
  return g;
}

const BACKWARD_KEYS = ["retainGraph", "createGraph"] as const;
const GRAD_KEYS = ["gradOutputs", "retainGraph", "createGraph", "allowUnused"] as const;

/** t.backward(gradient?, { retainGraph? }): accumulates d t / d leaf into each leaf's .grad. */
export function backward(t: Tensor, gradient?: Tensor | null, opts: { retainGraph?: boolean; createGraph?: boolean } = {}): void {
  opts = checkOptions("backward", opts, BACKWARD_KEYS, 2);
  const seed = checkSeed("backward", t, gradient);
  const createGraph = opts.createGraph ?? false;
  run([t], [seed], { retainGraph: opts.retainGraph ?? createGraph, createGraph });
}

/** dt.grad(outputs, inputs, { gradOutputs, createGraph, retainGraph, allowUnused }) as torch.autograd.grad.
 *  @example const [gx] = dt.grad(y, [x], { createGraph: true }); */
export function grad(
  outputs: Tensor | Tensor[],
  inputs: Tensor | Tensor[],
  opts: { gradOutputs?: Tensor | (Tensor | null)[] | null; createGraph?: boolean; retainGraph?: boolean; allowUnused?: boolean } = {},
): (Tensor | null)[] {
  opts = checkOptions("dt.grad", opts, GRAD_KEYS, 3);
  const outs = Array.isArray(outputs) ? outputs : [outputs];
  const ins = Array.isArray(inputs) ? inputs : [inputs];
  const gos = opts.gradOutputs == null ? [] : Array.isArray(opts.gradOutputs) ? opts.gradOutputs : [opts.gradOutputs];
  const seeds = outs.map((o, i) => checkSeed("grad", o, gos[i]));
  for (const x of ins)
    if (!x.requiresGrad) throw new Error(`grad: input of shape ${fmt(x.shape)} does not require grad (expected tensors with requiresGrad: true)`);
  const createGraph = opts.createGraph ?? false;
  const got = run(outs, seeds, { retainGraph: opts.retainGraph ?? createGraph, createGraph, inputs: ins });
  return ins.map((x, i) => {
    const g = got.get(x);
    if (!g) {
      if (opts.allowUnused) return null;
      throw new Error(`grad: input ${i} (shape ${fmt(x.shape)}) was not used to compute the outputs (pass { allowUnused: true } to get null)`);
    }
    return createGraph ? g : detachTensor(g);
  });
}

/** t.requiresGrad_(flag): marks a leaf for gradient tracking. */
export function setRequiresGrad(t: Tensor, flag = true): Tensor {
  if (flag && !isFloat(t.dtype))
    throw new Error(`requiresGrad_: only floating point tensors can require gradients, got dtype ${t.dtype} of shape ${fmt(t.shape)} (expected float32 or float64)`);
  if (!flag && t._node) throw new Error(`requiresGrad_: cannot turn off requiresGrad on a non-leaf tensor (use detach())`);
  t.requiresGrad = flag;
  return t;
}
