// File loaders: CSV (papaparse), PNG / JPEG (values against Pillow's decode in images.json), WAV
// (fsdd recordings and a stereo fixture), IDX; and a corrupt file of each kind gives a clear error.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import * as dt from "../../src/index.js";

const FIX = fileURLToPath(new URL("../fixtures/data/", import.meta.url));
const SHARED = fileURLToPath(new URL("../../../shared/datasets/", import.meta.url));
const haveShared = fs.existsSync(path.join(SHARED, "iris", "iris.csv"));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deeptype-files-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, bytes: Uint8Array | string) => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, bytes);
  return p;
};

test("readCsv: header, quotes, delimiter detection, numbers / strings / empty cells, dtype tensors", () => {
  const f = write("t.csv", 'name,score,note\n"Smith, J",1.5,"said ""hi"""\nLee,-2,\n');
  const t = dt.data.readCsv(f);
  assert.deepEqual(t.columns, ["name", "score", "note"]);
  assert.deepEqual(t.data, [["Smith, J", 1.5, 'said "hi"'], ["Lee", -2, null]]);
  const g = write("semi.csv", "a;b\n1;2\n3;4\n");
  const { columns, data } = dt.data.readCsv(g, { dtype: "int32" });
  assert.deepEqual(columns, ["a", "b"]);
  assert.equal(data.dtype, "int32");
  assert.deepEqual(data.toArray(), [[1, 2], [3, 4]]);
  assert.deepEqual(dt.data.readCsv(g, { header: false, delimiter: ";" }).data[0], ["a", "b"]);
  assert.throws(() => dt.data.readCsv(f, { dtype: "float32" }), /t\.csv: row 2, column 'name': 'Smith, J' is not a number/);
});

test("readCsv on scikit-learn's CSVs (iris, wine, breast_cancer)", { skip: !haveShared && "no ../shared/datasets" }, () => {
  for (const [file, rows, cols] of [["iris/iris.csv", 150, 5], ["wine/wine_data.csv", 178, 14], ["breast_cancer/breast_cancer.csv", 569, 31]] as const) {
    const { data } = dt.data.readCsv(path.join(SHARED, file), { header: false, skipRows: 1, dtype: "float32" });
    assert.deepEqual(data.shape, [rows, cols], file);
  }
  const iris = dt.data.readCsv(path.join(SHARED, "iris/iris.csv"), { header: false, skipRows: 1, dtype: "float64" }).data;
  assert.deepEqual(iris.toArray()[0], [5.1, 3.5, 1.4, 0.2, 0]);
  assert.deepEqual(iris.toArray()[149], [5.9, 3.0, 5.1, 1.8, 2]);
});

test("decodeImage / readImage: PNG (gray, RGB, RGBA, palette, 16-bit) and JPEG (RGB, gray) match Pillow", () => {
  const want = JSON.parse(fs.readFileSync(path.join(FIX, "images.json"), "utf8"));
  for (const [name, w] of Object.entries<any>(want)) {
    const img = dt.data.readImage(path.join(FIX, name), { dtype: "int32" });
    assert.deepEqual(img.shape, w.shape, name);
    assert.equal(img.dtype, "int32");
    const got = img.toArray() as number[][][];
    // PNG is lossless: exact. JPEG decoders may differ by an IDCT rounding step: within 2 levels.
    const tol = name.endsWith(".jpg") ? 2 : 0;
    let worst = 0;
    got.forEach((ch, c) => ch.forEach((row, y) => row.forEach((v, x) => (worst = Math.max(worst, Math.abs(v - w.chw[c][y][x]))))));
    assert.ok(worst <= tol, `${name}: max difference ${worst} > ${tol}`);
  }
  const f = dt.data.readImage(path.join(FIX, "rgb8.png"));
  assert.equal(f.dtype, "float32");
  assert.ok(f.max().item() <= 1 && f.min().item() >= 0);
  assert.ok(Math.abs(f.toArray()[2][0][0] - 255 / 255) < 1e-7); // blue at (0,0) is 255
  assert.ok(Math.abs(dt.data.readImage(path.join(FIX, "gray16.png")).toArray()[0][0][4] - 52000 / 65535) < 1e-6);
  // modes
  assert.deepEqual(dt.data.readImage(path.join(FIX, "rgba8.png"), { mode: "rgb" }).shape, [3, 6, 5]);
  assert.deepEqual(dt.data.readImage(path.join(FIX, "gray8.png"), { mode: "rgb" }).shape, [3, 6, 5]);
  assert.deepEqual(dt.data.readImage(path.join(FIX, "rgb.jpg"), { mode: "rgba" }).shape, [4, 6, 5]);
  const g = dt.data.readImage(path.join(FIX, "rgb8.png"), { mode: "gray", dtype: "int32" }).toArray()[0][0][0];
  assert.equal(g, Math.round((0 * 299 + 0 * 587 + 255 * 114) / 1000)); // ITU-R 601-2 luma of (0, 0, 255)
  const bytes = new Uint8Array(fs.readFileSync(path.join(FIX, "rgb8.png")));
  assert.deepEqual(dt.data.decodeImage(bytes).shape, [3, 6, 5]);
});

