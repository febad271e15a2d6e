// GPT: nanoGPT's model.py (Karpathy, github.com/karpathy/nanoGPT) in one file, top to bottom as the
// original reads: LayerNorm with an optional bias, CausalSelfAttention, MLP, Block, then the GPT with
// its init, forward, optimiser set-up and sampling. Field names are nanoGPT's snake_case ones so that
// the state-dict keys are too (`transformer.h.0.attn.c_attn.weight`, `lm_head.weight`) and a nanoGPT
// checkpoint loads by name. Shapes: B batch, T sequence length, C = nEmbd, V = vocabSize, nh heads,
// hs = C / nh the head size.

import { Tensor } from "../tensor/tensor.js";
import { noGrad } from "../tensor/autograd.js";
import { checkOptions } from "../tensor/options.js";
import { uniform } from "../tensor/random.js";
import { fmt } from "../tensor/shape.js";
import { isFloat } from "../tensor/dtype.js";
import { arange } from "../ops/creation.js";
import { cat } from "../ops/shape.js";
import { lt } from "../ops/elementwise.js";
import { maskedFill } from "../ops/indexing.js";
import { topk } from "../ops/sort.js";
import { softmax } from "../nn/activation.js";
import * as F from "../nn/functional.js";
import * as init from "../nn/init.js";
import { Module, ModuleList, type Parameter, type StateDict, type LoadResult } from "../nn/module.js";
import { Linear } from "../nn/layers/linear.js";
import { Embedding } from "../nn/layers/embedding.js";
import { LayerNorm } from "../nn/layers/normalization.js";
import { Dropout } from "../nn/layers/dropout.js";
import { GELU } from "../nn/layers/activation.js";
import { AdamW } from "../optim/adam.js";

/** The GPT's hyper-parameters (nanoGPT's GPTConfig, camelCase). Every field is optional. */
export interface GPTConfig {
  /** The longest context the model reads, the number of positional embeddings (default 1024). */
  blockSize?: number;
  /** The number of tokens (default 50304: GPT-2's 50257 rounded up to a multiple of 64). */
  vocabSize?: number;
  /** The number of transformer blocks (default 12). */
  nLayer?: number;
  /** The number of attention heads; must divide nEmbd (default 12). */
  nHead?: number;
  /** The embedding width C (default 768). */
  nEmbd?: number;
  /** The dropout probability after the embeddings, on the attention weights and on each residual branch (default 0). */
  dropout?: number;
  /** Whether Linear layers and LayerNorms have biases, as GPT-2 (default true; false is a little better and faster). */
  bias?: boolean;
}
const CONFIG_KEYS = ["blockSize", "vocabSize", "nLayer", "nHead", "nEmbd", "dropout", "bias"] as const;

function positiveInt(name: string, v: number): number {
  if (!Number.isInteger(v) || v <= 0) throw new Error(`GPT: ${name} must be a positive integer, got ${String(v)}`);
  return v;
}

/** The attention of one block: all heads at once, each position attending to itself and the ones
 *  before it (nanoGPT's CausalSelfAttention). */
