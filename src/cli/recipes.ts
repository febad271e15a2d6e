// The recipes of `deeptype train <recipe>`: a model, its data and its hyperparameters, written
// with the public API only. Each has a tiny `--quick` configuration (a few batches) that CI runs
// so recipes never rot.
//
//   digits-mlp   the bundled 8x8 digits (dt.data.datasets.digits()), 64-128-10 MLP: the README's first command
//   mnist-mlp    MNIST, 784-512-512-10 ReLU MLP (target: >= 98.0% test accuracy)
//   mnist-lenet  MNIST, LeNet-5 style conv net (LeCun et al. 1998) (target: >= 99.0% test accuracy)

import * as dt from "../index.js";
import type { LoaderLike, LossLike, OptimizerLike, SchedulerLike, TrainableModule } from "../train/types.js";
import type { Callback } from "../train/types.js";
import { bestCheckpoint } from "../train/callbacks.js";

const { nn, optim, data } = dt;
type Tensor = dt.Tensor;

/** Hyperparameters a user can override on the command line. */
export interface RecipeSettings {
  /** Passes over the training set. */
  epochs: number;
  /** Samples per batch. */
  batchSize: number;
  /** Peak learning rate. */
  lr: number;
  /** dt.manualSeed for initialisation, shuffling and splits. */
  seed: number;
}

export interface DataOptions {
  /** Directory with the dataset files (MNIST: the four IDX files, .gz or not). */
  dataDir?: string;
  /** Fetch missing files. */
  download?: boolean;
  /** Smoke-run mode: tolerate missing data by using a small random stand-in, and say so. */
  quick?: boolean;
  /** Where notes go (e.g. "MNIST not found"). */
  note: (line: string) => void;
}

/** Everything `fit` needs, built from settings. */
export interface RecipeSetup {
  model: TrainableModule;
  train: LoaderLike;
  val: LoaderLike;
  optimizer: OptimizerLike;
  scheduler?: SchedulerLike;
  lossFn: LossLike;
  callbacks: Callback[];
  classNames: string[];
  /** What the validation split is ("test set (10,000)"). */
  valDescription: string;
  /** Whether the data is a random stand-in (quick mode without the dataset). */
  synthetic: boolean;
}

export interface Recipe {
  name: string;
  description: string;
  defaults: RecipeSettings;
  /** Overrides for --quick. */
  quick: Partial<RecipeSettings> & { limitBatches: number };
  /** Shape of one batch of one sample that the model takes (for `deeptype info`'s model summary). */
  inputShape?: number[];
  /** The model alone (for eval: rebuilt, then the checkpoint loaded). */
  model(): TrainableModule & dt.nn.Module;
  /** The evaluation split (also the validation set during training); `seed` as in training (splits). */
  evalData(opts: DataOptions, batchSize: number, seed: number): Promise<{ loader: LoaderLike; classNames: string[]; description: string; synthetic: boolean }>;
  setup(s: RecipeSettings, opts: DataOptions): Promise<RecipeSetup>;
}

const crossEntropy: LossLike = (out: Tensor, y: Tensor) => nn.functional.crossEntropy(out, y);

// ---------------------------------------------------------------- digits-mlp

/** 64 -> 128 -> 10, inputs scaled from 0..16 to 0..1. */
function digitsModel() {
  return new nn.Sequential(
    new nn.Linear(64, 128), // [B, 64] -> [B, 128]
    new nn.ReLU(),
    new nn.Linear(128, 10), // [B, 128] -> [B, 10]
  );
}

/** The bundled digits, scaled to [0, 1], split 80/20 with a fixed generator seed. */
function digitsSplits(seed: number) {
  const ds = data.datasets.digits();
  const x = ds.data.div(16); // [1797, 64]
  const full = new data.TensorDataset(x, ds.targets);
  dt.manualSeed(seed);
  const [train, test] = data.randomSplit(full, [0.8, 0.2]);
  return { train, test, classes: ds.classes };
}

const digitsMlp: Recipe = {
  name: "digits-mlp",
  description: "the bundled 8x8 digits (1797 images, scikit-learn's load_digits) with a 64-128-10 MLP; well under a minute",
  defaults: { epochs: 20, batchSize: 32, lr: 1e-2, seed: 0 },
  quick: { epochs: 2, limitBatches: 3 },
  inputShape: [1, 64],
  model: digitsModel,
  async evalData(_opts, batchSize, seed) {
    const { test, classes } = digitsSplits(seed);
    return { loader: new data.DataLoader(test, { batchSize }), classNames: classes, description: `held-out 20% of digits (${test.length})`, synthetic: false };
  },
  async setup(s) {
    const { train, test, classes } = digitsSplits(s.seed);
    dt.manualSeed(s.seed);
    const model = digitsModel();
    const optimizer = new optim.Adam(model.parameters(), { lr: s.lr });
    return {
      model, optimizer, lossFn: crossEntropy, classNames: classes,
      train: new data.DataLoader(train, { batchSize: s.batchSize, shuffle: true }),
      val: new data.DataLoader(test, { batchSize: 256 }),
      scheduler: new optim.lrScheduler.CosineAnnealingLR(optimizer, s.epochs),
      callbacks: [bestCheckpoint({ monitor: "val.accuracy" })],
      valDescription: `held-out 20% of digits (${test.length})`, synthetic: false,
    };
  },
};

