// Checkpoints: model + optimizer + scheduler + epoch + extras in one safetensors file, restored
// into exactly the structure the stateDict() calls produced.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as dt from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deeptype-ck-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

/** A stand-in for nn.Module: two parameters and a buffer. */
class TinyModel {
  weight = dt.tensor([[0.5, -1], [2, 3]]);
  bias = dt.tensor([0.1, 0.2]);
  steps = dt.tensor(4, { dtype: "int32" });
  stateDict(): Record<string, Tensor> {
    return { weight: this.weight, bias: this.bias, "bn.num_batches_tracked": this.steps };
  }
  loadStateDict(sd: Record<string, Tensor>): void {
    this.weight = sd.weight; this.bias = sd.bias; this.steps = sd["bn.num_batches_tracked"];
  }
}

/** A stand-in for an Adam optimizer's stateDict: numbered state, tensors, param groups with options. */
class FakeAdam {
  state = {
    0: { step: 3, expAvg: dt.tensor([[0.1, 0.2], [0.3, 0.4]]), expAvgSq: dt.tensor([[1, 2], [3, 4]], { dtype: "float64" }) },
    1: { step: 3, expAvg: dt.tensor([0, -0.5]), expAvgSq: dt.tensor([0.25, 0.5]), maxExpAvgSq: dt.zeros([0]) },
  };
  paramGroups = [{ lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, foreach: null, params: [0, 1] }];
  stateDict() {
    return { state: this.state, paramGroups: this.paramGroups };
  }
}

function same(a: unknown, b: unknown, where = "root"): void {
  if (a instanceof dt.Tensor) {
    assert.ok(b instanceof dt.Tensor, `${where}: tensor expected`);
    assert.equal(b.dtype, a.dtype, where);
    assert.deepEqual(b.shape, a.shape, where);
    assert.deepEqual(b.toArray(), a.toArray(), where);
    return;
  }
  if (a instanceof Map) {
    assert.ok(b instanceof Map, `${where}: Map expected`);
    assert.deepEqual([...b.keys()], [...a.keys()], where);
    for (const [k, v] of a) same(v, b.get(k), `${where}.${String(k)}`);
    return;
  }
  if (a !== null && typeof a === "object") {
    assert.equal(Array.isArray(b), Array.isArray(a), where);
    assert.deepEqual(Object.keys(b as object), Object.keys(a), where);
    for (const k of Object.keys(a)) same((a as any)[k], (b as any)[k], `${where}.${k}`);
    return;
  }
  assert.ok(Object.is(a, b), `${where}: ${String(b)} !== ${String(a)}`);
}

test("saveCheckpoint / loadCheckpoint restore model, optimizer, scheduler, epoch and extras", async () => {
  const model = new TinyModel();
  const opt = new FakeAdam();
  const scheduler = { stateDict: () => ({ best: Infinity, lastEpoch: 7, cooldownCounter: 0, mode: "min", numBadEpochs: NaN, lastLr: [1e-3], negZero: -0, missing: undefined }) };
  const extra = { history: [0.9, 0.5, 0.25], config: { hidden: 16, name: "mlp" }, bestWeights: dt.tensor([1, 2, 3]), lookup: new Map([["a", 1], ["b", 2]]) };
  const file = path.join(tmp, "ck.safetensors");
  await dt.io.saveCheckpoint(file, { model, optimizer: opt, scheduler, epoch: 5, ...extra });

  // it is a plain safetensors file: model.<name> tensors, optimizer tensors, metadata
  const flat = dt.io.loadSync(file);
  assert.ok(["model.weight", "model.bias", "model.bn.num_batches_tracked", "optimizer.state.0.expAvg", "optimizer.state.1.expAvgSq"].every((k) => k in flat), Object.keys(flat).join(" "));
  assert.equal(dt.io.loadMetadata(file)?.format, "deeptype.checkpoint");

  for (const ck of [await dt.io.loadCheckpoint(file), dt.io.loadCheckpointSync(file)]) {
    same(model.stateDict(), ck.model, "model");
    same(opt.stateDict(), ck.optimizer, "optimizer");
    same(scheduler.stateDict(), ck.scheduler, "scheduler");
    assert.ok("missing" in ck.scheduler && ck.scheduler.missing === undefined);
    assert.equal(ck.epoch, 5);
    same(extra.history, ck.history);
    same(extra.config, ck.config);
    same(extra.bestWeights, ck.bestWeights);
    same(extra.lookup, ck.lookup);
    const fresh = new TinyModel();
    fresh.weight = dt.zeros([2, 2]);
    fresh.loadStateDict(ck.model);
    same(model.weight, fresh.weight);
  }
  // a model given as a Map state dict, and a sync save
  dt.io.saveCheckpointSync(file, { model: new Map([["w", dt.ones([1])]]), epoch: 0 });
  assert.deepEqual(Object.keys(dt.io.loadCheckpointSync(file).model), ["w"]);
});

test("loadCheckpoint refuses plain tensor files and unstorable values clearly", async () => {
  const file = path.join(tmp, "plain.safetensors");
  dt.io.saveSync({ w: dt.ones([2]) }, file);
  await assert.rejects(dt.io.loadCheckpoint(file), /plain\.safetensors is a safetensors file but not a deeptype checkpoint/);
  assert.throws(() => dt.io.checkpointBytes({ epoch: 1, fn: () => 1 }), /cannot store fn \(a function\)/);
  assert.throws(() => dt.io.checkpointBytes({ when: new Date() }), /cannot store when \(an instance of Date\)/);
  // a truncated checkpoint is a truncated safetensors file
  const good = dt.io.checkpointBytes({ model: { w: dt.ones([4]) }, epoch: 2 });
  const bad = path.join(tmp, "bad.safetensors");
  fs.writeFileSync(bad, good.subarray(0, good.length - 4));
  await assert.rejects(dt.io.loadCheckpoint(bad), /bad\.safetensors: .*truncated/);
});
