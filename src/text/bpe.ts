// Training a byte-level BPE, as Hugging Face tokenizers' BpeTrainer does with a ByteLevel
// pre-tokenizer (tokenizers/src/models/bpe/trainer.rs; Sennrich et al. 2016, "Neural Machine
// Translation of Rare Words with Subword Units"; GPT-2's byte-level variant, Radford et al. 2019):
//
//   vocab  = special tokens, then the 256 byte symbols in code-point order
//   words  = the corpus split by GPT-2's regex, each word as byte symbols, with its count
//   repeat until |vocab| = vocabSize: merge the most frequent adjacent pair (pairs counted over the
//     words, weighted by their counts; ties go to the smallest (left id, right id)), left to right
//     without overlap in every word that holds it; the joined string is a new token.
//
// Pair counts are kept up to date incrementally (each merge only touches the words holding the pair)
// and the next pair comes from a max-heap with lazily refreshed counts, so training on a megabyte of
// text takes about a second. The result is a tokenizer.json object that Tokenizer.fromJSON loads;
// scripts/fixtures/tokenizers.py has a plain reference of the same algorithm, and the tests check that
// both learn the same merges.

import { byteAlphabet, BYTE_TO_CHAR, gpt2Split } from "./byte-level.js";

/** The options of Tokenizer.train. */
export interface TrainOptions {
  /** The size of the vocabulary to reach, special tokens and the 256 byte symbols included (required). */
  vocabSize: number;
  /** A pair is only merged while it occurs at least this often (default 0: until vocabSize). */
  minFrequency?: number;
  /** Tokens given ids 0, 1, ... and matched verbatim before the text is split, such as `"<|endoftext|>"` (default none). */
  specialTokens?: readonly string[];
}

/** The JSON of an added token in tokenizer.json. */
export interface AddedTokenJSON {
  /** Its id. */
  id: number;
  /** Its text. */
  content: string;
  /** Only matched as a whole word. */
  single_word?: boolean;
  /** Swallows the whitespace on its left. */
  lstrip?: boolean;
  /** Swallows the whitespace on its right. */
  rstrip?: boolean;
  /** Matched on the normalized text rather than the original. */
  normalized?: boolean;
  /** A special token (skipped by decode when skipping special tokens). */
  special?: boolean;
}

/** A Hugging Face tokenizer.json as an object (the members this package reads; others are kept as they are). */
export interface TokenizerJSON {
  /** The format version, "1.0". */
  version?: string;
  /** Tokens matched verbatim before normalization and pre-tokenization. */
  added_tokens?: AddedTokenJSON[];
  /** The normalizer, such as `{ type: "BertNormalizer", ... }`, or null. */
  normalizer?: object | null;
  /** The pre-tokenizer, such as `{ type: "ByteLevel", ... }`, or null. */
  pre_tokenizer?: object | null;
  /** The post-processor (the template that adds [CLS] and [SEP]), or null. */
  post_processor?: object | null;
  /** The decoder, or null. */
  decoder?: object | null;
  /** The model: its type ("BPE" or "WordPiece" here), vocabulary and, for BPE, merges. */
  model: {
    /** "BPE" or "WordPiece". */
    type: string;
    /** Token to id. */
    vocab: Record<string, number>;
    /** BPE merges, as "left right" strings or [left, right] pairs, highest priority first. */
    merges?: (string | [string, string])[];
    /** Any other model settings (unk_token, continuing_subword_prefix, ...). */
    [key: string]: unknown;
  };
  /** Anything else (truncation, padding, ...). */
  [key: string]: unknown;
}

const PAIR = 2 ** 21;

/** A max-heap of [count, left, right]: higher count first, then smaller left, then smaller right. */
class PairHeap {
  private c: number[] = [];
  private l: number[] = [];
  private r: number[] = [];

  get size(): number {
    return this.c.length;
  }

  private before(i: number, j: number): boolean {
    const { c, l, r } = this;
    return c[i] !== c[j] ? c[i] > c[j] : l[i] !== l[j] ? l[i] < l[j] : r[i] < r[j];
  }

  private swap(i: number, j: number): void {
    const { c, l, r } = this;
    [c[i], c[j]] = [c[j], c[i]];
    [l[i], l[j]] = [l[j], l[i]];
    [r[i], r[j]] = [r[j], r[i]];
  }

