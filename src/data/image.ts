// Image decoding to tensors, as torchvision.io.decode_image: PNG (fast-png: 1-16 bit, gray, gray+alpha,
// RGB, RGBA, palette) and baseline/progressive JPEG (jpeg-js) to [C, H, W], float32 in [0, 1] by default.

import { checkOptions } from "../tensor/options.js";
import { decode as decodePng, convertIndexedToRgb } from "fast-png";
import jpeg from "jpeg-js";
import { Tensor } from "../tensor/tensor.js";
import { readFileOrThrow } from "./idx.js";

const IMAGE_KEYS = ["mode", "dtype"] as const;
const DECODE_IMAGE_KEYS = ["mode", "dtype", "source"] as const;

/** Options of decodeImage / readImage. */
export interface ImageOptions {
  /** Channels of the result, as torchvision's ImageReadMode: "unchanged" (default; gray 1, gray+alpha 2,
   *  RGB 3, RGBA 4), "gray" (1, ITU-R 601-2 luma), "rgb" (3), "rgba" (4, opaque when the file has no alpha). */
  mode?: "unchanged" | "gray" | "rgb" | "rgba";
  /** "float32" (default): values / max in [0, 1]; "int32": the stored integers (0..255, or 0..65535 for 16-bit PNG). */
  dtype?: "float32" | "int32";
}

/** Pixels as decoded: interleaved channels, values 0..maxValue. */
interface Raster {
  width: number;
  height: number;
  channels: number;
  data: ArrayLike<number>;
  maxValue: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && PNG_SIGNATURE.every((v, i) => b[i] === v);
}
function isJpeg(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

function pngRaster(bytes: Uint8Array, source: string): Raster {
  let png;
  try {
    png = decodePng(bytes, { checkCrc: true });
  } catch (e) {
    throw new Error(`decodeImage: ${source}: corrupt or truncated PNG (${(e as Error).message})`);
  }
  const { width, height } = png;
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    const channels = rgb.length / (width * height);
    return { width, height, channels, data: rgb, maxValue: 255 };
  }
  const { channels, depth } = png;
  const n = width * height * channels;
  if (depth >= 8) {
    if (png.data.length < n) throw new Error(`decodeImage: ${source}: PNG pixel data is truncated (${png.data.length} of ${n} samples)`);
    return { width, height, channels, data: png.data, maxValue: depth === 16 ? 65535 : 255 };
  }
  // 1, 2 or 4 bits per sample, rows padded to whole bytes
  const out = new Uint8Array(n);
  const rowBytes = Math.ceil((width * channels * depth) / 8);
  const perByte = 8 / depth, mask = (1 << depth) - 1;
  if (png.data.length < rowBytes * height) throw new Error(`decodeImage: ${source}: PNG pixel data is truncated`);
  for (let yy = 0; yy < height; yy++)
    for (let k = 0; k < width * channels; k++) {
      const byte = png.data[yy * rowBytes + Math.floor(k / perByte)];
      out[yy * width * channels + k] = (byte >> (8 - depth * (1 + (k % perByte)))) & mask;
    }
  return { width, height, channels, data: out, maxValue: mask };
}

/** Number of colour components in the JPEG frame header (SOFn), or 0 when none is found. */
function jpegComponents(b: Uint8Array): number {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return 0;
    const marker = b[i + 1];
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) return b[i + 9];
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { i += 2; continue; }
    i += 2 + ((b[i + 2] << 8) | b[i + 3]);
  }
  return 0;
}

function jpegRaster(bytes: Uint8Array, source: string): Raster {
  let img;
  try {
    // tolerantDecoding off: a truncated or damaged file is an error, never a half-grey picture
    img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, tolerantDecoding: false, maxMemoryUsageInMB: 1024 });
  } catch (e) {
    throw new Error(`decodeImage: ${source}: corrupt or truncated JPEG (${(e as Error).message})`);
  }
  const { width, height, data } = img;
  if (!width || !height || data.length !== width * height * 3) throw new Error(`decodeImage: ${source}: corrupt JPEG (no image data)`);
  if (jpegComponents(bytes) === 1) {
    const gray = new Uint8Array(width * height);
    for (let i = 0; i < gray.length; i++) gray[i] = data[3 * i];
    return { width, height, channels: 1, data: gray, maxValue: 255 };
  }
  return { width, height, channels: 3, data, maxValue: 255 };
}

/** Converts interleaved [H*W*C] to the requested channels, planar [C, H, W]. */
function toTensor(r: Raster, opts: ImageOptions): Tensor {
  const { mode = "unchanged", dtype = "float32" } = opts;
  if (!["unchanged", "gray", "rgb", "rgba"].includes(mode)) throw new Error(`decodeImage: mode must be "unchanged", "gray", "rgb" or "rgba", got '${mode}'`);
  if (dtype !== "float32" && dtype !== "int32") throw new Error(`decodeImage: dtype must be "float32" or "int32", got '${dtype}'`);
  const { width, height, channels: c, data, maxValue } = r;
  const hw = width * height;
  const hasAlpha = c === 2 || c === 4;
  const color = c >= 3;
  const outC = mode === "unchanged" ? c : mode === "gray" ? 1 : mode === "rgb" ? 3 : 4;
  const out = dtype === "float32" ? new Float32Array(outC * hw) : new Int32Array(outC * hw);
  const scale = dtype === "float32" ? 1 / maxValue : 1;
  for (let p = 0; p < hw; p++) {
    const base = p * c;
    const R = data[base], G = color ? data[base + 1] : R, B = color ? data[base + 2] : R;
    const A = hasAlpha ? data[base + c - 1] : maxValue;
    let px: number[];
    if (mode === "unchanged") px = Array.from({ length: c }, (_, k) => data[base + k]);
    else if (mode === "gray") px = [color ? Math.round((R * 299 + G * 587 + B * 114) / 1000) : R];
    else if (mode === "rgb") px = [R, G, B];
    else px = [R, G, B, A];
    for (let k = 0; k < outC; k++) out[k * hw + p] = px[k] * scale;
  }
  return new Tensor(out, [outC, height, width], dtype);
}

/** Decodes PNG or JPEG bytes to a tensor [C, H, W] (float32 in [0, 1] unless dtype "int32").
 *  @example const img = dt.data.decodeImage(bytes, { mode: "rgb" }); // [3, H, W] */
export function decodeImage(bytes: Uint8Array, opts: ImageOptions & { source?: string } = {}): Tensor {
  opts = checkOptions("data.decodeImage", opts, DECODE_IMAGE_KEYS, 2);
  const source = opts.source ?? "<bytes>";
  if (!(bytes instanceof Uint8Array)) throw new Error(`decodeImage: expected a Uint8Array of file bytes, got ${typeof bytes}`);
  if (isPng(bytes)) return toTensor(pngRaster(bytes, source), opts);
  if (isJpeg(bytes)) return toTensor(jpegRaster(bytes, source), opts);
  throw new Error(`decodeImage: ${source}: not a PNG or JPEG file (unrecognised signature ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, "0")).join(" ")})`);
}

/** Reads a PNG or JPEG file to a tensor [C, H, W] (float32 in [0, 1] unless dtype "int32").
 *  @example const img = dt.data.readImage("cat.jpg"); // [3, H, W] */
export function readImage(file: string, opts: ImageOptions = {}): Tensor {
  opts = checkOptions("data.readImage", opts, IMAGE_KEYS, 2);
  return decodeImage(readFileOrThrow(file, "readImage"), { ...opts, source: file });
}
