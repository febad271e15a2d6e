// Behaviour and error messages of sort / argsort / topk / nonzero / unique / einsum / x.mT and of
// F.interpolate, F.normalize, F.cosineSimilarity, F.prelu, F.dropout2d and their modules. (Values
// against PyTorch: test/torch-ops.test.ts, test/functional.test.ts, test/nn/layers.test.ts;
// gradients: test/gradcheck/select.samples.ts.)

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import * as dt from "../src/index.js";
import type { Tensor } from "../src/index.js";

const F = dt.nn.functional;

function maxDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  const x = a.dataSync(), y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}

describe("sort, argsort, topk", () => {
  test("results destructure as [values, indices]; indices are int32", () => {
    const x = dt.tensor([[3, 1, 2], [0, 5, 4]]);
    const [v, i] = x.sort({ descending: true });
    assert.deepEqual(v.toArray(), [[3, 2, 1], [5, 4, 0]]);
    assert.deepEqual(i.toArray(), [[0, 2, 1], [1, 2, 0]]);
    assert.equal(i.dtype, "int32");
    const [tv, ti] = dt.topk(x, 1, { dim: 0 });
    assert.deepEqual(tv.toArray(), [[3, 5, 4]]);
    assert.deepEqual(ti.toArray(), [[0, 1, 1]]);
    assert.deepEqual(x.argsort({ dim: 0 }).toArray(), [[1, 0, 0], [0, 1, 1]]);
  });

  test("the sort is stable in both directions, on long rows with many ties", () => {
    dt.manualSeed(3);
    const x = dt.randint(0, 5, [2000]).to("float32");
    const v = Array.from(x.dataSync());
    const asc = v.map((_, k) => k).sort((a, b) => v[a] - v[b] || a - b);
    const desc = v.map((_, k) => k).sort((a, b) => v[b] - v[a] || a - b);
    assert.deepEqual(Array.from(dt.argsort(x).dataSync()), asc);
    assert.deepEqual(Array.from(dt.argsort(x, { descending: true, stable: true }).dataSync()), desc);
  });

  test("topk of a few among many (its one-pass path) agrees with the stable sort, ties and NaN included", () => {
    dt.manualSeed(4);
    const v = dt.randint(0, 6, [3, 400]).to("float64").dataSync();
    v[17] = NaN;
    v[450] = NaN;
    v[451] = NaN;
    const x = dt.tensor(v, { shape: [3, 400] });
    for (const largest of [true, false]) {
      const want = dt.argsort(x, { descending: largest }).slice(1, 0, 7);
      const got = dt.topk(x, 7, { largest });
      assert.deepEqual(got.indices.toArray(), want.toArray(), `largest ${largest}`);
      assert.deepEqual(got.values.toArray(), dt.gather(x, 1, want).toArray());
    }
    assert.deepEqual(dt.topk(x.T, 3, { dim: 0 }).indices.toArray(), dt.argsort(x.T, { dim: 0, descending: true }).slice(0, 0, 3).toArray());
  });

  test("topk with ties returns the lower index first; k = 0 gives empty results", () => {
    const x = dt.tensor([1, 3, 3, 2, 3, 0]);
    assert.deepEqual(dt.topk(x, 2).indices.toArray(), [1, 2]);
    const e = dt.topk(dt.ones([2, 3]), 0);
    assert.deepEqual(e.values.shape, [2, 0]);
    assert.deepEqual(e.indices.shape, [2, 0]);
  });

  test("gradients flow to the chosen positions only", () => {
    const x = dt.tensor([0.5, -1, 2, 0.25], { requiresGrad: true });
    dt.topk(x, 2).values.mul(dt.tensor([10, 1])).sum().backward();
    assert.deepEqual(x.grad!.toArray(), [1, 0, 10, 0]);
  });

  test("errors name the function and the shapes", () => {
    const x = dt.randn([2, 3]);
    assert.throws(() => dt.topk(x, 5), /topk: k = 5 is larger than dim 1 of size 3 \(input shape \[2,3\]\)/);
    assert.throws(() => dt.topk(x, 4, { dim: 0 }), /topk: k = 4 is larger than dim 0 of size 2/);
    assert.throws(() => dt.topk(x, -1), /topk: k must be a non-negative integer, got -1/);
    assert.throws(() => dt.sort(x, { dim: 2 }), /sort: dim 2 out of range for a 2-d tensor of shape \[2,3\]/);
    assert.throws(() => dt.argsort(x, { dim: -3 }), /argsort: dim -3 out of range/);
  });
});

