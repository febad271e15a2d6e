// API.md conformance: every documented name, signature, default, return type and settled
// convention (1-17), called the way API.md writes it, with values from PyTorch (quoted in the
// comments, or derived by hand where the formula is short). Type-level uses check that a strict
// TypeScript user script compiles against the public surface.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dt from "../src/index.js";
import type { Tensor } from "../src/index.js";

const { nn, optim, data, io } = dt;
const F = dt.nn.functional;

/** Elementwise closeness of nested arrays or numbers. */
function close(got: unknown, want: unknown, tol = 1e-5, path = ""): void {
  if (Array.isArray(want)) {
    assert.ok(Array.isArray(got), `${path}: expected an array, got ${JSON.stringify(got)}`);
    assert.equal((got as unknown[]).length, want.length, `${path}: length`);
    want.forEach((w, i) => close((got as unknown[])[i], w, tol, `${path}[${i}]`));
    return;
  }
  if (typeof want === "number" && Number.isNaN(want)) return assert.ok(Number.isNaN(got as number), `${path}: want NaN, got ${got}`);
  if (typeof want === "number" && !Number.isFinite(want)) return assert.equal(got, want, path);
  if (typeof want === "number") {
    assert.equal(typeof got, "number", `${path}: expected a number, got ${JSON.stringify(got)}`);
    assert.ok(Math.abs((got as number) - want) <= tol * (1 + Math.abs(want)), `${path}: got ${got}, want ${want}`);
    return;
  }
  assert.deepEqual(got, want, path);
}

// ---- Tensors ---------------------------------------------------------------------------------------

