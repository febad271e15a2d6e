// Embedding (torch/nn/modules/sparse.py): a lookup table of rows, weight ~ N(0, 1), paddingIdx row zero.

import { Tensor } from "../../tensor/tensor.js";
import { noGrad } from "../../tensor/autograd.js";
import { fmt } from "../../tensor/shape.js";
import * as F from "../functional.js";
import * as init from "../init.js";
import { Module, Parameter } from "../module.js";
import { optionsOf, param, positiveInt } from "./common.js";

/** Options of nn.Embedding. */
export interface EmbeddingOptions {
  /** This row gets no gradient and starts at zero (negative counts from the end). */
  paddingIdx?: number | null;
}
const EMBEDDING_KEYS = ["paddingIdx"] as const;
const FROM_PRETRAINED_KEYS = ["freeze", "paddingIdx"] as const;

/** Maps int indices [...] to rows of weight [numEmbeddings, embeddingDim]: output [..., embeddingDim].
 *  @example const emb = new nn.Embedding(1000, 64, { paddingIdx: 0 }); const h = emb.call(tokens); */
export class Embedding extends Module {
  /** The learnable embeddings [numEmbeddings, embeddingDim]. */
  declare weight: Parameter;
  /** The index whose embedding stays zero and gets no gradient, or null. */
  paddingIdx: number | null;
  constructor(
    /** The size of the vocabulary. */
    public numEmbeddings: number,
    /** The size of each embedding. */
    public embeddingDim: number,
    opts: EmbeddingOptions = {},
  ) {
    super();
    positiveInt("Embedding", numEmbeddings, "numEmbeddings");
    positiveInt("Embedding", embeddingDim, "embeddingDim");
    opts = optionsOf("nn.Embedding", opts, EMBEDDING_KEYS, 3);
    let p = opts.paddingIdx ?? null;
    if (p !== null) {
      if (!Number.isInteger(p) || p >= numEmbeddings || p < -numEmbeddings)
        throw new Error(`Embedding: paddingIdx ${p} must be within the ${numEmbeddings} embeddings`);
      if (p < 0) p += numEmbeddings;
    }
    this.paddingIdx = p;
    this.weight = param([numEmbeddings, embeddingDim]);
    this.resetParameters();
  }
  /** PyTorch's init: N(0, 1), the paddingIdx row zero. */
  resetParameters(): void {
    init.normal_(this.weight);
    if (this.paddingIdx !== null) {
      const row = this.weight.narrow(0, this.paddingIdx, 1);
      noGrad(() => row.fill_(0));
    }
  }
  /** An Embedding holding a copy of the given [num, dim] weights (frozen unless freeze is false). */
  static fromPretrained(embeddings: Tensor, opts: { freeze?: boolean; paddingIdx?: number | null } = {}): Embedding {
    if (!(embeddings instanceof Tensor) || embeddings.ndim !== 2)
      throw new Error(`Embedding.fromPretrained: embeddings must be a 2-D tensor, got ${embeddings instanceof Tensor ? fmt(embeddings.shape) : typeof embeddings}`);
    opts = optionsOf("nn.Embedding.fromPretrained", opts, FROM_PRETRAINED_KEYS, 2);
    const [n, d] = embeddings.shape;
    const e = new Embedding(n, d, { paddingIdx: opts.paddingIdx });
    e.weight = new Parameter(embeddings.detach().clone().to(embeddings.dtype), !(opts.freeze ?? true));
    return e;
  }
  override forward(indices: Tensor): Tensor {
    return F.embedding(indices, this.weight, { paddingIdx: this.paddingIdx });
  }
  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx !== null ? `, paddingIdx=${this.paddingIdx}` : ""}`;
  }
}
