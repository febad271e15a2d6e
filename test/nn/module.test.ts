// nn.Module machinery (registration, names, containers, modes, state dicts), nn.init and nn.utils.

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dt from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const { nn } = dt;

class Block extends nn.Module {
  declare fc: InstanceType<typeof nn.Linear>;
  declare scale: InstanceType<typeof nn.Parameter>;
  declare bn: InstanceType<typeof nn.BatchNorm1d>;
  constructor() {
    super();
    this.fc = new nn.Linear(3, 4);
    this.scale = new nn.Parameter(dt.ones([4]));
    this.bn = new nn.BatchNorm1d(4);
    this.registerBuffer("steps", dt.zeros([1]));
    this.registerBuffer("cache", dt.zeros([2]), false);
  }
  override forward(x: Tensor): Tensor {
    return this.bn.call(this.fc.call(x)).mul(this.scale);
  }
}

class Net extends nn.Module {
  declare blocks: InstanceType<typeof nn.ModuleList>;
  declare head: InstanceType<typeof nn.Linear>;
  declare plain: Tensor;
  constructor() {
    super();
    this.blocks = new nn.ModuleList([new Block(), new Block()]);
    this.head = new nn.Linear(4, 2);
    this.plain = dt.zeros([3]); // neither a Parameter nor a buffer: not state
  }
  override forward(x: Tensor): Tensor {
    let h = x;
    for (const b of this.blocks) h = (b as Block).call(h.narrow(-1, 0, 3));
    return this.head.call(h);
  }
}

describe("Module registration and names", () => {
  test("fields register in assignment order with dotted names", () => {
    const n = new Net();
    assert.deepEqual(
      n.namedParameters().map(([k]) => k),
      [
        "blocks.0.scale", "blocks.0.fc.weight", "blocks.0.fc.bias", "blocks.0.bn.weight", "blocks.0.bn.bias",
        "blocks.1.scale", "blocks.1.fc.weight", "blocks.1.fc.bias", "blocks.1.bn.weight", "blocks.1.bn.bias",
        "head.weight", "head.bias",
      ],
    );
    assert.deepEqual(Object.keys(n.stateDict()), [
      "blocks.0.scale", "blocks.0.steps", "blocks.0.fc.weight", "blocks.0.fc.bias",
      "blocks.0.bn.weight", "blocks.0.bn.bias", "blocks.0.bn.running_mean", "blocks.0.bn.running_var", "blocks.0.bn.num_batches_tracked",
      "blocks.1.scale", "blocks.1.steps", "blocks.1.fc.weight", "blocks.1.fc.bias",
      "blocks.1.bn.weight", "blocks.1.bn.bias", "blocks.1.bn.running_mean", "blocks.1.bn.running_var", "blocks.1.bn.num_batches_tracked",
      "head.weight", "head.bias",
    ]);
    // non-persistent buffers are buffers but not state
    assert.ok(n.namedBuffers().some(([k]) => k === "blocks.0.cache"));
    assert.equal(n.namedChildren().map(([k]) => k).join(), "blocks,head");
    assert.equal(n.children().length, 2);
    assert.equal(n.modules().length, 1 + 1 + 2 * 3 + 1);
    assert.equal(n.numParameters(), 2 * (12 + 4 + 4 + 4 + 4) + 10);
    assert.equal(n.parameters().length, 12);
    assert.equal(n.buffers().length, 2 * (2 + 3));
    assert.equal(n.stateDict()["blocks.0.bn.num_batches_tracked"].dtype, "int32");
  });

  test("class-field style models register too, and shared parameters count once", () => {
    class Tied extends nn.Module {
      emb = new nn.Embedding(5, 3);
      out = new nn.Linear(3, 5, { bias: false });
      constructor() {
        super();
        this.out.weight = this.emb.weight;
      }
      override forward(i: Tensor): Tensor {
        return this.out.call(this.emb.call(i));
      }
    }
    const t = new Tied();
    assert.deepEqual(t.namedParameters().map(([k]) => k), ["emb.weight"]);
    assert.deepEqual(Object.keys(t.stateDict()), ["emb.weight", "out.weight"]); // state dicts list both, as torch
    assert.deepEqual(t.call(dt.tensor([1, 2], { dtype: "int32" })).shape, [2, 5]);
  });

  test("Parameter wraps a tensor, shares storage and requires grad", () => {
    const t = dt.randn([2, 2]);
    const p = new nn.Parameter(t);
    assert.ok(p instanceof dt.Tensor && p.requiresGrad && p.isLeaf);
    assert.equal(p.storage, t.storage);
    assert.equal(new nn.Parameter(t, false).requiresGrad, false);
    assert.throws(() => new nn.Parameter(dt.tensor([1, 2], { dtype: "int32" })), /floating point/);
  });

  test("train / eval reach every module; apply visits children first", () => {
    const n = new Net();
    n.eval();
    assert.ok(n.modules().every((m) => !m.training));
    n.train();
    assert.ok(n.modules().every((m) => m.training));
    const seen: string[] = [];
    n.head.apply((m) => seen.push(m.constructor.name));
    assert.deepEqual(seen, ["Linear"]);
    let linears = 0;
    n.apply((m) => {
      if (m instanceof nn.Linear) {
        nn.init.zeros_(m.weight);
        linears++;
      }
    });
    assert.equal(linears, 3);
    assert.equal(n.head.weight.abs().sum().item(), 0);
  });

  test("zeroGrad sets grads to null; to(dtype) casts in place keeping the objects", () => {
    const n = new Net();
    n.call(dt.randn([5, 3])).sum().backward();
    assert.ok(n.parameters().every((p) => p.grad !== null));
    n.zeroGrad();
    assert.ok(n.parameters().every((p) => p.grad === null));
    const w = n.head.weight;
    n.to("float64");
    assert.equal(n.head.weight, w);
    assert.equal(w.dtype, "float64");
    assert.equal(n.stateDict()["blocks.0.bn.num_batches_tracked"].dtype, "int32"); // ints stay
    const y = n.call(dt.randn([5, 3], { dtype: "float64" }));
    assert.equal(y.dtype, "float64");
    y.sum().backward();
    assert.equal(w.grad!.dtype, "float64");
  });

  test("requiresGrad_ freezes parameters", () => {
    const l = new nn.Linear(2, 2).requiresGrad_(false);
    assert.ok(l.parameters().every((p) => !p.requiresGrad));
    assert.equal(l.numParameters({ trainableOnly: true }), 0);
  });
});

