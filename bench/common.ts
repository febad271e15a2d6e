// Shared pieces of `npm run bench`: deterministic data every peer builds its inputs from (an
// integer hash of the element index, reproduced bit-exactly by bench/torch_bench.py with numpy
// uint32 arithmetic), the workload list, and their shapes.

/** Uniform values in [-scale, scale) from an integer hash of (seed, index). */
export function hashData(seed: number, n: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  const s = Math.imul(seed, 0x85ebca77);
  for (let i = 0; i < n; i++) {
    let t = (Math.imul(i, 0x9e3779b1) + s) | 0;
    t ^= t >>> 16;
    t = Math.imul(t, 0x7feb352d);
    t ^= t >>> 15;
    t = Math.imul(t, 0x846ca68b);
    t ^= t >>> 16;
    out[i] = ((t >>> 0) / 4294967296 * 2 - 1) * scale;
  }
  return out;
}

/** Class labels in [0, classes) from the same hash. */
export function hashLabels(seed: number, n: number, classes: number): Int32Array {
  const u = hashData(seed, n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.min(classes - 1, Math.floor(((u[i] + 1) / 2) * classes));
  return out;
}

export interface ParamSpec {
  name: string;
  shape: number[];
  /** fan-in for the init scale 1/sqrt(fanIn); 0 = ones (norm weights), -1 = zeros (biases of norms). */
  fanIn: number;
}

export function paramData(p: ParamSpec, seed: number): Float32Array {
  const n = p.shape.reduce((a, b) => a * b, 1);
  if (p.fanIn === 0) return new Float32Array(n).fill(1);
  if (p.fanIn === -1) return new Float32Array(n);
  return hashData(seed, n, 1 / Math.sqrt(p.fanIn));
}

/** Parameters in a fixed order with seeds 100, 101, ... */
export function params(specs: ParamSpec[]): { spec: ParamSpec; data: Float32Array }[] {
  return specs.map((spec, i) => ({ spec, data: paramData(spec, 100 + i) }));
}

export const MLP = {
  batch: 128, sizes: [784, 512, 512, 10], lr: 0.01,
  params: (): ParamSpec[] => [
    { name: "w1", shape: [512, 784], fanIn: 784 }, { name: "b1", shape: [512], fanIn: 784 },
    { name: "w2", shape: [512, 512], fanIn: 512 }, { name: "b2", shape: [512], fanIn: 512 },
    { name: "w3", shape: [10, 512], fanIn: 512 }, { name: "b3", shape: [10], fanIn: 512 },
  ],
};

export const LENET = {
  batch: 64, lr: 0.01,
  params: (): ParamSpec[] => [
    { name: "c1w", shape: [6, 1, 5, 5], fanIn: 25 }, { name: "c1b", shape: [6], fanIn: 25 },
    { name: "c2w", shape: [16, 6, 5, 5], fanIn: 150 }, { name: "c2b", shape: [16], fanIn: 150 },
    { name: "f1w", shape: [120, 400], fanIn: 400 }, { name: "f1b", shape: [120], fanIn: 400 },
    { name: "f2w", shape: [84, 120], fanIn: 120 }, { name: "f2b", shape: [84], fanIn: 120 },
    { name: "f3w", shape: [10, 84], fanIn: 84 }, { name: "f3b", shape: [10], fanIn: 84 },
  ],
};

export const LSTM = {
  seq: 64, batch: 32, input: 128, hidden: 256,
  params: (): ParamSpec[] => [
    { name: "wih", shape: [1024, 128], fanIn: 256 }, { name: "whh", shape: [1024, 256], fanIn: 256 },
    { name: "b", shape: [1024], fanIn: 256 },
  ],
};

export const GPT = {
  batch: 16, seq: 128, dim: 256, heads: 4,
  params: (): ParamSpec[] => [
    { name: "ln1w", shape: [256], fanIn: 0 }, { name: "ln1b", shape: [256], fanIn: -1 },
    { name: "wqkv", shape: [768, 256], fanIn: 256 }, { name: "bqkv", shape: [768], fanIn: 256 },
    { name: "wo", shape: [256, 256], fanIn: 256 }, { name: "bo", shape: [256], fanIn: 256 },
    { name: "ln2w", shape: [256], fanIn: 0 }, { name: "ln2b", shape: [256], fanIn: -1 },
    { name: "w1", shape: [1024, 256], fanIn: 256 }, { name: "b1", shape: [1024], fanIn: 256 },
    { name: "w2", shape: [256, 1024], fanIn: 1024 }, { name: "b2", shape: [256], fanIn: 1024 },
  ],
};

export const CONV = { x: [32, 3, 32, 32], w: [64, 3, 3, 3], pad: 1 };
export const MATMUL_N = 1024;

export interface WorkloadInfo {
  name: string;
  /** What one step is worth in the reported unit. */
  perStep: number;
  unit: string;
  /** The bar deeptype aims for and PyTorch's figure on the reference machine. */
  bar: number;
}

export const WORKLOADS: WorkloadInfo[] = [
  { name: "matmul", perStep: (2 * MATMUL_N ** 3) / 1e9, unit: "GFLOP/s", bar: 90 },
  { name: "conv2d", perStep: (2 * 32 * 64 * 32 * 32 * 3 * 3 * 3) / 1e9, unit: "GFLOP/s", bar: 60 },
  { name: "mlp", perStep: MLP.batch, unit: "samples/s", bar: 14000 },
  { name: "lenet", perStep: LENET.batch, unit: "samples/s", bar: 5000 },
  { name: "lstm", perStep: LSTM.batch, unit: "seq/s", bar: 200 },
  { name: "gpt", perStep: GPT.batch * GPT.seq, unit: "tokens/s", bar: 6700 },
];

/** A prepared workload: one step, and a number to compare across peers (a loss or a checksum). */
export interface Prepared {
  step: () => void | Promise<void>;
  check: number;
  dispose?: () => void;
}
export type Peer = Record<string, (() => Prepared | Promise<Prepared>) | undefined>;

/** The checksum used for matmul/conv outputs: sum of every 97th element. */
export function checksum(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i += 97) s += a[i];
  return s;
}
