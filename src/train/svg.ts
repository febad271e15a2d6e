// Hand-written SVG charts for training runs: line charts (loss and metric curves) and the
// confusion-matrix heatmap. The same strings go into report.html and `deeptype plot`, so a
// chart needs no library, no script and no network.

import { checkOptions } from "../tensor/options.js";

/** One line of a chart. */
export interface Series {
  /** The legend entry. */
  name: string;
  /** The x values. */
  x: number[];
  /** The y values. */
  y: number[];
  /** CSS colour; default from a small palette. */
  color?: string;
  /** Thin and light (e.g. per-step values behind the per-epoch line). */
  faint?: boolean;
}

const LINE_CHART_KEYS = ["title", "xLabel", "yLabel", "width", "height", "logY"] as const;

/** Options of lineChart. */
export interface LineChartOptions {
  /** The chart's title. */
  title: string;
  /** The x axis label. */
  xLabel?: string;
  /** The y axis label. */
  yLabel?: string;
  /** Default 640. */
  width?: number;
  /** Default 320. */
  height?: number;
  /** Log-scaled y axis (for a loss spanning decades). Default false. */
  logY?: boolean;
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"];

/** Escapes text for XML/HTML. */
export function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** "Nice" tick values covering [lo, hi] (1, 2, 5 times a power of ten). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out.length < 2 && count < 64 ? niceTicks(lo, hi, count * 2) : out;
}

