// Finite-difference gradient checks of layers in float64 (after module.to("float64")), with respect to
// their inputs: the recurrent, attention and transformer layers whose backward is composed of many ops.

import { test } from "node:test";
import * as dt from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { gradcheck, leaf, konst } from "../gradcheck/harness.js";

const { nn } = dt;

function layer<M extends InstanceType<typeof nn.Module>>(make: () => M): M {
  dt.manualSeed(5);
  return make().to("float64");
}

test("GRU (2 layers, bidirectional) wrt input and h0", () => {
  const m = layer(() => new nn.GRU(2, 3, { numLayers: 2, bidirectional: true }));
  gradcheck({ fn: (x, h) => m.call(x, h), inputs: () => [leaf([3, 2, 2]), leaf([4, 2, 3])] });
});

test("LSTM (batchFirst) wrt input, h0 and c0", () => {
  const m = layer(() => new nn.LSTM(2, 3, { batchFirst: true }));
  gradcheck({ fn: (x, h, c) => m.call(x, [h, c]).flat(), inputs: () => [leaf([2, 3, 2]), leaf([1, 2, 3]), leaf([1, 2, 3])] });
});

test("LSTMCell and RNNCell (relu)", () => {
  const l = layer(() => new nn.LSTMCell(3, 2));
  gradcheck({ fn: (x, h, c) => l.call(x, [h, c]), inputs: () => [leaf([2, 3]), leaf([2, 2]), leaf([2, 2])] });
  const r = layer(() => new nn.RNNCell(3, 2, { nonlinearity: "relu" }));
  gradcheck({ fn: (x) => r.call(x), inputs: () => [leaf([2, 3], (v) => v + Math.sign(v) * 0.5)] });
});

test("MultiheadAttention with masks wrt query, key and value", () => {
  const m = layer(() => new nn.MultiheadAttention(4, 2, { kdim: 3, vdim: 2 }));
  const kpm = new dt.Tensor(Uint8Array.from([0, 0, 1, 0, 0, 0]), [2, 3], "bool");
  gradcheck({
    fn: (q, k, v) => {
      const [o, w] = m.call(q, k, v, { keyPaddingMask: kpm, attnMask: konstMask });
      return [o, w!];
    },
    inputs: () => [leaf([2, 2, 4]), leaf([3, 2, 3]), leaf([3, 2, 2])],
  });
});
const konstMask: Tensor = (() => {
  dt.manualSeed(11);
  return konst([2, 3]);
})();

test("TransformerDecoderLayer (pre-norm, gelu) wrt target and memory", () => {
  const m = layer(() => new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, activation: "gelu", normFirst: true }));
  gradcheck({ fn: (t, mem) => m.call(t, mem, { tgtIsCausal: true }), inputs: () => [leaf([3, 1, 4]), leaf([2, 1, 4])] });
});

test("Bilinear and reflect-padded Conv2d", () => {
  const b = layer(() => new nn.Bilinear(2, 3, 2));
  gradcheck({ fn: (x1, x2) => b.call(x1, x2), inputs: () => [leaf([2, 2]), leaf([2, 3])] });
  const c = layer(() => new nn.Conv2d(1, 2, 3, { padding: 1, paddingMode: "reflect" }));
  gradcheck({ fn: (x) => c.call(x), inputs: () => [leaf([1, 1, 3, 3])] });
});
