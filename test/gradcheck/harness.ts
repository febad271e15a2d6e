// Finite-difference gradient checking in float64, as torch.autograd.gradcheck:
// the analytic gradient of L = sum(f(x) * w) (w fixed random weights) against central differences.

import * as dt from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

export interface GradSample {
  /** What this case exercises (shown when it fails). */
  label?: string;
  /** The function of the differentiable inputs; other arguments are closed over. */
  fn: (...inputs: Tensor[]) => Tensor | Tensor[];
  /** Fresh float64 inputs; the ones with requiresGrad are checked. */
  inputs: () => Tensor[];
  atol?: number;
  rtol?: number;
  eps?: number;
  /** Also check second derivatives (gradient of the gradient) by finite differences. */
  secondOrder?: boolean;
  /** Reset the seed before each evaluation (for random ops such as dropout). */
  seed?: number;
}

/** Samples per op name; every differentiable op in dt.OPS must have at least one. */
export type SampleTable = Record<string, GradSample[]>;

function outputs(s: GradSample, xs: Tensor[]): Tensor[] {
  if (s.seed !== undefined) dt.manualSeed(s.seed);
  const r = s.fn(...xs);
  return Array.isArray(r) ? r : [r];
}

/** L = sum_k sum(out_k * w_k) */
function scalarLoss(outs: Tensor[], ws: Tensor[]): Tensor {
  let L: Tensor | null = null;
  outs.forEach((o, k) => {
    if (o.dtype !== "float64") return;
    const term = o.mul(ws[k]).sum();
    L = L ? L.add(term) : term;
  });
  if (!L) throw new Error("gradcheck: no float64 output");
  return L;
}

function numericGrad(f: () => number, x: Tensor, eps: number): Float64Array {
  const n = x.numel();
  const g = new Float64Array(n);
  if (!x.isContiguous()) throw new Error("gradcheck: inputs must be contiguous leaves");
  const s = x.storage as Float64Array;
  for (let i = 0; i < n; i++) {
    const o = x.offset + i;
    const v = s[o];
    s[o] = v + eps;
    const fp = f();
    s[o] = v - eps;
    const fm = f();
    s[o] = v;
    g[i] = (fp - fm) / (2 * eps);
  }
  return g;
}

function compare(what: string, analytic: ArrayLike<number>, numeric: ArrayLike<number>, atol: number, rtol: number): void {
  for (let i = 0; i < numeric.length; i++) {
    const a = analytic[i], b = numeric[i];
    if (!(Math.abs(a - b) <= atol + rtol * Math.abs(b)))
      throw new Error(`${what}: element ${i}: analytic ${a} vs numeric ${b} (atol ${atol}, rtol ${rtol})\nanalytic ${Array.from(analytic).slice(0, 12).join(", ")}\nnumeric  ${Array.from(numeric).slice(0, 12).join(", ")}`);
  }
}

export function gradcheck(s: GradSample): void {
  const eps = s.eps ?? 1e-6, atol = s.atol ?? 1e-5, rtol = s.rtol ?? 1e-4;
  const xs = s.inputs();
  const diff = xs.filter((x) => x.requiresGrad);
  if (diff.length === 0) throw new Error("gradcheck: no input requires grad");
  for (const x of diff) if (x.dtype !== "float64") throw new Error("gradcheck: differentiable inputs must be float64");
  dt.manualSeed(1234);
  const outs0 = outputs(s, xs);
  dt.manualSeed(4321);
  const ws = outs0.map((o) => dt.randn(o.shape, { dtype: "float64" }));
  const L = scalarLoss(outputs(s, xs), ws);
  const grads = dt.grad(L, diff, { allowUnused: true, createGraph: !!s.secondOrder });
  const f = () => dt.noGrad(() => scalarLoss(outputs(s, xs), ws).item());
  diff.forEach((x, k) => {
    const num = numericGrad(f, x, eps);
    const g = grads[k];
    compare(`first derivative wrt input ${xs.indexOf(x)}`, g ? g.dataSync() : new Float64Array(num.length), num, atol, rtol);
  });
  if (s.secondOrder) {
    // second order: d/dx of sum(grad(L, x) * v), analytic vs finite differences of the analytic gradient
    dt.manualSeed(99);
    const vs = diff.map((x) => dt.randn(x.shape, { dtype: "float64" }));
    let G: Tensor | null = null;
    grads.forEach((g, k) => {
      if (g && g.requiresGrad) {
        const t = g.mul(vs[k]).sum();
        G = G ? G.add(t) : t;
      }
    });
    if (!G) return; // gradient is constant in x: second derivative 0
    const hv = dt.grad(G, diff, { allowUnused: true });
    const fg = () => {
      const L2 = scalarLoss(outputs(s, xs), ws);
      const gs = dt.grad(L2, diff, { allowUnused: true });
      let acc = 0;
      gs.forEach((g, k) => {
        if (g) acc += g.mul(vs[k]).sum().item();
      });
      return acc;
    };
    diff.forEach((x, k) => {
      const num = numericGrad(fg, x, 1e-5);
      const h = hv[k];
      compare(`second derivative wrt input ${xs.indexOf(x)}`, h ? h.dataSync() : new Float64Array(num.length), num, atol * 10, rtol * 10);
    });
  }
}

/** A float64 leaf of the given shape with values from randn (or a transform of it). */
export function leaf(shape: number[], map?: (v: number) => number): Tensor {
  const t = dt.randn(shape, { dtype: "float64" });
  if (map) {
    const d = t.storage as Float64Array;
    for (let i = 0; i < d.length; i++) d[i] = map(d[i]);
  }
  return t.requiresGrad_(true);
}

/** A float64 constant (no grad). */
export function konst(shape: number[], map?: (v: number) => number): Tensor {
  const t = leaf(shape, map);
  return t.detach();
}
