// Transformer encoder and decoder layers and stacks (Vaswani et al. 2017), as torch.nn.Transformer*:
// same submodule names (self_attn, multihead_attn, linear1, linear2, norm1..3), so PyTorch state dicts load.
//   post-norm (default): x = norm1(x + sa(x)); x = norm2(x + ff(x))
//   pre-norm (normFirst): x = x + sa(norm1(x)); x = x + ff(norm2(x))
// sa(x) = dropout1(self_attn(x, x, x)), ff(x) = dropout2(linear2(dropout(act(linear1(x))))).

import { Tensor } from "../../tensor/tensor.js";
import { add } from "../../ops/elementwise.js";
import * as F from "../functional.js";
import { Module, ModuleList, cloneModule } from "../module.js";
import { Linear } from "./linear.js";
import { Dropout } from "./dropout.js";
import { LayerNorm } from "./normalization.js";
import { MultiheadAttention, causalMask } from "./attention.js";
import { optionsOf, positiveInt } from "./common.js";
import * as init from "../init.js";

/** The feedforward activation of a Transformer layer: a name or a function. */
export type Activation = "relu" | "gelu" | ((x: Tensor) => Tensor);

/** Options of nn.TransformerEncoderLayer / nn.TransformerDecoderLayer. */
export interface TransformerLayerOptions {
  /** Width of the feed-forward block (default 2048). */
  dimFeedforward?: number;
  /** Dropout after attention, inside and after the feed-forward block (default 0.1). */
  dropout?: number;
  /** Feed-forward activation: "relu" (default), "gelu" or a function. */
  activation?: Activation;
  /** LayerNorm eps (default 1e-5). */
  layerNormEps?: number;
  /** Inputs as [N, L, E] instead of [L, N, E] (default false). */
  batchFirst?: boolean;
  /** Pre-norm: LayerNorm before attention and feed-forward (default false). */
  normFirst?: boolean;
  /** Biases in the linear layers and LayerNorms (default true). */
  bias?: boolean;
}
const LAYER_KEYS = ["dimFeedforward", "dropout", "activation", "layerNormEps", "batchFirst", "normFirst", "bias"] as const;
const ENCODER_LAYER_CALL_KEYS = ["srcMask", "srcKeyPaddingMask", "isCausal"] as const;
const DECODER_CALL_KEYS = ["tgtMask", "memoryMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask", "tgtIsCausal", "memoryIsCausal"] as const;
const STACK_KEYS = ["norm"] as const;
const ENCODER_CALL_KEYS = ["mask", "srcKeyPaddingMask", "isCausal"] as const;
const TRANSFORMER_CALL_KEYS = [
  "srcMask", "tgtMask", "memoryMask", "srcKeyPaddingMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask", "srcIsCausal", "tgtIsCausal", "memoryIsCausal",
] as const;

function activationFn(a: Activation): (x: Tensor) => Tensor {
  if (typeof a === "function") return a;
  if (a === "relu") return (x) => F.relu(x);
  if (a === "gelu") return (x) => F.gelu(x);
  throw new Error(`Transformer: activation should be "relu" or "gelu" or a function, got ${JSON.stringify(a)}`);
}

/** The time (sequence) length of x for building a causal mask. */
function seqLen(x: Tensor, batchFirst: boolean): number {
  return x.ndim === 3 && batchFirst ? x.shape[1] : x.shape[0];
}

/** Self-attention and feed-forward with residuals and LayerNorm.
 *  @example const layer = new nn.TransformerEncoderLayer(512, 8, { batchFirst: true }); const y = layer.call(x, { srcKeyPaddingMask }); */