describe("API.md: tensors", () => {
  it("dt.tensor from numbers, nested arrays, booleans and typed arrays", () => {
    const s = dt.tensor(1.5);
    assert.deepEqual(s.shape, []);
    assert.equal(s.dtype, "float32");
    assert.equal(s.item(), 1.5);
    const m = dt.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(m.shape, [2, 3]);
    assert.equal(m.dtype, "float32");
    assert.equal(dt.tensor([true, false]).dtype, "bool");
    assert.deepEqual(dt.tensor([true, false]).toArray(), [true, false]);
    const f = dt.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    assert.deepEqual(f.shape, [3, 2]);
    assert.equal(f.dtype, "float32");
    assert.equal(dt.tensor(new Float64Array(2)).dtype, "float64");
    assert.equal(dt.tensor(new Int32Array(2)).dtype, "int32");
    // convention 10: bool from a Uint8Array
    const b = dt.tensor(new Uint8Array([1, 0, 1]), { dtype: "bool" });
    assert.equal(b.dtype, "bool");
    assert.deepEqual(b.toArray(), [true, false, true]);
    const g = dt.tensor([1, 2], { dtype: "float64", requiresGrad: true });
    assert.equal(g.dtype, "float64");
    assert.equal(g.requiresGrad, true);
    assert.equal(g.grad, null);
  });

  it("constants, ranges, likes", () => {
    assert.deepEqual(dt.zeros([2, 3]).toArray(), [[0, 0, 0], [0, 0, 0]]);
    assert.deepEqual(dt.ones([2], { dtype: "int32" }).toArray(), [1, 1]);
    assert.equal(dt.ones([2], { dtype: "int32" }).dtype, "int32");
    assert.deepEqual(dt.full([2], 7).toArray(), [7, 7]);
    assert.equal(dt.full([2], 7).dtype, "float32");
    assert.deepEqual(dt.zeros([2], { requiresGrad: true }).requiresGrad, true);
    const x = dt.tensor([[1, 2]], { dtype: "float64" });
    assert.equal(dt.zerosLike(x).dtype, "float64");
    assert.deepEqual(dt.zerosLike(x).shape, [1, 2]);
    assert.deepEqual(dt.onesLike(x).toArray(), [[1, 1]]);
    assert.deepEqual(dt.fullLike(x, 3).toArray(), [[3, 3]]);
    // torch.arange(5) -> int64 [0..4]; here int32
    const a = dt.arange(5);
    assert.equal(a.dtype, "int32");
    assert.deepEqual(a.toArray(), [0, 1, 2, 3, 4]);
    assert.deepEqual(dt.arange(2, 5).toArray(), [2, 3, 4]);
    assert.deepEqual(dt.arange(0, 10, 3).toArray(), [0, 3, 6, 9]);
    assert.deepEqual(dt.arange(5, 0, -2).toArray(), [5, 3, 1]);
    const fa = dt.arange(1, 2.5, 0.5);
    assert.equal(fa.dtype, "float32");
    assert.deepEqual(fa.toArray(), [1, 1.5, 2]);
    close(dt.linspace(0, 1, 5).toArray(), [0, 0.25, 0.5, 0.75, 1]);
    assert.equal(dt.linspace(0, 1, 5).dtype, "float32");
    assert.deepEqual(dt.eye(2).toArray(), [[1, 0], [0, 1]]);
    assert.deepEqual(dt.eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
  });

  it("random draws and manualSeed", () => {
    dt.manualSeed(7);
    const r1 = dt.rand([3, 2]), n1 = dt.randn([4]), i1 = dt.randint(0, 10, [5]), p1 = dt.randperm(6);
    dt.manualSeed(7);
    const r2 = dt.rand([3, 2]), n2 = dt.randn([4]), i2 = dt.randint(0, 10, [5]), p2 = dt.randperm(6);
    assert.deepEqual(r1.toArray(), r2.toArray());
    assert.deepEqual(n1.toArray(), n2.toArray());
    assert.deepEqual(i1.toArray(), i2.toArray());
    assert.deepEqual(p1.toArray(), p2.toArray());
    assert.deepEqual(r1.shape, [3, 2]);
    assert.equal(r1.dtype, "float32");
    assert.ok(r1.dataSync().every((v) => v >= 0 && v < 1));
    assert.equal(i1.dtype, "int32");
    assert.ok(i1.dataSync().every((v) => v >= 0 && v < 10 && Number.isInteger(v)));
    assert.equal(p1.dtype, "int32");
    assert.deepEqual([...p1.dataSync()].sort(), [0, 1, 2, 3, 4, 5]);
    // init and dropout and shuffling follow the seed too
    dt.manualSeed(3);
    const l1 = new nn.Linear(3, 2).weight.toArray(), d1 = F.dropout(dt.ones([20])).toArray();
    const s1 = [...new data.DataLoader(new data.TensorDataset(dt.arange(10)), { batchSize: 10, shuffle: true })][0][0].toArray();
    dt.manualSeed(3);
    assert.deepEqual(new nn.Linear(3, 2).weight.toArray(), l1);
    assert.deepEqual(F.dropout(dt.ones([20])).toArray(), d1);
    assert.deepEqual([...new data.DataLoader(new data.TensorDataset(dt.arange(10)), { batchSize: 10, shuffle: true })][0][0].toArray(), s1);
  });

  it("properties and conversions", async () => {
    const t = dt.tensor([[1.5, -2], [3, 4]]);
    assert.deepEqual(t.shape, [2, 2]);
    assert.equal(t.dtype, "float32");
    assert.equal(t.ndim, 2);
    assert.equal(t.numel(), 4);
    assert.equal(t.requiresGrad, false);
    assert.equal(t.grad, null);
    assert.deepEqual(t.toArray(), [[1.5, -2], [3, 4]]);
    const d = t.dataSync();
    assert.ok(d instanceof Float32Array);
    d[0] = 100; // a copy
    assert.equal(t.toArray()[0][0], 1.5);
    assert.ok(t.T.dataSync() instanceof Float32Array);
    assert.deepEqual([...t.T.dataSync()], [1.5, 3, -2, 4]); // contiguous copy of a view
    assert.deepEqual([...(await t.data())], [1.5, -2, 3, 4]);
    assert.equal(dt.tensor([[5]]).item(), 5);
    assert.throws(() => t.item());
    const i = t.to("int32");
    assert.equal(i.dtype, "int32");
    assert.deepEqual(i.toArray(), [[1, -2], [3, 4]]); // truncation toward zero, as torch
    assert.deepEqual(t.to("bool").toArray(), [[true, true], [true, true]]);
    const c = t.clone();
    assert.notEqual(c, t);
    assert.deepEqual(c.toArray(), t.toArray());
    const g = dt.ones([2], { requiresGrad: true });
    const y = g.mul(2);
    assert.equal(y.detach().requiresGrad, false);
    assert.equal(t.T.contiguous().isContiguous(), true);
    const leaf = dt.zeros([2]);
    assert.equal(leaf.requiresGrad_(), leaf);
    assert.equal(leaf.requiresGrad, true);
    leaf.requiresGrad_(false);
    assert.equal(leaf.requiresGrad, false);
    const s = dt.arange(1001).toString(); // torch summarises above 1000 elements
    assert.equal(typeof s, "string");
    assert.ok(s.length < 400 && s.includes("..."), "toString truncates");
    assert.ok(String(dt.tensor([1, 2])).includes("1"));
  });
});

// ---- Operations --------------------------------------------------------------------------------------

const UNARY = "neg reciprocal abs sign exp log log1p expm1 sqrt rsqrt square sin cos tanh sigmoid floor ceil round logicalNot isnan isfinite".split(" ");
const BINARY = "add sub mul div pow maximum minimum eq ne lt le gt ge logicalAnd logicalOr".split(" ");
const REDUCE = "sum mean prod max min amax amin argmax argmin logsumexp all any var std norm".split(" ");
const OTHER =
  "clamp where cumsum matmul mm bmm outer dot reshape view flatten squeeze unsqueeze transpose permute expand repeat flip split chunk narrow slice pad indexSelect gather scatter scatterAdd maskedFill tril triu oneHot".split(
    " ",
  );

describe("API.md: operations", () => {
  it("every op exists as dt.op and t.op (cat and stack as functions)", () => {
    const proto = dt.Tensor.prototype as unknown as Record<string, unknown>;
    const ns = dt as unknown as Record<string, unknown>;
    for (const name of [...UNARY, ...BINARY, ...REDUCE, ...OTHER]) {
      assert.equal(typeof ns[name], "function", `dt.${name}`);
      assert.equal(typeof proto[name], "function", `t.${name}`);
    }
    assert.equal(typeof dt.cat, "function");
    assert.equal(typeof dt.stack, "function");
    assert.equal(typeof dt.noGrad, "function");
    assert.equal(typeof dt.grad, "function");
  });

  it("unary ops agree between dt.op(t) and t.op(), with torch's values", () => {
    const x = dt.tensor([0.5, 1, 2]);
    const ns = dt as unknown as Record<string, (t: Tensor) => Tensor>;
    const proto = x as unknown as Record<string, () => Tensor>;
    for (const name of UNARY) assert.deepEqual(ns[name](x).toArray(), proto[name]().toArray(), name);
    close(dt.exp(x).toArray(), [1.6487213, 2.7182817, 7.389056]);
    close(dt.log1p(x).toArray(), [0.4054651, 0.6931472, 1.0986123]);
    close(dt.expm1(x).toArray(), [0.6487213, 1.7182818, 6.389056]);
    close(dt.rsqrt(x).toArray(), [1.4142135, 1, 0.70710677]);
    close(dt.sigmoid(x).toArray(), [0.62245935, 0.7310586, 0.8807971]);
    close(dt.tanh(x).toArray(), [0.46211717, 0.7615942, 0.9640276]);
    // convention 9: round half to even
    assert.deepEqual(dt.round(dt.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6])).toArray(), [0, 2, 2, -0, -2, 2, -3]);
    assert.deepEqual(dt.tensor([-1.5, 1.5]).floor().toArray(), [-2, 1]);
    assert.deepEqual(dt.tensor([-1.5, 1.5]).ceil().toArray(), [-1, 2]);
    assert.deepEqual(dt.sign(dt.tensor([-3, 0, 2])).toArray(), [-1, 0, 1]);
    assert.deepEqual(dt.isnan(dt.tensor([NaN, 1])).toArray(), [true, false]);
    assert.deepEqual(dt.isfinite(dt.tensor([Infinity, 1, NaN])).toArray(), [false, true, false]);
    assert.equal(dt.isnan(x).dtype, "bool");
    assert.deepEqual(dt.logicalNot(dt.tensor([true, false])).toArray(), [false, true]);
  });

  it("binary ops broadcast and take a number as either operand", () => {
    const a = dt.tensor([[1, 2, 3]]), b = dt.tensor([[1], [2]]);
    assert.deepEqual(dt.add(a, b).toArray(), [[2, 3, 4], [3, 4, 5]]);
    assert.deepEqual(a.sub(b).toArray(), [[0, 1, 2], [-1, 0, 1]]);
    const ns = dt as unknown as Record<string, (p: unknown, q: unknown) => Tensor>;
    for (const name of BINARY) {
      const x = name.startsWith("logical") ? dt.tensor([true, false]) : dt.tensor([1, 2]);
      const n = name.startsWith("logical") ? true : 2;
      const m = (x as unknown as Record<string, (q: unknown) => Tensor>)[name];
      assert.deepEqual(ns[name](x, n).toArray(), m.call(x, n).toArray(), `${name}(t, n)`);
      assert.doesNotThrow(() => ns[name](n, x), `${name}(n, t)`);
      assert.deepEqual(ns[name](n, x).shape, [2], `${name}(n, t)`);
    }
    assert.deepEqual(dt.sub(10, dt.tensor([1, 2])).toArray(), [9, 8]);
    assert.deepEqual(dt.div(1, dt.tensor([2, 4])).toArray(), [0.5, 0.25]);
    assert.deepEqual(dt.pow(2, dt.tensor([1, 3])).toArray(), [2, 8]);
    assert.deepEqual(dt.pow(dt.tensor([2, 3]), 2).toArray(), [4, 9]);
    assert.deepEqual(dt.lt(1.5, dt.tensor([1, 2])).toArray(), [false, true]);
    assert.deepEqual(dt.maximum(dt.tensor([1, 5]), 3).toArray(), [3, 5]);
    assert.deepEqual(dt.minimum(3, dt.tensor([1, 5])).toArray(), [1, 3]);
    assert.equal(dt.eq(dt.tensor([1]), 1).dtype, "bool");
    // int / int is true division (float), as torch
    const q = dt.div(dt.arange(3), 2);
    assert.equal(q.dtype, "float32");
    assert.deepEqual(q.toArray(), [0, 0.5, 1]);
    assert.equal(dt.add(dt.arange(3), 1).dtype, "int32");
    assert.equal(dt.add(dt.arange(3), 0.5).dtype, "float32");
    assert.equal(dt.mul(dt.arange(3), dt.ones([3], { dtype: "float64" })).dtype, "float64");
  });

  it("clamp(x, min?, max?) and where(cond, a, b)", () => {
    const x = dt.tensor([-2, 0.5, 3]);
    assert.deepEqual(dt.clamp(x, -1, 1).toArray(), [-1, 0.5, 1]);
    assert.deepEqual(dt.clamp(x, 0).toArray(), [0, 0.5, 3]);
    assert.deepEqual(dt.clamp(x, undefined, 1).toArray(), [-2, 0.5, 1]);
    assert.deepEqual(dt.clamp(x, null, 1).toArray(), [-2, 0.5, 1]);
    assert.deepEqual(x.clamp(-1, 1).toArray(), [-1, 0.5, 1]);
    assert.deepEqual(x.clamp(undefined, 0).toArray(), [-2, 0, 0]);
    assert.deepEqual(dt.clamp(x, dt.tensor([0, 0, 0]), dt.tensor([1, 1, 1])).toArray(), [0, 0.5, 1]);
    const c = dt.tensor([true, false, true]);
    assert.deepEqual(dt.where(c, x, dt.zeros([3])).toArray(), [-2, 0, 3]);
    assert.deepEqual(dt.where(c, 1, 0).toArray(), [1, 0, 1]);
    assert.deepEqual(dt.where(c, x, 9).toArray(), [-2, 9, 3]);
    // torch's x.where(cond, y)
    assert.deepEqual(x.where(c, 9).toArray(), [-2, 9, 3]);
  });

  it("reductions: (dim?: number | number[], keepdim = false)", () => {
    const x = dt.tensor([[1, 2, 3], [4, 5, 6]]);
    const s = dt.sum(x);
    assert.deepEqual(s.shape, []);
    assert.equal(s.item(), 21);
    assert.deepEqual(x.sum(0).toArray(), [5, 7, 9]);
    assert.deepEqual(x.sum(-1).toArray(), [6, 15]);
    assert.deepEqual(x.sum(1, true).toArray(), [[6], [15]]);
    assert.deepEqual(x.sum([0, 1]).shape, []);
    assert.deepEqual(x.sum([0, 1], true).shape, [1, 1]);
    assert.equal(x.sum([]).item(), 21); // convention 9: an empty dim list reduces everything
    assert.deepEqual(dt.mean(x, 0).toArray(), [2.5, 3.5, 4.5]);
    assert.deepEqual(x.prod(1).toArray(), [6, 120]);
    assert.deepEqual(x.amax(0).toArray(), [4, 5, 6]);
    assert.deepEqual(x.amin([0, 1]).toArray(), 1);
    close(x.logsumexp(1).toArray(), [3.4076059, 6.4076059]);
    // argmax: int32, flat index with no dim
    const am = dt.argmax(x);
    assert.equal(am.dtype, "int32");
    assert.deepEqual(am.shape, []);
    assert.equal(am.item(), 5);
    assert.deepEqual(x.argmax(1).toArray(), [2, 2]);
    assert.deepEqual(x.argmin(0, true).toArray(), [[0, 0, 0]]);
    assert.equal(x.argmin(0).dtype, "int32");
    const b = dt.tensor([[true, false], [true, true]]);
    assert.deepEqual(b.all(1).toArray(), [false, true]);
    assert.deepEqual(dt.any(b, 0).toArray(), [true, true]);
    assert.equal(b.all().dtype, "bool");
    assert.equal(b.any().item(), 1);
  });

  it("max/min: 0-d without dim, { values, indices } with one", () => {
    const x = dt.tensor([[1, 7, 3], [9, 5, 6]]);
    const m = dt.max(x);
    assert.deepEqual(m.shape, []);
    assert.equal(m.item(), 9);
    assert.equal(x.max().item(), 9);
    assert.equal(x.min().item(), 1);
    const { values, indices } = dt.max(x, 1);
    assert.deepEqual(values.toArray(), [7, 9]);
    assert.deepEqual(indices.toArray(), [1, 0]);
    assert.equal(indices.dtype, "int32");
    const r = x.min(0, true);
    assert.deepEqual(r.values.toArray(), [[1, 5, 3]]);
    assert.deepEqual(r.indices.toArray(), [[0, 1, 0]]);
    assert.deepEqual(x.max(-1).indices.toArray(), [1, 0]);
  });

  it("var/std(dim?, { correction = 1, keepdim = false }), norm(p = 2, dim?, keepdim?), cumsum(dim)", () => {
    const x = dt.tensor([[1, 2, 3, 4], [2, 4, 6, 8]]);
    close(dt.var(x).item(), 5.3571429); // torch.var(x) (unbiased): 37.5 / 7
    close(x.var(1).toArray(), [1.6666666, 6.6666665]);
    close(x.var(1, { correction: 0 }).toArray(), [1.25, 5]);
    close(x.var(1, { correction: 0, keepdim: true }).toArray(), [[1.25], [5]]);
    close(x.var({ correction: 0 }).item(), 4.6875);
    close(x.std(1).toArray(), [1.2909944, 2.5819888]);
    close(dt.std(x, [0, 1], { correction: 0 }).item(), 2.1650635);
    close(x.std(0, { keepdim: true }).shape, [1, 4]);
    const v = dt.tensor([3, -4]);
    close(v.norm().item(), 5);
    close(dt.norm(v).item(), 5);
    close(v.norm(1).item(), 7);
    close(v.norm(Infinity).item(), 4);
    close(dt.tensor([[3, 4], [6, 8]]).norm(2, 1).toArray(), [5, 10]);
    close(dt.tensor([[3, 4], [6, 8]]).norm(2, 1, true).toArray(), [[5], [10]]);
    close(dt.norm(dt.tensor([[3, 4], [6, 8]]), 1, 0).toArray(), [9, 12]);
    assert.deepEqual(dt.cumsum(dt.tensor([1, 2, 3]), 0).toArray(), [1, 3, 6]);
    assert.deepEqual(dt.tensor([[1, 2], [3, 4]]).cumsum(-1).toArray(), [[1, 3], [3, 7]]);
    assert.equal(dt.arange(4).cumsum(0).dtype, "int32");
  });

  it("linear algebra: matmul (1-D, 2-D, batched), mm, bmm, outer, dot", () => {
    const a = dt.tensor([[1, 2], [3, 4]]), v = dt.tensor([1, 1]);
    assert.deepEqual(dt.matmul(a, a).toArray(), [[7, 10], [15, 22]]);
    assert.deepEqual(a.matmul(v).toArray(), [3, 7]);
    assert.deepEqual(dt.matmul(v, a).toArray(), [4, 6]);
    const d = dt.matmul(v, v);
    assert.deepEqual(d.shape, []);
    assert.equal(d.item(), 2);
    assert.deepEqual(dt.matmul(dt.ones([5, 2, 3]), dt.ones([3, 4])).shape, [5, 2, 4]);
    assert.deepEqual(dt.matmul(dt.ones([2, 1, 2, 3]), dt.ones([4, 3, 5])).shape, [2, 4, 2, 5]);
    assert.deepEqual(dt.matmul(dt.ones([5, 2, 3]), dt.ones([3])).shape, [5, 2]);
    assert.deepEqual(dt.mm(a, a).toArray(), [[7, 10], [15, 22]]);
    assert.deepEqual(a.mm(a).toArray(), [[7, 10], [15, 22]]);
    assert.deepEqual(dt.bmm(dt.ones([3, 2, 4]), dt.ones([3, 4, 5])).shape, [3, 2, 5]);
    assert.deepEqual(dt.outer(dt.tensor([1, 2]), dt.tensor([1, 2, 3])).toArray(), [[1, 2, 3], [2, 4, 6]]);
    assert.equal(dt.dot(dt.tensor([1, 2]), dt.tensor([3, 4])).item(), 11);
    assert.equal(dt.tensor([1, 2]).dot(dt.tensor([3, 4])).item(), 11);
  });

  it("shape ops: variadic or array arguments, negative dims", () => {
    const x = dt.arange(6);
    assert.deepEqual(x.reshape(2, 3).shape, [2, 3]);
    assert.deepEqual(x.reshape([2, 3]).shape, [2, 3]);
    assert.deepEqual(dt.reshape(x, [3, -1]).shape, [3, 2]);
    assert.deepEqual(dt.reshape(x, 3, -1).shape, [3, 2]);
    assert.deepEqual(x.view(-1, 2).shape, [3, 2]);
    assert.deepEqual(x.view([2, 3]).toArray(), [[0, 1, 2], [3, 4, 5]]);
    // convention 16: view needs compatible strides
    assert.throws(() => x.view(2, 3).T.view(6), /view/);
    assert.deepEqual(x.view(2, 3).T.reshape(6).toArray(), [0, 3, 1, 4, 2, 5]);
    const y = dt.zeros([2, 3, 4]);
    assert.deepEqual(y.flatten().shape, [24]);
    assert.deepEqual(y.flatten(1).shape, [2, 12]);
    assert.deepEqual(dt.flatten(y, 0, 1).shape, [6, 4]);
    assert.deepEqual(dt.zeros([1, 3, 1]).squeeze().shape, [3]);
    assert.deepEqual(dt.zeros([1, 3, 1]).squeeze(0).shape, [3, 1]);
    assert.deepEqual(dt.zeros([1, 3, 1]).squeeze(-1).shape, [1, 3]);
    assert.deepEqual(dt.zeros([1, 3, 1]).squeeze(1).shape, [1, 3, 1]);
    assert.deepEqual(dt.zeros([3]).unsqueeze(0).shape, [1, 3]);
    assert.deepEqual(dt.unsqueeze(dt.zeros([3]), -1).shape, [3, 1]);
    assert.deepEqual(y.transpose(0, 2).shape, [4, 3, 2]);
    assert.deepEqual(dt.transpose(y, -1, -2).shape, [2, 4, 3]);
    assert.deepEqual(y.permute(2, 0, 1).shape, [4, 2, 3]);
    assert.deepEqual(y.permute([2, 0, 1]).shape, [4, 2, 3]);
    assert.deepEqual(dt.permute(y, -1, 0, 1).shape, [4, 2, 3]);
    assert.deepEqual(dt.tensor([[1, 2, 3]]).T.toArray(), [[1], [2], [3]]);
    assert.deepEqual(dt.tensor([[1], [2]]).expand(2, 3).toArray(), [[1, 1, 1], [2, 2, 2]]);
    assert.deepEqual(dt.tensor([[1], [2]]).expand([2, 3]).shape, [2, 3]);
    assert.deepEqual(dt.tensor([[1], [2]]).expand(-1, 2).shape, [2, 2]);
    assert.deepEqual(dt.tensor([1, 2]).repeat(2, 2).toArray(), [[1, 2, 1, 2], [1, 2, 1, 2]]);
    assert.deepEqual(dt.tensor([1, 2]).repeat([2]).toArray(), [1, 2, 1, 2]);
    const m = dt.tensor([[1, 2], [3, 4]]);
    assert.deepEqual(m.flip([0]).toArray(), [[3, 4], [1, 2]]);
    assert.deepEqual(m.flip(1).toArray(), [[2, 1], [4, 3]]);
    assert.deepEqual(dt.flip(m, [0, 1]).toArray(), [[4, 3], [2, 1]]);
    assert.deepEqual(m.flip(0, 1).toArray(), [[4, 3], [2, 1]]); // Tensor.flip(*dims)
    assert.deepEqual(dt.cat([m, m]).shape, [4, 2]);
    assert.deepEqual(dt.cat([m, m], 1).toArray(), [[1, 2, 1, 2], [3, 4, 3, 4]]);
    assert.deepEqual(dt.cat([m, m], -1).shape, [2, 4]);
    assert.deepEqual(dt.stack([m, m]).shape, [2, 2, 2]);
    assert.deepEqual(dt.stack([m, m], -1).shape, [2, 2, 2]);
    assert.deepEqual(dt.stack([m, m], 2).toArray(), [[[1, 1], [2, 2]], [[3, 3], [4, 4]]]);
  });

  it("split, chunk (arrays, torch's sizes), narrow, slice (negative bounds), pad", () => {
    const x = dt.arange(5);
    const s = x.split(2);
    assert.ok(Array.isArray(s));
    assert.deepEqual(s.map((t) => t.toArray()), [[0, 1], [2, 3], [4]]);
    assert.deepEqual(dt.split(x, [1, 4]).map((t) => t.shape), [[1], [4]]);
    assert.deepEqual(dt.split(dt.zeros([2, 6]), 3, 1).map((t) => t.shape), [[2, 3], [2, 3]]);
    const c = x.chunk(3);
    assert.ok(Array.isArray(c));
    assert.deepEqual(c.map((t) => t.toArray()), [[0, 1], [2, 3], [4]]);
    // torch.arange(6).chunk(4) -> 3 chunks of 2; torch.arange(5).chunk(4) -> sizes 2, 2, 1
    assert.deepEqual(dt.arange(6).chunk(4).map((t) => t.numel()), [2, 2, 2]);
    assert.deepEqual(dt.arange(5).chunk(4).map((t) => t.numel()), [2, 2, 1]);
    assert.deepEqual(dt.chunk(dt.zeros([2, 4]), 2, -1).map((t) => t.shape), [[2, 2], [2, 2]]);
    assert.deepEqual(x.narrow(0, 1, 3).toArray(), [1, 2, 3]);
    assert.deepEqual(dt.narrow(x, -1, 3, 2).toArray(), [3, 4]);
    assert.deepEqual(x.slice(0, 1, 4).toArray(), [1, 2, 3]);
    assert.deepEqual(x.slice(0, -2).toArray(), [3, 4]); // x[-2:]
    assert.deepEqual(x.slice(0, 0, -1).toArray(), [0, 1, 2, 3]); // x[:-1]
    assert.deepEqual(x.slice(0, -4, -1, 2).toArray(), [1, 3]); // x[-4:-1:2]
    assert.deepEqual(x.slice(0, 0, 100).toArray(), [0, 1, 2, 3, 4]);
    assert.deepEqual(dt.slice(dt.tensor([[1, 2, 3]]), -1, 1).toArray(), [[2, 3]]);
    const m = dt.tensor([[1, 2], [3, 4]]);
    assert.deepEqual(m.pad([1, 1]).toArray(), [[0, 1, 2, 0], [0, 3, 4, 0]]);
    assert.deepEqual(dt.pad(m, [0, 0, 1, 0], 9).toArray(), [[9, 9], [1, 2], [3, 4]]);
    assert.deepEqual(m.pad([1, 0], 5).toArray(), [[5, 1, 2], [5, 3, 4]]);
  });

  it("indexing ops", () => {
    const x = dt.tensor([[1, 2, 3], [4, 5, 6]]);
    const idx = dt.tensor([2, 0], { dtype: "int32" });
    assert.deepEqual(x.indexSelect(1, idx).toArray(), [[3, 1], [6, 4]]);
    assert.deepEqual(dt.indexSelect(x, 0, dt.tensor([1], { dtype: "int32" })).toArray(), [[4, 5, 6]]);
    const gi = dt.tensor([[0, 0], [1, 0]], { dtype: "int32" });
    // torch.gather(x, 1, [[0,0],[1,0]]) = [[1,1],[5,4]]
    assert.deepEqual(dt.gather(x, 1, gi).toArray(), [[1, 1], [5, 4]]);
    assert.deepEqual(x.gather(-1, gi).toArray(), [[1, 1], [5, 4]]);
    const z = dt.zeros([2, 3]);
    const si = dt.tensor([[0, 2], [1, 0]], { dtype: "int32" });
    assert.deepEqual(z.scatter(1, si, dt.tensor([[1, 2], [3, 4]])).toArray(), [[1, 0, 2], [4, 3, 0]]);
    assert.deepEqual(dt.scatter(z, 1, si, 7).toArray(), [[7, 0, 7], [7, 7, 0]]);
    const ai = dt.tensor([[0, 0], [1, 1]], { dtype: "int32" });
    assert.deepEqual(z.scatterAdd(1, ai, dt.tensor([[1, 2], [3, 4]])).toArray(), [[3, 0, 0], [0, 7, 0]]);
    assert.deepEqual(dt.scatterAdd(z, 1, ai, dt.ones([2, 2])).toArray(), [[2, 0, 0], [0, 2, 0]]);
    const mask = dt.tensor([[true, false, false], [false, false, true]]);
    assert.deepEqual(x.maskedFill(mask, 0).toArray(), [[0, 2, 3], [4, 5, 0]]);
    assert.deepEqual(dt.maskedFill(x, dt.tensor([true, false, false]), -1).toArray(), [[-1, 2, 3], [-1, 5, 6]]);
    const o = dt.ones([3, 3]);
    assert.deepEqual(o.tril().toArray(), [[1, 0, 0], [1, 1, 0], [1, 1, 1]]);
    assert.deepEqual(dt.tril(o, -1).toArray(), [[0, 0, 0], [1, 0, 0], [1, 1, 0]]);
    assert.deepEqual(o.triu(1).toArray(), [[0, 1, 1], [0, 0, 1], [0, 0, 0]]);
    assert.deepEqual(dt.triu(o).toArray(), [[1, 1, 1], [0, 1, 1], [0, 0, 1]]);
    const oh = dt.tensor([0, 2], { dtype: "int32" }).oneHot(3);
    assert.equal(oh.dtype, "int32");
    assert.deepEqual(oh.toArray(), [[1, 0, 0], [0, 0, 1]]);
    assert.deepEqual(dt.oneHot(dt.arange(3)).toArray(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  });
});

// ---- Autograd ----------------------------------------------------------------------------------------

describe("API.md: autograd", () => {
  it("backward accumulates, grad = null resets, noGrad returns the callback's value", () => {
    const x = dt.tensor([[1, 2], [3, 4]], { requiresGrad: true });
    const y = x.mul(x).sum(); // dy/dx = 2x
    y.backward();
    assert.deepEqual(x.grad!.toArray(), [[2, 4], [6, 8]]);
    x.mul(x).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [[4, 8], [12, 16]]);
    x.grad = null;
    x.sum().backward();
    assert.deepEqual(x.grad!.toArray(), [[1, 1], [1, 1]]);
    const r = dt.noGrad(() => x.mul(2));
    assert.equal(r.requiresGrad, false);
    assert.equal(dt.noGrad(() => 42), 42);
  });

  it("t.backward(gradient?, { retainGraph? }); a second backward through a freed graph throws", () => {
    const x = dt.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.mul(3); // dy/dx = 3
    y.backward(dt.tensor([1, 0, 2]), { retainGraph: true });
    assert.deepEqual(x.grad!.toArray(), [3, 0, 6]);
    y.backward(dt.ones([3]));
    assert.deepEqual(x.grad!.toArray(), [6, 3, 9]);
    assert.throws(() => y.backward(dt.ones([3])), /retainGraph/);
    // convention 16: a retained graph runs backward any number of times
    const z = x.square().sum();
    x.grad = null;
    for (let i = 0; i < 3; i++) z.backward(undefined, { retainGraph: true });
    assert.deepEqual(x.grad!.toArray(), [6, 12, 18]);
  });

  it("dt.grad(outputs, inputs, { gradOutputs, createGraph, retainGraph })", () => {
    const x = dt.tensor([1, 2, 3], { requiresGrad: true });
    const y = x.pow(3).sum(); // dy/dx = 3x^2, d2y/dx2 = 6x
    const [g] = dt.grad(y, [x], { createGraph: true });
    assert.deepEqual(g!.toArray(), [3, 12, 27]);
    assert.equal(x.grad, null, "dt.grad does not touch .grad");
    const [h] = dt.grad(g!.sum(), [x]);
    assert.deepEqual(h!.toArray(), [6, 12, 18]);
    const w = x.mul(2);
    const [gw] = dt.grad([w], [x], { gradOutputs: [dt.tensor([1, 1, 0.5])], retainGraph: true });
    assert.deepEqual(gw!.toArray(), [2, 2, 1]);
    const [gw2] = dt.grad(w, x, { gradOutputs: dt.ones([3]) });
    assert.deepEqual(gw2!.toArray(), [2, 2, 2]);
  });
});

