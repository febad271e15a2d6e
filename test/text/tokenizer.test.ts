// dt.text tokenizers against hand-built references (scripts/fixtures/tokenizers.py, stdlib Python):
// GPT-2's encoder.py bpe() on a byte-level BPE, google-research/bert's BasicTokenizer +
// WordpieceTokenizer on a small BERT vocabulary, and Hugging Face's BpeTrainer algorithm for training.
// Exact ids, decode round trips, the fast byte-level path against @huggingface/tokenizers, and errors.

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync, mkdtempSync, writeFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tokenizer as HFTokenizer } from "@huggingface/tokenizers";
import * as dt from "../../src/index.js";

const { CharTokenizer, Tokenizer } = dt.text;
const FIX = fileURLToPath(new URL("../fixtures/text/", import.meta.url));
const SHAKESPEARE = fileURLToPath(new URL("../../../shared/datasets/tinyshakespeare/input.txt", import.meta.url));
const haveShakespeare = existsSync(SHAKESPEARE);
const EOT = "<|endoftext|>";

interface Case { text: string; ids: number[]; idsWithSpecial?: number[]; decoded: string }
const load = (f: string) => JSON.parse(readFileSync(join(FIX, f), "utf8"));
const bpeCases = load("bpe-cases.json") as { cases: Case[]; training: { shakespeareChars: number; extra: string[]; repeat: number; vocabSize: number; specialTokens: string[] } };
const wpCases = load("wordpiece-cases.json") as { cases: Case[] };
const tmp = () => mkdtempSync(join(tmpdir(), "dt-text-"));
const throwsWith = (f: () => unknown, re: RegExp) => assert.throws(f, (e: Error) => re.test(e.message) || assert.fail(`message was: ${e.message}`));

