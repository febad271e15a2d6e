// nn.functional's conv, pooling, normalisation and attention ops against PyTorch: outputs, input
// gradients (for a fixed upstream gradient) and batchNorm's updated running statistics, from
// test/fixtures/functional/cases.json (written by scripts/fixtures/functional.py with torch 1.13).
// float64 cases must agree to ~1e-10, float32 ones to ~1e-4. Then the error messages users see.
// (Their finite-difference checks are test/gradcheck/nn.samples.ts, run by test/gradcheck.test.ts.)

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as dt from "../src/index.js";
import type { Tensor } from "../src/index.js";

const F = dt.nn.functional;

interface Enc { shape: number[]; dtype: "float32" | "float64" | "int32" | "bool"; data: number[] }
interface Case {
  name: string;
  op: string;
  dtype: "float32" | "float64";
  opts: Record<string, any>;
  inputs: Record<string, Enc>;
  grad: string[];
  gradOutput: Enc;
  output: Enc;
  grads: Record<string, Enc>;
  indices?: Enc;
  stats?: Record<string, Enc>;
}

const fixture = JSON.parse(readFileSync(new URL("./fixtures/functional/cases.json", import.meta.url), "utf8")) as { cases: Case[] };

function dec(e: Enc, requiresGrad = false): Tensor {
  const t = e.dtype === "bool" ? dt.tensor(Uint8Array.from(e.data), { dtype: "bool", shape: e.shape }) : dt.tensor(e.data.length ? e.data : [], { dtype: e.dtype }).reshape(e.shape);
  return requiresGrad ? t.requiresGrad_(true) : t;
}

type Run = (t: Record<string, Tensor | undefined>, o: Record<string, any>) => Tensor | [Tensor, Tensor];

/** How each fixture op is called through deeptype's API. */
const RUN: Record<string, Run> = {
  conv2d: (t, o) => F.conv2d(t.x!, t.weight!, t.bias, o),
  conv1d: (t, o) => F.conv1d(t.x!, t.weight!, t.bias, o),
  convTranspose2d: (t, o) => F.convTranspose2d(t.x!, t.weight!, t.bias, o),
  convTranspose1d: (t, o) => F.convTranspose1d(t.x!, t.weight!, t.bias, o),
  unfold: (t, { kernelSize, ...o }) => F.unfold(t.x!, kernelSize, o),
  fold: (t, { outputSize, kernelSize, ...o }) => F.fold(t.x!, outputSize, kernelSize, o),
  maxPool2d: (t, { kernelSize, ...o }) => F.maxPool2d(t.x!, kernelSize, o),
  maxPool1d: (t, { kernelSize, ...o }) => F.maxPool1d(t.x!, kernelSize, o),
  avgPool2d: (t, { kernelSize, ...o }) => F.avgPool2d(t.x!, kernelSize, o),
  avgPool1d: (t, { kernelSize, ...o }) => F.avgPool1d(t.x!, kernelSize, o),
  adaptiveAvgPool2d: (t, o) => F.adaptiveAvgPool2d(t.x!, o.outputSize),
  adaptiveAvgPool1d: (t, o) => F.adaptiveAvgPool1d(t.x!, o.outputSize),
  adaptiveMaxPool2d: (t, { outputSize, ...o }) => F.adaptiveMaxPool2d(t.x!, outputSize, o),
  adaptiveMaxPool1d: (t, { outputSize, ...o }) => F.adaptiveMaxPool1d(t.x!, outputSize, o),
  batchNorm: (t, o) => F.batchNorm(t.x!, t.runningMean!, t.runningVar!, t.weight, t.bias, o),
  layerNorm: (t, { normalizedShape, ...o }) => F.layerNorm(t.x!, normalizedShape, t.weight, t.bias, o),
  groupNorm: (t, { numGroups, ...o }) => F.groupNorm(t.x!, numGroups, t.weight, t.bias, o),
  interpolate: (t, o) => F.interpolate(t.x!, o),
  scaledDotProductAttention: (t, o) => F.scaledDotProductAttention(t.q!, t.k!, t.v!, { ...o, attnMask: t.attnMask }),
};

function close(what: string, got: Tensor, want: Enc, dtype: "float32" | "float64"): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  const a = got.dataSync(), b = want.data;
  const [atol, rtol] = dtype === "float64" ? [1e-10, 1e-9] : [1e-4, 1e-4];
  for (let i = 0; i < b.length; i++)
    if (!(Math.abs(a[i] - b[i]) <= atol + rtol * Math.abs(b[i])))
      assert.fail(`${what}: element ${i} is ${a[i]}, PyTorch has ${b[i]} (atol ${atol}, rtol ${rtol})`);
}

/** One fixture case: output, indices, updated running stats, then gradients for the stored upstream gradient. */
function runCase(c: Case): void {
  const t: Record<string, Tensor> = {};
  for (const [k, e] of Object.entries(c.inputs)) t[k] = dec(e, c.grad.includes(k));
  const r = RUN[c.op](t, c.opts);
  const [out, idx] = Array.isArray(r) ? r : [r, null];
  close("output", out, c.output, c.dtype);
  if (c.indices) {
    assert.ok(idx, "indices were asked for");
    assert.equal(idx.dtype, "int32");
    assert.deepEqual(Array.from(idx.dataSync()), c.indices.data, "indices");
  }
  if (c.stats) for (const [k, e] of Object.entries(c.stats)) close(`updated ${k}`, t[k], e, c.dtype);
  if (c.grad.length === 0) return; // forward-only case
  const diff = c.grad.map((k) => t[k]);
  const gs = dt.grad(out, diff, { gradOutputs: dec(c.gradOutput), allowUnused: true });
  c.grad.forEach((k, i) => {
    if (c.grads[k]) close(`gradient of ${k}`, gs[i]!, c.grads[k], c.dtype);
  });
}

