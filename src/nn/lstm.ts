// F.lstm: one LSTM layer over a whole sequence as one op (what nn.LSTM runs per layer and
// direction), PyTorch's gate order i, f, g, o:
//
//   i, f, g, o = sigma, sigma, tanh, sigma (x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)
//   c_t = f c_{t-1} + i g;   h_t = o tanh(c_t)
//
// Forward: the input projection of every time step is one GEMM ([T*N, I] @ W_ih^T); each step adds
// h_{t-1} W_hh^T (one small GEMM) and runs the gates in one loop; no graph is built per step.
// Backward (backpropagation through time) walks the steps in reverse, computing the gate
// gradients dG_t and dh_{t-1} = dG_t W_hh; the weight, bias and input gradients are then three
// GEMMs over all steps at once. Under createGraph the backward is rebuilt from differentiable
// per-step ops instead, so gradients of gradients stay exact.

import { Tensor } from "../tensor/tensor.js";
import { B, type View } from "../backend/backend.js";
import { attach, grad, isGradEnabled, noGrad } from "../tensor/autograd.js";
import { alloc, type TypedArray } from "../tensor/dtype.js";
import { fmt } from "../tensor/shape.js";
import { defineOp } from "../ops/registry.js";
import { checkTensor, requireFloat, wrap } from "../ops/util.js";
import { add, mul, sigmoid, tanh } from "../ops/elementwise.js";
import { matmul } from "../ops/linalg.js";
import { chunk, select, stack, transpose } from "../ops/shape.js";

type Arr = Float32Array | Float64Array;

/** A dense row-major view of n rows x m columns of `a` starting at element `off`. */
function mat(a: TypedArray, rows: number, cols: number, off = 0, dtype = dtypeOf(a)): View {
  return { storage: a, shape: [rows, cols], strides: [cols, 1], offset: off, dtype };
}

/** W^T of a 2-d tensor, read in place. */
function transposed(w: Tensor): View {
  return { storage: w.storage, shape: [w.shape[1], w.shape[0]], strides: [w.strides[1], w.strides[0]], offset: w.offset, dtype: w.dtype };
}

function dtypeOf(a: TypedArray): "float32" | "float64" {
  return a instanceof Float64Array ? "float64" : "float32";
}

/** x [T, N, I] as a [T*N, I] view, read in place when its rows step evenly (else copied). */
function contiguousRows(x: Tensor, rows: number, cols: number): View {
  const [T, N] = x.shape;
  const rowStride = N === 1 ? x.strides[0] : x.strides[1];
  if (N === 1 || T === 1 || x.strides[0] === N * x.strides[1])
    return { storage: x.storage, shape: [rows, cols], strides: [rowStride, x.strides[2]], offset: x.offset, dtype: x.dtype };
  const out = alloc(x.dtype, rows * cols);
  B().copy(x, { storage: out, shape: x.shape, strides: [N * cols, cols, 1], offset: 0, dtype: x.dtype });
  return mat(out, rows, cols);
}

/** The same layer from differentiable per-step ops: [2, T, N, H] (every h_t, then every c_t). */
function reference(x: Tensor, h0: Tensor, c0: Tensor, wih: Tensor, whh: Tensor, bih: Tensor | null, bhh: Tensor | null): Tensor {
  const T = x.shape[0];
  let h = h0, c = c0;
  const hs: Tensor[] = [], cs: Tensor[] = [];
  const wihT = transpose(wih, 0, 1), whhT = transpose(whh, 0, 1);
  for (let t = 0; t < T; t++) {
    let gates = add(matmul(select(x, 0, t), wihT), matmul(h, whhT));
    if (bih) gates = add(gates, bih);
    if (bhh) gates = add(gates, bhh);
    const [i, f, g, o] = chunk(gates, 4, 1);
    c = add(mul(sigmoid(f), c), mul(sigmoid(i), tanh(g)));
    h = mul(sigmoid(o), tanh(c));
    hs.push(h);
    cs.push(c);
  }
  return stack([stack(hs, 0), stack(cs, 0)], 0);
}

/** F.lstm(x [T, N, I], h0 [N, H], c0 [N, H], weightIh [4H, I], weightHh [4H, H], biasIh? [4H], biasHh? [4H])
 *  runs one LSTM layer over the sequence and returns [output [T, N, H] (every h_t), hN [N, H], cN [N, H]].
 *  @example const [out, hN, cN] = F.lstm(x, h0, c0, wih, whh, bih, bhh); */
