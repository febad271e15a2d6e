// Corpus BLEU as sacreBLEU 2.x computes it (`sacrebleu.corpus_bleu`, metrics/bleu.py): segments
// tokenized by the mteval-v13a tokenizer (or "none", "char"), n-grams up to order 4 clipped by the
// largest count in any reference of the segment, the brevity penalty from the closest reference
// length (ties to the shorter), and sacreBLEU's smoothing methods. Checked against a port of
// sacreBLEU (scripts/fixtures/text_metrics.py -> test/fixtures/metrics/text.json), which reproduces
// the README's BLEU = 48.53.

import { checkOptions } from "../tensor/options.js";
import { pyRstrip, pySplit } from "./pystr.js";

/** The tokenizers of `metrics.bleu`: "13a" (mteval-v13a, sacreBLEU's default), "none" (split on
 *  whitespace only) and "char" (every character a token; whitespace dropped). */
export type BleuTokenize = "13a" | "none" | "char";

/** The smoothing methods of `metrics.bleu` (Chen and Cherry 2014, as sacreBLEU): "exp" (NIST's,
 *  mteval-v13a: the k-th zero precision becomes 1 / (2^k total)), "floor" (a zero count becomes
 *  `smoothValue`, default 0.1), "add-k" (`smoothValue`, default 1, added to the counts and totals of
 *  the orders above 1), "none". */
export type BleuSmoothMethod = "exp" | "floor" | "add-k" | "none";

/** Options of `metrics.bleu`, as sacreBLEU's `corpus_bleu` arguments. */
export interface BleuOptions {
  /** Default "13a". */
  tokenize?: BleuTokenize;
  /** Default "exp". */
  smoothMethod?: BleuSmoothMethod;
  /** The value of "floor" (default 0.1) and "add-k" (default 1); unused by the others. */
  smoothValue?: number;
  /** Lowercase hypotheses and references before tokenizing. Default false. */
  lowercase?: boolean;
  /** Average only the orders up to the highest one the hypotheses have n-grams of (sacreBLEU's
   *  `use_effective_order`, meant for sentence-level BLEU). Default false. */
  useEffectiveOrder?: boolean;
}

/** The result of `metrics.bleu`, as sacreBLEU's BLEUScore. */
export interface BleuScore {
  /** BLEU, 0-100. */
  score: number;
  /** Matched (clipped) n-grams of each order 1..4 (with "add-k", including the added value, as sacreBLEU). */
  counts: number[];
  /** Hypothesis n-grams of each order 1..4 (with "add-k", including the added value). */
  totals: number[];
  /** Smoothed precisions of each order in percent (all 0 when nothing matches). */
  precisions: number[];
  /** Brevity penalty: 1 when sysLen ≥ refLen, else exp(1 - refLen / sysLen) (0 when sysLen is 0). */
  bp: number;
  /** Tokens in the hypotheses. */
  sysLen: number;
  /** Sum over segments of the reference length closest to the hypothesis length. */
  refLen: number;
}

const BLEU_KEYS = ["tokenize", "smoothMethod", "smoothValue", "lowercase", "useEffectiveOrder"] as const;
const MAX_ORDER = 4;
const SMOOTH_DEFAULTS: Record<BleuSmoothMethod, number> = { none: 0, floor: 0.1, "add-k": 1, exp: 0 };

