// safetensors: files written by PyTorch load with the right values, deeptype's writer produces the
// exact bytes PyTorch verified (test/fixtures/io/deeptype_written.verify.txt), corrupt files fail clearly.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as dt from "../../src/index.js";
import { deeptypeTensors, fileOrder, METADATA } from "../fixtures/io/deeptype-written.js";

const FIX = fileURLToPath(new URL("../fixtures/io/", import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deeptype-io-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

const DTYPE_OF: Record<string, string> = {
  F64: "float64", F32: "float32", F16: "float32", BF16: "float32", I64: "int32", I32: "int32",
  I16: "int32", I8: "int32", U8: "int32", BOOL: "bool",
};
function unjson(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unjson);
  if (v === "inf") return Infinity;
  if (v === "-inf") return -Infinity;
  if (v === "nan") return NaN;
  return v;
}

test("loads a file written by PyTorch: every dtype, 0-d, empty, metadata, file order", async () => {
  const file = path.join(FIX, "torch_tensors.safetensors");
  const expected = JSON.parse(fs.readFileSync(path.join(FIX, "torch_tensors.json"), "utf8"));
  for (const sd of [dt.io.loadSync(file), await dt.io.load(file)]) {
    assert.deepEqual(Object.keys(sd), Object.keys(expected.tensors));
    for (const [name, want] of Object.entries<any>(expected.tensors)) {
      const t = sd[name];
      assert.equal(t.dtype, DTYPE_OF[want.dtype], name);
      assert.deepEqual(t.shape, want.shape, name);
      const got = t.toArray();
      // F32 values are exact; F16/BF16 widen exactly to float32
      assert.deepEqual(got, unjson(want.values), name);
    }
  }
  assert.deepEqual(dt.io.loadMetadata(file), expected.metadata);
});

test("writer output is byte for byte the file PyTorch verified", () => {
  const bytes = dt.io.saveBytes(deeptypeTensors(), { metadata: METADATA });
  const committed = fs.readFileSync(path.join(FIX, "deeptype_written.safetensors"));
  assert.deepEqual(Buffer.from(bytes), committed);
  assert.match(fs.readFileSync(path.join(FIX, "deeptype_written.verify.txt"), "utf8"), /VERDICT: OK/);
  // header: u64 LE length, multiple of 8, padded with spaces, compact JSON in insertion order
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.equal(header, JSON.stringify(JSON.parse(header)).padEnd(n, " "));
  // tensors widest dtype first (each one's data aligned), in the given order within an element size
  assert.ok(header.startsWith('{"__metadata__":{"format":"pt","writer":"deeptype"},"f64":{"dtype":"F64","shape":[4],"data_offsets":[0,32]},"linear.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[32,56]}'));
  assert.deepEqual(Object.keys(dt.io.loadBytes(bytes)), fileOrder());
  assert.deepEqual(fileOrder(), ["f64", "linear.weight", "linear.bias", "bn.num_batches_tracked", "i32", "scalar", "empty", "transposed", "mask"]);
});

test("every tensor's data is aligned to its element size (mixed dtypes, odd lengths), and round-trips", () => {
  dt.manualSeed(3);
  const sd: Record<string, dt.Tensor> = {
    "a.mask": dt.tensor([true, false, true]), // 3 bytes
    "a.weight": dt.randn([3]), // 12 bytes
    "b.f64": dt.tensor([1.5, -2.25, 1e-310], { dtype: "float64" }), // 24 bytes
    "b.flags": dt.tensor([false]), // 1 byte
    "c.idx": dt.tensor([7, -1, 2147483647], { dtype: "int32" }),
    "c.odd": dt.randn([5]),
    "d.f64": dt.tensor([Math.E], { dtype: "float64" }),
    "d.one": dt.tensor([true]),
    "e.empty64": dt.zeros([0], { dtype: "float64" }),
  };
  const SIZE: Record<string, number> = { F64: 8, F32: 4, I32: 4, BOOL: 1 };
  for (const metadata of [undefined, { format: "pt" }, { x: "123" }] as (Record<string, string> | undefined)[]) {
    const bytes = dt.io.saveBytes(sd, metadata ? { metadata } : {});
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal(n % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    const names = Object.keys(header).filter((k) => k !== "__metadata__");
    for (const k of names) {
      const { dtype, data_offsets } = header[k];
      assert.equal(data_offsets[0] % SIZE[dtype], 0, `${k}: ${dtype} at ${data_offsets[0]}`);
      assert.equal((8 + n + data_offsets[0]) % SIZE[dtype], 0, `${k}: aligned within the file too`);
    }
    // widest first, the given order within an element size; the header lists them in data order
    assert.deepEqual(names, ["b.f64", "d.f64", "e.empty64", "a.weight", "c.idx", "c.odd", "a.mask", "b.flags", "d.one"]);
    const back = dt.io.loadBytes(bytes);
    assert.deepEqual(Object.keys(back), names);
    for (const [k, t] of Object.entries(sd)) {
      assert.equal(back[k].dtype, t.dtype, k);
      assert.deepEqual(back[k].shape, t.shape, k);
      assert.deepEqual(back[k].toArray(), t.toArray(), k);
    }
    // a reader can view the data in place (no copy) because it is aligned
    const buf = new ArrayBuffer(bytes.byteLength);
    new Uint8Array(buf).set(bytes);
    const [b0, b1] = header["b.f64"].data_offsets;
    assert.deepEqual([...new Float64Array(buf, 8 + n + b0, (b1 - b0) / 8)], [1.5, -2.25, 1e-310]);
  }
  // a float32 model with int32 buffers (BatchNorm's num_batches_tracked) keeps its state-dict order
  const model = new dt.nn.Sequential(new dt.nn.Linear(3, 4), new dt.nn.BatchNorm1d(4), new dt.nn.Linear(4, 1));
  assert.deepEqual(Object.keys(dt.io.loadBytes(dt.io.saveBytes(model.stateDict()))), Object.keys(model.stateDict()));
});

test("save/load round trip (record and Map, async and sync), atomic write leaves no temp file", async () => {
  const sd = deeptypeTensors();
  const file = path.join(tmp, "rt.safetensors");
  await dt.io.save(sd, file, { metadata: { epoch: "3" } });
  const back = await dt.io.load(file);
  assert.deepEqual(Object.keys(back), fileOrder()); // file order: widest dtype first, given order within a size
  assert.deepEqual(Object.keys(back).sort(), Object.keys(sd).sort());
  for (const k of Object.keys(sd)) {
    assert.equal(back[k].dtype, sd[k].dtype);
    assert.deepEqual(back[k].toArray(), sd[k].toArray());
  }
  assert.deepEqual(dt.io.loadMetadata(file), { epoch: "3" });
  dt.io.saveSync(new Map([["b", dt.ones([2])], ["a", dt.zeros([1])]]), file);
  assert.deepEqual(Object.keys(dt.io.loadSync(file)), ["b", "a"]);
  assert.deepEqual(fs.readdirSync(tmp).filter((f) => f.startsWith("rt") || f.includes(".tmp")), ["rt.safetensors"]);
  assert.deepEqual(Object.keys(dt.io.loadBytes(dt.io.saveBytes({}))), []);
  // a module-like object is saved through its stateDict(); integer-like names keep their order in the header
  const bytes = dt.io.saveBytes({ stateDict: () => new Map([["1", dt.ones([1])], ["0", dt.zeros([2])]]) });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.ok(new TextDecoder().decode(bytes.subarray(8, 8 + n)).startsWith('{"1":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"0":'));
  assert.throws(() => dt.io.saveBytes(new Map([["a", dt.ones([1])], ["__metadata__", dt.ones([1])]])), /reserved/);
  // a failed write reports the path and leaves the old file intact
  await assert.rejects(dt.io.save(sd, path.join(tmp, "no-such-dir", "x.safetensors")), /io\.save: could not write .*no-such-dir/);
  const before = fs.readFileSync(file);
  assert.throws(() => dt.io.saveSync({ bad: 3 as unknown as dt.Tensor }, file), /value for 'bad' is not a Tensor/);
  assert.deepEqual(fs.readFileSync(file), before);
});

test("I64 values beyond int32 give a clear error", () => {
  const bytes = dt.io.saveBytes({ x: dt.tensor([1, 2], { dtype: "int32" }) });
  // rewrite as I64 [1] holding 2^40
  const header = JSON.stringify({ x: { dtype: "I64", shape: [1], data_offsets: [0, 8] } });
  const h = new TextEncoder().encode(header.padEnd(Math.ceil(header.length / 8) * 8, " "));
  const buf = new Uint8Array(8 + h.length + 8);
  const dv = new DataView(buf.buffer);
  dv.setBigUint64(0, BigInt(h.length), true);
  buf.set(h, 8);
  dv.setBigInt64(8 + h.length, 2n ** 40n, true);
  assert.throws(() => dt.io.loadBytes(buf, { source: "big.safetensors" }), /big\.safetensors: tensor 'x' \(I64\) holds 1099511627776 .*does not fit int32/);
  assert.ok(bytes.length > 0);
});

test("corrupt and truncated files give clear errors naming the file", () => {
  const good = fs.readFileSync(path.join(FIX, "torch_tensors.safetensors"));
  const n = Number(good.readBigUInt64LE(0));
  const header = good.subarray(8, 8 + n).toString();
  const withHeader = (h: string, extra = 0) => {
    const hb = Buffer.from(h.padEnd(Math.ceil(h.length / 8) * 8, " "));
    const out = Buffer.alloc(8 + hb.length + good.length - 8 - n + extra);
    out.writeBigUInt64LE(BigInt(hb.length), 0);
    hb.copy(out, 8);
    good.copy(out, 8 + hb.length, 8 + n);
    return out;
  };
  const parsed = JSON.parse(header);
  const mutate = (f: (h: any) => void) => {
    const h = structuredClone(parsed);
    f(h);
    return withHeader(JSON.stringify(h));
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ["tiny", good.subarray(0, 5), /too short/],
    ["truncated-header", good.subarray(0, 100), /header length \d+ runs past the end/],
    ["truncated-data", good.subarray(0, good.length - 3), /truncated/],
    ["huge-header-length", Buffer.concat([Buffer.from([255, 255, 255, 255, 255, 255, 0, 0]), good.subarray(8)]), /100 MB limit/],
    ["not-json", withHeader("{this is not json}"), /not valid JSON/],
    ["not-object", withHeader("[1,2,3]"), /does not start with '\{'/],
    ["unknown-dtype", mutate((h) => (h.f32.dtype = "Q7")), /tensor 'f32': unknown dtype 'Q7'/],
    ["size-mismatch", mutate((h) => (h.f32.shape = [2, 4])), /tensor 'f32': shape \[2,4\] x F32 needs 32 bytes/],
    ["missing-tensor", mutate((h) => { delete h["linear.weight"]; }), /bytes after the last tensor/],
    ["out-of-bounds", mutate((h) => { h["linear.weight"].data_offsets[1] += 4; h["linear.weight"].shape = [13]; }), /truncated/],
    ["overlap", mutate((h) => { h.f64.data_offsets = [0, 24]; }), /overlap|gap/],
    ["gap", mutate((h) => { h.f32.data_offsets = [8, 32]; }), /gap|overlap/],
    ["bad-offsets", mutate((h) => { h.f32.data_offsets = [24, 0]; }), /end before they begin/],
    ["negative-shape", mutate((h) => { h.f32.shape = [-2, -3]; }), /non-negative integers/],
    ["bad-metadata", mutate((h) => { h.__metadata__ = { a: 1 }; }), /__metadata__ value for 'a' is not a string/],
    ["trailing-bytes", withHeader(header, 16), /bytes after the last tensor/],
  ];
  for (const [name, bytes, re] of cases) {
    const file = path.join(tmp, `${name}.safetensors`);
    fs.writeFileSync(file, bytes);
    assert.throws(() => dt.io.loadSync(file), (e: Error) => {
      assert.ok(e.message.includes(file), `${name}: message names the file: ${e.message}`);
      assert.match(e.message, re, name);
      return true;
    });
  }
  // flipping bytes anywhere never crashes: either an error or tensors of the declared shapes
  for (let i = 0; i < good.length; i += 7) {
    const b = Buffer.from(good);
    b[i] ^= 0xa5;
    try { dt.io.loadBytes(b); } catch (e) { assert.match((e as Error).message, /^safetensors: /); }
  }
  assert.throws(() => dt.io.loadSync(path.join(tmp, "missing.safetensors")), /io\.load: cannot read .*missing\.safetensors: no such file/);
});
