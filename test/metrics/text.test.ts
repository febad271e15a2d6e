// dt.metrics text metrics against their reference implementations: the values in
// test/fixtures/metrics/text.json come from scripts/fixtures/text_metrics.py (ports of sacreBLEU 2.x,
// rouge-score and SQuAD v1.1's evaluate-v1.1.py, checked there on the published examples; torch 1.13
// for perplexity).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as dt from "../../src/index.js";
import { porterStem } from "../../src/metrics/porter.js";

const { metrics } = dt;

interface BleuCase {
  name: string;
  hypotheses: string[];
  references: (string | null)[][];
  options: dt.metrics.BleuOptions;
  expected: dt.metrics.BleuScore;
}
interface RougeCase {
  name: string;
  target: string;
  prediction: string;
  expected: dt.metrics.RougeResult;
  expectedStemmed: dt.metrics.RougeResult;
}
interface SquadCase {
  name: string;
  predictions: Record<string, string>;
  answers: Record<string, string[]>;
  expected: dt.metrics.SquadScore;
}
interface PerplexityCase {
  name: string;
  logits: number[][] | number[][][];
  targets: number[] | number[][];
  ignoreIndex: number;
  expected: number;
}
const fx = JSON.parse(readFileSync(new URL("../fixtures/metrics/text.json", import.meta.url), "utf8")) as {
  bleu: BleuCase[];
  rouge: RougeCase[];
  squad: SquadCase[];
  stems: [string, string][];
  perplexity: PerplexityCase[];
};

