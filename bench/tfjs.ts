// TF.js's side of the bench: @tensorflow/tfjs-core with the wasm backend (XNNPACK; its threads do
// not start in Node, so single-threaded) or the cpu backend (plain JS), written the usual TF.js way
// (NHWC convolutions, tf.variableGrads, tf.tidy). Inputs are the same data as every peer's.

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { createRequire } from "node:module";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// tfjs-core's Node build has no gradients (the @tensorflow/tfjs umbrella package registers them from
// ES modules that Node cannot load directly): bundle that one file with esbuild (tsx's own
// dependency) and load it; gradient registries are process-global, so the copy registers into ours.
{
  const require = createRequire(import.meta.url);
  const esbuild = require("esbuild") as { buildSync(o: object): { outputFiles: { text: string }[] } };
  const entry = require.resolve("@tensorflow/tfjs-core/dist/register_all_gradients.js");
  const out = esbuild.buildSync({ entryPoints: [entry], bundle: true, format: "esm", platform: "node", write: false, logLevel: "silent" });
  const file = join(mkdtempSync(join(tmpdir(), "deeptype-bench-")), "tfjs-gradients.mjs");
  writeFileSync(file, out.outputFiles[0].text);
  await import(pathToFileURL(file).href);
}
import { CONV, GPT, LENET, LSTM, MATMUL_N, MLP, checksum, hashData, hashLabels, params, type ParamSpec, type Peer } from "./common.js";

type T = tf.Tensor;
type V = Record<string, tf.Variable>;

let varCount = 0;
function makeVars(specs: ParamSpec[]): V {
  const out: V = {};
  for (const { spec, data } of params(specs)) out[spec.name] = tf.variable(tf.tensor(data, spec.shape), true, `${spec.name}_${varCount++}`);
  return out;
}
function oneHot(labels: Int32Array, classes: number): T {
  return tf.cast(tf.oneHot(tf.tensor1d(labels, "int32"), classes), "float32");
}
function linear(x: T, w: T, b?: T): T {
  // as 2-D (TF.js has no gradient for a batched matMul whose batch dims broadcast)
  const lead = x.shape.slice(0, -1);
  let y = tf.matMul(tf.reshape(x, [-1, x.shape[x.rank - 1]]), w, false, true);
  if (b) y = tf.add(y, b);
  return lead.length === 1 ? y : tf.reshape(y, [...lead, w.shape[0]]);
}
function crossEntropy(logits: T, yoh: T): tf.Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), yoh), -1))) as tf.Scalar;
}
/** OIHW (PyTorch layout) -> HWIO (TF.js filter layout). */
function filter(w: tf.Variable): T {
  return tf.transpose(w, [2, 3, 1, 0]);
}

/** One training step: gradients of loss w.r.t. the variables, then (when lr is given) SGD. */
function trainer(vars: V, loss: () => tf.Scalar, lr?: number) {
  const step = (): number => {
    const { value, grads } = tf.variableGrads(loss);
    if (lr !== undefined)
      tf.tidy(() => {
        for (const v of Object.values(vars)) v.assign(tf.sub(v, tf.mul(grads[v.name], lr)));
      });
    const l = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    return l;
  };
  return { step: () => void step(), check: step(), dispose: () => tf.dispose(Object.values(vars)) };
}