describe("containers", () => {
  test("Sequential chains, indexes, and takes named modules", () => {
    const s = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 1));
    assert.equal(s.length, 3);
    assert.ok(s.get(-1) instanceof nn.Linear);
    assert.ok(s[1] instanceof nn.ReLU);
    assert.deepEqual(s.call(dt.randn([2, 3])).shape, [2, 1]);
    assert.deepEqual(Object.keys(s.stateDict()), ["0.weight", "0.bias", "2.weight", "2.bias"]);
    s.append(new nn.Sigmoid());
    assert.equal([...s].length, 4);
    const named = new nn.Sequential({ fc: new nn.Linear(3, 2), act: new nn.Tanh() });
    assert.deepEqual(Object.keys(named.stateDict()), ["fc.weight", "fc.bias"]);
    assert.deepEqual(named.call(dt.randn([1, 3])).shape, [1, 2]);
  });

  test("ModuleList: append, insert, extend, negative get, iteration", () => {
    const l = new nn.ModuleList<InstanceType<typeof nn.Linear>>();
    l.append(new nn.Linear(1, 1)).append(new nn.Linear(1, 2));
    l.insert(0, new nn.Linear(1, 3));
    l.extend([new nn.Linear(1, 4)]);
    assert.deepEqual([...l].map((m) => m.outFeatures), [3, 1, 2, 4]);
    assert.equal(l.get(-1).outFeatures, 4);
    assert.deepEqual(Object.keys(l.stateDict()).slice(0, 2), ["0.weight", "0.bias"]);
    assert.throws(() => l.get(9), /out of range/);
    assert.throws(() => l.call(), /no forward/);
  });

  test("ModuleDict keeps names apart from methods", () => {
    const d = new nn.ModuleDict({ train: new nn.Linear(2, 2), b: new nn.Linear(2, 1) });
    assert.equal(typeof d.train, "function");
    assert.deepEqual(Object.keys(d.stateDict()), ["train.weight", "train.bias", "b.weight", "b.bias"]);
    assert.deepEqual(d.keys(), ["train", "b"]);
    assert.ok(d.get("b") instanceof nn.Linear);
    d.pop("train");
    assert.equal(d.size, 1);
  });

  test("ParameterList and ParameterDict register their parameters; getSubmodule walks paths", () => {
    class M extends nn.Module {
      declare ps: InstanceType<typeof nn.ParameterList>;
      declare pd: InstanceType<typeof nn.ParameterDict>;
      constructor() {
        super();
        this.ps = new nn.ParameterList([dt.zeros([2]), new nn.Parameter(dt.ones([3]))]);
        this.pd = new nn.ParameterDict({ apply: dt.zeros([1]) });
      }
    }
    const m = new M();
    assert.deepEqual(m.namedParameters().map(([k]) => k), ["ps.0", "ps.1", "pd.apply"]);
    assert.ok(m.ps.get(0) instanceof nn.Parameter && m.ps[1].shape[0] === 3);
    assert.equal(typeof m.pd.apply, "function");
    assert.equal(m.pd.get("apply")!.requiresGrad, true);
    const enc = new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 4 }), 2);
    assert.ok(enc.getSubmodule("layers.1.self_attn") instanceof nn.MultiheadAttention);
    assert.throws(() => enc.getSubmodule("layers.5"), /no submodule '5'/);
  });
});