export class CausalSelfAttention extends Module {
  /** The query, key and value projections for all heads, in one: C -> 3C. */
  declare c_attn: Linear;
  /** The output projection: C -> C. */
  declare c_proj: Linear;
  /** Dropout on the output (the residual branch). */
  declare resid_dropout: Dropout;
  /** The number of heads. */
  declare nHead: number;
  /** The embedding width C. */
  declare nEmbd: number;
  /** The dropout probability on the attention weights (training only). */
  declare dropout: number;
  constructor(nEmbd: number, nHead: number, dropout: number, bias: boolean) {
    super();
    if (nEmbd % nHead !== 0) throw new Error(`GPT: nEmbd ${nEmbd} must be divisible by nHead ${nHead}`);
    this.c_attn = new Linear(nEmbd, 3 * nEmbd, { bias });
    this.c_proj = new Linear(nEmbd, nEmbd, { bias });
    this.resid_dropout = new Dropout(dropout);
    this.nHead = nHead;
    this.nEmbd = nEmbd;
    this.dropout = dropout;
  }
  /** x [B, T, C] -> [B, T, C]. With `cache`, x holds only the new positions: their keys and values are
   *  appended to the cache's, and the new queries attend to all of them. */
  override forward(x: Tensor, cache?: KVCache): Tensor {
    const [B, T, C] = x.shape;
    const nh = this.nHead, hs = C / nh;
    // calculate query, key, values for all heads in batch and move the head forward to be the batch dim
    const [q0, k0, v0] = this.c_attn.call(x).split(this.nEmbd, 2); // 3 x [B, T, C]
    const q = q0.reshape(B, T, nh, hs).transpose(1, 2); // [B, nh, T, hs]
    let k = k0.reshape(B, T, nh, hs).transpose(1, 2); // [B, nh, T, hs]
    let v = v0.reshape(B, T, nh, hs).transpose(1, 2); // [B, nh, T, hs]
    let isCausal = true;
    if (cache) {
      if (cache.k && cache.v) {
        if (T !== 1) throw new Error("GPT: a key/value cache takes one new position at a time after the first call");
        k = cat([cache.k, k], 2); // [B, nh, S, hs], S = cached + 1
        v = cat([cache.v, v], 2); // [B, nh, S, hs]
        isCausal = false; // the one new query attends to every key
      }
      cache.k = k;
      cache.v = v;
    }
    // causal self-attention; self-attend: [B, nh, T, hs] x [B, nh, hs, S] -> [B, nh, T, S] -> [B, nh, T, hs]
    let y = F.scaledDotProductAttention(q, k, v, { isCausal, dropoutP: this.training ? this.dropout : 0 }); // [B, nh, T, hs]
    y = y.transpose(1, 2).reshape(B, T, C); // re-assemble all head outputs side by side: [B, T, C]
    return this.resid_dropout.call(this.c_proj.call(y)); // output projection: [B, T, C]
  }
}

/** One block's keys and values so far, as generate's key/value cache keeps them (start with both null). */
export interface KVCache {
  /** The keys [B, nh, S, hs] of the S positions seen, or null before the first call. */
  k: Tensor | null;
  /** The values [B, nh, S, hs], or null before the first call. */
  v: Tensor | null;
}

/** The feed-forward part of a block (nanoGPT's MLP): C -> 4C, exact GELU, 4C -> C, dropout. */
export class MLP extends Module {
  /** The expansion C -> 4C. */
  declare c_fc: Linear;
  /** The exact GELU (nn.GELU()). */
  declare gelu: GELU;
  /** The projection back 4C -> C. */
  declare c_proj: Linear;
  /** Dropout on the output (the residual branch). */
  declare dropout: Dropout;
  constructor(nEmbd: number, dropout: number, bias: boolean) {
    super();
    this.c_fc = new Linear(nEmbd, 4 * nEmbd, { bias });
    this.gelu = new GELU();
    this.c_proj = new Linear(4 * nEmbd, nEmbd, { bias });
    this.dropout = new Dropout(dropout);
  }
  /** x [B, T, C] -> [B, T, C]. */
  override forward(x: Tensor): Tensor {
    const h = this.gelu.call(this.c_fc.call(x)); // [B, T, 4C]
    return this.dropout.call(this.c_proj.call(h)); // [B, T, C]
  }
}

/** One transformer block, pre-norm: x + attn(ln_1(x)), then + mlp(ln_2(x)) (nanoGPT's Block). */
export class Block extends Module {
  /** The LayerNorm before the attention. */
  declare ln_1: LayerNorm;
  /** The causal self-attention. */
  declare attn: CausalSelfAttention;
  /** The LayerNorm before the MLP. */
  declare ln_2: LayerNorm;
  /** The feed-forward network. */
  declare mlp: MLP;
  constructor(nEmbd: number, nHead: number, dropout: number, bias: boolean) {
    super();
    this.ln_1 = new LayerNorm(nEmbd, { bias }); // nanoGPT's LayerNorm(ndim, bias): eps 1e-5, optional bias
    this.attn = new CausalSelfAttention(nEmbd, nHead, dropout, bias);
    this.ln_2 = new LayerNorm(nEmbd, { bias });
    this.mlp = new MLP(nEmbd, dropout, bias);
  }
  /** x [B, T, C] -> [B, T, C]. */
  override forward(x: Tensor, cache?: KVCache): Tensor {
    x = x.add(this.attn.call(this.ln_1.call(x), cache)); // [B, T, C]
    return x.add(this.mlp.call(this.ln_2.call(x))); // [B, T, C]
  }
}

