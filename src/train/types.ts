// The shapes `fit` works with, written structurally so that any module, optimiser, scheduler or
// loader with PyTorch's methods fits (dt.nn.Module, dt.optim.*, dt.data.DataLoader, or your own).

import type { Tensor } from "../tensor/tensor.js";
import type { EpochRecord, StepRecord } from "./run-dir.js";

/** What fit trains: an nn.Module. */
export interface TrainableModule {
  call(...inputs: unknown[]): unknown;
  train(mode?: boolean): unknown;
  eval(): unknown;
  parameters(): Tensor[];
  stateDict(): Record<string, Tensor> | Map<string, Tensor>;
  loadStateDict(sd: Record<string, Tensor> | Map<string, Tensor>, opts?: { strict?: boolean }): unknown;
}

/** An optimiser: step() and zeroGrad(); paramGroups[0].lr is logged when present. */
export interface OptimizerLike {
  step(): unknown;
  zeroGrad(): unknown;
  paramGroups?: { lr: number }[];
  stateDict?(): unknown;
}

/** A learning-rate scheduler: step() (ReduceLROnPlateau: step(metric)). */
export interface SchedulerLike {
  step(metric?: number): unknown;
  getLastLr?(): number[];
}

/** A DataLoader: iterable (sync or async) of batches; `length` (number of batches) enables the ETA.
 *  A batch is [input, target], [...inputs, target], or { input, target }. */
export type LoaderLike = (Iterable<unknown> | AsyncIterable<unknown>) & { length?: number };

/** A loss: (output, target) => scalar tensor, or a loss module with call(). `O` is the model's
 *  output type (fit infers it from the model). The function is written in method syntax, whose
 *  parameters compare both ways, so that `(out: Tensor, y: Tensor) => Tensor` also fits where `O`
 *  is wider (a TrainableModule's `unknown`); an unrelated `O` (a tuple) is still refused. */
export type LossLike<O = unknown> = { loss(output: O, target: Tensor): Tensor }["loss"] | LossObject<O>;

/** A loss object: call(output, target) => scalar tensor, e.g. new nn.CrossEntropyLoss(). (`bind?:
 *  never` keeps plain functions out: every function has a `call` of its own, Function.prototype's.) */
export interface LossObject<O = unknown> {
  call(output: O, target: Tensor): Tensor;
  bind?: never;
}

/** The output type of a model's call(), for typing fit's lossFn. */
export type ModelOutput<M> = M extends { call(...inputs: never[]): infer R } ? R : unknown;

/** A metric computed over a whole epoch's outputs [N, ...] and targets [N, ...]. */
export type MetricFn = (output: Tensor, target: Tensor) => number;

/** Named metrics: "accuracy" | "top5" (topKAccuracy, k = 5) | "precision" | "recall" | "f1"
 *  (macro) | "rocAuc" | "prAuc" | "logLoss" (softmax of the outputs) | "mse" | "mae" | "r2". */
export type MetricName = "accuracy" | "top5" | "precision" | "recall" | "f1" | "rocAuc" | "prAuc" | "logLoss" | "mse" | "mae" | "r2";

export type MetricsSpec = (MetricName | [string, MetricFn])[] | Record<string, MetricFn>;

/** What callbacks see and may change: set `stop = true` to end training after this epoch. */
export interface FitState {
  model: TrainableModule;
  optimizer: OptimizerLike;
  epoch: number;
  epochs: number;
  /** Global step. */
  step: number;
  history: EpochRecord[];
  runDir: string | null;
  stop: boolean;
  /** Which weights the model holds at the end: "last" unless a callback restored others. */
  weights: string;
  /** Logs a line through the progress display. */
  log(line: string): void;
}

/** A hook into the loop; every method is optional and may be async. */
export interface Callback {
  onTrainBegin?(state: FitState): unknown;
  onEpochBegin?(state: FitState): unknown;
  onBatchEnd?(state: FitState, record: StepRecord): unknown;
  onEpochEnd?(state: FitState, record: EpochRecord): unknown;
  onTrainEnd?(state: FitState): unknown;
}