// every registered backend (the kernels of src/backend/js, or a faster backend's own) against PyTorch
for (const backend of dt.listBackends()) {
  describe(`nn.functional against PyTorch (backend ${backend})`, () => {
    for (const c of fixture.cases)
      test(c.name, () => {
        const prev = dt.getBackend();
        dt.setBackend(backend);
        try {
          runCase(c);
        } finally {
          dt.setBackend(prev);
        }
      });
  });
}

describe("errors name the op, the shapes and what was expected", () => {
  const x = dt.randn([1, 3, 8, 8]);
  const cases: [string, () => unknown, RegExp][] = [
    ["conv2d channels", () => F.conv2d(x, dt.randn([4, 2, 3, 3])), /conv2d: input \[1,3,8,8\] and weight \[4,2,3,3\]: expected input channels 2 \* groups 1 = 2, got 3/],
    ["conv2d too small", () => F.conv2d(dt.randn([1, 3, 2, 2]), dt.randn([4, 3, 3, 3])), /conv2d: input \[1,3,2,2\].*smaller than the dilated kernel \[3,3\]/],
    ["conv2d bias", () => F.conv2d(x, dt.randn([4, 3, 3, 3]), dt.randn([3])), /conv2d: bias \[3\] must be \[4\]/],
    ["conv2d same strided", () => F.conv2d(x, dt.randn([4, 3, 3, 3]), null, { padding: "same", stride: 2 }), /conv2d: padding "same" is not supported for strided/],
    ["conv2d rank", () => F.conv2d(dt.randn([8, 8]), dt.randn([4, 3, 3, 3])), /conv2d: expected a 3-d \(unbatched\) or 4-d \(batched\) input, got \[8,8\]/],
    ["conv1d groups", () => F.conv1d(dt.randn([1, 4, 9]), dt.randn([3, 2, 3]), null, { groups: 2 }), /conv1d: weight \[3,2,3\]: out channels 3 must be divisible by groups 2/],
    ["convTranspose2d channels", () => F.convTranspose2d(x, dt.randn([4, 2, 3, 3])), /convTranspose2d: input \[1,3,8,8\] and weight \[4,2,3,3\]: expected input channels 4/],
    ["convTranspose2d outputPadding", () => F.convTranspose2d(x, dt.randn([3, 2, 3, 3]), null, { outputPadding: 1 }), /convTranspose2d: outputPadding \[1,1\] must be smaller than either stride/],
    ["maxPool2d padding", () => F.maxPool2d(x, 2, { padding: 2 }), /maxPool2d: padding 2 must be at most half of the kernel size 2/],
    ["maxPool2d too small", () => F.maxPool2d(dt.randn([1, 1, 2, 2]), 3), /maxPool2d: input \[1,1,2,2\] is too small for kernel \[3,3\]/],
    ["avgPool1d rank", () => F.avgPool1d(x, 2), /avgPool1d: expected a 2-d \(unbatched\) or 3-d \(batched\) input, got \[1,3,8,8\]/],
    ["layerNorm shape", () => F.layerNorm(x, [4]), /layerNorm: input \[1,3,8,8\] does not end with normalizedShape \[4\]/],
    ["groupNorm groups", () => F.groupNorm(x, 2), /groupNorm: input \[1,3,8,8\]: expected the number of channels 3 to be divisible by numGroups 2/],
    ["batchNorm weight", () => F.batchNorm(x, dt.zeros([3]), dt.ones([3]), dt.ones([4])), /batchNorm: weight \[4\] must have shape \[3\] for input \[1,3,8,8\]/],
    ["batchNorm eval stats", () => F.batchNorm(x, null, null), /batchNorm: runningMean and runningVar are required when not training/],
    ["batchNorm one value", () => F.batchNorm(dt.randn([1, 3]), null, null, null, null, { training: true }), /batchNorm: expected more than 1 value per channel when training/],
    ["attention features", () => F.scaledDotProductAttention(dt.randn([2, 3, 4]), dt.randn([2, 5, 3]), dt.randn([2, 5, 3])), /scaledDotProductAttention: query \[2,3,4\] and key \[2,5,3\]: expected the same feature size 4, got 3/],
    ["attention mask", () => F.scaledDotProductAttention(dt.randn([2, 3, 4]), dt.randn([2, 5, 4]), dt.randn([2, 5, 3]), { attnMask: dt.ones([3, 4]) }), /scaledDotProductAttention: attnMask \[3,4\] cannot be broadcast to the attention scores \[2,3,5\]/],
  ];
  for (const [name, fn, re] of cases) test(name, () => assert.throws(fn, re));
});

describe("behaviour", () => {
  test("fold inverts unfold for non-overlapping windows", () => {
    const x = dt.randn([2, 3, 6, 4], { dtype: "float64" });
    const y = F.fold(F.unfold(x, 2, { stride: 2 }), [6, 4], 2, { stride: 2 });
    assert.deepEqual(Array.from(y.dataSync()), Array.from(x.dataSync()));
  });
  test("batchNorm in training mode accepts null running stats", () => {
    const y = F.batchNorm(dt.randn([4, 3]), null, null, null, null, { training: true });
    assert.ok(Math.abs(y.mean(0).abs().max().item()) < 1e-5);
  });
  test("attention dropout is reproducible under manualSeed", () => {
    const q = dt.randn([2, 3, 4]);
    dt.manualSeed(7);
    const a = F.scaledDotProductAttention(q, q, q, { dropoutP: 0.5 }).dataSync();
    dt.manualSeed(7);
    const b = F.scaledDotProductAttention(q, q, q, { dropoutP: 0.5 }).dataSync();
    assert.deepEqual(Array.from(a), Array.from(b));
  });
});
