// Compile-time test of the published types (checked by `npm run typecheck`, part of `npm test`;
// never run). Each call after `// @ts-expect-error` must fail to compile under strict tsc: if a
// signature loosens (a parameter becomes `any`, an options type loses its excess-property check),
// the directive is unused, which is itself an error. The calls in `mustCompile` must keep compiling.

import * as dt from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const { nn, optim, data, io, metrics, train } = dt;
const F = nn.functional;

export function mustNotCompile(x: Tensor, idx: Tensor): void {
  // ---- ops as functions
  // @ts-expect-error dim is a number
  dt.cat([x, x], "1");
  // @ts-expect-error cat takes an array of tensors
  dt.cat(x, 0);
  // @ts-expect-error stack takes an array of tensors
  dt.stack(x);
  // @ts-expect-error dim is a number
  dt.stack([x, x], "0");
  // @ts-expect-error dim is a number
  dt.split(x, 2, "1");
  // @ts-expect-error chunks is a number
  dt.chunk(x, "2");
  // @ts-expect-error keepdim is a boolean
  dt.sum(x, 0, "yes");
  // @ts-expect-error keepdim is a boolean
  dt.mean(x, [0, 1], 1);
  // @ts-expect-error keepdim is a boolean
  dt.logsumexp(x, 1, "true");
  // @ts-expect-error dim is a number or number[]
  dt.amax(x, "0");
  // @ts-expect-error k is a number
  dt.tril(x, "1");
  // @ts-expect-error numClasses is a number
  dt.oneHot(idx, "10");
  // @ts-expect-error step is a number
  dt.slice(x, 0, 0, 4, "2");
  // @ts-expect-error shape entries are numbers
  dt.zeros(["2", 3]);
  // @ts-expect-error an unknown dtype
  dt.ones([2], { dtype: "float16" });
  // @ts-expect-error the index tensor is required
  dt.gather(x, 1);
  // @ts-expect-error a string is not an operand
  dt.add(x, "1");

  // ---- the same ops as methods
  // @ts-expect-error startDim and endDim are numbers
  x.flatten("a", {});
  // @ts-expect-error keepdim is a boolean
  x.sum(0, "yes");
  // @ts-expect-error keepdim is a boolean
  x.prod(0, 1);
  // @ts-expect-error dim is a number
  x.split(2, "0");
  // @ts-expect-error dim is a number
  x.chunk(2, "0");
  // @ts-expect-error dims are numbers
  x.transpose("0", 1);
  // @ts-expect-error dim is required
  x.unsqueeze();
  // @ts-expect-error max(dim) takes a number dim
  x.max("1");
  // @ts-expect-error softmax needs its dim
  x.softmax();
  // @ts-expect-error an unknown dtype
  x.to("int64");
  // @ts-expect-error fill_ takes a number
  x.fill_("0");
  // @ts-expect-error max(dim) gives { values, indices }, not a Tensor
  x.max(1).sum();

  // ---- nn.functional
  // @ts-expect-error softmax needs its dim
  F.softmax(x);
  // @ts-expect-error dropout's p goes in the options object
  F.dropout(x, 0.9);
  // @ts-expect-error options object: unknown key
  F.dropout(x, { prob: 0.9 });
  // @ts-expect-error the weight is a tensor
  F.linear(x, [1, 2]);
  // @ts-expect-error options object: misspelt key (a positional stride is left open: PyTorch allows it)
  F.conv2d(x, x, null, { strides: 2 });
  // @ts-expect-error reduction is "mean" | "sum" | "none"
  F.crossEntropy(x, idx, { reduction: "avg" });
  // @ts-expect-error options object: misspelt key
  F.crossEntropy(x, idx, { labelSmooting: 0.1 });
  // @ts-expect-error approximate is "none" | "tanh"
  F.gelu(x, { approximate: "fast" });

  // ---- layers
  // @ts-expect-error inFeatures is a number
  new nn.Linear("3", 4);
  // @ts-expect-error options object: misspelt key
  new nn.Linear(3, 4, { bais: false });
  // @ts-expect-error options object: misspelt key
  new nn.Conv2d(1, 8, 3, { paddng: 1 });
  // @ts-expect-error options object: unknown key
  new nn.LSTM(4, 8, { layers: 2 });
  // @ts-expect-error a layer's call takes its forward's arguments
  new nn.Linear(3, 4).call(x, x);
  // @ts-expect-error a Linear's output is a Tensor, not a tuple
  const [a] = new nn.Linear(3, 4).call(x);
  void a;
  // @ts-expect-error LSTM's state is a [h, c] pair
  new nn.LSTM(4, 8).call(x, x);
  // @ts-expect-error an Embedding's sizes are numbers
  new nn.Embedding(10, "4");
  // @ts-expect-error a forward hook's output is typed from the module's forward (a Linear: Tensor)
  new nn.Linear(3, 4).registerForwardHook((_m, _args, out) => { void out.notAMethod(); });
  // @ts-expect-error a forward hook's replacement output has the forward's return type
  new nn.Linear(3, 4).registerForwardHook(() => 42);
  // @ts-expect-error a pre-hook's replacement arguments are the forward's (a Linear: one Tensor)
  new nn.Linear(3, 4).registerForwardPreHook(() => ["x"]);

  // ---- optim
  const opt = new optim.SGD(new nn.Linear(3, 4).parameters(), { lr: 0.1 });
  // @ts-expect-error step takes an optional closure, not a number
  opt.step(1);
  // @ts-expect-error options object: misspelt key
  new optim.Adam([x], { learningRate: 1e-3 });
  // @ts-expect-error betas is a pair
  new optim.Adam([x], { betas: 0.9 });
  // @ts-expect-error stepSize is a number
  new optim.lrScheduler.StepLR(opt, "10");
  // @ts-expect-error a scheduler takes an optimiser
  new optim.lrScheduler.ExponentialLR([x], 0.9);

  // ---- data
  // @ts-expect-error a TensorDataset holds tensors
  new data.TensorDataset([1, 2, 3]);
  const ds = new data.TensorDataset(x, idx);
  // @ts-expect-error batchSize is a number
  new data.DataLoader(ds, { batchSize: "32" });
  // @ts-expect-error options object: misspelt key
  new data.DataLoader(ds, { shufle: true });
  // @ts-expect-error lengths is an array
  data.randomSplit(ds, 0.8);

  // ---- io, metrics, train
  // @ts-expect-error the path comes second
  void io.save("model.safetensors", { w: x });
  // @ts-expect-error a record of tensors
  void io.save({ w: [1, 2] }, "model.safetensors");
  // @ts-expect-error a path is a string
  void io.load(42);
  // @ts-expect-error predictions are tensors or arrays of numbers
  metrics.accuracy("a", idx);
  // @ts-expect-error epochs is a number
  void train.fit(new nn.Linear(3, 4), { train: [], epochs: "3", optimizer: opt, lossFn: F.mseLoss });
  // @ts-expect-error lossFn's first argument is what the model returns (an LSTM: a tuple)
  void train.fit(new nn.LSTM(3, 4), { train: [], epochs: 1, optimizer: opt, lossFn: (out: Tensor, t: Tensor) => F.mseLoss(out, t) });
  // @ts-expect-error lossFn's output is typed from the model (a Linear: Tensor, which has no such method)
  void train.fit(new nn.Linear(3, 4), { train: [], epochs: 1, optimizer: opt, lossFn: (o, t) => o.notAMethod(t) });
  // @ts-expect-error a loss object's call returns a Tensor
  void train.evaluate(new nn.Linear(3, 4), [], { lossFn: { call: (o: Tensor, t: Tensor) => o.sub(t).mean().item() } });
  // @ts-expect-error an unknown metric name
  void train.evaluate(new nn.Linear(3, 4), [], { metrics: ["acc"] });
}

