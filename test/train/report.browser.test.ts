// report.html in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core) opens the report of a tiny run from file:// with the network blocked and checks
// that the curves, the confusion matrix (its numbers) and the example images rendered.
// A screenshot is saved to $TEST_ARTIFACTS/report.png (default: <tmpdir>/deeptype-test-artifacts).
// CI needs: apt-get install -y chromium

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import * as dt from "../../src/index.js";
import { Tensor } from "../../src/tensor/tensor.js";
import { fit } from "../../src/train/index.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"];

/** A tiny run: softmax regression on 3 blobs of 8x8 "images" (inputs [B, 1, 8, 8]). */
async function tinyRun(dir: string) {
  dt.manualSeed(0);
  const n = 150;
  const y = dt.randint(0, 3, [n]);
  const x = dt.randn([3, 64]).indexSelect(0, y).add(dt.randn([n, 64]).mul(4)).reshape(n, 1, 8, 8);
  const w = dt.zeros([64, 3], { requiresGrad: true });
  const b = dt.zeros([3], { requiresGrad: true });
  const model = {
    call: (xb: Tensor) => xb.reshape(-1, 64).matmul(w).add(b),
    train() {}, eval() {},
    parameters: () => [w, b],
    stateDict: () => ({ w, b }),
    loadStateDict() {},
  };
  const optimizer = {
    zeroGrad() { w.grad = null; b.grad = null; },
    step() { dt.noGrad(() => { for (const p of [w, b]) p.sub_(p.grad!.mul(0.05)); }); },
  };
  const batches = Array.from({ length: 5 }, (_, i) => [x.slice(0, i * 30, i * 30 + 30), y.slice(0, i * 30, i * 30 + 30)]);
  return fit(model, {
    train: batches, val: batches, epochs: 3, optimizer, lossFn: dt.nn.functional.crossEntropy, metrics: ["accuracy"],
    runDir: dir, progress: false, classNames: ["zero", "one", "two"], config: { recipe: "browser-test" },
  });
}

test("report.html renders in headless Chromium from file:// with no network", async () => {
  assert.ok(
    fs.existsSync(CHROMIUM),
    `Chromium is not installed at ${CHROMIUM}: this test drives a real browser. Install Debian's package with 'apt-get install -y chromium' (or set CHROMIUM_PATH).`,
  );
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deeptype-report-"));
  const result = await tinyRun(dir);
  const cm = result.evaluation!.confusionMatrix!;
  const mis = result.evaluation!.misclassified!;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url()); });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.route(/^https?:/, (route) => route.abort());
    await page.goto(pathToFileURL(path.join(dir, "report.html")).href);
    await page.waitForLoadState("load");

    // curves: one SVG per chart, each line a path with one point per epoch (steps: one per batch)
    const charts = await page.$$eval("#curves [data-chart]", (els) =>
      els.map((e) => ({
        name: e.getAttribute("data-chart"),
        paths: [...e.querySelectorAll("path")].map((p) => ({ series: p.getAttribute("data-series"), points: Number(p.getAttribute("data-points")), length: (p as SVGPathElement).getTotalLength() })),
        box: (() => { const r = e.querySelector("svg")!.getBoundingClientRect(); return [r.width, r.height]; })(),
      })),
    );
    const loss = charts.find((c) => c.name === "loss")!;
    assert.ok(loss, `a loss chart (charts: ${charts.map((c) => c.name).join(", ")})`);
    assert.deepEqual(loss.paths.map((p) => [p.series, p.points]), [["train loss (steps)", 15], ["train loss", 3], ["val loss", 3]]);
    for (const p of loss.paths) assert.ok(p.length > 50, `the ${p.series} line is drawn (length ${p.length})`);
    assert.ok(loss.box[0] > 300 && loss.box[1] > 150, `loss chart laid out at ${loss.box}`);
    const acc = charts.find((c) => c.name === "accuracy")!;
    assert.deepEqual(acc.paths.map((p) => p.series), ["train accuracy", "val accuracy"]);
    assert.ok(charts.some((c) => c.name === "lr") === false, "no lr chart: this optimizer has no paramGroups");

    // confusion matrix: every cell shows the number fit computed
    const cells = await page.$$eval("#confusion g.cell", (gs) =>
      gs.map((g) => ({ r: Number(g.getAttribute("data-row")), c: Number(g.getAttribute("data-col")), text: g.querySelector("text")?.textContent ?? "", fill: g.querySelector("rect")!.getAttribute("fill") })),
    );
    assert.equal(cells.length, 9);
    for (const cell of cells) assert.equal(cell.text, String(cm[cell.r][cell.c]), `cell (${cell.r}, ${cell.c})`);
    const labels = await page.$$eval("#confusion svg > text", (ts) => ts.map((t) => t.textContent));
    for (const name of ["zero", "one", "two", "predicted", "true"]) assert.ok(labels.includes(name), `axis label ${name}`);

    // misclassified examples: decoded images of 8x8 scaled 9x, captions with class names
    assert.ok(mis.length > 0, "the tiny run misclassifies some examples");
    {
      const imgs = await page.$$eval("#misclassified img", (is) => is.map((i) => [(i as HTMLImageElement).complete, (i as HTMLImageElement).naturalWidth, (i as HTMLImageElement).naturalHeight]));
      assert.equal(imgs.length, mis.length);
      for (const [complete, w, h] of imgs) assert.deepEqual([complete, w, h], [true, 72, 72]);
      const caption = await page.textContent("#misclassified figcaption");
      assert.match(caption ?? "", /^#\d+: (zero|one|two) → (zero|one|two)$/);
    }
    // summary table with the final accuracy
    const summary = await page.textContent("#summary");
    assert.match(summary ?? "", /accuracy/);

    assert.deepEqual(requests, [], "the page makes no network requests");
    assert.deepEqual(errors, [], "no page errors");
    const out = process.env.TEST_ARTIFACTS ?? path.join(os.tmpdir(), "deeptype-test-artifacts");
    fs.mkdirSync(out, { recursive: true });
    await page.screenshot({ path: path.join(out, "report.png"), fullPage: true });
    assert.ok(fs.statSync(path.join(out, "report.png")).size > 10_000);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
