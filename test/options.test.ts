// Issue 10: options are checked, never silently ignored. Every public function or constructor that
// takes an options object refuses an unknown key (naming the function, the key, the accepted keys and
// the closest one) and a bare value where the object belongs; losses refuse inputs that broadcast to a
// bigger shape; Conv and pool modules take PyTorch's positional arguments.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as dt from "../src/index.js";
import { checkOptions, positionalOptions, suggest } from "../src/tensor/options.js";

const { nn, optim } = dt;
const F = nn.functional;
type AnyFn = (...args: unknown[]) => unknown;
type AnyCtor = new (...args: unknown[]) => unknown;
const f = (fn: unknown) => fn as AnyFn;
const C = (c: unknown) => c as AnyCtor;

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  assert.fail("expected an error");
}

/** Asserts an unknown-option error naming fn, the key, the accepted keys (exactly) and the suggestion. */
function unknownKey(fn: () => unknown, name: string, key: string, keys: readonly string[], suggestion?: string): void {
  const msg = messageOf(fn);
  assert.ok(msg.startsWith(`${name}: unknown option '${key}'`), `message: ${msg}`);
  assert.ok(msg.includes(`accepted options: ${keys.join(", ")}`), `accepted keys in: ${msg}`);
  if (suggestion) assert.ok(msg.includes(`(did you mean '${suggestion}'?)`), `suggestion '${suggestion}' in: ${msg}`);
  else assert.ok(!msg.includes("did you mean"), `no suggestion in: ${msg}`);
}

/** Asserts the error for a bare value where the options object belongs. */
function bareValue(fn: () => unknown, name: string, keys: readonly string[], got: string, pass?: string): void {
  const msg = messageOf(fn);
  assert.ok(msg.startsWith(`${name}: expected an options object { ${keys.join(", ")} }`), `message: ${msg}`);
  assert.ok(msg.includes(`got ${got}`), `'got ${got}' in: ${msg}`);
  if (pass) assert.ok(msg.includes(`(pass { ${pass} })`), `'(pass { ${pass} })' in: ${msg}`);
}

const x = dt.randn([2, 3]);
const img = dt.randn([1, 1, 5, 5]);
const seq = dt.randn([1, 2, 6]);

describe("the shared helper", () => {
  it("accepts undefined, null and known keys; refuses the rest with the brief's message", () => {
    assert.deepEqual(checkOptions("f", undefined, ["a"]), {});
    assert.deepEqual(checkOptions("f", null, ["a"]), {});
    const o = { a: 1 };
    assert.equal(checkOptions("f", o, ["a"]), o);
    assert.equal(
      messageOf(() => F.dropout(x, 0.9 as never)),
      "F.dropout: expected an options object { p, training, inplace } as argument 2, got the number 0.9 (pass { p: 0.9 })",
    );
    assert.equal(
      messageOf(() => new nn.Conv2d(1, 8, 3, { paddng: 1 } as never)),
      "nn.Conv2d: unknown option 'paddng' (did you mean 'padding'?); accepted options: stride, padding, dilation, groups, bias, paddingMode",
    );
    for (const [v, got] of [[[1, 2], "an array [1,2]"], [dt.zeros([2]), "a Tensor of shape [2]"], [true, "the boolean true"], ["x", 'the string "x"'], [() => 1, "a function"], [new Map(), "a Map"]] as const)
      assert.ok(messageOf(() => checkOptions("f", v as never, ["a"])).includes(`got ${got}`));
    assert.throws(() => checkOptions("f", 1 as never, ["a"]), TypeError);
    assert.throws(() => checkOptions("f", { b: 1 }, ["a"]), TypeError);
  });

  it("suggests snake_case -> camelCase, other letter case, and near misses only", () => {
    assert.equal(suggest("weight_decay", ["lr", "weightDecay"]), "weightDecay");
    assert.equal(suggest("Padding", ["padding"]), "padding");
    assert.equal(suggest("paddng", ["stride", "padding"]), "padding");
    assert.equal(suggest("strid", ["stride", "padding"]), "stride");
    assert.equal(suggest("ceil_mode", ["ceilMode"]), "ceilMode");
    assert.equal(suggest("prob", ["p", "training"]), null);
    assert.equal(suggest("zzz", ["stride", "padding"]), null);
    assert.equal(suggest("sdt", ["mean", "std"]), "std"); // a swap counts 1
    assert.equal(suggest("pow", ["power"]), null); // short keys: distance 1 only
    assert.equal(suggest("gian", ["gain"]), "gain");
  });

  it("positionalOptions: positional values in order, then an options object; conflicts and extras throw", () => {
    assert.deepEqual(positionalOptions("f", [1, 2], ["a", "b", "c"], ["a", "b", "c"], 2), { a: 1, b: 2 });
    assert.deepEqual(positionalOptions("f", [1, { c: 3 }], ["a", "b", "c"], ["a", "b", "c"], 2), { a: 1, c: 3 });
    assert.deepEqual(positionalOptions("f", [undefined, 2], ["a", "b"], ["a", "b"], 2), { b: 2 });
    assert.match(messageOf(() => positionalOptions("f", [1, { a: 3 }], ["a"], ["a"], 2)), /f: 'a' is given both positionally and in the options object/);
    assert.match(messageOf(() => positionalOptions("f", [1, 2, 3], ["a", "b"], ["a", "b"], 2)), /f: too many arguments: 3 after the required ones, but only 2 \(a, b\)/);
    assert.match(messageOf(() => positionalOptions("f", [{ a: 1 }, 2], ["a", "b"], ["a", "b"], 2)), /can only come last/);
    unknownKey(() => positionalOptions("f", [1, { bb: 1 }], ["a", "b"], ["a", "b"], 2), "f", "bb", ["a", "b"], "b");
  });
});