export class TransformerEncoderLayer extends Module {
  /** The self-attention block. */
  declare self_attn: MultiheadAttention;
  /** The first feedforward layer, dModel -> dimFeedforward. */
  declare linear1: Linear;
  /** Dropout inside the feedforward block. */
  declare dropout: Dropout;
  /** The second feedforward layer, dimFeedforward -> dModel. */
  declare linear2: Linear;
  /** The LayerNorm of the self-attention block. */
  declare norm1: LayerNorm;
  /** The LayerNorm of the feedforward block. */
  declare norm2: LayerNorm;
  /** Dropout on the self-attention block's output. */
  declare dropout1: Dropout;
  /** Dropout on the feedforward block's output. */
  declare dropout2: Dropout;
  /** LayerNorm before each block (pre-norm) when true, after the residual sum otherwise. */
  normFirst: boolean;
  /** Inputs and outputs are [N, L, dModel] when true, else [L, N, dModel]. */
  batchFirst: boolean;
  /** The feedforward activation (relu or gelu). */
  activation: (x: Tensor) => Tensor;

  constructor(
    /** The model width. */
    public dModel: number,
    /** The number of attention heads. */
    public nhead: number,
    opts: TransformerLayerOptions = {},
  ) {
    super();
    positiveInt("TransformerEncoderLayer", dModel, "dModel");
    opts = optionsOf("nn.TransformerEncoderLayer", opts, LAYER_KEYS, 3);
    const ff = opts.dimFeedforward ?? 2048, p = opts.dropout ?? 0.1, bias = opts.bias ?? true, eps = opts.layerNormEps ?? 1e-5;
    this.batchFirst = opts.batchFirst ?? false;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: this.batchFirst });
    this.linear1 = new Linear(dModel, ff, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias });
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, bias });
    this.norm2 = new LayerNorm(dModel, { eps, bias });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.activation = activationFn(opts.activation ?? "relu");
  }

  /** src [L, N, E] ([N, L, E] with batchFirst, or [L, E]); srcMask [L, L] or [N*nhead, L, L]; srcKeyPaddingMask [N, L]. */
  override forward(src: Tensor, opts: { srcMask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean } = {}): Tensor {
    opts = optionsOf("nn.TransformerEncoderLayer.call", opts, ENCODER_LAYER_CALL_KEYS, 2);
    let mask = opts.srcMask ?? null;
    if (!mask && opts.isCausal) mask = causalMask(seqLen(src, this.batchFirst));
    const sa = (x: Tensor) =>
      this.dropout1.call(this.self_attn.call(x, x, x, { attnMask: mask, keyPaddingMask: opts.srcKeyPaddingMask, needWeights: false })[0]);
    const ff = (x: Tensor) => this.dropout2.call(this.linear2.call(this.dropout.call(this.activation(this.linear1.call(x)))));
    let x = src;
    if (this.normFirst) {
      x = add(x, sa(this.norm1.call(x)));
      x = add(x, ff(this.norm2.call(x)));
    } else {
      x = this.norm1.call(add(x, sa(x)));
      x = this.norm2.call(add(x, ff(x)));
    }
    return x;
  }
}

/** Self-attention, cross-attention over memory, and feed-forward, each with a residual and LayerNorm.
 *  @example const layer = new nn.TransformerDecoderLayer(512, 8); const y = layer.call(tgt, memory, { tgtIsCausal: true }); */
export class TransformerDecoderLayer extends Module {
  /** The self-attention block. */
  declare self_attn: MultiheadAttention;
  /** The cross-attention block over the encoder's memory. */
  declare multihead_attn: MultiheadAttention;
  /** The first feedforward layer, dModel -> dimFeedforward. */
  declare linear1: Linear;
  /** Dropout inside the feedforward block. */
  declare dropout: Dropout;
  /** The second feedforward layer, dimFeedforward -> dModel. */
  declare linear2: Linear;
  /** The LayerNorm of the self-attention block. */
  declare norm1: LayerNorm;
  /** The LayerNorm of the cross-attention block. */
  declare norm2: LayerNorm;
  /** The LayerNorm of the feedforward block. */
  declare norm3: LayerNorm;
  /** Dropout on the self-attention block's output. */
  declare dropout1: Dropout;
  /** Dropout on the cross-attention block's output. */
  declare dropout2: Dropout;
  /** Dropout on the feedforward block's output. */
  declare dropout3: Dropout;
  /** LayerNorm before each block (pre-norm) when true, after the residual sum otherwise. */
  normFirst: boolean;
  /** Inputs and outputs are [N, L, dModel] when true, else [L, N, dModel]. */
  batchFirst: boolean;
  /** The feedforward activation (relu or gelu). */
  activation: (x: Tensor) => Tensor;