// ---- Backends ------------------------------------------------------------------------------------------

describe("API.md: backends and threads (convention 14)", () => {
  it("setBackend / getBackend / listBackends / setNumThreads / getNumThreads", () => {
    const before = dt.getBackend();
    assert.equal(typeof before, "string");
    const names = dt.listBackends();
    assert.ok(Array.isArray(names) && names.includes("js") && names.includes(before));
    dt.setBackend("js");
    assert.equal(dt.getBackend(), "js");
    assert.equal(dt.add(dt.tensor([1]), 1).item(), 2);
    assert.throws(() => dt.setBackend("no-such-backend"));
    dt.setBackend(before);
    const n = dt.getNumThreads();
    assert.ok(Number.isInteger(n) && n >= 1);
    dt.setNumThreads(1);
    assert.equal(dt.getNumThreads(), 1);
    dt.setNumThreads(n);
  });
});

// ---- nn.Module -----------------------------------------------------------------------------------------

class Net extends nn.Module {
  layers = new nn.ModuleList([new nn.Linear(4, 8), new nn.Linear(8, 2)]);
  bn = new nn.BatchNorm1d(8);
  scale = new nn.Parameter(dt.ones([2]));
  cache = dt.zeros([3]); // a plain tensor field: not state (convention 15)
  constructor() {
    super();
    this.registerBuffer("steps", dt.zeros([1]));
    this.registerBuffer("scratch", dt.zeros([1]), false);
  }
  override forward(x: Tensor): Tensor {
    return this.layers[1].call(F.relu(this.bn.call(this.layers[0].call(x)))).mul(this.scale);
  }
}

describe("API.md: nn.Module", () => {
  it("registration, traversal arrays, dotted names (convention 1, 15)", () => {
    const net = new Net();
    const names = net.namedParameters().map(([k]) => k);
    // as torch: the module's own parameters first, then each child's, depth first
    assert.deepEqual(names, ["scale", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias", "bn.weight", "bn.bias"]);
    assert.ok(Array.isArray(net.parameters()) && net.parameters().length === 7);
    assert.ok(Array.isArray(net.buffers()));
    assert.equal(net.buffers().length, 5); // running_mean, running_var, num_batches_tracked, steps, scratch
    assert.ok(Array.isArray(net.children()));
    assert.equal(net.children().length, 2);
    assert.ok(Array.isArray(net.modules()));
    assert.equal(net.modules().length, 5); // net, list, linear, linear, bn
    assert.equal(net.numParameters(), 4 * 8 + 8 + 8 * 2 + 2 + 8 + 8 + 2);
    const sd = net.stateDict();
    assert.ok(!(sd instanceof Map));
    // torch's state_dict order: own parameters, own persistent buffers, then children
    assert.deepEqual(Object.keys(sd), [
      "scale", "steps", "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
      "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var", "bn.num_batches_tracked",
    ]);
    for (const k of ["steps", "scale", "bn.num_batches_tracked", "bn.running_mean"]) assert.ok(k in sd, k);
    assert.ok(!("scratch" in sd) && !("cache" in sd));
    assert.equal(sd["bn.num_batches_tracked"].dtype, "int32"); // convention 2
    assert.deepEqual(sd["bn.num_batches_tracked"].shape, []);
  });

  it("call, train/eval, zeroGrad nulls, to, apply", () => {
    const net = new Net();
    assert.equal(net.training, true);
    const y = net.call(dt.randn([5, 4]));
    assert.deepEqual(y.shape, [5, 2]);
    y.sum().backward();
    assert.ok(net.parameters().every((p) => p.grad !== null));
    net.zeroGrad();
    assert.ok(net.parameters().every((p) => p.grad === null));
    assert.equal(net.eval(), net);
    assert.ok(net.modules().every((m) => m.training === false));
    net.train();
    assert.ok(net.modules().every((m) => m.training === true));
    net.train(false);
    assert.equal(net.bn.training, false);
    const seen: string[] = [];
    assert.equal(net.apply((m) => seen.push(m.constructor.name)), net);
    assert.deepEqual(seen, ["Linear", "Linear", "ModuleList", "BatchNorm1d", "Net"]);
    net.to("float64");
    assert.ok(net.parameters().every((p) => p.dtype === "float64"));
    assert.equal(net.bn.num_batches_tracked!.dtype, "int32");
    assert.deepEqual(net.call(dt.randn([2, 4], { dtype: "float64" })).dtype, "float64");
  });

  it("loadStateDict: record or Map, strict, num_batches_tracked optional (conventions 2, 3)", () => {
    const a = new Net(), b = new Net();
    const sd = a.stateDict();
    b.loadStateDict(sd);
    assert.deepEqual(b.layers[0].weight.toArray(), a.layers[0].weight.toArray());
    const c = new Net();
    c.loadStateDict(new Map(Object.entries(sd)));
    assert.deepEqual(c.scale.toArray(), a.scale.toArray());
    const { ["bn.num_batches_tracked"]: _, ...without } = sd;
    assert.doesNotThrow(() => new Net().loadStateDict(without));
    const { scale: __, ...missing } = sd;
    assert.throws(() => new Net().loadStateDict(missing), /scale/);
    const r = new Net().loadStateDict({ ...missing, extra: dt.zeros([1]) }, { strict: false });
    assert.deepEqual(r.missingKeys, ["scale"]);
    assert.deepEqual(r.unexpectedKeys, ["extra"]);
    assert.throws(() => new Net().loadStateDict({ ...sd, extra: dt.zeros([1]) }), /extra/);
  });

  it("containers: Sequential, ModuleList, ModuleDict, Parameter", () => {
    const seq = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 1));
    assert.deepEqual(seq.call(dt.zeros([2, 3])).shape, [2, 1]);
    assert.deepEqual(Object.keys(seq.stateDict()), ["0.weight", "0.bias", "2.weight", "2.bias"]);
    const list = new nn.ModuleList([new nn.Linear(2, 2)]);
    list.append(new nn.Linear(2, 3));
    assert.equal(list.length, 2);
    assert.deepEqual([...list].map((m) => (m as InstanceType<typeof nn.Linear>).outFeatures), [2, 3]);
    const dict = new nn.ModuleDict({ a: new nn.Linear(2, 2), b: new nn.Identity() });
    assert.deepEqual(Object.keys(dict.stateDict()), ["a.weight", "a.bias"]);
    const p = new nn.Parameter(dt.zeros([2]));
    assert.ok(p instanceof dt.Tensor);
    assert.equal(p.requiresGrad, true);
  });
});