describe("nn.functional: every function with options", () => {
  const idx = dt.tensor([0, 1], { dtype: "int32" });
  const emb = dt.randn([3, 2]);
  const w2 = dt.randn([2, 1, 3, 3]), w1 = dt.randn([4, 2, 3]);
  const wt2 = dt.randn([1, 2, 3, 3]), wt1 = dt.randn([2, 4, 3]);
  const q = dt.randn([1, 2, 4]);
  const cases: [string, string, readonly string[], (o: unknown) => unknown, string, string?, [unknown, string, string?]?][] = [
    // label, name, keys, call, bad key, suggestion, [bare value, described, pass]
    ["leakyRelu", "F.leakyRelu", ["negativeSlope", "inplace"], (o) => f(F.leakyRelu)(x, o), "negative_slope", "negativeSlope", [0.2, "the number 0.2", "negativeSlope: 0.2"]],
    ["elu", "F.elu", ["alpha", "inplace"], (o) => f(F.elu)(x, o), "alpah", "alpha", [0.5, "the number 0.5", "alpha: 0.5"]],
    ["softplus", "F.softplus", ["beta", "threshold"], (o) => f(F.softplus)(x, o), "treshold", "threshold", [2, "the number 2", "beta: 2"]],
    ["gelu", "F.gelu", ["approximate"], (o) => f(F.gelu)(x, o), "approximat", "approximate", ["tanh", 'the string "tanh"', 'approximate: "tanh"']],
    ["dropout", "F.dropout", ["p", "training", "inplace"], (o) => f(F.dropout)(x, o), "P", "p", [0.9, "the number 0.9", "p: 0.9"]],
    ["dropout (no near key)", "F.dropout", ["p", "training", "inplace"], (o) => f(F.dropout)(x, o), "prob", undefined],
    ["pad", "F.pad", ["mode", "value"], (o) => f(F.pad)(x, [1, 1], o), "mod", "mode", ["reflect", 'the string "reflect"', 'mode: "reflect"']],
    ["embedding", "F.embedding", ["paddingIdx"], (o) => f(F.embedding)(idx, emb, o), "padding_idx", "paddingIdx", [0, "the number 0", "paddingIdx: 0"]],
    ["unfold", "F.unfold", ["dilation", "padding", "stride"], (o) => f(F.unfold)(img, 3, o), "paddng", "padding", [1, "the number 1", "dilation: 1"]],
    ["fold", "F.fold", ["dilation", "padding", "stride"], (o) => f(F.fold)(dt.zeros([1, 9, 9]), [5, 5], 3, o), "strides", "stride", [1, "the number 1"]],
    ["conv1d", "F.conv1d", ["stride", "padding", "dilation", "groups"], (o) => f(F.conv1d)(seq, w1, null, o), "paddng", "padding", [2, "the number 2", "stride: 2"]],
    ["conv2d", "F.conv2d", ["stride", "padding", "dilation", "groups"], (o) => f(F.conv2d)(img, w2, null, o), "paddng", "padding", [1, "the number 1", "stride: 1"]],
    ["convTranspose1d", "F.convTranspose1d", ["stride", "padding", "outputPadding", "groups", "dilation"], (o) => f(F.convTranspose1d)(seq, wt1, null, o), "output_padding", "outputPadding", [2, "the number 2"]],
    ["convTranspose2d", "F.convTranspose2d", ["stride", "padding", "outputPadding", "groups", "dilation"], (o) => f(F.convTranspose2d)(img, wt2, null, o), "output_padding", "outputPadding", [2, "the number 2"]],
    ["maxPool1d", "F.maxPool1d", ["stride", "padding", "dilation", "ceilMode", "returnIndices"], (o) => f(F.maxPool1d)(seq, 2, o), "ceil_mode", "ceilMode"],
    ["maxPool2d", "F.maxPool2d", ["stride", "padding", "dilation", "ceilMode", "returnIndices"], (o) => f(F.maxPool2d)(img, 2, o), "return_indices", "returnIndices"],
    ["avgPool1d", "F.avgPool1d", ["stride", "padding", "ceilMode", "countIncludePad"], (o) => f(F.avgPool1d)(seq, 2, o), "count_include_pad", "countIncludePad"],
    ["avgPool2d", "F.avgPool2d", ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], (o) => f(F.avgPool2d)(img, 2, o), "divisor", undefined],
    ["adaptiveMaxPool1d", "F.adaptiveMaxPool1d", ["returnIndices"], (o) => f(F.adaptiveMaxPool1d)(seq, 2, o), "return_indices", "returnIndices", ["yes", 'the string "yes"']],
    ["adaptiveMaxPool2d", "F.adaptiveMaxPool2d", ["returnIndices"], (o) => f(F.adaptiveMaxPool2d)(img, 2, o), "returnIndice", "returnIndices", [2, "the number 2"]],
    ["batchNorm", "F.batchNorm", ["training", "momentum", "eps"], (o) => f(F.batchNorm)(x, dt.zeros([3]), dt.ones([3]), null, null, o), "trainig", "training", [true, "the boolean true", "training: true"]],
    ["layerNorm", "F.layerNorm", ["eps"], (o) => f(F.layerNorm)(x, [3], null, null, o), "Eps", "eps", [1e-5, "the number 0.00001", "eps: 0.00001"]],
    ["groupNorm", "F.groupNorm", ["eps"], (o) => f(F.groupNorm)(dt.randn([2, 4, 3]), 2, null, null, o), "epsilon", undefined, [1e-3, "the number 0.001"]],
    ["scaledDotProductAttention", "F.scaledDotProductAttention", ["attnMask", "dropoutP", "isCausal", "scale"], (o) => f(F.scaledDotProductAttention)(q, q, q, o), "is_causal", "isCausal", [dt.ones([2, 2]), "a Tensor of shape [2,2]", "attnMask: tensor"]],
    ["mseLoss", "F.mseLoss", ["reduction"], (o) => f(F.mseLoss)(x, x, o), "reductio", "reduction", ["sum", 'the string "sum"', 'reduction: "sum"']],
    ["l1Loss", "F.l1Loss", ["reduction"], (o) => f(F.l1Loss)(x, x, o), "reduce", undefined, ["sum", 'the string "sum"', 'reduction: "sum"']],
    ["smoothL1Loss", "F.smoothL1Loss", ["reduction", "beta"], (o) => f(F.smoothL1Loss)(x, x, o), "bta", "beta", ["mean", 'the string "mean"']],
    ["huberLoss", "F.huberLoss", ["reduction", "delta"], (o) => f(F.huberLoss)(x, x, o), "delt", "delta", [1, "the number 1", "reduction: 1"]],
    ["binaryCrossEntropy", "F.binaryCrossEntropy", ["weight", "reduction"], (o) => f(F.binaryCrossEntropy)(dt.sigmoid(x), dt.zeros([2, 3]), o), "weights", "weight", [dt.ones([3]), "a Tensor of shape [3]", "weight: tensor"]],
    ["binaryCrossEntropyWithLogits", "F.binaryCrossEntropyWithLogits", ["weight", "reduction", "posWeight"], (o) => f(F.binaryCrossEntropyWithLogits)(x, dt.zeros([2, 3]), o), "pos_weight", "posWeight", ["sum", 'the string "sum"']],
    ["klDiv", "F.klDiv", ["reduction", "logTarget"], (o) => f(F.klDiv)(x, dt.softmax(x, 1), o), "log_target", "logTarget", ["batchmean", 'the string "batchmean"']],
    ["nllLoss", "F.nllLoss", ["weight", "ignoreIndex", "reduction"], (o) => f(F.nllLoss)(dt.logSoftmax(x, 1), idx, o), "ignore_index", "ignoreIndex", [dt.ones([3]), "a Tensor of shape [3]"]],
    ["crossEntropy", "F.crossEntropy", ["weight", "ignoreIndex", "reduction", "labelSmoothing"], (o) => f(F.crossEntropy)(x, idx, o), "label_smoothing", "labelSmoothing", [dt.ones([3]), "a Tensor of shape [3]", "weight: tensor"]],
  ];
  for (const [label, name, keys, call, bad, sugg, bare] of cases) {
    it(`${label}: unknown key${bare ? " and bare value" : ""}`, () => {
      unknownKey(() => call({ [bad]: 1 }), name, bad, keys, sugg);
      if (bare) bareValue(() => call(bare[0]), name, keys, bare[1], bare[2]);
      call(undefined); // still works without options
    });
  }

  it("values are checked: dropout p, gelu approximate, pad mode, reductions, booleans", () => {
    assert.match(messageOf(() => F.dropout(x, { p: 1.5 })), /F\.dropout: probability p must be in \[0, 1\], got 1\.5/);
    assert.match(messageOf(() => F.dropout(x, { p: "0.5" as never })), /F\.dropout: probability p must be in \[0, 1\]/);
    assert.match(messageOf(() => F.dropout(x, { training: "no" as never })), /F\.dropout: training must be true or false, got the string "no"/);
    assert.match(messageOf(() => F.gelu(x, { approximate: "tan" as never })), /F\.gelu: approximate must be "none" or "tanh", got "tan"/);
    assert.match(messageOf(() => F.pad(x, [1, 1], { mode: "mirror" as never })), /F\.pad: mode must be "constant", "reflect", "replicate" or "circular", got "mirror"/);
    assert.match(messageOf(() => F.mseLoss(x, x, { reduction: "avg" as never })), /mseLoss: reduction must be "none", "mean" or "sum", got "avg"/);
    assert.match(messageOf(() => F.leakyRelu(x, { negativeSlope: "0.2" as never })), /F\.leakyRelu: negativeSlope must be a number/);
    assert.match(messageOf(() => F.maxPool2d(img, 2, { ceilMode: 1 as never })), /F\.maxPool2d: ceilMode must be true or false/);
    assert.match(messageOf(() => F.scaledDotProductAttention(q, q, q, { dropoutP: 2 })), /dropoutP must be in \[0, 1\]/);
    assert.match(messageOf(() => F.conv2d(img, w2, null, { stride: -1 })), /conv2d: stride must be an integer >= 1/);
    assert.match(messageOf(() => F.maxPool2d(img, -2)), /maxPool2d: kernelSize must be an integer >= 1/);
  });

  it("pooling takes PyTorch's positional arguments after kernelSize", () => {
    const a = dt.arange(25).to("float32").reshape(1, 1, 5, 5);
    assert.deepEqual(f(F.maxPool2d)(a, 3, 1, 1), F.maxPool2d(a, 3, { stride: 1, padding: 1 }));
    assert.deepEqual((f(F.maxPool2d)(a, 3, 1, 1) as dt.Tensor).toArray(), F.maxPool2d(a, 3, { stride: 1, padding: 1 }).toArray());
    assert.deepEqual((f(F.avgPool2d)(a, 3, 2, 1, false, false) as dt.Tensor).toArray(), F.avgPool2d(a, 3, { stride: 2, padding: 1, countIncludePad: false }).toArray());
    assert.deepEqual((f(F.maxPool1d)(seq, 2, 1) as dt.Tensor).shape, [1, 2, 5]);
    assert.deepEqual((f(F.maxPool2d)(a, 3, 2, { padding: 1 }) as dt.Tensor).shape, [1, 1, 3, 3]);
    assert.match(messageOf(() => f(F.maxPool2d)(a, 3, 1, 1, 1, false, false, 9)), /F\.maxPool2d: too many arguments/);
    const [v, i] = F.adaptiveMaxPool2d(a, 1, true as never) as unknown as [dt.Tensor, dt.Tensor];
    assert.equal(v.item(), 24);
    assert.equal(i.item(), 24);
  });
});

