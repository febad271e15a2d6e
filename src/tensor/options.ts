// Options objects, checked. Every public function or constructor that takes an options object passes
// it through checkOptions, so that in plain JavaScript a misspelt key (`{ paddng: 1 }`), a snake_case
// key (`{ weight_decay }`) or a bare value where the object belongs (`F.dropout(x, 0.9)`) throws an
// error naming the function, the bad key and the accepted ones, instead of being silently ignored.
// The accepted keys live next to each options type, as a `const ..._KEYS = [...] as const`.
// Cheap: no allocation unless it throws; a `for in` over the (small) object given.

import { Tensor } from "./tensor.js";
import { fmt } from "./shape.js";

/** Returns `opts` (or a shared frozen `{}` when it is undefined or null) after checking that it is an
 *  options object whose keys are all in `keys`. `arg` (1-based) is the argument's position, for the message.
 *  @example checkOptions("F.dropout", opts, DROPOUT_KEYS, 2) */
export function checkOptions<O extends object>(fn: string, opts: O | null | undefined, keys: readonly string[], arg?: number): O {
  if (opts === undefined || opts === null) return EMPTY as O;
  if (!isOptionsObject(opts)) throw notAnOptionsObject(fn, opts, keys, arg);
  for (const k in opts) if (!keys.includes(k)) throw unknownOption(fn, k, keys);
  return opts;
}

/** A frozen empty options object (what checkOptions returns for undefined/null). */
export const EMPTY: Readonly<Record<string, never>> = Object.freeze({});

/** True for something usable as an options object: a non-null object that is not an array, a Tensor,
 *  a typed array, a Map/Set or another iterable, a Date or a RegExp. */
export function isOptionsObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  if (Array.isArray(x) || x instanceof Tensor || ArrayBuffer.isView(x) || x instanceof Date || x instanceof RegExp) return false;
  return typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function";
}

/** The TypeError for a value that is not an options object:
 *  `F.dropout: expected an options object { p, training, inplace } as argument 2, got the number 0.9 (pass { p: 0.9 })`. */
export function notAnOptionsObject(fn: string, value: unknown, keys: readonly string[], arg?: number): TypeError {
  const where = arg === undefined ? "" : ` as argument ${arg}`;
  const shown = repr(value);
  const hint = shown !== null && keys.length > 0 ? ` (pass { ${keys[0]}: ${shown} })` : "";
  return new TypeError(`${fn}: expected an options object { ${keys.join(", ")} }${where}, got ${describeValue(value)}${hint}`);
}

/** The TypeError for an unknown key: `nn.Conv2d: unknown option 'paddng' (did you mean 'padding'?); accepted options: stride, padding, ...`. */
export function unknownOption(fn: string, key: string, keys: readonly string[]): TypeError {
  const s = suggest(key, keys);
  const hint = s === null ? "" : ` (did you mean '${s}'?)`;
  const list = keys.length ? keys.join(", ") : "none";
  return new TypeError(`${fn}: unknown option '${key}'${hint}; accepted options: ${list}`);
}

/** The closest accepted key: the camelCase form of a snake_case key, a case-insensitive match, or one
 *  within edit distance 2 (1 for keys of up to 4 letters; a swap of two neighbours counts 1); null when
 *  none is close. */
