// ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum as Google's rouge-score (`rouge_scorer.RougeScorer(
// ["rouge1", "rouge2", "rougeL", "rougeLsum"], use_stemmer).score(target, prediction)`) with its
// default tokenizer, without stemming by default, or with NLTK's Porter stemmer (porter.ts).
// Checked against a port of rouge-score (scripts/fixtures/text_metrics.py ->
// test/fixtures/metrics/text.json), which reproduces the README and the ROUGE-1.5.5 values of
// rouge-score's own tests.

import { checkOptions } from "../tensor/options.js";
import { porterStem } from "./porter.js";

/** Precision, recall and F-measure of one ROUGE variant (rouge-score's Score tuple). */
export interface RougeScore {
  /** Matches / prediction length. */
  precision: number;
  /** Matches / target length. */
  recall: number;
  /** 2PR / (P + R); 0 when P + R is 0. */
  fmeasure: number;
}

/** The result of `metrics.rouge`. */
export interface RougeResult {
  /** Unigram overlap (counts clipped). */
  rouge1: RougeScore;
  /** Bigram overlap (counts clipped). */
  rouge2: RougeScore;
  /** Longest common subsequence of the whole texts. */
  rougeL: RougeScore;
  /** Summary-level LCS: texts split into sentences on newlines, union LCS of each target sentence
   *  with all prediction sentences, without double counting (ROUGE-1.5.5's ROUGE-Lsum). */
  rougeLsum: RougeScore;
}

/** Options of `metrics.rouge`. */
export interface RougeOptions {
  /** Stem tokens longer than 3 letters with the Porter stemmer (NLTK's default mode), as
   *  rouge-score's `use_stemmer=True` (ROUGE-1.5.5's -m). Default false. */
  useStemmer?: boolean;
}

const ROUGE_KEYS = ["useStemmer"] as const;

/** rouge-score's tokenize.tokenize: lowercase, every run of characters other than a-z and 0-9
 *  becomes a space, split; with `stem`, tokens of more than 3 letters are stemmed. */
function tokenize(text: string, stem: boolean): string[] {
  const tokens = text.toLowerCase().replace(/[^a-z0-9]+/gu, " ").split(" ");
  return (stem ? tokens.map((t) => (t.length > 3 ? porterStem(t) : t)) : tokens).filter((t) => t.length > 0);
}

function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function score(precision: number, recall: number): RougeScore {
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

function countNgrams(tokens: string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(" ");
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

function scoreNgrams(target: string[], prediction: string[], n: number): RougeScore {
  const t = countNgrams(target, n);
  const p = countNgrams(prediction, n);
  let overlap = 0;
  for (const [g, c] of t) overlap += Math.min(c, p.get(g) ?? 0);
  const tCount = Math.max(target.length - n + 1, 0);
  const pCount = Math.max(prediction.length - n + 1, 0);
  return score(overlap / Math.max(pCount, 1), overlap / Math.max(tCount, 1));
}

/** The LCS length table (rows + 1) x (cols + 1), row-major. */
function lcsTable(ref: string[], can: string[]): Int32Array {
  const cols = can.length + 1;
  const t = new Int32Array((ref.length + 1) * cols);
  for (let i = 1; i <= ref.length; i++) {
    for (let j = 1; j < cols; j++) {
      t[i * cols + j] = ref[i - 1] === can[j - 1] ? t[(i - 1) * cols + j - 1] + 1 : Math.max(t[(i - 1) * cols + j], t[i * cols + j - 1]);
    }
  }
  return t;
}

function scoreLcs(target: string[], prediction: string[]): RougeScore {
  if (target.length === 0 || prediction.length === 0) return score(0, 0);
  const lcs = lcsTable(target, prediction)[target.length * (prediction.length + 1) + prediction.length];
  return score(lcs / prediction.length, lcs / target.length);
}

/** The indices into `ref` of one LCS with `can`, read back as rouge-score's _backtrack_norec does
 *  (the choice among equally long LCSs matters to the union LCS). */
function lcsIndices(ref: string[], can: string[]): number[] {
  const t = lcsTable(ref, can);
  const cols = can.length + 1;
  let i = ref.length, j = can.length;
  const out: number[] = [];
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      out.push(i - 1);
      i--;
      j--;
    } else if (t[i * cols + j - 1] > t[(i - 1) * cols + j]) j--;
    else i--;
  }
  return out.reverse();
}

function summaryLevelLcs(refSents: string[][], canSents: string[][]): RougeScore {
  if (refSents.length === 0 || canSents.length === 0) return score(0, 0);
  const m = refSents.reduce((a, s) => a + s.length, 0);
  const n = canSents.reduce((a, s) => a + s.length, 0);
  if (m === 0 || n === 0) return score(0, 0);
  const countsR = new Map<string, number>();
  const countsC = new Map<string, number>();
  for (const s of refSents) for (const w of s) countsR.set(w, (countsR.get(w) ?? 0) + 1);
  for (const s of canSents) for (const w of s) countsC.set(w, (countsC.get(w) ?? 0) + 1);
  let hits = 0;
  for (const r of refSents) {
    // union LCS of r with every candidate sentence, in r's order
    const union = new Set<number>();
    for (const c of canSents) for (const k of lcsIndices(r, c)) union.add(k);
    for (const k of [...union].sort((a, b) => a - b)) {
      const w = r[k];
      const cc = countsC.get(w) ?? 0, cr = countsR.get(w) ?? 0;
      if (cc > 0 && cr > 0) {
        hits++;
        countsC.set(w, cc - 1);
        countsR.set(w, cr - 1);
      }
    }
  }
  return score(hits / n, hits / m);
}

/** rougeLsum's sentences: the lines of the text, without empty ones. */
function sentences(text: string, stem: boolean): string[][] {
  return text.split("\n").filter((s) => s.length > 0).map((s) => tokenize(s, stem));
}

/** ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum of one prediction against one target, exactly as
 *  rouge-score's `RougeScorer(["rouge1", "rouge2", "rougeL", "rougeLsum"]).score(target, prediction)`
 *  and its default tokenizer: text lowercased, every character other than a-z and 0-9 a
 *  separator; no stemming unless `useStemmer` (rouge-score's use_stemmer). For ROUGE-Lsum,
 *  sentences are the lines (separate them with "\n").
 *  @example
 *  const r = metrics.rouge("The quick brown fox jumps over the lazy dog", "The quick brown dog jumps on the log.");
 *  r.rouge1; // { precision: 0.75, recall: 0.6667, fmeasure: 0.7059 }
 *  r.rougeL; // { precision: 0.625, recall: 0.5556, fmeasure: 0.5882 }
 */
export function rouge(target: string, prediction: string, opts: RougeOptions = {}): RougeResult {
  const o = checkOptions("metrics.rouge", opts, ROUGE_KEYS, 3);
  const stem = o.useStemmer ?? false;
  if (typeof stem !== "boolean") throw new TypeError(`metrics.rouge: useStemmer must be a boolean, got ${typeof stem}`);
  if (typeof target !== "string") throw new TypeError(`metrics.rouge: target must be a string, got ${target === null ? "null" : typeof target}`);
  if (typeof prediction !== "string") throw new TypeError(`metrics.rouge: prediction must be a string, got ${prediction === null ? "null" : typeof prediction}`);
  const t = tokenize(target, stem);
  const p = tokenize(prediction, stem);
  return {
    rouge1: scoreNgrams(t, p, 1),
    rouge2: scoreNgrams(t, p, 2),
    rougeL: scoreLcs(t, p),
    rougeLsum: summaryLevelLcs(sentences(target, stem), sentences(prediction, stem)),
  };
}
