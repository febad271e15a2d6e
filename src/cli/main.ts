// The `deeptype` command: train a recipe, evaluate a run, plot its curves, print system info,
// run the benchmarks. Built with commander; `main(argv)` is what bin runs and tests call.

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError, Option } from "commander";
import * as dt from "../index.js";
import { fit, evaluate } from "../train/fit.js";
import { loadModelState } from "../train/checkpoint.js";
import { plotRun, writeReport } from "../train/report.js";
import { readRun, RUN_FILES } from "../train/run-dir.js";
import { writeFileAtomicSync } from "../io/files.js";
import { RECIPES, type RecipeSettings } from "./recipes.js";
import { readCheckpointInfo, formatCheckpointInfo } from "./info.js";
import { SHAKESPEARE_RECIPE, runShakespeare, loadShakespeareRun, sample, writeShakespeareReport } from "./shakespeare-gpt.js";

/** The package root (holds package.json), from src/cli or dist/cli. */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

export function packageVersion(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")).version;
  } catch {
    return "unknown";
  }
}

/** Where the command writes: stdout for results, stderr for progress and notes (swappable in tests). */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}
const processIo: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}
function integer(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("expected an integer");
  return n;
}
function positiveNumber(v: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError("expected a positive number");
  return n;
}

function useBackend(opts: { backend?: string; threads?: number }): void {
  if (opts.backend) dt.setBackend(opts.backend);
  if (opts.threads) dt.setNumThreads(opts.threads);
}

function timestamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function simdSupported(): boolean {
  // (module (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt)), from wasm-feature-detect
  return WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]));
}

function pct(v: number | undefined): string {
  return v === undefined ? "?" : `${(100 * v).toFixed(2)}%`;
}

function matrixTable(m: number[][], names: string[]): string {
  const w = Math.max(5, ...m.flat().map((v) => String(v).length + 1), ...names.map((n) => n.length + 1));
  const head = "true\\pred".padEnd(10) + names.map((n) => n.padStart(w)).join("");
  return [head, ...m.map((row, i) => names[i].padEnd(10) + row.map((v) => String(v).padStart(w)).join(""))].join("\n");
}