describe("losses whose input and target broadcast to a bigger shape throw", () => {
  const inp = dt.randn([4, 1]), tgt = dt.randn([4]);
  const fns: [string, (a: dt.Tensor, b: dt.Tensor) => unknown][] = [
    ["mseLoss", (a, b) => F.mseLoss(a, b)],
    ["l1Loss", (a, b) => F.l1Loss(a, b)],
    ["smoothL1Loss", (a, b) => F.smoothL1Loss(a, b)],
    ["huberLoss", (a, b) => F.huberLoss(a, b)],
    ["klDiv", (a, b) => F.klDiv(a, b)],
  ];
  for (const [name, fn] of fns)
    it(name, () => {
      assert.equal(
        messageOf(() => fn(inp, tgt)),
        `F.${name}: target size [4] differs from input size [4,1]; they would broadcast to [4,4], which is likely wrong. Reshape one of them (e.g. target.reshape([4,1]) or input.reshape([4])).`,
      );
      assert.match(messageOf(() => fn(dt.randn([4]), dt.randn([4, 1]))), /target size \[4,1\] differs from input size \[4\]; they would broadcast to \[4,4\]/);
      // same shape, and a target broadcasting into the input's own shape, are fine
      fn(inp, dt.randn([4, 1]));
      fn(dt.randn([3, 4]), dt.randn([4]));
      fn(dt.randn([3, 4]), dt.tensor(0.5));
    });
  it("the modules and the binary cross entropies (same shape required, as PyTorch)", () => {
    assert.match(messageOf(() => new nn.MSELoss().call(inp, tgt)), /F\.mseLoss: target size \[4\] differs from input size \[4,1\]/);
    assert.match(messageOf(() => new nn.L1Loss().call(inp, tgt)), /F\.l1Loss: target size/);
    assert.match(messageOf(() => new nn.SmoothL1Loss().call(inp, tgt)), /F\.smoothL1Loss: target size/);
    assert.match(messageOf(() => new nn.HuberLoss().call(inp, tgt)), /F\.huberLoss: target size/);
    assert.match(messageOf(() => new nn.KLDivLoss().call(inp, tgt)), /F\.klDiv: target size/);
    assert.match(messageOf(() => F.binaryCrossEntropy(dt.sigmoid(inp), dt.zeros([4]))), /F\.binaryCrossEntropy: target size \[4\] differs from input size \[4,1\]/);
    assert.match(messageOf(() => new nn.BCEWithLogitsLoss().call(inp, dt.zeros([4]))), /F\.binaryCrossEntropyWithLogits: target size \[4\] differs/);
    // the binary cross entropies want the very same shape, as PyTorch (which raises there)
    assert.match(messageOf(() => new nn.BCELoss().call(dt.sigmoid(dt.randn([3, 4])), dt.zeros([4]))), /target \[4\] must have the same shape as input \[3,4\]/);
    assert.match(messageOf(() => F.mseLoss(dt.randn([3]), dt.randn([2]))), /cannot be broadcast/);
  });
});

