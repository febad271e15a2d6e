// Autograd: accumulation, noGrad, detach, retainGraph, dt.grad with createGraph
// (Hessian-vector product, gradient penalty), and tensor basics (views, printing, dtypes).

import { test } from "node:test";
import assert from "node:assert/strict";
import * as dt from "../src/index.js";
import type { Tensor } from "../src/index.js";

const F = dt.nn.functional;
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-9) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol * (1 + Math.abs(b[i])), `element ${i}: ${a[i]} vs ${b[i]}`);
};

test("backward: y = sum x^2, dy/dx = 2x, and grads accumulate across calls", () => {
  const x = dt.tensor([1, -2, 3], { requiresGrad: true });
  x.mul(x).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [2, -4, 6]);
  x.mul(x).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [4, -8, 12]);
  x.grad = null;
  x.mul(3).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [3, 3, 3]);
});

test("a tensor used twice gets both contributions: y = x * x + x, dy/dx = 2x + 1", () => {
  const x = dt.tensor([0.5, 2], { requiresGrad: true, dtype: "float64" });
  x.mul(x).add(x).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [2, 5]);
});

test("noGrad records nothing and returns the callback's value; detach cuts the graph", () => {
  const x = dt.randn([3], { requiresGrad: true });
  const y = dt.noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(y.gradFn, null);
  const z = x.detach();
  assert.equal(z.requiresGrad, false);
  assert.equal(z.storage, x.storage, "detach shares storage");
  const w = x.mul(2);
  assert.equal(w.gradFn, "mul");
  assert.equal(dt.isGradEnabled(), true);
});

test("Hessian-vector product of f(x) = sum(x^3) + x0 x1: H v by double backward", () => {
  // grad f = 3x^2 + [x1, x0, 0]; H = diag(6x) + [[0,1,0],[1,0,0],[0,0,0]]
  const x = dt.tensor([1, 2, -1], { dtype: "float64", requiresGrad: true });
  const v = dt.tensor([0.5, -1, 2], { dtype: "float64" });
  const f = x.pow(3).sum().add(x.slice(0, 0, 1).mul(x.slice(0, 1, 2)).sum());
  const [g] = dt.grad(f, [x], { createGraph: true });
  close(g!.dataSync(), [3 + 2, 12 + 1, 3]);
  const [hv] = dt.grad(g!.mul(v).sum(), [x]);
  // H v = [6*1*0.5 + (-1), 1*0.5 + 6*2*(-1), 6*(-1)*2]
  close(hv!.dataSync(), [3 - 1, 0.5 - 12, -12]);
});

test("gradient penalty ||dD(x)/dx|| of a small network, its gradient checked by finite differences", () => {
  dt.manualSeed(3);
  const x = dt.randn([4, 3], { dtype: "float64" }).requiresGrad_();
  const w1 = dt.randn([5, 3], { dtype: "float64" }).requiresGrad_();
  const b1 = dt.randn([5], { dtype: "float64" }).requiresGrad_();
  const w2 = dt.randn([1, 5], { dtype: "float64" }).requiresGrad_();
  const penalty = (): Tensor => {
    const d = F.linear(dt.tanh(F.linear(x, w1, b1)), w2); // D(x): [4, 1]
    const [gx] = dt.grad(d.sum(), [x], { createGraph: true }); // [4, 3]
    return gx!.norm(2, 1).sub(1).square().mean(); // WGAN-GP style
  };
  const p = penalty();
  const [gw1, gb1] = dt.grad(p, [w1, b1]);
  // finite differences on w1 and b1
  for (const [param, g] of [[w1, gw1!], [b1, gb1!]] as const) {
    const s = param.storage as Float64Array;
    const an = g.dataSync();
    for (let i = 0; i < s.length; i++) {
      const v = s[i];
      s[i] = v + 1e-6;
      const fp = penalty().item();
      s[i] = v - 1e-6;
      const fm = penalty().item();
      s[i] = v;
      const num = (fp - fm) / 2e-6;
      assert.ok(Math.abs(an[i] - num) < 1e-6 + 1e-5 * Math.abs(num), `element ${i}: ${an[i]} vs ${num}`);
    }
  }
});

test("retainGraph lets a graph run backward again; dt.grad does not touch .grad", () => {
  const x = dt.tensor([1, 2], { requiresGrad: true });
  const y = x.exp().sum();
  const [g] = dt.grad(y, [x], { retainGraph: true });
  assert.equal(x.grad, null);
  y.backward();
  close(x.grad!.dataSync(), g!.dataSync(), 1e-7);
});

