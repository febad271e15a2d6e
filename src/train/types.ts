// The shapes `fit` works with, written structurally so that any module, optimiser, scheduler or
// loader with PyTorch's methods fits (dt.nn.Module, dt.optim.*, dt.data.DataLoader, or your own).

import type { Tensor } from "../tensor/tensor.js";
import type { EpochRecord, StepRecord } from "./run-dir.js";

/** What fit trains: an nn.Module. */
export interface TrainableModule {
  /** Runs the model on a batch's inputs. */
  call(...inputs: unknown[]): unknown;
  /** Training mode. */
  train(mode?: boolean): unknown;
  /** Evaluation mode. */
  eval(): unknown;
  /** The parameters (for gradient clipping). */
  parameters(): Tensor[];
  /** The weights (for checkpoints and restoring the best ones). */
  stateDict(): Record<string, Tensor> | Map<string, Tensor>;
  /** Loads weights from stateDict(). */
  loadStateDict(sd: Record<string, Tensor> | Map<string, Tensor>, opts?: { strict?: boolean }): unknown;
}

/** An optimiser: step() and zeroGrad(); paramGroups[0].lr is logged when present. */
export interface OptimizerLike {
  /** Updates the parameters from their gradients. */
  step(): unknown;
  /** Clears the gradients. */
  zeroGrad(): unknown;
  /** The param groups; the first one's lr is logged. */
  paramGroups?: {
    /** The group's learning rate. */
    lr: number;
  }[];
  /** The state saved in checkpoints. */
  stateDict?(): unknown;
}

/** A learning-rate scheduler: step() (ReduceLROnPlateau: step(metric)). */
export interface SchedulerLike {
  /** Advances the schedule (ReduceLROnPlateau gets the monitored value). */
  step(metric?: number): unknown;
  /** The learning rates after the last step. */
  getLastLr?(): number[];
}

/** A DataLoader: iterable (sync or async) of batches; `length` (number of batches) enables the ETA.
 *  A batch is [input, target], [...inputs, target], or { input, target }. */
export type LoaderLike = (Iterable<unknown> | AsyncIterable<unknown>) & {
  /** The number of batches, when known. */
  length?: number;
};

/** A loss: (output, target) => scalar tensor, or a loss module with call(). `O` is the model's
 *  output type (fit infers it from the model). The function is written in method syntax, whose
 *  parameters compare both ways, so that `(out: Tensor, y: Tensor) => Tensor` also fits where `O`
 *  is wider (a TrainableModule's `unknown`); an unrelated `O` (a tuple) is still refused. */
export type LossLike<O = unknown> = {
  /** (output, target) => scalar loss tensor. */
  loss(output: O, target: Tensor): Tensor;
}["loss"] | LossObject<O>;

/** A loss object: call(output, target) => scalar tensor, e.g. new nn.CrossEntropyLoss(). (`bind?:
 *  never` keeps plain functions out: every function has a `call` of its own, Function.prototype's.) */
export interface LossObject<O = unknown> {
  /** (output, target) => scalar loss tensor. */
  call(output: O, target: Tensor): Tensor;
  /** Absent: keeps plain functions (which all have a `call`) out of this branch. */
  bind?: never;
}

/** The output type of a model's call(), for typing fit's lossFn. */
export type ModelOutput<M> = M extends {
  /** The model's call. */
  call(...inputs: never[]): infer R;
} ? R : unknown;

/** A metric computed over a whole epoch's outputs [N, ...] and targets [N, ...]. */
export type MetricFn = (output: Tensor, target: Tensor) => number;

/** Named metrics: "accuracy" | "top5" (topKAccuracy, k = 5) | "precision" | "recall" | "f1"
 *  (macro) | "rocAuc" | "prAuc" | "logLoss" (softmax of the outputs) | "mse" | "mae" | "r2". */
export type MetricName = "accuracy" | "top5" | "precision" | "recall" | "f1" | "rocAuc" | "prAuc" | "logLoss" | "mse" | "mae" | "r2";

/** The metrics fit and evaluate compute: names, [name, fn] pairs, or a record of functions. */
export type MetricsSpec = (MetricName | [string, MetricFn])[] | Record<string, MetricFn>;

/** What callbacks see and may change: set `stop = true` to end training after this epoch. */
export interface FitState {
  /** The model being trained. */
  model: TrainableModule;
  /** Its optimiser. */
  optimizer: OptimizerLike;
  /** The current epoch, from 1. */
  epoch: number;
  /** The number of epochs asked for. */
  epochs: number;
  /** Global step. */
  step: number;
  /** The epoch records so far. */
  history: EpochRecord[];
  /** The run directory, or null when none is written. */
  runDir: string | null;
  /** Set to true to end training after this epoch. */
  stop: boolean;
  /** Which weights the model holds at the end: "last" unless a callback restored others. */
  weights: string;
  /** Logs a line through the progress display. */
  log(line: string): void;
}

/** A hook into the loop; every method is optional and may be async. */
export interface Callback {
  /** Before the first epoch. */
  onTrainBegin?(state: FitState): unknown;
  /** At the start of each epoch. */
  onEpochBegin?(state: FitState): unknown;
  /** After each logged training step. */
  onBatchEnd?(state: FitState, record: StepRecord): unknown;
  /** After each epoch's training and validation. */
  onEpochEnd?(state: FitState, record: EpochRecord): unknown;
  /** After the last epoch. */
  onTrainEnd?(state: FitState): unknown;
}
