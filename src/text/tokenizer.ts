// Subword tokenizers in Hugging Face's tokenizer.json format: load one (BPE or WordPiece), or train a
// byte-level BPE on a corpus, then encode text to ids and decode ids to text.
//
// Loading and encoding go through @huggingface/tokenizers (the pure-JS port of Hugging Face
// tokenizers that transformers.js uses), which knows the normalizers, pre-tokenizers,
// post-processors and decoders that tokenizer.json files on the Hub use. Two things are ours:
//   * the checks of the file, so a broken file fails on loading with its name and the bad entry;
//   * a fast path for GPT-2-style byte-level BPE (byte-level.ts), the kind Tokenizer.train writes,
//     about ten times faster on a megabyte of text and giving the same ids (the tests check it).
// Semantics follow the Python `tokenizers` library: encode adds the post-processor's special tokens
// ([CLS] ... [SEP] for BERT) unless told not to, decode skips special tokens unless told not to, and
// decoding does no "clean up of tokenization spaces" beyond what the file's decoder says.

import * as fs from "node:fs";
import { Tokenizer as HFTokenizer } from "@huggingface/tokenizers";
import { checkOptions, checkBool, describeValue } from "../tensor/options.js";
import { writeFileAtomicSync } from "../io/files.js";
import { BYTE_TO_CHAR, ByteLevelBpe } from "./byte-level.js";
import { trainByteLevelBpe, type TokenizerJSON, type TrainOptions, type AddedTokenJSON } from "./bpe.js";

/** The options of {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /** Add the special tokens of the file's post-processor, such as BERT's `[CLS] ... [SEP]` (default true, as in Hugging Face tokenizers). */
  addSpecialTokens?: boolean;
}

/** The options of {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /** Leave out special tokens (`[CLS]`, `[PAD]`, `<|endoftext|>`, ...) (default true, as in Hugging Face tokenizers). */
  skipSpecialTokens?: boolean;
}

const ENCODE_KEYS = ["addSpecialTokens"] as const;
const DECODE_KEYS = ["skipSpecialTokens"] as const;
const TRAIN_KEYS = ["vocabSize", "minFrequency", "specialTokens"] as const;
const MODEL_TYPES = ["BPE", "WordPiece"] as const;

/** What we call on @huggingface/tokenizers' Tokenizer (its published types do not resolve under NodeNext). */
interface HFTokenizerLike {
  normalizer: { normalize(text: string): string } | null;
  encode(text: string, options: { add_special_tokens: boolean }): { ids: number[] };
  decode(ids: number[], options: { skip_special_tokens: boolean; clean_up_tokenization_spaces: boolean }): string;
}

/** A subword tokenizer in Hugging Face's tokenizer.json format: BPE (GPT-2, RoBERTa, ...) or WordPiece (BERT).
 *  @example
 *  const tok = dt.text.Tokenizer.fromFile("bert-base-uncased/tokenizer.json");
 *  tok.encode("Hello, world!");                  // [101, 7592, 1010, 2088, 999, 102]
 *  tok.encode("Hello", { addSpecialTokens: false }); // [7592]
 *  const bpe = dt.text.Tokenizer.train([text], { vocabSize: 512, specialTokens: ["<|endoftext|>"] });
 *  bpe.decode(bpe.encode(text)) === text;
 *  bpe.save("tokenizer.json");
 */
export class Tokenizer {
  /** The model type: "BPE" or "WordPiece". */
  readonly modelType: "BPE" | "WordPiece";
  /** Where the tokenizer came from, for messages: the file it was loaded from, "JSON" (fromJSON) or "train". */
  readonly source: string;
  private readonly json: TokenizerJSON;
  private hfTokenizer: HFTokenizerLike | null = null;
  private readonly fast: ByteLevelBpe | null;
  private readonly alphabet: Set<string> | null;
  private readonly tokenIds = new Map<string, number>();
  private readonly idTokens: string[] = [];
  private readonly size: number;

  /** `prefix` starts the messages of errors in the file, such as "Tokenizer.fromFile: tokenizer.json". */
  private constructor(json: TokenizerJSON, source: string, prefix: string) {
    this.source = source;
    this.modelType = validate(json, prefix, this.tokenIds);
    for (const [t, id] of this.tokenIds) this.idTokens[id] = t;
    this.size = this.idTokens.length;
    this.json = json;
    this.fast = fastByteLevel(json);
    if (this.fast === null) {
      try {
        this.hfTokenizer = new HFTokenizer(withDefaults(json), { clean_up_tokenization_spaces: false }) as HFTokenizerLike;
      } catch (e) {
        throw new Error(`${prefix}: the tokenizer cannot be built: ${(e as Error).message}`);
      }
    }
    this.alphabet = this.fast === null ? bpeAlphabet(json) : null;
  }

