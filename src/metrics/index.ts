// metrics: classification and regression metrics, checked against scikit-learn.
// Predictions first, targets second (as PyTorch losses): `dt.metrics.accuracy(logits, labels)`.
export {
  accuracy, topKAccuracy, precision, recall, f1, confusionMatrix, rocAuc, prAuc, logLoss, mse, mae, r2,
} from "./metrics.js";
export type { MetricInput, Average, ClassOptions } from "./metrics.js";
