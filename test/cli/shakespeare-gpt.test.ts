// `deeptype train shakespeare-gpt --tiny` end to end on a small input.txt, `deeptype generate` on its
// run directory, `deeptype report` on it, and the error messages (missing/bad --data, bad runs, prompts).

import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../src/cli/main.js";

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await main(["node", "deeptype", ...args], { out: (s) => { out += s; }, err: (s) => { err += s; } });
  return { code, out, err };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "deeptype-shakes-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const dataDir = path.join(tmp, "data");
fs.mkdirSync(dataDir);
const verse = "ROMEO:\nBut, soft! what light through yonder window breaks?\nIt is the east, and Juliet is the sun.\n\nJULIET:\nO Romeo, Romeo! wherefore art thou Romeo?\n\n";
fs.writeFileSync(path.join(dataDir, "input.txt"), verse.repeat(40));
const runDir = path.join(tmp, "run");

test("train shakespeare-gpt --tiny: the run directory, results.json of numbers, the run dir on the last line", async () => {
  const r = await run("train", "shakespeare-gpt", "--tiny", "--data", dataDir, "--out", runDir, "--seed", "3", "--steps", "12");
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trimEnd().split("\n");
  assert.equal(lines[lines.length - 1], runDir);
  assert.match(r.out, /^shakespeare-gpt: val loss [\d.]+ \(perplexity [\d.]+\) after 12 steps/);
  for (const f of ["config.json", "metrics.jsonl", "tokenizer.json", "samples.json", "report.html", "results.json", "checkpoints/last.safetensors", "checkpoints/best.safetensors"])
    assert.ok(fs.existsSync(path.join(runDir, f)), f);
  const results = JSON.parse(fs.readFileSync(path.join(runDir, "results.json"), "utf8"));
  assert.equal(typeof results.val_loss, "number");
  assert.equal(typeof results.val_perplexity, "number");
  for (const [k, v] of Object.entries(results)) assert.ok(typeof v === "number" && Number.isFinite(v), `${k}: ${String(v)}`);
  assert.ok(Math.abs(results.val_perplexity - Math.exp(results.val_loss)) < 1e-9);
  assert.equal(results.steps, 12);
  const config = JSON.parse(fs.readFileSync(path.join(runDir, "config.json"), "utf8"));
  assert.equal(config.recipe, "shakespeare-gpt");
  assert.equal(config.seed, 3);
  const metrics = fs.readFileSync(path.join(runDir, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(metrics.filter((m) => m.type === "step").length, 12);
  assert.ok(metrics.some((m) => m.type === "eval" && m.step === 12 && typeof m.val_loss === "number"));
  const html = fs.readFileSync(path.join(runDir, "report.html"), "utf8");
  assert.match(html, /<svg/);
  assert.match(html, /id="samples"[\s\S]*<pre>ROMEO:/);
  // report regenerates the same kind of page; plot works on the step records
  const rep = await run("report", runDir);
  assert.equal(rep.code, 0, rep.err);
  assert.match(fs.readFileSync(path.join(runDir, "report.html"), "utf8"), /id="samples"/);
  assert.equal((await run("plot", runDir)).code, 0);
});

test("generate prints the prompt and N characters, reproducible with --seed", async () => {
  const a = await run("generate", runDir, "--prompt", "ROMEO:", "--tokens", "50", "--seed", "7");
  assert.equal(a.code, 0, a.err);
  const text = a.out.replace(/\n$/, "");
  assert.ok(text.startsWith("ROMEO:"));
  assert.equal([...text].length, 6 + 50);
  const b = await run("generate", runDir, "--prompt", "ROMEO:", "--tokens", "50", "--seed", "7", "--temperature", "0.8", "--top-k", "200");
  assert.equal(b.out, a.out);
  const c = await run("generate", runDir, "--prompt", "R", "--tokens", "5", "--top-k", "1");
  assert.equal(c.code, 0, c.err);
  assert.equal([...c.out.replace(/\n$/, "")].length, 6);
});

test("errors: missing and bad --data, --epochs, unknown prompt characters, missing run files", async () => {
  const none = await run("train", "shakespeare-gpt", "--out", path.join(tmp, "x1"));
  assert.equal(none.code, 1);
  assert.match(none.err, /pass --data DIR with DIR\/input\.txt/);
  const missing = await run("train", "shakespeare-gpt", "--tiny", "--data", path.join(tmp, "nope"), "--out", path.join(tmp, "x2"));
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no such folder or file/);
  const empty = path.join(tmp, "empty");
  fs.mkdirSync(empty);
  const noInput = await run("train", "shakespeare-gpt", "--tiny", "--data", empty, "--out", path.join(tmp, "x3"));
  assert.match(noInput.err, /no input\.txt in it/);
  fs.writeFileSync(path.join(empty, "input.txt"), "too short");
  assert.match((await run("train", "shakespeare-gpt", "--tiny", "--data", empty, "--out", path.join(tmp, "x4"))).err, /too short/);
  assert.match((await run("train", "shakespeare-gpt", "--epochs", "2", "--data", dataDir)).err, /--steps/);
  const bad = await run("generate", runDir, "--prompt", "ROMEO: 😀", "--tokens", "5");
  assert.equal(bad.code, 1);
  assert.match(bad.err, /vocabulary lacks/);
  assert.match((await run("generate", path.join(tmp, "nowhere"))).err, /no such run directory/);
  assert.match((await run("generate", empty)).err, /no config\.json/);
  const noCk = path.join(tmp, "nock");
  fs.mkdirSync(noCk);
  for (const f of ["config.json", "tokenizer.json"]) fs.copyFileSync(path.join(runDir, f), path.join(noCk, f));
  assert.match((await run("generate", noCk)).err, /no checkpoint/);
});
