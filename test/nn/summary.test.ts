// nn.summary in torchinfo 1.8's default layout, and the forward hooks it is built on.
//
// test/fixtures/nn/lenet_summary.txt is written by hand to torchinfo's layout (torchinfo is not
// installable here): a 40-wide name column and 25-wide columns, each cell followed by one space and
// the line right-trimmed, "=" dividers 90 wide, `├─` rows at depth 1, "--" for layers without
// parameters. Its figures, checked by hand for the LeNet-5 below on one 1x28x28 image:
//   params   conv1 1*6*25+6 = 156, conv2 6*16*25+16 = 2,416, fc1 400*120+120 = 48,120,
//            fc2 120*84+84 = 10,164, fc3 84*10+10 = 850; total 61,706
//   mult-adds (torchinfo: a conv's weight+bias elements x N x output H x W, a linear's x N)
//            156*28*28 + 2416*10*10 + 48120 + 10164 + 850 = 423,038 -> "(M): 0.42"
//   sizes    input 784*4 B = 0.00 MB; forward/backward 2 x (4704 + 1600 + 120 + 84 + 10)*4 B
//            = 52,144 B = 0.05 MB; params 61,706*4 B = 0.25 MB; total 302,104 B = 0.30 MB

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import * as dt from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const { nn } = dt;
const FIX = fileURLToPath(new URL("../fixtures/nn/", import.meta.url));

function lenet() {
  return new nn.Sequential(
    new nn.Conv2d(1, 6, 5, { padding: 2 }), new nn.ReLU(), new nn.MaxPool2d(2),
    new nn.Conv2d(6, 16, 5), new nn.ReLU(), new nn.MaxPool2d(2), new nn.Flatten(),
    new nn.Linear(400, 120), new nn.ReLU(), new nn.Linear(120, 84), new nn.ReLU(), new nn.Linear(84, 10),
  );
}

test("LeNet-5 summary is torchinfo's layout, text for text", () => {
  const model = lenet();
  model.train();
  const printed: string[] = [];
  const log = console.log;
  console.log = (s: string) => printed.push(s);
  let stats;
  try {
    stats = nn.summary(model, [1, 1, 28, 28]);
  } finally {
    console.log = log;
  }
  const expected = fs.readFileSync(FIX + "lenet_summary.txt", "utf8").trimEnd();
  assert.equal(printed.join("\n"), expected);
  assert.equal(stats.toString(), expected);
  assert.equal(stats.totalParams, 61706);
  assert.equal(stats.trainableParams, 61706);
  assert.equal(stats.nonTrainableParams, 0);
  assert.equal(stats.totalMultAdds, 423038);
  assert.equal(stats.layers.length, 13);
  assert.deepEqual(
    stats.layers.slice(0, 3).map((l) => [l.name, l.type, l.depth, l.outputShape, l.numParams, l.trainable]),
    [["", "Sequential", 0, [1, 10], 61706, true], ["0", "Conv2d", 1, [1, 6, 28, 28], 156, true], ["1", "ReLU", 1, [1, 6, 28, 28], 0, false]],
  );
  // the model is left as it was: training mode kept, no hooks, no gradients
  assert.ok(model.modules().every((m) => m.training));
  assert.ok(model.parameters().every((p) => p.grad === null));
  assert.ok(model.modules().every((m) => (m as unknown as { _hooks?: unknown })._hooks === undefined));
  // sample tensors instead of a shape give the same table
  assert.equal(nn.summary(model, dt.randn([1, 1, 28, 28]), { print: false }).toString(), expected);
});

class Net extends nn.Module {
  features = new nn.Sequential(new nn.Conv2d(1, 2, 3), new nn.ReLU(), new nn.Flatten());
  blocks = new nn.ModuleList([new nn.Linear(8, 8), new nn.Linear(8, 8)]);
  head = new nn.Linear(8, 2);
  override forward(x: Tensor): Tensor {
    x = this.features.call(x);
    x = this.blocks.get(0).call(x);
    x = this.blocks.get(1).call(x);
    x = this.blocks.get(0).call(x); // called again: "(recursive)", not counted twice
    return this.head.call(x);
  }
}

const DIV = "=".repeat(90);
const HEAD = `${DIV}\nLayer (type:depth-idx)                   Output Shape              Param #\n${DIV}`;
const TAIL = (trainable: string, frozen: string) => `${DIV}
Total params: 182
Trainable params: ${trainable}
Non-trainable params: ${frozen}
Total mult-adds (M): 0.00
${DIV}
Input size (MB): 0.00
Forward/backward pass size (MB): 0.00
Params size (MB): 0.00
Estimated Total Size (MB): 0.00
${DIV}`;

