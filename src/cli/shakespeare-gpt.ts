// The `shakespeare-gpt` recipe: nanoGPT's character-level GPT on tiny-shakespeare, CPU configuration
// (block 64, batch 12, 4 layers, 4 heads, 128 wide, 2000 iterations, lr 1e-3 -> 1e-4 cosine, warm-up 100,
// AdamW betas (0.9, 0.99), weight decay 0.1, grad clip 1.0, dropout 0). A step-based loop, not `fit`:
// random-offset batches from the first 90% of the characters, eval on the last 10%.
// Run directory: config.json, tokenizer.json, metrics.jsonl, checkpoints/{last,best}.safetensors,
// samples.json, report.html, results.json ({"val_loss", "val_perplexity", ...}).

import * as fs from "node:fs";
import * as path from "node:path";
import * as dt from "../index.js";
import { GPT, getLr } from "../text/gpt.js";
import { CharTokenizer } from "../text/char.js";
import { saveCheckpointSync, loadCheckpointSync } from "../io/checkpoint.js";
import { writeFileAtomicSync } from "../io/files.js";
import { RunDir, RUN_FILES, type StepRecord } from "../train/run-dir.js";
import { esc, lineChart, type Series } from "../train/svg.js";
import { checkOptions } from "../tensor/options.js";

/** The recipe's name, as `deeptype train` takes it. */
export const SHAKESPEARE_RECIPE = "shakespeare-gpt";

/** The tokenizer file of a run directory. */
export const TOKENIZER_FILE = "tokenizer.json";
/** The generated samples of a run directory. */
export const SAMPLES_FILE = "samples.json";

/** The hyper-parameters of a shakespeare-gpt run. */
export interface ShakespeareSettings {
  /** Training iterations. */
  steps: number;
  /** Sequences per batch. */
  batchSize: number;
  /** Context length. */
  blockSize: number;
  /** Transformer blocks. */
  nLayer: number;
  /** Attention heads. */
  nHead: number;
  /** Embedding width. */
  nEmbd: number;
  /** Peak learning rate. */
  lr: number;
  /** Final learning rate. */
  minLr: number;
  /** Linear warm-up steps. */
  warmupIters: number;
  /** Evaluate (and checkpoint) every this many steps, and at the end. */
  evalInterval: number;
  /** Random batches per split of a periodic evaluation. */
  evalIters: number;
  /** Random val batches of the final val_loss. */
  finalEvalBatches: number;
  /** Only the first this many characters of the text (0: all). */
  maxChars: number;
  /** Random seed (init and batches). */
  seed: number;
}

/** nanoGPT's shakespeare_char CPU configuration. */
export const SHAKESPEARE_DEFAULTS: ShakespeareSettings = {
  steps: 2000, batchSize: 12, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128, lr: 1e-3, minLr: 1e-4, warmupIters: 100,
  evalInterval: 250, evalIters: 20, finalEvalBatches: 200, maxChars: 0, seed: 1337,
};

/** --tiny: a few seconds (20 steps of a small model on the first 20 kB). */
export const SHAKESPEARE_TINY: Partial<ShakespeareSettings> = {
  steps: 20, batchSize: 4, blockSize: 32, nLayer: 1, nHead: 2, nEmbd: 32, warmupIters: 5, evalInterval: 10, evalIters: 2, finalEvalBatches: 8, maxChars: 20000,
};

/** A few lines used by --tiny when no --data is given. */
const TINY_TEXT = `First Citizen:
Before we proceed any further, hear me speak.

All:
Speak, speak.

First Citizen:
You are all resolved rather to die than to famish?

All:
Resolved. resolved.

First Citizen:
First, you know Caius Marcius is chief enemy to the people.

ROMEO:
But, soft! what light through yonder window breaks?
It is the east, and Juliet is the sun.
`;

