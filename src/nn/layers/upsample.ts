// Upsample (torch/nn/modules/upsampling.py): F.interpolate as a module.

import { Tensor } from "../../tensor/tensor.js";
import * as F from "../functional.js";
import type { InterpolateMode } from "../interpolate.js";
import { Module } from "../module.js";
import { firstOrOptions } from "./common.js";

const UPSAMPLE_KEYS = ["size", "scaleFactor", "mode", "alignCorners", "recomputeScaleFactor"] as const;

/** Options of nn.Upsample (F.interpolate's; give size or scaleFactor). */
export interface UpsampleOptions {
  /** The output size: [W] or [H, W], or one number for every spatial dim. */
  size?: number | number[] | null;
  /** The multiplier of the spatial size: one number, or one per spatial dim. */
  scaleFactor?: number | number[] | null;
  /** Default "nearest". */
  mode?: InterpolateMode;
  /** Linear/bicubic modes: align the corner pixels' centres (default false). */
  alignCorners?: boolean | null;
  /** Use the scale implied by the output size instead of 1 / scaleFactor (default false). */
  recomputeScaleFactor?: boolean | null;
}

/** Resizes [N, C, W] or [N, C, H, W] inputs: `new nn.Upsample({ scaleFactor: 2, mode: "bilinear" })`, or
 *  `new nn.Upsample([64, 64])` (the output size, PyTorch's first argument). The options are F.interpolate's. */
export class Upsample extends Module {
  /** The output size (null when scaleFactor is used). */
  size: number | number[] | null;
  /** The multiplier of the spatial size (null when size is used). */
  scaleFactor: number | number[] | null;
  /** The interpolation mode. */
  mode: InterpolateMode;
  /** Align the corner pixels' centres (linear/bicubic modes; null: the default, false). */
  alignCorners: boolean | null;
  /** Use the scale implied by the output size (null: the default, false). */
  recomputeScaleFactor: boolean | null;
  constructor(opts?: UpsampleOptions | number | number[]) {
    super();
    const o = firstOrOptions<UpsampleOptions, "size">("nn.Upsample", opts, "size", UPSAMPLE_KEYS);
    this.size = o.size ?? null;
    this.scaleFactor = o.scaleFactor ?? null;
    this.mode = o.mode ?? "nearest";
    this.alignCorners = o.alignCorners ?? null;
    this.recomputeScaleFactor = o.recomputeScaleFactor ?? null;
  }
  override forward(x: Tensor): Tensor {
    return F.interpolate(x, { size: this.size, scaleFactor: this.scaleFactor, mode: this.mode, alignCorners: this.alignCorners, recomputeScaleFactor: this.recomputeScaleFactor });
  }
  override extraRepr(): string {
    const s = this.size !== null ? `size=${JSON.stringify(this.size)}` : `scaleFactor=${JSON.stringify(this.scaleFactor)}`;
    return `${s}, mode=${JSON.stringify(this.mode)}`;
  }
}
