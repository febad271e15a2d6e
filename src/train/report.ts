// report.html and `deeptype plot`: the charts of a run directory. The page is self-contained
// (inline SVG, images as PNG data URIs, inline CSS, no script), so it opens from file:// offline.

import * as fs from "node:fs";
import * as path from "node:path";
import { encode as encodePng } from "fast-png";
import { confusionMatrixSvg, esc, lineChart, type Series } from "./svg.js";
import { readRun, RUN_FILES, type Example, type RunData } from "./run-dir.js";

/** A chart of the report. */
export interface Chart {
  /** File-name friendly: "loss", "accuracy", "lr". */
  name: string;
  /** The chart as SVG markup. */
  svg: string;
}

/** At most `max` points: means over equal buckets (a long run's per-step losses stay readable and small). */
function downsample(x: number[], y: number[], max = 1500): { x: number[]; y: number[] } {
  if (x.length <= max) return { x, y };
  const k = Math.ceil(x.length / max);
  const ox: number[] = [], oy: number[] = [];
  for (let i = 0; i < x.length; i += k) {
    let sx = 0, sy = 0, n = 0;
    for (let j = i; j < Math.min(x.length, i + k); j++) if (Number.isFinite(y[j])) { sx += x[j]; sy += y[j]; n++; }
    if (n > 0) { ox.push(sx / n); oy.push(sy / n); }
  }
  return { x: ox, y: oy };
}

/** The curves of a run: loss (per step, faint, and per epoch), each metric per epoch, the learning rate. */
export function runCharts(run: RunData): Chart[] {
  const charts: Chart[] = [];
  const ep = run.epochs;
  const x = ep.map((e) => e.epoch);
  const loss: Series[] = [];
  if (run.steps.length > 1)
    loss.push({ name: "train loss (steps)", ...downsample(run.steps.map((s) => s.progress), run.steps.map((s) => s.loss)), color: "#1f77b4", faint: true });
  loss.push({ name: "train loss", x, y: ep.map((e) => e.train.loss), color: "#1f77b4" });
  if (ep.some((e) => e.val?.loss !== undefined)) loss.push({ name: "val loss", x, y: ep.map((e) => e.val?.loss ?? NaN), color: "#d62728" });
  const positive = loss.every((s) => s.y.every((v) => !Number.isFinite(v) || v > 0));
  charts.push({ name: "loss", svg: lineChart(loss, { title: positive ? "Loss (log scale)" : "Loss", xLabel: "epoch", logY: positive }) });
  const names = new Set<string>();
  for (const e of ep) {
    for (const k of Object.keys(e.train)) if (k !== "loss") names.add(k);
    for (const k of Object.keys(e.val ?? {})) if (k !== "loss") names.add(k);
  }
  for (const k of names) {
    const s: Series[] = [];
    if (ep.some((e) => e.train[k] !== undefined)) s.push({ name: `train ${k}`, x, y: ep.map((e) => e.train[k] ?? NaN), color: "#1f77b4" });
    if (ep.some((e) => e.val?.[k] !== undefined)) s.push({ name: `val ${k}`, x, y: ep.map((e) => e.val?.[k] ?? NaN), color: "#d62728" });
    charts.push({ name: k, svg: lineChart(s, { title: k, xLabel: "epoch" }) });
  }
  if (run.steps.some((s) => s.lr !== undefined))
    charts.push({
      name: "lr",
      svg: lineChart([{ name: "learning rate", ...downsample(run.steps.map((s) => s.progress), run.steps.map((s) => s.lr ?? NaN)), color: "#2ca02c" }], { title: "Learning rate", xLabel: "epoch" }),
    });
  return charts;
}

/** A PNG data URI of an example, scaled up `scale` times (nearest neighbour; default about 72 px). */
export function exampleDataUri(e: Example, scale = Math.max(2, Math.round(72 / Math.max(e.width, e.height)))): string {
  const w = e.width * scale, h = e.height * scale;
  const ch = e.channels === 1 || e.channels === 3 ? e.channels : 1;
  const data = new Uint8Array(w * h * ch);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const src = (Math.floor(y / scale) * e.width + Math.floor(x / scale)) * e.channels;
      for (let c = 0; c < ch; c++) data[(y * w + x) * ch + c] = e.pixels[src + c];
    }
  const png = encodePng({ width: w, height: h, data, channels: ch, depth: 8 });
  return `data:image/png;base64,${Buffer.from(png).toString("base64")}`;
}

