// einsum, as torch.einsum: built from permute, reshape, mul, sum and batched matmul, so it is
// differentiable (to any order) through those ops. Operands are contracted left to right; each pair
// becomes one batched matmul ([batch, M, K] @ [batch, K, N]), so "bij,bjk->bik" and
// "bhqd,bhkd->bhqk" are a single bmm over views (no copies for contiguous operands).

import { Tensor } from "../tensor/tensor.js";
import { fmt } from "../tensor/shape.js";
import { defineOp } from "./registry.js";
import { checkTensor, resultType } from "./util.js";
import { cast, mul } from "./elementwise.js";
import { matmul } from "./linalg.js";
import { sum } from "./reduce.js";
import { expand, permute, reshape } from "./shape.js";
import { eye } from "./creation.js";

/** A labelled operand: labels are numbers (letters by char code; ellipsis dims negative, right-aligned). */
interface Term {
  t: Tensor;
  labels: number[];
}

const ELL = -1000; // ellipsis dim k (counted from the right, 0 = last) is label ELL + k

function parseTerm(eq: string, term: string, what: string): { letters: number[]; ellipsis: number } {
  const letters: number[] = [];
  let ellipsis = -1;
  for (let i = 0; i < term.length; i++) {
    const c = term[i];
    if (c === ".") {
      if (term.slice(i, i + 3) !== "..." || ellipsis >= 0) throw new Error(`einsum: invalid ellipsis in ${what} '${term}' of "${eq}" (expected one '...')`);
      ellipsis = letters.length;
      i += 2;
    } else if (/[a-zA-Z]/.test(c)) letters.push(c.charCodeAt(0));
    else throw new Error(`einsum: invalid character '${c}' in ${what} '${term}' of "${eq}" (expected letters a-z, A-Z and '...')`);
  }
  return { letters, ellipsis };
}

/** Labels of one operand (ellipsis expanded for its rank). */
function operandLabels(eq: string, term: string, t: Tensor, k: number): number[] {
  const { letters, ellipsis } = parseTerm(eq, term, `operand ${k}`);
  if (ellipsis < 0) {
    if (letters.length !== t.ndim)
      throw new Error(`einsum: operand ${k} of shape ${fmt(t.shape)} has ${t.ndim} dims but its subscript '${term}' in "${eq}" names ${letters.length}`);
    return letters;
  }
  const ne = t.ndim - letters.length;
  if (ne < 0) throw new Error(`einsum: operand ${k} of shape ${fmt(t.shape)} has ${t.ndim} dims, fewer than the ${letters.length} letters of '${term}' in "${eq}"`);
  const ell: number[] = [];
  for (let i = ne - 1; i >= 0; i--) ell.push(ELL + i);
  return [...letters.slice(0, ellipsis), ...ell, ...letters.slice(ellipsis)];
}

/** Takes the diagonal over repeated labels of one operand: x[..i..i..] -> x[..i..] (mask and sum). */
function diagonal(term: Term): Term {
  let { t, labels } = term;
  for (;;) {
    let a = -1, b = -1;
    for (let i = 0; i < labels.length && a < 0; i++)
      for (let j = i + 1; j < labels.length; j++)
        if (labels[i] === labels[j]) {
          a = i;
          b = j;
          break;
        }
    if (a < 0) return { t, labels };
    const n = t.shape[a];
    if (t.shape[b] !== n) throw new Error(`einsum: subscript '${String.fromCharCode(labels[a])}' is repeated in an operand for dims of sizes ${n} and ${t.shape[b]} (shape ${fmt(t.shape)})`);
    const maskShape = t.shape.map((_, k) => (k === a || k === b ? n : 1));
    const mask = reshape(eye(n, { dtype: t.dtype }), maskShape);
    t = sum(mul(t, mask), b);
    labels = labels.filter((_, k) => k !== b);
  }
}

/** Sums the dims whose labels are not in `keep`. */
function sumOut(term: Term, keep: Set<number>): Term {
  const dims: number[] = [];
  term.labels.forEach((l, k) => {
    if (!keep.has(l)) dims.push(k);
  });
  if (dims.length === 0) return term;
  return { t: sum(term.t, dims), labels: term.labels.filter((l) => keep.has(l)) };
}

function sizeOf(term: Term, l: number): number {
  const k = term.labels.indexOf(l);
  return k < 0 ? 1 : term.t.shape[k];
}

function prodOf(xs: number[]): number {
  return xs.reduce((a, b) => a * b, 1);
}

