// fit, evaluate, callbacks, schedulers, clipping, seeding and the run directory, on a tiny
// softmax regression (written by hand here, so the loop is tested apart from nn.Module).

import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as dt from "../../src/index.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { fit, evaluate, earlyStopping, bestCheckpoint, readRun, plotRun, Progress } from "../../src/train/index.js";
import type { TrainableModule, OptimizerLike } from "../../src/train/index.js";

const F = dt.nn.functional;

/** logits = x W + b: [B, 16] -> [B, 3]. */
class Softmax implements TrainableModule {
  w = dt.zeros([16, 3], { requiresGrad: true });
  b = dt.zeros([3], { requiresGrad: true });
  training = true;
  mode: boolean[] = [];
  call(x: Tensor): Tensor {
    return x.matmul(this.w).add(this.b); // [B, 3]
  }
  train(mode = true) { this.training = mode; this.mode.push(mode); }
  eval() { this.train(false); }
  parameters() { return [this.w, this.b]; }
  stateDict() { return { w: this.w, b: this.b }; }
  loadStateDict(sd: Record<string, Tensor> | Map<string, Tensor>) {
    const get = (k: string) => (sd instanceof Map ? sd.get(k)! : sd[k]);
    dt.noGrad(() => { this.w.copy_(get("w")); this.b.copy_(get("b")); });
  }
}

class Sgd implements OptimizerLike {
  paramGroups: { lr: number }[];
  constructor(private params: Tensor[], lr: number) { this.paramGroups = [{ lr }]; }
  zeroGrad() { for (const p of this.params) p.grad = null; }
  step() { dt.noGrad(() => { for (const p of this.params) if (p.grad) p.sub_(p.grad.mul(this.paramGroups[0].lr)); }); }
}

/** Three Gaussian blobs in 16-D (so inputs are 4x4 "images"), shuffled each epoch by dt.randperm. */
function blobs(n: number, seed: number) {
  dt.manualSeed(seed);
  const y = dt.randint(0, 3, [n]);
  const centers = dt.randn([3, 16]).mul(1.5);
  const x = centers.indexSelect(0, y).add(dt.randn([n, 16])); // [n, 16]
  const loader = (batchSize: number, shuffle: boolean) => ({
    length: Math.ceil(n / batchSize),
    *[Symbol.iterator]() {
      const order = shuffle ? dt.randperm(n) : dt.arange(n);
      for (let i = 0; i < n; i += batchSize) {
        const idx = order.slice(0, i, Math.min(n, i + batchSize));
        yield [x.indexSelect(0, idx), y.indexSelect(0, idx)];
      }
    },
  });
  return { x, y, loader };
}