test("readWav: fsdd recordings and a stereo 16-bit file, normalised like torchaudio", () => {
  const s = dt.data.readWav(path.join(FIX, "stereo16.wav"));
  assert.equal(s.sampleRate, 8000);
  assert.deepEqual(s.data.shape, [2, 20]);
  const [l, r] = s.data.toArray() as number[][];
  assert.equal(l[3], 3000 / 32768);
  assert.equal(r[19], -19000 / 32768);
  if (fs.existsSync(path.join(SHARED, "fsdd"))) {
    const w = dt.data.readWav(path.join(SHARED, "fsdd/recordings/0_george_0.wav"));
    assert.equal(w.sampleRate, 8000);
    assert.equal(w.data.shape[0], 1);
    assert.ok(w.data.shape[1] > 1000);
    assert.ok(w.data.abs().max().item() <= 1);
  }
});

test("readIdx: every element type, gzipped or not", () => {
  // int16 [2, 3] big-endian, header 00 00 0B 02
  const hdr = [0, 0, 0x0b, 2, 0, 0, 0, 2, 0, 0, 0, 3];
  const vals = [1, -2, 300, -32768, 32767, 0];
  const body = new Uint8Array(12);
  vals.forEach((v, i) => new DataView(body.buffer).setInt16(2 * i, v, false));
  const bytes = new Uint8Array([...hdr, ...body]);
  const t = dt.data.readIdx(write("s.idx", bytes));
  assert.deepEqual(t.shape, [2, 3]);
  assert.deepEqual(t.toArray(), [[1, -2, 300], [-32768, 32767, 0]]);
  assert.deepEqual(dt.data.readIdx(write("s.idx.gz", gzipSync(bytes))).toArray(), t.toArray());
  const f = new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 1, 0x3f, 0xc0, 0, 0]); // float32 [1.5]
  assert.deepEqual(dt.data.readIdx(write("f.idx", f)).toArray(), [1.5]);
});

test("corrupt or truncated files: IDX, CSV, PNG, JPEG, WAV each give a clear error naming the file", () => {
  const mnistLabels = path.join(SHARED, "mnist/t10k-labels-idx1-ubyte.gz");
  const idxGood = fs.existsSync(mnistLabels)
    ? new Uint8Array(fs.readFileSync(mnistLabels))
    : new Uint8Array(gzipSync(new Uint8Array([0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4])));
  const png = new Uint8Array(fs.readFileSync(path.join(FIX, "rgb8.png")));
  const jpg = new Uint8Array(fs.readFileSync(path.join(FIX, "rgb.jpg")));
  const wav = new Uint8Array(fs.readFileSync(path.join(FIX, "stereo16.wav")));
  const flip = (b: Uint8Array, at: number) => { const c = b.slice(); c[at] ^= 0xff; return c; };
  const idxPlain = new Uint8Array([0, 0, 8, 1, 0, 0, 0, 4, 1, 2, 3, 4]);
  const cases: [string, Uint8Array | string, (p: string) => unknown, RegExp][] = [
    ["trunc-labels.gz", idxGood.subarray(0, idxGood.length - 100), dt.data.readIdx, /gzip data is corrupt or truncated/],
    ["flipped-labels.gz", flip(idxGood, Math.floor(idxGood.length / 2)), dt.data.readIdx, /gzip data is corrupt or truncated/],
    ["trunc.idx", idxPlain.subarray(0, 10), dt.data.readIdx, /\(4 bytes of data\) but the file holds 2: truncated/],
    ["badmagic.idx", flip(idxPlain, 0), dt.data.readIdx, /bad magic number/],
    ["badtype.idx", new Uint8Array([0, 0, 7, 1, 0, 0, 0, 1, 5]), dt.data.readIdx, /unknown element type 0x7/],
    ["ragged.csv", "a,b\n1,2\n3\n", dt.data.readCsv, /row 3 has 1 fields, expected 2/],
    ["binary.csv", png, dt.data.readCsv, /not valid UTF-8 text|NUL bytes/],
    ["quotes.csv", 'a,b\n"1,2\n3,4\n', dt.data.readCsv, /[Qq]uote/],
    ["trunc.png", png.subarray(0, 60), dt.data.readImage, /corrupt or truncated PNG/],
    ["crc.png", flip(png, 40), dt.data.readImage, /corrupt or truncated PNG/],
    ["trunc.jpg", jpg.subarray(0, 300), dt.data.readImage, /corrupt or truncated JPEG/],
    ["garbage.jpg", new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 2, 0xff, 0xc0, 0, 3, 1, 1, 1, 1, 1]), dt.data.readImage, /corrupt or truncated JPEG/],
    ["text.png", "hello", dt.data.readImage, /not a PNG or JPEG file/],
    ["trunc.wav", wav.subarray(0, 60), dt.data.readWav, /data chunk declares 80 bytes but the file holds 16: truncated/],
    ["nodata.wav", wav.subarray(0, 30), dt.data.readWav, /corrupt or truncated WAV/],
    ["notwav.wav", png, dt.data.readWav, /not a WAV file/],
  ];
  for (const [name, bytes, read, re] of cases) {
    const p = write(name, bytes);
    assert.throws(() => read(p), (e: Error) => {
      assert.ok(e.message.includes(p), `${name}: message names the file: ${e.message}`);
      assert.match(e.message, re, name);
      return true;
    });
  }
  assert.throws(() => dt.data.readImage(path.join(tmp, "nope.png")), /readImage: cannot read .*nope\.png: no such file/);
  // random byte flips never crash the process: a clear error or a decoded tensor
  for (const [bytes, read] of [[png, dt.data.decodeImage], [jpg, dt.data.decodeImage], [wav, dt.data.decodeWav]] as const)
    for (let i = 0; i < bytes.length; i += Math.max(1, Math.floor(bytes.length / 60))) {
      try { read(flip(bytes, i)); } catch (e) { assert.match((e as Error).message, /^decode(Image|Wav): /); }
    }
});