describe("CharTokenizer", () => {
  test("fromText: sorted unique characters (code points, as Python's sorted(set(data)))", () => {
    const tok = CharTokenizer.fromText("hello world! 😀 é\uffff");
    // "\uffff" sorts before "😀" (U+1F600) by code point, though not by UTF-16 unit
    assert.deepEqual(tok.chars, [" ", "!", "d", "e", "h", "l", "o", "r", "w", "é", "\uffff", "😀"]);
    assert.equal(tok.vocabSize, 12);
    const ids = tok.encode("hello 😀");
    assert.deepEqual(ids, [4, 3, 5, 5, 6, 0, 11]);
    assert.equal(tok.decode(ids), "hello 😀");
    assert.equal(tok.tokenToId("w"), 8);
    assert.equal(tok.idToToken(11), "😀");
    assert.equal(tok.idToToken(12), undefined);
  });

  test("nanoGPT's vocabulary of tiny-shakespeare: 65 characters, lossless", { skip: !haveShakespeare && "no tinyshakespeare here" }, () => {
    const text = readFileSync(SHAKESPEARE, "utf8");
    const tok = CharTokenizer.fromText(text);
    assert.equal(tok.vocabSize, 65);
    assert.equal(tok.chars.join(""), "\n !$&',-.3:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    assert.equal(tok.decode(tok.encode(text)), text);
  });

  test("errors: empty text, unknown character (named, with its position), ids out of range", () => {
    throwsWith(() => CharTokenizer.fromText(""), /CharTokenizer.fromText: the text is empty/);
    const tok = CharTokenizer.fromText("abc");
    throwsWith(() => tok.encode("ab😀c"), /character "😀" \(U\+1F600\) at position 2 is not in the vocabulary of 3 characters/);
    throwsWith(() => tok.decode([0, 3]), /id 3 at position 1 is out of range \[0, 3\)/);
    throwsWith(() => tok.decode([0.5]), /id 0.5 at position 0/);
    throwsWith(() => new CharTokenizer(["a", "a"]), /"a" appears twice/);
    throwsWith(() => new CharTokenizer(["ab"]), /entry 0 of the vocabulary must be a single character/);
  });
});

describe("Tokenizer: byte-level BPE (GPT-2's encoder.py)", () => {
  const tok = Tokenizer.fromFile(join(FIX, "bpe-tokenizer.json"));
  const hf = new HFTokenizer(load("bpe-tokenizer.json"), { clean_up_tokenization_spaces: false });

  test(`${bpeCases.cases.length} texts: exact ids, decode round trip, the same ids as @huggingface/tokenizers`, () => {
    assert.equal(tok.modelType, "BPE");
    assert.equal(tok.vocabSize, 657);
    assert.equal(tok.tokenToId(EOT), 0);
    assert.equal(tok.tokenToId("Ġ"), 221); // the space, after <|endoftext|> and the 220 printable byte symbols before it
    for (const c of bpeCases.cases) {
      const ids = tok.encode(c.text);
      assert.deepEqual(ids, c.ids, `encode(${JSON.stringify(c.text)})`);
      assert.deepEqual(hf.encode(c.text, { add_special_tokens: false }).ids, c.ids, `@huggingface/tokenizers on ${JSON.stringify(c.text)}`);
      assert.equal(tok.decode(ids), c.decoded, `decode of ${JSON.stringify(c.text)}`);
      assert.equal(tok.decode(ids, { skipSpecialTokens: false }), c.text);
    }
  });

  test("decode of a lone byte of a multi-byte character gives U+FFFD (lossy, as Hugging Face)", () => {
    const ids = tok.encode("\u0800"); // three bytes, no merge for them in this vocabulary
    assert.equal(ids.length, 3);
    assert.equal(tok.decode([ids[0]]), "\ufffd");
    assert.equal(tok.idToToken(ids[0]), "à"); // byte 0xE0
    assert.equal(tok.decode(ids), "\u0800");
  });

  test("1 MB of tiny-shakespeare: the fast path and @huggingface/tokenizers agree; lossless", { skip: !haveShakespeare && "no tinyshakespeare here" }, (t) => {
    const text = readFileSync(SHAKESPEARE, "utf8").slice(0, 1 << 20);
    let t0 = performance.now();
    const ids = tok.encode(text);
    const ours = performance.now() - t0;
    t0 = performance.now();
    const theirs = hf.encode(text, { add_special_tokens: false }).ids;
    const pkg = performance.now() - t0;
    assert.deepEqual(ids, theirs);
    assert.equal(tok.decode(ids), text);
    t.diagnostic(`encode 1 MB: ${ours.toFixed(0)} ms (fast path), ${pkg.toFixed(0)} ms (@huggingface/tokenizers); ${ids.length} ids`);
  });
});

describe("Tokenizer: WordPiece (BERT's BasicTokenizer + WordpieceTokenizer)", () => {
  const tok = Tokenizer.fromFile(join(FIX, "wordpiece-tokenizer.json"));

  test(`${wpCases.cases.length} texts: exact ids without and with [CLS] ... [SEP], decode`, () => {
    assert.equal(tok.modelType, "WordPiece");
    assert.equal(tok.tokenToId("[CLS]"), 2);
    for (const c of wpCases.cases) {
      assert.deepEqual(tok.encode(c.text, { addSpecialTokens: false }), c.ids, `encode(${JSON.stringify(c.text)}, no special tokens)`);
      const ids = tok.encode(c.text);
      assert.deepEqual(ids, c.idsWithSpecial, `encode(${JSON.stringify(c.text)})`);
      assert.equal(tok.decode(ids), c.decoded, `decode of ${JSON.stringify(c.text)}`);
    }
  });

  test("decode keeps special tokens when asked; [UNK] for what the vocabulary lacks", () => {
    const ids = tok.encode("hello ωσ");
    assert.deepEqual(ids.map((i) => tok.idToToken(i)), ["[CLS]", "hello", "[UNK]", "[SEP]"]);
    assert.equal(tok.decode(ids, { skipSpecialTokens: false }), "[CLS] hello [UNK] [SEP]");
  });

  test("1 MB encode speed (reported)", { skip: !haveShakespeare && "no tinyshakespeare here" }, (t) => {
    const text = readFileSync(SHAKESPEARE, "utf8").slice(0, 1 << 20);
    const t0 = performance.now();
    const ids = tok.encode(text, { addSpecialTokens: false });
    t.diagnostic(`encode 1 MB: ${(performance.now() - t0).toFixed(0)} ms; ${ids.length} ids`);
    assert.ok(ids.length > 100_000);
  });
});

describe("Tokenizer.train (Hugging Face's BpeTrainer, byte-level)", () => {
  test("learns the reference's vocabulary and merges on a mixed-script corpus", { skip: !haveShakespeare && "no tinyshakespeare here" }, () => {
    const tr = bpeCases.training;
    const corpus = [readFileSync(SHAKESPEARE, "utf8").slice(0, tr.shakespeareChars)];
    for (let r = 0; r < tr.repeat; r++) corpus.push(...tr.extra);
    const tok = Tokenizer.train(corpus, { vocabSize: tr.vocabSize, specialTokens: tr.specialTokens });
    const want = load("bpe-tokenizer.json");
    const got = tok.toJSON();
    assert.deepEqual(got.model.merges, want.model.merges);
    assert.deepEqual(got.model.vocab, want.model.vocab);
    assert.deepEqual(got.added_tokens, want.added_tokens);
    assert.deepEqual(got.pre_tokenizer, want.pre_tokenizer);
    assert.deepEqual(got.decoder, want.decoder);
  });

  test("tiny-shakespeare, first 200 kB, vocab 512: reference merges, deterministic, lossless on the whole text, save/fromFile", { skip: !haveShakespeare && "no tinyshakespeare here" }, (t) => {
    const text = readFileSync(SHAKESPEARE, "utf8");
    const ref = load("shakespeare-bpe512.json");
    let t0 = performance.now();
    const tok = Tokenizer.train([text.slice(0, 200_000)], { vocabSize: 512, specialTokens: [EOT] });
    const trainMs = performance.now() - t0;
    assert.equal(tok.vocabSize, 512);
    assert.deepEqual(tok.toJSON().model.merges, ref.merges);
    const again = Tokenizer.train([text.slice(0, 200_000)], { vocabSize: 512, specialTokens: [EOT] });
    assert.deepEqual(again.toJSON(), tok.toJSON());

    const slice = text.slice(0, 1 << 20);
    t0 = performance.now();
    const ids1 = tok.encode(slice);
    const encMs = performance.now() - t0;
    const ids = tok.encode(text);
    assert.ok(ids.every((i) => i >= 0 && i < 512));
    assert.equal(tok.decode(ids), text);
    t.diagnostic(`train 200 kB -> 512: ${trainMs.toFixed(0)} ms; encode 1 MB: ${encMs.toFixed(0)} ms, ${ids1.length} ids (${(slice.length / ids1.length).toFixed(2)} chars/token)`);

    const dir = tmp();
    try {
      const file = join(dir, "tokenizer.json");
      tok.save(file);
      assert.deepEqual(readdirSync(dir), ["tokenizer.json"]); // no temporary file left
      const back = Tokenizer.fromFile(file);
      assert.deepEqual(back.encode(slice.slice(0, 50_000)), ids1.slice(0, back.encode(slice.slice(0, 50_000)).length));
      // the package reads what we write, and agrees
      const hf = new HFTokenizer(JSON.parse(readFileSync(file, "utf8")), { clean_up_tokenization_spaces: false });
      const part = text.slice(0, 100_000);
      assert.deepEqual(hf.encode(part, { add_special_tokens: false }).ids, tok.encode(part));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("special tokens: ids 0.., matched verbatim, skipped by decode unless asked", () => {
    const tok = Tokenizer.train(["hello world, hello there. " .repeat(20)], { vocabSize: 300, specialTokens: [EOT, "<pad>"] });
    assert.equal(tok.tokenToId(EOT), 0);
    assert.equal(tok.tokenToId("<pad>"), 1);
    assert.equal(tok.tokenToId("!"), 2);
    const ids = tok.encode(`hello${EOT}world<pad>`);
    assert.equal(ids.filter((i) => i === 0).length, 1);
    assert.equal(ids[ids.length - 1], 1);
    assert.equal(tok.decode(ids), "helloworld");
    assert.equal(tok.decode(ids, { skipSpecialTokens: false }), `hello${EOT}world<pad>`);
    assert.ok(tok.vocabSize <= 300);
  });

  test("minFrequency stops merging early; a small corpus gives a smaller vocabulary", () => {
    const a = Tokenizer.train("abababab cdcd", { vocabSize: 1000 });
    assert.ok(a.vocabSize < 1000);
    const b = Tokenizer.train("abababab cdcd", { vocabSize: 1000, minFrequency: 3 });
    assert.ok(b.vocabSize < a.vocabSize);
    assert.equal(b.decode(b.encode("abcd dcba 😀")), "abcd dcba 😀");
  });
});

describe("Tokenizer errors: the file and the entry are named, nothing crashes", () => {
  const bpe = load("bpe-tokenizer.json");

  test("train: empty corpus, bad options", () => {
    throwsWith(() => Tokenizer.train([], { vocabSize: 512 }), /Tokenizer.train: the corpus is empty \(no texts\)/);
    throwsWith(() => Tokenizer.train(["", ""], { vocabSize: 512 }), /the corpus is empty \(2 texts, all empty\)/);
    throwsWith(() => Tokenizer.train("abc", { vocabSize: 100 }), /vocabSize must be an integer in \[256, 2097151\]/);
    throwsWith(() => Tokenizer.train("abc", { vocabSize: 256, specialTokens: [EOT] }), /in \[257, 2097151\] \(256 byte symbols \+ 1 special token/);
    throwsWith(() => Tokenizer.train("abc", { vocabSize: 512, vocab_size: 3 } as never), /unknown option 'vocab_size' \(did you mean 'vocabSize'\?\)/);
    throwsWith(() => Tokenizer.train("abc", {} as never), /vocabSize is required/);
    throwsWith(() => Tokenizer.train([3] as never, { vocabSize: 512 }), /text 0 of the corpus is not a string/);
    throwsWith(() => Tokenizer.train("abc", { vocabSize: 512, specialTokens: ["x", "x"] }), /specialTokens\[1\] "x" is given twice/);
  });

  test("fromFile: missing file, not JSON, not a tokenizer.json, unsupported model, bad entries", () => {
    const dir = tmp();
    try {
      const f = (name: string, body: string | object) => {
        const p = join(dir, name);
        writeFileSync(p, typeof body === "string" ? body : JSON.stringify(body));
        return p;
      };
      const missing = join(dir, "nope.json");
      throwsWith(() => Tokenizer.fromFile(missing), new RegExp(`cannot read ${missing.replace(/[.]/g, "\\.")}: no such file`));
      throwsWith(() => Tokenizer.fromFile(dir), /it is a directory/);
      const notJson = f("a.json", "{ \"model\": ");
      throwsWith(() => Tokenizer.fromFile(notJson), new RegExp(`${notJson.replace(/[.]/g, "\\.")}: not valid JSON`));
      throwsWith(() => Tokenizer.fromFile(f("b.json", { do_lower_case: true })), /b\.json: no "model" entry \(is this a tokenizer\.json\?/);
      throwsWith(() => Tokenizer.fromFile(f("c.json", { model: { type: "Unigram", vocab: [["a", 0]] } })), /c\.json: unsupported model type "Unigram" in model\.type; supported: BPE, WordPiece/);
      throwsWith(() => Tokenizer.fromFile(f("d.json", [1, 2])), /d\.json: expected a tokenizer\.json object/);
      const badId = structuredClone(bpe);
      badId.model.vocab["Ġthe"] = -1;
      throwsWith(() => Tokenizer.fromFile(f("e.json", badId)), /e\.json: model\.vocab\["Ġthe"\] must be a non-negative integer id, got the number -1/);
      const badMerge = structuredClone(bpe);
      badMerge.model.merges[5] = ["Ġ", "zzz"];
      throwsWith(() => Tokenizer.fromFile(f("g.json", badMerge)), /g\.json: model\.merges\[5\] \(\["Ġ","zzz"\]\): "zzz" is not in model\.vocab/);
      const dup = structuredClone(bpe);
      dup.model.vocab["Ġthe"] = 5;
      throwsWith(() => Tokenizer.fromFile(f("h.json", dup)), /h\.json: model\.vocab gives id 5 to both/);
      const wp = load("wordpiece-tokenizer.json");
      delete wp.model.vocab["[UNK]"];
      wp.added_tokens = wp.added_tokens.filter((a: { content: string }) => a.content !== "[UNK]");
      throwsWith(() => Tokenizer.fromFile(f("i.json", wp)), /i\.json: model\.unk_token the string "\[UNK\]" is not in model\.vocab/);
      const badAdded = structuredClone(bpe);
      badAdded.added_tokens[0].id = 3;
      throwsWith(() => Tokenizer.fromFile(f("j.json", badAdded)), /j\.json: added_tokens\[0\] \("<\|endoftext\|>"\) has id 3, which model\.vocab gives to "#"/);
      const badNorm = structuredClone(bpe);
      badNorm.normalizer = { type: "NoSuchNormalizer" };
      throwsWith(() => Tokenizer.fromFile(f("k.json", badNorm)), /k\.json: the tokenizer cannot be built: /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("encode: a character a BPE without unk_token cannot spell is named, not silently dropped", () => {
    const json = {
      version: "1.0", added_tokens: [{ id: 3, content: "<s>", special: true }],
      normalizer: { type: "Lowercase" }, pre_tokenizer: { type: "Whitespace" }, post_processor: null, decoder: null,
      model: { type: "BPE", unk_token: null, vocab: { a: 0, b: 1, ab: 2, "<s>": 3 }, merges: ["a b"] },
    };
    const tok = Tokenizer.fromJSON(json);
    assert.deepEqual(tok.encode("<s>AB ab"), [3, 2, 2]);
    throwsWith(() => tok.encode("ab aBc"), /character "c" \(U\+0063\) at position 5 of the normalized text is not in the vocabulary of JSON, whose BPE model has no unk_token/);
    const withUnk = Tokenizer.fromJSON({ ...json, model: { ...json.model, unk_token: "<s>" } });
    assert.deepEqual(withUnk.encode("abc"), [2, 3]);
  });

  test("fromJSON: strings and objects; the object is copied", () => {
    const obj = load("bpe-tokenizer.json");
    const a = Tokenizer.fromJSON(obj);
    obj.model.vocab = {};
    assert.equal(a.vocabSize, 657);
    const b = Tokenizer.fromJSON(readFileSync(join(FIX, "wordpiece-tokenizer.json"), "utf8"));
    assert.equal(b.modelType, "WordPiece");
    throwsWith(() => Tokenizer.fromJSON("nope"), /Tokenizer.fromJSON: not valid JSON/);
  });

  test("decode: ids out of range or not integers; encode/decode options checked", () => {
    for (const name of ["bpe-tokenizer.json", "wordpiece-tokenizer.json"]) {
      const tok = Tokenizer.fromFile(join(FIX, name));
      throwsWith(() => tok.decode([1, tok.vocabSize]), new RegExp(`id ${tok.vocabSize} at position 1 is out of range \\[0, ${tok.vocabSize}\\)`));
      throwsWith(() => tok.decode([-1]), /id -1 at position 0 is out of range/);
      throwsWith(() => tok.decode([1.5]), /id 1.5 at position 0/);
      throwsWith(() => tok.decode("abc" as never), /expected an array of ids/);
      assert.equal(tok.decode([]), "");
      assert.equal(tok.decode(Int32Array.from(tok.encode("hello", { addSpecialTokens: false }))), "hello");
      throwsWith(() => tok.encode("x", { add_special_tokens: false } as never), /unknown option 'add_special_tokens' \(did you mean 'addSpecialTokens'\?\)/);
      throwsWith(() => tok.decode([1], { skipSpecial: true } as never), /unknown option 'skipSpecial'/);
      throwsWith(() => tok.encode(3 as never), /Tokenizer.encode: expected a string/);
    }
  });
});