// ---- layers --------------------------------------------------------------------------------------------

const keys = (m: InstanceType<typeof nn.Module>) => Object.keys(m.stateDict());

describe("API.md: layers", () => {
  it("Linear, Bilinear, Flatten, Unflatten, Identity", () => {
    const l = new nn.Linear(4, 3);
    assert.deepEqual(l.weight.shape, [3, 4]);
    assert.deepEqual(keys(l), ["weight", "bias"]);
    assert.equal(new nn.Linear(4, 3, { bias: false }).bias, null);
    assert.deepEqual(keys(new nn.Linear(4, 3, { bias: false })), ["weight"]);
    assert.deepEqual(l.call(dt.zeros([2, 5, 4])).shape, [2, 5, 3]);
    // default init: U(-1/sqrt(in), 1/sqrt(in)) for both
    assert.ok(l.weight.abs().max().item() <= 0.5 && l.bias!.abs().max().item() <= 0.5);
    const bl = new nn.Bilinear(4, 5, 3);
    assert.deepEqual(bl.weight.shape, [3, 4, 5]);
    assert.deepEqual(bl.call(dt.zeros([2, 4]), dt.zeros([2, 5])).shape, [2, 3]);
    assert.deepEqual(new nn.Flatten().call(dt.zeros([2, 3, 4])).shape, [2, 12]);
    assert.deepEqual(new nn.Flatten(0).call(dt.zeros([2, 3, 4])).shape, [24]);
    assert.deepEqual(new nn.Unflatten(1, [2, 4]).call(dt.zeros([3, 8])).shape, [3, 2, 4]);
    const x = dt.zeros([2]);
    assert.equal(new nn.Identity().call(x), x);
  });

  it("Conv1d, Conv2d(inC, outC, kernelSize, { stride, padding, dilation, groups, bias }), ConvTranspose2d", () => {
    const c1 = new nn.Conv1d(2, 4, 3);
    assert.deepEqual(c1.weight.shape, [4, 2, 3]);
    assert.deepEqual(c1.call(dt.zeros([1, 2, 10])).shape, [1, 4, 8]);
    const c2 = new nn.Conv2d(4, 8, 3, { stride: 2, padding: 1, dilation: 1, groups: 2, bias: false });
    assert.deepEqual(c2.weight.shape, [8, 2, 3, 3]);
    assert.equal(c2.bias, null);
    assert.deepEqual(c2.call(dt.zeros([1, 4, 9, 9])).shape, [1, 8, 5, 5]);
    assert.deepEqual(new nn.Conv2d(1, 1, [3, 1], { padding: [1, 0] }).call(dt.zeros([1, 1, 5, 5])).shape, [1, 1, 5, 5]);
    const t2 = new nn.ConvTranspose2d(8, 4, 2, { stride: 2 });
    assert.deepEqual(t2.weight.shape, [8, 4, 2, 2]);
    assert.deepEqual(t2.call(dt.zeros([1, 8, 3, 3])).shape, [1, 4, 6, 6]);
    assert.deepEqual(keys(t2), ["weight", "bias"]);
  });

  it("pooling layers", () => {
    const x1 = dt.arange(8).to("float32").reshape(1, 1, 8);
    assert.deepEqual(new nn.MaxPool1d(2).call(x1).toArray(), [[[1, 3, 5, 7]]]);
    assert.deepEqual(new nn.AvgPool1d(2).call(x1).toArray(), [[[0.5, 2.5, 4.5, 6.5]]]);
    const x2 = dt.arange(16).to("float32").reshape(1, 1, 4, 4);
    assert.deepEqual(new nn.MaxPool2d(2).call(x2).toArray(), [[[[5, 7], [13, 15]]]]);
    assert.deepEqual(new nn.MaxPool2d(2, { stride: 1 }).call(x2).shape, [1, 1, 3, 3]);
    assert.deepEqual(new nn.AvgPool2d(2).call(x2).toArray(), [[[[2.5, 4.5], [10.5, 12.5]]]]);
    assert.deepEqual(new nn.AdaptiveAvgPool2d(1).call(x2).toArray(), [[[[7.5]]]]);
    assert.deepEqual(new nn.AdaptiveAvgPool2d([2, 1]).call(x2).shape, [1, 1, 2, 1]);
  });

  it("BatchNorm1d/2d, LayerNorm, GroupNorm", () => {
    const bn = new nn.BatchNorm1d(3);
    assert.deepEqual(keys(bn), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    const x = dt.tensor([[1, 2, 3], [3, 6, 9]]);
    const y = bn.call(x);
    close(y.toArray(), [[-0.99999, -0.99999875, -0.99999946], [0.99999, 0.99999875, 0.99999946]], 1e-4);
    // running stats: 0.9 * 0 + 0.1 * mean; 0.9 * 1 + 0.1 * unbiased var
    close(bn.running_mean!.toArray(), [0.2, 0.4, 0.6]);
    close(bn.running_var!.toArray(), [1.1, 1.7, 2.7]);
    assert.equal(bn.num_batches_tracked!.item(), 1);
    bn.eval();
    close(bn.call(dt.tensor([[0.2, 0.4, 0.6]])).toArray(), [[0, 0, 0]]);
    const bn2 = new nn.BatchNorm2d(2, { eps: 1e-3, momentum: 0.5, affine: true, trackRunningStats: true });
    assert.deepEqual(bn2.call(dt.randn([2, 2, 3, 3])).shape, [2, 2, 3, 3]);
    const ln = new nn.LayerNorm(4);
    assert.deepEqual(keys(ln), ["weight", "bias"]);
    close(ln.call(dt.tensor([[1, 2, 3, 4]])).toArray(), [[-1.3416355, -0.4472118, 0.4472118, 1.3416355]]);
    assert.deepEqual(new nn.LayerNorm([2, 3], { eps: 1e-6 }).weight!.shape, [2, 3]);
    const gn = new nn.GroupNorm(2, 4);
    assert.deepEqual(keys(gn), ["weight", "bias"]);
    close(gn.call(dt.tensor([[1, 3, 5, 9]])).toArray(), [[-0.999995, 0.999995, -0.9999988, 0.9999988]]);
  });

  it("Dropout and the activation modules accept options or the first argument (convention 5)", () => {
    assert.equal(new nn.Dropout().p, 0.5);
    assert.equal(new nn.Dropout(0.1).p, 0.1);
    assert.equal(new nn.Dropout({ p: 0.1 }).p, 0.1);
    const d = new nn.Dropout(0.5);
    const x = dt.ones([1000]);
    const y = d.call(x);
    const kept = y.ne(0).sum().item();
    assert.ok(kept > 400 && kept < 600);
    assert.ok(y.dataSync().every((v) => v === 0 || v === 2));
    d.eval();
    assert.deepEqual(d.call(x).toArray(), x.toArray());
    const v = dt.tensor([-1, 0, 2]);
    assert.deepEqual(new nn.LeakyReLU(0.2).call(v).toArray().map((z: number) => +z.toFixed(6)), [-0.2, 0, 2]);
    assert.deepEqual(new nn.LeakyReLU({ negativeSlope: 0.2 }).call(v).toArray().map((z: number) => +z.toFixed(6)), [-0.2, 0, 2]);
    close(new nn.LeakyReLU().call(v).toArray(), [-0.01, 0, 2]);
    close(new nn.LogSoftmax(1).call(dt.tensor([[1, 2, 3]])).toArray(), [[-2.4076059, -1.4076059, -0.4076059]]);
    close(new nn.LogSoftmax({ dim: 1 }).call(dt.tensor([[1, 2, 3]])).toArray(), [[-2.4076059, -1.4076059, -0.4076059]]);
    close(new nn.Softmax(0).call(dt.tensor([1, 2, 3])).toArray(), [0.09003057, 0.24472847, 0.66524096]);
    close(new nn.Softmax({ dim: -1 }).call(dt.tensor([[1, 2, 3]])).toArray(), [[0.09003057, 0.24472847, 0.66524096]]);
    close(new nn.ReLU().call(v).toArray(), [0, 0, 2]);
    close(new nn.GELU().call(v).toArray(), [-0.15865526, 0, 1.9544997]);
    close(new nn.GELU({ approximate: "tanh" }).call(v).toArray(), [-0.15880801, 0, 1.9545977]);
    close(new nn.SiLU().call(v).toArray(), [-0.26894143, 0, 1.7615942]);
    close(new nn.Tanh().call(v).toArray(), [-0.7615942, 0, 0.9640276]);
    close(new nn.Sigmoid().call(v).toArray(), [0.26894143, 0.5, 0.8807971]);
    close(new nn.ELU().call(v).toArray(), [-0.63212055, 0, 2]);
    close(new nn.ELU(0.5).call(v).toArray(), [-0.31606028, 0, 2]);
    close(new nn.ELU({ alpha: 0.5 }).call(v).toArray(), [-0.31606028, 0, 2]);
    close(new nn.Softplus().call(v).toArray(), [0.31326169, 0.69314718, 2.126928]);
    close(new nn.Softplus({ beta: 2 }).call(v).toArray(), [0.06346401, 0.34657359, 2.0090749]);
    close(new nn.Softplus(2).call(v).toArray(), [0.06346401, 0.34657359, 2.0090749]);
  });

  it("Embedding(num, dim, { paddingIdx })", () => {
    const e = new nn.Embedding(10, 4, { paddingIdx: 0 });
    assert.deepEqual(keys(e), ["weight"]);
    assert.deepEqual(e.weight.narrow(0, 0, 1).toArray(), [[0, 0, 0, 0]]);
    const idx = dt.tensor([[0, 3], [3, 9]], { dtype: "int32" });
    const y = e.call(idx);
    assert.deepEqual(y.shape, [2, 2, 4]);
    y.sum().backward();
    assert.deepEqual(e.weight.grad!.narrow(0, 0, 1).toArray(), [[0, 0, 0, 0]]);
    assert.deepEqual(e.weight.grad!.narrow(0, 3, 1).toArray(), [[2, 2, 2, 2]]);
  });
});

describe("API.md: recurrent layers (convention 4)", () => {
  it("RNN/GRU return [output, hN]; LSTM [output, [hN, cN]]; options and PyTorch keys", () => {
    const rnn = new nn.RNN(3, 5, { numLayers: 2, batchFirst: true, bidirectional: true, dropout: 0 });
    assert.deepEqual(keys(rnn), [
      "weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0",
      "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse", "bias_hh_l0_reverse",
      "weight_ih_l1", "weight_hh_l1", "bias_ih_l1", "bias_hh_l1",
      "weight_ih_l1_reverse", "weight_hh_l1_reverse", "bias_ih_l1_reverse", "bias_hh_l1_reverse",
    ]);
    assert.deepEqual(rnn.stateDict()["weight_ih_l1"].shape, [5, 10]);
    const x = dt.randn([4, 7, 3]); // [N, T, I]
    const [out, hN] = rnn.call(x);
    assert.deepEqual(out.shape, [4, 7, 10]);
    assert.deepEqual(hN.shape, [4, 4, 5]);
    const [out2] = rnn.call(x, dt.zeros([4, 4, 5]));
    assert.deepEqual(out2.toArray(), out.toArray());
    const lstm = new nn.LSTM(3, 5);
    assert.deepEqual(lstm.stateDict()["weight_ih_l0"].shape, [20, 3]);
    const xs = dt.randn([7, 2, 3]); // [T, N, I]
    const [o, [h, c]] = lstm.call(xs);
    assert.deepEqual(o.shape, [7, 2, 5]);
    assert.deepEqual(h.shape, [1, 2, 5]);
    assert.deepEqual(c.shape, [1, 2, 5]);
    const [o2, [h2]] = lstm.call(xs, [dt.zeros([1, 2, 5]), dt.zeros([1, 2, 5])]);
    close(o2.toArray(), o.toArray());
    close(h2.toArray(), h.toArray());
    // the last output step is hN
    close(o.narrow(0, 6, 1).toArray(), h.toArray());
    const gru = new nn.GRU(3, 5, { numLayers: 1 });
    assert.deepEqual(gru.stateDict()["weight_hh_l0"].shape, [15, 5]);
    const [go, gh] = gru.call(xs, null);
    assert.deepEqual(go.shape, [7, 2, 5]);
    assert.deepEqual(gh.shape, [1, 2, 5]);
  });

  it("cells: rnnCell.call(x, h?), lstmCell.call(x, [h, c]?) -> [h, c], gruCell.call(x, h?)", () => {
    const x = dt.randn([2, 3]);
    const rc = new nn.RNNCell(3, 4);
    assert.deepEqual(keys(rc), ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]);
    assert.deepEqual(rc.call(x).shape, [2, 4]);
    assert.deepEqual(rc.call(x, dt.zeros([2, 4])).shape, [2, 4]);
    const lc = new nn.LSTMCell(3, 4);
    assert.deepEqual(lc.stateDict()["weight_ih"].shape, [16, 3]);
    const [h, c] = lc.call(x);
    assert.deepEqual(h.shape, [2, 4]);
    const [h2, c2] = lc.call(x, [h, c]);
    assert.deepEqual(c2.shape, [2, 4]);
    assert.deepEqual(h2.shape, [2, 4]);
    const gc = new nn.GRUCell(3, 4);
    assert.deepEqual(gc.stateDict()["weight_hh"].shape, [12, 4]);
    assert.deepEqual(gc.call(x, undefined).shape, [2, 4]);
  });
});