/** The trunk of the GPT, under the name `transformer` (nanoGPT's nn.ModuleDict, as a typed module:
 *  the state-dict names are the same, `transformer.wte.weight`, `transformer.h.0....`). */
export class GPTTransformer extends Module {
  /** The token embeddings [V, C] (tied to lm_head.weight). */
  declare wte: Embedding;
  /** The position embeddings [blockSize, C]. */
  declare wpe: Embedding;
  /** Dropout on the sum of the embeddings. */
  declare drop: Dropout;
  /** The blocks. */
  declare h: ModuleList<Block>;
  /** The final LayerNorm. */
  declare ln_f: LayerNorm;
  constructor(c: Required<GPTConfig>) {
    super();
    this.wte = new Embedding(c.vocabSize, c.nEmbd);
    this.wpe = new Embedding(c.blockSize, c.nEmbd);
    this.drop = new Dropout(c.dropout);
    this.h = new ModuleList(Array.from({ length: c.nLayer }, () => new Block(c.nEmbd, c.nHead, c.dropout, c.bias)));
    this.ln_f = new LayerNorm(c.nEmbd, { bias: c.bias });
  }
  override forward(): never {
    throw new Error("GPTTransformer has no forward(): GPT.forward runs its parts");
  }
}

/** Options of GPT.configureOptimizers (nanoGPT's train.py defaults). */
export interface ConfigureOptimizersOptions {
  /** The decoupled weight decay of the 2-D (and larger) weights (default 0.1); biases and LayerNorm weights get none. */
  weightDecay?: number;
  /** The learning rate (default 6e-4). */
  learningRate?: number;
  /** Adam's betas (default [0.9, 0.95]). */
  betas?: [number, number];
}
const CONFIGURE_KEYS = ["weightDecay", "learningRate", "betas"] as const;

/** Options of GPT.generate. */
export interface GenerateOptions {
  /** The logits are divided by it before the softmax: < 1 sharper, > 1 flatter (default 1). */
  temperature?: number;
  /** Sample only among the k most likely tokens (default: all). */
  topK?: number | null;
  /** Seeds a generator of generate's own, making the samples reproducible without touching dt.manualSeed's
   *  global one (default: the global generator). */
  seed?: number | null;
  /** Keep the keys and values of earlier positions instead of recomputing them (default false): the same
   *  tokens, less work per new token while the sequence fits in blockSize. */
  useCache?: boolean;
}
const GENERATE_KEYS = ["temperature", "topK", "seed", "useCache"] as const;

/** Options of GPT.getNumParams. */
export interface NumParamsOptions {
  /** Leave out the position embeddings (default true, as nanoGPT; the token embeddings count, being the tied lm_head). */
  nonEmbedding?: boolean;
}
const NUM_PARAMS_KEYS = ["nonEmbedding"] as const;

/** nanoGPT's GPT-2 style language model: token and position embeddings, nLayer pre-norm blocks of causal
 *  self-attention and MLP, a final LayerNorm and a head tied to the token embeddings.
 *  `call(idx [B, T] int32, targets? [B, T] int32) -> [logits, loss]`.
 *  @example
 *  const model = new dt.text.GPT({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 });
 *  const [logits, loss] = model.call(x, y); // logits [B, T, 65], loss a 0-d tensor
 *  const out = model.generate(prompt, 100, { temperature: 0.8, topK: 40, seed: 0 }); */
export class GPT extends Module {
  /** The configuration, with the defaults filled in. */
  declare config: Required<GPTConfig>;
  /** Embeddings, blocks and the final LayerNorm. */
  declare transformer: GPTTransformer;
  /** The language-model head C -> V, no bias; its weight is transformer.wte.weight. */
  declare lm_head: Linear;