export function tfjs(kind: "wasm" | "cpu"): Peer {
  const use = async () => {
    if (!(await tf.setBackend(kind))) throw new Error(`TF.js backend ${kind} failed to start`);
    await tf.ready();
  };
  return {
    matmul: async () => {
      await use();
      const n = MATMUL_N;
      const a = tf.tensor(hashData(7, n * n), [n, n]), b = tf.tensor(hashData(8, n * n), [n, n]);
      const check = checksum(tf.tidy(() => tf.matMul(a, b)).dataSync());
      return { step: () => tf.tidy(() => void tf.matMul(a, b).dataSync()), check, dispose: () => tf.dispose([a, b]) };
    },

    conv2d: async () => {
      await use();
      const x = tf.tidy(() => tf.transpose(tf.tensor(hashData(9, 32 * 3 * 32 * 32), CONV.x), [0, 2, 3, 1])); // NHWC
      const w = tf.tidy(() => tf.transpose(tf.tensor(hashData(10, 64 * 27, 1 / Math.sqrt(27)), CONV.w), [2, 3, 1, 0]));
      const run = () => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, "same");
      const check = checksum(tf.tidy(() => tf.transpose(run(), [0, 3, 1, 2])).dataSync());
      return { step: () => tf.tidy(() => void run().dataSync()), check, dispose: () => tf.dispose([x, w]) };
    },

    mlp: async () => {
      await use();
      const v = makeVars(MLP.params());
      const x = tf.tensor(hashData(3, MLP.batch * 784), [MLP.batch, 784]), y = oneHot(hashLabels(4, MLP.batch, 10), 10);
      return trainer(v, () => {
        let h = tf.relu(linear(x, v.w1, v.b1));
        h = tf.relu(linear(h, v.w2, v.b2));
        return crossEntropy(linear(h, v.w3, v.b3), y);
      }, MLP.lr);
    },

    lenet: async () => {
      await use();
      const v = makeVars(LENET.params());
      const x = tf.tidy(() => tf.transpose(tf.tensor(hashData(1, LENET.batch * 784), [LENET.batch, 1, 28, 28]), [0, 2, 3, 1])) as tf.Tensor4D;
      const y = oneHot(hashLabels(2, LENET.batch, 10), 10);
      return trainer(v, () => {
        let h = tf.add(tf.conv2d(x, filter(v.c1w) as tf.Tensor4D, 1, [[0, 0], [2, 2], [2, 2], [0, 0]]), v.c1b) as tf.Tensor4D;
        h = tf.maxPool(tf.relu(h), 2, 2, "valid");
        h = tf.add(tf.conv2d(h, filter(v.c2w) as tf.Tensor4D, 1, "valid"), v.c2b) as tf.Tensor4D;
        h = tf.maxPool(tf.relu(h), 2, 2, "valid"); // [64, 5, 5, 16]
        let f: T = tf.reshape(tf.transpose(h, [0, 3, 1, 2]), [LENET.batch, 400]); // flatten in NCHW order, as the others
        f = tf.relu(linear(f, v.f1w, v.f1b));
        f = tf.relu(linear(f, v.f2w, v.f2b));
        return crossEntropy(linear(f, v.f3w, v.f3b), y);
      }, LENET.lr);
    },

    lstm: async () => {
      await use();
      const { seq, batch, input, hidden: H } = LSTM;
      const v = makeVars(LSTM.params());
      const xs = tf.tidy(() => tf.unstack(tf.tensor(hashData(5, seq * batch * input), [seq, batch, input])));
      return trainer(v, () => {
        let h: T = tf.zeros([batch, H]), c: T = tf.zeros([batch, H]);
        for (let t = 0; t < seq; t++) {
          const gates = tf.add(linear(xs[t], v.wih, v.b), linear(h, v.whh)); // [batch, 4H]
          const [i, f, g, o] = tf.split(gates, 4, 1);
          c = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
          h = tf.mul(tf.sigmoid(o), tf.tanh(c));
        }
        return tf.mean(tf.square(h)) as tf.Scalar;
      });
    },

    gpt: async () => {
      await use();
      const { batch: B, seq: Tn, dim: C, heads: nh } = GPT;
      const hs = C / nh;
      const v = makeVars(GPT.params());
      const x = tf.tensor(hashData(6, B * Tn * C), [B, Tn, C]);
      const maskData = new Float32Array(Tn * Tn);
      for (let i = 0; i < Tn; i++) for (let j = 0; j < Tn; j++) maskData[i * Tn + j] = j > i ? -1e30 : 0;
      const mask = tf.tensor(maskData, [Tn, Tn]);
      const layerNorm = (z: T, w: T, b: T): T => {
        const { mean, variance } = tf.moments(z, -1, true);
        return tf.add(tf.mul(tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, 1e-5))), w), b);
      };
      const gelu = (z: T): T => tf.mul(tf.mul(z, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(z, tf.mul(0.044715, tf.pow(z, 3)))))));
      const heads = (z: T): T => tf.transpose(tf.reshape(z, [B, Tn, nh, hs]), [0, 2, 1, 3]);
      return trainer(v, () => {
        const qkv = linear(layerNorm(x, v.ln1w, v.ln1b), v.wqkv, v.bqkv);
        const [q, k, vv] = tf.split(qkv, 3, 2).map(heads);
        let att = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hs)), mask);
        att = tf.softmax(att, -1);
        const y = tf.reshape(tf.transpose(tf.matMul(att, vv), [0, 2, 1, 3]), [B, Tn, C]);
        const x1 = tf.add(x, linear(y, v.wo, v.bo));
        const m = linear(gelu(linear(layerNorm(x1, v.ln2w, v.ln2b), v.w1, v.b1)), v.w2, v.b2);
        return tf.mean(tf.square(tf.add(x1, m))) as tf.Scalar;
      });
    },
  };
}