export function suggest(key: string, keys: readonly string[]): string | null {
  const camel = key.replace(/[_-]([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
  if (camel !== key && keys.includes(camel)) return camel;
  const lower = camel.toLowerCase();
  for (const k of keys) if (k.toLowerCase() === lower) return k;
  const max = key.length <= 4 ? 1 : 2;
  let best: string | null = null, bestD = max + 1;
  for (const k of keys) {
    const d = levenshtein(lower, k.toLowerCase(), bestD);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

/** Edit distance (insert, delete, substitute, swap two neighbours: the optimal string alignment
 *  distance), or `cap` when it is `cap` or more. Only runs when building an error message. */
function levenshtein(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur.push(v);
    }
    prev2 = prev;
    prev = cur;
  }
  return Math.min(prev[b.length], cap);
}

/** "the number 0.9", "the string \"tanh\"", "a Tensor of shape [2,3]", "an array [1,2]", ... */
export function describeValue(x: unknown): string {
  if (x === null) return "null";
  if (x === undefined) return "undefined";
  if (x instanceof Tensor) return `a Tensor of shape ${fmt(x.shape)}`;
  if (Array.isArray(x)) return `an array ${safeJson(x)}`;
  switch (typeof x) {
    case "number":
    case "boolean":
    case "bigint":
      return `the ${typeof x} ${String(x)}`;
    case "string":
      return `the string ${JSON.stringify(x)}`;
    case "function":
      return "a function";
    case "symbol":
      return "a symbol";
  }
  const name = (x as object).constructor?.name;
  return name ? `a ${name}` : "an object";
}

/** How the value would be written inside the suggested options object, or null if not shown. */
function repr(x: unknown): string | null {
  if (typeof x === "number" || typeof x === "boolean") return String(x);
  if (typeof x === "string") return JSON.stringify(x);
  if (Array.isArray(x)) return safeJson(x);
  if (x instanceof Tensor) return "tensor";
  return null;
}

function safeJson(x: unknown): string {
  try {
    const s = JSON.stringify(x);
    return s.length > 40 ? s.slice(0, 37) + "..." : s;
  } catch {
    return "[...]";
  }
}

/** Throws a RangeError unless `v` is one of `allowed`: `F.gelu: approximate must be "none" or "tanh", got "tan"`. */
export function checkOneOf<T extends string>(fn: string, what: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
  const list = allowed.map((a) => JSON.stringify(a));
  const words = list.length > 1 ? `${list.slice(0, -1).join(", ")} or ${list[list.length - 1]}` : list.join("");
  throw new RangeError(`${fn}: ${what} must be ${words}, got ${typeof v === "string" ? JSON.stringify(v) : describeValue(v)}`);
}

/** Throws a RangeError unless `v` is a number in [lo, hi]: `F.dropout: p must be a number in [0, 1], got 1.5`. */
export function checkRange(fn: string, what: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== "number" || !(v >= lo && v <= hi))
    throw new RangeError(`${fn}: ${what} must be a number in [${lo}, ${hi}], got ${typeof v === "number" ? v : describeValue(v)}`);
  return v;
}

/** Throws a TypeError unless `v` is undefined or a boolean. */
export function checkBool(fn: string, what: string, v: unknown): boolean | undefined {
  if (v !== undefined && typeof v !== "boolean") throw new TypeError(`${fn}: ${what} must be true or false, got ${describeValue(v)}`);
  return v as boolean | undefined;
}

/** PyTorch's keyword arguments given positionally, as `new nn.Conv2d(1, 8, 3, 1, 1)`: `args` holds values
 *  in `order` (undefined or null skips one), optionally followed by a trailing options object (checked
 *  against `keys`); returns one options object. A key given both ways, an options object before the
 *  end, or more positional values than `order` names throw. `firstArg` is the 1-based position of args[0].
 *  @example positionalOptions("nn.Conv2d", [1, 1], ["stride", "padding"], CONV_KEYS, 4) // { stride: 1, padding: 1 } */
export function positionalOptions<O extends object>(fn: string, args: readonly unknown[], order: readonly string[], keys: readonly string[], firstArg: number): O {
  let n = args.length;
  if (n === 0) return EMPTY as O;
  const last = args[n - 1];
  let trailing: Record<string, unknown> | null = null;
  if (isOptionsObject(last)) {
    trailing = checkOptions(fn, last, keys, firstArg + n - 1);
    n--;
    if (n === 0) return trailing as O;
  }
  if (n > order.length)
    throw new TypeError(
      `${fn}: too many arguments: ${n} after the required ones, but only ${order.length} (${order.join(", ")}) may be given positionally, ` +
        `optionally followed by an options object { ${keys.join(", ")} }; got ${describeValue(args[order.length])} as argument ${firstArg + order.length}`,
    );
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const v = args[i];
    if (v === undefined || v === null) continue;
    if (isOptionsObject(v))
      throw new TypeError(`${fn}: an options object { ${keys.join(", ")} } can only come last, but argument ${firstArg + i} is one and ${n - i} more follow`);
    out[order[i]] = v;
  }
  if (trailing)
    for (const k in trailing) {
      if (k in out) throw new TypeError(`${fn}: '${k}' is given both positionally and in the options object`);
      out[k] = trailing[k];
    }
  return out as O;
}