function close(actual: number, expected: number, what: string, tol = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: ${actual} ≠ reference ${expected}`);
}

test("metrics.bleu: sacreBLEU's README example is 48.53", () => {
  const b = metrics.bleu(
    ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."],
    [
      ["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
      ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."],
    ],
  );
  assert.equal(b.score.toFixed(2), "48.53");
  close(b.score, 48.530827009929865, "score", 1e-12);
  assert.equal(b.precisions.map((p) => p.toFixed(1)).join("/"), "82.4/50.0/45.5/37.5");
  assert.deepEqual([b.bp.toFixed(3), b.sysLen, b.refLen], ["0.943", 17, 18]);
});

test(`metrics.bleu matches sacreBLEU on ${fx.bleu.length} cases`, () => {
  for (const c of fx.bleu) {
    const what = `${c.name} ${JSON.stringify(c.options)}`;
    const b = metrics.bleu(c.hypotheses, c.references, c.options);
    close(b.score, c.expected.score, `${what}: score`);
    close(b.bp, c.expected.bp, `${what}: bp`);
    assert.equal(b.sysLen, c.expected.sysLen, `${what}: sysLen`);
    assert.equal(b.refLen, c.expected.refLen, `${what}: refLen`);
    assert.deepEqual(b.counts, c.expected.counts, `${what}: counts`);
    assert.deepEqual(b.totals, c.expected.totals, `${what}: totals`);
    for (let n = 0; n < 4; n++) close(b.precisions[n], c.expected.precisions[n], `${what}: precisions[${n}]`);
  }
});

test("metrics.bleu: 13a tokenization details", () => {
  // numbers keep their inner period/comma; a dash after a digit is split; entities unescaped
  // (a perfect match scores exp(log(100)) = 100.00000000000004, as in sacreBLEU)
  const one = (h: string, r: string) => metrics.bleu([h], [[r]]);
  close(one("1,000.50 3-4 &quot;x&quot;", '1,000.50 3 - 4 " x "').score, 100, "numbers");
  close(one("Hello, world.", "Hello , world .").score, 100, "punctuation");
  // tokenize "none" keeps "world." whole
  assert.equal(metrics.bleu(["Hello, world."], [["Hello , world ."]], { tokenize: "none" }).counts[0], 0);
  close(metrics.bleu(["ab cd"], [["a b c d"]], { tokenize: "char" }).score, 100, "char");
  close(metrics.bleu(["THE CAT SAT ON"], [["the cat sat on"]], { lowercase: true }).score, 100, "lowercase");
});

test("metrics.bleu: bad input names the function and what was expected", () => {
  assert.throws(() => metrics.bleu(["a", "b"], [["a"]]), /metrics\.bleu: referenceStreams\[0\] has 1 references but there are 2 hypotheses/);
  assert.throws(() => metrics.bleu(["a", "b"], ["a", "b"] as never), /metrics\.bleu: referenceStreams\[0\] is a string, expected an array of 2 references .*\[refs\]/);
  assert.throws(() => metrics.bleu(["a", 3] as never, [["a", "b"]]), /metrics\.bleu: hypotheses\[1\] is a number, expected a string/);
  assert.throws(() => metrics.bleu(["a"], [[5]] as never), /metrics\.bleu: referenceStreams\[0\]\[0\] is a number, expected a string/);
  assert.throws(() => metrics.bleu("a" as never, [["a"]]), /metrics\.bleu: hypotheses must be an array of strings/);
  assert.throws(() => metrics.bleu([], []), /metrics\.bleu: no hypotheses/);
  assert.throws(() => metrics.bleu(["a"], []), /metrics\.bleu: referenceStreams must be a non-empty array/);
  assert.throws(() => metrics.bleu(["a"], [[""], [null]]), /metrics\.bleu: segment 0 has no reference/);
  assert.throws(() => metrics.bleu(["a"], [["a"]], { smoothMethod: "add-one" as never }), /metrics\.bleu: unknown smoothMethod "add-one"/);
  assert.throws(() => metrics.bleu(["a"], [["a"]], { tokenize: "intl" as never }), /metrics\.bleu: unknown tokenize "intl"/);
  assert.throws(() => metrics.bleu(["a"], [["a"]], { smooth_method: "floor" } as never), /metrics\.bleu: unknown option 'smooth_method' \(did you mean 'smoothMethod'\?\)/);
  assert.throws(() => metrics.bleu(["a"], [["a"]], "exp" as never), /metrics\.bleu: expected an options object/);
});

test("metrics.rouge: rouge-score's README example", () => {
  const r = metrics.rouge("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.");
  const r4 = (s: dt.metrics.RougeScore) => [s.precision, s.recall, s.fmeasure].map((v) => v.toFixed(4));
  assert.deepEqual(r4(r.rouge1), ["0.7500", "0.6667", "0.7059"]);
  assert.deepEqual(r4(r.rougeL), ["0.6250", "0.5556", "0.5882"]);
});

test(`metrics.rouge matches rouge-score on ${fx.rouge.length} cases, with and without stemming`, () => {
  for (const c of fx.rouge) {
    for (const useStemmer of [false, true]) {
      const r = metrics.rouge(c.target, c.prediction, { useStemmer });
      const e = useStemmer ? c.expectedStemmed : c.expected;
      for (const k of ["rouge1", "rouge2", "rougeL", "rougeLsum"] as const)
        for (const m of ["precision", "recall", "fmeasure"] as const) close(r[k][m], e[k][m], `${c.name}${useStemmer ? " (stemmed)" : ""}: ${k}.${m}`);
    }
  }
});

test(`metrics.rouge: the Porter stemmer matches NLTK's on ${fx.stems.length} words`, () => {
  const wrong = fx.stems.filter(([w, s]) => porterStem(w) !== s).map(([w, s]) => `${w} -> ${porterStem(w)}, NLTK ${s}`);
  assert.deepEqual(wrong, []);
  // NLTK's documented examples
  const plurals = "caresses flies dies mules denied died agreed owned humbled sized meeting stating siezing itemization sensational traditional reference colonizer plotted";
  assert.equal(plurals.split(" ").map(porterStem).join(" "), "caress fli die mule deni die agre own humbl size meet state siez item sensat tradit refer colon plot");
  // stemming makes "jumps"/"jumped" and "foxes"/"fox" match
  assert.equal(metrics.rouge("the fox jumped", "foxes jump", { useStemmer: true }).rouge1.recall, 2 / 3);
  assert.equal(metrics.rouge("the fox jumped", "foxes jump").rouge1.recall, 0);
});

