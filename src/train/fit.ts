// fit(model, options): the training loop recipes use and users may use, as a PyTorch user writes
// it by hand (zeroGrad, forward, loss, backward, clip, step), plus what every run needs: evaluation
// each epoch (model.eval(), no grad), metrics, schedulers stepped at the right time, callbacks
// (early stopping, best checkpoint), progress, seeding, and a run directory with a report.

import { checkOptions } from "../tensor/options.js";
import { Tensor } from "../tensor/tensor.js";
import { setGradEnabled } from "../tensor/autograd.js";
import { manualSeed } from "../tensor/random.js";
import { tensor as makeTensor } from "../ops/creation.js";
import { softmax } from "../nn/activation.js";
import { clipGradNorm_ } from "../nn/utils.js";
import * as M from "../metrics/index.js";
import { Progress, type ProgressOptions } from "./progress.js";
import { RunDir, type EpochRecord, type Evaluation, type Example, type StepRecord } from "./run-dir.js";
import { saveRunCheckpoint } from "./checkpoint.js";
import { writeReport } from "./report.js";
import type { Callback, FitState, LoaderLike, LossLike, ModelOutput, MetricFn, MetricName, MetricsSpec, OptimizerLike, SchedulerLike, TrainableModule } from "./types.js";

const FIT_KEYS = [
  "train", "val", "epochs", "optimizer", "lossFn", "metrics", "scheduler", "schedulerInterval", "schedulerMonitor", "callbacks",
  "clipGradNorm", "seed", "runDir", "config", "progress", "logEvery", "limitBatches", "classNames", "imageShape", "maxExamples",
] as const;
const EVALUATE_KEYS = ["lossFn", "metrics", "limitBatches", "maxExamples", "imageShape"] as const;

/** Options of fit(); `O` is the model's output type, the first argument of lossFn. */
export interface FitOptions<O = unknown> {
  /** Training batches: a DataLoader (or any iterable of [input, target]). */
  train: LoaderLike;
  /** Validation batches, evaluated after each epoch under noGrad with model.eval(). */
  val?: LoaderLike;
  /** The number of epochs. */
  epochs: number;
  /** The optimiser: step() and zeroGrad() each batch. */
  optimizer: OptimizerLike;
  /** (output, target) => scalar loss tensor, e.g. F.crossEntropy or new nn.CrossEntropyLoss(). */
  lossFn: LossLike<O>;
  /** Metrics over each epoch's outputs: names (["accuracy", "f1"]) or functions. Default none. */
  metrics?: MetricsSpec;
  /** A learning-rate scheduler; stepped per batch (OneCycleLR) or per epoch (the others;
   *  ReduceLROnPlateau gets the monitored value). */
  scheduler?: SchedulerLike;
  /** Override when the scheduler steps. Default: "batch" for OneCycleLR and CyclicLR, else "epoch". */
  schedulerInterval?: "batch" | "epoch";
  /** The value ReduceLROnPlateau watches. Default "val.loss" ("train.loss" without val). */
  schedulerMonitor?: string;
  /** earlyStopping(), bestCheckpoint(), or your own. Default none. */
  callbacks?: Callback[];
  /** Clip the gradients' global L2 norm to this value before each step. Default: no clipping. */
  clipGradNorm?: number;
  /** dt.manualSeed(seed) before training (shuffling, dropout). Default: not reseeded. */
  seed?: number;
  /** Directory for config.json, metrics.jsonl, checkpoints and report.html. Default: none written. */
  runDir?: string;
  /** Extra entries for config.json (the recipe's settings). */
  config?: Record<string, unknown>;
  /** Progress display: true (default; live line on a TTY, plain lines otherwise), false, or options. */
  progress?: boolean | ProgressOptions;
  /** Write a step record every this many batches. Default 1. */
  logEvery?: number;
  /** Stop each epoch (train and val) after this many batches, for smoke runs. Default: all. */
  limitBatches?: number;
  /** Names of the classes, for the report. Default "0", "1", ... */
  classNames?: string[];
  /** Shape of one input as an image, [H, W] or [C, H, W], for the report's examples. Default:
   *  inferred ([C, H, W] inputs, or square flat vectors). */
  imageShape?: number[];
  /** Misclassified examples kept for the report. Default 32. */
  maxExamples?: number;
}

