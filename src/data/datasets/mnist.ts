// MNIST and Fashion-MNIST from their IDX files (gzipped or not), as torchvision.datasets.MNIST /
// FashionMNIST: items are [image float32 [1,28,28] in [0,1], label int32 0-d].
// References: http://yann.lecun.com/exdb/mnist/ ; https://github.com/zalandoresearch/fashion-mnist
// Downloads happen only with { download: true }, from the mirrors torchvision uses, SHA-256 checked.

import { checkOptions } from "../../tensor/options.js";
import * as fs from "node:fs";
import * as path from "node:path";
import { Tensor } from "../../tensor/tensor.js";
import { TensorDataset } from "../dataset.js";
import { parseIdx, readFileOrThrow, maybeGunzip } from "../idx.js";
import { defaultCacheDir, downloadFile, sha256Hex } from "../download.js";

/** Options of mnist() and fashionMnist(). */
export interface MnistOptions {
  /** Directory holding the four IDX files (or `<root>/MNIST/raw`, torchvision's layout). Default ~/.cache/deeptype. */
  root?: string;
  /** The 60,000 training images (true, default) or the 10,000 test images. */
  train?: boolean;
  /** Fetch missing files from the mirrors into `<root>/<Name>/raw` (default false: never touch the network). */
  download?: boolean;
  /** Override the download mirrors (URLs of directories holding the .gz files). */
  mirrors?: string[];
}

interface Source {
  /** torchvision's folder name, also used in messages. */
  name: string;
  mirrors: string[];
  /** SHA-256 of the canonical .gz files, and of the decompressed IDX files when known. */
  sha256: Record<string, { gz: string; raw?: string }>;
  classes: string[];
}

const MNIST: Source = {
  name: "MNIST",
  mirrors: ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"],
  sha256: {
    "train-images-idx3-ubyte": { gz: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", raw: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db" },
    "train-labels-idx1-ubyte": { gz: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", raw: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5" },
    "t10k-images-idx3-ubyte": { gz: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", raw: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7" },
    "t10k-labels-idx1-ubyte": { gz: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", raw: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2" },
  },
  classes: ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"],
};

const FASHION_MNIST: Source = {
  name: "FashionMNIST",
  mirrors: ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
  sha256: {
    "train-images-idx3-ubyte": { gz: "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc" },
    "train-labels-idx1-ubyte": { gz: "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc" },
    "t10k-images-idx3-ubyte": { gz: "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229" },
    "t10k-labels-idx1-ubyte": { gz: "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf" },
  },
  classes: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
};

/** An MNIST-style dataset: `data` float32 [N,1,28,28] in [0,1], `targets` int32 [N]; item i is [data[i], targets[i]]. */
export class MnistDataset extends TensorDataset {
  /** Images, float32 [N, 1, 28, 28], pixel / 255. */
  readonly data: Tensor;
  /** Labels, int32 [N], 0..9. */
  readonly targets: Tensor;
  /** The class names, by label. */
  readonly classes: string[];
  /** True for the training split, false for the test split. */
  readonly train: boolean;
  constructor(data: Tensor, targets: Tensor, classes: string[], train: boolean) {
    super(data, targets);
    this.data = data;
    this.targets = targets;
    this.classes = classes;
    this.train = train;
  }
}

function fileNames(train: boolean): [string, string] {
  const p = train ? "train" : "t10k";
  return [`${p}-images-idx3-ubyte`, `${p}-labels-idx1-ubyte`];
}

/** The path of `base` or `base.gz` in the first directory that has it. */
function findFile(dirs: string[], base: string): string | null {
  for (const d of dirs)
    for (const f of [base + ".gz", base]) {
      const p = path.join(d, f);
      if (fs.existsSync(p)) return p;
    }
  return null;
}

function searchDirs(src: Source, root: string): string[] {
  return [root, path.join(root, src.name, "raw"), path.join(root, src.name)];
}

function build(src: Source, what: string, imagesFile: string, labelsFile: string, train: boolean): MnistDataset {
  const images = parseIdx(readFileOrThrow(imagesFile, what), imagesFile);
  const labels = parseIdx(readFileOrThrow(labelsFile, what), labelsFile);
  if (images.type !== "ubyte" || images.shape.length !== 3)
    throw new Error(`${what}: ${imagesFile}: expected ubyte images [N, rows, cols], got ${images.type} [${images.shape.join(",")}]`);
  if (labels.type !== "ubyte" || labels.shape.length !== 1)
    throw new Error(`${what}: ${labelsFile}: expected ubyte labels [N], got ${labels.type} [${labels.shape.join(",")}]`);
  const [n, h, w] = images.shape;
  if (labels.shape[0] !== n) throw new Error(`${what}: ${imagesFile} holds ${n} images but ${labelsFile} holds ${labels.shape[0]} labels`);
  const px = new Float32Array(images.bytes.length);
  const b = images.bytes;
  for (let i = 0; i < px.length; i++) px[i] = b[i] / 255;
  const ys = Int32Array.from(labels.bytes);
  for (let i = 0; i < ys.length; i++)
    if (ys[i] >= src.classes.length) throw new Error(`${what}: ${labelsFile}: label ${ys[i]} at index ${i} is not a class index 0..${src.classes.length - 1}`);
  return new MnistDataset(new Tensor(px, [n, 1, h, w], "float32"), new Tensor(ys, [n], "int32"), src.classes, train);
}