test("metrics.rouge: bad input", () => {
  assert.throws(() => metrics.rouge(["a"] as never, "a"), /metrics\.rouge: target must be a string, got object/);
  assert.throws(() => metrics.rouge("a", undefined as never), /metrics\.rouge: prediction must be a string, got undefined/);
  assert.throws(() => metrics.rouge("a", "a", { useStemmer: "yes" } as never), /metrics\.rouge: useStemmer must be a boolean/);
  assert.throws(() => metrics.rouge("a", "a", { use_stemmer: false } as never), /metrics\.rouge: unknown option 'use_stemmer' \(did you mean 'useStemmer'\?\)/);
});

test(`metrics.squad matches the official v1.1 script on ${fx.squad.length} cases`, () => {
  for (const c of fx.squad) {
    const s = metrics.squad(c.predictions, c.answers);
    close(s.exactMatch, c.expected.exactMatch, `${c.name}: exactMatch`);
    close(s.f1, c.expected.f1, `${c.name}: f1`);
  }
});

test("metrics.squad: arrays aligned by index, single-string answers, bad input", () => {
  const s = metrics.squad(["The Broncos", "blue"], [["Denver Broncos", "Broncos"], "red"]);
  assert.deepEqual(s, { exactMatch: 50, f1: 50 });
  const d = metrics.squad({ q: "Denver" }, { q: ["Denver Broncos"] }); // P = 1, R = 1/2
  assert.equal(d.exactMatch, 0);
  close(d.f1, 200 / 3, "f1");
  assert.throws(() => metrics.squad(["a"], [["a"], ["b"]]), /metrics\.squad: 1 predictions but 2 answers/);
  assert.throws(() => metrics.squad({ q: "a" }, [["a"]]), /metrics\.squad: predictions and answers must both be objects/);
  assert.throws(() => metrics.squad({ q: "a" }, { q: [] }), /metrics\.squad: answers\["q"\] must be a non-empty array/);
  assert.throws(() => metrics.squad({ q: 1 } as never, { q: ["a"] }), /metrics\.squad: predictions\["q"\] is a number, expected a string/);
  assert.throws(() => metrics.squad({}, {}), /metrics\.squad: no questions/);
});

test(`metrics.perplexity matches torch.exp(F.cross_entropy) on ${fx.perplexity.length} cases`, () => {
  for (const c of fx.perplexity) {
    const opts = { ignoreIndex: c.ignoreIndex };
    close(metrics.perplexity(c.logits, c.targets, opts), c.expected, `${c.name} (arrays)`, 1e-12);
    const logits = dt.tensor(c.logits, { dtype: "float64" });
    const targets = dt.tensor(c.targets, { dtype: "int32" });
    close(metrics.perplexity(logits, targets, opts), c.expected, `${c.name} (tensors)`, 1e-12);
  }
});

test("metrics.perplexity: uniform logits give the number of classes; all ignored is NaN; bad input", () => {
  close(metrics.perplexity(dt.zeros([3, 7]), [0, 3, 6]), 7, "uniform", 1e-6);
  assert.ok(Number.isNaN(metrics.perplexity([[1, 2]], [-100])));
  assert.throws(() => metrics.perplexity(dt.zeros([2, 3, 4]), dt.zeros([2, 4], { dtype: "int32" })), /metrics\.perplexity: targets of shape \[2, 4\] do not match logits of shape \[2, 3, 4\]; expected targets of shape \[2, 3\]/);
  assert.throws(() => metrics.perplexity(dt.zeros([4]), [0]), /metrics\.perplexity: logits must have shape \[N, C\] or \[B, T, C\], got \[4\]/);
  assert.throws(() => metrics.perplexity([[0, 0]], [2]), /metrics\.perplexity: target 2 at position 0 is not a class index in \[0, 2\)/);
  assert.throws(() => metrics.perplexity([[0, 0], [0]], [0, 1]), /metrics\.perplexity: logits is ragged/);
  assert.throws(() => metrics.perplexity([[0, 0]], [0], { ignore_index: 0 } as never), /metrics\.perplexity: unknown option 'ignore_index' \(did you mean 'ignoreIndex'\?\)/);
});
