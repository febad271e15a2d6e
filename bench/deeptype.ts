// deeptype's side of the bench, written with the functional API (no nn.Module) and manual SGD.

import * as dt from "../src/index.js";
import type { Tensor } from "../src/index.js";
import { CONV, GPT, LENET, LSTM, MATMUL_N, MLP, checksum, hashData, hashLabels, params, type ParamSpec, type Peer } from "./common.js";

const F = dt.nn.functional;

function makeParams(specs: ParamSpec[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const { spec, data } of params(specs)) out[spec.name] = dt.tensor(data, { shape: spec.shape, requiresGrad: true });
  return out;
}

function sgd(ps: Record<string, Tensor>, lr: number): void {
  dt.noGrad(() => {
    for (const p of Object.values(ps)) {
      p.sub_(p.grad!.mul(lr));
      p.grad = null;
    }
  });
}

function zeroGrads(ps: Record<string, Tensor>): void {
  for (const p of Object.values(ps)) p.grad = null;
}

export const deeptype: Peer = {
  matmul: () => {
    const n = MATMUL_N;
    const a = dt.tensor(hashData(7, n * n), { shape: [n, n] }), b = dt.tensor(hashData(8, n * n), { shape: [n, n] });
    return { step: () => void dt.matmul(a, b), check: checksum(dt.matmul(a, b).dataSync()) };
  },

  conv2d: () => {
    const x = dt.tensor(hashData(9, 32 * 3 * 32 * 32), { shape: CONV.x }), w = dt.tensor(hashData(10, 64 * 27, 1 / Math.sqrt(27)), { shape: CONV.w });
    const run = () => F.conv2d(x, w, null, { padding: CONV.pad });
    return { step: () => void run(), check: checksum(run().dataSync()) };
  },

  mlp: () => {
    const p = makeParams(MLP.params());
    const x = dt.tensor(hashData(3, MLP.batch * 784), { shape: [MLP.batch, 784] });
    const y = dt.tensor(hashLabels(4, MLP.batch, 10), { dtype: "int32" });
    const step = (): number => {
      let h = F.relu(F.linear(x, p.w1, p.b1));
      h = F.relu(F.linear(h, p.w2, p.b2));
      const loss = F.crossEntropy(F.linear(h, p.w3, p.b3), y);
      loss.backward();
      sgd(p, MLP.lr);
      return loss.item();
    };
    return { step: () => void step(), check: step() };
  },

  lenet: () => {
    const p = makeParams(LENET.params());
    const x = dt.tensor(hashData(1, LENET.batch * 784), { shape: [LENET.batch, 1, 28, 28] });
    const y = dt.tensor(hashLabels(2, LENET.batch, 10), { dtype: "int32" });
    const step = (): number => {
      let h = F.maxPool2d(F.relu(F.conv2d(x, p.c1w, p.c1b, { padding: 2 })), 2); // [64, 6, 14, 14]
      h = F.maxPool2d(F.relu(F.conv2d(h, p.c2w, p.c2b)), 2); // [64, 16, 5, 5]
      h = h.flatten(1);
      h = F.relu(F.linear(h, p.f1w, p.f1b));
      h = F.relu(F.linear(h, p.f2w, p.f2b));
      const loss = F.crossEntropy(F.linear(h, p.f3w, p.f3b), y);
      loss.backward();
      sgd(p, LENET.lr);
      return loss.item();
    };
    return { step: () => void step(), check: step() };
  },

  lstm: () => {
    // the whole-sequence LSTM op nn.LSTM runs (the peers without one step a cell in a loop)
    const { seq, batch, input, hidden: H } = LSTM;
    const p = makeParams(LSTM.params());
    const x = dt.tensor(hashData(5, seq * batch * input), { shape: [seq, batch, input] });
    const step = (): number => {
      const [, h] = F.lstm(x, dt.zeros([batch, H]), dt.zeros([batch, H]), p.wih, p.whh, p.b);
      const loss = h.square().mean();
      loss.backward();
      zeroGrads(p);
      return loss.item();
    };
    return { step: () => void step(), check: step() };
  },

  gpt: () => {
    const { batch: Bn, seq: T, dim: C, heads: nh } = GPT;
    const hs = C / nh;
    const p = makeParams(GPT.params());
    const x = dt.tensor(hashData(6, Bn * T * C), { shape: [Bn, T, C] });
    const mask = dt.ones([T, T], { dtype: "bool" }).tril().logicalNot(); // true above the diagonal
    const step = (): number => {
      const a = F.layerNorm(x, [C], p.ln1w, p.ln1b);
      const qkv = F.linear(a, p.wqkv, p.bqkv); // [B, T, 3C]
      const [q, k, v] = qkv.split(C, 2).map((z) => z.reshape(Bn, T, nh, hs).transpose(1, 2)); // [B, nh, T, hs]
      let att = q.matmul(k.transpose(-2, -1)).mul(1 / Math.sqrt(hs)); // [B, nh, T, T]
      att = F.softmax(att.maskedFill(mask, -Infinity), -1);
      const y = att.matmul(v).transpose(1, 2).reshape(Bn, T, C); // [B, T, C]
      const x1 = x.add(F.linear(y, p.wo, p.bo));
      const m = F.linear(F.gelu(F.linear(F.layerNorm(x1, [C], p.ln2w, p.ln2b), p.w1, p.b1), { approximate: "tanh" }), p.w2, p.b2);
      const out = x1.add(m);
      const loss = out.square().mean();
      loss.backward();
      zeroGrads(p);
      return loss.item();
    };
    return { step: () => void step(), check: step() };
  },
};
