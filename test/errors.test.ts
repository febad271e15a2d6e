// Bad input: each error names the op, the shapes and what was expected.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as dt from "../src/index.js";

function throwsWith(fn: () => unknown, ...parts: (string | RegExp)[]): void {
  let msg = "";
  try {
    fn();
  } catch (e) {
    msg = (e as Error).message;
  }
  assert.ok(msg, "expected an error");
  for (const p of parts) assert.match(msg, typeof p === "string" ? new RegExp(p.replace(/[[\]().*+?^$|{}\\]/g, "\\$&")) : p, `message: ${msg}`);
}

test("shape mismatch in broadcasting names op and shapes", () => {
  throwsWith(() => dt.add(dt.zeros([2, 3]), dt.zeros([4, 3])), "add", "[2,3]", "[4,3]", "broadcast");
  throwsWith(() => dt.mul(dt.zeros([3]), dt.zeros([2])), "mul", "[3]", "[2]");
});

test("matmul inner dims", () => {
  throwsWith(() => dt.matmul(dt.zeros([2, 3]), dt.zeros([4, 5])), "matmul: [2,3] @ [4,5]: inner dims 3 ≠ 4");
  throwsWith(() => dt.mm(dt.zeros([2, 3, 1]), dt.zeros([1, 2])), "mm", "expected 2-D");
  throwsWith(() => dt.bmm(dt.zeros([2, 2, 3]), dt.zeros([3, 3, 2])), "bmm", "batch sizes 2 ≠ 3");
});

test("out-of-range dims", () => {
  throwsWith(() => dt.sum(dt.zeros([2, 3]), 2), "sum: dim 2 out of range", "[2,3]", "[-2, 1]");
  throwsWith(() => dt.zeros([2, 3]).transpose(0, -3), "transpose", "dim -3");
  throwsWith(() => dt.softmax(dt.zeros([2]), 1), "softmax", "dim 1");
  throwsWith(() => dt.cat([dt.zeros([2, 3]), dt.zeros([2, 4])], 0), "cat", "[2,3]", "[2,4]");
  throwsWith(() => dt.zeros([2, 3]).reshape(4, 2), "reshape", "[4,2]", "[2,3]");
  throwsWith(() => dt.zeros([3, 4]).T.view(12), "view", "[12]", "reshape");
});

test("wrong dtypes", () => {
  throwsWith(() => dt.matmul(dt.tensor([[true, false]]), dt.tensor([[true], [false]])), "matmul", "bool", "[1,2]", "expected float or int32");
  throwsWith(() => dt.zeros([2], { dtype: "int32" }).requiresGrad_(), "requiresGrad_", "int32", "[2]", "expected float32 or float64");
  throwsWith(() => dt.tensor([1, 2], { dtype: "int32", requiresGrad: true }), "requiresGrad", "int32");
  throwsWith(() => dt.where(dt.zeros([2]), dt.zeros([2]), dt.zeros([2])), "where", "bool");
  throwsWith(() => dt.zeros([2], { dtype: "float16" as never }), "unknown dtype", "float16");
});

test("backward on a non-scalar without a gradient", () => {
  const x = dt.randn([2, 3], { requiresGrad: true });
  throwsWith(() => x.mul(2).backward(), "backward", "scalar", "[2,3]");
  throwsWith(() => x.mul(2).backward(dt.ones([3])), "backward", "[3]", "[2,3]");
  throwsWith(() => dt.ones([1]).backward(), "backward", "does not require grad");
});

test("a second backward through a freed graph", () => {
  const x = dt.randn([3], { requiresGrad: true });
  const y = x.exp().sum();
  y.backward();
  throwsWith(() => y.backward(), "second time", "sum", "retainGraph");
  // with retainGraph it works any number of times and accumulates
  const z = x.mul(x).sum();
  x.grad = null;
  z.backward(undefined, { retainGraph: true });
  z.backward(undefined, { retainGraph: true });
  z.backward();
  assert.deepEqual(Array.from(x.grad!.dataSync()), Array.from(x.mul(6).dataSync()));
});

test("in-place update of a tensor that requires grad outside noGrad", () => {
  const w = dt.randn([2], { requiresGrad: true });
  throwsWith(() => w.sub_(1), "sub_", "requires grad", "noGrad");
  dt.noGrad(() => w.sub_(1)); // fine
});

test("loss target checks", () => {
  const F = dt.nn.functional;
  throwsWith(() => F.crossEntropy(dt.zeros([2, 3]), dt.tensor([0, 5], { dtype: "int32" })), "crossEntropy", "5", "3 classes");
  throwsWith(() => F.nllLoss(dt.zeros([2, 3]), dt.tensor([0, 1, 2], { dtype: "int32" })), "nllLoss", "[3]", "[2,3]", "[2]");
  throwsWith(() => F.linear(dt.zeros([2, 3]), dt.zeros([4, 5])), "linear", "[2,3]", "[4,5]", "3 ≠ 5");
  throwsWith(() => dt.tensor([[1, 2], [3]]), "ragged");
});
