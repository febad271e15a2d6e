// Classification and regression metrics, computed on the CPU in float64, checked against
// scikit-learn 1.2 (scripts/fixtures/metrics.py -> test/fixtures/metrics/sklearn.json).
//
// Argument order is PyTorch's (as losses and torchmetrics): predictions first, targets second.
// `metrics.accuracy(logits, labels)` is sklearn's `accuracy_score(labels, logits.argmax(1))`.
// Inputs are tensors or plain arrays; predictions of shape [N, C] (scores, logits or
// probabilities) are turned into labels by argmax where a metric needs labels.

import { checkOptions } from "../tensor/options.js";
import { Tensor } from "../tensor/tensor.js";

/** A tensor, a flat array of numbers (or booleans), or rows of numbers ([N][C]). */
export type MetricInput = Tensor | ArrayLike<number> | readonly boolean[] | readonly (readonly number[])[];

/** How per-class scores are combined, as sklearn's `average`: "binary" reports the positive
 *  class (1) only; "none" returns one value per class. */
export type Average = "binary" | "micro" | "macro" | "weighted" | "none";

/** Options of the class-wise metrics (precision, recall, f1). */
export interface ClassOptions {
  /** Classes 0..numClasses-1 (sklearn's `labels=range(numClasses)`). Default: the sorted union of the labels seen. */
  numClasses?: number;
  /** Default "binary" when at most two classes are seen (and numClasses ≤ 2), "macro" otherwise. */
  average?: Average;
  /** Value of a precision or recall whose denominator is zero (sklearn's zero_division). Default 0. */
  zeroDivision?: number;
}

/** A matrix of numbers, as read from an input. */
interface Mat {
  data: Float64Array;
  rows: number;
  /** 0 for a 1-D input. */
  cols: number;
}

function read(name: string, x: MetricInput): Mat {
  if (x instanceof Tensor) {
    if (x.ndim > 2) throw new Error(`metrics.${name}: expected a 1-D or 2-D input, got shape [${x.shape.join(", ")}]`);
    const data = Float64Array.from(x.dataSync() as ArrayLike<number>);
    return { data, rows: x.ndim === 0 ? 1 : x.shape[0], cols: x.ndim === 2 ? x.shape[1] : 0 };
  }
  const arr = x as ArrayLike<unknown>;
  if (arr.length > 0 && Array.isArray(arr[0])) {
    const rows = arr.length;
    const cols = (arr[0] as number[]).length;
    const data = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) {
      const r = arr[i] as number[];
      if (r.length !== cols) throw new Error(`metrics.${name}: row ${i} has ${r.length} values, expected ${cols}`);
      for (let j = 0; j < cols; j++) data[i * cols + j] = Number(r[j]);
    }
    return { data, rows, cols };
  }
  const data = new Float64Array(arr.length);
  for (let i = 0; i < arr.length; i++) data[i] = Number(arr[i]);
  return { data, rows: arr.length, cols: 0 };
}

/** Row-wise argmax (the first maximum, as torch.argmax and numpy.argmax). */
function argmaxRows(m: Mat): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) {
    let best = 0;
    let bestV = -Infinity;
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      if (v > bestV) {
        bestV = v;
        best = j;
      }
    }
    out[i] = best;
  }
  return out;
}

/** Class labels of predictions: [N] as given, [N, C] by argmax. */
function labelsOf(name: string, x: MetricInput): Float64Array {
  const m = read(name, x);
  return m.cols === 0 ? m.data : argmaxRows(m);
}

function targetsOf(name: string, x: MetricInput): Float64Array {
  const m = read(name, x);
  if (m.cols !== 0) throw new Error(`metrics.${name}: targets must be 1-D class labels, got a [${m.rows}, ${m.cols}] input`);
  return m.data;
}

function sameLength(name: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) throw new Error(`metrics.${name}: predictions have ${a.length} samples and targets ${b.length}`);
  if (a.length === 0) throw new Error(`metrics.${name}: no samples`);
}

function classList(pred: ArrayLike<number>, target: ArrayLike<number>, numClasses?: number): number[] {
  if (numClasses !== undefined) return Array.from({ length: numClasses }, (_, i) => i);
  const s = new Set<number>();
  for (let i = 0; i < pred.length; i++) s.add(pred[i]);
  for (let i = 0; i < target.length; i++) s.add(target[i]);
  return [...s].sort((a, b) => a - b);
}

/** Fraction of samples whose predicted class equals the target.
 *  @example metrics.accuracy(logits, labels) // 0.93 */
export function accuracy(preds: MetricInput, target: MetricInput): number {
  const p = labelsOf("accuracy", preds);
  const t = targetsOf("accuracy", target);
  sameLength("accuracy", p, t);
  let hit = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === t[i]) hit++;
  return hit / p.length;
}