/** What fit returns. */
export interface FitResult {
  /** One record per epoch. */
  history: EpochRecord[];
  /** Final evaluation on `val` with the weights the model ends with. */
  evaluation: Evaluation | null;
  /** The run directory written, or null. */
  runDir: string | null;
  /** Wall time of fit in seconds. */
  seconds: number;
  /** Training samples per second over the whole run. */
  samplesPerSecond: number;
}

type Resolved = [string, MetricFn][];

const NAMED: Record<MetricName, MetricFn> = {
  accuracy: (o, t) => M.accuracy(o, t),
  top5: (o, t) => M.topKAccuracy(o, t, 5),
  precision: (o, t) => M.precision(o, t, { average: "macro" }),
  recall: (o, t) => M.recall(o, t, { average: "macro" }),
  f1: (o, t) => M.f1(o, t, { average: "macro" }),
  rocAuc: (o, t) => M.rocAuc(o.ndim === 2 && o.shape[1] > 1 ? softmax(o, 1) : o.ndim === 2 ? o.reshape(-1).sigmoid() : o.sigmoid(), t),
  prAuc: (o, t) => M.prAuc(o.ndim === 2 && o.shape[1] > 1 ? softmax(o, 1) : o.ndim === 2 ? o.reshape(-1).sigmoid() : o.sigmoid(), t),
  logLoss: (o, t) => M.logLoss(o.ndim === 2 && o.shape[1] > 1 ? softmax(o, 1) : o.reshape(-1).sigmoid(), t),
  mse: (o, t) => M.mse(o, t),
  mae: (o, t) => M.mae(o, t),
  r2: (o, t) => M.r2(o, t),
};

function resolveMetrics(spec: MetricsSpec | undefined): Resolved {
  if (!spec) return [];
  if (!Array.isArray(spec)) return Object.entries(spec);
  return spec.map((m) => {
    if (Array.isArray(m)) return m;
    const fn = NAMED[m];
    if (!fn) throw new Error(`fit: unknown metric '${m}' (expected one of ${Object.keys(NAMED).join(", ")}, or a [name, fn] pair)`);
    return [m, fn];
  });
}

/** [inputs, target] of a batch: [x, y], [...xs, y], or { input, target } / { x, y }. */
export function splitBatch(batch: unknown): {
  /** The model's inputs. */
  inputs: Tensor[];
  /** The target. */
  target: Tensor;
} {
  if (Array.isArray(batch)) {
    if (batch.length < 2) throw new Error(`fit: a batch must be [input, target] (got an array of ${batch.length})`);
    return { inputs: batch.slice(0, -1), target: batch[batch.length - 1] };
  }
  const b = batch as Record<string, Tensor>;
  if (b && (b.input ?? b.x) && (b.target ?? b.y)) return { inputs: [b.input ?? b.x], target: b.target ?? b.y };
  throw new Error(`fit: a batch must be [input, target] or { input, target }, got ${typeof batch}`);
}

function callLoss(lossFn: LossLike, out: unknown, target: Tensor): Tensor {
  const loss = typeof lossFn === "function" ? lossFn(out, target) : lossFn.call(out, target);
  if (!(loss instanceof Tensor) || loss.numel() !== 1)
    throw new Error(`fit: lossFn must return a scalar tensor, got ${loss instanceof Tensor ? `shape [${loss.shape.join(", ")}]` : typeof loss}`);
  return loss;
}

async function* batches(loader: LoaderLike, limit?: number): AsyncGenerator<unknown> {
  let n = 0;
  if (limit !== undefined && limit <= 0) return;
  const it = loader as AsyncIterable<unknown> & Iterable<unknown>;
  if (typeof it[Symbol.asyncIterator] === "function") {
    for await (const b of it) {
      yield b;
      if (limit !== undefined && ++n >= limit) return;
    }
  } else if (typeof it[Symbol.iterator] === "function") {
    for (const b of it) {
      yield b;
      if (limit !== undefined && ++n >= limit) return;
    }
  } else throw new Error(`fit: a loader must be iterable (a DataLoader or an array of batches)`);
}

