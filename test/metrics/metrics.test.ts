// dt.metrics against scikit-learn 1.2: the values in test/fixtures/metrics/sklearn.json come
// from scripts/fixtures/metrics.py on fixed random inputs (ties in scores, missing classes).

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as dt from "../../src/index.js";

const { metrics } = dt;
const fx = JSON.parse(readFileSync(new URL("../fixtures/metrics/sklearn.json", import.meta.url), "utf8"));

function close(actual: number | number[], expected: number | number[], what: string, tol = 1e-12): void {
  const a = Array.isArray(actual) ? actual : [actual];
  const e = Array.isArray(expected) ? expected : [expected];
  assert.equal(a.length, e.length, `${what}: length ${a.length} ≠ ${e.length}`);
  for (let i = 0; i < a.length; i++)
    assert.ok(Math.abs(a[i] - e[i]) <= tol * Math.max(1, Math.abs(e[i])), `${what}[${i}]: ${a[i]} ≠ sklearn ${e[i]}`);
}

const AVERAGES = ["micro", "macro", "weighted", "none", "binary"] as const;

function checkPrf(preds: dt.metrics.MetricInput, target: number[], ref: any, what: string, numClasses?: number): void {
  for (const average of AVERAGES) {
    if (!ref[average]) continue;
    for (const fn of ["precision", "recall", "f1"] as const) {
      const v = metrics[fn](preds, target, { average, numClasses });
      close(v, ref[average][fn], `${what} ${fn} ${average}${numClasses ? " numClasses" : ""}`);
    }
  }
}

for (const c of fx.multiclass) {
  test(`metrics: multiclass "${c.name}" matches sklearn`, () => {
    const logits = dt.tensor(c.logits);
    const target = dt.tensor(c.target, { dtype: "int32" });
    const predLabels = logits.argmax(1);
    // the same answers from a tensor of logits, a tensor of labels and plain arrays
    close(metrics.accuracy(logits, target), c.accuracy, "accuracy (logits)");
    close(metrics.accuracy(predLabels, c.target), c.accuracy, "accuracy (labels)");
    close(metrics.accuracy(c.logits, c.target), c.accuracy, "accuracy (arrays)");
    for (const k of Object.keys(c.topK)) close(metrics.topKAccuracy(c.logits, target, Number(k)), c.topK[k], `top-${k}`);
    assert.deepEqual(metrics.confusionMatrix(logits, target), c.confusion);
    assert.deepEqual(metrics.confusionMatrix(logits, target, { numClasses: c.numClasses }), c.confusionNumClasses);
    checkPrf(logits, c.target, c.prf, c.name);
    checkPrf(c.logits, c.target, c.prfNumClasses, c.name, c.numClasses);
    close(metrics.logLoss(c.probs, target), c.logLoss, "logLoss", 1e-9);
    if (c.rocAuc !== undefined) {
      close(metrics.rocAuc(c.probs, target), c.rocAuc, "rocAuc ovr macro");
      close(metrics.prAuc(c.probs, target), c.prAuc, "prAuc ovr macro");
    } else {
      assert.throws(() => metrics.rocAuc(c.probs, target), /only one class present/);
    }
  });
}

for (const b of fx.binary) {
  test(`metrics: binary "${b.name}" matches sklearn`, () => {
    close(metrics.accuracy(b.pred, b.target), b.accuracy, "accuracy");
    close(metrics.rocAuc(dt.tensor(b.scores, { dtype: "float64" }), b.target), b.rocAuc, "rocAuc");
    close(metrics.prAuc(b.scores, b.target), b.prAuc, "prAuc");
    // [N, 2] probabilities give the same as the class-1 column
    const two = b.scores.map((s: number) => [1 - s, s]);
    close(metrics.rocAuc(two, b.target), b.rocAuc, "rocAuc [N,2]");
    close(metrics.logLoss(b.scores, b.target), b.logLoss, "logLoss", 1e-9);
    assert.deepEqual(metrics.confusionMatrix(b.pred, b.target), b.confusion);
    checkPrf(b.pred, b.target, b.prf, b.name);
    // the default average for 0/1 labels is "binary", as sklearn's
    close(metrics.f1(b.pred, b.target), b.prf.binary.f1, "f1 default");
  });
}

test("metrics: zero division gives 0 as sklearn's zero_division=0", () => {
  const z = fx.zeroDivision;
  checkPrf(z.pred, z.target, z.prf, "zero-division");
  assert.deepEqual(metrics.precision(z.pred, z.target, { average: "none", zeroDivision: 1 }), [2 / 3, 1 / 3, 1]);
});

for (const r of fx.regression) {
  test(`metrics: regression "${r.name}" matches sklearn`, () => {
    close(metrics.mse(r.pred, r.target), r.mse, "mse");
    close(metrics.mae(dt.tensor(r.pred), dt.tensor(r.target)), r.mae, "mae", 1e-6); // float32 tensors
    close(metrics.mae(r.pred, r.target), r.mae, "mae");
    close(metrics.r2(r.pred, r.target), r.r2, "r2");
  });
}

test("metrics: errors name the metric and the problem", () => {
  assert.throws(() => metrics.accuracy([0, 1], [0, 1, 1]), /metrics\.accuracy: predictions have 2 samples and targets 3/);
  assert.throws(() => metrics.f1([0, 2], [0, 1], { average: "binary" }), /metrics\.f1: average "binary" needs labels 0\/1/);
  assert.throws(() => metrics.topKAccuracy([0.1, 0.2], [0, 1]), /scores must be \[N, C\]/);
  assert.throws(() => metrics.rocAuc([0.1, 0.2], [1, 1]), /only one class present/);
});
