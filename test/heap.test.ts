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

test("a loop that never yields gets blocks back and never reuses a live tensor's block", { skip: !wasmAvailable }, () => {
  // no await anywhere in this test: every block that comes back comes from a synchronous sweep
  const before = heapStats();
  const n = 1 << 20; // 4 MiB a tensor: the soft cap is reached after some 32 of them
  const kept: { t: dt.Tensor; v: number }[] = [];
  for (let i = 0; i < 400; i++) {
    const t = dt.full([n], i);
    const u = t.add(1); // a kernel output on the heap, dropped at once
    assert.equal((u.storage as Float32Array)[n - 1], i + 1);
    if (i % 40 === 0) kept.push({ t, v: i });
  }
  const s = heapStats();
  assert.ok(s.forcedCollections > before.forcedCollections, "no collection was run in the synchronous stretch");
  assert.ok(s.reservedBytes <= s.softCapBytes + 8 * n, `heap reserved ${s.reservedBytes} bytes, soft cap ${s.softCapBytes}: dead blocks did not come back`);
  for (const { t, v } of kept) {
    assert.ok(inMemory(t.storage));
    const a = t.storage as Float32Array;
    for (let k = 0; k < n; k += 4099) assert.equal(a[k], v, `a tensor still referenced lost its values (element ${k})`);
  }
});

test("views of a live tensor keep its block: a reshaped or sliced view outliving its base", { skip: !wasmAvailable }, () => {
  const views: dt.Tensor[] = [];
  for (let i = 0; i < 200; i++) {
    const base = dt.full([512, 1024], i);
    if (i % 20 === 0) views.push(base.reshape(1024, 512).slice(0, 100, 200));
    base.mul(2); // garbage
  }
  views.forEach((v, j) => assert.equal(v.sum().item(), 20 * j * 100 * 512));
});