export async function mustCompile(x: Tensor, idx: Tensor): Promise<void> {
  const y: Tensor = dt.cat([x, x], 1).flatten(0, -1).sum(0, true).mean();
  const parts: Tensor[] = dt.split(x, [1, 2], -1);
  const { values, indices } = x.max(1, true);
  const [v2, i2] = x.min(0);
  const m = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
  const out = m.call(x);
  const lstm = new nn.LSTM(3, 4, { numLayers: 2, batchFirst: true });
  const [seq, [h, c]] = lstm.call(x);
  const conv = new nn.Conv2d(1, 8, 3, { padding: 1, bias: false });
  const opt = new optim.Adam(m.parameters(), { lr: 1e-3, betas: [0.9, 0.999] });
  opt.zeroGrad();
  F.crossEntropy(out, idx, { labelSmoothing: 0.1 }).backward();
  opt.step();
  const sched = new optim.lrScheduler.StepLR(opt, 10, { gamma: 0.5 });
  sched.step();
  const loader = new data.DataLoader(new data.TensorDataset(x, idx), { batchSize: 2, shuffle: true });
  for (const [xb, yb] of loader) void [xb.shape, yb.shape];
  await io.save({ y }, "/dev/null");
  // fit infers lossFn's argument types from the model (Tensor here)
  await train.fit(m, { train: loader, epochs: 1, optimizer: opt, lossFn: (o, t) => F.crossEntropy(o, t) });
  await train.fit(m, { train: loader, epochs: 1, optimizer: opt, lossFn: F.crossEntropy });
  await train.fit(new nn.Linear(3, 2), { train: loader, epochs: 1, optimizer: opt, lossFn: (o, t) => o.sub(t).square().mean() });
  await train.evaluate(m, loader, { lossFn: new nn.CrossEntropyLoss(), metrics: ["accuracy"] });
  await train.fit(lstm, { train: loader, epochs: 1, optimizer: opt, lossFn: ([o], t) => F.mseLoss(o, t) });
  // forward hooks take their types from the module's forward; a hook on a plain Module fits any module
  const lin = new nn.Linear(3, 2);
  lin.registerForwardPreHook((mod, [inp]) => { void [mod.inFeatures, inp.shape]; });
  lin.registerForwardPreHook((_m, [inp]) => [inp.mul(2)]).remove();
  lin.registerForwardHook((_m, _args, o) => o.mul(0)).remove();
  const anyModule: dt.nn.ForwardHook = (mod, _args, o) => { void [mod.training, o]; };
  lin.registerForwardHook(anyModule);
  m.registerForwardHook(anyModule);
  const rows: number[][] = x.toArray();
  void [parts, values, indices, v2, i2, seq, h, c, conv, rows];
}