describe("nonzero and unique", () => {
  test("nonzero: [N, ndim] or one tensor per dim", () => {
    const x = dt.tensor([[0, 2], [3, 0], [0, 0]]);
    assert.deepEqual(x.nonzero().toArray(), [[0, 1], [1, 0]]);
    const [r, c] = dt.nonzero(x, { asTuple: true });
    assert.deepEqual([r.toArray(), c.toArray()], [[0, 1], [1, 0]]);
    assert.deepEqual(dt.nonzero(dt.zeros([2, 2])).shape, [0, 2]);
  });

  test("unique: a tensor alone, or { values, inverse?, counts? } in torch's tuple order", () => {
    const x = dt.tensor([3, 1, 3, 2, 1], { dtype: "int32" });
    const u = dt.unique(x);
    assert.ok(u instanceof dt.Tensor);
    assert.deepEqual(u.toArray(), [1, 2, 3]);
    const r = dt.unique(x, { returnInverse: true, returnCounts: true });
    assert.deepEqual(r.inverse.toArray(), [2, 0, 2, 1, 0]);
    assert.deepEqual(r.counts.toArray(), [2, 1, 2]);
    const [vals, counts] = x.unique({ returnCounts: true });
    assert.deepEqual([vals.toArray(), counts.toArray()], [[1, 2, 3], [2, 1, 2]]);
    assert.equal(dt.unique(x, { returnCounts: true }).inverse, undefined);
    // sorted: false still sorts (PyTorch leaves the order unspecified)
    assert.deepEqual(dt.unique(x, { sorted: false }).toArray(), [1, 2, 3]);
  });

  test("unique along a dim; results carry no gradient", () => {
    const x = dt.tensor([[1, 2], [0, 1], [1, 2]], { requiresGrad: true });
    const r = dt.unique(x, { dim: 0, returnInverse: true });
    assert.deepEqual(r.values.toArray(), [[0, 1], [1, 2]]);
    assert.deepEqual(r.inverse.toArray(), [1, 0, 1]);
    assert.equal(r.values.requiresGrad, false);
    assert.throws(() => dt.unique(dt.tensor(1), { dim: 0 }), /unique: dim 0 given for a 0-d tensor/);
  });

  test("registered as not differentiable", () => {
    for (const name of ["argsort", "nonzero", "unique"]) assert.equal(dt.OPS.get(name)!.differentiable, false, name);
    for (const name of ["sort", "topk", "einsum", "interpolate", "normalize", "cosineSimilarity", "prelu", "dropout2d"]) assert.equal(dt.OPS.get(name)!.differentiable, true, name);
  });
});

