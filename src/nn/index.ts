// nn: modules, layers, functional, init, utils (torch.nn's layout).

export * as functional from "./functional.js";
export * as init from "./init.js";
export * as utils from "./utils.js";

export { Module, Parameter, ModuleList, ModuleDict, Sequential, ParameterList, ParameterDict, cloneModule } from "./module.js";
export type { StateDict, LoadResult } from "./module.js";

export { Linear, Bilinear, Identity, Flatten, Unflatten } from "./layers/linear.js";
export { Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d } from "./layers/conv.js";
export { MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool1d, AdaptiveAvgPool2d } from "./layers/pool.js";
export { BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm } from "./layers/normalization.js";
export { Dropout, Dropout2d } from "./layers/dropout.js";
export { Upsample } from "./layers/upsample.js";
export type { UpsampleOptions } from "./layers/upsample.js";
export { Embedding } from "./layers/embedding.js";
export { RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell } from "./layers/rnn.js";
export { MultiheadAttention } from "./layers/attention.js";
export {
  TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer, TransformerDecoder, Transformer,
} from "./layers/transformer.js";
export { ReLU, GELU, SiLU, Tanh, Sigmoid, Softmax, LogSoftmax, LeakyReLU, ELU, Softplus, PReLU } from "./layers/activation.js";
export {
  MSELoss, L1Loss, SmoothL1Loss, HuberLoss, CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, KLDivLoss,
} from "./layers/loss.js";
export { summary } from "./summary.js";
export type { ModelStatistics, LayerSummary, SummaryOptions, SummaryColumn } from "./summary.js";
export type { ForwardHook, ForwardPreHook, RemovableHandle } from "./module.js";
export type { ConvLayerOptions, ConvTransposeLayerOptions, PaddingMode, ConvLayerArgs, ConvTransposeLayerArgs } from "./layers/conv.js";
export type { MaxPoolLayerOptions, AvgPoolLayerOptions, AvgPool2dLayerOptions, MaxPoolArgs, AvgPoolArgs, Size as PoolSize } from "./layers/pool.js";
export type { PReLUOptions } from "./layers/activation.js";
export type { BatchNormLayerOptions } from "./layers/normalization.js";
export type { EmbeddingOptions } from "./layers/embedding.js";
export type { RNNOptions } from "./layers/rnn.js";
export type { MultiheadAttentionOptions, MultiheadAttentionCallOptions } from "./layers/attention.js";
export type { TransformerOptions, TransformerLayerOptions } from "./layers/transformer.js";
export type { ReductionOptions, CrossEntropyLossOptions } from "./layers/loss.js";
export type { Activation as TransformerActivation } from "./layers/transformer.js";
