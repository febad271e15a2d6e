// data: datasets, DataLoader, file loaders (CSV, images, WAV, IDX) and bundled / downloadable datasets.

export { Dataset, TensorDataset, Subset, ConcatDataset, randomSplit } from "./dataset.js";
export type { DatasetLike } from "./dataset.js";
export { DataLoader, defaultCollate } from "./loader.js";
export type { DataLoaderOptions, Collated } from "./loader.js";
export { readCsv, parseCsv } from "./csv.js";
export type { CsvOptions, CsvTable, CsvTensor } from "./csv.js";
export { decodeImage, readImage } from "./image.js";
export type { ImageOptions } from "./image.js";
export { decodeWav, readWav } from "./audio.js";
export type { Audio } from "./audio.js";
export { readIdx, parseIdx, idxToTensor } from "./idx.js";
export type { IdxArray } from "./idx.js";
export * as datasets from "./datasets/index.js";
