// Every nn layer against PyTorch 1.13 (fixtures from scripts/fixtures/layers.py): the state dict of the
// torch layer loads by name with loadStateDict, then outputs, input gradients and parameter gradients
// must match (L = sum_k sum(out_k * gout_k)), as must buffers updated by the forward pass (BatchNorm).
// Also: stateDict key lists equal torch's, and default initialisation matches torch's distributions.

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as dt from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const { nn } = dt;
const DIR = fileURLToPath(new URL("../fixtures/layers/", import.meta.url));
const meta = JSON.parse(readFileSync(DIR + "meta.json", "utf8")) as {
  cases: Record<string, { keys: string[]; shapes: number[][]; outputs: number }>;
  init: Record<string, Record<string, { shape: number[]; min: number; max: number; mean: number; std: number }>>;
};

type Out = Tensor | null | Out[];
interface Case {
  make: () => InstanceType<typeof nn.Module>;
  /** The call; default m.call(...inputs). `e` holds the extra tensors (masks) of the fixture. */
  fwd?: (m: any, x: Tensor[], e: Record<string, Tensor>) => Out;
  eval?: boolean;
  atol?: number;
}

const CASES: Record<string, Case> = {
  linear: { make: () => new nn.Linear(5, 3) },
  linear_nobias: { make: () => new nn.Linear(5, 3, { bias: false }) },
  bilinear: { make: () => new nn.Bilinear(4, 3, 2) },
  identity: { make: () => new nn.Identity() },
  flatten: { make: () => new nn.Flatten() },
  unflatten: { make: () => new nn.Unflatten(1, [2, 3]) },
  conv1d: { make: () => new nn.Conv1d(3, 4, 3, { stride: 2, padding: 1 }) },
  conv2d: { make: () => new nn.Conv2d(3, 4, 3, { padding: 1 }) },
  conv2d_groups: { make: () => new nn.Conv2d(4, 6, [3, 2], { stride: [2, 1], padding: [1, 0], dilation: [1, 2], groups: 2, bias: false }) },
  conv2d_reflect: { make: () => new nn.Conv2d(2, 3, 3, { padding: 1, paddingMode: "reflect" }) },
  conv2d_same: { make: () => new nn.Conv2d(2, 3, 4, { padding: "same" }) },
  conv_transpose2d: { make: () => new nn.ConvTranspose2d(3, 2, 3, { stride: 2, padding: 1, outputPadding: 1 }) },
  conv_transpose1d: { make: () => new nn.ConvTranspose1d(3, 2, 4, { stride: 3, padding: 1, outputPadding: 2 }) },
  conv_transpose2d_groups: { make: () => new nn.ConvTranspose2d(4, 6, 2, { stride: 2, groups: 2 }) },
  maxpool1d: { make: () => new nn.MaxPool1d(3, { stride: 2, padding: 1 }) },
  maxpool2d: { make: () => new nn.MaxPool2d(2) },
  maxpool2d_ceil: { make: () => new nn.MaxPool2d(3, { stride: 2, ceilMode: true }) },
  avgpool1d: { make: () => new nn.AvgPool1d(3, { stride: 2, padding: 1, countIncludePad: false }) },
  avgpool2d: { make: () => new nn.AvgPool2d(3, { stride: 2, padding: 1 }) },
  adaptive_avgpool1d: { make: () => new nn.AdaptiveAvgPool1d(4) },
  adaptive_avgpool2d: { make: () => new nn.AdaptiveAvgPool2d([3, 2]) },
  batchnorm1d: { make: () => new nn.BatchNorm1d(4) },
  batchnorm1d_3d: { make: () => new nn.BatchNorm1d(3, { momentum: null }) },
  batchnorm2d: { make: () => new nn.BatchNorm2d(3, { eps: 1e-3, momentum: 0.2 }) },
  batchnorm2d_eval: { make: () => new nn.BatchNorm2d(3), eval: true },
  batchnorm2d_noaffine: { make: () => new nn.BatchNorm2d(3, { affine: false, trackRunningStats: false }) },
  layernorm: { make: () => new nn.LayerNorm([4, 5]) },
  layernorm_noaffine: { make: () => new nn.LayerNorm(6, { eps: 1e-3, elementwiseAffine: false }) },
  groupnorm: { make: () => new nn.GroupNorm(2, 6) },
  embedding: { make: () => new nn.Embedding(10, 4, { paddingIdx: 1 }) },
  rnn: { make: () => new nn.RNN(3, 4, { numLayers: 2, bidirectional: true }) },
  rnn_relu: { make: () => new nn.RNN(3, 4, { nonlinearity: "relu", batchFirst: true }) },
  lstm: { make: () => new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true }), fwd: (m, [x, h, c]) => m.call(x, [h, c]) },
  lstm_batchfirst: { make: () => new nn.LSTM(3, 4, { batchFirst: true }) },
  lstm_unbatched: { make: () => new nn.LSTM(3, 4, { numLayers: 2 }) },
  gru: { make: () => new nn.GRU(3, 4, { numLayers: 2, bidirectional: true }) },
  gru_nobias: { make: () => new nn.GRU(3, 4, { bias: false }) },
  rnncell: { make: () => new nn.RNNCell(3, 4) },
  lstmcell: { make: () => new nn.LSTMCell(3, 4), fwd: (m, [x, h, c]) => m.call(x, [h, c]) },
  grucell: { make: () => new nn.GRUCell(3, 4) },
  grucell_unbatched: { make: () => new nn.GRUCell(3, 4, { bias: false }) },
  mha: {
    make: () => new nn.MultiheadAttention(8, 2),
    fwd: (m, [q, k, v], e) => m.call(q, k, v, { keyPaddingMask: e.kpm, attnMask: e.mask }),
  },
  mha_batchfirst: {
    make: () => new nn.MultiheadAttention(8, 2, { batchFirst: true }),
    fwd: (m, [x], e) => m.call(x, x, x, { attnMask: e.mask, averageAttnWeights: false }),
  },
  mha_kvdim: { make: () => new nn.MultiheadAttention(8, 4, { kdim: 6, vdim: 4, bias: false }) },
  encoder_layer: {
    make: () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 }),
    fwd: (m, [x], e) => m.call(x, { srcKeyPaddingMask: e.kpm }),
  },
  encoder_layer_prenorm: {
    make: () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, activation: "gelu", batchFirst: true, normFirst: true }),
    fwd: (m, [x], e) => m.call(x, { srcMask: e.mask }),
  },
  encoder: {
    make: () => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 }), 2, { norm: new nn.LayerNorm(8) }),
    fwd: (m, [x], e) => m.call(x, { mask: e.mask }),
  },
  decoder_layer: {
    make: () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 }),
    fwd: (m, [t, mem], e) => m.call(t, mem, { tgtMask: e.mask, memoryKeyPaddingMask: e.kpm }),
  },
  decoder: {
    make: () => new nn.TransformerDecoder(new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, normFirst: true, batchFirst: true }), 2),
    fwd: (m, [t, mem], e) => m.call(t, mem, { tgtMask: e.mask }),
  },
  transformer: {
    make: () => new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 2, numDecoderLayers: 1, dimFeedforward: 16, dropout: 0, batchFirst: true }),
    fwd: (m, [s, t], e) => m.call(s, t, { tgtMask: e.mask, srcKeyPaddingMask: e.kpm, memoryKeyPaddingMask: e.kpm }),
  },
  act_relu: { make: () => new nn.ReLU() },
  act_gelu: { make: () => new nn.GELU() },
  act_gelu_tanh: { make: () => new nn.GELU("tanh") },
  act_silu: { make: () => new nn.SiLU() },
  act_tanh: { make: () => new nn.Tanh() },
  act_sigmoid: { make: () => new nn.Sigmoid() },
  act_softmax: { make: () => new nn.Softmax(1) },
  act_log_softmax: { make: () => new nn.LogSoftmax({ dim: 0 }) },
  act_leaky_relu: { make: () => new nn.LeakyReLU(0.2) },
  act_elu: { make: () => new nn.ELU({ alpha: 0.5 }) },
  act_softplus: { make: () => new nn.Softplus({ beta: 2, threshold: 1 }) },
  act_softmax_implicit: { make: () => new nn.Softmax() },
  prelu: { make: () => new nn.PReLU() },
  prelu_channels: { make: () => new nn.PReLU({ numParameters: 3, init: 0.1 }) },
  upsample_nearest: { make: () => new nn.Upsample({ scaleFactor: 2 }) },
  upsample_bilinear: { make: () => new nn.Upsample({ size: [5, 7], mode: "bilinear", alignCorners: true }) },
  upsample_linear: { make: () => new nn.Upsample({ scaleFactor: 1.5, mode: "linear" }) },
  loss_mse: { make: () => new nn.MSELoss() },
  loss_l1_sum: { make: () => new nn.L1Loss({ reduction: "sum" }) },
  loss_smooth_l1: { make: () => new nn.SmoothL1Loss({ beta: 0.5 }) },
  loss_huber: { make: () => new nn.HuberLoss({ reduction: "none", delta: 0.5 }) },
  loss_cross_entropy: {
    make: () => new nn.CrossEntropyLoss({ weight: dt.tensor([1, 2, 0.5, 1.5]), labelSmoothing: 0.1, ignoreIndex: 2 }),
  },
  loss_cross_entropy_probs: { make: () => new nn.CrossEntropyLoss({ labelSmoothing: 0.2 }) },
  loss_nll: { make: () => new nn.NLLLoss() },
  loss_bce: { make: () => new nn.BCELoss() },
  loss_bce_logits: { make: () => new nn.BCEWithLogitsLoss({ posWeight: dt.tensor([1, 2, 3]) }) },
  loss_kl_div: { make: () => new nn.KLDivLoss({ reduction: "batchmean" }) },
  sequential: {
    make: () =>
      new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.BatchNorm2d(2), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(), new nn.Linear(8, 3)),
  },
};

