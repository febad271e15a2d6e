// jax-js's side of the bench (@jax-js/jax on its wasm device, which runs single-threaded in Node),
// written the idiomatic jax way: pure functions, jit(valueAndGrad(loss)), a jitted SGD update, and
// jax-js's reference counting (.ref for every array used again).

import { init, jit, lax, nn, numpy as np, tree, valueAndGrad } from "@jax-js/jax";
import { CONV, GPT, LENET, LSTM, MATMUL_N, MLP, checksum, hashData, hashLabels, params, type ParamSpec, type Peer } from "./common.js";

type A = np.Array;
type P = Record<string, A>;

export async function initJax(): Promise<void> {
  await init("wasm");
}

function arr(data: Float32Array, shape: number[]): A {
  return np.array(data).reshape(shape);
}
function makeParams(specs: ParamSpec[]): P {
  const out: P = {};
  for (const { spec, data } of params(specs)) out[spec.name] = arr(data, spec.shape);
  return out;
}
function oneHot(labels: Int32Array, classes: number): A {
  const d = new Float32Array(labels.length * classes);
  labels.forEach((l, i) => (d[i * classes + l] = 1));
  return arr(d, [labels.length, classes]);
}
function linear(x: A, w: A, b?: A): A {
  const y = np.matmul(x, w.transpose());
  return b ? y.add(b) : y;
}
function crossEntropy(logits: A, yoh: A): A {
  const n = logits.shape[0];
  return nn.logSoftmax(logits, -1).mul(yoh).sum().mul(-1 / n);
}

/** A training workload: jit(valueAndGrad(loss)) plus, when lr is given, a jitted SGD update. */
function trainer(loss: (p: P, ...data: A[]) => A, p0: P, data: A[], lr?: number) {
  const vg = jit(valueAndGrad(loss));
  const update = jit((p: P, g: P) => tree.map((w: A, gw: A) => w.sub(gw.mul(lr ?? 0)), p, g) as P);
  let p = p0;
  const step = (): number => {
    const [l, g] = vg(tree.ref(p), ...data.map((d) => d.ref)) as unknown as [A, P];
    if (lr !== undefined) p = update(p, g);
    else tree.dispose(g);
    const v = l.js() as number;
    return v;
  };
  const check = step();
  return { step: () => void step(), check };
}