/** Options of runShakespeare. */
export interface ShakespeareRunOptions {
  /** The run directory. */
  out: string;
  /** A folder holding input.txt, or a text file. */
  data?: string;
  /** The --tiny configuration. */
  tiny?: boolean;
  /** Overrides of the settings (steps, seed, batchSize, lr). */
  overrides?: Partial<ShakespeareSettings>;
  /** Progress lines. */
  log?: (s: string) => void;
  /** Notes (e.g. the built-in text). */
  note?: (s: string) => void;
}
const RUN_KEYS = ["out", "data", "tiny", "overrides", "log", "note"] as const;

/** What runShakespeare returns. */
export interface ShakespeareResult {
  /** results.json's content. */
  results: Record<string, number>;
  /** The run directory (absolute). */
  dir: string;
  /** The samples written into the report. */
  samples: { prompt: string; text: string }[];
}

/** The text of --data: DIR/input.txt, or the file itself. */
function readText(data: string | undefined, tiny: boolean, note: (s: string) => void): { text: string; source: string } {
  if (data === undefined) {
    if (tiny) {
      note("no --data given: --tiny trains on a small built-in snippet of Shakespeare");
      return { text: TINY_TEXT.repeat(20), source: "built-in snippet" };
    }
    throw new Error(`${SHAKESPEARE_RECIPE}: no dataset; pass --data DIR with DIR/input.txt (tiny-shakespeare: https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt)`);
  }
  const p = path.resolve(data);
  if (!fs.existsSync(p)) throw new Error(`${SHAKESPEARE_RECIPE}: --data ${data}: no such folder or file (expected a folder with input.txt)`);
  const file = fs.statSync(p).isDirectory() ? path.join(p, "input.txt") : p;
  if (!fs.existsSync(file)) throw new Error(`${SHAKESPEARE_RECIPE}: --data ${data}: no input.txt in it (expected ${file})`);
  return { text: fs.readFileSync(file, "utf8"), source: file };
}

/** A small seeded generator (mulberry32): the batch offsets, independent of dt.manualSeed. */
function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** A batch [B, T] of inputs and next-character targets at random offsets (nanoGPT's get_batch). */
function getBatch(data: Int32Array, B: number, T: number, rand: (n: number) => number): [dt.Tensor, dt.Tensor] {
  const x = new Int32Array(B * T), y = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const i = rand(data.length - T);
    x.set(data.subarray(i, i + T), b * T);
    y.set(data.subarray(i + 1, i + 1 + T), b * T);
  }
  return [dt.tensor(x, { shape: [B, T] }), dt.tensor(y, { shape: [B, T] })];
}

/** The mean loss over `n` random batches of `data`. */
function estimateLoss(model: GPT, data: Int32Array, n: number, B: number, T: number, rand: (n: number) => number): number {
  model.eval();
  let sum = 0;
  dt.noGrad(() => {
    for (let k = 0; k < n; k++) {
      const [x, y] = getBatch(data, B, T, rand);
      sum += model.call(x, y)[1]!.item();
    }
  });
  model.train();
  return sum / n;
}