  constructor(
    /** The model width. */
    public dModel: number,
    /** The number of attention heads. */
    public nhead: number,
    opts: TransformerLayerOptions = {},
  ) {
    super();
    positiveInt("TransformerDecoderLayer", dModel, "dModel");
    opts = optionsOf("nn.TransformerDecoderLayer", opts, LAYER_KEYS, 3);
    const ff = opts.dimFeedforward ?? 2048, p = opts.dropout ?? 0.1, bias = opts.bias ?? true, eps = opts.layerNormEps ?? 1e-5;
    this.batchFirst = opts.batchFirst ?? false;
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: this.batchFirst });
    this.multihead_attn = new MultiheadAttention(dModel, nhead, { dropout: p, bias, batchFirst: this.batchFirst });
    this.linear1 = new Linear(dModel, ff, { bias });
    this.dropout = new Dropout(p);
    this.linear2 = new Linear(ff, dModel, { bias });
    this.normFirst = opts.normFirst ?? false;
    this.norm1 = new LayerNorm(dModel, { eps, bias });
    this.norm2 = new LayerNorm(dModel, { eps, bias });
    this.norm3 = new LayerNorm(dModel, { eps, bias });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
    this.dropout3 = new Dropout(p);
    this.activation = activationFn(opts.activation ?? "relu");
  }

  /** tgt [T, N, E], memory [S, N, E] (batchFirst: [N, T, E], [N, S, E]). */
  override forward(
    tgt: Tensor,
    memory: Tensor,
    opts: {
      tgtMask?: Tensor | null;
      memoryMask?: Tensor | null;
      tgtKeyPaddingMask?: Tensor | null;
      memoryKeyPaddingMask?: Tensor | null;
      tgtIsCausal?: boolean;
      memoryIsCausal?: boolean;
    } = {},
  ): Tensor {
    opts = optionsOf("nn.TransformerDecoderLayer.call", opts, DECODER_CALL_KEYS, 3);
    let tgtMask = opts.tgtMask ?? null;
    if (!tgtMask && opts.tgtIsCausal) tgtMask = causalMask(seqLen(tgt, this.batchFirst));
    let memMask = opts.memoryMask ?? null;
    if (!memMask && opts.memoryIsCausal) memMask = causalMask(seqLen(tgt, this.batchFirst), seqLen(memory, this.batchFirst));
    const sa = (x: Tensor) =>
      this.dropout1.call(this.self_attn.call(x, x, x, { attnMask: tgtMask, keyPaddingMask: opts.tgtKeyPaddingMask, needWeights: false })[0]);
    const mha = (x: Tensor) =>
      this.dropout2.call(
        this.multihead_attn.call(x, memory, memory, { attnMask: memMask, keyPaddingMask: opts.memoryKeyPaddingMask, needWeights: false })[0],
      );
    const ff = (x: Tensor) => this.dropout3.call(this.linear2.call(this.dropout.call(this.activation(this.linear1.call(x)))));
    let x = tgt;
    if (this.normFirst) {
      x = add(x, sa(this.norm1.call(x)));
      x = add(x, mha(this.norm2.call(x)));
      x = add(x, ff(this.norm3.call(x)));
    } else {
      x = this.norm1.call(add(x, sa(x)));
      x = this.norm2.call(add(x, mha(x)));
      x = this.norm3.call(add(x, ff(x)));
    }
    return x;
  }
}

/** numLayers copies of an encoder layer (cloned, so each has its own weights), then an optional norm.
 *  @example const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(64, 4), 2); */