describe("nn layers: every constructor (and call) with options", () => {
  const enc = () => new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 });
  const dec = () => new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0 });
  const s = dt.randn([3, 1, 8]);
  const cases: [string, readonly string[], (o: unknown) => unknown, string, string?][] = [
    ["nn.Linear", ["bias"], (o) => new (C(nn.Linear))(2, 3, o), "biass", "bias"],
    ["nn.Bilinear", ["bias"], (o) => new (C(nn.Bilinear))(2, 2, 3, o), "Bias", "bias"],
    ["nn.Conv1d", ["stride", "padding", "dilation", "groups", "bias", "paddingMode"], (o) => new (C(nn.Conv1d))(1, 2, 3, o), "padding_mode", "paddingMode"],
    ["nn.Conv2d", ["stride", "padding", "dilation", "groups", "bias", "paddingMode"], (o) => new (C(nn.Conv2d))(1, 2, 3, o), "paddng", "padding"],
    ["nn.ConvTranspose1d", ["stride", "padding", "outputPadding", "groups", "bias", "dilation"], (o) => new (C(nn.ConvTranspose1d))(1, 2, 3, o), "output_padding", "outputPadding"],
    ["nn.ConvTranspose2d", ["stride", "padding", "outputPadding", "groups", "bias", "dilation"], (o) => new (C(nn.ConvTranspose2d))(1, 2, 3, o), "paddingMode", undefined],
    ["nn.MaxPool1d", ["stride", "padding", "dilation", "returnIndices", "ceilMode"], (o) => new (C(nn.MaxPool1d))(2, o), "ceil_mode", "ceilMode"],
    ["nn.MaxPool2d", ["stride", "padding", "dilation", "returnIndices", "ceilMode"], (o) => new (C(nn.MaxPool2d))(2, o), "strde", "stride"],
    ["nn.AvgPool1d", ["stride", "padding", "ceilMode", "countIncludePad"], (o) => new (C(nn.AvgPool1d))(2, o), "divisorOverride", undefined],
    ["nn.AvgPool2d", ["stride", "padding", "ceilMode", "countIncludePad", "divisorOverride"], (o) => new (C(nn.AvgPool2d))(2, o), "divisor_override", "divisorOverride"],
    ["nn.BatchNorm1d", ["eps", "momentum", "affine", "trackRunningStats"], (o) => new (C(nn.BatchNorm1d))(3, o), "track_running_stats", "trackRunningStats"],
    ["nn.BatchNorm2d", ["eps", "momentum", "affine", "trackRunningStats"], (o) => new (C(nn.BatchNorm2d))(3, o), "momentun", "momentum"],
    ["nn.LayerNorm", ["eps", "elementwiseAffine", "bias"], (o) => new (C(nn.LayerNorm))(3, o), "elementwise_affine", "elementwiseAffine"],
    ["nn.GroupNorm", ["eps", "affine"], (o) => new (C(nn.GroupNorm))(2, 4, o), "afine", "affine"],
    ["nn.Dropout", ["p", "inplace"], (o) => new (C(nn.Dropout))(o), "P", "p"],
    ["nn.Embedding", ["paddingIdx"], (o) => new (C(nn.Embedding))(4, 2, o), "padding_idx", "paddingIdx"],
    ["nn.Embedding.fromPretrained", ["freeze", "paddingIdx"], (o) => f(nn.Embedding.fromPretrained)(dt.eye(3), o), "freez", "freeze"],
    ["nn.RNN", ["numLayers", "nonlinearity", "bias", "batchFirst", "dropout", "bidirectional"], (o) => new (C(nn.RNN))(2, 3, o), "batch_first", "batchFirst"],
    ["nn.LSTM", ["numLayers", "bias", "batchFirst", "dropout", "bidirectional", "projSize"], (o) => new (C(nn.LSTM))(2, 3, o), "num_layers", "numLayers"],
    ["nn.GRU", ["numLayers", "bias", "batchFirst", "dropout", "bidirectional"], (o) => new (C(nn.GRU))(2, 3, o), "nonlinearity", undefined],
    ["nn.RNNCell", ["bias", "nonlinearity"], (o) => new (C(nn.RNNCell))(2, 3, o), "nonlinearty", "nonlinearity"],
    ["nn.LSTMCell", ["bias"], (o) => new (C(nn.LSTMCell))(2, 3, o), "biases", "bias"],
    ["nn.GRUCell", ["bias"], (o) => new (C(nn.GRUCell))(2, 3, o), "bais", "bias"],
    ["nn.MultiheadAttention", ["dropout", "bias", "kdim", "vdim", "batchFirst"], (o) => new (C(nn.MultiheadAttention))(8, 2, o), "batch_first", "batchFirst"],
    ["nn.MultiheadAttention.call", ["keyPaddingMask", "needWeights", "attnMask", "averageAttnWeights", "isCausal"], (o) => new nn.MultiheadAttention(8, 2).call(s, s, s, o as never), "need_weights", "needWeights"],
    ["nn.TransformerEncoderLayer", ["dimFeedforward", "dropout", "activation", "layerNormEps", "batchFirst", "normFirst", "bias"], (o) => new (C(nn.TransformerEncoderLayer))(8, 2, o), "dim_feedforward", "dimFeedforward"],
    ["nn.TransformerEncoderLayer.call", ["srcMask", "srcKeyPaddingMask", "isCausal"], (o) => enc().call(s, o as never), "src_mask", "srcMask"],
    ["nn.TransformerDecoderLayer", ["dimFeedforward", "dropout", "activation", "layerNormEps", "batchFirst", "normFirst", "bias"], (o) => new (C(nn.TransformerDecoderLayer))(8, 2, o), "norm_first", "normFirst"],
    ["nn.TransformerDecoderLayer.call", ["tgtMask", "memoryMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask", "tgtIsCausal", "memoryIsCausal"], (o) => dec().call(s, s, o as never), "tgt_is_causal", "tgtIsCausal"],
    ["nn.TransformerEncoder", ["norm"], (o) => new (C(nn.TransformerEncoder))(enc(), 1, o), "norms", "norm"],
    ["nn.TransformerEncoder.call", ["mask", "srcKeyPaddingMask", "isCausal"], (o) => new nn.TransformerEncoder(enc(), 1).call(s, o as never), "srcMask", undefined],
    ["nn.TransformerDecoder", ["norm"], (o) => new (C(nn.TransformerDecoder))(dec(), 1, o), "Norm", "norm"],
    ["nn.TransformerDecoder.call", ["tgtMask", "memoryMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask", "tgtIsCausal", "memoryIsCausal"], (o) => new nn.TransformerDecoder(dec(), 1).call(s, s, o as never), "tgtmask", "tgtMask"],
    ["nn.Transformer", ["dModel", "nhead", "numEncoderLayers", "numDecoderLayers", "dimFeedforward", "dropout", "activation", "layerNormEps", "batchFirst", "normFirst", "bias", "customEncoder", "customDecoder"], (o) => new (C(nn.Transformer))(o), "d_model", "dModel"],
    ["nn.Transformer.call", ["srcMask", "tgtMask", "memoryMask", "srcKeyPaddingMask", "tgtKeyPaddingMask", "memoryKeyPaddingMask", "srcIsCausal", "tgtIsCausal", "memoryIsCausal"], (o) => new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8, dropout: 0 }).call(s, s, o as never), "mask", undefined],
    ["nn.Flatten", ["startDim", "endDim"], (o) => new (C(nn.Flatten))(o), "start_dim", "startDim"],
    ["nn.ReLU", ["inplace"], (o) => new (C(nn.ReLU))(o), "inPlace", "inplace"],
    ["nn.SiLU", ["inplace"], (o) => new (C(nn.SiLU))(o), "in_place", "inplace"],
    ["nn.GELU", ["approximate"], (o) => new (C(nn.GELU))(o), "aproximate", "approximate"],
    ["nn.Softmax", ["dim"], (o) => new (C(nn.Softmax))(o), "dims", "dim"],
    ["nn.LogSoftmax", ["dim"], (o) => new (C(nn.LogSoftmax))(o), "axis", undefined],
    ["nn.LeakyReLU", ["negativeSlope", "inplace"], (o) => new (C(nn.LeakyReLU))(o), "negative_slope", "negativeSlope"],
    ["nn.ELU", ["alpha", "inplace"], (o) => new (C(nn.ELU))(o), "Alpha", "alpha"],
    ["nn.Softplus", ["beta", "threshold"], (o) => new (C(nn.Softplus))(o), "betta", "beta"],
    ["nn.MSELoss", ["reduction"], (o) => new (C(nn.MSELoss))(o), "reductin", "reduction"],
    ["nn.L1Loss", ["reduction"], (o) => new (C(nn.L1Loss))(o), "size_average", undefined],
    ["nn.SmoothL1Loss", ["reduction", "beta"], (o) => new (C(nn.SmoothL1Loss))(o), "Beta", "beta"],
    ["nn.HuberLoss", ["reduction", "delta"], (o) => new (C(nn.HuberLoss))(o), "detla", "delta"],
    ["nn.CrossEntropyLoss", ["weight", "ignoreIndex", "reduction", "labelSmoothing"], (o) => new (C(nn.CrossEntropyLoss))(o), "label_smoothing", "labelSmoothing"],
    ["nn.NLLLoss", ["weight", "ignoreIndex", "reduction"], (o) => new (C(nn.NLLLoss))(o), "ignore_index", "ignoreIndex"],
    ["nn.BCELoss", ["weight", "reduction"], (o) => new (C(nn.BCELoss))(o), "weights", "weight"],
    ["nn.BCEWithLogitsLoss", ["weight", "reduction", "posWeight"], (o) => new (C(nn.BCEWithLogitsLoss))(o), "pos_weight", "posWeight"],
    ["nn.KLDivLoss", ["reduction", "logTarget"], (o) => new (C(nn.KLDivLoss))(o), "log_target", "logTarget"],
  ];
  for (const [name, keys, call, bad, sugg] of cases)
    it(`${name}: unknown key`, () => {
      unknownKey(() => call({ [bad]: 1 }), name, bad, keys, sugg);
      call(undefined);
    });

  it("bare values where a layer's options object belongs", () => {
    bareValue(() => new (C(nn.BatchNorm1d))(3, 1e-3), "nn.BatchNorm1d", ["eps", "momentum", "affine", "trackRunningStats"], "the number 0.001", "eps: 0.001");
    bareValue(() => new (C(nn.LSTM))(3, 4, 2), "nn.LSTM", ["numLayers", "bias", "batchFirst", "dropout", "bidirectional", "projSize"], "the number 2", "numLayers: 2");
    bareValue(() => new (C(nn.Embedding))(10, 3, 0), "nn.Embedding", ["paddingIdx"], "the number 0", "paddingIdx: 0");
    bareValue(() => new (C(nn.MultiheadAttention))(8, 2, 0.1), "nn.MultiheadAttention", ["dropout", "bias", "kdim", "vdim", "batchFirst"], "the number 0.1", "dropout: 0.1");
    bareValue(() => new (C(nn.TransformerEncoderLayer))(8, 2, 16), "nn.TransformerEncoderLayer", ["dimFeedforward", "dropout", "activation", "layerNormEps", "batchFirst", "normFirst", "bias"], "the number 16");
    bareValue(() => new (C(nn.LayerNorm))(3, 1e-6), "nn.LayerNorm", ["eps", "elementwiseAffine", "bias"], "the number 0.000001");
    bareValue(() => new (C(nn.GRUCell))(3, 4, false), "nn.GRUCell", ["bias"], "the boolean false", "bias: false");
    assert.match(messageOf(() => new nn.GELU("tan" as never)), /nn\.GELU: approximate must be "none" or "tanh", got "tan"/);
    assert.match(messageOf(() => new nn.MSELoss("summ" as never)), /nn\.MSELoss: reduction must be "mean", "sum" or "none", got "summ"/);
    assert.match(messageOf(() => new nn.Conv2d(1, 2, 3, { bias: 0 as never })), /nn\.Conv2d: bias must be true or false/);
  });

  it("convention 5 and the other positional forms still work", () => {
    assert.equal(new nn.Dropout(0.1).p, 0.1);
    assert.equal(new nn.LeakyReLU(0.2).negativeSlope, 0.2);
    assert.equal(new nn.LogSoftmax(1).dim, 1);
    assert.equal(new nn.GELU("tanh").approximate, "tanh");
    assert.equal(new nn.MSELoss("sum").reduction, "sum");
    assert.equal(new nn.KLDivLoss("batchmean").reduction, "batchmean");
    assert.equal(new nn.CrossEntropyLoss(dt.ones([3])).weight!.shape[0], 3);
    assert.equal(new nn.Linear(4, 3, false).bias, null);
    new nn.ReLU(true);
    new nn.ReLU({ inplace: true });
    assert.equal(new nn.Transformer(16).dModel, 16);
    assert.equal(new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8, batchFirst: true }).batchFirst, true);
  });
});

