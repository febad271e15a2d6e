// Checkpoints of a run, through dt.io.saveCheckpoint: model, optimizer (and scheduler) state,
// epoch and metrics in one safetensors file. loadModelState also reads plain state-dict files.

import * as fs from "node:fs";
import * as path from "node:path";
import { saveCheckpoint, loadCheckpoint, load, loadMetadata } from "../io/index.js";
import type { Tensor } from "../tensor/tensor.js";
import type { OptimizerLike, SchedulerLike, TrainableModule } from "./types.js";

/** What saveRunCheckpoint saves. */
export interface RunCheckpoint {
  /** The model. */
  model: TrainableModule;
  /** Its optimiser (state saved when it has stateDict()). */
  optimizer?: OptimizerLike;
  /** Its scheduler (state saved when it has stateDict()). */
  scheduler?: SchedulerLike;
  /** The epoch reached. */
  epoch: number;
  /** The metrics at that epoch. */
  metrics?: Record<string, number>;
}

const stateful = (x: unknown): boolean => x !== null && typeof x === "object" && typeof (x as { stateDict?: unknown }).stateDict === "function";

/** Writes a checkpoint atomically (optimizer and scheduler only when they have stateDict()). */
export async function saveRunCheckpoint(file: string, c: RunCheckpoint): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await saveCheckpoint(file, {
    model: c.model,
    ...(stateful(c.optimizer) ? { optimizer: c.optimizer } : {}),
    ...(stateful(c.scheduler) ? { scheduler: c.scheduler } : {}),
    epoch: c.epoch,
    metrics: c.metrics ?? {},
  });
}

/** The model's state dict from a checkpoint (dt.io.saveCheckpoint) or a plain safetensors state
 *  dict (dt.io.save), with the checkpoint's epoch and metrics when known. */
export async function loadModelState(file: string): Promise<{
  /** The model's state dict. */
  state: Record<string, Tensor>;
  /** The checkpoint's epoch. */
  epoch?: number;
  /** The checkpoint's metrics. */
  metrics?: Record<string, number>;
}> {
  if (!fs.existsSync(file)) throw new Error(`loadModelState: no checkpoint at ${file}`);
  if (loadMetadata(file)?.format === "deeptype.checkpoint") {
    const ck = await loadCheckpoint(file);
    return { state: ck.model, epoch: ck.epoch, metrics: ck.metrics };
  }
  return { state: await load(file) };
}