describe("stateDict / loadStateDict", () => {
  test("round trip through safetensors files, from a record or a Map", () => {
    dt.manualSeed(1);
    const a = new Net();
    a.call(dt.randn([4, 3])); // moves running stats
    const dir = mkdtempSync(join(tmpdir(), "dt-nn-"));
    try {
      dt.io.saveSync(a.stateDict(), join(dir, "m.safetensors"));
      const b = new Net();
      const r = b.loadStateDict(dt.io.loadSync(join(dir, "m.safetensors")));
      assert.deepEqual(r, { missingKeys: [], unexpectedKeys: [] });
      for (const [k, t] of Object.entries(a.stateDict())) assert.deepEqual(b.stateDict()[k].toArray(), t.toArray(), k);
      const c = new Net();
      c.loadStateDict(new Map(Object.entries(a.stateDict())));
      assert.deepEqual(c.head.weight.toArray(), a.head.weight.toArray());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("loading copies into the same tensors (optimiser references stay valid)", () => {
    const a = new nn.Linear(2, 2), b = new nn.Linear(2, 2);
    const w = b.weight;
    b.loadStateDict(a.stateDict());
    assert.equal(b.weight, w);
    assert.deepEqual(w.toArray(), a.weight.toArray());
  });

  test("strict errors list missing, unexpected and mis-shaped keys", () => {
    const m = new nn.Sequential(new nn.Linear(2, 3), new nn.Linear(3, 1));
    const sd = m.stateDict();
    const { ["1.bias"]: _drop, ...missing } = sd;
    assert.throws(() => m.loadStateDict(missing), /missing keys: 1\.bias/);
    assert.throws(() => m.loadStateDict({ ...sd, extra: dt.zeros([1]) }), /unexpected keys: extra/);
    assert.throws(() => m.loadStateDict({ ...sd, "0.weight": dt.zeros([3, 3]) }), /0\.weight: expected \[3, ?2\], got \[3, ?3\]/);
    // non-strict: reports and loads what matches, but shapes still must match
    const r = m.loadStateDict({ ...missing, extra: dt.zeros([1]) }, { strict: false });
    assert.deepEqual(r, { missingKeys: ["1.bias"], unexpectedKeys: ["extra"] });
    assert.throws(() => m.loadStateDict({ "0.weight": dt.zeros([1]) }, { strict: false }), /shape mismatch/);
    assert.throws(() => m.loadStateDict({ ...sd, "0.bias": [1, 2, 3] as unknown as Tensor }), /not a Tensor/);
  });

  test("BatchNorm's num_batches_tracked may be present or absent", () => {
    const bn = new nn.BatchNorm1d(3);
    const sd = bn.stateDict();
    const { num_batches_tracked: nbt, ...without } = sd;
    assert.equal(nbt.dtype, "int32");
    assert.deepEqual(bn.loadStateDict(without).missingKeys, ["num_batches_tracked"]);
    bn.loadStateDict({ ...sd, num_batches_tracked: dt.tensor(5, { dtype: "int32" }) });
    assert.equal(bn.numBatchesTracked!.item(), 5);
    // a float tensor from elsewhere is cast to the buffer's dtype
    bn.loadStateDict({ ...sd, running_mean: dt.tensor([1, 2, 3], { dtype: "float64" }) });
    assert.equal(bn.runningMean!.dtype, "float32");
    assert.deepEqual(bn.runningMean!.toArray(), [1, 2, 3]);
  });

  test("cloneModule copies deeply (TransformerEncoder layers are independent)", () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 8 });
    const enc = new nn.TransformerEncoder(layer, 2);
    const [l0, l1] = [...enc.layers];
    assert.notEqual(l0, layer);
    assert.notEqual((l0 as any).linear1.weight, (l1 as any).linear1.weight);
    assert.deepEqual((l0 as any).linear1.weight.toArray(), layer.linear1.weight.toArray());
    nn.init.zeros_((l0 as any).linear1.weight);
    assert.notEqual(layer.linear1.weight.abs().sum().item(), 0);
  });
});