  /** @huggingface/tokenizers' Tokenizer for this file, built on first use when the fast path does not need it. */
  private get hf(): HFTokenizerLike {
    return (this.hfTokenizer ??= new HFTokenizer(withDefaults(this.json), { clean_up_tokenization_spaces: false }) as HFTokenizerLike);
  }

  /** Loads a Hugging Face tokenizer.json (BPE or WordPiece model). A missing or unreadable file, text
   *  that is not JSON, or a file whose model or entries are wrong throws an error that names the file
   *  and the entry. */
  static fromFile(path: string): Tokenizer {
    if (typeof path !== "string") throw new TypeError(`Tokenizer.fromFile: expected a file path, got ${describeValue(path)}`);
    let text: string;
    try {
      text = fs.readFileSync(path, "utf8");
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === "ENOENT" ? "no such file" : err.code === "EISDIR" ? "it is a directory" : err.message;
      throw new Error(`Tokenizer.fromFile: cannot read ${path}: ${why}`);
    }
    return Tokenizer.parse(text, path, `Tokenizer.fromFile: ${path}`);
  }

  /** A tokenizer from the contents of a tokenizer.json, as a string or an already parsed object. */
  static fromJSON(json: string | TokenizerJSON): Tokenizer {
    if (typeof json === "string") return Tokenizer.parse(json, "JSON", "Tokenizer.fromJSON");
    return new Tokenizer(structuredCloneJSON(json, "Tokenizer.fromJSON"), "JSON", "Tokenizer.fromJSON");
  }