function flat(o: Out): Tensor[] {
  if (o === null || o === undefined) return [];
  if (Array.isArray(o)) return o.flatMap(flat);
  return [o];
}

/** |a - b| <= atol + rtol |b| elementwise, with a message naming the worst element. */
function close(what: string, a: Tensor, b: Tensor, atol = 1e-4, rtol = 1e-3): void {
  assert.deepEqual(a.shape, b.shape, `${what}: shape ${JSON.stringify(a.shape)} vs torch ${JSON.stringify(b.shape)}`);
  const x = a.dataSync(), y = b.dataSync();
  let worst = -1, err = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(x[i] - y[i]) - (atol + rtol * Math.abs(y[i]));
    if (!(e <= err) && !(Number.isNaN(x[i]) && Number.isNaN(y[i])) && !(x[i] === y[i])) {
      err = Number.isNaN(e) ? Infinity : e;
      worst = i;
    }
  }
  if (worst >= 0) assert.fail(`${what}: element ${worst} is ${x[worst]}, torch has ${y[worst]} (shape ${JSON.stringify(a.shape)})`);
}

describe("layers against PyTorch", () => {
  test("every fixture case has a TypeScript case and back", () => {
    assert.deepEqual(Object.keys(CASES).sort(), Object.keys(meta.cases).sort());
  });

  for (const [name, c] of Object.entries(CASES)) {
    test(name, () => {
      const info = meta.cases[name];
      dt.manualSeed(0);
      const m = c.make();
      if (c.eval) m.eval();
      // state-dict keys and shapes are torch's, in torch's order
      const own = m.stateDict();
      assert.deepEqual(Object.keys(own), info.keys, `${name}: stateDict keys`);
      assert.deepEqual(Object.values(own).map((t) => t.shape), info.shapes, `${name}: stateDict shapes`);
      const sd = dt.io.loadSync(`${DIR}${name}.safetensors`);
      m.loadStateDict(sd);
      const io = dt.io.loadSync(`${DIR}${name}.io.safetensors`);
      const inputs: Tensor[] = [];
      for (let i = 0; `input.${i}` in io; i++) {
        const x = io[`input.${i}`];
        inputs.push(x.dtype === "float32" ? x.clone().requiresGrad_(true) : x);
      }
      const extra: Record<string, Tensor> = {};
      for (const k of Object.keys(io)) if (k.startsWith("extra.")) extra[k.slice(6)] = io[k];
      const outs = flat(c.fwd ? c.fwd(m, inputs, extra) : (m.call as any)(...inputs));
      assert.equal(outs.length, info.outputs, `${name}: number of outputs`);
      let loss: Tensor | null = null;
      outs.forEach((o, i) => {
        close(`${name} output ${i}`, o, io[`output.${i}`], c.atol);
        const g = io[`gout.${i}`];
        if (g && o.requiresGrad) {
          const term = o.mul(g).sum();
          loss = loss ? loss.add(term) : term;
        }
      });
      for (const [k, t] of Object.entries(io))
        if (k.startsWith("after.")) close(`${name} ${k.slice(6)} after forward`, m.stateDict()[k.slice(6)], t, c.atol);
      if (loss) (loss as Tensor).backward();
      inputs.forEach((x, i) => {
        const g = io[`grad.input.${i}`];
        if (g) {
          assert.ok(x.grad, `${name}: input ${i} got no gradient`);
          close(`${name} grad of input ${i}`, x.grad!, g, c.atol);
        }
      });
      for (const [k, p] of m.namedParameters()) {
        const g = io[`grad.param.${k}`];
        if (g) {
          assert.ok(p.grad, `${name}: parameter ${k} got no gradient`);
          close(`${name} grad of ${k}`, p.grad!, g, c.atol);
        }
      }
    });
  }
});

