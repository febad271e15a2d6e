// dt.text.GPT against nanoGPT's model.py written out in torch 1.13 (scripts/fixtures/gpt.py): the
// torch state dict loads by name (both tied keys), logits, loss (ignoreIndex -1) and gradients match,
// greedy generation gives torch's tokens; then the parts of nanoGPT's training set-up (init, param
// groups, getLr), sampling (seed, topK, temperature, the key/value cache), errors, and a tiny overfit.

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import * as dt from "../../src/index.js";
import type { Tensor } from "../../src/index.js";

const { GPT, getLr } = dt.text;
const FIX = fileURLToPath(new URL("../fixtures/text/", import.meta.url));
const TINY = { vocabSize: 11, blockSize: 8, nLayer: 2, nHead: 2, nEmbd: 16 };
const throwsWith = (f: () => unknown, re: RegExp) => assert.throws(f, (e: Error) => re.test(e.message) || assert.fail(`message was: ${e.message}`));

function maxDiff(a: Tensor, b: Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  const x = a.dataSync(), y = b.dataSync();
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(Number(x[i]) - Number(y[i])));
  return m;
}

for (const bias of [true, false]) {
  const name = bias ? "gpt-bias" : "gpt-nobias";
  describe(`${name}: against nanoGPT in torch`, () => {
    const sd = dt.io.loadSync(`${FIX}${name}.safetensors`);
    const io = dt.io.loadSync(`${FIX}${name}.io.safetensors`);
    const make = () => {
      const m = new GPT({ ...TINY, bias });
      m.loadStateDict(sd);
      return m;
    };

    test("state-dict names are nanoGPT's, both tied keys, one Parameter", () => {
      const m = new GPT({ ...TINY, bias });
      assert.deepEqual(Object.keys(m.stateDict()), Object.keys(sd));
      assert.ok(Object.keys(sd).includes("transformer.wte.weight") && Object.keys(sd).includes("lm_head.weight"));
      const m2 = make();
      assert.equal(m2.transformer.wte.weight, m2.lm_head.weight, "tied after loading");
      assert.equal(m2.parameters().filter((p) => p === m2.lm_head.weight).length, 1);
      // an older nanoGPT checkpoint's causal-mask buffers are dropped on loading
      make().loadStateDict({ ...sd, "transformer.h.0.attn.bias": dt.ones([1, 1, 8, 8]) });
    });

    test("logits and loss match torch (1e-5), also the last-position logits without targets", () => {
      const m = make();
      const [logits, loss] = m.call(io.idx, io.targets);
      assert.ok(maxDiff(logits, io.logits) < 1e-5, `logits differ by ${maxDiff(logits, io.logits)}`);
      assert.ok(Math.abs(loss!.item() - io.loss.item()) < 1e-5);
      const [last, none] = m.call(io.idx);
      assert.equal(none, null);
      assert.deepEqual(last.shape, [3, 1, 11]);
      assert.ok(maxDiff(last, io.last) < 1e-5);
    });

    test("gradients of the loss match torch (tied weight: both uses summed)", () => {
      const m = make();
      const [, loss] = m.call(io.idx, io.targets);
      loss!.backward();
      const params = Object.fromEntries(m.namedParameters());
      params["transformer.wte.weight"] = m.transformer.wte.weight;
      const keys = Object.keys(io).filter((k) => k.startsWith("grad."));
      assert.equal(keys.length, 6);
      for (const k of keys) {
        const g = params[k.slice(5)].grad!;
        const d = maxDiff(g, io[k]);
        assert.ok(d < 1e-5, `${k}: ${d}`);
      }
    });

    test("float64: logits within 1e-10 of torch's", () => {
      const m = make().double();
      const [logits, loss] = m.call(io.idx, io.targets);
      assert.ok(maxDiff(logits, io.logits) < 1e-10, `${maxDiff(logits, io.logits)}`);
      assert.ok(Math.abs(loss!.item() - io.loss.item()) < 1e-10);
    });

    test("greedy generation (topK 1) gives torch's argmax tokens, with and without the cache", () => {
      const m = make();
      const want = io.greedy.toArray();
      assert.deepEqual(m.generate(io.prompt, 6, { topK: 1 }).toArray(), want);
      assert.deepEqual(m.generate(io.prompt, 6, { topK: 1, useCache: true }).toArray(), want);
    });
  });
}