export class TransformerEncoder extends Module {
  /** The numLayers layers (clones of the one given). */
  declare layers: ModuleList<TransformerEncoderLayer>;
  /** The module applied to the last layer's output, or null. */
  declare norm: Module | null;
  constructor(
    encoderLayer: TransformerEncoderLayer,
    /** The number of layers. */
    public numLayers: number,
    opts: { norm?: Module | null } = {},
  ) {
    super();
    positiveInt("TransformerEncoder", numLayers, "numLayers");
    opts = optionsOf("nn.TransformerEncoder", opts, STACK_KEYS, 3);
    if (!(encoderLayer instanceof Module)) throw new Error("TransformerEncoder: encoderLayer must be an nn.Module");
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => cloneModule(encoderLayer)));
    this.norm = opts.norm ?? null;
  }
  /** src as the layer's; mask [L, L]; srcKeyPaddingMask [N, L]. */
  override forward(src: Tensor, opts: { mask?: Tensor | null; srcKeyPaddingMask?: Tensor | null; isCausal?: boolean } = {}): Tensor {
    opts = optionsOf("nn.TransformerEncoder.call", opts, ENCODER_CALL_KEYS, 2);
    let x = src;
    for (const layer of this.layers) x = layer.call(x, { srcMask: opts.mask, srcKeyPaddingMask: opts.srcKeyPaddingMask, isCausal: opts.isCausal });
    return this.norm ? this.norm.call(x) : x;
  }
}

/** numLayers copies of a decoder layer, then an optional norm. */
export class TransformerDecoder extends Module {
  /** The numLayers layers (clones of the one given). */
  declare layers: ModuleList<TransformerDecoderLayer>;
  /** The module applied to the last layer's output, or null. */
  declare norm: Module | null;
  constructor(
    decoderLayer: TransformerDecoderLayer,
    /** The number of layers. */
    public numLayers: number,
    opts: { norm?: Module | null } = {},
  ) {
    super();
    positiveInt("TransformerDecoder", numLayers, "numLayers");
    opts = optionsOf("nn.TransformerDecoder", opts, STACK_KEYS, 3);
    if (!(decoderLayer instanceof Module)) throw new Error("TransformerDecoder: decoderLayer must be an nn.Module");
    this.layers = new ModuleList(Array.from({ length: numLayers }, () => cloneModule(decoderLayer)));
    this.norm = opts.norm ?? null;
  }
  override forward(
    tgt: Tensor,
    memory: Tensor,
    opts: {
      tgtMask?: Tensor | null;
      memoryMask?: Tensor | null;
      tgtKeyPaddingMask?: Tensor | null;
      memoryKeyPaddingMask?: Tensor | null;
      tgtIsCausal?: boolean;
      memoryIsCausal?: boolean;
    } = {},
  ): Tensor {
    opts = optionsOf("nn.TransformerDecoder.call", opts, DECODER_CALL_KEYS, 3);
    let x = tgt;
    for (const layer of this.layers) x = layer.call(x, memory, opts);
    return this.norm ? this.norm.call(x) : x;
  }
}

/** Options of nn.Transformer. */
export interface TransformerOptions extends TransformerLayerOptions {
  /** Model width (default 512). */
  dModel?: number;
  /** Attention heads (default 8). */
  nhead?: number;
  /** Encoder layers (default 6). */
  numEncoderLayers?: number;
  /** Decoder layers (default 6). */
  numDecoderLayers?: number;
  /** Replace the encoder / decoder stacks. */
  customEncoder?: Module | null;
  /** Replaces the decoder stack. */
  customDecoder?: Module | null;
}
const TRANSFORMER_KEYS = ["dModel", "nhead", "numEncoderLayers", "numDecoderLayers", ...LAYER_KEYS, "customEncoder", "customDecoder"] as const;