test("views share storage where PyTorch's do", () => {
  const x = dt.arange(24).reshape(2, 3, 4);
  for (const v of [x.reshape(6, 4), x.view(4, 6), x.transpose(0, 2), x.permute(1, 2, 0), x.narrow(1, 1, 2), x.slice(2, 0, 4, 2), x.unsqueeze(0), x.unsqueeze(0).squeeze(0), x.slice(0, 0, 1).expand(5, 3, 4), x.T, x.flatten()])
    assert.equal(v.storage, x.storage);
  assert.notEqual(x.flip(0).storage, x.storage, "flip copies, as PyTorch");
  assert.notEqual(x.transpose(0, 1).reshape(-1).storage, x.storage, "reshape of a non-contiguous tensor copies");
  assert.deepEqual(x.transpose(0, 2).strides, [1, 4, 12]);
  assert.deepEqual(x.slice(2, 1, 4, 2).toArray()[1][2], [21, 23]);
  assert.deepEqual(x.slice(0, 0, 1).expand(3, 3, 4).strides, [0, 4, 1]);
  // writes through a view are seen by the base
  const y = dt.zeros([2, 3]);
  dt.noGrad(() => y.T.slice(0, 1, 2).fill_(7));
  assert.deepEqual(y.toArray(), [[0, 7, 0], [0, 7, 0]]);
});

test("toString is readable and truncated", () => {
  assert.equal(dt.tensor([[1, 2], [3, 4]]).toString(), "tensor([[1., 2.],\n        [3., 4.]])");
  assert.equal(dt.tensor([1.5, -2.25]).toString(), "tensor([ 1.5000, -2.2500])");
  assert.equal(dt.tensor([1, 2], { dtype: "int32" }).toString(), "tensor([1, 2])");
  assert.equal(dt.tensor([true, false]).toString(), "tensor([ true, false])");
  assert.match(dt.tensor([1], { dtype: "float64", requiresGrad: true }).toString(), /dtype=float64, requiresGrad=true/);
  const big = dt.arange(10000).reshape(100, 100).toString();
  assert.ok(big.includes("..."), big);
  assert.ok(big.length < 600, `length ${big.length}`);
});

test("dtypes and promotion", () => {
  assert.equal(dt.tensor([1, 2]).dtype, "float32");
  assert.equal(dt.arange(3).dtype, "int32");
  assert.equal(dt.arange(0, 1, 0.25).dtype, "float32");
  assert.equal(dt.tensor([1], { dtype: "int32" }).add(1.5).dtype, "float32");
  assert.equal(dt.tensor([1], { dtype: "int32" }).add(2).dtype, "int32");
  assert.equal(dt.tensor([1], { dtype: "int32" }).div(2).dtype, "float32");
  assert.equal(dt.tensor([1]).add(dt.tensor([1], { dtype: "float64" })).dtype, "float64");
  assert.equal(dt.tensor([1]).add(dt.tensor(1, { dtype: "float64" })).dtype, "float32", "0-d tensors do not promote within a category");
  assert.equal(dt.tensor([1]).lt(2).dtype, "bool");
  assert.equal(dt.tensor([true]).add(dt.tensor([true])).dtype, "bool");
  assert.deepEqual(dt.tensor(new Uint8Array([1, 0, 1]), { dtype: "bool" }).toArray(), [true, false, true]);
  assert.deepEqual(dt.tensor([0.5, -1.5, 2.5, 3.5]).round().toArray(), [0, -2, 2, 4]);
  assert.deepEqual(dt.tensor([2.7, -2.7]).to("int32").toArray(), [2, -2]);
  dt.manualSeed(5);
  const a = dt.randn([4]).toArray();
  dt.manualSeed(5);
  assert.deepEqual(dt.randn([4]).toArray(), a);
});

test("select and unbind: x[i] along a dim, gradients flow to the slice", () => {
  const x = dt.arange(12).reshape(3, 4).to("float64").requiresGrad_();
  assert.deepEqual(x.select(1, -1).toArray(), [3, 7, 11]);
  assert.deepEqual(dt.select(x, 0, 1).toArray(), [4, 5, 6, 7]);
  const parts = dt.unbind(x, 1);
  assert.equal(parts.length, 4);
  assert.deepEqual(parts[2].toArray(), [2, 6, 10]);
  parts[2].mul(parts[3]).sum().backward(); // d/dx2 = x3, d/dx3 = x2
  assert.deepEqual(x.grad!.toArray(), [[0, 0, 3, 2], [0, 0, 7, 6], [0, 0, 11, 10]]);
});