function numBatches(loader: LoaderLike, limit?: number): number | undefined {
  const n = typeof loader.length === "number" ? loader.length : undefined;
  return n === undefined ? limit : limit === undefined ? n : Math.min(n, limit);
}

/** Gathers the outputs and targets of an epoch, to compute metrics over all of it. */
class Collector {
  private out: Float32Array[] = [];
  private tgt: Float64Array[] = [];
  private outShape: number[] | null = null;
  private tgtShape: number[] | null = null;
  private tgtDtype: Tensor["dtype"] = "float32";
  count = 0;
  add(out: Tensor, target: Tensor): void {
    this.out.push(Float32Array.from(out.dataSync() as ArrayLike<number>));
    this.tgt.push(Float64Array.from(target.dataSync() as ArrayLike<number>));
    this.outShape ??= out.shape.slice(1);
    this.tgtShape ??= target.shape.slice(1);
    this.tgtDtype = target.dtype;
    this.count += out.shape[0] ?? 1;
  }
  tensors(): { output: Tensor; target: Tensor } | null {
    if (!this.outShape || !this.tgtShape) return null;
    const cat = <T extends Float32Array | Float64Array>(parts: T[], C: new (n: number) => T) => {
      const all = new C(parts.reduce((a, p) => a + p.length, 0));
      let o = 0;
      for (const p of parts) { all.set(p, o); o += p.length; }
      return all;
    };
    const output = makeTensor(cat(this.out, Float32Array), { shape: [this.count, ...this.outShape] });
    const tgt = cat(this.tgt, Float64Array);
    const dtype = this.tgtDtype === "int32" || this.tgtDtype === "bool" ? "int32" : "float32";
    const target = makeTensor(dtype === "int32" ? Int32Array.from(tgt) : Float32Array.from(tgt), { shape: [this.count, ...this.tgtShape] });
    return { output, target };
  }
}

