// SQuAD v1.1 exact match and F1, as the official evaluate-v1.1.py: answers normalised (lowercase,
// ASCII punctuation removed, articles a/an/the removed, whitespace collapsed), token F1 from the
// multiset overlap, the best over a question's ground truths, averaged over the questions x 100.
// Checked against the official script's functions (scripts/fixtures/text_metrics.py).

import { PY_WORD, pySplit } from "./pystr.js";

/** The result of `metrics.squad`, in percent. */
export interface SquadScore {
  /** Percentage of questions whose normalised prediction equals a normalised ground truth. */
  exactMatch: number;
  /** Mean over questions of the best token F1 against a ground truth, x 100. */
  f1: number;
}

/** Python's string.punctuation. */
const PUNCTUATION = new Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
// re.sub(r'\b(a|an|the)\b', ' ', text) with Python's Unicode word boundaries
const ARTICLES_RE = new RegExp(`(?<!${PY_WORD})(a|an|the)(?!${PY_WORD})`, "gu");

/** The official script's normalize_answer. */
function normalizeAnswer(s: string): string {
  let noPunct = "";
  for (const ch of s.toLowerCase()) if (!PUNCTUATION.has(ch)) noPunct += ch;
  return pySplit(noPunct.replace(ARTICLES_RE, " ")).join(" ");
}

function f1Score(prediction: string, groundTruth: string): number {
  const p = pySplit(normalizeAnswer(prediction));
  const g = pySplit(normalizeAnswer(groundTruth));
  const counts = new Map<string, number>();
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of p) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      same++;
      counts.set(t, c - 1);
    }
  }
  if (same === 0) return 0;
  const precision = same / p.length;
  const recall = same / g.length;
  return (2 * precision * recall) / (precision + recall);
}

function describe(x: unknown): string {
  if (x === null) return "null";
  if (Array.isArray(x)) return "an array";
  return typeof x === "string" ? "a string" : `a ${typeof x}`;
}

/** SQuAD v1.1 exact match and F1 (in percent), exactly as the official evaluate-v1.1.py.
 *  `answers` maps each question id to its ground-truth answer texts and `predictions` each id to
 *  the predicted text; a question without a prediction scores 0, predictions of unknown ids are
 *  ignored. Arrays aligned by index (`predictions[i]` answers `answers[i]`) are accepted too. A
 *  ground truth given as a single string counts as a list of one.
 *  @example
 *  metrics.squad({ q1: "the Broncos" }, { q1: ["Denver Broncos", "Broncos"] }); // { exactMatch: 100, f1: 100 }
 */
export function squad(
  predictions: Readonly<Record<string, string>> | readonly string[],
  answers: Readonly<Record<string, readonly string[] | string>> | readonly (readonly string[] | string)[],
): SquadScore {
  if (typeof predictions !== "object" || predictions === null) throw new TypeError(`metrics.squad: predictions must be an object { id: text } or an array of strings, got ${describe(predictions)}`);
  if (typeof answers !== "object" || answers === null) throw new TypeError(`metrics.squad: answers must be an object { id: [texts] } or an array of arrays of strings, got ${describe(answers)}`);
  if (Array.isArray(predictions) !== Array.isArray(answers))
    throw new TypeError("metrics.squad: predictions and answers must both be objects keyed by question id or both be arrays aligned by index");
  if (Array.isArray(predictions) && predictions.length !== (answers as readonly unknown[]).length)
    throw new Error(`metrics.squad: ${predictions.length} predictions but ${(answers as readonly unknown[]).length} answers; arrays must be aligned by index`);
  const preds = predictions as Readonly<Record<string, unknown>>;
  const ids = Object.keys(answers);
  if (ids.length === 0) throw new Error("metrics.squad: no questions (answers is empty)");
  let em = 0, f1 = 0;
  for (const id of ids) {
    const a = (answers as Readonly<Record<string, unknown>>)[id];
    const truths = typeof a === "string" ? [a] : a;
    if (!Array.isArray(truths) || truths.length === 0) throw new Error(`metrics.squad: answers[${JSON.stringify(id)}] must be a non-empty array of ground-truth strings, got ${Array.isArray(truths) ? "an empty array" : describe(truths)}`);
    truths.forEach((t, j) => {
      if (typeof t !== "string") throw new TypeError(`metrics.squad: answers[${JSON.stringify(id)}][${j}] is ${describe(t)}, expected a string`);
    });
    if (!Object.hasOwn(preds, id)) continue;
    const p = preds[id];
    if (typeof p !== "string") throw new TypeError(`metrics.squad: predictions[${JSON.stringify(id)}] is ${describe(p)}, expected a string`);
    const np = normalizeAnswer(p);
    let bestEm = 0, bestF1 = 0;
    for (const t of truths as string[]) {
      if (normalizeAnswer(t) === np) bestEm = 1;
      bestF1 = Math.max(bestF1, f1Score(p, t));
    }
    em += bestEm;
    f1 += bestF1;
  }
  return { exactMatch: (100 * em) / ids.length, f1: (100 * f1) / ids.length };
}