/** Trains the recipe into `opts.out` and writes every file of the run directory. */
export function runShakespeare(opts: ShakespeareRunOptions): ShakespeareResult {
  const o = checkOptions("runShakespeare", opts, RUN_KEYS, 1);
  const log = o.log ?? (() => {});
  const note = o.note ?? (() => {});
  const tiny = Boolean(o.tiny);
  const s: ShakespeareSettings = { ...SHAKESPEARE_DEFAULTS, ...(tiny ? SHAKESPEARE_TINY : {}), ...(o.overrides ?? {}) };
  const read = readText(o.data, tiny, note);
  const text = s.maxChars > 0 ? [...read.text.slice(0, 2 * s.maxChars)].slice(0, s.maxChars).join("") : read.text;
  if ([...text].length < 10 * (s.blockSize + 1))
    throw new Error(`${SHAKESPEARE_RECIPE}: ${read.source} is too short (${text.length} characters; need at least ${10 * (s.blockSize + 1)} for block ${s.blockSize} and a 90/10 split)`);
  const tok = CharTokenizer.fromText(text);
  const ids = Int32Array.from(tok.encode(text));
  const n = Math.floor(0.9 * ids.length);
  const train = ids.subarray(0, n), val = ids.subarray(n);
  if (val.length <= s.blockSize + 1) throw new Error(`${SHAKESPEARE_RECIPE}: the val split (${val.length} characters) is shorter than the block ${s.blockSize}`);

  const run = new RunDir(o.out);
  const config = {
    recipe: SHAKESPEARE_RECIPE, ...s, tiny, data: o.data ?? null, source: read.source, characters: ids.length, trainCharacters: train.length,
    valCharacters: val.length, vocabSize: tok.vocabSize, betas: [0.9, 0.99], weightDecay: 0.1, gradClip: 1.0, dropout: 0,
    finalEval: `mean loss of ${s.finalEvalBatches} random val batches (${s.batchSize} x ${s.blockSize}), seed ${s.seed + 2}`,
    backend: dt.getBackend(), threads: dt.getNumThreads(), createdAt: new Date().toISOString(),
  };
  run.writeConfig(config);
  writeFileAtomicSync(path.join(run.dir, TOKENIZER_FILE), new TextEncoder().encode(JSON.stringify({ type: "char", chars: tok.chars }) + "\n"), SHAKESPEARE_RECIPE);

  dt.manualSeed(s.seed);
  const model = new GPT({ vocabSize: tok.vocabSize, blockSize: s.blockSize, nLayer: s.nLayer, nHead: s.nHead, nEmbd: s.nEmbd, dropout: 0, bias: false });
  const opt = model.configureOptimizers({ weightDecay: 0.1, learningRate: s.lr, betas: [0.9, 0.99] });
  model.train();
  log(`${SHAKESPEARE_RECIPE}: ${(model.getNumParams() / 1e6).toFixed(2)}M parameters, vocab ${tok.vocabSize}, ${train.length} train / ${val.length} val characters from ${read.source}\n`);
  const randTrain = rng(s.seed), randEval = rng(s.seed + 1);
  const t0 = performance.now();
  const time = () => (performance.now() - t0) / 1000;
  let best = Infinity;
  const evaluate = (step: number): void => {
    const trainLoss = estimateLoss(model, train, s.evalIters, s.batchSize, s.blockSize, randEval);
    const valLoss = estimateLoss(model, val, s.evalIters, s.batchSize, s.blockSize, randEval);
    fs.appendFileSync(run.path("metrics"), JSON.stringify({ type: "eval", step, train_loss: trainLoss, val_loss: valLoss, time: time() }) + "\n");
    log(`step ${step}: train loss ${trainLoss.toFixed(4)}, val loss ${valLoss.toFixed(4)} (${time().toFixed(1)} s)\n`);
    const ck = { model, optimizer: opt, epoch: 0, step, metrics: { train_loss: trainLoss, val_loss: valLoss } };
    saveCheckpointSync(run.path("last"), ck);
    if (valLoss < best) { best = valLoss; saveCheckpointSync(run.path("best"), ck); }
  };
  for (let it = 0; it < s.steps; it++) {
    if (it % s.evalInterval === 0 && it > 0) evaluate(it);
    const lr = getLr(it, { warmupIters: s.warmupIters, lrDecayIters: s.steps, learningRate: s.lr, minLr: s.minLr });
    for (const g of opt.paramGroups) g.lr = lr;
    const [x, y] = getBatch(train, s.batchSize, s.blockSize, randTrain);
    const [, loss] = model.call(x, y);
    opt.zeroGrad();
    loss!.backward();
    dt.nn.utils.clipGradNorm_(model.parameters(), 1.0);
    opt.step();
    const rec: StepRecord = { type: "step", epoch: 1, step: it + 1, progress: (it + 1) / s.steps, loss: loss!.item(), lr, time: time() };
    run.append(rec);
  }
  const trainSeconds = time();
  evaluate(s.steps);
  // the final, more precise val loss: a fixed-seed set of random val batches, with the last weights
  const valLoss = estimateLoss(model, val, s.finalEvalBatches, s.batchSize, s.blockSize, rng(s.seed + 2));
  const samples = ["ROMEO:", "\n"].filter((p) => [...p].every((c) => tok.tokenToId(c) !== undefined)).map((prompt, i) => ({
    prompt, text: sample(model, tok, prompt, tiny ? 100 : 500, { temperature: 0.8, topK: 200, seed: s.seed + i }),
  }));
  writeFileAtomicSync(path.join(run.dir, SAMPLES_FILE), new TextEncoder().encode(JSON.stringify(samples, null, 1) + "\n"), SHAKESPEARE_RECIPE);
  const results: Record<string, number> = {
    val_loss: valLoss, val_perplexity: Math.exp(valLoss), steps: s.steps, train_seconds: trainSeconds, seconds_per_step: trainSeconds / s.steps,
  };
  writeFileAtomicSync(run.path("results"), new TextEncoder().encode(JSON.stringify(results, null, 1) + "\n"), SHAKESPEARE_RECIPE);
  writeShakespeareReport(run.dir);
  return { results, dir: run.dir, samples };
}