/** Fraction of samples whose target is among the k highest scores of [N, C]; ties rank the
 *  higher class index first, as sklearn's top_k_accuracy_score.
 *  @example metrics.topKAccuracy(logits, labels, 5) */
export function topKAccuracy(scores: MetricInput, target: MetricInput, k = 5): number {
  const s = read("topKAccuracy", scores);
  if (s.cols === 0) throw new Error(`metrics.topKAccuracy: scores must be [N, C], got 1-D`);
  const t = targetsOf("topKAccuracy", target);
  sameLength("topKAccuracy", new Float64Array(s.rows), t);
  let hit = 0;
  for (let i = 0; i < s.rows; i++) {
    const c = t[i];
    const st = s.data[i * s.cols + c];
    let ahead = 0; // classes ranked before the target
    for (let j = 0; j < s.cols; j++) {
      const v = s.data[i * s.cols + j];
      if (v > st || (v === st && j > c)) ahead++;
    }
    if (ahead < k) hit++;
  }
  return hit / s.rows;
}

/** Confusion matrix C[i][j]: samples of true class i predicted as j (rows true, columns
 *  predicted, as sklearn). Classes are 0..numClasses-1, or the sorted union of labels seen.
 *  @example metrics.confusionMatrix(logits, labels, { numClasses: 10 }) */
export function confusionMatrix(preds: MetricInput, target: MetricInput, opts: { numClasses?: number } = {}): number[][] {
  const p = labelsOf("confusionMatrix", preds);
  const t = targetsOf("confusionMatrix", target);
  sameLength("confusionMatrix", p, t);
  return confusion(p, t, classList(p, t, checkOptions("metrics.confusionMatrix", opts, NUM_CLASSES_KEYS, 3).numClasses));
}

function confusion(p: ArrayLike<number>, t: ArrayLike<number>, classes: number[]): number[][] {
  const index = new Map(classes.map((c, i) => [c, i]));
  const m = classes.map(() => new Array<number>(classes.length).fill(0));
  for (let i = 0; i < p.length; i++) {
    const r = index.get(t[i]);
    const c = index.get(p[i]);
    if (r !== undefined && c !== undefined) m[r][c]++;
  }
  return m;
}

interface Prf {
  precision: number | number[];
  recall: number | number[];
  f1: number | number[];
}

const NUM_CLASSES_KEYS = ["numClasses"] as const;
const CLASS_KEYS = ["average", "numClasses", "zeroDivision"] as const;
const LOG_LOSS_KEYS = ["eps"] as const;

function prf(name: string, preds: MetricInput, target: MetricInput, opts: ClassOptions): Prf {
  opts = checkOptions(`metrics.${name}`, opts, CLASS_KEYS, 3);
  const p = labelsOf(name, preds);
  const t = targetsOf(name, target);
  sameLength(name, p, t);
  const classes = classList(p, t, opts.numClasses);
  const zd = opts.zeroDivision ?? 0;
  const average: Average = opts.average ?? (classes.length <= 2 && classes.every((c) => c === 0 || c === 1) ? "binary" : "macro");
  let used = classes;
  if (average === "binary") {
    if (classes.some((c) => c !== 0 && c !== 1))
      throw new Error(`metrics.${name}: average "binary" needs labels 0/1, got classes [${classes.join(", ")}]; pass { average: "macro" | "micro" | "weighted" | "none" }`);
    used = [1];
  }
  const tp = used.map(() => 0), predSum = used.map(() => 0), trueSum = used.map(() => 0);
  const index = new Map(used.map((c, i) => [c, i]));
  for (let i = 0; i < p.length; i++) {
    const ip = index.get(p[i]);
    const it = index.get(t[i]);
    if (ip !== undefined) predSum[ip]++;
    if (it !== undefined) trueSum[it]++;
    if (ip !== undefined && p[i] === t[i]) tp[ip]++;
  }
  const div = (a: number, b: number) => (b === 0 ? zd : a / b);
  const f = (pr: number, rc: number) => (pr + rc === 0 ? 0 : (2 * pr * rc) / (pr + rc));
  if (average === "micro") {
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    const pr = div(sum(tp), sum(predSum));
    const rc = div(sum(tp), sum(trueSum));
    return { precision: pr, recall: rc, f1: f(pr, rc) };
  }
  const prs = used.map((_, i) => div(tp[i], predSum[i]));
  const rcs = used.map((_, i) => div(tp[i], trueSum[i]));
  const fs = used.map((_, i) => f(prs[i], rcs[i]));
  if (average === "none") return { precision: prs, recall: rcs, f1: fs };
  if (average === "binary") return { precision: prs[0], recall: rcs[0], f1: fs[0] };
  if (average === "macro") {
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    return { precision: mean(prs), recall: mean(rcs), f1: mean(fs) };
  }
  // weighted by support (true count of each class)
  const total = trueSum.reduce((x, y) => x + y, 0);
  if (total === 0) return { precision: 0, recall: 0, f1: 0 };
  const wmean = (a: number[]) => a.reduce((acc, v, i) => acc + v * trueSum[i], 0) / total;
  return { precision: wmean(prs), recall: wmean(rcs), f1: wmean(fs) };
}

