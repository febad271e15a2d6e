// metrics: classification and regression metrics.
export {};