function computeMetrics(metrics: Resolved, c: Collector, where: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (metrics.length === 0) return out;
  const t = c.tensors();
  if (!t) return out;
  for (const [name, fn] of metrics) {
    try {
      out[name] = fn(t.output, t.target);
    } catch (e) {
      throw new Error(`fit: metric '${name}' failed on the ${where} outputs [${t.output.shape.join(", ")}] and targets [${t.target.shape.join(", ")}]: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Labels predicted for a batch of classification outputs [B, C], or null for other outputs. */
function predictedClasses(out: Tensor, target: Tensor): { pred: Int32Array; target: Int32Array; classes: number } | null {
  if (out.ndim !== 2 || out.shape[1] < 2 || target.ndim !== 1 || target.dtype === "float32" || target.dtype === "float64") return null;
  return { pred: out.argmax(1).dataSync() as Int32Array, target: Int32Array.from(target.dataSync() as ArrayLike<number>), classes: out.shape[1] };
}

/** The image layout of one input, or null when it does not look like an image. */
function imageLayout(sampleShape: number[], given?: number[]): { c: number; h: number; w: number; chw: boolean } | null {
  const numel = sampleShape.reduce((a, b) => a * b, 1);
  const s = given ?? sampleShape;
  if (s.reduce((a, b) => a * b, 1) !== numel) return null;
  if (s.length === 3 && (s[0] === 1 || s[0] === 3)) return { c: s[0], h: s[1], w: s[2], chw: true };
  if (s.length === 3 && (s[2] === 1 || s[2] === 3)) return { c: s[2], h: s[0], w: s[1], chw: false };
  if (s.length === 2) return { c: 1, h: s[0], w: s[1], chw: true };
  if (s.length === 1) {
    const r = Math.round(Math.sqrt(s[0]));
    if (r * r === s[0] && r >= 4) return { c: 1, h: r, w: r, chw: true };
  }
  return null;
}

function toExample(values: ArrayLike<number>, layout: NonNullable<ReturnType<typeof imageLayout>>, index: number, target: number, pred: number): Example {
  const { c, h, w, chw } = layout;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) { lo = Math.min(lo, values[i]); hi = Math.max(hi, values[i]); }
  const scale = hi > lo ? 255 / (hi - lo) : 0;
  const pixels = new Array<number>(h * w * c);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) {
        const src = chw ? k * h * w + y * w + x : (y * w + x) * c + k;
        pixels[(y * w + x) * c + k] = Math.round((values[src] - lo) * scale);
      }
  return { index, target, pred, width: w, height: h, channels: c, pixels };
}

/** Options of evaluate(); `O` is the model's output type, the first argument of lossFn. */
export interface EvaluateOptions<O = unknown> {
  /** (output, target) => scalar loss tensor; the mean loss is reported when given. */
  lossFn?: LossLike<O>;
  /** The metrics to compute over all outputs (default none). */
  metrics?: MetricsSpec;
  /** Evaluate only this many batches (default all). */
  limitBatches?: number;
  /** Keep this many misclassified examples (classification only). Default 0. */
  maxExamples?: number;
  /** Shape of one input as an image, for the misclassified examples (default inferred). */
  imageShape?: number[];
}

/** What evaluate returns. */
export interface EvaluateResult {
  /** The mean loss, when lossFn was given. */
  loss?: number;
  /** The metrics by name. */
  metrics: Record<string, number>;
  /** The number of examples evaluated. */
  numSamples: number;
  /** counts[target][pred] (classification). */
  confusionMatrix?: number[][];
  /** Up to maxExamples misclassified examples. */
  misclassified?: Example[];
}

/** Evaluates a model on a loader with model.eval() and no gradients: mean loss, metrics over all
 *  outputs, and for classification the confusion matrix and misclassified examples.
 *  @example const r = await evaluate(model, testLoader, { lossFn: F.crossEntropy, metrics: ["accuracy"] }); */
export async function evaluate<M extends TrainableModule>(model: M, loader: LoaderLike, opts: EvaluateOptions<ModelOutput<M>> = {}): Promise<EvaluateResult> {
  opts = checkOptions("evaluate", opts, EVALUATE_KEYS, 3);
  const metrics = resolveMetrics(opts.metrics);
  const maxExamples = opts.maxExamples ?? 0;
  const prev = setGradEnabled(false);
  model.eval();
  try {
    const col = new Collector();
    let lossSum = 0;
    let confusion: number[][] | null = null;
    let isClassification = true;
    const examples: Example[] = [];
    let seen = 0;
    for await (const batch of batches(loader, opts.limitBatches)) {
      const { inputs, target } = splitBatch(batch);
      const out = model.call(...inputs) as Tensor;
      const n = out.shape[0] ?? 1;
      if (opts.lossFn) lossSum += callLoss(opts.lossFn, out, target).item() * n;
      col.add(out, target);
      const cls = isClassification ? predictedClasses(out, target) : null;
      if (!cls) isClassification = false;
      else {
        confusion ??= Array.from({ length: cls.classes }, () => new Array<number>(cls.classes).fill(0));
        let xs: ArrayLike<number> | null = null;
        const layout = maxExamples > 0 ? imageLayout(inputs[0].shape.slice(1), opts.imageShape) : null;
        const per = layout ? layout.c * layout.h * layout.w : 0;
        for (let i = 0; i < cls.pred.length; i++) {
          const t = cls.target[i], p = cls.pred[i];
          if (t >= 0 && t < cls.classes) confusion[t][p]++;
          if (p !== t && layout && examples.length < maxExamples) {
            xs ??= inputs[0].dataSync() as ArrayLike<number>;
            examples.push(toExample(Array.prototype.slice.call(xs, i * per, (i + 1) * per), layout, seen + i, t, p));
          }
        }
      }
      seen += n;
    }
    const result: EvaluateResult = { metrics: computeMetrics(metrics, col, "validation"), numSamples: seen };
    if (opts.lossFn && seen > 0) result.loss = lossSum / seen;
    if (isClassification && confusion) {
      result.confusionMatrix = confusion;
      if (maxExamples > 0) result.misclassified = examples;
    }
    return result;
  } finally {
    setGradEnabled(prev);
  }
}

function learningRate(opt: OptimizerLike, sched?: SchedulerLike): number | undefined {
  const lr = opt.paramGroups?.[0]?.lr;
  if (typeof lr === "number") return lr;
  const last = sched?.getLastLr?.();
  return last?.[0];
}

function fmtRecord(r: Record<string, number> | undefined, prefix: string): string {
  if (!r) return "";
  return Object.entries(r).map(([k, v]) => ` ${prefix}${k} ${Math.abs(v) >= 1000 ? v.toFixed(0) : v.toFixed(4)}`).join("");
}

/** Trains `model` for `epochs` epochs; returns the history and the final evaluation.
 *  @example
 *  const result = await fit(model, {
 *    train: trainLoader, val: testLoader, epochs: 10, optimizer: new optim.Adam(model.parameters(), { lr: 1e-3 }),
 *    lossFn: F.crossEntropy, metrics: ["accuracy"], callbacks: [earlyStopping({ patience: 3 })], runDir: "runs/mnist",
 *  }); */
export async function fit<M extends TrainableModule>(model: M, options: FitOptions<ModelOutput<M>>): Promise<FitResult> {
  const o = checkOptions("fit", options, FIT_KEYS, 2);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) throw new Error(`fit: epochs must be a positive integer, got ${o.epochs}`);
  if (!o.optimizer || typeof o.optimizer.step !== "function") throw new Error(`fit: options.optimizer must be an optimiser (with step() and zeroGrad())`);
  if (!o.lossFn) throw new Error(`fit: options.lossFn is required, e.g. F.crossEntropy`);
  if (o.seed !== undefined) manualSeed(o.seed);
  const metrics = resolveMetrics(o.metrics);
  const callbacks = o.callbacks ?? [];
  const logEvery = Math.max(1, o.logEvery ?? 1);
  const progress = o.progress === false ? null : new Progress(o.progress === true || o.progress === undefined ? {} : o.progress);
  const run = o.runDir ? new RunDir(o.runDir) : null;
  const schedName = o.scheduler?.constructor?.name ?? "";
  const schedInterval = o.schedulerInterval ?? (/^(OneCycleLR|CyclicLR)$/.test(schedName) ? "batch" : "epoch");
  const plateau = schedName === "ReduceLROnPlateau";
  const maxExamples = o.maxExamples ?? 32;
  const params = model.parameters();

  if (run)
    run.writeConfig({
      epochs: o.epochs,
      seed: o.seed ?? null,
      optimizer: o.optimizer.constructor?.name,
      initialLr: learningRate(o.optimizer, o.scheduler) ?? null,
      scheduler: o.scheduler ? schedName : null,
      clipGradNorm: o.clipGradNorm ?? null,
      metrics: metrics.map(([n]) => n),
      numParameters: params.reduce((a, p) => a + p.numel(), 0),
      node: process.version,
      createdAt: new Date().toISOString(),
      ...o.config,
    });

  const state: FitState = {
    model, optimizer: o.optimizer, epoch: 0, epochs: o.epochs, step: 0, history: [], runDir: run?.dir ?? null, stop: false, weights: "last",
    log: (line) => (progress ? progress.log(line) : undefined),
  };
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  let totalSamples = 0;
  let trainSeconds = 0;
  let lastEval: EvaluateResult | null = null;
  for (const cb of callbacks) await cb.onTrainBegin?.(state);

  for (let epoch = 1; epoch <= o.epochs && !state.stop; epoch++) {
    state.epoch = epoch;
    for (const cb of callbacks) await cb.onEpochBegin?.(state);
    const total = numBatches(o.train, o.limitBatches);
    progress?.startEpoch(epoch, o.epochs, total);
    const tEpoch = performance.now();
    model.train(true);
    const col = new Collector();
    let lossSum = 0, samples = 0, batch = 0;
    const showAcc = metrics.some(([n]) => n === "accuracy");
    for await (const b of batches(o.train, o.limitBatches)) {
      const { inputs, target } = splitBatch(b);
      const out = model.call(...inputs) as Tensor;
      const loss = callLoss(o.lossFn, out, target);
      o.optimizer.zeroGrad();
      loss.backward();
      if (o.clipGradNorm !== undefined) clipGradNorm_(params, o.clipGradNorm);
      o.optimizer.step();
      if (o.scheduler && schedInterval === "batch") o.scheduler.step();
      const lossV = loss.item();
      const n = out.shape[0] ?? 1;
      lossSum += lossV * n;
      samples += n;
      batch++;
      state.step++;
      const detached = out.detach();
      if (metrics.length) col.add(detached, target);
      let acc: number | undefined;
      if (showAcc && detached.ndim === 2 && target.ndim === 1) acc = M.accuracy(detached, target);
      progress?.update({ loss: lossV, samples: n, metric: acc !== undefined ? ["acc", acc] : undefined });
      const record: StepRecord = {
        type: "step", epoch, step: state.step, progress: epoch - 1 + (total ? batch / total : 1), loss: lossV,
        lr: learningRate(o.optimizer, o.scheduler), time: elapsed(),
      };
      if (acc !== undefined) record.accuracy = acc;
      if (run && state.step % logEvery === 0) run.append(record);
      for (const cb of callbacks) await cb.onBatchEnd?.(state, record);
    }
    if (batch === 0) throw new Error(`fit: the training loader gave no batches in epoch ${epoch}`);
    const trainTime = (performance.now() - tEpoch) / 1000;
    trainSeconds += trainTime;
    totalSamples += samples;
    const trainRec: Record<string, number> = { loss: lossSum / samples, ...computeMetrics(metrics, col, "training") };
    let valRec: Record<string, number> | undefined;
    if (o.val) {
      lastEval = await evaluate(model, o.val, { lossFn: o.lossFn, metrics: o.metrics, limitBatches: o.limitBatches, maxExamples, imageShape: o.imageShape });
      valRec = { ...(lastEval.loss !== undefined ? { loss: lastEval.loss } : {}), ...lastEval.metrics };
    }
    const record: EpochRecord = {
      type: "epoch", epoch, train: trainRec, ...(valRec ? { val: valRec } : {}), lr: learningRate(o.optimizer, o.scheduler),
      seconds: (performance.now() - tEpoch) / 1000, samplesPerSecond: samples / trainTime, time: elapsed(),
    };
    state.history.push(record);
    run?.append(record);
    progress?.log(
      `epoch ${epoch}/${o.epochs}${fmtRecord(trainRec, "")}${fmtRecord(valRec, "val_")} | ${record.seconds.toFixed(1)}s ${Math.round(record.samplesPerSecond)} samples/s`,
    );
    if (o.scheduler && schedInterval === "epoch") {
      if (plateau) {
        const key = o.schedulerMonitor ?? (valRec ? "val.loss" : "train.loss");
        const [split, name] = key.split(".", 2);
        const v = (split === "val" ? valRec : trainRec)?.[name];
        if (v === undefined) throw new Error(`fit: ReduceLROnPlateau watches '${key}', which the epoch record lacks`);
        o.scheduler.step(v);
      } else o.scheduler.step();
    }
    if (run) await saveRunCheckpoint(run.path("last"), { model, optimizer: o.optimizer, scheduler: o.scheduler, epoch, metrics: { ...trainRec, ...Object.fromEntries(Object.entries(valRec ?? {}).map(([k, v]) => [`val_${k}`, v])) } });
    for (const cb of callbacks) await cb.onEpochEnd?.(state, record);
  }
  for (const cb of callbacks) await cb.onTrainEnd?.(state);

  let evaluation: Evaluation | null = null;
  if (o.val) {
    // the last epoch's evaluation holds unless a callback put other weights back
    const ev = state.weights === "last" && lastEval ? lastEval
      : await evaluate(model, o.val, { lossFn: o.lossFn, metrics: o.metrics, limitBatches: o.limitBatches, maxExamples, imageShape: o.imageShape });
    evaluation = {
      split: "val", weights: state.weights, epoch: state.epoch, loss: ev.loss, metrics: ev.metrics, numSamples: ev.numSamples,
      confusionMatrix: ev.confusionMatrix, classNames: o.classNames, misclassified: ev.misclassified,
    };
  }
  if (run) {
    if (evaluation) run.writeEvaluation(evaluation);
    const file = writeReport(run.dir);
    progress?.log(`run directory ${run.dir} (report: ${file})`);
  }
  return { history: state.history, evaluation, runDir: run?.dir ?? null, seconds: elapsed(), samplesPerSecond: totalSamples / Math.max(trainSeconds, 1e-9) };
}