describe("GPT", () => {
  test("config defaults are nanoGPT's; getNumParams leaves out the position embeddings", () => {
    const m = new GPT(TINY);
    assert.deepEqual(m.config, { ...TINY, dropout: 0, bias: true });
    // per block: 2 LayerNorms (2C each), c_attn C*3C + 3C, c_proj C*C + C, c_fc C*4C + 4C, c_proj 4C*C + C
    const C = 16, block = 4 * C + 3 * C * C + 3 * C + C * C + C + 4 * C * C + 4 * C + 4 * C * C + C;
    const all = 11 * C + 8 * C + 2 * block + 2 * C;
    assert.equal(m.numParameters(), all);
    assert.equal(m.getNumParams(), all - 8 * C);
    assert.equal(m.getNumParams({ nonEmbedding: false }), all);
    throwsWith(() => new GPT({ nEmbd: 10, nHead: 3 }), /nEmbd 10 must be divisible by nHead 3/);
    throwsWith(() => new GPT({ n_layer: 2 } as never), /unknown option 'n_layer' \(did you mean 'nLayer'\?\)/);
  });

  test("nanoGPT's init: N(0, 0.02), c_proj N(0, 0.02 / sqrt(2 nLayer)), zero biases", () => {
    dt.manualSeed(0);
    const m = new GPT({ vocabSize: 64, blockSize: 64, nLayer: 8, nHead: 4, nEmbd: 64 });
    const std = (t: Tensor) => t.std().item();
    assert.ok(Math.abs(std(m.lm_head.weight) - 0.02) < 0.002);
    assert.ok(Math.abs(std(m.transformer.wpe.weight) - 0.02) < 0.002);
    assert.ok(Math.abs(std(m.transformer.h[0].attn.c_attn.weight) - 0.02) < 0.002);
    assert.ok(Math.abs(std(m.transformer.h[3].mlp.c_proj.weight) - 0.005) < 0.0005);
    assert.ok(Math.abs(std(m.transformer.h[3].attn.c_proj.weight) - 0.005) < 0.0005);
    assert.equal(m.transformer.h[0].attn.c_attn.bias!.abs().max().item(), 0);
    assert.equal(m.transformer.h[0].ln_1.weight!.min().item(), 1);
  });

  test("configureOptimizers: AdamW, decay on the 2-D weights only", () => {
    const m = new GPT(TINY);
    const opt = m.configureOptimizers({ weightDecay: 0.1, learningRate: 1e-3, betas: [0.9, 0.95] });
    assert.ok(opt instanceof dt.optim.AdamW);
    const [decay, noDecay] = opt.paramGroups;
    assert.equal(decay.weightDecay, 0.1);
    assert.equal(noDecay.weightDecay, 0);
    assert.ok(decay.params.every((p) => p.ndim === 2) && noDecay.params.every((p) => p.ndim === 1));
    assert.equal(decay.params.length, 2 + 2 * 4); // wte (= lm_head), wpe, 4 Linear weights per block
    assert.equal(noDecay.params.length, 2 * (4 + 4) + 2); // per block 4 biases + 2 LayerNorms x 2; ln_f
    assert.equal(decay.lr, 1e-3);
    assert.deepEqual(decay.betas, [0.9, 0.95]);
    throwsWith(() => m.configureOptimizers({ lr: 1 } as never), /unknown option 'lr'/);
  });

  test("getLr: warm-up, cosine decay, minLr (nanoGPT's get_lr)", () => {
    const o = { warmupIters: 10, lrDecayIters: 110, learningRate: 1e-3, minLr: 1e-4 };
    assert.equal(getLr(0, o), 1e-3 / 11);
    assert.equal(getLr(9, o), 1e-3 * 10 / 11);
    assert.equal(getLr(10, o), 1e-3);
    assert.ok(Math.abs(getLr(60, o) - 5.5e-4) < 1e-15);
    assert.ok(Math.abs(getLr(110, o) - 1e-4) < 1e-15);
    assert.equal(getLr(500, o), 1e-4);
    assert.equal(getLr(2000), 6e-4);
  });

  test("generate: shape, seed reproducible and independent of the global seed, temperature, topK", () => {
    dt.manualSeed(1);
    const m = new GPT(TINY);
    m.train();
    const prompt = dt.tensor([[1, 2], [3, 4]], { dtype: "int32" });
    const a = m.generate(prompt, 12, { seed: 7 });
    assert.deepEqual(a.shape, [2, 14]);
    assert.equal(a.dtype, "int32");
    assert.ok(m.training, "the mode is restored");
    dt.manualSeed(123);
    const before = dt.rand([3]).toArray();
    dt.manualSeed(123);
    const b = m.generate(prompt, 12, { seed: 7 });
    assert.deepEqual(dt.rand([3]).toArray(), before, "the global generator is left alone");
    assert.deepEqual(a.toArray(), b.toArray());
    assert.notDeepEqual(m.generate(prompt, 12, { seed: 8 }).toArray(), a.toArray());
    // with the cache: the same tokens (the context outgrows blockSize 8 midway)
    assert.deepEqual(m.generate(prompt, 12, { seed: 7, useCache: true }).toArray(), a.toArray());
    // topK = 1 is greedy argmax at any temperature
    const greedy = m.generate(prompt, 10, { topK: 1, temperature: 3, seed: 5 });
    dt.noGrad(() => {
      let out = prompt;
      for (let i = 0; i < 10; i++) {
        const ctx = out.shape[1] > 8 ? out.narrow(1, out.shape[1] - 8, 8) : out;
        const [logits] = m.call(ctx);
        out = dt.cat([out, logits.argmax(-1).to("int32")], 1);
      }
      assert.deepEqual(greedy.toArray(), out.toArray());
    });
    // topK = 3: every sampled token is among the 3 most likely at its step
    const k3 = m.generate(dt.tensor([[0]], { dtype: "int32" }), 1, { topK: 3, seed: 0 });
    const [lg] = dt.noGrad(() => m.call(dt.tensor([[0]], { dtype: "int32" })));
    const top3 = dt.topk(lg.reshape(11), 3).indices.toArray() as number[];
    assert.ok(top3.includes(k3.toArray()[0][1] as number));
    throwsWith(() => m.generate(prompt, 2, { temperature: 0 }), /temperature must be > 0/);
    throwsWith(() => m.generate(prompt, 2, { top_k: 3 } as never), /unknown option 'top_k' \(did you mean 'topK'\?\)/);
  });

  test("dropout: active in training (two calls differ), off in eval and in generate", () => {
    dt.manualSeed(2);
    const m = new GPT({ ...TINY, dropout: 0.2 });
    const x = dt.tensor([[1, 2, 3, 4]], { dtype: "int32" });
    const run = () => m.call(x)[0].toArray();
    assert.notDeepEqual(run(), run());
    m.eval();
    assert.deepEqual(run(), run());
    m.train();
    assert.deepEqual(m.generate(x, 4, { seed: 3 }).toArray(), m.generate(x, 4, { seed: 3 }).toArray());
  });

  test("errors: T > blockSize names both sizes; idx must be an int [B, T]", () => {
    const m = new GPT(TINY);
    throwsWith(() => m.call(dt.zeros([1, 9], { dtype: "int32" })), /sequence of length 9, the block size is only 8/);
    throwsWith(() => m.call(dt.zeros([1, 4])), /idx must be an int tensor \[B, T\], got float32 \[1, ?4\]/);
    throwsWith(() => m.call(dt.zeros([4], { dtype: "int32" })), /idx must be an int tensor/);
  });

  test("a few hundred AdamW steps on a repeated sequence drive the loss near 0", () => {
    dt.manualSeed(0);
    const m = new GPT({ vocabSize: 8, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 16, bias: false });
    const seq = [0, 1, 2, 3, 4, 5, 6, 7, 0];
    const x = dt.tensor([seq.slice(0, 8)], { dtype: "int32" });
    const y = dt.tensor([seq.slice(1)], { dtype: "int32" });
    const opt = m.configureOptimizers({ weightDecay: 0.1, learningRate: 1e-2, betas: [0.9, 0.95] });
    let loss = Infinity;
    for (let it = 0; it < 200; it++) {
      const lr = getLr(it, { warmupIters: 10, lrDecayIters: 200, learningRate: 1e-2, minLr: 1e-3 });
      for (const g of opt.paramGroups) g.lr = lr;
      const [, l] = m.call(x, y);
      opt.zeroGrad();
      l!.backward();
      dt.nn.utils.clipGradNorm_(m.parameters(), 1.0);
      opt.step();
      loss = l!.item();
    }
    assert.ok(loss < 0.05, `loss ${loss}`);
    assert.deepEqual(m.generate(dt.tensor([[0]], { dtype: "int32" }), 7, { topK: 1 }).toArray(), [seq.slice(0, 8)]);
  });
});
