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
  type: "step";
  epoch: number;
  /** Global step (batches since the start), from 1. */
  step: number;
  /** Epoch as a fraction (epoch - 1 + batch / batches), for plotting. */
  progress: number;
  loss: number;
  lr?: number;
  /** Seconds since the start of fit. */
  time: number;
  [metric: string]: number | string | undefined;
}

/** The summary of one epoch. */
export interface EpochRecord {
  type: "epoch";
  epoch: number;
  train: Record<string, number>;
  val?: Record<string, number>;
  lr?: number;
  /** Seconds the epoch took (training and evaluation). */
  seconds: number;
  /** Training samples per second. */
  samplesPerSecond: number;
  time: number;
}

/** A misclassified example: pixels as 0..255 bytes, row-major, `channels` interleaved. */
export interface Example {
  index: number;
  target: number;
  pred: number;
  width: number;
  height: number;
  channels: number;
  pixels: number[];
}

export interface Evaluation {
  split: string;
  /** Which weights were evaluated: "best" or "last". */
  weights: string;
  epoch: number;
  loss?: number;
  metrics: Record<string, number>;
  numSamples: number;
  confusionMatrix?: number[][];
  classNames?: string[];
  misclassified?: Example[];
}

export const RUN_FILES = {
  config: "config.json",
  metrics: "metrics.jsonl",
  evaluation: "evaluation.json",
  report: "report.html",
  checkpoints: "checkpoints",
  last: "checkpoints/last.safetensors",
  best: "checkpoints/best.safetensors",
} as const;

/** Writes the files of one run; creates the directory. */
export class RunDir {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = path.resolve(dir);
    fs.mkdirSync(path.join(this.dir, RUN_FILES.checkpoints), { recursive: true });
    fs.writeFileSync(this.path("metrics"), "");
  }
  path(file: keyof typeof RUN_FILES): string {
    return path.join(this.dir, RUN_FILES[file]);
  }
  writeConfig(config: unknown): void {
    fs.writeFileSync(this.path("config"), JSON.stringify(config, null, 2) + "\n");
  }
  append(record: StepRecord | EpochRecord): void {
    fs.appendFileSync(this.path("metrics"), JSON.stringify(record, finite) + "\n");
  }
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
  dir: string;
  config: Record<string, unknown>;
  steps: StepRecord[];
  epochs: EpochRecord[];
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