/** Builds the command-line program. */
export function buildProgram(io: Io = processIo): Command {
  const program = new Command("deeptype")
    .description("deeptype: deep learning in TypeScript for Node.js. Train recipes, evaluate and plot runs.")
    .version(packageVersion(), "-V, --version")
    .showHelpAfterError("(run 'deeptype --help' for usage)")
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride(); // throw instead of process.exit (subcommands inherit this: set it before adding them)

  const recipeList = [
    ...Object.values(RECIPES).map((r) => `  ${r.name.padEnd(12)} ${r.description}`),
    `  ${SHAKESPEARE_RECIPE} nanoGPT's character-level GPT on tiny-shakespeare (--data DIR with input.txt; --steps, default 2000)`,
  ].join("\n");
  program
    .command("train")
    .description("train a recipe; writes config, metrics, checkpoints and report.html into a run directory")
    .argument("<recipe>", `one of: ${[...Object.keys(RECIPES), SHAKESPEARE_RECIPE].join(", ")}`)
    .option("--epochs <n>", "passes over the training set (default: the recipe's)", positiveInt)
    .option("--steps <n>", `training iterations (${SHAKESPEARE_RECIPE} only; default 2000)`, positiveInt)
    .option("--batch-size <n>", "samples per batch (default: the recipe's)", positiveInt)
    .option("--lr <x>", "(peak) learning rate (default: the recipe's)", positiveNumber)
    .option("--seed <n>", "random seed for init, shuffling and splits (default: the recipe's)", integer)
    .option("--data <dir>", "directory with the dataset files (MNIST: the four IDX files, .gz or not; default ~/.cache/deeptype)")
    .option("--download", "download missing dataset files into the data directory")
    .option("--out <dir>", "run directory (default: runs/<recipe>-<date>-<time>)")
    .option("--tiny", "the few-second configuration CI runs: a few batches of one or two epochs")
    .option("--quick", "the same as --tiny")
    .option("--backend <name>", "compute backend (see 'deeptype info')")
    .option("--threads <n>", "threads for the backend", positiveInt)
    .option("--no-progress", "no progress display")
    .addHelpText("after", `\nRecipes:\n${recipeList}\n\nExample:\n  npx deeptype train digits-mlp\n  npx deeptype train mnist-mlp --download --epochs 10`)
    .action(async (name: string, opts) => {
      if (name === SHAKESPEARE_RECIPE) {
        if (opts.epochs !== undefined) throw new Error(`${SHAKESPEARE_RECIPE} counts steps, not epochs: use --steps N`);
        useBackend(opts);
        const out = path.resolve(opts.out ?? path.join("runs", `${SHAKESPEARE_RECIPE}-${timestamp()}`));
        const r = runShakespeare({
          out, data: opts.data, tiny: Boolean(opts.quick || opts.tiny),
          overrides: {
            ...(opts.steps !== undefined ? { steps: opts.steps } : {}), ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
            ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}), ...(opts.lr !== undefined ? { lr: opts.lr } : {}),
          },
          log: opts.progress === false ? undefined : io.err, note: (s) => io.err(`note: ${s}\n`),
        });
        io.out(
          `${SHAKESPEARE_RECIPE}: val loss ${r.results.val_loss.toFixed(4)} (perplexity ${r.results.val_perplexity.toFixed(3)}) after ${r.results.steps} steps (${r.results.train_seconds.toFixed(1)} s)\n` +
            (r.samples[0] ? `sample:\n${r.samples[0].text}\n` : "") +
            `report: ${path.join(out, RUN_FILES.report)}\nresults: ${path.join(out, RUN_FILES.results)}\nrun directory:\n${out}\n`,
        );
        return;
      }
      const recipe = RECIPES[name];
      if (!recipe) throw new Error(`unknown recipe '${name}'; recipes: ${[...Object.keys(RECIPES), SHAKESPEARE_RECIPE].join(", ")}`);
      useBackend(opts);
      const quick = Boolean(opts.quick || opts.tiny);
      const { limitBatches, ...quickSettings } = recipe.quick;
      const settings: RecipeSettings = {
        ...recipe.defaults,
        ...(quick ? quickSettings : {}),
        ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
        ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
        ...(opts.lr !== undefined ? { lr: opts.lr } : {}),
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      };
      const out = path.resolve(opts.out ?? path.join("runs", `${recipe.name}-${timestamp()}`));
      const note = (s: string) => io.err(`note: ${s}\n`);
      const setup = await recipe.setup(settings, { dataDir: opts.data, download: Boolean(opts.download), quick, note });
      io.err(`deeptype train ${recipe.name}: ${settings.epochs} epochs, batch ${settings.batchSize}, lr ${settings.lr}, seed ${settings.seed}, backend ${dt.getBackend()} (${dt.getNumThreads()} threads)${quick ? ", quick" : ""}\n`);
      const result = await fit(setup.model, {
        train: setup.train, val: setup.val, epochs: settings.epochs, optimizer: setup.optimizer, scheduler: setup.scheduler,
        lossFn: setup.lossFn, metrics: ["accuracy", "f1"], callbacks: setup.callbacks, seed: settings.seed, runDir: out,
        limitBatches: quick ? limitBatches : undefined, classNames: setup.classNames, progress: opts.progress === false ? false : { stream: process.stderr },
        config: {
          recipe: recipe.name, ...settings, quick, data: opts.data ?? null, synthetic: setup.synthetic, validation: setup.valDescription,
          backend: dt.getBackend(), threads: dt.getNumThreads(), deeptype: packageVersion(),
        },
      });
      const ev = result.evaluation;
      const last = result.history[result.history.length - 1];
      // results.json: the final evaluation as one flat object of numbers (the recipes' contract)
      const results: Record<string, number> = {};
      if (ev?.metrics.accuracy !== undefined) results.test_accuracy = ev.metrics.accuracy;
      if (ev?.loss !== undefined && ev?.loss !== null) results.test_loss = ev.loss;
      if (ev?.metrics.f1 !== undefined) results.test_f1 = ev.metrics.f1;
      if (ev) results.test_samples = ev.numSamples;
      results.epochs = result.history.length;
      results.train_seconds = result.seconds;
      writeFileAtomicSync(path.join(out, RUN_FILES.results), new TextEncoder().encode(JSON.stringify(results, null, 1) + "\n"), "deeptype train");
      io.out(
        `${recipe.name}: ${setup.valDescription}${ev && quick ? ` (first ${ev.numSamples})` : ""}${setup.synthetic ? " [random stand-in data]" : ""} accuracy ${pct(ev?.metrics.accuracy)}, ` +
          `f1 ${ev?.metrics.f1?.toFixed(4) ?? "?"}, loss ${ev?.loss?.toFixed(4) ?? "?"} after ${result.history.length} epochs ` +
          `(${result.seconds.toFixed(1)} s, ${Math.round(result.samplesPerSecond)} samples/s, last epoch ${last.seconds.toFixed(1)} s)\n` +
          `report: ${path.join(out, RUN_FILES.report)}\nresults: ${path.join(out, RUN_FILES.results)}\nrun directory:\n${out}\n`,
      );
    });

  program
    .command("eval")
    .description("evaluate a run (its best checkpoint) or a checkpoint file on the recipe's test data")
    .argument("<run-dir-or-checkpoint>", "a run directory from 'deeptype train', or a .safetensors checkpoint inside one")
    .option("--data <dir>", "directory with the dataset files")
    .option("--download", "download missing dataset files")
    .option("--recipe <name>", "the recipe, when the checkpoint is not inside a run directory")
    .option("--weights <which>", "best or last checkpoint of a run directory", "best")
    .option("--batch-size <n>", "samples per batch", positiveInt, 500)
    .option("--quick", "a few batches only (with a random stand-in when the dataset is missing)")
    .option("--json", "print the result as JSON")
    .option("--backend <name>", "compute backend")
    .option("--threads <n>", "threads for the backend", positiveInt)
    .action(async (target: string, opts) => {
      useBackend(opts);
      let file = path.resolve(target);
      let runDir: string | null = null;
      if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
        runDir = file;
        const which = opts.weights === "last" ? RUN_FILES.last : RUN_FILES.best;
        file = path.join(runDir, which);
        if (!fs.existsSync(file) && opts.weights !== "last") file = path.join(runDir, RUN_FILES.last);
        if (!fs.existsSync(file)) throw new Error(`no checkpoint in ${runDir}/${RUN_FILES.checkpoints} (expected best.safetensors or last.safetensors)`);
      } else {
        if (!fs.existsSync(file)) throw new Error(`${target}: no such run directory or checkpoint file`);
        for (const d of [path.dirname(file), path.dirname(path.dirname(file))])
          if (fs.existsSync(path.join(d, RUN_FILES.config))) { runDir = d; break; }
      }
      const config = runDir ? readRun(runDir).config : {};
      const name = opts.recipe ?? config.recipe;
      if (!name) throw new Error(`cannot tell which recipe made ${target} (no config.json beside it); pass --recipe <${Object.keys(RECIPES).join("|")}>`);
      const recipe = RECIPES[name];
      if (!recipe) throw new Error(`unknown recipe '${name}'; recipes: ${Object.keys(RECIPES).join(", ")}`);
      const model = recipe.model();
      const { state, epoch } = await loadModelState(file);
      model.loadStateDict(state);
      const note = (s: string) => io.err(`note: ${s}\n`);
      const { loader, classNames, description, synthetic } = await recipe.evalData({ dataDir: opts.data ?? config.data ?? undefined, download: Boolean(opts.download), quick: Boolean(opts.quick), note }, opts.batchSize, Number(config.seed ?? recipe.defaults.seed));
      const t0 = performance.now();
      const r = await evaluate(model, loader, {
        lossFn: (o: dt.Tensor, y: dt.Tensor) => dt.nn.functional.crossEntropy(o, y), metrics: ["accuracy", "f1", "precision", "recall"],
        limitBatches: opts.quick ? 3 : undefined,
      });
      const seconds = (performance.now() - t0) / 1000;
      if (opts.json) {
        io.out(JSON.stringify({ recipe: name, checkpoint: file, epoch: epoch ?? null, data: description, synthetic, seconds, ...r }, null, 1) + "\n");
        return;
      }
      io.out(
        `${name} ${path.relative(process.cwd(), file).startsWith("..") ? file : path.relative(process.cwd(), file)}${epoch !== undefined ? ` (epoch ${epoch})` : ""} on ${description}${synthetic ? " [random stand-in data]" : ""}: ` +
          `${r.numSamples} samples in ${seconds.toFixed(1)} s\n` +
          `  accuracy ${pct(r.metrics.accuracy)}  loss ${r.loss?.toFixed(4)}  f1 (macro) ${r.metrics.f1.toFixed(4)}  precision ${r.metrics.precision.toFixed(4)}  recall ${r.metrics.recall.toFixed(4)}\n` +
          (r.confusionMatrix ? `confusion matrix (rows: true, columns: predicted):\n${matrixTable(r.confusionMatrix, classNames)}\n` : ""),
      );
    });

  program
    .command("plot")
    .description("write the curves of a run as SVG files (loss, metrics, learning rate, confusion matrix)")
    .argument("<run-dir>", "a run directory from 'deeptype train'")
    .option("--out <dir>", "where to write (default: <run-dir>/plots)")
    .action((dir: string, opts) => {
      const files = plotRun(dir, opts.out);
      io.out(files.map((f) => `${f}\n`).join(""));
    });

  program
    .command("report")
    .description("(re)write report.html of a run directory")
    .argument("<run-dir>", "a run directory from 'deeptype train'")
    .action((dir: string) => {
      const cfg = readRun(dir).config;
      io.out(`${cfg.recipe === SHAKESPEARE_RECIPE ? writeShakespeareReport(dir) : writeReport(dir)}\n`);
    });

  program
    .command("generate")
    .description(`print a sample of a language-model run (${SHAKESPEARE_RECIPE}): the prompt and the characters generated after it`)
    .argument("<run-dir>", `a run directory from 'deeptype train ${SHAKESPEARE_RECIPE}'`)
    .option("--prompt <text>", "the text to continue", "\n")
    .option("--tokens <n>", "characters to generate", positiveInt, 200)
    .option("--temperature <x>", "softmax temperature", positiveNumber, 0.8)
    .option("--top-k <k>", "sample among the k most likely characters", positiveInt, 200)
    .option("--seed <n>", "seed of the sampling (default: random)", integer)
    .addHelpText("after", `\nExample:\n  npx deeptype generate runs/${SHAKESPEARE_RECIPE}-20260101-120000 --prompt "ROMEO:" --tokens 200`)
    .action((dir: string, opts) => {
      const { model, tokenizer } = loadShakespeareRun(dir);
      const seed = opts.seed ?? Math.floor(Math.random() * 2 ** 31);
      io.out(sample(model, tokenizer, opts.prompt, opts.tokens, { temperature: opts.temperature, topK: opts.topK, seed }) + "\n");
    });

  program
    .command("info")
    .description("backend, threads, SIMD support and versions; with a checkpoint: its tensors and parameter counts by module (and the model's summary when its recipe is known)")
    .argument("[checkpoint]", "a .safetensors file (a deeptype checkpoint or a plain state dict) or a run directory")
    .option("--recipe <name>", "rebuild this recipe's model and print its summary (default: the recipe in config.json beside the checkpoint)")
    .option("--depth <n>", "deepest module level shown", positiveInt)
    .option("--no-summary", "only the file's tensors, no model summary")
    .addHelpText("after", "\nExample:\n  npx deeptype info runs/mnist-lenet-20260101-120000\n  npx deeptype info model.safetensors --depth 1")
    .action(async (target: string | undefined, opts) => {
      if (target !== undefined) {
        await checkpointInfo(target, opts, io);
        return;
      }
      const lines = [
        `deeptype ${packageVersion()}`,
        `backend   ${dt.getBackend()} (available: ${dt.listBackends().join(", ")})`,
        `threads   ${dt.getNumThreads()} (CPUs: ${os.cpus().length})`,
        `wasm SIMD ${simdSupported() ? "yes" : "no"}`,
        `node      ${process.version} (V8 ${process.versions.v8})`,
        `platform  ${process.platform} ${process.arch}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory`,
      ];
      io.out(lines.join("\n") + "\n");
    });

  program
    .command("bench")
    .description("run the benchmarks (bench/index.ts: deeptype beside its peers); options pass through, e.g. --quick")
    .allowUnknownOption()
    .helpOption(false)
    .argument("[args...]", "options for bench/index.ts (--quick, --only, --peers, --threads, --json)")
    .action(async (args: string[]) => {
      const script = path.join(PACKAGE_ROOT, "bench", "index.ts");
      if (!fs.existsSync(script)) throw new Error(`the benchmarks are not in this installation (${script} missing); run them from a clone of the repository`);
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: PACKAGE_ROOT, stdio: "inherit" });
        child.on("error", reject);
        child.on("exit", (c, sig) => resolve(c ?? (sig ? 1 : 0)));
      });
      if (code !== 0) throw Object.assign(new Error(`bench exited with code ${code}`), { exitCode: code });
    });

  program.addOption(new Option("--debug", "print stack traces of errors").hideHelp());
  return program;
}

