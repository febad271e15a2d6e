// MultiheadAttention (Vaswani et al. 2017), as torch.nn.MultiheadAttention: PyTorch's fused in-projection
// in_proj_weight [3E, E] / in_proj_bias [3E] (or q/k/v_proj_weight when kdim or vdim differ from E), out_proj.
// Masks follow this module's PyTorch convention: a bool attnMask or keyPaddingMask is true where a key is
// masked out; a float mask is added to the scores.

import { Tensor } from "../../tensor/tensor.js";
import { fmt } from "../../tensor/shape.js";
import { add, mul, where } from "../../ops/elementwise.js";
import { mean } from "../../ops/reduce.js";
import { matmul } from "../../ops/linalg.js";
import { narrow, permute, reshape, transpose, unsqueeze, squeeze } from "../../ops/shape.js";
import { scalar } from "../../ops/util.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { Module, Parameter } from "../module.js";
import { Linear } from "./linear.js";
import { optionsOf, param, positiveInt } from "./common.js";

/** Options of nn.MultiheadAttention. */
export interface MultiheadAttentionOptions {
  /** Dropout on the attention weights in training (default 0). */
  dropout?: number;
  /** Biases of the in- and out-projections (default true). */
  bias?: boolean;
  /** Key features (default embedDim). */
  kdim?: number;
  /** Value features (default embedDim). */
  vdim?: number;
  /** Inputs and output as [N, L, E] instead of [L, N, E] (default false). */
  batchFirst?: boolean;
}
const MHA_KEYS = ["dropout", "bias", "kdim", "vdim", "batchFirst"] as const;

/** Options of MultiheadAttention.call (the masks and what to return). */
export interface MultiheadAttentionCallOptions {
  /** Shape [N, S]: true (or -inf) where a key is padding. */
  keyPaddingMask?: Tensor | null;
  /** [L, S] or [N*numHeads, L, S]: true (or -inf) where a query may not attend to a key. */
  attnMask?: Tensor | null;
  /** Also return the attention weights (default true). */
  needWeights?: boolean;
  /** Average the weights over heads (default true). */
  averageAttnWeights?: boolean;
  /** Use a causal mask when no attnMask is given (default false). */
  isCausal?: boolean;
}
const MHA_CALL_KEYS = ["keyPaddingMask", "needWeights", "attnMask", "averageAttnWeights", "isCausal"] as const;

/** A bool mask as 0 / -inf, a float mask as is. */
function additive(mask: Tensor, dtype: "float32" | "float64"): Tensor {
  return mask.dtype === "bool" ? where(mask, scalar(-Infinity, dtype), scalar(0, dtype)) : mask.to(dtype);
}

/** A causal mask [L, S]: true above the diagonal (masked out). */
export function causalMask(L: number, S = L): Tensor {
  const m = new Uint8Array(L * S);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) m[i * S + j] = 1;
  return new Tensor(m, [L, S], "bool");
}

/** Attention over numHeads heads of size embedDim / numHeads.
 *  @example
 *  const mha = new nn.MultiheadAttention(64, 8, { batchFirst: true });
 *  const [out, weights] = mha.call(x, x, x, { keyPaddingMask }); // out [N, L, 64], weights [N, L, S] */
export class MultiheadAttention extends Module {
  /** The packed query, key and value projections [3 embedDim, embedDim] (null when kdim or vdim differ). */
  declare in_proj_weight: Parameter | null;
  /** The query projection when kdim or vdim differ from embedDim, else null. */
  declare q_proj_weight: Parameter | null;
  /** The key projection [embedDim, kdim] when kdim or vdim differ from embedDim, else null. */
  declare k_proj_weight: Parameter | null;
  /** The value projection [embedDim, vdim] when kdim or vdim differ from embedDim, else null. */
  declare v_proj_weight: Parameter | null;
  /** The packed projection bias [3 embedDim] (null without bias). */
  declare in_proj_bias: Parameter | null;
  /** The output projection. */
  declare out_proj: Linear;
  /** The size of each head, embedDim / numHeads. */
  headDim: number;
  /** Dropout probability on the attention weights (training only). */
  dropout: number;
  /** Inputs and outputs are [N, L, E] when true, else [L, N, E]. */
  batchFirst: boolean;
  /** The number of features of the keys. */
  kdim: number;
  /** The number of features of the values. */
  vdim: number;

