// optim: optimisers and learning-rate schedulers, as torch.optim.

export { Optimizer } from "./optimizer.js";
export type { ParamGroup, ParamGroupInput, ParamsInput, ParamState, OptimizerStateDict } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions } from "./adam.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { Adagrad, type AdagradOptions } from "./adagrad.js";
export * as lrScheduler from "./lr-scheduler.js";
