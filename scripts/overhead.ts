// Per-op dispatch overhead: time of dt.add on 1-element tensors (and a few other small ops),
// with and without autograd recording. Usage: npx tsx scripts/overhead.ts [--backend js]

import * as dt from "../src/index.js";

const bi = process.argv.indexOf("--backend");
if (bi > 0) dt.setBackend(process.argv[bi + 1]);
const N = 1_000_000;

function time(label: string, f: () => unknown): number {
  for (let i = 0; i < 20000; i++) f(); // warm up the JIT
  const t0 = performance.now();
  for (let i = 0; i < N; i++) f();
  const us = ((performance.now() - t0) * 1000) / N;
  console.log(`${label.padEnd(42)} ${us.toFixed(3)} µs/op`);
  return us;
}

const a = dt.tensor([1]), b = dt.tensor([2]);
const ag = dt.tensor([1], { requiresGrad: true });
console.log(`backend: ${dt.getBackend()}`);
const add = time("add([1], [1])", () => dt.add(a, b));
time("a.add(b) (method)", () => a.add(b));
time("add([1], 2) (number operand)", () => dt.add(a, 2));
time("mul([1], [1]) recording the graph", () => dt.mul(ag, b));
time("exp([1])", () => dt.exp(a));
time("sum([1])", () => dt.sum(a));
console.log(JSON.stringify({ backend: dt.getBackend(), addMicroseconds: +add.toFixed(3) }));