describe("new nn.Conv2d(1, 8, 3, 1, 1): PyTorch's positional stride, padding, ...", () => {
  it("gives the same parameters and output as { stride: 1, padding: 1 }", () => {
    const a = new nn.Conv2d(1, 8, 3, 1, 1), b = new nn.Conv2d(1, 8, 3, { stride: 1, padding: 1 });
    b.loadStateDict(a.stateDict());
    assert.deepEqual(a.weight.shape, [8, 1, 3, 3]);
    assert.deepEqual(a.bias!.shape, [8]);
    assert.deepEqual([a.stride, a.padding], [[1, 1], [1, 1]]);
    const inp = dt.randn([2, 1, 6, 6]);
    const ya = a.call(inp), yb = b.call(inp);
    assert.deepEqual(ya.shape, [2, 8, 6, 6]);
    assert.deepEqual(ya.toArray(), yb.toArray());
  });
  it("the rest of PyTorch's order, a trailing options object, and the errors", () => {
    const c = new nn.Conv2d(2, 4, 3, 2, 1, 1, 2, false, "reflect");
    assert.deepEqual([c.stride, c.padding, c.dilation, c.groups, c.bias, c.paddingMode], [[2, 2], [1, 1], [1, 1], 2, null, "reflect"]);
    const m = new nn.Conv2d(1, 8, 3, 2, { padding: 1 });
    assert.deepEqual([m.stride, m.padding], [[2, 2], [1, 1]]);
    assert.deepEqual(new nn.Conv1d(2, 4, 3, 2).call(dt.randn([1, 2, 9])).shape, [1, 4, 4]);
    assert.deepEqual(new nn.Conv2d(1, 2, 3, undefined, "same").call(img).shape, [1, 2, 5, 5]);
    const t = new nn.ConvTranspose2d(4, 2, 3, 2, 1, 1);
    assert.deepEqual(t.outputPadding, [1, 1]);
    assert.deepEqual(t.call(dt.randn([1, 4, 4, 4])).shape, [1, 2, 8, 8]);
    assert.deepEqual(new nn.ConvTranspose2d(4, 2, 3, 1, 0, 0, 1, true, 2).dilation, [2, 2]);
    assert.deepEqual(new nn.ConvTranspose1d(4, 2, 3, 2, { outputPadding: 1 }).outputPadding, [1]);
    assert.match(messageOf(() => new nn.Conv2d(1, 8, 3, 2, { stride: 1 } as never)), /nn\.Conv2d: 'stride' is given both positionally and in the options object/);
    assert.match(messageOf(() => new (C(nn.Conv2d))(1, 8, 3, 1, 1, 1, 1, true, "zeros", 5)), /nn\.Conv2d: too many arguments: 7 after the required ones, but only 6 \(stride, padding, dilation, groups, bias, paddingMode\)/);
    assert.match(messageOf(() => new (C(nn.Conv2d))(1, 8, 3, 1, 1, 1, 1, 1)), /nn\.Conv2d: bias must be true or false, got the number 1/);
    assert.match(messageOf(() => new (C(nn.Conv2d))(1, 8, 3, "2")), /nn\.Conv2d: stride must be an integer/);
  });
  it("pool modules take PyTorch's positional order too", () => {
    const a = dt.arange(25).to("float32").reshape(1, 1, 5, 5);
    assert.deepEqual(new nn.MaxPool2d(3, 1, 1).call(a).toArray(), F.maxPool2d(a, 3, { stride: 1, padding: 1 }).toArray());
    assert.deepEqual(new nn.MaxPool2d(2, 2, 0, 1, true).forwardWithIndices(a)[1].shape, [1, 1, 2, 2]);
    assert.deepEqual(new nn.AvgPool2d(3, 2, 1, false, false).call(a).toArray(), F.avgPool2d(a, 3, { stride: 2, padding: 1, countIncludePad: false }).toArray());
    assert.deepEqual(new nn.AvgPool1d(2, 1).call(dt.tensor([[[1, 3, 5]]])).toArray(), [[[2, 4]]]);
    assert.match(messageOf(() => new (C(nn.AvgPool1d))(2, 1, 0, false, true, 3)), /nn\.AvgPool1d: too many arguments/);
  });
});

