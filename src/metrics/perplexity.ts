// Perplexity from logits: exp of the mean cross-entropy over the targets that are not ignoreIndex,
// as torch.exp(F.cross_entropy(logits, targets, ignore_index=...)); computed on the CPU in float64
// with a stable log-sum-exp. Checked against torch 1.13 (scripts/fixtures/text_metrics.py).

import { checkOptions } from "../tensor/options.js";
import { Tensor } from "../tensor/tensor.js";

/** Options of `metrics.perplexity`. */
export interface PerplexityOptions {
  /** Targets equal to this value are left out of the mean (PyTorch's ignore_index). Default -100. */
  ignoreIndex?: number;
}

/** Logits for `metrics.perplexity`: a tensor or nested arrays of shape [N, C] or [B, T, C]. */
export type PerplexityLogits = Tensor | readonly (readonly number[])[] | readonly (readonly (readonly number[])[])[];

/** Class-index targets for `metrics.perplexity`: a tensor or (nested) arrays of shape [N] or [B, T]. */
export type PerplexityTargets = Tensor | ArrayLike<number> | readonly (readonly number[])[];

const PERPLEXITY_KEYS = ["ignoreIndex"] as const;

/** Flattens a tensor or a regular nested array into its values and shape. */
function flatten(what: string, x: unknown): { data: ArrayLike<number>; shape: number[] } {
  if (x instanceof Tensor) return { data: x.dataSync() as ArrayLike<number>, shape: [...x.shape] };
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return { data: x as unknown as ArrayLike<number>, shape: [(x as unknown as ArrayLike<number>).length] };
  if (!Array.isArray(x)) throw new TypeError(`metrics.perplexity: ${what} must be a tensor or a nested array of numbers`);
  const shape: number[] = [];
  for (let a: unknown = x; Array.isArray(a); a = a[0]) {
    shape.push(a.length);
    if (a.length === 0) break;
  }
  const out: number[] = [];
  const walk = (a: unknown, d: number, path: string): void => {
    if (d === shape.length) {
      if (typeof a !== "number") throw new TypeError(`metrics.perplexity: ${what}${path} is not a number`);
      out.push(a);
      return;
    }
    if (!Array.isArray(a) || a.length !== shape[d]) throw new Error(`metrics.perplexity: ${what} is ragged: ${what}${path} should be an array of ${shape[d]} entries`);
    for (let i = 0; i < a.length; i++) walk(a[i], d + 1, `${path}[${i}]`);
  };
  walk(x, 0, "");
  return { data: out, shape };
}

/** Perplexity exp(mean cross-entropy) of class-index `targets` under `logits` (unnormalised
 *  scores): logits [N, C] with targets [N], or [B, T, C] (batch, time, classes, the layout of a
 *  language model's output) with targets [B, T]. Targets equal to `ignoreIndex` (default -100,
 *  e.g. padding) are left out; NaN when every target is ignored (as PyTorch). Equals
 *  `torch.exp(F.cross_entropy(logits.view(-1, C), targets.view(-1), ignore_index=ignoreIndex))`.
 *  @example metrics.perplexity(model(tokens), nextTokens, { ignoreIndex: padId }) */
export function perplexity(logits: PerplexityLogits, targets: PerplexityTargets, opts: PerplexityOptions = {}): number {
  const ignoreIndex = checkOptions("metrics.perplexity", opts, PERPLEXITY_KEYS, 3).ignoreIndex ?? -100;
  const l = flatten("logits", logits);
  const t = flatten("targets", targets);
  if (l.shape.length !== 2 && l.shape.length !== 3)
    throw new Error(`metrics.perplexity: logits must have shape [N, C] or [B, T, C], got [${l.shape.join(", ")}]`);
  const lead = l.shape.slice(0, -1);
  if (t.shape.length !== lead.length || t.shape.some((d, i) => d !== lead[i]))
    throw new Error(`metrics.perplexity: targets of shape [${t.shape.join(", ")}] do not match logits of shape [${l.shape.join(", ")}]; expected targets of shape [${lead.join(", ")}]`);
  const C = l.shape[l.shape.length - 1];
  const n = t.data.length;
  let total = 0, count = 0;
  for (let i = 0; i < n; i++) {
    const c = t.data[i];
    if (c === ignoreIndex) continue;
    if (!Number.isInteger(c) || c < 0 || c >= C) throw new Error(`metrics.perplexity: target ${c} at position ${i} is not a class index in [0, ${C}) nor ignoreIndex (${ignoreIndex})`);
    let max = -Infinity;
    for (let j = 0; j < C; j++) max = Math.max(max, l.data[i * C + j]);
    let sum = 0;
    for (let j = 0; j < C; j++) sum += Math.exp(l.data[i * C + j] - max);
    total += max + Math.log(sum) - l.data[i * C + c];
    count++;
  }
  return Math.exp(total / count);
}