/** The contraction of two operands over the labels not in `keep` (those still needed later). */
function contract(A: Term, B: Term, keep: Set<number>, eq: string): Term {
  const inB = new Set(B.labels);
  const inA = new Set(A.labels);
  const batch = A.labels.filter((l) => inB.has(l) && keep.has(l));
  const red = A.labels.filter((l) => inB.has(l) && !keep.has(l));
  const aOnly = A.labels.filter((l) => !inB.has(l));
  const bOnly = B.labels.filter((l) => !inA.has(l));
  const size = new Map<number, number>();
  for (const l of [...batch, ...red]) {
    const sa = sizeOf(A, l), sb = sizeOf(B, l);
    if (sa !== sb && sa !== 1 && sb !== 1) {
      const name = l >= 0 ? `'${String.fromCharCode(l)}'` : "'...'";
      throw new Error(`einsum: subscript ${name} in "${eq}" has sizes ${sa} and ${sb} in operands of shapes ${fmt(A.t.shape)} and ${fmt(B.t.shape)} (expected equal sizes or 1)`);
    }
    size.set(l, Math.max(sa, sb));
  }
  for (const l of aOnly) size.set(l, sizeOf(A, l));
  for (const l of bOnly) size.set(l, sizeOf(B, l));
  const arrange = (T: Term, order: number[]): Tensor => {
    const p = permute(T.t, order.map((l) => T.labels.indexOf(l)));
    const target = order.map((l) => size.get(l)!);
    return p.shape.every((s, i) => s === target[i]) ? p : expand(p, target);
  };
  const bs = batch.map((l) => size.get(l)!), ks = red.map((l) => size.get(l)!);
  const ms = aOnly.map((l) => size.get(l)!), ns = bOnly.map((l) => size.get(l)!);
  const a3 = reshape(arrange(A, [...batch, ...aOnly, ...red]), [prodOf(bs), prodOf(ms), prodOf(ks)]);
  const b3 = reshape(arrange(B, [...batch, ...red, ...bOnly]), [prodOf(bs), prodOf(ks), prodOf(ns)]);
  const c = reshape(matmul(a3, b3), [...bs, ...ms, ...ns]);
  return { t: c, labels: [...batch, ...aOnly, ...bOnly] };
}

/** einsum(equation, ...operands) (or einsum(equation, [operands])), as torch.einsum: repeated subscripts
 *  in an operand take its diagonal, subscripts missing from the output are summed, the implicit output
 *  (no '->') is the ellipsis dims followed by the subscripts that appear once, in alphabetical order
 *  (upper case first), and '...' dims broadcast across operands.
 *  @example dt.einsum("bij,bjk->bik", a, b)   dt.einsum("ii", m)   dt.einsum("...ij->...ji", x) */
export const einsum = defineOp("einsum", (equation: string, ...operands: (Tensor | Tensor[])[]): Tensor => {
  if (typeof equation !== "string") throw new Error(`einsum: expected the equation string first, got ${typeof equation}`);
  const ops = (operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands) as Tensor[];
  ops.forEach((t, k) => checkTensor("einsum", t, `operand ${k}`));
  const eq = equation.replace(/\s+/g, "");
  const arrow = eq.indexOf("->");
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const terms = lhs.split(",");
  if (ops.length === 0) throw new Error(`einsum: "${equation}" got no operands`);
  if (terms.length !== ops.length)
    throw new Error(`einsum: "${equation}" has ${terms.length} operand subscript${terms.length === 1 ? "" : "s"} but ${ops.length} operand${ops.length === 1 ? " was" : "s were"} given`);
  const dt = resultType(...ops);
  let list: Term[] = ops.map((t, k) => ({ t: t.dtype === dt ? t : cast(t, dt), labels: operandLabels(equation, terms[k], t, k) }));
  let maxEll = 0;
  for (const T of list) for (const l of T.labels) if (l < 0) maxEll = Math.max(maxEll, l - ELL + 1);
  const ellLabels: number[] = [];
  for (let i = maxEll - 1; i >= 0; i--) ellLabels.push(ELL + i);

  let out: number[];
  if (arrow >= 0) {
    const rhs = eq.slice(arrow + 2);
    const { letters, ellipsis } = parseTerm(equation, rhs, "the output");
    out = ellipsis < 0 ? letters : [...letters.slice(0, ellipsis), ...ellLabels, ...letters.slice(ellipsis)];
    const seen = new Set<number>();
    const all = new Set(list.flatMap((T) => T.labels));
    for (const l of letters) {
      if (seen.has(l)) throw new Error(`einsum: output subscript '${String.fromCharCode(l)}' appears more than once in "${equation}"`);
      if (!all.has(l)) throw new Error(`einsum: output subscript '${String.fromCharCode(l)}' in "${equation}" does not appear in any operand`);
      seen.add(l);
    }
  } else {
    const count = new Map<number, number>();
    for (const T of list) for (const l of T.labels) if (l >= 0) count.set(l, (count.get(l) ?? 0) + 1);
    out = [...ellLabels, ...[...count.entries()].filter(([, c]) => c === 1).map(([l]) => l).sort((a, b) => a - b)];
  }
  const outSet = new Set(out);

  // per operand: diagonals, then sum the labels no other operand and not the output uses
  list = list.map(diagonal);
  const needed = (from: number): Set<number> => {
    const s = new Set(out);
    for (let k = from; k < list.length; k++) for (const l of list[k].labels) s.add(l);
    return s;
  };
  list = list.map((T, k) => {
    const others = new Set(outSet);
    list.forEach((U, j) => {
      if (j !== k) for (const l of U.labels) others.add(l);
    });
    return sumOut(T, others);
  });
  let acc = list[0];
  for (let k = 1; k < list.length; k++) acc = contract(acc, list[k], needed(k + 1), equation);
  acc = sumOut(acc, outSet);
  const p = out.map((l) => acc.labels.indexOf(l));
  return p.every((v, i) => v === i) ? acc.t : permute(acc.t, p);
});