// mteval-v13a's regexes (sacreBLEU's tokenizer_re.py), applied in this order
const PUNCT_RE = /([{-~\[-\x60 -&(-+:-@\/])/gu; // ASCII symbols and punctuation other than . , - '
const PERIOD_COMMA_NOT_AFTER_DIGIT_RE = /([^0-9])([.,])/gu;
const PERIOD_COMMA_NOT_BEFORE_DIGIT_RE = /([.,])([^0-9])/gu;
const DASH_AFTER_DIGIT_RE = /([0-9])(-)/gu;

/** sacreBLEU's Tokenizer13a: mteval-v13a's tokenization, returned as the tokens. */
function tokenize13a(line: string): string[] {
  line = line.replaceAll("<skipped>", "").replaceAll("-\n", "").replaceAll("\n", " ");
  if (line.includes("&")) {
    line = line.replaceAll("&quot;", '"').replaceAll("&amp;", "&").replaceAll("&lt;", "<").replaceAll("&gt;", ">");
  }
  line = ` ${line} `
    .replace(PUNCT_RE, " $1 ")
    .replace(PERIOD_COMMA_NOT_AFTER_DIGIT_RE, "$1 $2 ")
    .replace(PERIOD_COMMA_NOT_BEFORE_DIGIT_RE, " $1 $2")
    .replace(DASH_AFTER_DIGIT_RE, "$1 $2 ");
  return pySplit(line);
}

function tokenizer(kind: BleuTokenize): (line: string) => string[] {
  switch (kind) {
    case "13a":
      return tokenize13a;
    case "none":
      return pySplit;
    case "char":
      // " ".join(line), then split: every non-whitespace code point is a token
      return (line) => pySplit(Array.from(line).join(" "));
    default:
      throw new Error(`metrics.bleu: unknown tokenize ${JSON.stringify(kind)}; expected "13a", "none" or "char"`);
  }
}

/** All n-grams of orders 1..MAX_ORDER with their counts; an n-gram is its tokens joined by spaces
 *  (tokens hold no whitespace, so the key is unambiguous and tells its order). */
function ngrams(tokens: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let n = 1; n <= MAX_ORDER; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = tokens.slice(i, i + n).join(" ");
      m.set(key, (m.get(key) ?? 0) + 1);
    }
  }
  return m;
}

/** The reference length closest to hypLen; on a tie, the shorter (sacreBLEU's _get_closest_ref_len). */
function closestRefLen(hypLen: number, refLens: number[]): number {
  let closestDiff = -1, closestLen = -1;
  for (const refLen of refLens) {
    const diff = Math.abs(hypLen - refLen);
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLen = refLen;
    } else if (diff === closestDiff && refLen < closestLen) closestLen = refLen;
  }
  return closestLen;
}

/** sacreBLEU's my_log: log, with log(0) floored to -9999999999. */
function myLog(x: number): number {
  return x === 0 ? -9999999999 : Math.log(x);
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  return typeof x === "string" ? "a string" : `a ${typeof x}`;
}

/** Corpus-level BLEU exactly as sacreBLEU 2.x's `corpus_bleu(hypotheses, referenceStreams, ...)`:
 *  `referenceStreams[k][i]` is the k-th reference of segment i (every stream has one entry per
 *  hypothesis; an empty string or null marks a missing reference, but each segment needs one).
 *  Each segment is lowercased (optionally), right-stripped and tokenized; n-grams of orders 1-4 are
 *  clipped by their largest count in any of the segment's references; the brevity penalty uses, per
 *  segment, the reference length closest to the hypothesis length (ties to the shorter).
 *  @example
 *  const b = metrics.bleu(
 *    ["The dog bit the man.", "It wasn't surprising.", "The man had just bitten him."],
 *    [["The dog bit the man.", "It was not unexpected.", "The man bit him first."],
 *     ["The dog had bit the man.", "No one was surprised.", "The man had bitten the dog."]]);
 *  b.score; // 48.530827...
 */