// ---------------------------------------------------------------- MNIST

/** MNIST (train or test split) from --data, the cache (~/.cache/deeptype) or a download; in quick
 *  mode without the files, a small random stand-in of the same shapes. */
async function mnistSplit(train: boolean, opts: DataOptions): Promise<{ ds: dt.data.DatasetLike<unknown>; classes: string[]; synthetic: boolean }> {
  try {
    const ds = await data.datasets.mnist({ root: opts.dataDir, train, download: opts.download ?? false });
    return { ds, classes: ds.classes.map((c: string) => c.split(" ")[0]), synthetic: false };
  } catch (e) {
    const msg = (e as Error).message;
    if (!opts.quick || !/not found/.test(msg))
      throw new Error(opts.download
        ? `${msg}\nOffline? Copy the four MNIST .gz files into a directory and pass --data <that directory> (no --download).`
        : `${msg}\nWith the deeptype command: pass --data <dir with the MNIST files> or --download.`);
    const n = train ? 512 : 256;
    opts.note(`MNIST not found (${opts.dataDir ?? "~/.cache/deeptype"}): --quick runs on ${n} random 28x28 images to exercise the recipe; pass --data DIR or --download for the real data`);
    const x = dt.rand([n, 1, 28, 28]);
    const y = dt.randint(0, 10, [n]);
    return { ds: new data.TensorDataset(x, y), classes: Array.from({ length: 10 }, (_, i) => String(i)), synthetic: true };
  }
}

/** 784 -> 512 -> 512 -> 10 with ReLU. */
function mlpModel() {
  return new nn.Sequential(
    new nn.Flatten(), // [B, 1, 28, 28] -> [B, 784]
    new nn.Linear(784, 512),
    new nn.ReLU(),
    new nn.Linear(512, 512),
    new nn.ReLU(),
    new nn.Linear(512, 10), // [B, 10] logits
  );
}

/** LeNet-5 style: two 5x5 conv + max-pool stages, then 120-84-10 (ReLU instead of tanh). */
function lenetModel() {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }), // [B, 1, 28, 28] -> [B, 6, 28, 28]
    new nn.ReLU(),
    new nn.MaxPool2d(2), // -> [B, 6, 14, 14]
    new nn.Conv2d(6, 16, 5), // -> [B, 16, 10, 10]
    new nn.ReLU(),
    new nn.MaxPool2d(2), // -> [B, 16, 5, 5]
    new nn.Flatten(), // -> [B, 400]
    new nn.Linear(400, 120),
    new nn.ReLU(),
    new nn.Linear(120, 84),
    new nn.ReLU(),
    new nn.Linear(84, 10), // -> [B, 10] logits
  );
}

function mnistRecipe(name: string, description: string, model: () => TrainableModule & dt.nn.Module, defaults: RecipeSettings): Recipe {
  return {
    name, description, defaults, model,
    inputShape: [1, 1, 28, 28],
    quick: { epochs: 1, limitBatches: 3, batchSize: 32 },
    async evalData(opts, batchSize) {
      const test = await mnistSplit(false, opts);
      return { loader: new data.DataLoader(test.ds, { batchSize }), classNames: test.classes, description: `MNIST test set (${test.ds.length})`, synthetic: test.synthetic };
    },
    async setup(s, opts) {
      const train = await mnistSplit(true, opts);
      const test = await mnistSplit(false, opts);
      dt.manualSeed(s.seed);
      const m = model();
      const trainLoader = new data.DataLoader(train.ds, { batchSize: s.batchSize, shuffle: true });
      const optimizer = new optim.Adam(m.parameters(), { lr: s.lr });
      // one cycle: warm up to lr over 30% of the steps, then anneal (stepped every batch)
      const scheduler = new optim.lrScheduler.OneCycleLR(optimizer, s.lr, { epochs: s.epochs, stepsPerEpoch: trainLoader.length });
      return {
        model: m, optimizer, scheduler, lossFn: crossEntropy, classNames: train.classes,
        train: trainLoader,
        val: new data.DataLoader(test.ds, { batchSize: 500 }),
        callbacks: [bestCheckpoint({ monitor: "val.accuracy" })],
        valDescription: `MNIST test set (${test.ds.length})`, synthetic: train.synthetic || test.synthetic,
      };
    },
  };
}

const mnistMlp = mnistRecipe("mnist-mlp", "MNIST with a 784-512-512-10 ReLU MLP (Adam + one-cycle); target >= 98.0% test accuracy", mlpModel,
  { epochs: 10, batchSize: 128, lr: 2e-3, seed: 0 });
const mnistLenet = mnistRecipe("mnist-lenet", "MNIST with a LeNet-5 style conv net (Adam + one-cycle); target >= 99.0% test accuracy", lenetModel,
  { epochs: 10, batchSize: 128, lr: 3e-3, seed: 0 });

export const RECIPES: Record<string, Recipe> = {
  [digitsMlp.name]: digitsMlp,
  [mnistMlp.name]: mnistMlp,
  [mnistLenet.name]: mnistLenet,
};