function fmt(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

const CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1340px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#666;margin-bottom:16px} .charts{display:flex;flex-wrap:wrap;gap:12px}
.charts svg{border:1px solid #eee;max-width:100%;height:auto}
table{border-collapse:collapse;font-size:13px} td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f6f6f6} td.k{text-align:left;font-family:monospace}
.grid{display:flex;flex-wrap:wrap;gap:10px} figure{margin:0;text-align:center;font-size:12px}
figure img{image-rendering:pixelated;border:1px solid #ccc;display:block} .bad{color:#d62728}
`;

/** The report page of a run, as a string. */
export function renderReport(run: RunData): string {
  const cfg = run.config;
  const title = `deeptype run${cfg.recipe ? `: ${cfg.recipe}` : ""}`;
  const last = run.epochs[run.epochs.length - 1];
  const ev = run.evaluation;
  const out: string[] = [];
  out.push(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title><style>${CSS}</style></head><body>`);
  out.push(`<h1>${esc(title)}</h1>`);
  out.push(`<div class="sub">${esc(run.dir)} · ${run.epochs.length} epoch${run.epochs.length === 1 ? "" : "s"}${cfg.createdAt ? ` · ${esc(String(cfg.createdAt))}` : ""}</div>`);
  // summary table
  if (last || ev) {
    out.push(`<h2>Summary</h2><table id="summary"><tr><th></th><th>loss</th>`);
    const keys = new Set<string>();
    for (const r of [last?.train, last?.val, ev?.metrics]) for (const k of Object.keys(r ?? {})) if (k !== "loss") keys.add(k);
    out.push([...keys].map((k) => `<th>${esc(k)}</th>`).join("") + `</tr>`);
    const row = (name: string, r?: Record<string, number>, lossV?: number) =>
      r ? `<tr><td class="k">${esc(name)}</td><td>${fmt(lossV ?? r.loss)}</td>${[...keys].map((k) => `<td>${fmt(r[k])}</td>`).join("")}</tr>` : "";
    if (last) out.push(row(`train (epoch ${last.epoch})`, last.train), row(`val (epoch ${last.epoch})`, last.val));
    if (ev) out.push(row(`${ev.split} (${ev.weights} weights, epoch ${ev.epoch})`, ev.metrics, ev.loss));
    out.push(`</table>`);
    if (last) out.push(`<p class="sub">last epoch: ${fmt(last.seconds)} s, ${fmt(Math.round(last.samplesPerSecond))} samples/s; total ${fmt(last.time)} s</p>`);
  }
  out.push(`<h2>Curves</h2><div class="charts" id="curves">`);
  for (const c of runCharts(run)) out.push(`<div data-chart="${esc(c.name)}">${c.svg}</div>`);
  out.push(`</div>`);
  if (ev?.confusionMatrix) {
    out.push(`<h2>Confusion matrix <span class="sub">(${esc(ev.split)}, ${ev.numSamples} samples; rows: true class, columns: predicted)</span></h2>`);
    out.push(`<div id="confusion">${confusionMatrixSvg(ev.confusionMatrix, ev.classNames)}</div>`);
  }
  if (ev?.misclassified?.length) {
    const name = (c: number) => esc(ev.classNames?.[c] ?? String(c));
    out.push(`<h2>Misclassified examples <span class="sub">(first ${ev.misclassified.length})</span></h2><div class="grid" id="misclassified">`);
    for (const e of ev.misclassified)
      out.push(`<figure data-index="${e.index}"><img alt="sample ${e.index}" src="${exampleDataUri(e)}"><figcaption>#${e.index}: ${name(e.target)} → <span class="bad">${name(e.pred)}</span></figcaption></figure>`);
    out.push(`</div>`);
  }
  out.push(`<h2>Configuration</h2><table id="config">`);
  for (const [k, v] of Object.entries(cfg)) out.push(`<tr><td class="k">${esc(k)}</td><td class="k">${esc(fmt(v))}</td></tr>`);
  out.push(`</table></body></html>\n`);
  return out.join("\n");
}

/** Writes `report.html` into a run directory and returns its path.
 *  @example await writeReport("runs/digits-mlp") */
export function writeReport(runDir: string): string {
  const run = readRun(runDir);
  const file = path.join(run.dir, RUN_FILES.report);
  fs.writeFileSync(file, renderReport(run));
  return file;
}

/** `deeptype plot`: writes each curve of a run as SVG into `outDir` (default: the run's
 *  plots/ folder); returns the files written. */
export function plotRun(runDir: string, outDir?: string): string[] {
  const run = readRun(runDir);
  const dir = path.resolve(outDir ?? path.join(run.dir, "plots"));
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (const c of runCharts(run)) {
    const f = path.join(dir, `${c.name.replace(/[^\w.-]+/g, "_")}.svg`);
    fs.writeFileSync(f, `<?xml version="1.0" encoding="UTF-8"?>\n${c.svg}\n`);
    files.push(f);
  }
  if (run.evaluation?.confusionMatrix) {
    const f = path.join(dir, "confusion-matrix.svg");
    fs.writeFileSync(f, `<?xml version="1.0" encoding="UTF-8"?>\n${confusionMatrixSvg(run.evaluation.confusionMatrix, run.evaluation.classNames)}\n`);
    files.push(f);
  }
  return files;
}