  push(count: number, left: number, right: number): void {
    this.c.push(count);
    this.l.push(left);
    this.r.push(right);
    for (let i = this.c.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.before(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  pop(): [number, number, number] {
    const top: [number, number, number] = [this.c[0], this.l[0], this.r[0]];
    const n = this.c.length - 1;
    this.swap(0, n);
    this.c.pop();
    this.l.pop();
    this.r.pop();
    for (let i = 0; ; ) {
      const a = 2 * i + 1, b = a + 1;
      let m = i;
      if (a < n && this.before(a, m)) m = a;
      if (b < n && this.before(b, m)) m = b;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
    return top;
  }
}

/** Learns a byte-level BPE from `texts` (options already checked) and returns it as a tokenizer.json
 *  object in GPT-2's layout (ByteLevel pre-tokenizer, post-processor and decoder; no normalizer). */
export function trainByteLevelBpe(texts: readonly string[], vocabSize: number, minFrequency: number, specialTokens: readonly string[]): TokenizerJSON {
  const vocab = new Map<string, number>();
  const tokens: string[] = [];
  const add = (t: string): number => {
    let id = vocab.get(t);
    if (id === undefined) {
      id = tokens.length;
      vocab.set(t, id);
      tokens.push(t);
    }
    return id;
  };
  for (const s of specialTokens) add(s);
  for (const c of byteAlphabet()) add(c);
  const byteId = BYTE_TO_CHAR.map((c) => vocab.get(c)!);

  // the words and their counts
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of gpt2Split(t)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const utf8 = new TextEncoder();
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [w, n] of counts) {
    words.push(Array.from(utf8.encode(w), (b) => byteId[b]));
    freq.push(n);
  }

  // pair counts and the words that hold each pair
  const pairCount = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  words.forEach((w, k) => {
    for (let i = 0; i + 1 < w.length; i++) {
      const key = w[i] * PAIR + w[i + 1];
      pairCount.set(key, (pairCount.get(key) ?? 0) + freq[k]);
      let s = where.get(key);
      if (s === undefined) where.set(key, (s = new Set()));
      s.add(k);
    }
  });
  const heap = new PairHeap();
  for (const [key, n] of pairCount) heap.push(n, Math.floor(key / PAIR), key % PAIR);

  const merges: [string, string][] = [];
  const threshold = Math.max(1, minFrequency);
  const changed = new Set<number>();
  while (tokens.length < vocabSize && heap.size > 0) {
    const [n, a, b] = heap.pop();
    const key = a * PAIR + b;
    const current = pairCount.get(key) ?? 0;
    if (current !== n) {
      if (current > 0) heap.push(current, a, b); // stale count: put it back with the right one
      continue;
    }
    if (n < threshold) break;
    const id = add(tokens[a] + tokens[b]);
    merges.push([tokens[a], tokens[b]]);
    const bump = (x: number, y: number, delta: number, k: number) => {
      const kk = x * PAIR + y;
      pairCount.set(kk, (pairCount.get(kk) ?? 0) + delta);
      if (delta > 0) {
        let s = where.get(kk);
        if (s === undefined) where.set(kk, (s = new Set()));
        s.add(k);
        changed.add(kk);
      }
    };
    for (const k of where.get(key) ?? []) {
      const w = words[k], f = freq[k];
      const out: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
          if (out.length > 0) {
            const prev = out[out.length - 1];
            bump(prev, a, -f, k);
            bump(prev, id, f, k);
          }
          if (i + 2 < w.length) {
            bump(b, w[i + 2], -f, k);
            bump(id, w[i + 2], f, k);
          }
          out.push(id);
          i++;
        } else out.push(w[i]);
      }
      words[k] = out;
    }
    pairCount.delete(key);
    where.delete(key);
    for (const kk of changed) {
      const c = pairCount.get(kk) ?? 0;
      if (c > 0) heap.push(c, Math.floor(kk / PAIR), kk % PAIR);
    }
    changed.clear();
  }

  const vocabObj: Record<string, number> = {};
  tokens.forEach((t, i) => (vocabObj[t] = i));
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((s) => ({
      id: vocab.get(s)!, content: s, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
    })),
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "",
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: vocabObj, merges,
    },
  };
}
