// MNIST from real IDX files (../shared/datasets/mnist), downloads against a local HTTP server
// (mirror fallback, SHA-256 checks, the offline message), and the bundled digits set.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { createHash } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";
import * as dt from "../../src/index.js";
import { digitsCsvGz } from "../../src/data/datasets/digits.js";

const MNIST = fileURLToPath(new URL("../../../shared/datasets/mnist/", import.meta.url));
const haveMnist = fs.existsSync(path.join(MNIST, "t10k-images-idx3-ubyte.gz"));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deeptype-ds-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

test("mnist test split from gzipped IDX files: shapes, dtypes, values, labels", { skip: !haveMnist && "no ../shared/datasets/mnist" }, async () => {
  const ds = await dt.data.datasets.mnist({ root: MNIST, train: false });
  assert.equal(ds.length, 10000);
  assert.deepEqual(ds.data.shape, [10000, 1, 28, 28]);
  assert.equal(ds.data.dtype, "float32");
  assert.equal(ds.targets.dtype, "int32");
  assert.deepEqual(ds.targets.toArray().slice(0, 10), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]); // DATASET.md
  assert.equal(ds.data.max().item(), 1);
  assert.equal(ds.data.min().item(), 0);
  const [x, y] = ds.get(0);
  assert.deepEqual(x.shape, [1, 28, 28]);
  assert.equal(y.item(), 7);
  // pixel sum of test image 0 (a 7) equals the raw bytes' sum / 255
  const raw = new Uint8Array(gunzipSync(fs.readFileSync(path.join(MNIST, "t10k-images-idx3-ubyte.gz"))));
  let s = 0;
  for (let i = 16; i < 16 + 784; i++) s += raw[i];
  assert.ok(Math.abs(x.sum().item() - s / 255) < 1e-3);
  // uncompressed files in torchvision's <root>/MNIST/raw layout work too
  const raw2 = path.join(tmp, "plain", "MNIST", "raw");
  fs.mkdirSync(raw2, { recursive: true });
  fs.writeFileSync(path.join(raw2, "t10k-images-idx3-ubyte"), raw);
  fs.copyFileSync(path.join(MNIST, "t10k-labels-idx1-ubyte.gz"), path.join(raw2, "t10k-labels-idx1-ubyte.gz"));
  const ds2 = dt.data.datasets.mnistSync({ root: path.join(tmp, "plain"), train: false });
  assert.deepEqual(ds2.targets.toArray().slice(0, 10), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  // a batch through the DataLoader fast path
  const [xb, yb] = [...new dt.data.DataLoader(ds, { batchSize: 64 })][0];
  assert.deepEqual(xb.shape, [64, 1, 28, 28]);
  assert.deepEqual(yb.shape, [64]);
});

test("missing files: a clear message saying what to pass; never the network unless asked", async () => {
  const empty = path.join(tmp, "empty");
  fs.mkdirSync(empty);
  assert.throws(() => dt.data.datasets.mnist({ root: empty }), /mnist: train-images-idx3-ubyte\(\.gz\) not found in .*empty.*Pass \{ download: true \}.*or \{ root:/s);
  assert.throws(() => dt.data.datasets.fashionMnistSync({ root: empty, train: false }), /fashionMnist: t10k-images-idx3-ubyte\(\.gz\) not found/);
  // offline: every mirror fails, the message lists them and says what to do
  await assert.rejects(
    async () => dt.data.datasets.mnist({ root: empty, train: false, download: true, mirrors: ["http://127.0.0.1:9/mnist/"] }),
    (e: Error) => /could not download t10k-images-idx3-ubyte\.gz/.test(e.message) && /127\.0\.0\.1:9/.test(e.message) && /offline.*pass \{ root:/s.test(e.message),
  );
});

test("download: mirror fallback, SHA-256 check (gz or decompressed), cached files reused", { skip: !haveMnist && "no ../shared/datasets/mnist" }, async () => {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    const name = path.basename(req.url ?? "");
    if (req.url?.startsWith("/broken/")) { res.writeHead(200); res.end(Buffer.from("not the file")); return; }
    const file = path.join(MNIST, name);
    if (!req.url?.startsWith("/good/") || !fs.existsSync(file)) { res.writeHead(404); res.end(); return; }
    res.writeHead(200);
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  try {
    const root = path.join(tmp, "dl");
    // a mirror with wrong bytes: refused with the digests named
    await assert.rejects(
      async () => dt.data.datasets.mnist({ root, train: false, download: true, mirrors: [`http://127.0.0.1:${port}/broken/`] }),
      /SHA-256 mismatch \(got [0-9a-f]{64}, expected 8d422c7b/,
    );
    assert.ok(!fs.existsSync(path.join(root, "MNIST", "raw", "t10k-images-idx3-ubyte.gz")), "a refused download leaves no file");
    // 404 first, then a good mirror (whose images .gz is re-compressed: accepted by the decompressed digest)
    const ds = await dt.data.datasets.mnist({ root, train: false, download: true, mirrors: [`http://127.0.0.1:${port}/missing/`, `http://127.0.0.1:${port}/good/`] });
    assert.equal(ds.length, 10000);
    assert.ok(fs.existsSync(path.join(root, "MNIST", "raw", "t10k-labels-idx1-ubyte.gz")));
    const before = requests;
    await dt.data.datasets.mnist({ root, train: false, download: true, mirrors: [`http://127.0.0.1:${port}/good/`] });
    assert.equal(requests, before, "files already in the cache are not downloaded again");
  } finally {
    server.close();
  }
});

test("digits(): the bundled scikit-learn set, 1797 x 64 in 0..16, 10 classes", () => {
  const sha = createHash("sha256").update(digitsCsvGz()).digest("hex");
  assert.equal(sha, "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a"); // sklearn's digits.csv.gz
  const ds = dt.data.datasets.digits();
  assert.equal(ds.length, 1797);
  assert.deepEqual(ds.data.shape, [1797, 64]);
  assert.equal(ds.data.dtype, "float32");
  assert.equal(ds.targets.dtype, "int32");
  assert.equal(ds.data.min().item(), 0);
  assert.equal(ds.data.max().item(), 16);
  assert.deepEqual(ds.targets.toArray().slice(0, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // first row of the file: 0,0,5,13,9,1,0,0,...
  assert.deepEqual(ds.data.toArray()[0].slice(0, 8), [0, 0, 5, 13, 9, 1, 0, 0]);
  const counts = new Array(10).fill(0);
  for (const y of ds.targets.toArray() as number[]) counts[y]++;
  assert.deepEqual(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]); // sklearn's class sizes
  assert.deepEqual(ds.images.shape, [1797, 8, 8]);
  // each call gives independent tensors
  ds.data.storage[0] = 99;
  assert.equal(dt.data.datasets.digits().data.storage[0], 0);
});

test("mnist() on local files is synchronous, and await works on it as well", { skip: !haveMnist && "no ../shared/datasets/mnist" }, async () => {
  const ds = dt.data.datasets.mnist({ root: MNIST, train: false });
  assert.ok(!(ds instanceof Promise));
  assert.equal((ds as dt.data.datasets.MnistDataset).length, 10000);
  assert.equal((await dt.data.datasets.mnist({ root: MNIST, train: false })).length, 10000);
});
