// PyTorch conformance: every core op of the registry against values computed by PyTorch
// (scripts/fixtures/ops.py writes test/fixtures/ops/cases.json; CI has no Python, the JSON is committed).
// Each case runs the function form (dt.op / F.op), compares the result's values, shapes and dtypes,
// then the gradient of L = sum_k sum(out_k * w_k) for each input leaf; some cases also run the
// method form t.op(...). Tolerances: float64 1e-10 relative, float32 1e-5 relative.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { OPS } from "../src/ops/registry.js";
import type { Tensor as TensorT } from "../src/index.js";

// Record the file that defines each op: the registry module has no imports, so patching its map
// before the rest of the library loads sees every defineOp call (and the stack names its caller).
const origin = new Map<string, string>();
const mapSet = OPS.set;
OPS.set = function (this: typeof OPS, name: string, spec) {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  const caller = frames.find((f) => /\/src\//.test(f) && !/\/src\/ops\/registry\.ts/.test(f)) ?? "";
  const m = /\/(src\/[^:)]+\.ts)/.exec(caller);
  origin.set(name, m ? m[1] : "?");
  return mapSet.call(this, name, spec);
};
const dt = await import("../src/index.js");
OPS.set = mapSet;

/** Core files whose ops must all have PyTorch cases here. */
const CORE = /^src\/(ops\/[^/]+|nn\/(activation|loss|functional))\.ts$/;

/** Where an op was defined: from the stack seen at registration, or (when the library was loaded
 *  before this file could watch, e.g. without test isolation) the core file that names it in quotes. */
function originOf(name: string): string {
  const seen = origin.get(name);
  if (seen) return seen;
  const root = new URL("../", import.meta.url);
  const files = [
    ...readdirSync(new URL("src/ops/", root)).filter((f) => f.endsWith(".ts")).map((f) => `src/ops/${f}`),
    "src/nn/activation.ts", "src/nn/loss.ts", "src/nn/functional.ts",
  ];
  return files.find((f) => readFileSync(new URL(f, root), "utf8").includes(`"${name}"`)) ?? "elsewhere";
}

/** Registry ops deliberately without cases here. */
const EXCLUDED: Record<string, string> = {
  // random: its values come from deeptype's generator, not torch's
  dropout: "random",
  dropout2d: "random",
  // owned by other areas, with their own PyTorch fixtures
  conv1d: "conv area",
  conv2d: "conv area",
  convTranspose2d: "conv area",
  maxPool1d: "pooling area",
  maxPool2d: "pooling area",
  avgPool1d: "pooling area",
  avgPool2d: "pooling area",
  adaptiveAvgPool2d: "pooling area",
  batchNorm: "normalisation area",
  layerNorm: "normalisation area",
  groupNorm: "normalisation area",
  scaledDotProductAttention: "attention area",
};

// ---- fixture format (see scripts/fixtures/ops.py) -------------------------------------------------

type Num = number | "nan" | "inf" | "-inf";
type DType = "float32" | "float64" | "int32" | "bool";
interface TensorSpec {
  shape: number[];
  dtype: DType;
  values: Num[];
}
interface InputSpec extends TensorSpec {
  grad: boolean;
  view: [string, ...any[]][];
}
interface Case {
  name: string;
  op: string;
  fn: string;
  method?: boolean;
  inputs: InputSpec[];
  args: unknown[];
  out: unknown;
  w: (TensorSpec | null)[];
  grads: (TensorSpec | null)[];
  tol?: { rtol?: number; atol?: number; scale?: number };
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/ops/cases.json", import.meta.url), "utf8")) as { torch: string; cases: Case[] };

function decode(v: Num): number {
  return v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v;
}

function build(s: TensorSpec, requiresGrad = false): TensorT {
  const vals = s.values.map(decode);
  const data =
    s.dtype === "float32" ? Float32Array.from(vals)
    : s.dtype === "float64" ? Float64Array.from(vals)
    : s.dtype === "int32" ? Int32Array.from(vals)
    : Uint8Array.from(vals);
  return dt.tensor(data, { shape: s.shape, dtype: s.dtype, requiresGrad });
}

function applyView(t: TensorT, view: [string, ...any[]][]): TensorT {
  for (const [kind, ...a] of view) {
    if (kind === "transpose") t = t.transpose(a[0], a[1]);
    else if (kind === "permute") t = t.permute(a[0]);
    else if (kind === "slice") t = t.slice(a[0], a[1], a[2], a[3]);
    else if (kind === "expand") t = t.expand(a[0]);
    else throw new Error(`unknown view step ${kind}`);
  }
  return t;
}

function decodeArg(a: unknown, xs: TensorT[]): unknown {
  if (Array.isArray(a)) return a.map((v) => decodeArg(v, xs));
  if (a !== null && typeof a === "object") {
    const o = a as Record<string, unknown>;
    if ("$t" in o) return xs[o.$t as number];
    if ("$n" in o) return decode(o.$n as Num);
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, decodeArg(v, xs)]));
  }
  return a;
}

