// Whole-model interop with PyTorch 1.13 (fixtures from scripts/fixtures/models.py): four real models,
// written in torch as a user writes them and briefly trained there on real data, are rebuilt here with
// dt.nn as a user ports them, load the torch state_dict by name (strict), and must
//   (a) give torch's eval-mode outputs on the saved inputs, and
//   (b) reproduce K training steps from those weights: the loss at each step, the learning rate the
//       scheduler gave, and every parameter and buffer after the last step (BatchNorm running stats too),
//       also when training stops after 2 steps and resumes from io.saveCheckpoint / io.loadCheckpoint.
// Covered on the way: nn.Sequential naming, strict loading, BatchNorm2d train/eval, Embedding paddingIdx,
// bidirectional 2-layer LSTM hN order, a pre-norm GELU TransformerEncoder with a float causal mask, tied
// weights, param groups, SGD momentum/nesterov/weight decay, Adam, AdamW, StepLR, LinearLR,
// clipGradNorm_ (its returned norm too), gradient accumulation, and greedy generation from the GPT.
// The inputs come from the real data sets; where the data are on this machine, deeptype's own loaders
// (dt.data.datasets.digits / mnist) must yield exactly the fixture's inputs.

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as dt from "../src/index.js";
import type { Tensor } from "../src/index.js";

const { nn, optim } = dt;
const DIR = fileURLToPath(new URL("./fixtures/models/", import.meta.url));
const MNIST = "/work/shared/datasets/mnist";
const SHAKESPEARE = "/work/shared/datasets/tinyshakespeare/input.txt";
const meta = JSON.parse(readFileSync(DIR + "meta.json", "utf8"));

// ---------------------------------------------------------------------------------------------
// The models, ported line by line from scripts/fixtures/models.py

class MLP extends nn.Module {
  net: dt.nn.Sequential;
  constructor(p = 0.2) {
    super();
    this.net = new nn.Sequential(
      new nn.Linear(64, 32), new nn.ReLU(), new nn.Dropout(p),
      new nn.Linear(32, 32), new nn.ReLU(), new nn.Dropout(p),
      new nn.Linear(32, 10),
    );
  }
  override forward(x: Tensor): Tensor {
    return this.net.call(x);
  }
}

class LeNet extends nn.Module {
  features = new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.BatchNorm2d(6), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5), new nn.BatchNorm2d(16), new nn.ReLU(), new nn.MaxPool2d(2),
  );
  flatten = new nn.Flatten();
  fc1 = new nn.Linear(16 * 5 * 5, 32);
  fc2 = new nn.Linear(32, 10);
  override forward(x: Tensor): Tensor {
    x = this.flatten.call(this.features.call(x));
    return this.fc2.call(dt.relu(this.fc1.call(x)));
  }
}

class SpeakerLSTM extends nn.Module {
  embed: dt.nn.Embedding;
  lstm: dt.nn.LSTM;
  head: dt.nn.Linear;
  constructor(vocab: number, classes: number, dim = 16, hidden = 32) {
    super();
    this.embed = new nn.Embedding(vocab, dim, { paddingIdx: 0 });
    this.lstm = new nn.LSTM(dim, hidden, { numLayers: 2, bidirectional: true, batchFirst: true });
    this.head = new nn.Linear(2 * hidden, classes);
  }
  override forward(tokens: Tensor): Tensor {
    const [, [h]] = this.lstm.call(this.embed.call(tokens));
    // torch: cat([h[-2], h[-1]], 1), the last layer's both directions (deeptype has no h[i] / select yet)
    return this.head.call(dt.cat([h.narrow(0, -2, 1).squeeze(0), h.narrow(0, -1, 1).squeeze(0)], 1));
  }
}