describe("API.md: attention and Transformer (conventions 7, 8, 17)", () => {
  it("MultiheadAttention(embedDim, numHeads, { dropout, batchFirst }).call(q, k, v, opts) -> [out, weights]", () => {
    const mha = new nn.MultiheadAttention(8, 2, { dropout: 0, batchFirst: true });
    assert.deepEqual(keys(mha), ["in_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias"]);
    const q = dt.randn([3, 5, 8]), kv = dt.randn([3, 6, 8]); // [N, L, E], [N, S, E]
    const [out, w] = mha.call(q, kv, kv);
    assert.deepEqual(out.shape, [3, 5, 8]);
    assert.deepEqual(w!.shape, [3, 5, 6]); // averaged over heads
    close(w!.sum(-1).toArray(), dt.ones([3, 5]).toArray());
    const [, wh] = mha.call(q, kv, kv, { averageAttnWeights: false });
    assert.deepEqual(wh!.shape, [3, 2, 5, 6]);
    const [o2, none] = mha.call(q, kv, kv, { needWeights: false });
    assert.equal(none, null);
    close(o2.toArray(), out.toArray());
    // convention 7: here a bool mask is true where masked out
    const kpm = dt.tensor([[false, false, true, true, true, true], [false, true, true, true, true, true], [false, false, false, false, false, true]]);
    const [, wk] = mha.call(q, kv, kv, { keyPaddingMask: kpm });
    const wa = wk!.toArray() as number[][][];
    for (let n = 0; n < 3; n++)
      for (let l = 0; l < 5; l++) for (let s = 0; s < 6; s++) if (kpm.toArray()[n][s]) assert.equal(wa[n][l][s], 0);
    const am = dt.tensor([[false, true, true, true, true, true]]).expand(5, 6); // [L, S]
    const [, wm] = mha.call(q, kv, kv, { attnMask: am });
    close(wm!.narrow(2, 0, 1).toArray(), dt.ones([3, 5, 1]).toArray());
    // sequence-first by default: [L, N, E]
    const m2 = new nn.MultiheadAttention(4, 1);
    assert.deepEqual(m2.call(dt.randn([5, 2, 4]), dt.randn([6, 2, 4]), dt.randn([6, 2, 4]))[1]!.shape, [2, 5, 6]);
  });

  it("F.scaledDotProductAttention: a bool attnMask true means may attend (convention 7)", () => {
    const q = dt.randn([2, 3, 4]), k = dt.randn([2, 5, 4]), v = dt.randn([2, 5, 4]);
    const y = F.scaledDotProductAttention(q, k, v);
    assert.deepEqual(y.shape, [2, 3, 4]);
    const only0 = dt.tensor([[true, false, false, false, false]]); // [1, S]: every query sees key 0 only
    const y0 = F.scaledDotProductAttention(q, k, v, { attnMask: only0 });
    close(y0.toArray(), v.narrow(1, 0, 1).expand(2, 3, 4).toArray());
    // a float mask is added to the scores
    const fm = dt.tensor([[0, -Infinity, -Infinity, -Infinity, -Infinity]]);
    close(F.scaledDotProductAttention(q, k, v, { attnMask: fm }).toArray(), y0.toArray());
    // isCausal: query i attends keys 0..i (top-left aligned); scale defaults to 1/sqrt(E)
    const qc = dt.randn([1, 3, 4]), kc = dt.randn([1, 3, 4]), vc = dt.randn([1, 3, 4]);
    const yc = F.scaledDotProductAttention(qc, kc, vc, { isCausal: true, dropoutP: 0 });
    close(yc.narrow(1, 0, 1).toArray(), vc.narrow(1, 0, 1).toArray());
    const manual = dt.matmul(F.softmax(dt.matmul(qc, kc.transpose(-1, -2)).mul(0.25), -1), vc);
    close(F.scaledDotProductAttention(qc, kc, vc, { scale: 0.25 }).toArray(), manual.toArray());
  });

  it("TransformerEncoderLayer / DecoderLayer options, call signatures, stacks that clone (convention 17)", () => {
    const opts = { dimFeedforward: 16, dropout: 0, activation: "gelu" as const, layerNormEps: 1e-6, batchFirst: true, normFirst: true, bias: true };
    const enc = new nn.TransformerEncoderLayer(8, 2, opts);
    assert.deepEqual(keys(enc), [
      "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
      "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias",
    ]);
    assert.deepEqual(enc.stateDict()["linear1.weight"].shape, [16, 8]);
    const src = dt.randn([2, 5, 8]);
    assert.deepEqual(enc.call(src).shape, [2, 5, 8]);
    const causal = dt.triu(dt.ones([5, 5]), 1).to("bool"); // true = masked out
    const a = enc.call(src, { srcMask: causal });
    const b = enc.call(src, { isCausal: true });
    close(a.toArray(), b.toArray());
    const kpm = dt.tensor([[false, false, false, true, true], [false, false, false, false, false]]);
    assert.deepEqual(enc.call(src, { srcMask: causal, srcKeyPaddingMask: kpm, isCausal: true }).shape, [2, 5, 8]);
    // causal: changing the last position does not change the first ones
    const src2 = dt.cat([src.narrow(1, 0, 4), dt.randn([2, 1, 8])], 1);
    close(enc.call(src2, { isCausal: true }).narrow(1, 0, 4).toArray(), b.narrow(1, 0, 4).toArray(), 1e-4);
    const defaults = new nn.TransformerEncoderLayer(8, 2);
    assert.deepEqual(defaults.stateDict()["linear1.weight"].shape, [2048, 8]);
    assert.equal((defaults.dropout as InstanceType<typeof nn.Dropout>).p, 0.1);
    assert.equal(defaults.norm1.eps, 1e-5);
    const stack = new nn.TransformerEncoder(enc, 2, { norm: new nn.LayerNorm(8) });
    const sk = keys(stack);
    assert.ok(sk.includes("layers.0.self_attn.in_proj_weight") && sk.includes("layers.1.linear1.bias") && sk.includes("norm.weight"));
    assert.notEqual(stack.layers[0], enc);
    assert.notEqual(stack.layers[0].linear1.weight, stack.layers[1].linear1.weight);
    assert.deepEqual(stack.layers[1].linear1.weight.toArray(), enc.linear1.weight.toArray()); // clones, as PyTorch
    assert.deepEqual(stack.call(src, { mask: causal }).shape, [2, 5, 8]);

    const dec = new nn.TransformerDecoderLayer(8, 2, { ...opts, normFirst: false, activation: "relu" });
    const dk = keys(dec);
    assert.ok(dk.includes("multihead_attn.in_proj_weight") && dk.includes("norm3.bias") && dk.includes("self_attn.out_proj.weight"));
    const tgt = dt.randn([2, 4, 8]), mem = dt.randn([2, 5, 8]);
    const tm = dt.triu(dt.ones([4, 4]), 1).to("bool");
    const y1 = dec.call(tgt, mem, { tgtMask: tm });
    const y2 = dec.call(tgt, mem, { tgtIsCausal: true });
    close(y1.toArray(), y2.toArray());
    const full = dec.call(tgt, mem, {
      tgtMask: tm, memoryMask: dt.zeros([4, 5]).to("bool"), tgtKeyPaddingMask: dt.zeros([2, 4]).to("bool"),
      memoryKeyPaddingMask: dt.tensor([[false, false, false, false, true], [false, false, false, false, false]]), tgtIsCausal: true,
    });
    assert.deepEqual(full.shape, [2, 4, 8]);
    const ds = new nn.TransformerDecoder(dec, 2);
    assert.ok(keys(ds).includes("layers.1.multihead_attn.out_proj.bias"));
    assert.deepEqual(ds.call(tgt, mem, { tgtMask: tm }).shape, [2, 4, 8]);
  });
});

// ---- nn.functional ---------------------------------------------------------------------------------------