  private static parse(text: string, source: string, prefix: string): Tokenizer {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      throw new Error(`${prefix}: not valid JSON (${(e as Error).message})`);
    }
    return new Tokenizer(obj as TokenizerJSON, source, prefix);
  }

  /** Trains a byte-level BPE (GPT-2's scheme, Hugging Face's BpeTrainer) on `texts`: special tokens get
   *  ids 0, 1, ..., the 256 byte symbols follow, then one token per merge of the most frequent pair,
   *  until `vocabSize` tokens. Every text can be encoded (bytes never fall outside the vocabulary)
   *  and decode(encode(text)) gives the text back. Deterministic: ties go to the pair of smallest ids.
   *  @example const tok = dt.text.Tokenizer.train([text], { vocabSize: 1024, specialTokens: ["<|endoftext|>"] }); */
  static train(texts: string | readonly string[], opts: TrainOptions): Tokenizer {
    const fn = "Tokenizer.train";
    const o = checkOptions(fn, opts, TRAIN_KEYS, 2);
    const list = typeof texts === "string" ? [texts] : texts;
    if (!Array.isArray(list)) throw new TypeError(`${fn}: expected a string or an array of strings, got ${describeValue(texts)}`);
    list.forEach((t, i) => {
      if (typeof t !== "string") throw new TypeError(`${fn}: text ${i} of the corpus is not a string (got ${describeValue(t)})`);
    });
    if (list.every((t) => t.length === 0))
      throw new RangeError(`${fn}: the corpus is empty (${list.length === 0 ? "no texts" : `${list.length} text${list.length > 1 ? "s" : ""}, all empty`}); there is nothing to learn merges from`);
    const specials = o.specialTokens ?? [];
    if (!Array.isArray(specials)) throw new TypeError(`${fn}: specialTokens must be an array of strings, got ${describeValue(specials)}`);
    const seen = new Set<string>();
    specials.forEach((s, i) => {
      if (typeof s !== "string" || s.length === 0) throw new TypeError(`${fn}: specialTokens[${i}] must be a non-empty string, got ${describeValue(s)}`);
      if (seen.has(s)) throw new RangeError(`${fn}: specialTokens[${i}] ${JSON.stringify(s)} is given twice`);
      seen.add(s);
    });
    const min = 256 + specials.length;
    if (o.vocabSize === undefined) throw new TypeError(`${fn}: vocabSize is required (for example { vocabSize: 1024 })`);
    if (!Number.isInteger(o.vocabSize) || o.vocabSize < min || o.vocabSize >= 2 ** 21)
      throw new RangeError(`${fn}: vocabSize must be an integer in [${min}, 2097151] (256 byte symbols${specials.length ? ` + ${specials.length} special token${specials.length > 1 ? "s" : ""}` : ""} at least), got ${describeValue(o.vocabSize)}`);
    const minFrequency = o.minFrequency ?? 0;
    if (!Number.isInteger(minFrequency) || minFrequency < 0) throw new RangeError(`${fn}: minFrequency must be a non-negative integer, got ${describeValue(minFrequency)}`);
    return new Tokenizer(trainByteLevelBpe(list, o.vocabSize, minFrequency, specials), "train", fn);
  }

  /** The number of ids: one more than the largest id of the vocabulary and the added tokens (the rows an embedding table needs). */
  get vocabSize(): number {
    return this.size;
  }

  /** The ids of `text`. With the default `addSpecialTokens: true`, a WordPiece (BERT) tokenizer wraps them
   *  in `[CLS] ... [SEP]` as its tokenizer.json's post-processor says; byte-level BPE adds nothing. */
  encode(text: string, opts?: EncodeOptions): number[] {
    const o = checkOptions("Tokenizer.encode", opts, ENCODE_KEYS, 2);
    const add = checkBool("Tokenizer.encode", "addSpecialTokens", o.addSpecialTokens) ?? true;
    if (typeof text !== "string") throw new TypeError(`Tokenizer.encode: expected a string, got ${describeValue(text)}`);
    if (this.fast !== null) return this.fast.encode(text);
    if (this.alphabet !== null) this.checkAlphabet(text);
    return this.hf.encode(text, { add_special_tokens: add }).ids;
  }

  /** A BPE with no unk_token drops what its vocabulary cannot spell; throw instead, naming the character. */
  private checkAlphabet(text: string): void {
    let rest = text;
    for (const a of this.json.added_tokens ?? []) rest = rest.split(a.content).join(" ");
    const norm = this.hf.normalizer?.normalize(rest) ?? rest;
    let pos = 0;
    for (const c of norm) {
      if (!this.alphabet!.has(c) && !/\s/u.test(c)) {
        const cp = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
        const where = norm === rest && rest.length === text.length ? "" : " of the normalized text";
        throw new RangeError(
          `Tokenizer.encode: character ${JSON.stringify(c)} (U+${cp}) at position ${pos}${where} is not in the vocabulary of ${this.source}, ` +
            `whose BPE model has no unk_token to stand for it`,
        );
      }
      pos++;
    }
  }

  /** The text of `ids`. Special tokens are left out unless `skipSpecialTokens: false`. An id that is not an
   *  integer in [0, vocabSize) throws, naming it and its position. */
  decode(ids: ArrayLike<number>, opts?: DecodeOptions): string {
    const o = checkOptions("Tokenizer.decode", opts, DECODE_KEYS, 2);
    const skip = checkBool("Tokenizer.decode", "skipSpecialTokens", o.skipSpecialTokens) ?? true;
    if (ids === null || typeof ids !== "object" || typeof ids.length !== "number")
      throw new TypeError(`Tokenizer.decode: expected an array of ids, got ${describeValue(ids)}`);
    const list: number[] = new Array(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.size || this.idTokens[id] === undefined) {
        const shown = typeof id === "number" ? String(id) : describeValue(id);
        const why = Number.isInteger(id) && id >= 0 && id < this.size ? "is not the id of any token" : `is out of range [0, ${this.size})`;
        throw new RangeError(`Tokenizer.decode: id ${shown} at position ${i} ${why}`);
      }
      list[i] = id;
    }
    if (list.length === 0) return "";
    if (this.fast !== null) return this.fast.decode(list, skip);
    return this.hf.decode(list, { skip_special_tokens: skip, clean_up_tokenization_spaces: false });
  }

  /** The id of a token (as written in the vocabulary, such as "Ġthe" or "##ing"), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.tokenIds.get(token);
  }

  /** The token of an id, or undefined when no token has it. */
  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 ? this.idTokens[id] : undefined;
  }

  /** The tokenizer.json contents, as an object (a copy). */
  toJSON(): TokenizerJSON {
    return structuredClone(this.json);
  }

  /** Writes the tokenizer.json to `path` atomically (a temporary file in the same folder, then a rename),
   *  so that a crash never leaves a half-written file. Tokenizer.fromFile reads it back. */
  save(path: string): void {
    if (typeof path !== "string") throw new TypeError(`Tokenizer.save: expected a file path, got ${describeValue(path)}`);
    const text = JSON.stringify(this.json, null, 2) + "\n";
    writeFileAtomicSync(path, new TextEncoder().encode(text), "Tokenizer.save");
  }
}