class TinyGPT extends nn.Module {
  tokEmb: dt.nn.Embedding;
  posEmb: dt.nn.Embedding;
  blocks: dt.nn.TransformerEncoder;
  lnF: dt.nn.LayerNorm;
  head: dt.nn.Linear;
  constructor(vocab: number, { block = 16, d = 32, heads = 4, layers = 2, dropout = 0.1 } = {}) {
    super();
    this.tokEmb = new nn.Embedding(vocab, d);
    this.posEmb = new nn.Embedding(block, d);
    const layer = new nn.TransformerEncoderLayer(d, heads, { dimFeedforward: 4 * d, dropout, activation: "gelu", batchFirst: true, normFirst: true });
    this.blocks = new nn.TransformerEncoder(layer, layers);
    this.lnF = new nn.LayerNorm(d);
    this.head = new nn.Linear(d, vocab);
    this.tokEmb.weight = this.head.weight; // weight tying, as nanoGPT
  }
  override forward(idx: Tensor): Tensor {
    const T = idx.shape[1];
    const x = this.tokEmb.call(idx).add(this.posEmb.call(dt.arange(T)));
    const mask = dt.triu(dt.full([T, T], -Infinity), 1);
    return this.head.call(this.lnF.call(this.blocks.call(x, { mask })));
  }
}

/** torch's names are snake_case (tok_emb, ln_f): a user porting the file renames the keys once. */
const snake = (k: string) => k.replace(/^tok_emb\./, "tokEmb.").replace(/^pos_emb\./, "posEmb.").replace(/^ln_f\./, "lnF.");

// ---------------------------------------------------------------------------------------------

type Model = InstanceType<typeof nn.Module>;
type Sched = { step(): void; stateDict(): unknown; loadStateDict(s: any): void } | null;

interface Spec {
  /** The model for the eval check (dropout as saved) and for training (dropout off). */
  make: (training: boolean) => Model;
  makeOpt: (m: Model) => [InstanceType<typeof optim.Optimizer>, Sched];
  lossOf: (out: Tensor, y: Tensor) => Tensor;
  clip?: number;
  rename?: (k: string) => string;
}

const ce = new nn.CrossEntropyLoss();
const lmLoss = (logits: Tensor, y: Tensor) => ce.call(logits.reshape(-1, logits.shape[logits.ndim - 1]), y.reshape(-1));

const SPECS: Record<string, Spec> = {
  mlp: {
    make: (training) => new MLP(training ? 0 : 0.2),
    makeOpt: (m) => {
      const opt = new optim.SGD(m.parameters(), { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 1e-4 });
      return [opt, new optim.lrScheduler.StepLR(opt, 2, { gamma: 0.5 })];
    },
    lossOf: (o, y) => ce.call(o, y),
  },
  cnn: {
    make: () => new LeNet(),
    makeOpt: (m) => [new optim.SGD(m.parameters(), { lr: 0.01, momentum: 0.9, weightDecay: 5e-4 }), null],
    lossOf: (o, y) => ce.call(o, y),
  },
  lstm: {
    make: () => new SpeakerLSTM(meta.lstm.vocab.length, meta.lstm.speakers.length),
    makeOpt: (m) => [new optim.Adam(m.parameters(), { lr: 5e-3 }), null],
    lossOf: (o, y) => ce.call(o, y),
    clip: 1.0,
  },
  gpt: {
    make: (training) => new TinyGPT(meta.gpt.chars.length, { dropout: training ? 0 : 0.1 }),
    makeOpt: (m) => {
      const decay = m.parameters().filter((p) => p.ndim >= 2);
      const noDecay = m.parameters().filter((p) => p.ndim < 2);
      const opt = new optim.AdamW([{ params: decay, weightDecay: 0.1 }, { params: noDecay, weightDecay: 0 }], { lr: 3e-3, betas: [0.9, 0.95] });
      return [opt, new optim.lrScheduler.LinearLR(opt, { startFactor: 0.25, totalIters: 3 })];
    },
    lossOf: lmLoss,
    rename: snake,
  },
};

