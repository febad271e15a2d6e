// The character tokenizer of nanoGPT: the vocabulary is the sorted set of characters of a text
// (`chars = sorted(list(set(data)))`), one id per character. Characters are Unicode code points, so an
// emoji or a CJK character outside the Basic Multilingual Plane is one token, not two surrogates;
// sorting is by code point, as Python's sorted() does on str.

import { describeValue } from "../tensor/options.js";

/** A character-level tokenizer: one id per distinct character of the text it was built from, in
 *  code-point order (nanoGPT's `chars = sorted(list(set(data)))`).
 *  @example
 *  const tok = dt.text.CharTokenizer.fromText(text);
 *  const ids = tok.encode("To be"); // number[]
 *  tok.decode(ids) === "To be";
 */
export class CharTokenizer {
  /** The characters, indexed by id. */
  readonly chars: readonly string[];
  private readonly index: Map<string, number>;

  /** A tokenizer over exactly these characters (ids in the order given). Each entry must be one code
   *  point and appear once; most code builds one with {@link CharTokenizer.fromText}. */
  constructor(chars: readonly string[]) {
    if (!Array.isArray(chars)) throw new TypeError(`CharTokenizer: expected an array of characters, got ${describeValue(chars)}`);
    if (chars.length === 0) throw new RangeError("CharTokenizer: the vocabulary is empty (no characters given)");
    const index = new Map<string, number>();
    chars.forEach((c, i) => {
      if (typeof c !== "string" || [...c].length !== 1)
        throw new TypeError(`CharTokenizer: entry ${i} of the vocabulary must be a single character, got ${describeValue(c)}`);
      if (index.has(c)) throw new RangeError(`CharTokenizer: character ${JSON.stringify(c)} appears twice in the vocabulary (entries ${index.get(c)} and ${i})`);
      index.set(c, i);
    });
    this.chars = Object.freeze([...chars]);
    this.index = index;
  }

  /** The tokenizer whose vocabulary is the sorted set of characters of `text`. Throws on an empty text. */
  static fromText(text: string): CharTokenizer {
    if (typeof text !== "string") throw new TypeError(`CharTokenizer.fromText: expected a string, got ${describeValue(text)}`);
    if (text.length === 0) throw new RangeError("CharTokenizer.fromText: the text is empty, so there is no character to build a vocabulary from");
    const set = new Set<string>();
    for (const c of text) set.add(c);
    const chars = [...set].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!);
    return new CharTokenizer(chars);
  }

  /** The number of distinct characters. */
  get vocabSize(): number {
    return this.chars.length;
  }

  /** The ids of the characters of `text`. A character outside the vocabulary throws, naming it and its
   *  position (in code points). */
  encode(text: string): number[] {
    if (typeof text !== "string") throw new TypeError(`CharTokenizer.encode: expected a string, got ${describeValue(text)}`);
    const out: number[] = [];
    let pos = 0;
    for (const c of text) {
      const id = this.index.get(c);
      if (id === undefined) {
        const cp = c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");
        throw new RangeError(`CharTokenizer.encode: character ${JSON.stringify(c)} (U+${cp}) at position ${pos} is not in the vocabulary of ${this.chars.length} characters`);
      }
      out.push(id);
      pos++;
    }
    return out;
  }

  /** The text of `ids`. An id that is not an integer in [0, vocabSize) throws, naming it and its position. */
  decode(ids: ArrayLike<number>): string {
    const n = this.chars.length;
    let s = "";
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= n)
        throw new RangeError(`CharTokenizer.decode: id ${describeValue(id).replace(/^the number /, "")} at position ${i} is out of range [0, ${n})`);
      s += this.chars[id];
    }
    return s;
  }

  /** The id of a character, or undefined when it is not in the vocabulary. */
  tokenToId(token: string): number | undefined {
    return this.index.get(token);
  }

  /** The character of an id, or undefined when the id is out of range. */
  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 && id < this.chars.length ? this.chars[id] : undefined;
  }
}