  constructor(config: GPTConfig = {}) {
    super();
    const o = checkOptions("text.GPT", config, CONFIG_KEYS, 1);
    const c: Required<GPTConfig> = {
      blockSize: positiveInt("blockSize", o.blockSize ?? 1024),
      vocabSize: positiveInt("vocabSize", o.vocabSize ?? 50304),
      nLayer: positiveInt("nLayer", o.nLayer ?? 12),
      nHead: positiveInt("nHead", o.nHead ?? 12),
      nEmbd: positiveInt("nEmbd", o.nEmbd ?? 768),
      dropout: o.dropout ?? 0,
      bias: o.bias ?? true,
    };
    if (!(typeof c.dropout === "number" && c.dropout >= 0 && c.dropout < 1)) throw new Error(`GPT: dropout must be in [0, 1), got ${String(c.dropout)}`);
    if (typeof c.bias !== "boolean") throw new Error(`GPT: bias must be a boolean, got ${typeof c.bias}`);
    this.config = c;
    this.transformer = new GPTTransformer(c);
    this.lm_head = new Linear(c.nEmbd, c.vocabSize, { bias: false });
    // weight tying (https://paperswithcode.com/method/weight-tying): one Parameter, two state-dict keys
    this.transformer.wte.weight = this.lm_head.weight;
    // init all weights: N(0, 0.02) for Linear and Embedding weights, zero biases (LayerNorms: ones, zeros) ...
    this.apply((m) => {
      if (m instanceof Linear) {
        init.normal_(m.weight, { mean: 0, std: 0.02 });
        if (m.bias) init.zeros_(m.bias);
      } else if (m instanceof Embedding) init.normal_(m.weight, { mean: 0, std: 0.02 });
    });
    // ... and the scaled init of the residual projections, per GPT-2's paper
    for (const [name, p] of this.namedParameters())
      if (name.endsWith("c_proj.weight")) init.normal_(p, { mean: 0, std: 0.02 / Math.sqrt(2 * c.nLayer) });
  }

  /** The number of parameters; by default without the position embeddings, as nanoGPT's get_num_params
   *  (the token embeddings count: they are the head's weight too). */
  getNumParams(opts: NumParamsOptions = {}): number {
    const { nonEmbedding = true } = checkOptions("GPT.getNumParams", opts, NUM_PARAMS_KEYS, 1);
    let n = this.numParameters();
    if (nonEmbedding) n -= this.transformer.wpe.weight.numel();
    return n;
  }

  /** idx [B, T] int -> [logits, loss]. With targets [B, T] (-1 = ignored): logits [B, T, V] and the mean
   *  cross-entropy; without: the logits of the last position only, [B, 1, V], and null (as nanoGPT). */
  override forward(idx: Tensor, targets?: Tensor | null): [Tensor, Tensor | null] {
    return this._forward(idx, targets ?? null, null);
  }

  private _forward(idx: Tensor, targets: Tensor | null, caches: KVCache[] | null, pos0 = 0): [Tensor, Tensor | null] {
    if (!(idx instanceof Tensor) || idx.ndim !== 2 || isFloat(idx.dtype) || idx.dtype === "bool")
      throw new Error(`GPT: idx must be an int tensor [B, T], got ${idx instanceof Tensor ? `${idx.dtype} ${fmt(idx.shape)}` : typeof idx}`);
    const [, T] = idx.shape;
    const { blockSize } = this.config;
    if (pos0 + T > blockSize)
      throw new Error(`GPT: cannot forward a sequence of length ${pos0 + T}, the block size is only ${blockSize} (idx ${fmt(idx.shape)})`);
    const pos = arange(pos0, pos0 + T, 1, { dtype: "int32" }); // [T]
    const tr = this.transformer;
    const tokEmb = tr.wte.call(idx); // token embeddings [B, T, C]
    const posEmb = tr.wpe.call(pos); // position embeddings [T, C]
    let x = tr.drop.call(tokEmb.add(posEmb)); // [B, T, C]
    let i = 0;
    for (const block of tr.h) x = block.call(x, caches ? caches[i++] : undefined); // [B, T, C]
    x = tr.ln_f.call(x); // [B, T, C]
    if (targets !== null) {
      if (!(targets instanceof Tensor) || targets.ndim !== 2 || targets.shape[0] !== idx.shape[0] || targets.shape[1] !== T)
        throw new Error(`GPT: targets must be [B, T] like idx ${fmt(idx.shape)}, got ${targets instanceof Tensor ? fmt(targets.shape) : typeof targets}`);
      const logits = this.lm_head.call(x); // [B, T, V]
      const V = logits.shape[2];
      const loss = F.crossEntropy(logits.reshape(-1, V), targets.reshape(-1), { ignoreIndex: -1 }); // []
      return [logits, loss];
    }
    // inference-time mini-optimisation: the head on the very last position only
    return [this.lm_head.call(x.narrow(1, T - 1, 1)), null]; // [B, 1, V]
  }