/** Options of sample. */
export interface SampleOptions {
  /** Softmax temperature (default 0.8). */
  temperature?: number;
  /** Sample among the k most likely characters (default 200, i.e. nanoGPT's sample.py). */
  topK?: number | null;
  /** Seed of the sampling (default: the global generator). */
  seed?: number | null;
}
const SAMPLE_KEYS = ["temperature", "topK", "seed"] as const;

/** The prompt followed by `tokens` generated characters. Unknown prompt characters throw, naming them. */
export function sample(model: GPT, tok: CharTokenizer, prompt: string, tokens: number, opts: SampleOptions = {}): string {
  const { temperature = 0.8, topK = 200, seed = null } = checkOptions("sample", opts, SAMPLE_KEYS, 4);
  let ids: number[];
  try {
    ids = tok.encode(prompt);
  } catch (e) {
    throw new Error(`the prompt has a character the model's vocabulary lacks: ${(e as Error).message}`);
  }
  if (ids.length === 0) throw new Error("the prompt is empty; give at least one character (e.g. --prompt \"\\n\")");
  const ctx = ids.slice(-model.config.blockSize);
  const out = model.generate(dt.tensor(Int32Array.from(ctx), { shape: [1, ctx.length] }), tokens, { temperature, topK: topK === null ? null : Math.min(topK, tok.vocabSize), seed });
  const gen = Array.from(out.dataSync() as Int32Array).slice(ctx.length);
  return prompt + tok.decode(gen);
}

/** A trained run loaded back: its model (best checkpoint, else last) and tokenizer. */
export function loadShakespeareRun(runDir: string): { model: GPT; tokenizer: CharTokenizer; checkpoint: string } {
  const dir = path.resolve(runDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`${runDir}: no such run directory`);
  const cfgFile = path.join(dir, RUN_FILES.config);
  if (!fs.existsSync(cfgFile)) throw new Error(`${runDir}: not a run directory (no ${RUN_FILES.config}); pass the directory 'deeptype train ${SHAKESPEARE_RECIPE}' printed`);
  const cfg = JSON.parse(fs.readFileSync(cfgFile, "utf8")) as Record<string, unknown>;
  if (cfg.recipe !== SHAKESPEARE_RECIPE) throw new Error(`${runDir}: a run of recipe '${String(cfg.recipe)}', not ${SHAKESPEARE_RECIPE}; 'deeptype generate' needs a language model`);
  const tokFile = path.join(dir, TOKENIZER_FILE);
  if (!fs.existsSync(tokFile)) throw new Error(`${runDir}: no ${TOKENIZER_FILE} (the character vocabulary)`);
  const tokenizer = new CharTokenizer((JSON.parse(fs.readFileSync(tokFile, "utf8")) as { chars: string[] }).chars);
  const checkpoint = [RUN_FILES.best, RUN_FILES.last].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!checkpoint) throw new Error(`${runDir}: no checkpoint (expected ${RUN_FILES.best} or ${RUN_FILES.last})`);
  const num = (k: string) => Number(cfg[k]);
  const model = new GPT({ vocabSize: tokenizer.vocabSize, blockSize: num("blockSize"), nLayer: num("nLayer"), nHead: num("nHead"), nEmbd: num("nEmbd"), dropout: 0, bias: false });
  model.loadStateDict(loadCheckpointSync(checkpoint).model);
  model.eval();
  return { model, tokenizer, checkpoint };
}

