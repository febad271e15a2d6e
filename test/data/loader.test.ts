// Dataset, TensorDataset, Subset, randomSplit, DataLoader and default collate (torch.utils.data semantics).

import { test } from "node:test";
import assert from "node:assert/strict";
import * as dt from "../../src/index.js";

const { data } = dt;

function xy(n: number) {
  const x = dt.arange(n * 3).reshape(n, 3).to("float32"); // row i = [3i, 3i+1, 3i+2]
  const y = dt.arange(n);
  return new data.TensorDataset(x, y);
}

test("TensorDataset items, errors, and Subset / ConcatDataset", () => {
  const ds = xy(10);
  assert.equal(ds.length, 10);
  const [xi, yi] = ds.get(4);
  assert.deepEqual(xi.toArray(), [12, 13, 14]);
  assert.equal(yi.item(), 4);
  assert.deepEqual(ds.get(-1)[1].toArray(), 9);
  assert.throws(() => ds.get(10), /index 10 out of range for a dataset of 10 items/);
  assert.throws(() => new data.TensorDataset(dt.zeros([3, 2]), dt.zeros([4])), /size mismatch/);
  const sub = new data.Subset(ds, [7, 2]);
  assert.equal(sub.length, 2);
  assert.equal(sub.get(0)[1].item(), 7);
  const cat = new data.ConcatDataset([sub, ds]);
  assert.equal(cat.length, 12);
  assert.equal(cat.get(2)[1].item(), 0);
  assert.deepEqual([...sub].map(([, y]) => y.item()), [7, 2]);
});

test("randomSplit: lengths or fractions, disjoint, reproducible under manualSeed", () => {
  const ds = xy(10);
  dt.manualSeed(1);
  const [a, b] = data.randomSplit(ds, [7, 3]);
  assert.equal(a.length, 7);
  assert.equal(b.length, 3);
  const all = [...a.indices, ...b.indices].sort((p, q) => p - q);
  assert.deepEqual(all, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  dt.manualSeed(1);
  const [a2] = data.randomSplit(ds, [0.7, 0.3]);
  assert.deepEqual([...a2.indices], [...a.indices]);
  const parts = data.randomSplit(ds, [0.34, 0.33, 0.33]); // 3+3+3, remainder 1 to the first
  assert.deepEqual(parts.map((p) => p.length), [4, 3, 3]);
  assert.throws(() => data.randomSplit(ds, [5, 4]), /sum of input lengths \(9\) does not equal the length of the input dataset \(10\)/);
});

test("DataLoader: batches, length, dropLast, TensorDataset fast path equals per-item stacking", () => {
  const ds = xy(10);
  const loader = new data.DataLoader(ds, { batchSize: 4 });
  assert.equal(loader.length, 3);
  const batches = [...loader];
  assert.equal(batches.length, 3);
  assert.deepEqual(batches.map(([x, y]) => [x.shape, y.toArray()]), [
    [[4, 3], [0, 1, 2, 3]], [[4, 3], [4, 5, 6, 7]], [[2, 3], [8, 9]],
  ]);
  assert.equal(batches[0][1].dtype, "int32");
  assert.equal(new data.DataLoader(ds, { batchSize: 4, dropLast: true }).length, 2);
  assert.equal([...new data.DataLoader(ds, { batchSize: 4, dropLast: true })].length, 2);
  // the same batches through the generic path (custom collate = default collate)
  const slow = [...new data.DataLoader(ds, { batchSize: 4, collate: data.defaultCollate })];
  batches.forEach(([x, y], i) => {
    assert.deepEqual(slow[i][0].toArray(), x.toArray());
    assert.deepEqual(slow[i][1].toArray(), y.toArray());
  });
  // a Subset of a TensorDataset keeps the fast path and its index mapping
  const sub = new data.Subset(ds, [9, 0, 5]);
  assert.deepEqual([...new data.DataLoader(sub, { batchSize: 3 })][0][1].toArray(), [9, 0, 5]);
});

test("DataLoader shuffle: a permutation per epoch, reproducible under manualSeed", () => {
  const ds = xy(20);
  const epoch = (l: dt.data.DataLoader<any, dt.Tensor[]>) => [...l].flatMap(([, y]) => y.toArray() as number[]);
  const loader = new data.DataLoader(ds, { batchSize: 6, shuffle: true });
  dt.manualSeed(42);
  const e1 = epoch(loader), e2 = epoch(loader);
  assert.deepEqual([...e1].sort((a, b) => a - b), [...Array(20).keys()]);
  assert.notDeepEqual(e1, e2);
  assert.notDeepEqual(e1, [...Array(20).keys()]);
  dt.manualSeed(42);
  assert.deepEqual(epoch(loader), e1);
  assert.deepEqual(epoch(loader), e2);
});

test("default collate: numbers, booleans, strings, nested arrays and objects", () => {
  class Items extends data.Dataset<{ x: dt.Tensor; label: number; w: number; ok: boolean; name: string; pair: [number, dt.Tensor] }> {
    get length() { return 5; }
    get(i: number) {
      return { x: dt.full([2], i), label: i, w: i + 0.5, ok: i % 2 === 0, name: `item${i}`, pair: [i * 10, dt.tensor([i, -i])] as [number, dt.Tensor] };
    }
  }
  const [b] = [...new data.DataLoader(new Items(), { batchSize: 3 })];
  assert.deepEqual(b.x.shape, [3, 2]);
  assert.equal(b.label.dtype, "int32");
  assert.deepEqual(b.label.toArray(), [0, 1, 2]);
  assert.equal(b.w.dtype, "float32");
  assert.deepEqual(b.ok.toArray(), [true, false, true]);
  assert.deepEqual(b.name, ["item0", "item1", "item2"]);
  assert.deepEqual(b.pair[0].toArray(), [0, 10, 20]);
  assert.deepEqual(b.pair[1].toArray(), [[0, -0], [1, -1], [2, -2]]);
  assert.throws(() => data.defaultCollate([new Date()]), /found Date/);
  // a plain object with length/get works as a dataset too
  const plain = { length: 3, get: (i: number) => [i, i * i] };
  assert.deepEqual([...new data.DataLoader(plain, { batchSize: 3 })][0].map((t: dt.Tensor) => t.toArray()), [[0, 1, 2], [0, 1, 4]]);
});

test("for await: same batches, async datasets awaited, next batch prepared while the current one is used", async () => {
  const ds = xy(10);
  const loader = new data.DataLoader(ds, { batchSize: 4 });
  const got: number[][] = [];
  for await (const [, y] of loader) got.push(y.toArray());
  assert.deepEqual(got, [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);

  const requested: number[] = [];
  const asyncDs = {
    length: 6,
    get: async (i: number) => {
      requested.push(i);
      await new Promise((r) => setTimeout(r, 1));
      return dt.tensor([i]);
    },
  };
  const aloader = new data.DataLoader(asyncDs, { batchSize: 2 });
  assert.throws(() => [...aloader], /returned a Promise; iterate with 'for await/);
  requested.length = 0;
  const seen: number[][] = [];
  for await (const batch of aloader) {
    // while batch k is used, batch k+1 is being fetched
    await new Promise((r) => setTimeout(r, 5));
    const k = seen.length;
    if (k + 1 < 3) assert.ok(requested.includes(2 * (k + 1)), `batch ${k + 1} prefetched while batch ${k} is in use`);
    seen.push(batch.toArray().flat());
  }
  assert.deepEqual(seen, [[0, 1], [2, 3], [4, 5]]);
  // stopping early leaves nothing dangling
  for await (const _ of aloader) break;
});