describe("default initialisation matches PyTorch's distributions", () => {
  const MAKERS: Record<string, () => InstanceType<typeof nn.Module>> = {
    Linear: () => new nn.Linear(64, 128),
    Bilinear: () => new nn.Bilinear(16, 8, 128),
    Conv1d: () => new nn.Conv1d(8, 128, 5),
    Conv2d: () => new nn.Conv2d(8, 128, 3, { groups: 2 }),
    ConvTranspose2d: () => new nn.ConvTranspose2d(8, 128, 3),
    BatchNorm2d: () => new nn.BatchNorm2d(16),
    LayerNorm: () => new nn.LayerNorm(32),
    GroupNorm: () => new nn.GroupNorm(4, 16),
    Embedding: () => new nn.Embedding(100, 32, { paddingIdx: 0 }),
    RNN: () => new nn.RNN(16, 128),
    LSTM: () => new nn.LSTM(16, 32, { numLayers: 2, bidirectional: true }),
    GRU: () => new nn.GRU(16, 64),
    RNNCell: () => new nn.RNNCell(16, 128),
    LSTMCell: () => new nn.LSTMCell(16, 32),
    GRUCell: () => new nn.GRUCell(16, 32),
    MultiheadAttention: () => new nn.MultiheadAttention(32, 4),
    TransformerEncoderLayer: () => new nn.TransformerEncoderLayer(32, 4, { dimFeedforward: 64 }),
    Transformer: () => new nn.Transformer({ dModel: 32, nhead: 4, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 64 }),
    TransformerDecoderLayer: () => new nn.TransformerDecoderLayer(32, 4, { dimFeedforward: 64 }),
  };
  test("every layer of the fixture is checked", () => assert.deepEqual(Object.keys(MAKERS).sort(), Object.keys(meta.init).sort()));
  for (const [name, make] of Object.entries(MAKERS)) {
    test(name, () => {
      dt.manualSeed(7);
      const sd = make().stateDict();
      const ref = meta.init[name];
      assert.deepEqual(Object.keys(sd), Object.keys(ref), `${name}: stateDict keys`);
      for (const [k, s] of Object.entries(ref)) {
        const t = sd[k];
        assert.deepEqual(t.shape, s.shape, `${name}.${k}: shape`);
        const v = Array.from(t.dataSync());
        const n = v.length;
        const mean = v.reduce((a, b) => a + b, 0) / n;
        const std = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
        const min = Math.min(...v), max = Math.max(...v);
        const msg = `${name}.${k}: ours mean ${mean} std ${std} [${min}, ${max}], torch mean ${s.mean} std ${s.std} [${s.min}, ${s.max}]`;
        if (s.std === 0) {
          // constants (ones, zeros, counters): equal
          assert.ok(std === 0 && Math.abs(mean - s.mean) < 1e-12, msg);
          continue;
        }
        // both are samples of the same distribution: means within a few standard errors, stds within 10 %
        assert.ok(Math.abs(mean - s.mean) < 6 * s.std / Math.sqrt(n), msg);
        assert.ok(Math.abs(std / s.std - 1) < Math.max(0.1, 6 / Math.sqrt(n)), msg);
        // bounded (uniform) parameters: the same range (torch's sample extremes lie close to the bound)
        const range = s.max - s.min;
        const uniformLike = range < 4 * s.std; // U(-b, b) spans 3.46 std; normals span far more
        if (uniformLike && n >= 100) {
          assert.ok(min >= s.min - 0.05 * range && max <= s.max + 0.05 * range, msg);
          assert.ok(min <= s.min + 0.1 * range && max >= s.max - 0.1 * range, msg);
        }
      }
    });
  }
});