export const lstm = defineOp(
  "lstm",
  (x: Tensor, h0: Tensor, c0: Tensor, weightIh: Tensor, weightHh: Tensor, biasIh: Tensor | null = null, biasHh: Tensor | null = null): [Tensor, Tensor, Tensor] => {
    const op = "lstm";
    checkTensor(op, x, "input");
    requireFloat(op, x);
    for (const [t, what] of [[h0, "h0"], [c0, "c0"], [weightIh, "weightIh"], [weightHh, "weightHh"]] as const) checkTensor(op, t, what);
    if (x.ndim !== 3) throw new Error(`${op}: expected input [T, N, I], got ${fmt(x.shape)}`);
    const [T, N, I] = x.shape;
    if (weightHh.ndim !== 2 || weightHh.shape[0] !== 4 * weightHh.shape[1])
      throw new Error(`${op}: weightHh ${fmt(weightHh.shape)} must be [4H, H]`);
    const H = weightHh.shape[1], G = 4 * H;
    const want = (t: Tensor | null, what: string, shape: number[]): void => {
      if (t === null) return;
      checkTensor(op, t, what);
      if (t.shape.length !== shape.length || t.shape.some((s, k) => s !== shape[k]))
        throw new Error(`${op}: ${what} ${fmt(t.shape)} must have shape ${fmt(shape)} for input ${fmt(x.shape)} and hidden size ${H}`);
      if (t.dtype !== x.dtype) throw new Error(`${op}: ${what} is ${t.dtype}, expected ${x.dtype} like the input`);
    };
    want(weightIh, "weightIh", [G, I]);
    want(weightHh, "weightHh", [G, H]);
    want(h0, "h0", [N, H]);
    want(c0, "c0", [N, H]);
    want(biasIh, "biasIh", [G]);
    want(biasHh, "biasHh", [G]);
    if (T === 0) throw new Error(`${op}: input ${fmt(x.shape)} has no time steps`);
    const dtype = x.dtype;
    const NH = N * H;

    // ---- forward ----
    const xv = contiguousRows(x, T * N, I);
    const bias = noGrad(() => (biasIh && biasHh ? add(biasIh, biasHh) : biasIh ?? biasHh));
    const bView: View | null = bias ? { storage: bias.storage, shape: [T * N, G], strides: [0, bias.strides[0]], offset: bias.offset, dtype } : null;
    const { act: ACT, all: ALL } = B().lstmForward(xv, transposed(weightIh), bView, h0, c0, transposed(weightHh));
    const all = wrap(ALL, [2, T, N, H], dtype);
    const inputs = [x, h0, c0, weightIh, weightHh, ...(biasIh ? [biasIh] : []), ...(biasHh ? [biasHh] : [])];
    attach(all, "lstm", inputs, (gAll) => {
      if (isGradEnabled()) {
        // createGraph: differentiate the same layer built from differentiable ops
        const need = inputs.filter((t) => t.requiresGrad);
        const ref = reference(x, h0, c0, weightIh, weightHh, biasIh, biasHh);
        const got = grad(ref, need, { gradOutputs: gAll, createGraph: true, allowUnused: true });
        return inputs.map((t) => {
          const k = need.indexOf(t);
          return k < 0 ? null : got[k];
        });
      }
      return backwardFused(gAll);
    });
    const output = select(all, 0, 0);
    return [output, select(output, 0, T - 1), select(select(all, 0, 1), 0, T - 1)];

    function backwardFused(gAll: Tensor): (Tensor | null)[] {
      const { dG, dh0, dc0 } = B().lstmBackward(gAll, mat(ACT, T * N, G), { storage: ALL, shape: [2, T, N, H], strides: [T * NH, NH, H, 1], offset: 0, dtype }, c0, weightHh);
      const dGT: View = { storage: dG, shape: [G, T * N], strides: [1, G], offset: 0, dtype }; // dG^T, read in place
      const out: (Tensor | null)[] = [];
      out.push(x.requiresGrad ? wrap(B().matmul(mat(dG, T * N, G), weightIh, dtype), [T, N, I], dtype) : null);
      out.push(h0.requiresGrad ? wrap(dh0, [N, H], dtype) : null);
      out.push(c0.requiresGrad ? wrap(dc0, [N, H], dtype) : null);
      out.push(weightIh.requiresGrad ? wrap(B().matmul(dGT, xv, dtype), [G, I], dtype) : null);
      if (weightHh.requiresGrad) {
        // h_{t-1} for every step: h0, then h_0 .. h_{T-2}
        const HP = alloc(dtype, T * NH) as Arr;
        B().copy(h0, { storage: HP, shape: [N, H], strides: [H, 1], offset: 0, dtype });
        HP.set((ALL as Arr).subarray(0, (T - 1) * NH) as any, NH);
        out.push(wrap(B().matmul(dGT, mat(HP, T * N, H), dtype), [G, H], dtype));
      } else out.push(null);
      if (biasIh || biasHh) {
        let db: Tensor | null = null;
        if (biasIh?.requiresGrad || biasHh?.requiresGrad) {
          db = wrap(B().reduce("sum", mat(dG, T * N, G), [0], dtype), [G], dtype);
        }
        if (biasIh) out.push(biasIh.requiresGrad ? db : null);
        if (biasHh) out.push(biasHh.requiresGrad ? (biasIh?.requiresGrad ? wrap((db!.storage as Arr).slice(), [G], dtype) : db) : null);
      }
      return out;
    }
  },
);
