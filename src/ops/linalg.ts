// Linear algebra: matmul (1-D, 2-D, batched with broadcasting, as torch.matmul), mm, bmm, outer, dot.

import { B } from "../backend/backend.js";
import { Tensor } from "../tensor/tensor.js";
import { attach } from "../tensor/autograd.js";
import { broadcastShapes, fmt } from "../tensor/shape.js";
import { defineOp } from "./registry.js";
import { checkTensor, resultType, wrap } from "./util.js";
import { expand, reshape, squeeze, transpose, unsqueeze } from "./shape.js";
import { mul, cast } from "./elementwise.js";
import { sum } from "./reduce.js";

/** Batched product of a[..., M, K] and b[..., K, N] with equal batch dims (views may broadcast).
 *  dA = g B^T, dB = A^T g. Transposed operands are read in place through their strides. */
function bmmCore(a: Tensor, b: Tensor): Tensor {
  const nd = a.ndim;
  const dt = a.dtype;
  const shape = [...a.shape.slice(0, nd - 2), a.shape[nd - 2], b.shape[nd - 1]];
  const out = wrap(B().matmul(a, b, dt), shape, dt);
  return attach(out, "matmul", [a, b], (g) => [gradA(g, a, b), gradB(g, a, b)]);
}

// An operand stored transposed (linear's weight^T) gets its gradient computed transposed, so the
// gradient comes out in the operand's own layout (contiguous once transposed back), not strided.
function gradA(g: Tensor, a: Tensor, b: Tensor): Tensor | null {
  if (!a.requiresGrad) return null;
  return transposedLayout(a) ? transpose(bmmCore(b, transpose(g, -1, -2)), -1, -2) : bmmCore(g, transpose(b, -1, -2));
}
function gradB(g: Tensor, a: Tensor, b: Tensor): Tensor | null {
  if (!b.requiresGrad) return null;
  return transposedLayout(b) ? transpose(bmmCore(transpose(g, -1, -2), a), -1, -2) : bmmCore(transpose(a, -1, -2), g);
}

/** bias + a @ b for 2-D a [M, K], b [K, N] and bias [N] of one float dtype, in one kernel (addmm, as
 *  torch.nn.functional.linear); dbias = g summed over rows. */
export function addmm(bias: Tensor, a: Tensor, b: Tensor): Tensor {
  const M = a.shape[0], N = b.shape[1];
  const dt = a.dtype;
  const out = wrap(B().matmul(a, b, dt, expand(bias, [M, N])), [M, N], dt);
  return attach(out, "addmm", [a, b, bias], (g) => [gradA(g, a, b), gradB(g, a, b), bias.requiresGrad ? sum(g, 0) : null]);
}

/** True when the last two dims of t are stored column-major (a transposed matrix). */
function transposedLayout(t: Tensor): boolean {
  const nd = t.ndim;
  return t.shape[nd - 2] > 1 && t.shape[nd - 1] > 1 && t.strides[nd - 2] === 1 && t.strides[nd - 1] >= t.shape[nd - 2];
}

function checkOperands(op: string, a: Tensor, b: Tensor): void {
  checkTensor(op, a, "first operand");
  checkTensor(op, b, "second operand");
  if (a.dtype === "bool" || b.dtype === "bool")
    throw new Error(`${op}: ${fmt(a.shape)} ${a.dtype} @ ${fmt(b.shape)} ${b.dtype}: bool tensors are not supported (expected float or int32)`);
  if (a.ndim === 0 || b.ndim === 0) throw new Error(`${op}: ${fmt(a.shape)} @ ${fmt(b.shape)}: both arguments need at least 1 dim`);
}

/** matmul(a, b) with torch.matmul's rules: 1-D x 1-D is a dot product, 1-D operands gain and lose a dim,
 *  leading dims broadcast.
 *  @example dt.matmul(dt.randn([10, 3, 4]), dt.randn([4, 5])) // [10, 3, 5] */
