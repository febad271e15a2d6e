// Byte-level BPE as GPT-2 does it (openai/gpt-2 src/encoder.py; Hugging Face tokenizers' ByteLevel
// pre-tokenizer and decoder): text is split by GPT-2's regex, each piece's UTF-8 bytes become
// printable characters (bytes_to_unicode), and merges are applied lowest rank first. Every byte has
// a symbol, so no text is ever out of vocabulary and decode(encode(text)) is the text.
//
// The encoder here is the fast path that Tokenizer uses for tokenizer.json files of exactly this
// kind (GPT-2, RoBERTa, and those Tokenizer.train writes); it gives the ids that
// @huggingface/tokenizers gives (test/text/tokenizer.test.ts checks both on every fixture), about ten
// times faster on a megabyte of text.

/** GPT-2's pre-tokenizer pattern (also Hugging Face's ByteLevel with use_regex). */
export const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** bytes_to_unicode of GPT-2: the printable bytes ('!'..'~', '¡'..'¬', '®'..'ÿ') map to themselves,
 *  the 68 others to U+0100 onwards, in byte order. Index = byte. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const out: string[] = new Array(256);
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let n = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCharCode(printable(b) ? b : 256 + n++);
  return out;
})();

/** The inverse of BYTE_TO_CHAR. */
export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/** The 256 byte symbols in code-point order: the initial alphabet of a trained byte-level BPE
 *  (so '!' comes first and 'Ġ', the space, is 220 after no special tokens, as in GPT-2). */
export function byteAlphabet(): string[] {
  return [...BYTE_TO_CHAR].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
}

/** Splits `text` into GPT-2 pre-tokens. */
export function gpt2Split(text: string): string[] {
  return text.match(GPT2_PATTERN) ?? [];
}

const utf8 = new TextEncoder();
const PAIR = 2 ** 21; // pair key = left * PAIR + right; ids stay below 2^21

/** An added token as the fast path handles it (no lstrip / rstrip / single_word). */
export interface FastAddedToken {
  /** Its id. */
  id: number;
  /** Its text, matched verbatim. */
  content: string;
  /** Whether decode skips it when asked to skip special tokens. */
  special: boolean;
}

/** Encoder and decoder of a byte-level BPE given its vocabulary, merges and added tokens. */
export class ByteLevelBpe {
  private readonly byteIds: Int32Array;
  private readonly ranks = new Map<number, number>(); // pair key -> rank * PAIR + merged id
  private readonly cache = new Map<string, number[]>();
  private readonly addedById = new Map<number, FastAddedToken>();
  private readonly addedByContent = new Map<string, number>();
  private readonly addedPattern: RegExp | null;
  private readonly idToToken: (string | undefined)[];

  /** `vocab` must hold the 256 byte symbols and, for each merge, both parts and their concatenation. */
  constructor(vocab: ReadonlyMap<string, number>, merges: readonly (readonly [string, string])[], added: readonly FastAddedToken[]) {
    this.byteIds = Int32Array.from(BYTE_TO_CHAR, (c) => vocab.get(c)!);
    merges.forEach(([a, b], rank) => {
      const key = vocab.get(a)! * PAIR + vocab.get(b)!;
      if (!this.ranks.has(key)) this.ranks.set(key, rank * PAIR + vocab.get(a + b)!);
    });
    this.idToToken = [];
    for (const [t, id] of vocab) this.idToToken[id] = t;
    for (const t of added) {
      this.addedById.set(t.id, t);
      this.addedByContent.set(t.content, t.id);
      this.idToToken[t.id] = t.content;
    }
    // leftmost match, the longest of the tokens that start there (Hugging Face's LeftmostLongest)
    const contents = [...this.addedByContent.keys()].sort((x, y) => y.length - x.length);
    this.addedPattern = contents.length ? new RegExp(contents.map(escapeRegExp).join("|"), "gu") : null;
  }

  /** The ids of `text`: added tokens split out first, then GPT-2's regex, bytes, merges. */
  encode(text: string): number[] {
    const out: number[] = [];
    if (this.addedPattern === null) {
      this.encodePlain(text, out);
      return out;
    }
    let last = 0;
    for (const m of text.matchAll(this.addedPattern)) {
      if (m.index! > last) this.encodePlain(text.slice(last, m.index), out);
      out.push(this.addedByContent.get(m[0])!);
      last = m.index! + m[0].length;
    }
    if (last < text.length) this.encodePlain(text.slice(last), out);
    return out;
  }

  private encodePlain(text: string, out: number[]): void {
    for (const m of text.matchAll(GPT2_PATTERN)) {
      const word = m[0];
      let ids = this.cache.get(word);
      if (ids === undefined) {
        ids = this.bpe(word);
        if (this.cache.size >= 100_000) this.cache.clear();
        this.cache.set(word, ids);
      }
      for (let i = 0; i < ids.length; i++) out.push(ids[i]);
    }
  }

  /** GPT-2's bpe(): merge the lowest-ranked adjacent pair everywhere in the word, until none is a merge. */
  private bpe(word: string): number[] {
    const bytes = utf8.encode(word);
    let sym: number[] = new Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) sym[i] = this.byteIds[bytes[i]];
    while (sym.length > 1) {
      let best = Infinity, at = -1;
      for (let i = 0; i + 1 < sym.length; i++) {
        const r = this.ranks.get(sym[i] * PAIR + sym[i + 1]);
        if (r !== undefined && r < best) [best, at] = [r, i];
      }
      if (at < 0) break;
      const merged = best % PAIR, a = sym[at], b = sym[at + 1];
      const next: number[] = [];
      for (let i = 0; i < sym.length; i++) {
        if (i + 1 < sym.length && sym[i] === a && sym[i + 1] === b) {
          next.push(merged);
          i++;
        } else next.push(sym[i]);
      }
      sym = next;
    }
    return sym;
  }

  /** The text of `ids` (already checked to be in range): byte symbols back to bytes, then UTF-8 with
   *  U+FFFD for an incomplete or invalid sequence (Hugging Face's lossy decoding). */
  decode(ids: ArrayLike<number>, skipSpecialTokens: boolean): string {
    const bytes: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const added = this.addedById.get(id);
      if (added !== undefined && added.special && skipSpecialTokens) continue;
      const tok = this.idToToken[id] ?? "";
      const start = bytes.length;
      let ok = true;
      for (const c of tok) {
        const b = CHAR_TO_BYTE.get(c);
        if (b === undefined) {
          ok = false;
          break;
        }
        bytes.push(b);
      }
      if (!ok) {
        bytes.length = start;
        for (const b of utf8.encode(tok)) bytes.push(b);
      }
    }
    return new TextDecoder("utf-8", { fatal: false }).decode(Uint8Array.from(bytes));
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
