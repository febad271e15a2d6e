// Training progress on a terminal: a live `\r` line (bar, batches/s, ETA, loss, a metric) when
// the stream is a TTY, and plain lines (about ten an epoch) otherwise, e.g. in CI logs.

import { checkOptions } from "../tensor/options.js";
const PROGRESS_KEYS = ["stream", "tty", "linesPerEpoch"] as const;

/** Options of the progress display (fit's `progress`). */
export interface ProgressOptions {
  /** Where to write. Default process.stderr. */
  stream?: {
    /** Writes text. */
    write(s: string): unknown;
    /** Whether it is a terminal. */
    isTTY?: boolean;
    /** Its width in characters. */
    columns?: number;
  };
  /** Force the live line (true) or plain lines (false). Default: stream.isTTY. */
  tty?: boolean;
  /** Plain mode: lines per epoch. Default 10. */
  linesPerEpoch?: number;
}

/** What the progress display shows after a batch. */
export interface BatchInfo {
  /** The batch's loss. */
  loss: number;
  /** One metric shown beside the loss, e.g. ["acc", 0.93]. */
  metric?: [string, number];
  /** Samples in this batch. */
  samples: number;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  return `${h > 0 ? `${h}:${String(m).padStart(2, "0")}` : m}:${String(r).padStart(2, "0")}`;
}

/** The progress display of `fit`. */
export class Progress {
  private stream: NonNullable<ProgressOptions["stream"]>;
  private tty: boolean;
  private linesPerEpoch: number;
  private epoch = 0;
  private epochs = 0;
  private total: number | undefined;
  private batch = 0;
  private start = 0;
  private lastDraw = 0;
  private lossAvg = NaN;
  private dirty = false;

  constructor(opts: ProgressOptions = {}) {
    opts = checkOptions("Progress", opts, PROGRESS_KEYS, 1);
    this.stream = opts.stream ?? process.stderr;
    this.tty = opts.tty ?? Boolean(this.stream.isTTY);
    this.linesPerEpoch = opts.linesPerEpoch ?? 10;
  }

  /** Starts the display of an epoch (totalBatches, when known, enables the ETA). */
  startEpoch(epoch: number, epochs: number, totalBatches?: number): void {
    this.epoch = epoch;
    this.epochs = epochs;
    this.total = totalBatches;
    this.batch = 0;
    this.start = performance.now();
    this.lastDraw = 0;
    this.lossAvg = NaN;
  }

  /** Shows the state after a batch. */
  update(info: BatchInfo): void {
    this.batch++;
    // exponential moving average of the loss, as a readable live value
    this.lossAvg = Number.isNaN(this.lossAvg) ? info.loss : 0.9 * this.lossAvg + 0.1 * info.loss;
    const now = performance.now();
    if (this.tty) {
      if (now - this.lastDraw < 100 && this.batch !== this.total) return;
      this.lastDraw = now;
      this.stream.write(`\r\x1b[K${this.line(info, now, true)}`);
      this.dirty = true;
    } else {
      const every = this.total ? Math.max(1, Math.ceil(this.total / this.linesPerEpoch)) : 50;
      if (this.batch % every === 0 || this.batch === this.total) this.stream.write(this.line(info, now, false) + "\n");
    }
  }

  private line(info: BatchInfo, now: number, bar: boolean): string {
    const secs = (now - this.start) / 1000;
    const rate = this.batch / Math.max(secs, 1e-9);
    const w = String(this.epochs).length;
    let s = `epoch ${String(this.epoch).padStart(w)}/${this.epochs}`;
    if (this.total) {
      const frac = Math.min(1, this.batch / this.total);
      if (bar) {
        const width = 24;
        const full = Math.round(frac * width);
        s += ` [${"█".repeat(full)}${"░".repeat(width - full)}]`;
      }
      s += ` ${String(this.batch).padStart(String(this.total).length)}/${this.total}`;
    } else s += ` ${this.batch}`;
    s += ` ${rate.toFixed(1)} batch/s`;
    if (this.total) s += ` ETA ${clock((this.total - this.batch) / rate)}`;
    s += ` loss ${this.lossAvg.toFixed(4)}`;
    if (info.metric) s += ` ${info.metric[0]} ${info.metric[1].toFixed(4)}`;
    const cols = this.stream.columns;
    return bar && cols && s.length > cols - 1 ? s.slice(0, cols - 1) : s;
  }

  /** A line of its own (the epoch summary), clearing the live line first. */
  log(line: string): void {
    if (this.tty && this.dirty) this.stream.write("\r\x1b[K");
    this.dirty = false;
    this.stream.write(line + "\n");
  }
}