  /** An AdamW with two param groups, as nanoGPT's configure_optimizers: weight decay on every parameter
   *  with 2 or more dims (the matmul weights and the embeddings), none on biases and LayerNorm weights.
   *  @example const opt = model.configureOptimizers({ weightDecay: 0.1, learningRate: 1e-3, betas: [0.9, 0.99] }); */
  configureOptimizers(opts: ConfigureOptimizersOptions = {}): AdamW {
    const { weightDecay = 0.1, learningRate = 6e-4, betas = [0.9, 0.95] } = checkOptions("GPT.configureOptimizers", opts, CONFIGURE_KEYS, 1);
    const params = this.parameters().filter((p) => p.requiresGrad);
    const decay: Parameter[] = params.filter((p) => p.ndim >= 2);
    const noDecay: Parameter[] = params.filter((p) => p.ndim < 2);
    return new AdamW(
      [
        { params: decay, weightDecay },
        { params: noDecay, weightDecay: 0 },
      ],
      { lr: learningRate, betas },
    );
  }

  /** Takes idx [B, T] int and completes each sequence maxNewTokens times, feeding each prediction back in:
   *  the context is cropped to the last blockSize tokens, the last logits are divided by temperature,
   *  all but the topK largest masked out, and the next token sampled from the softmax. Runs under noGrad
   *  in eval mode (the mode is restored after). Returns int32 [B, T + maxNewTokens].
   *  @example model.generate(dt.tensor([[0]], { dtype: "int32" }), 200, { temperature: 0.8, topK: 10, seed: 1 }) */
  generate(idx: Tensor, maxNewTokens: number, opts: GenerateOptions = {}): Tensor {
    const { temperature = 1, topK = null, seed = null, useCache = false } = checkOptions("GPT.generate", opts, GENERATE_KEYS, 3);
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) throw new Error(`GPT.generate: maxNewTokens must be a non-negative integer, got ${String(maxNewTokens)}`);
    if (!(typeof temperature === "number" && temperature > 0)) throw new Error(`GPT.generate: temperature must be > 0, got ${String(temperature)}`);
    const V = this.config.vocabSize;
    if (topK !== null && !(Number.isInteger(topK) && topK >= 1)) throw new Error(`GPT.generate: topK must be a positive integer, got ${String(topK)}`);
    if (!(idx instanceof Tensor) || idx.ndim !== 2) throw new Error(`GPT.generate: idx must be an int tensor [B, T], got ${idx instanceof Tensor ? fmt(idx.shape) : typeof idx}`);
    const rand = seed === null ? uniform : seededUniform(seed);
    const { blockSize } = this.config;
    const modes = this.modules().map((m) => [m, m.training] as const); // restored after, module by module
    this.eval();
    try {
      return noGrad(() => {
        let out = idx.to("int32");
        let caches: KVCache[] | null = null; // with useCache: the keys and values of out's positions but the last
        for (let step = 0; step < maxNewTokens; step++) {
          const T = out.shape[1];
          let logits: Tensor;
          if (useCache && caches !== null && T <= blockSize) {
            [logits] = this._forward(out.narrow(1, T - 1, 1), null, caches, T - 1); // [B, 1, V]
          } else {
            // if the sequence context is growing too long we must crop it at blockSize
            const ctx = T <= blockSize ? out : out.narrow(1, T - blockSize, blockSize); // [B, <= blockSize]
            // with useCache, a prefill: the blocks keep the context's keys and values for the next steps
            caches = useCache && T < blockSize ? Array.from({ length: this.transformer.h.length }, () => ({ k: null, v: null })) : null;
            [logits] = this._forward(ctx, null, caches); // [B, 1, V]
          }
          // pluck the logits at the final step and scale by the desired temperature
          let last = logits.reshape(logits.shape[0], V).div(temperature); // [B, V]
          // optionally crop the logits to only the top k options
          if (topK !== null) {
            const k = Math.min(topK, V);
            const kth = topk(last, k).values.narrow(1, k - 1, 1); // the k-th largest per row [B, 1]
            last = maskedFill(last, lt(last, kth), -Infinity); // [B, V]
          }
          const probs = softmax(last, -1); // [B, V]
          const next = multinomial(probs, rand); // [B, 1]
          out = cat([out, next], 1); // [B, T + 1]
        }
        return out;
      });
    } finally {
      for (const [m, training] of modes) m.training = training;
    }
  }

  /** Loads a state dict by name; the causal-mask buffers an older nanoGPT checkpoint may carry
   *  (`attn.bias`, `attn.masked_bias`) are dropped, as nanoGPT's from_pretrained does. */
  override loadStateDict(sd: StateDict | Map<string, Tensor>, opts: { strict?: boolean } | boolean = {}): LoadResult {
    if (sd !== null && typeof sd === "object") {
      const entries = sd instanceof Map ? [...sd] : Object.entries(sd);
      sd = new Map(entries.filter(([k]) => !/(^|\.)attn\.(masked_)?bias$/.test(k)));
    }
    return super.loadStateDict(sd, opts);
  }

  override extraRepr(): string {
    const c = this.config;
    return `vocabSize=${c.vocabSize}, blockSize=${c.blockSize}, nLayer=${c.nLayer}, nHead=${c.nHead}, nEmbd=${c.nEmbd}, dropout=${c.dropout}, bias=${c.bias}`;
  }
}