function resolve(path: string): (...args: any[]) => any {
  if (path.startsWith("OPS.")) return OPS.get(path.slice(4))!.fn;
  let o: any = dt;
  for (const p of path.split(".")) o = o?.[p];
  if (typeof o !== "function") throw new Error(`no function dt.${path}`);
  return o;
}

// ---- comparison ------------------------------------------------------------------------------------

// |deeptype - torch| <= atol + rtol * max(|torch|, scale * max |torch| over the tensor): elementwise for
// float64; for float32 also relative to the tensor's largest element, since sums that cancel
// (gradients of broadcast operands) round differently with another summation order.
const TOL: Record<string, { rtol: number; atol: number; scale?: number }> = {
  float64: { rtol: 1e-10, atol: 1e-12 },
  float32: { rtol: 1e-5, atol: 1e-6, scale: 1 },
};

const counts = { tensors: 0, grads: 0, methods: 0 };

/** Compares a tensor with a spec; returns a message or null. */
function compare(what: string, actual: unknown, exp: TensorSpec, tol?: Case["tol"]): string | null {
  if (!(actual instanceof dt.Tensor)) return `${what}: expected a Tensor, got ${actual === null ? "null" : typeof actual}`;
  if (JSON.stringify(actual.shape) !== JSON.stringify(exp.shape)) return `${what}: shape [${actual.shape}] ≠ torch [${exp.shape}]`;
  if (actual.dtype !== exp.dtype) return `${what}: dtype ${actual.dtype} ≠ torch ${exp.dtype}`;
  counts.tensors++;
  const got = actual.dataSync();
  const t = TOL[exp.dtype];
  const rtol = tol?.rtol ?? t?.rtol ?? 0, atol = tol?.atol ?? t?.atol ?? 0;
  const want = exp.values.map(decode);
  let big = 0;
  for (const e of want) if (Number.isFinite(e)) big = Math.max(big, Math.abs(e));
  const floor = (tol?.scale ?? t?.scale ?? 0) * big;
  for (let i = 0; i < want.length; i++) {
    const e = want[i], a = got[i];
    const ok = Number.isNaN(e) ? Number.isNaN(a) : !Number.isFinite(e) ? a === e : Math.abs(a - e) <= atol + rtol * Math.max(Math.abs(e), floor);
    if (!ok) return `${what}: element ${i} is ${a}, torch ${e} (shape [${exp.shape}], ${exp.dtype})`;
  }
  return null;
}

function allZero(s: TensorSpec): boolean {
  return s.values.every((v) => v === 0);
}

/** Walks the expected output structure beside the actual result; collects tensors depth-first. */
function compareOut(what: string, actual: unknown, exp: unknown, tol: Case["tol"], flat: unknown[], errs: string[]): void {
  if (Array.isArray(exp)) {
    if (!Array.isArray(actual) || actual.length !== exp.length) {
      errs.push(`${what}: expected an array of ${exp.length}, got ${Array.isArray(actual) ? `${actual.length} items` : typeof actual}`);
      return;
    }
    exp.forEach((e, i) => compareOut(`${what}[${i}]`, actual[i], e, tol, flat, errs));
    return;
  }
  const o = exp as Record<string, unknown>;
  if ("$T" in o) {
    flat.push(actual);
    const m = compare(what, actual, o.$T as TensorSpec, tol);
    if (m) errs.push(m);
    return;
  }
  if (actual === null || typeof actual !== "object") {
    errs.push(`${what}: expected { ${Object.keys(o).join(", ")} }, got ${typeof actual}`);
    return;
  }
  for (const k of Object.keys(o)) compareOut(`${what}.${k}`, (actual as Record<string, unknown>)[k], o[k], tol, flat, errs);
}