export function bleu(hypotheses: readonly string[], referenceStreams: readonly (readonly (string | null)[])[], opts: BleuOptions = {}): BleuScore {
  const o = checkOptions("metrics.bleu", opts, BLEU_KEYS, 3);
  const smoothMethod = o.smoothMethod ?? "exp";
  if (!Object.hasOwn(SMOOTH_DEFAULTS, smoothMethod))
    throw new Error(`metrics.bleu: unknown smoothMethod ${JSON.stringify(smoothMethod)}; expected "exp", "floor", "add-k" or "none"`);
  const smoothValue = o.smoothValue ?? SMOOTH_DEFAULTS[smoothMethod];
  if (typeof smoothValue !== "number" || !Number.isFinite(smoothValue)) throw new Error(`metrics.bleu: smoothValue must be a finite number, got ${String(o.smoothValue)}`);
  const tok = tokenizer(o.tokenize ?? "13a");
  const lowercase = o.lowercase ?? false;
  const effectiveOrder = o.useEffectiveOrder ?? false;

  if (!Array.isArray(hypotheses)) throw new TypeError(`metrics.bleu: hypotheses must be an array of strings (one per segment), got ${describe(hypotheses)}`);
  const nSeg = hypotheses.length;
  if (nSeg === 0) throw new Error("metrics.bleu: no hypotheses (expected one string per segment)");
  hypotheses.forEach((h, i) => {
    if (typeof h !== "string") throw new TypeError(`metrics.bleu: hypotheses[${i}] is ${describe(h)}, expected a string`);
  });
  if (!Array.isArray(referenceStreams) || referenceStreams.length === 0)
    throw new TypeError("metrics.bleu: referenceStreams must be a non-empty array of reference streams (referenceStreams[k][i] is the k-th reference of segment i)");
  referenceStreams.forEach((stream, k) => {
    if (!Array.isArray(stream))
      throw new TypeError(`metrics.bleu: referenceStreams[${k}] is ${describe(stream)}, expected an array of ${nSeg} references (one per hypothesis; a single stream of references is passed as [refs])`);
    if (stream.length !== nSeg)
      throw new Error(`metrics.bleu: referenceStreams[${k}] has ${stream.length} references but there are ${nSeg} hypotheses; every stream needs one reference per hypothesis (referenceStreams[k][i] is the k-th reference of segment i)`);
    stream.forEach((r, i) => {
      if (typeof r !== "string" && r !== null) throw new TypeError(`metrics.bleu: referenceStreams[${k}][${i}] is ${describe(r)}, expected a string (or null or "" for a missing reference)`);
    });
  });

  const preprocess = (s: string): string[] => tok(pyRstrip(lowercase ? s.toLowerCase() : s));
  let sysLen = 0, refLen = 0;
  const correct = new Array<number>(MAX_ORDER).fill(0);
  const total = new Array<number>(MAX_ORDER).fill(0);
  for (let i = 0; i < nSeg; i++) {
    // the references of segment i: the n-gram counts' maximum over them, and their lengths
    const refNgrams = new Map<string, number>();
    const refLens: number[] = [];
    for (const stream of referenceStreams) {
      const r = stream[i];
      if (r === null || r === "") continue;
      const toks = preprocess(r);
      refLens.push(toks.length);
      for (const [g, c] of ngrams(toks)) if (c > (refNgrams.get(g) ?? 0)) refNgrams.set(g, c);
    }
    if (refLens.length === 0) throw new Error(`metrics.bleu: segment ${i} has no reference (it is empty or null in every stream)`);
    const hyp = preprocess(hypotheses[i]);
    sysLen += hyp.length;
    refLen += closestRefLen(hyp.length, refLens);
    for (const [g, c] of ngrams(hyp)) {
      let n = 0;
      for (let j = 0; j < g.length; j++) if (g.charCodeAt(j) === 32) n++;
      total[n] += c;
      const rc = refNgrams.get(g);
      if (rc !== undefined) correct[n] += Math.min(c, rc);
    }
  }
  return computeBleu(correct, total, sysLen, refLen, smoothMethod, smoothValue, effectiveOrder);
}

/** sacreBLEU's BLEU.compute_bleu, from the corpus statistics. */
function computeBleu(correct: number[], total: number[], sysLen: number, refLen: number, smoothMethod: BleuSmoothMethod, smoothValue: number, effectiveOrder: boolean): BleuScore {
  let bp = 1;
  if (sysLen < refLen) bp = sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0;
  const precisions = new Array<number>(MAX_ORDER).fill(0);
  const result = (score: number): BleuScore => ({ score, counts: correct, totals: total, precisions, bp, sysLen, refLen });
  // no match at all: 0 (sacreBLEU #141)
  if (!correct.some((c) => c !== 0)) return result(0);
  let smoothMteval = 1;
  let effOrder = MAX_ORDER;
  for (let n = 1; n <= MAX_ORDER; n++) {
    if (smoothMethod === "add-k" && n > 1) {
      correct[n - 1] += smoothValue;
      total[n - 1] += smoothValue;
    }
    if (total[n - 1] === 0) break;
    if (effectiveOrder) effOrder = n;
    if (correct[n - 1] === 0) {
      if (smoothMethod === "exp") {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * total[n - 1]);
      } else if (smoothMethod === "floor") precisions[n - 1] = (100 * smoothValue) / total[n - 1];
    } else precisions[n - 1] = (100 * correct[n - 1]) / total[n - 1];
  }
  let sum = 0;
  for (let n = 0; n < effOrder; n++) sum += myLog(precisions[n]);
  return result(bp * Math.exp(sum / effOrder));
}