const quiet = { stream: { write: () => true }, tty: false };
const dirs: string[] = [];
const tmp = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), "deeptype-fit-")); dirs.push(d); return d; };
after(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

test("fit: trains, evaluates each epoch and writes the run directory", async () => {
  const data = blobs(240, 1);
  const model = new Softmax();
  const dir = tmp();
  const lines: string[] = [];
  const result = await fit(model, {
    train: data.loader(32, true), val: data.loader(64, false), epochs: 4, optimizer: new Sgd(model.parameters(), 0.5),
    lossFn: (o, t) => F.crossEntropy(o, t), metrics: ["accuracy", "f1"], seed: 3, runDir: dir, config: { recipe: "blobs" },
    progress: { stream: { write: (s: string) => lines.push(s) }, tty: false }, classNames: ["a", "b", "c"],
  });
  assert.equal(result.history.length, 4);
  const last = result.history[3];
  assert.ok(last.train.loss < result.history[0].train.loss, "training loss goes down");
  assert.ok(last.val!.accuracy > 0.9, `val accuracy ${last.val!.accuracy}`);
  assert.ok(Math.abs(last.val!.f1 - dt.metrics.f1(model.call(data.x), data.y)) < 1e-9, "val f1 is the metric over the whole val set");
  // eval mode during validation, train mode during training
  assert.deepEqual(model.mode.slice(0, 2), [true, false]);
  // run directory
  const run = readRun(dir);
  assert.equal(run.config.recipe, "blobs");
  assert.equal(run.config.seed, 3);
  assert.equal(run.epochs.length, 4);
  assert.equal(run.steps.length, 4 * 8);
  assert.equal(run.steps[7].progress, 1);
  assert.equal(run.steps[0].lr, 0.5);
  const ev = run.evaluation!;
  assert.equal(ev.numSamples, 240);
  assert.deepEqual(ev.confusionMatrix, dt.metrics.confusionMatrix(model.call(data.x), data.y, { numClasses: 3 }));
  assert.ok(ev.misclassified!.length <= 32);
  for (const e of ev.misclassified!) {
    assert.equal(e.width * e.height, 16);
    assert.notEqual(e.target, e.pred);
  }
  assert.ok(fs.existsSync(path.join(dir, "checkpoints/last.safetensors")));
  const html = fs.readFileSync(path.join(dir, "report.html"), "utf8");
  assert.match(html, /<svg[^>]*class="chart"/);
  assert.match(html, /class="confusion"/);
  // plain progress lines off a terminal: batch lines and one summary per epoch
  const text = lines.join("");
  assert.doesNotMatch(text, /\r/);
  assert.equal(text.match(/^epoch \d\/4 train|^epoch \d\/4 loss/gm)?.length ?? 0, 4);
  assert.match(text, /epoch 4\/4 8\/8 [\d.]+ batch\/s ETA 0:00 loss [\d.]+ acc/);
  // plot writes SVG files
  const files = plotRun(dir);
  assert.ok(files.some((f) => f.endsWith("loss.svg")) && files.some((f) => f.endsWith("accuracy.svg")));
  assert.match(fs.readFileSync(files[0], "utf8"), /^<\?xml[^]*<path d="M/);
});

test("fit: the same seed gives the same run", async () => {
  const runOnce = async () => {
    const data = blobs(96, 5);
    const model = new Softmax();
    const r = await fit(model, { train: data.loader(16, true), epochs: 2, optimizer: new Sgd(model.parameters(), 0.3), lossFn: F.crossEntropy, seed: 11, progress: false });
    return r.history.map((h) => h.train.loss);
  };
  assert.deepEqual(await runOnce(), await runOnce());
});

test("fit: earlyStopping stops, restores the best weights; bestCheckpoint saves on improvement", async () => {
  const data = blobs(120, 2);
  const model = new Softmax();
  const dir = tmp();
  // validation accuracy is made to peak at epoch 2 by a fake metric
  const seq = [0.5, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4];
  let calls = 0;
  const es = earlyStopping({ monitor: "val.score", patience: 2, restoreBestWeights: true });
  const best = bestCheckpoint({ monitor: "val.score" });
  let wAtEpoch2: number[] = [];
  const result = await fit(model, {
    train: data.loader(30, true), val: data.loader(60, false), epochs: 7, optimizer: new Sgd(model.parameters(), 0.2), lossFn: F.crossEntropy,
    metrics: { score: () => seq[Math.floor(calls++ / 2)] ?? 0 }, runDir: dir, progress: quiet,
    callbacks: [es, best, { onEpochEnd: (s) => { if (s.epoch === 2) wAtEpoch2 = Array.from(model.w.dataSync()); } }],
  });
  // the metric runs on train then val outputs each epoch: val.score = seq[epoch - 1], best at epoch 2
  assert.equal(es.stoppedEpoch, 4);
  assert.equal(es.bestEpoch(), 2);
  assert.equal(result.history.length, 4);
  assert.equal(best.bestEpoch(), es.bestEpoch());
  assert.ok(fs.existsSync(path.join(dir, "checkpoints/best.safetensors")));
  assert.deepEqual(Array.from(model.w.dataSync()), wAtEpoch2);
  assert.equal(result.evaluation!.weights, "best (epoch 2)");
});

test("fit: schedulers step per batch (OneCycleLR), per epoch, and with the metric (ReduceLROnPlateau)", async () => {
  const data = blobs(64, 3);
  class OneCycleLR { n = 0; step() { this.n++; } }
  class StepLR { n = 0; step() { this.n++; } }
  class ReduceLROnPlateau { seen: number[] = []; step(m?: number) { this.seen.push(m!); } }
  const mk = () => new Softmax();
  const one = new OneCycleLR();
  let m = mk();
  await fit(m, { train: data.loader(16, false), epochs: 2, optimizer: new Sgd(m.parameters(), 0.1), lossFn: F.crossEntropy, scheduler: one, progress: false });
  assert.equal(one.n, 8);
  const st = new StepLR();
  m = mk();
  await fit(m, { train: data.loader(16, false), epochs: 3, optimizer: new Sgd(m.parameters(), 0.1), lossFn: F.crossEntropy, scheduler: st, progress: false });
  assert.equal(st.n, 3);
  const pl = new ReduceLROnPlateau();
  m = mk();
  const r = await fit(m, { train: data.loader(16, false), val: data.loader(32, false), epochs: 2, optimizer: new Sgd(m.parameters(), 0.1), lossFn: F.crossEntropy, scheduler: pl, progress: false });
  assert.deepEqual(pl.seen, r.history.map((h) => h.val!.loss));
});

test("fit: limitBatches, batches as { input, target }, errors", async () => {
  const data = blobs(64, 4);
  const m = new Softmax();
  const batches = [...data.loader(8, false)].map(([x, y]) => ({ input: x, target: y }));
  const r = await fit(m, { train: batches, epochs: 1, optimizer: new Sgd(m.parameters(), 0.1), lossFn: F.crossEntropy, limitBatches: 3, progress: false });
  assert.equal(r.history[0].samplesPerSecond > 0, true);
  await assert.rejects(fit(m, { train: batches, epochs: 0, optimizer: new Sgd(m.parameters(), 0.1), lossFn: F.crossEntropy }), /epochs must be a positive integer/);
  await assert.rejects(fit(m, { train: batches, epochs: 1, optimizer: new Sgd(m.parameters(), 0.1), lossFn: F.crossEntropy, metrics: ["nope" as "accuracy"], progress: false }), /unknown metric 'nope'/);
  const ev = await evaluate(m, batches, { lossFn: F.crossEntropy, metrics: ["accuracy", "top5", "logLoss"] });
  assert.equal(ev.numSamples, 64);
  assert.equal(ev.metrics.top5, 1);
});

test("fit: clipGradNorm bounds each update (SGD, lr 1: |step| <= maxNorm)", async () => {
  const data = blobs(32, 6);
  const m = new Softmax();
  const batches = [...data.loader(32, false)];
  await fit(m, { train: batches, epochs: 1, optimizer: new Sgd(m.parameters(), 1), lossFn: F.crossEntropy, clipGradNorm: 0.01, progress: false });
  // parameters start at 0, so after one step their norm is the clipped gradient norm
  const norm = Math.hypot(...m.w.dataSync(), ...m.b.dataSync());
  assert.ok(Math.abs(norm - 0.01) < 1e-5, `update norm ${norm}`);
});

test("Progress: a live \\r line on a terminal, plain lines otherwise", () => {
  const out: string[] = [];
  const p = new Progress({ stream: { write: (s: string) => out.push(s), columns: 120 }, tty: true });
  p.startEpoch(1, 2, 3);
  for (let i = 0; i < 3; i++) p.update({ loss: 1, samples: 4, metric: ["acc", 0.5] });
  p.log("summary");
  const text = out.join("");
  assert.match(text, /\r\x1b\[Kepoch 1\/2 \[[█░]+\] 3\/3 [\d.]+ batch\/s ETA 0:00 loss 1\.0000 acc 0\.5000/);
  assert.match(text, /\r\x1b\[Ksummary\n$/);
});
