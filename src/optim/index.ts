// optim: optimisers and learning-rate schedulers (filled in by the optim work).
export {};
