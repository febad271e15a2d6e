// Memory check: a small MLP trained for many steps exactly as a PyTorch user writes it
// (no dispose or cleanup calls anywhere), printing resident memory at the start and the end.
// Usage: npx tsx scripts/memory.ts [--steps 10000] [--large] [--yield]
//   --large: a 784-512-512-10 MLP on batches of 128 (tensors big enough for the wasm tensor heap)
//   --yield: the loop awaits a turn of the event loop each step (as one that awaits its data does),
//            so tensors collected by the garbage collector return their heap blocks
// Prints one JSON line last: { steps, rssStartMB, rssWarmMB, rssEndMB, growthMB, seconds, heap }.

import * as dt from "../src/index.js";
import { heapStats } from "../src/backend/wasm/runtime.js";

const argSteps = process.argv.indexOf("--steps");
const steps = argSteps > 0 ? Number(process.argv[argSteps + 1]) : 10000;
const large = process.argv.includes("--large"), yieldEach = process.argv.includes("--yield");
const mb = () => process.memoryUsage().rss / 2 ** 20;

dt.manualSeed(0);
// data: two Gaussian blobs in 20-D, 10 classes
const F = large ? 784 : 20, H = large ? 512 : 64, B = large ? 128 : 32;
const X = dt.randn([256, F]);
const y = dt.randint(0, 10, [256]);

// model: 20-64-64-10 MLP with ReLU, SGD with momentum: the PyTorch way, no cleanup anywhere
const model = new dt.nn.Sequential(new dt.nn.Linear(F, H), new dt.nn.ReLU(), new dt.nn.Linear(H, H), new dt.nn.ReLU(), new dt.nn.Linear(H, 10));
const opt = new dt.optim.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 });
const lossFn = new dt.nn.CrossEntropyLoss();

const rssStart = mb();
const t0 = performance.now();
let rssWarm = rssStart;
let loss = 0;
for (let step = 0; step < steps; step++) {
  const i = (step * B) % 256;
  const xb = X.slice(0, i, i + B), yb = y.slice(0, i, i + B);
  opt.zeroGrad();
  const out = lossFn.call(model.call(xb), yb);
  out.backward();
  opt.step();
  loss = out.item();
  if (yieldEach) await new Promise((r) => setImmediate(r));
  if (step === Math.min(200, Math.floor(steps / 10))) rssWarm = mb();
}
const rssEnd = mb();
const seconds = (performance.now() - t0) / 1000;
console.log(`start RSS ${rssStart.toFixed(1)} MB, after warm-up ${rssWarm.toFixed(1)} MB, end RSS ${rssEnd.toFixed(1)} MB after ${steps} steps (${seconds.toFixed(1)} s, final loss ${loss.toFixed(4)})`);
console.log(JSON.stringify({ steps, rssStartMB: +rssStart.toFixed(1), rssWarmMB: +rssWarm.toFixed(1), rssEndMB: +rssEnd.toFixed(1), growthMB: +(rssEnd - rssStart).toFixed(1), seconds: +seconds.toFixed(2), loss, heap: heapStats() }));
