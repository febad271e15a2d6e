// Small helpers shared by the layer files: fresh parameters, tuple arguments, positional-or-options.

import { Tensor } from "../../tensor/tensor.js";
import { zeros } from "../../ops/creation.js";
import { Parameter } from "../module.js";
import { checkOptions, EMPTY } from "../../tensor/options.js";

/** A new float32 Parameter of zeros (reset by the layer's resetParameters). */
export function param(shape: number[]): Parameter {
  return new Parameter(zeros(shape));
}

/** Convention 5: `new M(first)` or `new M({ ...opts })` for modules whose PyTorch arguments are all
 *  optional; the object's keys are checked against `keys` (the first positional one is `key`). */
export function firstOrOptions<O extends object, K extends keyof O & string>(op: string, arg: O[K] | O | undefined, key: K, keys: readonly string[]): O {
  if (arg === undefined || arg === null) return EMPTY as O;
  if (typeof arg === "object" && !(arg instanceof Tensor) && !Array.isArray(arg)) return checkOptions(op, arg as O, keys, 1);
  return { [key]: arg } as O;
}

/** A number or tuple as an n-tuple. */
export function tuple(op: string, v: number | number[], n: number, what: string): number[] {
  const t = typeof v === "number" ? new Array<number>(n).fill(v) : v.slice();
  if (t.length !== n || t.some((x) => !Number.isInteger(x)))
    throw new Error(`${op}: ${what} must be an integer or a tuple of ${n} integers, got ${JSON.stringify(v)}`);
  return t;
}

/** Checks an integer size argument. */
export function positiveInt(op: string, v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new Error(`${op}: ${what} must be a positive integer, got ${String(v)}`);
  return v;
}

/** The trailing options object of a layer constructor (a frozen {} when omitted), checked by the
 *  shared checkOptions: anything else (a PyTorch-style positional keyword argument such as
 *  `new nn.BatchNorm1d(3, 1e-3)`) or an unknown key is refused with the option names, instead of being
 *  silently ignored. */
export function optionsOf<O extends object>(op: string, opts: O | undefined | null, keys: readonly string[], arg?: number): O {
  return checkOptions(op, opts, keys, arg);
}
