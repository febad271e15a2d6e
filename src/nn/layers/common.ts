// Small helpers shared by the layer files: fresh parameters, tuple arguments, positional-or-options.

import { Tensor } from "../../tensor/tensor.js";
import { zeros } from "../../ops/creation.js";
import { Parameter } from "../module.js";

/** A new float32 Parameter of zeros (reset by the layer's resetParameters). */
export function param(shape: number[]): Parameter {
  return new Parameter(zeros(shape));
}

/** Convention 5: `new M(first)` or `new M({ ...opts })` for modules whose PyTorch arguments are all optional. */
export function firstOrOptions<O extends object, K extends keyof O>(arg: O[K] | O | undefined, key: K): O {
  if (arg === undefined || arg === null) return {} as O;
  if (typeof arg === "object" && !(arg instanceof Tensor) && !Array.isArray(arg)) return arg as O;
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

/** The trailing options object of a layer constructor ({} when omitted). Anything else (a PyTorch-style
 *  positional keyword argument such as `new nn.Conv2d(3, 8, 3, 2)`) is refused with the option names,
 *  instead of being silently ignored. */
export function optionsOf<O extends object>(op: string, opts: O | undefined | null, names: string): O {
  if (opts === undefined || opts === null) return {} as O;
  if (typeof opts !== "object" || Array.isArray(opts) || opts instanceof Tensor)
    throw new Error(`${op}: expected an options object { ${names} } after the required arguments, got ${Array.isArray(opts) ? "an array" : typeof opts} ${String(opts)}`);
  return opts;
}