/** Runs one case; returns the list of mismatches. */
function runCase(c: Case): string[] {
  const errs: string[] = [];
  const leaves = c.inputs.map((s) => build(s, s.grad));
  const xs = c.inputs.map((s, i) => applyView(leaves[i], s.view));
  const fn = resolve(c.fn);
  const args = decodeArg(c.args, xs) as unknown[];
  let out: unknown;
  try {
    out = fn(...args);
  } catch (e) {
    return [`threw: ${(e as Error).message}`];
  }
  const flat: unknown[] = [];
  compareOut("out", out, c.out, c.tol, flat, errs);
  if (errs.length) return errs;

  // gradients of L = sum_k sum(out_k * w_k); their accuracy is that of the coarsest float in the case
  // (a float64 input of an op computed in float32 gets a float32-accurate gradient, in torch too)
  const mixed = c.inputs.some((s) => s.dtype === "float32") || c.w.some((w) => w?.dtype === "float32");
  const gtol = c.tol ?? (mixed ? TOL.float32 : undefined);
  if (c.grads.some((g) => g !== null)) {
    let L: TensorT | null = null;
    flat.forEach((o, k) => {
      const w = c.w[k];
      if (!w || !(o instanceof dt.Tensor) || !o.requiresGrad) return;
      const term = o.mul(build(w)).sum();
      L = L ? L.add(term) : term;
    });
    if (L) (L as TensorT).backward();
    c.grads.forEach((g, i) => {
      if (!c.inputs[i].grad) return;
      const got = leaves[i].grad;
      if (g === null || (got === null && allZero(g))) {
        if (got !== null && got.dataSync().some((v) => v !== 0)) errs.push(`grad[${i}]: torch has no gradient, deeptype has a non-zero one`);
        return;
      }
      if (got === null) errs.push(`grad[${i}]: deeptype has no gradient, torch has one`);
      else {
        counts.grads++;
        const m = compare(`grad[${i}]`, got, g, gtol);
        if (m) errs.push(m);
      }
    });
  }

  // the method form: x.op(...rest), forward values only
  if (c.method) {
    const [self, ...rest] = args as [TensorT, ...unknown[]];
    const name = c.fn.split(".").pop()!;
    try {
      const m = (self as any)[name](...rest);
      counts.methods++;
      compareOut(`method ${name}`, m, c.out, c.tol, [], errs);
    } catch (e) {
      errs.push(`method ${name} threw: ${(e as Error).message}`);
    }
  }
  return errs;
}

// ---- tests -----------------------------------------------------------------------------------------

const byOp = new Map<string, Case[]>();
for (const c of fixture.cases) {
  if (!byOp.has(c.op)) byOp.set(c.op, []);
  byOp.get(c.op)!.push(c);
}

test("torch fixtures cover every core op of the registry", () => {
  const missing: string[] = [];
  const foreign: string[] = [];
  for (const name of OPS.keys()) {
    if (byOp.has(name) || name in EXCLUDED) continue;
    const file = originOf(name);
    // ops registered by other areas' files are their business; unknown origins count as core
    if (file !== "?" && !CORE.test(file)) foreign.push(`${name} (${file})`);
    else missing.push(`${name} (${file})`);
  }
  if (foreign.length) console.log(`torch-ops: not covered here (defined outside the core files): ${foreign.join(", ")}`);
  assert.deepEqual(missing, [], `ops without a PyTorch case in test/fixtures/ops/cases.json: ${missing.join(", ")} — add cases to scripts/fixtures/ops.py and rerun it with /usr/bin/python3, or list them in EXCLUDED with the reason`);
});

// every case on every registered backend (the reference "js" one and any faster one)
for (const backend of dt.listBackends()) {
  for (const [op, cases] of byOp) {
    test(`torch [${backend}]: ${op} (${cases.length} cases)`, () => {
      const prev = dt.getBackend();
      dt.setBackend(backend);
      try {
        const failures: string[] = [];
        for (const c of cases) for (const e of runCase(c)) failures.push(`${c.name}: ${e}`);
        assert.equal(failures.length, 0, `${failures.length} mismatch(es) with PyTorch ${fixture.torch} on backend ${backend}:\n  ${failures.join("\n  ")}`);
      } finally {
        dt.setBackend(prev);
      }
    });
  }
}

test("torch fixtures: summary", (t) => {
  t.diagnostic(
    `${fixture.cases.length} cases over ${byOp.size} ops (PyTorch ${fixture.torch}): ${counts.tensors} tensors compared, ` +
      `${counts.grads} of them gradients, ${counts.methods} method calls`,
  );
  assert.ok(counts.grads > 0);
});