/** Precision tp / (tp + fp), averaged as `opts.average` says (sklearn's precision_score).
 *  @example metrics.precision(logits, labels, { average: "macro" }) */
export function precision(preds: MetricInput, target: MetricInput, opts: ClassOptions & { average: "none" }): number[];
export function precision(preds: MetricInput, target: MetricInput, opts?: ClassOptions): number;
export function precision(preds: MetricInput, target: MetricInput, opts: ClassOptions = {}): number | number[] {
  return prf("precision", preds, target, opts).precision;
}

/** Recall tp / (tp + fn), averaged as `opts.average` says (sklearn's recall_score).
 *  @example metrics.recall(logits, labels, { average: "weighted" }) */
export function recall(preds: MetricInput, target: MetricInput, opts: ClassOptions & { average: "none" }): number[];
export function recall(preds: MetricInput, target: MetricInput, opts?: ClassOptions): number;
export function recall(preds: MetricInput, target: MetricInput, opts: ClassOptions = {}): number | number[] {
  return prf("recall", preds, target, opts).recall;
}

/** F1 = 2PR / (P + R), averaged as `opts.average` says (sklearn's f1_score).
 *  @example metrics.f1(predLabels, labels, { average: "micro" }) */
export function f1(preds: MetricInput, target: MetricInput, opts: ClassOptions & { average: "none" }): number[];
export function f1(preds: MetricInput, target: MetricInput, opts?: ClassOptions): number;
export function f1(preds: MetricInput, target: MetricInput, opts: ClassOptions = {}): number | number[] {
  return prf("f1", preds, target, opts).f1;
}

/** Binary scores and 0/1 targets, or one-vs-rest columns of [N, C] scores. */
function binaryColumns(name: string, scores: MetricInput, target: MetricInput): { s: Float64Array; y: Uint8Array }[] {
  const s = read(name, scores);
  const t = targetsOf(name, target);
  sameLength(name, new Float64Array(s.rows), t);
  if (s.cols === 0 || s.cols === 1 || s.cols === 2) {
    // binary: the score of class 1 ([N], [N, 1], or column 1 of [N, 2])
    const col = s.cols === 2 ? 1 : 0;
    const w = Math.max(s.cols, 1);
    const sc = new Float64Array(s.rows);
    for (let i = 0; i < s.rows; i++) sc[i] = s.data[i * w + col];
    const y = new Uint8Array(t.length);
    for (let i = 0; i < t.length; i++) {
      if (t[i] !== 0 && t[i] !== 1) throw new Error(`metrics.${name}: binary targets must be 0 or 1, got ${t[i]}`);
      y[i] = t[i];
    }
    return [{ s: sc, y }];
  }
  const out: { s: Float64Array; y: Uint8Array }[] = [];
  for (let c = 0; c < s.cols; c++) {
    const sc = new Float64Array(s.rows);
    const y = new Uint8Array(s.rows);
    for (let i = 0; i < s.rows; i++) {
      sc[i] = s.data[i * s.cols + c];
      y[i] = t[i] === c ? 1 : 0;
    }
    out.push({ s: sc, y });
  }
  return out;
}

/** Area under the ROC curve of one binary problem: the Mann-Whitney U statistic with ties
 *  counted as one half (equal to sklearn's trapezoidal ROC AUC). */
function binaryRocAuc(name: string, s: Float64Array, y: Uint8Array): number {
  const n = s.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[a] - s[b]);
  let nPos = 0;
  let rankSumPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && s[order[j + 1]] === s[order[i]]) j++;
    const avgRank = (i + j) / 2 + 1; // 1-based average rank of the tie group
    for (let k = i; k <= j; k++) if (y[order[k]]) {
      nPos++;
      rankSumPos += avgRank;
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error(`metrics.${name}: only one class present in the targets; ROC AUC is not defined`);
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** Average precision of one binary problem: sum over thresholds of (R_n - R_{n-1}) P_n,
 *  with tied scores forming one threshold (sklearn's average_precision_score). */
function binaryAveragePrecision(name: string, s: Float64Array, y: Uint8Array): number {
  const n = s.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => s[b] - s[a]);
  let totalPos = 0;
  for (let i = 0; i < n; i++) totalPos += y[i];
  if (totalPos === 0) throw new Error(`metrics.${name}: no positive samples in the targets; average precision is not defined`);
  let tp = 0, fp = 0, prevRecall = 0, ap = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && s[order[j + 1]] === s[order[i]]) j++;
    for (let k = i; k <= j; k++) y[order[k]] ? tp++ : fp++;
    const r = tp / totalPos;
    ap += (r - prevRecall) * (tp / (tp + fp));
    prevRecall = r;
    i = j + 1;
  }
  return ap;
}