function missingMessage(src: Source, what: string, root: string, base: string): string {
  return `${what}: ${base}(.gz) not found in ${searchDirs(src, root).join(", ")}. ` +
    `Pass { download: true } to fetch the ${src.name} files into ${path.join(root, src.name, "raw")}, ` +
    `or { root: "<directory holding ${fileNames(true).concat(fileNames(false)).map((f) => f + ".gz").join(", ")}>" }.`;
}

const MNIST_KEYS = ["root", "train", "download", "mirrors"] as const;
const MNIST_SYNC_KEYS = ["root", "train"] as const;

function loadSync(src: Source, what: string, opts: MnistOptions): MnistDataset {
  const { root = defaultCacheDir(), train = true } = opts;
  const [imgBase, lblBase] = fileNames(train);
  const dirs = searchDirs(src, root);
  const imgs = findFile(dirs, imgBase), lbls = findFile(dirs, lblBase);
  if (!imgs) throw new Error(missingMessage(src, what, root, imgBase));
  if (!lbls) throw new Error(missingMessage(src, what, root, lblBase));
  return build(src, what, imgs, lbls, train);
}

/** Synchronous when nothing has to be downloaded, a Promise when something does. */
function loadEither(src: Source, what: string, opts: MnistOptions): MnistDataset | Promise<MnistDataset> {
  if (opts.download) {
    const dirs = searchDirs(src, opts.root ?? defaultCacheDir());
    if (fileNames(opts.train ?? true).some((base) => !findFile(dirs, base))) return load(src, what, opts);
  }
  return loadSync(src, what, opts);
}

async function load(src: Source, what: string, opts: MnistOptions): Promise<MnistDataset> {
  const { root = defaultCacheDir(), train = true, download = false } = opts;
  if (download) {
    const dirs = searchDirs(src, root);
    const dest = path.join(root, src.name, "raw");
    const mirrors = opts.mirrors ?? src.mirrors;
    for (const base of fileNames(train)) {
      if (findFile(dirs, base)) continue;
      const sums = src.sha256[base];
      const hint = `If this machine is offline, copy ${base}.gz (from ${src.mirrors[0]}) into ${dest} or another directory and pass { root: "<that directory>" } without download.`;
      await downloadFile(what, mirrors, {
        name: base + ".gz",
        sha256: [sums.gz],
        // a re-compressed copy is fine when its contents are the official bytes
        accept: sums.raw ? (bytes) => { try { return sha256Hex(maybeGunzip(bytes, base, what)) === sums.raw; } catch { return false; } } : undefined,
      }, dest, hint);
    }
  }
  return loadSync(src, what, opts);
}

/** MNIST handwritten digits (LeCun et al. 1998): [image float32 [1,28,28] in [0,1], label int32].
 *  Reads `{train,t10k}-{images-idx3,labels-idx1}-ubyte(.gz)` from `root`; downloads only with `download: true`.
 *  Files already on disk load synchronously (the dataset is returned as is, and `await` on it works
 *  too); only a download returns a Promise. Missing files without `download` throw.
 *  @example const train = await dt.data.datasets.mnist({ root: "data", download: true }); */
export function mnist(opts: MnistOptions = {}): MnistDataset | Promise<MnistDataset> {
  return loadEither(MNIST, "mnist", checkOptions("data.datasets.mnist", opts, MNIST_KEYS, 1));
}

/** Synchronous mnist() for files already on disk (no download). */
export function mnistSync(opts: Omit<MnistOptions, "download" | "mirrors"> = {}): MnistDataset {
  return loadSync(MNIST, "mnist", checkOptions("data.datasets.mnistSync", opts, MNIST_SYNC_KEYS, 1));
}

/** Fashion-MNIST (Xiao et al. 2017): the same format as MNIST, 10 clothing classes (sync or async as mnist()).
 *  @example const test = await dt.data.datasets.fashionMnist({ root: "data", train: false }); */
export function fashionMnist(opts: MnistOptions = {}): MnistDataset | Promise<MnistDataset> {
  return loadEither(FASHION_MNIST, "fashionMnist", checkOptions("data.datasets.fashionMnist", opts, MNIST_KEYS, 1));
}

/** Synchronous fashionMnist() for files already on disk (no download). */
export function fashionMnistSync(opts: Omit<MnistOptions, "download" | "mirrors"> = {}): MnistDataset {
  return loadSync(FASHION_MNIST, "fashionMnist", checkOptions("data.datasets.fashionMnistSync", opts, MNIST_SYNC_KEYS, 1));
}
