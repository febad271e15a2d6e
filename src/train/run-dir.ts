// The run directory of a training run, what `fit` writes and `report`/`plot`/`eval` read:
//   config.json        the resolved configuration (recipe, hyperparameters, versions, seed)
//   metrics.jsonl      one JSON object a line: {"type":"step",...} per logged step, {"type":"epoch",...} per epoch
//   evaluation.json    the final evaluation on the validation set: confusion matrix, misclassified examples
//   checkpoints/       last.safetensors and best.safetensors
//   report.html        a self-contained page with curves, confusion matrix and examples

import * as fs from "node:fs";
import * as path from "node:path";

/** A training step, logged every `logEvery` batches. */
export interface StepRecord {
  /** Marks a step record. */
  type: "step";
  /** The epoch, from 1. */
  epoch: number;
  /** Global step (batches since the start), from 1. */
  step: number;
  /** Epoch as a fraction (epoch - 1 + batch / batches), for plotting. */
  progress: number;
  /** The training loss of the batch. */
  loss: number;
  /** The learning rate of the first param group. */
  lr?: number;
  /** Seconds since the start of fit. */
  time: number;
  [metric: string]: number | string | undefined;
}

/** The summary of one epoch. */
export interface EpochRecord {
  /** Marks an epoch record. */
  type: "epoch";
  /** The epoch, from 1. */
  epoch: number;
  /** The training loss and metrics of the epoch. */
  train: Record<string, number>;
  /** The validation loss and metrics, when there is a val loader. */
  val?: Record<string, number>;
  /** The learning rate of the first param group at the end of the epoch. */
  lr?: number;
  /** Seconds the epoch took (training and evaluation). */
  seconds: number;
  /** Training samples per second. */
  samplesPerSecond: number;
  /** Seconds since the start of fit. */
  time: number;
}

/** A misclassified example: pixels as 0..255 bytes, row-major, `channels` interleaved. */
export interface Example {
  /** The example's position in the evaluated data. */
  index: number;
  /** The true class. */
  target: number;
  /** The predicted class. */
  pred: number;
  /** Image width in pixels. */
  width: number;
  /** Image height in pixels. */
  height: number;
  /** Channels per pixel (1 or 3). */
  channels: number;
  /** The pixels, 0..255, row-major, channels interleaved. */
  pixels: number[];
}

/** The final evaluation of a run (evaluation.json). */
export interface Evaluation {
  /** The data evaluated ("val", "test"). */
  split: string;
  /** Which weights were evaluated: "best" or "last". */
  weights: string;
  /** The epoch of the weights evaluated. */
  epoch: number;
  /** The mean loss, when a loss function was given. */
  loss?: number;
  /** The metrics by name. */
  metrics: Record<string, number>;
  /** The number of examples evaluated. */
  numSamples: number;
  /** counts[target][pred] (classification). */
  confusionMatrix?: number[][];
  /** The class names, by index. */
  classNames?: string[];
  /** Some misclassified examples, for the report. */
  misclassified?: Example[];
}

/** The files of a run directory, relative to it. */
export const RUN_FILES = {
  /** The resolved configuration. */
  config: "config.json",
  /** One JSON record a line: steps and epochs. */
  metrics: "metrics.jsonl",
  /** The final evaluation. */
  evaluation: "evaluation.json",
  /** The final evaluation as one flat object of numbers (`deeptype train`'s results, e.g. test_accuracy). */
  results: "results.json",
  /** The self-contained HTML report. */
  report: "report.html",
  /** The checkpoint folder. */
  checkpoints: "checkpoints",
  /** The checkpoint of the last epoch. */
  last: "checkpoints/last.safetensors",
  /** The checkpoint of the best epoch (bestCheckpoint). */
  best: "checkpoints/best.safetensors",
} as const;

/** Writes the files of one run; creates the directory. */
export class RunDir {
  /** The run directory (absolute). */
  readonly dir: string;
  constructor(dir: string) {
    this.dir = path.resolve(dir);
    fs.mkdirSync(path.join(this.dir, RUN_FILES.checkpoints), { recursive: true });
    fs.writeFileSync(this.path("metrics"), "");
  }
  /** The absolute path of one of RUN_FILES. */
  path(file: keyof typeof RUN_FILES): string {
    return path.join(this.dir, RUN_FILES[file]);
  }
  /** Writes config.json. */
  writeConfig(config: unknown): void {
    fs.writeFileSync(this.path("config"), JSON.stringify(config, null, 2) + "\n");
  }
  /** Appends a record to metrics.jsonl. */
  append(record: StepRecord | EpochRecord): void {
    fs.appendFileSync(this.path("metrics"), JSON.stringify(record, finite) + "\n");
  }
  /** Writes evaluation.json. */
  writeEvaluation(e: Evaluation): void {
    fs.writeFileSync(this.path("evaluation"), JSON.stringify(e, finite) + "\n");
  }
}

/** JSON has no NaN/Infinity: write them as null. */
function finite(_key: string, v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? null : v;
}

/** Everything a run directory holds, for report, plot and eval. */
export interface RunData {
  /** The run directory (absolute). */
  dir: string;
  /** config.json ({} when absent). */
  config: Record<string, unknown>;
  /** The step records of metrics.jsonl. */
  steps: StepRecord[];
  /** The epoch records of metrics.jsonl. */
  epochs: EpochRecord[];
  /** evaluation.json, or null. */
  evaluation: Evaluation | null;
}

/** Reads a run directory; a clear error when it is not one. */
export function readRun(dir: string): RunData {
  const abs = path.resolve(dir);
  const metricsFile = path.join(abs, RUN_FILES.metrics);
  if (!fs.existsSync(metricsFile))
    throw new Error(`readRun: ${abs} is not a run directory (no ${RUN_FILES.metrics}); pass the --out directory of a 'deeptype train' run`);
  const config = fs.existsSync(path.join(abs, RUN_FILES.config)) ? JSON.parse(fs.readFileSync(path.join(abs, RUN_FILES.config), "utf8")) : {};
  const steps: StepRecord[] = [];
  const epochs: EpochRecord[] = [];
  for (const line of fs.readFileSync(metricsFile, "utf8").split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    if (r.type === "step") steps.push(r);
    else if (r.type === "epoch") epochs.push(r);
  }
  const evFile = path.join(abs, RUN_FILES.evaluation);
  const evaluation = fs.existsSync(evFile) ? JSON.parse(fs.readFileSync(evFile, "utf8")) : null;
  return { dir: abs, config, steps, epochs, evaluation };
}