export function jaxjs(): Peer {
  return {
    matmul: () => {
      const n = MATMUL_N;
      const a = arr(hashData(7, n * n), [n, n]), b = arr(hashData(8, n * n), [n, n]);
      const mm = jit((x: A, y: A) => np.matmul(x, y));
      const c = mm(a.ref, b.ref);
      const check = checksum(c.dataSync() as Float32Array);
      return {
        step: async () => {
          const r = mm(a.ref, b.ref);
          await r.blockUntilReady();
          r.dispose();
        },
        check,
      };
    },

    conv2d: () => {
      const x = arr(hashData(9, 32 * 3 * 32 * 32), CONV.x), w = arr(hashData(10, 64 * 27, 1 / Math.sqrt(27)), CONV.w);
      const conv = jit((x: A, w: A) => lax.convGeneralDilated(x, w, [1, 1], [[1, 1], [1, 1]]));
      const check = checksum(conv(x.ref, w.ref).dataSync() as Float32Array);
      return {
        step: async () => {
          const r = conv(x.ref, w.ref);
          await r.blockUntilReady();
          r.dispose();
        },
        check,
      };
    },

    mlp: () => {
      const x = arr(hashData(3, MLP.batch * 784), [MLP.batch, 784]), y = oneHot(hashLabels(4, MLP.batch, 10), 10);
      const loss = (p: P, x: A, y: A): A => {
        let h = nn.relu(linear(x, p.w1, p.b1));
        h = nn.relu(linear(h, p.w2, p.b2));
        return crossEntropy(linear(h, p.w3, p.b3), y);
      };
      return trainer(loss, makeParams(MLP.params()), [x, y], MLP.lr);
    },

    lenet: () => {
      const x = arr(hashData(1, LENET.batch * 784), [LENET.batch, 1, 28, 28]), y = oneHot(hashLabels(2, LENET.batch, 10), 10);
      const conv = (x: A, w: A, b: A, pad: number): A =>
        lax.convGeneralDilated(x, w, [1, 1], [[pad, pad], [pad, pad]]).add(b.reshape([1, -1, 1, 1]));
      const pool2 = (x: A): A => {
        const [n, c, h, w] = x.shape;
        return x.reshape([n, c, h / 2, 2, w / 2, 2]).max([3, 5]);
      };
      const loss = (p: P, x: A, y: A): A => {
        let h = pool2(nn.relu(conv(x, p.c1w, p.c1b, 2)));
        h = pool2(nn.relu(conv(h, p.c2w, p.c2b, 0)));
        h = h.reshape([LENET.batch, 400]);
        h = nn.relu(linear(h, p.f1w, p.f1b));
        h = nn.relu(linear(h, p.f2w, p.f2b));
        return crossEntropy(linear(h, p.f3w, p.f3b), y);
      };
      return trainer(loss, makeParams(LENET.params()), [x, y], LENET.lr);
    },

    lstm: () => {
      const { seq, batch, input, hidden: H } = LSTM;
      const x = arr(hashData(5, seq * batch * input), [seq, batch, input]);
      const loss = (p: P, x: A): A => {
        let h = np.zeros([batch, H]), c = np.zeros([batch, H]);
        const xs = np.split(x, seq, 0);
        for (let t = 0; t < seq; t++) {
          const gates = linear(xs[t].reshape([batch, input]), p.wih.ref, p.b.ref).add(linear(h, p.whh.ref)); // [batch, 4H]
          const [i, f, g, o] = np.split(gates, 4, 1);
          c = nn.sigmoid(f).mul(c).add(nn.sigmoid(i).mul(np.tanh(g)));
          h = nn.sigmoid(o).mul(np.tanh(c.ref));
        }
        c.dispose();
        p.wih.dispose();
        p.whh.dispose();
        p.b.dispose();
        return np.square(h).mean();
      };
      return trainer(loss, makeParams(LSTM.params()), [x]);
    },

    gpt: () => {
      const { batch: B, seq: T, dim: C, heads: nh } = GPT;
      const hs = C / nh;
      const x = arr(hashData(6, B * T * C), [B, T, C]);
      const maskData = new Float32Array(T * T);
      for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) maskData[i * T + j] = j > i ? -Infinity : 0;
      const mask = arr(maskData, [T, T]);
      const layerNorm = (x: A, w: A, b: A): A => {
        const mu = x.ref.mean(-1, { keepdims: true });
        const xc = x.sub(mu);
        const v = np.square(xc.ref).mean(-1, { keepdims: true });
        return xc.div(np.sqrt(v.add(1e-5))).mul(w).add(b);
      };
      const heads = (z: A): A => z.reshape([B, T, nh, hs]).transpose([0, 2, 1, 3]); // [B, nh, T, hs]
      const loss = (p: P, x: A, mask: A): A => {
        const qkv = linear(layerNorm(x.ref, p.ln1w, p.ln1b), p.wqkv, p.bqkv); // [B, T, 3C]
        const [q, k, v] = np.split(qkv, 3, 2).map(heads);
        let att = np.matmul(q, k.transpose([0, 1, 3, 2])).mul(1 / Math.sqrt(hs)).add(mask); // [B, nh, T, T]
        att = nn.softmax(att, -1);
        const y = np.matmul(att, v).transpose([0, 2, 1, 3]).reshape([B, T, C]);
        const x1 = x.add(linear(y, p.wo, p.bo));
        const m = linear(nn.gelu(linear(layerNorm(x1.ref, p.ln2w, p.ln2b), p.w1, p.b1), { approximate: true }), p.w2, p.b2);
        const out = x1.add(m);
        return np.square(out).mean();
      };
      return trainer(loss, makeParams(GPT.params()), [x, mask]);
    },
  };
}
