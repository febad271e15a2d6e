// train: the fit loop, its callbacks, progress display, run directory and report.
export { fit, evaluate, splitBatch } from "./fit.js";
export type { FitOptions, FitResult, EvaluateOptions, EvaluateResult } from "./fit.js";
export { earlyStopping, bestCheckpoint, monitorValue } from "./callbacks.js";
export type { EarlyStoppingOptions, BestCheckpointOptions, MonitorOptions } from "./callbacks.js";
export { Progress } from "./progress.js";
export type { ProgressOptions } from "./progress.js";
export { RunDir, readRun, RUN_FILES } from "./run-dir.js";
export type { RunData, StepRecord, EpochRecord, Evaluation, Example } from "./run-dir.js";
export { writeReport, renderReport, plotRun, runCharts } from "./report.js";
export { lineChart, confusionMatrixSvg } from "./svg.js";
export { saveRunCheckpoint, loadModelState } from "./checkpoint.js";
export type { Callback, FitState, TrainableModule, OptimizerLike, SchedulerLike, LoaderLike, LossLike, ModelOutput, MetricFn, MetricName, MetricsSpec } from "./types.js";
export type { LossObject } from "./types.js";
export type { BatchInfo } from "./progress.js";
export type { Chart } from "./report.js";
export type { Series, LineChartOptions } from "./svg.js";
export type { RunCheckpoint } from "./checkpoint.js";
