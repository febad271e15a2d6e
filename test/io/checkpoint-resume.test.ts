// End to end: a real model, optimizer and scheduler resumed from io.saveCheckpoint continue exactly
// as the uninterrupted run (the same parameters bit for bit after further steps).

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as dt from "../../src/index.js";

const { nn, optim } = dt;

function setup() {
  const model = new nn.Sequential(new nn.Linear(4, 8), new nn.BatchNorm1d(8), new nn.ReLU(), new nn.Linear(8, 3));
  const opt = new optim.Adam(model.parameters(), { lr: 0.01, amsgrad: true });
  const sched = new optim.lrScheduler.StepLR(opt, 2, { gamma: 0.5 });
  return { model, opt, sched };
}

function step(s: ReturnType<typeof setup>, i: number) {
  dt.manualSeed(100 + i);
  const x = dt.randn([16, 4]);
  const y = dt.randint(0, 3, [16]);
  s.opt.zeroGrad();
  const loss = nn.functional.crossEntropy(s.model.call(x), y);
  loss.backward();
  s.opt.step();
  s.sched.step();
}

test("resume from a checkpoint: model (with BatchNorm buffers), Adam (amsgrad) and StepLR continue exactly", async () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "deeptype-resume-")), "ck.safetensors");
  dt.manualSeed(0);
  const a = setup();
  for (let i = 0; i < 3; i++) step(a, i);
  await dt.io.saveCheckpoint(file, { model: a.model, optimizer: a.opt, scheduler: a.sched, epoch: 3, note: "mid-run" });
  for (let i = 3; i < 6; i++) step(a, i);

  dt.manualSeed(1); // a different initialisation, overwritten by the checkpoint
  const b = setup();
  const ck = await dt.io.loadCheckpoint(file);
  assert.equal(ck.epoch, 3);
  assert.equal(ck.note, "mid-run");
  b.model.loadStateDict(ck.model);
  b.opt.loadStateDict(ck.optimizer);
  b.sched.loadStateDict(ck.scheduler);
  for (let i = 3; i < 6; i++) step(b, i);

  const sa = a.model.stateDict() as Record<string, dt.Tensor>, sb = b.model.stateDict() as Record<string, dt.Tensor>;
  for (const k of Object.keys(sa)) assert.deepEqual(sb[k].toArray(), sa[k].toArray(), k);
  assert.deepEqual(b.sched.getLastLr(), a.sched.getLastLr());
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});
