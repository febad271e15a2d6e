// The 8x8 handwritten digits of scikit-learn's load_digits (UCI "Optical Recognition of Handwritten
// Digits", Alpaydin & Kaynak 1998): 1797 samples, 64 features in 0..16, 10 classes. Bundled with the
// package (digits-data.ts), loaded synchronously with no file system access.

import { gunzipSync } from "fflate";
import { Tensor } from "../../tensor/tensor.js";
import { TensorDataset } from "../dataset.js";
import { DIGITS_CSV_GZ_BASE64 } from "./digits-data.js";

/** digits(): `data` float32 [1797, 64] (pixel counts 0..16), `targets` int32 [1797]; item i is [data[i], targets[i]]. */
export class DigitsDataset extends TensorDataset {
  /** The images as flat rows, float32 [1797, 64] (values 0-16). */
  readonly data: Tensor;
  /** The labels, int32 [1797]. */
  readonly targets: Tensor;
  /** 8x8 images, float32 [1797, 8, 8] (a view of `data`). */
  readonly images: Tensor;
  /** The class names, "0" to "9". */
  readonly classes = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
  constructor(data: Tensor, targets: Tensor) {
    super(data, targets);
    this.data = data;
    this.targets = targets;
    this.images = data.reshape(data.shape[0], 8, 8);
  }
}

function base64Bytes(s: string): Uint8Array {
  if (typeof Buffer !== "undefined") return new Uint8Array(Buffer.from(s, "base64"));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

let cache: { x: Float32Array; y: Int32Array } | null = null;

/** The raw bytes of the bundled digits.csv.gz (scikit-learn's file, unchanged). */
export function digitsCsvGz(): Uint8Array {
  return base64Bytes(DIGITS_CSV_GZ_BASE64);
}

/** The 8x8 digits set bundled with deeptype (scikit-learn's load_digits): 1797 samples, 64 features 0..16.
 *  @example const ds = dt.data.datasets.digits(); const [x, y] = ds.get(0); // x float32 [64], y int32 */
export function digits(): DigitsDataset {
  if (cache === null) {
    const text = new TextDecoder().decode(gunzipSync(digitsCsvGz()));
    const lines = text.split("\n").filter((l) => l.length > 0);
    const x = new Float32Array(lines.length * 64), y = new Int32Array(lines.length);
    lines.forEach((line, i) => {
      const v = line.split(",");
      if (v.length !== 65) throw new Error(`digits: bundled data row ${i} has ${v.length} values, expected 65 (package damaged)`);
      for (let j = 0; j < 64; j++) x[i * 64 + j] = +v[j];
      y[i] = +v[64];
    });
    cache = { x, y };
  }
  // fresh tensors per call, so that changing one dataset never changes another
  const n = cache.y.length;
  return new DigitsDataset(new Tensor(cache.x.slice(), [n, 64], "float32"), new Tensor(cache.y.slice(), [n], "int32"));
}