export const matmul = defineOp("matmul", (a: Tensor, b: Tensor): Tensor => {
  checkOperands("matmul", a, b);
  const K1 = a.shape[a.ndim - 1], K2 = b.ndim === 1 ? b.shape[0] : b.shape[b.ndim - 2];
  if (K1 !== K2) throw new Error(`matmul: ${fmt(a.shape)} @ ${fmt(b.shape)}: inner dims ${K1} ≠ ${K2}`);
  const dt = resultType(a, b);
  let x = a.dtype === dt ? a : cast(a, dt), y = b.dtype === dt ? b : cast(b, dt);
  if (a.ndim === 1) x = unsqueeze(x, 0);
  if (b.ndim === 1) y = unsqueeze(y, 1);
  if (y.ndim === 2 && x.ndim > 2 && x.numel() > 0) {
    // [..., M, K] @ [K, N] is one [(...) M, K] @ [K, N] product (as torch.matmul folds it): one GEMM
    // each way, and the gradient of y comes out of a single product over the folded rows
    const lead = x.shape.slice(0, -1);
    const out = reshape(bmmCore(reshape(x, [x.numel() / K1, K1]), y), [...lead, y.shape[1]]);
    return b.ndim === 1 ? squeeze(out, -1) : out;
  }
  const batch = broadcastShapes("matmul", x.shape.slice(0, -2), y.shape.slice(0, -2));
  const xe = expand(x, [...batch, ...x.shape.slice(-2)]);
  const ye = expand(y, [...batch, ...y.shape.slice(-2)]);
  let out = bmmCore(xe, ye);
  if (a.ndim === 1) out = squeeze(out, -2);
  if (b.ndim === 1) out = squeeze(out, -1);
  return out;
});

/** mm(a, b): 2-D only. */
export const mm = defineOp("mm", (a: Tensor, b: Tensor): Tensor => {
  checkOperands("mm", a, b);
  if (a.ndim !== 2 || b.ndim !== 2) throw new Error(`mm: ${fmt(a.shape)} @ ${fmt(b.shape)}: expected 2-D tensors`);
  if (a.shape[1] !== b.shape[0]) throw new Error(`mm: ${fmt(a.shape)} @ ${fmt(b.shape)}: inner dims ${a.shape[1]} ≠ ${b.shape[0]}`);
  return matmul(a, b);
});

/** bmm(a, b): [B, M, K] @ [B, K, N], no broadcasting. */
export const bmm = defineOp("bmm", (a: Tensor, b: Tensor): Tensor => {
  checkOperands("bmm", a, b);
  if (a.ndim !== 3 || b.ndim !== 3) throw new Error(`bmm: ${fmt(a.shape)} @ ${fmt(b.shape)}: expected 3-D tensors`);
  if (a.shape[0] !== b.shape[0]) throw new Error(`bmm: ${fmt(a.shape)} @ ${fmt(b.shape)}: batch sizes ${a.shape[0]} ≠ ${b.shape[0]}`);
  if (a.shape[2] !== b.shape[1]) throw new Error(`bmm: ${fmt(a.shape)} @ ${fmt(b.shape)}: inner dims ${a.shape[2]} ≠ ${b.shape[1]}`);
  return matmul(a, b);
});

/** outer(a, b): a[i] b[j] for 1-D a and b. */
export const outer = defineOp("outer", (a: Tensor, b: Tensor): Tensor => {
  checkOperands("outer", a, b);
  if (a.ndim !== 1 || b.ndim !== 1) throw new Error(`outer: ${fmt(a.shape)} and ${fmt(b.shape)}: expected 1-D tensors`);
  return mul(reshape(a, [-1, 1]), reshape(b, [1, -1]));
});

/** dot(a, b): sum a[i] b[i] for 1-D tensors of the same length. */
export const dot = defineOp("dot", (a: Tensor, b: Tensor): Tensor => {
  checkOperands("dot", a, b);
  if (a.ndim !== 1 || b.ndim !== 1) throw new Error(`dot: ${fmt(a.shape)} and ${fmt(b.shape)}: expected 1-D tensors`);
  if (a.shape[0] !== b.shape[0]) throw new Error(`dot: ${fmt(a.shape)} and ${fmt(b.shape)}: lengths ${a.shape[0]} ≠ ${b.shape[0]}`);
  return matmul(a, b);
});
