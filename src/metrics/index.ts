// metrics: classification and regression metrics, checked against scikit-learn, and text metrics
// (BLEU, ROUGE, SQuAD, perplexity), checked against ports of sacreBLEU, rouge-score and SQuAD's
// official script, and against torch.
// Predictions first, targets second (as PyTorch losses): `dt.metrics.accuracy(logits, labels)`;
// the text metrics keep their reference implementations' argument order.
export {
  accuracy, topKAccuracy, precision, recall, f1, confusionMatrix, rocAuc, prAuc, logLoss, mse, mae, r2,
} from "./metrics.js";
export type { MetricInput, Average, ClassOptions } from "./metrics.js";
export { bleu } from "./bleu.js";
export type { BleuOptions, BleuScore, BleuTokenize, BleuSmoothMethod } from "./bleu.js";
export { rouge } from "./rouge.js";
export type { RougeOptions, RougeResult, RougeScore } from "./rouge.js";
export { squad } from "./squad.js";
export type { SquadScore } from "./squad.js";
export { perplexity } from "./perplexity.js";
export type { PerplexityOptions, PerplexityLogits, PerplexityTargets } from "./perplexity.js";