/** max |a - b| / max(max |b|, 1e-3): the error relative to the tensor's scale. */
function relErr(what: string, a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape, `${what}: shape ${JSON.stringify(a.shape)} vs torch ${JSON.stringify(b.shape)}`);
  const x = a.dataSync(), y = b.dataSync();
  let d = 0, s = 1e-3;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(x[i] - y[i]);
    d = Number.isNaN(e) ? Infinity : Math.max(d, e);
    s = Math.max(s, Math.abs(y[i]));
  }
  return d / s;
}

function load(name: string, rename = (k: string) => k): Record<string, Tensor> {
  const sd = dt.io.loadSync(`${DIR}${name}.safetensors`);
  return Object.fromEntries(Object.entries(sd).map(([k, v]) => [rename(k), v]));
}

describe("real PyTorch models, end to end", () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    const info = meta[name];
    const rename = spec.rename ?? ((k: string) => k);
    const io = dt.io.loadSync(`${DIR}${name}.io.safetensors`);

    test(`${name}: torch state_dict loads by name, eval outputs match`, (t) => {
      dt.manualSeed(0);
      const m = spec.make(false);
      assert.deepEqual(Object.keys(m.stateDict()), info.keys.map(rename), `${name}: stateDict keys in torch's order`);
      m.loadStateDict(load(name, rename)); // strict
      m.eval();
      const out = dt.noGrad(() => m.call(io["eval.x"]) as Tensor);
      const err = relErr(`${name} eval output`, out, io["eval.out"]);
      t.diagnostic(`eval output: max rel err ${err.toExponential(2)}`);
      assert.ok(err < 1e-4, `${name}: eval outputs differ from torch's by ${err} (relative)`);
      // same predictions as torch
      assert.deepEqual(out.argmax(-1).toArray(), io["eval.out"].argmax(-1).toArray());
    });

    /** Steps [from, to) of the torch run, checking lr and loss; returns the relative loss errors. */
    function steps(m: Model, opt: InstanceType<typeof optim.Optimizer>, sched: Sched, from: number, to: number): number[] {
      const errs: number[] = [];
      for (let k = from; k < to; k++) {
        let x = io[`train.x.${k}`];
        if (x.dtype === "float32") x = x.to(info.dtype);
        const lr = opt.paramGroups[0].lr as number;
        assert.ok(Math.abs(lr - io["train.lr"].dataSync()[k]) <= 1e-12, `${name} step ${k}: lr ${lr}, torch ${io["train.lr"].dataSync()[k]}`);
        opt.zeroGrad();
        let total = 0;
        const y = io[`train.y.${k}`];
        const [xs, ys] = [x.chunk(info.accum), y.chunk(info.accum)];
        xs.forEach((xi, i) => {
          // gradient accumulation over micro-batches (mlp); one micro-batch elsewhere
          const loss = spec.lossOf(m.call(xi) as Tensor, ys[i]).div(info.accum);
          loss.backward();
          total += loss.item();
        });
        if (spec.clip !== undefined) {
          const norm = nn.utils.clipGradNorm_(m.parameters(), spec.clip).item();
          const ref = io["train.gradnorm"].dataSync()[k];
          assert.ok(Math.abs(norm - ref) <= 1e-9 * ref, `${name} step ${k}: clipGradNorm_ returned ${norm}, torch ${ref}`);
        }
        opt.step();
        sched?.step();
        const ref = io["train.loss"].dataSync()[k];
        errs.push(Math.abs(total - ref) / Math.abs(ref));
      }
      return errs;
    }
    const tol = info.dtype === "float64" ? 1e-9 : 1e-4;
    /** The worst relative error of the state dict against torch's after the K steps. */
    function finalErr(m: Model): [number, string] {
      const sd = m.stateDict();
      let worst = 0, worstKey = "";
      for (const [k, ref] of Object.entries(io)) {
        if (!k.startsWith("final.")) continue;
        const key = rename(k.slice(6));
        assert.ok(key in sd, `${name}: ${key} missing from the state dict`);
        assert.equal(sd[key].dtype, ref.dtype, `${name} ${key}: dtype`);
        const e = relErr(`${name} ${key} after training`, sd[key], ref);
        if (e > worst) [worst, worstKey] = [e, key];
      }
      return [worst, worstKey];
    }
    function fresh(): [Model, InstanceType<typeof optim.Optimizer>, Sched] {
      dt.manualSeed(0);
      const m = spec.make(true);
      m.loadStateDict(load(name, rename));
      m.to(info.dtype);
      m.train();
      return [m, ...spec.makeOpt(m)];
    }

    test(`${name}: ${info.K} training steps match torch (${info.dtype})`, (t) => {
      const [m, opt, sched] = fresh();
      const lossErr = steps(m, opt, sched, 0, info.K);
      t.diagnostic(`losses: max rel err ${Math.max(...lossErr).toExponential(2)}`);
      lossErr.forEach((e, k) => assert.ok(e < tol, `${name} step ${k}: loss differs from torch's by ${e} (relative)`));
      const [worst, worstKey] = finalErr(m);
      t.diagnostic(`final state: max rel err ${worst.toExponential(2)} (${worstKey || "-"})`);
      assert.ok(worst < tol, `${name}: ${worstKey} after ${info.K} steps differs from torch's by ${worst} (relative)`);
    });

    test(`${name}: training resumed from io.saveCheckpoint after 2 steps ends where torch does`, async (t) => {
      const [m, opt, sched] = fresh();
      steps(m, opt, sched, 0, 2);
      const dir = mkdtempSync(join(tmpdir(), "deeptype-models-"));
      try {
        const file = join(dir, `${name}.ckpt.safetensors`);
        await dt.io.saveCheckpoint(file, { model: m, optimizer: opt, scheduler: sched ? sched.stateDict() : null, epoch: 2 });
        // a new process would start here: build everything again, then load the checkpoint
        dt.manualSeed(123);
        const m2 = spec.make(true).to(info.dtype);
        m2.train();
        const [opt2, sched2] = spec.makeOpt(m2);
        const ck = await dt.io.loadCheckpoint(file);
        m2.loadStateDict(ck.model);
        opt2.loadStateDict(ck.optimizer);
        if (sched2) sched2.loadStateDict(ck.scheduler);
        assert.equal(ck.epoch, 2);
        const lossErr = steps(m2, opt2, sched2, 2, info.K);
        lossErr.forEach((e, k) => assert.ok(e < tol, `${name} step ${k + 2} after resuming: loss differs from torch's by ${e} (relative)`));
        const [worst, worstKey] = finalErr(m2);
        t.diagnostic(`final state after resuming: max rel err ${worst.toExponential(2)} (${worstKey || "-"})`);
        assert.ok(worst < tol, `${name}: ${worstKey} after resuming differs from torch's by ${worst} (relative)`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

test("gpt: greedy generation from a prompt gives torch's text", () => {
  const chars: string = meta.gpt.chars;
  dt.manualSeed(0);
  const m = new TinyGPT(chars.length);
  m.loadStateDict(load("gpt", snake));
  m.eval();
  assert.equal(m.tokEmb.weight, m.head.weight, "tied weights stay one parameter after loading");
  const ids = [...meta.gpt.prompt as string].map((c) => chars.indexOf(c));
  dt.noGrad(() => {
    while (ids.length < meta.gpt.generated.length) {
      const ctx = dt.tensor([ids.slice(-16)], { dtype: "int32" });
      const logits = m.call(ctx);
      ids.push(logits.narrow(1, -1, 1).argmax(-1).item());
    }
  });
  assert.equal(ids.map((i) => chars[i]).join(""), meta.gpt.generated);
});

describe("the fixture inputs are the real data, as deeptype reads them", () => {
  test("mlp: digits via dt.data.datasets.digits()", () => {
    const ds = dt.data.datasets.digits();
    const io = dt.io.loadSync(`${DIR}mlp.io.safetensors`);
    const [a, b] = meta.mlp.eval;
    assert.deepEqual(Array.from(ds.data.slice(0, a, b).div(16).dataSync()), Array.from(io["eval.x"].dataSync()));
    assert.deepEqual(ds.targets.slice(0, a, b).toArray(), meta.mlp.evalTargets);
    // the training batches, as a DataLoader over a Subset yields them
    const [s0] = meta.mlp.train[0];
    const sub = new dt.data.Subset(ds, Array.from({ length: 16 * meta.mlp.K }, (_, i) => s0 + i));
    let k = 0;
    for (const [x, y] of new dt.data.DataLoader(sub, { batchSize: 16 }) as Iterable<[Tensor, Tensor]>) {
      assert.deepEqual(Array.from(x.div(16).dataSync()), Array.from(io[`train.x.${k}`].dataSync()));
      assert.deepEqual(y.toArray(), io[`train.y.${k}`].toArray());
      k++;
    }
    assert.equal(k, meta.mlp.K);
  });

  test("cnn: MNIST t10k via dt.data.datasets.mnistSync()", { skip: !existsSync(MNIST) && "no MNIST files here" }, () => {
    const ds = dt.data.datasets.mnistSync({ root: MNIST, train: false });
    const io = dt.io.loadSync(`${DIR}cnn.io.safetensors`);
    const [a, b] = meta.cnn.eval;
    assert.deepEqual(Array.from(ds.data.slice(0, a, b).dataSync()), Array.from(io["eval.x"].dataSync()));
    assert.deepEqual(ds.targets.slice(0, a, b).toArray(), meta.cnn.evalTargets);
    meta.cnn.train.forEach(([s, e]: number[], k: number) => {
      assert.deepEqual(Array.from(ds.data.slice(0, s, e).dataSync()), Array.from(io[`train.x.${k}`].dataSync()));
      assert.deepEqual(ds.targets.slice(0, s, e).toArray(), io[`train.y.${k}`].toArray());
    });
  });

  test("gpt: character windows of tinyshakespeare", { skip: !existsSync(SHAKESPEARE) && "no tinyshakespeare here" }, () => {
    const text = readFileSync(SHAKESPEARE, "utf8");
    const chars: string = meta.gpt.chars;
    const io = dt.io.loadSync(`${DIR}gpt.io.safetensors`);
    const decode = (row: number[]) => row.map((i) => chars[i]).join("");
    const rows = io["eval.x"].toArray() as number[][];
    meta.gpt.evalStarts.forEach((s: number, i: number) => assert.equal(decode(rows[i]), text.slice(s, s + rows[i].length)));
    meta.gpt.trainStarts.forEach((starts: number[], k: number) => {
      const x = io[`train.x.${k}`].toArray() as number[][], y = io[`train.y.${k}`].toArray() as number[][];
      starts.forEach((s, i) => {
        assert.equal(decode(x[i]), text.slice(s, s + 16));
        assert.equal(decode(y[i]), text.slice(s + 1, s + 17));
      });
    });
  });

  test("lstm: word ids of the speakers' lines", () => {
    const vocab: string[] = meta.lstm.vocab;
    const io = dt.io.loadSync(`${DIR}lstm.io.safetensors`);
    const rows = io["eval.x"].toArray() as number[][];
    meta.lstm.evalLines.forEach((line: string, i: number) => {
      const ids = (line.toLowerCase().match(/[a-z']+/g) ?? []).map((w) => Math.max(vocab.indexOf(w), 1)).slice(0, 16);
      assert.deepEqual(rows[i], [...new Array(16 - ids.length).fill(0), ...ids]);
    });
    assert.deepEqual(io["eval.out"].shape, [rows.length, meta.lstm.speakers.length]);
  });
});