describe("API.md: nn.functional (conventions 5, 6)", () => {
  it("activations, softmax(x, dim), dropout(x, { p, training })", () => {
    const v = dt.tensor([-1, 0, 2]);
    close(F.relu(v).toArray(), [0, 0, 2]);
    close(F.gelu(v).toArray(), [-0.15865526, 0, 1.9544997]);
    close(F.gelu(v, { approximate: "tanh" }).toArray(), [-0.15880801, 0, 1.9545977]);
    close(F.gelu(v, { approximate: "none" }).toArray(), [-0.15865526, 0, 1.9544997]);
    close(F.silu(v).toArray(), [-0.26894143, 0, 1.7615942]);
    close(F.tanh(v).toArray(), [-0.7615942, 0, 0.9640276]);
    close(F.sigmoid(v).toArray(), [0.26894143, 0.5, 0.8807971]);
    close(F.leakyRelu(v).toArray(), [-0.01, 0, 2]);
    close(F.leakyRelu(v, { negativeSlope: 0.2 }).toArray(), [-0.2, 0, 2]);
    close(F.elu(v, { alpha: 2 }).toArray(), [-1.2642411, 0, 2]);
    close(F.softplus(v, { beta: 1, threshold: 1 }).toArray(), [0.31326169, 0.69314718, 2]); // linear above threshold
    close(F.softmax(dt.tensor([[1, 2, 3]]), 1).toArray(), [[0.09003057, 0.24472847, 0.66524096]]);
    close(F.logSoftmax(dt.tensor([[1, 2], [3, 5]]), 0).toArray(), [[-2.126928, -3.0485873], [-0.126928, -0.04858735]]);
    const x = dt.ones([100]);
    assert.deepEqual(F.dropout(x, { training: false }).toArray(), x.toArray());
    assert.deepEqual(F.dropout(x, { p: 0 }).toArray(), x.toArray());
    assert.ok(F.dropout(x, { p: 0.2 }).dataSync().every((z) => z === 0 || Math.abs(z - 1.25) < 1e-6));
    assert.ok(F.dropout(x).dataSync().every((z) => z === 0 || z === 2)); // p = 0.5, training = true by default
  });

  it("linear(x, weight, bias?) with null or undefined for the omitted bias", () => {
    const x = dt.tensor([[1, 2]]), w = dt.tensor([[1, 0], [0, 1], [1, 1]]), b = dt.tensor([1, 1, 1]);
    assert.deepEqual(F.linear(x, w, b).toArray(), [[2, 3, 4]]);
    assert.deepEqual(F.linear(x, w).toArray(), [[1, 2, 3]]);
    assert.deepEqual(F.linear(x, w, null).toArray(), [[1, 2, 3]]);
    assert.deepEqual(F.linear(x, w, undefined).toArray(), [[1, 2, 3]]);
  });

  it("conv1d, conv2d, convTranspose2d(x, weight, bias?, { ... })", () => {
    const x = dt.tensor([[[1, 2, 3, 4]]]), w = dt.tensor([[[1, 1]]]);
    assert.deepEqual(F.conv1d(x, w).toArray(), [[[3, 5, 7]]]);
    assert.deepEqual(F.conv1d(x, w, dt.tensor([1])).toArray(), [[[4, 6, 8]]]);
    assert.deepEqual(F.conv1d(x, w, null, { stride: 2 }).toArray(), [[[3, 7]]]);
    assert.deepEqual(F.conv1d(x, w, undefined, { padding: 1 }).toArray(), [[[1, 3, 5, 7, 4]]]);
    assert.deepEqual(F.conv1d(x, w, null, { dilation: 2 }).toArray(), [[[4, 6]]]);
    const x2 = dt.arange(9).to("float32").reshape(1, 1, 3, 3);
    assert.deepEqual(F.conv2d(x2, dt.ones([1, 1, 2, 2])).toArray(), [[[[8, 12], [20, 24]]]]);
    assert.deepEqual(F.conv2d(x2, dt.ones([1, 1, 2, 2]), null, { stride: [1, 2], padding: [0, 1] }).toArray(), [[[[3, 12], [9, 24]]]]);
    const g = F.conv2d(dt.ones([1, 2, 2, 2]), dt.tensor([1, 2]).reshape(2, 1, 1, 1), null, { groups: 2 });
    assert.deepEqual(g.toArray(), [[[[1, 1], [1, 1]], [[2, 2], [2, 2]]]]);
    const xt = dt.tensor([[[[1, 2], [3, 4]]]]), wt = dt.ones([1, 1, 2, 2]);
    assert.deepEqual(F.convTranspose2d(xt, wt).toArray(), [[[[1, 3, 2], [4, 10, 6], [3, 7, 4]]]]);
    assert.deepEqual(F.convTranspose2d(xt, wt, null, { padding: 1 }).toArray(), [[[[10]]]]);
    assert.deepEqual(F.convTranspose2d(xt, wt, dt.tensor([1]), { stride: 2 }).toArray(), [[[[2, 2, 3, 3], [2, 2, 3, 3], [4, 4, 5, 5], [4, 4, 5, 5]]]]);
    assert.deepEqual(F.convTranspose2d(xt, wt, null, { stride: 2, outputPadding: 1, groups: 1, dilation: 1 }).shape, [1, 1, 5, 5]);
  });

  it("pooling: maxPool1d/2d, avgPool1d/2d, adaptiveAvgPool2d", () => {
    const x = dt.arange(16).to("float32").reshape(1, 1, 4, 4);
    assert.deepEqual(F.maxPool2d(x, 2).toArray(), [[[[5, 7], [13, 15]]]]);
    assert.deepEqual(F.maxPool2d(x, 2, { stride: 2, padding: 1 }).toArray(), [[[[0, 2, 3], [8, 10, 11], [12, 14, 15]]]]);
    assert.deepEqual(F.maxPool2d(x, 2, { dilation: 2 }).toArray(), [[[[10]]]]);
    assert.deepEqual(F.maxPool2d(x, 2, { stride: 1, dilation: 2 }).toArray(), [[[[10, 11], [14, 15]]]]);
    const l = dt.arange(5).to("float32").reshape(1, 1, 5);
    assert.deepEqual(F.maxPool1d(l, 2).toArray(), [[[1, 3]]]);
    assert.deepEqual(F.maxPool1d(l, 2, { ceilMode: true }).toArray(), [[[1, 3, 4]]]);
    assert.deepEqual(F.maxPool1d(l, 3, { stride: 1 }).toArray(), [[[2, 3, 4]]]);
    const a = dt.tensor([[[1, 2, 3, 4]]]);
    assert.deepEqual(F.avgPool1d(a, 2).toArray(), [[[1.5, 3.5]]]);
    assert.deepEqual(F.avgPool1d(a, 2, { padding: 1 }).toArray(), [[[0.5, 2.5, 2]]]);
    assert.deepEqual(F.avgPool1d(a, 2, { padding: 1, countIncludePad: false }).toArray(), [[[1, 2.5, 4]]]);
    assert.deepEqual(F.avgPool1d(dt.tensor([[[1, 2, 3, 4, 5]]]), 2, { ceilMode: true }).toArray(), [[[1.5, 3.5, 5]]]);
    assert.deepEqual(F.avgPool2d(x, 2).toArray(), [[[[2.5, 4.5], [10.5, 12.5]]]]);
    assert.deepEqual(F.avgPool2d(x, [2, 4], { stride: [2, 4] }).toArray(), [[[[3.5], [11.5]]]]);
    assert.deepEqual(F.adaptiveAvgPool2d(x, [1, 2]).toArray(), [[[[6.5, 8.5]]]]);
    assert.deepEqual(F.adaptiveAvgPool2d(x, 1).toArray(), [[[[7.5]]]]);
  });

  it("batchNorm, layerNorm, groupNorm with optional tensors positional", () => {
    const x = dt.tensor([[1, 2], [3, 6]]);
    const rm = dt.zeros([2]), rv = dt.ones([2]);
    close(F.batchNorm(x, rm, rv).toArray(), [[0.999995, 1.99999], [2.999985, 5.99997]]); // training = false: running stats
    close(F.batchNorm(x, rm, rv, dt.tensor([2, 1]), dt.tensor([0, 1]), { eps: 0 }).toArray(), [[2, 3], [6, 7]]);
    const y = F.batchNorm(x, rm, rv, null, null, { training: true, momentum: 0.5 });
    close(y.toArray(), [[-0.9999975, -0.99999875], [0.9999975, 0.99999875]]);
    close(rm.toArray(), [1, 2]); // 0.5 * 0 + 0.5 * [2, 4]
    close(rv.toArray(), [1.5, 4.5]); // 0.5 * 1 + 0.5 * unbiased var [2, 8]
    close(F.batchNorm(x, null, null, undefined, undefined, { training: true }).toArray(), y.toArray());
    const r = dt.tensor([[1, 2, 3, 4]]);
    close(F.layerNorm(r, [4]).toArray(), [[-1.3416355, -0.4472118, 0.4472118, 1.3416355]]);
    close(F.layerNorm(r, [4], dt.full([4], 2), null).toArray(), [[-2.683271, -0.8944236, 0.8944236, 2.683271]]);
    close(F.layerNorm(r, [4], null, dt.ones([4]), { eps: 0 }).toArray(), [[-0.3416408, 0.5527864, 1.4472136, 2.3416408]]);
    close(F.groupNorm(dt.tensor([[1, 3, 5, 9]]), 2).toArray(), [[-0.999995, 0.999995, -0.9999988, 0.9999988]]);
    close(F.groupNorm(dt.tensor([[1, 3, 5, 9]]), 2, dt.full([4], 2), dt.ones([4]), { eps: 0 }).toArray(), [[-1, 3, -1, 3]]);
  });

  it("embedding, pad, oneHot", () => {
    const w = dt.tensor([[0, 0], [1, 1], [2, 2]], { requiresGrad: true });
    const e = F.embedding(dt.tensor([[1, 0], [2, 1]], { dtype: "int32" }), w, { paddingIdx: 1 });
    assert.deepEqual(e.toArray(), [[[1, 1], [0, 0]], [[2, 2], [1, 1]]]);
    e.sum().backward();
    assert.deepEqual(w.grad!.toArray(), [[1, 1], [0, 0], [1, 1]]);
    assert.deepEqual(F.embedding(dt.tensor([2], { dtype: "int32" }), w).toArray(), [[2, 2]]);
    const r = dt.tensor([[[1, 2, 3]]]);
    assert.deepEqual(F.pad(r, [1, 1]).toArray(), [[[0, 1, 2, 3, 0]]]);
    assert.deepEqual(F.pad(r, [1, 2], { value: 5 }).toArray(), [[[5, 1, 2, 3, 5, 5]]]);
    assert.deepEqual(F.pad(r, [1, 1], { mode: "reflect" }).toArray(), [[[2, 1, 2, 3, 2]]]);
    assert.deepEqual(F.pad(r, [1, 1], { mode: "replicate" }).toArray(), [[[1, 1, 2, 3, 3]]]);
    assert.deepEqual(F.pad(r, [1, 1], { mode: "circular" }).toArray(), [[[3, 1, 2, 3, 1]]]);
    assert.deepEqual(F.pad(dt.ones([1, 1]), [0, 0, 1, 0], { mode: "constant", value: 0 }).toArray(), [[0], [1]]);
    const oh = F.oneHot(dt.tensor([1, 0], { dtype: "int32" }), 3);
    assert.deepEqual(oh.toArray(), [[0, 1, 0], [1, 0, 0]]);
    assert.equal(oh.dtype, "int32");
  });

  it("losses as functions and modules, with reductions", () => {
    const a = dt.tensor([1, 2, 3]), b = dt.tensor([1, 1, 1]);
    close(F.mseLoss(a, b).item(), 5 / 3);
    close(F.mseLoss(a, b, { reduction: "sum" }).item(), 5);
    assert.deepEqual(F.mseLoss(a, b, { reduction: "none" }).toArray(), [0, 1, 4]);
    close(new nn.MSELoss().call(a, b).item(), 5 / 3);
    close(new nn.MSELoss({ reduction: "sum" }).call(a, b).item(), 5);
    close(F.l1Loss(a, b).item(), 1);
    close(new nn.L1Loss({ reduction: "sum" }).call(a, b).item(), 3);
    const d = dt.tensor([0, 0.5, 3]), z = dt.zeros([3]);
    close(F.smoothL1Loss(d, z).item(), 0.875);
    close(F.smoothL1Loss(d, z, { beta: 2 }).item(), 0.6875);
    close(new nn.SmoothL1Loss({ beta: 2, reduction: "sum" }).call(d, z).item(), 2.0625);
    close(F.huberLoss(d, z).item(), 0.875);
    close(F.huberLoss(d, z, { delta: 2 }).item(), 1.375);
    close(new nn.HuberLoss({ delta: 2 }).call(d, z).item(), 1.375);
    const p = dt.tensor([0.8, 0.2]), y = dt.tensor([1, 0]);
    close(F.binaryCrossEntropy(p, y).item(), 0.22314355);
    close(F.binaryCrossEntropy(p, y, { weight: dt.tensor([1, 2]) }).item(), 0.33471533);
    close(new nn.BCELoss().call(p, y).item(), 0.22314355);
    const lg = dt.tensor([0, 2]);
    close(F.binaryCrossEntropyWithLogits(lg, y).item(), 1.4100376);
    close(F.binaryCrossEntropyWithLogits(lg, y, { posWeight: dt.tensor([2]) }).item(), 1.7566112);
    close(F.binaryCrossEntropyWithLogits(lg, y, { weight: dt.tensor([1, 0]), reduction: "sum" }).item(), 0.6931472);
    close(new nn.BCEWithLogitsLoss({ posWeight: dt.tensor([2]) }).call(lg, y).item(), 1.7566112);
    const lp = dt.log(dt.tensor([0.5, 0.5])), t = dt.tensor([0.25, 0.75]);
    close(F.klDiv(lp, t).item(), 0.0654060);
    close(F.klDiv(lp, t, { reduction: "sum" }).item(), 0.130812);
    close(F.klDiv(lp, dt.log(t), { reduction: "sum", logTarget: true }).item(), 0.130812);
    close(new nn.KLDivLoss({ reduction: "batchmean" }).call(lp.reshape(1, 2), t.reshape(1, 2)).item(), 0.130812);
    const logp = dt.tensor([[-1, -2, -3], [-0.5, -1, -2]]);
    const tg = dt.tensor([0, 2], { dtype: "int32" });
    close(F.nllLoss(logp, tg).item(), 1.5);
    close(F.nllLoss(logp, tg, { weight: dt.tensor([1, 1, 2]) }).item(), 5 / 3);
    close(F.nllLoss(logp, dt.tensor([0, -100], { dtype: "int32" })).item(), 1);
    close(F.nllLoss(logp, dt.tensor([0, 1], { dtype: "int32" }), { ignoreIndex: 1, reduction: "sum" }).item(), 1);
    close(new nn.NLLLoss().call(logp, tg).item(), 1.5);
    const logits = dt.tensor([[1, 2, 3], [1, 2, 3]]);
    close(F.crossEntropy(logits.narrow(0, 0, 1), dt.tensor([2], { dtype: "int32" })).item(), 0.40760596);
    close(F.crossEntropy(logits, dt.tensor([2, 0], { dtype: "int32" })).item(), (0.40760596 + 2.40760596) / 2);
    close(F.crossEntropy(logits, dt.tensor([2, 0], { dtype: "int32" }), { reduction: "none" }).toArray(), [0.40760596, 2.40760596]);
    close(F.crossEntropy(logits, dt.tensor([2, -100], { dtype: "int32" })).item(), 0.40760596);
    close(F.crossEntropy(logits, dt.tensor([2, 5], { dtype: "int32" }), { ignoreIndex: 5 }).item(), 0.40760596);
    close(F.crossEntropy(logits.narrow(0, 0, 1), dt.tensor([2], { dtype: "int32" }), { labelSmoothing: 0.1 }).item(), 0.50760596);
    close(new nn.CrossEntropyLoss({ labelSmoothing: 0.1, ignoreIndex: -1 }).call(logits, dt.tensor([2, -1], { dtype: "int32" })).item(), 0.50760596);
    close(F.crossEntropy(logits, dt.tensor([[0, 0, 1], [1, 0, 0]])).item(), (0.40760596 + 2.40760596) / 2); // probabilities
    close(F.crossEntropy(logits, dt.tensor([2, 0], { dtype: "int32" }), { weight: dt.tensor([3, 1, 1]) }).item(), (0.40760596 + 3 * 2.40760596) / 4);
    // targets built from JS numbers (float32 holding integers) work too
    close(F.crossEntropy(logits, dt.tensor([2, 0])).item(), (0.40760596 + 2.40760596) / 2);
  });
});