function fmtTick(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

/** A line chart as an SVG string; series with no finite points are skipped.
 *  @example lineChart([{ name: "train loss", x: [1, 2], y: [0.9, 0.5] }], { title: "Loss" }) */
export function lineChart(series: Series[], opts: LineChartOptions): string {
  opts = checkOptions("lineChart", opts, LINE_CHART_KEYS, 2);
  const W = opts.width ?? 640, H = opts.height ?? 320;
  const m = { left: 58, right: 16, top: 30, bottom: 42 };
  const pw = W - m.left - m.right, ph = H - m.top - m.bottom;
  const tf = (y: number) => (opts.logY ? Math.log10(y) : y);
  const ok = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!opts.logY || y > 0);
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (const s of series)
    for (let i = 0; i < s.x.length; i++) {
      if (!ok(s.x[i], s.y[i])) continue;
      x0 = Math.min(x0, s.x[i]); x1 = Math.max(x1, s.x[i]);
      y0 = Math.min(y0, tf(s.y[i])); y1 = Math.max(y1, tf(s.y[i]));
    }
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11" class="chart">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="13" font-weight="bold">${esc(opts.title)}</text>`);
  if (x0 === Infinity) {
    parts.push(`<text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#888">no data</text></svg>`);
    return parts.join("");
  }
  if (x1 === x0) { x0 -= 1; x1 += 1; }
  if (y1 === y0) { const d = Math.abs(y0) * 0.1 || 1; y0 -= d; y1 += d; }
  const pad = (y1 - y0) * 0.05;
  y0 -= pad; y1 += pad;
  const sx = (x: number) => m.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => m.top + ph - ((tf(y) - y0) / (y1 - y0)) * ph;
  // grid and axes
  const yTicks = opts.logY
    ? niceTicks(Math.floor(y0), Math.ceil(y1), Math.min(6, Math.ceil(y1) - Math.floor(y0))).filter((t) => Number.isInteger(t) && t >= y0 && t <= y1)
    : niceTicks(y0, y1);
  for (const t of yTicks) {
    const py = opts.logY ? m.top + ph - ((t - y0) / (y1 - y0)) * ph : sy(t);
    parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${py.toFixed(1)}" y2="${py.toFixed(1)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.left - 6}" y="${(py + 4).toFixed(1)}" text-anchor="end" fill="#444">${opts.logY ? fmtTick(10 ** t) : fmtTick(t)}</text>`);
  }
  for (const t of niceTicks(x0, x1, 6)) {
    const px = sx(t);
    parts.push(`<line x1="${px.toFixed(1)}" x2="${px.toFixed(1)}" y1="${m.top}" y2="${m.top + ph}" stroke="#f0f0f0"/>`);
    parts.push(`<text x="${px.toFixed(1)}" y="${m.top + ph + 16}" text-anchor="middle" fill="#444">${fmtTick(t)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`);
  if (opts.xLabel) parts.push(`<text x="${m.left + pw / 2}" y="${H - 6}" text-anchor="middle" fill="#222">${esc(opts.xLabel)}</text>`);
  if (opts.yLabel) parts.push(`<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#222">${esc(opts.yLabel)}</text>`);
  // lines, then the legend on a white box in the top-right corner
  const legend: string[] = [];
  const named = series.filter((s) => s.x.some((x, i) => ok(x, s.y[i]))).length;
  if (named > 0) legend.push(`<rect x="${m.left + pw - 136}" y="${m.top + 3}" width="132" height="${named * 15 + 4}" fill="#fff" fill-opacity="0.85"/>`);
  let legendY = m.top + 14;
  series.forEach((s, k) => {
    const color = s.color ?? PALETTE[k % PALETTE.length];
    let d = "";
    let pen = false;
    let n = 0;
    for (let i = 0; i < s.x.length; i++) {
      if (!ok(s.x[i], s.y[i])) { pen = false; continue; }
      d += `${pen ? "L" : "M"}${sx(s.x[i]).toFixed(1)} ${sy(s.y[i]).toFixed(1)}`;
      pen = true;
      n++;
    }
    if (n === 0) return;
    const width = s.faint ? 1 : 2;
    const opacity = s.faint ? 0.35 : 1;
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${width}" stroke-opacity="${opacity}" data-series="${esc(s.name)}" data-points="${n}"/>`);
    if (n === 1) parts.push(`<circle cx="${sx(s.x.find((_, i) => ok(s.x[i], s.y[i]))!).toFixed(1)}" cy="${sy(s.y.find((_, i) => ok(s.x[i], s.y[i]))!).toFixed(1)}" r="3" fill="${color}"/>`);
    legend.push(`<line x1="${m.left + pw - 130}" x2="${m.left + pw - 112}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${color}" stroke-width="${width}" stroke-opacity="${opacity}"/>`);
    legend.push(`<text x="${m.left + pw - 106}" y="${legendY}" fill="#222">${esc(s.name)}</text>`);
    legendY += 15;
  });
  parts.push(...legend, `</svg>`);
  return parts.join("");
}

/** The confusion matrix as a heatmap with the count in each cell (rows: true class,
 *  columns: predicted class; colour by the row-normalised value).
 *  @example confusionMatrixSvg([[5, 1], [0, 6]], ["cat", "dog"]) */
export function confusionMatrixSvg(matrix: number[][], classNames?: string[]): string {
  const n = matrix.length;
  const cell = n <= 10 ? 40 : Math.max(16, Math.floor(440 / n));
  const m = { left: 70, top: 50, right: 10, bottom: 10 };
  const W = m.left + n * cell + m.right, H = m.top + n * cell + m.bottom;
  const names = classNames ?? matrix.map((_, i) => String(i));
  const fs = Math.min(12, Math.floor(cell / 3));
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="${fs}" class="confusion">`);
  parts.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  parts.push(`<text x="${m.left + (n * cell) / 2}" y="14" text-anchor="middle" font-size="12" fill="#222">predicted</text>`);
  parts.push(`<text transform="translate(14 ${m.top + (n * cell) / 2}) rotate(-90)" text-anchor="middle" font-size="12" fill="#222">true</text>`);
  for (let j = 0; j < n; j++)
    parts.push(`<text x="${m.left + j * cell + cell / 2}" y="${m.top - 8}" text-anchor="middle" fill="#444">${esc(names[j])}</text>`);
  for (let i = 0; i < n; i++) {
    const rowSum = matrix[i].reduce((a, b) => a + b, 0);
    parts.push(`<text x="${m.left - 6}" y="${m.top + i * cell + cell / 2 + 4}" text-anchor="end" fill="#444">${esc(names[i])}</text>`);
    for (let j = 0; j < n; j++) {
      const v = matrix[i][j];
      const f = rowSum > 0 ? v / rowSum : 0;
      // diagonal in blue, errors in red; darker means a larger share of the row
      const [r, g, b] = i === j ? [31, 119, 180] : [214, 39, 40];
      const mix = (c: number) => Math.round(255 - (255 - c) * f);
      const fill = `rgb(${mix(r)},${mix(g)},${mix(b)})`;
      const x = m.left + j * cell, y = m.top + i * cell;
      parts.push(`<g class="cell" data-row="${i}" data-col="${j}" data-value="${v}"><rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"/>`);
      if (v > 0 || n <= 12) parts.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + fs / 3}" text-anchor="middle" fill="${f > 0.5 ? "#fff" : "#222"}">${v}</text>`);
      parts.push(`</g>`);
    }
  }
  parts.push(`</svg>`);
  return parts.join("");
}
