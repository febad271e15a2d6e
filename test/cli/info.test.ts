// `deeptype info <checkpoint>`: the tensors of a safetensors file or deeptype checkpoint grouped by
// module prefix in nn.summary's table layout, the totals, the model summary when the recipe is known,
// and one-line errors for missing and corrupt files.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../src/cli/main.js";
import * as dt from "../../src/index.js";

const { nn } = dt;

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await main(["node", "deeptype", ...args], { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deeptype-info-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const DIV = "=".repeat(115);

test("deeptype info <file.safetensors>: tensors by module prefix, totals, buffers apart", async () => {
  const model = new nn.Sequential({ features: new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2)), head: new nn.Linear(8, 3) });
  const file = path.join(tmp, "model.safetensors");
  await dt.io.save(model.stateDict(), file);
  const r = await run("info", file);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, "");
  const size = fs.statSync(file).size;
  assert.equal(r.out, `${DIV}
Layer (name:depth-idx)                   Dtype                     Shape                     Param #
${DIV}
model.safetensors (safetensors)          --                        --                        56
├─features: 1-1                          --                        --                        29
│    └─0: 2-1                            --                        --                        20
│    │    └─weight: 3-1                  F32                       [2, 1, 3, 3]              18
│    │    └─bias: 3-2                    F32                       [2]                       2
│    └─1: 2-2                            --                        --                        9
│    │    └─weight: 3-3                  F32                       [2]                       2
│    │    └─bias: 3-4                    F32                       [2]                       2
│    │    └─running_mean: 3-5            F32                       [2]                       2
│    │    └─running_var: 3-6             F32                       [2]                       2
│    │    └─num_batches_tracked: 3-7     I32                       []                        1
├─head: 1-2                              --                        --                        27
│    └─weight: 2-3                       F32                       [3, 8]                    24
│    └─bias: 2-4                         F32                       [3]                       3
${DIV}
Tensors: 9
Total params: 51
Buffer elements (running_mean, running_var, num_batches_tracked): 5
${DIV}
Tensor data size (MB): 0.00
File size (MB): ${(size / 1e6).toFixed(2)}
${DIV}
`);
  // --depth 1 keeps the module totals only
  const d = await run("info", file, "--depth", "1");
  assert.deepEqual(d.out.split("\n").slice(3, 6).map((l) => l.split(/\s{2,}/)[0]), ["model.safetensors (safetensors)", "├─features: 1-1", "├─head: 1-2"]);
});

test("deeptype info <run dir>: the checkpoint's table, its epoch and optimizer state, then the recipe model's summary", async () => {
  const out = path.join(tmp, "run");
  const t = await run("train", "digits-mlp", "--quick", "--out", out, "--no-progress");
  assert.equal(t.code, 0, t.err);
  for (const target of [out, path.join(out, "checkpoints", "last.safetensors")]) {
    const r = await run("info", target);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^=+\nLayer \(name:depth-idx\) +Dtype +Shape +Param #\n=+\n\w+\.safetensors \(deeptype checkpoint\) +-- +-- +9,610\n├─0: 1-1 +-- +-- +8,320\n│    └─weight: 2-1 +F32 +\[128, 64\] +8,192\n/);
    assert.match(r.out, /\nTotal params: 9,610\n/);
    assert.match(r.out, /\nEpoch: \d\nMetrics: [\w.]+ [\d.]+/);
    assert.match(r.out, /\nState tensors \(optimizer, scheduler, \.\.\.\): 8, 19,220 elements\n/); // Adam: exp_avg and exp_avg_sq per parameter
    assert.match(r.out, /\ndigits-mlp model \(rebuilt from the recipe, weights loaded\), input \[1, 64\]:\n=+\nLayer \(type:depth-idx\) +Output Shape +Param #\n=+\nSequential +\[1, 10\] +--\n├─Linear: 1-1 +\[1, 128\] +8,320\n/);
    assert.match(r.out, /Total params: 9,610\nTrainable params: 9,610\nNon-trainable params: 0\nTotal mult-adds \(M\): 0\.01\n/);
  }
  const plain = await run("info", out, "--no-summary");
  assert.doesNotMatch(plain.out, /rebuilt from the recipe/);
  // a recipe whose model does not fit: a note, the table still printed
  const wrong = await run("info", out, "--recipe", "mnist-lenet");
  assert.equal(wrong.code, 0);
  assert.match(wrong.err, /^note: the checkpoint does not fit recipe mnist-lenet's model/);
  assert.match(wrong.out, /Total params: 9,610\n/);
});

test("deeptype info: missing, corrupt and foreign files are one clear line", async () => {
  const cases: [string[], RegExp][] = [
    [[path.join(tmp, "nope.safetensors")], /^deeptype: .*nope\.safetensors: no such checkpoint file or run directory\n$/],
    [[tmp], /^deeptype: .*a directory without checkpoints\/best\.safetensors or checkpoints\/last\.safetensors\n$/],
    [[path.join(tmp, "model.safetensors"), "--recipe", "imagenet-vit"], /^deeptype: unknown recipe 'imagenet-vit'; recipes: /],
  ];
  fs.writeFileSync(path.join(tmp, "text.safetensors"), "hello, this is not a safetensors file at all");
  cases.push([[path.join(tmp, "text.safetensors")], /^deeptype: safetensors: .*text\.safetensors: header length \d+ (runs past the end|is larger than the 100 MB limit)/]);
  const good = fs.readFileSync(path.join(tmp, "model.safetensors"));
  fs.writeFileSync(path.join(tmp, "cut.safetensors"), good.subarray(0, good.length - 5));
  cases.push([[path.join(tmp, "cut.safetensors")], /^deeptype: safetensors: .*cut\.safetensors: tensor data needs \d+ bytes after the header but the file has \d+: truncated\n$/]);
  fs.writeFileSync(path.join(tmp, "empty.safetensors"), "");
  cases.push([[path.join(tmp, "empty.safetensors")], /^deeptype: safetensors: .*empty\.safetensors: file is 0 bytes, too short/]);
  for (const [args, re] of cases) {
    const r = await run("info", ...args);
    assert.equal(r.code, 1, args.join(" "));
    assert.equal(r.out, "");
    assert.match(r.err, re);
    assert.equal(r.err.split("\n").length, 2, `one line: ${r.err}`);
  }
});