  constructor(
    /** The model width (of the query and the output). */
    public embedDim: number,
    /** The number of heads; each attends in embedDim / numHeads dims. */
    public numHeads: number,
    opts: MultiheadAttentionOptions = {},
  ) {
    super();
    positiveInt("MultiheadAttention", embedDim, "embedDim");
    positiveInt("MultiheadAttention", numHeads, "numHeads");
    opts = optionsOf("nn.MultiheadAttention", opts, MHA_KEYS, 3);
    if (embedDim % numHeads) throw new Error(`MultiheadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    this.headDim = embedDim / numHeads;
    this.dropout = opts.dropout ?? 0;
    this.batchFirst = opts.batchFirst ?? false;
    this.kdim = opts.kdim ?? embedDim;
    this.vdim = opts.vdim ?? embedDim;
    const bias = opts.bias ?? true;
    if (this.kdim === embedDim && this.vdim === embedDim) {
      this.registerParameter("in_proj_weight", param([3 * embedDim, embedDim]));
    } else {
      this.registerParameter("q_proj_weight", param([embedDim, embedDim]));
      this.registerParameter("k_proj_weight", param([embedDim, this.kdim]));
      this.registerParameter("v_proj_weight", param([embedDim, this.vdim]));
    }
    this.registerParameter("in_proj_bias", bias ? param([3 * embedDim]) : null);
    this.out_proj = new Linear(embedDim, embedDim, { bias });
    this.resetParameters();
  }

  /** camelCase alias of in_proj_weight. */
  get inProjWeight(): Parameter | null {
    return this.in_proj_weight ?? null;
  }
  /** camelCase alias of in_proj_bias. */
  get inProjBias(): Parameter | null {
    return this.in_proj_bias ?? null;
  }
  /** camelCase alias of out_proj. */
  get outProj(): Linear {
    return this.out_proj;
  }

  /** PyTorch's init: xavier_uniform projections, zero biases. */
  resetParameters(): void {
    if (this.in_proj_weight) init.xavierUniform_(this.in_proj_weight);
    else for (const w of [this.q_proj_weight, this.k_proj_weight, this.v_proj_weight]) init.xavierUniform_(w!);
    if (this.in_proj_bias) {
      init.zeros_(this.in_proj_bias);
      if (this.out_proj.bias) init.zeros_(this.out_proj.bias);
    }
  }

  /** The projection weights and biases of q, k and v. */
  private projections(): [Tensor, Tensor | null][] {
    const E = this.embedDim, b = this.in_proj_bias ?? null;
    const bias = (i: number) => (b ? narrow(b, 0, i * E, E) : null);
    if (this.in_proj_weight) return [0, 1, 2].map((i) => [narrow(this.in_proj_weight!, 0, i * E, E), bias(i)]);
    return [this.q_proj_weight!, this.k_proj_weight!, this.v_proj_weight!].map((w, i) => [w, bias(i)]);
  }

  /** query [L, N, E] ([N, L, E] with batchFirst, or unbatched [L, E]), key/value [S, N, kdim/vdim].
   *  Returns [output like query, weights [N, L, S] (or [N, numHeads, L, S]) or null]. */
  override forward(query: Tensor, key: Tensor, value: Tensor, opts: MultiheadAttentionCallOptions = {}): [Tensor, Tensor | null] {
    opts = optionsOf("nn.MultiheadAttention.call", opts, MHA_CALL_KEYS, 4);
    const name = "MultiheadAttention";
    for (const [t, n] of [[query, "query"], [key, "key"], [value, "value"]] as const)
      if (!(t instanceof Tensor) || (t.ndim !== 2 && t.ndim !== 3)) throw new Error(`${name}: ${n} must be a 2-D (unbatched) or 3-D tensor, got ${t instanceof Tensor ? fmt(t.shape) : typeof t}`);
    const batched = query.ndim === 3;
    if (key.ndim !== query.ndim || value.ndim !== query.ndim)
      throw new Error(`${name}: query ${fmt(query.shape)}, key ${fmt(key.shape)} and value ${fmt(value.shape)} must all be batched (3-D) or all unbatched (2-D)`);
    let q = query, k = key, v = value;
    if (!batched) {
      q = unsqueeze(q, 1);
      k = unsqueeze(k, 1);
      v = unsqueeze(v, 1);
    } else if (this.batchFirst) {
      q = transpose(q, 0, 1);
      k = transpose(k, 0, 1);
      v = transpose(v, 0, 1);
    }
    // now [L, N, E], [S, N, kdim], [S, N, vdim]
    const [L, N, E] = q.shape, S = k.shape[0], H = this.numHeads, hd = this.headDim;
    if (E !== this.embedDim) throw new Error(`${name}: query ${fmt(query.shape)} has ${E} features, expected embedDim ${this.embedDim}`);
    if (k.shape[2] !== this.kdim || v.shape[2] !== this.vdim)
      throw new Error(`${name}: key ${fmt(key.shape)} and value ${fmt(value.shape)} must have kdim ${this.kdim} and vdim ${this.vdim} features`);
    if (k.shape[1] !== N || v.shape[1] !== N || v.shape[0] !== S)
      throw new Error(`${name}: key ${fmt(key.shape)} and value ${fmt(value.shape)} do not match query ${fmt(query.shape)} (batch ${N}, source length ${S})`);

    const [[wq, bq], [wk, bk], [wv, bv]] = this.projections();
    const heads = (x: Tensor, len: number) => permute(reshape(x, [len, N, H, hd]), 1, 2, 0, 3); // [N, H, len, hd]
    const qh = heads(F.linear(q, wq, bq), L);
    const kh = heads(F.linear(k, wk, bk), S);
    const vh = heads(F.linear(v, wv, bv), S);
    let scores = matmul(mul(qh, 1 / Math.sqrt(hd)), transpose(kh, -2, -1)); // [N, H, L, S]
    const dtype = scores.dtype as "float32" | "float64";

    let attnMask = opts.attnMask ?? null;
    if (!attnMask && opts.isCausal) attnMask = causalMask(L, S);
    if (attnMask) {
      if (attnMask.ndim === 2) {
        if (attnMask.shape[0] !== L || attnMask.shape[1] !== S)
          throw new Error(`${name}: the 2-D attnMask must be [L, S] = [${L}, ${S}], got ${fmt(attnMask.shape)}`);
      } else if (attnMask.ndim === 3) {
        if (attnMask.shape[0] !== N * H || attnMask.shape[1] !== L || attnMask.shape[2] !== S)
          throw new Error(`${name}: the 3-D attnMask must be [N*numHeads, L, S] = [${N * H}, ${L}, ${S}], got ${fmt(attnMask.shape)}`);
        attnMask = reshape(attnMask, [N, H, L, S]);
      } else throw new Error(`${name}: attnMask must be 2-D or 3-D, got ${fmt(attnMask.shape)}`);
      scores = add(scores, additive(attnMask, dtype));
    }
    const kpm = opts.keyPaddingMask ?? null;
    if (kpm) {
      const want = batched ? [N, S] : [S];
      if (kpm.shape.join() !== want.join()) throw new Error(`${name}: keyPaddingMask must be ${fmt(want)}, got ${fmt(kpm.shape)}`);
      scores = add(scores, reshape(additive(kpm, dtype), [N, 1, 1, S]));
    }
    let attn = F.softmax(scores, -1); // [N, H, L, S]
    if (this.dropout > 0 && this.training) attn = F.dropout(attn, { p: this.dropout, training: true });
    const ctx = reshape(permute(matmul(attn, vh), 2, 0, 1, 3), [L, N, E]); // [N, H, L, hd] -> [L, N, E]
    let out = this.out_proj.call(ctx); // [L, N, E]
    if (!batched) out = squeeze(out, 1);
    else if (this.batchFirst) out = transpose(out, 0, 1);

    if (!(opts.needWeights ?? true)) return [out, null];
    let w = (opts.averageAttnWeights ?? true) ? mean(attn, 1) : attn; // [N, L, S] or [N, H, L, S]
    if (!batched) w = squeeze(w, 0);
    return [out, w];
  }

  override extraRepr(): string {
    return `embedDim=${this.embedDim}, numHeads=${this.numHeads}, dropout=${this.dropout}, batchFirst=${this.batchFirst}`;
  }
}