test("nested Sequential, an uncalled ModuleList, a module called twice, a frozen layer, depth", () => {
  const net = new Net();
  net.head.requiresGrad_(false);
  const s = nn.summary(net, [1, 1, 4, 4], { print: false });
  assert.equal(s.toString(), `${HEAD}
Net                                      [1, 2]                    --
├─Sequential: 1-1                        [1, 8]                    --
│    └─Conv2d: 2-1                       [1, 2, 2, 2]              20
│    └─ReLU: 2-2                         [1, 2, 2, 2]              --
│    └─Flatten: 2-3                      [1, 8]                    --
├─ModuleList: 1-2                        --                        --
│    └─Linear: 2-4                       [1, 8]                    72
│    └─Linear: 2-5                       [1, 8]                    72
│    └─Linear: 2-6                       [1, 8]                    (recursive)
├─Linear: 1-3                            [1, 2]                    (18)
${TAIL("164", "18")}`);
  // 20 + 72 + 72 + 8*2+2: the head's 18 are frozen
  assert.equal(s.totalParams, 182);
  assert.equal(s.trainableParams, 164);
  assert.equal(s.nonTrainableParams, 18);
  // conv 20*2*2, three linear calls 72 each, the head 18
  assert.equal(s.totalMultAdds, 80 + 3 * 72 + 18);
  assert.deepEqual(s.layers.map((l) => l.name), ["", "features", "features.0", "features.1", "features.2", "blocks", "blocks.0", "blocks.1", "blocks.0", "head"]);
  assert.equal(s.layers.find((l) => l.name === "head")!.trainable, false);

  // at the deepest level shown, a container shows all its parameters
  assert.equal(nn.summary(net, [1, 1, 4, 4], { print: false, depth: 1 }).toString(), `${HEAD}
Net                                      [1, 2]                    --
├─Sequential: 1-1                        [1, 8]                    20
├─ModuleList: 1-2                        --                        144
├─Linear: 1-3                            [1, 2]                    (18)
${TAIL("164", "18")}`);
});

test("summary options: columns, var names, several inputs and dtypes, errors", () => {
  const mlp = new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 2));
  const text = nn.summary(mlp, [3, 4], { print: false, colNames: ["inputSize", "outputSize", "numParams", "kernelSize", "multAdds", "trainable"], rowSettings: ["varNames", "depth"] }).toString();
  const lines = text.split("\n");
  assert.equal(lines[1], "Layer (type (var_name):depth-idx)        Input Shape               Output Shape              Param #                   Kernel Shape              Mult-Adds                 Trainable");
  assert.equal(lines[4], "├─Linear (0): 1-1                        [3, 4]                    [3, 8]                    40                        --                        120                       True");
  assert.equal(lines[0].length, 40 + 6 * 25);

  // a long name widens the name column to a multiple of 5
  class AVeryLongModuleNameForTheSummaryTableOfThisTest extends nn.Module {
    inner = new nn.Sequential(new nn.Sequential(new nn.Identity()));
    override forward(x: Tensor) { return this.inner.call(x); }
  }
  const wide = nn.summary(new AVeryLongModuleNameForTheSummaryTableOfThisTest(), [2], { print: false }).toString().split("\n");
  assert.equal(wide[0].length, 50 + 50); // the name (47 characters) + 1 >= 40: rounded up to 50
  assert.ok(wide.some((l) => l.startsWith("│    │    └─Identity: 3-1")));

  // two inputs, an int input (zeros, valid indices)
  class Two extends nn.Module {
    emb = new nn.Embedding(10, 3);
    override forward(idx: Tensor, x: Tensor) { return this.emb.call(idx).add(x); }
  }
  const two = nn.summary(new Two(), [[2, 5], [2, 5, 3]], { print: false, dtypes: ["int32", "float32"] });
  assert.deepEqual(two.layers[1].outputShape, [2, 5, 3]);
  assert.equal(two.totalInputBytes, 2 * 5 * 4 + 2 * 5 * 3 * 4);

  assert.throws(() => nn.summary(mlp, [3, 5], { print: false }), /nn\.summary: running Sequential on inputs of shape \[3, 5\] failed/);
  assert.throws(() => nn.summary(mlp, "x" as unknown as number[]), /inputShape must be a shape/);
  assert.throws(() => nn.summary(mlp, [3, 4], { colNames: ["nope" as "numParams"] }), /unknown column 'nope'/);
  // a failed run leaves no hooks behind
  assert.ok(mlp.modules().every((m) => (m as unknown as { _hooks?: unknown })._hooks === undefined));
});

test("forward hooks and pre-hooks: order, replacing args and output, remove()", () => {
  const lin = new nn.Linear(2, 2);
  const seen: string[] = [];
  const h1 = lin.registerForwardPreHook((m, args) => { seen.push(`pre ${m.constructor.name} ${(args[0] as Tensor).shape}`); });
  const h2 = lin.registerForwardHook((_m, _args, out) => { seen.push(`post ${(out as Tensor).shape}`); });
  lin.call(dt.ones([3, 2]));
  assert.deepEqual(seen, ["pre Linear 3,2", "post 3,2"]);
  const h3 = lin.registerForwardPreHook(() => [dt.zeros([1, 2])]);
  const h4 = lin.registerForwardHook((_m, _a, out) => (out as Tensor).mul(0).add(7));
  const y = lin.call(dt.ones([3, 2]));
  assert.deepEqual(y.shape, [1, 2]);
  assert.deepEqual(y.toArray(), [[7, 7]]);
  for (const h of [h1, h2, h3, h4]) h.remove();
  h1.remove(); // twice is harmless
  seen.length = 0;
  assert.deepEqual(lin.call(dt.ones([3, 2])).shape, [3, 2]);
  assert.deepEqual(seen, []);
  // hooks are not state: no new keys, no new children
  assert.deepEqual(Object.keys(lin.stateDict()), ["weight", "bias"]);
  assert.throws(() => lin.registerForwardHook(3 as unknown as () => void), /hook must be a function/);
});