/** Area under the ROC curve: binary (scores [N] of class 1, or [N, 2]) or one-vs-rest macro
 *  average over the columns of [N, C] scores (sklearn's roc_auc_score, multi_class="ovr").
 *  @example metrics.rocAuc(probs, labels) */
export function rocAuc(scores: MetricInput, target: MetricInput): number {
  const cols = binaryColumns("rocAuc", scores, target);
  return cols.reduce((acc, c) => acc + binaryRocAuc("rocAuc", c.s, c.y), 0) / cols.length;
}

/** Average precision, the area under the precision-recall curve as sklearn's
 *  average_precision_score: binary, or one-vs-rest macro over the columns of [N, C] scores.
 *  @example metrics.prAuc(probs, labels) */
export function prAuc(scores: MetricInput, target: MetricInput): number {
  const cols = binaryColumns("prAuc", scores, target);
  return cols.reduce((acc, c) => acc + binaryAveragePrecision("prAuc", c.s, c.y), 0) / cols.length;
}

/** Mean negative log-likelihood of the targets under predicted probabilities: [N] (probability
 *  of class 1) or [N, C] rows, clipped to [eps, 1 - eps] and renormalised (sklearn's log_loss).
 *  @example metrics.logLoss(F.softmax(logits, 1), labels) */
export function logLoss(probs: MetricInput, target: MetricInput, opts: { eps?: number } = {}): number {
  const eps = checkOptions("metrics.logLoss", opts, LOG_LOSS_KEYS, 3).eps ?? 1e-15;
  const m = read("logLoss", probs);
  const t = targetsOf("logLoss", target);
  sameLength("logLoss", new Float64Array(m.rows), t);
  const cols = m.cols === 0 ? 2 : m.cols;
  let total = 0;
  const row = new Float64Array(cols);
  for (let i = 0; i < m.rows; i++) {
    // clip, then (for [N]) complete the row with 1 - p, then renormalise: sklearn's order
    if (m.cols === 0) {
      row[1] = Math.min(Math.max(m.data[i], eps), 1 - eps);
      row[0] = 1 - row[1];
    } else for (let j = 0; j < cols; j++) row[j] = Math.min(Math.max(m.data[i * cols + j], eps), 1 - eps);
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += row[j];
    const c = t[i];
    if (!Number.isInteger(c) || c < 0 || c >= cols) throw new Error(`metrics.logLoss: target ${c} at sample ${i} is not a class of the ${cols} probability columns`);
    total -= Math.log(row[c] / sum);
  }
  return total / m.rows;
}

function regressionPair(name: string, preds: MetricInput, target: MetricInput): { p: Mat; t: Mat } {
  const p = read(name, preds);
  const t = read(name, target);
  if (p.data.length !== t.data.length) throw new Error(`metrics.${name}: predictions have ${p.data.length} values and targets ${t.data.length}`);
  if (p.data.length === 0) throw new Error(`metrics.${name}: no samples`);
  return { p, t };
}

/** Mean squared error (sklearn's mean_squared_error; all outputs averaged uniformly).
 *  @example metrics.mse(pred, y) */
export function mse(preds: MetricInput, target: MetricInput): number {
  const { p, t } = regressionPair("mse", preds, target);
  let s = 0;
  for (let i = 0; i < p.data.length; i++) s += (p.data[i] - t.data[i]) ** 2;
  return s / p.data.length;
}

/** Mean absolute error (sklearn's mean_absolute_error).
 *  @example metrics.mae(pred, y) */
export function mae(preds: MetricInput, target: MetricInput): number {
  const { p, t } = regressionPair("mae", preds, target);
  let s = 0;
  for (let i = 0; i < p.data.length; i++) s += Math.abs(p.data[i] - t.data[i]);
  return s / p.data.length;
}

/** Coefficient of determination 1 - SS_res / SS_tot; for [N, K] the mean over outputs
 *  (sklearn's r2_score: a constant target gives 1 when predicted exactly, else 0).
 *  @example metrics.r2(pred, y) */
export function r2(preds: MetricInput, target: MetricInput): number {
  const { p, t } = regressionPair("r2", preds, target);
  const k = Math.max(t.cols, 1);
  const n = t.data.length / k;
  let acc = 0;
  for (let j = 0; j < k; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += t.data[i * k + j];
    mean /= n;
    let res = 0, tot = 0;
    for (let i = 0; i < n; i++) {
      res += (t.data[i * k + j] - p.data[i * k + j]) ** 2;
      tot += (t.data[i * k + j] - mean) ** 2;
    }
    acc += tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
  }
  return acc / k;
}
