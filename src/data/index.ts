// data: datasets, DataLoader, file loaders.
export {};