describe("tensor ops, autograd, init and utils", () => {
  const CREATION = ["dtype", "requiresGrad"];
  it("creation functions", () => {
    unknownKey(() => dt.tensor([1], { dtyp: "float64" } as never), "dt.tensor", "dtyp", ["dtype", "shape", "requiresGrad"], "dtype");
    bareValue(() => dt.tensor([1], "float64" as never), "dt.tensor", ["dtype", "shape", "requiresGrad"], 'the string "float64"', 'dtype: "float64"');
    unknownKey(() => dt.zeros([2], { requires_grad: true } as never), "dt.zeros", "requires_grad", CREATION, "requiresGrad");
    unknownKey(() => dt.zeros(2, 3, { device: "cpu" } as never), "dt.zeros", "device", CREATION);
    unknownKey(() => dt.ones([2], { dtpe: "int32" } as never), "dt.ones", "dtpe", CREATION, "dtype");
    unknownKey(() => dt.full([2], 1, { dtyp: "int32" } as never), "dt.full", "dtyp", CREATION, "dtype");
    bareValue(() => dt.full([2], 1, "int32" as never), "dt.full", CREATION, 'the string "int32"');
    unknownKey(() => dt.zerosLike(x, { Dtype: "int32" } as never), "dt.zerosLike", "Dtype", CREATION, "dtype");
    unknownKey(() => dt.onesLike(x, { dtype_: "int32" } as never), "dt.onesLike", "dtype_", CREATION, "dtype");
    unknownKey(() => dt.fullLike(x, 2, { dtyp: "int32" } as never), "dt.fullLike", "dtyp", CREATION, "dtype");
    unknownKey(() => dt.arange(5, { dtyp: "float32" } as never), "dt.arange", "dtyp", CREATION, "dtype");
    unknownKey(() => dt.linspace(0, 1, 5, { dtyp: "float64" } as never), "dt.linspace", "dtyp", CREATION, "dtype");
    unknownKey(() => dt.eye(2, { dtyp: "float64" } as never), "dt.eye", "dtyp", CREATION, "dtype");
    unknownKey(() => dt.rand([2], { seed: 1 } as never), "dt.rand", "seed", CREATION);
    unknownKey(() => dt.randn(2, 2, { requiresgrad: true } as never), "dt.randn", "requiresgrad", CREATION, "requiresGrad");
    unknownKey(() => dt.randint(0, 5, [2], { dtyp: "int32" } as never), "dt.randint", "dtyp", CREATION, "dtype");
    unknownKey(() => dt.randperm(3, { dtyp: "int32" } as never), "dt.randperm", "dtyp", CREATION, "dtype");
    bareValue(() => dt.randperm(3, "int32" as never), "dt.randperm", CREATION, 'the string "int32"');
    assert.equal(dt.zeros([2], { dtype: "int32" }).dtype, "int32");
    assert.equal(dt.randn(2, 2, { requiresGrad: true }).requiresGrad, true);
  });
  it("var / std options (and PyTorch's unbiased)", () => {
    const v = dt.tensor([[1, 2, 3, 4]]);
    unknownKey(() => v.var({ correctoin: 0 } as never), "var", "correctoin", ["correction", "keepdim", "unbiased"], "correction");
    unknownKey(() => dt.var(v, 1, { keep_dim: true } as never), "var", "keep_dim", ["correction", "keepdim", "unbiased"], "keepdim");
    unknownKey(() => v.std({ ddof: 0 } as never), "var", "ddof", ["correction", "keepdim", "unbiased"]);
    bareValue(() => dt.var(v, 1, 0 as never), "var", ["correction", "keepdim", "unbiased"], "the number 0", "correction: 0");
    assert.ok(Math.abs(v.var({ unbiased: false } as never).item() - 1.25) < 1e-6);
    assert.deepEqual(dt.std(v, 1, { unbiased: true, keepdim: true } as never).shape, [1, 1]);
    assert.throws(() => v.var({ unbiased: false, correction: 0 } as never), /either correction or unbiased/);
    assert.ok(Math.abs(v.var({ correction: 0 }).item() - 1.25) < 1e-6);
  });
  it("backward and dt.grad", () => {
    const a = dt.tensor([1, 2], { requiresGrad: true });
    unknownKey(() => a.mul(2).sum().backward(null, { retain_graph: true } as never), "backward", "retain_graph", ["retainGraph", "createGraph"], "retainGraph");
    unknownKey(() => dt.grad(a.mul(2).sum(), [a], { create_graph: true } as never), "dt.grad", "create_graph", ["gradOutputs", "retainGraph", "createGraph", "allowUnused"], "createGraph");
    bareValue(() => dt.grad(a.mul(2).sum(), [a], true as never), "dt.grad", ["gradOutputs", "retainGraph", "createGraph", "allowUnused"], "the boolean true");
  });
  it("nn.init functions", () => {
    const w = dt.zeros([3, 4]);
    unknownKey(() => nn.init.uniform_(w, { low: -1 } as never), "nn.init.uniform_", "low", ["a", "b"]);
    unknownKey(() => nn.init.normal_(w, { sdt: 1 } as never), "nn.init.normal_", "sdt", ["mean", "std"], "std");
    unknownKey(() => nn.init.truncNormal_(w, { Std: 1 } as never), "nn.init.truncNormal_", "Std", ["mean", "std", "a", "b"], "std");
    bareValue(() => nn.init.truncNormal_(w, 1 as never), "nn.init.truncNormal_", ["mean", "std", "a", "b"], "the number 1", "mean: 1");
    unknownKey(() => nn.init.xavierUniform_(w, { gian: 1 } as never), "nn.init.xavierUniform_", "gian", ["gain"], "gain");
    unknownKey(() => nn.init.xavierNormal_(w, { Gain: 1 } as never), "nn.init.xavierNormal_", "Gain", ["gain"], "gain");
    unknownKey(() => nn.init.kaimingUniform_(w, { Mode: "fan_in" } as never), "nn.init.kaimingUniform_", "Mode", ["a", "mode", "nonlinearity"], "mode");
    unknownKey(() => nn.init.kaimingNormal_(w, { non_linearity: "relu" } as never), "nn.init.kaimingNormal_", "non_linearity", ["a", "mode", "nonlinearity"], "nonlinearity");
    unknownKey(() => nn.init.orthogonal_(w, { gains: 1 } as never), "nn.init.orthogonal_", "gains", ["gain"], "gain");
    nn.init.uniform_(w, -0.1, 0.1);
    nn.init.kaimingUniform_(w, Math.sqrt(5));
  });
  it("clipGradNorm_ and Module methods", () => {
    const lin = new nn.Linear(2, 2);
    unknownKey(() => nn.utils.clipGradNorm_(lin.parameters(), 1, { norm_type: 2 } as never), "nn.utils.clipGradNorm_", "norm_type", ["normType", "errorIfNonfinite"], "normType");
    nn.utils.clipGradNorm_(lin.parameters(), 1, 2);
    unknownKey(() => lin.numParameters({ trainable: true } as never), "numParameters", "trainable", ["trainableOnly"]);
    unknownKey(() => lin.loadStateDict(lin.stateDict(), { strickt: false } as never), "loadStateDict", "strickt", ["strict"], "strict");
    const sd = lin.stateDict();
    delete sd.bias;
    assert.deepEqual(lin.loadStateDict(sd, false).missingKeys, ["bias"]);
    bareValue(() => lin.loadStateDict(lin.stateDict(), "no" as never), "loadStateDict", ["strict"], 'the string "no"');
  });
});