describe("API.md: nn.init and nn.utils", () => {
  it("init functions fill in place and return the tensor", () => {
    const w = dt.zeros([200, 300]);
    assert.equal(nn.init.uniform_(w, { a: -0.1, b: 0.1 }), w);
    assert.ok(w.abs().max().item() <= 0.1 && w.abs().max().item() > 0.09);
    nn.init.uniform_(w);
    assert.ok(w.min().item() >= 0 && w.max().item() <= 1);
    nn.init.normal_(w, { mean: 5, std: 0.01 });
    close(w.mean().item(), 5, 1e-3);
    close(w.std().item(), 0.01, 0.05);
    nn.init.normal_(w);
    close(w.std().item(), 1, 0.02);
    nn.init.constant_(w, 3);
    assert.equal(w.min().item(), 3);
    nn.init.zeros_(w);
    assert.equal(w.abs().max().item(), 0);
    nn.init.ones_(w);
    assert.equal(w.min().item(), 1);
    const bound = Math.sqrt(6 / 500);
    nn.init.xavierUniform_(w);
    assert.ok(w.abs().max().item() <= bound && w.abs().max().item() > 0.95 * bound);
    nn.init.xavierUniform_(w, { gain: 2 });
    assert.ok(w.abs().max().item() > 1.9 * bound);
    nn.init.xavierNormal_(w);
    close(w.std().item(), Math.sqrt(2 / 500), 0.02);
    // fanIn = 300 (size(1)); kaiming_uniform_ with a = 0: bound sqrt(6 / fanIn)
    nn.init.kaimingUniform_(w);
    assert.ok(w.abs().max().item() <= Math.sqrt(6 / 300) && w.abs().max().item() > 0.95 * Math.sqrt(6 / 300));
    nn.init.kaimingUniform_(w, { a: Math.sqrt(5) });
    assert.ok(w.abs().max().item() <= 1 / Math.sqrt(300));
    nn.init.kaimingNormal_(w, { mode: "fan_out", nonlinearity: "relu" });
    close(w.std().item(), Math.sqrt(2 / 200), 0.02);
    const q = dt.zeros([4, 6]);
    assert.equal(nn.init.orthogonal_(q), q);
    close(q.matmul(q.T).toArray(), dt.eye(4).toArray(), 1e-4);
    nn.init.orthogonal_(q, { gain: 2 });
    close(q.matmul(q.T).toArray(), dt.eye(4).mul(4).toArray(), 1e-4);
  });

  it("clipGradNorm_(params, maxNorm), clipGradValue_, parametersToVector, vectorToParameters", () => {
    const a = new nn.Parameter(dt.zeros([2])), b = new nn.Parameter(dt.zeros([1]));
    a.grad = dt.tensor([3, 0]);
    b.grad = dt.tensor([4]);
    const total = nn.utils.clipGradNorm_([a, b], 1);
    close(total.item(), 5);
    close(a.grad.toArray(), [0.6, 0]);
    close(b.grad.toArray(), [0.8]);
    a.grad = dt.tensor([3, -0.1]);
    nn.utils.clipGradValue_([a], 0.5);
    close(a.grad.toArray(), [0.5, -0.1]);
    const lin = new nn.Linear(2, 2);
    const v = nn.utils.parametersToVector(lin.parameters());
    assert.deepEqual(v.shape, [6]);
    nn.utils.vectorToParameters(dt.arange(6).to("float32"), lin.parameters());
    assert.deepEqual(lin.weight.toArray(), [[0, 1], [2, 3]]);
    assert.deepEqual(lin.bias!.toArray(), [4, 5]);
  });
});

// ---- optim -----------------------------------------------------------------------------------------------

/** One step of opt on loss = sum(p^2) (grad 2p) from p = [1, 2]; returns p. */
function stepOnce(make: (ps: Tensor[]) => InstanceType<typeof optim.Optimizer>, steps = 1): number[] {
  const p = new nn.Parameter(dt.tensor([1, 2]));
  const opt = make([p]);
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    p.square().sum().backward();
    opt.step();
  }
  return p.toArray();
}

describe("API.md: optim (convention 11)", () => {
  it("SGD, Adam, AdamW, RMSprop, Adagrad: options as PyTorch's, first steps match", () => {
    close(stepOnce((ps) => new optim.SGD(ps, { lr: 0.1 })), [0.8, 1.6]);
    // b = 0.9 * [2, 4] + [1.6, 3.2]; p = [0.8, 1.6] - 0.1 b
    close(stepOnce((ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 }), 2), [0.46, 0.92]);
    close(stepOnce((ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, dampening: 0.5 }), 2), [0.54, 1.08]);
    close(stepOnce((ps) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true })), [0.62, 1.24]);
    close(stepOnce((ps) => new optim.SGD(ps, { lr: 0.1, weightDecay: 0.5 })), [0.75, 1.5]);
    close(stepOnce((ps) => new optim.Adam(ps, { lr: 0.1 })), [0.9, 1.9]);
    close(stepOnce((ps) => new optim.Adam(ps, { lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: true })), [0.9, 1.9]);
    close(stepOnce((ps) => new optim.AdamW(ps, { lr: 0.1 })), [0.899, 1.898]); // weightDecay 0.01 by default
    close(stepOnce((ps) => new optim.RMSprop(ps, { lr: 0.01 })), [0.9, 1.9]);
    close(stepOnce((ps) => new optim.Adagrad(ps, { lr: 0.1 })), [0.9, 1.9]);
  });

  it("param groups, zeroGrad nulls, stateDict / loadStateDict resume exactly", () => {
    const a = new nn.Parameter(dt.tensor([1])), b = new nn.Parameter(dt.tensor([1]));
    const opt = new optim.SGD([{ params: [a], lr: 0.5 }, { params: [b] }], { lr: 0.1 });
    a.mul(b).sum().backward();
    opt.step();
    close(a.toArray(), [0.5]);
    close(b.toArray(), [0.9]);
    assert.equal(opt.paramGroups.length, 2);
    assert.equal(opt.paramGroups[1].lr, 0.1);
    opt.zeroGrad();
    assert.equal(a.grad, null);
    assert.equal(b.grad, null);
    // resume: two optimisers reach the same point after a state round trip
    const run = (resume: boolean) => {
      dt.manualSeed(0);
      const lin = new nn.Linear(3, 1);
      let o = new optim.Adam(lin.parameters(), { lr: 0.01 });
      const x = dt.randn([4, 3]);
      for (let i = 0; i < 3; i++) {
        if (resume && i === 2) {
          const sd = o.stateDict();
          o = new optim.Adam(lin.parameters(), { lr: 0.01 });
          o.loadStateDict(sd);
        }
        o.zeroGrad();
        lin.call(x).square().mean().backward();
        o.step();
      }
      return lin.weight.toArray();
    };
    assert.deepEqual(run(true), run(false));
  });

  it("schedulers: constructor forms, step(), getLastLr()", () => {
    const sgd = (lr = 1) => new optim.SGD([new nn.Parameter(dt.zeros([1]))], { lr, momentum: 0.9 });
    const trace = (s: { step(): void; getLastLr(): number[] }, n: number) => {
      const out = [s.getLastLr()[0]];
      for (let i = 0; i < n; i++) {
        s.step();
        out.push(s.getLastLr()[0]);
      }
      return out;
    };
    const L = optim.lrScheduler;
    close(trace(new L.StepLR(sgd(), 2, { gamma: 0.5 }), 4), [1, 1, 0.5, 0.5, 0.25]);
    close(trace(new L.StepLR(sgd(), 1), 1), [1, 0.1]);
    close(trace(new L.ExponentialLR(sgd(), 0.5), 2), [1, 0.5, 0.25]);
    close(trace(new L.CosineAnnealingLR(sgd(), 10, { etaMin: 0 }), 5)[5], 0.5);
    close(trace(new L.CosineAnnealingLR(sgd(), 4), 4)[4], 0);
    close(trace(new L.MultiStepLR(sgd(), [2, 4], { gamma: 0.1 }), 4), [1, 1, 0.1, 0.1, 0.01]);
    close(trace(new L.LinearLR(sgd(), { startFactor: 0.5, endFactor: 1, totalIters: 4 }), 5), [0.5, 0.625, 0.75, 0.875, 1, 1]);
    const oc = trace(new L.OneCycleLR(sgd(), 1, { totalSteps: 10 }), 9);
    close(oc[0], 0.04); // maxLr / divFactor 25
    close(oc[2], 1); // the peak at pctStart 0.3
    close(oc[9], 0.04 / 1e4); // initial / finalDivFactor
    const oc2 = new L.OneCycleLR(sgd(), 1, { epochs: 2, stepsPerEpoch: 5, pctStart: 0.5, annealStrategy: "linear", divFactor: 10, finalDivFactor: 100 });
    close(trace(oc2, 9), [0.1, 0.325, 0.55, 0.775, 1, 0.8002, 0.6004, 0.4006, 0.2008, 0.001]);
    const o = sgd();
    const plateau = new L.ReduceLROnPlateau(o, { mode: "min", factor: 0.5, patience: 1, threshold: 1e-4, thresholdMode: "rel", cooldown: 0, minLr: 0.1 });
    for (const m of [1, 1, 1]) plateau.step(m);
    close(plateau.getLastLr(), [0.5]);
    close(o.paramGroups[0].lr, 0.5);
    for (const m of [1, 1, 1, 1]) plateau.step(m);
    close(plateau.getLastLr(), [0.125]);
    plateau.step(1);
    plateau.step(1);
    close(plateau.getLastLr(), [0.1]); // minLr
    close(trace(new L.LambdaLR(sgd(2), (e: number) => 1 / (e + 1)), 2), [2, 1, 2 / 3]);
    const s0 = sgd();
    const seq = new L.SequentialLR(s0, [new L.LinearLR(s0, { startFactor: 0.1, totalIters: 2 }), new L.ExponentialLR(s0, 0.5)], [2]);
    close(trace(seq, 3), [0.1, 0.55, 1, 0.5]);
  });
});

// ---- data ------------------------------------------------------------------------------------------------

