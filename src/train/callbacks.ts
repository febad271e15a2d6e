// Callbacks of `fit` (Keras's EarlyStopping and ModelCheckpoint, in PyTorch-Lightning spirit):
// earlyStopping and bestCheckpoint, both watching one value of the epoch record.

import { checkOptions } from "../tensor/options.js";
import * as path from "node:path";
import type { Tensor } from "../tensor/tensor.js";
import type { EpochRecord } from "./run-dir.js";
import { RUN_FILES } from "./run-dir.js";
import { saveRunCheckpoint } from "./checkpoint.js";
import type { Callback, FitState } from "./types.js";

/** Which value a callback watches, and what counts as better. */
export interface MonitorOptions {
  /** The value watched, "split.name" of the epoch record. Default "val.loss" ("train.loss" without validation). */
  monitor?: string;
  /** "min" or "max"; default "min" for names containing "loss" or "error", "max" otherwise. */
  mode?: "min" | "max" | "auto";
  /** The smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
}

/** Reads "val.accuracy" (or "train.loss", "lr") from an epoch record. */
export function monitorValue(record: EpochRecord, monitor: string): number | undefined {
  const [split, name] = monitor.includes(".") ? monitor.split(".", 2) : ["", monitor];
  if (!split) return (record as unknown as Record<string, number>)[name];
  const r = (record as unknown as Record<string, Record<string, number> | undefined>)[split];
  return r?.[name];
}

class Monitor {
  best = NaN;
  bestEpoch = 0;
  private monitor: string | undefined;
  private mode: "min" | "max" | "auto";
  private minDelta: number;
  constructor(private owner: string, opts: MonitorOptions) {
    this.monitor = opts.monitor;
    this.mode = opts.mode ?? "auto";
    this.minDelta = Math.abs(opts.minDelta ?? 0);
  }
  name(record: EpochRecord): string {
    return this.monitor ?? (record.val ? "val.loss" : "train.loss");
  }
  /** True when the record improves on the best so far (and records it). */
  improved(record: EpochRecord): boolean {
    const name = this.name(record);
    const v = monitorValue(record, name);
    if (v === undefined)
      throw new Error(`${this.owner}: the epoch record has no '${name}' (it has ${describe(record)}); set { monitor } to one of them`);
    const mode = this.mode === "auto" ? (/loss|error/i.test(name) ? "min" : "max") : this.mode;
    const better = Number.isNaN(this.best) || (mode === "min" ? v < this.best - this.minDelta : v > this.best + this.minDelta);
    if (better) {
      this.best = v;
      this.bestEpoch = record.epoch;
    }
    return better;
  }
}

function describe(r: EpochRecord): string {
  const keys = [...Object.keys(r.train).map((k) => `train.${k}`), ...Object.keys(r.val ?? {}).map((k) => `val.${k}`)];
  return keys.join(", ");
}

function snapshot(sd: Record<string, Tensor> | Map<string, Tensor>): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const [k, t] of sd instanceof Map ? sd : Object.entries(sd)) out.set(k, t.detach().clone());
  return out;
}

/** Options of earlyStopping(). */
export interface EarlyStoppingOptions extends MonitorOptions {
  /** Epochs without improvement before stopping. Default 5. */
  patience?: number;
  /** Put back the best epoch's weights when training ends. Default false. */
  restoreBestWeights?: boolean;
}

const MONITOR_KEYS = ["monitor", "mode", "minDelta"] as const;
const EARLY_STOPPING_KEYS = [...MONITOR_KEYS, "patience", "restoreBestWeights"] as const;
const BEST_CHECKPOINT_KEYS = [...MONITOR_KEYS, "path"] as const;

/** Stops training when the monitored value has not improved for `patience` epochs.
 *  @example fit(model, { ..., callbacks: [earlyStopping({ monitor: "val.accuracy", patience: 3 })] }) */
export function earlyStopping(opts: EarlyStoppingOptions = {}): Callback & {
  /** The epoch training stopped after (0 while it has not stopped). */
  stoppedEpoch: number;
  /** The epoch of the best value so far. */
  bestEpoch(): number;
} {
  opts = checkOptions("earlyStopping", opts, EARLY_STOPPING_KEYS, 1);
  const m = new Monitor("earlyStopping", opts);
  const patience = opts.patience ?? 5;
  let wait = 0;
  let best: Map<string, Tensor> | null = null;
  const cb = {
    stoppedEpoch: 0,
    bestEpoch: () => m.bestEpoch,
    onTrainBegin() {
      wait = 0;
      m.best = NaN;
      best = null;
    },
    onEpochEnd(state: FitState, record: EpochRecord) {
      if (m.improved(record)) {
        wait = 0;
        if (opts.restoreBestWeights) best = snapshot(state.model.stateDict());
        return;
      }
      wait++;
      if (wait >= patience) {
        state.stop = true;
        cb.stoppedEpoch = record.epoch;
        state.log(`early stopping at epoch ${record.epoch}: ${m.name(record)} has not improved for ${patience} epochs (best ${m.best.toPrecision(4)} at epoch ${m.bestEpoch})`);
      }
    },
    onTrainEnd(state: FitState) {
      if (opts.restoreBestWeights && best && m.bestEpoch !== state.epoch) {
        state.model.loadStateDict(best);
        state.weights = `best (epoch ${m.bestEpoch})`;
        state.log(`restored the weights of epoch ${m.bestEpoch}`);
      }
    },
  };
  return cb;
}

/** Options of bestCheckpoint(). */
export interface BestCheckpointOptions extends MonitorOptions {
  /** Where to write; default <runDir>/checkpoints/best.safetensors. */
  path?: string;
}

/** Saves a checkpoint (dt.io.saveCheckpoint: model, optimizer, epoch) each time the monitored
 *  value improves.
 *  @example fit(model, { ..., runDir: "runs/a", callbacks: [bestCheckpoint({ monitor: "val.accuracy" })] }) */
export function bestCheckpoint(opts: BestCheckpointOptions = {}): Callback & {
  /** The epoch of the best value so far. */
  bestEpoch(): number;
  /** The best value so far. */
  bestValue(): number;
  /** The checkpoint file written, or null. */
  file(): string | null;
} {
  opts = checkOptions("bestCheckpoint", opts, BEST_CHECKPOINT_KEYS, 1);
  const m = new Monitor("bestCheckpoint", opts);
  let file: string | null = null;
  return {
    bestEpoch: () => m.bestEpoch,
    bestValue: () => m.best,
    file: () => file,
    onTrainBegin(state: FitState) {
      m.best = NaN;
      file = opts.path ?? (state.runDir ? path.join(state.runDir, RUN_FILES.best) : null);
      if (!file) throw new Error(`bestCheckpoint: give { path } or fit's runDir, so there is somewhere to write`);
    },
    async onEpochEnd(state: FitState, record: EpochRecord) {
      if (!m.improved(record)) return;
      await saveRunCheckpoint(file!, { model: state.model, optimizer: state.optimizer, epoch: record.epoch, metrics: { [m.name(record)]: m.best } });
    },
  };
}