/** Writes report.html of a shakespeare-gpt run: summary, loss and lr curves against the step, samples, configuration. */
export function writeShakespeareReport(runDir: string): string {
  const dir = path.resolve(runDir);
  const cfg = JSON.parse(fs.readFileSync(path.join(dir, RUN_FILES.config), "utf8")) as Record<string, unknown>;
  const steps: { step: number; loss: number; lr: number }[] = [];
  const evals: { step: number; train_loss: number; val_loss: number }[] = [];
  for (const line of fs.readFileSync(path.join(dir, RUN_FILES.metrics), "utf8").split("\n")) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    if (r.type === "step") steps.push(r);
    else if (r.type === "eval") evals.push(r);
  }
  const resFile = path.join(dir, RUN_FILES.results);
  const results = fs.existsSync(resFile) ? (JSON.parse(fs.readFileSync(resFile, "utf8")) as Record<string, number>) : {};
  const sFile = path.join(dir, SAMPLES_FILE);
  const samples = fs.existsSync(sFile) ? (JSON.parse(fs.readFileSync(sFile, "utf8")) as { prompt: string; text: string }[]) : [];
  const loss: Series[] = [
    { name: "train loss (steps)", x: steps.map((r) => r.step), y: steps.map((r) => r.loss), color: "#1f77b4", faint: true },
    { name: "train loss (eval)", x: evals.map((r) => r.step), y: evals.map((r) => r.train_loss), color: "#1f77b4" },
    { name: "val loss (eval)", x: evals.map((r) => r.step), y: evals.map((r) => r.val_loss), color: "#d62728" },
  ];
  const fmt = (v: unknown) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(5)) : typeof v === "string" ? v : JSON.stringify(v));
  const h: string[] = [];
  h.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>deeptype run: ${SHAKESPEARE_RECIPE}</title>`);
  h.push(`<style>body{font:14px system-ui,sans-serif;margin:24px;max-width:1000px} td{padding:2px 8px} .k{font-family:monospace} pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}</style></head><body>`);
  h.push(`<h1>deeptype run: ${SHAKESPEARE_RECIPE}</h1><div>${esc(dir)}</div>`);
  h.push(`<h2>Results</h2><table id="summary">${Object.entries(results).map(([k, v]) => `<tr><td class="k">${esc(k)}</td><td>${esc(fmt(v))}</td></tr>`).join("")}</table>`);
  h.push(`<h2>Curves</h2><div id="curves">`);
  if (steps.length) h.push(lineChart(loss, { title: "Loss", xLabel: "step" }));
  if (steps.length) h.push(lineChart([{ name: "learning rate", x: steps.map((r) => r.step), y: steps.map((r) => r.lr), color: "#2ca02c" }], { title: "Learning rate", xLabel: "step" }));
  h.push(`</div><h2>Samples</h2><div id="samples">`);
  for (const sm of samples) h.push(`<p>prompt ${esc(JSON.stringify(sm.prompt))}, temperature 0.8, top-k 200:</p><pre>${esc(sm.text)}</pre>`);
  h.push(`</div><h2>Configuration</h2><table id="config">`);
  for (const [k, v] of Object.entries(cfg)) h.push(`<tr><td class="k">${esc(k)}</td><td class="k">${esc(fmt(v))}</td></tr>`);
  h.push(`</table></body></html>\n`);
  const file = path.join(dir, RUN_FILES.report);
  writeFileAtomicSync(file, new TextEncoder().encode(h.join("\n")), SHAKESPEARE_RECIPE);
  return file;
}