/** The encoder-decoder Transformer of "Attention Is All You Need", as torch.nn.Transformer: an encoder stack
 *  and a decoder stack, each ending in a LayerNorm; every weight matrix starts xavier_uniform.
 *  @example
 *  const model = new nn.Transformer({ dModel: 64, nhead: 4, numEncoderLayers: 2, numDecoderLayers: 2, batchFirst: true });
 *  const y = model.call(src, tgt, { tgtMask: nn.Transformer.generateSquareSubsequentMask(tgt.shape[1]) }); */
export class Transformer extends Module {
  /** The encoder stack (or the customEncoder). */
  declare encoder: Module;
  /** The decoder stack (or the customDecoder). */
  declare decoder: Module;
  /** The model width. */
  dModel: number;
  /** The number of attention heads. */
  nhead: number;
  /** Inputs and outputs are [N, L, dModel] when true, else [L, N, dModel]. */
  batchFirst: boolean;

  /** `new nn.Transformer({ dModel, nhead, ... })`, or the first argument positionally as PyTorch (`new nn.Transformer(64)`). */
  constructor(opts: TransformerOptions | number = {}) {
    super();
    opts = typeof opts === "number" ? { dModel: opts } : optionsOf("nn.Transformer", opts, TRANSFORMER_KEYS, 1);
    const layerOpts: TransformerLayerOptions = {};
    for (const k of LAYER_KEYS) if (opts[k] !== undefined) (layerOpts as Record<string, unknown>)[k] = opts[k];
    this.dModel = opts.dModel ?? 512;
    this.nhead = opts.nhead ?? 8;
    this.batchFirst = opts.batchFirst ?? false;
    const eps = opts.layerNormEps ?? 1e-5, bias = opts.bias ?? true;
    this.encoder =
      opts.customEncoder ??
      new TransformerEncoder(new TransformerEncoderLayer(this.dModel, this.nhead, layerOpts), opts.numEncoderLayers ?? 6, {
        norm: new LayerNorm(this.dModel, { eps, bias }),
      });
    this.decoder =
      opts.customDecoder ??
      new TransformerDecoder(new TransformerDecoderLayer(this.dModel, this.nhead, layerOpts), opts.numDecoderLayers ?? 6, {
        norm: new LayerNorm(this.dModel, { eps, bias }),
      });
    for (const p of this.parameters()) if (p.ndim > 1) init.xavierUniform_(p);
  }

  /** A float [sz, sz] mask with -inf above the diagonal (future positions) and 0 elsewhere. */
  static generateSquareSubsequentMask(sz: number): Tensor {
    const m = new Float32Array(sz * sz);
    for (let i = 0; i < sz; i++) for (let j = i + 1; j < sz; j++) m[i * sz + j] = -Infinity;
    return new Tensor(m, [sz, sz], "float32");
  }

  /** src [S, N, E], tgt [T, N, E] ([N, S, E], [N, T, E] with batchFirst) -> [T, N, E]. */
  override forward(
    src: Tensor,
    tgt: Tensor,
    opts: {
      srcMask?: Tensor | null;
      tgtMask?: Tensor | null;
      memoryMask?: Tensor | null;
      srcKeyPaddingMask?: Tensor | null;
      tgtKeyPaddingMask?: Tensor | null;
      memoryKeyPaddingMask?: Tensor | null;
      srcIsCausal?: boolean;
      tgtIsCausal?: boolean;
      memoryIsCausal?: boolean;
    } = {},
  ): Tensor {
    opts = optionsOf("nn.Transformer.call", opts, TRANSFORMER_CALL_KEYS, 3);
    const memory = this.encoder.call(src, { mask: opts.srcMask, srcKeyPaddingMask: opts.srcKeyPaddingMask, isCausal: opts.srcIsCausal });
    return this.decoder.call(tgt, memory, {
      tgtMask: opts.tgtMask, memoryMask: opts.memoryMask, tgtKeyPaddingMask: opts.tgtKeyPaddingMask,
      memoryKeyPaddingMask: opts.memoryKeyPaddingMask, tgtIsCausal: opts.tgtIsCausal, memoryIsCausal: opts.memoryIsCausal,
    });
  }
}
