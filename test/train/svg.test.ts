// The hand-written SVG charts: ticks, empty data, log scale, escaping, the confusion heatmap.

import { test } from "node:test";
import assert from "node:assert/strict";
import { lineChart, confusionMatrixSvg, niceTicks } from "../../src/train/svg.js";

test("niceTicks: 1-2-5 steps covering the range", () => {
  assert.deepEqual(niceTicks(0, 1).map((v) => Number(v.toFixed(12))), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(3, 47), [10, 20, 30, 40]);
  assert.deepEqual(niceTicks(3, 47, 2), [20, 40]); // never fewer than two ticks
  assert.deepEqual(niceTicks(5, 5), [5]);
});

test("lineChart: one path per series with its point count; NaN breaks the line; no data says so", () => {
  const svg = lineChart([{ name: "a<b", x: [1, 2, 3, 4], y: [1, NaN, 3, 4] }, { name: "empty", x: [], y: [] }], { title: "T & U" });
  assert.match(svg, /<path d="M[\d.]+ [\d.]+M[\d.]+ [\d.]+L[\d.]+ [\d.]+" [^>]*data-series="a&lt;b" data-points="3"/);
  assert.match(svg, />T &amp; U</);
  assert.doesNotMatch(svg, /data-series="empty"/);
  assert.match(lineChart([], { title: "x" }), /no data/);
  // log scale: non-positive values are skipped, ticks are powers of ten
  const log = lineChart([{ name: "loss", x: [1, 2, 3], y: [1, 0.01, 0] }], { title: "L", logY: true });
  assert.match(log, /data-points="2"/);
  assert.match(log, />0\.1</);
});

test("confusionMatrixSvg: a cell per entry with its count", () => {
  const svg = confusionMatrixSvg([[5, 1], [0, 7]], ["cat", "dog"]);
  const cells = [...svg.matchAll(/data-row="(\d)" data-col="(\d)" data-value="(\d+)"/g)].map((m) => m.slice(1).map(Number));
  assert.deepEqual(cells, [[0, 0, 5], [0, 1, 1], [1, 0, 0], [1, 1, 7]]);
  assert.match(svg, />cat<.*>dog</s);
});
