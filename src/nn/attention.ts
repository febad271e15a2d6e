// Scaled dot-product attention (Vaswani et al. 2017), as torch.nn.functional.scaled_dot_product_attention:
// softmax(q k^T * scale + mask) v, with PyTorch's mask convention for this function: a bool mask
// is true where a query *may attend*, a float mask is added to the scores.

import { Tensor } from "../tensor/tensor.js";
import { broadcastShapes, fmt } from "../tensor/shape.js";
import { defineOp } from "../ops/registry.js";
import { checkTensor, requireFloat, scalar } from "../ops/util.js";
import { add, mul, where } from "../ops/elementwise.js";
import { matmul } from "../ops/linalg.js";
import { transpose } from "../ops/shape.js";
import { softmax, dropout } from "./activation.js";
import { checkOptions } from "../tensor/options.js";

/** Options of F.scaledDotProductAttention. */
export interface AttentionOptions {
  /** Bool (true = may attend) or float (added to the scores) mask broadcastable to [..., L, S]. */
  attnMask?: Tensor | null;
  /** Dropout probability on the attention weights (default 0: none). */
  dropoutP?: number;
  /** Mask out keys after each query (lower-triangular [L, S]); not together with attnMask. Default false. */
  isCausal?: boolean;
  /** Multiplies q k^T (default 1 / sqrt(E)). */
  scale?: number | null;
}
/** F.scaledDotProductAttention's options, in PyTorch's positional order. */
const ATTENTION_KEYS = ["attnMask", "dropoutP", "isCausal", "scale"] as const;

/** F.scaledDotProductAttention(q [..., L, E], k [..., S, E], v [..., S, Ev], { attnMask, dropoutP = 0, isCausal = false, scale }) -> [..., L, Ev].
 *  @example F.scaledDotProductAttention(q, k, v, { isCausal: true }) */
export const scaledDotProductAttention = defineOp(
  "scaledDotProductAttention",
  (q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}): Tensor => {
    const op = "scaledDotProductAttention";
    checkTensor(op, q, "query");
    checkTensor(op, k, "key");
    checkTensor(op, v, "value");
    opts = checkOptions("F.scaledDotProductAttention", opts, ATTENTION_KEYS, 4);
    for (const [t, n] of [[q, "query"], [k, "key"], [v, "value"]] as const) {
      requireFloat(op, t);
      if (t.ndim < 2) throw new Error(`${op}: ${n} ${fmt(t.shape)} must have at least 2 dims [..., seq, features]`);
    }
    const L = q.shape[q.ndim - 2], E = q.shape[q.ndim - 1], S = k.shape[k.ndim - 2];
    if (k.shape[k.ndim - 1] !== E)
      throw new Error(`${op}: query ${fmt(q.shape)} and key ${fmt(k.shape)}: expected the same feature size ${E}, got ${k.shape[k.ndim - 1]}`);
    if (v.shape[v.ndim - 2] !== S)
      throw new Error(`${op}: key ${fmt(k.shape)} and value ${fmt(v.shape)}: expected the same sequence length ${S}, got ${v.shape[v.ndim - 2]}`);
    const mask = opts.attnMask ?? null;
    if (mask && opts.isCausal) throw new Error(`${op}: give either attnMask or isCausal, not both`);
    const scale = opts.scale ?? 1 / Math.sqrt(E);
    let scores = mul(matmul(q, transpose(k, -2, -1)), scale); // [..., L, S]
    if (opts.isCausal) {
      const m = new Uint8Array(L * S);
      for (let i = 0; i < L; i++) for (let j = 0; j <= Math.min(i, S - 1); j++) m[i * S + j] = 1;
      scores = where(new Tensor(m, [L, S], "bool"), scores, scalar(-Infinity, scores.dtype));
    } else if (mask) {
      checkTensor(op, mask, "attnMask");
      try {
        broadcastShapes(op, mask.shape, scores.shape);
      } catch {
        throw new Error(`${op}: attnMask ${fmt(mask.shape)} cannot be broadcast to the attention scores ${fmt(scores.shape)} ([..., L, S])`);
      }
      scores = mask.dtype === "bool" ? where(mask, scores, scalar(-Infinity, scores.dtype)) : add(scores, mask.to(scores.dtype));
    }
    let attn = softmax(scores, -1);
    const p = opts.dropoutP ?? 0;
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) throw new RangeError(`F.scaledDotProductAttention: dropoutP must be in [0, 1], got ${String(p)}`);
    if (p > 0) attn = dropout(attn, { p, training: true });
    return matmul(attn, v); // [..., L, Ev]
  },
);