/** `deeptype info <checkpoint>`: the file's table, then the recipe model's summary when known. */
async function checkpointInfo(target: string, opts: { recipe?: string; depth?: number; summary?: boolean }, io: Io): Promise<void> {
  let file = path.resolve(target);
  let runDir: string | null = null;
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    runDir = file;
    file = [RUN_FILES.best, RUN_FILES.last].map((f) => path.join(file, f)).find((f) => fs.existsSync(f)) ?? "";
    if (!file) throw new Error(`${target}: a directory without checkpoints/best.safetensors or checkpoints/last.safetensors`);
  } else {
    if (!fs.existsSync(file)) throw new Error(`${target}: no such checkpoint file or run directory`);
    for (const d of [path.dirname(file), path.dirname(path.dirname(file))])
      if (fs.existsSync(path.join(d, RUN_FILES.config))) { runDir = d; break; }
  }
  if (opts.recipe !== undefined && !RECIPES[opts.recipe]) throw new Error(`unknown recipe '${opts.recipe}'; recipes: ${Object.keys(RECIPES).join(", ")}`);
  const contents = readCheckpointInfo(file);
  io.out(formatCheckpointInfo(contents, { depth: opts.depth }) + "\n");
  if (opts.summary === false) return;
  let name = opts.recipe;
  if (name === undefined && runDir) {
    try {
      const recipe = JSON.parse(fs.readFileSync(path.join(runDir, RUN_FILES.config), "utf8")).recipe;
      if (typeof recipe === "string") name = recipe;
    } catch { /* no readable config: no summary */ }
  }
  if (name === undefined) return;
  const recipe = RECIPES[name];
  if (!recipe?.inputShape) {
    io.err(`note: the recipe '${name}' in ${path.join(runDir ?? "", RUN_FILES.config)} is not one this version knows; no model summary\n`);
    return;
  }
  const model = recipe.model();
  try {
    model.loadStateDict((await loadModelState(file)).state);
  } catch (e) {
    io.err(`note: the checkpoint does not fit recipe ${name}'s model, no model summary (${(e as Error).message})\n`);
    return;
  }
  io.out(`\n${name} model (rebuilt from the recipe, weights loaded), input ${JSON.stringify(recipe.inputShape).replace(/,/g, ", ")}:\n`);
  io.out(dt.nn.summary(model, recipe.inputShape, { print: false, depth: opts.depth ?? 3 }).toString() + "\n");
}

/** Runs the command line; errors print one line (with --debug: the stack) and set exit code 1. */
export async function main(argv: string[] = process.argv, io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number };
    if (err.code?.startsWith("commander.")) return err.exitCode ?? 1; // commander already printed it (or --help/--version)
    io.err(`deeptype: ${argv.includes("--debug") ? err.stack : err.message}\n`);
    return err.exitCode ?? 1;
  }
}