describe("optimisers and schedulers", () => {
  const p = () => [dt.zeros([2], { requiresGrad: true })];
  it("optimisers", () => {
    bareValue(() => new (C(optim.SGD))(p(), 0.1), "SGD", ["lr", "momentum", "dampening", "weightDecay", "nesterov", "maximize"], "the number 0.1", "lr: 0.1");
    unknownKey(() => new optim.SGD(p(), { learningRate: 0.1 } as never), "SGD", "learningRate", ["lr", "momentum", "dampening", "weightDecay", "nesterov", "maximize"]);
    unknownKey(() => new optim.Adam(p(), { weight_decay: 0.1 } as never), "Adam", "weight_decay", ["lr", "betas", "eps", "weightDecay", "amsgrad", "maximize"], "weightDecay");
    unknownKey(() => new optim.AdamW(p(), { beta: [0.9, 0.99] } as never), "AdamW", "beta", ["lr", "betas", "eps", "weightDecay", "amsgrad", "maximize"], "betas");
    unknownKey(() => new optim.RMSprop(p(), { centred: true } as never), "RMSprop", "centred", ["lr", "alpha", "eps", "weightDecay", "momentum", "centered", "maximize"], "centered");
    unknownKey(() => new optim.SGD(p()).zeroGrad({ set_to_none: false } as never), "SGD.zeroGrad", "set_to_none", ["setToNone"], "setToNone");
    unknownKey(() => new optim.Adagrad(p(), { lr_decay: 0.1 } as never), "Adagrad", "lr_decay", ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps", "maximize"], "lrDecay");
  });
  it("every scheduler", () => {
    const S = optim.lrScheduler;
    const opt = () => new optim.SGD(p(), { lr: 0.1 });
    const n = (c: string) => `optim.lrScheduler.${c}`;
    unknownKey(() => new S.LambdaLR(opt(), () => 1, { last_epoch: -1 } as never), n("LambdaLR"), "last_epoch", ["lastEpoch"], "lastEpoch");
    bareValue(() => new (C(S.StepLR))(opt(), 10, 0.5), n("StepLR"), ["gamma", "lastEpoch"], "the number 0.5", "gamma: 0.5");
    unknownKey(() => new S.StepLR(opt(), 10, { gama: 0.5 } as never), n("StepLR"), "gama", ["gamma", "lastEpoch"], "gamma");
    unknownKey(() => new S.MultiStepLR(opt(), [2], { Gamma: 0.5 } as never), n("MultiStepLR"), "Gamma", ["gamma", "lastEpoch"], "gamma");
    unknownKey(() => new S.ExponentialLR(opt(), 0.9, { gamma: 0.5 } as never), n("ExponentialLR"), "gamma", ["lastEpoch"]);
    unknownKey(() => new S.CosineAnnealingLR(opt(), 10, { eta_min: 0 } as never), n("CosineAnnealingLR"), "eta_min", ["etaMin", "lastEpoch"], "etaMin");
    unknownKey(() => new S.CosineAnnealingWarmRestarts(opt(), 10, { t_mult: 2 } as never), n("CosineAnnealingWarmRestarts"), "t_mult", ["tMult", "etaMin", "lastEpoch"], "tMult");
    unknownKey(() => new S.ConstantLR(opt(), { total_iters: 2 } as never), n("ConstantLR"), "total_iters", ["factor", "totalIters", "lastEpoch"], "totalIters");
    unknownKey(() => new S.PolynomialLR(opt(), { powr: 2 } as never), n("PolynomialLR"), "powr", ["totalIters", "power", "lastEpoch"], "power");
    unknownKey(() => new S.MultiplicativeLR(opt(), () => 0.9, { lastepoch: 1 } as never), n("MultiplicativeLR"), "lastepoch", ["lastEpoch"], "lastEpoch");
    unknownKey(() => new S.LinearLR(opt(), { start_factor: 0.5 } as never), n("LinearLR"), "start_factor", ["startFactor", "endFactor", "totalIters", "lastEpoch"], "startFactor");
    unknownKey(() => new S.OneCycleLR(opt(), 0.1, { total_steps: 10 } as never), n("OneCycleLR"), "total_steps", ["totalSteps", "epochs", "stepsPerEpoch", "pctStart", "annealStrategy", "cycleMomentum", "baseMomentum", "maxMomentum", "divFactor", "finalDivFactor", "threePhase", "lastEpoch"], "totalSteps");
    unknownKey(() => new S.ReduceLROnPlateau(opt(), { min_lr: 0 } as never), n("ReduceLROnPlateau"), "min_lr", ["mode", "factor", "patience", "threshold", "thresholdMode", "cooldown", "minLr", "eps"], "minLr");
    const o = opt();
    unknownKey(() => new S.SequentialLR(o, [new S.ConstantLR(o), new S.ExponentialLR(o, 0.9)], [2], { verbose: true } as never), n("SequentialLR"), "verbose", ["lastEpoch"]);
  });
});

describe("data, io, train and metrics", () => {
  const ds = new dt.data.TensorDataset(dt.randn([8, 2]), dt.zeros([8]));
  it("DataLoader", () => {
    const keys = ["batchSize", "shuffle", "dropLast", "collate", "collateFn"];
    unknownKey(() => new dt.data.DataLoader(ds, { batch_size: 4 } as never), "DataLoader", "batch_size", keys, "batchSize");
    bareValue(() => new dt.data.DataLoader(ds, 4 as never), "DataLoader", keys, "the number 4", "batchSize: 4");
    assert.equal(new dt.data.DataLoader(ds, { batchSize: 4 }).length, 2);
  });
  it("io", async () => {
    const sd = { a: dt.zeros([2]) };
    unknownKey(() => dt.io.saveBytes(sd, { metdata: {} } as never), "io.saveBytes", "metdata", ["metadata"], "metadata");
    const bytes = dt.io.saveBytes(sd, { metadata: { k: "v" } });
    bareValue(() => dt.io.loadBytes(bytes, "file.safetensors" as never), "io.loadBytes", ["source"], 'the string "file.safetensors"', 'source: "file.safetensors"');
    unknownKey(() => dt.io.loadBytes(bytes, { src: "x" } as never), "io.loadBytes", "src", ["source"]);
    unknownKey(() => dt.io.metadataOfBytes(bytes, { sourc: "x" } as never), "io.metadataOfBytes", "sourc", ["source"], "source");
    const dir = mkdtempSync(join(tmpdir(), "dt-options-"));
    try {
      unknownKey(() => dt.io.saveSync(sd, join(dir, "a.safetensors"), { meta: {} } as never), "io.saveSync", "meta", ["metadata"]);
      await assert.rejects(dt.io.save(sd, join(dir, "b.safetensors"), { Metadata: {} } as never), /io\.save: unknown option 'Metadata' \(did you mean 'metadata'\?\); accepted options: metadata/);
      unknownKey(() => dt.data.readCsv(join(dir, "none.csv"), { delimeter: ";" } as never), "data.readCsv", "delimeter", ["header", "delimiter", "skipRows", "dtype"], "delimiter");
      unknownKey(() => dt.data.readImage(join(dir, "none.png"), { Mode: "rgb" } as never), "data.readImage", "Mode", ["mode", "dtype"], "mode");
      unknownKey(() => dt.data.datasets.mnistSync({ roots: dir } as never), "data.datasets.mnistSync", "roots", ["root", "train"], "root");
      unknownKey(() => dt.data.datasets.mnistSync({ download: true } as never), "data.datasets.mnistSync", "download", ["root", "train"]);
      unknownKey(() => dt.data.datasets.mnist({ dowload: true } as never), "data.datasets.mnist", "dowload", ["root", "train", "download", "mirrors"], "download");
      unknownKey(() => dt.data.datasets.fashionMnist({ trian: false } as never), "data.datasets.fashionMnist", "trian", ["root", "train", "download", "mirrors"], "train");
      unknownKey(() => dt.data.datasets.fashionMnistSync({ Root: dir } as never), "data.datasets.fashionMnistSync", "Root", ["root", "train"], "root");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    unknownKey(() => dt.data.parseCsv("a,b\n1,2\n", { skip_rows: 1 } as never), "data.parseCsv", "skip_rows", ["header", "delimiter", "skipRows", "dtype"], "skipRows");
    unknownKey(() => dt.data.decodeImage(new Uint8Array(8), { mod: "rgb" } as never), "data.decodeImage", "mod", ["mode", "dtype", "source"], "mode");
    unknownKey(() => dt.data.decodeWav(new Uint8Array(8), { src: "a.wav" } as never), "data.decodeWav", "src", ["source"]);
  });
  it("fit, evaluate, callbacks, Progress, lineChart", async () => {
    const model = new nn.Linear(2, 1);
    const loader = new dt.data.DataLoader(new dt.data.TensorDataset(dt.randn([4, 2]), dt.randn([4, 1])), { batchSize: 2 });
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
    await assert.rejects(
      dt.fit(model, { train: loader, epoch: 1, optimizer, lossFn: F.mseLoss } as never),
      /fit: unknown option 'epoch' \(did you mean 'epochs'\?\); accepted options: train, val, epochs, optimizer, lossFn, metrics, scheduler/,
    );
    await assert.rejects(dt.evaluate(model, loader, { loss_fn: F.mseLoss } as never), /evaluate: unknown option 'loss_fn' \(did you mean 'lossFn'\?\); accepted options: lossFn, metrics, limitBatches, maxExamples, imageShape/);
    unknownKey(() => dt.earlyStopping({ patiance: 3 } as never), "earlyStopping", "patiance", ["monitor", "mode", "minDelta", "patience", "restoreBestWeights"], "patience");
    bareValue(() => dt.earlyStopping(3 as never), "earlyStopping", ["monitor", "mode", "minDelta", "patience", "restoreBestWeights"], "the number 3", "monitor: 3");
    unknownKey(() => dt.bestCheckpoint({ min_delta: 0.1 } as never), "bestCheckpoint", "min_delta", ["monitor", "mode", "minDelta", "path"], "minDelta");
    unknownKey(() => new dt.train.Progress({ lines: 3 } as never), "Progress", "lines", ["stream", "tty", "linesPerEpoch"]);
    unknownKey(() => dt.train.lineChart([], { titel: "x" } as never), "lineChart", "titel", ["title", "xLabel", "yLabel", "width", "height", "logY"], "title");
  });
  it("metrics", () => {
    const p = [0, 1, 1], t = [0, 1, 0];
    unknownKey(() => dt.metrics.confusionMatrix(p, t, { num_classes: 2 } as never), "metrics.confusionMatrix", "num_classes", ["numClasses"], "numClasses");
    const keys = ["average", "numClasses", "zeroDivision"];
    unknownKey(() => dt.metrics.precision(p, t, { averag: "macro" } as never), "metrics.precision", "averag", keys, "average");
    unknownKey(() => dt.metrics.recall(p, t, { zero_division: 1 } as never), "metrics.recall", "zero_division", keys, "zeroDivision");
    unknownKey(() => dt.metrics.f1(p, t, { avg: "macro" } as never), "metrics.f1", "avg", keys);
    bareValue(() => dt.metrics.f1(p, t, "macro" as never), "metrics.f1", keys, 'the string "macro"', 'average: "macro"');
    unknownKey(() => dt.metrics.logLoss([0.2, 0.8], [0, 1], { Eps: 1e-9 } as never), "metrics.logLoss", "Eps", ["eps"], "eps");
  });
});

describe("the ops added with issue 10 check their options too", () => {
  const v = dt.tensor([3, 1, 2, 1]);
  it("sort, argsort, topk, nonzero, unique", () => {
    unknownKey(() => f(dt.sort)(v, { descnding: true }), "dt.sort", "descnding", ["dim", "descending", "stable"], "descending");
    bareValue(() => f(dt.sort)(v, 0), "dt.sort", ["dim", "descending", "stable"], "the number 0");
    unknownKey(() => f(dt.argsort)(v, { dims: 0 }), "dt.argsort", "dims", ["dim", "descending", "stable"], "dim");
    unknownKey(() => f(dt.topk)(v, 2, { largst: false }), "dt.topk", "largst", ["dim", "largest", "sorted"], "largest");
    bareValue(() => f(dt.topk)(v, 2, 0), "dt.topk", ["dim", "largest", "sorted"], "the number 0");
    unknownKey(() => f(dt.nonzero)(v, { as_tuple: true }), "dt.nonzero", "as_tuple", ["asTuple"], "asTuple");
    unknownKey(() => f(dt.unique)(v, { returnCount: true }), "dt.unique", "returnCount", ["sorted", "returnInverse", "returnCounts", "dim"], "returnCounts");
  });
  it("F.interpolate, F.normalize, F.cosineSimilarity, F.dropout2d and their modules", () => {
    unknownKey(() => f(F.interpolate)(img, { scale_factor: 2 }), "F.interpolate", "scale_factor", ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"], "scaleFactor");
    unknownKey(() => f(F.normalize)(x, { dims: 1 }), "F.normalize", "dims", ["p", "dim", "eps"], "dim");
    bareValue(() => f(F.normalize)(x, 2), "F.normalize", ["p", "dim", "eps"], "the number 2");
    unknownKey(() => f(F.cosineSimilarity)(x, x, { epsilon: 1 }), "F.cosineSimilarity", "epsilon", ["dim", "eps"]);
    unknownKey(() => f(F.dropout2d)(img, { P: 0.1 }), "F.dropout2d", "P", ["p", "training", "inplace"], "p");
    unknownKey(() => new (C(nn.Upsample))({ scale: 2 }), "nn.Upsample", "scale", ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"]);
    unknownKey(() => new (C(nn.PReLU))({ numParameter: 3 }), "nn.PReLU", "numParameter", ["numParameters", "init"], "numParameters");
    unknownKey(() => new (C(nn.Dropout2d))({ prob: 0.1 }), "nn.Dropout2d", "prob", ["p", "inplace"]);
  });
});