describe("einsum", () => {
  test("batched products agree with bmm / matmul", () => {
    const a = dt.randn([4, 16, 32]), b = dt.randn([4, 32, 8]);
    assert.ok(maxDiff(dt.einsum("bij,bjk->bik", a, b), dt.bmm(a, b)) < 1e-5);
    const q = dt.randn([2, 3, 5, 8]), k = dt.randn([2, 3, 7, 8]);
    assert.ok(maxDiff(dt.einsum("bhqd,bhkd->bhqk", q, k), dt.matmul(q, k.mT)) < 1e-5);
    assert.ok(maxDiff(dt.einsum("bhqd,bhkd->bhqk", [q, k]), dt.matmul(q, k.mT)) < 1e-5);
  });

  test("trace, diagonal, transpose, outer, implicit output", () => {
    const m = dt.tensor([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    assert.equal(dt.einsum("ii", m).item(), 15);
    assert.deepEqual(dt.einsum("ii->i", m).toArray(), [1, 5, 9]);
    assert.deepEqual(dt.einsum("ji", m).toArray(), m.T.toArray()); // implicit output "ij"
    assert.deepEqual(dt.einsum("i,j", dt.tensor([1, 2]), dt.tensor([3, 4, 5])).shape, [2, 3]);
    assert.deepEqual(dt.einsum("...ij->...ji", dt.zeros([2, 3, 4, 5])).shape, [2, 3, 5, 4]);
  });

  test("errors name the equation and the shapes", () => {
    const a = dt.randn([2, 3]), b = dt.randn([4, 5]);
    assert.throws(() => dt.einsum("ij,jk->ik", a), /einsum: "ij,jk->ik" has 2 operand subscripts but 1 operand was given/);
    assert.throws(() => dt.einsum("ij,jk->ik", a, b), /einsum: subscript 'j' in "ij,jk->ik" has sizes 3 and 4 in operands of shapes \[2,3\] and \[4,5\]/);
    assert.throws(() => dt.einsum("ijk", a), /einsum: operand 0 of shape \[2,3\] has 2 dims but its subscript 'ijk'/);
    assert.throws(() => dt.einsum("i1", a), /einsum: invalid character '1'/);
    assert.throws(() => dt.einsum("ij->iz", a), /einsum: output subscript 'z' in "ij->iz" does not appear in any operand/);
    assert.throws(() => dt.einsum("ij->ii", a), /einsum: output subscript 'i' appears more than once/);
    assert.throws(() => dt.einsum("ii", a), /einsum: subscript 'i' is repeated in an operand for dims of sizes 2 and 3/);
  });
});

describe("x.mT", () => {
  test("a view transposing the last two dims", () => {
    const x = dt.randn([2, 3, 4]);
    const t = x.mT;
    assert.deepEqual(t.shape, [2, 4, 3]);
    assert.equal(t.storage, x.storage);
    assert.deepEqual(t.toArray(), x.transpose(-1, -2).toArray());
    assert.throws(() => dt.randn([3]).mT, /mT: expected a tensor with at least 2 dims, got shape \[3\]/);
  });
});

describe("interpolate, normalize, cosineSimilarity, prelu", () => {
  test("interpolate: errors for bad input", () => {
    const x4 = dt.randn([1, 2, 3, 3]), x3 = dt.randn([1, 2, 3]);
    assert.throws(() => F.interpolate(x4, { size: 4, mode: "linear" }), /interpolate: mode "linear" needs a 3-d input \[N, C, W\], got \[1,2,3,3\]/);
    assert.throws(() => F.interpolate(x3, { size: 4, mode: "bilinear" }), /interpolate: mode "bilinear" needs a 4-d input \[N, C, H, W\], got \[1,2,3\]/);
    assert.throws(() => F.interpolate(x4, {}), /interpolate: give exactly one of size and scaleFactor/);
    assert.throws(() => F.interpolate(x4, { size: 4, scaleFactor: 2 }), /interpolate: give exactly one of size and scaleFactor/);
    assert.throws(() => F.interpolate(x4, { size: 4, alignCorners: true }), /interpolate: alignCorners can only be set with the interpolating modes/);
    assert.throws(() => F.interpolate(x4, { size: [4, 4, 4] }), /interpolate: size must be a number or 2 numbers/);
    assert.throws(() => F.interpolate(dt.randn([2, 3]), { size: 4 }), /interpolate: expected a 3-d \[N, C, W\] or 4-d \[N, C, H, W\] input, got \[2,3\]/);
    assert.throws(() => F.interpolate(x4, { size: 4, mode: "area" as any }), /interpolate: unknown mode "area"/);
  });

  test("interpolate: upsampling a constant image keeps it constant; alignCorners keeps the corners", () => {
    const c = dt.full([1, 1, 3, 4], 2.5);
    for (const mode of ["nearest", "bilinear", "bicubic"] as const)
      assert.ok(maxDiff(F.interpolate(c, { scaleFactor: 2, mode }), dt.full([1, 1, 6, 8], 2.5)) < 1e-6, mode);
    const x = dt.randn([1, 1, 3, 4]);
    const y = F.interpolate(x, { size: [5, 7], mode: "bilinear", alignCorners: true });
    assert.ok(Math.abs(y.toArray()[0][0][4][6] - x.toArray()[0][0][2][3]) < 1e-6);
  });

  test("interpolate: a [8, 16, 64, 64] bilinear upsample runs forward and backward quickly", () => {
    const x = dt.randn([8, 16, 64, 64], { requiresGrad: true });
    const t0 = performance.now();
    const y = F.interpolate(x, { scaleFactor: 2, mode: "bilinear" });
    y.sum().backward();
    const ms = performance.now() - t0;
    assert.deepEqual(x.grad!.shape, x.shape);
    assert.ok(ms < 10000, `took ${ms} ms`);
  });

  test("normalize and cosineSimilarity", () => {
    const x = dt.tensor([[3, 4], [0, 0]]);
    assert.deepEqual(F.normalize(x).toArray(), [[0.6000000238418579, 0.800000011920929], [0, 0]]);
    const a = dt.tensor([[1, 0], [0, 0]]), b = dt.tensor([[1, 1], [1, 1]]);
    const s = F.cosineSimilarity(a, b).dataSync();
    assert.ok(Math.abs(s[0] - Math.SQRT1_2) < 1e-6);
    assert.equal(s[1], 0);
    assert.throws(() => F.cosineSimilarity(dt.randn([2, 3]), dt.randn([2, 4])), /cosineSimilarity: shapes \[2,3\] and \[2,4\] cannot be broadcast/);
  });

  test("prelu: weight size must be 1 or the channel count", () => {
    assert.throws(() => F.prelu(dt.randn([2, 3, 4]), dt.ones([4])), /prelu: weight \[4\] has 4 parameters but the input \[2,3,4\] has 3 channels at dim 1/);
  });
});

describe("modules: PReLU, Upsample, Dropout2d", () => {
  test("PReLU: parameter weight, positional numParameters, learns", () => {
    const m = new dt.nn.PReLU(3);
    assert.deepEqual(Object.keys(m.stateDict()), ["weight"]);
    assert.deepEqual(m.weight.toArray(), [0.25, 0.25, 0.25].map(Math.fround));
    const x = dt.tensor([[-1, 2, -4]]);
    m.call(x).sum().backward();
    assert.deepEqual(m.weight.grad!.toArray(), [-1, 0, -4]);
    assert.deepEqual(new dt.nn.PReLU({ init: 0.1 }).weight.shape, [1]);
  });

  test("Upsample is F.interpolate", () => {
    const x = dt.randn([1, 2, 3, 3]);
    const m = new dt.nn.Upsample({ scaleFactor: 2, mode: "bilinear" });
    assert.deepEqual(m.call(x).toArray(), F.interpolate(x, { scaleFactor: 2, mode: "bilinear" }).toArray());
    assert.deepEqual(new dt.nn.Upsample([5, 4]).call(x).shape, [1, 2, 5, 4]);
    assert.deepEqual(new dt.nn.Upsample(6).call(x).shape, [1, 2, 6, 6]);
  });

  test("Dropout2d zeroes whole channels, scales the rest, and is the identity in eval", () => {
    dt.manualSeed(5);
    const m = new dt.nn.Dropout2d(0.4);
    assert.equal(m.p, 0.4);
    assert.equal(new dt.nn.Dropout2d({ p: 0.2 }).p, 0.2);
    const x = dt.ones([8, 16, 3, 3]);
    const y = m.call(x).toArray() as number[][][][];
    let zeroed = 0;
    for (const img of y)
      for (const ch of img) {
        const vals = new Set(ch.flat());
        assert.equal(vals.size, 1, "a channel is all zero or all scaled");
        const v = [...vals][0];
        if (v === 0) zeroed++;
        else assert.ok(Math.abs(v - 1 / 0.6) < 1e-6);
      }
    assert.ok(zeroed > 20 && zeroed < 80, `${zeroed} of 128 channels dropped`);
    m.eval();
    assert.equal(m.call(x), x);
    const u = F.dropout2d(dt.ones([6, 2, 2]), { p: 0.5 }).toArray() as number[][][];
    for (const ch of u) assert.equal(new Set(ch.flat()).size, 1);
    assert.throws(() => F.dropout2d(dt.ones([2, 3])), /dropout2d: expected a 3-d \[C, H, W\] or 4-d \[N, C, H, W\] input, got \[2,3\]/);
    assert.throws(() => new dt.nn.Dropout2d(1.5), /Dropout2d: probability p must be in \[0, 1\], got 1.5/);
  });
});
