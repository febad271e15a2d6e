// The wasm backend's tensor heap (src/backend/wasm/runtime.ts): large float32 tensors live in wasm
// memory, come back when collected, and are zeroed when handed out again.

import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import * as dt from "../src/index.js";
import { heapStats, inMemory } from "../src/backend/wasm/runtime.js";
import { wasmAvailable } from "../src/backend/wasm/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const turn = () => new Promise((r) => setImmediate(r));

test("large float32 tensors live on the heap; small ones and other dtypes do not", { skip: !wasmAvailable }, () => {
  assert.ok(inMemory(dt.zeros([200, 100]).storage));
  assert.ok(inMemory(dt.randn([20000]).add(1).storage), "kernel results");
  assert.ok(!inMemory(dt.zeros([10, 10]).storage));
  assert.ok(!inMemory(dt.zeros([200, 100], { dtype: "float64" }).storage));
});

test("collected tensors return their blocks, which come back zeroed", { skip: !wasmAvailable }, async () => {
  const n = 123457;
  const seen = new Set<number>();
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 20; i++) {
      const t = dt.zeros([n]);
      const a = t.storage as Float32Array;
      assert.ok(inMemory(a));
      for (let k = 0; k < n; k += 997) assert.equal(a[k], 0, `round ${round}: element ${k} of a recycled block is not zero`);
      seen.add(a.byteOffset);
      a.fill(7);
    }
    gc();
    await turn();
    await new Promise((r) => setTimeout(r, 5));
  }
  const s = heapStats();
  assert.ok(s.returned, "no block came back after collections");
  assert.ok(seen.size < 100, `${seen.size} distinct blocks for 100 tensors: blocks are not reused`);
});

test("results computed on heap operands match the reference backend", { skip: !wasmAvailable }, () => {
  dt.manualSeed(3);
  const a = dt.randn([300, 257]), b = dt.randn([257, 129]);
  const wasm = [a.matmul(b), a.T.contiguous(), a.mul(2).sum(0), dt.nn.functional.gelu(a)].map((t) => t.dataSync());
  dt.setBackend("js");
  try {
    const js = [a.matmul(b), a.T.contiguous(), a.mul(2).sum(0), dt.nn.functional.gelu(a)].map((t) => t.dataSync());
    js.forEach((want, i) => {
      const got = wasm[i];
      assert.equal(got.length, want.length);
      for (let k = 0; k < want.length; k++) assert.ok(Math.abs(got[k] - want[k]) <= 1e-3 * (1 + Math.abs(want[k])), `result ${i}[${k}]: ${got[k]} vs ${want[k]}`);
    });
  } finally {
    dt.setBackend("wasm");
  }
});