/** A deep copy of a JSON value (a plain object given to fromJSON is not kept, so later changes do not reach the tokenizer). */
function structuredCloneJSON(json: TokenizerJSON, source: string): TokenizerJSON {
  if (json === null || typeof json !== "object" || Array.isArray(json))
    throw new TypeError(`${source}: expected the tokenizer.json contents (a string or an object), got ${describeValue(json)}`);
  try {
    return structuredClone(json);
  } catch (e) {
    throw new TypeError(`${source}: the object is not plain JSON data (${(e as Error).message})`);
  }
}

/** The members @huggingface/tokenizers expects to be present, null where absent. */
function withDefaults(json: TokenizerJSON): TokenizerJSON {
  return {
    ...json,
    added_tokens: json.added_tokens ?? [],
    normalizer: json.normalizer ?? null,
    pre_tokenizer: json.pre_tokenizer ?? null,
    post_processor: json.post_processor ?? null,
    decoder: json.decoder ?? null,
  };
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === "object" && x !== null && !Array.isArray(x);
const isId = (x: unknown): x is number => typeof x === "number" && Number.isInteger(x) && x >= 0 && x < 2 ** 31;
const show = (s: string) => JSON.stringify(s.length > 40 ? s.slice(0, 37) + "..." : s);

/** Checks the parts of a tokenizer.json that we and the model rely on; fills `ids` with token -> id
 *  (vocabulary and added tokens); returns the model type. Errors name `source` and the entry. */
function validate(json: unknown, source: string, ids: Map<string, number>): "BPE" | "WordPiece" {
  const bad = (what: string) => new Error(`${source}: ${what}`);
  if (!isRecord(json)) throw bad(`expected a tokenizer.json object at the top level, got ${describeValue(json)}`);
  const model = json.model;
  if (model === undefined) throw bad(`no "model" entry (is this a tokenizer.json? tokenizer_config.json and vocab.txt are other files)`);
  if (!isRecord(model)) throw bad(`"model" must be an object, got ${describeValue(model)}`);
  const type = model.type ?? (model.merges !== undefined ? "BPE" : undefined);
  if (!(MODEL_TYPES as readonly unknown[]).includes(type))
    throw bad(`unsupported model type ${type === undefined ? "(model.type is missing)" : JSON.stringify(type)} in model.type; supported: ${MODEL_TYPES.join(", ")}`);
  const vocab = model.vocab;
  if (!isRecord(vocab)) throw bad(`model.vocab must be an object of token -> id, got ${describeValue(vocab)}`);
  const owner = new Map<number, string>();
  for (const t in vocab) {
    const id = vocab[t];
    if (!isId(id)) throw bad(`model.vocab[${show(t)}] must be a non-negative integer id, got ${describeValue(id)}`);
    const other = owner.get(id);
    if (other !== undefined) throw bad(`model.vocab gives id ${id} to both ${show(other)} and ${show(t)}`);
    owner.set(id, t);
    ids.set(t, id);
  }
  if (ids.size === 0) throw bad("model.vocab is empty");
  const added = json.added_tokens ?? [];
  if (!Array.isArray(added)) throw bad(`added_tokens must be an array, got ${describeValue(added)}`);
  added.forEach((a: unknown, i) => {
    if (!isRecord(a)) throw bad(`added_tokens[${i}] must be an object { id, content, ... }, got ${describeValue(a)}`);
    if (typeof a.content !== "string" || a.content.length === 0) throw bad(`added_tokens[${i}].content must be a non-empty string, got ${describeValue(a.content)}`);
    if (!isId(a.id)) throw bad(`added_tokens[${i}] (${show(a.content)}): id must be a non-negative integer, got ${describeValue(a.id)}`);
    const other = owner.get(a.id);
    if (other !== undefined && other !== a.content) throw bad(`added_tokens[${i}] (${show(a.content)}) has id ${a.id}, which model.vocab gives to ${show(other)}`);
    owner.set(a.id, a.content);
    ids.set(a.content, a.id);
  });
  if (type === "BPE") {
    const merges = model.merges ?? [];
    if (!Array.isArray(merges)) throw bad(`model.merges must be an array, got ${describeValue(merges)}`);
    merges.forEach((m: unknown, i) => {
      let parts: unknown[];
      if (typeof m === "string") parts = m.split(" ");
      else if (Array.isArray(m)) parts = m;
      else throw bad(`model.merges[${i}] must be a "left right" string or a [left, right] pair, got ${describeValue(m)}`);
      if (parts.length !== 2 || typeof parts[0] !== "string" || typeof parts[1] !== "string")
        throw bad(`model.merges[${i}] must be a "left right" string or a [left, right] pair, got ${JSON.stringify(m)}`);
      for (const p of [parts[0], parts[1], parts[0] + parts[1]])
        if (!(p in vocab)) throw bad(`model.merges[${i}] (${JSON.stringify(m)}): ${show(p)} is not in model.vocab`);
    });
  } else {
    const unk = model.unk_token ?? "[UNK]";
    if (typeof unk !== "string" || !ids.has(unk)) throw bad(`model.unk_token ${describeValue(unk)} is not in model.vocab`);
  }
  for (const k of ["normalizer", "pre_tokenizer", "post_processor", "decoder"] as const) {
    const v = json[k];
    if (v !== undefined && v !== null && !(isRecord(v) && typeof v.type === "string"))
      throw bad(`${k} must be null or an object with a "type", got ${describeValue(v)}`);
  }
  return type as "BPE" | "WordPiece";
}

/** The fast encoder when the file is a plain GPT-2-style byte-level BPE, else null (the general path). */
function fastByteLevel(json: TokenizerJSON): ByteLevelBpe | null {
  const m = json.model;
  const pre = json.pre_tokenizer as Record<string, unknown> | null | undefined;
  const dec = json.decoder as Record<string, unknown> | null | undefined;
  const post = json.post_processor as Record<string, unknown> | null | undefined;
  const empty = (v: unknown) => v === undefined || v === null || v === "";
  if (m.type !== "BPE" || !empty(m.dropout) || !empty(m.continuing_subword_prefix) || !empty(m.end_of_word_suffix)) return null;
  if (m.byte_fallback === true || m.ignore_merges === true) return null;
  if (json.normalizer !== null && json.normalizer !== undefined) return null;
  if (!pre || pre.type !== "ByteLevel" || pre.add_prefix_space === true || pre.use_regex === false) return null;
  if (!dec || dec.type !== "ByteLevel") return null;
  if (post && post.type !== "ByteLevel") return null;
  const vocab = m.vocab;
  if (!BYTE_TO_CHAR.every((c) => c in vocab)) return null;
  const added = (json.added_tokens ?? []) as AddedTokenJSON[];
  if (added.some((a) => a.lstrip || a.rstrip || a.single_word)) return null;
  const merges = (m.merges ?? []).map((x): [string, string] => (typeof x === "string" ? (x.split(" ") as [string, string]) : x));
  const vocabMap = new Map<string, number>(Object.entries(vocab));
  return new ByteLevelBpe(vocabMap, merges, added.map((a) => ({ id: a.id, content: a.content, special: a.special === true })));
}

/** For a BPE that has no unk_token, no byte fallback and no byte-level pre-tokenizer, the characters it
 *  can spell (single-character tokens, with or without the continuing-subword prefix and end-of-word
 *  suffix); null when nothing can fall outside the vocabulary. */
function bpeAlphabet(json: TokenizerJSON): Set<string> | null {
  const m = json.model;
  if (m.type !== "BPE" || (typeof m.unk_token === "string" && m.unk_token !== "") || m.byte_fallback === true) return null;
  if (JSON.stringify(json.pre_tokenizer ?? null).includes('"ByteLevel"')) return null;
  const prefix = typeof m.continuing_subword_prefix === "string" ? m.continuing_subword_prefix : "";
  const suffix = typeof m.end_of_word_suffix === "string" ? m.end_of_word_suffix : "";
  const out = new Set<string>();
  for (let t in m.vocab) {
    if (prefix && t.startsWith(prefix)) t = t.slice(prefix.length);
    if (suffix && t.endsWith(suffix)) t = t.slice(0, t.length - suffix.length);
    const cs = [...t];
    if (cs.length === 1) out.add(cs[0]);
  }
  return out;
}
