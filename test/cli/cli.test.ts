// The `deeptype` command: every recipe's --quick run (what CI runs so recipes never rot), eval,
// plot, report, info, help and the error messages. Commands run in-process through main(); one
// test spawns the bin entry.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import { main } from "../../src/cli/main.js";
import { readRun } from "../../src/train/run-dir.js";

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await main(["node", "deeptype", ...args], { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deeptype-cli-"));
const noMnist = path.join(tmp, "no-mnist-here");
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("deeptype --help lists the commands; train --help the recipes", async () => {
  const r = await run("--help");
  assert.equal(r.code, 0);
  for (const c of ["train", "eval", "plot", "info", "bench"]) assert.match(r.out, new RegExp(`\\n  ${c} `));
  const t = await run("train", "--help");
  for (const name of ["digits-mlp", "mnist-mlp", "mnist-lenet", "--epochs", "--batch-size", "--lr", "--seed", "--data", "--download", "--out", "--quick"])
    assert.ok(t.out.includes(name), `train --help mentions ${name}`);
});

test("deeptype train digits-mlp --quick, then eval, plot and report on its run directory", async () => {
  const out = path.join(tmp, "digits");
  const r = await run("train", "digits-mlp", "--quick", "--out", out, "--no-progress", "--seed", "1");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^digits-mlp: held-out 20% of digits \(359\) \(first 359\) accuracy [\d.]+%, f1 [\d.]+, loss [\d.]+ after 2 epochs/);
  const data = readRun(out);
  assert.equal(data.config.recipe, "digits-mlp");
  assert.equal(data.config.seed, 1);
  assert.equal(data.config.quick, true);
  assert.equal(data.epochs.length, 2);
  assert.equal(data.steps.length, 6);
  assert.equal(data.evaluation!.confusionMatrix!.length, 10);
  for (const f of ["config.json", "metrics.jsonl", "evaluation.json", "report.html", "checkpoints/last.safetensors", "checkpoints/best.safetensors"])
    assert.ok(fs.existsSync(path.join(out, f)), f);
  // the recipe contract: results.json is one flat object of numbers, and the last line is the run directory
  const results = JSON.parse(fs.readFileSync(path.join(out, "results.json"), "utf8"));
  for (const [k, v] of Object.entries(results)) assert.equal(typeof v, "number", `results.json ${k}`);
  assert.ok(Math.abs(results.test_accuracy - data.evaluation!.metrics.accuracy) < 1e-12);
  assert.equal(results.test_samples, 359);
  assert.equal(r.out.trim().split("\n").pop(), out);
  const tiny = await run("train", "digits-mlp", "--tiny", "--out", path.join(tmp, "digits-tiny"), "--no-progress", "--seed", "1");
  assert.equal(tiny.code, 0, tiny.err);
  assert.equal(readRun(path.join(tmp, "digits-tiny")).config.quick, true, "--tiny is the CI configuration");

  const e = await run("eval", out, "--json");
  assert.equal(e.code, 0, e.err);
  const ev = JSON.parse(e.out);
  assert.equal(ev.recipe, "digits-mlp");
  assert.equal(ev.numSamples, 359);
  // the best checkpoint: its accuracy is the best validation accuracy of the run
  assert.ok(Math.abs(ev.metrics.accuracy - Math.max(...data.epochs.map((x) => x.val!.accuracy))) < 1e-9);
  const text = await run("eval", path.join(out, "checkpoints", "last.safetensors"));
  assert.match(text.out, /accuracy [\d.]+%.*\nconfusion matrix \(rows: true, columns: predicted\):\ntrue\\pred/);

  const p = await run("plot", out, "--out", path.join(tmp, "plots"));
  assert.equal(p.code, 0, p.err);
  const files = p.out.trim().split("\n");
  assert.deepEqual(files.map((f) => path.basename(f)).sort(), ["accuracy.svg", "confusion-matrix.svg", "f1.svg", "loss.svg", "lr.svg"]);
  assert.match(fs.readFileSync(files[0], "utf8"), /<svg[^]*<path d="M/);
  const rep = await run("report", out);
  assert.equal(rep.out.trim(), path.join(out, "report.html"));
});

for (const recipe of ["mnist-mlp", "mnist-lenet"]) {
  test(`deeptype train ${recipe} --quick runs without the dataset (random stand-in, said so)`, async () => {
    const out = path.join(tmp, recipe);
    const r = await run("train", recipe, "--quick", "--data", noMnist, "--out", out, "--no-progress");
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /note: MNIST not found .*--quick runs on 512 random 28x28 images/);
    assert.match(r.out, new RegExp(`^${recipe}: MNIST test set \\(256\\) \\(first 256\\) \\[random stand-in data\\] accuracy`));
    const data = readRun(out);
    assert.equal(data.config.synthetic, true);
    assert.equal(data.steps.length, 3);
    assert.equal(data.evaluation!.misclassified![0].width, 28);
  });
}

test("deeptype train mnist-mlp without the data says what to pass", async () => {
  const r = await run("train", "mnist-mlp", "--data", noMnist, "--out", path.join(tmp, "x"));
  assert.equal(r.code, 1);
  assert.match(r.err, /^deeptype: mnist: train-images-idx3-ubyte\(\.gz\) not found in .*no-mnist-here/);
  assert.match(r.err, /--data <dir with the MNIST files> or --download/);
});

test("deeptype: errors are one clear line", async () => {
  const r = await run("train", "imagenet-vit", "--quick");
  assert.equal(r.code, 1);
  assert.equal(r.err, "deeptype: unknown recipe 'imagenet-vit'; recipes: digits-mlp, mnist-mlp, mnist-lenet, shakespeare-gpt\n");
  const bad = await run("train", "digits-mlp", "--epochs", "zero");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /option '--epochs <n>' argument 'zero' is invalid. expected a positive integer/);
  const ev = await run("eval", path.join(tmp, "nothing"));
  assert.match(ev.err, /no such run directory or checkpoint file/);
  const pl = await run("plot", tmp);
  assert.match(pl.err, /is not a run directory \(no metrics\.jsonl\)/);
});

test("deeptype info; the bin entry runs", async () => {
  const r = await run("info");
  assert.match(r.out, /^deeptype \d+\.\d+\.\d+\nbackend   \w+ \(available: [\w, ]+\)\nthreads   \d+ \(CPUs: \d+\)\nwasm SIMD (yes|no)\nnode      v\d+/);
  const bin = spawnSync(process.execPath, ["--import", "tsx", "src/cli/index.ts", "--version"], { encoding: "utf8" });
  assert.equal(bin.status, 0, bin.stderr);
  assert.match(bin.stdout, /^\d+\.\d+\.\d+\n$/);
});