describe("layer behaviour beyond the fixtures", () => {
  test("Dropout: identity in eval, zeroes about p in training with 1/(1-p) scaling", () => {
    const d = new nn.Dropout(0.25);
    const x = dt.ones([10000]);
    const y = d.call(x).dataSync();
    const zeros = y.filter((v) => v === 0).length;
    assert.ok(Math.abs(zeros / 10000 - 0.25) < 0.03, `${zeros}`);
    assert.ok(y.every((v) => v === 0 || Math.abs(v - 4 / 3) < 1e-6));
    d.eval();
    assert.equal(d.call(x), x);
    assert.equal(new nn.Dropout({ p: 0.1 }).p, 0.1);
    assert.equal(new nn.Dropout().p, 0.5);
  });

  test("convention 5: first option positional or in an object", () => {
    assert.equal(new nn.LeakyReLU(0.2).negativeSlope, 0.2);
    assert.equal(new nn.LeakyReLU({ negativeSlope: 0.3 }).negativeSlope, 0.3);
    assert.equal(new nn.LogSoftmax(1).dim, 1);
    assert.equal(new nn.Softmax({ dim: 0 }).dim, 0);
    assert.equal(new nn.ELU(0.5).alpha, 0.5);
    assert.equal(new nn.Softplus(2).beta, 2);
    assert.equal(new nn.GELU({ approximate: "tanh" }).approximate, "tanh");
    assert.equal(new nn.Flatten(0).startDim, 0);
    assert.equal(new nn.CrossEntropyLoss(dt.ones([3])).weight!.shape[0], 3);
  });

  test("Embedding's padding row starts at zero and gets no gradient", () => {
    const e = new nn.Embedding(4, 3, { paddingIdx: 0 });
    assert.deepEqual(e.weight.narrow(0, 0, 1).toArray(), [[0, 0, 0]]);
    e.call(dt.tensor([0, 1, 0], { dtype: "int32" })).sum().backward();
    assert.deepEqual(e.weight.grad!.toArray()[0], [0, 0, 0]);
    assert.deepEqual(e.weight.grad!.toArray()[1], [1, 1, 1]);
    const pre = nn.Embedding.fromPretrained(dt.eye(3));
    assert.equal(pre.weight.requiresGrad, false);
  });

  test("BatchNorm: eval uses running statistics; momentum null is a cumulative average", () => {
    const bn = new nn.BatchNorm1d(2, { momentum: null });
    const a = dt.tensor([[1, 2], [3, 6]]), b = dt.tensor([[5, 0], [7, 2]]);
    bn.call(a);
    bn.call(b);
    assert.deepEqual(bn.runningMean!.toArray(), [4, 2.5]); // mean of the batch means [2, 4] and [6, 1]
    bn.eval();
    const y = bn.call(dt.tensor([[4, 2.5]]));
    assert.ok(y.abs().max().item() < 1e-6);
    assert.equal(bn.numBatchesTracked!.item(), 2);
  });

  test("MultiheadAttention: isCausal equals an explicit mask; needWeights false gives null", () => {
    dt.manualSeed(3);
    const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
    const x = dt.randn([2, 4, 8]);
    const mask = dt.triu(dt.ones([4, 4]), 1).gt(0);
    const [a] = mha.call(x, x, x, { attnMask: mask });
    const [b, w] = mha.call(x, x, x, { isCausal: true, needWeights: false });
    assert.ok(a.sub(b).abs().max().item() < 1e-6);
    assert.equal(w, null);
    // unbatched input
    const [u, uw] = mha.call(x.narrow(0, 0, 1).squeeze(0), x.narrow(0, 0, 1).squeeze(0), x.narrow(0, 0, 1).squeeze(0));
    assert.deepEqual(u.shape, [4, 8]);
    assert.deepEqual(uw!.shape, [4, 4]);
  });

  test("recurrent layers check their state shapes and default to zeros", () => {
    const lstm = new nn.LSTM(3, 4, { numLayers: 2 });
    const x = dt.randn([5, 2, 3]);
    const [o1, [h1, c1]] = lstm.call(x);
    const [o2] = lstm.call(x, [dt.zeros([2, 2, 4]), dt.zeros([2, 2, 4])]);
    assert.deepEqual(o1.toArray(), o2.toArray());
    assert.deepEqual(h1.shape, [2, 2, 4]);
    assert.deepEqual(c1.shape, [2, 2, 4]);
    assert.throws(() => lstm.call(x, [dt.zeros([1, 2, 4]), dt.zeros([1, 2, 4])]), /hidden state h0 of shape \[2, ?2, ?4\]/);
    assert.throws(() => new nn.GRU(3, 4).call(dt.randn([5, 2, 2])), /inputSize 3/);
    assert.equal(lstm.allWeights.length, 2);
    // dropout between layers only in training
    const drop = new nn.GRU(3, 4, { numLayers: 2, dropout: 0.5 }).eval();
    assert.deepEqual(drop.call(x)[0].toArray(), drop.call(x)[0].toArray());
  });

  test("loss modules wrap the functions", () => {
    const x = dt.randn([4, 3]), y = dt.randn([4, 3]);
    assert.equal(new nn.MSELoss().call(x, y).item(), dt.nn.functional.mseLoss(x, y).item());
    assert.equal(new nn.MSELoss("sum").call(x, y).item(), dt.nn.functional.mseLoss(x, y, { reduction: "sum" }).item());
    const ce = new nn.CrossEntropyLoss({ weight: dt.ones([3]) });
    assert.deepEqual(Object.keys(ce.stateDict()), ["weight"]);
    assert.deepEqual(Object.keys(new nn.CrossEntropyLoss().stateDict()), []);
  });
});