describe("API.md: data", () => {
  it("TensorDataset, DataLoader (for ... of, for await), batchSize, shuffle, dropLast, collate", async () => {
    const x = dt.arange(10).to("float32").reshape(10, 1), y = dt.arange(10);
    const ds = new data.TensorDataset(x, y);
    assert.equal(ds.length, 10);
    const [xi, yi] = ds.get(3);
    assert.deepEqual(xi.toArray(), [3]);
    assert.equal(yi.item(), 3);
    const loader = new data.DataLoader(ds, { batchSize: 4 });
    const sizes: number[] = [];
    for (const [xb, yb] of loader) {
      sizes.push(xb.shape[0]);
      assert.equal(yb.dtype, "int32");
    }
    assert.deepEqual(sizes, [4, 4, 2]);
    const asyncSizes: number[] = [];
    for await (const [xb] of new data.DataLoader(ds, { batchSize: 4, dropLast: true })) asyncSizes.push(xb.shape[0]);
    assert.deepEqual(asyncSizes, [4, 4]);
    const seen: number[] = [];
    for (const [, yb] of new data.DataLoader(ds, { batchSize: 3, shuffle: true })) seen.push(...(yb.toArray() as number[]));
    assert.deepEqual(seen.slice().sort((p, q) => p - q), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const custom = new data.DataLoader(ds, { batchSize: 5, collate: (items: Tensor[][]) => items.length });
    assert.deepEqual([...custom], [5, 5]);
    // any { length, get(i) } object is a dataset
    const plain = { length: 3, get: (i: number) => ({ v: dt.tensor([i]), label: i }) };
    const [batch] = [...new data.DataLoader(plain, { batchSize: 3 })];
    assert.deepEqual(batch.v.toArray(), [[0], [1], [2]]);
    assert.deepEqual(batch.label.toArray(), [0, 1, 2]); // numbers collate into a tensor, as torch
  });

  it("randomSplit(dataset, lengths), Subset, Dataset subclass, datasets.digits()", () => {
    const ds = new data.TensorDataset(dt.arange(10));
    dt.manualSeed(1);
    const [a, b] = data.randomSplit(ds, [6, 4]);
    assert.equal(a.length, 6);
    assert.equal(b.length, 4);
    const all = [...Array(6).keys()].map((i) => a.get(i)[0].item()).concat([...Array(4).keys()].map((i) => b.get(i)[0].item()));
    assert.deepEqual(all.sort((p, q) => p - q), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(data.randomSplit(ds, [0.8, 0.2]).map((s) => s.length), [8, 2]);
    const sub = new data.Subset(ds, [2, 5]);
    assert.equal(sub.length, 2);
    assert.equal(sub.get(1)[0].item(), 5);
    class Squares extends data.Dataset<number> {
      get length() {
        return 4;
      }
      get(i: number) {
        return i * i;
      }
    }
    assert.deepEqual([...new data.DataLoader(new Squares(), { batchSize: 4 })][0].toArray(), [0, 1, 4, 9]);
    const digits = data.datasets.digits();
    assert.equal(digits.length, 1797);
    const [img, label] = digits.get(0);
    assert.deepEqual(img.shape, [64]);
    assert.equal(img.dtype, "float32");
    assert.equal(label.dtype, "int32");
    assert.equal(label.item(), 0);
    assert.equal(typeof data.datasets.mnist, "function");
    assert.equal(typeof data.decodeWav, "function");
  });

  it("data.readCsv(path) and image decoding to [C, H, W] tensors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "deeptype-api-"));
    try {
      const { writeFileSync, readFileSync } = await import("node:fs");
      const csv = join(dir, "t.csv");
      writeFileSync(csv, "a,b,label\n1,2,x\n3,4,y\n");
      const table = data.readCsv(csv);
      assert.deepEqual(table.columns, ["a", "b", "label"]);
      assert.deepEqual(table.data, [[1, 2, "x"], [3, 4, "y"]]);
      writeFileSync(csv, "a,b\n1,2\n3,4\n");
      assert.deepEqual(data.readCsv(csv, { dtype: "float32" }).data.toArray(), [[1, 2], [3, 4]]);
      const png = readFileSync(new URL("./fixtures/data/rgb8.png", import.meta.url));
      assert.deepEqual(data.decodeImage(new Uint8Array(png)).shape, [3, 6, 5]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- io --------------------------------------------------------------------------------------------------

describe("API.md: io (conventions 2, 3)", () => {
  it("save / load (async, record in file order) / loadSync / checkpoints", async () => {
    const dir = mkdtempSync(join(tmpdir(), "deeptype-api-"));
    try {
      const net = new Net();
      const file = join(dir, "model.safetensors");
      const saved = io.save(net.stateDict(), file);
      assert.ok(saved instanceof Promise);
      await saved;
      const p = io.load(file);
      assert.ok(p instanceof Promise);
      const sd = await p;
      assert.ok(!(sd instanceof Map));
      assert.deepEqual(Object.keys(sd), Object.keys(net.stateDict()));
      assert.equal(sd["bn.num_batches_tracked"].dtype, "int32");
      assert.deepEqual(sd["layers.0.weight"].toArray(), net.layers[0].weight.toArray());
      const other = new Net();
      other.loadStateDict(sd);
      assert.deepEqual(other.layers[1].bias!.toArray(), net.layers[1].bias!.toArray());
      assert.deepEqual(Object.keys(io.loadSync(file)), Object.keys(sd));
      await io.save({ b: dt.ones([2]), a: dt.zeros([1], { dtype: "float64" }) }, file);
      const two = await io.load(file);
      assert.deepEqual(two.a.dtype, "float64");
      assert.deepEqual(two.b.toArray(), [1, 1]);
      const opt = new optim.Adam(net.parameters(), { lr: 0.01 });
      net.call(dt.randn([3, 4])).sum().backward();
      opt.step();
      const ck = join(dir, "ck.safetensors");
      await io.saveCheckpoint(ck, { model: net, optimizer: opt, epoch: 3, note: "hi" });
      const back = await io.loadCheckpoint(ck);
      assert.equal(back.epoch, 3);
      assert.equal(back.note, "hi");
      const net2 = new Net();
      net2.loadStateDict(back.model);
      assert.deepEqual(net2.layers[0].weight.toArray(), net.layers[0].weight.toArray());
      const opt2 = new optim.Adam(net2.parameters(), { lr: 0.5 });
      opt2.loadStateDict(back.optimizer);
      assert.equal(opt2.paramGroups[0].lr, 0.01);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("API.md: safetensors from PyTorch (conventions 1, 2)", () => {
  /** A safetensors file as PyTorch's safetensors.torch.save_file writes it (header padded to 8 bytes). */
  function safetensors(entries: [string, string, number[], ArrayBufferView][]): Uint8Array {
    const header: Record<string, unknown> = {};
    let at = 0;
    for (const [name, dtype, shape, bytes] of entries) {
      header[name] = { dtype, shape, data_offsets: [at, at + bytes.byteLength] };
      at += bytes.byteLength;
    }
    let json = JSON.stringify(header);
    while ((json.length + 8) % 8) json += " ";
    const out = new Uint8Array(8 + json.length + at);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(new TextEncoder().encode(json), 8);
    let p = 8 + json.length;
    for (const [, , , b] of entries) {
      out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), p);
      p += b.byteLength;
    }
    return out;
  }

  it("a BatchNorm1d state dict with I64 num_batches_tracked loads by name; too-large I64 is a clear error", async () => {
    const dir = mkdtempSync(join(tmpdir(), "deeptype-api-"));
    try {
      const file = join(dir, "bn.safetensors");
      const { writeFileSync } = await import("node:fs");
      writeFileSync(file, safetensors([
        ["bias", "F32", [2], new Float32Array([0.5, -0.5])],
        ["num_batches_tracked", "I64", [], new BigInt64Array([7n])],
        ["running_mean", "F32", [2], new Float32Array([1, 2])],
        ["running_var", "F32", [2], new Float32Array([4, 9])],
        ["weight", "F32", [2], new Float32Array([2, 3])],
      ]));
      const sd = await io.load(file);
      assert.deepEqual(Object.keys(sd), ["bias", "num_batches_tracked", "running_mean", "running_var", "weight"]);
      assert.equal(sd.num_batches_tracked.dtype, "int32");
      assert.equal(sd.num_batches_tracked.item(), 7);
      const bn = new nn.BatchNorm1d(2);
      bn.loadStateDict(sd);
      bn.eval();
      // (x - mean) / sqrt(var + eps) * w + b
      close(bn.call(dt.tensor([[3, 5]])).toArray(), [[2 * 2 / Math.sqrt(4 + 1e-5) + 0.5, 3 * 3 / Math.sqrt(9 + 1e-5) - 0.5]]);
      assert.equal(bn.num_batches_tracked!.item(), 7);
      writeFileSync(file, safetensors([["big", "I64", [1], new BigInt64Array([1n << 40n])]]));
      await assert.rejects(io.load(file), /I64|int32|fit/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---- type-level uses (a strict TypeScript user script compiles) -------------------------------------------

type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;
type Expect<_ extends true> = true;
export type TypeChecks = [
  Expect<Equal<Awaited<ReturnType<typeof io.load>>, Record<string, dt.Tensor>>>,
  Expect<Equal<ReturnType<typeof io.loadSync>, Record<string, dt.Tensor>>>,
  Expect<Equal<ReturnType<dt.Tensor["split"]>, dt.Tensor[]>>,
  Expect<Equal<ReturnType<dt.Tensor["chunk"]>, dt.Tensor[]>>,
  Expect<Equal<ReturnType<InstanceType<typeof nn.LSTM>["call"]>, [dt.Tensor, [dt.Tensor, dt.Tensor]]>>,
  Expect<Equal<ReturnType<InstanceType<typeof nn.GRU>["call"]>, [dt.Tensor, dt.Tensor]>>,
  Expect<Equal<ReturnType<InstanceType<typeof nn.MultiheadAttention>["call"]>, [dt.Tensor, dt.Tensor | null]>>,
  Expect<Equal<ReturnType<InstanceType<typeof nn.Module>["parameters"]>, InstanceType<typeof nn.Parameter>[]>>,
  Expect<Equal<ReturnType<InstanceType<typeof nn.Module>["buffers"]>, dt.Tensor[]>>,
  Expect<Equal<ReturnType<InstanceType<typeof optim.lrScheduler.StepLR>["getLastLr"]>, number[]>>,
];

describe("API.md: TypeScript usability", () => {
  it("typical user code type-checks in strict mode", () => {
    const x: dt.Tensor = dt.randn([2, 3], { requiresGrad: true });
    const whole: dt.Tensor = x.max();
    const { values, indices }: { values: dt.Tensor; indices: dt.Tensor } = x.max(1);
    const byDim = dt.min(x, 0, true);
    const parts: dt.Tensor[] = dt.split(x, [1, 2], 1);
    const v: dt.Tensor = x.var(1, { correction: 0, keepdim: true });
    const n: dt.Tensor = x.norm(2, -1, true);
    const dtype: dt.DType = x.dtype;
    const shape: number[] = x.shape;
    const g: (dt.Tensor | null)[] = dt.grad(x.sum(), [x], { createGraph: false });
    const lin: InstanceType<typeof nn.Linear> = new nn.Linear(3, 2, { bias: true });
    const seq = new nn.Sequential(lin, new nn.ReLU(), new nn.Dropout(0.1), new nn.LeakyReLU(0.2), new nn.LogSoftmax(1));
    const out: dt.Tensor = seq.call(x);
    const opt = new optim.AdamW(seq.parameters(), { lr: 1e-3, betas: [0.9, 0.95], weightDecay: 0.1 });
    const sched = new optim.lrScheduler.CosineAnnealingLR(opt, 10, { etaMin: 1e-5 });
    const plateau = new optim.lrScheduler.ReduceLROnPlateau(opt, { mode: "max", patience: 2 });
    plateau.step(0.5);
    const loss: dt.Tensor = F.crossEntropy(out, dt.tensor([0, 1], { dtype: "int32" }), { labelSmoothing: 0.1 });
    loss.backward();
    nn.utils.clipGradNorm_(seq.parameters(), 1.0);
    opt.step();
    sched.step();
    opt.zeroGrad();
    const sd: Record<string, dt.Tensor> = seq.stateDict();
    seq.loadStateDict(new Map(Object.entries(sd)), { strict: true });
    const loader = new data.DataLoader(new data.TensorDataset(dt.randn([4, 3]), dt.arange(4)), { batchSize: 2 });
    for (const [xb, yb] of loader) assert.ok(xb instanceof dt.Tensor && yb instanceof dt.Tensor);
    const conv = new nn.Conv2d(1, 2, [3, 3], { stride: [1, 1], padding: "same" });
    const pooled: dt.Tensor = F.maxPool2d(conv.call(dt.zeros([1, 1, 4, 4])), 2);
    const att: dt.Tensor = F.scaledDotProductAttention(dt.zeros([1, 2, 4]), dt.zeros([1, 2, 4]), dt.zeros([1, 2, 4]), { isCausal: true });
    const z: dt.Tensor = F.conv2d(dt.zeros([1, 1, 3, 3]), dt.zeros([1, 1, 1, 1]), null, { stride: 1 });
    // @ts-expect-error a string is not a shape
    assert.throws(() => dt.zeros("a"));
    assert.ok([whole, values, indices, byDim.values, v, n, out, pooled, att, z, ...parts, ...g].every((t) => t instanceof dt.Tensor));
    assert.equal(dtype, "float32");
    assert.deepEqual(shape, [2, 3]);
  });

  it("dt.zeros / ones / rand / randn take sizes as varargs too; randint(high, shape)", () => {
    assert.deepEqual(dt.zeros(2, 3).shape, [2, 3]);
    assert.deepEqual(dt.ones(2, 3, { dtype: "int32" }).dtype, "int32");
    assert.deepEqual(dt.rand(4).shape, [4]);
    assert.deepEqual(dt.randn(2, 1, 3).shape, [2, 1, 3]);
    assert.deepEqual(dt.randn([2, 2], { dtype: "float64" }).dtype, "float64");
    assert.deepEqual(dt.zeros([2, 3], undefined).shape, [2, 3]);
    const r = dt.randint(3, [50]);
    assert.ok(r.dataSync().every((v) => v >= 0 && v < 3));
  });
});

describe("PyTorch-style positional forms: accepted where unambiguous, a clear error where they would be ignored", () => {
  it("accepted: Linear(in, out, false), MaxPool2d(k, stride), Transformer(dModel), loss reductions, var(dim, unbiased, keepdim)", () => {
    const a = nn as unknown as Record<string, new (...args: unknown[]) => InstanceType<typeof nn.Module>>;
    assert.equal((new a.Linear(4, 3, false) as InstanceType<typeof nn.Linear>).bias, null);
    assert.equal(new nn.Linear(4, 3, false).bias, null);
    assert.equal(new nn.Bilinear(2, 2, 1, false).bias, null);
    const x = dt.arange(25).to("float32").reshape(1, 1, 5, 5);
    assert.deepEqual(new nn.MaxPool2d(3, 2).call(x).toArray(), [[[[12, 14], [22, 24]]]]);
    assert.deepEqual(new nn.AvgPool1d(2, 1).call(dt.tensor([[[1, 3, 5]]])).toArray(), [[[2, 4]]]);
    assert.deepEqual(F.maxPool2d(x, 3, 2).toArray(), [[[[12, 14], [22, 24]]]]);
    assert.deepEqual(F.avgPool1d(dt.tensor([[[1, 3, 5]]]), 2, 1).toArray(), [[[2, 4]]]);
    assert.equal(new nn.Transformer(16).dModel, 16);
    close(new nn.KLDivLoss("batchmean").call(dt.log(dt.tensor([[0.5, 0.5]])), dt.tensor([[0.25, 0.75]])).item(), 0.130812);
    close(new nn.HuberLoss("sum", 2).call(dt.tensor([0, 0.5, 3]), dt.zeros([3])).item(), 4.125);
    close(new nn.SmoothL1Loss("sum").call(dt.tensor([0, 0.5, 3]), dt.zeros([3])).item(), 2.625);
    // torch.tensor([1., 2, 3, 4]).var(False) == 1.25; x.var(1, False, True) keeps the dim
    close(dt.tensor([1, 2, 3, 4]).var(false).item(), 1.25);
    close(dt.tensor([[1, 2, 3, 4]]).var(1, false, true).toArray(), [[1.25]]);
    close(dt.tensor([[1, 2, 3, 4]]).std(1, true).toArray(), [1.2909944]);
  });

  it("refused with the option names: keyword arguments passed positionally", () => {
    const a = nn as unknown as Record<string, new (...args: unknown[]) => unknown>;
    // Conv2d takes PyTorch's positional stride, padding, ... (issue 10); a misspelt option is refused
    assert.deepEqual((new a.Conv2d(3, 8, 3, 2) as InstanceType<typeof nn.Conv2d>).stride, [2, 2]);
    assert.throws(() => new a.Conv2d(3, 8, 3, { paddng: 1 }), /Conv2d: unknown option 'paddng' \(did you mean 'padding'\?\)/);
    assert.throws(() => new a.BatchNorm1d(3, 1e-3), /BatchNorm1d: expected an options object/);
    assert.throws(() => new a.LSTM(3, 4, 2), /LSTM: expected an options object \{ numLayers/);
    assert.throws(() => new a.Embedding(10, 3, 0), /paddingIdx/);
    assert.throws(() => new a.MultiheadAttention(8, 2, 0.1), /dropout/);
    assert.throws(() => new a.TransformerEncoderLayer(8, 2, 16), /dimFeedforward/);
    const conv2d = F.conv2d as unknown as (...args: unknown[]) => Tensor;
    assert.throws(() => conv2d(dt.zeros([1, 1, 3, 3]), dt.zeros([1, 1, 1, 1]), null, 2), /conv2d: expected an options object \{ stride/);
  });
});