/** One token per row of probs [B, V], drawn with u = rand() in [0, 1): int32 [B, 1]. */
function multinomial(probs: Tensor, rand: () => number): Tensor {
  const [B, V] = probs.shape;
  const p = probs.contiguous().dataSync();
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    let total = 0;
    for (let j = 0; j < V; j++) total += p[b * V + j];
    const u = rand() * total;
    let cum = 0, pick = -1;
    for (let j = 0; j < V; j++) {
      const pj = p[b * V + j];
      if (pj > 0) pick = j; // the last token with non-zero probability, should rounding leave u above the sum
      cum += pj;
      if (u < cum) break;
    }
    out[b] = pick;
  }
  return new Tensor(out, [B, 1], "int32");
}

/** A uniform [0, 1) generator of its own (mulberry32 through splitmix32), so that generate's seed leaves
 *  the global generator alone. */
function seededUniform(seed: number): () => number {
  if (!Number.isFinite(seed)) throw new Error(`GPT.generate: seed must be a finite number, got ${String(seed)}`);
  let a = (Math.floor(seed) ^ 0x9e3779b9) | 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return () => (next() * 4294967296 + next()) / 18446744073709551616;
}

/** Options of getLr (nanoGPT's train.py defaults). */
export interface GetLrOptions {
  /** Steps of linear warm-up (default 2000). */
  warmupIters?: number;
  /** The step at which the cosine decay reaches minLr, usually the number of steps (default 600000). */
  lrDecayIters?: number;
  /** The peak learning rate, reached at the end of the warm-up (default 6e-4). */
  learningRate?: number;
  /** The learning rate after lrDecayIters, about learningRate / 10 (default 6e-5). */
  minLr?: number;
}
const GET_LR_KEYS = ["warmupIters", "lrDecayIters", "learningRate", "minLr"] as const;

/** nanoGPT's learning-rate schedule at step `it`: linear warm-up for warmupIters steps, then cosine decay
 *  down to minLr at lrDecayIters, then minLr.
 *  @example for (const g of opt.paramGroups) g.lr = getLr(it, { warmupIters: 100, lrDecayIters: 5000, learningRate: 1e-3, minLr: 1e-4 }); */
export function getLr(it: number, opts: GetLrOptions = {}): number {
  const { warmupIters = 2000, lrDecayIters = 600000, learningRate = 6e-4, minLr = 6e-5 } = checkOptions("text.getLr", opts, GET_LR_KEYS, 2);
  if (!Number.isFinite(it) || it < 0) throw new Error(`getLr: it must be a non-negative step number, got ${String(it)}`);
  if (warmupIters < 0 || lrDecayIters < warmupIters) throw new Error(`getLr: need 0 <= warmupIters (${warmupIters}) <= lrDecayIters (${lrDecayIters})`);
  // 1) linear warm-up for warmupIters steps
  if (it < warmupIters) return (learningRate * (it + 1)) / (warmupIters + 1);
  // 2) past lrDecayIters, the minimum learning rate
  if (it > lrDecayIters) return minLr;
  // 3) in between, cosine decay down to the minimum learning rate
  const decayRatio = lrDecayIters === warmupIters ? 1 : (it - warmupIters) / (lrDecayIters - warmupIters); // in [0, 1]
  const coeff = 0.5 * (1 + Math.cos(Math.PI * decayRatio)); // from 1 to 0
  return minLr + coeff * (learningRate - minLr);
}
