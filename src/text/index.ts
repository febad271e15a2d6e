// text: tokenizers. A character tokenizer (nanoGPT's), and subword tokenizers in Hugging Face's
// tokenizer.json format: loaded from a file (BPE, WordPiece) or a byte-level BPE trained on a corpus.

export { CharTokenizer } from "./char.js";
export { Tokenizer } from "./tokenizer.js";
export type { EncodeOptions, DecodeOptions } from "./tokenizer.js";
export type { TrainOptions, TokenizerJSON, AddedTokenJSON } from "./bpe.js";

// GPT: nanoGPT's model (src/text/gpt.ts), with its optimiser set-up and learning-rate schedule.
export { GPT, GPTTransformer, Block, CausalSelfAttention, MLP, getLr } from "./gpt.js";
export type { GPTConfig, ConfigureOptimizersOptions, GenerateOptions, NumParamsOptions, GetLrOptions, KVCache } from "./gpt.js";
