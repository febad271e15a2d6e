// data.datasets: MNIST and Fashion-MNIST (IDX files, optional download), and the bundled 8x8 digits.

export { mnist, mnistSync, fashionMnist, fashionMnistSync, MnistDataset } from "./mnist.js";
export type { MnistOptions } from "./mnist.js";
export { digits, DigitsDataset } from "./digits.js";