describe("nn.init", () => {
  test("calculateGain as torch", () => {
    assert.equal(nn.init.calculateGain("linear"), 1);
    assert.equal(nn.init.calculateGain("tanh"), 5 / 3);
    assert.equal(nn.init.calculateGain("relu"), Math.SQRT2);
    assert.ok(Math.abs(nn.init.calculateGain("leaky_relu") - Math.sqrt(2 / (1 + 0.01 ** 2))) < 1e-15);
    assert.ok(Math.abs(nn.init.calculateGain("leaky_relu", Math.sqrt(5)) - Math.sqrt(1 / 3)) < 1e-15);
    assert.equal(nn.init.calculateGain("selu"), 0.75);
  });

  test("bounds and spreads of the uniform and normal initialisers", () => {
    dt.manualSeed(0);
    const w = dt.zeros([200, 100]); // fanIn 100, fanOut 200
    const stats = (t: Tensor) => {
      const v = Array.from(t.dataSync());
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return { min: Math.min(...v), max: Math.max(...v), std: Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length) };
    };
    let s = stats(nn.init.xavierUniform_(w, { gain: 2 }));
    let b = 2 * Math.sqrt(6 / 300);
    assert.ok(s.min >= -b && s.max <= b && s.max > 0.99 * b);
    s = stats(nn.init.kaimingUniform_(w, { a: Math.sqrt(5) }));
    b = 1 / Math.sqrt(100);
    assert.ok(s.min >= -b && s.max <= b && s.max > 0.99 * b);
    s = stats(nn.init.kaimingNormal_(w, { mode: "fan_out", nonlinearity: "relu" }));
    assert.ok(Math.abs(s.std / Math.sqrt(2 / 200) - 1) < 0.03);
    s = stats(nn.init.xavierNormal_(w));
    assert.ok(Math.abs(s.std / Math.sqrt(2 / 300) - 1) < 0.03);
    s = stats(nn.init.uniform_(w, -3, -2));
    assert.ok(s.min >= -3 && s.max <= -2);
    s = stats(nn.init.normal_(w, { mean: 0, std: 0.02 }));
    assert.ok(Math.abs(s.std / 0.02 - 1) < 0.03);
    s = stats(nn.init.truncNormal_(w, { std: 1, a: -0.5, b: 0.5 }));
    assert.ok(s.min >= -0.5 && s.max <= 0.5);
    assert.equal(nn.init.constant_(w, 0.5).mean().item(), 0.5);
    assert.equal(nn.init.ones_(w).sum().item(), 20000);
    assert.throws(() => nn.init.xavierUniform_(dt.zeros([3])), /fewer than 2 dimensions/);
  });

  test("orthogonal_ gives orthonormal rows or columns, scaled by gain", () => {
    for (const shape of [[6, 4], [4, 6], [3, 2, 2]]) {
      const w = nn.init.orthogonal_(dt.zeros(shape), { gain: 2 });
      const m = w.reshape(shape[0], -1);
      const gram = shape[0] >= m.shape[1] ? m.T.matmul(m) : m.matmul(m.T); // the smaller Gram matrix is 4 I
      const n = gram.shape[0];
      assert.ok(gram.sub(dt.eye(n).mul(4)).abs().max().item() < 1e-5, JSON.stringify(shape));
    }
  });

  test("initialisers run on parameters inside or outside noGrad", () => {
    const p = new nn.Parameter(dt.zeros([3, 3]));
    nn.init.eye_(p);
    assert.deepEqual(p.toArray(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
    assert.ok(p.requiresGrad);
  });
});

describe("nn.utils", () => {
  test("clipGradNorm_ scales all grads together and returns the total norm", () => {
    const a = new nn.Parameter(dt.zeros([2])), b = new nn.Parameter(dt.zeros([1]));
    a.grad = dt.tensor([3, 0]);
    b.grad = dt.tensor([4]);
    const total = nn.utils.clipGradNorm_([a, b], 1);
    assert.ok(Math.abs(total.item() - 5) < 1e-6);
    assert.ok(Math.abs(a.grad.toArray()[0] - 0.6) < 1e-5 && Math.abs(b.grad.toArray()[0] - 0.8) < 1e-5);
    // under the limit: unchanged; infinity norm
    assert.ok(Math.abs(nn.utils.clipGradNorm_([a, b], 10).item() - 1) < 1e-5);
    assert.ok(Math.abs(a.grad.toArray()[0] - 0.6) < 1e-5);
    assert.ok(Math.abs(nn.utils.clipGradNorm_([a, b], 10, Infinity).item() - 0.8) < 1e-5);
    assert.ok(Math.abs(nn.utils.clipGradNorm_(a, 10, { normType: 1 }).item() - 0.6) < 1e-5);
    const c = new nn.Parameter(dt.zeros([1]));
    c.grad = dt.tensor([NaN]);
    assert.throws(() => nn.utils.clipGradNorm_([c], 1, { errorIfNonfinite: true }), /non-finite/);
  });

  test("clipGradValue_ clamps; parametersToVector and vectorToParameters round trip", () => {
    const l = new nn.Linear(2, 3);
    l.call(dt.randn([4, 2]).mul(100)).sum().backward();
    nn.utils.clipGradValue_(l.parameters(), 0.1);
    assert.ok(l.weight.grad!.abs().max().item() <= 0.1 + 1e-7);
    const v = nn.utils.parametersToVector(l.parameters());
    assert.deepEqual(v.shape, [9]);
    const m = new nn.Linear(2, 3);
    nn.utils.vectorToParameters(v, m.parameters());
    assert.deepEqual(m.weight.toArray(), l.weight.toArray());
    assert.deepEqual(m.bias!.toArray(), l.bias!.toArray());
    assert.throws(() => nn.utils.vectorToParameters(dt.zeros([4]), m.parameters()), /9/);
  });
});
