// Memory check: a small MLP trained for many steps exactly as a PyTorch user writes it
// (no dispose or cleanup calls anywhere), printing resident memory at the start and the end.
// Usage: npx tsx scripts/memory.ts [--steps 10000]
// Prints one JSON line last: { steps, rssStartMB, rssWarmMB, rssEndMB, growthMB, seconds }.

import * as dt from "../src/index.js";

const argSteps = process.argv.indexOf("--steps");
const steps = argSteps > 0 ? Number(process.argv[argSteps + 1]) : 10000;
const F = dt.nn.functional;
const mb = () => process.memoryUsage().rss / 2 ** 20;

dt.manualSeed(0);
// data: two Gaussian blobs in 20-D, 10 classes
const X = dt.randn([256, 20]);
const y = dt.randint(0, 10, [256]);

// model: 20-64-64-10 MLP with ReLU, parameters as leaves
const init = (o: number, i: number) => dt.randn([o, i]).mul(Math.sqrt(2 / i)).requiresGrad_();
const params = [init(64, 20), dt.zeros([64], { requiresGrad: true }), init(64, 64), dt.zeros([64], { requiresGrad: true }), init(10, 64), dt.zeros([10], { requiresGrad: true })];
const [w1, b1, w2, b2, w3, b3] = params;
const lr = 0.05;

const rssStart = mb();
const t0 = performance.now();
let rssWarm = rssStart;
let loss = 0;
for (let step = 0; step < steps; step++) {
  const i = (step * 32) % 256;
  const xb = X.slice(0, i, i + 32), yb = y.slice(0, i, i + 32);
  const h = F.relu(F.linear(F.relu(F.linear(xb, w1, b1)), w2, b2));
  const out = F.crossEntropy(F.linear(h, w3, b3), yb);
  for (const p of params) p.grad = null;
  out.backward();
  dt.noGrad(() => {
    for (const p of params) p.sub_(p.grad!.mul(lr));
  });
  loss = out.item();
  if (step === Math.min(200, Math.floor(steps / 10))) rssWarm = mb();
}
const rssEnd = mb();
const seconds = (performance.now() - t0) / 1000;
console.log(`start RSS ${rssStart.toFixed(1)} MB, after warm-up ${rssWarm.toFixed(1)} MB, end RSS ${rssEnd.toFixed(1)} MB after ${steps} steps (${seconds.toFixed(1)} s, final loss ${loss.toFixed(4)})`);
console.log(JSON.stringify({ steps, rssStartMB: +rssStart.toFixed(1), rssWarmMB: +rssWarm.toFixed(1), rssEndMB: +rssEnd.toFixed(1), growthMB: +(rssEnd - rssStart).toFixed(1), seconds: +seconds.toFixed(2), loss }));
